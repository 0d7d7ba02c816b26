"""Where a case goes: the route decision of 全省通办 over the published configuration (pure).

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

from config_center.drafts.codes import PROVINCE
from config_center.runtime.engine import EngineSnapshot, Refusal, not_bound, unknown_matter

UNKNOWN_AGENCY = "unknown_agency"
LOCAL_ONLY = "local_only"
BEFORE_2019_07_01 = "before_2019_07_01"
ADVANCE_PAYMENT_EXCLUDED = "advance_payment_excluded"
REASON_CODES = (UNKNOWN_AGENCY, LOCAL_ONLY, BEFORE_2019_07_01, ADVANCE_PAYMENT_EXCLUDED)

# 附件 2 二: 工伤发生时间为 2019 年 7 月 1 日（含当日）起的事项适用于线下全省通办.
PROVINCE_WIDE_FROM = datetime.date(2019, 7, 1)


@dataclass(frozen=True, slots=True)
class RouteAnswer:
    handling_agency: str
    remote: bool
    mode: str
    release: int

    ok = True


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
        return unknown_matter(matter)
    accepting = snap.agencies.get(accepting_agency)
    if accepting is None:
        return Refusal(UNKNOWN_AGENCY, f"受理机构 {accepting_agency} 不存在。")
    insured = snap.agencies.get(insured_agency)
    if insured is None:
        return Refusal(UNKNOWN_AGENCY, f"参保机构 {insured_agency} 不存在。")
    region = insured.config_region
    config = snap.configs.get((matter, region))
    if config is None:
        return not_bound(matter, region)
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
