"""The nine SMS steps (短信环节) of annex 3, as codes (pure: no Django, so the runtime engine can use them).

Their labels are ``sms_templates.models.SmsEvent``'s; the order is the screen's.
"""

ACCEPTED = "accepted"
RECEIVED = "received"
COMPLETED = "completed"
TERMINATED = "terminated"
REMINDER = "reminder"
REJECTED_COMPLETED = "rejected_completed"
SUSPENDED = "suspended"
REVIEW_FAILED = "review_failed"
FIRST_REVIEWED = "first_reviewed"

SMS_EVENTS = (
    ACCEPTED,
    RECEIVED,
    COMPLETED,
    TERMINATED,
    REMINDER,
    REJECTED_COMPLETED,
    SUSPENDED,
    REVIEW_FAILED,
    FIRST_REVIEWED,
)
