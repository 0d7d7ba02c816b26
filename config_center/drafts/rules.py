"""Is a local matter's configuration valid, and is it complete? Pure functions over plain data.

The admin form, the importer and the completeness column all call these, so a rule lives in one place.
Severity: ``error`` refuses the save; ``incomplete`` is saved but flagged (the matter is not ready for
its mode); ``warning`` is advice.
"""

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from catalog.codes import COUNTER_CHANNEL, KIOSK_CHANNEL
from sms_templates.events import FIRST_REVIEWED

from .codes import APPLICATION, AUXILIARY, COMPLETION, INSTANT, MAIN, PROVINCE, REVIEW_LEVELS

ERROR = "error"
INCOMPLETE = "incomplete"
WARNING = "warning"

TIME_LIMIT_RANGE = (1, 365)


@dataclass(frozen=True)
class Finding:
    """One problem found in a configuration."""

    severity: str
    code: str
    message: str
    field: str | None = None


@dataclass(frozen=True)
class ListItem:
    material_code: str
    name: str = ""
    send_to_ministry: bool = False
    position: int = 0


@dataclass(frozen=True)
class SmsSlotFacts:
    event: str
    event_label: str
    template_code: str
    template_active: bool
    template_valid: bool
    template_region: str | None = None  # the city whose own template it is; None: province-wide


@dataclass(frozen=True)
class PrintSlotFacts:
    document: str
    document_label: str
    template_code: str
    template_document: str
    template_active: bool
    e_seal: bool
    anti_forgery_code: bool


@dataclass(frozen=True)
class LocalMatterFacts:
    """Everything the rules need about one local matter, detached from the ORM."""

    matter_code: str
    matter_name: str
    matter_active: bool
    province_wide_eligible: bool
    distribution_mode: str
    flow_mode: str
    review_levels: int
    time_limit_days: int
    counter_enabled: bool = True
    post_enabled: bool = False
    post_fee_payer: str = ""
    hall_listed: bool = False
    hall_item_code: str = ""
    kiosk_accept: bool = False
    e_seal_enabled: bool = False
    e_seal_code: str = ""
    # (channel code, kind) -> the list, in order
    checklists: Mapping[tuple[str, str], Sequence[ListItem]] = field(default_factory=dict)
    channel_names: Mapping[str, str] = field(default_factory=dict)
    kind_labels: Mapping[str, str] = field(default_factory=dict)  # 主材料, 辅助材料, 申请事项材料
    region_code: str = ""  # the city this local matter belongs to
    sms_slots: Sequence[SmsSlotFacts] = ()
    print_slots: Sequence[PrintSlotFacts] = ()


def distribution_mode_findings(mode: str, *, province_wide_eligible: bool, matter_name: str) -> list[Finding]:
    if mode == PROVINCE and not province_wide_eligible:
        return [
            Finding(
                ERROR,
                "province_mode_not_eligible",
                _(
                    "“%(matter)s”在事项目录中未标记为可全省通办，不能设为全省模式；请选择本地模式，或请省级管理员先在业务事项中勾选“可全省通办”。"
                )
                % {"matter": matter_name},
                "distribution_mode",
            )
        ]
    return []


def flow_findings(*, flow_mode: str, review_levels: int, time_limit_days: int) -> list[Finding]:
    found = []
    low, high = TIME_LIMIT_RANGE
    if not low <= time_limit_days <= high:
        found.append(
            Finding(
                ERROR,
                "time_limit_out_of_range",
                _("办理时限须在 %(low)s 至 %(high)s 个工作日之间。") % {"low": low, "high": high},
                "time_limit_days",
            )
        )
    if review_levels not in REVIEW_LEVELS:
        found.append(
            Finding(ERROR, "invalid_review_levels", _("业务审核级别只能是一级或二级。"), "review_levels")
        )
    if flow_mode == INSTANT and review_levels == 2:
        found.append(
            Finding(
                ERROR,
                "instant_with_two_levels",
                _("即办件受理后当场审核办结，只能设为一级审核（初审）。"),
                "review_levels",
            )
        )
    return found


