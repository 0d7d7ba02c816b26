"""业务受理 through the test client (issue 14): 受理 with the engine's routing and the published checklist,
一次性告知, 补正 and 不予受理 — with every refusal and each object checked against the user's scope.
Scanning, files, documents and 归档: ``test_counter_scan_and_documents``."""

import re

import pytest
from django.urls import reverse

from routing import states
from routing.models import Case
from tests.factories.cases import (
    GS0101_MAIN,
    GUANGZHOU_AGENCY,
    ZHONGSHAN_AGENCY,
    accept,
    id_card,
    publish_demo,
    staff,
)

pytestmark = pytest.mark.django_db

COUNTER = "admin:routing_counter"


@pytest.fixture
def people(reference_data, superuser):
    publish_demo(superuser)
    return {
        "clerk": staff("zs_clerk", "clerk", agency=ZHONGSHAN_AGENCY),
        "gz_clerk": staff("gz_clerk", "clerk", agency=GUANGZHOU_AGENCY),
        "first": staff("zs_first", "first_reviewer", agency=ZHONGSHAN_AGENCY),
        "second": staff("zs_second", "second_reviewer", agency=ZHONGSHAN_AGENCY),
    }


def as_user(client, user):
    client.force_login(user)
    return client


def case_form(**overrides) -> dict:
    """What a 中山 clerk types for a 工伤医疗费 case of a person insured in 中山."""
    data = {
        "accepting_agency": ZHONGSHAN_AGENCY,
        "channel": "counter",
        "matter": "GS0101",
        "insured_agency": ZHONGSHAN_AGENCY,
        "injury_date": "2024-03-01",
        "applicant_name": "黄林",
        "id_type": "id_card",
        "id_number": id_card(),
        "phone": "13800000000",
        "contact": "杨某",
        "employer_code": "E442000001",
        "employer_name": "中山市名震龙牌小商品社",
    }
    data.update(overrides)
    return data


def route(client, **overrides):
    return client.post(reverse(COUNTER), {**case_form(**overrides), "route": "1"})


def shown_checklist(response) -> str:
    found = re.search(r'name="checklist" value="([^"]*)"', response.content.decode())
    return found.group(1) if found else ""


def accept_through_screen(client, materials, **overrides):
    """Step 1 (查询材料清单) then step 2 (受理) with ``materials`` ticked, as the clerk does (the checklist
    as step 1 showed it, or as a legitimate step 1 would have, when the overrides are refused there)."""
    checklist = shown_checklist(route(client, **overrides)) or shown_checklist(route(client))
    data = {**case_form(**overrides), "checklist": checklist, "materials": materials, "accept": "1"}
    return client.post(reverse(COUNTER), data)


def field_errors(response, name: str) -> list[str]:
    return list(response.context["form"].errors.get(name, []))


# ---- 受理 ---------------------------------------------------------------------------------------------


def test_the_counter_is_in_the_intake_group_for_those_who_accept(client, people):
    response = as_user(client, people["clerk"]).get(reverse("admin:menu_group", kwargs={"group": "intake"}))
    assert response.status_code == 200 and reverse(COUNTER) in response.content.decode()
    assert client.get(reverse(COUNTER)).status_code == 200
    assert as_user(client, people["first"]).get(reverse(COUNTER)).status_code == 403


def test_the_accepting_agency_choices_are_where_the_clerk_accepts(client, people):
    response = as_user(client, people["clerk"]).get(reverse(COUNTER))
    choices = [code for code, _label in response.context["form"].fields["accepting_agency"].choices]
    assert choices == [ZHONGSHAN_AGENCY]


def test_a_foreign_accepting_agency_posted_by_hand_is_refused(client, people):
    client = as_user(client, people["clerk"])
    response = accept_through_screen(client, GS0101_MAIN, accepting_agency=GUANGZHOU_AGENCY)
    assert response.status_code == 200
    assert field_errors(response, "accepting_agency") == [f"您没有在机构 {GUANGZHOU_AGENCY} 受理业务的权限。"]
    assert not Case.objects.exists()


