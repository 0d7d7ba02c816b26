"""The runtime answers: material checklist, routing of a case (全省通办), SMS template (pure).

Every function takes an ``EngineSnapshot`` and returns either a small frozen answer or a ``Refusal``
(``reason_code`` is one of the module constants, ``message`` a Chinese sentence for the counter
clerk). Both carry a class attribute ``ok`` (True for answers, False for refusals). Answers are a
few dict lookups on the snapshot; nothing is scanned and nothing is cached.

Routing follows 粤社保〔2023〕4号 附件 2 (工伤保险经办服务线下全省通办指引):

* the insured person's agency decides (业务办理地 = 参保关系地); its city's published
  configuration must bind the matter, else ``not_bound``;
* accepting city == insured city → local case: handled by the insured agency, in the configured
  mode, with no restriction on injury date or advance payment;
* otherwise remote acceptance (异地受理) is only possible when the configuration is in province
  mode and the matter is province-wide in the catalog (``local_only``), for injuries from
  2019-07-01 inclusive (``before_2019_07_01``), and not for advance payment (先行支付,
  ``advance_payment_excluded``); the case goes to the insured agency, mode "province".

An agency's city is its ``city_code``; the provincial agency (440099, no city) counts as its own
region (440000). So the provincial agency accepting for a city's insured person is a remote case,
two provincial agencies are a local case, and a provincial insured agency is routed with region
440000's release (``not_bound`` when 440000 has none or does not bind the matter).
"""

import datetime
from dataclasses import dataclass

from .snapshot import (
    EMPTY_CHECKLIST,
    PROVINCE,
    ApplicationItem,
    AuxiliaryItem,
    EngineSnapshot,
    MaterialRef,
)

UNKNOWN_MATTER = "unknown_matter"
UNKNOWN_REGION = "unknown_region"
UNKNOWN_CHANNEL = "unknown_channel"
UNKNOWN_AGENCY = "unknown_agency"
UNKNOWN_EVENT = "unknown_event"
NOT_BOUND = "not_bound"
LOCAL_ONLY = "local_only"
BEFORE_2019_07_01 = "before_2019_07_01"
ADVANCE_PAYMENT_EXCLUDED = "advance_payment_excluded"

REASON_CODES = (
    UNKNOWN_MATTER,
    UNKNOWN_REGION,
    UNKNOWN_CHANNEL,
    UNKNOWN_AGENCY,
    UNKNOWN_EVENT,
    NOT_BOUND,
    LOCAL_ONLY,
    BEFORE_2019_07_01,
    ADVANCE_PAYMENT_EXCLUDED,
)

# 附件 2 二: 工伤发生时间为 2019 年 7 月 1 日（含当日）起的事项适用于线下全省通办.
PROVINCE_WIDE_FROM = datetime.date(2019, 7, 1)

SMS_EVENTS = (
    "accepted",
    "received",
    "completed",
    "terminated",
    "reminder",
    "rejected_completed",
    "suspended",
    "review_failed",
    "first_reviewed",
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
class RouteAnswer:
    handling_agency: str
    remote: bool
    mode: str
    release: int

    ok = True


@dataclass(frozen=True, slots=True)
class SmsAnswer:
    template_code: str | None
    release: int

    ok = True


def _unknown_matter(matter: str) -> Refusal:
    return Refusal(UNKNOWN_MATTER, f"事项 {matter} 不在事项目录中。")


def _unknown_region(region: str) -> Refusal:
    return Refusal(UNKNOWN_REGION, f"地区 {region} 不是已知的地市，也没有已发布的配置。")


def _not_bound(matter: str, region: str) -> Refusal:
    return Refusal(NOT_BOUND, f"事项 {matter} 在地区 {region} 的已发布配置中未绑定（或已停用）。")


def checklist(snap: EngineSnapshot, *, matter: str, region: str, channel: str) -> ChecklistAnswer | Refusal:
    """The ordered material lists of ``matter`` in city ``region`` for ``channel``.

    Checks, in order: ``unknown_matter``, ``unknown_region``, ``unknown_channel``, ``not_bound``. A
    bound matter without lists for the channel answers with empty tuples.
    """
    if matter not in snap.matters:
        return _unknown_matter(matter)
    if region not in snap.known_regions:
        return _unknown_region(region)
    if channel not in snap.channels:
        return Refusal(UNKNOWN_CHANNEL, f"办理渠道 {channel} 不存在。")
    config = snap.configs.get((matter, region))
    if config is None:
        return _not_bound(matter, region)
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


def route(
    snap: EngineSnapshot,
    *,
    matter: str,
    accepting_agency: str,
    insured_agency: str,
    injury_date: datetime.date,
    advance_payment: bool,
) -> RouteAnswer | Refusal:
    """Where a case accepted at ``accepting_agency`` for a person insured at ``insured_agency`` goes.

    Checks, in order: ``unknown_matter``, ``unknown_agency`` (accepting, then insured),
    ``not_bound`` (in the insured city); then, for a remote case only: ``local_only``,
    ``before_2019_07_01``, ``advance_payment_excluded``.
    """
    info = snap.matters.get(matter)
    if info is None:
        return _unknown_matter(matter)
    accepting = snap.agencies.get(accepting_agency)
    if accepting is None:
        return Refusal(UNKNOWN_AGENCY, f"受理机构 {accepting_agency} 不存在。")
    insured = snap.agencies.get(insured_agency)
    if insured is None:
        return Refusal(UNKNOWN_AGENCY, f"参保机构 {insured_agency} 不存在。")
    region = insured.config_region
    config = snap.configs.get((matter, region))
    if config is None:
        return _not_bound(matter, region)
    release = snap.releases[region]
    if accepting.config_region == region:
        return RouteAnswer(insured.code, False, config.distribution_mode, release)
    if config.distribution_mode != PROVINCE or not info.province_wide:
        return Refusal(
            LOCAL_ONLY,
            f"参保地 {region} 的“{info.name}”为本地模式（或不在全省通办范围），不能异地受理，"
            "请到参保地经办机构办理。",
        )
    if injury_date < PROVINCE_WIDE_FROM:
        return Refusal(
            BEFORE_2019_07_01, "工伤发生时间在 2019 年 7 月 1 日之前，不适用线下全省通办，请到参保地办理。"
        )
    if advance_payment:
        return Refusal(ADVANCE_PAYMENT_EXCLUDED, "涉及申请先行支付的业务不适用线下全省通办，请到参保地办理。")
    return RouteAnswer(insured.code, True, PROVINCE, release)


def sms_slot(snap: EngineSnapshot, *, matter: str, region: str, event: str) -> SmsAnswer | Refusal:
    """The SMS template function code for ``event`` of ``matter`` in city ``region`` (None if unset).

    Checks, in order: ``unknown_matter``, ``unknown_region``, ``unknown_event``, ``not_bound``.
    """
    if matter not in snap.matters:
        return _unknown_matter(matter)
    if region not in snap.known_regions:
        return _unknown_region(region)
    if event not in _SMS_EVENTS:
        return Refusal(UNKNOWN_EVENT, f"短信环节 {event} 不存在。")
    config = snap.configs.get((matter, region))
    if config is None:
        return _not_bound(matter, region)
    return SmsAnswer(config.sms.get(event), snap.releases[region])
