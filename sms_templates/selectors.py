"""Reads of SMS templates: the vocabulary and template validity."""

from collections.abc import Iterable

from .models import MAX_CONTENT_LENGTH, PlaceholderCode, SmsTemplate
from .placeholders import validate


def vocabulary() -> dict[str, str]:
    """The placeholder vocabulary {code: meaning} as configured."""
    return PlaceholderCode.objects.vocabulary()


def template_validity(templates: Iterable[SmsTemplate]) -> dict[int, bool]:
    """{template id: content passes validation} for the given templates, with one query for the vocabulary."""
    templates = list(templates)
    if not templates:
        return {}
    codes = vocabulary()
    return {
        template.pk: not any(
            d.severity == "error" for d in validate(template.content, codes, MAX_CONTENT_LENGTH)
        )
        for template in templates
    }
