from django.core.management.base import BaseCommand, CommandError
from django.db import OperationalError

from config_center.management.lookups import city_and_user
from config_center.releases.services import PublishRefused, release_rollback
from core.middleware import busy_message, is_busy


class Command(BaseCommand):
    help = "把某地级市的线上配置回滚到任一历史版本（生成一个与之相同的新版本）。被拒绝时以非零状态退出。"

    def add_arguments(self, parser):
        parser.add_argument("--region", required=True, help="地级市行政区划代码")
        parser.add_argument("--to", required=True, type=int, dest="to_number", help="回滚到的版本号")
        parser.add_argument("--user", required=True, help="操作人用户名")
        parser.add_argument("--comment", default="", help="说明（默认：回滚到第 N 版）")

    def handle(self, *args, region: str, to_number: int, user: str, comment: str, **options):
        city, actor = city_and_user(region, user)
        try:
            release = release_rollback(region=city, to_number=to_number, user=actor, comment=comment)
        except PublishRefused as refusal:
            raise CommandError(f"[{refusal.reason_code}] {refusal.message}") from refusal
        except OperationalError as error:
            if not is_busy(error):
                raise
            raise CommandError(f"[database_busy] {busy_message()}") from error
        self.stdout.write(
            self.style.SUCCESS(f"已把{city.name}回滚到第 {to_number} 版，新版本为第 {release.number} 版。")
        )
