"""Reads of the configuration centre: querysets for the screens, snapshots and rule facts."""

import dataclasses
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from django.db.models import Count, Max, Prefetch, Q, QuerySet

from catalog.models import Channel, Material, Matter
from sms_templates.models import SmsEvent
from sms_templates.selectors import template_validity

from . import codes, rules
from .diff import Labels
from .models import (
    ChecklistItem,
    ChecklistKind,
    DistributionMode,
    FlowMode,
    LocalMatter,
    OnlineDepth,
    PostFeePayer,
    PrintDocument,
    PrintSlot,
    PrintTemplate,
    ReviewLevel,
    SmsSlot,
    TagKind,
)

PROPERTY_FIELDS = (
    "counter_enabled",
    "counter_verify_originals",
    "counter_scan_required",
    "post_enabled",
    "post_fee_payer",
    "hall_listed",
    "hall_item_code",
    "hall_online_depth",
    "kiosk_accept",
    "kiosk_face_verification",
    "kiosk_print_receipt",
    "e_seal_enabled",
    "e_seal_code",
)


def local_matters_with_config() -> QuerySet[LocalMatter]:
    """Local matters with everything a snapshot or the rules read, in a fixed number of queries."""
    return LocalMatter.objects.select_related("region", "matter", "matter__category").prefetch_related(
        Prefetch(
            "checklist_items",
            queryset=ChecklistItem.objects.select_related("channel", "material").order_by(
                "channel__sort_order", "kind", "position", "id"
            ),
        ),
        "sms_slots__template__category__region",
        "print_slots__template",
        "acceptance_tags",
        "review_tags",
    )


def local_matter_snapshot(local: LocalMatter) -> dict:
    """The plain-data form of one local matter (see ``snapshot``); uses prefetched relations."""
    checklists: dict[str, dict[str, list]] = {}
    for item in local.checklist_items.all():
        checklists.setdefault(item.channel.code, {}).setdefault(item.kind, []).append(
            {"material": item.material.code, "name": item.name, "send_to_ministry": item.send_to_ministry}
        )
    return {
        "matter": local.matter.code,
        "active": local.is_active,
        "flow_mode": local.flow_mode,
        "review_levels": local.review_levels,
        "time_limit_days": local.time_limit_days,
        "distribution_mode": local.distribution_mode,
        "properties": {name: getattr(local, name) for name in PROPERTY_FIELDS},
        "checklists": checklists,
        "sms": {slot.event: slot.template.function_code for slot in local.sms_slots.all()},
        "prints": {
            slot.document: {
                "template": slot.template.code,
                "e_seal": slot.e_seal,
                "anti_forgery_code": slot.anti_forgery_code,
            }
            for slot in local.print_slots.all()
        },
        "tags": {
            codes.ACCEPTANCE_TAGS: sorted(tag.code for tag in local.acceptance_tags.all()),
            codes.REVIEW_TAGS: sorted(tag.code for tag in local.review_tags.all()),
        },
    }


def default_snapshot(matter) -> dict:
    """What a freshly bound matter looks like (model defaults, empty lists): the base of a preview."""
    local = LocalMatter(matter=matter, time_limit_days=matter.default_time_limit_days)
    return {
        "matter": matter.code,
        "active": True,
        "flow_mode": local.flow_mode,
        "review_levels": local.review_levels,
        "time_limit_days": local.time_limit_days,
        "distribution_mode": local.distribution_mode,
        "properties": {name: getattr(local, name) for name in PROPERTY_FIELDS},
        "checklists": {},
        "sms": {},
        "prints": {},
        "tags": {kind: [] for kind in codes.TAG_KINDS},
    }


def default_snapshots() -> Callable[[str], dict]:
    """``default_snapshot`` by matter code, for diffs that list what a new binding comes with."""
    matters = {matter.code: matter for matter in Matter.objects.all()}
    return lambda code: default_snapshot(matters[code]) if code in matters else {}


def channel_names() -> dict[str, str]:
    return dict(Channel.objects.order_by("sort_order", "code").values_list("code", "name"))


def snapshot_labels(material_codes=None) -> Labels:
    """Labels for diffs: field verbose names, choice labels, channel, material, slot names."""
    fields = {
        f.name: str(f.verbose_name) for f in LocalMatter._meta.get_fields() if hasattr(f, "verbose_name")
    }
    fields["active"] = "绑定状态"
    materials = Material.objects.all()
    if material_codes is not None:
        materials = materials.filter(code__in=material_codes)
    return Labels(
        fields=fields,
        values={
            "flow_mode": {str(k): str(v) for k, v in FlowMode.choices},
            "distribution_mode": {str(k): str(v) for k, v in DistributionMode.choices},
            "review_levels": {str(k): str(v) for k, v in ReviewLevel.choices},
            "post_fee_payer": {str(k): str(v) for k, v in PostFeePayer.choices},
            "hall_online_depth": {str(k): str(v) for k, v in OnlineDepth.choices},
            "active": {"True": "已绑定", "False": "已取消绑定"},
        },
        channels=channel_names(),
        kinds=KIND_LABELS,
        tags={str(k): str(v) for k, v in TagKind.choices},
        materials=dict(materials.values_list("code", "name")),
        events={str(k): str(v) for k, v in SmsEvent.choices},
        documents={str(k): str(v) for k, v in PrintDocument.choices},
    )


