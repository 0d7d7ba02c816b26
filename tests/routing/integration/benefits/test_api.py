"""POST /api/v1/benefits/compute: the Yongkang example, every reason code, never a 500 (issue 16)."""

import json
from decimal import Decimal

import pytest
from django.utils import timezone

from core.loading import LoadReport
from routing.benefits.models import BenefitStandard
from routing.benefits.services import benefit_reference_data_load

pytestmark = pytest.mark.django_db

URL = "/api/v1/benefits/compute"


@pytest.fixture
def standards(db):
    """Only the reference benefit standards (the API reads nothing else)."""
    benefit_reference_data_load(LoadReport())


def _post(client, body, *, raw: bool = False):
    data = body if raw else json.dumps(body, ensure_ascii=False)
    response = client.post(URL, data, content_type="application/json")
    assert response.status_code < 500, response.content
    return response


def test_the_yongkang_example_tenth_grade_at_3083_20_is_21582_40(client, standards):
    response = _post(client, {"benefit": "一次性伤残补助金", "grade": 10, "monthly_wage": "3083.20"})
    assert response.status_code == 200
    body = response.json()
    assert body["amount"] == "21582.40"
    assert body["months"] == "7"
    assert body["grade"] == 10
    assert body["monthly_wage"] == "3083.20"
    assert body["benefit"] == {
        "code": "YCXSCBZJ",
        "name": "一次性伤残补助金",
        "basis": "《工伤保险条例》第三十五条至第三十七条",
    }
    assert body["rule"].startswith(
        "一次性伤残补助金：十级伤残 7 个月 × 本人工资 3083.20 元 = 21582.40 元（依据"
    )
    assert body["valid_from"] == "2011-01-01" and body["valid_to"] is None
    assert body["date"] == timezone.localdate().isoformat()  # today's standard when no date is given


@pytest.mark.parametrize(
    "body",
    [
        {"benefit": "YCXSCBZJ", "grade": "十级", "monthly_wage": 3083.2},
        {"benefit": "ycxscbzj", "grade": "10", "monthly_wage": "3,083.20"},
        {"benefit": "一次性伤残补助金", "grade": 10, "monthly_wage": 3083.20, "date": "2026-08-02"},
        {"benefit": "一次性伤残补助金", "grade": 10, "monthly_wage": "3083.2", "date": None},
    ],
)
def test_the_same_answer_however_benefit_grade_and_wage_are_written(client, standards, body):
    response = _post(client, body)
    assert response.status_code == 200, response.json()
    assert response.json()["amount"] == "21582.40"


def test_a_wage_sent_as_a_json_number_is_read_exactly(client, standards):
    response = _post(client, '{"benefit": "YCXSCBZJ", "grade": 1, "monthly_wage": 0.1}', raw=True)
    assert response.json()["amount"] == "2.70"  # 27 × 0.1, not 27 × 0.1000000000000000055…
    # A float would make this 3083.2; as written it is finer than the fen, and is refused.
    response = _post(
        client, '{"benefit": "YCXSCBZJ", "grade": 10, "monthly_wage": 3083.2000000000001}', raw=True
    )
    assert (response.status_code, response.json()["reason_code"]) == (422, "invalid_wage")


@pytest.mark.parametrize(
    ("code", "grade", "wage", "amount"),
    [
        ("YCXGSYLBZJ", 5, "5000", "50000.00"),
        ("YCXSCJYBZJ", 5, "5000", "250000.00"),
        ("YCXGSYLBZJ", 10, "3083.20", "3083.20"),
        ("YCXSCJYBZJ", 10, "3083.20", "12332.80"),
        ("YCXSCBZJ", 1, "0.03", "0.81"),
    ],
)
def test_the_guangdong_benefits(client, standards, code, grade, wage, amount):
    response = _post(client, {"benefit": code, "grade": grade, "monthly_wage": wage})
    assert response.json()["amount"] == amount


def test_an_edited_standard_is_used_at_once(client, standards):
    BenefitStandard.objects.filter(benefit__code="YCXSCBZJ", grade=10).update(months=Decimal("7.5"))
    body = _post(client, {"benefit": "YCXSCBZJ", "grade": 10, "monthly_wage": "1000"}).json()
    assert (body["months"], body["amount"]) == ("7.5", "7500.00")