def list_findings(kind: str, items: Iterable[ListItem], *, list_label: str = "") -> list[Finding]:
    """Rules for one ordered list (``list_label`` names it in messages): each material once, names where
    the list needs them."""
    items = list(items)
    label = list_label or kind
    found = []
    counts = Counter(item.material_code for item in items)
    for code, count in counts.items():
        if count > 1:
            found.append(
                Finding(
                    ERROR,
                    "duplicate_material",
                    _("%(list)s中材料 %(code)s 出现了 %(count)s 次，同一清单中每种材料只能出现一次。")
                    % {"list": label, "code": code, "count": count},
                    "material",
                )
            )
    if kind in (AUXILIARY, APPLICATION):
        what = _("辅助项名称") if kind == AUXILIARY else _("申请事项名称")
        for index, item in enumerate(items, start=1):
            if not item.name.strip():
                found.append(
                    Finding(
                        ERROR,
                        "missing_item_name",
                        _("%(list)s第 %(row)s 行缺少%(what)s。")
                        % {"list": label, "row": index, "what": what},
                        "name",
                    )
                )
    return found


def property_findings(facts: LocalMatterFacts) -> list[Finding]:
    found = []
    if facts.post_enabled and not facts.post_fee_payer:
        found.append(
            Finding(
                ERROR, "post_without_payer", _("已开启邮政寄送，请选择寄送费用由谁承担。"), "post_fee_payer"
            )
        )
    if facts.hall_listed and not facts.hall_item_code:
        found.append(
            Finding(
                ERROR,
                "hall_without_item_code",
                _("进驻政务服务大厅的事项须填写政务服务事项编码。"),
                "hall_item_code",
            )
        )
    if facts.e_seal_enabled and not facts.e_seal_code:
        found.append(
            Finding(ERROR, "e_seal_without_code", _("启用电子印章须填写电子印章编码。"), "e_seal_code")
        )
    return found


def print_slot_findings(facts: LocalMatterFacts) -> list[Finding]:
    found = []
    for slot in facts.print_slots:
        if slot.template_document != slot.document:
            found.append(
                Finding(
                    ERROR,
                    "print_template_wrong_document",
                    _("%(doc)s选择的模板 %(code)s 不是%(doc)s模板。")
                    % {"doc": slot.document_label, "code": slot.template_code},
                    f"print_{slot.document}",
                )
            )
        if slot.anti_forgery_code and slot.document != COMPLETION:
            found.append(
                Finding(
                    ERROR,
                    "anti_forgery_not_completion",
                    _("只有业务办结单可以配置验伪码。"),
                    f"print_{slot.document}_anti_forgery_code",
                )
            )
        if slot.e_seal and not facts.e_seal_enabled:
            found.append(
                Finding(
                    ERROR,
                    "e_seal_disabled",
                    _("%(doc)s要求加盖电子印章，但本事项未启用电子印章。") % {"doc": slot.document_label},
                    f"print_{slot.document}_e_seal",
                )
            )
        if not slot.template_active:
            found.append(
                Finding(
                    INCOMPLETE,
                    "print_template_inactive",
                    _("%(doc)s使用的模板 %(code)s 已停用。")
                    % {"doc": slot.document_label, "code": slot.template_code},
                    f"print_{slot.document}",
                )
            )
    return found


def sms_template_scope_finding(
    *, event: str, event_label: str, template_code: str, template_region: str | None, region: str
) -> Finding | None:
    """A city sends province-wide templates and its own only: another city's template would let that city
    decide what this city's citizens receive, without this city publishing anything."""
    if template_region is None or template_region == region:
        return None
    return Finding(
        ERROR,
        "sms_template_other_city",
        _("%(event)s选择的短信模板 %(code)s 是其他城市的模板；只能使用全省通用或本市的短信模板。")
        % {"event": event_label, "code": template_code},
        f"sms_{event}",
    )


def print_template_scope_finding(
    *, document: str, document_label: str, template_code: str, template_region: str | None, region: str
) -> Finding | None:
    """Like SMS templates: a city prints with province-wide templates and its own only."""
    if template_region is None or template_region == region:
        return None
    return Finding(
        ERROR,
        "print_template_other_city",
        _("%(doc)s选择的模板 %(code)s 是其他城市的模板；只能使用全省通用或本市的打印模板。")
        % {"doc": document_label, "code": template_code},
        f"print_{document}",
    )


