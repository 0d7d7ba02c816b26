"""django-import-export widgets that read messy cells through ``normalize`` and look codes up without a query per row."""

from collections.abc import Callable, Mapping

from import_export import widgets

from . import normalize


class CodeLookupWidget(widgets.Widget):
    """A foreign key given by its code (地区编码, 事项编码, 材料编码 …); one query per import, not per row."""

    def __init__(
        self,
        queryset_factory: Callable,
        *,
        label: str,
        key: str = "code",
        blank_ok: bool = False,
        shown: str = "",
    ):
        super().__init__()
        self.queryset_factory = queryset_factory
        self.label = label
        self.key = key
        self.blank_ok = blank_ok
        self.shown = shown or key  # what the export writes (e.g. a channel's name, 柜台)
        self._objects: dict | None = None

    def reset(self) -> None:
        self._objects = None

    def objects(self) -> dict:
        if self._objects is None:
            self._objects = {str(getattr(obj, self.key)): obj for obj in self.queryset_factory()}
        return self._objects

    def clean(self, value, row=None, **kwargs):
        wanted = normalize.code(value)
        if not wanted:
            if self.blank_ok:
                return None
            raise ValueError(f"{self.label}不能为空")
        found = self.objects().get(wanted)
        if found is None:
            raise ValueError(f"{self.label} {wanted} 不存在")
        return found

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(getattr(value, self.shown))


class ChoiceLabelWidget(widgets.Widget):
    """A choice written as its label or its code; exported as the label. ``coerce`` types the code (e.g. int)."""

    def __init__(
        self, options: Mapping[str, str], *, what: str, coerce: Callable = str, blank_ok: bool = False
    ):
        super().__init__()
        self.options = {str(key): str(label) for key, label in options.items()}
        self.what = what
        self.coerce = coerce
        self.blank_ok = blank_ok  # an empty cell means "not set" (a choice the model allows to be blank)

    def clean(self, value, row=None, **kwargs):
        if self.blank_ok and normalize.text(value) == "":
            return ""
        return self.coerce(normalize.choice(value, self.options, what=self.what))

    def render(self, value, obj=None, **kwargs):
        if value in (None, ""):
            return ""
        return self.options.get(str(value), str(value))


class YesNoWidget(widgets.Widget):
    """是/否 out; 是/否, Y/N, TRUE/FALSE, 1/0 in. ``words`` changes the exported pair (e.g. 有效/无效)."""

    def __init__(self, words: tuple[str, str] = ("是", "否"), *, default: bool | None = None):
        super().__init__()
        self.words = words
        self.default = default

    def clean(self, value, row=None, **kwargs):
        if normalize.text(value) == "" and self.default is not None:
            return self.default
        return normalize.boolean(value)

    def render(self, value, obj=None, **kwargs):
        return self.words[0] if value else self.words[1]


class IntegerWidget(widgets.Widget):
    def __init__(self, *, low: int | None = None, high: int | None = None, default: int | None = None):
        super().__init__()
        self.low, self.high, self.default = low, high, default

    def clean(self, value, row=None, **kwargs):
        if normalize.text(value) == "" and self.default is not None:
            return self.default
        return normalize.integer(value, low=self.low, high=self.high)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else value


class CodeWidget(widgets.Widget):
    """An identifier typed into a cell (政务服务事项编码, 电子印章编码): cleaned like every code (442000.0 → 442000)."""

    def clean(self, value, row=None, **kwargs):
        return normalize.code(value)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class TextWidget(widgets.Widget):
    """Free text (names, template content): surrounding spaces go, the text itself is kept as written."""

    def clean(self, value, row=None, **kwargs):
        return normalize.free_text(value)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class DateWidget(widgets.Widget):
    """A day: read from a real date or text (``normalize.day``), written as 2026-10-01."""

    def clean(self, value, row=None, **kwargs):
        return normalize.day(value)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else value.isoformat()


class CodeListWidget(widgets.Widget):
    """Several codes in one cell, written with 、 between them; the resource resolves them (they may name
    rows of the same sheet), so the widget only splits and joins."""

    def __init__(self, *, limit: int = 50):
        super().__init__()
        self.limit = limit

    def clean(self, value, row=None, **kwargs):
        codes = normalize.code_list(value)
        if len(codes) > self.limit:
            raise ValueError(f"最多填写 {self.limit} 个编码")
        return codes

    def render(self, value, obj=None, **kwargs):
        if hasattr(value, "all"):  # a many-to-many manager (the admin preview's diff reads the field itself)
            try:
                value = sorted(str(item.code) for item in value.all())
            except ValueError:  # an unsaved row has no relations yet
                value = []
        return "、".join(value or ())
