"""SMS admin: saving refuses bad templates in Chinese, the live preview panel, the outbox, the holiday calendar."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from catalog.models import Holiday
from sms_templates.models import SmsMessage, SmsStatus, SmsTemplate, SmsTemplateCategory
from sms_templates.services import sms_outbox_write

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/sms_templates/smstemplate/add/"


def _add(client, content, function_code="GS_NEW_01"):
    category = SmsTemplateCategory.objects.first()
    return client.post(
        ADD_URL,
        {
            "category": category.pk,
            "name": "新模板",
            "function_code": function_code,
            "is_active": "on",
            "content": content,
        },
    )


def _errors(response) -> dict[str, list[str]]:
    assert response.status_code == 200, "the form was accepted"
    return {field: list(errors) for field, errors in response.context["adminform"].form.errors.items()}


@pytest.mark.parametrize(
    ("content", "function_code", "expected"),
    [
        ("字" * 501, "GS_NEW_01", {"content": ["短信模板共 501 个字符，超过上限 500 个字符。"]}),
        ("您好 {ABC}", "GS_NEW_01", {"content": ["第 4 个字符处的“{ABC}”不是已登记的占位符代码。"]}),
        ("", "GS_NEW_01", {"content": ["短信模板内容不能为空。"]}),
        ("   ", "GS_NEW_01", {"content": ["短信模板内容不能为空。"]}),
        ("您好 XM", "GS_SL_01", {"function_code": ["功能代码已被其他短信模板使用，请换一个。"]}),
    ],
    ids=["too_long", "unknown_explicit_code", "empty", "blank", "duplicate_function_code"],
)
def test_saving_a_template_refuses_with_a_chinese_message(
    admin_client, reference_data, content, function_code, expected
):
    assert _errors(_add(admin_client, content, function_code)) == expected
    assert not SmsTemplate.objects.filter(name="新模板").exists()


def test_a_good_template_of_500_characters_is_saved(admin_client, reference_data):
    response = _add(admin_client, "尊敬的 XM，" + "字" * 493)
    assert response.status_code == 302
    assert SmsTemplate.objects.filter(function_code="GS_NEW_01").exists()


def test_model_validation_says_the_same_without_the_admin(reference_data):
    template = SmsTemplate.objects.get(function_code="GS_SL_01")
    template.content = "{ABC}" + "字" * 500
    with pytest.raises(ValidationError) as caught:
        template.full_clean()
    assert caught.value.message_dict["content"] == [
        "短信模板共 505 个字符，超过上限 500 个字符。",
        "第 1 个字符处的“{ABC}”不是已登记的占位符代码。",
    ]


def test_the_change_page_shows_the_live_preview_and_the_vocabulary(admin_client, reference_data):
    template = SmsTemplate.objects.get(function_code="GS_SL_01")
    response = admin_client.get(f"/admin/sms_templates/smstemplate/{template.pk}/change/")
    page = response.content.decode()
    assert 'id="sms-preview"' in page and 'data-url="/api/v1/sms/preview"' in page
    assert "sms_templates/template_preview.js" in page
    assert "<code>CZYJP</code></td><td>中止意见</td>" in page
    assert "计费条数" in page


def _message(**overrides) -> SmsMessage:
    values = {"recipient": "13800138000", "text": "您好", "case_reference": "GS1", "event": "accepted"}
    return sms_outbox_write(**{**values, **overrides})


def test_the_outbox_list_filters_by_status_and_event(admin_client):
    _message()
    failed = _message(case_reference="GS2", event="completed", recipient="123")
    response = admin_client.get("/admin/sms_templates/smsmessage/", {"status__exact": "failed"})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [failed]
    response = admin_client.get("/admin/sms_templates/smsmessage/", {"event": "accepted"})
    assert [m.case_reference for m in response.context["cl"].result_list] == ["GS1"]
    page = admin_client.get(f"/admin/sms_templates/smsmessage/{failed.pk}/change/").content.decode()
    assert "不是有效的中国大陆手机号码" in page


def test_resend_action_queues_failed_messages_and_delivers_them(
    admin_client, memory_gateway, django_capture_on_commit_callbacks
):
    message = _message()
    SmsMessage.objects.filter(pk=message.pk).update(
        status=SmsStatus.FAILED, attempts=6, last_error="网关故障"
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/sms_templates/smsmessage/",
            {"action": "resend", "_selected_action": [message.pk]},
            follow=True,
        )
    assert "已重新发送 1 条短信。" in response.content.decode()
    assert SmsMessage.objects.get(pk=message.pk).status == SmsStatus.SENT
    assert len(memory_gateway.sent) == 1


def test_the_outbox_is_read_only(admin_client):
    message = _message()
    assert admin_client.get("/admin/sms_templates/smsmessage/add/").status_code == 403
    assert admin_client.get(f"/admin/sms_templates/smsmessage/{message.pk}/delete/").status_code == 403


def test_an_administrator_adds_a_holiday_and_an_adjusted_working_weekend(admin_client):
    for date, name, works in [("2026-10-01", "国庆节", False), ("2026-10-10", "国庆调休上班", True)]:
        data = {"date": date, "name": name}
        if works:
            data["is_workday_override"] = "on"
        assert admin_client.post("/admin/catalog/holiday/add/", data).status_code == 302
    assert list(Holiday.objects.order_by("date").values_list("date", "is_workday_override")) == [
        (datetime.date(2026, 10, 1), False),
        (datetime.date(2026, 10, 10), True),
    ]
    response = admin_client.post("/admin/catalog/holiday/add/", {"date": "2026-10-01", "name": "重复"})
    assert _errors(response) == {"date": ["该日期已在节假日日历中。"]}
    listing = admin_client.get("/admin/catalog/holiday/").content.decode()
    assert "星期六" in listing and "国庆调休上班" in listing
