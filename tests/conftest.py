import io
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

# DOMAIN.md §3.6: 16 transactions, analysis date 2024-06-30 (C6's 2024-07-15 row lies after it).
FIXTURE_CSV = """customer_id,date,revenue
C1,2024-01-05,100
C1,2024-02-10,50
C1,2024-02-10,30
C1,2024-06-20,120
C2,2024-03-01,200
C3,2024-01-15,40
C3,2024-04-15,60
C3,2024-05-15,80
C3,2024-06-25,20
C4,2024-06-01,500
C4,2024-06-28,250
C5,2024-02-20,15
C5,2024-03-20,25
C6,2024-05-05,70
C6,2024-07-15,90
C7,2024-06-30,35
"""


@pytest.fixture
def fixture_tx() -> pd.DataFrame:
    return pd.read_csv(io.StringIO(FIXTURE_CSV))


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def pytest_collection_modifyitems(config, items):
    """LibreOffice tests may skip on a developer machine without it, never in CI."""
    if soffice_path():
        return
    if os.environ.get("CI"):
        raise pytest.UsageError("CI must have LibreOffice (soffice) installed: see .ci/run")
    skip = pytest.mark.skip(reason="LibreOffice (soffice) is not installed")
    for item in items:
        if "libreoffice" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def demo_workbook(tmp_path_factory) -> Path:
    """A template copy filled with 3,000 demo transactions and recomputed (kundenwert demo)."""
    from kundenwert_xl.actions import demo_file

    path = tmp_path_factory.mktemp("demo") / "demo.xlsm"
    demo_file(path, rows=3000, seed=3)
    return path


@pytest.fixture
def demo_copy(demo_workbook, tmp_path) -> Path:
    """A copy of the demo workbook the test may change."""
    path = tmp_path / "kunden.xlsm"
    shutil.copy(demo_workbook, path)
    return path


@dataclass
class CliResult:
    """What a user sees of one ``kundenwert`` call: exit code, standard output and error."""

    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def run_cli(monkeypatch, capsys, tmp_path):
    """``kundenwert *args`` in ``tmp_path``, in-process (the real typer, the real files)."""
    from kundenwert_xl import cli

    monkeypatch.chdir(tmp_path)

    def call(*args: str) -> CliResult:
        code = cli.run(list(args))
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return call
