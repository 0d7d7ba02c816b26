"""Create or update the django-q2 schedules of the outbox sweeper and 催办短信."""

from django.core.management.base import BaseCommand

from sms_templates.services import sms_schedules_ensure


class Command(BaseCommand):
    help = "创建或更新短信发件箱巡检与催办短信的定时任务。"

    def handle(self, *args, **options):
        report = sms_schedules_ensure()
        self.stdout.write(f"新建 {sum(report.created.values())}，更新 {sum(report.updated.values())}")
