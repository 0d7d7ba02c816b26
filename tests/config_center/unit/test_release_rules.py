"""The four-eyes rule of publishing (pure): with 发布审核 on, the draft's last editor may not publish it alone."""

import pytest

from config_center.releases.rules import FOUR_EYES, PublishCheck, four_eyes_check

EDITOR, OTHER = 7, 8


def check(*, review: bool, publisher: int, last_editor: int | None, emergency: bool = False) -> PublishCheck:
    return four_eyes_check(
        review_required=review,
        publisher_id=publisher,
        last_editor_id=last_editor,
        may_emergency_publish=emergency,
    )


@pytest.mark.parametrize("emergency", [False, True])
@pytest.mark.parametrize("last_editor", [EDITOR, OTHER, None])
def test_without_review_anyone_publishes_and_nothing_is_an_emergency(last_editor, emergency):
    assert check(
        review=False, publisher=EDITOR, last_editor=last_editor, emergency=emergency
    ) == PublishCheck(True, "", False)


@pytest.mark.parametrize("emergency", [False, True])
def test_with_review_another_person_than_the_last_editor_publishes(emergency):
    assert check(review=True, publisher=OTHER, last_editor=EDITOR, emergency=emergency) == PublishCheck(True)


@pytest.mark.parametrize("emergency", [False, True])
def test_with_review_a_draft_nobody_edited_is_published_by_anyone(emergency):
    assert check(review=True, publisher=EDITOR, last_editor=None, emergency=emergency) == PublishCheck(True)


def test_with_review_the_last_editor_is_refused():
    refused = check(review=True, publisher=EDITOR, last_editor=EDITOR)
    assert refused == PublishCheck(False, FOUR_EYES, False)
    assert refused.reason_code == "four_eyes"


def test_with_review_the_last_editor_may_publish_only_as_a_recorded_emergency():
    assert check(review=True, publisher=EDITOR, last_editor=EDITOR, emergency=True) == PublishCheck(
        True, "", True
    )
