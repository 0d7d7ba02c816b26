"""Bulk builders of catalog rows for query-count tests and benchmarks.

Each takes ``start`` so that a second call adds rows with fresh codes.
"""

from catalog.models import Agency, Channel, Material, Matter, MatterCategory, Region


def _test_city() -> Region:
    return Region.objects.get_or_create(
        code="899999", defaults={"name": "测试市", "level": Region.Level.CITY}
    )[0]


def regions(count: int, start: int = 0) -> list[Region]:
    """County regions with codes 700000.. (outside the GB/T 2260 reference codes)."""
    parent = _test_city()
    return Region.objects.bulk_create(
        Region(code=f"{700000 + i:06d}", name=f"测试区{i}", level=Region.Level.COUNTY, parent=parent)
        for i in range(start, start + count)
    )


def agencies(count: int, start: int = 0) -> list[Agency]:
    region = _test_city()
    root = Agency.objects.get_or_create(
        code="899999", defaults={"name": "测试机构", "region": region, "kind": Agency.Kind.MUNICIPAL}
    )[0]
    return Agency.objects.bulk_create(
        Agency(
            code=f"{800000 + i:06d}",
            name=f"测试网点{i}",
            region=region,
            parent=root,
            kind=Agency.Kind.SERVICE_POINT,
        )
        for i in range(start, start + count)
    )


def channels(count: int, start: int = 0) -> list[Channel]:
    return Channel.objects.bulk_create(
        Channel(code=f"ch{i}", name=f"渠道{i}") for i in range(start, start + count)
    )


def categories(count: int, start: int = 0) -> list[MatterCategory]:
    return MatterCategory.objects.bulk_create(
        MatterCategory(code=f"CAT{i}", name=f"大类{i}") for i in range(start, start + count)
    )


def matters(count: int, start: int = 0, *, category: MatterCategory | None = None) -> list[Matter]:
    category = category or MatterCategory.objects.get_or_create(code="CATX", defaults={"name": "测试大类"})[0]
    return Matter.objects.bulk_create(
        Matter(code=f"T{i:05d}", name=f"测试事项{i}", category=category) for i in range(start, start + count)
    )


def materials(count: int, start: int = 0) -> list[Material]:
    return Material.objects.bulk_create(
        Material(code=f"M{i:05d}", name=f"测试材料{i}") for i in range(start, start + count)
    )