REFUSALS = [
    # (body, status, reason_code)
    ({"benefit": "一次性工亡补助金", "grade": 10, "monthly_wage": "3000"}, 400, "unknown_benefit"),
    ({"benefit": "", "grade": 10, "monthly_wage": "3000"}, 400, "unknown_benefit"),
    ({"benefit": None, "grade": 10, "monthly_wage": "3000"}, 400, "unknown_benefit"),
    ({"benefit": ["YCXSCBZJ"], "grade": 10, "monthly_wage": "3000"}, 400, "unknown_benefit"),
    ({"benefit": "x" * 10_000, "grade": 10, "monthly_wage": "3000"}, 400, "unknown_benefit"),
    ({"benefit": "一次性工伤医疗补助金", "grade": 3, "monthly_wage": "3000"}, 400, "unknown_grade"),
    ({"benefit": "YCXSCJYBZJ", "grade": "一级", "monthly_wage": "3000"}, 400, "unknown_grade"),
    ({"benefit": "YCXSCBZJ", "grade": 11, "monthly_wage": "3000"}, 422, "invalid_grade"),
    ({"benefit": "YCXSCBZJ", "grade": 0, "monthly_wage": "3000"}, 422, "invalid_grade"),
    ({"benefit": "YCXSCBZJ", "grade": 9.5, "monthly_wage": "3000"}, 422, "invalid_grade"),
    ({"benefit": "YCXSCBZJ", "grade": True, "monthly_wage": "3000"}, 422, "invalid_grade"),
    ({"benefit": "YCXSCBZJ", "grade": None, "monthly_wage": "3000"}, 422, "invalid_grade"),
    ({"benefit": "YCXSCBZJ", "grade": [10], "monthly_wage": "3000"}, 422, "invalid_grade"),
    ({"benefit": "YCXSCBZJ", "grade": {"n": 10}, "monthly_wage": "3000"}, 422, "invalid_grade"),
    ({"benefit": "YCXSCBZJ", "grade": "十一级", "monthly_wage": "3000"}, 422, "invalid_grade"),
    ({"benefit": "YCXSCBZJ", "grade": 10, "monthly_wage": "0"}, 422, "invalid_wage"),
    ({"benefit": "YCXSCBZJ", "grade": 10, "monthly_wage": -3083.2}, 422, "invalid_wage"),
    ({"benefit": "YCXSCBZJ", "grade": 10, "monthly_wage": "abc"}, 422, "invalid_wage"),
    ({"benefit": "YCXSCBZJ", "grade": 10, "monthly_wage": "3083.205"}, 422, "invalid_wage"),
    ({"benefit": "YCXSCBZJ", "grade": 10, "monthly_wage": 10**30}, 422, "invalid_wage"),
    ({"benefit": "YCXSCBZJ", "grade": 10, "monthly_wage": "9" * 10_000}, 422, "invalid_wage"),
    ({"benefit": "YCXSCBZJ", "grade": 10, "monthly_wage": None}, 422, "invalid_wage"),
    ({"benefit": "YCXSCBZJ", "grade": 10, "monthly_wage": True}, 422, "invalid_wage"),
    ({"benefit": "YCXSCBZJ", "grade": 10, "monthly_wage": [3000]}, 422, "invalid_wage"),
    ({"benefit": "YCXSCBZJ", "grade": 10, "monthly_wage": {"yuan": 3000}}, 422, "invalid_wage"),
    (
        {"benefit": "YCXGSYLBZJ", "grade": 10, "monthly_wage": "3000", "date": "2011-12-31"},
        422,
        "not_in_force",
    ),
    ({"benefit": "YCXSCBZJ", "grade": 10, "monthly_wage": "3000", "date": "2026-02-30"}, 422, "invalid_date"),
    ({"benefit": "YCXSCBZJ", "grade": 10, "monthly_wage": "3000", "date": 20260802}, 422, "invalid_date"),
    ({"benefit": "YCXSCBZJ", "grade": 10, "monthly_wage": "3000", "extra": 1}, 400, "invalid_parameter"),
    ({"benefit": "YCXSCBZJ", "grade": 10}, 400, "invalid_parameter"),
    ([], 400, "invalid_parameter"),
    ("a string", 400, "invalid_parameter"),
]


@pytest.mark.parametrize(("body", "status", "reason_code"), REFUSALS)
def test_every_refusal_is_a_4xx_with_its_reason_code_and_a_chinese_message(
    client, standards, body, status, reason_code
):
    response = _post(client, body)
    assert (response.status_code, response.json()["reason_code"]) == (status, reason_code)
    message = response.json()["message"]
    assert message and any("\u4e00" <= char <= "\u9fff" for char in message)
    assert len(message) < 300  # a long value is never echoed whole


@pytest.mark.parametrize(
    "raw",
    [
        '{"benefit": "YCXSCBZJ", "grade": 10, "monthly_wage": NaN}',
        '{"benefit": "YCXSCBZJ", "grade": 10, "monthly_wage": Infinity}',
        '{"benefit": "YCXSCBZJ", "grade": 10, "monthly_wage": 1e400}',
        '{"benefit": "YCXSCBZJ", "grade": 10, "monthly_wage": -1e400}',
        '{"benefit": "YCXSCBZJ", "grade": 10, "monthly_wage": 1e-400}',
    ],
)
def test_json_numbers_that_are_not_amounts_are_invalid_wages(client, standards, raw):
    response = _post(client, raw, raw=True)
    assert (response.status_code, response.json()["reason_code"]) == (422, "invalid_wage")


@pytest.mark.parametrize("raw", ["{", "", "not json", '{"benefit": "\\ud800"}'])
def test_a_body_that_is_not_the_object_is_a_400(client, standards, raw):
    response = _post(client, raw, raw=True)
    assert response.status_code == 400
    assert response.json()["reason_code"] in {"invalid_json", "invalid_parameter"}


def test_the_computation_needs_no_login_like_the_catalog_reads(client, standards):
    assert _post(client, {"benefit": "YCXSCBZJ", "grade": 10, "monthly_wage": "1"}).status_code == 200


def test_the_openapi_document_describes_the_operation(client, standards):
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"][URL]["post"]
    assert set(operation["responses"]) == {"200", "400", "422"}
    assert operation["summary"].startswith("一次性伤残待遇计算")


def test_when_the_reads_are_closed_the_computation_is_closed_too(client, standards, superuser, settings):
    settings.API_READS_REQUIRE_CLIENT = True
    body = {"benefit": "YCXSCBZJ", "grade": 10, "monthly_wage": "3083.20"}
    refused = _post(client, body)
    assert (refused.status_code, refused.json()["reason_code"]) == (401, "client_required")
    client.force_login(superuser)  # a console session (or a client with scope reads) is served
    assert _post(client, body).json()["amount"] == "21582.40"
