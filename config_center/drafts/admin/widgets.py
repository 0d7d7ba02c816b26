"""Widgets that keep the local-matter page's query count independent of its row count."""

from django.contrib.admin.widgets import AutocompleteSelect


class PrefetchedAutocompleteSelect(AutocompleteSelect):
    """An autocomplete whose selected option's label comes from rows already loaded, not a query per row.

    The formset fills ``labels`` ({pk as str: label}) from its own queryset; values not in it (a row
    just added in a failed POST) fall back to Django's lookup.
    """

    labels: dict[str, str] | None = None

    def optgroups(self, name, value, attr=None):
        selected = [str(v) for v in value if str(v) not in ("", "None")]
        if self.labels is None or any(v not in self.labels for v in selected):
            return super().optgroups(name, value, attr)
        default = (None, [], 0)
        groups = [default]
        if not self.is_required and not self.allow_multiple_selected:
            default[1].append(self.create_option(name, "", "", False, 0))
        for index, pk in enumerate(selected, start=len(default[1])):
            default[1].append(self.create_option(name, pk, self.labels[pk], True, index))
        return groups
