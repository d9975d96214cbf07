"""Write result tables to new files: xlsx (XlsxWriter), csv (German dialect), parquet.

Never in place: everything is written to a temporary file next to the target and renamed. The
temporary file is created with the ordinary permissions (the umask applies, as for any file the
user saves) and carries a name that says whose it is, so a leftover of a killed run is
recognisable and removed by the next run (:func:`remove_stale_temps`).

Strings are never turned into formulas or links: XlsxWriter writes them as text, and in csv
files every text cell that Excel would read as a formula is neutralised the way the OWASP
CSV-injection guidance describes (:func:`neutralise_formulas`).
"""

from __future__ import annotations

import csv
import datetime as dt
import errno
import hashlib
import io
import math
import os
import re
import secrets
import socket
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from kundenwert_xl import cells, texts
from kundenwert_xl.cells import EXCEL_CELL_CHARS
from kundenwert_xl.core.errors import KundenwertError, Problem

if TYPE_CHECKING:
    from kundenwert_xl.report import Block, BlockSpec

#: What XlsxWriter adds to a column width for Excel's cell padding (5 px / 7 px per digit).
XLSXWRITER_PADDING = 5 / 7

#: First characters that make Excel (and LibreOffice) read a csv cell as a formula (OWASP).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

#: Every temporary file of ours starts with this, and nothing else does.
TEMP_PREFIX = ".~kundenwert-"
_TEMP_NAME = re.compile(r"\.~kundenwert-([0-9a-f]{6})-(\d+)-[0-9a-f]{8}-.+")
#: A temporary file nobody has written to for this long belongs to a run that died (any host).
STALE_AFTER_SECONDS = 3600
_FILE_MODE = 0o666  # what open() asks for; the kernel subtracts the umask


def _host_tag() -> str:
    return hashlib.sha1(socket.gethostname().encode()).hexdigest()[:6]


def temp_name(path: Path) -> Path:
    """The temporary file for ``path``: same folder, same suffix, name of host, process, target.

    The target's stem is shortened so the name stays within the 255 bytes a folder entry allows.
    """
    path = Path(path)
    token = secrets.token_hex(4)
    return path.with_name(
        f"{TEMP_PREFIX}{_host_tag()}-{os.getpid()}-{token}-{path.stem[:80]}{path.suffix}"
    )


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_temps(folder: Path) -> list[str]:
    """Delete leftovers of our own killed runs in ``folder``; return their names.

    A temporary file is stale when it was made on this host by a process that no longer runs
    (checked on POSIX only: on Windows signal 0 would stop the process), or when nobody has
    written to it for :data:`STALE_AFTER_SECONDS`. Files that do not carry our name are never
    touched.
    """
    removed: list[str] = []
    try:
        entries = list(Path(folder).glob(f"{TEMP_PREFIX}*"))
    except OSError:
        return removed
    here, now = _host_tag(), time.time()
    for entry in entries:
        match = _TEMP_NAME.fullmatch(entry.name)
        if match is None:
            continue
        try:
            info = entry.lstat()
        except OSError:
            continue
        dead = os.name == "posix" and match[1] == here and not _process_alive(int(match[2]))
        if dead or now - info.st_mtime > STALE_AFTER_SECONDS:
            try:
                entry.unlink()
            except OSError:
                continue
            removed.append(entry.name)
    return sorted(removed)


def write_error_detail(exc: OSError) -> str:
    """The German reason for an operating-system error while writing."""
    reasons = {
        errno.ENOSPC: "no_space",
        getattr(errno, "EDQUOT", errno.ENOSPC): "no_space",
        errno.EFBIG: "too_large",
        errno.EACCES: "read_only",
        errno.EPERM: "read_only",
        errno.EROFS: "read_only",
        errno.EISDIR: "is_folder",
        errno.ENOENT: "no_folder",
        errno.ENOTDIR: "no_folder",
        errno.ENAMETOOLONG: "name_too_long",
    }
    key = reasons.get(exc.errno or -1)
    if key == "no_folder" and exc.filename and Path(os.fsdecode(exc.filename)).parent.is_dir():
        # The folder is there but refuses new files (such as /proc, or a mount point).
        key = "cannot_create"
    if key is None:
        return texts.WRITE_DETAILS["other"].format(detail=exc.strerror or str(exc))
    return texts.WRITE_DETAILS[key]


