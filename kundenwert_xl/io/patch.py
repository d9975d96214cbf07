"""Write result blocks into a COPY of an .xlsx/.xlsm without Excel (EXCEL_NOTES.md §4.3).

Only the cell data of the sheets that receive blocks changes (and, for input tables written by
``kundenwert demo``, the Table's ``ref``; for result sheets, the print footer with the
Stichtag); every other part of the package (VBA project, ribbon, charts and their styles, user
sheets, metadata) is copied unchanged. ``xl/calcChain.xml`` is dropped and ``fullCalcOnLoad``
set, so Excel recalculates user formulas over the new results.

Cells are written column-wise and streamed: each column of a block becomes one Arrow array,
formatted to ``<c>`` elements with Arrow's string kernels (numbers in their shortest round-trip
form, dates as serials with the 1900 quirk, booleans as ``t="b"``), the columns of a chunk of
rows are joined element-wise into ``<row>`` elements, and each chunk goes straight into the
zip member. No cell is a Python object on the way, and memory is bounded by the chunk.

Styles are taken once per column: a new cell gets its column's style (``<cols>``), except in
the template's fixed-size areas (up to ``styled_to_row``), where the cell that stood at the same
place keeps its style (the template pre-formats those cells row by row). Strings are written as
inline strings: text that starts with ``=``, ``+``, ``-`` or ``@`` is text, never a formula; an
empty text is an empty cell. Cells in columns that no block uses are kept.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from kundenwert_xl import cells, opc, texts
from kundenwert_xl.core.errors import KundenwertError, Problem
from kundenwert_xl.io import ooxml
from kundenwert_xl.io.export import atomic_write
from kundenwert_xl.report import Block, TableRows

_CALC_PARTS = {"xl/workbook.xml", "[Content_Types].xml", "xl/_rels/workbook.xml.rels"}
#: A generous size of one written cell's XML (a long text cell is longer; an estimate only
#: decides whether a sheet gets a ZIP64 header).
_MAX_CELL_BYTES = 200
#: Rows formatted and joined at a time: bounds the memory of a sheet of any length.
CHUNK_ROWS = 50_000
_STRING = pa.string()
_INVALID_XML = "[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x{FFFE}\\x{FFFF}]"  # RE2 syntax
_INVALID_XML_PY = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# OOXML writes a character XML cannot hold as _xHHHH_, so a text that looks like such an
# escape must escape its underscore (_x005F_) or Excel reads "K_x0041_" as "KA".
_ESCAPE_LIKE = "_x[0-9A-Fa-f]{4}_"
# Every underscore that starts one, overlaps included ("_x005F_x0041_" holds two).
_ESCAPE_START_PY = re.compile("_(?=x[0-9A-Fa-f]{4}_)")
_INVALID_CHARS = [chr(c) for c in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20))]
_INVALID_CHARS += ["\ufffe", "\uffff"]
_ROW_START = re.compile(rb'<row r="(\d+)"')
# A row element with attributes besides r and spans (height, hidden, style, ...): kept.
_ROW_ATTRS = re.compile(
    rb'<row r="(\d+)"((?:\s+[\w:]+="[^"]*")*?\s+(?!spans=)[\w:]+="[^"]*"(?:\s+[\w:]+="[^"]*")*)'
    rb"\s*/?>"
)
_SPANS = re.compile(rb'\s*spans="[^"]*"')
_STYLED_CELL = re.compile(rb'<c r="([A-Z]+)(\d+)"[^>]*?\ss="(\d+)"')
_COL = re.compile(rb"<col ([^>]*)/>")
_FOOTER = re.compile(rb"<oddFooter>.*?</oddFooter>|<oddFooter\s*/>", re.S)
#: Elements that follow ``headerFooter`` in a worksheet (ECMA-376 Part 1, 18.3.1.99).
_AFTER_FOOTER = re.compile(
    rb"<(?:rowBreaks|colBreaks|customProperties|cellWatches|ignoredErrors|smartTags|drawing"
    rb"|legacyDrawing|legacyDrawingHF|drawingHF|picture|oleObjects|controls|webPublishItems"
    rb"|tableParts|extLst)\b"
)


class Writable(Protocol):
    """Where a sheet is streamed to: a zip member opened for writing, a file, a buffer."""

    def write(self, data: bytes, /) -> object:
        """Append ``data``."""
        ...


@dataclass(frozen=True)
class TableData:
    """Data to put into an input Excel Table: its columns in sheet order, labels as headers."""

    table: str
    frame: pd.DataFrame


@dataclass
class Run:
    """Cells down one column: ``values`` for the sheet rows ``rows`` (ascending).

    ``values`` is an Arrow array, or a list of plain values when a column mixes kinds (the
    small label/value blocks), formatted cell by cell; ``xml=True`` marks finished ``<c>``
    elements (cells kept from the old sheet).
    """

    col: int
    rows: np.ndarray
    values: Any
    xml: bool = False


@dataclass
class SheetEdit:
    """What to write into one sheet: runs of cells, the columns they replace, the footer."""

    runs: list[Run] = field(default_factory=list)
    columns: set[int] = field(default_factory=set)
    #: Old cells keep their style up to this row (the template's fixed areas); None: all rows.
    styled_to_row: int | None = None
    #: The text of the print footer (Excel header/footer codes); None keeps the sheet's.
    footer: str | None = None

    def cells(self) -> int:
        """How many cells the runs hold."""
        return sum(len(run.rows) for run in self.runs)

    def add(self, col: int, first_row: int, values: Any) -> None:
        """Cells from ``first_row`` down in column ``col``."""
        values = arrow_values(values)
        rows = np.arange(first_row, first_row + len(values), dtype=np.int64)
        self.runs.append(Run(col, rows, values))
        self.columns.add(col)


def arrow_values(values: Any) -> Any:
    """A column as one Arrow array, or as plain values when it mixes kinds (text and numbers)."""
    if isinstance(values, pa.Array):
        return values
    try:
        if isinstance(values, pd.Series | np.ndarray):
            array = pa.array(values, from_pandas=True)
        else:
            array = pa.array(list(values), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError, OverflowError):
        return [cells.plain(v) for v in values]
    if pa.types.is_dictionary(array.type):
        array = array.dictionary_decode()
    return array


def _cell_xml(ref: str, value: Any, s: str) -> str:
    """One ``<c>`` element for a plain value; ``s`` is the style attribute or empty."""
    value = cells.plain(value)
    if isinstance(value, str):
        text = escape(_ooxml_escape(cells.cut_text(value)))
        if not text:  # an empty text is an empty cell, not a string without characters
            return f'<c r="{ref}"{s}/>' if s else ""
        return f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'
    if value is None:
        return f'<c r="{ref}"{s}/>' if s else ""
    if isinstance(value, bool):
        return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"{s}><v>{value!r}</v></c>'
    if isinstance(value, dt.date):
        return f'<c r="{ref}"{s}><v>{cells.serial(value)!r}</v></c>'
    return _cell_xml(ref, str(value), s)


def _ooxml_escape(text: str) -> str:
    """A text as OOXML stores it: control characters as ``_xHHHH_``, look-alikes escaped.

    Removing them instead (as before) made ``K1`` + NUL and ``K1`` the same customer on the
    next recompute; Excel and the readers here (fastexcel, openpyxl) read the escapes back.
    """
    text = _ESCAPE_START_PY.sub("_x005F_", text)
    if _INVALID_XML_PY.search(text):
        text = _INVALID_XML_PY.sub(lambda m: f"_x{ord(m.group()):04X}_", text)
    return text


def _ooxml_escape_array(text: pa.Array) -> pa.Array:
    """:func:`_ooxml_escape` for a column (one pass per kind of character actually present)."""
    like = pc.fill_null(pc.match_substring_regex(text, _ESCAPE_LIKE), False)
    if pc.any(like).as_py():
        # Arrow's RE2 has no lookahead for overlapping look-alikes: the few such texts (there
        # are rarely any) go through Python's regex, the rest stay in Arrow.
        found = text.filter(like).to_pylist()
        fixed = pa.array([_ESCAPE_START_PY.sub("_x005F_", v) for v in found], text.type)
        text = pc.replace_with_mask(text, like, fixed)
    if pc.any(pc.match_substring_regex(text, _INVALID_XML)).as_py():
        for char in _INVALID_CHARS:
            text = pc.replace_substring(text, char, f"_x{ord(char):04X}_")
    return text


def _text(values: pa.Array) -> pa.Array:
    """Text as cell XML: cut at Excel's limit, OOXML-escaped, markup escaped.

    An empty text becomes null (no cell).
    """
    # Excel refuses a longer cell text (the file reads as damaged): cut, as long_text_notes says.
    text = _ooxml_escape_array(cells.cut_text_array(values.cast(_STRING)))
    for raw, escaped in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        text = pc.replace_substring(text, raw, escaped)
    return pc.if_else(pc.equal(text, ""), pa.scalar(None, _STRING), text)


def _serials(values: pa.Array) -> pa.Array:
    """Dates and timestamps as Excel serials (whole days, or with the day fraction)."""
    if pa.types.is_timestamp(values.type):
        if values.type.tz is not None:
            values = pc.local_timestamp(values)
        nanos = values.cast(pa.timestamp("ns")).cast(pa.int64()).fill_null(0).to_numpy()
        days, rest = np.divmod(nanos, 86_400 * 10**9)
        serial = cells.day_serials(days) + rest / (86_400 * 10**9)
    else:
        days = values.cast(pa.date32()).cast(pa.int32()).fill_null(0).to_numpy()
        serial = cells.day_serials(days)
    return pa.array(serial, mask=values.is_null().to_numpy(zero_copy_only=False))


def _format(values: Any, refs: pa.Array, styles: Any) -> pa.Array:
    """``<c>`` elements for one run slice; "" where there is no cell at all."""
    if isinstance(values, list):
        style_list = styles.to_pylist() if isinstance(styles, pa.Array) else None
        plain_style = "" if style_list is not None else styles.as_py()
        out = [
            _cell_xml(ref, v, style_list[i] if style_list is not None else plain_style)
            for i, (ref, v) in enumerate(zip(refs.to_pylist(), values, strict=True))
        ]
        return pa.array(out, _STRING)
    kind, t, inline = values.type, "", False
    if pa.types.is_null(kind):
        text = pa.nulls(len(values), _STRING)
    elif pa.types.is_string(kind) or pa.types.is_large_string(kind):
        text, t, inline = _text(values), ' t="inlineStr"', True
    elif pa.types.is_boolean(kind):
        text, t = pc.if_else(values, "1", "0").cast(_STRING), ' t="b"'
    elif pa.types.is_integer(kind):
        text = values.cast(_STRING)
    elif pa.types.is_floating(kind):
        finite = pc.is_finite(values)
        text = pc.if_else(finite, values.cast(_STRING), pa.scalar(None, _STRING))
    elif pa.types.is_date(kind) or pa.types.is_timestamp(kind):
        text = _serials(values).cast(_STRING)
    else:
        text, t, inline = _text(values.cast(_STRING)), ' t="inlineStr"', True
    opening, closing = (
        ('><is><t xml:space="preserve">', "</t></is></c>") if inline else ("><v>", "</v></c>")
    )
    full = pc.binary_join_element_wise('<c r="', refs, '"', styles, t, opening, text, closing, "")
    empty = pc.if_else(
        pc.equal(styles, ""),
        "",
        pc.binary_join_element_wise('<c r="', refs, '"', styles, "/>", ""),
    )
    return pc.coalesce(full, empty.cast(_STRING) if isinstance(empty, pa.Array) else empty)


def _column_styles(xml: bytes) -> dict[int, str]:
    """Column -> ``' s="N"'`` from the sheet's ``<cols>``."""
    found: dict[int, str] = {}
    for match in _COL.finditer(xml):
        attrs = dict(re.findall(rb'(\w+)="([^"]*)"', match.group(1)))
        if b"style" in attrs:
            for col in range(int(attrs[b"min"]), int(attrs[b"max"]) + 1):
                found.setdefault(col, f' s="{attrs[b"style"].decode()}"')
    return found


