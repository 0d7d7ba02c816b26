"""Writes to the catalog: reference data loading (idempotent, history only for real changes)."""

import csv
import json
from pathlib import Path
from typing import Any

from django.db import transaction

from core.loading import LoadReport, set_m2m, upsert

from .codes import city_agency_code
from .models import Agency, Channel, Material, Matter, MatterCategory, Region

REFERENCE_DIR = Path(__file__).resolve().parent / "reference_data"


def read_reference_file(name: str = "guangdong.json") -> dict[str, Any]:
    with open(REFERENCE_DIR / name, encoding="utf-8") as handle:
        return json.load(handle)


@transaction.atomic
def reference_data_load(report: LoadReport | None = None) -> LoadReport:
    """Load Guangdong's regions, agencies, channels and matter catalog; a second run changes nothing."""
    report = report if report is not None else LoadReport()
    data = read_reference_file()

    regions: dict[str, Region] = {}
    with open(REFERENCE_DIR / "regions.csv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            regions[row["code"]] = upsert(
                Region,
                report,
                lookup={"code": row["code"]},
                values={"name": row["name"], "level": row["level"], "parent": regions.get(row["parent"])},
            )

    province = data["provincial_agency"]
    provincial = upsert(
        Agency,
        report,
        lookup={"code": province["code"]},
        values={
            "name": province["name"],
            "region": regions[province["region"]],
            "parent": None,
            "kind": Agency.Kind.PROVINCIAL,
        },
    )
    for region in regions.values():
        if region.level != Region.Level.CITY:
            continue
        upsert(
            Agency,
            report,
            lookup={"code": city_agency_code(region.code)},
            values={
                "name": data["city_agency_name"].format(city=region.name),
                "region": region,
                "parent": provincial,
                "kind": Agency.Kind.MUNICIPAL,
            },
        )

    for row in data["channels"]:
        upsert(
            Channel,
            report,
            lookup={"code": row["code"]},
            values={"name": row["name"], "sort_order": row["sort_order"]},
        )
    categories = {
        row["code"]: upsert(
            MatterCategory,
            report,
            lookup={"code": row["code"]},
            values={"name": row["name"], "sort_order": row["sort_order"]},
        )
        for row in data["categories"]
    }
    matters = {
        row["code"]: upsert(
            Matter,
            report,
            lookup={"code": row["code"]},
            values={
                "name": row["name"],
                "aliases": row.get("aliases", ""),
                "category": categories[row["category"]],
                "province_wide": row["province_wide"],
                "joint_handling": row["joint_handling"],
                "default_time_limit_days": row["days"],
            },
        )
        for row in data["matters"]
    }
    for row in data["matters"]:
        matter = matters[row["code"]]
        set_m2m(matter, "prerequisites", [matters[code] for code in row.get("prerequisites", [])], report)
        set_m2m(matter, "conflicts", [matters[code] for code in row.get("conflicts", [])], report)
    for row in data["materials"]:
        upsert(
            Material,
            report,
            lookup={"code": row["code"]},
            values={"name": row["name"], "description": row["description"]},
        )
    return report
