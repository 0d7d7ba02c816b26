"""What joint applications contribute (imported by routing.contributions): their API router and their screen."""

from core.registry import registry

from .admin import SCREENS
from .api import router

registry.api_router(router)
for screen in SCREENS:
    registry.admin_screen(screen)