def _split(xml: bytes) -> tuple[bytes, bytes, bytes]:
    """Sheet XML as (everything before ``<sheetData>``, its inside, everything after)."""
    head, sep, rest = xml.partition(b"<sheetData")
    if not sep:
        raise ValueError("no sheetData")
    if rest.startswith(b"/>"):
        return head, b"", rest[2:]
    body, _, tail = rest.partition(b">")[2].partition(b"</sheetData>")
    return head, body, tail


@dataclass
class _OldSheet:
    """What survives of the old sheet data: kept cells, fixed-area styles, row attributes."""

    kept: list[Run]
    styles: dict[int, tuple[np.ndarray, np.ndarray]]  # col -> (rows, ' s="N"')
    row_attrs: dict[int, str]


def _old_sheet(body: bytes, columns: set[int], styled_to_row: int | None) -> _OldSheet:
    """Read the old sheet data once, with regular expressions that only stop where needed."""
    written = "|".join(sorted((ooxml.column_letters(c) for c in columns), key=len, reverse=True))
    other = re.compile(
        rb'<c r="(?!(?:%s)\d)([A-Z]+)(\d+)"[^>]*?(?:/>|>.*?</c>)' % written.encode(), re.S
    )
    kept: dict[int, tuple[list[int], list[str]]] = {}
    for match in other.finditer(body) if written else ():
        rows, xml = kept.setdefault(ooxml.column_number(match[1].decode()), ([], []))
        rows.append(int(match[2]))
        xml.append(match[0].decode())
    cut = len(body)
    if styled_to_row is not None:
        for match in _ROW_START.finditer(body):
            if int(match[1]) > styled_to_row:
                cut = match.start()
                break
    styled: dict[int, list[tuple[int, str]]] = {}
    for letters, row, style in _STYLED_CELL.findall(body, 0, cut):
        col = ooxml.column_number(letters.decode())
        if col in columns:
            styled.setdefault(col, []).append((int(row), f' s="{style.decode()}"'))
    styles = {}
    for col, found in styled.items():
        found.sort()
        styles[col] = (np.array([r for r, _ in found]), np.array([s for _, s in found], object))
    row_attrs = {}
    for match in _ROW_ATTRS.finditer(body):
        attrs = _SPANS.sub(b"", match[2])
        if attrs.strip():
            row_attrs[int(match[1])] = attrs.decode()
    runs = [
        Run(col, np.array(rows, dtype=np.int64), pa.array(xml, _STRING), xml=True)
        for col, (rows, xml) in kept.items()
    ]
    for run in runs:
        order = np.argsort(run.rows, kind="stable")
        run.rows, run.values = run.rows[order], run.values.take(pa.array(order))
    return _OldSheet(runs, styles, row_attrs)


