"""业务受理 → 联办申请 through the test client: the union checklist with shared materials once, refusals naming the
matters, submission with one file serving several cases, the parent's page (cases, states, the dependency
picture, 补交材料) reached from 业务状态查询's 详情, scope, and query counts that do not grow with the cases."""

import re
import xml.etree.ElementTree as ET

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from routing import states
from routing.joint.models import JointApplication, JointMaterial
from routing.models import Case, CaseFile
from routing.services import Applicant
from tests.factories.cases import GUANGZHOU_AGENCY, ZHONGSHAN_AGENCY, id_card, staff
from tests.factories.joint import ASSESSMENT, DISABILITY, MEDICAL, RECOGNITION, publish_joint, submit

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def people(reference_data, superuser):
    publish_joint(superuser)
    return {
        "clerk": staff("zs_clerk", "clerk", agency=ZHONGSHAN_AGENCY),
        "first": staff("zs_first", "first_reviewer", agency=ZHONGSHAN_AGENCY),
        "gz_clerk": staff("gz_clerk", "clerk", agency=GUANGZHOU_AGENCY),
    }


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form(matters, **extra) -> dict:
    data = {
        "matters": matters,
        "accepting_agency": ZHONGSHAN_AGENCY,
        "channel": "counter",
        "insured_agency": ZHONGSHAN_AGENCY,
        "injury_date": "2024-07-11",
        "applicant_name": "罗明",
        "id_type": "id_card",
        "id_number": id_card("33078419850101123"),
        "phone": "13900000000",
        "contact": "",
        "employer_code": "",
        "employer_name": "",
    }
    data.update(extra)
    return data


URL = "/admin/routing/joint/"
CHAIN = [RECOGNITION, ASSESSMENT, DISABILITY]


def _text(response) -> str:
    return response.content.decode()


def test_the_screen_is_in_the_intake_menu_for_clerks(people):
    response = as_user(people["clerk"]).get(reverse("admin:menu_group", kwargs={"group": "intake"}))
    assert "联办申请" in _text(response)
    page = as_user(people["clerk"]).get(URL)
    assert page.status_code == 200
    # Only the 15 joint-handling matters are offered.
    offered = re.findall(r'name="matters" value="(\w+)"', _text(page))
    assert len(offered) == 15 and "GS0102" not in offered
    assert as_user(people["first"]).get(URL).status_code == 403


def test_the_union_checklist_lists_shared_materials_once_and_the_decisions_as_internal(people):
    response = as_user(people["clerk"]).post(URL, form(CHAIN, prepare="1"))
    text = _text(response)
    assert text.count('id="joint-row-CL001"') == 1 and "共用，只需一份" in text
    assert 'id="material-CL003"' not in text and "由前置事项办结后内部流转" in text
    assert "办理顺序" in text and "GS0301 → GS0302 → GS0106" in text
    assert not Case.objects.exists()


def test_a_refused_choice_lists_each_problem_naming_the_matters(people):
    response = as_user(people["clerk"]).post(URL, form([DISABILITY, "GS0109"], prepare="1"))
    text = _text(response)
    assert 'id="joint-refusal"' in text
    assert "伤残待遇核定（GS0106）与一次性工亡补助金（GS0109）不能在同一次联办申请中同时申请" in text
    assert "须先办结工伤认定申请（GS0301）、劳动能力鉴定申请（GS0302）" in text
    assert not JointApplication.objects.exists()


def test_submitting_creates_the_cases_and_one_file_serves_every_case_needing_it(people):
    client = as_user(people["clerk"])
    shown = client.post(URL, form(CHAIN, prepare="1"))
    checklist = re.search(r'name="checklist" value="([^"]*)"', _text(shown)).group(1)
    data = form(
        CHAIN,
        submit="1",
        checklist=checklist,
        materials=["CL001", "CL017", "CL007", "CL006"],  # no 银行账户资料
    )
    data["file-CL001"] = SimpleUploadedFile("身份证.pdf", PDF, content_type="application/pdf")
    response = client.post(URL, data)
    application = JointApplication.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:routing_joint_detail", args=[application.number])
    assert JointMaterial.objects.filter(application=application).count() == 4
    files = CaseFile.objects.filter(material__code="CL001")
    assert files.count() == 3 and len({f.file.name for f in files}) == 1
    page = _text(client.get(response["Location"]))
    assert "银行账户资料（CL008），用于：伤残待遇核定" in page
    assert "材料不全" in page  # the warning message


