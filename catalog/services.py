"""Writes to the catalog: reference data loading (idempotent, history only for real changes)."""

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import models, transaction

from .models import Agency, Channel, Material, Matter, MatterCategory, Region

REFERENCE_DIR = Path(__file__).resolve().parent / "reference_data"


@dataclass
class LoadReport:
    """How many rows a load created and changed, per model."""

    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, bucket: dict[str, int], model: type[models.Model]) -> None:
        key = str(model._meta.verbose_name)
        bucket[key] = bucket.get(key, 0) + 1

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def upsert(model: type[models.Model], report: LoadReport, *, lookup: dict[str, Any], values: dict[str, Any]):
    """Create the row or bring it up to ``values``; save (and so write history) only if something differs."""
    obj = model._default_manager.filter(**lookup).first()
    if obj is None:
        obj = model._default_manager.create(**lookup, **values)
        report.count(report.created, model)
        return obj
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj._change_reason = "参考数据更新"
        obj.save(update_fields=changed)
        report.count(report.updated, model)
    return obj


def _set_m2m(obj: models.Model, field_name: str, targets: list[models.Model], report: LoadReport) -> None:
    manager = getattr(obj, field_name)
    if set(manager.values_list("pk", flat=True)) != {target.pk for target in targets}:
        manager.set(targets)
        report.count(report.updated, type(obj))


def read_reference_file(name: str = "guangdong.json") -> dict[str, Any]:
    with open(REFERENCE_DIR / name, encoding="utf-8") as handle:
        return json.load(handle)


@transaction.atomic
def reference_data_load() -> LoadReport:
    """Load Guangdong's regions, agencies, channels and matter catalog; a second run changes nothing."""
    report = LoadReport()
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
            lookup={"code": f"{region.code[:4]}99"},
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
        _set_m2m(matter, "prerequisites", [matters[code] for code in row.get("prerequisites", [])], report)
        _set_m2m(matter, "conflicts", [matters[code] for code in row.get("conflicts", [])], report)
    for row in data["materials"]:
        upsert(
            Material,
            report,
            lookup={"code": row["code"]},
            values={"name": row["name"], "description": row["description"]},
        )
    return report
