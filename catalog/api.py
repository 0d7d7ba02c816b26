"""Read API of the catalog: regions, agencies, channels, matters, materials."""

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from pydantic import create_model

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


class CatalogMaterialOut(Schema):
    code: str
    name: str
    description: str


def _page(queryset, page: Page) -> dict:
    return {"count": queryset.count(), "items": list(queryset[page.offset : page.offset + page.limit])}


def _paged(schema):
    """A page of ``schema`` under its own name in the OpenAPI document (``RegionPage`` …)."""
    return create_model(
        f"{schema.__name__.removesuffix('Out')}Page",
        __base__=Schema,
        count=(int, ...),
        items=(list[schema], ...),
    )


class ErrorOut(Schema):
    reason_code: str
    message: str


@router.get("/regions", response={200: _paged(RegionOut), 400: ErrorOut}, summary="行政区划")
def regions(request: HttpRequest, page: Query[Page]):
    reject_unknown_params(request, {"limit", "offset"})
    return _page(selectors.region_list(), page)


@router.get("/agencies", response={200: _paged(AgencyOut), 400: ErrorOut}, summary="经办机构")
def agencies(request: HttpRequest, page: Query[Page], region: str | None = None):
    reject_unknown_params(request, {"limit", "offset", "region"})
    return _page(selectors.agency_list(region_code=region), page)


@router.get("/channels", response={200: _paged(ChannelOut), 400: ErrorOut}, summary="办理渠道")
def channels(request: HttpRequest, page: Query[Page]):
    reject_unknown_params(request, {"limit", "offset"})
    return _page(selectors.channel_list(), page)


@router.get(
    "/matters", response={200: _paged(MatterOut), 400: ErrorOut}, summary="业务事项（按编码、名称或别名搜索）"
)
def matters(request: HttpRequest, page: Query[Page], q: str = "", province_wide: bool | None = None):
    reject_unknown_params(request, {"limit", "offset", "q", "province_wide"})
    return _page(selectors.matter_search(q=q.strip(), province_wide=province_wide), page)


@router.get(
    "/materials",
    response={200: _paged(CatalogMaterialOut), 400: ErrorOut},
    summary="材料（按编码或名称搜索）",
)
def materials(request: HttpRequest, page: Query[Page], q: str = ""):
    reject_unknown_params(request, {"limit", "offset", "q"})
    return _page(selectors.material_search(q=q.strip()), page)
