"""The README's two commands, on a bare Python (standard library only).

    python3 -m config_center.bootstrap run    # install, migrate, load data, print the admin login, serve + worker
    python3 -m config_center.bootstrap test   # install the test extras and run the whole suite

Without an active virtualenv it creates ``.venv`` next to manage.py and re-runs itself inside it.
Dependencies are reinstalled only when pyproject.toml changed (a hash stamp in the venv).
"""

import hashlib
import os
import secrets
import signal
import subprocess
import sys
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
ADMIN_USERNAME = "admin"


def _in_virtualenv() -> bool:
    return sys.prefix != sys.base_prefix


def _venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _ensure_virtualenv(argv: list[str]) -> None:
    if _in_virtualenv():
        return
    if not _venv_python().exists():
        print(f"→ 创建虚拟环境 {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    os.execv(str(_venv_python()), [str(_venv_python()), "-m", "config_center.bootstrap", *argv])


def _install(extras: str) -> None:
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + extras.encode()).hexdigest()
    stamp = Path(sys.prefix) / f".console-installed-{extras or 'base'}"
    if stamp.exists() and stamp.read_text() == digest:
        return
    target = f".[{extras}]" if extras else "."
    print(f"→ 安装依赖 pip install -e {target}", flush=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--upgrade", "pip"], cwd=ROOT, check=True
    )
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "-e", target], cwd=ROOT, check=True)
    stamp.write_text(digest)


def _manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, check=True)


def _admin_password() -> str:
    """Create the demo admin (or keep it), returning its password; stored under var/ for later runs."""
    var = Path(os.environ.get("CONSOLE_VAR_DIR", ROOT / "var"))
    var.mkdir(parents=True, exist_ok=True)
    stored = var / "admin-password.txt"
    password = stored.read_text().strip() if stored.exists() else secrets.token_urlsafe(12)
    stored.write_text(password)
    stored.chmod(0o600)
    _manage("ensure_admin", "--username", ADMIN_USERNAME, "--password-file", str(stored))
    return password


def run() -> int:
    _install("")
    _manage("migrate", "--no-input", "-v", "0")
    _manage("load_reference_data")
    _manage("load_demo_data")
    password = _admin_password()
    host = os.environ.get("CONSOLE_ADDR", "127.0.0.1:8000")
    banner = (
        f"\n  工伤保险经办配置中心  http://{host}/admin/\n"
        f"  用户名: {ADMIN_USERNAME}\n  密码:   {password}\n  按 Ctrl-C 停止服务器与后台任务进程。\n"
    )
    print(banner, flush=True)
    processes = [
        subprocess.Popen([sys.executable, "manage.py", "runserver", host], cwd=ROOT),
        subprocess.Popen([sys.executable, "manage.py", "qcluster"], cwd=ROOT),
    ]
    try:
        while all(process.poll() is None for process in processes):
            time.sleep(0.5)
        return next(process.returncode for process in processes if process.poll() is not None) or 1
    except KeyboardInterrupt:
        return 0
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def test(pytest_args: list[str]) -> int:
    _install("test")
    return subprocess.run([sys.executable, "-m", "pytest", *pytest_args], cwd=ROOT).returncode


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"run", "test"}:
        print(__doc__)
        return 2
    _ensure_virtualenv(argv)
    os.chdir(ROOT)
    if argv[0] == "run":
        return run()
    return test(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
