from django.core.management.base import BaseCommand

from config_center.project.reference import reference_data_load_all


class Command(BaseCommand):
    help = "加载广东省参考数据（行政区划、经办机构、渠道、事项目录、材料、界面主题）；可重复执行。"

    def handle(self, *args, **options):
        report = reference_data_load_all()
        if not report.changed:
            self.stdout.write(self.style.SUCCESS("参考数据已是最新，无变更。"))
            return
        for label, bucket in (("新增", report.created), ("更新", report.updated)):
            for model, count in sorted(bucket.items()):
                self.stdout.write(f"{label} {model}: {count}")
        self.stdout.write(self.style.SUCCESS("参考数据加载完成。"))
