"""Tooling that keeps the package honest: mypy clean, one version, one xlwings pin, py.typed."""

import re
import subprocess
import sys
import tomllib
import zipfile
from importlib import metadata
from pathlib import Path

import xlwings

import kundenwert_xl
from kundenwert_xl import texts
from kundenwert_xl.pc.interpreter import DLL_NAMES, PINNED_XLWINGS

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_mypy_clean():
    # The configuration ([tool.mypy] in pyproject.toml, pydantic plugin) names the package.
    res = subprocess.run(
        [sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert res.returncode == 0, res.stdout + res.stderr
    assert "Success: no issues found" in res.stdout


def test_mypy_uses_the_pydantic_plugin():
    assert PYPROJECT["tool"]["mypy"]["plugins"] == ["pydantic.mypy"]


def test_version_is_written_once():
    project = PYPROJECT["project"]
    assert "version" not in project and project["dynamic"] == ["version"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {
        "attr": "kundenwert_xl.__version__"
    }
    assert metadata.version("kundenwert_xl") == kundenwert_xl.__version__


def test_xlwings_pin_is_written_once():
    pins = [d for d in PYPROJECT["project"]["dependencies"] if d.startswith("xlwings")]
    assert pins == ["xlwings==0.37.8"]
    # The constant the template, the DLL names and the doctor use follows the pyproject line ...
    assert PINNED_XLWINGS == "0.37.8"
    assert DLL_NAMES == ("xlwings64-0.37.8.dll", "xlwings32-0.37.8.dll")
    # ... the installed xlwings is that release ...
    assert xlwings.__version__ == PINNED_XLWINGS
    # ... and no other source file spells a release number of its own.
    for path in (ROOT / "kundenwert_xl").rglob("*.py"):
        code = path.read_text(encoding="utf-8")
        assert not re.search(r"""PINNED_XLWINGS\s*=\s*["']""", code), path


def test_instructions_name_the_pinned_release():
    # The German set-up text is prose; it must not drift from the pin.
    assert any(f"xlwings {PINNED_XLWINGS} " in line for line in texts.GUIDE)


def test_wheel_ships_py_typed(tmp_path):
    # A real wheel, built as pip builds it for a colleague's PC (isolated, setuptools>=68).
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert res.returncode == 0, res.stdout + res.stderr
    (wheel,) = tmp_path.glob("kundenwert_xl-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        meta = zf.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert "kundenwert_xl/py.typed" in names
    assert f"Version: {kundenwert_xl.__version__}\n" in meta
    assert "Requires-Dist: xlwings==0.37.8\n" in meta
