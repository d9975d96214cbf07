"""Write result blocks into a COPY of an .xlsx/.xlsm without Excel (EXCEL_NOTES.md §4.3).

Only the cell data of the sheets that receive blocks changes (and, for input tables written by
``kundenwert demo``, the Table's ``ref``); every other part of the package (VBA project, ribbon,
charts and their styles, user sheets, metadata) is copied unchanged. ``xl/calcChain.xml`` is
dropped and ``fullCalcOnLoad`` set, so Excel recalculates user formulas over the new results.

Cells get the style of the cell that stood at the same place (the template pre-formats its
fixed areas) or else their column's style, so number formats come from the workbook itself.
Strings are written as inline strings: text that starts with ``=``, ``+``, ``-`` or ``@`` is
text, never a formula; an empty text is an empty cell. Cells in columns that no block uses are kept.
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
_CALC_PARTS = {"xl/workbook.xml", "[Content_Types].xml", "xl/_rels/workbook.xml.rels"}
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_CELL = re.compile(rb'<c r="([A-Z]+)(\d+)"([^>]*?)(?:/>|>.*?</c>)', re.S)
_ROW = re.compile(rb'<row r="(\d+)"([^>]*?)(?:/>|>)')
_COL = re.compile(rb"<col ([^>]*)/>")


@dataclass(frozen=True)
class TableData:
    """Rows to put into an input Excel Table (header first), e.g. demo data."""

    table: str
    rows: list[list[object]]


_EMPTY = object()


def _cell_xml(ref: str, value: object, s: str) -> str:
    """One ``<c>`` element; ``s`` is the ready style attribute (`` s="3"`` or empty)."""
    kind = type(value)
    if kind is str:
        text = escape(_INVALID_XML.sub("", value))
        if not text:  # an empty text is an empty cell, not a string without characters
            return f'<c r="{ref}"{s}/>' if s else ""
        return f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'
    if kind is float:
        if math.isfinite(value):
            return f'<c r="{ref}"{s}><v>{value!r}</v></c>'
        return f'<c r="{ref}"{s}/>' if s else ""
    if kind is int:
        return f'<c r="{ref}"{s}><v>{value}</v></c>'
    if value is None:
        return f'<c r="{ref}"{s}/>' if s else ""
    if kind is bool:
        return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, dt.datetime):
        serial = (value - dt.datetime(1899, 12, 30)).total_seconds() / 86400
        return f'<c r="{ref}"{s}><v>{serial!r}</v></c>'
    if isinstance(value, dt.date):
        return f'<c r="{ref}"{s}><v>{(value - EXCEL_EPOCH).days}</v></c>'
    if isinstance(value, int | float):
        return _cell_xml(ref, float(value) if isinstance(value, float) else int(value), s)
    return _cell_xml(ref, str(value), s)


def _column_styles(xml: bytes) -> list[tuple[int, int, str]]:
    found = []
    for match in _COL.finditer(xml):
        attrs = dict(re.findall(rb'(\w+)="([^"]*)"', match.group(1)))
        if b"style" in attrs:
            found.append((int(attrs[b"min"]), int(attrs[b"max"]), attrs[b"style"].decode()))
    return found


_CELL_HEAD = re.compile(rb'<c r="([A-Z]+)(\d+)"(?:[^>]*?\ss="(\d+)")?')

Rows = dict[int, list[tuple[int, object]]]


def rewrite_sheet(xml: bytes, rows: Rows, columns: set[int]) -> bytes:
    """Return the sheet XML with ``rows`` (row -> [(col, value), ...]) written.

    Existing cells in ``columns`` are replaced (or cleared); cells in other columns stay as
    they are. Each new cell takes the style of the cell that stood there, else its column's.
    """
    head, sep, rest = xml.partition(b"<sheetData")
    if not sep:
        raise ValueError("no sheetData")
    if rest.startswith(b"/>"):
        body, tail = b"", rest[2:]
    else:
        body, _, tail = rest.partition(b">")[2].partition(b"</sheetData>")
    old_styles: dict[tuple[int, int], str] = {}
    letters_seen: set[bytes] = set()
    for match in _CELL_HEAD.finditer(body):
        letters_seen.add(match.group(1))
        if match.group(3):
            col = ooxml.column_number(match.group(1).decode())
            old_styles[(int(match.group(2)), col)] = match.group(3).decode()
    kept: dict[int, list[tuple[int, str]]] = {}
    if any(ooxml.column_number(x.decode()) not in columns for x in letters_seen):
        for match in _CELL.finditer(body):
            col = ooxml.column_number(match.group(1).decode())
            if col not in columns:
                kept.setdefault(int(match.group(2)), []).append((col, match.group(0).decode()))
    row_attrs: dict[int, str] = {}
    for match in _ROW.finditer(body):
        attrs = re.sub(rb'\s*spans="[^"]*"', b"", match.group(2))
        if attrs.strip():
            row_attrs[int(match.group(1))] = attrs.decode()

    col_style: dict[int, str] = {}
    for lo, hi, style in _column_styles(head):
        for col in range(lo, hi + 1):
            col_style.setdefault(col, f' s="{style}"')
    letters: dict[int, str] = {}

    def letter(col: int) -> str:
        if col not in letters:
            letters[col] = ooxml.column_letters(col)
        return letters[col]

    # Pre-formatted empty cells of the template stay in place where nothing is written.
    written = {(r, c) for r, items in rows.items() for c, _ in items}
    blanks: dict[int, list[tuple[int, str]]] = {}
    for (row, col), style in old_styles.items():
        if col in columns and (row, col) not in written:
            blanks.setdefault(row, []).append((col, f'<c r="{letter(col)}{row}" s="{style}"/>'))

    parts = ["<sheetData>"]
    last_row = last_col = 1
    for row in sorted(rows.keys() | kept.keys() | blanks.keys()):
        cells = []
        for col, value in rows.get(row, ()):
            style = old_styles.get((row, col))
            s = f' s="{style}"' if style else col_style.get(col, "")
            text = _cell_xml(f"{letter(col)}{row}", value, s)
            if text:
                cells.append((col, text))
        cells += kept.get(row, []) + blanks.get(row, [])
        if not cells:
            continue
        cells.sort(key=lambda item: item[0])
        last_row, last_col = row, max(last_col, cells[-1][0])
        parts.append(f'<row r="{row}"{row_attrs.get(row, "")}>')
        parts.extend(text for _, text in cells)
        parts.append("</row>")
    parts.append("</sheetData>")
    dimension = f'<dimension ref="A1:{ooxml.column_letters(last_col)}{last_row}"/>'
    head = re.sub(rb'<dimension ref="[^"]*"\s*/>', dimension.encode(), head)
    return head + "".join(parts).encode("utf-8") + tail


def block_cells(blocks: list[Block]) -> dict[str, tuple[Rows, set[int]]]:
    """Sheet -> (rows, columns used) for a list of blocks: title, header, data rows."""
    out: dict[str, tuple[Rows, set[int]]] = {}
    for block in blocks:
        spec = block.spec
        rows, columns = out.setdefault(spec.sheet, ({}, set()))
        cols = range(spec.col, spec.col + len(spec.columns))
        columns.update(cols)
        rows.setdefault(spec.row, []).append((spec.col, block.title or spec.title))
        rows.setdefault(spec.row + 1, []).extend(
            zip(cols, [c.header for c in spec.columns], strict=True)
        )
        for i, values in enumerate(block.rows, start=spec.first_data_row):
            rows.setdefault(i, []).extend(zip(cols, values, strict=True))
    return out


def cells_to_rows(cells: dict[tuple[int, int], object]) -> Rows:
    """``{(row, col): value}`` as rows for :func:`rewrite_sheet`."""
    rows: Rows = {}
    for (row, col), value in cells.items():
        rows.setdefault(row, []).append((col, value))
    return rows


def _copy_raw(zin: zipfile.ZipFile, zout: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Copy a member's compressed bytes unchanged (no recompression; same CRC and data)."""
    zin.fp.seek(info.header_offset)
    local = zin.fp.read(30)
    name_len, extra_len = (
        int.from_bytes(local[26:28], "little"),
        int.from_bytes(local[28:30], "little"),
    )
    zin.fp.seek(info.header_offset + 30 + name_len + extra_len)
    raw = zin.fp.read(info.compress_size)
    copy = zipfile.ZipInfo(info.filename, date_time=info.date_time)
    copy.compress_type, copy.external_attr = info.compress_type, info.external_attr
    copy.create_system, copy.flag_bits = info.create_system, info.flag_bits & ~0x08
    copy.CRC, copy.compress_size, copy.file_size = info.CRC, info.compress_size, info.file_size
    copy.header_offset = zout.fp.tell()
    zout.fp.write(copy.FileHeader(zip64=False))
    zout.fp.write(raw)
    zout.filelist.append(copy)
    zout.NameToInfo[copy.filename] = copy
    zout.start_dir = zout.fp.tell()
    zout._didModify = True


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
            cols = range(c1, c1 + width)
            cells = {r1 + i: list(zip(cols, row, strict=True)) for i, row in enumerate(data.rows)}
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
                        simple = name not in _CALC_PARTS and item.file_size < 0xFFFFFFFF
                        if simple and not item.flag_bits & 0x01:
                            _copy_raw(zin, zout, item)
                            continue
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
