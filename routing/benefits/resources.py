"""The benefit standards as sheets: 待遇项目 and 待遇标准 — province data, imported by province-wide staff only.

Rows are found by their natural keys (待遇编码; 待遇编码 + 伤残等级 + 生效日期) and saved one by one with
their history (the importing user, 导入). Periods of one benefit and grade must not share a day: that is
judged once the sheet is written (the final state), so a file may end a period and start the next one in
any row order.
"""

from decimal import Decimal, InvalidOperation

from import_export import fields

from catalog.resources import ProvinceTableResource
from core.spreadsheets import normalize
from core.spreadsheets.resources import IMPORT_REASON, ConsoleResource
from core.spreadsheets.widgets import ChoiceLabelWidget, CodeLookupWidget, CodeWidget, DateWidget, TextWidget

from . import rules
from .models import Benefit, BenefitStandard
from .services import benefit_save, benefit_standard_overlaps

SCOPES = {str(key): str(label) for key, label in Benefit.Scope.choices}
GRADES = {str(grade): name for grade, name in rules.GRADE_NAMES.items()}
MAX_MONTHS = Decimal("999.99")


class MonthsWidget(TextWidget):
    """月数: a positive number with at most two decimals (7, 7.5); written without trailing zeros."""

    def clean(self, value, row=None, **kwargs):
        given = normalize.text(value)
        try:
            months = Decimal(given)
        except InvalidOperation:
            raise ValueError(f"月数“{given[:20]}”不是数字") from None
        if not months.is_finite() or months <= 0 or months > MAX_MONTHS:
            raise ValueError(f"月数须大于 0 且不超过 {MAX_MONTHS}")
        if months != months.quantize(rules.FEN):
            raise ValueError("月数最多两位小数")
        return months.quantize(rules.FEN)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else rules.months_text(value)


class OptionalDateWidget(DateWidget):
    """A day or an empty cell (None)."""

    def clean(self, value, row=None, **kwargs):
        return None if normalize.text(value) == "" else super().clean(value, row, **kwargs)


class BenefitResource(ProvinceTableResource):
    """待遇项目: 待遇编码, 待遇名称, 适用范围 (国家 / 广东省), 依据, 依据原文."""

    note = "按本人工资月数计发的一次性待遇；待遇标准按待遇编码引用。全省统一，只有省级管理人员可以导入。"
    example = (
        "YCXSCBZJ",
        "一次性伤残补助金",
        "国家",
        "《工伤保险条例》第三十五条至第三十七条",
        "",
    )

    sheet = "待遇项目"
    key_columns = ("待遇编码",)
    key_paths = ("code",)
    change_perm = "routing.change_benefit"

    code = fields.Field("code", "待遇编码", CodeWidget())
    name = fields.Field("name", "待遇名称", TextWidget())
    scope = fields.Field("scope", "适用范围", ChoiceLabelWidget(SCOPES, what="适用范围"))
    basis = fields.Field("basis", "依据", TextWidget())
    source_text = fields.Field("source_text", "依据原文", TextWidget())

    class Meta(ConsoleResource.Meta):
        model = Benefit
        use_bulk = False  # a handful of rows, each through its service
        fields = ["code", "name", "scope", "basis", "source_text"]
        export_order = fields

    def export_queryset(self):
        return Benefit.objects.order_by("code")

    def key_of_instance(self, obj):
        return (obj.code,)

    def key_of_row(self, row):
        return (normalize.code(row.get("待遇编码")),)

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if field.attribute == "source_text" and field.column_name not in row:
            return None  # a sheet without the long column keeps the stored text
        return super().import_field(field, instance, row, is_m2m, **kwargs)

    def do_instance_save(self, instance, is_create):
        benefit_save(benefit=instance, user=self.user, reason=IMPORT_REASON)


class BenefitStandardResource(ProvinceTableResource):
    """待遇标准: 待遇编码, 伤残等级, 月数, 生效日期, 失效日期 — one row per benefit, grade and period."""

    note = (
        "各待遇按伤残等级计发的本人工资月数及其有效期（含首尾两日；失效日期留空为长期有效）。"
        "同一待遇同一等级的有效期不能重叠；按生效日期识别同一条标准。全省统一，只有省级管理人员可以导入。"
    )
    example = ("YCXSCBZJ", "十级", "7", "2011-01-01", "")

    sheet = "待遇标准"
    key_columns = ("待遇编码", "伤残等级", "生效日期")
    key_paths = ("benefit__code", "grade", "valid_from")
    change_perm = "routing.change_benefitstandard"

    benefit = fields.Field("benefit", "待遇编码", CodeLookupWidget(Benefit.objects.all, label="待遇编码"))
    grade = fields.Field("grade", "伤残等级", ChoiceLabelWidget(GRADES, what="伤残等级", coerce=int))
    months = fields.Field("months", "月数", MonthsWidget())
    valid_from = fields.Field("valid_from", "生效日期", DateWidget())
    valid_to = fields.Field("valid_to", "失效日期", OptionalDateWidget())

    class Meta(ConsoleResource.Meta):
        model = BenefitStandard
        use_bulk = False  # tens of rows; the periods are judged on the final state
        fields = ["benefit", "grade", "months", "valid_from", "valid_to"]
        export_order = fields

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        if not kwargs.get("continuing") or getattr(self, "_rows", None) is None:
            self._rows: dict[tuple, int] = {}
            self._written = False

    def before_import_row(self, row, **kwargs):
        super().before_import_row(row, **kwargs)
        try:
            self._rows[self.key_of_row(row)] = self.spreadsheet_row(kwargs)
        except ValueError:
            pass  # the row's own error is reported by the import

    def instance_queryset(self):
        return BenefitStandard.objects.select_related("benefit")

    def export_queryset(self):
        return self.instance_queryset().order_by("benefit__code", "grade", "valid_from")

    def key_of_instance(self, obj):
        return (obj.benefit.code, obj.grade, obj.valid_from)

    def key_of_row(self, row):
        grade = normalize.choice(row.get("伤残等级"), GRADES, what="伤残等级")
        try:
            valid_from = normalize.day(row.get("生效日期"))
        except ValueError as error:
            raise ValueError(f"生效日期{error}") from None
        return (normalize.code(row.get("待遇编码")), int(grade), valid_from)

    def after_save_instance(self, instance, row, **kwargs):
        super().after_save_instance(instance, row, **kwargs)
        self._written = True

    def final_errors(self):
        """Periods sharing a day, on the table as this import leaves it; each named at a row of this sheet."""
        if not getattr(self, "_written", False):
            return []
        found = []
        for standard, problem in benefit_standard_overlaps():
            key = (standard.benefit.code, standard.grade, standard.valid_from)
            found.append((self._rows.get(key, 0), "生效日期", f"{standard}：{problem}"))
        return found
