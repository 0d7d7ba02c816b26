"""The per-process holder with its clock and its source as seams (no database): when it checks, what a publish
reloads, that it never goes back, and that a failure keeps the snapshot (issue 12)."""

import threading
import time

import pytest

from config_center.runtime import engine
from config_center.runtime.holder import RuntimeEngine, Source
from tests.factories.engine import GUANGZHOU, ZHONGSHAN, binding, make_snapshot


class FakeDatabase:
    """Releases and a version as the database would hold them; counts what the holder reads."""

    def __init__(self):
        base = make_snapshot()
        self.version = base.version
        self.numbers = dict(base.releases)
        self.data = {
            ZHONGSHAN: {
                "GS0101": binding("GS0101", "province"),
                "GS0301": binding("GS0301", days=15, levels=1),
            },
            GUANGZHOU: {"GS0101": binding("GS0101")},
        }
        self.catalog = (1, 1, 1, 1)
        self.reads: list = []
        self.fail = False

    def publish(self, region: str, bindings: dict) -> None:
        self.numbers[region] = self.numbers.get(region, 0) + 1
        self.data[region] = bindings
        self.version += 1

    def _read(self, what):
        if self.fail:
            raise ConnectionError("database went away")
        self.reads.append(what)

    def source(self) -> Source:
        def version():
            self._read("version")
            return self.version

        def numbers():
            self._read("numbers")
            return dict(self.numbers)

        def releases(regions):
            self._read(("releases", tuple(regions)))
            return {region: (self.numbers[region], self.data[region]) for region in regions}

        def marks():
            self._read("catalog")
            return self.catalog

        def build(version):
            self._read("build")
            base = make_snapshot()
            return engine.build_snapshot(
                version=version,
                releases={region: (self.numbers[region], self.data[region]) for region in self.numbers},
                matters=[
                    {"code": m.code, "name": m.name, "province_wide": m.province_wide}
                    for m in base.matters.values()
                ],
                agencies=[
                    {
                        "code": a.code,
                        "name": a.name,
                        "region_code": a.region_code,
                        "city_code": a.city_code,
                        "parent_code": a.parent_code,
                    }
                    for a in base.agencies.values()
                ],
                channels=base.channels,
                materials=base.materials,
            )

        return Source(
            version=version, release_numbers=numbers, releases=releases, catalog_marks=marks, build=build
        )


class NoConnection:
    """The holder closes its database connection after a failure and when its watcher stops; these tests have
    none (one left open by an earlier test of the same process would be reached, past pytest-django's block)."""

    in_atomic_block = False

    def close_if_unusable_or_obsolete(self) -> None:
        pass

    def close(self) -> None:
        pass


@pytest.fixture
def db_and_holder(monkeypatch):
    monkeypatch.setattr("config_center.runtime.holder.connection", NoConnection())
    database = FakeDatabase()
    now = [1_000.0]
    holder = RuntimeEngine(clock=lambda: now[0], source=database.source(), watch=False, report=False)
    return database, holder, now


def answer_days(holder, region=ZHONGSHAN, matter="GS0301"):
    found = holder.checklist(matter=matter, region=region, channel="counter")
    return getattr(found, "time_limit_days", found)


def test_the_first_answer_builds_then_answers_from_memory_until_stale(db_and_holder):
    database, holder, now = db_and_holder
    assert answer_days(holder) == 15
    assert database.reads == ["version", "catalog", "build"]
    database.reads.clear()
    now[0] += holder.max_staleness  # still fresh: no read at all
    holder.snapshot()
    assert database.reads == []
    now[0] += 0.01
    holder.snapshot()
    assert database.reads == ["version"]  # stale: the request checks for itself, one cheap read


