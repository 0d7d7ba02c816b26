"""The configuration centre's models, defined with their job (drafts, releases); Django finds them here.

Code imports a model from its own subpackage (``config_center.drafts.models``), never from this module.
"""

from .drafts.models import (  # noqa: F401
    BindableMatter,
    BindingCategory,
    ChecklistItem,
    LocalMatter,
    PrintSlot,
    PrintTemplate,
    SmsSlot,
    Tag,
)
from .releases.models import ConfigVersion, PublishPolicy, Release  # noqa: F401
from .runtime.models import ServingProcess  # noqa: F401
