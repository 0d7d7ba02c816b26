"""待遇计算 in the admin: staff compute a benefit and read the rule; refusals are shown on the form (issue 16)."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

pytestmark = pytest.mark.django_db

URL = "admin:routing_benefit_compute"
YONGKANG = {"benefit": "YCXSCBZJ", "grade": "10", "monthly_wage": "3,083.20"}


def test_a_city_administrator_computes_the_yongkang_example(client, city_admin):
    client.force_login(city_admin)
    response = client.get(reverse(URL), YONGKANG)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<strong id="benefit-amount">21582.40</strong>' in html
    assert "一次性伤残补助金：十级伤残 7 个月 × 本人工资 3083.20 元 = 21582.40 元" in html


def test_the_empty_form_offers_the_benefits_and_grades(client, city_admin):
    client.force_login(city_admin)
    response = client.get(reverse(URL))
    form = response.context["form"]
    assert not form.is_bound and response.context["answer"] is None
    assert [name for _code, name in form.fields["benefit"].choices] == [
        "一次性工伤医疗补助金",
        "一次性伤残补助金",
        "一次性伤残就业补助金",
    ]
    assert len(form.fields["grade"].choices) == 10


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        (
            {"benefit": "YCXGSYLBZJ", "grade": "3", "monthly_wage": "3000"},
            "grade",
            "一次性工伤医疗补助金没有三级伤残的标准；有标准的等级：五级、六级、七级、八级、九级、十级。",
        ),
        ({**YONGKANG, "monthly_wage": "0"}, "monthly_wage", "月工资须大于 0。"),
        ({**YONGKANG, "monthly_wage": "3083.205"}, "monthly_wage", "月工资最多两位小数（精确到分）。"),
        (
            {"benefit": "YCXGSYLBZJ", "grade": "10", "monthly_wage": "3000", "date": "2011-12-31"},
            "date",
            "一次性工伤医疗补助金十级伤残的标准在 2011-12-31 不在有效期内（2012-01-01 起执行）。",
        ),
    ],
)
def test_a_refusal_is_shown_at_its_field(client, city_admin, params, field, message):
    client.force_login(city_admin)
    response = client.get(reverse(URL), params)
    assert response.context["answer"] is None
    assert response.context["form"].errors[field] == [message]


def test_a_benefit_that_is_not_offered_is_a_form_error(client, city_admin):
    client.force_login(city_admin)
    response = client.get(reverse(URL), {**YONGKANG, "benefit": "NOPE"})
    assert "benefit" in response.context["form"].errors


def test_staff_without_a_role_reading_the_standards_are_refused(client, reference_data):
    user = get_user_model().objects.create_user("nobody", password="pw-for-tests-only", is_staff=True)
    client.force_login(user)
    assert client.get(reverse(URL), YONGKANG).status_code == 403


def test_the_screen_is_in_the_menu_of_those_who_read_the_standards(client, city_admin):
    client.force_login(city_admin)
    page = client.get(reverse("admin:menu_group", kwargs={"group": "system"})).content.decode()
    assert reverse(URL) in page and "待遇计算" in page and "待遇标准" in page