def test_routing_shows_the_handling_agency_and_the_published_checklist(client, people):
    response = route(as_user(client, people["clerk"]))
    page = response.content.decode()
    assert response.context["routed"].handling_agency.code == ZHONGSHAN_AGENCY
    assert "本地受理" in page
    rows = response.context["rows"]
    assert [row["code"] for row in rows if row["required"]] == GS0101_MAIN
    assert {"CL022", "CL023", "CL026"} <= {row["code"] for row in rows if not row["required"]}
    for code in GS0101_MAIN:
        assert f'value="{code}" id="material-{code}"' in page
    assert shown_checklist(response) == ",".join(row["code"] for row in rows)
    assert not Case.objects.exists()  # routing writes nothing


def test_a_remote_case_goes_to_the_insured_city(client, people):
    response = route(as_user(client, people["gz_clerk"]), accepting_agency=GUANGZHOU_AGENCY)
    assert response.context["routed"].remote is True
    assert "异地受理（全省通办）" in response.content.decode()
    assert response.context["routed"].handling_agency.code == ZHONGSHAN_AGENCY


def test_a_remote_case_of_a_local_mode_matter_is_refused_with_the_engine_reason(client, people):
    # The demo binds GS0201 in 中山 in local mode: a 广州 counter cannot accept it for a 中山 insured person.
    response = route(as_user(client, people["gz_clerk"]), accepting_agency=GUANGZHOU_AGENCY, matter="GS0201")
    assert response.status_code == 200 and response.context["routed"] is None
    assert response.context["refusal"]["reason_code"] == "local_only"
    page = response.content.decode()
    assert "不能异地受理" in page and "local_only" in page and 'id="counter-accept"' not in page
    response = accept_through_screen(client, ["CL010"], accepting_agency=GUANGZHOU_AGENCY, matter="GS0201")
    assert response.context["refusal"]["reason_code"] == "local_only" and not Case.objects.exists()


def test_a_bad_id_number_is_shown_on_its_field_and_nothing_typed_is_lost(client, people):
    bad = id_card()[:-1] + ("0" if id_card()[-1] != "0" else "1")
    response = route(as_user(client, people["clerk"]), id_number=bad)
    assert field_errors(response, "id_number") == ["居民身份证号码校验位不正确，请核对"]
    page = response.content.decode()
    for typed in (bad, "黄林", "13800000000", "杨某", "E442000001", "中山市名震龙牌小商品社", "2024-03-01"):
        assert typed in page
    assert response.context["routed"] is None and not Case.objects.exists()


def test_a_service_refusal_lands_on_the_field_it_names(client, people):
    response = accept_through_screen(as_user(client, people["clerk"]), GS0101_MAIN, phone="12ab")
    assert field_errors(response, "phone") == ["联系电话应为 7 至 20 位数字。"]
    assert 'value="12ab"' in response.content.decode() and not Case.objects.exists()


def test_an_incomplete_case_is_told_every_missing_material_at_once(client, people):
    client = as_user(client, people["clerk"])
    response = accept_through_screen(client, ["CL009"])
    case = Case.objects.get()
    assert case.status == states.PENDING_CORRECTION
    assert response.url == reverse("admin:routing_case_correction_notice", args=[case.receipt_no])
    notice = client.get(response.url)
    assert notice.status_code == 200
    missing = re.search(r'<ol class="items" id="document-missing">(.*?)</ol>', notice.content.decode(), re.S)
    assert re.findall(r"（(CL\d+)）", missing.group(1)) == GS0101_MAIN[1:]
    assert "一次性告知" in notice.content.decode()
    assert client.get(reverse("admin:routing_case_receipt", args=[case.receipt_no])).status_code == 404


