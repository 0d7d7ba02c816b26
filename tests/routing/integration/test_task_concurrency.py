"""A task belongs to exactly one user (issue 14): concurrent 随机获取 in threads with their own connections on
PostgreSQL (both ways ``task_acquire`` picks: SKIP LOCKED, and the conditional update alone), and sequential
acquisitions on any database."""

import threading

import pytest
from django.db import connection
from django.db.models import Count

from config_center.runtime.holder import runtime
from routing import states
from routing.models import CaseEvent, Task, TaskLevel, TaskStatus
from routing.services import case_scan, task_acquire
from tests.factories.cases import ZHONGSHAN_AGENCY, accept, publish_demo, staff

THREADS = 20
TASKS = 60
TIMEOUT = 120  # seconds a thread may take at most


def open_tasks(clerk, count: int) -> None:
    for _ in range(count):
        case = accept(clerk)
        case_scan(receipt_no=case.receipt_no, user=clerk, defer=True)


@pytest.fixture
def fresh_runtime():
    runtime.reset()
    yield
    runtime.reset()


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite serialises every writer, so threads cannot race there "
    "(CI runs the suite on PostgreSQL too)",
)
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("skip_locked", [True, False], ids=["skip-locked", "conditional-update-only"])
def test_concurrent_acquirers_never_share_a_task_and_take_every_one(
    reference_data, superuser, fresh_runtime, monkeypatch, skip_locked
):
    if not skip_locked:
        monkeypatch.setattr(type(connection.features), "has_select_for_update_skip_locked", False)
    publish_demo(superuser)
    open_tasks(staff("zs_clerk", "clerk", agency=ZHONGSHAN_AGENCY), TASKS)
    reviewers = [
        staff(f"zs_first_{n:02d}", "first_reviewer", agency=ZHONGSHAN_AGENCY) for n in range(THREADS)
    ]
    start = threading.Barrier(THREADS)
    taken: dict[int, list[int]] = {reviewer.pk: [] for reviewer in reviewers}
    failures: list[BaseException] = []

    def acquire_until_empty(reviewer) -> None:
        try:
            start.wait(timeout=TIMEOUT)
            for _ in range(TASKS + 1):  # bounded: never more than the pool holds
                task = task_acquire(user=reviewer, level=TaskLevel.FIRST)
                if task is None:
                    return
                taken[reviewer.pk].append(task.pk)
        except BaseException as error:  # reported below, in the test's thread
            failures.append(error)
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=acquire_until_empty, args=(reviewer,)) for reviewer in reviewers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "an acquirer did not finish"
    assert failures == []

    handed_out = [task_id for ids in taken.values() for task_id in ids]
    assert len(handed_out) == len(set(handed_out)) == TASKS  # none twice, every one once
    assert sum(1 for ids in taken.values() if ids) > 1  # the threads did share the work
    assignees = dict(Task.objects.values_list("pk", "assignee_id"))
    assert all(assignees[task_id] == user_id for user_id, ids in taken.items() for task_id in ids)
    assert not Task.objects.exclude(status=TaskStatus.TAKEN).exists()
    events = CaseEvent.objects.filter(action=states.ACQUIRE_FIRST).values("case").annotate(n=Count("id"))
    assert sorted(row["n"] for row in events) == [1] * TASKS


@pytest.mark.django_db
def test_sequential_acquisitions_never_return_the_same_task(reference_data, superuser, fresh_runtime):
    publish_demo(superuser)
    open_tasks(staff("zs_clerk", "clerk", agency=ZHONGSHAN_AGENCY), 3)
    first = staff("zs_first", "first_reviewer", agency=ZHONGSHAN_AGENCY)
    other = staff("zs_first_b", "first_reviewer", agency=ZHONGSHAN_AGENCY)
    got = [
        task_acquire(user=first, level=TaskLevel.FIRST),
        task_acquire(user=other, level=TaskLevel.FIRST),
        task_acquire(user=first, level=TaskLevel.FIRST),
    ]
    assert len({task.pk for task in got}) == 3
    assert task_acquire(user=other, level=TaskLevel.FIRST) is None
    assert [task.assignee_id for task in got] == [first.pk, other.pk, first.pk]
    assert Task.objects.filter(status=TaskStatus.TAKEN).count() == 3


@pytest.mark.django_db
def test_a_page_of_candidates_taken_meanwhile_is_read_again(
    reference_data, superuser, fresh_runtime, monkeypatch
):
    """Without SKIP LOCKED: a candidate someone else won is passed over, and the pool read again, so an
    acquirer is not told "nothing left" while tasks remain."""
    from routing.services import tasks as service

    publish_demo(superuser)
    open_tasks(staff("zs_clerk", "clerk", agency=ZHONGSHAN_AGENCY), 3)
    first = staff("zs_first", "first_reviewer", agency=ZHONGSHAN_AGENCY)
    monkeypatch.setattr(type(connection.features), "has_select_for_update_skip_locked", False)
    monkeypatch.setattr(service, "CANDIDATES", 1)
    claim, lost = service._claim, []

    def claimed_by_someone_else_first(task_id, user, mode):
        if len(lost) < 2:  # the first two candidates go to another reviewer at the same moment
            lost.append(task_id)
            Task.objects.filter(pk=task_id).update(status=TaskStatus.TAKEN)
            return False
        return claim(task_id, user, mode)

    monkeypatch.setattr(service, "_claim", claimed_by_someone_else_first)
    task = task_acquire(user=first, level=TaskLevel.FIRST)
    assert task is not None and task.pk not in lost and len(lost) == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SKIP LOCKED is PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_when_the_oldest_page_is_being_taken_by_others_a_newer_task_is_handed_out(
    reference_data, superuser, fresh_runtime, monkeypatch
):
    """Every task of the page 随机获取 draws from is locked by other acquirers: the next free one is
    handed out at once, neither waited for nor reported as "nothing left"."""
    from django.db import transaction

    from routing.services import tasks as service

    monkeypatch.setattr(service, "CANDIDATES", 1)  # a page of 10
    publish_demo(superuser)
    open_tasks(staff("zs_clerk", "clerk", agency=ZHONGSHAN_AGENCY), 12)
    first = staff("zs_first", "first_reviewer", agency=ZHONGSHAN_AGENCY)
    oldest = list(Task.objects.order_by("pk").values_list("pk", flat=True)[:10])
    locked, done = threading.Event(), threading.Event()

    def hold_the_oldest_page() -> None:
        try:
            with transaction.atomic():
                list(Task.objects.select_for_update().filter(pk__in=oldest))
                locked.set()
                done.wait(TIMEOUT)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_the_oldest_page)
    holder.start()
    try:
        assert locked.wait(TIMEOUT)
        task = task_acquire(user=first, level=TaskLevel.FIRST)
    finally:
        done.set()
        holder.join(TIMEOUT)
    assert task is not None and task.pk not in oldest
