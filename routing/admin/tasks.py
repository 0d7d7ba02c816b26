"""任务列表: the review queues (初审 / 复审) with 随机获取 and 指定获取, the user's own taken tasks, and one task's
review page (the case's facts, materials, files and 追踪; 通过 / 不通过 with an opinion; 退回任务).

A user sees the levels their roles allow and only the pools of the agencies their assignments give them
(``routing.services.eligible_tasks``); a task's page belongs to its assignee alone: for anyone else, and
for a task no longer taken, it is not found. Every write goes through ``routing.services``.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import re_path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.selectors import work_calendar
from core.admin import AdminScreen

from .. import states
from ..models import CaseFile, Task, TaskLevel, TaskStatus
from ..selectors import may_see_full_data
from ..services import CaseRefused, eligible_tasks, my_tasks, task_acquire, task_complete, task_release
from ..services.tasks import LEVEL_PERMISSIONS
from .task_forms import AcquireForm, ReviewForm
from .task_rows import case_sections, event_rows, file_rows, link, material_rows, task_row

COUNT_CAP = 1000  # the pools are counted up to this many (shown as "1000+"), so the count stays cheap
MY_TASKS_SHOWN = 200  # a reviewer's own taken tasks listed at most
TASK_CASE = (
    "case__matter",
    "case__channel",
    "case__insured_agency",
    "case__accepting_agency",
    "case__accepted_by",
    "case__handling_agency",
    "agency",
)


def levels_for(user) -> list[int]:
    """The review levels ``user`` may work: 初审 with 初审, 复审 with 复审 (a superuser: both)."""
    return [level for level, perm in LEVEL_PERMISSIONS.items() if user.is_active and user.has_perm(perm)]


def pool_size(user, level: int) -> tuple[int, bool]:
    """How many tasks wait in ``user``'s pools at ``level``, counted up to ``COUNT_CAP`` (and whether more)."""
    counted = eligible_tasks(user, level)[: COUNT_CAP + 1].count()
    return min(counted, COUNT_CAP), counted > COUNT_CAP


def outcome_message(case, task: Task) -> str:
    level = task.get_level_display()
    if case.status == states.REVIEW_FAILED:
        text = _("受理回执号 %(no)s：%(level)s审核不通过，业务已结束（审核不通过）。")
    elif case.status == states.FIRST_REVIEWED:
        text = _("受理回执号 %(no)s：%(level)s通过，已转复审。")
    else:
        text = _("受理回执号 %(no)s：%(level)s通过，业务已办结。")
    return text % {"no": case.receipt_no, "level": level}