def test_a_complete_case_gets_its_receipt(client, people):
    client = as_user(client, people["clerk"])
    response = accept_through_screen(client, [*GS0101_MAIN, "CL022"])
    case = Case.objects.get()
    assert case.status == states.ACCEPTED and case.received_materials == sorted([*GS0101_MAIN, "CL022"])
    assert response.url == reverse("admin:routing_case_receipt", args=[case.receipt_no])
    page = client.get(response.url).content.decode()
    for shown in (case.receipt_no, case.serial_no, "工伤医疗费", "黄**", "中山市社会保险基金管理局"):
        assert shown in page
    assert id_card()[0] + "*" * 16 + id_card()[-1] in page and "黄林" not in page
    assert f"{case.deadline:%Y年}{case.deadline.month}月{case.deadline.day}日" in page
    assert "已收取材料（6 项）" in page and "亲属关系证明（CL022）" in page
    assert "验伪码" not in page  # the demo asks for it on the 业务办结单 only
    assert reverse("admin:routing_case_scan", args=[case.receipt_no]) in page
    assert 'src="/static/routing/print.js"' in page and "<script>" not in page


def test_a_full_data_holder_reads_the_name_unmasked(client, people, superuser):
    case = accept(people["clerk"])
    page = as_user(client, superuser).get(reverse("admin:routing_case_receipt", args=[case.receipt_no]))
    assert "黄林" in page.content.decode() and id_card() in page.content.decode()


def test_a_checklist_that_changed_since_it_was_shown_is_not_accepted(client, people):
    client = as_user(client, people["clerk"])
    checklist = shown_checklist(route(client))
    data = {**case_form(matter="GS0104"), "checklist": checklist, "materials": GS0101_MAIN[:3], "accept": "1"}
    response = client.post(reverse(COUNTER), data)
    assert "材料清单已随事项、机构或渠道变化" in response.content.decode()
    assert not Case.objects.exists()


def test_materials_outside_the_checklist_are_refused(client, people):
    client = as_user(client, people["clerk"])
    response = accept_through_screen(client, [*GS0101_MAIN, "CL999"])
    assert "CL999 不在本事项的材料清单中" in response.content.decode() and not Case.objects.exists()


def test_refusing_at_the_counter_needs_a_reason_and_prints_the_notice(client, people):
    client = as_user(client, people["clerk"])
    checklist = shown_checklist(route(client))
    data = {**case_form(), "checklist": checklist, "refuse": "1", "refuse_reason": ""}
    response = client.post(reverse(COUNTER), data)
    assert field_errors(response, "refuse_reason") == ["请填写不予受理的原因。"]
    assert not Case.objects.exists()
    response = client.post(reverse(COUNTER), {**data, "refuse_reason": "申请人非参保人员"})
    case = Case.objects.get()
    assert case.status == states.REFUSED and case.refusal_reason == "申请人非参保人员"
    assert response.url == reverse("admin:routing_case_refusal_notice", args=[case.receipt_no])
    page = client.get(response.url).content.decode()
    assert "不予受理通知单" in page and "申请人非参保人员" in page


def test_the_worklist_and_the_receipt_number_box_lead_to_the_next_step(client, people):
    waiting = accept(people["clerk"], received=["CL009"])
    accepted = accept(people["clerk"])
    client = as_user(client, people["clerk"])
    response = client.get(reverse(COUNTER))
    assert [case.receipt_no for case in response.context["worklist"]] == [
        accepted.receipt_no,
        waiting.receipt_no,
    ]
    opened = client.get(reverse(COUNTER), {"receipt": waiting.receipt_no})
    assert opened.url == reverse("admin:routing_case_correct", args=[waiting.receipt_no])
    opened = client.get(reverse(COUNTER), {"receipt": accepted.receipt_no})
    assert opened.url == reverse("admin:routing_case_scan", args=[accepted.receipt_no])
    foreign = client.get(reverse(COUNTER), {"receipt": "9" * 16}, follow=True)
    assert "没有受理回执号为 9999999999999999 的业务" in foreign.content.decode()