def _blanks(old: _OldSheet) -> list[Run]:
    """The fixed areas' pre-formatted empty cells, written first so that new cells replace them."""
    runs = []
    for col, (rows, styles) in old.styles.items():
        refs = [
            f'<c r="{ooxml.column_letters(col)}{r}"{s}/>' for r, s in zip(rows, styles, strict=True)
        ]
        runs.append(Run(col, rows, pa.array(refs, _STRING), xml=True))
    return runs


def _styles_for(col: int, rows: np.ndarray, default: str, old: _OldSheet) -> pa.Array | pa.Scalar:
    """The style attribute of each new cell: the old cell's in fixed areas, else the column's."""
    if col in old.styles:
        old_rows, old_styles = old.styles[col]
        at = np.minimum(np.searchsorted(old_rows, rows), len(old_rows) - 1)
        hit = old_rows[at] == rows
        if hit.any():
            styles = np.full(len(rows), default, dtype=object)
            styles[hit] = old_styles[at[hit]]
            return pa.array(styles, _STRING)
    return pa.scalar(default, _STRING)


def _row_strings(first: int, count: int) -> pa.Array:
    return pa.array(np.arange(first, first + count, dtype=np.int64)).cast(_STRING)


def _chunks(
    edit: SheetEdit, old: _OldSheet, col_styles: dict[int, str]
) -> Iterator[tuple[pa.Array, int, int]]:
    """(joined ``<row>`` elements, last row with cells, last column with cells) per chunk."""
    runs = _blanks(old) + old.kept + edit.runs
    if not runs:
        return
    by_col: dict[int, list[Run]] = {}
    for run in runs:
        if len(run.rows):
            by_col.setdefault(run.col, []).append(run)
    first = min(int(run.rows[0]) for group in by_col.values() for run in group)
    last = max(int(run.rows[-1]) for group in by_col.values() for run in group)
    attr_rows = np.array(sorted(old.row_attrs), dtype=np.int64)
    attr_values = np.array([old.row_attrs[r] for r in attr_rows.tolist()], dtype=object)
    for start in range(first, last + 1, CHUNK_ROWS):
        count = min(CHUNK_ROWS, last + 1 - start)
        numbers = _row_strings(start, count)
        columns, last_col = [], 0
        for col in sorted(by_col):
            pieces, index = [], np.full(count, -1, dtype=np.int64)
            letter = ooxml.column_letters(col)
            taken = 0
            for run in by_col[col]:
                lo, hi = np.searchsorted(run.rows, [start, start + count])
                if hi <= lo:
                    continue
                rows = run.rows[lo:hi]
                if run.xml:
                    piece = run.values[lo:hi]
                else:
                    refs = pc.binary_join_element_wise(letter, numbers.take(rows - start), "")
                    styles = _styles_for(col, rows, col_styles.get(col, ""), old)
                    piece = _format(run.values[lo:hi], refs, styles)
                pieces.append(piece)
                index[rows - start] = taken + np.arange(hi - lo)
                taken += hi - lo
            if not pieces:
                continue
            placed = pa.concat_arrays(pieces).take(pa.array(index, mask=index < 0))
            column = placed.fill_null("")
            if pc.any(pc.not_equal(column, "")).as_py():
                last_col = col
            columns.append(column)
        if not columns:
            continue
        joined = pc.binary_join_element_wise(*columns, "") if len(columns) > 1 else columns[0]
        present = pc.not_equal(joined, "")
        at = np.searchsorted(attr_rows, np.arange(start, start + count))
        attrs = np.full(count, "", dtype=object)
        inside = (
            (at < len(attr_rows))
            & (attr_rows[np.minimum(at, len(attr_rows) - 1)] == (np.arange(start, start + count)))
            if len(attr_rows)
            else np.zeros(count, dtype=bool)
        )
        attrs[inside] = attr_values[at[inside]]
        rows_xml = pc.binary_join_element_wise(
            '<row r="', numbers, '"', pa.array(attrs, _STRING), ">", joined, "</row>", ""
        ).filter(present)
        if len(rows_xml):
            flags = present.to_numpy(zero_copy_only=False)
            last_row = start + int(np.flatnonzero(flags)[-1])
            yield rows_xml, last_row, last_col


