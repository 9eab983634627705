"""The shape docs/architecture.md promises, checked: small modules, no app holding most of
the code, imports inside functions only where a cycle truly needs one (and saying why), and
the import contracts of `make lint` catching a forbidden import."""

import ast
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = sorted(path.parent.name for path in ROOT.glob("*/apps.py"))
# The project's own code: every app, the settings and the scripts (not tests, not migrations).
CODE_ROOTS = [*APPS, "config", "scripts"]
MAX_MODULE_LINES = 500
MAX_APP_SHARE = 0.25
MAX_FUNCTION_IMPORTS = 5
REASON = "imported here:"


def _modules():
    for root in CODE_ROOTS:
        for path in sorted((ROOT / root).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def _lines(path: Path) -> int:
    return len(path.read_text().splitlines())


def test_the_apps_are_the_ones_documented():
    documented = (ROOT / "docs" / "architecture.md").read_text()
    for app in APPS:
        assert f"`{app}/`" in documented, f"docs/architecture.md does not describe {app}/"


def test_no_module_is_over_500_lines():
    long = {str(p.relative_to(ROOT)): _lines(p) for p in _modules() if _lines(p) > MAX_MODULE_LINES}
    assert long == {}


def test_no_app_holds_more_than_a_quarter_of_the_code():
    per_root = {root: 0 for root in CODE_ROOTS}
    for path in _modules():
        per_root[path.relative_to(ROOT).parts[0]] += _lines(path)
    total = sum(per_root.values())
    shares = {app: round(per_root[app] / total, 3) for app in APPS}
    assert max(shares.values()) <= MAX_APP_SHARE, shares


def _function_imports():
    for path in _modules():
        source = path.read_text()
        lines = source.splitlines()
        for node in ast.walk(ast.parse(source)):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for inner in ast.walk(node):
                if isinstance(inner, ast.Import | ast.ImportFrom):
                    context = " ".join(lines[max(0, inner.lineno - 2) : inner.end_lineno])
                    yield f"{path.relative_to(ROOT)}:{inner.lineno}", REASON in context


def test_at_most_five_imports_inside_functions_each_saying_why():
    found = dict(_function_imports())
    assert len(found) <= MAX_FUNCTION_IMPORTS, sorted(found)
    assert [where for where, explained in found.items() if not explained] == []


@pytest.fixture
def forbidden_import():
    """A module of core importing an app: the bottom layer reaching up."""
    probe = ROOT / "core" / f"_probe_{uuid.uuid4().hex[:8]}.py"
    probe.write_text(
        "import voting.models  # a deliberate violation (tests/test_architecture.py)\n"
    )
    yield probe.stem
    probe.unlink()


def _lint_imports():
    return subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_import_contracts_hold_and_catch_a_forbidden_import(forbidden_import):
    result = _lint_imports()
    assert result.returncode == 1, result.stdout
    assert f"core.{forbidden_import} -> voting.models" in result.stdout
    # Everything else is kept: the only broken contracts are the ones the probe breaks.
    broken = [line for line in result.stdout.splitlines() if line.rstrip().endswith("BROKEN")]
    assert all("core" in line or "layered" in line for line in broken), broken
