"""The optional read replica (DATABASE_REPLICA_URL): the 业务状态查询 listing and export and the 变更记录 export
read from the ``replica`` alias; writes, and every other read, stay on ``default``.

The test settings give a second alias mirroring the test database (``TEST: {"MIRROR": "default"}``), so the
rows are the same and only the connection differs; the data is committed (transaction=True) so that the
replica's own connection sees it.
"""

from io import BytesIO

import openpyxl
import pytest
from django.db import connections, router
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.replica import REPLICA, ReplicaRouter, replica_reads
from routing.models import Case
from tests.factories.cases import GUANGZHOU_AGENCY, ZHONGSHAN_AGENCY, accept, publish_demo, staff

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", REPLICA])


@pytest.fixture
def replica_router(settings):
    settings.DATABASE_ROUTERS = ["core.replica.ReplicaRouter"]


@pytest.fixture
def cases(reference_data, superuser):
    publish_demo(superuser)
    clerk = staff("zs_clerk", "clerk", agency=ZHONGSHAN_AGENCY)
    for _ in range(3):
        accept(clerk)
    gz_clerk = staff("gz_clerk", "clerk", agency=GUANGZHOU_AGENCY)
    accept(
        gz_clerk, accepting_agency=GUANGZHOU_AGENCY, insured_agency=GUANGZHOU_AGENCY
    )  # not in 中山's scope
    return clerk


def _case_queries(captured) -> list[str]:
    return [q["sql"] for q in captured if '"routing_case"' in q["sql"]]


def _both(client, url, params=None):
    with CaptureQueriesContext(connections["default"]) as default:
        with CaptureQueriesContext(connections[REPLICA]) as replica:
            response = client.get(url, params or {})
    return response, default, replica


def test_reads_inside_the_block_go_to_the_replica_and_writes_never(replica_router, cases):
    assert Case.objects.all().db == "default"
    with replica_reads():
        assert Case.objects.all().db == REPLICA
        assert router.db_for_write(Case) == "default"
        case = Case.objects.order_by("id").first()
    assert case._state.db == REPLICA
    case.employer_name = "改名后的单位"
    with CaptureQueriesContext(connections["default"]) as default:
        with CaptureQueriesContext(connections[REPLICA]) as replica:
            case.save(update_fields=["employer_name"])
    assert any(q["sql"].startswith("UPDATE") for q in default)  # saved on the primary
    assert not replica.captured_queries
    assert Case.objects.get(pk=case.pk).employer_name == "改名后的单位"


def test_without_the_router_the_block_changes_nothing(cases):
    # No DATABASE_REPLICA_URL: no router is installed, and replica_reads() leaves every read on default.
    with replica_reads():
        assert Case.objects.all().db == "default"


def test_the_router_never_migrates_the_replica():
    assert ReplicaRouter().allow_migrate(REPLICA, "routing") is False
    assert ReplicaRouter().allow_migrate("default", "routing") is None


def test_case_listing_reads_the_cases_from_the_replica(client, replica_router, cases):
    client.force_login(cases)
    response, default, replica = _both(client, reverse("admin:routing_cases"))
    assert response.status_code == 200
    assert len(response.context["rows"]) == 3
    assert _case_queries(replica)  # the count and the page
    assert _case_queries(default) == []
    # The session and the user are read before the view, on default (they may just have been written).
    assert any('"django_session"' in q["sql"] for q in default)


def test_case_export_reads_from_the_replica(client, replica_router, cases):
    client.force_login(cases)
    response, default, replica = _both(client, reverse("admin:routing_cases_export"))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(BytesIO(b"".join(response.streaming_content))).worksheets[0]
    assert sheet.max_row == 1 + 3
    assert _case_queries(replica)
    assert _case_queries(default) == []


def test_audit_export_reads_the_history_from_the_replica(admin_client, replica_router, reference_data):
    response, default, replica = _both(admin_client, reverse("admin:config_center_auditlog_export"))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(BytesIO(response.content)).worksheets[0]
    assert sheet.max_row > 1  # loading the reference data left history rows
    assert any("_historical" in q["sql"] for q in replica)  # simple-history's tables
    assert not any("_historical" in q["sql"] for q in default)


def test_detail_pages_stay_on_default(client, replica_router, cases):
    # 详情 follows a user's own action (accept, scan, transfer): it must show what was just written.
    client.force_login(cases)
    case = Case.objects.order_by("id").first()
    response, default, replica = _both(client, reverse("admin:routing_case_detail", args=[case.receipt_no]))
    assert response.status_code == 200
    assert _case_queries(default)
    assert replica.captured_queries == []
