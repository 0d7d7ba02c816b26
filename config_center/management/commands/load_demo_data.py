from django.core.management.base import BaseCommand

from config_center.project.demo import demo_data_load


class Command(BaseCommand):
    help = "加载演示数据（在参考数据之上）；可重复执行。"

    def handle(self, *args, **options):
        demo_data_load()
        message = "演示数据加载完成（可重复执行，已存在的数据保持不变）。"
        self.stdout.write(self.style.SUCCESS(message))
