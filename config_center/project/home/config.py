"""The administrators' part of the home page: per city of their scope, what of the configuration is not yet
published, which bound matters are incomplete, and how many SMS failed.

Fixed queries however many cities: the drafts against their releases (``draft_statuses``), the findings of
every bound matter (``local_matter_findings``, prefetched), the failed messages grouped by city.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from catalog.models import Region
from config_center.drafts import rules
from config_center.drafts.selectors import drafts_of, local_matter_findings, local_matters_with_config
from config_center.releases.notices import COMPARE_URL, DRAFT, PUBLISH_URL
from config_center.releases.selectors import draft_statuses, may_compare, may_publish
from permissions.selectors import allowed_city_codes
from sms_templates.selectors import failed_message_counts

from .work import admin_url

CHANGE_PERMISSION = "config_center.change_localmatter"
PROBLEMS = (rules.ERROR, rules.INCOMPLETE)  # what 配置完整性 counts as 待完善


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
    published: bool  # the city has a release
    unpublished: int  # matters of the draft that differ from the latest release
    compare_url: str
    publish_url: str
    incomplete: int  # bound matters with findings to complete
    incomplete_url: str
    failed_sms: int
    failed_sms_url: str

    @property
    def clean(self) -> bool:
        return not (self.unpublished or self.incomplete or self.failed_sms)


def city_configs(user, cities: list[Region]) -> list[CityConfig]:
    """One line per city: unpublished matters, incomplete matters, failed SMS, each with its screen."""
    if not cities:
        return []
    # The bound matters read once: the drafts compared with the releases, and the findings of each matter.
    bound = list(local_matters_with_config().filter(region__in=cities, is_active=True))
    drafts = drafts_of(cities, bound)
    statuses = {status.region.pk: status for status in draft_statuses(cities, draft_by_region=drafts)}
    findings = local_matter_findings(bound)
    incomplete = Counter(
        local.region_id
        for local in bound
        if any(finding.severity in PROBLEMS for finding in findings[local.pk])
    )
    failed = failed_message_counts(city.pk for city in cities)
    sees_outbox = user.has_perm("sms_templates.view_smsmessage")
    lines = []
    for city in cities:
        status = statuses[city.pk]
        pending = status.pending
        lines.append(
            CityConfig(
                city=city,
                published=status.live is not None,
                unpublished=status.matters,
                compare_url=admin_url(
                    COMPARE_URL.removeprefix("admin:"),
                    query={"region": city.code, "a": status.live.number if status.live else 0, "b": DRAFT},
                )
                if pending and may_compare(user, city)
                else "",
                publish_url=admin_url(PUBLISH_URL.removeprefix("admin:"), query={"region": city.code})
                if pending and may_publish(user, city)
                else "",
                incomplete=incomplete[city.pk],
                incomplete_url=admin_url(
                    "config_center_localmatter_changelist",
                    query={"region__id__exact": city.pk, "is_active__exact": 1},
                ),
                failed_sms=failed.get(city.pk, 0),
                failed_sms_url=admin_url(
                    "sms_templates_smsmessage_changelist",
                    query={"status__exact": "failed", "region__id__exact": city.pk},
                )
                if sees_outbox
                else "",
            )
        )
    return lines
