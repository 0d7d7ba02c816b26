"""任务列表: 随机获取 / 指定获取 of 初审 and 复审 tasks, release back to the pool, and the review outcome.

A task belongs to exactly one user: acquiring is a conditional UPDATE (``status = open`` → ``taken``), so
of two users acquiring at the same moment exactly one gets it, on PostgreSQL and on SQLite alike. Where the
database can skip locked rows (PostgreSQL), 随机获取 first locks one random open task with ``FOR UPDATE SKIP
LOCKED``: concurrent acquirers pass over the tasks others are taking instead of queueing behind them
(tests/benchmarks/bench_task_acquire.py measures both). A user sees and takes only tasks of the agencies their
assignments give them (``agency_codes_for``) at the levels their roles allow; 初审 and 复审 of one case are
never done by the same person.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from permissions.selectors import agency_codes_for
from sms_templates.models import SmsEvent

from .. import states
from ..models import Case, DistributionStatus, Task, TaskLevel, TaskStatus
from .cases import CaseRefused, _move, _save, locked, notify

LEVEL_PERMISSIONS = {
    TaskLevel.FIRST: "permissions.first_review",
    TaskLevel.SECOND: "permissions.second_review",
}
ACQUIRE = {TaskLevel.FIRST: states.ACQUIRE_FIRST, TaskLevel.SECOND: states.ACQUIRE_SECOND}
RELEASE = {TaskLevel.FIRST: states.RELEASE_FIRST, TaskLevel.SECOND: states.RELEASE_SECOND}
CANDIDATES = 20  # 随机获取 draws from the oldest page of CANDIDATES * 10 open tasks (a sample of CANDIDATES without SKIP LOCKED)
ATTEMPTS = 200  # candidates tried per acquisition at most (each a conditional update)
PASS, REJECT = "pass", "reject"


def eligible_tasks(user, level: int) -> QuerySet[Task]:
    """The open tasks of ``level`` ``user`` may take: their agencies' own, not reviewed by them already."""
    tasks = Task.objects.filter(level=level, status=TaskStatus.OPEN)
    agencies = agency_codes_for(user, LEVEL_PERMISSIONS[TaskLevel(level)])
    if agencies is not None:
        tasks = tasks.filter(agency__code__in=agencies)
    if level == TaskLevel.SECOND:
        tasks = tasks.exclude(case__first_reviewer=user)
    # A case whose transfer is under way cannot be reviewed meanwhile (全省通办业务移交).
    return tasks.exclude(case__transfers__status__in=states.OPEN)


def my_tasks(user) -> QuerySet[Task]:
    return Task.objects.filter(assignee=user, status=TaskStatus.TAKEN)


def _claim(task_id: int, user, mode: str) -> bool:
    return bool(
        Task.objects.filter(pk=task_id, status=TaskStatus.OPEN).update(
            status=TaskStatus.TAKEN, assignee=user, mode=mode, taken_at=timezone.now()
        )
    )


def _candidates(pool: QuerySet[Task], receipt_no: str) -> Iterator[int]:
    """The tasks to try, one at a time, until one is won or the pool has none left."""
    if receipt_no:
        yield from pool.filter(case__receipt_no=receipt_no).values_list("pk", flat=True)[:1]
        return
    if connection.features.has_select_for_update_skip_locked:
        # One task locked until the transaction ends, the ones others hold skipped: a random one of the
        # pool's oldest page (the sort stays small however large the pool), else the oldest one free.
        page = pool.order_by("pk").values("pk")[: CANDIDATES * 10]
        random_of_page = Task.objects.filter(pk__in=page, status=TaskStatus.OPEN).order_by("?")
        oldest_free = pool.select_for_update(skip_locked=True, of=("self",)).order_by("pk")
        for locking in (random_of_page.select_for_update(skip_locked=True), oldest_free):
            while (task_id := locking.values_list("pk", flat=True).first()) is not None:
                yield task_id
        return
    while True:
        # A random sample of a page of the pool; a page whose every candidate was taken meanwhile is read again.
        ids = list(pool.order_by("pk").values_list("pk", flat=True)[: CANDIDATES * 10])
        if not ids:
            return
        yield from random.sample(ids, min(len(ids), CANDIDATES))


