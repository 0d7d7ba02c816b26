"""The plain-data form of a local matter's configuration and the readable diff of two of them (pure).

A snapshot is a JSON-able dict (what a release stores, what a copy between cities applies):

    {"matter": "GS0101", "active": true, "flow_mode": "promised", "review_levels": 2,
     "time_limit_days": 20, "distribution_mode": "local",
     "properties": {"counter_enabled": true, ...},
     "checklists": {"counter": {"main": [{"material": "CL001", "name": "", "send_to_ministry": false}, ...],
                                "auxiliary": [...], "application": [...]}, ...},
     "sms": {"accepted": "GS_SL_01", ...},
     "prints": {"completion": {"template": "P01", "e_seal": true, "anti_forgery_code": true}, ...},
     "tags": {"acceptance": ["SL01"], "review": []}}
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from .codes import LIST_KINDS, TAG_KINDS

ADDED = "added"
REMOVED = "removed"
CHANGED = "changed"
REORDERED = "reordered"

SCALAR_FIELDS = ("active", "flow_mode", "review_levels", "time_limit_days", "distribution_mode")


@dataclass(frozen=True)
class Labels:
    """Display names for codes, so a diff reads like the screen (柜台主材料, 受理短信, …)."""

    fields: Mapping[str, str] = field(default_factory=dict)
    values: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    channels: Mapping[str, str] = field(default_factory=dict)
    kinds: Mapping[str, str] = field(default_factory=dict)
    tags: Mapping[str, str] = field(default_factory=dict)
    materials: Mapping[str, str] = field(default_factory=dict)
    events: Mapping[str, str] = field(default_factory=dict)
    documents: Mapping[str, str] = field(default_factory=dict)

    def field(self, name: str) -> str:
        return self.fields.get(name, name)

    def value(self, name: str, value) -> str:
        if isinstance(value, bool):
            return "是" if value else "否"
        if value in (None, ""):
            return "（空）"
        return self.values.get(name, {}).get(str(value), str(value))

    def material(self, code: str) -> str:
        name = self.materials.get(code)
        return f"{name}（{code}）" if name else code


@dataclass(frozen=True)
class Change:
    """One readable difference: what (a path of labels), how, from what to what."""

    action: str
    path: tuple[str, ...]
    old: str = ""
    new: str = ""

    @property
    def where(self) -> str:
        return " · ".join(self.path)


def _item_label(item: Mapping, labels: Labels) -> str:
    text = labels.material(item["material"])
    if item.get("name"):
        text = f"{item['name']}：{text}"
    if item.get("send_to_ministry"):
        text += "（发送部平台）"
    return text


def _diff_list(path: tuple[str, ...], old: list, new: list, labels: Labels) -> list[Change]:
    changes = []
    old_by = {item["material"]: item for item in old}
    new_by = {item["material"]: item for item in new}
    for code, item in new_by.items():
        if code not in old_by:
            changes.append(Change(ADDED, path, "", _item_label(item, labels)))
        elif old_by[code] != item:
            changes.append(
                Change(CHANGED, path, _item_label(old_by[code], labels), _item_label(item, labels))
            )
    for code, item in old_by.items():
        if code not in new_by:
            changes.append(Change(REMOVED, path, _item_label(item, labels), ""))
    kept_old = [item["material"] for item in old if item["material"] in new_by]
    kept_new = [item["material"] for item in new if item["material"] in old_by]
    if kept_old != kept_new:
        changes.append(
            Change(
                REORDERED,
                path,
                "、".join(labels.material(code) for code in kept_old),
                "、".join(labels.material(code) for code in kept_new),
            )
        )
    return changes


def diff_matter(
    old: Mapping | None, new: Mapping | None, labels: Labels, *, prefix: tuple[str, ...] = ()
) -> list[Change]:
    """The readable changes that turn ``old`` into ``new`` (either may be None: bound / unbound)."""
    if old is None and new is None:
        return []
    if old is None:
        return [Change(ADDED, prefix, "", "绑定")]
    if new is None:
        return [Change(REMOVED, prefix, "绑定", "")]
    old_props, new_props = old.get("properties", {}), new.get("properties", {})
    changes = [
        *_field_changes(SCALAR_FIELDS, old, new, labels, prefix),
        *_field_changes(sorted(set(old_props) | set(new_props)), old_props, new_props, labels, prefix),
    ]
    old_lists, new_lists = old.get("checklists", {}), new.get("checklists", {})
    for channel in sorted(
        set(old_lists) | set(new_lists),
        key=lambda code: list(labels.channels).index(code) if code in labels.channels else 99,
    ):
        for kind in LIST_KINDS:
            before = old_lists.get(channel, {}).get(kind, [])
            after = new_lists.get(channel, {}).get(kind, [])
            if before != after:
                path = (*prefix, f"{labels.channels.get(channel, channel)}{labels.kinds.get(kind, kind)}")
                changes.extend(_diff_list(path, before, after, labels))
    for key, names in (("sms", labels.events), ("prints", labels.documents)):
        old_slots, new_slots = old.get(key, {}), new.get(key, {})
        for slot in sorted(
            set(old_slots) | set(new_slots), key=lambda code: list(names).index(code) if code in names else 99
        ):
            before, after = old_slots.get(slot), new_slots.get(slot)
            if before != after:
                action = ADDED if before is None else REMOVED if after is None else CHANGED
                changes.append(
                    Change(action, (*prefix, names.get(slot, slot)), _slot_text(before), _slot_text(after))
                )
    for kind in TAG_KINDS:
        before = set(old.get("tags", {}).get(kind, []))
        after = set(new.get("tags", {}).get(kind, []))
        tag_path = (*prefix, labels.tags.get(kind, kind))
        changes.extend(Change(ADDED, tag_path, "", code) for code in sorted(after - before))
        changes.extend(Change(REMOVED, tag_path, code, "") for code in sorted(before - after))
    return changes


def _field_changes(
    names, old: Mapping, new: Mapping, labels: Labels, prefix: tuple[str, ...]
) -> list[Change]:
    return [
        Change(
            CHANGED,
            (*prefix, labels.field(name)),
            labels.value(name, old.get(name)),
            labels.value(name, new.get(name)),
        )
        for name in names
        if old.get(name) != new.get(name)
    ]


def _slot_text(slot) -> str:
    if slot is None:
        return ""
    if isinstance(slot, str):
        return slot
    text = slot["template"]
    extras = [
        label for key, label in (("e_seal", "加盖电子印章"), ("anti_forgery_code", "验伪码")) if slot.get(key)
    ]
    return f"{text}（{'、'.join(extras)}）" if extras else text


def diff_region_by_matter(
    old: Mapping[str, Mapping],
    new: Mapping[str, Mapping],
    labels: Labels,
    matter_names: Mapping[str, str],
    baseline: Callable[[str], Mapping] | None = None,
) -> dict[str, list[Change]]:
    """``diff_region``'s changes by matter code, in code order; only the matters that changed."""
    by_matter = {}
    for code in sorted(set(old) | set(new)):
        prefix = (f"{matter_names.get(code, code)}（{code}）",)
        before, after = old.get(code), new.get(code)
        changes = diff_matter(before, after, labels, prefix=prefix)
        if before is None and after is not None:
            start = dict(baseline(code)) if baseline else {}
            start["active"] = after.get("active")
            changes.extend(diff_matter(start, after, labels, prefix=prefix))
        if changes:
            by_matter[code] = changes
    return by_matter


def diff_region(
    old: Mapping[str, Mapping],
    new: Mapping[str, Mapping],
    labels: Labels,
    matter_names: Mapping[str, str],
    baseline: Callable[[str], Mapping] | None = None,
) -> list[Change]:
    """Changes between two whole-city configurations ({matter code: snapshot}).

    A newly bound matter is listed as 绑定 plus what it comes with: its differences from
    ``baseline(code)`` (what a fresh binding looks like), or from nothing when no baseline is given.
    """
    by_matter = diff_region_by_matter(old, new, labels, matter_names, baseline)
    return [change for changes in by_matter.values() for change in changes]
