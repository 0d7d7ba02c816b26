"""A pytest plugin for the mutation run only (``[tool.mutmut] pytest_add_cli_args``): a test database per process.

mutmut runs each mutant's tests in a process forked from its own, after the settings were read, so every
fork would create, use and drop the one test database the settings name (a file named after the parent's
pid on SQLite, ``test_<name>`` on PostgreSQL) while another fork does the same. Each session renames it
after its own process before pytest-django creates it.
"""

import os


def pytest_sessionstart(session):
    from django.db import connections

    for alias in connections:
        settings_dict = connections[alias].settings_dict
        test = settings_dict.setdefault("TEST", {})
        if settings_dict["ENGINE"] == "django.db.backends.sqlite3":
            from django.conf import settings

            test["NAME"] = str(settings.VAR_DIR / f"test-mutation-{os.getpid()}.sqlite3")
        else:
            test["NAME"] = f"test_{settings_dict['NAME']}_mutation_{os.getpid()}"
