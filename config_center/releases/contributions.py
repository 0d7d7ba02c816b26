"""What the releases contribute: to 变更记录 the publish policy's history and every 发布 and 回滚 as an event;
to the 本地业务属性定义 screens the banner of the city's unpublished changes."""

from django.utils.translation import gettext as _

from core.registry import registry

from .models import PublishPolicy, Release
from .notices import unpublished_changes_notice

registry.history(
    PublishPolicy,
    search=("region__name", "region__code"),
    label=lambda v: f"{v('region')} · 发布策略",
    order=65,
)
# A release is written once and never changed, so it has no history table: its own row is the event.
registry.events(
    Release,
    when="published_at",
    user="published_by",
    action="kind",
    reason="comment",
    facts=("number", "rolled_back_to", "emergency"),
    search=("region__name", "region__code", "number"),
    label=lambda v: _("%(region)s · 第 %(number)s 版") % {"region": v("region"), "number": v("number")},
    order=66,
)
# Saving a local matter changes the draft only; its screens say what the city has not yet published.
registry.admin_notice(
    "unpublished_changes", unpublished_changes_notice, screen="config_center.localmatter", order=10
)
