"""What the runtime contributes: the checklist API."""

from core.registry import registry

from .api import router

registry.api_router(router, reads=True)
