"""Every API error is JSON with a reason code, never a 500 (issue 11): inputs that broke main."""

import json

import pytest

pytestmark = pytest.mark.django_db


def test_a_lone_surrogate_echoed_in_a_refusal_is_still_json(client, reference_data):
    body = '{"matter": "\\ud800", "accepting_agency": "442099", "insured_agency": "442099", "injury_date": "2023-01-01"}'
    response = client.post("/api/v1/route", body, content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    answer = json.loads(response.content)
    assert answer["reason_code"] in {"unknown_matter", "invalid_parameter"}


def test_a_refusal_that_echoes_text_utf8_cannot_carry_is_escaped():
    from config_center.project.api import ReadableJSONRenderer

    body = ReadableJSONRenderer().render(None, {"message": "事项 \ud800 不存在"}, response_status=400)
    assert json.loads(body) == {"message": "事项 \ud800 不存在"} and body.decode("utf-8")


def test_an_offset_no_database_can_take_is_a_parameter_error(client, reference_data):
    response = client.get("/api/v1/matters", {"offset": "9223372036854775808"})
    assert response.status_code == 400 and response.json()["reason_code"] == "invalid_parameter"


def test_an_oversized_body_is_refused_with_413(client, reference_data, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    body = json.dumps({"matter": "x" * (2 * 1024 * 1024)})
    response = client.post("/api/v1/route", body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["reason_code"] == "request_too_large"
