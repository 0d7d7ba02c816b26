"""What joint applications contribute (imported by routing.contributions): their API router."""

from core.registry import registry

from .api import router

registry.api_router(router)
