"""The permission matrix: every reference role × every protected admin action × own / foreign scope; and every
role × every case action (受理 … export, ``case_matrix``) × a case of its own city / of another.

Each case runs inside a savepoint that is rolled back, through the real admin URLs with the test
client. The expectation table below is written out by hand (not derived from the code under test).
A denied case must leave the database exactly as it was: row counts and history counts.
"""

from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from django.urls import reverse

from catalog.models import Agency, Matter, Region
from config_center.drafts.models import LocalMatter, PrintTemplate
from config_center.drafts.services import local_matter_bind
from permissions.models import Assignment, Role
from permissions.services import assignment_create
from sms_templates.models import SmsTemplate, SmsTemplateCategory
from tests.factories.admin_post import change_page_post

from .case_matrix import CASE_ACTIONS, SCAN_LEAD, attempt, case_fingerprint, case_world, prepare

pytestmark = pytest.mark.django_db

OWN, FOREIGN = "442000", "440100"  # 中山 (the scoped users' city) and 广州

# role → model → {action: where allowed}: "own" = own city only, "both" = both cities, absent = nowhere.
ALL = {
    "list": "both",
    "open": "both",
    "change": "both",
    "delete": "both",
    "bulk_delete": "both",
    "history": "both",
}
OWN_ALL = {action: "own" for action in ALL}
OWN_READ = {"list": "own", "open": "own", "history": "own"}
BOTH_READ = {"list": "both", "open": "both", "history": "both"}
EXPECTED = {
    "city_admin": {
        "localmatter": OWN_ALL,
        "smstemplate": OWN_ALL,
        "printtemplate": OWN_READ,
        "assignment": OWN_ALL,
    },
    "clerk": {"localmatter": OWN_READ},
    "first_reviewer": {"localmatter": OWN_READ},
    "second_reviewer": {"localmatter": OWN_READ},
    # 省级业务督导 holds 审计查看 province-wide: the history of assignments is readable, the assignments are not.
    "supervisor": {
        "localmatter": ALL,
        "smstemplate": BOTH_READ,
        "printtemplate": ALL,
        "assignment": {"history": "both"},
    },
    "auditor": {
        "localmatter": OWN_READ,
        "smstemplate": OWN_READ,
        "printtemplate": OWN_READ,
        "assignment": OWN_READ,
    },
}
EXTRA_EXPECTED = {
    # (role, action) -> where allowed, for actions that are not per-model CRUD
    ("city_admin", "bind"): "own",
    ("supervisor", "bind"): "both",
    ("supervisor", "copy_to_cities"): "both",
    ("city_admin", "region_autocomplete"): "own",
    ("supervisor", "region_autocomplete"): "both",
}
ACTIONS = list(ALL)
MODELS = ["localmatter", "smstemplate", "printtemplate", "assignment"]
EXTRA_ACTIONS = ["bind", "copy_to_cities", "region_autocomplete"]
ROLE_SCOPE = {
    "city_admin": {"region": OWN},
    "clerk": {"agency": "442099"},
    "first_reviewer": {"agency": "442099"},
    "second_reviewer": {"agency": "442099"},
    "supervisor": {"region": "440000"},
    "auditor": {"region": OWN},
}


@dataclass
class World:
    objects: dict  # (model, city) -> object
    users: dict  # role code -> user
    root: object


