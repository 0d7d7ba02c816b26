"""Configuration-centre admin: one module per screen, registered on import."""

from .binding import BindableMatterAdmin, BindingCategoryAdmin
from .local_matter import LocalMatterAdmin
from .print_template import PrintTemplateAdmin
from .release import PublishPolicyAdmin, ReleaseAdmin
from .tag import TagAdmin

__all__ = [
    "BindableMatterAdmin",
    "BindingCategoryAdmin",
    "LocalMatterAdmin",
    "PrintTemplateAdmin",
    "PublishPolicyAdmin",
    "ReleaseAdmin",
    "TagAdmin",
]
