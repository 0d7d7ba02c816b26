"""The case's 流程状态 and every legal transition, in one place (pure: no Django).

003 附件 4 and 004's 受理—初审—复审: a case accepted at the counter is 已受理 (or 待补正 when materials are
missing: 一次性告知), scanned (or 后续扫描) into the 初审 pool as 已扫描, acquired by a first reviewer
(已分配待初审), passed to the 复审 pool (已初审待复审) when the matter has two review levels, acquired by a
second reviewer (已分配待复审), and 已办结 — then 已归档. A reviewer may release a task back to its pool.
Any open case may be 中止 (suspended; resumed into the 初审 pool) or 终止; a reject at review is 审核不通过;
a case refused at the counter is 不予受理. A completed transfer (全省通办业务移交) puts the target case back
in the new agency's 初审 pool: ``reassign``.

A case of a joint application (联办申请, 000 第四部分) whose prerequisite case is still open waits (待前置,
``wait``) with no task and its clock stopped; when the prerequisites are 办结 it starts in the 初审 pool
(``start``), or is suspended (中止) if the applicant still owes materials. A suspended case whose
prerequisites are open again goes back to waiting when resumed.

``next_status`` is the only judge: services ask it and record what it answers; an illegal transition is
an ``IllegalTransition`` with a message a clerk can read, and nothing changes.
"""

# 流程状态 (stable codes; the Chinese names are what users read)
NEW = ""  # before the case exists
PENDING_CORRECTION = "pending_correction"
ACCEPTED = "accepted"
SCANNED = "scanned"
FIRST_ASSIGNED = "first_assigned"
FIRST_REVIEWED = "first_reviewed"
SECOND_ASSIGNED = "second_assigned"
COMPLETED = "completed"
ARCHIVED = "archived"
SUSPENDED = "suspended"
TERMINATED = "terminated"
REFUSED = "refused"
REVIEW_FAILED = "review_failed"
WAITING = "waiting"  # 待前置: a joint application's case waiting for its prerequisite cases

STATUS_NAMES = {
    PENDING_CORRECTION: "待补正",
    ACCEPTED: "已受理",
    SCANNED: "已扫描",
    FIRST_ASSIGNED: "已分配待初审",
    FIRST_REVIEWED: "已初审待复审",
    SECOND_ASSIGNED: "已分配待复审",
    COMPLETED: "已办结",
    ARCHIVED: "已归档",
    SUSPENDED: "中止",
    TERMINATED: "终止",
    REFUSED: "不予受理",
    REVIEW_FAILED: "审核不通过",
    WAITING: "待前置",
}

# Actions (what a user or the system does to a case)
ACCEPT = "accept"
ACCEPT_INCOMPLETE = "accept_incomplete"
CORRECT = "correct"  # 补正: the missing materials arrived
REFUSE = "refuse"  # 不予受理
SCAN = "scan"
DEFER_SCAN = "defer_scan"  # 后续扫描
ACQUIRE_FIRST = "acquire_first"
RELEASE_FIRST = "release_first"
PASS_FIRST = "pass_first"  # to the 复审 pool
PASS_FIRST_FINAL = "pass_first_final"  # one review level: 初审 completes the case
ACQUIRE_SECOND = "acquire_second"
RELEASE_SECOND = "release_second"
PASS_SECOND = "pass_second"
REJECT = "reject"  # 审核不通过, at either level
ARCHIVE = "archive"
SUSPEND = "suspend"
RESUME = "resume"
TERMINATE = "terminate"
REASSIGN = "reassign"  # a completed transfer: back to the 初审 pool of the new 分管机构
WAIT = "wait"  # 待前置: a joint application's case waits for its prerequisite cases
START = "start"  # the prerequisites are 办结: to the 初审 pool without a new application

ACTION_NAMES = {
    ACCEPT: "受理",
    ACCEPT_INCOMPLETE: "受理（材料不全，一次性告知）",
    CORRECT: "补正材料",
    REFUSE: "不予受理",
    SCAN: "影像扫描",
    DEFER_SCAN: "后续扫描",
    ACQUIRE_FIRST: "获取初审任务",
    RELEASE_FIRST: "退回初审任务",
    PASS_FIRST: "初审通过",
    PASS_FIRST_FINAL: "初审通过（办结）",
    ACQUIRE_SECOND: "获取复审任务",
    RELEASE_SECOND: "退回复审任务",
    PASS_SECOND: "复审通过（办结）",
    REJECT: "审核不通过",
    ARCHIVE: "归档",
    SUSPEND: "中止",
    RESUME: "恢复办理",
    TERMINATE: "终止",
    REASSIGN: "移交后重新分配",
    WAIT: "等待前置事项办结",
    START: "前置事项已办结，开始办理",
}

