"""Throwaway services and processes for the fault scripts of ``tests/reliability/`` (run on demand).

Each script starts a PostgreSQL cluster and a Redis server of its own, on free ports, in a temporary directory, and
removes them at the end (also when it fails or is interrupted): the machine's PostgreSQL (5432) and Redis (6379)
serve other people's tests all the time, so a script never stops, restarts or flushes them. On top of these it
starts gunicorn and ``manage.py qcluster`` processes with the same environment, so that a fault can be applied to
one piece (SIGKILL a worker, restart Redis, restart PostgreSQL) while the rest keeps running.

    with harness.Stack(redis=True) as stack:       # PostgreSQL (+ Redis) of its own, Django set up on them
        users = harness.prepare_cases(stack)        # migrate, reference data, demo published in 中山 and 广州
        web = stack.gunicorn(workers=2)             # config_center/deploy/gunicorn.conf.py when it exists
        cluster = stack.qcluster(workers=4)
        stack.postgres.restart()

Running as root (as on this machine), PostgreSQL's commands run as the ``postgres`` user (``runuser``).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
GUNICORN_CONFIG = ROOT / "config_center" / "deploy" / "gunicorn.conf.py"
# The machine's shared services: refused as a throwaway port, whatever a caller asks for.
SHARED_PORTS = frozenset({5432, 6379})


def free_port() -> int:
    """A TCP port nothing listens on now (the OS picks it)."""
    while True:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        if port not in SHARED_PORTS:
            return port


def wait_for_port(
    port: int, *, timeout: float, process: subprocess.Popen | None = None, log: Path | None = None
):
    """Until something accepts connections on 127.0.0.1:port; fails early when ``process`` exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode}:\n{tail(log)}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port} after {timeout:.0f} s:\n{tail(log)}")


def tail(path: Path | None, size: int = 3000) -> str:
    if path is None or not path.exists():
        return ""
    return path.read_bytes()[-size:].decode("utf-8", errors="replace")


def children(pid: int) -> list[int]:
    """Direct children of a process (Linux /proc)."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found += [int(child) for child in (task / "children").read_text().split()]
    return found


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}").exists() and "zombie" not in _state(pid)


def _state(pid: int) -> str:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("State:"):
                return line.lower()
    return ""


def _as_postgres(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run its commands as the postgres user then."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


def gunicorn_config() -> Path | None:
    """The repository's gunicorn config once it is committed (in a checkout without git: once it exists)."""
    if not GUNICORN_CONFIG.exists():
        return None
    tracked = subprocess.run(
        ["git", "-C", str(ROOT), "ls-files", "--error-unmatch", str(GUNICORN_CONFIG)], capture_output=True
    )
    in_git = subprocess.run(["git", "-C", str(ROOT), "rev-parse"], capture_output=True).returncode == 0
    return GUNICORN_CONFIG if tracked.returncode == 0 or not in_git else None


# ---- PostgreSQL ------------------------------------------------------------------------------------------
class Postgres:
    """A PostgreSQL cluster of its own: initdb into a temporary directory, trust authentication, a free port."""

    def __init__(self, workdir: Path, *, port: int | None = None, max_connections: int = 200):
        self.port = port or free_port()
        if self.port in SHARED_PORTS:
            raise ValueError(f"port {self.port} is the machine's shared PostgreSQL or Redis")
        self.home = workdir / "postgres"
        self.data = self.home / "data"
        self.log = self.home / "postgres.log"
        self.max_connections = max_connections
        self.home.mkdir(parents=True)
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(self.home, owner.pw_uid, owner.pw_gid)
        self._run([str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                   "--locale=C.UTF-8", "--no-sync"])  # fmt: skip

    def _run(
        self, command: list[str], *, check: bool = True, timeout: float = 120
    ) -> subprocess.CompletedProcess:
        result = subprocess.run(
            _as_postgres(command), cwd=self.home, capture_output=True, text=True, timeout=timeout
        )
        if check and result.returncode != 0:
            raise RuntimeError(
                f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}\n{tail(self.log)}"
            )
        return result

    def _pg_ctl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        options = (
            f"-p {self.port} -k {self.home} -c listen_addresses=127.0.0.1"
            f" -c max_connections={self.max_connections} -c shared_buffers=64MB"
        )
        return self._run(
            [
                str(PG_BIN / "pg_ctl"),
                "-D",
                str(self.data),
                "-l",
                str(self.log),
                "-o",
                options,
                "-w",
                "-t",
                "60",
                *args,
            ],
            check=check,
        )

    def start(self) -> Postgres:
        self._pg_ctl("start")
        return self

    def stop(self, mode: str = "fast") -> None:
        """``fast`` ends every session (clients see their connection terminated); ``immediate`` is a crash."""
        self._pg_ctl("stop", "-m", mode)

    def restart(self, mode: str = "fast") -> float:
        """Stop and start again; answers the seconds it took (the outage clients saw)."""
        began = time.perf_counter()
        self.stop(mode)
        self.start()
        return time.perf_counter() - began

    def postmaster_pid(self) -> int | None:
        with contextlib.suppress(OSError, ValueError, IndexError):
            return int((self.data / "postmaster.pid").read_text().split()[0])
        return None

    def running(self) -> bool:
        return self._pg_ctl("status", check=False).returncode == 0

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def execute(self, *statements: str, database: str = "postgres") -> None:
        import psycopg

        with psycopg.connect(self.url(database), autocommit=True) as connection:
            for statement in statements:
                connection.execute(statement)

    def close(self) -> None:
        if self.data.exists():
            self._pg_ctl("stop", "-m", "immediate", check=False)


