"""The administrators' part of the home page: per city of their scope, what of the configuration is not yet
published, and how many SMS failed; for the administrator of one city, its incomplete matters too.

Unpublished: the saves of the city's draft after its latest release (history tables, by date; after a 回滚,
since the release it went back to), or that the city has bound matters but never published — aggregate
queries, a fixed number however many cities. The exact difference is one click away (查看差异).

Incomplete: the configuration rules run in Python on each bound matter with all its lists
(``local_matter_findings``), about a hundred milliseconds for a city of twenty matters. So they are counted for
the administrator of one city only, and kept in the cache under the time of the city's last save: a save
recounts at once, a change elsewhere (templates, the catalog) within ``INCOMPLETE_TTL``. An administrator of
several cities opens a city's 本地业务属性定义 list, whose 配置完整性 column shows them page by page; counting
21 cities on every view of the home page would read every checklist row of the province.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass

from django.core.cache import cache

from catalog.models import Region
from config_center.drafts import rules
from config_center.drafts.selectors import (
    bound_matter_counts,
    local_matter_findings,
    local_matters_with_config,
    region_draft_saves_since,
)
from config_center.releases.notices import COMPARE_URL, DRAFT, PUBLISH_URL
from config_center.releases.selectors import draft_baselines, live_releases, may_compare, may_publish
from permissions.selectors import allowed_city_codes
from sms_templates.selectors import failed_message_counts

from .work import admin_url

CHANGE_PERMISSION = "config_center.change_localmatter"
PROBLEMS = (rules.ERROR, rules.INCOMPLETE)  # what 配置完整性 counts as 待完善
INCOMPLETE_TTL = 300  # seconds: how stale the count may be after a change outside the city's draft
EPOCH = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)  # before any save: "every save" of a city


def administered_cities(user) -> list[Region]:
    """The cities where ``user`` may change local matters (本地业务属性定义), by code."""
    if not user.is_active:
        return []
    codes = allowed_city_codes(user, [CHANGE_PERMISSION])
    if codes is not None and not codes:
        return []
    cities = Region.objects.filter(level=Region.Level.CITY).order_by("code")
    return list(cities if codes is None else cities.filter(code__in=codes))


@dataclass(frozen=True)
class CityConfig:
    city: Region
    bound: int  # bound (active) matters
    release: int | None  # the latest release's number (None: never published)
    saves: int  # saves of the draft after the latest release
    last_save: datetime.datetime | None
    compare_url: str
    publish_url: str
    incomplete: int | None  # bound matters with findings to complete (None: not computed here)
    matters_url: str  # the city's 本地业务属性定义 list (its 配置完整性 column)
    failed_sms: int
    failed_sms_url: str

    @property
    def unpublished(self) -> bool:
        return bool(self.saves) or (self.release is None and bool(self.bound))

    @property
    def clean(self) -> bool:
        return not (self.unpublished or self.incomplete or self.failed_sms)


def _incomplete(city: Region, last_save: datetime.datetime | None) -> int:
    """The city's bound matters with findings to complete, counted again once the city's draft is saved."""
    key = f"home:incomplete:{city.pk}:{last_save.isoformat() if last_save else '-'}"
    count = cache.get(key)
    if count is None:
        bound = list(local_matters_with_config().filter(region=city, is_active=True))
        findings = local_matter_findings(bound)
        count = sum(1 for local in bound if any(found.severity in PROBLEMS for found in findings[local.pk]))
        cache.set(key, count, INCOMPLETE_TTL)
    return count


def city_configs(user, cities: list[Region]) -> list[CityConfig]:
    """One line per city: unpublished saves (or never published), failed SMS, each with its screen; the
    incomplete matters when ``cities`` is one city."""
    if not cities:
        return []
    live = live_releases(cities, snapshots=False)
    bound = bound_matter_counts(cities)
    baselines = draft_baselines(live)
    # Since the baseline of a published city; since ever for the others (their last save keys the cache).
    saves = region_draft_saves_since({city.pk: baselines.get(city.pk, EPOCH) for city in cities})
    failed = Counter(failed_message_counts(city.pk for city in cities))
    incomplete = {}
    if len(cities) == 1:
        city = cities[0]
        incomplete[city.pk] = _incomplete(city, saves.get(city.pk, (0, baselines.get(city.pk)))[1])
    sees_outbox = user.has_perm("sms_templates.view_smsmessage")
    lines = []
    for city in cities:
        release = live.get(city.pk)
        count, last = saves.get(city.pk, (0, None)) if release else (0, None)
        pending = bool(count) or (release is None and bound.get(city.pk, 0) > 0)
        lines.append(
            CityConfig(
                city=city,
                bound=bound.get(city.pk, 0),
                release=release.number if release else None,
                saves=count,
                last_save=last,
                compare_url=admin_url(
                    COMPARE_URL.removeprefix("admin:"),
                    query={"region": city.code, "a": release.number if release else 0, "b": DRAFT},
                )
                if pending and may_compare(user, city)
                else "",
                publish_url=admin_url(PUBLISH_URL.removeprefix("admin:"), query={"region": city.code})
                if pending and may_publish(user, city)
                else "",
                incomplete=incomplete.get(city.pk),
                matters_url=admin_url(
                    "config_center_localmatter_changelist",
                    query={"region__id__exact": city.pk, "is_active__exact": 1},
                ),
                failed_sms=failed[city.pk],
                failed_sms_url=admin_url(
                    "sms_templates_smsmessage_changelist",
                    query={"status__exact": "failed", "region__id__exact": city.pk},
                )
                if sees_outbox
                else "",
            )
        )
    return lines
