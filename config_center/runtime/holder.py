"""The per-process runtime engine: a snapshot of the published releases, kept fresh by a watcher thread.

Answers come from memory. A daemon thread per process (started on first use, and again in a forked child)
reads the one-row ``ConfigVersion`` every ``POLL_INTERVAL`` seconds (a primary-key lookup). When it moved, it reads
the newest release number of every city and reloads only the cities whose number went up (``engine.with_releases``):
the other cities' parts of the snapshot are reused as they are. So every process serves a publish or rollback within
about half a second, idle or not.

The request path never waits for that thread: if the last completed check is older than ``MAX_STALENESS`` (the
watcher is not running, or is held up), the request runs the same cheap check itself. A check that started after a
publish committed always sees it, so a request starting ``MAX_STALENESS`` after a publish or later answers from it.

A reload that fails keeps the previous snapshot and logs it; what each process serves, since when, and its last
error is written to ``ServingProcess`` (``manage.py runtime_status`` prints it).
"""

import gc
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from django.db import connection
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone

from catalog.codes import city_of, is_province
from catalog.models import Agency, Channel, Material, Matter

from ..releases.models import ConfigVersion, Release
from . import engine

POLL_INTERVAL = 0.5  # seconds between the watcher's version checks
MAX_STALENESS = 0.8  # a request checks for itself when the last completed check is older than this
HEARTBEAT = 10.0  # seconds between the watcher's reports to ServingProcess
logger = logging.getLogger(__name__)


def current_version() -> int:
    return ConfigVersion.objects.filter(id=1).values_list("version", flat=True).first() or 0


def _releases(regions: list[str] | None = None) -> dict[str, tuple[int, dict]]:
    """{region code: (number, snapshot)} of the newest release of every city, or of ``regions``."""
    newest = Release.objects.filter(region=OuterRef("region")).order_by("-number").values("number")[:1]
    rows = Release.objects.filter(number=Subquery(newest))
    if regions is not None:
        rows = rows.filter(region__code__in=regions)
    return {
        region_code: (number, snapshot)
        for region_code, number, snapshot in rows.values_list("region__code", "number", "snapshot")
    }


def release_numbers() -> dict[str, int]:
    """{region code: newest release number}: one grouped query over the (region, number) unique index."""
    return dict(Release.objects.values_list("region__code").annotate(newest=Max("number")).order_by())


def catalog_marks() -> tuple:
    """What changes when the catalog the snapshot holds changes (the newest history row of each table)."""
    return tuple(
        model.history.aggregate(mark=Max("history_id"))["mark"]
        for model in (Agency, Channel, Material, Matter)
    )


def build_engine_snapshot(version: int | None = None) -> engine.EngineSnapshot:
    """Read the latest release of every city and the catalog, and build the immutable snapshot."""
    version = current_version() if version is None else version
    agencies = [
        {
            "code": agency.code,
            "name": agency.name,
            "region_code": agency.region.code,
            "city_code": None if is_province(agency.region.code) else city_of(agency.region.code),
            "parent_code": agency.parent.code if agency.parent_id else None,
        }
        for agency in Agency.objects.filter(is_active=True).select_related("region", "parent")
    ]
    return engine.build_snapshot(
        version=version,
        releases=_releases(),
        matters=Matter.objects.filter(is_active=True).values("code", "name", "province_wide"),
        agencies=agencies,
        channels=dict(Channel.objects.filter(is_active=True).values_list("code", "name")),
        materials=dict(Material.objects.values_list("code", "name")),
    )


