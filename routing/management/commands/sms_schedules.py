"""Create or update the django-q2 schedules of the outbox sweeper and 催办短信."""

from django.core.management.base import BaseCommand

from core.loading import LoadReport
from sms_templates.services import sms_sweep_schedule_ensure

from ...services import reminder_schedule_ensure


class Command(BaseCommand):
    help = "创建或更新短信发件箱巡检与催办短信的定时任务。"

    def handle(self, *args, **options):
        report = LoadReport()
        sms_sweep_schedule_ensure(report)
        reminder_schedule_ensure(report)
        self.stdout.write(f"新建 {sum(report.created.values())}，更新 {sum(report.updated.values())}")