# ---- 补正 ---------------------------------------------------------------------------------------------


def test_correction_in_two_visits_ends_with_the_receipt(client, people):
    case = accept(people["clerk"], received=["CL009"])
    client = as_user(client, people["clerk"])
    url = reverse("admin:routing_case_correct", args=[case.receipt_no])
    page = client.get(url)
    assert [item["code"] for item in page.context["missing"]] == GS0101_MAIN[1:]
    response = client.post(url, {"correct": "1"})
    assert response.context["errors"] == ["请勾选本次收到的材料。"]
    response = client.post(url, {"correct": "1", "materials": ["CL001", "CL003"]})
    assert response.url == reverse("admin:routing_case_correction_notice", args=[case.receipt_no])
    notice = client.get(response.url).content.decode()
    assert "CL005" in notice and "CL006" in notice and "（CL001）" not in notice.split("document-missing")[1]
    response = client.post(url, {"correct": "1", "materials": ["CL005", "CL006"]})
    assert response.url == reverse("admin:routing_case_receipt", args=[case.receipt_no])
    assert Case.objects.get().status == states.ACCEPTED
    assert client.get(response.url).status_code == 200
    assert "无须补正" in client.get(url).content.decode()


def test_correction_refuses_codes_that_are_not_missing(client, people):
    case = accept(people["clerk"], received=["CL009"])
    url = reverse("admin:routing_case_correct", args=[case.receipt_no])
    response = as_user(client, people["clerk"]).post(url, {"correct": "1", "materials": ["CL009", "CL001"]})
    assert "CL009 不是本业务所缺的材料" in response.content.decode()
    assert Case.objects.get().received_materials == ["CL009"]


def test_refusing_a_case_waiting_for_correction_needs_a_reason(client, people):
    case = accept(people["clerk"], received=["CL009"])
    client = as_user(client, people["clerk"])
    url = reverse("admin:routing_case_correct", args=[case.receipt_no])
    response = client.post(url, {"refuse": "1", "refuse_reason": "  "})
    assert response.context["reason_form"].errors["refuse_reason"] == ["请填写不予受理的原因。"]
    assert Case.objects.get().status == states.PENDING_CORRECTION
    response = client.post(url, {"refuse": "1", "refuse_reason": "逾期未补正"})
    assert response.url == reverse("admin:routing_case_refusal_notice", args=[case.receipt_no])
    assert Case.objects.get().status == states.REFUSED
    assert "逾期未补正" in client.get(response.url).content.decode()


def test_a_foreign_clerk_cannot_reach_a_case_of_another_city(client, people):
    case = accept(people["clerk"], received=["CL009"])
    client = as_user(client, people["gz_clerk"])
    for name in (
        "routing_case_correct",
        "routing_case_scan",
        "routing_case_supplement",
        "routing_case_correction_notice",
    ):
        assert client.get(reverse(f"admin:{name}", args=[case.receipt_no])).status_code == 404, name
    accepted = accept(people["clerk"])
    assert client.get(reverse("admin:routing_case_receipt", args=[accepted.receipt_no])).status_code == 404
    response = client.post(
        reverse("admin:routing_case_correct", args=[case.receipt_no]),
        {"correct": "1", "materials": GS0101_MAIN},
    )
    assert response.status_code == 404 and Case.objects.get(pk=case.pk).status == states.PENDING_CORRECTION


def test_the_counter_page_costs_the_same_queries_whatever_the_worklist(client, people):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = as_user(client, people["clerk"])
    client.get(reverse(COUNTER))  # the first request of a session fills caches (content types)
    counts = []
    for _round in range(2):
        accept(people["clerk"], received=["CL009"])
        accept(people["clerk"])
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse(COUNTER))
        counts.append((len(response.context["worklist"]), len(queries)))
    assert counts[0][0] == 2 and counts[1][0] == 4
    assert counts[0][1] == counts[1][1], counts
