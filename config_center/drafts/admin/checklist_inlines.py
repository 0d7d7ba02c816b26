"""The per-channel material lists as inlines: three per channel (主材料, 辅助材料, 申请事项材料)."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from catalog.models import Channel

from .. import rules
from ..models import ChecklistItem, ChecklistKind
from .widgets import PrefetchedAutocompleteSelect

KIND_FIELDS = {
    ChecklistKind.MAIN: ["position", "material", "send_to_ministry"],
    ChecklistKind.AUXILIARY: ["position", "name", "material", "send_to_ministry"],
    ChecklistKind.APPLICATION: ["position", "name", "material"],
}
KIND_LABELS = {
    ChecklistKind.MAIN: {"material": _("材料")},
    ChecklistKind.AUXILIARY: {"name": _("辅助项名称"), "material": _("辅助项关联材料")},
    ChecklistKind.APPLICATION: {"name": _("申请事项名称"), "material": _("申请事项关联材料")},
}


class ChecklistFormSet(forms.BaseInlineFormSet):
    """One list of one channel: fills channel and kind in, checks the list with the shared rules."""

    channel: Channel
    kind: str

    def get_queryset(self):
        if not hasattr(self, "_list_queryset"):
            self._list_queryset = (
                super()
                .get_queryset()
                .filter(channel=self.channel, kind=self.kind)
                .select_related("material")
                .order_by("position", "id")
            )
        return self._list_queryset

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if not hasattr(self, "_labels"):
            self._labels = {str(row.material_id): str(row.material) for row in self.get_queryset()}
        widget = form.fields["material"].widget
        getattr(widget, "widget", widget).labels = self._labels

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.instance.channel = self.channel
        form.instance.kind = self.kind
        return form

    def clean(self):
        super().clean()
        items = []
        for form in self.forms:
            if not form.is_valid() or (self.can_delete and self._should_delete_form(form)):
                continue
            material = form.cleaned_data.get("material")
            if material is None:
                continue
            items.append(rules.ListItem(material.code, form.cleaned_data.get("name", "") or "", False))
        label = f"{self.channel.name}{ChecklistKind(self.kind).label}"
        problems = rules.list_findings(self.kind, items, list_label=label)
        if problems:
            raise ValidationError([problem.message for problem in problems])


class ChecklistInline(admin.TabularInline):
    model = ChecklistItem
    formset = ChecklistFormSet
    extra = 0
    autocomplete_fields = ["material"]
    channel: Channel
    kind: str

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        return type(formset.__name__, (formset,), {"channel": self.channel, "kind": self.kind})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "material":
            kwargs["widget"] = PrefetchedAutocompleteSelect(db_field, self.admin_site)
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        label = KIND_LABELS[self.kind].get(db_field.name)
        if field is not None and label:
            field.label = label
        return field

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "material" and field is not None:
            for name in ("can_add_related", "can_change_related", "can_delete_related", "can_view_related"):
                setattr(field.widget, name, False)
        label = KIND_LABELS[self.kind].get(db_field.name)
        if field is not None and label and db_field.name != "material":
            field.label = label
        if db_field.name == "name" and field is not None:
            field.required = True
        return field

    # The lists are part of the local matter: whoever may change (view) it may change (view) them.
    # Django calls these with obj=None too (e.g. to decide the inline's queryset): then it is the
    # parent admin's global answer.
    def _parent_admin(self):
        return self.admin_site._registry[self.parent_model]

    def has_add_permission(self, request, obj=None):
        return self._parent_admin().has_change_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._parent_admin().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._parent_admin().has_change_permission(request, obj)

    def has_view_permission(self, request, obj=None):
        return self._parent_admin().has_view_permission(request, obj)


def checklist_inline(channel: Channel, kind: str) -> type[ChecklistInline]:
    """An inline class for one (channel, kind) list, named as on the 大集中 screen (柜台主材料信息设置)."""
    title = f"{channel.name}{ChecklistKind(kind).label}信息设置"
    return type(
        f"ChecklistInline_{channel.code}_{kind}",
        (ChecklistInline,),
        {
            "channel": channel,
            "kind": kind,
            "fields": KIND_FIELDS[kind],
            "verbose_name": f"{channel.name}{ChecklistKind(kind).label}",
            "verbose_name_plural": title,
            "ordering": ["position", "id"],
        },
    )
