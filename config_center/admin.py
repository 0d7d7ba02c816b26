"""The configuration centre's model screens live with their job; importing them here registers them."""

from .drafts import admin as drafts_admin  # noqa: F401
from .releases import admin as releases_admin  # noqa: F401
