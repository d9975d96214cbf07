"""House rules that keep the code base simple: ruff clean, layers import one way only."""

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "kundenwert_xl"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_core_is_pure():
    forbidden = (
        "xlwings",
        "openpyxl",
        "zipfile",
        "fastexcel",
        "xlsxwriter",
        "kundenwert_xl.io",
        "kundenwert_xl.excel",
        "kundenwert_xl.template",
        "kundenwert_xl.cli",
        "os",
        "pathlib",
    )
    for path in (PACKAGE / "core").glob("*.py"):
        bad = {m for m in _imports(path) if m.split(".")[0] in forbidden or m.startswith(forbidden)}
        assert not bad, f"{path.name} imports {bad}"


def test_only_excel_layer_imports_xlwings():
    for path in PACKAGE.rglob("*.py"):
        if "excel" in path.parts or path.parent.name == "template":
            continue
        assert not any(m.startswith("xlwings") for m in _imports(path)), path


def test_core_never_calls_today():
    for path in (PACKAGE / "core").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "today()" not in text and "now()" not in text, path


def test_ruff_clean():
    ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    if not Path(ruff).exists() and not shutil.which("ruff"):
        pytest.fail("ruff is part of the test extra: pip install '.[test]'")
    paths = ["kundenwert_xl", "benchmarks", "tests"]
    res = subprocess.run([ruff, "check", *paths], cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr
    res = subprocess.run(
        [ruff, "format", "--check", *paths], cwd=ROOT, capture_output=True, text=True
    )
    assert res.returncode == 0, res.stdout + res.stderr
