"""What routing contributes: the 催办 schedule and the route API."""

from core.registry import registry

from .api import router
from .services import reminder_schedule_ensure

registry.reference_data("reminder_schedule", reminder_schedule_ensure, order=81)
registry.api_router(router)
