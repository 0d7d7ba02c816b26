"""A small demo on top of the reference data, so a fresh console has something to look at.

Idempotent like the reference data: a second run changes nothing.
"""

from django.db import transaction

from catalog.models import Agency, Region
from catalog.services import LoadReport, upsert

DEMO_COUNTIES = [
    # (county code, name, city code)
    ("440104", "越秀区", "440100"),
    ("440106", "天河区", "440100"),
    ("440604", "禅城区", "440600"),
]


@transaction.atomic
def demo_data_load() -> LoadReport:
    """Counties with their district agencies under the city agencies (a deeper agency tree)."""
    report = LoadReport()
    for code, name, city_code in DEMO_COUNTIES:
        city = Region.objects.get(code=city_code)
        county = upsert(
            Region,
            report,
            lookup={"code": code},
            values={"name": name, "level": Region.Level.COUNTY, "parent": city},
        )
        upsert(
            Agency,
            report,
            lookup={"code": code},
            values={
                "name": f"{city.name}{name}社会保险基金管理局",
                "region": county,
                "parent": Agency.objects.get(code=f"{city_code[:4]}99"),
                "kind": Agency.Kind.COUNTY,
            },
        )
    return report