def _buffer(strings: pa.Array) -> memoryview:
    """The characters of all strings of an Arrow string array, back to back, without a copy."""
    offsets = np.frombuffer(strings.buffers()[1], dtype=np.int32)
    begin = int(offsets[strings.offset])
    end = int(offsets[strings.offset + len(strings)])
    return memoryview(strings.buffers()[2])[begin:end]


def footer_xml(tail: bytes, footer: str) -> bytes:
    """The sheet's end with ``footer`` (Excel header/footer codes) as its odd-page footer."""
    element = b"<oddFooter>" + escape(footer).encode("utf-8") + b"</oddFooter>"
    if _FOOTER.search(tail):
        return _FOOTER.sub(lambda _: element, tail, count=1)
    if b"<headerFooter/>" in tail:
        return tail.replace(b"<headerFooter/>", b"<headerFooter>" + element + b"</headerFooter>")
    if b"<headerFooter" in tail:
        return re.sub(rb"(<headerFooter\b[^>]*>)", lambda m: m[1] + element, tail, count=1)
    block = b"<headerFooter>" + element + b"</headerFooter>"
    follower = _AFTER_FOOTER.search(tail)
    at = follower.start() if follower else tail.rindex(b"</worksheet>")
    return tail[:at] + block + tail[at:]


