"""业务受理 → 联办申请: choose matters among the 15, the applicant and the channel → the union checklist (shared
materials once, decisions of prerequisites passed on internally) → submit; refusals name the matters. The
parent's page lists its cases with their states, the dependency picture (server-side SVG) and what is still
missing, with 补交材料; it is reached from 业务状态查询's 详情 of each of its cases. Writes go through
``routing.joint.services``; every page reads a fixed number of queries whatever the number of cases."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.models import Material
from core.admin import AdminScreen
from core.masking import mask_id_number, mask_name

from .. import states
from ..selectors import QUERY_PERMISSION, accepting_agencies_for, may_see_full_data
from ..services import CaseRefused
from . import graph, planning
from .forms import JointForm, ticked
from .materials import joint_deliver, may_deliver, owed
from .models import JointApplication, JointMaterial
from .selectors import application_cases, application_for
from .services import joint_prepare, joint_submit

NUMBER = "<str:number>"
RECENT = 20
ROLE_NAMES = {
    "required": gettext_lazy("必交材料"),
    "optional": gettext_lazy("符合情形时提交"),
    "internal": gettext_lazy("内部流转"),
}


def _may_accept(user) -> bool:
    agencies = accepting_agencies_for(user)
    return user.is_active and (agencies is None or bool(agencies))


def _may_query(user) -> bool:
    return user.is_active and (user.is_superuser or user.has_perm(QUERY_PERMISSION))


def union_rows(prepared) -> list[dict]:
    """The union checklist as the clerk ticks it: each material once, the matters it serves, how it comes."""
    names = prepared.names
    rows = []
    for need in prepared.union:
        role = "required" if need.required_by else "optional" if need.optional_for else "internal"
        rows.append(
            {
                "code": need.code,
                "name": need.name,
                "role": role,
                "role_name": ROLE_NAMES[role],
                "for": "、".join(names.get(m, m) for m in (*need.required_by, *need.optional_for)),
                "internal_for": "、".join(names.get(m, m) for m in need.internal_for),
                "shared": need.shared,
                "from_applicant": need.from_applicant,
            }
        )
    return rows


class JointScreen(AdminScreen):
    """联办申请 in 业务受理: the submission form and each application's page."""

    name = gettext_lazy("联办申请")
    object_name = "JointApplication"
    url_prefix = "routing/joint/"
    url_name = "routing_joint"
    menu_group = "intake"
    menu_order = 20

    def has_permission(self, request) -> bool:
        return _may_accept(request.user)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("", view(self.submit_view), name=self.url_name),
            path(f"{NUMBER}/", view(self.detail_view), name="routing_joint_detail"),
        ]

    def _render(self, request, template: str, context: dict):
        request.current_app = self.admin_site.name
        return TemplateResponse(
            request,
            f"admin/routing/joint/{template}",
            {**self.admin_site.each_context(request), **context},
        )

    # ---- 提交 --------------------------------------------------------------------------------------------------
    def submit_view(self, request):
        """Step 1 (查询材料清单) checks the choice and shows the union checklist; step 2 submits it."""
        if not _may_accept(request.user):
            raise PermissionDenied
        form = JointForm(request.POST or None, accepting=accepting_agencies_for(request.user))
        prepared = refusal = None
        rows: list[dict] = []
        chosen: set[str] = set()
        if request.method == "POST" and form.is_valid():
            try:
                prepared = joint_prepare(form.joint_request())
            except CaseRefused as refused:
                # A refusal naming matters is told in its own box, one line a problem; others on their field.
                if getattr(refused, "details", None) or not form.add_refusal(refused):
                    refusal = refused
        if prepared is not None:
            rows = union_rows(prepared)
            allowed = {row["code"] for row in rows if row["from_applicant"]}
            codes, uploads, foreign = ticked(request.POST, request.FILES, allowed)
            chosen = set(codes)
            if "submit" in request.POST:
                application = self._submit(
                    request, form, codes, uploads, foreign, ",".join(r["code"] for r in rows)
                )
                if application is not None:
                    return HttpResponseRedirect(
                        reverse("admin:routing_joint_detail", args=[application.number])
                    )
        return self._render(
            request,
            "submit.html",
            {
                "title": _("联办申请"),
                "form": form,
                "prepared": prepared,
                "refusal": refusal,
                "problems": getattr(refusal, "details", None) or [],
                "rows": rows,
                "ticked": chosen,
                "checklist_codes": ",".join(row["code"] for row in rows),
                "recent": self._recent(request),
            },
        )

    @staticmethod
    def _submit(request, form, codes, uploads, foreign, shown):
        if foreign:
            form.add_error(
                None, _("材料 %(codes)s 不在本次联办的材料清单中。") % {"codes": "、".join(foreign)}
            )
            return None
        if form.cleaned_data["checklist"] != shown:
            form.add_error(None, _("材料清单已随事项、机构或渠道变化，请核对本清单的勾选后再提交。"))
            return None
        try:
            application = joint_submit(request=form.joint_request(codes, uploads), user=request.user)
        except CaseRefused as refused:
            if not form.add_refusal(refused):
                form.add_error(None, f"{refused.message}（{refused.reason_code}）")
            return None
        if application.notice:
            messages.warning(
                request,
                _("联办申请已受理，材料不全：受影响的事项已中止，请按一次性告知补正。其余事项照常办理。"),
            )
        else:
            messages.success(request, _("联办申请已受理，已拆分为各事项业务并推送至分管机构。"))
        return application

    @staticmethod
    def _recent(request) -> list[dict]:
        """The clerk's own latest applications with their derived state (two queries)."""
        applications = list(
            JointApplication.objects.filter(submitted_by=request.user)
            .prefetch_related("links__case")
            .order_by("-submitted_at", "-id")[:RECENT]
        )
        return [
            {
                "application": application,
                "status_name": planning.APPLICATION_STATUS_NAMES[
                    planning.application_status(link.case.status for link in application.links.all())
                ],
                "cases": len(application.links.all()),
            }
            for application in applications
        ]

    # ---- the parent's page ------------------------------------------------------------------------------------
    def detail_view(self, request, number: str):
        """The application, its cases and their states, the dependency picture, what is missing; 补交材料."""
        if not (_may_query(request.user) or _may_accept(request.user)):
            raise PermissionDenied
        application = application_for(request.user, number[:20])
        if application is None:
            raise Http404(_("没有这笔联办申请，或您无权查看。"))
        links = application_cases(application)
        owed_by = {
            link.pk: owed(link.case, link) if link.case.status in states.OPEN else [] for link in links
        }
        missing = list(dict.fromkeys(code for codes in owed_by.values() for code in codes))
        deliverable = bool(missing) and may_deliver(request.user, application)
        if request.method == "POST":
            if not deliverable:
                raise PermissionDenied
            response = self._deliver(request, application, set(missing))
            if response is not None:
                return response
        records = list(JointMaterial.objects.filter(application=application).select_related("material"))
        names = dict(Material.objects.filter(code__in=missing).values_list("code", "name"))
        return self._render(
            request,
            "detail.html",
            self._detail_context(request, application, links, owed_by, missing, names, records, deliverable),
        )

    def _deliver(self, request, application, missing: set[str]):
        codes, uploads, foreign = ticked(request.POST, request.FILES, missing)
        if foreign or not codes:
            messages.error(request, _("请勾选本次收到的、联办申请所缺的材料。"))
            return None
        try:
            joint_deliver(application=application, user=request.user, materials=codes, uploads=uploads)
        except CaseRefused as refused:
            messages.error(request, f"{refused.message}（{refused.reason_code}）")
            return None
        messages.success(request, _("已登记收到的材料；材料补齐的事项已恢复办理。"))
        return HttpResponseRedirect(reverse("admin:routing_joint_detail", args=[application.number]))

    @staticmethod
    def _detail_context(request, application, links, owed_by, missing, names, records, deliverable) -> dict:
        full = may_see_full_data(request.user)
        matter_names = {link.pk: link.case.matter.name for link in links}
        rows = []
        for link in links:
            case = link.case
            rows.append(
                {
                    "link": link,
                    "case": case,
                    "status_name": states.STATUS_NAMES.get(case.status, case.status),
                    "kind": graph.kind_of(case.status),
                    "waits_for": "、".join(matter_names[other.pk] for other in link.waits_for.all()),
                    "owed": "、".join(f"{names.get(code, code)}（{code}）" for code in owed_by[link.pk]),
                    "url": reverse("admin:routing_case_detail", args=[case.receipt_no]),
                }
            )
        nodes = [
            graph.Node(
                key=row["case"].matter.code,
                title=row["case"].matter.name,
                subtitle=row["case"].receipt_no,
                status=row["case"].status,
                status_name=row["status_name"],
                href=row["url"],
            )
            for row in rows
        ]
        edges = [
            (other.case.matter.code, link.case.matter.code)
            for link in links
            for other in link.waits_for.all()
        ]
        status = planning.application_status(link.case.status for link in links)
        used_by = {
            record.pk: "、".join(
                link.case.matter.name
                for link in links
                if record.material.code in link.case.received_materials
            )
            for record in records
        }
        return {
            "title": _("联办申请 %(number)s") % {"number": application.number},
            "application": application,
            "applicant": {
                "name": application.applicant_name if full else mask_name(application.applicant_name),
                "id_number": application.id_number if full else mask_id_number(application.id_number),
            },
            "status_name": planning.APPLICATION_STATUS_NAMES[status],
            "status": status,
            "rows": rows,
            "svg": mark_safe(  # noqa: S308 — built by graph.dependency_svg, every text escaped there
                graph.dependency_svg(
                    nodes,
                    edges,
                    title=_("联办事项依赖关系图"),
                    description=_("箭头由前置事项指向等待它办结的事项；颜色表示流程状态。"),
                )
            ),
            "records": [{"record": record, "used_by": used_by[record.pk]} for record in records],
            "missing": [{"code": code, "name": names.get(code, code)} for code in missing],
            "deliverable": deliverable,
        }


SCREENS = [JointScreen]
