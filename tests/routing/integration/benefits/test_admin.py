"""待遇项目 / 待遇标准 in the admin: province-wide staff change them (with history on 变更记录), city users read them,
the lists cost the same queries however many rows, and a period may not overlap another (issue 16)."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from permissions.models import Role
from routing.benefits.models import Benefit, BenefitStandard
from tests.factories.admin_post import change_page_post

from .conftest import role_user

pytestmark = pytest.mark.django_db

STANDARDS = "admin:routing_benefitstandard_changelist"
BENEFITS = "admin:routing_benefit_changelist"
TIMELINE = "admin:config_center_auditlog_changelist"


def _standard(code: str = "YCXSCBZJ", grade: int = 10) -> BenefitStandard:
    return BenefitStandard.objects.get(benefit__code=code, grade=grade)


def _change_url(standard: BenefitStandard) -> str:
    return reverse("admin:routing_benefitstandard_change", args=[standard.pk])


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(context.captured_queries)


def _more_rows(count: int, start: int) -> None:
    benefits = Benefit.objects.bulk_create(
        Benefit(code=f"TEST{n:04d}", name=f"测试待遇{n}", scope="guangdong", basis="测试")
        for n in range(start, start + count)
    )
    BenefitStandard.objects.bulk_create(
        BenefitStandard(
            benefit=benefit, grade=grade, months=Decimal(grade), valid_from=datetime.date(2020, 1, 1)
        )
        for benefit in benefits
        for grade in (9, 10)
    )


@pytest.mark.parametrize("url", [STANDARDS, BENEFITS])
def test_the_lists_cost_the_same_queries_for_ten_rows_and_for_hundreds(client, province_admin, url):
    client.force_login(province_admin)
    _more_rows(5, 0)
    client.get(reverse(url))  # warm-up: the theme row and the session are created on the first request
    small = _queries(client, reverse(url))
    _more_rows(300, 5)
    assert BenefitStandard.objects.count() > 600
    large = _queries(client, reverse(url))
    assert large == small, f"{small} queries with a few rows, {large} with hundreds"


def test_the_standards_list_shows_every_reference_row_readably(client, province_admin):
    client.force_login(province_admin)
    page = client.get(reverse(STANDARDS), {"benefit__id__exact": Benefit.objects.get(code="YCXSCBZJ").pk})
    html = page.content.decode()
    assert page.context["cl"].result_count == 10
    for text in ("一次性伤残补助金", "十级", "7 个月", "27 个月", "2011年1月1日"):
        assert text in html


def test_a_province_administrator_changes_a_standard_and_the_change_is_on_the_timeline(
    client, province_admin
):
    client.force_login(province_admin)
    standard = _standard()
    url = _change_url(standard)
    data = change_page_post(client.get(url))
    data["months"] = "7.5"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    standard.refresh_from_db()
    assert standard.months == Decimal("7.5")
    latest = standard.history.latest()
    assert (latest.history_type, latest.history_user, latest.months) == ("~", province_admin, Decimal("7.5"))
    # 省级业务督导 holds 审计查看: the change is on 变更记录, field by field.
    entries = client.get(reverse(TIMELINE), {"model": "routing.benefitstandard"}).context["page"].entries
    [entry] = [e for e in entries if e.action == "~" and e.object_id == standard.pk]
    assert entry.user == "gd_supervisor"
    assert entry.object_label.startswith("一次性伤残补助金 · 十级")
    assert {(c.label, c.old, c.new) for c in entry.changes} == {("月数", "7.00", "7.50")}


def test_the_computation_uses_the_edit_at_once(client, province_admin):
    client.force_login(province_admin)
    standard = _standard()
    data = change_page_post(client.get(_change_url(standard)))
    data["months"] = "8"
    client.post(_change_url(standard), data)
    answer = client.post(
        "/api/v1/benefits/compute",
        {"benefit": "YCXSCBZJ", "grade": 10, "monthly_wage": "3083.20"},
        content_type="application/json",
    ).json()
    assert (answer["months"], answer["amount"]) == ("8", "24665.60")


def test_an_overlapping_period_is_refused_on_the_form_and_nothing_is_saved(client, province_admin):
    client.force_login(province_admin)
    add = reverse("admin:routing_benefitstandard_add")
    benefit = Benefit.objects.get(code="YCXSCBZJ")
    before = BenefitStandard.history.count()
    data = {"benefit": benefit.pk, "grade": 10, "months": "8", "valid_from": "2027-01-01"}
    response = client.post(add, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["valid_from"] == [
        "十级伤残已有标准（2011-01-01 起执行），有效期不能重叠。"
    ]
    assert BenefitStandard.history.count() == before


def test_a_new_standard_follows_the_old_one_once_its_period_is_ended(client, province_admin):
    client.force_login(province_admin)
    old = _standard()
    data = change_page_post(client.get(_change_url(old)))
    data["valid_to"] = "2026-12-31"
    assert client.post(_change_url(old), data).status_code == 302
    add = reverse("admin:routing_benefitstandard_add")
    new = {"benefit": old.benefit_id, "grade": 10, "months": "8", "valid_from": "2027-01-01"}
    assert client.post(add, new).status_code == 302

    def months_on(day: str) -> str:
        body = {"benefit": "YCXSCBZJ", "grade": 10, "monthly_wage": "1000", "date": day}
        return client.post("/api/v1/benefits/compute", body, content_type="application/json").json()["months"]

    assert (months_on("2026-12-31"), months_on("2027-01-01")) == ("7", "8")


def test_an_end_before_the_start_is_refused(client, province_admin):
    client.force_login(province_admin)
    standard = _standard()
    data = change_page_post(client.get(_change_url(standard)))
    data["valid_to"] = "2010-12-31"
    response = client.post(_change_url(standard), data)
    assert response.context["adminform"].form.errors["valid_to"] == ["失效日期不能早于生效日期。"]


def test_a_city_administrator_reads_the_standards_but_cannot_change_add_delete_or_import(client, city_admin):
    client.force_login(city_admin)
    standard = _standard()
    before = (BenefitStandard.objects.count(), BenefitStandard.history.count(), standard.months)
    assert client.get(reverse(STANDARDS)).status_code == 200
    assert client.get(reverse(BENEFITS)).status_code == 200
    page = client.get(_change_url(standard))
    assert page.status_code == 200 and not page.context["has_change_permission"]  # read-only
    data = {"benefit": standard.benefit_id, "grade": 10, "months": "99", "valid_from": "2011-01-01"}
    assert client.post(_change_url(standard), data).status_code == 403
    assert client.post(reverse("admin:routing_benefitstandard_add"), data).status_code == 403
    delete = reverse("admin:routing_benefitstandard_delete", args=[standard.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:routing_benefitstandard_import")).status_code == 403
    standard.refresh_from_db()
    assert (BenefitStandard.objects.count(), BenefitStandard.history.count(), standard.months) == before


def test_the_change_permissions_count_only_when_held_for_the_whole_province(client, reference_data):
    """A role that holds them assigned at a city (not a reference role) still cannot change province data."""
    role = Role.objects.create(name="市级待遇维护", code="city_benefits", allow_agency=False)
    role.permissions.set(
        Permission.objects.filter(content_type__app_label="routing", codename__endswith="benefitstandard")
    )
    client.force_login(role_user("zs_benefits", "city_benefits", "442000"))
    standard = _standard()
    data = {"benefit": standard.benefit_id, "grade": 10, "months": "99", "valid_from": "2011-01-01"}
    assert client.get(reverse(STANDARDS)).status_code == 200
    assert client.post(_change_url(standard), data).status_code == 403
    standard.refresh_from_db()
    assert standard.months == Decimal("7")


@pytest.mark.parametrize("role", ["clerk", "first_reviewer", "second_reviewer", "auditor"])
def test_every_city_role_reads_the_standards(client, reference_data, role):
    client.force_login(role_user(f"u_{role}", role, "442000"))
    assert client.get(reverse(STANDARDS)).status_code == 200
    assert client.post(_change_url(_standard()), {}).status_code == 403
