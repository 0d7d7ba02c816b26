"""业务事项's page refuses the relations the import refuses (catalog.dependencies, judged on the whole catalog as it
would be after the save): a matter its own prerequisite, a pair both prerequisite and conflict (a conflict counts
whichever matter records it), a prerequisite cycle through other matters. Nothing is written when refused."""

import pytest
from django.urls import reverse

from catalog.models import Matter
from tests.factories.admin_post import change_page_post

pytestmark = pytest.mark.django_db


def _post(client, code: str, **relations):
    matter = Matter.objects.get(code=code)
    url = reverse("admin:catalog_matter_change", args=[matter.pk])
    data = change_page_post(client.get(url))
    for name, codes in relations.items():
        data[name] = [m.pk for m in Matter.objects.filter(code__in=codes)]
    return client.post(url, data)


def _prerequisites(code: str) -> set[str]:
    return set(Matter.objects.get(code=code).prerequisites.values_list("code", flat=True))


def _errors(response) -> list[str]:
    assert response.status_code == 200, "the page should be shown again with the error"
    return list(response.context["adminform"].form.errors["prerequisites"])


def test_a_matter_cannot_be_its_own_prerequisite(admin_client, reference_data):
    response = _post(admin_client, "GS0302", prerequisites=["GS0301", "GS0302"])
    assert _errors(response) == ["GS0302 不能是自己的前置事项"]
    assert _prerequisites("GS0302") == {"GS0301"}


def test_a_prerequisite_cycle_through_another_matter_is_refused(admin_client, reference_data):
    # GS0302 劳动能力鉴定 needs GS0301 工伤认定; making GS0301 need GS0302 closes a cycle.
    response = _post(admin_client, "GS0301", prerequisites=["GS0302"])
    assert any(
        problem.startswith("前置事项形成循环：") and "GS0301" in problem for problem in _errors(response)
    )
    assert _prerequisites("GS0301") == set()


def test_a_pair_cannot_be_both_prerequisite_and_conflict_whichever_records_the_conflict(
    admin_client, reference_data
):
    response = _post(admin_client, "GS0106", prerequisites=["GS0301", "GS0302"], conflicts=["GS0301"])
    assert _errors(response) == ["GS0106 与 GS0301 不能既是前置事项又是冲突事项"]
    # GS0109 records its conflict with GS0106: GS0106 may not take GS0109 as a prerequisite either.
    response = _post(admin_client, "GS0106", prerequisites=["GS0301", "GS0302", "GS0109"])
    assert _errors(response) == ["GS0106 与 GS0109 不能既是前置事项又是冲突事项"]
    assert _prerequisites("GS0106") == {"GS0301", "GS0302"}


def test_valid_relations_are_saved_with_their_history(admin_client, reference_data):
    response = _post(admin_client, "GS0304", prerequisites=["GS0301", "GS0302"])
    assert response.status_code == 302
    assert _prerequisites("GS0304") == {"GS0301", "GS0302"}
    assert Matter.objects.get(code="GS0304").history.count() >= 2
