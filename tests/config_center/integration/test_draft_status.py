"""What of a city's draft is not yet published (``releases.selectors.draft_statuses``) and who may publish it."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import Matter, Region
from config_center.drafts.models import LocalMatter
from config_center.drafts.selectors import region_draft, region_drafts
from config_center.drafts.services import local_matter_bind, local_matter_save, local_matter_unbind
from config_center.releases.models import Release
from config_center.releases.selectors import (
    cities_with_unpublished_edits_by,
    draft_statuses,
    live_releases,
    may_compare,
    may_publish,
)
from config_center.releases.services import release_publish, release_rollback
from permissions.models import Role
from permissions.services import assignment_create
from tests.factories.config import province_configuration

pytestmark = pytest.mark.django_db


def user_with(role_code: str, region_code: str, name: str):
    user = get_user_model().objects.create_user(name, password="pw-for-tests", is_staff=True)
    assignment_create(
        user=user, role=Role.objects.get(code=role_code), region=Region.objects.get(code=region_code)
    )
    return get_user_model().objects.get(pk=user.pk)


@pytest.fixture
def cities(reference_data):
    return Region.objects.get(code="442000"), Region.objects.get(code="440100")


@pytest.fixture
def admin(cities):
    return user_with("city_admin", "442000", "zs_admin")


@pytest.fixture
def published(cities, superuser):
    """Both cities bind GS0101 and GS0104 and publish them (第 1 版 each)."""
    for region in cities:
        local_matter_bind(
            region=region, matters=Matter.objects.filter(code__in=["GS0101", "GS0104"]), user=superuser
        )
        release_publish(region=region, user=superuser, comment="首次发布")
    return cities


def set_time_limit(region, code: str, days: int, user) -> None:
    local = LocalMatter.objects.get(region=region, matter__code=code)
    local.time_limit_days = days
    local_matter_save(local_matter=local, user=user)


def counts(regions) -> list[tuple[str, int, int]]:
    return [(s.region.code, s.matters, s.changes) for s in draft_statuses(regions)]


def test_a_published_draft_has_nothing_pending(published):
    statuses = draft_statuses(published)
    assert [(s.pending, s.matters, s.changes, s.live.number) for s in statuses] == [
        (False, 0, 0, 1),
        (False, 0, 0, 1),
    ]


def test_changed_matters_are_counted_per_city(published, superuser):
    zhongshan, guangzhou = published
    set_time_limit(zhongshan, "GS0101", 9, superuser)
    assert counts(published) == [("442000", 1, 1), ("440100", 0, 0)]
    set_time_limit(zhongshan, "GS0104", 9, superuser)
    local_matter_bind(region=zhongshan, matters=[Matter.objects.get(code="GS0106")], user=superuser)
    assert counts(published) == [("442000", 3, 3), ("440100", 0, 0)]
    local_matter_unbind(region=guangzhou, matters=[Matter.objects.get(code="GS0101")], user=superuser)
    assert counts([guangzhou]) == [("440100", 1, 1)]


def test_the_count_is_against_the_latest_release_even_a_rollback(published, superuser):
    zhongshan = published[0]
    set_time_limit(zhongshan, "GS0101", 9, superuser)
    release_publish(region=zhongshan, user=superuser, comment="v2")
    assert counts([zhongshan]) == [("442000", 0, 0)]
    release_rollback(region=zhongshan, to_number=1, user=superuser)  # the draft keeps 9 days, 第 3 版 has 20
    [status] = draft_statuses([zhongshan])
    assert (status.live.number, status.matters) == (3, 1)


def test_a_city_never_published_counts_every_bound_matter(cities, superuser):
    local_matter_bind(
        region=cities[0], matters=Matter.objects.filter(code__in=["GS0101", "GS0104"]), user=superuser
    )
    [zhongshan, guangzhou] = draft_statuses(cities)
    assert (zhongshan.live, zhongshan.matters, zhongshan.pending) == (None, 2, True)
    assert (guangzhou.live, guangzhou.matters, guangzhou.pending) == (None, 0, False)


def test_region_drafts_are_the_drafts_of_each_city(published, superuser):
    set_time_limit(published[0], "GS0101", 9, superuser)
    drafts = region_drafts(published)
    assert drafts == {region.pk: region_draft(region) for region in published}
    assert drafts[published[0].pk]["GS0101"]["time_limit_days"] == 9


def test_statuses_of_many_cities_take_the_queries_of_one(reference_data, superuser):
    province_configuration(cities=1, matters=2, materials_per_list=2)
    one = list(Region.objects.filter(level=Region.Level.CITY).order_by("code")[:1])
    with CaptureQueriesContext(connection) as small:
        draft_statuses(one)
    province_configuration(cities=5, matters=20, materials_per_list=8)
    many = list(Region.objects.filter(level=Region.Level.CITY).order_by("code")[:5])
    for region in many:
        Release.objects.create(
            region=region, number=1, comment="v1", published_by=superuser, snapshot=region_draft(region)
        )
    with CaptureQueriesContext(connection) as large:
        statuses = draft_statuses(many)
    assert [s.live.number for s in statuses] == [1] * 5
    assert len(large.captured_queries) == len(small.captured_queries)


def test_live_releases_are_the_newest_of_each_city(published, superuser):
    zhongshan, guangzhou = published
    set_time_limit(zhongshan, "GS0101", 9, superuser)
    release_publish(region=zhongshan, user=superuser, comment="v2")
    with CaptureQueriesContext(connection) as queries:
        live = live_releases(published)
    assert len(queries.captured_queries) == 1
    assert {region_id: release.number for region_id, release in live.items()} == {
        zhongshan.pk: 2,
        guangzhou.pk: 1,
    }


def test_cities_with_unpublished_edits_are_those_changed_since_their_release(published, superuser, admin):
    zhongshan, guangzhou = published
    assert cities_with_unpublished_edits_by(superuser) == []  # everything it did is published
    set_time_limit(guangzhou, "GS0104", 9, superuser)
    set_time_limit(zhongshan, "GS0101", 9, admin)
    assert cities_with_unpublished_edits_by(superuser) == [guangzhou]
    assert cities_with_unpublished_edits_by(admin) == [zhongshan]
    release_publish(region=guangzhou, user=superuser, comment="v2")
    assert cities_with_unpublished_edits_by(superuser) == []


def test_who_may_publish_and_compare(published):
    zhongshan, guangzhou = published
    admin = user_with("city_admin", "442000", "zs_admin")
    supervisor = user_with("supervisor", "440000", "gd_supervisor")
    clerk = user_with("clerk", "442000", "zs_clerk")
    assert (may_publish(admin, zhongshan), may_publish(admin, guangzhou)) == (True, False)
    assert (may_compare(admin, zhongshan), may_compare(admin, guangzhou)) == (True, False)
    assert (may_publish(supervisor, zhongshan), may_compare(supervisor, guangzhou)) == (False, True)
    assert (may_publish(clerk, zhongshan), may_compare(clerk, zhongshan)) == (False, False)
