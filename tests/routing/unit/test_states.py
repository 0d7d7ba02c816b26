"""The case state machine (pure): every legal transition, and every other (status, action) pair refused."""

import itertools

import pytest

from routing import states

LEGAL = {
    ("", "accept"): "accepted",
    ("", "accept_incomplete"): "pending_correction",
    ("", "refuse"): "refused",
    ("pending_correction", "correct"): "accepted",
    ("pending_correction", "refuse"): "refused",
    ("pending_correction", "terminate"): "terminated",
    ("accepted", "scan"): "scanned",
    ("accepted", "defer_scan"): "scanned",
    ("scanned", "acquire_first"): "first_assigned",
    ("first_assigned", "release_first"): "scanned",
    ("first_assigned", "pass_first"): "first_reviewed",
    ("first_assigned", "pass_first_final"): "completed",
    ("first_assigned", "reject"): "review_failed",
    ("first_reviewed", "acquire_second"): "second_assigned",
    ("second_assigned", "release_second"): "first_reviewed",
    ("second_assigned", "pass_second"): "completed",
    ("second_assigned", "reject"): "review_failed",
    ("completed", "archive"): "archived",
    ("suspended", "resume"): "scanned",
    ("suspended", "terminate"): "terminated",
    ("suspended", "reassign"): "scanned",
    # 联办: 待前置 until the prerequisite cases are 办结
    ("accepted", "wait"): "waiting",
    ("suspended", "wait"): "waiting",
    ("waiting", "start"): "scanned",
    ("waiting", "suspend"): "suspended",
    ("waiting", "terminate"): "terminated",
    **{
        (status, action): target
        for status in ("accepted", "scanned", "first_assigned", "first_reviewed", "second_assigned")
        for action, target in (("suspend", "suspended"), ("terminate", "terminated"), ("reassign", "scanned"))
    },
}
ALL_STATUSES = ["", *states.STATUS_NAMES]
ALL_ACTIONS = list(states.ACTION_NAMES)


def test_the_table_is_exactly_the_documented_transitions():
    assert states.TRANSITIONS == LEGAL


@pytest.mark.parametrize(("status", "action"), sorted(LEGAL))
def test_each_legal_transition(status, action):
    assert states.next_status(status, action) == LEGAL[(status, action)]


ILLEGAL = sorted(pair for pair in itertools.product(ALL_STATUSES, ALL_ACTIONS) if pair not in LEGAL)


@pytest.mark.parametrize(("status", "action"), ILLEGAL)
def test_each_illegal_transition_is_refused_in_words(status, action):
    with pytest.raises(states.IllegalTransition) as refused:
        states.next_status(status, action)
    message = refused.value.message
    assert states.ACTION_NAMES[action] in message
    assert (states.STATUS_NAMES[status] if status else "新建") in message
    assert refused.value.reason_code == "illegal_transition"


def test_finished_cases_accept_nothing_but_archiving_a_completed_one():
    for status in states.FINISHED:
        assert states.allowed_actions(status) == (("archive",) if status == "completed" else ())


def test_every_status_and_action_has_a_chinese_name():
    targets = set(LEGAL.values())
    assert targets <= set(states.STATUS_NAMES)
    assert {action for _status, action in LEGAL} <= set(states.ACTION_NAMES)
    assert states.OPEN | states.FINISHED == set(states.STATUS_NAMES)
    assert not states.OPEN & states.FINISHED


def test_a_waiting_case_is_open_not_started_and_its_clock_stands_still():
    assert states.WAITING in states.OPEN
    assert states.WAITING in states.NOT_STARTED
    assert states.WAITING in states.CLOCK_STOPPED
    assert states.WAITING not in states.IN_REVIEW
    assert states.STATUS_NAMES[states.WAITING] == "待前置"
    assert states.NOT_STARTED == {"pending_correction", "waiting"}
    assert states.CLOCK_STOPPED == {"suspended", "waiting"}


def test_a_waiting_case_may_only_start_be_suspended_or_terminated():
    assert set(states.allowed_actions(states.WAITING)) == {"start", "suspend", "terminate"}


def test_a_waiting_case_cannot_be_reviewed_or_transferred_before_it_starts():
    for action in ("acquire_first", "pass_first", "reassign", "resume", "scan"):
        with pytest.raises(states.IllegalTransition) as refused:
            states.next_status(states.WAITING, action)
        assert refused.value.message.startswith("流程状态为“待前置”的业务不能")


def test_only_an_accepted_or_suspended_case_goes_to_waiting():
    assert {status for (status, action) in states.TRANSITIONS if action == "wait"} == {
        "accepted",
        "suspended",
    }
