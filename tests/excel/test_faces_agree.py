"""The worksheet function, the ribbon's recompute (headless) and the CLI give the same numbers."""

import datetime as dt
import subprocess
import sys

import openpyxl
import pandas as pd

from kundenwert_xl import report
from kundenwert_xl.actions import recompute_file
from tests.excel.conftest import MISSING, call_like_excel
from tests.io.helpers import sheet_values


def _table_cells(path, name):
    """The cells of an Excel Table as Excel hands them to a function (header row first)."""
    import zipfile

    from kundenwert_xl.io import ooxml

    with zipfile.ZipFile(path) as zf:
        info = ooxml.tables(zf)[name.casefold()]
    c1, r1, c2, r2 = ooxml.split_ref(info.ref)
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        ws = wb[info.sheet]
        return [
            list(r)
            for r in ws.iter_rows(min_row=r1, max_row=r2, min_col=c1, max_col=c2, values_only=True)
        ]
    finally:
        wb.close()


def _norm(value):
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def test_udf_recompute_and_cli_agree_to_the_last_digit(demo_workbook, tmp_path, udfs):
    recomputed = tmp_path / "r.xlsm"
    recompute_file(demo_workbook, recomputed)
    spec = report.SPECS["customers"]
    sheet = [r[: len(spec.columns)] for r in sheet_values(recomputed, "Kundenwert")[spec.row :]]
    header, rows = sheet[0], [r for r in sheet[1:] if r[0] is not None]

    out = call_like_excel(
        udfs.KUNDENWERT,
        _table_cells(demo_workbook, "Transaktionen"),
        _table_cells(demo_workbook, "Kunden"),
        _table_cells(demo_workbook, "Werbekontakte"),
        MISSING,
        [r[:2] for r in _table_cells(demo_workbook, "Einstellungen")[1:]],
    )
    assert out[0] == header
    assert len(out) - 1 == len(rows) > 100
    for got, want in zip(out[1:], rows, strict=True):
        assert [_norm(v) for v in got] == [_norm(v) for v in want]

    # parquet keeps every bit of a float (XlsxWriter writes 16 significant digits)
    export = tmp_path / "cli.parquet"
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "kundenwert_xl.cli",
            "analyze",
            str(demo_workbook),
            "-o",
            str(export),
        ],
        capture_output=True,
        text=True,
    )
    assert res.returncode == 0, res.stderr
    cli = pd.read_parquet(export)
    sheet_frame = pd.DataFrame(rows, columns=header)
    for column in ("DB III", "Kundenwert (0–100)", "Rang", "RFMR-Punkte", "CLV"):
        assert cli[column].tolist() == sheet_frame[column].tolist(), column