def _build_quietly(version: int) -> engine.EngineSnapshot:
    """Build with the cyclic garbage collector paused (it spent over half the build walking the new objects),
    then freeze what survives, so later collections do not walk the province's snapshot again (a full
    collection over it took ~150 ms, in the middle of whatever request triggered it). A city's reload creates
    few objects and is not frozen: its old objects are freed by reference counting, memory stays flat."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        snapshot = build_engine_snapshot(version)
    finally:
        if enabled:
            gc.enable()
    gc.collect()  # what is garbage now must not be frozen with the rest
    gc.freeze()
    return snapshot


@dataclass(frozen=True)
class Source:
    """Where the holder reads from; a seam for tests (the database by default)."""

    version: Callable[[], int] = current_version
    release_numbers: Callable[[], dict[str, int]] = release_numbers
    releases: Callable[[list[str]], dict[str, tuple[int, dict]]] = _releases
    catalog_marks: Callable[[], tuple] = catalog_marks
    build: Callable[[int], engine.EngineSnapshot] = _build_quietly


@dataclass(frozen=True)
class Serving:
    """What one process serves: the snapshot's version and releases, since when, and the last failure."""

    version: int = 0
    releases: dict = field(default_factory=dict)
    since: object = None  # when this snapshot was installed (aware datetime)
    checked: object = None  # when the last check completed
    reloaded: tuple[str, ...] = ()  # the cities the last reload read ("*": all of them)
    reload_ms: float = 0.0
    error: str = ""
    error_at: object = None