def write_error(path: Path, detail: str) -> KundenwertError:
    """The domain error for a file that cannot be written (the CLI exits with 3)."""
    return KundenwertError(
        [
            Problem(
                "io",
                texts.message("write_error", path=str(path), detail=detail),
                table=Path(path).name,
            )
        ]
    )


#: Whether :func:`atomic_write` may replace an existing file (the command line sets it from
#: ``--force`` for everything one command writes, see :func:`replacing`).
_REPLACE: ContextVar[bool] = ContextVar("kundenwert_replace", default=True)


@contextmanager
def replacing(allowed: bool) -> Iterator[None]:
    """Within this block, :func:`atomic_write` replaces an existing target only if ``allowed``."""
    token = _REPLACE.set(allowed)
    try:
        yield
    finally:
        _REPLACE.reset(token)


def atomic_write(path: Path, write: Callable[[Path], object], replace: bool | None = None) -> None:
    """Call ``write`` on a temporary file in the target folder, then move it to ``path``.

    With ``replace`` false (default: as :func:`replacing` says, else true) the move never
    replaces a file: it is a hard link, which the operating system refuses when ``path``
    exists, so a file that appeared after the command's own check (another run, a colleague)
    is kept, not overwritten. Where the file system has no hard links, ``path`` is created
    exclusively first and then replaced by the finished file.

    Raises
    ------
    KundenwertError
        With a German message when the operating system refuses the write (full disk,
        read-only folder, the path is a folder, the file exists and may not be replaced ...).
        The temporary file is removed.
    """
    path = Path(path)
    replace = _REPLACE.get() if replace is None else replace
    tmp = temp_name(path)
    try:
        os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _FILE_MODE))
    except OSError as exc:
        raise write_error(path, write_error_detail(exc)) from None
    try:
        write(tmp)
        if replace:
            os.replace(tmp, path)
        else:
            _move_exclusive(tmp, path)
    except FileExistsError:
        tmp.unlink(missing_ok=True)
        raise write_error(path, texts.WRITE_DETAILS["appeared"]) from None
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise write_error(path, write_error_detail(exc)) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _move_exclusive(tmp: Path, path: Path) -> None:
    """Move ``tmp`` to ``path``; FileExistsError if ``path`` exists (never replaced)."""
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EMLINK):
            raise
        # No hard links here (FAT, some network shares): claim the name, then fill it.
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _FILE_MODE))
        os.replace(tmp, path)
    else:
        tmp.unlink()


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` with every text cell that Excel would run as a formula made inert.

    OWASP's CSV-injection guidance: a cell that starts with ``=``, ``+``, ``-``, ``@``, tab or
    carriage return gets a leading single quote. Only text is touched: numbers (also negative
    ones) stay numbers, and a text ``-abc`` becomes ``'-abc``. Column headers are treated alike.
    """
    out = frame.copy(deep=False)
    for name in frame.columns:
        column = frame[name]
        try:
            starts = column.str.startswith(FORMULA_TRIGGERS)
        except AttributeError:  # no text in this column
            continue
        hit = starts.fillna(False).astype(bool).to_numpy()
        if hit.any():
            column = column.astype(object)
            column[hit] = "'" + column[hit].astype(str)
            out[name] = column
    out.columns = [
        f"'{c}" if isinstance(c, str) and c.startswith(FORMULA_TRIGGERS) else c for c in out.columns
    ]
    return out


def write_tables(
    path: Path,
    tables: dict[str, pd.DataFrame],
    specs: dict[str, BlockSpec] | None = None,
) -> list[Problem]:
    """Write tables to ``path``: one sheet each (xlsx) or the first table (csv, parquet).

    ``specs`` (sheet name -> the block it shows, see :func:`kundenwert_xl.report.export_specs`)
    give an xlsx file the workbook's number formats and column widths.

    Returns
    -------
    list of Problem
        Warnings on what Excel would change when it opens the csv file
        (:func:`csv_number_like_notes`).

    Raises
    ------
    KundenwertError
        When the file cannot be written (see :func:`atomic_write`).
    """
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        name, frame = next(iter(tables.items()))
        spec = (specs or {}).get(name)
        first = _decimal_comma(neutralise_formulas(_as_shown(frame, spec)), _places(spec))
        # CRLF as Excel writes it; the csv module then also quotes any cell holding a lone CR,
        # which Excel would otherwise take as the start of a new row.
        atomic_write(
            path,
            lambda tmp: first.to_csv(
                tmp,
                sep=";",
                decimal=",",
                index=False,
                encoding="utf-8-sig",
                lineterminator="\r\n",
                quoting=csv.QUOTE_MINIMAL,
            ),
        )
        return csv_number_like_notes(name, frame)
    if suffix in (".parquet", ".pq"):
        first = next(iter(tables.values()))
        atomic_write(path, lambda tmp: first.to_parquet(tmp, index=False))
        return []
    raise ValueError(suffix)


def _decimal_comma(frame: pd.DataFrame, decimals: dict[str, int]) -> pd.DataFrame:
    """Float columns as the text pandas writes for them with ``decimal=","``, made at once.

    pandas formats each number of such a column in Python (40 of 58 s under the profiler at
    200,000 customers). A column rounded to ``decimals[name]`` places (see :func:`_as_shown`)
    is made from its whole hundredths (or tenths ...) in Arrow; any other takes numpy's
    shortest repr, the same text as Python's ``str``. Blank for NaN, as pandas writes it.
    """
    changed: dict[str, np.ndarray] = {}
    for name in frame.columns:
        column = frame[name]
        if column.dtype != np.float64:
            continue
        values = column.to_numpy()
        places = decimals.get(str(name), 0)
        text = _fixed_point_text(values, places) if places else None
        if text is None:
            text = np.char.replace(values.astype(str), ".", ",").astype(object)
            text[np.isnan(values)] = None
        changed[name] = text
    if not changed:
        return frame
    out = frame.copy(deep=False)
    for name, shown in changed.items():
        out[name] = shown
    return out


#: Below this a number rounded to at most three places is its whole thousandths exactly, and
#: Python's ``str`` of it shows exactly those digits (no exponent, nothing shorter rounds to it).
_FIXED_POINT_LIMIT = 1e12


def _fixed_point_text(values: np.ndarray, places: int) -> np.ndarray | None:
    """``str(v).replace(".", ",")`` for numbers already rounded to ``places`` (1-3) decimals.

    ``None`` when a value lies outside the range where that is exact (the caller then formats
    one by one).
    """
    finite = np.isfinite(values)
    if not 1 <= places <= 3 or np.any(np.abs(values[finite]) >= _FIXED_POINT_LIMIT):
        return None
    scale = 10**places
    units = np.abs(np.rint(np.where(finite, values, 0.0) * scale)).astype(np.int64)
    whole = pc.cast(pa.array(units // scale), pa.string())
    fraction = pc.utf8_lpad(pc.cast(pa.array(units % scale), pa.string()), places, "0")
    fraction = pc.utf8_rtrim(fraction, "0")  # 12.50 -> "12.5", as str() writes it
    fraction = pc.if_else(pc.equal(pc.binary_length(fraction), 0), "0", fraction)
    sign = pa.array(np.where(np.signbit(values), "-", ""))  # -0.0 stays "-0,0" like str()
    text = pc.binary_join_element_wise(pc.binary_join_element_wise(sign, whole, ""), fraction, ",")
    out = text.to_numpy(zero_copy_only=False).astype(object)
    out[~finite] = None
    return out


#: Texts Excel turns into numbers when it opens a csv file, losing what made them distinct:
#: leading zeros (``00123`` -> 123) and more than 15 digits (the rest become zeros).
_NUMBER_LIKE = r"^(?:0\d+|\d{16,})$"


#: What :func:`pandas.api.types.infer_dtype` calls an object column without any text.
_NOT_TEXT = frozenset({"empty", "date", "datetime", "datetime64", "floating", "integer", "boolean"})


def csv_number_like_notes(sheet: str, frame: pd.DataFrame) -> list[Problem]:
    """A warning for each text column holding ids that Excel would read as numbers.

    Excel opens a csv file by double-click with every column as *General*: ``00123``,
    ``0123`` and ``123`` all become the number 123, three customers look like one. A csv file
    cannot say "this column is text" (a ``="00123"`` cell would be a formula, which we never
    write); the note names the column and the way out (xlsx, or importing the column as text).
    """
    notes: list[Problem] = []
    for header, column in _text_columns(frame):
        if pd.api.types.infer_dtype(column, skipna=True) in _NOT_TEXT:
            continue  # dates, numbers or nothing in an object column: no id text
        hit = column.astype("string").str.fullmatch(_NUMBER_LIKE).fillna(False).to_numpy(bool)
        if hit.any():
            notes.append(
                Problem(
                    "csv_number_like",
                    texts.message(
                        "csv_number_like",
                        count=int(hit.sum()),
                        example=str(column[hit].iloc[0]),
                    ),
                    severity="warning",
                    table=sheet,
                    column=str(header),
                )
            )
    return notes


#: Decimals a csv number keeps, by the workbook's number format of its column: what the
#: workbook shows (euros to the cent, scores to a tenth, shares to a tenth of a percent).
CSV_DECIMALS = {'#,##0.00 "€"': 2, "0.0": 1, "0.0 %": 3, "0 %": 2, "#,##0": 0}


def _as_shown(frame: pd.DataFrame, spec: BlockSpec | None) -> pd.DataFrame:
    """The table as the workbook shows it, for a csv file a German Excel opens.

    Numbers are rounded to the decimals of their column's number format (:data:`CSV_DECIMALS`;
    counts and points become whole numbers) and dates are written ``TT.MM.JJJJ``, which German
    Excel reads as dates (ISO dates it would keep as text). Amounts are summed exactly in cents;
    their differences in euros carry binary noise (``7179.389999999999``) that a number format
    hides in a workbook but a csv file shows. Full precision: parquet.
    """
    from kundenwert_xl.report import DATE

    if spec is None:
        return frame
    changed: dict[str, pd.Series] = {}
    for column in spec.columns:
        if column.header not in frame:
            continue
        values = frame[column.header]
        decimals = CSV_DECIMALS.get(column.fmt or "")
        if decimals is not None and pd.api.types.is_float_dtype(values):
            rounded = values.round(decimals)
            changed[column.header] = rounded.astype("Int64") if decimals == 0 else rounded
        elif column.fmt == DATE and not pd.api.types.is_numeric_dtype(values):
            dates = pd.to_datetime(values, errors="coerce").to_numpy("datetime64[ms]")
            # Arrow formats the whole column in C (pandas' strftime goes date by date).
            shown = pc.strftime(pa.array(dates), format="%d.%m.%Y")
            changed[column.header] = pd.Series(
                shown.to_numpy(zero_copy_only=False), index=values.index, dtype=object
            )
    return frame.assign(**changed) if changed else frame


def _places(spec: BlockSpec | None) -> dict[str, int]:
    """Header -> decimals its csv numbers are rounded to (:data:`CSV_DECIMALS`)."""
    if spec is None:
        return {}
    return {
        c.header: CSV_DECIMALS[c.fmt]
        for c in spec.columns
        if c.fmt in CSV_DECIMALS and CSV_DECIMALS[c.fmt] > 0
    }


def long_text_notes(blocks: list[Block]) -> list[Problem]:
    """A note for each block column holding text longer than an Excel cell takes.

    Every writer keeps the first :data:`~kundenwert_xl.cells.EXCEL_CELL_CHARS` characters of
    such a text (XlsxWriter by itself, :mod:`kundenwert_xl.io.patch` by design); the note names
    the sheet, the column, how many cells and the longest length.
    """
    return [
        note
        for block in blocks
        if block.rows
        for note in table_text_notes(block.spec.sheet, _block_frame(block))
    ]


def _block_frame(block: Block) -> pd.DataFrame:
    """A block's rows as a frame under its headers (a large table straight from its columns)."""
    from kundenwert_xl.report import TableRows

    headers = [c.header for c in block.spec.columns]
    if isinstance(block.rows, TableRows):
        columns = [c.reset_index(drop=True) for c in block.rows.columns]
        return pd.concat(columns, axis=1, keys=headers)
    return pd.DataFrame(list(block.rows), columns=headers)


def _text_columns(frame: pd.DataFrame) -> Iterator[tuple[str, pd.Series]]:
    """The columns of ``frame`` that may hold text (object, string or categorical)."""
    for header in frame.columns:
        column = frame[header]
        text = column.dtype == object or pd.api.types.is_string_dtype(column)
        if text or isinstance(column.dtype, pd.CategoricalDtype):
            yield header, column


def table_text_notes(sheet: str, frame: pd.DataFrame) -> list[Problem]:
    """:func:`long_text_notes` for one table of ``sheet`` (headers as the sheet shows them)."""
    notes: list[Problem] = []
    for header, column in _text_columns(frame):
        lengths = cells.cell_lengths(column)
        too_long = lengths > EXCEL_CELL_CHARS
        if too_long.any():
            notes.append(
                Problem(
                    "cell_too_long",
                    texts.message(
                        "cell_too_long",
                        count=texts.count(int(too_long.sum()), "cell"),
                        longest=texts.format_int(int(lengths.max())),
                        most=texts.format_int(EXCEL_CELL_CHARS),
                    ),
                    severity="warning",
                    table=sheet,
                    column=str(header),
                )
            )
    return notes


def write_layout(
    path: Path, blocks: list[Block], sheet_order: list[str], footer: str | None = None
) -> list[Problem]:
    """Write result blocks to an ``.xlsx`` file laid out like the workbook's result sheets.

    Every block sits where :data:`kundenwert_xl.report.LAYOUT` puts it in the workbook: title
    in its first row, header below, data below that; the same number formats, column widths
    and header rows as the template, and its print setup (landscape A4, one page wide, the
    rows down to the header repeated, ``footer`` from :func:`kundenwert_xl.report.print_footer`;
    *Übersicht* on one page). Charts stay the workbook's.

    Returns
    -------
    list of Problem
        Notes on texts longer than an Excel cell holds (see :func:`long_text_notes`); the
        file's Prüfprotokoll carries them too.

    Raises
    ------
    KundenwertError
        When the file cannot be written (see :func:`atomic_write`).
    """
    from kundenwert_xl.report import sheet_overflow, with_notes

    too_long = sheet_overflow(blocks)
    if too_long:  # XlsxWriter would stop half way with an English ValueError
        raise KundenwertError(too_long)
    notes = long_text_notes(blocks)
    noted = with_notes(blocks, notes)
    atomic_write(path, lambda tmp: _write_layout_xlsx(tmp, noted, sheet_order, footer))
    return notes


def _write_layout_xlsx(
    path: Path, blocks: list[Block], sheet_order: list[str], footer: str | None
) -> None:
    from kundenwert_xl import report

    options = {"strings_to_formulas": False, "strings_to_urls": False, "nan_inf_to_errors": True}
    buffer = io.BytesIO()
    dates = {"date_format": "DD.MM.YYYY", "datetime_format": "DD.MM.YYYY"}
    with pd.ExcelWriter(
        buffer, engine="xlsxwriter", engine_kwargs={"options": options}, **dates
    ) as xw:
        book = xw.book
        title = book.add_format({"bold": True, "font_size": 14, "font_color": "#1F3864"})
        header = book.add_format(
            {"bold": True, "font_color": "#FFFFFF", "bg_color": "#1F3864", "text_wrap": True}
        )
        header.set_align("top")
        formats: dict[str | None, object] = {}

        def fmt(code: str | None) -> object:
            if code not in formats:
                formats[code] = book.add_format({"num_format": code} if code else {})
            return formats[code]

        used = {block.spec.sheet for block in blocks}
        sheets = {name: book.add_worksheet(name) for name in sheet_order if name in used}
        header_rows: dict[tuple[str, int], int] = {}
        for name, sheet in sheets.items():
            # The template's print setup (template.build._print_setup), in XlsxWriter's words.
            overview = name == report.SHEETS["overview"]
            sheet.set_landscape()
            sheet.set_paper(9)  # A4
            sheet.fit_to_pages(1, 1 if overview else 0)
            if not overview:
                sheet.repeat_rows(0, min(s.row for s in report.LAYOUT if s.sheet == name))
            if footer:
                sheet.set_footer(footer)
            widths = report.column_widths(name)
            for col, width in widths.items():
                open_block = next(
                    (b.spec for b in blocks if b.spec.sheet == name and b.spec.max_rows is None),
                    None,
                )
                code = None
                if open_block is not None and open_block.col <= col:
                    index = col - open_block.col
                    if index < len(open_block.columns):
                        code = open_block.columns[index].fmt
                # XlsxWriter adds Excel's cell padding (5 px at 7 px per digit) to a width,
                # openpyxl (the template) stores it as given: the same number in the file.
                stored = width - XLSXWRITER_PADDING
                sheet.set_column(col - 1, col - 1, stored, fmt(code) if code else None)
        for block in blocks:
            spec = block.spec
            sheet = sheets[spec.sheet]
            widths = report.column_widths(spec.sheet)
            r0, c0 = spec.row - 1, spec.col - 1  # XlsxWriter counts from 0
            sheet.write_string(r0, c0, block.title or spec.title, title)
            for j, column in enumerate(spec.columns):
                sheet.write_string(r0 + 1, c0 + j, column.header, header)
            lines = max(
                report.header_lines(c.header, widths[spec.col + j])
                for j, c in enumerate(spec.columns)
            )
            key = (spec.sheet, r0 + 1)
            header_rows[key] = max(header_rows.get(key, 1), lines)
            if spec.max_rows is None:
                # Open-ended blocks (one per sheet): the column formats set above apply.
                frame = pd.DataFrame(list(block.rows), columns=[c.header for c in spec.columns])
                # Cut as Excel counts (XlsxWriter counts characters, an emoji is two units).
                frame = frame.apply(cells.cut_texts)
                with warnings.catch_warnings():
                    # XlsxWriter's English warning on a cut text: long_text_notes says it in German.
                    warnings.filterwarnings("ignore", "Cell contents too long", UserWarning)
                    frame.to_excel(
                        xw,
                        sheet_name=spec.sheet,
                        startrow=r0 + 2,
                        startcol=c0,
                        index=False,
                        header=False,
                    )
                sheet.freeze_panes(r0 + 2, 0)
                sheet.autofilter(
                    r0 + 1, c0, r0 + 1 + max(len(frame), 1), c0 + len(spec.columns) - 1
                )
                continue
            # Fixed-size blocks (at most a few dozen rows) share columns with other blocks:
            # a format per cell, the column's own or the row's (the headline figures).
            for i, row in enumerate(block.rows):
                for j, value in enumerate(row):
                    column = spec.columns[j]
                    code = column.fmt
                    if code is None and spec.row_formats and i < len(spec.row_formats):
                        code = spec.row_formats[i]
                    _write_value(sheet, r0 + 2 + i, c0 + j, value, fmt(code))
        for (name, header_row), lines in header_rows.items():
            sheets[name].set_row(header_row, 15 * lines + 3)
    with path.open("wb") as fh:
        fh.write(buffer.getbuffer())


def _write_value(sheet: Any, row: int, col: int, value: object, cell_format: object) -> None:
    """One cell as the workbook holds it: text as text, numbers and dates with their format.

    ``sheet`` is an XlsxWriter worksheet (XlsxWriter has no type hints).
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        sheet.write_blank(row, col, None, cell_format)
    elif isinstance(value, str):
        sheet.write_string(row, col, cells.cut_text(value), cell_format)
    elif isinstance(value, bool):
        sheet.write_boolean(row, col, value, cell_format)
    elif isinstance(value, dt.datetime | dt.date):
        if not isinstance(value, dt.datetime):
            value = dt.datetime.combine(value, dt.time())
        sheet.write_datetime(row, col, value, cell_format)
    else:
        sheet.write_number(row, col, float(cast(float, value)), cell_format)
