"""The Chromium the browser tests drive, found or installed by `make test`.

    python scripts/browser.py ensure    make sure one exists (installs it if needed)
    python scripts/browser.py path      print the executable the tests will launch

In order: $FOULE_CHROMIUM; a system Chromium or Chrome (Debian's /usr/bin/chromium, ...);
Playwright's own build. When none is there, `ensure` installs Debian's package as root on a
machine with apt (Playwright's download is closed on some networks), else Playwright's
build (`playwright install chromium`)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from playwright.sync_api import sync_playwright

SYSTEM_BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def system_chromium() -> str | None:
    explicit = os.environ.get("FOULE_CHROMIUM")
    if explicit:
        return explicit
    for name in SYSTEM_BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


def playwright_chromium() -> str | None:
    """The executable of Playwright's own Chromium, if it is installed."""
    with sync_playwright() as playwright:
        path = playwright.chromium.executable_path
    return path if path and os.path.exists(path) else None


def find() -> str | None:
    return system_chromium() or playwright_chromium()


def ensure() -> str:
    found = find()
    if found:
        return found
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        print("[browser] installing Debian's chromium for the browser tests", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=False, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=False, env=env)
    found = find()
    if not found:
        print("[browser] installing Playwright's Chromium for the browser tests", flush=True)
        subprocess.run([sys.executable, "-m", "playwright", "install", "chromium"], check=False)
        found = find()
    if not found:
        sys.exit(
            "[browser] no Chromium for the browser tests: install one (Debian: apt-get install "
            "chromium) or set FOULE_CHROMIUM to its executable."
        )
    return found


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "path"
    print(ensure() if command == "ensure" else (find() or ""))
