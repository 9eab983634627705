"""The Chromium the browser tests drive, found or installed by `make test` before any test runs.

    python scripts/browser.py ensure    make sure one exists (installs it if needed), print it
    python scripts/browser.py path      print the executable the tests will launch ("" if none)

In order: $FOULE_CHROMIUM (it must run, or `ensure` stops); a system Chromium or Chrome
(Debian's /usr/bin/chromium, ...); Playwright's own build. A browser counts only if
`<it> --version` answers (Ubuntu's chromium-browser without its snap does not). When none is
there, `ensure` installs one: Debian's package as root on a machine with apt (Playwright's
download is closed on some networks), else Playwright's build (`playwright install
chromium`). FOULE_BROWSER_INSTALL=0 forbids installing. When no browser can be had, `ensure`
exits 1 with one line on stderr saying what to install, before any test has run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

SYSTEM_BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# apt-get update and a Chromium with its libraries, or Playwright's download: minutes on a
# slow network, never forever.
INSTALL_TIMEOUT_SECONDS = 900


def runs(executable: str) -> bool:
    """Whether `executable --version` answers: a path that exists is not yet a browser."""
    try:
        answer = subprocess.run(
            [executable, "--version"], capture_output=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return answer.returncode == 0


def system_chromium() -> str | None:
    for name in SYSTEM_BROWSERS:
        found = shutil.which(name)
        if found and runs(found):
            return found
    return None


def playwright_chromium() -> str | None:
    """The executable of Playwright's own Chromium, if it is installed."""
    try:
        with sync_playwright() as playwright:
            path = playwright.chromium.executable_path
    except PlaywrightError:
        return None
    return path if path and os.path.exists(path) and runs(path) else None


def find() -> str | None:
    explicit = os.environ.get("FOULE_CHROMIUM")
    if explicit:
        return explicit if runs(explicit) else None
    return system_chromium() or playwright_chromium()


def is_root() -> bool:
    """Whether this user may install the distribution's packages. FOULE_BROWSER_NOT_ROOT=1
    answers no, as for any other user (tests/scripts/ runs as root on CI)."""
    if os.environ.get("FOULE_BROWSER_NOT_ROOT") == "1":
        return False
    return hasattr(os, "geteuid") and os.geteuid() == 0


def attempt(what: str, commands: list[list[str]], env: dict[str, str]) -> None:
    """Run an installation quietly, its commands in turn; only the last one's failure
    counts (apt-get install may work from the lists it has when apt-get update cannot reach
    every source). A failure is said in one line, with the reason its output gives."""
    print(f"[browser] no Chromium found: installing {what}", flush=True)
    for command in commands:
        try:
            done = subprocess.run(
                command, env=env, capture_output=True, text=True,
                timeout=INSTALL_TIMEOUT_SECONDS, check=False,
            )  # fmt: skip
            failure = reason(done.stdout + done.stderr) if done.returncode else None
        except (OSError, subprocess.TimeoutExpired) as error:
            failure = str(error)
    if failure:
        print(f"[browser] {what} failed: {failure}", flush=True)


def reason(output: str) -> str:
    """The line of a failed installation's output that says why (apt's "E: ...",
    Playwright's "Error: ..."), else its last line."""
    lines = [line.strip() for line in output.splitlines() if line.strip()] or ["no output"]
    errors = [line for line in lines if line.startswith(("E:", "Error", "error"))]
    return (errors or lines)[-1][:200]


def install() -> None:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if is_root() and shutil.which("apt-get"):
        attempt(
            "Debian's chromium package (apt-get)",
            [["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "chromium"]],
            env,
        )
        if find():
            return
    attempt(
        "Playwright's Chromium (playwright install chromium)",
        [[sys.executable, "-m", "playwright", "install", "chromium"]],
        env,
    )


def what_to_install() -> str:
    """The one line that tells a person without a browser what to do."""
    if shutil.which("apt-get"):
        command = "apt-get install chromium" if is_root() else "sudo apt-get install chromium"
    elif shutil.which("brew"):
        command = "brew install --cask chromium"
    else:
        command = ".venv/bin/playwright install chromium"
    return (
        f"[browser] the browser tests need Chromium and none could be found or installed: "
        f"run `{command}` (or set FOULE_CHROMIUM to a Chromium or Chrome executable), then "
        f"`make test` again; `make test-fast` runs the other tests without it"
    )


def ensure() -> str:
    explicit = os.environ.get("FOULE_CHROMIUM")
    if explicit and not runs(explicit):
        sys.exit(
            f"[browser] FOULE_CHROMIUM={explicit} does not run (`{explicit} --version` "
            f"failed): point it at a Chromium or Chrome executable, or unset it"
        )
    found = find()
    if not found and os.environ.get("FOULE_BROWSER_INSTALL", "1") != "0":
        install()
        found = find()
    if not found:
        sys.exit(what_to_install())
    return found


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "path"
    print(ensure() if command == "ensure" else (find() or ""))
