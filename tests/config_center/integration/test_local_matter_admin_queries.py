"""The configuration-centre admin pages run a number of queries that does not grow with the data.

Each test warms the page up once (the theme row, the session and the content-type cache are filled on
a first request), measures it on a small configuration, grows the configuration, and measures again.
On a mismatch the message lists the statements that repeat, which points at the N+1.
"""

from collections import Counter

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import MatterCategory, Region
from config_center.drafts.models import ChecklistItem, ChecklistKind, LocalMatter
from tests.factories import catalog as make
from tests.factories.config import province_configuration

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:config_center_localmatter_changelist"
ZHONGSHAN = "442000"


def _captured(client, url: str, params: dict | None = None) -> tuple[int, list[str], HttpResponse]:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, params or {})
    assert response.status_code == 200, url
    return len(context.captured_queries), [q["sql"] for q in context.captured_queries], response


def _repeats(statements: list[str]) -> str:
    counts = Counter(statements)
    repeated = [f"{n}× {sql[:300]}" for sql, n in counts.most_common() if n > 1]
    return "\n".join(repeated) or "(no statement repeats)"


def _assert_same(small: tuple, large: tuple, what: str) -> None:
    assert large[0] == small[0], (
        f"{what}: {small[0]} queries before growing, {large[0]} after.\n"
        f"Repeated statements after growing:\n{_repeats(large[1])}"
    )


@pytest.mark.parametrize("query", ["", "q=基准", "city", "is_active__exact=1"], ids=lambda q: q or "plain")
def test_local_matter_changelist_queries_do_not_grow(admin_client, reference_data, query):
    url = reverse(CHANGELIST)
    province_configuration(cities=2, matters=5, materials_per_list=2)
    first_city = Region.objects.filter(level=Region.Level.CITY).order_by("code").first()
    params = dict([query.split("=")]) if "=" in query else {}
    if query == "city":
        params = {"region__id__exact": first_city.pk}
    admin_client.get(url, params)  # warm-up
    small = _captured(admin_client, url, params)

    province_configuration(cities=4, matters=40, materials_per_list=8)
    assert LocalMatter.objects.count() == 2 * 5 + 4 * 40
    large = _captured(admin_client, url, params)
    assert large[2].context["cl"].result_count > small[2].context["cl"].result_count
    _assert_same(small, large, f"LocalMatter changelist ?{query}")


def _change_url(pk: int) -> str:
    return reverse("admin:config_center_localmatter_change", args=[pk])


def _total_forms(response) -> dict[str, int]:
    """{'柜台主材料': rows shown, …} from the inline formsets of a change page."""
    return {
        f"{inline.opts.channel.name}{ChecklistKind(inline.opts.kind).label}": inline.formset.total_form_count()
        for inline in response.context["inline_admin_formsets"]
    }


def test_local_matter_change_page_queries_do_not_grow_with_list_length(admin_client, reference_data):
    short = province_configuration(cities=1, matters=1, materials_per_list=1)
    long = province_configuration(cities=1, matters=1, materials_per_list=8)
    main = ChecklistItem.objects.filter(kind=ChecklistKind.MAIN)
    assert main.filter(local_matter_id=short.sample_local_matter_pk).count() == short.channels
    assert main.filter(local_matter_id=long.sample_local_matter_pk).count() == 8 * long.channels == 48

    admin_client.get(_change_url(short.sample_local_matter_pk))  # warm-up
    small = _captured(admin_client, _change_url(short.sample_local_matter_pk))
    large = _captured(admin_client, _change_url(long.sample_local_matter_pk))
    _assert_same(small, large, "LocalMatter change page, 1 vs 8 materials per list")
    # Not vacuous: both pages render their saved rows (an empty inline queryset would also be constant).
    assert _total_forms(small[2])["柜台主材料"] == 1 and _total_forms(large[2])["柜台主材料"] == 8

    page = large[2].content.decode()
    for title in ("柜台材料", "网厅材料", "职业伤害材料", "属性配置", "短信配置", "打印事项模板配置"):
        assert title in page
    assert len(large[2].context["inline_admin_formsets"]) == 3 * long.channels


def test_local_matter_change_page_shows_the_saved_list_rows(admin_client, reference_data):
    config = province_configuration(cities=1, matters=1, materials_per_list=8)
    response = admin_client.get(_change_url(config.sample_local_matter_pk))
    assert response.status_code == 200
    shown = _total_forms(response)
    assert shown["柜台主材料"] == 8 and shown["网厅主材料"] == 8
    assert shown["柜台辅助材料"] == 2 and shown["柜台申请事项材料"] == 1
    assert "基准材料" in response.content.decode()  # labels of the selected materials


def test_local_matter_change_page_queries_do_not_grow_with_the_province(admin_client, reference_data):
    config = province_configuration(cities=1, matters=1, materials_per_list=8)
    url = _change_url(config.sample_local_matter_pk)
    admin_client.get(url)  # warm-up
    small = _captured(admin_client, url)
    province_configuration(cities=3, matters=20, materials_per_list=8)
    large = _captured(admin_client, url)
    _assert_same(small, large, "LocalMatter change page, other local matters added")


def test_bindable_matter_list_queries_do_not_grow(admin_client, reference_data):
    url = reverse("admin:config_center_bindablematter_changelist")
    params = {"city": ZHONGSHAN}
    province_configuration(
        region_codes=[ZHONGSHAN], matters=10, channels=1, materials_per_list=1, slots=False
    )
    admin_client.get(url, params)  # warm-up
    small = _captured(admin_client, url, params)

    province_configuration(
        region_codes=[ZHONGSHAN], matters=190, channels=1, materials_per_list=1, slots=False
    )
    make.matters(50)  # unbound matters too
    large = _captured(admin_client, url, params)
    small_page = small[2].content.decode()
    assert "已绑定" in small_page and "未绑定" in small_page  # 10 bound, the 21 reference matters not
    assert large[2].context["cl"].result_count == 10 + 190 + 21 + 50
    _assert_same(small, large, "BindableMatter list ?city=442000")


@pytest.mark.parametrize("params", [{}, {"q": "工伤"}], ids=["plain", "search"])
def test_binding_category_list_queries_do_not_grow(admin_client, reference_data, params):
    url = reverse("admin:config_center_bindingcategory_changelist")
    make.categories(5)
    admin_client.get(url, params)  # warm-up
    small = _captured(admin_client, url, params)

    make.categories(100, start=5)
    province_configuration(cities=1, matters=30, channels=1, materials_per_list=1, slots=False)
    assert MatterCategory.objects.count() > 100
    large = _captured(admin_client, url, params)
    _assert_same(small, large, f"BindingCategory list {params}")


def test_province_configuration_builds_a_small_province_without_reference_data():
    summary = province_configuration(cities=2, matters=3, channels=2, materials_per_list=4, material_pool=10)
    assert (summary.cities, summary.matters, summary.channels, summary.local_matters) == (2, 3, 2, 6)
    assert summary.checklist_items == ChecklistItem.objects.count() == 6 * (2 * 4 + 3)
    assert summary.sms_slots == summary.print_slots == 0  # no templates without the reference data
    assert LocalMatter.objects.filter(pk=summary.sample_local_matter_pk).exists()
    again = province_configuration(cities=2, matters=3, channels=2, materials_per_list=4, material_pool=10)
    assert again.local_matters == 6 and LocalMatter.objects.count() == 12
