"""Read input tables from files: csv (German or international dialect), parquet, xlsx/xlsm.

Workbooks are read with fastexcel (Rust calamine into Arrow; measured 1.8 s per million rows
against 22.5 s for openpyxl read-only). Tables are found by their Excel Table name
(``Transaktionen``, ``Kunden``, ``Werbekontakte``, ``Einstellungen``), else by a sheet of that
name with the header in row 1, so a plain export works too.
"""

from __future__ import annotations

import codecs
import csv
import stat
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pandas as pd
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from kundenwert_xl import texts
from kundenwert_xl.actions import Inputs, trim_blank_tail
from kundenwert_xl.core import schema
from kundenwert_xl.core.errors import KundenwertError, Problem
from kundenwert_xl.io import ooxml

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm"}
#: Column kinds read as text in every reader, so ``000123`` never becomes the number 123.
ID_COLUMNS = frozenset({"customer_id", "order_id"})
_CHUNK = 1 << 20
# A well-formed OOXML prolog is a few hundred bytes; one that goes on for longer than this is
# either broken or built to make a reader work.
_MAX_PROLOG = 1 << 16
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _io_error(path: Path, detail: str) -> KundenwertError:
    return KundenwertError(
        [Problem("io", texts.message("io_error", path=str(path), detail=detail), table=path.name)]
    )


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
        raise _io_error(path, exc.strerror or str(exc)) from None
    if not stat.S_ISREG(info.st_mode):
        raise _io_error(path, texts.IO_DETAILS["not_regular"])
    if info.st_size == 0:
        raise _io_error(path, texts.IO_DETAILS["empty_file"])
    return info.st_size


def read_inputs(path: str | Path) -> Inputs:
    """Read the inputs from a workbook, or the transactions from a csv/parquet file."""
    path = Path(path)
    check_regular_file(path)
    suffix = path.suffix.lower()
    if suffix in WORKBOOK_SUFFIXES:
        return read_workbook(path)
    if suffix == ".csv":
        return Inputs(read_csv(path))
    if suffix in (".parquet", ".pq"):
        return Inputs(read_parquet(path))
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


def read_csv(path: Path) -> pd.DataFrame:
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
    }
    if german:
        kwargs.update(decimal=",")
    try:
        frame = pd.read_csv(path, **kwargs)
    except (ValueError, pd.errors.ParserError) as exc:
        raise _io_error(path, str(exc)) from None
    if len(labels) == frame.shape[1]:
        frame.columns = [label.strip() for label in labels]
    return frame


