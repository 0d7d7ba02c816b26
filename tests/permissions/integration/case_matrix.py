"""The case actions of the permission matrix (issue 14): 受理, 影像扫描, 补扫 (高级扫描), 获取 / 完成 / 退回 a review
task, one case (业务状态查询) and the export — each on a case of the user's own city (中山) and of another (广州),
through the real API and admin URLs. ``test_permission_matrix`` runs them; the expectations live there."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from catalog.models import Agency, Region
from permissions.models import Role
from permissions.services import assignment_create
from routing import states
from routing.models import Case, CaseEvent, CaseFile, Task
from routing.services import case_scan, task_acquire, task_complete
from routing.services.jurisdiction import case_escalate, case_push
from sms_templates.models import SmsMessage
from tests.factories.cases import GS0101_MAIN, accept, id_card, publish_demo, staff

OWN, FOREIGN = "442000", "440100"
AGENCY = {OWN: "442099", FOREIGN: "440199"}
CASE_ACTIONS = [
    "accept",
    "scan",
    "advanced_scan",
    "acquire_first",
    "acquire_second",
    "complete",
    "release",
    "query",
    "export",
    "push",
    "escalate",
    "decide",
]
# No reference role holds 高级扫描; a role made for the matrix holds it (with 业务状态查询) at 中山's agency.
SCAN_LEAD = "scan_lead"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class CaseWorld:
    users: dict  # role code -> user (scoped as ROLE_SCOPE says; the scan lead at 中山's agency)
    colleagues: dict  # (level, city) -> a reviewer of that city's agency
    cases: dict  # (kind, city) -> receipt number; kinds: accepted, first_pool, second_pool, pushed, escalated


def case_world(role_scope: dict) -> CaseWorld:
    """The demo configuration published in both cities, a user per role, and in each city a case 已受理, one
    in the 初审 pool and one in the 复审 pool (first-reviewed by a colleague), all accepted by a superuser."""
    from config_center.project.reference import reference_data_load_all

    reference_data_load_all()
    User = get_user_model()
    root = User.objects.create_superuser("root", "", "pw")
    publish_demo(root)
    lead = Role.objects.create(name="高级扫描（矩阵测试）", code=SCAN_LEAD, allow_agency=True)
    lead.permissions.add(
        Permission.objects.get(content_type__app_label="permissions", codename="advanced_scan"),
        Permission.objects.get(content_type__app_label="routing", codename="query_case"),
    )
    users = {}
    for role in Role.objects.all():
        user = User.objects.create_user(f"u_{role.code}", password="pw", is_staff=True)
        where = role_scope.get(role.code, {"agency": AGENCY[OWN]})
        if "agency" in where:
            assignment_create(user=user, role=role, agency=Agency.objects.get(code=where["agency"]))
        else:
            assignment_create(user=user, role=role, region=Region.objects.get(code=where["region"]))
        users[role.code] = user
    colleagues = {}
    cases = {}
    for city, agency in AGENCY.items():
        colleagues[(1, city)] = staff(f"first_{city}", "first_reviewer", agency=agency)
        colleagues[(2, city)] = staff(f"second_{city}", "second_reviewer", agency=agency)
        here = {"accepting_agency": agency, "insured_agency": agency}
        cases[("accepted", city)] = accept(root, **here).receipt_no
        for kind in ("first_pool", "second_pool"):
            receipt_no = accept(root, **here).receipt_no
            case_scan(receipt_no=receipt_no, user=root, defer=True)
            cases[(kind, city)] = receipt_no
        task = task_acquire(user=colleagues[(1, city)], level=1, receipt_no=cases[("second_pool", city)])
        task_complete(user=colleagues[(1, city)], task_id=task.pk, outcome="pass", opinion="同意")
    # 疑难案件: in each city a case pushed there by the other city's reviewer (to be escalated), and one
    # already escalated to the common superior (the provincial agency), waiting for its decision.
    for city, agency in AGENCY.items():
        other = FOREIGN if city == OWN else OWN
        here = {"accepting_agency": AGENCY[other], "insured_agency": AGENCY[other]}
        for kind in ("pushed", "escalated"):
            receipt_no = accept(root, **here).receipt_no
            case_scan(receipt_no=receipt_no, user=root, defer=True)
            case_push(
                user=colleagues[(1, other)], receipt_no=receipt_no, target_agency=agency, reason="属地管辖"
            )
            cases[(kind, city)] = receipt_no
        case_escalate(user=colleagues[(1, city)], receipt_no=cases[("escalated", city)], reason="管辖有争议")
    return CaseWorld(users, colleagues, cases)


def case_fingerprint() -> tuple:
    return (
        Case.objects.count(),
        CaseEvent.objects.count(),
        CaseFile.objects.count(),
        SmsMessage.objects.count(),
        tuple(Task.objects.order_by("pk").values_list("status", "assignee_id")),
    )


def _review_level(role: str) -> int:
    return 2 if role == "second_reviewer" else 1


def prepare(world: CaseWorld, role: str, action: str, city: str) -> int | None:
    """Before completing or releasing: the task of the role's level in ``city``, taken by the user if they
    may take it, else by a colleague of that city (then it is someone else's task)."""
    if action not in ("complete", "release"):
        return None
    level = _review_level(role)
    receipt_no = world.cases[("second_pool" if level == 2 else "first_pool", city)]
    task = task_acquire(user=world.users[role], level=level, receipt_no=receipt_no)
    if task is None:
        task = task_acquire(user=world.colleagues[(level, city)], level=level, receipt_no=receipt_no)
    return task.pk


def _json(client: Client, url: str, data: dict | None = None):
    return client.post(url, data or {}, content_type="application/json")


def attempt(world: CaseWorld, client: Client, action: str, city: str, task_id: int | None) -> bool:
    """Perform one case action as the logged-in user; True if it took effect (or was shown)."""
    cases = world.cases
    if action == "accept":
        body = {
            "matter": "GS0101",
            "channel": "counter",
            "accepting_agency": AGENCY[city],
            "insured_agency": AGENCY[city],
            "injury_date": "2024-03-01",
            "applicant": {"name": "黄林", "id_number": id_card(), "phone": "13800000000"},
            "employer": {"code": "E1", "name": "某某厂"},
            "materials": GS0101_MAIN,
        }
        return _json(client, "/api/v1/cases", body).status_code == 201
    if action == "scan":
        receipt_no = cases[("accepted", city)]
        client.post(reverse("admin:routing_case_scan", args=[receipt_no]), {"defer": "1"})
        return Case.objects.get(receipt_no=receipt_no).status == states.SCANNED
    if action == "advanced_scan":
        receipt_no = cases[("first_pool", city)]
        upload = SimpleUploadedFile("补扫.pdf", PDF, content_type="application/pdf")
        client.post(reverse("admin:routing_case_supplement", args=[receipt_no]), {"files": [upload]})
        return CaseFile.objects.filter(case__receipt_no=receipt_no, supplementary=True).exists()
    if action in ("acquire_first", "acquire_second"):
        level, kind = ("first", "first_pool") if action == "acquire_first" else ("second", "second_pool")
        body = {"level": level, "mode": "assigned", "receipt_no": cases[(kind, city)]}
        return _json(client, "/api/v1/tasks/acquire", body).status_code == 200
    if action == "complete":
        response = _json(client, f"/api/v1/tasks/{task_id}/complete", {"outcome": "pass", "opinion": "同意"})
        return response.status_code == 200
    if action == "release":
        return _json(client, f"/api/v1/tasks/{task_id}/release").status_code == 200
    if action == "query":
        return client.get(f"/api/v1/cases/{cases[('first_pool', city)]}").status_code == 200
    if action == "export":
        receipt_no = cases[("first_pool", city)]
        response = client.get(reverse("admin:routing_cases_export"), {"receipt_no": receipt_no})
        if response.status_code != 200:
            return False
        sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).worksheets[0]
        return any(row and row[0] == receipt_no for row in sheet.iter_rows(values_only=True))
    if action == "push":
        # The handling agency (the city's own) sends a case of its 初审 pool to the other city's agency.
        receipt_no = cases[("first_pool", city)]
        target = AGENCY[FOREIGN if city == OWN else OWN]
        body = {"target_agency": target, "reason": "不属本机构管辖"}
        response = _json(client, f"/api/v1/cases/{receipt_no}/push", body)
        return (
            response.status_code == 200
            and Case.objects.get(receipt_no=receipt_no).handling_agency.code == target
        )
    if action == "escalate":
        receipt_no = cases[("pushed", city)]
        response = _json(client, f"/api/v1/cases/{receipt_no}/escalate", {"reason": "管辖有争议"})
        return (
            response.status_code == 200
            and Case.objects.get(receipt_no=receipt_no).escalated_to_id is not None
        )
    if action == "decide":
        receipt_no = cases[("escalated", city)]
        body = {"target_agency": AGENCY[city], "opinion": "由受移送机构办理"}
        response = _json(client, f"/api/v1/cases/{receipt_no}/decide", body)
        return response.status_code == 200 and Case.objects.get(receipt_no=receipt_no).jurisdiction_final
    raise AssertionError(action)