def write_sheet(xml: bytes, edit: SheetEdit, out: Writable) -> None:
    """Write the sheet XML with ``edit`` applied to ``out``, streaming the sheet data.

    Existing cells in ``edit.columns`` are replaced (or cleared); cells in other columns stay
    as they are.
    """
    head, body, tail = _split(xml)
    old = _old_sheet(body, edit.columns, edit.styled_to_row)
    del body
    col_styles = _column_styles(head)
    last_row = last_col = 1
    with tempfile.TemporaryFile() as spool:
        for rows_xml, chunk_row, chunk_col in _chunks(edit, old, col_styles):
            spool.write(_buffer(rows_xml))
            last_row, last_col = chunk_row, max(last_col, chunk_col)
        dimension = f'<dimension ref="A1:{ooxml.column_letters(last_col)}{last_row}"/>'
        head = re.sub(rb'<dimension ref="[^"]*"\s*/>', dimension.encode(), head)
        if edit.footer is not None:
            tail = footer_xml(tail, edit.footer)
        out.write(head + b"<sheetData>")
        spool.seek(0)
        shutil.copyfileobj(spool, out, 1 << 20)
        out.write(b"</sheetData>" + tail)


Rows = dict[int, list[tuple[int, object]]]


def rewrite_sheet(xml: bytes, rows: Rows, columns: set[int]) -> bytes:
    """The sheet XML with ``rows`` (row -> [(col, value), ...]) written (small edits, tests).

    Every old cell keeps its style here (``styled_to_row`` None).
    """
    edit = SheetEdit(columns=set(columns))
    by_col: dict[int, list[tuple[int, object]]] = {}
    for row, items in rows.items():
        for col, value in items:
            by_col.setdefault(col, []).append((row, value))
    for col, found in by_col.items():
        found.sort(key=lambda item: item[0])
        edit.runs.append(
            Run(col, np.array([r for r, _ in found]), arrow_values([v for _, v in found]))
        )
    edit.columns |= set(by_col)
    out = _Sink()
    write_sheet(xml, edit, out)
    return out.getvalue()


