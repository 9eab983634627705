"""Fixtures for the browser tests: Debian's Chromium driven by pytest-playwright against
pytest-django's live server."""

import os
import re
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect

# Playwright's sync API runs an event loop in the test thread; Django would otherwise
# refuse the ORM calls made by the tests themselves (factories, assertions).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

sys.path.append(str(Path(__file__).resolve().parents[2] / "scripts"))
import browser as chromium  # noqa: E402  (scripts/browser.py: found or installed by `make test`)

# Default wait of `expect` for pages and htmx swaps (Playwright's own is 5 s), and of
# page actions; waits on the Celery worker pass their own, longer timeout.
UI_TIMEOUT_MS = 10_000
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": chromium.ensure(),
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # English pages whatever the machine's locale (the assertions read English labels).
    return {**browser_context_args, "locale": "en-GB", "viewport": {"width": 1280, "height": 900}}


@pytest.fixture
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(autouse=True)
def _ui_timeouts(page):
    expect.set_options(timeout=UI_TIMEOUT_MS)
    page.set_default_timeout(UI_TIMEOUT_MS)
    yield
    expect.set_options(timeout=5_000)


# Chromium's console message when the Content-Security-Policy refuses something, or when
# the Permissions-Policy header names a feature it does not know.
CSP_REFUSAL = re.compile(r"Content Security Policy|Refused to|Permissions-Policy", re.IGNORECASE)


@pytest.fixture(autouse=True)
def _no_csp_violation(page):
    """Every browser test also fails if Chromium refused a script, style, image or request
    of a page under the Content-Security-Policy, or found fault with the Permissions-Policy
    header (test_csp.py walks the main pages)."""
    refused = []
    page.on("console", lambda message: refused.append(message.text))
    yield
    refusals = [text for text in refused if CSP_REFUSAL.search(text)]
    assert refusals == [], refusals
