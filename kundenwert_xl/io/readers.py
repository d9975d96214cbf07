"""Read input tables from files: csv (German or international dialect), parquet, xlsx/xlsm.

Workbooks are read with fastexcel (Rust calamine into Arrow; measured 1.8 s per million rows
against 22.5 s for openpyxl read-only). Tables are found by their Excel Table name
(``Transaktionen``, ``Kunden``, ``Werbekontakte``, ``Einstellungen``), else by a sheet of that
name with the header in row 1, so a plain export works too.
"""

from __future__ import annotations

import codecs
import csv
import errno
import logging
import re
import stat
import warnings
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING
from xml.etree import ElementTree as ET

import pandas as pd

from kundenwert_xl import texts
from kundenwert_xl.cells import EXCEL_COLUMNS, EXCEL_ROWS
from kundenwert_xl.core import schema
from kundenwert_xl.core.errors import KundenwertError, Problem
from kundenwert_xl.io import ooxml

if TYPE_CHECKING:
    import fastexcel

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm"}
#: Column kinds read as text in every reader, so ``000123`` never becomes the number 123.
ID_COLUMNS = frozenset({"customer_id", "order_id"})
_CHUNK = 1 << 20
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


# fastexcel logs an empty column ("Could not determine dtype for column 5, falling back to
# string") as a WARNING; with no handler anywhere, Python's last-resort handler would print that
# English line on every read of a workbook whose optional columns are empty, the normal case.
# The schema checks every column itself; an application that configures logging still sees it.
logging.getLogger("fastexcel").addHandler(logging.NullHandler())


def _io_error(path: Path, detail: str) -> KundenwertError:
    return KundenwertError(
        [Problem("io", texts.message("io_error", path=str(path), detail=detail), table=path.name)]
    )


def read_error_detail(exc: BaseException) -> str:
    """The German reason a file could not be read (never the system's English text alone)."""
    if isinstance(exc, zipfile.BadZipFile):
        return texts.IO_DETAILS["not_zip"]
    if isinstance(exc, OSError):
        reasons = {
            errno.ENOENT: "missing",
            errno.EACCES: "no_permission",
            errno.EPERM: "no_permission",
            errno.EISDIR: "not_regular",
            errno.ENAMETOOLONG: "name_too_long",
        }
        key = reasons.get(exc.errno or -1)
        if key is not None:
            return texts.IO_DETAILS[key]
        return texts.IO_DETAILS["os_other"].format(detail=exc.strerror or exc)
    return str(exc)


def check_regular_file(path: Path) -> int:
    """Refuse what is not a readable regular file, before anything opens it.

    Opening a FIFO blocks until a writer appears, and a device never ends, so this looks at
    the file's type only (``stat``, which follows symlinks to their target).

    Returns
    -------
    int
        The size in bytes.
    """
    try:
        info = path.stat()
    except FileNotFoundError:
        raise _io_error(path, texts.IO_DETAILS["missing"]) from None
    except OSError as exc:
        raise _io_error(path, read_error_detail(exc)) from None
    if not stat.S_ISREG(info.st_mode):
        raise _io_error(path, texts.IO_DETAILS["not_regular"])
    if info.st_size == 0:
        raise _io_error(path, texts.IO_DETAILS["empty_file"])
    return info.st_size


