"""Migrating a database made on the previous app layout keeps every row.

The database is built with the code of ``BASE_COMMIT`` (migrate, reference data, demo data, and a few
rows the demo does not create: a superuser, holidays, a published release, outbox messages, a role
assignment), then migrated with the working tree's migrations. Every row of every table of the old
database must still be there afterwards, with the same values in the old table's columns, under the
table's old name or its new name in ``RENAMED_TABLES``. Content types keep their ids; only the models in
``MOVED_MODELS`` may change their app label.
"""

import os
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
# main before the app restructuring (Holiday in sms_templates, config_center.AuditLog still declared).
BASE_COMMIT = "fcebcb93c2024a6ea928693667835334b33622f0"

# Old table name → new table name after the restructuring; either may exist (before/after it lands).
RENAMED_TABLES = {
    "sms_templates_holiday": "catalog_holiday",
    "sms_templates_historicalholiday": "catalog_historicalholiday",
}
# Tables allowed to disappear (unmanaged models such as config_center.AuditLog have no table anyway).
DROPPED_TABLES: set[str] = set()
# (old app label, model) → new app label: content types updated in place, keeping their ids.
MOVED_MODELS = {
    ("sms_templates", "holiday"): "catalog",
    ("sms_templates", "historicalholiday"): "catalog",
}
CONTENT_TYPE_TABLE = "django_content_type"
IGNORED_TABLES = {"django_migrations", "django_session"}
ABSENT = object()  # the value of a column the new table no longer has: equal to nothing

# Run in the base tree with ``manage.py shell -c``: rows the demo data does not create, written through
# the base commit's own services so that they look like production rows (history rows included).
SEED_SCRIPT = """
import datetime
from pathlib import Path

import config_center
from django.contrib.auth import get_user_model

from catalog.models import Region
from config_center.services import release_publish
from permissions.models import Role
from permissions.services import assignment_create
from sms_templates.models import Holiday, SmsEvent, SmsTemplate
from sms_templates.services import sms_outbox_write

# The base tree's code, not the working tree's (the venv installs the working tree as editable).
assert Path(config_center.__file__).resolve().is_relative_to(Path.cwd().resolve()), config_center.__file__

User = get_user_model()
root = User.objects.create_superuser("migration_root", "root@example.invalid", "migration-check-pw-1")
city = Region.objects.get(code="442000")

Holiday.objects.create(date=datetime.date(2025, 10, 1), name="国庆节")
Holiday.objects.create(date=datetime.date(2025, 10, 2), name="国庆节")
Holiday.objects.create(date=datetime.date(2025, 9, 28), name="国庆节调休上班", is_workday_override=True)

release_publish(region=city, user=root, comment="迁移检查：发布中山配置")

template = SmsTemplate.objects.get(function_code="GS_SL_01")
for case, recipient in (("MIG-0001", "13800138000"), ("MIG-0002", "12345")):  # queued, failed
    sms_outbox_write(
        recipient=recipient,
        text="您的工伤待遇申请已受理。",
        case_reference=case,
        event=SmsEvent.ACCEPTED,
        template=template,
        region=city,
        matter="GS0101",
    )

city_admin = User.objects.create_user("zs_city_admin", "zs@example.invalid", "migration-check-pw-2")
assignment_create(user=city_admin, role=Role.objects.get(code="city_admin"), region=city, actor=root)
"""

# Tables the seeding must have filled, so that the check is not vacuous for them.
SEEDED_TABLES = (
    "sms_templates_holiday",
    "sms_templates_historicalholiday",
    "config_center_release",
    "sms_templates_smsmessage",
    "permissions_assignment",
)

Tables = dict[str, list[dict]]


def extract_base_tree(destination: Path) -> None:
    """The files of BASE_COMMIT in ``destination``; skips the test when git or the commit is missing."""
    try:
        found = subprocess.run(
            ["git", "-C", str(REPO_ROOT), "cat-file", "-e", f"{BASE_COMMIT}^{{commit}}"], capture_output=True
        )
    except FileNotFoundError:
        pytest.skip("git is not installed")
    if found.returncode != 0:
        pytest.skip(f"commit {BASE_COMMIT[:7]} is not in {REPO_ROOT}: {found.stderr.decode().strip()}")
    archive = subprocess.run(
        ["git", "-C", str(REPO_ROOT), "archive", BASE_COMMIT], capture_output=True, check=True
    )
    destination.mkdir()
    subprocess.run(["tar", "-x", "-C", str(destination)], input=archive.stdout, check=True)


