"""Bare Django for ``bench_api_load.py``: request → URL resolver → one view → ``JsonResponse``, no middleware.

Served by gunicorn with the same worker count and the same settings as the console (``bare_settings``: the
console's settings with ``MIDDLEWARE = []``). Every path and method reaches the one view, so the load generator
sends it exactly the requests it sends the API; the view answers a small JSON object the size of a route answer.
"""

import os

from django.core.wsgi import get_wsgi_application
from django.http import JsonResponse
from django.urls import re_path

os.environ["DJANGO_SETTINGS_MODULE"] = "tests.benchmarks.bare_settings"

ANSWER = {"handling_agency": "442099", "remote": False, "mode": "local", "release": 1}


def bare(request):
    return JsonResponse(ANSWER)


urlpatterns = [re_path(r"", bare)]

application = get_wsgi_application()
