"""POST /api/v1/sms/preview: the rendered text, substitutions, length, billed segments, warnings, errors."""

import json

import pytest

from sms_templates.models import SmsTemplate

pytestmark = pytest.mark.django_db

URL = "/api/v1/sms/preview"


def _post(client, body):
    return client.post(URL, data=json.dumps(body), content_type="application/json")


@pytest.fixture(autouse=True)
def _signed_in(client, superuser):
    """The preview is for console users; every test below is one (except where it logs out)."""
    client.force_login(superuser)


def test_the_preview_needs_a_console_login(client, reference_data):
    client.logout()
    response = _post(client, {"content": "尊敬的 XM"})
    assert response.status_code == 401
    assert response.json()["reason_code"] == "unauthenticated"


def test_content_is_rendered_with_the_given_values_and_samples_for_the_rest(client, reference_data):
    response = _post(
        client, {"content": "尊敬的 XM 先生/女士,您办理的YWMC在SLSJ受理成功。", "values": {"XM": "欧阳娜娜"}}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["text"] == "尊敬的 欧阳娜娜 先生/女士,您办理的工伤医疗费在2026年11月24日受理成功。"
    assert body["length"] == len(body["text"]) and body["segments"] == 1
    assert [s["code"] for s in body["substitutions"]] == ["XM", "YWMC", "SLSJ"]
    first = body["substitutions"][0]
    assert body["text"][first["start"] : first["end"]] == "欧阳娜娜"
    assert body["warnings"] == []


def test_a_template_is_previewed_by_its_function_code_with_its_masking(client, reference_data):
    SmsTemplate.objects.filter(function_code="GS_SL_01").update(
        content="XM（SFZH）您好", mask_names=True, allow_full_id_number=False
    )
    body = _post(
        client, {"template": "GS_SL_01", "values": {"XM": "黄林", "SFZH": "442000199001011234"}}
    ).json()
    assert body["text"] == "黄**（4****************4）您好"
    overridden = _post(
        client,
        {"template": "GS_SL_01", "values": {"SFZH": "442000199001011234"}, "allow_full_id_number": True},
    ).json()
    assert "442000199001011234" in overridden["text"]


def test_long_messages_are_billed_in_67_character_parts(client, reference_data):
    body = _post(client, {"content": "字" * 71}).json()
    assert (body["length"], body["segments"]) == (71, 2)
    assert _post(client, {"content": "字" * 70}).json()["segments"] == 1


def test_a_code_inside_a_word_is_a_warning(client, reference_data):
    body = _post(client, {"content": "HOLIDAY 快乐 XM"}).json()
    [warning] = body["warnings"]
    assert warning["code"] == "contains_code_in_word" and "HOLIDAY" in warning["message"]
    assert (warning["start"], warning["end"]) == (0, 7)


def test_a_code_without_value_or_sample_is_a_warning(client, reference_data):
    from sms_templates.models import PlaceholderCode

    PlaceholderCode.objects.filter(code="JBJG").update(sample_value="")
    body = _post(client, {"content": "由JBJG办理"}).json()
    assert body["text"] == "由办理"
    assert [w["code"] for w in body["warnings"]] == ["missing_value"]


@pytest.mark.parametrize(
    ("body", "status", "reason"),
    [
        ({"template": "GS_SL_01", "content": "x"}, 400, "template_or_content"),
        ({"values": {}}, 400, "template_or_content"),
        ({"template": "NO_SUCH"}, 400, "unknown_template"),
        ({"content": "XM", "values": {"ABC": "1"}}, 400, "unknown_value_code"),
        ({"content": "您好 {ABC}"}, 422, "unknown_explicit_code"),
        ({"content": "   "}, 422, "empty_template"),
        ({"content": "字" * 501}, 422, "too_long"),
        ({"content": "x", "extra": 1}, 400, "invalid_parameter"),
    ],
)
def test_bad_input_answers_4xx_with_a_reason_code(client, reference_data, body, status, reason):
    response = _post(client, body)
    assert response.status_code == status
    answer = response.json()
    assert answer["reason_code"] == reason and answer["message"]


def test_an_unknown_explicit_code_lists_the_error_with_its_position(client, reference_data):
    answer = _post(client, {"content": "您好 {ABC}，HOLIDAY"}).json()
    assert answer["errors"] == [
        {
            "code": "unknown_explicit_code",
            "message": "第 4 个字符处的“{ABC}”不是已登记的占位符代码。",
            "start": 3,
            "end": 8,
        }
    ]
    assert [w["code"] for w in answer["warnings"]] == ["contains_code_in_word"]


def test_the_preview_is_in_the_openapi_schema(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/sms/preview" in schema["paths"]


def test_the_admin_page_script_can_call_it_with_a_session_and_csrf_checks_on(superuser, reference_data):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(superuser)
    page = browser.get("/admin/sms_templates/smstemplate/add/")
    token = page.cookies["csrftoken"].value
    response = browser.post(
        URL, data=json.dumps({"content": "您好 XM"}), content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert response.status_code == 200 and response.json()["text"] == "您好 黄林"


@pytest.mark.django_db
def test_a_session_preview_needs_the_csrf_token(superuser, reference_data):
    """A page of another site could post text/plain JSON in the user's name on main (issue 11)."""
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(superuser)
    body = '{"content": "您好XM"}'
    refused = browser.post(
        "/api/v1/sms/preview", body, content_type="text/plain", HTTP_ORIGIN="https://evil.example"
    )
    assert refused.status_code == 403 and refused.json()["reason_code"] == "csrf_failed"
    browser.get("/admin/")  # sets the csrf cookie, as the console page does
    token = browser.cookies["csrftoken"].value
    allowed = browser.post(
        "/api/v1/sms/preview", body, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert allowed.status_code == 200
