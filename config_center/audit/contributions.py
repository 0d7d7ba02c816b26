"""What the audit contributes: the 变更记录 screen."""

from core.registry import registry

from .screens import AuditTimelineScreen

registry.admin_screen(AuditTimelineScreen)
