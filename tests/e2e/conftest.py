"""Fixtures for the browser tests: headless Debian Chromium driven by Playwright against ``live_server``.

The machine has a closed network, so Chromium is started with everything that phones home turned off,
and Playwright never downloads a browser of its own: it uses the system Chromium via ``executable_path``.
"""

import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an asyncio event loop in the test thread; Django then refuses ORM calls
# from that thread ("You cannot call this from an async context"). This is the documented switch
# for Playwright + Django tests: the ORM calls are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS_DIR = Path(__file__).resolve().parent.parent / "artifacts"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
EXPECT_TIMEOUT_MS = 10_000


def chromium_executable() -> str | None:
    """CHROMIUM_PATH if set, else Debian's /usr/bin/chromium, else whatever ``chromium`` is on PATH."""
    override = os.environ.get("CHROMIUM_PATH")
    if override:
        return override if Path(override).is_file() else None
    if Path(DEFAULT_CHROMIUM).is_file():
        return DEFAULT_CHROMIUM
    return shutil.which("chromium")


@pytest.fixture(scope="session")
def chromium_browser():
    """One headless Chromium for the whole session; skipped only when no Chromium executable exists."""
    executable = chromium_executable()
    if executable is None:
        pytest.skip(
            f"no Chromium at {DEFAULT_CHROMIUM} (nor at $CHROMIUM_PATH, nor `chromium` on PATH): browser tests need one"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def browser_page(chromium_browser):
    """A fresh page (own cookies) in a zh-CN browser, as the back-office staff use; closed after the test,
    which fails if the page reported a Content-Security-Policy violation."""
    from playwright.sync_api import expect

    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    context = chromium_browser.new_context(
        locale="zh-CN",
        extra_http_headers={"Accept-Language": "zh-CN,zh;q=0.9"},
        viewport={"width": 1366, "height": 900},
    )
    context.set_default_timeout(EXPECT_TIMEOUT_MS)
    page = context.new_page()
    # Every page the tests visit must pass the Content-Security-Policy: a violation is a failure.
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    try:
        yield page
    finally:
        context.close()
    assert violations == [], violations


@pytest.fixture
def artifacts_dir() -> Path:
    """Where screenshots go (git-ignored)."""
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS_DIR
