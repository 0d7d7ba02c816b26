from django.core.management.base import BaseCommand, CommandError
from django.db import OperationalError

from config_center.management.lookups import city_and_user
from config_center.releases.services import PublishRefused, release_publish
from core.middleware import busy_message, is_busy


class Command(BaseCommand):
    help = "发布某地级市的配置草稿，生成新的版本。被拒绝时以非零状态退出并说明原因。"

    def add_arguments(self, parser):
        parser.add_argument("--region", required=True, help="地级市行政区划代码，如 442000")
        parser.add_argument("--user", required=True, help="发布人用户名")
        parser.add_argument("--comment", required=True, help="发布说明")

    def handle(self, *args, region: str, user: str, comment: str, **options):
        city, publisher = city_and_user(region, user)
        try:
            result = release_publish(region=city, user=publisher, comment=comment)
        except PublishRefused as refusal:
            raise CommandError(f"[{refusal.reason_code}] {refusal.message}") from refusal
        except OperationalError as error:
            if not is_busy(error):
                raise
            raise CommandError(f"[database_busy] {busy_message()}") from error
        note = "（紧急发布，已记录）" if result.emergency else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"已发布{city.name}第 {result.release.number} 版，含 {result.release.matter_count} 项事项{note}。"
            )
        )
