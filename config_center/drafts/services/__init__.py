"""Writes of the drafts, one module per concern, re-exported here."""

from .bindings import (
    local_matter_bind,
    local_matter_save_slots,
    local_matter_set_tags,
    local_matter_unbind,
    sms_template_errors,
)
from .checklists import checklist_copy_channel, checklist_renumber
from .copying import (
    CopyPlan,
    local_matter_apply_snapshot,
    local_matter_copy_plan,
    local_matter_copy_to_regions,
)
from .local_matters import (
    local_matter_errors,
    local_matter_save,
    local_matter_stale_changes,
    local_matters_save_batch,
)

__all__ = [
    "CopyPlan",
    "checklist_copy_channel",
    "checklist_renumber",
    "local_matter_apply_snapshot",
    "local_matter_bind",
    "local_matter_copy_plan",
    "local_matter_copy_to_regions",
    "local_matter_errors",
    "local_matter_save",
    "local_matter_stale_changes",
    "local_matter_save_slots",
    "local_matter_set_tags",
    "local_matter_unbind",
    "local_matters_save_batch",
    "sms_template_errors",
]
