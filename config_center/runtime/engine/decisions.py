"""The runtime answers of the configuration: material checklist and SMS template (pure).

Every function takes an ``EngineSnapshot`` and returns either a small frozen answer or a ``Refusal``
(``reason_code`` is one of the module constants, ``message`` a Chinese sentence for the counter
clerk). Both carry a class attribute ``ok`` (True for answers, False for refusals). Answers are a
few dict lookups on the snapshot; nothing is scanned and nothing is cached. Where a case goes (the
route decision) is ``routing.decisions``, over the same snapshot.
"""

from dataclasses import dataclass

from sms_templates.events import SMS_EVENTS

from .snapshot import (
    EMPTY_CHECKLIST,
    ApplicationItem,
    AuxiliaryItem,
    EngineSnapshot,
    MaterialRef,
)

UNKNOWN_MATTER = "unknown_matter"
UNKNOWN_REGION = "unknown_region"
UNKNOWN_CHANNEL = "unknown_channel"
UNKNOWN_EVENT = "unknown_event"
NOT_BOUND = "not_bound"

REASON_CODES = (
    UNKNOWN_MATTER,
    UNKNOWN_REGION,
    UNKNOWN_CHANNEL,
    UNKNOWN_EVENT,
    NOT_BOUND,
)


_SMS_EVENTS = frozenset(SMS_EVENTS)


@dataclass(frozen=True, slots=True)
class Refusal:
    reason_code: str
    message: str

    ok = False


@dataclass(frozen=True, slots=True)
class ChecklistAnswer:
    matter: str
    region: str
    channel: str
    release: int
    distribution_mode: str
    time_limit_days: int
    review_levels: int
    main: tuple[MaterialRef, ...]
    auxiliary: tuple[AuxiliaryItem, ...]
    application_items: tuple[ApplicationItem, ...]

    ok = True


@dataclass(frozen=True, slots=True)
class SmsAnswer:
    template_code: str | None
    release: int

    ok = True


def unknown_matter(matter: str) -> Refusal:
    return Refusal(UNKNOWN_MATTER, f"事项 {matter} 不在事项目录中。")


def _unknown_region(region: str) -> Refusal:
    return Refusal(UNKNOWN_REGION, f"地区 {region} 不是已知的地市，也没有已发布的配置。")


def not_bound(matter: str, region: str) -> Refusal:
    return Refusal(NOT_BOUND, f"事项 {matter} 在地区 {region} 的已发布配置中未绑定（或已停用）。")


def checklist(snap: EngineSnapshot, *, matter: str, region: str, channel: str) -> ChecklistAnswer | Refusal:
    """The ordered material lists of ``matter`` in city ``region`` for ``channel``.

    Checks, in order: ``unknown_matter``, ``unknown_region``, ``unknown_channel``, ``not_bound``. A
    bound matter without lists for the channel answers with empty tuples.
    """
    if matter not in snap.matters:
        return unknown_matter(matter)
    if region not in snap.known_regions:
        return _unknown_region(region)
    if channel not in snap.channels:
        return Refusal(UNKNOWN_CHANNEL, f"办理渠道 {channel} 不存在。")
    config = snap.configs.get((matter, region))
    if config is None:
        return not_bound(matter, region)
    lists = config.checklists.get(channel, EMPTY_CHECKLIST)
    return ChecklistAnswer(
        matter,
        region,
        channel,
        snap.releases[region],
        config.distribution_mode,
        config.time_limit_days,
        config.review_levels,
        lists.main,
        lists.auxiliary,
        lists.application_items,
    )


def sms_slot(snap: EngineSnapshot, *, matter: str, region: str, event: str) -> SmsAnswer | Refusal:
    """The SMS template function code for ``event`` of ``matter`` in city ``region`` (None if unset).

    Checks, in order: ``unknown_matter``, ``unknown_region``, ``unknown_event``, ``not_bound``.
    """
    if matter not in snap.matters:
        return unknown_matter(matter)
    if region not in snap.known_regions:
        return _unknown_region(region)
    if event not in _SMS_EVENTS:
        return Refusal(UNKNOWN_EVENT, f"短信环节 {event} 不存在。")
    config = snap.configs.get((matter, region))
    if config is None:
        return not_bound(matter, region)
    return SmsAnswer(config.sms.get(event), snap.releases[region])
