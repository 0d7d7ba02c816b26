"""The encoded answers kept per snapshot (config_center/runtime/answers.py)."""

from config_center.runtime.answers import EncodedAnswers
from tests.factories.engine import make_snapshot


def _snapshot():
    return make_snapshot()


def test_an_answer_is_kept_for_the_snapshot_that_answered_it():
    memo, snap = EncodedAnswers(), _snapshot()
    assert memo.get(snap, ("GS0101", "442000", "counter")) is None
    assert memo.put(snap, ("GS0101", "442000", "counter"), b"{}") == b"{}"
    assert memo.get(snap, ("GS0101", "442000", "counter")) == b"{}"
    assert memo.get(snap, ("GS0101", "442000", "web")) is None


def test_another_snapshot_sees_nothing_and_its_first_answer_drops_the_old_ones():
    memo, old, new = EncodedAnswers(), _snapshot(), _snapshot()
    memo.put(old, "a", b"1")
    memo.put(old, "b", b"2")
    assert memo.get(new, "a") is None  # equal contents, another publish: never the old bytes
    memo.put(new, "a", b"3")
    assert len(memo) == 1
    assert memo.get(new, "a") == b"3"
    assert memo.get(old, "b") is None


def test_past_the_limit_answers_are_returned_but_not_kept():
    memo, snap = EncodedAnswers(limit=2), _snapshot()
    for key in "abc":
        assert memo.put(snap, key, key.encode()) == key.encode()
    assert len(memo) == 2
    assert memo.get(snap, "c") is None