def manage(tree: Path, workdir: Path, *args: str) -> str:
    """Run ``manage.py`` of ``tree`` on the SQLite file in ``workdir``; fail with its output on error."""
    dropped = {"DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {key: value for key, value in os.environ.items() if key not in dropped}
    env.update(
        DJANGO_SETTINGS_MODULE="config_center.settings.base",
        DATABASE_URL=f"sqlite:///{workdir / 'db.sqlite3'}",
        CONSOLE_VAR_DIR=str(workdir / "var"),
        DEBUG="1",
        PYTHONPATH=str(tree),
        PYTHONDONTWRITEBYTECODE="1",  # no __pycache__ left in the working tree
    )
    # The venv installs the working tree as an editable package: its import finder would supply any module the
    # base tree lacks (e.g. routing.admin) from the working tree. Run manage.py without that finder.
    runner = (
        "import runpy, sys; "
        "sys.meta_path[:] = [f for f in sys.meta_path if not getattr(f, '__module__', '').startswith('__editable__')]; "
        "sys.argv = ['manage.py', *sys.argv[1:]]; "
        "runpy.run_path('manage.py', run_name='__main__')"
    )
    result = subprocess.run(
        [sys.executable, "-c", runner, *args],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        pytest.fail(f"manage.py {args[0]} failed in {tree}:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def read_tables(database: Path) -> Tables:
    """Every row of every table, as {table: [row dict]}, without Django's bookkeeping tables."""
    connection = sqlite3.connect(database)
    connection.row_factory = sqlite3.Row
    try:
        names = [
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
            )
            if name not in IGNORED_TABLES
        ]
        return {name: [dict(row) for row in connection.execute(f'SELECT * FROM "{name}"')] for name in names}
    finally:
        connection.close()


def undo_moves(content_types: list[dict]) -> list[dict]:
    """Content type rows with the moved models' app labels put back, so that they compare as equal."""
    back = {(new, model): old for (old, model), new in MOVED_MODELS.items()}
    return [
        {**row, "app_label": back.get((row["app_label"], row["model"]), row["app_label"])}
        for row in content_types
    ]


def moved_in_place_problems(content_types: list[dict]) -> list[str]:
    """A moved model must keep one content type (its old id), not get a second one under its new app."""
    seen: dict[tuple[str, str], list[int]] = {}
    for row in undo_moves(content_types):
        seen.setdefault((row["app_label"], row["model"]), []).append(row["id"])
    return [
        f"{CONTENT_TYPE_TABLE}: {app_label}.{model} has content types {ids}; it must be moved in place"
        for (app_label, model), ids in seen.items()
        if len(ids) > 1
    ]


def missing_rows(old_rows: list[dict], new_rows: list[dict]) -> tuple[list[str], list[dict]]:
    """Old columns absent from the new table, and the old rows (as a multiset) absent from the new rows."""
    columns = list(old_rows[0])
    absent_columns = [column for column in columns if new_rows and column not in new_rows[0]]
    old = Counter(tuple(row[column] for column in columns) for row in old_rows)
    new = Counter(tuple(row.get(column, ABSENT) for column in columns) for row in new_rows)
    return absent_columns, [dict(zip(columns, row, strict=True)) for row in (old - new).elements()]


def compare(before: Tables, after: Tables) -> list[str]:
    """Every way in which a row of ``before`` is not in ``after``; empty when nothing was lost."""
    problems = []
    for table, old_rows in sorted(before.items()):
        new_name = RENAMED_TABLES.get(table, table)
        if new_name not in after:
            new_name = table
        if new_name not in after:
            if table not in DROPPED_TABLES:
                also = f" (nor {RENAMED_TABLES[table]})" if table in RENAMED_TABLES else ""
                problems.append(f"{table}: table is gone{also}")
            continue
        if not old_rows:
            continue
        new_rows = after[new_name]
        if table == CONTENT_TYPE_TABLE:
            new_rows = undo_moves(new_rows)
            problems += moved_in_place_problems(after[new_name])
        absent_columns, lost = missing_rows(old_rows, new_rows)
        where = table if new_name == table else f"{table} (now {new_name})"
        if absent_columns:
            problems.append(f"{where}: columns gone: {absent_columns}")
        if lost:
            problems.append(
                f"{where}: {len(lost)} of {len(old_rows)} rows missing or changed, e.g. {lost[:3]}"
            )
    return problems


def row_count(tables: Tables) -> int:
    return sum(len(rows) for rows in tables.values())


def test_migrating_a_previous_layout_database_keeps_every_row(tmp_path):
    base_tree = tmp_path / "base"
    extract_base_tree(base_tree)

    for command in (["migrate", "--no-input"], ["load_reference_data"], ["load_demo_data"]):
        manage(base_tree, tmp_path, *command)
    manage(base_tree, tmp_path, "shell", "--no-imports", "-c", SEED_SCRIPT)
    before = read_tables(tmp_path / "db.sqlite3")
    assert [table for table in SEEDED_TABLES if not before.get(table)] == [], "seeding wrote no rows there"

    manage(REPO_ROOT, tmp_path, "migrate", "--no-input")
    after = read_tables(tmp_path / "db.sqlite3")

    problems = compare(before, after)
    assert not problems, "rows lost by migrating to the working tree:\n" + "\n".join(problems)
    assert row_count(after) >= row_count(before)
    renamed = sorted(old for old, new in RENAMED_TABLES.items() if old in before and new in after)
    print(
        f"\nmigration from {BASE_COMMIT[:7]} kept every row: {len(before)} tables, {row_count(before)} rows "
        f"checked ({row_count(after)} rows after; renamed tables found: {renamed or 'none'})"
    )
