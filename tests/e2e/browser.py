"""Browser tests drive the system Chromium (Debian package `chromium`) through Playwright.

The fixtures are registered once, in the root conftest.py: one Playwright instance per test
process, whichever directories its browser tests come from (two session fixtures of the same
name in one process would start a second event loop and fail).

Without Chromium they skip with a reason; CI sets RENSHI_REQUIRE_BROWSER=1 so a missing
browser fails instead of silently skipping.
"""

import os
import shutil

import pytest

CHROMIUM = os.environ.get("RENSHI_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium_available() -> bool:
    return os.path.exists(CHROMIUM) or shutil.which("chromium") is not None


@pytest.fixture(scope="session")
def chromium_browser():  # noqa: ANN201
    if not _chromium_available():
        if os.environ.get("RENSHI_REQUIRE_BROWSER") == "1":
            pytest.fail(f"Chromium is required (RENSHI_REQUIRE_BROWSER=1) but {CHROMIUM} is missing: apt-get install chromium")
        pytest.skip(f"browser tests need the system Chromium at {CHROMIUM} (apt-get install chromium)")
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls from the
    # test body are still synchronous, so allow them.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium"), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium_browser):  # noqa: ANN001, ANN201
    context = chromium_browser.new_context(viewport={"width": 1366, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()
