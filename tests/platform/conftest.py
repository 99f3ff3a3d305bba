"""Browser fixtures: one Debian Chromium per session, a fresh context per test, a screenshot on failure.

The fixtures are deliberately not named ``browser``/``page``/``context``: those belong to
pytest-playwright, which would try to use a Playwright-downloaded browser (there is none here).
"""

import re
from pathlib import Path

import pytest

from tests.factories import PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 375, "height": 740}
DEFAULT_TIMEOUT_MS = 10_000


def pytest_configure(config):
    """Assertions wait as long as actions do: under a loaded parallel run a form's answer can take over five seconds."""
    from playwright.sync_api import expect

    expect.set_options(timeout=DEFAULT_TIMEOUT_MS)


_report_key = pytest.StashKey[dict]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item so fixtures can tell, at teardown, whether the test failed."""
    report = yield
    item.stash.setdefault(_report_key, {})[report.when] = report
    return report


def _failed(item) -> bool:
    reports = item.stash.get(_report_key, {})
    return any(r.failed for when, r in reports.items() if when in ("setup", "call"))


@pytest.fixture(scope="session")
def chromium_browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def make_page(chromium_browser, request):
    """``make_page(**context_options)``: a page in a new context (Chinese locale, desktop size by default).

    Every page made here is screenshotted into ``test-results/`` if the test fails.
    """
    contexts = []
    pages = []

    def make(**options):
        options.setdefault("locale", "zh-CN")
        options.setdefault("viewport", DESKTOP)
        context = chromium_browser.new_context(**options)
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        pages.append(page)
        return page

    yield make

    if _failed(request.node):
        out = Path(request.config.rootpath) / "test-results"
        out.mkdir(exist_ok=True)
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid).strip("_")
        for i, page in enumerate(pages):
            suffix = f"-{i}" if i else ""
            try:
                page.screenshot(path=str(out / f"{safe}{suffix}.png"), full_page=True)
            except Exception as exc:  # a crashed page must not hide the test's own failure
                print(f"screenshot failed: {exc}")
    for context in contexts:
        context.close()


@pytest.fixture
def web_page(make_page):
    """A desktop-sized page with the browser's locale set to zh-CN."""
    return make_page()


RESULTS = Path(__file__).resolve().parents[2] / "test-results"


def screenshots(prefix: str):
    """``shot = screenshots("orders")``, then ``shot(page, "cart")`` keeps test-results/orders-cart.png: the
    pages a browser test walks through, to look at after the run."""

    def shot(page, name: str) -> None:
        RESULTS.mkdir(exist_ok=True)
        page.screenshot(path=str(RESULTS / f"{prefix}-{name}.png"), full_page=True)

    return shot


def sign_in(page, live_server, user, password: str = PASSWORD) -> None:
    """Sign ``user`` in on the sign-in page (the factories' password unless told otherwise)."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator('input[name="username"]').fill(user if isinstance(user, str) else user.username)
    page.locator('input[name="password"]').fill(password)
    page.get_by_test_id("login-submit").click()
