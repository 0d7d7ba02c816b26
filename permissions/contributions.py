"""What permissions contributes: the reference roles, the history of roles, assignments and API clients, the
岗位分配 sheet."""

from core.registry import EMPTY_VALUE, registry

from .models import ApiClient, Assignment, Role
from .resources import AssignmentResource
from .services import roles_reference_data_load

registry.reference_data("roles", roles_reference_data_load, order=40)
registry.history(Role, search=("code", "name"), order=170)
registry.history(
    Assignment,
    search=("user__username", "role__code", "role__name", "agency__name", "region__name"),
    label=lambda v: (
        f"{v('user')} · {v('role')} · {v('agency') if v('agency') != EMPTY_VALUE else v('region')}"
    ),
    order=180,
)
registry.history(ApiClient, search=("name", "description", "token_prefix"), order=185)
registry.sheet(AssignmentResource, order=50)