# Labels looked up once: get_FOO_display() per slot per row re-translated the choices (a quarter of
# the changelist time on province-sized data).
EVENT_LABELS = dict(SmsEvent.choices)
DOCUMENT_LABELS = dict(PrintDocument.choices)
KIND_LABELS = {str(code): str(label) for code, label in ChecklistKind.choices}


# What a save of a local matter sets (the form's, the importer's and a copy's fields), besides its tags.
SAVE_FIELDS = ("flow_mode", "review_levels", "time_limit_days", "distribution_mode", *PROPERTY_FIELDS)

PrintChoices = Mapping[str, tuple[PrintTemplate | None, bool, bool]]


def stored_print_choices(local: LocalMatter) -> dict[str, tuple]:
    """The stored print slots as choices {document: (template, e_seal, anti_forgery_code)} (uses a prefetch)."""
    if local.pk is None:
        return {}
    return {
        slot.document: (slot.template, slot.e_seal, slot.anti_forgery_code)
        for slot in local.print_slots.all()
    }


def save_facts(*, matter, values: Mapping[str, Any], prints: PrintChoices) -> rules.LocalMatterFacts:
    """The facts the save rules judge: the values about to be saved and the print slots about to hold."""
    return rules.LocalMatterFacts(
        matter_code=matter.code,
        matter_name=matter.name,
        matter_active=matter.is_active,
        province_wide_eligible=matter.province_wide,
        distribution_mode=values.get("distribution_mode") or "",
        flow_mode=values.get("flow_mode") or "",
        review_levels=int(values.get("review_levels") or 0),
        time_limit_days=int(values.get("time_limit_days") or 0),
        counter_enabled=bool(values.get("counter_enabled", True)),
        post_enabled=bool(values.get("post_enabled")),
        post_fee_payer=values.get("post_fee_payer") or "",
        hall_listed=bool(values.get("hall_listed")),
        hall_item_code=values.get("hall_item_code") or "",
        kiosk_accept=bool(values.get("kiosk_accept")),
        e_seal_enabled=bool(values.get("e_seal_enabled")),
        e_seal_code=values.get("e_seal_code") or "",
        print_slots=tuple(
            rules.PrintSlotFacts(
                document,
                str(DOCUMENT_LABELS[document]),
                template.code,
                template.document,
                template.is_active,
                bool(e_seal),
                bool(anti_forgery_code),
            )
            for document, (template, e_seal, anti_forgery_code) in prints.items()
            if template is not None
        ),
    )


def local_matter_values(local: LocalMatter) -> dict[str, Any]:
    return {name: getattr(local, name) for name in SAVE_FIELDS}


def local_matter_facts(
    local: LocalMatter, *, names: dict[str, str], valid_templates: dict[int, bool]
) -> rules.LocalMatterFacts:
    """The rule facts of one local matter (prefetched relations; no queries of its own)."""
    checklists: dict[tuple[str, str], list[rules.ListItem]] = {}
    for item in local.checklist_items.all():
        checklists.setdefault((item.channel.code, item.kind), []).append(
            rules.ListItem(item.material.code, item.name, item.send_to_ministry, item.position)
        )
    facts = save_facts(
        matter=local.matter, values=local_matter_values(local), prints=stored_print_choices(local)
    )
    return dataclasses.replace(
        facts,
        region_code=local.region.code,
        checklists=checklists,
        channel_names=names,
        kind_labels=KIND_LABELS,
        sms_slots=tuple(
            rules.SmsSlotFacts(
                slot.event,
                str(EVENT_LABELS[slot.event]),
                slot.template.function_code,
                slot.template.is_active,
                valid_templates.get(slot.template_id, False),
                slot.template.category.region.code if slot.template.category.region_id else None,
            )
            for slot in local.sms_slots.all()
        ),
    )


def local_matter_findings(locals_: list[LocalMatter]) -> dict[int, tuple[rules.Finding, ...]]:
    """Findings for several prefetched local matters, with a fixed number of extra queries."""
    names = channel_names()
    templates = {slot.template for local in locals_ for slot in local.sms_slots.all()}
    valid = template_validity(templates)
    return {
        local.pk: rules.check_local_matter(local_matter_facts(local, names=names, valid_templates=valid))
        for local in locals_
    }


