"""The immutable in-memory picture of the published configuration of the whole province (pure).

``build_snapshot`` turns plain data (the latest release of every city, in the format documented in
``config_center.drafts.diff``, plus the catalog: matters, agencies, channels, materials) into frozen
dataclasses, tuples and ``types.MappingProxyType`` mappings. The builder does the joins (material
names, list order) once, so the decisions in ``engine.decisions`` are a handful of dict lookups.

Nothing here imports Django: the engine can run in any process that holds the plain data.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from config_center.drafts import codes

DISTRIBUTION_MODES = frozenset(codes.DISTRIBUTION_MODES)
REVIEW_LEVELS = frozenset(codes.REVIEW_LEVELS)

_EMPTY: Mapping = MappingProxyType({})


class SnapshotError(ValueError):
    """The plain data cannot be turned into a snapshot (an invalid value in a release)."""


@dataclass(frozen=True, slots=True)
class MaterialRef:
    """One main material of a list: code, catalog name, whether it is sent to the ministry platform."""

    code: str
    name: str
    send_to_ministry: bool


@dataclass(frozen=True, slots=True)
class AuxiliaryItem:
    """One auxiliary item (辅助材料): its own name (e.g. 近亲属代办) and the material it asks for."""

    name: str
    material_code: str
    material_name: str
    send_to_ministry: bool


@dataclass(frozen=True, slots=True)
class ApplicationItem:
    """One application item (申请事项材料); ``order`` is its 1-based position in the list."""

    order: int
    name: str
    material_code: str
    material_name: str


@dataclass(frozen=True, slots=True)
class ChannelChecklist:
    """The three ordered lists of one channel of one local matter."""

    main: tuple[MaterialRef, ...] = ()
    auxiliary: tuple[AuxiliaryItem, ...] = ()
    application_items: tuple[ApplicationItem, ...] = ()


EMPTY_CHECKLIST = ChannelChecklist()


@dataclass(frozen=True, slots=True)
class MatterConfig:
    """The published configuration of one matter bound (active) in one city."""

    matter_code: str
    region_code: str
    distribution_mode: str
    flow_mode: str
    review_levels: int
    time_limit_days: int
    checklists: Mapping[str, ChannelChecklist]
    sms: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class MatterInfo:
    code: str
    name: str
    province_wide: bool


@dataclass(frozen=True, slots=True)
class Agency:
    """An agency; ``city_code`` is its prefecture-level city, ``None`` for the provincial agency."""

    code: str
    name: str
    region_code: str
    city_code: str | None
    parent_code: str | None

    @property
    def config_region(self) -> str:
        """The region whose configuration applies to this agency: its city, else its own region."""
        return self.city_code if self.city_code is not None else self.region_code


@dataclass(frozen=True, slots=True, eq=False)
class EngineSnapshot:
    """The whole province's published configuration at one version.

    Compared and hashed by identity (``eq=False``): two snapshots are "the same" only if they are the
    same object, which makes a snapshot usable as a cache key without hashing its contents.
    ``known_regions`` is derived: regions with a release, cities of agencies, and the region of any
    agency without a city (the province, 440000).
    """

    version: int
    releases: Mapping[str, int]
    configs: Mapping[tuple[str, str], MatterConfig]
    matters: Mapping[str, MatterInfo]
    agencies: Mapping[str, Agency]
    channels: Mapping[str, str]
    materials: Mapping[str, str]
    known_regions: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        regions = set(self.releases)
        regions.update(agency.config_region for agency in self.agencies.values())
        object.__setattr__(self, "known_regions", frozenset(regions))


def _material_ref(code: str, send: bool, material_names: Mapping[str, str], refs: dict | None) -> MaterialRef:
    # A province repeats a few hundred materials in ~150,000 list rows: share one frozen object per
    # (material, flag) rather than building each (less memory, a faster build, less for the GC to walk).
    if refs is None:
        return MaterialRef(code, material_names.get(code, ""), send)
    key = (code, send)
    ref = refs.get(key)
    if ref is None:
        ref = refs[key] = MaterialRef(code, material_names.get(code, ""), send)
    return ref


def _channel_checklist(
    lists: Mapping, material_names: Mapping[str, str], refs: dict | None = None
) -> ChannelChecklist:
    main = tuple(
        _material_ref(item["material"], bool(item.get("send_to_ministry")), material_names, refs)
        for item in lists.get(codes.MAIN, ())
    )
    auxiliary = tuple(
        AuxiliaryItem(
            item.get("name", ""),
            item["material"],
            material_names.get(item["material"], ""),
            bool(item.get("send_to_ministry")),
        )
        for item in lists.get(codes.AUXILIARY, ())
    )
    application = tuple(
        ApplicationItem(
            position, item.get("name", ""), item["material"], material_names.get(item["material"], "")
        )
        for position, item in enumerate(lists.get(codes.APPLICATION, ()), start=1)
    )
    if not (main or auxiliary or application):
        return EMPTY_CHECKLIST
    return ChannelChecklist(main, auxiliary, application)


def matter_config(
    matter_code: str,
    region_code: str,
    data: Mapping,
    material_names: Mapping[str, str],
    refs: dict | None = None,
) -> MatterConfig:
    """One frozen ``MatterConfig`` from one snapshot dict (``config_center.drafts.diff`` format)."""
    if data.get("matter", matter_code) != matter_code:
        raise SnapshotError(
            f"release of {region_code}: snapshot under {matter_code!r} is for {data['matter']!r}"
        )
    mode = data.get("distribution_mode")
    if mode not in DISTRIBUTION_MODES:
        raise SnapshotError(f"{matter_code} in {region_code}: unknown distribution_mode {mode!r}")
    levels = data.get("review_levels")
    if levels not in REVIEW_LEVELS:
        raise SnapshotError(f"{matter_code} in {region_code}: review_levels must be 1 or 2, not {levels!r}")
    checklists = {
        channel: _channel_checklist(lists, material_names, refs)
        for channel, lists in (data.get("checklists") or {}).items()
    }
    sms = {event: code for event, code in (data.get("sms") or {}).items() if code}
    return MatterConfig(
        matter_code=matter_code,
        region_code=region_code,
        distribution_mode=mode,
        flow_mode=data.get("flow_mode", ""),
        review_levels=levels,
        time_limit_days=int(data.get("time_limit_days") or 0),
        checklists=MappingProxyType(checklists) if checklists else _EMPTY,
        sms=MappingProxyType(sms) if sms else _EMPTY,
    )


def build_snapshot(
    *,
    version: int,
    releases: Mapping[str, tuple[int, Mapping[str, Mapping]]],
    matters: Iterable[Mapping],
    agencies: Iterable[Mapping],
    channels: Mapping[str, str],
    materials: Mapping[str, str],
) -> EngineSnapshot:
    """Build the immutable snapshot.

    ``releases[region_code] = (release_number, {matter_code: snapshot_dict})``; bindings whose
    ``active`` is not true (false or missing) are skipped (= not bound). A material code missing
    from ``materials`` gets an empty name. Raises ``SnapshotError`` on a distribution mode other than local/province or review
    levels other than 1/2, so a bad release never routes silently.
    """
    material_names = dict(materials)
    refs: dict = {}
    configs: dict[tuple[str, str], MatterConfig] = {}
    release_numbers: dict[str, int] = {}
    for region_code, (number, bindings) in releases.items():
        release_numbers[region_code] = int(number)
        for matter_code, data in bindings.items():
            if not data.get("active"):
                continue
            configs[(matter_code, region_code)] = matter_config(
                matter_code, region_code, data, material_names, refs
            )
    matter_infos = {
        row["code"]: MatterInfo(row["code"], row["name"], bool(row.get("province_wide"))) for row in matters
    }
    agency_objects = {
        row["code"]: Agency(
            row["code"], row["name"], row["region_code"], row.get("city_code"), row.get("parent_code")
        )
        for row in agencies
    }
    return EngineSnapshot(
        version=int(version),
        releases=MappingProxyType(release_numbers),
        configs=MappingProxyType(configs),
        matters=MappingProxyType(matter_infos),
        agencies=MappingProxyType(agency_objects),
        channels=MappingProxyType(dict(channels)),
        materials=MappingProxyType(material_names),
    )


def with_releases(
    snapshot: EngineSnapshot, *, version: int, releases: Mapping[str, tuple[int, Mapping[str, Mapping]]]
) -> EngineSnapshot:
    """A new snapshot where the given cities answer from the given releases; every other city's configs, and the
    catalog, are the very objects of ``snapshot`` (a publish of one city rebuilds that city only).

    A city's release is taken only if its number is higher than the one served, so a snapshot never goes back.
    """
    newer = {
        region: (int(number), bindings)
        for region, (number, bindings) in releases.items()
        if int(number) > snapshot.releases.get(region, 0)
    }
    numbers, configs = snapshot.releases, snapshot.configs
    if newer:
        numbers = dict(numbers)
        kept = {key: config for key, config in configs.items() if key[1] not in newer}
        for region_code, (number, bindings) in newer.items():
            numbers[region_code] = number
            for matter_code, data in bindings.items():
                if data.get("active"):
                    kept[(matter_code, region_code)] = matter_config(
                        matter_code, region_code, data, snapshot.materials
                    )
        numbers, configs = MappingProxyType(numbers), MappingProxyType(kept)
    return EngineSnapshot(
        version=int(version),
        releases=numbers,
        configs=configs,
        matters=snapshot.matters,
        agencies=snapshot.agencies,
        channels=snapshot.channels,
        materials=snapshot.materials,
    )
