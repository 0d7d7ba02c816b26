"""How far a grant reaches: no further than its active assignments, and over the whole of a city.

A deactivated assignment grants nothing from the next request on; a city's scope holds the rows below it
(a county, an agency or 网点 there, an assignment at such an agency), which the reference data alone has
none of — 中山 has no districts.
"""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from catalog.models import Agency, Region
from permissions.models import Assignment, Role
from permissions.selectors import agency_codes_for, allowed_city_codes, scope_queryset, user_grants
from permissions.services import assignment_create, assignment_save

pytestmark = pytest.mark.django_db

CHANGE_LOCAL = "config_center.change_localmatter"
VIEW_ASSIGNMENT = "permissions.view_assignment"


def _staff(username):
    return get_user_model().objects.create_user(username, password="pw-for-tests", is_staff=True)


def _fresh(user):
    """The user as the next request loads it (grants are cached on the user object)."""
    return get_user_model().objects.get(pk=user.pk)


@pytest.fixture
def guangzhou(reference_data):
    return Region.objects.get(code="440100")


@pytest.fixture
def tianhe(guangzhou):
    """天河区, a county of 广州, with its agency and a 网点 under it."""
    region = Region.objects.create(code="440106", name="天河区", level=Region.Level.COUNTY, parent=guangzhou)
    agency = Agency.objects.create(
        code="440106",
        name="天河区社会保险基金管理局",
        region=region,
        parent=Agency.objects.get(code="440199"),
        kind=Agency.Kind.COUNTY,
    )
    Agency.objects.create(
        code="44010601",
        name="石牌街社保服务网点",
        region=region,
        parent=agency,
        kind=Agency.Kind.SERVICE_POINT,
    )
    return region


@pytest.fixture
def gz_admin(guangzhou, superuser):
    user = _staff("gz_admin")
    assignment_create(user=user, role=Role.objects.get(code="city_admin"), region=guangzhou, actor=superuser)
    return user


# --- a deactivated assignment ----------------------------------------------------------------------


def test_a_deactivated_assignment_grants_nothing_from_the_next_request_on(gz_admin, guangzhou, superuser):
    client = Client()
    client.force_login(gz_admin)
    changelist = reverse("admin:config_center_localmatter_changelist")
    assert client.get(changelist).status_code == 200
    assert _fresh(gz_admin).has_perm(CHANGE_LOCAL, guangzhou)

    assignment = Assignment.objects.get(user=gz_admin)
    assignment.is_active = False
    assignment_save(assignment=assignment, actor=superuser)

    user = _fresh(gz_admin)
    assert user_grants(user) == ()
    assert not user.has_perm(CHANGE_LOCAL, guangzhou)
    assert not user.has_perm(CHANGE_LOCAL)
    assert client.get(changelist).status_code == 403


def test_a_deactivated_assignment_leaves_the_users_other_assignments_in_force(gz_admin, guangzhou, superuser):
    zhongshan = Region.objects.get(code="442000")
    auditor = Role.objects.get(code="auditor")
    assignment_create(user=gz_admin, role=auditor, region=zhongshan, actor=superuser)
    city_admin = Assignment.objects.get(user=gz_admin, role__code="city_admin")
    city_admin.is_active = False
    assignment_save(assignment=city_admin, actor=superuser)

    user = _fresh(gz_admin)
    assert [(g.kind, g.region_code) for g in user_grants(user)] == [("city", "442000")]
    assert not user.has_perm(CHANGE_LOCAL, guangzhou)
    assert user.has_perm("config_center.view_localmatter", zhongshan)


def test_unticking_an_assignment_in_the_admin_takes_the_holders_access_away(gz_admin, superuser):
    """The matrix's own action (a city administrator unticks 有效 of an assignment in the admin) takes the
    holder's access away."""
    holder = _staff("holder")
    assignment = assignment_create(
        user=holder, role=Role.objects.get(code="clerk"), agency=Agency.objects.get(code="440199")
    )
    client = Client()
    client.force_login(holder)
    changelist = reverse("admin:config_center_localmatter_changelist")
    assert client.get(changelist).status_code == 200

    admin = Client()
    admin.force_login(gz_admin)
    change = reverse("admin:permissions_assignment_change", args=[assignment.pk])
    page = admin.get(change)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.pop("is_active")
    assert admin.post(change, data).status_code == 302
    assert not Assignment.objects.get(pk=assignment.pk).is_active

    assert client.get(changelist).status_code == 403


# --- county-level rows are in their city's scope ---------------------------------------------------


def test_a_citys_scope_holds_its_counties(gz_admin, tianhe):
    regions = scope_queryset(Region.objects.filter(code__startswith="44"), gz_admin, [CHANGE_LOCAL])
    assert set(regions.values_list("code", flat=True)) == {"440100", "440106"}


def test_a_citys_scope_holds_the_agencies_and_service_points_of_its_counties(gz_admin, tianhe):
    agencies = scope_queryset(Agency.objects.all(), gz_admin, [CHANGE_LOCAL])
    assert set(agencies.values_list("code", flat=True)) == {"440199", "440106", "44010601"}


