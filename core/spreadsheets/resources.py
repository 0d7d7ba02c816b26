"""The base of every spreadsheet resource and the admin mixin that offers 导入导出 on a screen."""

import copy
from collections.abc import Callable, Iterator

from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from import_export import resources
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import ImportForm
from import_export.results import Error, RowResult
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from . import normalize
from .reading import ImportFileError, Limits, megabytes, read_upload, shown
from .widgets import (
    ChoiceLabelWidget,
    CodeListWidget,
    CodeLookupWidget,
    DateWidget,
    IntegerWidget,
    YesNoWidget,
)

IMPORT_REASON = "导入"


def _text(value) -> str:
    return "" if value is None else str(value)


class BatchRowResult(RowResult):
    """A row's result without the object's text (which the admin's log needs, a batch import does not, and
    which costs a lookup of display labels per row)."""

    def add_instance_info(self, instance):
        if instance is not None:
            self.object_id = instance.pk


class ConsoleResource(resources.ModelResource):
    """Rows are found by their natural key (codes, not ids), saved with the user and reason in history,
    and skipped when unchanged (so no history is written). Scope checks are added by the subclass
    ``permissions.resources.ScopedResource``.

    Rows are judged one by one against lookups read once per import (no query per row), then written in
    batches of ``Meta.batch_size``: ``bulk_save`` inserts or updates a batch and its history rows in a few
    statements. A resource whose rows go through a per-row service sets ``use_bulk = False``.
    """

    sheet = ""  # the Chinese sheet name
    note = ""  # what the sheet is for, in one sentence (the template workbook's 说明)
    example: tuple = ()  # one example row, in the export's column order (the template workbook's)
    key_columns: tuple[str, ...] = ()
    # The ORM paths of ``key_of_instance``'s values: stored rows are then indexed by key without loading them
    # (a 160,000-row table costs its keys, not its instances); None: the table is small, index its instances.
    key_paths: tuple[str, ...] | None = None

    class Meta:
        skip_unchanged = True
        report_skipped = True
        skip_diff = True  # unchanged rows are found by comparing field values (``skip_row``), not by a copy
        skip_html_diff = True
        use_transactions = True
        clean_model_instances = True
        use_bulk = True
        batch_size = 1_000

    def __init__(self, *, user=None, preview: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        # {key: pk of a stored row, or an instance this import creates and has not written yet}
        self._keys: dict | None = None
        self._batch = None  # the dataset being imported
        self._loaded: dict | None = None  # {pk: instance} of the stored rows the batch names
        self._batch_loaded = False  # whether ``_loaded`` holds the batch's stored rows yet
        self._stored: tuple | None = None  # the values of the row's stored instance (None: a new row)
        self._row_numbers: list[int] | None = None  # the batch's spreadsheet row numbers (the workbook's)
        if preview:
            # The admin's dry-run page shows each row's values as an HTML diff; batch imports skip
            # building it (with the copy of each instance it needs, it was most of the per-row cost).
            self._meta = copy.copy(self._meta)
            self._meta.skip_diff = False
            self._meta.skip_html_diff = False

    # ---- identity ---------------------------------------------------------------------------
    def instance_queryset(self):
        return self._meta.model._default_manager.all()

    def export_queryset(self):
        """The rows ``export_config`` writes, in the order a reader expects."""
        return self.instance_queryset()

    def key_of_instance(self, obj) -> tuple:
        raise NotImplementedError

    def key_of_row(self, row) -> tuple:
        raise NotImplementedError

    def get_import_id_fields(self):
        return []

    def _check_import_id_fields(self, headers):
        missing = [column for column in self.key_columns if column not in headers]
        if missing:
            raise ImportFileError(
                _("%(sheet)s缺少列：%(columns)s") % {"sheet": self.sheet, "columns": "、".join(missing)}
            )

    def stored_keys(self) -> dict:
        """{key: pk} of every stored row, read once per import; key values interned (they repeat a lot)."""
        if self._keys is None:
            if self.key_paths is None:
                self._keys = {self.key_of_instance(obj): obj for obj in self.instance_queryset()}
            else:
                interned: dict = {}
                rows = (
                    self._meta.model._default_manager.order_by()
                    .values_list(*self.key_paths, "pk")
                    .iterator(chunk_size=5_000)
                )
                self._keys = {
                    tuple(interned.setdefault(value, value) for value in values[:-1]): values[-1]
                    for values in rows
                }
        return self._keys

    def loading_queryset(self):
        """The stored rows a batch loads. The admin's preview shows each row's old values (related rows
        included); a batch import needs the row itself, its related rows come from the import's lookups."""
        return self.instance_queryset()

    def get_row_result_class(self):
        return RowResult if not self._meta.skip_diff else BatchRowResult

    def _row_key(self, row) -> tuple:
        try:
            return self.key_of_row(row)
        except ValueError as error:
            raise ValidationError(str(error)) from error

    def _load_batch(self) -> dict:
        """{pk: instance} of the stored rows the batch's rows name: one query per 2,000 of them."""
        keys = self.stored_keys()
        headers = self._batch.headers if self._batch is not None else []
        wanted = set()
        for values in self._batch or ():
            try:
                found = keys.get(self.key_of_row(dict(zip(headers, values, strict=False))))
            except (ValueError, ValidationError, AttributeError, KeyError):
                continue  # the row's own error is reported when it is imported
            if found is not None and not isinstance(found, self._meta.model):
                wanted.add(found)
        loaded = {}
        wanted = sorted(wanted)
        for start in range(0, len(wanted), 2_000):
            chunk = wanted[start : start + 2_000]
            loaded.update((obj.pk, obj) for obj in self.loading_queryset().filter(pk__in=chunk))
        return loaded

    def get_instance(self, instance_loader, row):
        found = self.stored_keys().get(self._row_key(row))
        if found is None or isinstance(found, self._meta.model):
            return found
        if not self._batch_loaded:
            # Rows saved earlier in this batch (``_remember``) may be here already: keep them beside the load.
            self._loaded = {**self._load_batch(), **(self._loaded or {})}
            self._batch_loaded = True
        return self._loaded.get(found)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """The model's own validation, without the per-row queries that would only repeat the import:
        related objects came from lookups of existing rows, and the natural key is the unique constraint."""
        errors = dict(import_validation_errors or {})
        related = [f.name for f in instance._meta.concrete_fields if f.is_relation]
        try:
            instance.full_clean(
                exclude=[*errors, *related], validate_unique=False, validate_constraints=False
            )
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(self.by_column(errors))

    def by_column(self, errors: dict) -> dict:
        """Errors keyed by the sheet's Chinese columns (what the user sees), not by model fields."""
        keyed: dict[str, list] = {}
        for key, messages in errors.items():
            column = NON_FIELD_ERRORS if key == NON_FIELD_ERRORS else self.column_of(key) or NON_FIELD_ERRORS
            keyed.setdefault(column, []).extend(messages)
        return keyed

    def after_save_instance(self, instance, row, **kwargs):
        self._remember(instance)

    def after_delete_instance(self, instance, row, **kwargs):
        self.stored_keys().pop(self.key_of_instance(instance), None)

    def _remember(self, instance) -> None:
        """A row this import saved (or will write with its batch) is found by a later row with its key."""
        key = self.key_of_instance(instance)
        if instance.pk is None:
            self.stored_keys()[key] = instance
        else:
            self.stored_keys()[key] = instance.pk
            if self._loaded is None:
                self._loaded = {}
            self._loaded[instance.pk] = instance

    # ---- unchanged rows -----------------------------------------------------------------------
    @staticmethod
    def _values_of(instance) -> tuple:
        return tuple(getattr(instance, field.attname) for field in instance._meta.concrete_fields)

    def after_init_instance(self, instance, new, row, **kwargs):
        self._stored = None if new or instance.pk is None else self._values_of(instance)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        """A row whose values are those stored is skipped: nothing written, no history."""
        if import_validation_errors or self._stored is None:
            return False
        return self._values_of(instance) == self._stored

    # ---- writing in batches ---------------------------------------------------------------------
    def bulk_fields(self) -> list[str]:
        """The model fields a batch of changed rows updates: those the sheet's columns set."""
        names = {field.name for field in self._meta.model._meta.concrete_fields if not field.primary_key}
        return [field.attribute for field in self.get_import_fields() if field.attribute in names]

    def bulk_save(self, instances: list, *, created: bool) -> None:
        """Insert (``created``) or update a batch, with a history row each (the importing user, 导入)."""
        model = self._meta.model
        if created:
            bulk_create_with_history(
                instances,
                model,
                batch_size=self._meta.batch_size,
                default_user=self.user,
                default_change_reason=IMPORT_REASON,
            )
        else:
            bulk_update_with_history(
                instances,
                model,
                self.bulk_fields(),
                batch_size=self._meta.batch_size,
                default_user=self.user,
                default_change_reason=IMPORT_REASON,
            )

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        self._flush(self.create_instances, created=True, result=result, raise_errors=raise_errors)

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        # A row repeated in the same batch as its insert is that insert (identical repeats are harmless;
        # different ones are reported by the import): only rows already stored are updated.
        pending = [instance for instance in self.update_instances if instance.pk is not None]
        self.update_instances[:] = pending
        self._flush(self.update_instances, created=False, result=result, raise_errors=raise_errors)

    def bulk_delete(self, using_transactions, dry_run, raise_errors, result=None):
        try:
            for instance in self.delete_instances:
                instance._history_user = self.user
                instance._change_reason = IMPORT_REASON
                instance.delete()  # rare (a sheet's way to remove a row): one by one, with history
        except Exception as error:
            self.handle_import_error(result, error, raise_errors)
        finally:
            self.delete_instances.clear()

    def _flush(self, instances: list, *, created: bool, result, raise_errors) -> None:
        if not instances:
            return
        try:
            # A batch refused by the database leaves the import's transaction usable.
            with transaction.atomic():
                self.bulk_save(list(instances), created=created)
            for instance in instances:
                self._remember(instance)  # now with its pk: the index holds the pk, not the instance
        except Exception as error:
            self.handle_import_error(result, error, raise_errors)
        finally:
            instances.clear()

    # ---- the file ---------------------------------------------------------------------------
    def before_import(self, dataset, **kwargs):
        if not kwargs.get("continuing"):
            # A new import (not the next batch of one): forget what earlier imports looked up.
            for field in self.fields.values():
                if isinstance(field.widget, CodeLookupWidget):
                    field.widget.reset()
            self._keys = None
        self._batch, self._loaded, self._batch_loaded = dataset, None, False
        self._row_numbers = kwargs.get("row_numbers")
        dataset.headers = [normalize.text(header) for header in dataset.headers or []]
        blank = [index for index, row in enumerate(dataset) if normalize.is_blank(row)]
        for index in reversed(blank):
            # Trailing (and stray) blank rows are what spreadsheets leave behind, not data.
            del dataset[index]

    # ---- rules between rows and sheets ---------------------------------------------------------
    def final_errors(self) -> list[tuple[int, str, str]]:
        """(row, column, message) of the rules a row cannot be judged by alone (between rows of a sheet, or
        between sheets: an e-seal on a print slot needs 启用电子印章 in 属性配置), judged on what the import
        has written; row is the spreadsheet's row number (``row_number``) or 0 for the sheet as a whole.
        A single sheet's import asks after its last row; the workbook after its last sheet."""
        return []

    def spreadsheet_row(self, kwargs) -> int:
        """The row being imported as the spreadsheet numbers it (the header is row 1): the workbook passes
        each batch's numbers (``row_numbers``); a single upload's rows follow its header."""
        number = kwargs.get("row_number") or 0
        numbers = self._row_numbers
        if numbers and 0 < number <= len(numbers):
            return numbers[number - 1]
        return number + 1 if number else 0

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        if kwargs.get("defer_final_checks"):
            return
        for row, column, message in self.final_errors():
            where = f"第 {row} 行" if row else ""
            text = "".join(
                part
                for part in (
                    where,
                    f"「{column}」" if column else "",
                    "：" if where or column else "",
                    message,
                )
            )
            result.append_base_error(Error(ValidationError(text)))

    # ---- history ----------------------------------------------------------------------------
    def before_save_instance(self, instance, row, **kwargs):
        instance._history_user = self.user
        instance._change_reason = IMPORT_REASON

    # ---- export -----------------------------------------------------------------------------
    # {column: ORM path} of the columns a subclass computes (``dehydrate_…``), so the export can stream them.
    export_paths: dict[str, str] = {}

    def export_columns(self) -> list[tuple[str, str, Callable]] | None:
        """(header, ORM path, render) of each exported column; None when a column needs the instance."""
        names = {id(field): name for name, field in self.fields.items()}
        model_fields = {field.name for field in self._meta.model._meta.concrete_fields}
        columns = []
        for field in self.get_export_fields():
            header = field.column_name
            if header in self.export_paths:
                columns.append((header, self.export_paths[header], _text))
            elif hasattr(self, f"dehydrate_{names.get(id(field))}") or field.attribute not in model_fields:
                return None
            elif isinstance(field.widget, CodeLookupWidget):
                columns.append((header, f"{field.attribute}__{field.widget.shown}", _text))
            else:
                columns.append((header, field.attribute, field.widget.render))
        return columns

    def export_rows(self) -> tuple[list[str], Iterator[tuple]]:
        """The sheet's headers and its rows as tuples of cell values, read in chunks (no model instances,
        flat memory); a resource whose columns need instances goes through the library's export."""
        columns = self.export_columns()
        if columns is None:
            dataset = self.export(queryset=self.export_queryset())
            return list(dataset.headers), iter(dataset)
        headers = [normalize.escape_formula(header) for header, _path, _render in columns]
        renders = [render for _header, _path, render in columns]
        values = (
            self.export_queryset()
            .prefetch_related(None)
            .values_list(*(path for _header, path, _render in columns))
        )
        rows = (
            tuple(normalize.escape_formula(render(value)) for render, value in zip(renders, row, strict=True))
            for row in values.iterator(chunk_size=2_000)
        )
        return headers, rows

    def export_field(self, field, instance, **kwargs):
        return normalize.escape_formula(super().export_field(field, instance, **kwargs))

    def get_export_headers(self, selected_fields=None):
        return [normalize.escape_formula(header) for header in super().get_export_headers(selected_fields)]

    def column_notes(self) -> list[tuple[str, str]]:
        """(column, what it takes) of each column, read off its widget: allowed values, ranges, defaults."""
        notes = []
        for field in self.get_export_fields():
            notes.append(
                (field.column_name, _widget_note(field.widget, key=field.column_name in self.key_columns))
            )
        return notes

    def column_of(self, attribute: str) -> str:
        """The Chinese column of a model attribute (to place an error); a field the sheet has no column for
        is named by its label, and anything else (a rule about the whole row) by nothing."""
        for field in self.fields.values():
            if field.attribute == attribute or field.column_name == attribute:
                return field.column_name
        try:
            return str(self._meta.model._meta.get_field(attribute).verbose_name)
        except FieldDoesNotExist:  # not a model field: a rule about several fields
            return ""


def _widget_note(widget, *, key: bool) -> str:
    if isinstance(widget, ChoiceLabelWidget):
        text = _("可填：%(values)s") % {"values": "、".join(widget.options.values())}
        if widget.blank_ok:
            text += _("；可留空")
    elif isinstance(widget, YesNoWidget):
        text = _("填 %(yes)s 或 %(no)s（也可 是/否、Y/N、1/0）") % {
            "yes": widget.words[0],
            "no": widget.words[1],
        }
        if widget.default is not None:
            text += _("；留空为 %(value)s") % {
                "value": widget.words[0] if widget.default else widget.words[1]
            }
    elif isinstance(widget, CodeLookupWidget):
        text = _("%(label)s，须已存在") % {"label": widget.label}
        if widget.blank_ok:
            text += _("；可留空")
    elif isinstance(widget, IntegerWidget):
        text = _("整数")
        if widget.low is not None and widget.high is not None:
            text += f" {widget.low}–{widget.high}"
        if widget.default is not None:
            text += _("；留空为 %(value)s") % {"value": widget.default}
    elif isinstance(widget, DateWidget):
        text = _("日期，如 2026-10-01")
    elif isinstance(widget, CodeListWidget):
        text = _("零个或多个编码，用 、 分隔（最多 %(limit)s 个）") % {"limit": widget.limit}
    else:
        text = _("文本")
    return (_("（主键）") + text) if key else text


class BoundedXLSX(XLSX):
    """An uploaded workbook read within the import limits, its real content only (``reading``)."""

    def create_dataset(self, in_stream):
        return read_upload(in_stream, "upload.xlsx")


class BoundedCSV(CSV):
    """An uploaded csv read within the import limits; UTF-8 or GB18030 recognised by the reader itself."""

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream):
        data = in_stream if isinstance(in_stream, bytes) else in_stream.encode("utf-8")
        return read_upload(data, "upload.csv")


