"""Saving a local matter: the one write path of its own fields, with the same rules for every caller.

The admin's 本地业务属性定义, the spreadsheet importer, copying between cities, 定制绑定 and the demo
all save through ``local_matter_save``; the form and the importer ask ``local_matter_errors`` first to
put each message on its field or column. A refusal reads the same wherever it comes from.
"""

from collections.abc import Mapping

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from .. import rules, selectors
from ..models import LocalMatter


def local_matter_stale_changes(
    *, local_matter: LocalMatter, loaded_version: int, values: Mapping
) -> list[str] | None:
    """None when nobody saved the local matter since ``loaded_version`` was read; otherwise a line per field
    where what is stored now differs from ``values`` (what the stale form would write back). Locks the
    row for the rest of the transaction, so the check and the save cannot be overtaken."""
    current = LocalMatter.objects.select_for_update().filter(pk=local_matter.pk).first()
    if current is None or current.version == loaded_version:
        return None
    labels = selectors.snapshot_labels(material_codes=[])
    return [
        _("%(field)s：现为“%(now)s”，您的表单为“%(yours)s”")
        % {
            "field": labels.field(name),
            "now": labels.value(name, getattr(current, name)),
            "yours": labels.value(name, values.get(name)),
        }
        for name in selectors.SAVE_FIELDS
        if name in values and getattr(current, name) != values[name]
    ]


def local_matter_errors(*, matter, values: Mapping, prints: selectors.PrintChoices) -> dict[str, list[str]]:
    """{field: [messages]} of the save rules for these values and print slots ({} when they may be saved).

    The field is a model field, a print-slot field of the form (``print_completion_e_seal``) or
    ``__all__``; callers map it to where they show it.
    """
    errors: dict[str, list[str]] = {}
    for finding in rules.save_findings(selectors.save_facts(matter=matter, values=values, prints=prints)):
        errors.setdefault(finding.field or NON_FIELD_ERRORS, []).append(finding.message)
    return errors


@transaction.atomic
def local_matter_save(
    *, local_matter: LocalMatter, user, reason: str = "", prints: selectors.PrintChoices | None = None
) -> LocalMatter:
    """Save the local matter's own fields (history with ``user`` and ``reason``) if the rules allow them.

    ``prints`` are the print slots it is about to hold (the form's and a copy's choices); None: as
    stored. Field-level validation (``full_clean``) is the caller's, as a form or an import row does it.
    """
    errors = local_matter_errors(
        matter=local_matter.matter,
        values=selectors.local_matter_values(local_matter),
        prints=selectors.stored_print_choices(local_matter) if prints is None else prints,
    )
    if errors:
        raise ValidationError(errors)
    if local_matter.pk is not None:
        local_matter.version += 1
    local_matter.updated_by = user
    local_matter._history_user = user
    if reason:
        local_matter._change_reason = reason
    local_matter.save()
    return local_matter


@transaction.atomic
def local_matters_save_batch(
    local_matters: list[LocalMatter],
    *,
    user,
    reason: str,
    created: bool,
    fields: list[str] = (),
    print_rules: bool = True,
) -> None:
    """``local_matter_save`` for a batch (the importer's): the same rules for each, then one insert (or one
    update of ``fields``) and one insert of history rows for the batch. Refuses the batch if any row is refused.

    ``print_rules=False`` leaves the rules about print slots to the caller, who judges them once the print
    slots are final too (a workbook changes 属性配置 before 打印配置)."""
    refused = {}
    for local in local_matters:
        errors = local_matter_errors(
            matter=local.matter,
            values=selectors.local_matter_values(local),
            prints=selectors.stored_print_choices(local),
        )
        if not print_rules:
            errors = {field: found for field, found in errors.items() if not field.startswith("print_")}
        if errors:
            refused[f"{local.region.code}/{local.matter.code}"] = [
                message for messages in errors.values() for message in messages
            ]
    if refused:
        raise ValidationError(refused)
    for local in local_matters:
        if not created:
            local.version += 1
        local.updated_by = user
    options = {"default_user": user, "default_change_reason": reason, "batch_size": 1_000}
    if created:
        bulk_create_with_history(local_matters, LocalMatter, **options)
    else:
        bulk_update_with_history(
            local_matters, LocalMatter, [*dict.fromkeys([*fields, "version", "updated_by"])], **options
        )