# ---- Redis -----------------------------------------------------------------------------------------------
class Redis:
    """A redis-server of its own. Without ``appendonly`` a restart comes back empty (what the broker held is lost)."""

    def __init__(self, workdir: Path, *, port: int | None = None, appendonly: bool = False):
        self.port = port or free_port()
        if self.port in SHARED_PORTS:
            raise ValueError(f"port {self.port} is the machine's shared PostgreSQL or Redis")
        self.home = workdir / "redis"
        self.home.mkdir(parents=True)
        self.log = self.home / "redis.log"
        self.appendonly = appendonly
        self.process: subprocess.Popen | None = None

    def start(self) -> Redis:
        command = [
            "redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.home),
            "--save", "", "--appendonly", "yes" if self.appendonly else "no", "--logfile", str(self.log),
        ]  # fmt: skip
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        wait_for_port(self.port, timeout=20, process=self.process, log=self.log)
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()  # SIGTERM: redis shuts down (saving the append-only file when it has one)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def restart(self, down_seconds: float = 0.0) -> float:
        began = time.perf_counter()
        self.stop()
        time.sleep(down_seconds)
        self.start()
        return time.perf_counter() - began

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def close(self) -> None:
        self.stop()


# ---- processes of the project -----------------------------------------------------------------------------
class Managed:
    """A process started in a session of its own, so that it and its children can be signalled together."""

    def __init__(self, command: list[str], env: dict[str, str], log: Path):
        self.command, self.env, self.log = command, env, log
        self.process: subprocess.Popen | None = None

    def start(self):
        with self.log.open("ab") as handle:
            self.process = subprocess.Popen(
                self.command,
                cwd=ROOT,
                env=self.env,
                stdout=handle,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    @property
    def pid(self) -> int:
        return self.process.pid

    def kill_all(self) -> None:
        """SIGKILL the process and every process of its session (a machine losing the service)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self, timeout: float = 5) -> None:
        """SIGTERM, then SIGKILL to the whole session: a script's data is thrown away, so no long graceful stop."""
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pass
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)  # stragglers of the session
        self.process.wait()

    close = stop


class Gunicorn(Managed):
    """gunicorn serving ``config_center.wsgi``; the repository's config file when there is one, else flags."""

    def __init__(self, env: dict[str, str], log: Path, *, workers: int = 2, timeout: int | None = None):
        self.port = free_port()
        command = [sys.executable, "-m", "gunicorn"]
        if gunicorn_config() is not None:
            command += ["--config", str(GUNICORN_CONFIG)]
        else:
            command += ["--access-logfile", "-"]
        # Flags after the config file win over it: the port and the worker count are the script's.
        command += ["--bind", f"127.0.0.1:{self.port}", "--workers", str(workers)]
        if timeout:
            command += ["--timeout", str(timeout)]
        command += ["config_center.wsgi:application"]
        super().__init__(command, env, log)
        self.workers = workers

    def start(self) -> Gunicorn:
        super().start()
        wait_for_port(self.port, timeout=90, process=self.process, log=self.log)
        deadline = time.monotonic() + 90
        while len(self.worker_pids()) < self.workers and time.monotonic() < deadline:
            time.sleep(0.1)
        return self

    def worker_pids(self) -> list[int]:
        return [pid for pid in children(self.process.pid) if alive(pid)]

    def describe(self) -> str:
        how = "the repository's config" if "--config" in self.command else "command-line flags"
        return f"gunicorn :{self.port}, {self.workers} workers ({how})"

    def statuses(self) -> Counter:
        """The status of every request in the access log so far (its format: ``"METHOD /path HTTP/1.1" 200``)."""
        return Counter(int(status) for status in re.findall(r'HTTP/1\.[01]" (\d{3}) ', tail(self.log, 10**9)))

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None,
                timeout: float = 30) -> tuple[int, dict[str, str], bytes]:  # fmt: skip
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            connection.close()


