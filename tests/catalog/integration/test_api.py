import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["regions", "agencies", "channels", "matters", "materials"])
def test_every_list_has_count_and_items_with_code_and_name(client, reference_data, path):
    response = client.get(f"/api/v1/{path}")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == len(body["items"]) > 0
    assert all({"code", "name"} <= set(item) for item in body["items"])


def test_matter_search_finds_the_meal_allowance(client, reference_data):
    body = client.get("/api/v1/matters", {"q": "住院伙食补助费"}).json()
    assert [item["code"] for item in body["items"]] == ["GS0104"]
    assert body["items"][0]["province_wide"] is True


def test_matter_search_matches_aliases_and_codes(client, reference_data):
    assert client.get("/api/v1/matters", {"q": "统筹地区以外"}).json()["items"][0]["name"] == "市外交通食宿费"
    assert client.get("/api/v1/matters", {"q": "gs0301"}).json()["items"][0]["name"] == "工伤认定申请"


def test_material_search_by_name(client, reference_data):
    body = client.get("/api/v1/materials", {"q": "鉴定结论"}).json()
    assert [item["name"] for item in body["items"]] == ["劳动能力鉴定结论书"]


def test_agencies_filter_by_region_and_show_the_tree(client, reference_data):
    body = client.get("/api/v1/agencies", {"region": "442000"}).json()
    assert body["items"] == [
        {
            "code": "442099",
            "name": "中山市社会保险基金管理局",
            "kind": "municipal",
            "region": "442000",
            "parent": "440099",
        }
    ]


def test_regions_list_the_province_and_its_cities(client, reference_data):
    body = client.get("/api/v1/regions", {"limit": 500}).json()
    assert body["count"] == 22
    assert body["items"][0] == {"code": "440000", "name": "广东省", "level": "province", "parent": None}


def test_pagination_limits_the_page(client, reference_data):
    body = client.get("/api/v1/matters", {"limit": 5, "offset": 5}).json()
    assert body["count"] == 21 and len(body["items"]) == 5


@pytest.mark.parametrize(
    ("path", "params", "reason"),
    [
        ("matters", {"foo": "1"}, "unknown_parameter"),
        ("regions", {"q": "广"}, "unknown_parameter"),
        ("matters", {"limit": "abc"}, "invalid_parameter"),
        ("matters", {"limit": "0"}, "invalid_parameter"),
        ("materials", {"limit": "100000"}, "invalid_parameter"),
        ("materials", {"offset": "-1"}, "invalid_parameter"),
        ("matters", {"province_wide": "maybe"}, "invalid_parameter"),
    ],
)
def test_bad_parameters_answer_400_with_a_reason(client, reference_data, path, params, reason):
    response = client.get(f"/api/v1/{path}", params)
    assert response.status_code == 400
    body = response.json()
    assert body["reason_code"] == reason
    assert body["message"]


def test_unknown_path_answers_json_404(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404


def test_openapi_schema_lists_the_catalog_endpoints(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert {
        "/api/v1/regions",
        "/api/v1/agencies",
        "/api/v1/channels",
        "/api/v1/matters",
        "/api/v1/materials",
    } <= set(schema["paths"])
