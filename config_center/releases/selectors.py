"""Reads of releases: the live release, who may publish, what of a draft is not yet published."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db.models import OuterRef, Q, Subquery

from catalog.models import Region

from ..drafts import selectors as drafts
from ..drafts.diff import Labels, diff_region_by_matter
from .models import Release

PUBLISH_PERMISSION = "permissions.publish_config"
VIEW_PERMISSION = "config_center.view_release"


def live_release(region) -> Release | None:
    """The city's newest release (what the runtime serves), or None before its first publish."""
    return Release.objects.filter(region=region).order_by("-number").first()


def live_releases(regions: Sequence[Region], *, snapshots: bool = True) -> dict[int, Release]:
    """The newest release of each of these cities that has one, by region id, in one query."""
    newest = Release.objects.filter(region=OuterRef("region")).order_by("-number").values("number")[:1]
    releases = Release.objects.filter(
        region__in=[region.pk for region in regions], number=Subquery(newest)
    ).order_by()
    if not snapshots:
        releases = releases.defer("snapshot")
    return {release.region_id: release for release in releases}


def draft_baselines(live: Mapping[int, Release]) -> dict[int, datetime]:
    """{region id: the time after which saves of the city's draft are not in its live release}: the live
    release's own time, or for a 回滚 the time of the release it went back to (the draft kept what came after).
    ``live``: ``live_releases``; one query when a city's live release is a rollback, none otherwise."""
    baselines = {region_id: release.published_at for region_id, release in live.items()}
    rollbacks = [release for release in live.values() if release.rolled_back_to]
    if rollbacks:
        targets = Q()
        for release in rollbacks:
            targets |= Q(region_id=release.region_id, number=release.rolled_back_to)
        for region_id, published_at in Release.objects.filter(targets).values_list(
            "region_id", "published_at"
        ):
            baselines[region_id] = published_at
    return baselines


def may_publish(user, region: Region) -> bool:
    """发布 or 回滚 the city's configuration: the capability 发布配置 in scope of the city."""
    return user.has_perm(PUBLISH_PERMISSION, region)


def may_compare(user, region: Region) -> bool:
    """See the city's releases and compare its draft with them (the release screens' own check)."""
    return user.has_perm(VIEW_PERMISSION) and (
        may_publish(user, region) or user.has_perm(VIEW_PERMISSION, region)
    )


@dataclass(frozen=True)
class DraftStatus:
    """How a city's draft differs from its latest release: the matters that differ and the diff's rows."""

    region: Region
    live: Release | None
    matters: int
    changes: int

    @property
    def pending(self) -> bool:
        return self.matters > 0


def draft_statuses(regions: Sequence[Region]) -> list[DraftStatus]:
    """Each city's draft against its latest release, counted as 对比 lists it, in a fixed number of queries."""
    if not regions:
        return []
    draft_by_region = drafts.region_drafts(regions)
    live = live_releases(regions)
    baseline = drafts.default_snapshots()
    statuses = []
    for region in regions:
        release = live.get(region.pk)
        # Counting needs no display names: empty labels keep the diff from reading the catalog.
        by_matter = diff_region_by_matter(
            release.snapshot if release else {}, draft_by_region[region.pk], Labels(), {}, baseline
        )
        statuses.append(
            DraftStatus(
                region=region,
                live=release,
                matters=len(by_matter),
                changes=sum(len(changes) for changes in by_matter.values()),
            )
        )
    return statuses


def cities_with_unpublished_edits_by(user) -> list[Region]:
    """The cities whose draft ``user`` changed after the city's latest release (or that have none yet)."""
    edits = drafts.region_draft_edits_by(user)
    if not edits:
        return []
    cities = list(Region.objects.filter(pk__in=edits).order_by("code"))
    live = live_releases(cities, snapshots=False)
    return [city for city in cities if city.pk not in live or edits[city.pk] > live[city.pk].published_at]
