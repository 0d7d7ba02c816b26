"""What the catalog contributes: its reference data, its history tables, its read API, its sheets."""

from core.registry import registry

from .api import router
from .models import Agency, Channel, Holiday, Material, Matter, MatterCategory, Region
from .resources import AgencyResource, HolidayResource, MaterialResource, MatterResource, RegionResource
from .services import reference_data_load

registry.reference_data("catalog", reference_data_load, order=10)
registry.api_router(router, reads=True)
registry.history(Holiday, search=("name",), order=95)
registry.history(Region, search=("code", "name"), order=100)
registry.history(Agency, search=("code", "name"), order=110)
registry.history(Channel, search=("code", "name"), order=120)
registry.history(MatterCategory, search=("code", "name"), order=130)
registry.history(Matter, search=("code", "name", "aliases"), order=140)
registry.history(Material, search=("code", "name"), order=150)
registry.sheet(RegionResource, order=0)
registry.sheet(HolidayResource, order=1)
registry.sheet(AgencyResource, order=2)
registry.sheet(MaterialResource, order=3)
registry.sheet(MatterResource, order=4)