@transaction.atomic
def task_acquire(*, user, level: int, receipt_no: str = "") -> Task | None:
    """随机获取 (no ``receipt_no``) or 指定获取 of one task; None when nothing eligible is left."""
    if level not in (TaskLevel.FIRST, TaskLevel.SECOND):
        raise CaseRefused("invalid_level", "审核级别只能是初审或复审。")
    pool = eligible_tasks(user, level)
    mode = DistributionStatus.ASSIGNED if receipt_no else DistributionStatus.RANDOM
    for _attempt, task_id in zip(range(ATTEMPTS), _candidates(pool, receipt_no), strict=False):
        with transaction.atomic():
            if not _claim(task_id, user, mode):
                continue  # taken by someone else a moment ago
            task = Task.objects.select_related("case").get(pk=task_id)
            case = locked(task.case.receipt_no)
            try:
                _move(case, ACQUIRE[TaskLevel(level)], user=user, agency=task.agency)
            except states.IllegalTransition:
                # The case moved on (suspended, transferred) under an open task: the task is stale.
                Task.objects.filter(pk=task_id).update(status=TaskStatus.WITHDRAWN, assignee=None)
                continue
            case.distribution_status = mode
            _save(case, "distribution_status")
            task.case = case
            return task
    return None


def _own_task(user, task_id: int) -> Task:
    task = (
        Task.objects.select_related("case").filter(pk=task_id, assignee=user, status=TaskStatus.TAKEN).first()
    )
    if task is None:
        raise CaseRefused("unknown_task", "没有这个任务，或它不在您的名下。")
    return task


@transaction.atomic
def task_release(*, user, task_id: int) -> Task:
    """Give a taken task back to its pool."""
    task = _own_task(user, task_id)
    case = locked(task.case.receipt_no)
    _move(case, RELEASE[TaskLevel(task.level)], user=user, agency=task.agency)
    case.distribution_status = DistributionStatus.UNASSIGNED
    _save(case, "distribution_status")
    Task.objects.filter(pk=task.pk).update(status=TaskStatus.OPEN, assignee=None, mode="", taken_at=None)
    task.refresh_from_db()
    return task


@transaction.atomic
def task_complete(*, user, task_id: int, outcome: str, opinion: str = "") -> Case:
    """The review's outcome: pass (to 复审, or 办结) or reject (审核不通过, with the opinion); SMS per slot."""
    if outcome not in (PASS, REJECT):
        raise CaseRefused("invalid_outcome", "审核结果只能是通过或不通过。", field="outcome")
    opinion = (opinion or "").strip()
    if outcome == REJECT and not opinion:
        raise CaseRefused("opinion_required", "审核不通过须填写审核意见。", field="opinion")
    if len(opinion) > 500:
        raise CaseRefused("opinion_too_long", "审核意见不能超过 500 字。", field="opinion")
    task = _own_task(user, task_id)
    case = locked(task.case.receipt_no)
    if Case.objects.filter(target_case=case, status__in=states.OPEN).exists():
        raise CaseRefused("transfer_open", "该业务正在办理全省通办业务移交，移交办结前不能审核。")
    region = case.handling_region.code
    if outcome == REJECT:
        _move(case, states.REJECT, user=user, opinion=opinion, agency=task.agency)
        case.finished_at = timezone.now()
        notify(case, SmsEvent.REVIEW_FAILED, region=region, extra={"SHBTGYJ": opinion})
        if case.target_case_id:
            from .transfers import transfer_rejected

            transfer_rejected(case, user=user, opinion=opinion)
    elif task.level == TaskLevel.FIRST and case.review_levels == 2:
        _move(case, states.PASS_FIRST, user=user, opinion=opinion, agency=task.agency)
        notify(case, SmsEvent.FIRST_REVIEWED, region=region)
        Task.objects.create(case=case, level=TaskLevel.SECOND, agency=case.handling_agency)
    else:
        if task.level == TaskLevel.SECOND and case.first_reviewer_id == user.pk:
            raise CaseRefused("same_reviewer", "初审与复审不能由同一人办理。")
        action = states.PASS_FIRST_FINAL if task.level == TaskLevel.FIRST else states.PASS_SECOND
        _move(case, action, user=user, opinion=opinion, agency=task.agency)
        case.finished_at = timezone.now()
        notify(case, SmsEvent.COMPLETED, region=region)
        if case.target_case_id:
            from .transfers import transfer_finish

            transfer_finish(case, user=user)
    if task.level == TaskLevel.FIRST:
        case.first_reviewer = user
    else:
        case.second_reviewer = user
    case.distribution_status = DistributionStatus.UNASSIGNED
    _save(case, "finished_at", "first_reviewer", "second_reviewer", "distribution_status", "sms_status")
    Task.objects.filter(pk=task.pk).update(
        status=TaskStatus.DONE, done_at=timezone.now(), outcome=outcome, opinion=opinion
    )
    if case.status in states.FINISHED:
        from ..joint.handoff import case_finished

        case_finished(case, user=user)  # a joint application's successors start, or end with it
    return case


def withdraw_tasks(case: Case) -> int:
    """Withdraw a case's live tasks (a transfer moved it, or it was suspended/terminated)."""
    return (
        Task.objects.filter(case=case)
        .filter(Q(status=TaskStatus.OPEN) | Q(status=TaskStatus.TAKEN))
        .update(status=TaskStatus.WITHDRAWN)
    )
