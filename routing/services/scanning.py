"""Writes of a case's files and archive: 影像扫描 / 后续扫描 (into the 初审 pool), 电子材料 of the API, 补扫, 归档."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction

from .. import files, states
from ..access import PAPER, may_archive, may_scan, may_supplement
from ..models import ArchiveStatus, Case, CaseEvent, CaseFile, ScanStatus, Task, TaskLevel
from .cases import CaseRefused, _move, _save, locked


# ---- 扫描 ----------------------------------------------------------------------------------------------
def _store_files(case: Case, uploads: Sequence, *, user, supplementary: bool) -> list[CaseFile]:
    if len(uploads) > settings.CASE_FILES_PER_UPLOAD:
        raise CaseRefused("too_many_files", f"一次最多上传 {settings.CASE_FILES_PER_UPLOAD} 个文件。")
    # Every file is judged before any is stored: a refused upload leaves nothing behind in the storage.
    checked = []
    for upload in uploads:
        data = upload.read(settings.CASE_FILE_MAX_BYTES + 1)
        problem = files.upload_problem(upload.name, data, max_bytes=settings.CASE_FILE_MAX_BYTES)
        if problem:
            raise CaseRefused("bad_file", f"{upload.name}：{problem}", field="files")
        checked.append((upload, data))
    stored = []
    for upload, data in checked:
        content_type = files.content_type_of(data)
        record = CaseFile(
            case=case,
            original_name=str(upload.name)[:200],
            content_type=content_type,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            supplementary=supplementary,
            uploaded_by=user,
        )
        record.file.save(files.stored_name(case.receipt_no, content_type), ContentFile(data), save=False)
        record.save()
        stored.append(record)
    return stored


def _open_first_review(case: Case) -> Task:
    return Task.objects.create(case=case, level=TaskLevel.FIRST, agency=case.handling_agency)


@transaction.atomic
def case_scan(*, receipt_no: str, user, uploads: Sequence = (), defer: bool = False) -> Case:
    """影像扫描 (files) or 后续扫描 (``defer``): the case moves on to the 初审 pool of its 分管机构 at once."""
    case = locked(receipt_no)
    if not may_scan(user, case):
        raise CaseRefused("not_allowed", "只有受理人或受理机构持有“受理”“扫描”权限的人员可以影像扫描。")
    if not defer and not uploads:
        raise CaseRefused("files_required", "请选择要上传的影像文件，或选择“后续扫描”。", field="files")
    _move(case, states.DEFER_SCAN if defer else states.SCAN, user=user, agency=case.accepting_agency)
    if not defer:
        _store_files(case, uploads, user=user, supplementary=False)
    case.scan_status = ScanStatus.DEFERRED if defer else ScanStatus.SCANNED
    _save(case, "scan_status")
    _open_first_review(case)
    return case


@transaction.atomic
def case_submit_electronic(*, receipt_no: str, user) -> Case:
    """A case submitted through the API carries electronic materials (电子材料): nothing to scan, so it
    moves on to the 初审 pool of its 分管机构 at once, as a scanned one does."""
    case = locked(receipt_no)
    _move(case, states.SCAN, user=user, opinion="电子材料", agency=case.accepting_agency)
    case.scan_status = ScanStatus.ELECTRONIC
    _save(case, "scan_status")
    _open_first_review(case)
    return case


@transaction.atomic
def case_add_files(*, receipt_no: str, user, uploads: Sequence) -> list[CaseFile]:
    """补扫 into an open case (no change of 流程状态)."""
    case = locked(receipt_no)
    if case.status not in states.OPEN:
        raise CaseRefused("case_finished", "业务已结束，不能补扫。")
    if not may_supplement(case, user):
        raise CaseRefused("not_allowed", "只有受理人或持有本机构“高级扫描”权限的人员可以补扫。")
    if not uploads:
        raise CaseRefused("files_required", "请选择要上传的影像文件。", field="files")
    stored = _store_files(case, uploads, user=user, supplementary=True)
    if case.scan_status in (ScanStatus.NOT_SCANNED, ScanStatus.DEFERRED):
        case.scan_status = ScanStatus.SCANNED
        Case.objects.filter(pk=case.pk).update(scan_status=case.scan_status)
    CaseEvent.objects.create(
        case=case,
        action="supplement_scan",
        from_status=case.status,
        to_status=case.status,
        user=user,
        opinion=f"补扫 {len(stored)} 个文件",
    )
    return stored


# ---- 归档 ----------------------------------------------------------------------------------------------
@transaction.atomic
def case_archive(*, receipt_no: str, user, side: str) -> Case:
    """归档: paper at the accepting side, electronic at the handling side; both done → 已归档."""
    case = locked(receipt_no)
    if case.status not in (states.COMPLETED, states.ARCHIVED):
        raise states.IllegalTransition(case.status, states.ARCHIVE)
    if not may_archive(user, case, side):
        where = "受理地" if side == PAPER else "办理地"
        raise CaseRefused("not_allowed", f"您没有{where}的归档权限。")
    done = {ArchiveStatus.PAPER, ArchiveStatus.ELECTRONIC} & {case.archive_status}
    if case.archive_status == ArchiveStatus.ARCHIVED:
        raise CaseRefused("already_archived", "业务已归档。")
    done.add(ArchiveStatus.PAPER if side == "paper" else ArchiveStatus.ELECTRONIC)
    if done == {ArchiveStatus.PAPER, ArchiveStatus.ELECTRONIC}:
        case.archive_status = ArchiveStatus.ARCHIVED
        _move(case, states.ARCHIVE, user=user)
    else:
        case.archive_status = done.pop()
    _save(case, "archive_status")
    return case
