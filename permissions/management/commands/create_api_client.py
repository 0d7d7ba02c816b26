from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from catalog.models import Agency, Region
from permissions import api_rules
from permissions.models import ApiClient
from permissions.services import api_client_create


def _city_code(code: str) -> str:
    """A city or the province by its region code; four digits name a city (4420 → 442000)."""
    return code + "00" if len(code) == 4 and code.isdigit() else code


class Command(BaseCommand):
    help = (
        "创建接口调用方（其他系统调用 API 的凭证），打印一次令牌（只保存其摘要，无法再次查看）。"
        f"接口权限：{'、'.join(api_rules.SCOPES)}。"
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="名称，如 粤省事（服务账号为 api.名称）")
        parser.add_argument(
            "--scope",
            action="append",
            default=[],
            required=True,
            help=f"接口权限，可重复或以逗号分隔：{', '.join(api_rules.SCOPES)}",
        )
        parser.add_argument(
            "--city", action="append", default=[], help="可提交业务的地市区划代码（可重复；440000 为全省）"
        )
        parser.add_argument(
            "--agency", action="append", default=[], help="可提交业务的经办机构编码（可重复）"
        )
        parser.add_argument(
            "--rate", type=int, default=None, help="每分钟请求上限（默认 API_CLIENT_RATE_LIMIT）"
        )
        parser.add_argument("--description", default="", help="说明")

    def handle(self, *args, name, scope, city, agency, rate, description, **options):
        unknown = api_rules.unknown_scopes(",".join(scope))
        if unknown:
            raise CommandError(f"未知的接口权限：{'、'.join(unknown)}；可用：{'、'.join(api_rules.SCOPES)}")
        codes = [_city_code(code) for code in city]
        cities = list(
            Region.objects.filter(code__in=codes, level__in=[Region.Level.PROVINCE, Region.Level.CITY])
        )
        missing = sorted(set(codes) - {region.code for region in cities})
        if missing:
            raise CommandError(f"不是地级市或全省的区划代码：{'、'.join(missing)}")
        agencies = list(Agency.objects.filter(code__in=agency, is_active=True))
        missing = sorted(set(agency) - {found.code for found in agencies})
        if missing:
            raise CommandError(f"经办机构不存在或已停用：{'、'.join(missing)}")
        client = ApiClient(
            name=name,
            description=description,
            scopes=api_rules.scopes_text(api_rules.scopes_parse(",".join(scope))),
        )
        if rate is not None:
            client.rate_limit = rate
        try:
            token = api_client_create(client=client, cities=cities, agencies=agencies)
        except ValidationError as error:
            raise CommandError(
                "；".join(message for messages in error.message_dict.values() for message in messages)
            ) from error
        self.stdout.write(
            f"已创建接口调用方 {client.name}（服务账号 {client.user.username}，每分钟上限 {client.rate_limit} 次）。"
        )
        self.stdout.write("令牌（只显示这一次，请妥善保存；调用时发送 Authorization: Bearer <令牌>）：")
        self.stdout.write(token)
