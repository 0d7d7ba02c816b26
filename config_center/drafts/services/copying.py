"""Copy one city's configuration of a matter to other cities, with a preview first (省级督导)."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from catalog.models import Channel, Material, Region
from sms_templates.models import SmsEvent, SmsTemplate

from .. import codes, selectors
from ..diff import ADDED, Change, diff_matter
from ..models import ChecklistKind, LocalMatter, PrintDocument, PrintTemplate, Tag
from .bindings import local_matter_save_slots, local_matter_set_tags
from .checklists import checklist_sync
from .local_matters import local_matter_save


@dataclass(frozen=True)
class CopyPlan:
    """What copying would change, city by city (an empty change list: already identical)."""

    source: LocalMatter
    targets: tuple[tuple[Region, tuple[Change, ...]], ...]

    @property
    def change_count(self) -> int:
        return sum(len(changes) for _region, changes in self.targets)


def _snapshots(matter, regions: Iterable[Region]) -> dict[int, dict]:
    locals_ = selectors.local_matters_with_config().filter(matter=matter, region__in=list(regions))
    return {local.region_id: selectors.local_matter_snapshot(local) for local in locals_}


def _copyable(snapshot: dict) -> dict:
    # Binding state is each city's own decision: copying configures, it does not re-bind an unbound city.
    return {key: value for key, value in snapshot.items() if key != "active"}


def local_matter_copy_plan(*, source: LocalMatter, regions: Iterable[Region]) -> CopyPlan:
    """The readable changes copying ``source`` to each region would make (nothing is written)."""
    regions = [region for region in regions if region.pk != source.region_id]
    source_snapshot = selectors.local_matter_snapshot(selectors.local_matters_with_config().get(pk=source.pk))
    existing = _snapshots(source.matter, regions)
    labels = selectors.snapshot_labels()
    targets = []
    for region in regions:
        before = existing.get(region.pk)
        changes = [] if before else [Change(ADDED, (), "", _("绑定该事项"))]
        changes += diff_matter(
            _copyable(before or selectors.default_snapshot(source.matter)), _copyable(source_snapshot), labels
        )
        targets.append((region, tuple(changes)))
    return CopyPlan(source, tuple(targets))


@transaction.atomic
def local_matter_copy_to_regions(*, source: LocalMatter, regions: Iterable[Region], user) -> CopyPlan:
    """Apply ``source``'s configuration to each region (binding the matter where needed); returns the plan applied."""
    plan = local_matter_copy_plan(source=source, regions=regions)
    snapshot = selectors.local_matter_snapshot(selectors.local_matters_with_config().get(pk=source.pk))
    for region, changes in plan.targets:
        if changes:
            local_matter_apply_snapshot(
                region=region,
                matter=source.matter,
                snapshot=snapshot,
                user=user,
                reason=_("从%(city)s复制配置") % {"city": source.region.name},
            )
    return plan


def local_matter_apply_snapshot(*, region: Region, matter, snapshot: dict, user, reason: str) -> LocalMatter:
    """Make ``region``'s local matter equal ``snapshot`` (except its binding state); writes only differences."""
    local = LocalMatter.objects.filter(region=region, matter=matter).first()
    created = local is None
    if created:
        local = LocalMatter(region=region, matter=matter)
    sms_templates = {
        t.function_code: t
        for t in SmsTemplate.objects.select_related("category__region").filter(
            function_code__in=snapshot["sms"].values()
        )
    }
    print_templates = {
        t.code: t
        for t in PrintTemplate.objects.filter(
            code__in=[slot["template"] for slot in snapshot["prints"].values()]
        )
    }
    prints = {
        document: (print_templates.get(slot["template"]), slot["e_seal"], slot["anti_forgery_code"])
        if slot
        else (None, False, False)
        for document, slot in _all_documents(snapshot["prints"]).items()
    }
    values = {
        "flow_mode": snapshot["flow_mode"],
        "review_levels": snapshot["review_levels"],
        "time_limit_days": snapshot["time_limit_days"],
        "distribution_mode": snapshot["distribution_mode"],
        **snapshot["properties"],
    }
    if created or any(getattr(local, name) != value for name, value in values.items()):
        for name, value in values.items():
            setattr(local, name, value)
        local.full_clean(exclude=["acceptance_tags", "review_tags"])
        local_matter_save(local_matter=local, user=user, reason=reason, prints=prints)

    channels = {channel.code: channel for channel in Channel.objects.all()}
    materials = {material.code: material for material in Material.objects.all()}
    for code, channel in channels.items():
        lists = snapshot["checklists"].get(code, {})
        for kind in ChecklistKind.values:
            checklist_sync(
                local_matter=local,
                channel=channel,
                kind=kind,
                items=lists.get(kind, []),
                materials=materials,
                user=user,
            )

    local_matter_save_slots(
        local_matter=local,
        sms={event: sms_templates.get(code) for event, code in _all_events(snapshot["sms"]).items()},
        prints=prints,
        user=user,
    )
    local_matter_set_tags(
        local_matter=local,
        tags={
            kind: Tag.objects.filter(code__in=snapshot["tags"].get(kind, ()), kind=kind)
            for kind in codes.TAG_KINDS
        },
        user=user,
        reason=reason,
    )
    return local


def _all_events(sms: dict) -> dict:
    return {event: sms.get(event) for event in SmsEvent.values}


def _all_documents(prints: dict) -> dict:
    return {document: prints.get(document) for document in PrintDocument.values}