def _world() -> World:
    from config_center.project.reference import reference_data_load_all

    reference_data_load_all()
    User = get_user_model()
    root = User.objects.create_superuser("root", "", "pw")
    objects = {}
    medical = Matter.objects.get(code="GS0101")
    for city_code in (OWN, FOREIGN):
        city = Region.objects.get(code=city_code)
        local_matter_bind(region=city, matters=[medical], user=root)
        objects[("localmatter", city_code)] = LocalMatter.objects.get(region=city, matter=medical)
        category = SmsTemplateCategory.objects.create(name=f"{city.name}短信", region=city)
        objects[("smstemplate", city_code)] = SmsTemplate.objects.create(
            category=category,
            name=f"{city.name}受理",
            function_code=f"T_{city_code}",
            content="尊敬的 XM，YWMC已受理。",
        )
        objects[("printtemplate", city_code)] = PrintTemplate.objects.create(
            code=f"P_{city_code}", name=f"{city.name}办结单", document="completion", region=city
        )
        holder = User.objects.create_user(f"holder_{city_code}", password="pw", is_staff=True)
        objects[("assignment", city_code)] = assignment_create(
            user=holder,
            role=Role.objects.get(code="clerk"),
            agency=Agency.objects.get(code=f"{city_code[:4]}99"),
        )
    LocalMatter.objects.filter(region__code=OWN).update(time_limit_days=7)  # the source of copy_to_cities
    users = {}
    for role in Role.objects.all():
        user = User.objects.create_user(f"u_{role.code}", password="pw", is_staff=True)
        where = ROLE_SCOPE[role.code]
        if "agency" in where:
            assignment_create(user=user, role=role, agency=Agency.objects.get(code=where["agency"]))
        else:
            assignment_create(user=user, role=role, region=Region.objects.get(code=where["region"]))
        users[role.code] = user
    return World(objects, users, root)


def _fingerprint() -> tuple:
    models = [LocalMatter, SmsTemplate, PrintTemplate, Assignment]
    return tuple((m.objects.count(), m.history.count()) for m in models)


def _admin_url(obj, view: str, *args) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_{view}", args=args)


CHANGES = {
    "localmatter": ("time_limit_days", "33", lambda obj: obj.time_limit_days == 33),
    "smstemplate": ("name", "改过的名称", lambda obj: obj.name == "改过的名称"),
    "printtemplate": ("name", "改过的模板", lambda obj: obj.name == "改过的模板"),
    "assignment": ("is_active", None, lambda obj: obj.is_active is False),
}


