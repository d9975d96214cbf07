"""Write result blocks into a COPY of an .xlsx/.xlsm without Excel (EXCEL_NOTES.md §4.3).

Only the cell data of the sheets that receive blocks changes (and, for input tables written by
``kundenwert demo``, the Table's ``ref``); every other part of the package (VBA project, ribbon,
charts and their styles, user sheets, metadata) is copied unchanged. ``xl/calcChain.xml`` is
dropped and ``fullCalcOnLoad`` set, so Excel recalculates user formulas over the new results.

Cells get the style of the cell that stood at the same place (the template pre-formats its
fixed areas) or else their column's style, so number formats come from the workbook itself.
Strings are written as inline strings: text that starts with ``=``, ``+``, ``-`` or ``@`` is
text, never a formula. Cells in columns that no block uses are kept.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import pandas as pd

from kundenwert_xl import texts
from kundenwert_xl.core.errors import KundenwertError, Problem
from kundenwert_xl.io import ooxml
from kundenwert_xl.io.export import atomic_write
from kundenwert_xl.report import Block

EXCEL_EPOCH = dt.date(1899, 12, 30)
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_CELL = re.compile(rb'<c r="([A-Z]+)(\d+)"([^>]*?)(?:/>|>.*?</c>)', re.S)
_ROW = re.compile(rb'<row r="(\d+)"([^>]*?)(?:/>|>)')
_COL = re.compile(rb"<col ([^>]*)/>")


@dataclass(frozen=True)
class TableData:
    """Rows to put into an input Excel Table (header first), e.g. demo data."""

    table: str
    rows: list[list[object]]


def _value_xml(ref: str, value: object, style: str) -> str:
    s = f' s="{style}"' if style else ""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return f'<c r="{ref}"{s}/>' if style else ""
    if isinstance(value, bool):
        return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int):
        return f'<c r="{ref}"{s}><v>{value}</v></c>'
    if isinstance(value, float):
        return f'<c r="{ref}"{s}><v>{value!r}</v></c>'
    if isinstance(value, dt.datetime):
        serial = (value - dt.datetime(1899, 12, 30)).total_seconds() / 86400
        return f'<c r="{ref}"{s}><v>{serial!r}</v></c>'
    if isinstance(value, dt.date):
        return f'<c r="{ref}"{s}><v>{(value - EXCEL_EPOCH).days}</v></c>'
    text = escape(_INVALID_XML.sub("", str(value)))
    return f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def _column_styles(xml: bytes) -> list[tuple[int, int, str]]:
    found = []
    for match in _COL.finditer(xml):
        attrs = dict(re.findall(rb'(\w+)="([^"]*)"', match.group(1)))
        if b"style" in attrs:
            found.append((int(attrs[b"min"]), int(attrs[b"max"]), attrs[b"style"].decode()))
    return found


def rewrite_sheet(xml: bytes, cells: dict[tuple[int, int], object], columns: set[int]) -> bytes:
    """Return the sheet XML with ``cells`` ((row, col) -> value) written.

    Existing cells in ``columns`` are replaced (or cleared); cells in other columns stay as
    they are.
    """
    head, sep, rest = xml.partition(b"<sheetData")
    if not sep:
        raise ValueError("no sheetData")
    if rest.startswith(b"/>"):
        body, tail = b"", rest[2:]
    else:
        body, _, tail = rest.partition(b">")[2].partition(b"</sheetData>")
    old_styles: dict[tuple[int, int], str] = {}
    kept: dict[int, list[tuple[int, bytes]]] = {}
    row_attrs: dict[int, bytes] = {}
    for match in _ROW.finditer(body):
        attrs = re.sub(rb'\s*spans="[^"]*"', b"", match.group(2))
        row_attrs[int(match.group(1))] = attrs
    for match in _CELL.finditer(body):
        col, row = ooxml.column_number(match.group(1).decode()), int(match.group(2))
        style = re.search(rb's="(\d+)"', match.group(3))
        if style:
            old_styles[(row, col)] = style.group(1).decode()
        if col not in columns:
            kept.setdefault(row, []).append((col, match.group(0)))
    col_styles = _column_styles(head)

    def style_of(row: int, col: int) -> str:
        if (row, col) in old_styles:
            return old_styles[(row, col)]
        for lo, hi, style in col_styles:
            if lo <= col <= hi:
                return style
        return ""

    by_row: dict[int, list[tuple[int, str]]] = {}
    for (row, col), value in cells.items():
        xml_cell = _value_xml(f"{ooxml.column_letters(col)}{row}", value, style_of(row, col))
        if xml_cell:
            by_row.setdefault(row, []).append((col, xml_cell))
    for row, items in kept.items():
        by_row.setdefault(row, []).extend((col, raw.decode()) for col, raw in items)
    # Keep the template's pre-formatted empty cells in block columns (fixed areas stay styled).
    for (row, col), style in old_styles.items():
        if col in columns and (row, col) not in cells:
            by_row.setdefault(row, []).append(
                (col, f'<c r="{ooxml.column_letters(col)}{row}" s="{style}"/>')
            )
    parts = ["<sheetData>"]
    last_row = last_col = 1
    for row in sorted(by_row):
        items = sorted(by_row[row])
        last_row, last_col = row, max(last_col, items[-1][0])
        attrs = row_attrs.get(row, b"").decode()
        parts.append(f'<row r="{row}"{attrs}>' + "".join(x for _, x in items) + "</row>")
    parts.append("</sheetData>")
    dimension = f'<dimension ref="A1:{ooxml.column_letters(last_col)}{last_row}"/>'
    head = re.sub(rb'<dimension ref="[^"]*"\s*/>', dimension.encode(), head)
    return head + "".join(parts).encode("utf-8") + tail


def block_cells(blocks: list[Block]) -> dict[str, tuple[dict[tuple[int, int], object], set[int]]]:
    """Sheet -> (cells, columns used) for a list of blocks: title, header, rows."""
    out: dict[str, tuple[dict[tuple[int, int], object], set[int]]] = {}
    for block in blocks:
        spec = block.spec
        cells, columns = out.setdefault(spec.sheet, ({}, set()))
        columns.update(range(spec.col, spec.col + len(spec.columns)))
        cells[(spec.row, spec.col)] = block.title or spec.title
        for j, column in enumerate(spec.columns):
            cells[(spec.row + 1, spec.col + j)] = column.header
        for i, values in enumerate(block.rows):
            for j, value in enumerate(values):
                cells[(spec.first_data_row + i, spec.col + j)] = value
    return out


def _workbook_xml(data: bytes) -> bytes:
    data = re.sub(rb'\s*fullCalcOnLoad="[^"]*"', b"", data)
    if b"<calcPr" in data:
        return data.replace(b"<calcPr", b'<calcPr fullCalcOnLoad="1"', 1)
    return data.replace(b"</workbook>", b'<calcPr fullCalcOnLoad="1"/></workbook>')


def _missing_sheet(path: Path, sheet: str) -> KundenwertError:
    return KundenwertError(
        [Problem("missing_sheet", texts.message("missing_sheet", sheet=sheet), table=path.name)]
    )


def write_results(
    source: Path,
    target: Path,
    blocks: list[Block],
    tables: list[TableData] | None = None,
) -> None:
    """Copy ``source`` to ``target`` with the blocks (and input table rows) written.

    Raises
    ------
    KundenwertError
        When a sheet the blocks need is missing (the workbook is not made from the template).
    """
    source, target = Path(source), Path(target)
    with zipfile.ZipFile(source) as zin:
        sheets = ooxml.sheet_parts(zin)
        table_info = ooxml.tables(zin)
        changed: dict[str, bytes] = {}
        for sheet, (cells, columns) in block_cells(blocks).items():
            if sheet not in sheets:
                raise _missing_sheet(source, sheet)
            part = sheets[sheet]
            changed[part] = rewrite_sheet(zin.read(part), cells, columns)
        for data in tables or []:
            info = table_info.get(data.table.casefold())
            if info is None:
                raise _missing_sheet(source, data.table)
            c1, r1, _, _ = ooxml.split_ref(info.ref)
            width = len(data.rows[0])
            cells = {
                (r1 + i, c1 + j): value
                for i, row in enumerate(data.rows)
                for j, value in enumerate(row)
            }
            part = sheets[info.sheet]
            changed[part] = rewrite_sheet(
                changed.get(part, zin.read(part)), cells, set(range(c1, c1 + width))
            )
            ref = f"{ooxml.column_letters(c1)}{r1}:{ooxml.column_letters(c1 + width - 1)}"
            ref += str(r1 + max(len(data.rows) - 1, 1))
            table_xml = zin.read(info.part)
            table_xml = re.sub(
                rb'(<table\b[^>]*?\sref=")[^"]*', rb"\g<1>" + ref.encode(), table_xml
            )
            table_xml = re.sub(
                rb'(<autoFilter\b[^>]*?\sref=")[^"]*', rb"\g<1>" + ref.encode(), table_xml
            )
            changed[info.part] = table_xml

        def write(tmp: Path) -> None:
            with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
                for item in zin.infolist():
                    name = item.filename
                    if name == "xl/calcChain.xml":
                        continue  # a stale chain makes Excel "repair" the file
                    data = changed.get(name)
                    if data is None:
                        data = zin.read(name)
                        if name == "xl/workbook.xml":
                            data = _workbook_xml(data)
                        elif name == "[Content_Types].xml":
                            data = re.sub(
                                rb'<Override PartName="/xl/calcChain.xml"[^>]*/>', b"", data
                            )
                        elif name == "xl/_rels/workbook.xml.rels":
                            data = re.sub(
                                rb'<Relationship [^>]*Target="calcChain.xml"[^>]*/>', b"", data
                            )
                    zout.writestr(item, data)

        atomic_write(target, write)


def read_block_rows(path: Path, sheet: str, first_row: int) -> list[list[object]]:
    """Values of a sheet from ``first_row`` down (for reading back the user's decisions)."""
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        if sheet not in wb.sheetnames:
            return []
        return [list(r) for r in wb[sheet].iter_rows(min_row=first_row, values_only=True)]
    finally:
        wb.close()


def frame_rows(frame: pd.DataFrame, headers: list[str]) -> list[list[object]]:
    """Header plus plain cell values of a DataFrame (dates as dates, NaN as empty)."""
    rows: list[list[object]] = [headers]
    for values in frame.itertuples(index=False):
        row = []
        for v in values:
            if isinstance(v, pd.Timestamp):
                v = v.date()
            elif v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
                v = None
            elif hasattr(v, "item"):
                v = v.item()
            row.append(v)
        rows.append(row)
    return rows
