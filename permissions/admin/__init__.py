"""岗位权限管理 screens: roles, assignments, and users with their assignments."""

from .api_client import ApiClientAdmin
from .assignment import AssignmentAdmin
from .role import RoleAdmin
from .user import ConsoleUserAdmin

__all__ = ["ApiClientAdmin", "AssignmentAdmin", "ConsoleUserAdmin", "RoleAdmin"]
