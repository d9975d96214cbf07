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


def padded_sheet(source: Path, target: Path, sheet: str, chunks: int) -> str:
    """A zip bomb: ``source`` copied to ``target`` with ``sheet`` padded by ``chunks`` times
    64 MiB of spaces before ``</worksheet>`` (deflate packs them about 1,000-fold).

    Streamed with ZIP64 so that no copy of the padding is ever held whole. Returns the part name
    of the padded sheet. Used by the hostile-file tests and ``benchmarks/bench_zipbomb.py``.
    """
    with zipfile.ZipFile(source) as zf:
        part = ooxml.sheet_parts(zf)[sheet]
    spaces = b" " * (64 * 1024**2)
    with (
        zipfile.ZipFile(source) as zin,
        zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout,
    ):
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename != part:
                zout.writestr(info, data)
                continue
            head, _, tail = data.rpartition(b"</worksheet>")
            entry = zipfile.ZipInfo(part)
            entry.compress_type = zipfile.ZIP_DEFLATED
            with zout.open(entry, "w", force_zip64=True) as fh:
                fh.write(head)
                for _ in range(chunks):
                    fh.write(spaces)
                fh.write(b"</worksheet>" + tail)
    return part