def check_xml_parts(path: Path, zf: zipfile.ZipFile) -> None:
    """Refuse a workbook whose XML parts declare a DTD or entities, before anything parses them.

    A DTD is only allowed before the root element, so each part is parsed (by defusedxml, with
    DTDs forbidden) just up to its root tag; the rest of a large sheet is never read here.
    """
    for info in zf.infolist():
        if not info.filename.lower().endswith((".xml", ".rels", ".vml")):
            continue
        parser = DefusedXMLParser(
            target=_StopAtRoot(), forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
        read = 0
        try:
            with zf.open(info) as fh:
                while chunk := fh.read(4096):
                    parser.feed(chunk)
                    read += len(chunk)
                    if read > _MAX_PROLOG:
                        raise ET.ParseError("prolog too long")
                parser.close()
        except _RootReached:
            continue
        except DefusedXmlException:
            raise _io_error(
                path, texts.IO_DETAILS["hostile_xml"].format(part=info.filename)
            ) from None
        except (ET.ParseError, zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            raise _io_error(
                path, texts.IO_DETAILS["broken_part"].format(part=info.filename, detail=exc)
            ) from None


class _RootReached(Exception):
    """Raised by the parser target at the first element: the prolog is over."""


class _StopAtRoot:
    def start(self, tag: str, attrib: dict[str, str]) -> None:
        raise _RootReached

    def close(self) -> None:
        return None


def guard_package(path: Path) -> None:
    """Refuse an unsafe workbook package (zip bomb, paths outside, DTD) before any reader."""
    from kundenwert_xl.io.package import check_package

    try:
        check_package(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise _io_error(path, str(exc)) from None


def read_workbook(path: Path) -> Inputs:
    """Read every input table and the Einstellungen of a workbook."""
    import fastexcel

    guard_package(path)
    try:
        with zipfile.ZipFile(path) as zf:
            check_xml_parts(path, zf)
            table_map = ooxml.tables(zf)
        reader = fastexcel.read_excel(str(path))
    except (zipfile.BadZipFile, KeyError, OSError, ET.ParseError, fastexcel.FastExcelError) as exc:
        raise _io_error(path, str(exc)) from None
    for info in table_map.values():
        if not _valid_ref(info.ref):
            raise _io_error(
                path, texts.IO_DETAILS["bad_table_ref"].format(table=info.name, ref=info.ref)
            )
    sheets = {name.casefold(): name for name in reader.sheet_names}
    frames: dict[str, pd.DataFrame | None] = {}
    first_rows: dict[str, int] = {}
    try:
        for key in ("transactions", "customers", "contacts", "settings", "segment_rules"):
            german = texts.TABLE_NAMES[key]
            info = table_map.get(german.casefold())
            if info is not None:
                frames[key] = _load(reader, key, table=info.name)
                first_rows[key] = info.first_row + 1
            elif german.casefold() in sheets:
                frames[key] = _load(reader, key, sheet=sheets[german.casefold()])
                first_rows[key] = 2
            else:
                frames[key] = None
        if frames["transactions"] is None:
            if len(reader.sheet_names) != 1:
                raise _io_error(path, texts.IO_DETAILS["no_transactions"])
            frames["transactions"] = _load(reader, "transactions", sheet=0)
            first_rows["transactions"] = 2
    except fastexcel.FastExcelError as exc:
        raise _io_error(path, str(exc)) from None
    settings = settings_mapping(frames["settings"])
    rules = trim_blank_tail(frames["segment_rules"])
    if rules is not None:
        settings[texts.SETTING_LABELS["segment_rules"]] = segment_rules(rules)
    transactions = trim_blank_tail(frames["transactions"])
    return Inputs(
        transactions=frames["transactions"] if transactions is None else transactions,
        customers=trim_blank_tail(frames["customers"]),
        contacts=trim_blank_tail(frames["contacts"]),
        settings=settings,
        first_rows=first_rows,
    )


def _valid_ref(ref: str) -> bool:
    """Whether ``ref`` is a cell range inside Excel's grid (``A1:XFD1048576``)."""
    try:
        c1, r1, c2, r2 = ooxml.split_ref(ref)
    except ValueError:
        return False
    return 1 <= c1 <= c2 <= EXCEL_COLUMNS and 1 <= r1 <= r2 <= EXCEL_ROWS


EXCEL_ROWS = 1_048_576
EXCEL_COLUMNS = 16_384


def _load(
    reader: object, key: str, table: str | None = None, sheet: str | int | None = None
) -> pd.DataFrame:
    """One table or sheet as a frame: id columns as text, headers as written.

    The header row is read first (one row) so that the id columns can be read as text: a
    customer number ``000123`` typed as text stays ``000123``, and the number 1001 becomes
    ``"1001"``. fastexcel renames a repeated header (``Umsatz_1``); the frame gets the labels as
    written back, so the schema reports the repetition instead of dropping a column.
    """
    if table is not None:
        head = reader.load_table(table, n_rows=0, eager=True)  # type: ignore[attr-defined]
        labels = [str(name) for name in head.column_names]
    else:
        head = reader.load_sheet(sheet, header_row=None, n_rows=1)  # type: ignore[attr-defined]
        first = head.to_pandas()
        labels = ["" if pd.isna(v) else str(v) for v in first.iloc[0]] if len(first) else []
    dtypes = {
        position: "string"
        for position, label in enumerate(labels)
        if key in schema.SCHEMAS and schema.column_name(key, label) in ID_COLUMNS
    }
    options = {"schema_sample_rows": None, "dtypes": dtypes or None}
    if table is not None:
        frame = reader.load_table(table, **options).to_pandas()  # type: ignore[attr-defined]
    else:
        frame = reader.load_sheet(sheet, **options).to_pandas()  # type: ignore[attr-defined]
    if len(labels) == frame.shape[1] and table is None:
        frame.columns = [label.strip() if label else name for label, name in
                         zip(labels, frame.columns, strict=True)]
    return frame


def segment_rules(frame: pd.DataFrame) -> list[dict[str, object]]:
    """Rows of the Segmentregeln table (name, R von, R bis, F von, F bis, M von, M bis)."""
    rules = []
    for row in frame.dropna(how="all").itertuples(index=False):
        name, r1, r2, f1, f2, m1, m2 = list(row)[:7]
        rules.append({"name": name, "r": (r1, r2), "f": (f1, f2), "m": (m1, m2)})
    return rules


def settings_mapping(frame: pd.DataFrame | None) -> dict[str, object]:
    """Key/value pairs from the Einstellungen table (first column key, second value)."""
    if frame is None or frame.shape[1] < 2:
        return {}
    out: dict[str, object] = {}
    for key, value in zip(frame.iloc[:, 0], frame.iloc[:, 1], strict=True):
        if isinstance(key, str) and key.strip():
            out[key.strip()] = None if pd.isna(value) else value
    return out
