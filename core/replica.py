"""An optional read replica for the heavy read-only screens (``DATABASE_REPLICA_URL``).

Only code that says so reads there: inside ``with replica_reads():`` the router sends reads to the ``replica``
alias, when one is configured. Everything else — every write, and the reads that must see what the user has
just written — stays on ``default``. A replica lags behind by a moment, which a listing or an export can
afford and a form that was just saved cannot; so routing every read of a model there would be wrong.

The flag is a context variable: it belongs to one request (one thread of a gthread worker), never to others.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS

REPLICA = "replica"
_reading = ContextVar("replica_reads", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


@contextmanager
def replica_reads() -> Iterator[None]:
    """Within the block, reads go to the replica (when one is configured and the router installed)."""
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


class ReplicaRouter:
    """Reads inside ``replica_reads()`` go to the replica; writes always to ``default``."""

    def db_for_read(self, model, **hints):
        if _reading.get() and replica_configured():
            return REPLICA
        return None  # Django's own choice: the instance's database, else default

    def db_for_write(self, model, **hints):
        # Explicitly default: an object read from the replica must still be saved on the primary.
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the same rows as default: objects from either may be related.
        if {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA}:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica follows default by replication; migrate never writes to it.
        return False if db == REPLICA else None
