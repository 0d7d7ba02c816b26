"""Writes of routing, one module per concern, re-exported here: cases (受理, 补正), scanning (扫描 … 归档), review tasks, SMS."""

from .cases import (
    AcceptRequest,
    Applicant,
    CaseRefused,
    Employer,
    case_accept,
    case_correct,
    case_refuse,
    case_route,
)
from .scanning import case_add_files, case_archive, case_scan, case_submit_electronic, may_supplement
from .sms import REMINDER_SCHEDULE_NAME, SmsNotifyRefused, reminder_schedule_ensure, sms_notify
from .tasks import eligible_tasks, my_tasks, task_acquire, task_complete, task_release, withdraw_tasks

__all__ = [
    "REMINDER_SCHEDULE_NAME",
    "AcceptRequest",
    "Applicant",
    "CaseRefused",
    "Employer",
    "SmsNotifyRefused",
    "case_accept",
    "case_add_files",
    "case_archive",
    "case_correct",
    "case_refuse",
    "case_route",
    "case_scan",
    "case_submit_electronic",
    "eligible_tasks",
    "may_supplement",
    "my_tasks",
    "reminder_schedule_ensure",
    "sms_notify",
    "task_acquire",
    "task_complete",
    "task_release",
    "withdraw_tasks",
]
