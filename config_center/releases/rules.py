"""Pure rules of publishing (no ORM): may this user publish now, and what to call each refusal."""

from dataclasses import dataclass

NOTHING_TO_PUBLISH = "nothing_to_publish"
FOUR_EYES = "four_eyes"
CONFIGURATION_ERRORS = "configuration_errors"
NOT_ALLOWED = "not_allowed"
UNKNOWN_RELEASE = "unknown_release"
SAME_AS_LIVE = "same_as_live"


@dataclass(frozen=True)
class PublishCheck:
    allowed: bool
    reason_code: str = ""
    emergency: bool = False


def four_eyes_check(
    *, review_required: bool, publisher_id: int, last_editor_id: int | None, may_emergency_publish: bool
) -> PublishCheck:
    """Apollo's namespace lock: with 发布审核 on, the last editor of the draft may not publish it."""
    if not review_required or last_editor_id is None or last_editor_id != publisher_id:
        return PublishCheck(True)
    if may_emergency_publish:
        return PublishCheck(True, emergency=True)
    return PublishCheck(False, FOUR_EYES)
