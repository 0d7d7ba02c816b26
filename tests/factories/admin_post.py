"""Build the POST body a browser would send for an admin change page, from the rendered response."""

from django.forms import BaseFormSet


def _form_values(form) -> dict:
    data = {}
    for name, field in form.fields.items():
        key = form.add_prefix(name)
        value = form.initial.get(name, field.initial)
        if callable(value):
            value = value()
        if value is None:
            continue
        if isinstance(value, bool):
            if value:
                data[key] = "on"
            continue
        if hasattr(value, "pk"):
            value = value.pk
        if isinstance(value, list | tuple | set):
            data[key] = [getattr(v, "pk", v) for v in value]
            continue
        if hasattr(value, "all") and not isinstance(value, str):
            data[key] = [v.pk for v in value.all()]
            continue
        data[key] = value
    return data


def change_page_post(response) -> dict:
    """Everything the change page would submit unchanged: main form, every inline formset and its management form."""
    context = response.context
    data = _form_values(context["adminform"].form)
    for inline in context["inline_admin_formsets"]:
        formset: BaseFormSet = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management.initial.get(name, "")
        for form in formset.forms:
            data.update(_form_values(form))
    return {key: value for key, value in data.items() if value is not None}


def formset_prefix(response, channel_code: str, kind: str) -> str:
    for inline in response.context["inline_admin_formsets"]:
        if inline.opts.channel.code == channel_code and inline.opts.kind == kind:
            return inline.formset.prefix
    raise LookupError((channel_code, kind))