class BoundedImportForm(ImportForm):
    """The admin's upload form, refusing a file over the import limit before anything reads it."""

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        limit = Limits.from_settings().max_file_bytes
        if upload.size > limit:
            raise ValidationError(
                _("文件有 %(size)s，超过 %(limit)s 的上限；请分成几个文件导入。")
                % {"size": megabytes(upload.size), "limit": megabytes(limit)}
            )
        return upload


class SpreadsheetMixin(ImportExportMixin):
    """导入导出 on an admin screen: xlsx and csv within the import limits, the library's dry-run preview, the
    user's scope."""

    formats = [XLSX, CSV]
    import_formats = [BoundedXLSX, BoundedCSV]
    export_formats = [XLSX, CSV]
    import_form_class = BoundedImportForm

    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        result = getattr(response, "context_data", {}).get("result")
        if result is not None:
            errors = [*result.base_errors, *(error for row in result.error_rows for error in row.errors)]
            for error in errors:
                # The message for the user, never a traceback with the server's paths (nor a list's repr).
                messages = getattr(error.error, "messages", None) or [str(error.error)]
                error.error = "；".join(shown(message, 300) for message in messages)
                error.traceback = ""
            # Rows numbered as the spreadsheet shows them (the header is row 1), as on the command line.
            for row in [*result.invalid_rows, *result.error_rows]:
                row.number += 1
        return response

    def add_data_read_fail_error_to_form(self, form, e):
        # Our reader's refusals say what is wrong and which limit applies; anything else is a file it
        # cannot read at all (never a traceback or an exception's English name on the page).
        if isinstance(e, ImportFileError):
            message = str(e)
        else:
            message = _(
                "无法读取该文件：请确认它是 .xlsx 工作簿或 UTF-8/GBK 编码的 .csv 文件，且与所选格式一致。"
            )
        form.add_error("import_file", message)

    def get_import_resource_kwargs(self, request, **kwargs):
        return {
            **super().get_import_resource_kwargs(request, **kwargs),
            "user": request.user,
            "preview": True,
        }

    def get_export_resource_kwargs(self, request, **kwargs):
        return {**super().get_export_resource_kwargs(request, **kwargs), "user": request.user}
