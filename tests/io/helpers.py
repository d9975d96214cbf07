"""Edit a workbook file the way a user would in Excel, for tests: set cell values in a copy."""

import io
import zipfile
from pathlib import Path

import openpyxl

from kundenwert_xl.io import ooxml, patch


def set_cells(path: Path, sheet: str, cells: dict[tuple[int, int], object]) -> None:
    """Write values into one sheet of ``path`` (in place: this is the test's own file)."""
    columns = {c for _, c in cells}
    current = {}
    for r, row in enumerate(sheet_values(path, sheet), start=1):
        for c in columns:
            if c <= len(row) and row[c - 1] is not None:
                current[(r, c)] = row[c - 1]
    with zipfile.ZipFile(path) as zf:
        part = ooxml.sheet_parts(zf)[sheet]
        items = [(i, zf.read(i.filename)) for i in zf.infolist()]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zw:
        for info, data in items:
            if info.filename == part:
                data = patch.rewrite_sheet(data, patch.cells_to_rows({**current, **cells}), columns)
            zw.writestr(info, data)
    path.write_bytes(out.getvalue())


def sheet_values(path: Path, sheet: str) -> list[list[object]]:
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        return [list(r) for r in wb[sheet].iter_rows(values_only=True)]
    finally:
        wb.close()