def test_a_publish_reloads_only_its_city_and_reuses_the_others(db_and_holder):
    database, holder, now = db_and_holder
    before = holder.snapshot()
    database.publish(ZHONGSHAN, {"GS0301": binding("GS0301", days=9, levels=1)})
    database.reads.clear()
    now[0] += 1
    after = holder.snapshot()
    assert database.reads == ["version", "catalog", "numbers", ("releases", (ZHONGSHAN,))]
    assert after.releases[ZHONGSHAN] == before.releases[ZHONGSHAN] + 1
    assert after.configs[("GS0101", GUANGZHOU)] is before.configs[("GS0101", GUANGZHOU)]
    assert after.matters is before.matters and after.agencies is before.agencies
    assert answer_days(holder) == 9
    assert ("GS0101", ZHONGSHAN) not in after.configs  # unbound in the new release
    assert (
        holder.serving.reloaded == (ZHONGSHAN,)
        and holder.serving.releases[ZHONGSHAN] == after.releases[ZHONGSHAN]
    )


def test_a_catalog_change_rebuilds_the_whole_province(db_and_holder):
    database, holder, now = db_and_holder
    holder.snapshot()
    database.catalog = (1, 1, 2, 1)  # a material renamed: every list that names it
    database.version += 1
    database.reads.clear()
    now[0] += 1
    holder.snapshot()
    assert database.reads == ["version", "catalog", "build"]
    assert holder.serving.reloaded == ("*",)


def test_answers_never_go_back_to_an_older_release(db_and_holder):
    database, holder, now = db_and_holder
    database.publish(ZHONGSHAN, {"GS0301": binding("GS0301", days=9, levels=1)})
    assert answer_days(holder) == 9
    served = holder.snapshot().releases[ZHONGSHAN]
    database.numbers[ZHONGSHAN] = served - 1  # a lagging replica, say: an older number comes back
    database.data[ZHONGSHAN] = {"GS0301": binding("GS0301", days=15, levels=1)}
    database.version += 1
    now[0] += 1
    assert answer_days(holder) == 9
    assert holder.snapshot().releases[ZHONGSHAN] == served


def test_a_failed_check_keeps_the_snapshot_and_says_so(db_and_holder, caplog):
    database, holder, now = db_and_holder
    assert answer_days(holder) == 15
    database.fail = True
    now[0] += 1
    assert answer_days(holder) == 15  # the previous snapshot answers
    assert "ConnectionError: database went away" in holder.serving.error
    assert "keeping the current snapshot" in caplog.text
    database.fail = False
    database.publish(ZHONGSHAN, {"GS0301": binding("GS0301", days=9, levels=1)})
    now[0] += 1
    assert answer_days(holder) == 9  # and recovers at the next check


def test_the_first_build_failing_is_an_error_not_an_empty_answer(db_and_holder):
    database, holder, _now = db_and_holder
    database.fail = True
    with pytest.raises(ConnectionError):
        holder.snapshot()


def test_the_watcher_reloads_an_idle_process(db_and_holder):
    database, _holder, _now = db_and_holder
    holder = RuntimeEngine(poll_interval=0.02, source=database.source(), watch=True, report=False)
    try:
        assert answer_days(holder) == 15
        database.publish(ZHONGSHAN, {"GS0301": binding("GS0301", days=9, levels=1)})
        deadline = time.monotonic() + 2
        while (
            holder._snapshot.releases[ZHONGSHAN] != database.numbers[ZHONGSHAN]
            and time.monotonic() < deadline
        ):
            time.sleep(0.01)  # no request: only the watcher can do it
        assert holder._snapshot.releases[ZHONGSHAN] == database.numbers[ZHONGSHAN]
        assert [t for t in threading.enumerate() if t.name == "runtime-watcher"]
    finally:
        holder.stop()


def test_with_releases_ignores_a_release_no_newer_than_served():
    snapshot = make_snapshot()
    same = engine.with_releases(
        snapshot, version=snapshot.version + 1, releases={ZHONGSHAN: (snapshot.releases[ZHONGSHAN], {})}
    )
    assert same.configs is snapshot.configs and same.version == snapshot.version + 1
