"""What the draft sheets share: the short words a spreadsheet uses for choices, and lookups."""

from django.utils.translation import gettext as _

from catalog.models import Channel, Region
from sms_templates.models import SmsEvent

from .. import codes
from ..models import ChecklistKind, PrintDocument, TagKind

# The short words a spreadsheet uses for these choices (the screens show the long labels).
MODE_WORDS = {codes.LOCAL: "本地模式", codes.PROVINCE: "全省模式"}
LEVEL_WORDS = {str(codes.REVIEW_LEVELS[0]): "一级", str(codes.REVIEW_LEVELS[1]): "二级"}
FLOW_WORDS = {codes.PROMISED: "承诺件", codes.INSTANT: "即办件"}
EVENT_LABELS = {str(key): str(label) for key, label in SmsEvent.choices}
KIND_LABELS = {str(key): str(label) for key, label in ChecklistKind.choices}
DOCUMENT_LABELS = {str(key): str(label) for key, label in PrintDocument.choices}
TAG_KIND_LABELS = {str(key): str(label) for key, label in TagKind.choices}


def cities():
    return Region.objects.filter(level=Region.Level.CITY)


def not_bound_message(region: str, matter: str) -> str:
    return _("%(region)s尚未绑定事项 %(matter)s；请先在“事项绑定”表中绑定。") % {
        "region": region,
        "matter": matter,
    }


def channel_codes_by_name() -> dict[str, str]:
    return {name: code for code, name in Channel.objects.order_by("sort_order").values_list("code", "name")}
