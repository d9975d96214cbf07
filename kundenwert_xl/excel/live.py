"""Read the inputs from and write the result blocks into a live workbook through xlwings.

The same blocks as the headless writer, written in few large assignments (one per block);
strings from data that start with ``=``, ``+``, ``-`` or ``@`` get Excel's text prefix ``'`` so
they are never taken for formulas.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from kundenwert_xl import report, texts
from kundenwert_xl.core.errors import KundenwertError, Problem

FORMULA_STARTS = ("=", "+", "-", "@")


def as_text(value: Any) -> Any:
    """A cell value for Excel: formula-like strings get the text prefix."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def find_table(book: Any, name: str) -> Any | None:
    """The Excel Table (ListObject) of that name in any sheet, or None."""
    for sheet in book.sheets:
        for table in sheet.tables:
            if table.name.casefold() == name.casefold():
                return table
    return None


def _table_frame(book: Any, key: str) -> tuple[pd.DataFrame | None, int]:
    table = find_table(book, texts.TABLE_NAMES[key])
    if table is None:
        return None, 2
    frame = table.range.options(pd.DataFrame, index=False, header=True).value
    return frame, table.range.row + 1


def read_tables(book: Any) -> tuple[dict[str, pd.DataFrame | None], dict[str, int]]:
    """The input tables and Einstellungen of the workbook, found by table name.

    The same shape as :func:`kundenwert_xl.io.readers.read_workbook` (frames by key, None
    when missing; first data rows), for :func:`kundenwert_xl.actions.inputs_from_frames`.
    """
    frames: dict[str, pd.DataFrame | None] = {}
    first_rows: dict[str, int] = {}
    for key in ("transactions", "customers", "contacts", "settings", "segment_rules"):
        frames[key], first_rows[key] = _table_frame(book, key)
    return frames, first_rows


def decision_rows(book: Any) -> list[list[Any]]:
    """The cells of the Dilemma block as typed (header first), before it is rewritten."""
    spec = report.SPECS["dilemma"]
    sheet = book.sheets[spec.sheet]
    last = sheet.used_range.last_cell.row
    if last <= spec.row:
        return []
    width = len(spec.columns)
    rows = sheet.range((spec.row + 1, spec.col), (last, spec.col + width - 1)).options(ndim=2).value
    return list(rows)


def write_blocks(book: Any, blocks: list[report.Block]) -> None:
    """Write blocks: clear each block's old area, then title, header and rows in one go."""
    for block in blocks:
        spec = block.spec
        sheet = book.sheets[spec.sheet]
        width = len(spec.columns)
        last = (
            spec.first_data_row + spec.max_rows - 1
            if spec.max_rows
            else sheet.used_range.last_cell.row
        )
        if last >= spec.first_data_row:
            sheet.range(
                (spec.first_data_row, spec.col), (last, spec.col + width - 1)
            ).clear_contents()
        sheet.range((spec.row, spec.col)).value = block.title or spec.title
        matrix = [[c.header for c in spec.columns]] + [
            [as_text(v) for v in row] for row in block.rows
        ]
        sheet.range((spec.row + 1, spec.col)).value = matrix
        if block.rows and spec.max_rows is None:
            end = spec.first_data_row + len(block.rows) - 1
            for j, column in enumerate(spec.columns):
                if column.fmt:
                    cells = sheet.range((spec.first_data_row, spec.col + j), (end, spec.col + j))
                    cells.number_format = column.fmt


def write_table(book: Any, name: str, frame: pd.DataFrame) -> None:
    """Replace an input Table's rows (the Table grows or shrinks with them)."""
    table = find_table(book, name)
    if table is None:
        raise KundenwertError(
            [Problem("missing_sheet", texts.message("missing_sheet", sheet=name))]
        )
    table.update(frame.map(as_text) if hasattr(frame, "map") else frame, index=False)