class QCluster(Managed):
    """``manage.py qcluster``: a sentinel with its worker processes, a pusher and a monitor."""

    def __init__(self, env: dict[str, str], log: Path, *, workers: int = 4):
        super().__init__([sys.executable, "manage.py", "qcluster"], {**env, "Q_WORKERS": str(workers)}, log)
        self.workers = workers

    def start(self) -> QCluster:
        super().start()
        deadline = time.monotonic() + 60
        while len(self.worker_pids()) < self.workers:
            if self.process.poll() is not None:
                raise RuntimeError(f"qcluster exited with {self.process.returncode}:\n{tail(self.log)}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"qcluster did not start {self.workers} workers:\n{tail(self.log)}")
            time.sleep(0.2)
        return self

    def _descendants(self) -> list[int]:
        found, todo = [], [self.process.pid]
        while todo:
            pid = todo.pop()
            for child in children(pid):
                found.append(child)
                todo.append(child)
        return found

    def worker_pids(self) -> list[int]:
        """The worker processes (django-q2 titles them ``qcluster <name> idle`` / ``… processing <task>``)."""
        pids = []
        for pid in self._descendants():
            title = command_line(pid)
            if title.startswith("qcluster") and (title.endswith(" idle") or " processing " in title):
                pids.append(pid)
        return [pid for pid in pids if alive(pid)]

    def busy_worker_pids(self) -> list[int]:
        return [pid for pid in self.worker_pids() if " processing " in command_line(pid)]


# ---- the stack ----------------------------------------------------------------------------------------
class Stack(contextlib.ExitStack):
    """PostgreSQL (and Redis) of its own, the environment pointing Django at them, and everything started on
    them; all of it stopped and removed on exit, and on SIGTERM / SIGINT / SIGHUP too."""

    def __init__(self, *, redis: bool = False, redis_appendonly: bool = False, name: str = "reliability",
                 keep: bool = False, extra_env: dict[str, str] | None = None):  # fmt: skip
        super().__init__()
        self.want_redis, self.redis_appendonly, self.name, self.keep = redis, redis_appendonly, name, keep
        self.extra_env = extra_env or {}
        self.workdir: Path | None = None
        self.postgres: Postgres | None = None
        self.redis: Redis | None = None
        self.env: dict[str, str] = {}
        self._previous_handlers: dict[int, object] = {}

    def __enter__(self) -> Stack:
        super().__enter__()
        for signum in (signal.SIGTERM, signal.SIGHUP):
            self._previous_handlers[signum] = signal.signal(signum, raise_keyboard_interrupt)
        self.callback(self._restore_handlers)
        try:
            self.workdir = Path(tempfile.mkdtemp(prefix=f"{self.name}-"))
            os.chmod(self.workdir, 0o755)  # the postgres user reaches its directory inside
            if not self.keep:
                self.callback(shutil.rmtree, self.workdir, True)
            self.postgres = Postgres(self.workdir)
            self.callback(self.postgres.close)
            self.postgres.start()
            self.postgres.execute("CREATE DATABASE console")
            if self.want_redis:
                self.redis = Redis(self.workdir, appendonly=self.redis_appendonly)
                self.callback(self.redis.close)
                self.redis.start()
            self.env = self._environment()
        except BaseException:
            self.close()
            raise
        return self

    def _restore_handlers(self) -> None:
        for signum, handler in self._previous_handlers.items():
            signal.signal(signum, handler)

    def _environment(self) -> dict[str, str]:
        env = {
            key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "SMS_", "Q_"))
        }
        for key in ("DATABASE_URL", "REDIS_URL", "DATABASE_REPLICA_URL"):
            env.pop(key, None)
        (self.workdir / "var").mkdir()
        env.update(
            DJANGO_SETTINGS_MODULE="config_center.settings",
            DATABASE_URL=self.postgres.url("console"),
            DEBUG="0",
            SECRET_KEY="reliability-" + secrets.token_hex(32),
            ALLOWED_HOSTS="127.0.0.1,localhost",
            SECURE_SSL_REDIRECT="0",  # plain HTTP on loopback, as behind the HTTPS reverse proxy
            LOG_LEVEL="WARNING",
            CONSOLE_VAR_DIR=str(self.workdir / "var"),
            MEDIA_ROOT=str(self.workdir / "var" / "media"),
            PYTHONUNBUFFERED="1",
            # The fault scripts compare gunicorn's worker processes before and after: no recycling meanwhile.
            WEB_MAX_REQUESTS="0",
        )
        if self.redis is not None:
            env["REDIS_URL"] = self.redis.url()
        env.update(self.extra_env)
        return env

    def setup_django(self) -> None:
        """This process as a Django process of the stack (the scripts check and write through the ORM)."""
        os.environ.update(self.env)
        for key in ("REDIS_URL",):
            if key not in self.env:
                os.environ.pop(key, None)
        import django

        django.setup()
        from django.db import connections

        self.callback(connections.close_all)

    def collectstatic(self) -> None:
        """The static files as a web node serves them with DEBUG=0 (hashed, compressed): the admin's pages need them."""
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=True,
            timeout=900,
        )

    def gunicorn(
        self, *, workers: int = 2, timeout: int | None = None, env: dict[str, str] | None = None
    ) -> Gunicorn:
        web = Gunicorn({**self.env, **(env or {})}, self.workdir / f"gunicorn-{free_port()}.log", workers=workers,
                       timeout=timeout)  # fmt: skip
        self.callback(web.stop)
        return web.start()

    def qcluster(self, *, workers: int = 4, env: dict[str, str] | None = None) -> QCluster:
        cluster = QCluster(
            {**self.env, **(env or {})}, self.workdir / f"qcluster-{free_port()}.log", workers=workers
        )
        self.callback(cluster.stop)
        return cluster.start()


