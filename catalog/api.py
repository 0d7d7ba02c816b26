"""Read API of the catalog: regions, agencies, channels, matters, materials."""

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from core.api import reject_unknown_params

from . import selectors

router = Router(tags=["目录"])

MAX_PAGE = 500
MAX_OFFSET = 1_000_000  # more rows than the catalog will ever hold; a database cannot take any integer


class Page(Schema):
    limit: int = Field(100, ge=1, le=MAX_PAGE, description="每页条数（1–500）")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="偏移量（0–1,000,000）")


class RegionOut(Schema):
    code: str
    name: str
    level: str
    parent: str | None = Field(None, alias="parent.code")


class AgencyOut(Schema):
    code: str
    name: str
    kind: str
    region: str = Field(..., alias="region.code")
    parent: str | None = Field(None, alias="parent.code")


class ChannelOut(Schema):
    code: str
    name: str


class MatterOut(Schema):
    code: str
    name: str
    aliases: str
    category: str = Field(..., alias="category.name")
    category_code: str = Field(..., alias="category.code")
    province_wide: bool
    joint_handling: bool
    default_time_limit_days: int
    is_active: bool


class MaterialOut(Schema):
    code: str
    name: str
    description: str


def _page(queryset, page: Page) -> dict:
    return {"count": queryset.count(), "items": list(queryset[page.offset : page.offset + page.limit])}


def _paged(schema):
    class Paged(Schema):
        count: int
        items: list[schema]

    Paged.__name__ = f"{schema.__name__}Page"
    return Paged


@router.get("/regions", response=_paged(RegionOut), summary="行政区划")
def regions(request: HttpRequest, page: Query[Page]):
    reject_unknown_params(request, {"limit", "offset"})
    return _page(selectors.region_list(), page)


@router.get("/agencies", response=_paged(AgencyOut), summary="经办机构")
def agencies(request: HttpRequest, page: Query[Page], region: str | None = None):
    reject_unknown_params(request, {"limit", "offset", "region"})
    return _page(selectors.agency_list(region_code=region), page)


@router.get("/channels", response=_paged(ChannelOut), summary="办理渠道")
def channels(request: HttpRequest, page: Query[Page]):
    reject_unknown_params(request, {"limit", "offset"})
    return _page(selectors.channel_list(), page)


@router.get("/matters", response=_paged(MatterOut), summary="业务事项（按编码、名称或别名搜索）")
def matters(request: HttpRequest, page: Query[Page], q: str = "", province_wide: bool | None = None):
    reject_unknown_params(request, {"limit", "offset", "q", "province_wide"})
    return _page(selectors.matter_search(q=q.strip(), province_wide=province_wide), page)


@router.get("/materials", response=_paged(MaterialOut), summary="材料（按编码或名称搜索）")
def materials(request: HttpRequest, page: Query[Page], q: str = ""):
    reject_unknown_params(request, {"limit", "offset", "q"})
    return _page(selectors.material_search(q=q.strip()), page)
