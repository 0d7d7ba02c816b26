"""WSGI entry point (gunicorn config_center.wsgi).

Two Django handlers: the API's open reads sent without a session cookie are served by one whose middleware are only
those that concern them (core.sessionless); everything else by Django's own with the whole of MIDDLEWARE.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config_center.settings")
console = get_wsgi_application()

from core.sessionless import sessionless_application  # noqa: E402 — needs the settings get_wsgi_application set up

application = sessionless_application(console)


def _warm_up() -> None:
    """Build the published configuration before the first request (which would otherwise wait for the whole
    province) and start the watcher; a database that is not there yet only delays this to the first request.

    In gunicorn's master with preload (``CONSOLE_PREFORK=1``, set by config_center/deploy/gunicorn.conf.py) only
    build: the workers are forked with the snapshot and start their own watchers; the master runs no thread."""
    import logging

    try:
        from config_center.runtime.holder import runtime

        if os.environ.get("CONSOLE_PREFORK") == "1":
            runtime.refresh()
        else:
            runtime.snapshot()
    except Exception:
        logging.getLogger("config_center.runtime").warning(
            "warm-up failed; the first request builds", exc_info=True
        )


_warm_up()
