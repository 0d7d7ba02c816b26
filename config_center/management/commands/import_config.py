from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import OperationalError

from config_center.workbook import ImportFileError, config_import, read_file
from core.middleware import busy_message, is_busy


class Command(BaseCommand):
    help = "导入配置：一个多工作表的 .xlsx，或每表一个 .csv（文件名即表名，也可给目录）。全部成功才写入。"

    def add_arguments(self, parser):
        parser.add_argument("file", help=".xlsx 工作簿、.csv 文件或存放 csv 的目录")
        parser.add_argument("--dry-run", action="store_true", help="只检查并报告，不写入")
        parser.add_argument("--user", help="以该用户的身份与管辖范围导入（记入变更记录）")

    def handle(self, *args, file: str, dry_run: bool, user: str | None, **options):
        actor = None
        if user:
            actor = get_user_model().objects.filter(username=user, is_active=True).first()
            if actor is None:
                raise CommandError(f"用户 {user} 不存在或已停用。")
        try:
            report = config_import(read_file(Path(file)), user=actor, dry_run=dry_run)
        except (ImportFileError, OSError) as error:
            raise CommandError(str(error)) from error
        except OperationalError as error:
            if not is_busy(error):
                raise
            raise CommandError(f"[database_busy] {busy_message()}") from error
        for sheet, counts in report.counts.items():
            self.stdout.write(f"{sheet}：" + "，".join(f"{label} {count}" for label, count in counts.items()))
        if not report.ok:
            for error in report.errors:
                self.stderr.write(str(error))
            raise CommandError(f"共 {len(report.errors)} 处错误，未写入任何数据。")
        self.stdout.write(self.style.SUCCESS("检查通过（试运行，未写入）。" if dry_run else "导入完成。"))
