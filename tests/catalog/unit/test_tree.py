import pytest

from catalog.tree import AgencyTreeError, ancestors, common_superior

TREE = {
    "440099": None,
    "440199": "440099",
    "442099": "440099",
    "440106": "440199",
    "440104": "440199",
    "999999": None,
}


def test_ancestors_run_from_agency_to_root():
    assert ancestors("440106", TREE) == ["440106", "440199", "440099"]


def test_two_city_agencies_share_the_provincial_agency():
    assert common_superior("442099", "440199", TREE) == "440099"


def test_district_and_other_city_share_the_province():
    assert common_superior("440106", "442099", TREE) == "440099"


def test_two_districts_of_one_city_share_the_city_agency():
    assert common_superior("440106", "440104", TREE) == "440199"


def test_superior_of_an_agency_and_its_own_parent_is_the_parent():
    assert common_superior("440106", "440199", TREE) == "440199"


def test_agencies_in_separate_trees_have_no_common_superior():
    assert common_superior("442099", "999999", TREE) is None


def test_unknown_agency_is_refused():
    with pytest.raises(AgencyTreeError):
        ancestors("123456", TREE)


def test_cycle_is_refused():
    with pytest.raises(AgencyTreeError):
        ancestors("a", {"a": "b", "b": "a"})


def test_the_superior_of_an_agency_and_itself_is_its_parent():
    assert common_superior("440106", "440106", TREE) == "440199"
    assert common_superior("440099", "440099", TREE) is None


def test_an_unknown_parent_is_refused_and_named():
    with pytest.raises(AgencyTreeError, match="unknown parent agency '440000'"):
        ancestors("440199", {"440199": "440000"})


def test_the_refusals_name_the_agency():
    with pytest.raises(AgencyTreeError, match="unknown agency '123456'"):
        ancestors("123456", TREE)
    with pytest.raises(AgencyTreeError, match="cycle in agency tree at 'a'"):
        ancestors("x", {"x": "a", "a": "b", "b": "a"})  # a cycle above the agency, not through it
