"""What the releases contribute: the publish policy's history on 变更记录."""

from core.registry import registry

from .models import PublishPolicy

registry.history(
    PublishPolicy,
    search=("region__name", "region__code"),
    label=lambda v: f"{v('region')} · 发布策略",
    order=65,
)
