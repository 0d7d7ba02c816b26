"""Admin notices in the registry: one app's words on another app's screens, asked for by the screen (no database)."""

import pytest

from core.registry import AlreadyRegistered, Registry, registry


def test_a_screen_gets_its_own_notices_in_order():
    notices = Registry()
    notices.admin_notice("later", lambda request, regions: "B", screen="app.thing", order=20)
    notices.admin_notice("sooner", lambda request, regions: "A", screen="app.thing", order=10)
    notices.admin_notice("elsewhere", lambda request, regions: "C", screen="app.other", order=1)
    assert [n.name for n in notices.admin_notices("app.thing")] == ["sooner", "later"]
    assert [n.render(None, None) for n in notices.admin_notices("app.thing")] == ["A", "B"]
    assert notices.admin_notices("app.nothing") == ()


def test_a_notice_contributed_twice_is_refused():
    notices = Registry()
    notices.admin_notice("same", lambda request, regions: "", screen="app.thing", order=1)
    with pytest.raises(AlreadyRegistered):
        notices.admin_notice("same", lambda request, regions: "", screen="app.other", order=2)


def test_the_releases_speak_on_the_local_matter_screens():
    assert [n.name for n in registry.admin_notices("config_center.localmatter")] == ["unpublished_changes"]
