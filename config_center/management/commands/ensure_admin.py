from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "创建（或保持）一个超级管理员账号，密码取自文件；用于演示环境的启动命令。"

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument(
            "--password-file", required=True, help="存放密码的文件（避免密码出现在进程列表中）"
        )

    def handle(self, *args, username: str, password_file: str, **options):
        path = Path(password_file)
        if not path.exists():
            raise CommandError(f"密码文件不存在：{path}")
        password = path.read_text().strip()
        user, created = get_user_model().objects.get_or_create(
            username=username, defaults={"is_staff": True, "is_superuser": True}
        )
        if created or not user.check_password(password) or not (user.is_staff and user.is_superuser):
            user.is_staff = user.is_superuser = user.is_active = True
            user.set_password(password)
            user.save()
            self.stdout.write(f"管理员账号 {username} 已{'创建' if created else '更新'}。")
