"""Many synthetic cases at once, for the benchmarks: COPY into PostgreSQL, with their review tasks, a few
open transfers (全省通办业务移交) and failed SMS.

    report = bulk_cases_load(1_000_000, progress=print)

Cases spread evenly over ``years`` up to now and over the 21 cities (1 in 10 accepted in another city:
通办); older cases are mostly finished (some after their deadline), a few are still open (超期), recent ones
are open across the 流程状态. Every open case in review has its task (初审 / 复审, taken by one of the
city's reviewers when 已分配). Columns the generator does not know (a field added later) take the
field's default, so a new field with a default does not break it.

The indexes and constraints of the case and task tables are dropped for the load and built again after it,
then the tables are vacuumed and analysed: minutes for a million cases, not hours.
"""

from __future__ import annotations

import datetime
import io
import json
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

FINISHED_MIX = {"archived": 55, "completed": 25, "review_failed": 4, "refused": 2, "terminated": 1}
OPEN_MIX = {
    "pending_correction": 2,
    "accepted": 2,
    "scanned": 3,
    "first_assigned": 2,
    "first_reviewed": 2,
    "second_assigned": 1,
    "suspended": 1,
}
FINISHED = frozenset(FINISHED_MIX)
# The task an open case in review has: (level, taken).
TASK_OF = {
    "scanned": (1, False),
    "first_assigned": (1, True),
    "first_reviewed": (2, False),
    "second_assigned": (2, True),
}
RECENT_DAYS = 40  # cases younger than this are open; older ones are finished but for STILL_OPEN of them
STILL_OPEN = 0.04
REMOTE_SHARE = 0.1
REVIEWERS_PER_CITY = 3
TRANSFERS = 300
FAILED_SMS = 2_000
CHUNK = 50_000
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红文辉建国志海波宁"
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)  # GB 11643, as routing.identity
_CHECK = "10X98765432"


@dataclass
class BulkReport:
    cases: int = 0
    tasks: int = 0
    transfers: int = 0
    failed_sms: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    reviewers: dict[str, list[int]] = field(default_factory=dict)  # city code → reviewer user ids


def _weighted(mix: dict[str, int]) -> list[str]:
    return [status for status, weight in mix.items() for _ in range(weight)]


def _id_number(region: str, birth: datetime.date, sequence: int) -> str:
    body = f"{region}{birth:%Y%m%d}{sequence % 1000:03d}"
    return body + _CHECK[sum(int(d) * w for d, w in zip(body, _WEIGHTS, strict=True)) % 11]


def _copy_value(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, list | dict):
        value = json.dumps(value, ensure_ascii=False)
    elif isinstance(value, datetime.date):
        value = value.isoformat()
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def _copy(table: str, columns: list[str], rows: Iterator[dict], progress: Callable[[str], None]) -> int:
    """COPY ``rows`` (dicts by column) into ``table`` in chunks; the number written."""
    from django.db import connection

    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    written = 0
    while True:
        buffer = io.StringIO()
        count = 0
        for row in rows:
            buffer.write("\t".join(_copy_value(row[column]) for column in columns))
            buffer.write("\n")
            count += 1
            if count == CHUNK:
                break
        if not count:
            return written
        with connection.cursor() as cursor, cursor.copy(sql) as copy:
            copy.write(buffer.getvalue())
        written += count
        if written % 200_000 == 0:
            progress(f"  {table}: {written:,} rows")


def _drop_indexes(table: str) -> tuple[list, list]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT LIKE %s",
            [table, "%_pkey"],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
            "AND contype IN ('u', 'f')",
            [table],
        )
        constraints = cursor.fetchall()
        for name, _definition in constraints:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
    return indexes, constraints


def _restore_indexes(table: str, indexes: list, constraints: list) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '512MB'")
        constrained = {name for name, _definition in constraints}
        for name, definition in indexes:
            if name not in constrained:  # a unique constraint brings its own index back
                cursor.execute(definition)
        for name, definition in constraints:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


