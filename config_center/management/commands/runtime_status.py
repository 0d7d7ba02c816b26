"""What every web and django-q2 process serves: version, each city's release, since when, last error."""

import datetime

from django.core.management.base import BaseCommand
from django.utils import timezone

from config_center.releases.models import ConfigVersion
from config_center.runtime.holder import release_numbers
from config_center.runtime.models import ServingProcess


class Command(BaseCommand):
    help = "各进程正在使用的配置版本（每个城市的发布版本、生效时间、最近的错误）"

    def add_arguments(self, parser):
        parser.add_argument(
            "--within", type=float, default=60, help="只列出最近 N 秒内报告过的进程（0 = 全部）"
        )

    def handle(self, *args, within: float, **options):
        now = timezone.now()
        version = ConfigVersion.objects.filter(id=1).values_list("version", flat=True).first() or 0
        newest = release_numbers()
        self.stdout.write(f"数据库中的配置版本 {version}；已发布城市 {len(newest)} 个")
        rows = ServingProcess.objects.all()
        if within:
            rows = rows.filter(heard_at__gte=now - datetime.timedelta(seconds=within))
        for row in rows:
            behind = sorted(code for code, number in newest.items() if row.releases.get(code, 0) < number)
            since = timezone.localtime(row.since).strftime("%Y-%m-%d %H:%M:%S") if row.since else "—"
            heard = (now - row.heard_at).total_seconds()
            state = (
                "最新" if not behind and row.version == version else f"落后：{'、'.join(behind) or '版本号'}"
            )
            self.stdout.write(
                f"{row.process}  版本 {row.version}  自 {since}  {heard:.0f} 秒前报告  {state}  "
                f"上次重载 {row.reloaded or '—'}（{row.reload_ms:.1f} ms）"
            )
            if row.error:
                at = timezone.localtime(row.error_at).strftime("%Y-%m-%d %H:%M:%S") if row.error_at else ""
                self.stdout.write(f"    最近的错误（{at}）：{row.error}")
        if not rows:
            self.stdout.write("最近没有进程报告。")
