"""The registry of contributions: a table is one timeline source, as a history table or as events."""

import pytest

from config_center.releases.models import PublishPolicy, Release
from core.registry import AlreadyRegistered, EventSource, HistorySource, Registry

RELEASE_EVENTS = {
    "when": "published_at",
    "user": "published_by",
    "action": "kind",
    "reason": "comment",
    "facts": ("number",),
}


def test_history_and_event_tables_are_one_list_of_timeline_sources_in_order():
    registry = Registry()
    registry.events(Release, order=66, **RELEASE_EVENTS)
    registry.history(PublishPolicy, search=(), order=65)
    assert [type(source) for source in registry.timeline_sources] == [HistorySource, EventSource]
    assert registry.history_sources == (registry.history_source(PublishPolicy),)
    events = registry.timeline_sources[1]
    assert (events.key, events.row_id, events.when) == ("config_center.release", "pk", "published_at")


@pytest.mark.parametrize("second", ["history", "events"])
def test_a_table_is_contributed_once_whatever_its_kind(second):
    registry = Registry()
    registry.events(Release, **RELEASE_EVENTS)
    with pytest.raises(AlreadyRegistered):
        if second == "history":
            registry.history(Release, search=())
        else:
            registry.events(Release, **RELEASE_EVENTS)
