"""The three kinds of file we ship, made once per session: the committed template, the output of
``kundenwert demo`` and the output of ``kundenwert recompute`` (the headless writer)."""

import zipfile
from pathlib import Path

import pytest

from tests.acceptance import checks

ROOT = Path(__file__).resolve().parents[2]
KINDS = ("template", "demo", "recompute")


@pytest.fixture(scope="session")
def shipped_files(demo_workbook, tmp_path_factory) -> dict[str, Path]:
    """``demo_workbook`` is made by ``demo_file``, exactly what ``kundenwert demo`` calls (the
    session shares one); the recomputed copy comes from the command itself, run in-process."""
    from typer.testing import CliRunner

    from kundenwert_xl.cli import app

    recomputed = tmp_path_factory.mktemp("acceptance") / "recomputed.xlsm"
    result = CliRunner().invoke(app, ["recompute", str(demo_workbook), "-o", str(recomputed)])
    assert result.exit_code == 0, result.output
    template = ROOT / "workbook_template.xlsm"
    return {"template": template, "demo": demo_workbook, "recompute": recomputed}


@pytest.fixture(params=KINDS)
def shipped(request, shipped_files) -> Path:
    """Each shipped kind of file in turn."""
    return shipped_files[request.param]


@pytest.fixture
def shipped_zip(shipped):
    with zipfile.ZipFile(shipped) as zf:
        yield zf


@pytest.fixture(scope="session")
def schema_findings(shipped_files) -> dict[str, list[checks.Finding]]:
    """openxml-audit's findings per kind of file (one validation run per file per session)."""
    return {kind: checks.schema_findings(path) for kind, path in shipped_files.items()}
