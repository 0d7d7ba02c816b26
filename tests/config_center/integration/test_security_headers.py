"""Every response carries the Content-Security-Policy (issue 11); the browser tests fail on any violation."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/admin/login/", "/api/v1/channels"])
def test_pages_and_the_api_carry_the_policy(client, reference_data, url):
    policy = client.get(url)["Content-Security-Policy"]
    for directive in ("default-src 'self'", "object-src 'none'", "base-uri 'self'", "frame-ancestors 'self'"):
        assert directive in policy