class _Sink(list[bytes]):
    """Collects what :func:`write_sheet` streams, for small in-memory edits."""

    def write(self, data: Any) -> None:
        self.append(bytes(data))

    def getvalue(self) -> bytes:
        return b"".join(self)


def block_edits(blocks: Sequence[Block], footer: str | None = None) -> dict[str, SheetEdit]:
    """Sheet -> :class:`SheetEdit` for a list of blocks: title, header, data, column by column."""
    out: dict[str, SheetEdit] = {}
    for block in blocks:
        spec = block.spec
        edit = out.setdefault(spec.sheet, SheetEdit(styled_to_row=0, footer=footer))
        fixed_end = spec.last_row if spec.last_row is not None else spec.row + 1
        edit.styled_to_row = max(edit.styled_to_row or 0, fixed_end)
        edit.add(spec.col, spec.row, [block.title or spec.title])
        columns: Sequence[Any]
        if isinstance(block.rows, TableRows):
            columns = [_table_column(values) for values in block.rows.columns]
        else:
            columns = list(zip(*block.rows, strict=True)) if block.rows else []
        for j, column in enumerate(spec.columns):
            col = spec.col + j
            edit.add(col, spec.row + 1, [column.header])
            edit.columns.add(col)
            if len(block.rows):
                edit.add(col, spec.first_data_row, columns[j])
    return out


def _table_column(values: pd.Series) -> Any:
    """A column of a :class:`TableRows` block as the cells its plain rows would give.

    Numbers, booleans, text and categories go to Arrow straight from pandas (NaN and NA are
    nulls, as :func:`cells.plain` makes them None; an infinite float is formatted as no value
    either way); any other kind (dates, objects) takes the row path's own conversion.
    """
    dtype = values.dtype
    direct = (
        isinstance(dtype, pd.StringDtype | pd.CategoricalDtype)
        or (isinstance(dtype, np.dtype) and dtype.kind in "biuf")
        or (isinstance(dtype, pd.api.extensions.ExtensionDtype) and dtype.kind in "biuf")
    )
    return arrow_values(values if direct else cells.plain_column(values))


