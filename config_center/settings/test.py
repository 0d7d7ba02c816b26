"""Test settings: fast hashing, local-memory cache, synchronous django-q2."""

from .base import *  # noqa: F401,F403
from .base import Q_CLUSTER

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
Q_CLUSTER = {**Q_CLUSTER, "sync": True}
AXES_ENABLED = True
