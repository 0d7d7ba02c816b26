"""The console's own settings with no middleware at all and a one-view URLconf: the "bare Django" that
``bench_api_load.py`` measures the API against (same apps, database, logging, DEBUG and hosts)."""

from config_center.settings import *  # noqa: F401,F403

MIDDLEWARE: list[str] = []
ROOT_URLCONF = "tests.benchmarks.bare_wsgi"
WSGI_APPLICATION = "tests.benchmarks.bare_wsgi.application"
