from pathlib import Path

from django.core.management.base import BaseCommand

from config_center.workbook import config_export


class Command(BaseCommand):
    help = "导出全部配置：目标以 .xlsx 结尾则写一个多工作表的工作簿，否则视为目录，每表写一个 .csv。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="目标 .xlsx 文件或目录")

    def handle(self, *args, file: str, **options):
        for path in config_export(Path(file)):
            self.stdout.write(f"已写入 {path}")
