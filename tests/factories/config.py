"""Bulk builder of a province-sized configuration for query-count tests and benchmarks.

``province_configuration()`` with its defaults builds what Guangdong's 21 cities would hold when each
has bound 150 matters and filled every channel's main list with 8 materials: 3,150 local matters and
about 151,000 checklist rows, in a few seconds. Everything goes in with ``bulk_create``, so no
simple-history rows are written — fine for benchmark data, not a model of how the console writes.

A second call in the same database adds fresh matters (new codes) and reuses the cities, channels,
category and material pool, so a test can build a small configuration, measure, then grow it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice

from django.db import transaction

from catalog.models import Channel, Material, Matter, MatterCategory, Region
from config_center.drafts.models import (
    ChecklistItem,
    ChecklistKind,
    LocalMatter,
    PrintDocument,
    PrintSlot,
    PrintTemplate,
    SmsSlot,
)
from sms_templates.models import SmsEvent, SmsTemplate

CHUNK = 5_000
CATEGORY_CODE = "BENCH"
MATTER_PREFIX = "BM"
MATERIAL_PREFIX = "BX"
EXTRA_CITY_BASE = 900_000  # 9xxxxx: no GB/T 2260 code starts with 9
REFERENCE_CHANNELS = [
    ("counter", "柜台", 10),
    ("web", "网厅", 20),
    ("kiosk", "自助机", 30),
    ("app", "APP", 40),
    ("yss", "粤省事", 50),
    ("occupational", "职业伤害", 60),
]
AUXILIARY_PER_COUNTER = 2
APPLICATION_PER_COUNTER = 1


@dataclass(frozen=True)
class ProvinceConfiguration:
    """What one call built (counts are of rows this call created, except where noted)."""

    cities: int  # cities used (reference or created)
    matters: int
    channels: int  # channels whose lists were filled
    materials: int  # size of the material pool used
    local_matters: int
    checklist_items: int
    sms_slots: int
    print_slots: int
    sample_local_matter_pk: int | None
    region_codes: tuple[str, ...]
    category_pk: int


def _chunks(rows: Iterable, size: int) -> Iterator[list]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _bulk(model, rows: Iterable, chunk: int) -> int:
    count = 0
    for batch in _chunks(rows, chunk):
        model.objects.bulk_create(batch)
        count += len(batch)
    return count


def _cities(count: int, codes: Iterable[str] | None) -> list[Region]:
    """The given cities, or the first ``count`` cities by code topped up with 9xxxxx test cities."""
    if codes is not None:
        codes = list(codes)
        found = list(Region.objects.filter(level=Region.Level.CITY, code__in=codes).order_by("code"))
        missing = set(codes) - {region.code for region in found}
        if missing:
            raise ValueError(f"no such cities: {sorted(missing)}")
        return found
    found = list(Region.objects.filter(level=Region.Level.CITY).order_by("code")[:count])
    if len(found) < count:
        taken = set(Region.objects.values_list("code", flat=True))
        fresh = []
        number = 0
        while len(found) + len(fresh) < count:
            code = f"{EXTRA_CITY_BASE + number * 100:06d}"
            number += 1
            if code not in taken:
                fresh.append(Region(code=code, name=f"基准市{number}", level=Region.Level.CITY))
        Region.objects.bulk_create(fresh)
        found = list(Region.objects.filter(level=Region.Level.CITY).order_by("code")[:count])
    return found


def _channels(count: int) -> list[Channel]:
    """The active channels in screen order: the six reference channels first, then ``chN`` extras."""
    existing = set(Channel.objects.values_list("code", flat=True))
    names = set(Channel.objects.values_list("name", flat=True))
    wanted = [
        Channel(code=code, name=name, sort_order=order)
        for code, name, order in REFERENCE_CHANNELS
        if code not in existing and name not in names
    ]
    wanted += [
        Channel(code=f"ch{i}", name=f"渠道{i}", sort_order=100 + i)
        for i in range(max(0, count - len(REFERENCE_CHANNELS)))
        if f"ch{i}" not in existing and f"渠道{i}" not in names
    ]
    active = Channel.objects.filter(is_active=True).count()
    Channel.objects.bulk_create(wanted[: max(0, count - active)])
    return list(Channel.objects.filter(is_active=True).order_by("sort_order", "code")[:count])


def _material_pool(count: int) -> list[Material]:
    pool = list(Material.objects.filter(code__startswith=MATERIAL_PREFIX).order_by("code")[:count])
    if len(pool) < count:
        Material.objects.bulk_create(
            Material(code=f"{MATERIAL_PREFIX}{i:05d}", name=f"基准材料{i}", description="")
            for i in range(len(pool), count)
        )
        pool = list(Material.objects.filter(code__startswith=MATERIAL_PREFIX).order_by("code")[:count])
    return pool


def _matters(count: int, category: MatterCategory) -> list[Matter]:
    start = Matter.objects.filter(code__startswith=MATTER_PREFIX).count()
    codes = [f"{MATTER_PREFIX}{i:06d}" for i in range(start, start + count)]
    Matter.objects.bulk_create(
        Matter(
            code=code,
            name=f"基准事项{code}",
            aliases=f"基准别名{code}",
            category=category,
            province_wide=i % 3 == 0,
        )
        for i, code in enumerate(codes)
    )
    return list(Matter.objects.filter(code__in=codes).order_by("code").only("pk", "code"))


def _checklist_rows(
    local_ids: list[int], channels: list[Channel], pool: list[Material], per_list: int
) -> Iterator[ChecklistItem]:
    size = len(pool)
    counter = next((channel for channel in channels if channel.code == "counter"), None)
    for lm_index, local_id in enumerate(local_ids):
        for ch_index, channel in enumerate(channels):
            offset = (lm_index * 13 + ch_index * 5) % size
            for position in range(per_list):
                yield ChecklistItem(
                    local_matter_id=local_id,
                    channel_id=channel.pk,
                    kind=ChecklistKind.MAIN,
                    position=position,
                    material_id=pool[(offset + position) % size].pk,
                    send_to_ministry=position == 0,
                )
            if channel is counter:
                extras = [(ChecklistKind.AUXILIARY, "辅助项")] * AUXILIARY_PER_COUNTER
                extras += [(ChecklistKind.APPLICATION, "申请事项")] * APPLICATION_PER_COUNTER
                for position, (kind, label) in enumerate(extras):
                    yield ChecklistItem(
                        local_matter_id=local_id,
                        channel_id=channel.pk,
                        kind=kind,
                        position=position,
                        material_id=pool[(offset + per_list + position) % size].pk,
                        name=f"{label}{position + 1}",
                    )


def _slot_rows(local_ids: list[int]) -> tuple[list[SmsSlot], list[PrintSlot]]:
    """Nine SMS slots and every print slot whose document has a province-wide template, if any exist."""
    sms_templates = list(SmsTemplate.objects.filter(is_active=True).order_by("function_code")[:9])
    by_document: dict[str, PrintTemplate] = {}
    for template in PrintTemplate.objects.filter(is_active=True, region__isnull=True).order_by("code"):
        by_document.setdefault(template.document, template)
    sms = [
        SmsSlot(local_matter_id=local_id, event=event, template_id=template.pk)
        for local_id in local_ids
        for event, template in zip(SmsEvent.values, sms_templates, strict=False)
    ]
    prints = [
        PrintSlot(local_matter_id=local_id, document=document, template_id=by_document[document].pk)
        for local_id in local_ids
        for document in PrintDocument.values
        if document in by_document
    ]
    return sms, prints


@transaction.atomic
def province_configuration(
    *,
    cities: int = 21,
    region_codes: Iterable[str] | None = None,
    matters: int = 150,
    channels: int = 6,
    materials_per_list: int = 8,
    material_pool: int = 300,
    slots: bool = True,
    chunk: int = CHUNK,
) -> ProvinceConfiguration:
    """Bind ``matters`` fresh matters in every one of ``cities`` cities and fill their lists.

    ``region_codes`` picks the cities by code instead of taking the first ``cities`` by code.

    Each local matter gets ``materials_per_list`` main materials on each of the first ``channels``
    active channels, plus two auxiliary items and one application item on the counter channel.
    With ``slots`` (and reference SMS/print templates loaded) it also fills the SMS and print slots.
    """
    extras = AUXILIARY_PER_COUNTER + APPLICATION_PER_COUNTER
    if materials_per_list + extras > material_pool:
        raise ValueError("material_pool must hold a list's materials plus the counter's extra items")
    regions = _cities(cities, region_codes)
    channel_rows = _channels(channels)
    pool = _material_pool(material_pool)
    category = MatterCategory.objects.get_or_create(
        code=CATEGORY_CODE, defaults={"name": "基准测试大类", "sort_order": 900}
    )[0]
    matter_rows = _matters(matters, category)

    matter_ids = [matter.pk for matter in matter_rows]
    _bulk(
        LocalMatter,
        (
            LocalMatter(region_id=region.pk, matter_id=matter_id, time_limit_days=20)
            for region in regions
            for matter_id in matter_ids
        ),
        chunk,
    )
    local_ids = list(
        LocalMatter.objects.filter(matter_id__in=matter_ids)
        .order_by("region__code", "matter__code")
        .values_list("pk", flat=True)
    )
    items = _bulk(ChecklistItem, _checklist_rows(local_ids, channel_rows, pool, materials_per_list), chunk)
    sms_count = print_count = 0
    if slots:
        sms, prints = _slot_rows(local_ids)
        sms_count = _bulk(SmsSlot, sms, chunk)
        print_count = _bulk(PrintSlot, prints, chunk)
    return ProvinceConfiguration(
        cities=len(regions),
        matters=len(matter_rows),
        channels=len(channel_rows),
        materials=len(pool),
        local_matters=len(local_ids),
        checklist_items=items,
        sms_slots=sms_count,
        print_slots=print_count,
        sample_local_matter_pk=local_ids[0] if local_ids else None,
        region_codes=tuple(region.code for region in regions),
        category_pk=category.pk,
    )
