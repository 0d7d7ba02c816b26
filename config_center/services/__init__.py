"""Writes of the configuration centre, one module per concern, re-exported here."""

from .bindings import local_matter_bind, local_matter_save_slots, local_matter_unbind
from .checklists import checklist_copy_channel, checklist_renumber
from .copying import CopyPlan, local_matter_copy_plan, local_matter_copy_to_regions
from .reference import reference_data_load_all, theme_configure
from .releases import PublishRefused, PublishResult, release_publish, release_rollback

__all__ = [
    "PublishRefused",
    "PublishResult",
    "release_publish",
    "release_rollback",
    "CopyPlan",
    "checklist_copy_channel",
    "checklist_renumber",
    "local_matter_bind",
    "local_matter_copy_plan",
    "local_matter_copy_to_regions",
    "local_matter_save_slots",
    "local_matter_unbind",
    "reference_data_load_all",
    "theme_configure",
]
