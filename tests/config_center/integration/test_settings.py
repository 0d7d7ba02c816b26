"""Production settings pass ``check --deploy``; environment variables choose database and broker."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _run(code: str, **env: str) -> subprocess.CompletedProcess:
    # A clean environment: no settings leaking in from the test run (e.g. the browser tests' async switch).
    dropped = {
        "DATABASE_URL",
        "DATABASE_REPLICA_URL",
        "REDIS_URL",
        "DEBUG",
        "SECRET_KEY",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
        "MEDIA_S3_BUCKET",
        "SESSION_IDLE_MINUTES",
    }
    environment = {key: value for key, value in os.environ.items() if key not in dropped}
    environment.update(env, DJANGO_SETTINGS_MODULE="config_center.settings")
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True
    )


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    return _run(f"import sys; sys.argv = ['manage.py', *{list(args)!r}]; import manage; manage.main()", **env)


PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "x" * 20 + "a-real-secret-with-enough-entropy-1234567890",
    "ALLOWED_HOSTS": "console.example.cn",
}


def test_check_deploy_is_clean_under_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check", DEBUG="0", ALLOWED_HOSTS="console.example.cn")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_defaults_are_sqlite_orm_broker_and_local_memory_cache():
    code = (
        "import django; django.setup(); from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], 'orm' in s.Q_CLUSTER, s.CACHES['default']['BACKEND'],"
        " s.LANGUAGE_CODE, s.TIME_ZONE)"
    )
    out = _run(code).stdout.split()
    assert out == [
        "django.db.backends.sqlite3",
        "True",
        "django.core.cache.backends.locmem.LocMemCache",
        "zh-hans",
        "Asia/Shanghai",
    ]


def test_database_url_and_redis_url_switch_backends():
    code = (
        "import django; django.setup(); from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.Q_CLUSTER.get('redis'), 'orm' in s.Q_CLUSTER,"
        " s.CACHES['default']['BACKEND'])"
    )
    out = _run(
        code, DATABASE_URL="postgres://postgres@127.0.0.1:5432/console", REDIS_URL="redis://127.0.0.1:6379/3"
    )
    assert out.stdout.split() == [
        "django.db.backends.postgresql",
        "redis://127.0.0.1:6379/3",
        "False",
        "django.core.cache.backends.redis.RedisCache",
    ], out.stderr


_SHOW = "import django, sys; django.setup(); from django.conf import settings as s; "


def test_static_files_are_hashed_and_compressed_in_production_only():
    code = (
        _SHOW
        + "print(s.STORAGES['staticfiles']['BACKEND'], s.MIDDLEWARE.index('whitenoise.middleware.WhiteNoiseMiddleware'))"
    )
    production = _run(code, **PRODUCTION).stdout.split()
    assert production[0] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert _run(code).stdout.split()[0] == "django.contrib.staticfiles.storage.StaticFilesStorage"


def test_media_is_local_unless_a_bucket_is_named_and_django_storages_loads_only_then():
    code = _SHOW + "print(s.STORAGES['default']['BACKEND'], 'storages' in sys.modules)"
    assert _run(code).stdout.split() == ["django.core.files.storage.FileSystemStorage", "False"]
    out = _run(code, MEDIA_S3_BUCKET="case-files", MEDIA_S3_ENDPOINT_URL="http://minio.internal:9000")
    # Named, not imported: the settings load without django-storages installed.
    assert out.stdout.split() == ["storages.backends.s3.S3Storage", "False"], out.stderr
    code = (
        _SHOW
        + "o = s.STORAGES['default']['OPTIONS']; print(o['bucket_name'], o['endpoint_url'], o['default_acl'])"
    )
    out = _run(code, MEDIA_S3_BUCKET="case-files", MEDIA_S3_ENDPOINT_URL="http://minio.internal:9000")
    assert out.stdout.split() == ["case-files", "http://minio.internal:9000", "private"]


def test_a_replica_url_adds_the_replica_alias_and_its_router():
    code = _SHOW + "print(sorted(s.DATABASES), getattr(s, 'DATABASE_ROUTERS', []))"
    assert _run(code).stdout.strip() == "['default'] []"
    out = _run(
        _SHOW
        + "r = s.DATABASES['replica']; print(r['HOST'], r['NAME'], r['TEST']['MIRROR'], s.DATABASE_ROUTERS)",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/console",
        DATABASE_REPLICA_URL="postgres://reader@10.0.0.9:5432/console",
    )
    assert out.stdout.strip() == "10.0.0.9 console default ['core.replica.ReplicaRouter']", out.stderr


def test_the_idle_timeout_comes_from_the_environment():
    code = _SHOW + "print(s.SESSION_COOKIE_AGE, s.SESSION_SAVE_EVERY_REQUEST)"
    assert _run(code).stdout.split() == ["1800", "True"]
    assert _run(code, SESSION_IDLE_MINUTES="10").stdout.split() == ["600", "True"]


def test_check_deploy_is_clean_with_every_production_option_set():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        **PRODUCTION,
        REDIS_URL="redis://127.0.0.1:6379/7",
        DATABASE_REPLICA_URL="sqlite:////tmp/replica.sqlite3",
        MEDIA_S3_BUCKET="case-files",
        SESSION_IDLE_MINUTES="15",
    )
    assert result.returncode == 0, result.stdout + result.stderr
