"""Material lists: bring one list to a given content, copy one channel's lists to others."""

from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from catalog.models import Channel, Material

from .. import rules
from ..models import ChecklistItem, ChecklistKind, LocalMatter


def checklist_sync(
    *,
    local_matter: LocalMatter,
    channel: Channel,
    kind: str,
    items: Sequence[dict],
    materials: dict[str, Material],
    user,
) -> int:
    """Make one list equal ``items`` ([{material, name, send_to_ministry}] in order); returns rows touched.

    Unchanged rows are left alone so that history records only real changes.
    """
    problems = rules.list_findings(
        kind,
        [
            rules.ListItem(item["material"], item.get("name", ""), item.get("send_to_ministry", False))
            for item in items
        ],
        list_label=str(ChecklistKind(kind).label),
    )
    if problems:
        raise ValidationError([problem.message for problem in problems])
    current = {
        row.material.code: row
        for row in ChecklistItem.objects.filter(
            local_matter=local_matter, channel=channel, kind=kind
        ).select_related("material")
    }
    touched = 0
    wanted = set()
    for position, item in enumerate(items, start=1):
        code = item["material"]
        wanted.add(code)
        values = {
            "position": position,
            "name": item.get("name", ""),
            "send_to_ministry": item.get("send_to_ministry", False),
        }
        row = current.get(code)
        if row is None:
            if code not in materials:
                raise ValidationError(_("材料编码 %(code)s 不存在。") % {"code": code})
            row = ChecklistItem(
                local_matter=local_matter, channel=channel, kind=kind, material=materials[code], **values
            )
        elif all(getattr(row, name) == value for name, value in values.items()):
            continue
        else:
            for name, value in values.items():
                setattr(row, name, value)
        row._history_user = user
        row.save()
        touched += 1
    for code, row in current.items():
        if code not in wanted:
            row._history_user = user
            row.delete()
            touched += 1
    return touched


def checklist_renumber(*, local_matter: LocalMatter, user) -> int:
    """Give every list positions 1..n in its current order; rows added with 排序 left at 0 go last, in entry order."""
    groups: dict[tuple[int, str], list[ChecklistItem]] = {}
    for row in ChecklistItem.objects.filter(local_matter=local_matter).order_by("id"):
        groups.setdefault((row.channel_id, row.kind), []).append(row)
    touched = 0
    for rows in groups.values():
        rows.sort(key=lambda row: (row.position if row.position > 0 else 1_000_000, row.id))
        for position, row in enumerate(rows, start=1):
            if row.position != position:
                row.position = position
                row._history_user = user
                row.save(update_fields=["position"])
                touched += 1
    return touched


def _list_items(local_matter: LocalMatter, channel: Channel, kind: str) -> list[dict]:
    return [
        {"material": row.material.code, "name": row.name, "send_to_ministry": row.send_to_ministry}
        for row in ChecklistItem.objects.filter(local_matter=local_matter, channel=channel, kind=kind)
        .select_related("material")
        .order_by("position", "id")
    ]


@transaction.atomic
def checklist_copy_channel(
    *, local_matter: LocalMatter, source: Channel, targets: Iterable[Channel], user
) -> dict[str, int]:
    """Copy the three lists of ``source`` onto each target channel (replacing theirs); rows touched per channel."""
    materials = {material.code: material for material in Material.objects.all()}
    touched = {}
    for target in targets:
        if target.pk == source.pk:
            continue
        touched[target.name] = sum(
            checklist_sync(
                local_matter=local_matter,
                channel=target,
                kind=kind,
                items=_list_items(local_matter, source, kind),
                materials=materials,
                user=user,
            )
            for kind in ChecklistKind.values
        )
    return touched