def _defaults(model, known: set[str]) -> dict[str, object]:
    """The default of every concrete column the generator does not fill itself."""
    values = {}
    for model_field in model._meta.concrete_fields:
        if model_field.column in known:
            continue
        default = model_field.get_default()
        if default is None and not model_field.null:
            raise ValueError(f"{model.__name__}.{model_field.name}: no default, the generator must fill it")
        values[model_field.column] = default
    return values


def _reviewers(cities) -> dict[str, list[int]]:
    """Three reviewers (初审 and 复审) per city: the assignees of the taken tasks."""
    from django.contrib.auth import get_user_model

    from catalog.models import Agency
    from permissions.models import Role
    from permissions.services import assignment_create

    users = get_user_model()
    roles = [Role.objects.get(code="first_reviewer"), Role.objects.get(code="second_reviewer")]
    found: dict[str, list[int]] = {}
    for city in cities:
        agency = Agency.objects.get(region=city, kind=Agency.Kind.MUNICIPAL)
        ids = []
        for number in range(REVIEWERS_PER_CITY):
            name = f"bulk-reviewer-{city.code}-{number}"
            user = users.objects.filter(username=name).first()
            if user is None:
                user = users.objects.create_user(name, is_staff=True)
                for role in roles:
                    assignment_create(user=user, role=role, agency=agency)
            ids.append(user.pk)
        found[city.code] = ids
    return found


