"""Writes of routing: the SMS a case event sends (受理 from the accepting agency, results from the handler),
and the 催办 schedule."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Mapping

from django.conf import settings
from django.utils import timezone

from catalog.models import Region
from config_center.runtime import engine
from config_center.runtime.holder import runtime
from core.loading import LoadReport, upsert
from sms_templates.models import SmsMessage, SmsTemplate
from sms_templates.outbox import render_for_template
from sms_templates.selectors import vocabulary
from sms_templates.services import sms_outbox_write

logger = logging.getLogger(__name__)


class SmsNotifyRefused(ValueError):
    """The published configuration cannot answer for this matter/region/event (a ``Refusal``)."""

    def __init__(self, reason_code: str, message: str):
        super().__init__(message)
        self.reason_code = reason_code
        self.message = message


def sms_notify(
    *,
    event: str,
    matter: str,
    region: str,
    recipient: str,
    case_reference: str,
    facts: Mapping[str, str],
    occurrence: str = "",
) -> SmsMessage | None:
    """Write the outbox SMS for a case event from the published slot; None when the slot has no template.

    Call it inside the event's ``transaction.atomic``: the message is delivered only if that commits,
    and a second call for the same case, event and recipient (and ``occurrence``, the day for 催办)
    returns the first message instead of sending again. ``facts`` are the placeholder values (XM,
    SFZH, YWMC, …); the template decides whether SFZH is shown in full and whether names are masked.
    """
    answer = runtime.sms_slot(matter=matter, region=region, event=event)
    if isinstance(answer, engine.Refusal):
        raise SmsNotifyRefused(answer.reason_code, answer.message)
    if answer.template_code is None:
        return None
    template = SmsTemplate.objects.filter(function_code=answer.template_code).first()
    if template is None or not template.is_active:
        # Published slots name templates by 功能代码; one renamed or switched off since sends nothing.
        logger.warning(
            "SMS %s for %s not sent: template %s is missing or inactive",
            event,
            case_reference,
            answer.template_code,
        )
        return None
    rendered = render_for_template(
        template.content,
        facts,
        vocabulary(),
        allow_full_id_number=template.allow_full_id_number,
        mask_names=template.mask_names,
    )
    return sms_outbox_write(
        recipient=recipient,
        text=rendered.text,
        case_reference=case_reference,
        event=event,
        template=template,
        region=Region.objects.filter(code=region).first(),
        matter=matter,
        occurrence=occurrence,
    )


REMINDER_TASK = "routing.reminders.reminders_send_due"
REMINDER_SCHEDULE_NAME = "催办短信"


def reminder_schedule_ensure(report: LoadReport | None = None) -> LoadReport:
    """Create or update the django-q2 schedule of 催办短信 (cron ``SMS_REMINDER_CRON``)."""
    from django_q.models import Schedule

    report = report if report is not None else LoadReport()
    values = {"func": REMINDER_TASK, "schedule_type": Schedule.CRON, "cron": settings.SMS_REMINDER_CRON}
    if not Schedule.objects.filter(name=REMINDER_SCHEDULE_NAME).exists():
        # First run at the next cron time, not now: loading reference data at 15:00 sends no 催办.
        from croniter import croniter

        values["next_run"] = croniter(settings.SMS_REMINDER_CRON, timezone.localtime()).get_next(
            datetime.datetime
        )
    upsert(Schedule, report, lookup={"name": REMINDER_SCHEDULE_NAME}, values={**values, "repeats": -1})
    return report
