"""What routing contributes: the 催办 schedule, the route and case APIs, the case screens."""

from core.registry import registry

from .admin import cases, counter, jurisdiction, lifecycle, tasks, transfer
from .api import router
from .benefits import contributions as benefits  # noqa: F401  (the benefit standards: their own contributions)
from .case_api import router as case_router
from .idempotency.services import purge_schedule_ensure
from .joint import contributions as joint  # noqa: F401  (联办申请: their own contributions)
from .services import reminder_schedule_ensure
from .transfer_api import router as transfer_router

registry.reference_data("reminder_schedule", reminder_schedule_ensure, order=81)
registry.reference_data("idempotency_purge_schedule", purge_schedule_ensure, order=82)
registry.api_router(router, reads=True)
registry.api_router(case_router)
registry.api_router(transfer_router)
screens = (counter, transfer, tasks, cases, jurisdiction, lifecycle)
for screen in (screen for module in screens for screen in module.SCREENS):
    registry.admin_screen(screen)