def read_table(path: str | Path, table: str = "transactions") -> pd.DataFrame:
    """Read the one table of a csv or parquet file.

    ``table`` names what the file holds (``customers`` for ``--kunden``), so that a problem of
    its rows names that table. Workbooks are :func:`read_workbook`'s.
    """
    path = Path(path)
    check_regular_file(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return read_csv(path, table)
    if suffix in (".parquet", ".pq"):
        return read_parquet(path)
    raise _io_error(path, texts.IO_DETAILS["suffix"])


def read_parquet(path: Path) -> pd.DataFrame:
    """Read a parquet file; a file that is not parquet is a file problem, not a crash."""
    import pyarrow

    try:
        return pd.read_parquet(path)
    except (pyarrow.ArrowException, ValueError, OSError) as exc:
        raise _io_error(path, texts.IO_DETAILS["not_parquet"].format(detail=exc)) from None


def detect_encoding(path: Path) -> str:
    """The text encoding of a csv file, decided over the whole file.

    A byte order mark decides (UTF-8, UTF-16, UTF-32). Otherwise the file is decoded strictly as
    UTF-8 from the first byte to the last (streamed, so a 1 GB file costs 1 MB of memory); if
    that fails anywhere, strictly as Windows-1252 (cp1252), the other encoding German Excel and
    ERP exports write. A file that is neither is refused, naming the byte that fails.

    Raises
    ------
    KundenwertError
        With code ``io``: the file is UTF-16 without a byte order mark, or neither UTF-8 nor
        cp1252.
    """
    with path.open("rb") as fh:
        head = fh.read(4)
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding
    if b"\x00" in head:
        # NUL bytes in plain text are UTF-16 (or UTF-32) written without a byte order mark.
        raise _io_error(path, texts.IO_DETAILS["utf16_without_bom"])
    failure = None
    for encoding in ("utf-8", "cp1252"):
        failure = _strict_decode_error(path, encoding)
        if failure is None:
            return encoding
        if encoding == "utf-8":
            utf8_failure = failure
    # Both decodings failed, so both failures are known here.
    assert failure is not None and utf8_failure is not None
    raise _io_error(
        path,
        texts.IO_DETAILS["encoding"].format(
            byte=f"0x{failure[1]:02X}", position=utf8_failure[0] + 1
        ),
    )


def _strict_decode_error(path: Path, encoding: str) -> tuple[int, int] | None:
    """Position and value of the first byte ``encoding`` cannot decode, or None."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    offset = 0
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            try:
                decoder.decode(chunk, final=False)
            except UnicodeDecodeError as exc:
                return offset + exc.start, chunk[exc.start]
            offset += len(chunk)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return offset, 0
    return None


def _header_line(path: Path, encoding: str) -> str:
    with path.open("rb") as fh:
        raw = fh.read(65536)
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(raw, final=False)
    lines = text.lstrip("\ufeff").splitlines()
    return lines[0] if lines else ""


def read_csv(path: Path, table: str = "transactions") -> pd.DataFrame:
    """Read a csv file; a ``;`` in the header line means the German dialect.

    German dialect: ``;`` separator, decimal comma. The encoding is detected over the whole file
    (:func:`detect_encoding`). Id columns (customer and order numbers) are read as text in both
    dialects, so leading zeros stay. Only empty fields are blank: ``NA`` or ``NULL`` stay text
    and are reported where a number or date is expected, never silently dropped. Headers keep
    their spelling, duplicates included, so a header given twice is reported by the schema.
    No thousands separator is given to the parser on purpose: it would turn the date
    ``31.02.2024`` into the number 31022024; ``1.234,56`` stays text and the schema parses it
    (and flags ``1.234``).
    """
    encoding = detect_encoding(path)
    head = _header_line(path, encoding)
    if not head.strip():
        raise _io_error(path, texts.IO_DETAILS["no_header"])
    german = ";" in head
    sep = ";" if german else ","
    labels = next(csv.reader([head], delimiter=sep))
    dtypes = {
        position: "str"
        for position, label in enumerate(labels)
        if any(
            schema.column_name(table, label) in ID_COLUMNS
            for table in ("transactions", "customers", "contacts")
        )
    }
    kwargs: dict[str, object] = {
        "sep": sep,
        "encoding": encoding,
        "dtype": dtypes,
        "keep_default_na": False,
        "na_values": [""],
        "index_col": False,
        # A blank line is a row: skipped, later rows would be named one line too early. The
        # schema skips it (with a note naming it) like any empty row.
        "skip_blank_lines": False,
    }
    if german:
        kwargs.update(decimal=",")
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", pd.errors.ParserWarning)
            frame = pd.read_csv(path, **kwargs)
    except pd.errors.ParserError as exc:
        raise _csv_shape_error(path, encoding, sep, len(labels), str(exc), table) from None
    except ValueError as exc:
        raise _io_error(path, str(exc)) from None
    if any(issubclass(w.category, pd.errors.ParserWarning) for w in caught):
        # pandas would drop the extra fields of the first data row with only a warning.
        raise _csv_shape_error(path, encoding, sep, len(labels), "", table)
    if len(labels) == frame.shape[1]:
        frame.columns = [label.strip() for label in labels]
    if len(labels) > 1 and frame.iloc[:, -1].isna().any():
        # pandas fills a row with too few fields with blanks and says nothing; only a row whose
        # last field is blank can be one, and only then is the file streamed once more.
        short = _short_row(path, encoding, sep, len(labels), table)
        if short is not None:
            raise short
    return frame


def _short_row(
    path: Path, encoding: str, sep: str, width: int, table: str
) -> KundenwertError | None:
    """The first row with fewer fields than the header (file and line named), or None."""
    with path.open(encoding=encoding, newline="") as fh:
        # Rows counted as records, like every other message (a quoted line break is no row).
        for line, fields in enumerate(csv.reader(fh, delimiter=sep), start=1):
            # A row of separators only (";;;;") is an empty row, however many it has.
            if fields and len(fields) < width and any(f.strip() for f in fields):
                return KundenwertError(
                    [
                        Problem(
                            "csv_short_fields",
                            texts.message(
                                "csv_short_fields",
                                file=path.name,
                                count=len(fields),
                                width=width,
                            ),
                            table=texts.TABLE_NAMES[table],
                            row=line,
                        )
                    ]
                )
    return None


def _csv_shape_error(
    path: Path, encoding: str, sep: str, width: int, detail: str, table: str
) -> KundenwertError:
    """The first row with more fields than the header, or the unclosed quote, in German.

    Only on this error path is the file read a second time (streamed by the csv module).
    """
    quote = re.search(r"EOF inside string starting at row (\d+)", detail)
    if quote:
        return KundenwertError(
            [
                Problem(
                    "csv_quote",
                    texts.message("csv_quote"),
                    table=texts.TABLE_NAMES[table],
                    row=int(quote[1]) + 1,
                )
            ]
        )
    with path.open(encoding=encoding, newline="") as fh:
        for number, fields in enumerate(csv.reader(fh, delimiter=sep), start=1):
            if len(fields) > width:
                return KundenwertError(
                    [
                        Problem(
                            "csv_fields",
                            texts.message("csv_fields", count=len(fields), width=width),
                            table=texts.TABLE_NAMES[table],
                            row=number,
                        )
                    ]
                )
    return _io_error(path, texts.IO_DETAILS["not_csv"].format(detail=detail))


def guard_package(path: Path) -> None:
    """Refuse an unsafe workbook package (zip bomb, paths outside, DTD) before any reader."""
    from kundenwert_xl.io.package import check_package

    try:
        check_package(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise _io_error(path, read_error_detail(exc)) from None


def read_workbook(path: Path) -> tuple[dict[str, pd.DataFrame | None], dict[str, int]]:
    """Read every input table and the Einstellungen of a workbook.

    Returns
    -------
    frames : dict
        Table key (transactions, customers, contacts, settings, segment_rules) -> the table
        with its headers as written, None when the workbook has none; the transactions are
        always there (a workbook without them is refused here, naming the file).
    first_rows : dict
        Table key -> sheet row of its first data row, for messages that name sheet rows.
    """
    import fastexcel

    reader, table_map = _open_workbook(path)
    frames: dict[str, pd.DataFrame | None] = {}
    first_rows: dict[str, int] = {}
    try:
        for key in ("transactions", "customers", "contacts", "settings", "segment_rules"):
            found = _find_table(reader, table_map, key)
            frames[key] = None if found is None else found[0]
            if found is not None:
                first_rows[key] = found[1]
        if frames["transactions"] is None:
            if len(reader.sheet_names) != 1:
                raise _io_error(path, texts.IO_DETAILS["no_transactions"])
            frames["transactions"] = _load(reader, sheet=0)
            first_rows["transactions"] = 2
    except fastexcel.FastExcelError as exc:
        raise _io_error(path, str(exc)) from None
    return frames, first_rows


def read_workbook_table(path: Path, key: str) -> tuple[pd.DataFrame, int]:
    """One input table of a workbook given for it alone (``--kunden kunden.xlsx``).

    The Excel Table or sheet named like the table (``Kunden``), else the workbook's only
    sheet. Returns the table and the sheet row of its first data row.

    Raises
    ------
    KundenwertError
        When the workbook has several sheets and none of that name: it is never read as
        something else, and never left out without a word.
    """
    import fastexcel

    reader, table_map = _open_workbook(path)
    try:
        found = _find_table(reader, table_map, key)
        if found is None and len(reader.sheet_names) == 1:
            found = (_load(reader, sheet=0), 2)
    except fastexcel.FastExcelError as exc:
        raise _io_error(path, str(exc)) from None
    if found is None:
        detail = texts.IO_DETAILS["no_table"].format(table=texts.TABLE_NAMES[key])
        raise _io_error(path, detail)
    return found


def _open_workbook(path: Path) -> tuple[fastexcel.ExcelReader, dict[str, ooxml.TableInfo]]:
    """The checked package's reader and its Excel Tables by folded name."""
    import fastexcel

    guard_package(path)  # DTDs, zip bombs and foreign paths are refused there, before parsing
    try:
        with zipfile.ZipFile(path) as zf:
            table_map = ooxml.tables(zf)
        reader = fastexcel.read_excel(str(path))
    except ET.ParseError as exc:
        raise _io_error(path, texts.IO_DETAILS["broken_xml"].format(detail=exc)) from None
    except (zipfile.BadZipFile, KeyError, OSError, fastexcel.FastExcelError) as exc:
        raise _io_error(path, read_error_detail(exc)) from None
    for info in table_map.values():
        if not _valid_ref(info.ref):
            raise _io_error(
                path, texts.IO_DETAILS["bad_table_ref"].format(table=info.name, ref=info.ref)
            )
    return reader, table_map


def _find_table(
    reader: fastexcel.ExcelReader, table_map: dict[str, ooxml.TableInfo], key: str
) -> tuple[pd.DataFrame, int] | None:
    """The Excel Table named like input table ``key``, else the sheet of that name."""
    german = texts.TABLE_NAMES[key]
    found = table_map.get(german.casefold())
    if found is not None:
        return _load(reader, table=found.name), found.first_row + 1
    sheets = {name.casefold(): name for name in reader.sheet_names}
    if german.casefold() in sheets:
        return _load(reader, sheet=sheets[german.casefold()]), 2
    return None


def _valid_ref(ref: str) -> bool:
    """Whether ``ref`` is a cell range inside Excel's grid (``A1:XFD1048576``)."""
    try:
        c1, r1, c2, r2 = ooxml.split_ref(ref)
    except ValueError:
        return False
    return 1 <= c1 <= c2 <= EXCEL_COLUMNS and 1 <= r1 <= r2 <= EXCEL_ROWS


def _load(
    reader: fastexcel.ExcelReader, table: str | None = None, sheet: str | int | None = None
) -> pd.DataFrame:
    """One table or sheet as a frame, with its headers as written.

    Id columns need no help here: a column with any text cell comes back as text (``000123``
    stays), one of numbers only as numbers, which the schema writes as ``"1001"``. A sheet may
    repeat a header, which fastexcel renames (``Umsatz_1``); only then is the header row read
    once more (parsing a sheet costs as much as reading it) and the labels as written put back,
    so the schema reports the repetition instead of dropping a column. Excel Tables cannot
    repeat a header.
    """
    if table is not None:
        return reader.load_table(table, schema_sample_rows=None).to_pandas()
    assert sheet is not None  # a table or a sheet is always named
    frame = reader.load_sheet(sheet, schema_sample_rows=None).to_pandas()
    names = {str(c) for c in frame.columns}
    renamed = (re.fullmatch(r"(.+)_\d+", name) for name in names)
    if any(m is not None and m[1] in names for m in renamed):
        head = reader.load_sheet(sheet, header_row=None, n_rows=1).to_pandas()
        labels = ["" if pd.isna(v) else str(v).strip() for v in head.iloc[0]]
        if len(labels) == frame.shape[1]:
            given = zip(labels, frame.columns, strict=True)
            frame.columns = [label or str(c) for label, c in given]
    return frame