def _attempt(world: World, client: Client, model: str, action: str, city: str) -> bool:
    """Perform one action as the logged-in user; True if it took effect (or was shown)."""
    obj = world.objects[(model, city)]
    if action == "list":
        response = client.get(_admin_url(obj, "changelist"))
        if response.status_code != 200:
            return False
        return obj.pk in {row.pk for row in response.context["cl"].result_list}
    if action == "open":
        return client.get(_admin_url(obj, "change", obj.pk)).status_code == 200
    if action == "history":
        return client.get(_admin_url(obj, "history", obj.pk)).status_code == 200
    if action == "change":
        root = Client()
        root.force_login(world.root)
        data = change_page_post(root.get(_admin_url(obj, "change", obj.pk)))
        field, value, changed = CHANGES[model]
        if value is None:
            data.pop(field, None)
        else:
            data[field] = value
        client.post(_admin_url(obj, "change", obj.pk), data)
        fresh = type(obj).objects.filter(pk=obj.pk).first()
        return fresh is not None and changed(fresh)
    if action == "delete":
        client.post(_admin_url(obj, "delete", obj.pk), {"post": "yes"})
        return not type(obj).objects.filter(pk=obj.pk).exists()
    if action == "bulk_delete":
        client.post(
            _admin_url(obj, "changelist"),
            {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes", "index": 0},
        )
        return not type(obj).objects.filter(pk=obj.pk).exists()
    raise AssertionError(action)


def _attempt_extra(world: World, client: Client, action: str, city: str) -> bool:
    if action == "bind":
        matter = Matter.objects.get(code="GS0104")
        url = reverse("admin:config_center_bindablematter_changelist") + f"?city={city}"
        client.post(url, {"action": "bind", "_selected_action": [matter.pk], "index": 0})
        return LocalMatter.objects.filter(region__code=city, matter=matter, is_active=True).exists()
    if action == "copy_to_cities":
        source = world.objects[("localmatter", OWN if city == FOREIGN else FOREIGN)]
        url = reverse("admin:config_center_localmatter_copy_to_cities", args=[source.pk])
        client.post(url, {"cities": [city], "confirm": "1"})
        return LocalMatter.objects.get(region__code=city, matter=source.matter).time_limit_days == 7
    if action == "region_autocomplete":
        response = client.get(
            reverse("admin:autocomplete"),
            {"app_label": "config_center", "model_name": "localmatter", "field_name": "region", "term": ""},
        )
        if response.status_code != 200:
            return False
        return city in {item["text"][-7:-1] for item in response.json()["results"]}
    raise AssertionError(action)


def _expected(role: str, model: str | None, action: str, city: str) -> bool:
    where = (
        EXTRA_EXPECTED.get((role, action))
        if model is None
        else EXPECTED.get(role, {}).get(model, {}).get(action)
    )
    return where == "both" or (where == "own" and city == OWN)


def _cases():
    for model in MODELS:
        for action in ACTIONS:
            for city in (OWN, FOREIGN):
                yield model, action, city
    for action in EXTRA_ACTIONS:
        for city in (OWN, FOREIGN):
            yield None, action, city


@pytest.mark.parametrize("role", list(ROLE_SCOPE))
def test_permission_matrix(role):
    world = _world()
    client = Client()
    client.force_login(world.users[role])
    failures = []
    cases = 0
    for model, action, city in _cases():
        if model is None and action == "copy_to_cities" and city == OWN:
            continue  # copying needs a source in the other city; one direction is enough per role
        cases += 1
        expected = _expected(role, model, action, city)
        with transaction.atomic():
            before = _fingerprint()
            if model is None:
                happened = _attempt_extra(world, client, action, city)
            else:
                happened = _attempt(world, client, model, action, city)
            after = _fingerprint()
            transaction.set_rollback(True)
        where = "own" if city == OWN else "foreign"
        if happened != expected:
            failures.append(
                f"{role} {model or '-'} {action} {where}: expected {'allow' if expected else 'deny'}"
            )
        if (
            not expected
            and action in ("change", "delete", "bulk_delete", "bind", "copy_to_cities")
            and before != after
        ):
            failures.append(f"{role} {model or '-'} {action} {where}: a denied action changed the database")
    assert cases >= 50
    assert not failures, "\n".join(failures)


def test_matrix_has_at_least_150_cases():
    per_role = sum(1 for model, action, city in _cases() if not (action == "copy_to_cities" and city == OWN))
    assert per_role * len(ROLE_SCOPE) >= 150


# role → case action → where allowed (hand-written like EXPECTED): the own city is 中山 (its agency 442099),
# the foreign one 广州. Reviewers take, complete and release only their own agency's tasks at their own level;
# a task of another user (a colleague's, or another city's) is not theirs to complete or release. 疑难案件: the
# handling agency's reviewers push a case (once) and escalate a case pushed to them; only the common superior
# agency's staff decide.
CASE_EXPECTED = {
    "city_admin": {"query": "own", "export": "own"},
    "clerk": {"accept": "own", "scan": "own", "query": "own", "export": "own"},
    "first_reviewer": {
        "acquire_first": "own",
        "complete": "own",
        "release": "own",
        "query": "own",
        "export": "own",
        "push": "own",
        "escalate": "own",
    },
    "second_reviewer": {
        "acquire_second": "own",
        "complete": "own",
        "release": "own",
        "query": "own",
        "export": "own",
        "push": "own",
        "escalate": "own",
    },
    # The province's supervisor holds 业务移交 province-wide: the common superior (省局) decides jurisdiction.
    "supervisor": {"query": "both", "export": "both", "decide": "both"},
    "auditor": {"query": "own", "export": "own"},
    SCAN_LEAD: {"advanced_scan": "own", "query": "own", "export": "own"},
}


@pytest.mark.parametrize("role", [*ROLE_SCOPE, SCAN_LEAD])
def test_case_permission_matrix(role):
    world = case_world(ROLE_SCOPE)
    client = Client()
    client.force_login(world.users[role])
    failures = []
    for action in CASE_ACTIONS:
        for city in (OWN, FOREIGN):
            where = CASE_EXPECTED[role].get(action)
            expected = where == "both" or (where == "own" and city == OWN)
            with transaction.atomic():
                task_id = prepare(world, role, action, city)
                before = case_fingerprint()
                happened = attempt(world, client, action, city, task_id)
                after = case_fingerprint()
                transaction.set_rollback(True)
            scope = "own" if city == OWN else "foreign"
            if happened != expected:
                failures.append(f"{role} {action} {scope}: expected {'allow' if expected else 'deny'}")
            if not expected and before != after:
                failures.append(f"{role} {action} {scope}: a denied action changed the database")
    assert not failures, "\n".join(failures)
