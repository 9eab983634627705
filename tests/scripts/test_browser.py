"""scripts/browser.py, as `make test` runs it before any test: it finds a Chromium or
installs one, and where none can be had it stops with one line saying what to install.

Each run gets a PATH of its own (a folder holding only the fakes a test puts there), an
empty Playwright browser folder and a Playwright download address that refuses connections,
so no run sees the machine's browser or downloads anything."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "browser.py"


@pytest.fixture
def bin_dir(tmp_path) -> Path:
    folder = tmp_path / "bin"
    folder.mkdir()
    return folder


def fake(folder: Path, name: str, body: str) -> Path:
    path = folder / name
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)
    return path


def ensure(tmp_path: Path, bin_dir: Path, **env: str) -> subprocess.CompletedProcess:
    base = {
        "PATH": str(bin_dir),
        "HOME": str(tmp_path),
        "PLAYWRIGHT_BROWSERS_PATH": str(tmp_path / "playwright"),
        # Port 9 on loopback: nothing listens, the download fails at once.
        "PLAYWRIGHT_DOWNLOAD_HOST": "http://127.0.0.1:9",
    }
    return subprocess.run(
        [sys.executable, str(SCRIPT), "ensure"],
        env={**base, **env}, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def test_a_system_chromium_that_runs_is_used(tmp_path, bin_dir):
    chromium = fake(bin_dir, "chromium", 'echo "Chromium 1.0"')

    done = ensure(tmp_path, bin_dir, FOULE_BROWSER_INSTALL="0")

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(chromium)


def test_foule_chromium_that_does_not_run_stops_with_one_line(tmp_path, bin_dir):
    fake(bin_dir, "chromium", 'echo "Chromium 1.0"')  # not taken: the explicit one wins

    done = ensure(tmp_path, bin_dir, FOULE_CHROMIUM=str(tmp_path / "nowhere"))

    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.strip().splitlines() == [
        f"[browser] FOULE_CHROMIUM={tmp_path / 'nowhere'} does not run "
        f"(`{tmp_path / 'nowhere'} --version` failed): point it at a Chromium or Chrome "
        "executable, or unset it"
    ]


def test_without_a_browser_it_stops_with_one_line_saying_what_to_install(tmp_path, bin_dir):
    # Ubuntu's chromium-browser without its snap: on the PATH, but it does not run.
    fake(bin_dir, "chromium-browser", "echo 'requires the chromium snap' >&2; exit 1")
    fake(bin_dir, "apt-get", "exit 0")  # only looked for: installing is switched off

    done = ensure(tmp_path, bin_dir, FOULE_BROWSER_INSTALL="0", FOULE_BROWSER_NOT_ROOT="1")

    assert done.returncode == 1
    assert done.stdout == ""
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("[browser] the browser tests need Chromium and none could be found")
    assert "run `sudo apt-get install chromium`" in line
    assert "FOULE_CHROMIUM" in line


def test_it_tries_to_install_then_stops_with_one_line(tmp_path, bin_dir):
    calls = tmp_path / "apt-calls"
    fake(bin_dir, "apt-get", f'echo "$@" >> {calls}; echo "E: Unable to locate package chromium"'
                             "; exit 100")  # fmt: skip

    done = ensure(tmp_path, bin_dir)

    assert done.returncode == 1
    root = os.geteuid() == 0
    # As root the distribution's package comes first; any other user may not install it.
    assert calls.exists() == root
    if root:
        assert calls.read_text().splitlines() == ["update -qq", "install -y -qq chromium"]
        assert "[browser] Debian's chromium package (apt-get) failed: E: Unable to locate " \
               "package chromium" in done.stdout  # fmt: skip
    assert "[browser] Playwright's Chromium (playwright install chromium) failed" in done.stdout
    [line] = done.stderr.strip().splitlines()
    command = "apt-get install chromium" if root else "sudo apt-get install chromium"
    assert f"run `{command}`" in line
