"""Catalog admin: one module per admin class, registered on import."""

from .agency import AgencyAdmin
from .channel import ChannelAdmin
from .holiday import HolidayAdmin
from .material import MaterialAdmin
from .matter import MatterAdmin
from .matter_category import MatterCategoryAdmin
from .region import RegionAdmin

__all__ = [
    "AgencyAdmin",
    "ChannelAdmin",
    "HolidayAdmin",
    "MaterialAdmin",
    "MatterAdmin",
    "MatterCategoryAdmin",
    "RegionAdmin",
]
