"""Idempotent loading of reference data: create or update rows, writing history only for real changes."""

from dataclasses import dataclass, field
from typing import Any

from django.db import models


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


def set_m2m(obj: models.Model, field_name: str, targets: list[models.Model], report: LoadReport) -> None:
    """Make a many-to-many field hold exactly ``targets``; counted as an update only when it changed."""
    manager = getattr(obj, field_name)
    if set(manager.values_list("pk", flat=True)) != {target.pk for target in targets}:
        manager.set(targets)
        report.count(report.updated, type(obj))