def raise_keyboard_interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


# ---- the data every case script needs ----------------------------------------------------------------------
def prepare_cases(*, clerks: int = 1) -> dict:
    """Migrate, load the reference data, publish the demo in 中山 and 广州, create 中山 clerks (综合柜员) and an
    administrator of 中山 who may publish; answer them by role."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from config_center.project.reference import reference_data_load_all
    from tests.factories.cases import ZHONGSHAN, ZHONGSHAN_AGENCY, publish_demo, staff

    call_command("migrate", verbosity=0, interactive=False)
    reference_data_load_all()
    root = get_user_model().objects.create_superuser("reliability-root", "root@example.invalid", None)
    publish_demo(root)
    return {
        "root": root,
        "clerks": [staff(f"clerk-{n}", "clerk", agency=ZHONGSHAN_AGENCY) for n in range(clerks)],
        "admins": [staff(f"admin-{n}", "city_admin", region=ZHONGSHAN) for n in range(2)],
    }


def session_headers(user) -> dict[str, str]:
    """Headers of a signed-in console session with its CSRF token, for HTTP clients of gunicorn."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    csrf = secrets.token_hex(16)
    session = client.cookies["sessionid"].value
    return {"Cookie": f"sessionid={session}; csrftoken={csrf}", "X-CSRFToken": csrf}


def acceptance_body(n: int, *, complete: bool = True) -> bytes:
    """A POST /api/v1/cases body: a 工伤医疗费 case at the 中山 counter, the n-th applicant."""
    from tests.factories.cases import GS0101_MAIN, ZHONGSHAN_AGENCY, id_card

    return json.dumps(
        {
            "matter": "GS0101",
            "channel": "counter",
            "accepting_agency": ZHONGSHAN_AGENCY,
            "insured_agency": ZHONGSHAN_AGENCY,
            "injury_date": "2024-03-01",
            "advance_payment": False,
            "applicant": {
                "name": "黄林",
                "id_type": "id_card",
                "id_number": id_card(f"4420001990{1 + n % 12:02d}{1 + n % 28:02d}{n % 1000:03d}"),
                "phone": f"138{n % 10**8:08d}",
            },
            "employer": {"code": f"E{n:08d}", "name": "中山市某某制造有限公司"},
            "materials": GS0101_MAIN if complete else GS0101_MAIN[:2],
        },
        ensure_ascii=False,
    ).encode("utf-8")


@contextlib.contextmanager
def timed(label: str) -> Iterator[None]:
    began = time.perf_counter()
    yield
    print(f"  {label}: {time.perf_counter() - began:.1f} s", flush=True)


