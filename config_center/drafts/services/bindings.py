"""定制绑定 / 取消绑定 and the slot parts of 本地业务属性定义."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from catalog.models import Matter, Region
from sms_templates.models import SmsEvent

from .. import codes, rules
from ..models import LocalMatter, PrintSlot, PrintTemplate, SmsSlot, Tag
from .local_matters import local_matter_save


@dataclass(frozen=True)
class BindResult:
    created: int
    reactivated: int
    unchanged: int


def _require_city(region: Region) -> None:
    if region.level != Region.Level.CITY:
        raise ValidationError(_("只能把业务绑定到地级市，%(region)s不是地级市。") % {"region": region.name})


@transaction.atomic
def local_matter_bind(*, region: Region, matters: Iterable[Matter], user) -> BindResult:
    """Bind matters to a city (定制绑定); a previously unbound matter gets its old configuration back."""
    _require_city(region)
    matters = list(matters)
    existing = {lm.matter_id: lm for lm in LocalMatter.objects.filter(region=region, matter__in=matters)}
    created = reactivated = unchanged = 0
    for matter in matters:
        local = existing.get(matter.pk)
        if local is None:
            local = LocalMatter(region=region, matter=matter, time_limit_days=matter.default_time_limit_days)
            _save_binding(local, user, _("定制绑定"))
            created += 1
        elif not local.is_active:
            local.is_active = True
            _save_binding(local, user, _("重新绑定"))
            reactivated += 1
        else:
            unchanged += 1
    return BindResult(created, reactivated, unchanged)


@transaction.atomic
def local_matter_unbind(*, region: Region, matters: Iterable[Matter], user) -> int:
    """Unbind matters from a city (取消绑定); the configuration is kept, inactive, for a later rebinding."""
    count = 0
    for local in LocalMatter.objects.filter(region=region, matter__in=list(matters), is_active=True):
        local.is_active = False
        _save_binding(local, user, _("取消绑定"))
        count += 1
    return count


@transaction.atomic
def local_matter_save_slots(
    *,
    local_matter: LocalMatter,
    sms: Mapping[str, object | None],
    prints: Mapping[str, tuple[PrintTemplate | None, bool, bool]],
    user,
) -> None:
    """Bring the SMS and print slots to the given choices; rows change only where the choice changed.

    Refuses (``ValidationError``) an SMS template of another city: a city sends province-wide templates
    and its own only.
    """
    errors = sms_template_errors(local_matter=local_matter, sms=sms)
    if errors:
        raise ValidationError(errors)
    _sync_slots(
        {slot.event: slot for slot in local_matter.sms_slots.all()},
        {event: template and {"template_id": template.pk} for event, template in sms.items()},
        lambda event, values: SmsSlot(local_matter=local_matter, event=event, **values),
        user,
    )
    _sync_slots(
        {slot.document: slot for slot in local_matter.print_slots.all()},
        {
            document: template
            and {"template_id": template.pk, "e_seal": e_seal, "anti_forgery_code": anti_forgery}
            for document, (template, e_seal, anti_forgery) in prints.items()
        },
        lambda document, values: PrintSlot(local_matter=local_matter, document=document, **values),
        user,
    )


TAG_FIELDS = {codes.ACCEPTANCE_TAGS: "acceptance_tags", codes.REVIEW_TAGS: "review_tags"}


@transaction.atomic
def local_matter_set_tags(
    *, local_matter: LocalMatter, tags: Mapping[str, Iterable[Tag]], user, reason: str = ""
) -> bool:
    """Make the local matter's 受理标签 / 审核标签 exactly ``tags`` ({kind: tags}; a kind not given is kept).
    A tag of the other kind is refused. Writes (history, a version bump) only where a set changed;
    True when something did."""
    wanted = {kind: list(chosen) for kind, chosen in tags.items()}
    errors: dict[str, list[str]] = {}
    for kind, chosen in wanted.items():
        for tag in chosen:
            if tag.kind != kind:
                errors.setdefault(TAG_FIELDS[kind], []).append(
                    _("%(tag)s 不是%(kind)s。")
                    % {
                        "tag": tag.code,
                        "kind": _("受理标签") if kind == codes.ACCEPTANCE_TAGS else _("审核标签"),
                    }
                )
    if errors:
        raise ValidationError(errors)
    changed = False
    local_matter._history_user = user
    if reason:
        local_matter._change_reason = reason
    for kind, chosen in wanted.items():
        manager = getattr(local_matter, TAG_FIELDS[kind])
        if {tag.pk for tag in manager.all()} != {tag.pk for tag in chosen}:
            manager.set(chosen)
            changed = True
    if changed:
        # A form opened before this change must not write the old tags back (``local_matter_stale_changes``).
        LocalMatter.objects.filter(pk=local_matter.pk).update(version=F("version") + 1, updated_by=user)
    return changed


def sms_template_errors(
    *, local_matter: LocalMatter, sms: Mapping[str, object | None]
) -> dict[str, list[str]]:
    """{field: [message]} for each chosen SMS template that belongs to another city (the rules' finding)."""
    errors: dict[str, list[str]] = {}
    for event, template in sms.items():
        if template is None:
            continue
        category = template.category
        finding = rules.sms_template_scope_finding(
            event=event,
            event_label=str(SmsEvent(event).label),
            template_code=template.function_code,
            template_region=category.region.code if category.region_id else None,
            region=local_matter.region.code,
        )
        if finding is not None:
            errors.setdefault(finding.field, []).append(finding.message)
    return errors


def _sync_slots(current: Mapping, wanted: Mapping[str, dict | None], make, user) -> None:
    """Per slot key: delete the row when nothing is wanted, create it, or update the fields that differ."""
    for key, values in wanted.items():
        slot = current.get(key)
        if not values:
            if slot is not None:
                slot._history_user = user
                slot.delete()
        elif slot is None:
            _save(make(key, values), user)
        elif any(getattr(slot, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(slot, name, value)
            _save(slot, user)


def _save_binding(local: LocalMatter, user, reason: str) -> None:
    local_matter_save(local_matter=local, user=user, reason=reason)


def _save(obj, user) -> None:
    obj._history_user = user
    obj.save()


__all__ = ["BindResult", "local_matter_bind", "local_matter_save_slots", "local_matter_unbind"]