OPEN = frozenset(
    {
        PENDING_CORRECTION,
        ACCEPTED,
        SCANNED,
        FIRST_ASSIGNED,
        FIRST_REVIEWED,
        SECOND_ASSIGNED,
        SUSPENDED,
        WAITING,
    }
)
FINISHED = frozenset({COMPLETED, ARCHIVED, TERMINATED, REFUSED, REVIEW_FAILED})
IN_REVIEW = frozenset({SCANNED, FIRST_ASSIGNED, FIRST_REVIEWED, SECOND_ASSIGNED})
# Open but not yet handled by anyone: waiting for the applicant (待补正) or for a prerequisite case (待前置).
NOT_STARTED = frozenset({PENDING_CORRECTION, WAITING})
# The clock of these stands still (``suspended_at`` records since when): 中止 and 待前置.
CLOCK_STOPPED = frozenset({SUSPENDED, WAITING})

# (from, action) → to: every legal transition, and nothing else.
TRANSITIONS: dict[tuple[str, str], str] = {
    (NEW, ACCEPT): ACCEPTED,
    (NEW, ACCEPT_INCOMPLETE): PENDING_CORRECTION,
    (NEW, REFUSE): REFUSED,
    (PENDING_CORRECTION, CORRECT): ACCEPTED,
    (PENDING_CORRECTION, REFUSE): REFUSED,
    (PENDING_CORRECTION, TERMINATE): TERMINATED,
    (ACCEPTED, SCAN): SCANNED,
    (ACCEPTED, DEFER_SCAN): SCANNED,
    (SCANNED, ACQUIRE_FIRST): FIRST_ASSIGNED,
    (FIRST_ASSIGNED, RELEASE_FIRST): SCANNED,
    (FIRST_ASSIGNED, PASS_FIRST): FIRST_REVIEWED,
    (FIRST_ASSIGNED, PASS_FIRST_FINAL): COMPLETED,
    (FIRST_ASSIGNED, REJECT): REVIEW_FAILED,
    (FIRST_REVIEWED, ACQUIRE_SECOND): SECOND_ASSIGNED,
    (SECOND_ASSIGNED, RELEASE_SECOND): FIRST_REVIEWED,
    (SECOND_ASSIGNED, PASS_SECOND): COMPLETED,
    (SECOND_ASSIGNED, REJECT): REVIEW_FAILED,
    (COMPLETED, ARCHIVE): ARCHIVED,
    (SUSPENDED, RESUME): SCANNED,
}
for _status in (ACCEPTED, SCANNED, FIRST_ASSIGNED, FIRST_REVIEWED, SECOND_ASSIGNED):
    TRANSITIONS[(_status, SUSPEND)] = SUSPENDED
    TRANSITIONS[(_status, TERMINATE)] = TERMINATED
    TRANSITIONS[(_status, REASSIGN)] = SCANNED
TRANSITIONS[(SUSPENDED, TERMINATE)] = TERMINATED
TRANSITIONS[(SUSPENDED, REASSIGN)] = SCANNED
# 联办 (一件事): waiting for the prerequisite cases, then started, suspended or terminated with them.
TRANSITIONS[(ACCEPTED, WAIT)] = WAITING
TRANSITIONS[(SUSPENDED, WAIT)] = WAITING
TRANSITIONS[(WAITING, START)] = SCANNED
TRANSITIONS[(WAITING, SUSPEND)] = SUSPENDED
TRANSITIONS[(WAITING, TERMINATE)] = TERMINATED


class IllegalTransition(ValueError):
    """A transition the table does not allow; says so in words a clerk can read."""

    reason_code = "illegal_transition"

    def __init__(self, status: str, action: str):
        super().__init__(status, action)
        self.status, self.action = status, action

    @property
    def message(self) -> str:
        where = STATUS_NAMES.get(self.status, "新建") if self.status else "新建"
        return f"流程状态为“{where}”的业务不能“{ACTION_NAMES.get(self.action, self.action)}”。"

    def __str__(self) -> str:
        return self.message


def next_status(status: str, action: str) -> str:
    """The status ``action`` leads to from ``status``; ``IllegalTransition`` when it is not allowed."""
    try:
        return TRANSITIONS[(status, action)]
    except KeyError:
        raise IllegalTransition(status, action) from None


def allowed_actions(status: str) -> tuple[str, ...]:
    """What may be done to a case in ``status`` (the screens offer these only)."""
    return tuple(action for (source, action) in TRANSITIONS if source == status)
