"""Production settings pass ``check --deploy``; environment variables choose database and broker."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _run(code: str, **env: str) -> subprocess.CompletedProcess:
    # A clean environment: no settings leaking in from the test run (e.g. the browser tests' async switch).
    dropped = {"DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
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