class RuntimeEngine:
    """Holds one snapshot per process; thread-safe; the clock and the source are seams for tests."""

    def __init__(
        self,
        *,
        poll_interval: float = POLL_INTERVAL,
        max_staleness: float = MAX_STALENESS,
        clock: Callable[[], float] = time.monotonic,
        source: Source | None = None,
        watch: bool = True,
        report: bool = True,
    ):
        self.poll_interval = poll_interval
        self.max_staleness = max_staleness
        self.clock = clock
        self.source = source or Source()
        self.watch = watch  # False in tests that run inside one database transaction
        self.report = report  # write what this process serves to ServingProcess
        self._snapshot: engine.EngineSnapshot | None = None
        self._catalog: tuple | None = None
        self._fresh_at = float("-inf")  # clock time at which the last completed check started
        self.serving = Serving()
        self._reset_threads()
        if hasattr(os, "register_at_fork"):
            os.register_at_fork(after_in_child=self._reset_threads)

    def _reset_threads(self) -> None:
        # In a forked child (gunicorn and django-q2 workers) no thread of the parent runs and its locks may be
        # held forever: new ones, and a new watcher at the next use.
        self._lock = threading.Lock()
        self._watcher: threading.Thread | None = None
        self._stop = threading.Event()

    # ---- answers ------------------------------------------------------------------------------------
    def snapshot(self) -> engine.EngineSnapshot:
        """The current snapshot; never older than ``max_staleness`` behind the database."""
        snapshot = self._snapshot
        if snapshot is None or self.clock() - self._fresh_at > self.max_staleness:
            self.refresh()
            snapshot = self._snapshot
        if self.watch and self._watcher is None:
            self._start_watcher()
        return snapshot

    def checklist(self, **query):
        return engine.checklist(self.snapshot(), **query)

    def sms_slot(self, **query):
        return engine.sms_slot(self.snapshot(), **query)

    # ---- checking and reloading -----------------------------------------------------------------------
    def refresh(self) -> None:
        """Check the version; reload the cities whose newest release moved. A failure keeps the old snapshot."""
        started = self.clock()
        with self._lock:
            if self._fresh_at >= started and self._snapshot is not None:
                return  # a check that started after this call did already
            try:
                self._check()
            except Exception as error:
                self._failed(error)
                if self._snapshot is None:
                    raise  # nothing to answer from
                return
            self._fresh_at = started
            self.serving = replace(self.serving, checked=timezone.now())

    def _check(self) -> bool:
        version = self.source.version()
        snapshot = self._snapshot
        if snapshot is not None and version == snapshot.version:
            return False
        began = time.perf_counter()
        catalog = self.source.catalog_marks()
        if snapshot is None or catalog != self._catalog:
            # The first build, or the catalog (names, agencies, materials) changed: the whole province.
            new, reloaded = self.source.build(version), ("*",)
        else:
            numbers = self.source.release_numbers()
            moved = sorted(
                region for region, number in numbers.items() if number > snapshot.releases.get(region, 0)
            )
            enabled = gc.isenabled()
            gc.disable()  # a city's thousands of new objects would set off collections walking everything else
            try:
                releases = self.source.releases(moved) if moved else {}
                new = engine.with_releases(snapshot, version=version, releases=releases)
            finally:
                if enabled:
                    gc.enable()
            reloaded = tuple(moved)
        self._install(new, catalog, reloaded, (time.perf_counter() - began) * 1000)
        return True

    def _install(
        self, snapshot: engine.EngineSnapshot, catalog: tuple, reloaded: tuple, took_ms: float
    ) -> None:
        old = self._snapshot
        if old is not None:
            # Never back: a city keeps the newer of what it served and what was read.
            behind = {r: n for r, n in old.releases.items() if n > snapshot.releases.get(r, 0)}
            if behind:
                logger.warning(
                    "runtime: a reload read older releases than served (%s); kept the snapshot", behind
                )
                return
        self._snapshot, self._catalog = snapshot, catalog
        self.serving = replace(
            self.serving,
            version=snapshot.version,
            releases=dict(snapshot.releases),
            since=timezone.now(),
            reloaded=reloaded,
            reload_ms=round(took_ms, 1),
        )
        logger.info(
            "runtime: serving version %s (reloaded %s in %.1f ms)", snapshot.version, reloaded, took_ms
        )

    def _failed(self, error: Exception) -> None:
        logger.exception(
            "runtime: checking or reloading the configuration failed; keeping the current snapshot"
        )
        self.serving = replace(
            self.serving, error=f"{type(error).__name__}: {error}"[:500], error_at=timezone.now()
        )
        if connection.in_atomic_block is False:
            connection.close_if_unusable_or_obsolete()

    # ---- the watcher ----------------------------------------------------------------------------------
    def _start_watcher(self) -> None:
        with self._lock:
            if self._watcher is not None:
                return
            self._watcher = threading.Thread(target=self._watch, name="runtime-watcher", daemon=True)
            self._watcher.start()

    def _watch(self) -> None:
        stop = self._stop
        reported, reported_since = float("-inf"), None
        while not stop.wait(self.poll_interval):
            try:
                self.refresh()
                # Reported from here only (a write never sits on a request): at a new snapshot, else a heartbeat.
                due = self.clock() - reported >= HEARTBEAT or self.serving.since != reported_since
                if self.report and due:
                    reported_since = self.serving.since
                    self._report()
                    reported = self.clock()
            except Exception:  # refresh logs its own failures; never let the watcher die
                logger.exception("runtime: the watcher's check failed")
        connection.close()

    def stop(self) -> None:
        """Stop the watcher (tests; a process that exits needs nothing: the thread is a daemon)."""
        self._stop.set()
        watcher = self._watcher
        if watcher is not None and watcher is not threading.current_thread():
            watcher.join(5)
        self._reset_threads()

    def _report(self) -> None:
        from .models import ServingProcess

        try:
            ServingProcess.report(self.serving)
        except Exception:
            logger.warning("runtime: could not record what this process serves", exc_info=True)

    def reset(self) -> None:
        """Forget the snapshot (tests): the next answer builds a new one."""
        self.stop()
        self._snapshot, self._catalog = None, None
        self._fresh_at = float("-inf")
        self.serving = Serving()

    def wait_for_rebuild(self, timeout: float = 10.0) -> None:
        """For tests and warm-up scripts: a check now, in the caller."""
        self.refresh()


def _from_settings() -> RuntimeEngine:
    from django.conf import settings

    return RuntimeEngine(
        watch=getattr(settings, "RUNTIME_WATCH", True), report=getattr(settings, "RUNTIME_REPORT", True)
    )


runtime = _from_settings()
