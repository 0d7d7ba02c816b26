"""API clients, pure: tokens and their hashes, the bearer header, scope names, what a client may do, rate windows."""

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from permissions import api_rules, scope
from permissions.api_rules import ClientAccess


def test_a_new_token_is_long_random_and_prefixed():
    tokens = {api_rules.token_new() for _ in range(50)}
    assert len(tokens) == 50
    for token in tokens:
        assert token.startswith("gsk_") and len(token) >= 4 + 43
        assert api_rules.bearer_token(f"Bearer {token}") == token


def test_the_stored_hash_is_the_sha256_of_the_token_and_differs_per_token():
    token = api_rules.token_new()
    assert api_rules.token_hash(token) == hashlib.sha256(token.encode()).hexdigest()
    assert len(api_rules.token_hash(token)) == 64
    assert api_rules.token_hash(token) != api_rules.token_hash(
        token[:-1] + ("A" if token[-1] != "A" else "B")
    )


def test_the_visible_part_identifies_but_does_not_reveal_the_token():
    token = api_rules.token_new()
    assert api_rules.token_visible(token) == token[:12]
    assert len(token) - len(api_rules.token_visible(token)) >= 35  # ≥ 200 bits stay secret


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),  # no header: not a client's call
        ("Bearer gsk_abc-DEF_123", "gsk_abc-DEF_123"),
        ("bearer gsk_abc", "gsk_abc"),  # the scheme is case-insensitive (RFC 6750)
        ("  Bearer   gsk_abc  ", "gsk_abc"),
        ("", ""),
        ("Bearer", ""),
        ("Bearer ", ""),
        ("Basic dXNlcjpwYXNz", ""),
        ("Token gsk_abc", ""),
        ("Bearer gsk abc", ""),
        ("Bearer gsk_abc;drop", ""),
        ("Bearer " + "a" * 129, ""),
    ],
)
def test_the_bearer_header_gives_the_token_or_a_refusal(header, expected):
    assert api_rules.bearer_token(header) == expected


@given(st.text(max_size=200))
def test_any_header_gives_a_token_of_the_allowed_shape_or_nothing(header):
    token = api_rules.bearer_token(header)
    assert token == "" or (
        len(token) <= api_rules.MAX_TOKEN_LENGTH and token.replace("-", "").replace("_", "").isalnum()
    )


def test_scopes_are_parsed_in_a_fixed_order_and_unknown_names_are_found():
    assert api_rules.scopes_parse("reads cases:write") == ("cases:write", "reads")
    assert api_rules.scopes_parse("tasks:write,cases:write, bogus") == ("cases:write", "tasks:write")
    assert api_rules.scopes_text(["reads", "cases:write", "reads"]) == "cases:write reads"
    assert api_rules.unknown_scopes("cases:write bogus admin") == ("admin", "bogus")
    assert api_rules.unknown_scopes("") == ()


def test_every_scope_has_a_label_and_its_capabilities():
    assert set(api_rules.SCOPES) == set(api_rules.SCOPE_PERMISSIONS)
    assert api_rules.SCOPE_PERMISSIONS[api_rules.READS] == frozenset()


def access(scopes=("cases:write",), agencies=None) -> ClientAccess:
    return ClientAccess(
        client_id=1,
        name="粤省事",
        user_id=9,
        scopes=frozenset(scopes),
        agencies=agencies if agencies is not None else {"442099": "442000", "442001": "442000"},
        rate_limit=10,
    )


def test_a_client_acts_only_for_its_agencies_and_holds_only_its_scopes():
    client = access()
    assert client.acts_for("442099") and client.acts_for("442001")
    assert not client.acts_for("440199")
    assert client.has_scope("cases:write") and not client.has_scope("tasks:write")


def test_the_service_user_holds_its_scopes_capabilities_at_each_agency_and_nothing_else():
    grants = access(scopes=("cases:write", "tasks:write")).grants()
    assert {grant.agency_code for grant in grants} == {"442099", "442001"}
    assert all(grant.kind == scope.AGENCY and grant.region_code == "442000" for grant in grants)
    assert grants[0].perms == {
        "permissions.accept_case",
        "permissions.first_review",
        "permissions.second_review",
    }
    # Through the scope rules: 受理 in 中山, never in 广州, and no configuration rights at all.
    assert scope.allows(grants, "permissions.accept_case", "442000")
    assert not scope.allows(grants, "permissions.accept_case", "440100")
    assert not scope.allows(grants, "config_center.change_localmatter", "442000")


def test_a_client_with_only_reads_or_no_places_holds_no_grant():
    assert access(scopes=("reads",)).grants() == ()
    assert access(agencies={}).grants() == ()


def test_rate_windows_are_minutes_and_retry_after_counts_to_the_next_one():
    assert api_rules.rate_window(120.0) == api_rules.rate_window(179.9) == 2
    assert api_rules.rate_window(180.0) == 3
    assert api_rules.retry_after(120.0) == 60
    assert api_rules.retry_after(179.5) == 1
    assert api_rules.retry_after(150.2) == 30  # 29.8 s, rounded up
