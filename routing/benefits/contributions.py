"""What the benefit standards contribute: the reference standards, their history on 变更记录, the compute API,
the 待遇项目 / 待遇标准 sheets, their admin screens and 待遇计算. Imported by ``routing.contributions``."""

from core.registry import EMPTY_VALUE, registry

from . import admin as _admin  # noqa: F401  (registers the admin screens)
from .api import router
from .models import Benefit, BenefitStandard
from .resources import BenefitResource, BenefitStandardResource
from .screens import SCREENS
from .services import benefit_reference_data_load

registry.reference_data("benefit_standards", benefit_reference_data_load, order=85)
registry.api_router(router, reads=True)  # open like the catalog reads (API_READS_REQUIRE_CLIENT closes them)
registry.history(Benefit, search=("code", "name", "basis"), order=190)
registry.history(
    BenefitStandard,
    search=("benefit__code", "benefit__name"),
    label=lambda v: (
        f"{v('benefit')} · {v('grade')}"
        + (f"（{v('valid_from')} 起）" if v("valid_from") != EMPTY_VALUE else "")
    ),
    label_joins=("benefit",),
    order=191,
)
registry.sheet(BenefitResource, order=60)
registry.sheet(BenefitStandardResource, order=61)
for screen in SCREENS:
    registry.admin_screen(screen)