def bulk_cases_load(
    count: int, *, seed: int = 15, years: int = 3, progress: Callable[[str], None] = lambda _text: None
) -> BulkReport:
    """``count`` cases (with tasks, transfers, failed SMS) on PostgreSQL; the reference data must be loaded."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from catalog.models import Agency, Channel, Matter, Region
    from routing.models import Case, Task
    from sms_templates.models import SmsEvent, SmsMessage, SmsStatus

    if connection.vendor != "postgresql":
        raise RuntimeError("bulk_cases_load writes with COPY: PostgreSQL only")
    report = BulkReport()
    began = time.perf_counter()
    users = get_user_model()
    loader = users.objects.filter(username="bulk-loader").first() or users.objects.create_user("bulk-loader")
    cities = list(Region.objects.filter(level=Region.Level.CITY).order_by("code"))
    agencies = {
        a.region_id: a.pk for a in Agency.objects.filter(region__in=cities, kind=Agency.Kind.MUNICIPAL)
    }
    matters = list(Matter.objects.exclude(code="GS0401").values_list("pk", flat=True))
    transfer_matter = Matter.objects.get(code="GS0401").pk
    channels = list(Channel.objects.order_by("sort_order").values_list("pk", flat=True))
    report.reviewers = _reviewers(cities)
    reviewers = {city.pk: report.reviewers[city.code] for city in cities}

    rng = random.Random(seed)
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    start = now - datetime.timedelta(days=365 * years)
    step = int((now - start).total_seconds()) // (count + TRANSFERS)
    if step < 1:
        raise ValueError("too many cases for the time span (one second each at least)")
    finished_mix, open_mix = _weighted(FINISHED_MIX), _weighted(OPEN_MIX)
    required = [{"code": c, "name": c, "kind": "main"} for c in ("CL009", "CL001", "CL003", "CL005")]
    received = ["CL001", "CL003", "CL005", "CL009"]
    people = max(1, int(count * 0.7))
    tasks: list[dict] = []
    open_ids: list[int] = []

    def case_rows() -> Iterator[dict]:
        for number in range(count + TRANSFERS):
            pk = number + 1
            transfer = number >= count  # the newest rows: open transfers of earlier open cases
            moment = start + datetime.timedelta(seconds=number * step + rng.randrange(step))
            local = moment + datetime.timedelta(hours=8)
            city = cities[rng.randrange(len(cities))]
            accepting = city if rng.random() > REMOTE_SHARE else cities[rng.randrange(len(cities))]
            person = rng.randrange(people)  # a person's facts follow from their number: the same each case
            birth = datetime.date(1960, 1, 1) + datetime.timedelta(days=person * 7919 % 14_000)
            name = SURNAMES[person % len(SURNAMES)] + GIVEN[person // 7 % len(GIVEN)]
            age_days = (now - moment).days
            if transfer:
                status = rng.choice(["scanned", "first_assigned", "first_reviewed"])
            elif age_days < RECENT_DAYS or rng.random() < STILL_OPEN:
                status = open_mix[rng.randrange(len(open_mix))]
            else:
                status = finished_mix[rng.randrange(len(finished_mix))]
            finished = status in FINISHED
            # 20 working days: four weeks; some finish late (超期).
            deadline = (local + datetime.timedelta(days=28)).date()
            done = moment + datetime.timedelta(days=rng.randint(3, 34), seconds=rng.randrange(86_400))
            if not finished and not transfer and status != "suspended":
                open_ids.append(pk)
            if status in TASK_OF:
                level, taken = TASK_OF[status]
                tasks.append(
                    {
                        "case_id": pk,
                        "level": level,
                        "agency_id": agencies[city.pk],
                        "status": "taken" if taken else "open",
                        "assignee_id": rng.choice(reviewers[city.pk]) if taken else None,
                        "mode": "random" if taken else "",
                        "created_at": moment,
                        "taken_at": moment if taken else None,
                        "done_at": None,
                        "outcome": "",
                        "opinion": "",
                    }
                )
            scanned = status not in ("pending_correction", "accepted", "refused")
            yield {
                "id": pk,
                "receipt_no": f"{local:%y%m%d%H%M%S}{number % 10_000:04d}",
                "serial_no": f"{city.code}{local:%y%m%d}{number:08d}",
                "matter_id": transfer_matter if transfer else matters[rng.randrange(len(matters))],
                "applicant_name": name,
                "applicant_sex": "M" if person % 5 < 3 else "F",
                "id_type": "id_card",
                "id_number": _id_number(city.code, birth, person),
                "person_code": f"P{person:09d}",
                "phone": f"13{person * 104_729 % 10**9:09d}",
                "contact": "",
                "employer_code": f"E{city.code}{person % 5000:05d}",
                "employer_name": f"{city.name}某某有限公司",
                "insured_agency_id": agencies[city.pk],
                "insured_region_id": city.pk,
                "accepting_agency_id": agencies[accepting.pk],
                "accepting_region_id": accepting.pk,
                "accepted_by_id": loader.pk,
                "handling_agency_id": agencies[city.pk],
                "handling_region_id": city.pk,
                "channel_id": channels[0] if rng.random() < 0.7 else rng.choice(channels),
                "remote": accepting is not city,
                "injury_date": (local - datetime.timedelta(days=30)).date(),
                "advance_payment": False,
                "accepted_at": moment,
                "time_limit_days": 20,
                "deadline": deadline,
                "review_levels": 2,
                "release_region": city.code,
                "release_number": 1,
                "required_materials": required,
                "received_materials": received,
                "status": status,
                "scan_status": "scanned" if scanned else "not_scanned",
                "archive_status": "archived" if status == "archived" else "not_archived",
                "sms_status": "sent",
                "post_status": "not_needed",
                "distribution_status": "random"
                if status in ("first_assigned", "second_assigned")
                else "unassigned",
                "evaluation": "satisfied" if rng.random() < 0.3 else "none",
                "refusal_reason": "",
                "finished_at": done if finished else None,
                "target_case_id": rng.choice(open_ids) if transfer and open_ids else None,
                "target_agency_id": agencies[cities[rng.randrange(len(cities))].pk] if transfer else None,
                "version": 1,
            }

    known = (
        "id receipt_no serial_no matter_id applicant_name applicant_sex id_type id_number person_code phone "
        "contact employer_code employer_name insured_agency_id insured_region_id accepting_agency_id "
        "accepting_region_id accepted_by_id handling_agency_id handling_region_id channel_id remote "
        "injury_date advance_payment accepted_at time_limit_days deadline review_levels release_region "
        "release_number required_materials received_materials status scan_status archive_status sms_status "
        "post_status distribution_status evaluation refusal_reason finished_at target_case_id "
        "target_agency_id version"
    ).split()
    defaults = _defaults(Case, set(known))
    columns = [*known, *defaults]

    def with_defaults(rows: Iterator[dict]) -> Iterator[dict]:
        for row in rows:
            row.update(defaults)
            yield row

    case_table, task_table = Case._meta.db_table, Task._meta.db_table
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {task_table}, {case_table} CASCADE")
        task_indexes = _drop_indexes(task_table)
        case_indexes = _drop_indexes(case_table)
        loaded = time.perf_counter()
        report.cases = _copy(case_table, columns, with_defaults(case_rows()), progress)
        report.transfers = TRANSFERS
        task_columns = list(tasks[0]) if tasks else []
        report.tasks = _copy(task_table, task_columns, iter(tasks), progress) if tasks else 0
        report.seconds["copy"] = time.perf_counter() - loaded
        indexed = time.perf_counter()
        _restore_indexes(case_table, *case_indexes)
        _restore_indexes(task_table, *task_indexes)
        with connection.cursor() as cursor:
            for table in (case_table, task_table):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 1) FROM {table}))"
                )
        report.seconds["indexes"] = time.perf_counter() - indexed
        SmsMessage.objects.all().delete()
        SmsMessage.objects.bulk_create(
            SmsMessage(
                recipient=f"138{number:08d}",
                text="短信发送失败（批量测试数据）",
                region=cities[number % len(cities)],
                matter="GS0101",
                case_reference=f"bulk-{number}",
                event=SmsEvent.ACCEPTED,
                status=SmsStatus.FAILED,
                attempts=5,
                last_error="gateway timeout",
            )
            for number in range(FAILED_SMS)
        )
        report.failed_sms = FAILED_SMS
    vacuumed = time.perf_counter()
    with connection.cursor() as cursor:
        # A table in steady state is vacuumed (autovacuum): the visibility map lets counts read indexes only.
        for table in (case_table, task_table, SmsMessage._meta.db_table):
            cursor.execute(f"VACUUM ANALYZE {table}")
    report.seconds["vacuum"] = time.perf_counter() - vacuumed
    report.seconds["total"] = time.perf_counter() - began
    return report


def bench_console_prepare(count: int, *, seed: int, reuse: bool, years: int = 3) -> None:
    """The benchmarks' console: migrated, static files collected (DEBUG=0 pages need the manifest), reference
    data, ``count`` cases (kept when ``reuse`` finds them)."""
    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.core.management import call_command

    from config_center.project.reference import reference_data_load_all
    from routing.models import Case

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    manifest = getattr(staticfiles_storage, "manifest_name", None)
    if manifest and not staticfiles_storage.manifest_storage.exists(manifest):
        call_command("collectstatic", interactive=False, verbosity=0)
        # The storage read its (missing) manifest at start-up: read it again.
        staticfiles_storage.hashed_files, staticfiles_storage.manifest_hash = (
            staticfiles_storage.load_manifest()
        )
    have = Case.objects.count() if reuse else 0
    if have >= count:
        print(f"reusing {have:,} cases")
        return
    reference_data_load_all()
    print(f"migrate + reference data: {time.perf_counter() - started:.1f} s")
    report = bulk_cases_load(count, seed=seed, years=years, progress=lambda text: print(text, flush=True))
    seconds = ", ".join(f"{name} {value:.0f} s" for name, value in report.seconds.items())
    print(
        f"loaded {report.cases:,} cases, {report.tasks:,} tasks, {report.transfers} transfers, "
        f"{report.failed_sms:,} failed SMS ({seconds})"
    )
