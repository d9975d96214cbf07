"""The kinds of file we ship, made once per session: the committed template, the output of
``kundenwert demo``, of ``kundenwert recompute`` (the headless writer) and of
``kundenwert analyze export.csv -o Mappe.xlsm`` (a template copy filled from an ERP export)."""

import zipfile
from pathlib import Path

import pytest

from tests.acceptance import checks

ROOT = Path(__file__).resolve().parents[2]
KINDS = ("template", "demo", "recompute", "analyze")


@pytest.fixture(scope="session")
def shipped_files(demo_workbook, tmp_path_factory) -> dict[str, Path]:
    """``demo_workbook`` is made by ``demo_file``, exactly what ``kundenwert demo`` calls (the
    session shares one); the recomputed copy comes from the command itself, run in-process."""
    from typer.testing import CliRunner

    from kundenwert_xl.cli import app

    recomputed = tmp_path_factory.mktemp("acceptance") / "recomputed.xlsm"
    result = CliRunner().invoke(app, ["recompute", str(demo_workbook), "-o", str(recomputed)])
    assert result.exit_code == 0, result.output
    analyzed = tmp_path_factory.mktemp("acceptance") / "analysiert.xlsm"
    sources = erp_export(tmp_path_factory.mktemp("export"))
    result = CliRunner().invoke(
        app,
        [
            "analyze",
            str(sources["transactions"]),
            "--kunden",
            str(sources["customers"]),
            "--werbekontakte",
            str(sources["contacts"]),
            "-o",
            str(analyzed),
        ],
    )
    assert result.exit_code == 0, result.output
    template = ROOT / "workbook_template.xlsm"
    return {
        "template": template,
        "demo": demo_workbook,
        "recompute": recomputed,
        "analyze": analyzed,
    }


def erp_export(folder: Path) -> dict[str, Path]:
    """Demo data as an ERP writes it: German csv (``;``, decimal comma, German headers)."""
    from kundenwert_xl import texts
    from kundenwert_xl.demo import make_demo
    from kundenwert_xl.report import INPUT_COLUMNS

    data = make_demo(3000, seed=4)
    paths = {}
    for key, frame in (
        ("transactions", data.transactions),
        ("customers", data.customers),
        ("contacts", data.contacts),
    ):
        columns = INPUT_COLUMNS[key]
        german = frame[list(columns)].rename(columns={c: texts.header(key, c) for c in columns})
        paths[key] = folder / f"{key}.csv"
        german.to_csv(paths[key], sep=";", decimal=",", index=False, date_format="%d.%m.%Y")
    return paths


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