def cells_to_rows(cells_: dict[tuple[int, int], object]) -> Rows:
    """``{(row, col): value}`` as rows for :func:`rewrite_sheet`."""
    rows: Rows = {}
    for (row, col), value in cells_.items():
        rows.setdefault(row, []).append((col, value))
    return rows


def _missing_sheet(path: Path, sheet: str) -> KundenwertError:
    return KundenwertError(
        [Problem("missing_sheet", texts.message("missing_sheet", sheet=sheet), table=path.name)]
    )


def write_results(
    source: Path,
    target: Path,
    blocks: list[Block],
    tables: list[TableData] | None = None,
    footer: str | None = None,
) -> None:
    """Copy ``source`` to ``target`` with the blocks (and input table data) written.

    ``footer`` is the print footer of every sheet that receives blocks (None keeps theirs).

    Raises
    ------
    KundenwertError
        When a sheet the blocks need is missing (the workbook is not made from the template).
    """
    source, target = Path(source), Path(target)
    with zipfile.ZipFile(source) as zin:
        sheets = ooxml.sheet_parts(zin)
        table_info = ooxml.tables(zin)
        edits: dict[str, SheetEdit] = {}
        changed: dict[str, bytes] = {}
        for sheet, edit in block_edits(blocks, footer).items():
            if sheet not in sheets:
                raise _missing_sheet(source, sheet)
            edits[sheets[sheet]] = edit
        for data in tables or []:
            info = table_info.get(data.table.casefold())
            if info is None:
                raise _missing_sheet(source, data.table)
            c1, r1, _, _ = ooxml.split_ref(info.ref)
            # The template's one blank data row is pre-formatted; below it the columns are.
            edit = edits.setdefault(sheets[info.sheet], SheetEdit(styled_to_row=0))
            edit.styled_to_row = max(edit.styled_to_row or 0, r1 + 1)
            for j, label in enumerate(data.frame.columns):
                edit.add(c1 + j, r1, [str(label)])
                edit.add(c1 + j, r1 + 1, data.frame.iloc[:, j])
            width = data.frame.shape[1]
            ref = f"{ooxml.column_letters(c1)}{r1}:{ooxml.column_letters(c1 + width - 1)}"
            ref += str(r1 + max(len(data.frame), 1))
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
                    if name == opc.CALC_CHAIN:
                        continue  # a stale chain makes Excel "repair" the file
                    if name in edits:
                        copy = zipfile.ZipInfo(name, date_time=item.date_time)
                        copy.compress_type = item.compress_type
                        copy.external_attr = item.external_attr
                        copy.create_system = item.create_system
                        # zipfile refuses to stream more than 2 GiB into a member without
                        # a ZIP64 header, and cannot know the size beforehand: a sheet that
                        # may grow that large (a million customers) gets one.
                        large = edits[name].cells() * _MAX_CELL_BYTES + item.file_size
                        with zout.open(copy, "w", force_zip64=large > 1 << 31) as out:
                            write_sheet(zin.read(name), edits[name], out)
                        continue
                    data = changed.get(name)
                    if data is None:
                        if name not in _CALC_PARTS and opc.can_copy_raw(item):
                            opc.copy_raw(zin, zout, item)
                            continue
                        data = zin.read(name)
                        if name == "xl/workbook.xml":
                            data = opc.full_calc_on_load(data)
                        data = opc.without_calc_chain(name, data)
                    zout.writestr(item, data)

        atomic_write(target, write)


def read_block_rows(path: Path, sheet: str, first_row: int) -> list[list[object]]:
    """Values of a sheet from ``first_row`` down (for reading back the user's decisions)."""
    import openpyxl
    from openpyxl.utils.escape import unescape

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        if sheet not in wb.sheetnames:
            return []
        # openpyxl leaves inline strings' _xHHHH_ escapes as they are (fastexcel, which reads
        # the ids, resolves them): resolved here, so "K1" + NUL keeps its decision.
        return [
            [unescape(v) if isinstance(v, str) and "_x" in v else v for v in r]
            for r in wb[sheet].iter_rows(min_row=first_row, values_only=True)
        ]
    finally:
        wb.close()