def test_a_changed_choice_must_be_checked_again_before_submitting(people):
    client = as_user(people["clerk"])
    response = client.post(URL, form(CHAIN, submit="1", checklist="CL001", materials=["CL001"]))
    assert "材料清单已随事项、机构或渠道变化" in _text(response)
    assert not JointApplication.objects.exists()


def test_the_parents_page_shows_the_cases_their_states_and_the_dependency_picture(people):
    application = submit(people["clerk"])
    response = as_user(people["clerk"]).get(reverse("admin:routing_joint_detail", args=[application.number]))
    text = _text(response)
    svg = re.search(r'<svg[^>]*class="joint-graph".*?</svg>', text, re.S).group(0)
    root = ET.fromstring(svg)
    states_drawn = {
        g.get("data-matter"): g.get("data-status") for g in root.iter("{http://www.w3.org/2000/svg}g")
    }
    assert states_drawn == {RECOGNITION: "scanned", ASSESSMENT: "waiting", DISABILITY: "waiting"}
    edges = [
        p for p in root.iter("{http://www.w3.org/2000/svg}path") if "joint-edge" in (p.get("class") or "")
    ]
    assert len(edges) == 3
    for case in Case.objects.all():
        assert reverse("admin:routing_case_detail", args=[case.receipt_no]) in text
    assert "待前置" in text and "联办办结期限" in text and "办理中" in text
    assert "罗**" in text  # masked without 查看完整个人信息


def test_materials_delivered_on_the_parents_page_resume_the_suspended_case(people):
    application = submit(people["clerk"], materials=["CL001", "CL017", "CL006", "CL008"])  # no 诊断证明
    url = reverse("admin:routing_joint_detail", args=[application.number])
    client = as_user(people["clerk"])
    assert 'id="joint-deliver"' in _text(client.get(url))
    response = client.post(url, {"materials": ["CL007"]})
    assert response.status_code == 302
    recognition = Case.objects.get(matter__code=RECOGNITION)
    assert recognition.status == states.SCANNED
    assert 'id="joint-deliver"' not in _text(client.get(url))  # nothing missing any more


def test_the_case_detail_of_the_status_query_links_to_its_joint_application(people):
    application = submit(people["clerk"])
    case = Case.objects.get(matter__code=ASSESSMENT)
    text = _text(as_user(people["clerk"]).get(reverse("admin:routing_case_detail", args=[case.receipt_no])))
    assert f'href="{reverse("admin:routing_joint_detail", args=[application.number])}"' in text


def test_staff_of_another_city_do_not_find_the_application(people):
    application = submit(people["clerk"])
    url = reverse("admin:routing_joint_detail", args=[application.number])
    assert as_user(people["gz_clerk"]).get(url).status_code == 404
    assert as_user(people["first"]).get(url).status_code == 200  # a 中山 reviewer may look
    assert 'id="joint-deliver"' not in _text(as_user(people["first"]).get(url))  # nothing is missing


def _queries(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


def test_the_pages_cost_the_same_queries_for_two_cases_and_for_four(people):
    client = as_user(people["clerk"])
    small = submit(people["clerk"], matters=[RECOGNITION, ASSESSMENT], materials=["CL001", "CL017", "CL006"])
    large = submit(
        people["clerk"],
        matters=[*CHAIN, MEDICAL],
        applicant=Applicant(name="王五", id_number=id_card("44200019880202123"), phone="13700000000"),
        materials=["CL001", "CL017", "CL006", "CL008", "CL009", "CL005"],  # CL007 missing
    )
    detail = reverse("admin:routing_joint_detail", args=[small.number])
    two = _queries(client, detail)
    four = _queries(client, reverse("admin:routing_joint_detail", args=[large.number]))
    assert two == four, (two, four)
    listing = _queries(client, URL)
    for _index in range(3):
        submit(
            people["clerk"],
            matters=[RECOGNITION],
            applicant=Applicant(
                name="赵六", id_number=id_card(f"4420001990030{_index + 1}123"), phone="13600000000"
            ),
        )
    assert _queries(client, URL) == listing