# ---- load ----------------------------------------------------------------------------------------------
class Answer:
    """One request as a client saw it: when it started and ended (monotonic), what came back."""

    __slots__ = ("kind", "n", "started", "ended", "status", "content_type", "retry_after", "body", "error")

    def __init__(self, kind: str, n: int, started: float):
        self.kind, self.n, self.started = kind, n, started
        self.ended = started
        self.status, self.content_type, self.retry_after, self.body, self.error = 0, "", None, b"", ""

    def json(self) -> dict:
        try:
            value = json.loads(self.body)
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}

    @property
    def reason_code(self) -> str:
        return str(self.json().get("reason_code", ""))

    def describe(self) -> str:
        if self.error:
            return f"{self.kind}#{self.n}: {self.error}"
        return f"{self.kind}#{self.n}: HTTP {self.status} {self.content_type} {self.body[:160]!r}"


class Load:
    """Threads sending requests to a gunicorn as fast as it answers, each recording every answer.

    ``plan`` is a list of (kind, make) where ``make(n)`` answers (method, path, body, headers) for the n-th
    request of that kind; each entry gets its own thread.
    """

    def __init__(self, port: int, plan: list[tuple[str, object]], *, timeout: float = 30):
        import itertools
        import threading

        self.port, self.plan, self.timeout = port, plan, timeout
        self.answers: list[Answer] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._numbers = itertools.count()
        self._threads = [threading.Thread(target=self._run, args=entry, daemon=True) for entry in plan]

    def __enter__(self) -> Load:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(self.timeout + 5)

    def _run(self, kind: str, make) -> None:
        while not self._stop.is_set():
            n = next(self._numbers)
            method, path, body, headers = make(n)
            answer = Answer(kind, n, time.monotonic())
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                answer.body = response.read()
                answer.status = response.status
                answer.content_type = response.getheader("Content-Type") or ""
                answer.retry_after = response.getheader("Retry-After")
            except (OSError, http.client.HTTPException) as error:
                answer.error = f"{type(error).__name__}: {error}"
                time.sleep(0.05)  # a refused connection comes back at once: do not spin
            finally:
                connection.close()
            answer.ended = time.monotonic()
            with self._lock:
                self.answers.append(answer)

    def successes(self) -> int:
        with self._lock:
            return sum(1 for answer in self.answers if 200 <= answer.status < 300)

    def between(self, start: float, end: float) -> list[Answer]:
        with self._lock:
            return [answer for answer in self.answers if start <= answer.started < end]


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


