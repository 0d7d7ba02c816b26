"""The configuration centre's contributions are declared by each of its subpackages; importing them here
registers them (``core.registry.discover`` imports this module)."""

from .audit import contributions as audit_contributions  # noqa: F401
from .drafts import contributions as drafts_contributions  # noqa: F401
from .releases import contributions as releases_contributions  # noqa: F401
from .runtime import contributions as runtime_contributions  # noqa: F401
from .workbook import contributions as workbook_contributions  # noqa: F401