def region_draft(region) -> dict[str, dict]:
    """The city's draft: {matter code: snapshot} of every bound (active) local matter."""
    return region_drafts([region])[region.pk]


def region_drafts(regions) -> dict[int, dict[str, dict]]:
    """Several cities' drafts by region id (see ``region_draft``), in the queries of one."""
    drafts: dict[int, dict[str, dict]] = {region.pk: {} for region in regions}
    for local in local_matters_with_config().filter(region__in=list(drafts), is_active=True):
        drafts[local.region_id][local.matter.code] = local_matter_snapshot(local)
    return drafts


def region_draft_errors(region) -> list[str]:
    """Messages of the error-severity findings of the city's bound matters (publishing refuses them)."""
    locals_ = list(local_matters_with_config().filter(region=region, is_active=True))
    findings = local_matter_findings(locals_)
    return [
        f"{local.matter.name}：{finding.message}"
        for local in locals_
        for finding in findings[local.pk]
        if finding.severity == rules.ERROR
    ]


def region_draft_last_editor_id(region) -> int | None:
    """Who last changed the city's draft, across the local matters and everything hanging off them."""
    candidates = [
        LocalMatter.history.filter(region_id=region.pk),
        ChecklistItem.history.filter(local_matter__region_id=region.pk),
        SmsSlot.history.filter(local_matter__region_id=region.pk),
        PrintSlot.history.filter(local_matter__region_id=region.pk),
    ]
    latest = None
    for history in candidates:
        row = history.order_by("-history_date").values("history_date", "history_user_id").first()
        if row and (latest is None or row["history_date"] > latest["history_date"]):
            latest = row
    return latest["history_user_id"] if latest else None


def region_draft_edits_by(user) -> dict[int, datetime]:
    """When ``user`` last changed each city's draft: {region id: time}, four queries however much they did."""
    candidates = [
        (LocalMatter.history.all(), "region_id"),
        (ChecklistItem.history.all(), "local_matter__region_id"),
        (SmsSlot.history.all(), "local_matter__region_id"),
        (PrintSlot.history.all(), "local_matter__region_id"),
    ]
    latest: dict[int, datetime] = {}
    for history, region in candidates:
        rows = (
            history.filter(history_user_id=user.pk)
            .values_list(region)
            .annotate(last=Max("history_date"))
            .order_by()
        )
        for region_id, last in rows:
            if region_id is not None and (region_id not in latest or last > latest[region_id]):
                latest[region_id] = last
    return latest


def bound_matter_counts(regions) -> dict[int, int]:
    """{region id: the city's bound (active) local matters}, in one grouped query."""
    rows = (
        LocalMatter.objects.filter(region__in=list(regions), is_active=True)
        .order_by()
        .values_list("region_id")
        .annotate(number=Count("pk"))
    )
    return {region_id: number for region_id, number in rows}


def region_draft_saves_since(since: Mapping[int, datetime]) -> dict[int, tuple[int, datetime]]:
    """{region id: (saves of the city's draft after ``since[region id]``, the last one's time)}, across the local
    matters and everything hanging off them: one query, the four history tables' counts by city put together
    (``UNION ALL``), each over the history dates' index."""
    candidates = [
        (LocalMatter.history.all(), "region_id"),
        (ChecklistItem.history.all(), "local_matter__region_id"),
        (SmsSlot.history.all(), "local_matter__region_id"),
        (PrintSlot.history.all(), "local_matter__region_id"),
    ]
    if not since:
        return {}
    parts = []
    for history, region in candidates:
        after = Q()
        for region_id, moment in since.items():
            after |= Q(**{region: region_id, "history_date__gt": moment})
        parts.append(
            history.filter(after)
            .order_by()
            .values_list(region)
            .annotate(saves=Count("history_id"), last=Max("history_date"))
        )
    found: dict[int, tuple[int, datetime]] = {}
    for region_id, saves, last in parts[0].union(*parts[1:], all=True):
        before = found.get(region_id)
        found[region_id] = (saves, last) if before is None else (before[0] + saves, max(before[1], last))
    return found


__all__ = [
    "region_draft",
    "region_drafts",
    "region_draft_edits_by",
    "region_draft_errors",
    "region_draft_saves_since",
    "region_draft_last_editor_id",
    "PROPERTY_FIELDS",
    "bound_matter_counts",
    "channel_names",
    "default_snapshot",
    "local_matter_facts",
    "local_matter_findings",
    "local_matter_snapshot",
    "local_matters_with_config",
    "snapshot_labels",
]
