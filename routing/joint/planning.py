"""The rules of a joint application (联办申请), as pure functions over plain data (no Django).

000 第四部分 (线下办理流程) says what is checked when an application is submitted and how its cases go on:

1. The chosen matters must be joint-handling matters (the 15 of 000 第三部分), each named once; no two may
   conflict (冲突事项, either way round); each prerequisite (前置事项) must be chosen too or already decided for
   the person (a completed case of that matter for that ID number): ``plan`` answers a ``Plan`` — the cases in an
   order where every prerequisite comes first, each with the cases it waits for — or a ``Refusal`` naming every
   problem and the matters concerned, so the clerk can help the applicant adjust the choice at once.
2. Materials: the union of what the chosen matters ask for on the channel (the published checklists), each
   material once (one upload serves every case that needs it). A decision a prerequisite produces
   (``OUTPUT_DOCUMENTS``: 工伤认定决定书, 劳动能力鉴定结论书) is passed on internally (内部流转, rule 3) and never asked
   of the applicant. What is still missing is told in ONE notice (一次性告知, rule 1).
3. The application's state is derived from its cases' states (``application_status``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from .. import states

MISSING_PREREQUISITE = "missing_prerequisite"
CONFLICT = "conflict"
NOT_JOINT_MATTER = "not_joint_matter"
DUPLICATE = "duplicate"
UNKNOWN_MATTER = "unknown_matter"
ALREADY_OPEN = "already_open"
NO_MATTERS = "no_matters"
# When several problems are found, the answer's reason code is the first kind in this order.
REASON_ORDER = (
    NO_MATTERS,
    UNKNOWN_MATTER,
    DUPLICATE,
    NOT_JOINT_MATTER,
    CONFLICT,
    MISSING_PREREQUISITE,
    ALREADY_OPEN,
)

# A case of these is a decision others may rely on (办结, then perhaps 归档).
DECIDED = frozenset({states.COMPLETED, states.ARCHIVED})

# The document a matter's 办结 produces, passed on to the cases that wait for it (material codes of the catalog).
OUTPUT_DOCUMENTS: Mapping[str, str] = {
    "GS0301": "CL003",  # 工伤认定申请 → 工伤认定决定书
    "GS0302": "CL004",  # 劳动能力鉴定申请 → 劳动能力鉴定结论书
}


@dataclass(frozen=True)
class MatterRule:
    """What the catalog says of one matter: its name, whether it is jointly handled, its relations."""

    code: str
    name: str
    joint: bool
    prerequisites: frozenset[str] = frozenset()
    conflicts: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Problem:
    """One reason the choice cannot be submitted: the matter concerned and the others it names."""

    reason_code: str
    matter: str
    others: tuple[str, ...]
    message: str

    def as_dict(self) -> dict:
        return {
            "reason_code": self.reason_code,
            "matter": self.matter,
            "others": list(self.others),
            "message": self.message,
        }


@dataclass(frozen=True)
class Refusal:
    problems: tuple[Problem, ...]

    ok = False

    @property
    def reason_code(self) -> str:
        return min((p.reason_code for p in self.problems), key=REASON_ORDER.index)

    @property
    def message(self) -> str:
        return "；".join(problem.message for problem in self.problems) + "。"


@dataclass(frozen=True)
class PlannedCase:
    matter: str
    waits_for: tuple[str, ...]  # prerequisites chosen in this application: the cases it waits for
    decided: tuple[str, ...]  # prerequisites already decided for the person
    internal_materials: tuple[str, ...]  # what its prerequisites' decisions provide (内部流转)


@dataclass(frozen=True)
class Plan:
    cases: tuple[PlannedCase, ...]  # every prerequisite before the cases that wait for it

    ok = True

    def case(self, matter: str) -> PlannedCase:
        return next(planned for planned in self.cases if planned.matter == matter)


def _name(code: str, rules: Mapping[str, MatterRule]) -> str:
    rule = rules.get(code)
    return f"{rule.name}（{code}）" if rule else code


def _names(codes: Iterable[str], rules: Mapping[str, MatterRule]) -> str:
    return "、".join(_name(code, rules) for code in codes)


def conflicting(first: str, second: str, rules: Mapping[str, MatterRule]) -> bool:
    """A conflict holds both ways, whichever matter records it."""
    a, b = rules.get(first), rules.get(second)
    return bool((a and second in a.conflicts) or (b and first in b.conflicts))


def choice_problems(
    chosen: Sequence[str],
    rules: Mapping[str, MatterRule],
    *,
    decided: Iterable[str] = (),
    open_elsewhere: Iterable[str] = (),
) -> list[Problem]:
    """Every problem of the choice, in the order the matters were chosen (empty: it may be submitted).

    ``decided``: matters the person already has a completed case of; ``open_elsewhere``: matters the person
    has an open case of (asking again while one is being handled is refused)."""
    decided, open_elsewhere = frozenset(decided), frozenset(open_elsewhere)
    if not chosen:
        return [Problem(NO_MATTERS, "", (), "请至少选择一个联办事项")]
    problems: list[Problem] = []
    seen: set[str] = set()
    unique: list[str] = []
    for code in chosen:
        if code in seen:
            if not any(p.reason_code == DUPLICATE and p.matter == code for p in problems):
                problems.append(
                    Problem(DUPLICATE, code, (), f"{_name(code, rules)}选择了两次，每个事项只能申请一次")
                )
            continue
        seen.add(code)
        unique.append(code)
    # Relations are judged among the joint matters only: one refused as not joint needs no more words.
    known = [code for code in unique if code in rules and rules[code].joint]
    for code in unique:
        if code not in rules:
            problems.append(Problem(UNKNOWN_MATTER, code, (), f"事项 {code} 不在事项目录中"))
        elif not rules[code].joint:
            problems.append(
                Problem(NOT_JOINT_MATTER, code, (), f"{_name(code, rules)}不是“一件事”联办事项，请单独申请")
            )
    for index, code in enumerate(known):
        for other in known[index + 1 :]:
            if conflicting(code, other, rules):
                problems.append(
                    Problem(
                        CONFLICT,
                        code,
                        (other,),
                        f"{_name(code, rules)}与{_name(other, rules)}不能在同一次联办申请中同时申请",
                    )
                )
    chosen_set = frozenset(known)
    for code in known:
        missing = sorted(rules[code].prerequisites - chosen_set - decided)
        if missing:
            problems.append(
                Problem(
                    MISSING_PREREQUISITE,
                    code,
                    tuple(missing),
                    f"{_name(code, rules)}须先办结{_names(missing, rules)}：请一并选择，或待其办结后再申请",
                )
            )
    for code in known:
        if code in open_elsewhere:
            problems.append(
                Problem(ALREADY_OPEN, code, (), f"申请人已有一笔正在办理的{_name(code, rules)}，不能重复申请")
            )
    return problems


def plan(
    chosen: Sequence[str],
    rules: Mapping[str, MatterRule],
    *,
    decided: Iterable[str] = (),
    open_elsewhere: Iterable[str] = (),
) -> Plan | Refusal:
    """The cases of the application in dependency order, or every reason it cannot be submitted."""
    decided = frozenset(decided)
    problems = choice_problems(chosen, rules, decided=decided, open_elsewhere=open_elsewhere)
    if problems:
        return Refusal(tuple(problems))
    chosen = list(dict.fromkeys(chosen))
    chosen_set = frozenset(chosen)
    waits = {code: tuple(p for p in chosen if p in rules[code].prerequisites) for code in chosen}
    ordered: list[str] = []
    placed: set[str] = set()
    # Kahn's algorithm, stable in the order chosen (the catalog's rules have no cycle: catalog.dependencies).
    while len(ordered) < len(chosen):
        ready = [code for code in chosen if code not in placed and set(waits[code]) <= placed]
        if not ready:  # a cycle after all: refuse rather than loop
            stuck = [code for code in chosen if code not in placed]
            return Refusal(
                tuple(
                    Problem(
                        MISSING_PREREQUISITE, code, waits[code], f"{_name(code, rules)}的前置事项形成循环"
                    )
                    for code in stuck
                )
            )
        ordered.append(ready[0])
        placed.add(ready[0])
    cases = []
    for code in ordered:
        prerequisites = rules[code].prerequisites
        given = sorted(prerequisites & decided - chosen_set)
        sources = [p for p in [*waits[code], *given] if p in OUTPUT_DOCUMENTS]
        cases.append(
            PlannedCase(
                matter=code,
                waits_for=waits[code],
                decided=tuple(given),
                internal_materials=tuple(dict.fromkeys(OUTPUT_DOCUMENTS[p] for p in sources)),
            )
        )
    return Plan(tuple(cases))


# ---- materials -----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ChecklistItem:
    code: str
    name: str
    required: bool  # a main material (主材料); the others are asked when they apply (辅助 / 申请事项材料)


@dataclass(frozen=True)
class MaterialNeed:
    """One material of the application, listed once whatever the number of matters asking for it."""

    code: str
    name: str
    required_by: tuple[str, ...] = ()  # matters whose main list asks the applicant for it
    optional_for: tuple[str, ...] = ()  # matters that ask for it when it applies
    internal_for: tuple[str, ...] = ()  # matters that receive it from a prerequisite's decision (内部流转)

    @property
    def from_applicant(self) -> bool:
        return bool(self.required_by or self.optional_for)

    @property
    def shared(self) -> bool:
        return len(self.required_by) + len(self.optional_for) > 1


def material_union(plan: Plan, checklists: Mapping[str, Sequence[ChecklistItem]]) -> tuple[MaterialNeed, ...]:
    """Each material the application involves, once, in the order first asked (the cases in plan order)."""
    order: list[str] = []
    names: dict[str, str] = {}
    roles: dict[str, dict[str, list[str]]] = {}
    for planned in plan.cases:
        internal = set(planned.internal_materials)
        for item in checklists.get(planned.matter, ()):
            if item.code not in roles:
                order.append(item.code)
                names[item.code] = item.name
                roles[item.code] = {"required": [], "optional": [], "internal": []}
            role = "internal" if item.code in internal else "required" if item.required else "optional"
            others = [r for r in roles[item.code].values() if planned.matter in r]
            if not others:
                roles[item.code][role].append(planned.matter)
            elif role == "required" and planned.matter in roles[item.code]["optional"]:
                # Listed twice by one matter (a main material named again as an application item): required.
                roles[item.code]["optional"].remove(planned.matter)
                roles[item.code]["required"].append(planned.matter)
    return tuple(
        MaterialNeed(
            code=code,
            name=names[code],
            required_by=tuple(roles[code]["required"]),
            optional_for=tuple(roles[code]["optional"]),
            internal_for=tuple(roles[code]["internal"]),
        )
        for code in order
    )


def missing_materials(union: Sequence[MaterialNeed], provided: Iterable[str]) -> tuple[MaterialNeed, ...]:
    """The materials some matter requires of the applicant that were not provided (the 一次性告知)."""
    provided = frozenset(provided)
    return tuple(need for need in union if need.required_by and need.code not in provided)


def owed_by_applicant(missing: Iterable[str], internal: Iterable[str]) -> list[str]:
    """Of a case's missing materials, those the applicant owes (the rest come from its prerequisites)."""
    internal = frozenset(internal)
    return [code for code in missing if code not in internal]


