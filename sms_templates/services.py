"""Writes of SMS templates: reference data (vocabulary, the annex-3 example templates)."""

import json
from pathlib import Path

from django.db import transaction

from catalog.services import LoadReport, upsert

from .models import PlaceholderCode, SmsTemplate, SmsTemplateCategory

REFERENCE_FILE = Path(__file__).resolve().parent / "reference_data" / "guangdong.json"


@transaction.atomic
def sms_reference_data_load(report: LoadReport) -> None:
    """The 13 placeholder codes of annex 3 and example templates; idempotent."""
    data = json.loads(REFERENCE_FILE.read_text(encoding="utf-8"))
    for order, row in enumerate(data["placeholders"], start=1):
        upsert(
            PlaceholderCode,
            report,
            lookup={"code": row["code"]},
            values={"meaning": row["meaning"], "sample_value": row["sample"], "sort_order": order * 10},
        )
    categories = {
        row["name"]: upsert(
            SmsTemplateCategory,
            report,
            lookup={"name": row["name"], "region": None},
            values={"sort_order": row["sort_order"]},
        )
        for row in data["categories"]
    }
    for row in data["templates"]:
        upsert(
            SmsTemplate,
            report,
            lookup={"function_code": row["function_code"]},
            values={"category": categories[row["category"]], "name": row["name"], "content": row["content"]},
        )
