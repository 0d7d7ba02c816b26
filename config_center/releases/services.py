"""发布 / 回滚: turn a city's draft into an immutable numbered release; the runtime reads only releases."""

import logging
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from catalog.models import Region

from ..drafts import selectors as drafts
from . import rules
from .models import ConfigVersion, PublishPolicy, Release, ReleaseKind
from .selectors import live_release

logger = logging.getLogger("config_center.releases")


class PublishRefused(Exception):
    """A publish or rollback refused for a reason the user can act on."""

    def __init__(self, reason_code: str, message: str):
        super().__init__(message)
        self.reason_code = reason_code
        self.message = message


@dataclass(frozen=True)
class PublishResult:
    release: Release
    emergency: bool


def _bump_version() -> int:
    ConfigVersion.objects.get_or_create(id=1)
    ConfigVersion.objects.filter(id=1).update(version=F("version") + 1)
    return ConfigVersion.objects.values_list("version", flat=True).get(id=1)


def _next_number(region: Region) -> int:
    last = Release.objects.filter(region=region).order_by("-number").values_list("number", flat=True).first()
    return (last or 0) + 1


def _require(user, perm: str, region: Region) -> None:
    if not user.has_perm(perm, region):
        raise PublishRefused(
            rules.NOT_ALLOWED,
            _("%(user)s 没有在%(region)s%(what)s的权限。")
            % {"user": user.get_username(), "region": region.name, "what": _("发布配置")},
        )


@transaction.atomic
def release_publish(*, region: Region, user, comment: str) -> PublishResult:
    """Publish the city's current draft as a new numbered release (four-eyes and validity checked)."""
    region = Region.objects.select_for_update().get(pk=region.pk)
    _require(user, "permissions.publish_config", region)
    if not comment.strip():
        raise PublishRefused("comment_required", _("请填写发布说明。"))
    draft = drafts.region_draft(region)
    errors = drafts.region_draft_errors(region)
    if errors:
        raise PublishRefused(
            rules.CONFIGURATION_ERRORS,
            _("草稿中有错误，不能发布：%(errors)s") % {"errors": "；".join(errors[:10])},
        )
    live = live_release(region)
    if live is not None and live.snapshot == draft:
        raise PublishRefused(
            rules.NOTHING_TO_PUBLISH, _("草稿与线上版本（第 %(n)s 版）相同，无需发布。") % {"n": live.number}
        )
    policy = PublishPolicy.objects.filter(region=region).first()
    last_editor = drafts.region_draft_last_editor_id(region)
    check = rules.four_eyes_check(
        review_required=bool(policy and policy.review_required),
        publisher_id=user.pk,
        last_editor_id=last_editor,
        may_emergency_publish=user.has_perm("permissions.emergency_publish", region),
    )
    if not check.allowed:
        raise PublishRefused(
            rules.FOUR_EYES,
            _("%(region)s已开启发布审核：草稿的最后修改人不能自己发布，请由另一位有发布权限的人员发布。")
            % {"region": region.name},
        )
    release = Release.objects.create(
        region=region,
        number=_next_number(region),
        kind=ReleaseKind.PUBLISH,
        comment=comment.strip(),
        published_by=user,
        emergency=check.emergency,
        snapshot=draft,
        matter_count=len(draft),
    )
    if check.emergency:
        logger.warning(
            "emergency publish: %s published %s release %s past 发布审核",
            user.get_username(),
            region.code,
            release.number,
        )
    _bump_version()
    return PublishResult(release, check.emergency)


@transaction.atomic
def release_rollback(*, region: Region, to_number: int, user, comment: str = "") -> Release:
    """A new release equal to release ``to_number`` (history is never rewritten)."""
    region = Region.objects.select_for_update().get(pk=region.pk)
    _require(user, "permissions.publish_config", region)
    target = Release.objects.filter(region=region, number=to_number).first()
    if target is None:
        raise PublishRefused(
            rules.UNKNOWN_RELEASE, _("%(region)s没有第 %(n)s 版。") % {"region": region.name, "n": to_number}
        )
    live = live_release(region)
    if live is not None and live.number == target.number:
        raise PublishRefused(rules.SAME_AS_LIVE, _("第 %(n)s 版就是线上版本，无需回滚。") % {"n": to_number})
    release = Release.objects.create(
        region=region,
        number=_next_number(region),
        kind=ReleaseKind.ROLLBACK,
        rolled_back_to=target.number,
        comment=comment.strip() or _("回滚到第 %(n)s 版") % {"n": target.number},
        published_by=user,
        snapshot=target.snapshot,
        matter_count=target.matter_count,
    )
    _bump_version()
    return release
