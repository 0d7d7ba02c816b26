"""A refused transition survives a trip between processes (a background task's error, a cached result):
it is pickled through its arguments, which must be the status and the action it was built from."""

import pickle

from routing.states import IllegalTransition, next_status


def test_an_illegal_transition_keeps_its_status_action_and_words_through_pickling():
    try:
        next_status("completed", "scan")
    except IllegalTransition as refused:
        error = refused
    assert error.args == ("completed", "scan")
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.status, copy.action) == ("completed", "scan")
    assert str(copy) == str(error)
