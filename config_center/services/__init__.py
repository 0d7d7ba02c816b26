"""Writes of the configuration centre, one module per concern, re-exported here."""

from .bindings import local_matter_bind, local_matter_save_slots, local_matter_unbind
from .checklists import checklist_copy_channel
from .copying import CopyPlan, local_matter_copy_plan, local_matter_copy_to_regions
from .reference import reference_data_load_all, theme_configure

__all__ = [
    "CopyPlan",
    "checklist_copy_channel",
    "local_matter_bind",
    "local_matter_copy_plan",
    "local_matter_copy_to_regions",
    "local_matter_save_slots",
    "local_matter_unbind",
    "reference_data_load_all",
    "theme_configure",
]
