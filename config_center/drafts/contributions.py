"""What the drafts contribute: print templates and tags, the history of every draft table, their sheets."""

from core.registry import registry

from .models import ChecklistItem, LocalMatter, PrintSlot, PrintTemplate, SmsSlot, Tag
from .resources import (
    ChecklistItemResource,
    LocalMatterPropertiesResource,
    LocalMatterResource,
    LocalMatterTagsResource,
    PrintSlotResource,
    PrintTemplateResource,
    SmsSlotResource,
    TagResource,
)
from .services.reference import drafts_reference_data_load

registry.reference_data("drafts", drafts_reference_data_load, order=30)
registry.history(
    LocalMatter,
    search=("matter__code", "matter__name", "region__name"),
    label=lambda v: f"{v('region')} · {v('matter')}",
    label_joins=("region", "matter"),
    order=10,
)
registry.history(
    ChecklistItem,
    search=(
        "material__code",
        "material__name",
        "name",
        "local_matter__matter__code",
        "local_matter__matter__name",
    ),
    label=lambda v: f"{v('local_matter')} · {v('channel')} · {v('kind')}：{v('material')}",
    order=20,
)
registry.history(
    SmsSlot,
    search=(
        "template__function_code",
        "template__name",
        "local_matter__matter__code",
        "local_matter__matter__name",
    ),
    label=lambda v: f"{v('local_matter')} · {v('event')} → {v('template')}",
    order=30,
)
registry.history(
    PrintSlot,
    search=("template__code", "template__name", "local_matter__matter__code", "local_matter__matter__name"),
    label=lambda v: f"{v('local_matter')} · {v('document')} → {v('template')}",
    order=40,
)
registry.history(PrintTemplate, search=("code", "name"), order=50)
registry.history(Tag, search=("code", "name"), order=60)
registry.sheet(PrintTemplateResource, order=12)
registry.sheet(TagResource, order=14)
registry.sheet(LocalMatterResource, order=20)
registry.sheet(LocalMatterPropertiesResource, order=25)
registry.sheet(ChecklistItemResource, order=30)
registry.sheet(SmsSlotResource, order=40)
registry.sheet(PrintSlotResource, order=42)
registry.sheet(LocalMatterTagsResource, order=44)
