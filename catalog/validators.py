"""Field validators shared by the catalog models, the importers and the API."""

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

region_code_validator = RegexValidator(
    r"^\d{6}$", _("行政区划代码须为 6 位数字（GB/T 2260），例如 442000。"), code="invalid_region_code"
)
agency_code_validator = RegexValidator(
    r"^\d{6}(\d{2,6})?$",
    _("经办机构编码须为 6 位数字，下属网点可追加 2 至 6 位数字。"),
    code="invalid_agency_code",
)
catalog_code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$",
    _("编码只能由字母、数字、下划线、点或短横线组成，且不超过 32 个字符。"),
    code="invalid_code",
)
