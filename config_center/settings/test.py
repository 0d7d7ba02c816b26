"""Test settings: fast hashing, local-memory cache, synchronous django-q2."""

import os

from .base import *  # noqa: F401,F403
from .base import Q_CLUSTER

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
Q_CLUSTER = {**Q_CLUSTER, "sync": True}
AXES_ENABLED = True

# A file rather than memory for the SQLite test database, so that a second process (the two-process
# publish test) can open the same database. PostgreSQL test databases are shared by nature.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # One file per test run, so that runs side by side do not share it; Django removes it afterwards.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-console-{os.getpid()}.sqlite3")}  # noqa: F405

# Case files of the tests go to a directory of their own, removed with the machine's temp files.
import tempfile  # noqa: E402

MEDIA_ROOT = tempfile.mkdtemp(prefix="console-test-media-")
STORAGES = {**STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}  # noqa: F405

# A second alias on the same test database, as a read replica would be (a test mirror: no database of its own),
# for the tests of core.replica. No router here, whatever DATABASE_REPLICA_URL says: reads go to it only in the
# tests that install core.replica.ReplicaRouter (and allow the alias).
DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}  # noqa: F405
DATABASE_ROUTERS = []
