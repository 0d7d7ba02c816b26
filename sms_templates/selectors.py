"""Reads of SMS templates: the vocabulary and template validity; failed messages counted per city."""

from collections.abc import Iterable

from django.db.models import Count

from .models import MAX_CONTENT_LENGTH, PlaceholderCode, SmsMessage, SmsStatus, SmsTemplate
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


def failed_message_counts(region_ids: Iterable[int]) -> dict[int, int]:
    """{region id: messages of the outbox that failed} for these cities, in one grouped query."""
    rows = (
        SmsMessage.objects.filter(status=SmsStatus.FAILED, region_id__in=list(region_ids))
        .order_by()
        .values_list("region_id")
        .annotate(number=Count("pk"))
    )
    return {region_id: number for region_id, number in rows}