class TasksScreen(AdminScreen):
    """任务列表 in its menu group: the pools per level, 随机获取 / 指定获取, my tasks, and each task's page."""

    name = gettext_lazy("任务列表")
    object_name = "ReviewTask"
    url_prefix = "routing/tasks/"
    url_name = "routing_tasks"
    menu_group = "tasks"
    menu_order = 10

    def has_permission(self, request) -> bool:
        return bool(levels_for(request.user))

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            re_path(r"^$", view(self.list_view), name=self.url_name),
            re_path(r"^(?P<task_id>\d{1,12})/$", view(self.task_view), name="routing_task"),
        ]

    def _require(self, request) -> None:
        if not self.has_permission(request):
            raise PermissionDenied

    def _context(self, request, title: str, **extra) -> dict:
        return {**self.admin_site.each_context(request), "title": title, **extra}

    @staticmethod
    def _list_url() -> str:
        return reverse("admin:routing_tasks")

    # ---- the list ---------------------------------------------------------------------------------------
    def list_view(self, request):
        """The pools of each level the user works, the acquire buttons, and the user's taken tasks."""
        self._require(request)
        levels = levels_for(request.user)
        failed: dict[tuple[int, bool], AcquireForm] = {}
        if request.method == "POST":
            assigned = request.POST.get("mode") == "assigned"
            form = AcquireForm(request.POST, assigned=assigned)
            if form.is_valid():
                if form.cleaned_data["level"] not in levels:
                    raise PermissionDenied
                return self._acquire(request, form.cleaned_data["level"], form.cleaned_data["receipt_no"])
            level = request.POST.get("level", "")
            if not (level.isdigit() and int(level) in levels):
                messages.error(request, _("请选择审核级别。"))
                return HttpResponseRedirect(self._list_url())
            failed[(int(level), assigned)] = form
        pools = []
        for level in levels:
            count, more = pool_size(request.user, level)
            pools.append(
                {
                    "level": level,
                    "name": TaskLevel(level).label,
                    "count": count,
                    "more": more,
                    "random_form": failed.get((level, False)) or self._acquire_form(level, assigned=False),
                    "assigned_form": failed.get((level, True)) or self._acquire_form(level, assigned=True),
                }
            )
        taken = list(
            my_tasks(request.user).select_related(*TASK_CASE).order_by("taken_at", "pk")[: MY_TASKS_SHOWN + 1]
        )
        calendar, today = work_calendar(), timezone.localdate()
        rows = [task_row(task, request.user, calendar, today) for task in taken[:MY_TASKS_SHOWN]]
        context = self._context(
            request,
            _("任务列表"),
            pools=pools,
            rows=rows,
            more_rows=len(taken) > MY_TASKS_SHOWN,
            shown=MY_TASKS_SHOWN,
            count_cap=COUNT_CAP,
        )
        return TemplateResponse(request, "admin/routing/tasks/list.html", context)

    @staticmethod
    def _acquire_form(level: int, *, assigned: bool) -> AcquireForm:
        mode = "assigned" if assigned else "random"
        return AcquireForm(initial={"level": level}, assigned=assigned, auto_id=f"id_{mode}_{level}_%s")

    def _acquire(self, request, level: int, receipt_no: str):
        name = TaskLevel(level).label
        try:
            task = task_acquire(user=request.user, level=level, receipt_no=receipt_no)
        except (CaseRefused, states.IllegalTransition) as refused:
            messages.error(request, refused.message)
            return HttpResponseRedirect(self._list_url())
        if task is None:
            if receipt_no:
                text = _(
                    "没有可获取的受理回执号为 %(no)s 的%(level)s任务：它不存在、不在您分管机构的任务池中，"
                    "或已被他人获取。"
                )
            else:
                text = _("没有可获取的%(level)s任务。")
            messages.warning(request, text % {"no": receipt_no, "level": name})
            return HttpResponseRedirect(self._list_url())
        messages.success(
            request,
            _("已获取%(level)s任务：受理回执号 %(no)s。") % {"level": name, "no": task.case.receipt_no},
        )
        return HttpResponseRedirect(reverse("admin:routing_task", args=[task.pk]))

    # ---- one task ---------------------------------------------------------------------------------------
    def task_view(self, request, task_id):
        """The review page of a task the user holds: facts, materials, files, 追踪, and the outcome."""
        self._require(request)
        task = (
            Task.objects.select_related(*TASK_CASE)
            .filter(pk=int(task_id), assignee=request.user, status=TaskStatus.TAKEN)
            .first()
        )
        if task is None:
            raise Http404(_("没有这个任务，或它不在您的名下。"))
        form = ReviewForm(request.POST or None)
        if request.method == "POST":
            if "release" in request.POST:
                return self._release(request, task)
            if form.is_valid():
                try:
                    case = task_complete(
                        user=request.user,
                        task_id=task.pk,
                        outcome=form.cleaned_data["outcome"],
                        opinion=form.cleaned_data["opinion"],
                    )
                except (CaseRefused, states.IllegalTransition) as refused:
                    field = getattr(refused, "field", "")
                    form.add_error(field if field in form.fields else None, refused.message)
                else:
                    messages.success(request, outcome_message(case, task))
                    return HttpResponseRedirect(self._list_url())
        case = task.case
        calendar, today = work_calendar(), timezone.localdate()
        files = CaseFile.objects.filter(case=case).select_related("material", "uploaded_by")
        context = self._context(
            request,
            _("%(level)s：受理回执号 %(no)s") % {"level": task.get_level_display(), "no": case.receipt_no},
            task=task,
            case=case,
            row=task_row(task, request.user, calendar, today),
            sections=case_sections(task, request.user, calendar, today),
            materials=material_rows(case),
            files=file_rows(case, files),
            events=event_rows(case.events.select_related("user", "agency", "api_client")),
            form=form,
            full_data=may_see_full_data(request.user),
            detail_url=link("routing_case_detail", case.receipt_no),
        )
        return TemplateResponse(request, "admin/routing/tasks/task.html", context)

    def _release(self, request, task: Task):
        try:
            task_release(user=request.user, task_id=task.pk)
        except (CaseRefused, states.IllegalTransition) as refused:
            messages.error(request, refused.message)
            return HttpResponseRedirect(reverse("admin:routing_task", args=[task.pk]))
        messages.success(
            request,
            _("已退回%(level)s任务：受理回执号 %(no)s 回到任务池。")
            % {"level": task.get_level_display(), "no": task.case.receipt_no},
        )
        return HttpResponseRedirect(self._list_url())


SCREENS = [TasksScreen]  # registered by routing.contributions
