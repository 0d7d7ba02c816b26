"""Login lockout (django-axes): per user name, and per client address with a higher threshold.

axes counts failures per user name and per address and compares the larger count with one limit. The
limit it is given is therefore chosen per attempt: the user-name limit once that name has failed that
often, else the (higher) address limit — so guessing one name locks at 5, and spraying many names
from one address locks that address at 30. Behind a reverse proxy the address comes from its header
(``TRUSTED_PROXY_COUNT``); otherwise only REMOTE_ADDR counts, so a forged X-Forwarded-For changes nothing.
"""

from django.conf import settings
from django.db.models import Sum
from django.utils import timezone


def failure_limit(request, credentials) -> int:
    from axes.helpers import get_client_username, get_cool_off
    from axes.models import AccessAttempt

    username = get_client_username(request, credentials)
    if username:
        since = timezone.now() - get_cool_off(request)
        failures = (
            AccessAttempt.objects.filter(username=username, attempt_time__gte=since).aggregate(
                total=Sum("failures_since_start")
            )["total"]
            or 0
        )
        if failures >= settings.LOGIN_FAILURE_LIMIT_PER_USER:
            return settings.LOGIN_FAILURE_LIMIT_PER_USER
    return settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS
