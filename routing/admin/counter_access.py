"""Who may do what at the counter, and on which case: the checks the counter's views share.

A case a user may not see (``selectors.case_for``) is "not found"; one they may see is acted on only by
staff of the right agency: 补正 where the case was accepted or where it is handled (附件 2: the applicant
may bring materials to either), 影像扫描 and paper 归档 at the accepting side, electronic 归档 at the
handling side (附件 2 四（七）).
"""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _

from core.masking import mask_id_number, mask_name

from .. import states
from ..access import ELECTRONIC, PAPER
from ..models import Case
from ..selectors import case_for, may_see_full_data

SIDE_NAMES = {PAPER: "纸质归档（受理地）", ELECTRONIC: "电子归档（办理地）"}


def supplementable(case: Case) -> bool:
    """补扫 adds to an open case that has been through 影像扫描 (before it, the files go to 影像扫描)."""
    return case.status in states.OPEN and case.status not in (states.PENDING_CORRECTION, states.ACCEPTED)


def visible_case(request, receipt_no: str) -> Case:
    """The case, if the user may see it; a foreign or unknown one is not found."""
    case = case_for(request.user, receipt_no)
    if case is None:
        raise Http404(_("没有这笔业务，或您无权查看。"))
    return case


def applicant_shown(user, case: Case) -> dict[str, str]:
    """The applicant's name and ID number as this user may read them (masked unless full data)."""
    if may_see_full_data(user):
        return {"name": case.applicant_name, "id_number": case.id_number}
    return {"name": mask_name(case.applicant_name), "id_number": mask_id_number(case.id_number)}
