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
    from kundenwert_xl.io.workbook import recompute_file

    recomputed = tmp_path_factory.mktemp("acceptance") / "recomputed.xlsm"
    recompute_file(demo_workbook, recomputed)
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