def test_a_citys_scope_holds_the_assignments_at_a_county_agency(gz_admin, tianhe, superuser):
    clerk = _staff("tianhe_clerk")
    at_county = assignment_create(
        user=clerk, role=Role.objects.get(code="clerk"), agency=Agency.objects.get(code="44010601")
    )
    assert at_county.region.code == "440106"
    visible = scope_queryset(Assignment.objects.all(), gz_admin, [VIEW_ASSIGNMENT])
    assert at_county in visible
    assert Assignment.objects.get(user=gz_admin) in visible

    client = Client()
    client.force_login(gz_admin)
    listed = client.get(reverse("admin:permissions_assignment_changelist"))
    assert at_county.pk in {row.pk for row in listed.context["cl"].result_list}
    page = reverse("admin:permissions_assignment_change", args=[at_county.pk])
    assert client.get(page).status_code == 200


def test_another_citys_scope_does_not_hold_the_counties(tianhe, superuser):
    zs_admin = _staff("zs_admin")
    assignment_create(
        user=zs_admin,
        role=Role.objects.get(code="city_admin"),
        region=Region.objects.get(code="442000"),
        actor=superuser,
    )
    regions = scope_queryset(Region.objects.filter(code__startswith="44"), zs_admin, [CHANGE_LOCAL])
    assert set(regions.values_list("code", flat=True)) == {"442000"}
    assert not scope_queryset(Agency.objects.filter(code__startswith="4401"), zs_admin, [CHANGE_LOCAL])


# --- the grants themselves ----------------------------------------------------------------------------


def test_a_users_grants_are_read_in_two_queries_once_per_request(gz_admin, tianhe, django_assert_num_queries):
    assignment_create(
        user=gz_admin, role=Role.objects.get(code="clerk"), agency=Agency.objects.get(code="44010601")
    )
    user = _fresh(gz_admin)
    with django_assert_num_queries(2):
        grants = user_grants(user)
    assert sorted((g.kind, g.region_code, g.agency_code) for g in grants) == [
        ("agency", "440106", "44010601"),
        ("city", "440100", None),
    ]
    [clerk] = [g for g in grants if g.kind == "agency"]
    assert clerk.perms >= {"permissions.accept_case", "config_center.view_localmatter"}
    assert "config_center.change_localmatter" not in clerk.perms
    with django_assert_num_queries(0):
        assert user_grants(user) is grants


def test_an_inactive_or_anonymous_user_has_no_grants(gz_admin):
    from django.contrib.auth.models import AnonymousUser

    assert user_grants(AnonymousUser()) == ()
    assert user_grants(None) == ()  # no user on the request at all (before authentication)
    user = _fresh(gz_admin)
    user.is_active = False  # e.g. switched off by another administrator during this request
    assert user_grants(user) == ()


def test_the_agencies_whose_cases_a_grant_works_on(gz_admin, tianhe, superuser):
    """At an agency: that agency; at a city: the city's own agency; at the province: the provincial one —
    never the agencies below."""
    clerk = _staff("clerk")
    assignment_create(
        user=clerk, role=Role.objects.get(code="clerk"), agency=Agency.objects.get(code="44010601")
    )
    assert agency_codes_for(_fresh(clerk), "permissions.accept_case") == {"44010601"}
    assert agency_codes_for(_fresh(clerk), "permissions.first_review") == frozenset()
    assert agency_codes_for(_fresh(gz_admin), "routing.query_case") == {"440199"}
    supervisor = _staff("supervisor")
    assignment_create(
        user=supervisor, role=Role.objects.get(code="supervisor"), region=Region.objects.get(code="440000")
    )
    assert agency_codes_for(_fresh(supervisor), "routing.query_case") == {"440099"}
    assert agency_codes_for(superuser, "routing.query_case") is None


def test_the_cities_where_a_user_holds_a_permission(gz_admin, superuser):
    zhongshan = Region.objects.get(code="442000")
    assignment_create(user=gz_admin, role=Role.objects.get(code="auditor"), region=zhongshan, actor=superuser)
    user = _fresh(gz_admin)
    assert allowed_city_codes(user, [CHANGE_LOCAL]) == {"440100"}
    assert allowed_city_codes(user, ["config_center.view_localmatter"]) == {"440100", "442000"}
    assert allowed_city_codes(user, ["permissions.emergency_publish"]) == frozenset()
    assert allowed_city_codes(superuser, [CHANGE_LOCAL]) is None
    superuser.is_active = False
    assert allowed_city_codes(superuser, [CHANGE_LOCAL]) == frozenset()


def test_rows_for_the_whole_province_are_in_every_scope_when_asked(gz_admin, tianhe):
    from sms_templates.models import SmsTemplate

    templates = SmsTemplate.objects.all()
    province_wide = templates.filter(category__region__isnull=True)
    assert province_wide.exists()  # the reference templates
    view = ["sms_templates.view_smstemplate"]
    with_them = scope_queryset(templates, gz_admin, view, include_province_wide=True)
    assert set(province_wide) <= set(with_them)
    assert not set(province_wide) & set(scope_queryset(templates, gz_admin, view))
    # A region is never province-wide: asking for those rows changes nothing for regions.
    regions = Region.objects.filter(code__startswith="44")
    assert set(scope_queryset(regions, gz_admin, [CHANGE_LOCAL], include_province_wide=True)) == set(
        scope_queryset(regions, gz_admin, [CHANGE_LOCAL])
    )
