"""Every catalog admin page renders for a superuser, with a query count independent of the row count."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import Agency, Channel, Material, Matter, MatterCategory, Region
from tests.factories import catalog as make

pytestmark = pytest.mark.django_db

BUILDERS = {
    Region: make.regions,
    Agency: make.agencies,
    Channel: make.channels,
    MatterCategory: make.categories,
    Matter: make.matters,
    Material: make.materials,
}


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(context.captured_queries)


@pytest.mark.parametrize("model", list(BUILDERS), ids=lambda model: model.__name__)
def test_changelist_queries_do_not_grow_with_rows(admin_client, model):
    url = reverse(f"admin:catalog_{model._meta.model_name}_changelist")
    BUILDERS[model](10)
    admin_client.get(url)  # warm-up: the theme row and the session are created on the first request
    small = _queries(admin_client, url)
    _bulk_more(model, 1000)
    large = _queries(admin_client, url)
    assert model.objects.count() >= 1000
    assert large == small, f"{model.__name__}: {small} queries with 10 rows, {large} with 1000"


def _bulk_more(model, count: int) -> None:
    BUILDERS[model](count, start=10)


@pytest.mark.parametrize("model", list(BUILDERS), ids=lambda model: model.__name__)
def test_change_add_and_history_pages_render_with_constant_queries(admin_client, model):
    BUILDERS[model](10)
    obj = model.objects.order_by("pk").last()
    change = reverse(f"admin:catalog_{model._meta.model_name}_change", args=[obj.pk])
    history = reverse(f"admin:catalog_{model._meta.model_name}_history", args=[obj.pk])
    add = reverse(f"admin:catalog_{model._meta.model_name}_add")
    for url in (change, history, add):  # warm-up, as above
        admin_client.get(url)
    small = [_queries(admin_client, url) for url in (change, history, add)]
    _bulk_more(model, 1000)
    large = [_queries(admin_client, url) for url in (change, history, add)]
    assert large == small


def test_matter_changelist_searches_aliases(admin_client, reference_data):
    url = reverse("admin:catalog_matter_changelist")
    response = admin_client.get(url, {"q": "统筹地区以外交通食宿费"})
    assert response.status_code == 200
    assert "市外交通食宿费" in response.content.decode()


def test_admin_index_groups_models_under_the_da_ji_zhong_menu(admin_client):
    response = admin_client.get(reverse("admin:index"))
    page = response.content.decode()
    assert "系统管理" in page
    for label in ("行政区划", "经办机构", "办理渠道", "业务大类", "业务事项", "材料"):
        assert label in page


def test_menu_group_page_lists_its_models(admin_client):
    response = admin_client.get(reverse("admin:menu_group", kwargs={"group": "system"}))
    assert response.status_code == 200
    assert "业务事项" in response.content.decode()
    assert admin_client.get(reverse("admin:menu_group", kwargs={"group": "nope"})).status_code == 404