# ---- what must hold of the cases, whatever happened -----------------------------------------------------
def case_invariants() -> tuple[dict[str, int], list[str]]:
    """SQL over every case at the end of a fault script: figures, and each broken invariant in words.

    A case exists with its whole acceptance or not at all: at least one 追踪 row and its status equal to the last
    row's; a scanned case has exactly one live 初审 task, a 待补正 case none; a complete case with a phone has its
    受理短信 in the outbox and no outbox row names a case that does not exist; every receipt and serial counter
    equals the number of cases numbered from it (a rolled-back acceptance rolls its number back too)."""
    from django.db import connection

    from routing.models import Case, CaseEvent, Counter, Task
    from sms_templates.models import SmsMessage

    case, event, task = Case._meta.db_table, CaseEvent._meta.db_table, Task._meta.db_table
    counter, sms = Counter._meta.db_table, SmsMessage._meta.db_table
    checks = {
        "cases without a 追踪 row": f"SELECT count(*) FROM {case} c WHERE NOT EXISTS "
        f"(SELECT 1 FROM {event} e WHERE e.case_id = c.id)",
        "cases whose status is not their last 追踪 row's": f"SELECT count(*) FROM {case} c JOIN {event} e ON "
        f"e.id = (SELECT max(id) FROM {event} WHERE case_id = c.id) WHERE e.to_status <> c.status",
        "scanned cases without exactly one live 初审 task": f"SELECT count(*) FROM {case} c WHERE c.status = "
        f"'scanned' AND (SELECT count(*) FROM {task} t WHERE t.case_id = c.id AND t.level = 1 "
        f"AND t.status IN ('open', 'taken')) <> 1",
        "待补正 cases with a task": f"SELECT count(*) FROM {case} c WHERE c.status = 'pending_correction' "
        f"AND EXISTS (SELECT 1 FROM {task} t WHERE t.case_id = c.id)",
        "complete cases without their 受理短信": f"SELECT count(*) FROM {case} c WHERE c.status = 'scanned' "
        f"AND c.phone <> '' AND NOT EXISTS (SELECT 1 FROM {sms} m WHERE m.case_reference = c.receipt_no "
        f"AND m.event = 'accepted')",
        "outbox rows of a case that does not exist": f"SELECT count(*) FROM {sms} m WHERE m.case_reference <> '' "
        f"AND NOT EXISTS (SELECT 1 FROM {case} c WHERE c.receipt_no = m.case_reference)",
        "receipt counters not equal to their cases": f"SELECT count(*) FROM {counter} k WHERE k.key LIKE 'R%' "
        f"AND k.value <> (SELECT count(*) FROM {case} c WHERE left(c.receipt_no, 12) = substr(k.key, 2))",
        "receipt numbers beyond their counter": f"SELECT count(*) FROM {case} c JOIN {counter} k ON k.key = "
        f"'R' || left(c.receipt_no, 12) WHERE right(c.receipt_no, 4)::int > k.value",
        "serial counters not equal to their cases": f"SELECT count(*) FROM {counter} k WHERE k.key LIKE 'S%' "
        f"AND k.value <> (SELECT count(*) FROM {case} c WHERE left(c.serial_no, 12) = substr(k.key, 2))",
        "duplicate receipt numbers": f"SELECT count(*) - count(DISTINCT receipt_no) FROM {case}",
    }
    figures = {
        "cases": f"SELECT count(*) FROM {case}",
        "追踪 rows": f"SELECT count(*) FROM {event}",
        "tasks": f"SELECT count(*) FROM {task}",
        "outbox rows": f"SELECT count(*) FROM {sms}",
        "counters": f"SELECT count(*) FROM {counter}",
    }
    answers: dict[str, int] = {}
    problems = []
    with connection.cursor() as cursor:
        for label, sql in figures.items():
            cursor.execute(sql)
            answers[label] = cursor.fetchone()[0]
        for label, sql in checks.items():
            cursor.execute(sql)
            count = cursor.fetchone()[0]
            if count:
                problems.append(f"{count} {label}")
    return answers, problems


# ---- at the same moment ---------------------------------------------------------------------------------
class Outcome:
    """What one of several simultaneous calls did: ``ok`` with its value, or ``raised`` with the exception's type,
    message and ``reason_code`` (a refusal of ours carries one)."""

    def __init__(self, index: int, kind: str, value, started: float, ended: float):
        self.index, self.kind, self.value, self.started, self.ended = index, kind, value, started, ended

    @property
    def ok(self) -> bool:
        return self.kind == "ok"

    @property
    def reason_code(self) -> str:
        return self.value.get("reason_code", "") if self.kind == "raised" else ""

    def __repr__(self) -> str:
        return f"Outcome({self.index}, {self.kind}, {self.value!r})"


def _call_at_barrier(index, call, barrier, results) -> None:
    import traceback

    try:
        barrier.wait(30)
        started = time.monotonic()
        try:
            value = call()
            results.put((index, "ok", value, started, time.monotonic()))
        except Exception as error:
            detail = {
                "type": type(error).__name__,
                "message": str(getattr(error, "message", error))[:300],
                "reason_code": getattr(error, "reason_code", ""),
                "traceback": traceback.format_exc(limit=6)[-1500:],
            }
            results.put((index, "raised", detail, started, time.monotonic()))
    finally:
        from django.db import connections

        connections.close_all()


def simultaneously(calls: list, *, timeout: float = 120) -> list[Outcome]:
    """Each call in a forked process of its own, all released by one barrier; their outcomes in call order.

    The calls run on this process's Django setup with fresh database connections (this process's are closed
    before forking, so that no child shares a socket with another)."""
    import multiprocessing

    from django.db import connections

    connections.close_all()
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(len(calls))
    results = context.Queue()
    processes = [
        context.Process(target=_call_at_barrier, args=(index, call, barrier, results), daemon=True)
        for index, call in enumerate(calls)
    ]
    for process in processes:
        process.start()
    outcomes = []
    deadline = time.monotonic() + timeout
    try:
        for _ in calls:
            outcomes.append(Outcome(*results.get(timeout=max(0.1, deadline - time.monotonic()))))
    finally:
        for process in processes:
            process.join(5)
            if process.is_alive():
                process.kill()
                process.join()
    return sorted(outcomes, key=lambda outcome: outcome.index)
