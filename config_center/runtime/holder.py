"""The per-process runtime engine: a snapshot of the published releases, reloaded when the version moves.

Answers come from memory. At most once per ``CHECK_INTERVAL`` seconds a request reads the one-row
``ConfigVersion`` (a cheap primary-key lookup); when it moved, the snapshot is rebuilt from the latest
release of every city. Several gunicorn workers and django-q2 workers each hold their own snapshot and
see a publish within about a second, without a restart.
"""

import gc
import logging
import threading
import time
from collections.abc import Callable

from django.db.models import OuterRef, Subquery

from catalog.codes import city_of, is_province
from catalog.models import Agency, Channel, Material, Matter

from ..releases.models import ConfigVersion, Release
from . import engine

CHECK_INTERVAL = 1.0  # seconds between version checks
logger = logging.getLogger(__name__)


def current_version() -> int:
    return ConfigVersion.objects.filter(id=1).values_list("version", flat=True).first() or 0


def build_engine_snapshot(version: int | None = None) -> engine.EngineSnapshot:
    """Read the latest release of every city and the catalog, and build the immutable snapshot."""
    version = current_version() if version is None else version
    newest = Release.objects.filter(region=OuterRef("region")).order_by("-number").values("number")[:1]
    releases = {
        region_code: (number, snapshot)
        for region_code, number, snapshot in Release.objects.filter(number=Subquery(newest)).values_list(
            "region__code", "number", "snapshot"
        )
    }
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
        releases=releases,
        matters=Matter.objects.filter(is_active=True).values("code", "name", "province_wide"),
        agencies=agencies,
        channels=dict(Channel.objects.filter(is_active=True).values_list("code", "name")),
        materials=dict(Material.objects.values_list("code", "name")),
    )


def _build_quietly(version: int) -> engine.EngineSnapshot:
    """Build with the cyclic garbage collector paused (it spent over half the build walking the new
    objects), then freeze what survives so later collections do not walk the snapshot again."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        snapshot = build_engine_snapshot(version)
    finally:
        if enabled:
            gc.enable()
    gc.freeze()
    return snapshot


class RuntimeEngine:
    """Holds one snapshot per process; thread-safe; the clock is a seam for tests."""

    def __init__(
        self,
        *,
        check_interval: float = CHECK_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
        background: bool = True,
    ):
        self._snapshot: engine.EngineSnapshot | None = None
        self._checked_at = float("-inf")
        self._lock = threading.Lock()
        self.check_interval = check_interval
        self.clock = clock
        self._rebuilding: threading.Thread | None = None
        self.background = background  # tests inside one database transaction rebuild in the caller

    def snapshot(self) -> engine.EngineSnapshot:
        """The current snapshot; reads the version row at most once per interval, rebuilds only on change.

        The first build happens in the caller; later rebuilds run in a background thread while the
        previous snapshot keeps answering, so a publish never stalls the requests of a worker.
        """
        now = self.clock()
        if self._snapshot is not None and now - self._checked_at < self.check_interval:
            return self._snapshot
        with self._lock:
            if self._snapshot is not None and self.clock() - self._checked_at < self.check_interval:
                return self._snapshot
            version = current_version()
            self._checked_at = self.clock()
            if self._snapshot is None or (not self.background and self._snapshot.version != version):
                self._snapshot = _build_quietly(version)
            elif self._snapshot.version != version and self._rebuilding is None:
                self._rebuilding = threading.Thread(target=self._rebuild, args=(version,), daemon=True)
                self._rebuilding.start()
            return self._snapshot

    def _rebuild(self, version: int) -> None:
        try:
            snapshot = _build_quietly(version)
            with self._lock:
                self._snapshot = snapshot
        except Exception:
            logger.exception(
                "rebuilding the runtime snapshot for version %s failed; keeping the old one", version
            )
        finally:
            from django.db import connection

            connection.close()  # this thread's own connection
            with self._lock:
                self._rebuilding = None
                self._checked_at = float("-inf")  # look again at once: the version may have moved meanwhile

    def wait_for_rebuild(self, timeout: float = 10.0) -> None:
        """For tests and warm-up scripts: wait until a background rebuild (if any) has finished."""
        thread = self._rebuilding
        if thread is not None:
            thread.join(timeout)

    def reset(self) -> None:
        self.wait_for_rebuild()
        with self._lock:
            self._snapshot = None
            self._checked_at = float("-inf")

    def checklist(self, **query):
        return engine.checklist(self.snapshot(), **query)

    def sms_slot(self, **query):
        return engine.sms_slot(self.snapshot(), **query)


runtime = RuntimeEngine()
