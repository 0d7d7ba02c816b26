"""Reference data of the drafts: the province's print templates and query tags."""

import json
from pathlib import Path

from django.db import transaction

from core.loading import LoadReport, upsert

from ..models import PrintTemplate, Tag

REFERENCE_FILE = Path(__file__).resolve().parent.parent / "reference_data.json"


@transaction.atomic
def drafts_reference_data_load(report: LoadReport) -> None:
    """The print templates and tags every city chooses from; idempotent."""
    data = json.loads(REFERENCE_FILE.read_text(encoding="utf-8"))
    for row in data["print_templates"]:
        upsert(
            PrintTemplate,
            report,
            lookup={"code": row["code"]},
            values={"name": row["name"], "document": row["document"]},
        )
    for row in data["tags"]:
        upsert(Tag, report, lookup={"code": row["code"]}, values={"name": row["name"], "kind": row["kind"]})