def sms_slot_findings(facts: LocalMatterFacts) -> list[Finding]:
    found = []
    for slot in facts.sms_slots:
        foreign = sms_template_scope_finding(
            event=slot.event,
            event_label=slot.event_label,
            template_code=slot.template_code,
            template_region=slot.template_region,
            region=facts.region_code,
        )
        if foreign is not None:
            found.append(foreign)
        if not slot.template_active or not slot.template_valid:
            reason = _("已设为无效") if not slot.template_active else _("内容不合规")
            found.append(
                Finding(
                    INCOMPLETE,
                    "sms_template_invalid",
                    _("%(event)s绑定的短信模板 %(code)s %(reason)s，该环节不会发出短信。")
                    % {"event": slot.event_label, "code": slot.template_code, "reason": reason},
                    f"sms_{slot.event}",
                )
            )
        if slot.event == FIRST_REVIEWED and facts.review_levels == 1:
            found.append(
                Finding(
                    WARNING,
                    "first_reviewed_sms_single_level",
                    _("一级审核的业务初审即办结，已初审短信不会单独发出。"),
                    f"sms_{slot.event}",
                )
            )
    return found


def completeness_findings(facts: LocalMatterFacts) -> list[Finding]:
    found = []
    counter_main = facts.checklists.get((COUNTER_CHANNEL, MAIN), ())
    if facts.distribution_mode == PROVINCE and not counter_main:
        found.append(
            Finding(
                INCOMPLETE,
                "province_mode_without_counter_materials",
                _("全省模式的事项须配置柜台主材料，其他城市的网点才能按此清单收件。"),
                None,
            )
        )
    elif facts.counter_enabled and not counter_main:
        found.append(
            Finding(INCOMPLETE, "counter_without_materials", _("柜台可受理，但尚未配置柜台主材料。"), None)
        )
    if facts.kiosk_accept and not facts.checklists.get((KIOSK_CHANNEL, MAIN)):
        found.append(
            Finding(
                INCOMPLETE,
                "kiosk_without_materials",
                _("自助机可受理，但尚未配置自助机主材料。"),
                "kiosk_accept",
            )
        )
    if not facts.matter_active:
        found.append(Finding(WARNING, "matter_inactive", _("该事项在事项目录中已停用，配置不会生效。"), None))
    return found


def _own_findings(facts: LocalMatterFacts) -> list[Finding]:
    """Findings about the local matter's own fields and its print slots (what one save sets)."""
    return [
        *distribution_mode_findings(
            facts.distribution_mode,
            province_wide_eligible=facts.province_wide_eligible,
            matter_name=facts.matter_name,
        ),
        *flow_findings(
            flow_mode=facts.flow_mode,
            review_levels=facts.review_levels,
            time_limit_days=facts.time_limit_days,
        ),
        *property_findings(facts),
        *print_slot_findings(facts),
    ]


def save_findings(facts: LocalMatterFacts) -> list[Finding]:
    """What refuses saving a local matter, whoever saves it (the form, the importer, a copy): the errors
    among its own findings. Lists are judged as they are saved (``list_findings``)."""
    return [finding for finding in _own_findings(facts) if finding.severity == ERROR]


def check_local_matter(facts: LocalMatterFacts) -> tuple[Finding, ...]:
    """Every finding for one local matter, errors first."""
    found = _own_findings(facts)
    for (channel, kind), items in facts.checklists.items():
        label = f"{facts.channel_names.get(channel, channel)}{facts.kind_labels.get(kind, kind)}"
        found.extend(list_findings(kind, items, list_label=label))
    found.extend(sms_slot_findings(facts))
    found.extend(completeness_findings(facts))
    order = {ERROR: 0, INCOMPLETE: 1, WARNING: 2}
    return tuple(sorted(found, key=lambda finding: order[finding.severity]))


def is_complete(findings: Iterable[Finding]) -> bool:
    return not any(finding.severity in (ERROR, INCOMPLETE) for finding in findings)
