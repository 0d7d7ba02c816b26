"""Region and agency code arithmetic (pure)."""

from catalog.codes import city_agency_code, city_of, is_province, province_of


def test_city_of_a_county_is_its_prefecture():
    assert city_of("440106") == "440100"
    assert city_of("442000") == "442000"


def test_the_province_of_a_region_and_whether_a_code_is_the_province():
    assert province_of("440106") == "440000"
    assert is_province("440000") and not is_province("442000")


def test_a_city_agency_code_is_the_city_code_with_99():
    assert city_agency_code("442000") == "442099"
    assert city_agency_code("440106") == "440199"
    assert city_agency_code("440000") == "440099"  # the provincial agency
