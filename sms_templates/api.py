"""SMS API: ``POST /api/v1/sms/preview`` renders a template (by 功能代码) or draft content with values.

The admin's live preview beside the template editor calls this same endpoint.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from core.api import ApiError
from permissions.selectors import scope_queryset

from .models import MAX_CONTENT_LENGTH, PlaceholderCode, SmsTemplate
from .outbox import render_for_template
from .placeholders import Diagnostic, validate

router = Router(tags=["短信模板"])

# What a preview reads: enough to say by how much a pasted text is over the 500-character limit, no more.
PREVIEW_MAX_CHARS = 4 * MAX_CONTENT_LENGTH
VALUE_MAX_CHARS = 200
MAX_PROBLEMS = 20


class PreviewIn(Schema):
    template: str | None = Field(None, description="短信模板的功能代码（与 content 二选一）")
    content: str | None = Field(
        None, max_length=PREVIEW_MAX_CHARS, description="待预览的模板内容（与 template 二选一）"
    )
    values: dict[str, str] = Field(
        default_factory=dict,
        max_length=50,
        description='占位符取值，如 {"XM": "黄林"}；未给出的用示例值（最多 50 个，每个至多 200 字）',
    )
    allow_full_id_number: bool | None = Field(
        None, description="是否显示完整身份证号；默认取模板设置（内容预览为否）"
    )
    mask_names: bool | None = Field(None, description="XM、CBR 是否脱敏；默认取模板设置（内容预览为否）")

    model_config = {"extra": "forbid"}


class SubstitutionOut(Schema):
    code: str
    start: int
    end: int


class DiagnosticOut(Schema):
    code: str
    message: str
    start: int
    end: int


class PreviewOut(Schema):
    text: str
    length: int
    segments: int
    substitutions: list[SubstitutionOut]
    warnings: list[DiagnosticOut]


class PreviewRefusalOut(Schema):
    reason_code: str
    message: str
    errors: list[DiagnosticOut] = []
    warnings: list[DiagnosticOut] = []


def _diagnostic(d: Diagnostic) -> dict:
    return {"code": d.code, "message": d.message, "start": d.start, "end": d.end}


def sms_preview(
    *,
    content: str,
    values: dict[str, str],
    allow_full_id_number: bool,
    mask_names: bool,
) -> dict:
    """Validate and render ``content`` the way it will be sent; raise ``ApiError`` when it could not be saved."""
    entries = PlaceholderCode.objects.entries()
    vocabulary = {entry["code"]: entry["meaning"] for entry in entries}
    samples = {entry["code"]: entry["sample_value"] for entry in entries if entry["sample_value"]}
    unknown = sorted(set(values) - set(vocabulary))
    if unknown:
        raise ApiError(
            400,
            "unknown_value_code",
            _("values 中的代码不是已登记的占位符：%(codes)s") % {"codes": "、".join(unknown[:10])},
        )
    too_long = sorted(code for code, value in values.items() if len(value) > VALUE_MAX_CHARS)
    if too_long:
        raise ApiError(
            400,
            "value_too_long",
            _("取值超过 %(n)s 个字符：%(codes)s") % {"n": VALUE_MAX_CHARS, "codes": "、".join(too_long)},
        )
    diagnostics = validate(content, vocabulary, MAX_CONTENT_LENGTH)
    # A page of problems is what a person reads; the rest are counted, not listed.
    errors = [_diagnostic(d) for d in diagnostics if d.severity == "error"][:MAX_PROBLEMS]
    warnings = [_diagnostic(d) for d in diagnostics if d.severity == "warning"][:MAX_PROBLEMS]
    if errors:
        raise ApiError(
            422,
            errors[0]["code"],
            "".join(error["message"] for error in errors),
            errors=errors,
            warnings=warnings,
        )
    merged = {**samples, **values}
    rendered = render_for_template(
        content, merged, vocabulary, allow_full_id_number=allow_full_id_number, mask_names=mask_names
    )
    for code in dict.fromkeys(s.code for s in rendered.substitutions):
        if code not in merged:
            warnings.append(
                {
                    "code": "missing_value",
                    "message": _("占位符“%(code)s”（%(meaning)s）没有取值，发送时为空。")
                    % {"code": code, "meaning": vocabulary[code]},
                    "start": 0,
                    "end": 0,
                }
            )
    return {
        "text": rendered.text,
        "length": rendered.length,
        "segments": rendered.segments,
        "substitutions": [{"code": s.code, "start": s.start, "end": s.end} for s in rendered.substitutions],
        "warnings": warnings,
    }


@router.post(
    "/sms/preview",
    response={
        200: PreviewOut,
        400: PreviewRefusalOut,
        401: PreviewRefusalOut,
        403: PreviewRefusalOut,
        422: PreviewRefusalOut,
    },
    summary="短信模板预览：代入取值后的短信、替换位置、字数与计费条数、警告",
    url_name="sms_preview",
)
def preview(request: HttpRequest, payload: PreviewIn):
    if not (request.user.is_authenticated and request.user.is_staff):
        # Templates are the offices' own wording: previewing them is for console users.
        raise ApiError(401, "unauthenticated", _("请先登录工伤保险经办配置中心。"))
    if CsrfViewMiddleware(lambda request: None).process_view(request, None, (), {}) is not None:
        # A session-authenticated call: another site's page must not make it in the user's name.
        raise ApiError(403, "csrf_failed", _("请求缺少有效的 CSRF 令牌，请从控制台页面发起预览。"))
    if (payload.template is None) == (payload.content is None):
        raise ApiError(
            400,
            "template_or_content",
            _("请只给出 template（功能代码）或 content（模板内容）中的一个。"),
        )
    allow_full, mask = payload.allow_full_id_number, payload.mask_names
    if payload.template is not None:
        # Only a template the user may see: another city's wording is that city's business.
        visible = scope_queryset(
            SmsTemplate.objects.filter(function_code=payload.template),
            request.user,
            ["sms_templates.view_smstemplate", "sms_templates.change_smstemplate"],
            include_province_wide=True,
        )
        template = visible.first()
        if template is None:
            raise ApiError(
                400,
                "unknown_template",
                _("功能代码为 %(code)s 的短信模板不存在。") % {"code": payload.template},
            )
        content = template.content
        allow_full = template.allow_full_id_number if allow_full is None else allow_full
        mask = template.mask_names if mask is None else mask
    else:
        content = payload.content
    return sms_preview(
        content=content, values=payload.values, allow_full_id_number=bool(allow_full), mask_names=bool(mask)
    )