def notice_text(missing: Sequence[MaterialNeed], matter_names: Mapping[str, str]) -> str:
    """One notice listing everything missing and which matters wait for it (empty when nothing is)."""
    if not missing:
        return ""
    lines = [
        f"{number}. {need.name}（{need.code}），用于：{'、'.join(matter_names.get(m, m) for m in need.required_by)}"
        for number, need in enumerate(missing, start=1)
    ]
    return "请补充以下材料（一次性告知），补齐后受影响的事项恢复办理：\n" + "\n".join(lines)


# ---- the application's state ----------------------------------------------------------------------------------
IN_PROGRESS = "in_progress"
PARTLY_SUSPENDED = "partly_suspended"
COMPLETED = "completed"
PARTLY_COMPLETED = "partly_completed"
ENDED = "ended"
APPLICATION_STATUS_NAMES = {
    IN_PROGRESS: "办理中",
    PARTLY_SUSPENDED: "办理中（有事项中止待补正）",
    COMPLETED: "已办结",
    PARTLY_COMPLETED: "部分办结",
    ENDED: "未办结（已终止）",
}


def application_status(statuses: Iterable[str]) -> str:
    """办理中 while any case is open (有事项中止 if one is suspended); once all are finished: 已办结 if every case
    completed, 部分办结 if some did, otherwise 未办结（已终止）."""
    statuses = list(statuses)
    if any(status in states.OPEN for status in statuses):
        return PARTLY_SUSPENDED if states.SUSPENDED in statuses else IN_PROGRESS
    done = [status in DECIDED for status in statuses]
    if done and all(done):
        return COMPLETED
    return PARTLY_COMPLETED if any(done) else ENDED
