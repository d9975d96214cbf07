"""Declarative schema of the input tables and their vectorised validation.

Each table is a tuple of :class:`Column` specs. :func:`validate` maps German or internal headers
onto internal names, parses every column with one vectorised pass, and collects *all* problems
(never fail-fast) with Excel-style row numbers. Already-typed columns (numbers, datetimes,
categoricals) take a fast path without copies, so a million rows validate in milliseconds.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import sys
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from kundenwert_xl import texts
from kundenwert_xl.core import excel_dates
from kundenwert_xl.core.errors import KundenwertError, Problem, Severity
from kundenwert_xl.core.ledger import codes_in_use, is_strictly_sorted, sorted_codes

Kind = Literal["id", "date", "number", "cost", "bool", "text"]

#: Excel's day 0 for serial dates (the 1900 leap-year bug makes it 1899-12-30).
EXCEL_EPOCH = excel_dates.EPOCH_DAY
# Serial numbers are accepted as dates only for 1900-01-01..2099-12-31: a bigger number in a
# date column is far more likely a date mangled into digits (31.02.2024 -> 31022024).
_EXCEL_SERIAL_MAX = excel_dates.SERIAL_MAX
_MAX_PROBLEMS_PER_COLUMN = 50  # enough to fix a pattern; a million identical lines help no one
#: Largest amount (euros, either sign) one row may carry. Beyond it a value is a typo or a
#: placeholder, and sums of such values leave float64's exact range (1e308 overflows to inf).
AMOUNT_LIMIT = 1e12
#: Problem codes of the schema that do not stop the analysis: they name an assumption.
NOTE_CODES = frozenset({"zone_offset"})
#: Notes on how a table was read, told with its errors too.
READING_NOTES = frozenset({"unused_columns", "empty_rows_skipped"})


@dataclass(frozen=True)
class Column:
    """One column of an input table.

    Parameters
    ----------
    name : str
        Internal name (``customer_id``); the German header lives in :mod:`kundenwert_xl.texts`.
    kind : {"id", "date", "number", "cost", "bool", "text"}
        How the column is parsed. ``cost`` is a number that must not be negative.
    required : bool
        Whether the column must exist.
    """

    name: str
    kind: Kind
    required: bool = False


TRANSACTIONS = (
    Column("customer_id", "id", True),
    Column("date", "date", True),
    Column("revenue", "number", True),
    Column("order_id", "id"),
    Column("cost_of_goods", "number"),
    Column("returned", "bool"),
    Column("shipping_cost", "cost"),
    Column("discount", "number"),
)
CUSTOMERS = (
    Column("customer_id", "id", True),
    Column("name", "text"),
    Column("group", "text"),
    Column("sales_costs", "cost"),
    Column("marketing_costs", "cost"),
    Column("service_costs", "cost"),
)
CONTACTS = (
    Column("customer_id", "id", True),
    Column("date", "date", True),
    Column("channel", "text", True),
)
SCHEMAS: dict[str, tuple[Column, ...]] = {
    "transactions": TRANSACTIONS,
    "customers": CUSTOMERS,
    "contacts": CONTACTS,
}


def validate(
    frame: pd.DataFrame,
    table: str,
    first_row: int = 2,
    only: tuple[str, ...] | None = None,
    notes: list[Problem] | None = None,
) -> pd.DataFrame:
    """Return a clean frame with internal column names and parsed types, or raise.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table as read: German headers (``Kundennr``) or internal names (``customer_id``).
        Unknown columns are dropped.
    table : {"transactions", "customers", "contacts"}
        Which schema applies.
    first_row : int
        Excel row number of the first data row (2 when the header is in row 1), so messages
        point at the right row of the sheet.
    only : tuple of str, optional
        Parse only these columns (the required ones are always checked for presence).
    notes : list of Problem, optional
        Receives the problems that do not stop the analysis (notes such as a date read without
        its zone offset), so the caller can report them next to the result.

    Returns
    -------
    pandas.DataFrame
        Columns: every known column present in the input, parsed. ``id`` columns are strings
        (or categoricals of strings), ``date`` is ``datetime64`` at day precision, ``number``
        and ``cost`` are ``float64`` (NaN where blank in an optional column), ``bool`` is bool.

    Raises
    ------
    KundenwertError
        With every problem found: missing or duplicate columns, empty table, blank ids,
        unparseable dates or numbers, NaN/inf, negative costs, amounts beyond
        :data:`AMOUNT_LIMIT`, dates outside :data:`DATE_MIN`..:data:`DATE_MAX`, two-digit
        years, a customer listed twice in the customer table.
    """
    clean, problems = _parse_all(frame, table, first_row, only)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        # How the table was read goes with its errors: a missing column may be there under
        # another heading, and skipped empty rows explain the row numbers.
        raise KundenwertError(errors + [p for p in problems if p.code in READING_NOTES])
    if notes is not None:
        notes.extend(problems)
    return clean


def _parse_all(
    frame: pd.DataFrame, table: str, first_row: int, only: tuple[str, ...] | None = None
) -> tuple[pd.DataFrame, list[Problem]]:
    schema = SCHEMAS[table]
    table_de = texts.TABLE_NAMES[table]
    problems: list[Problem] = []
    mapping = _map_headers(frame, table, problems)
    for col in schema:
        if col.required and col.name not in mapping.values():
            problems.append(
                Problem(
                    "missing_column",
                    params={"column": texts.header(table, col.name)},
                    table=table_de,
                    column=texts.header(table, col.name),
                )
            )
    if len(frame) == 0:
        problems.append(Problem("empty_table", table=table_de))
    if any(p.severity == "error" for p in problems):
        return pd.DataFrame(), problems

    out: dict[str, pd.Series] = {}
    found: list[tuple[str, np.ndarray, pd.Series, Column]] = []
    for position, name in mapping.items():
        if only is not None and name not in only:
            continue
        spec = next(c for c in schema if c.name == name)
        raw = frame.iloc[:, position]
        parsed, bad = _PARSERS[spec.kind](raw, spec.required)
        out[name] = parsed
        found.extend((code, mask, raw, spec) for code, mask in bad.items())
    kept: np.ndarray | None = None  # row positions kept when empty rows are skipped
    empty = _empty_rows(frame, mapping, found)
    if empty is not None:
        if empty.all():
            return pd.DataFrame(), [*problems, Problem("empty_table", table=table_de)]
        problems.append(_empty_rows_note(empty, table, first_row))
        kept = np.flatnonzero(~empty)
        out = {name: _rows_at(column, kept) for name, column in out.items()}
        found = [(code, mask & ~empty, raw, spec) for code, mask, raw, spec in found]
    for code, mask, raw, spec in found:
        if not mask.any():
            continue
        if code == "ids_trimmed":
            problems.append(_trimmed_note(mask, raw, table, spec))
        else:
            problems.extend(_row_problems(code, mask, raw, table, spec, first_row))
    if "customer_id" in out:
        # Customer ids are the ledger's key: sorted once here, so that their codes already are
        # positions in the sorted customer list and nothing downstream maps strings again.
        out["customer_id"] = _sort_categories(out["customer_id"])
    if table == "customers" and "customer_id" in out:
        codes = np.asarray(out["customer_id"].array.codes)
        repeated = pd.Series(codes).duplicated(keep="first").to_numpy() & (codes >= 0)
        if repeated.any():
            if kept is not None:  # back to the rows of the sheet
                repeated = np.isin(np.arange(len(frame)), kept[repeated])
            spec = next(c for c in schema if c.name == "customer_id")
            raw = frame.iloc[:, next(p for p, n in mapping.items() if n == "customer_id")]
            problems.extend(
                _row_problems("duplicate_customer", repeated, raw, table, spec, first_row)
            )
    rows = len(frame) if kept is None else len(kept)
    # copy=False: columns already parsed (or unchanged) are shared, not duplicated.
    clean = pd.DataFrame(out, index=pd.RangeIndex(rows), copy=False)
    # Top-down like the sheet; within a row in column order (the sort is stable).
    problems.sort(key=lambda p: float("inf") if p.row is None else p.row)
    return clean, problems


def _empty_rows(
    frame: pd.DataFrame,
    mapping: dict[int, str],
    found: list[tuple[str, np.ndarray, pd.Series, Column]],
) -> np.ndarray | None:
    """Rows blank in every column that is read, or ``None`` when there are none.

    Only rows without a customer number can be empty, so only those are looked at: nothing is
    spent on a table without blank ids. Such a row (a cleared row inside an Excel Table) holds
    no data; it is skipped with a note instead of three errors per row.
    """
    blank_ids = next((mask for code, mask, _, _ in found if code == "blank_id"), None)
    if blank_ids is None:
        return None
    candidates = np.flatnonzero(blank_ids)
    empty = np.ones(len(candidates), dtype=bool)
    for position in mapping:
        empty &= _blank_mask(frame.iloc[candidates, position])
    if not empty.any():
        return None
    out = np.zeros(len(frame), dtype=bool)
    out[candidates[empty]] = True
    return out


def _empty_rows_note(empty: np.ndarray, table: str, first_row: int) -> Problem:
    rows = np.flatnonzero(empty) + first_row
    shown = ", ".join(str(r) for r in rows[:_EMPTY_ROWS_SHOWN])
    return Problem(
        "empty_rows_skipped",
        params={
            "count": len(rows),
            "rows": shown + (", …" if len(rows) > _EMPTY_ROWS_SHOWN else ""),
        },
        table=texts.TABLE_NAMES[table],
        severity="note",
    )


#: Row numbers the empty-rows note lists before it says "…".
_EMPTY_ROWS_SHOWN = 10


def _rows_at(column: pd.Series, positions: np.ndarray) -> pd.Series:
    """``column`` at ``positions``, numbered from 0 again."""
    return column.iloc[positions].reset_index(drop=True)


@functools.cache
def _header_lookup(table: str) -> dict[str, str]:
    lookup = {name.casefold(): name for name in texts.HEADERS[table]}
    lookup.update({de.casefold(): name for name, de in texts.HEADERS[table].items()})
    lookup.update(
        {
            alias: name
            for alias, name in texts.HEADER_ALIASES.items()
            if name in texts.HEADERS[table]
        }
    )
    return lookup


def column_name(table: str, label: object) -> str | None:
    """The internal column name a header means in ``table`` (German, alias or internal)."""
    return _header_lookup(table).get(str(label).strip().casefold())


def _map_headers(frame: pd.DataFrame, table: str, problems: list[Problem]) -> dict[int, str]:
    """Map column positions to internal names; report duplicates."""
    mapping: dict[int, str] = {}
    seen: dict[str, int] = {}
    unused: list[str] = []
    for position, label in enumerate(frame.columns):
        name = column_name(table, label)
        if name is None:
            if frame.iloc[:, position].notna().any():  # an empty spare column says nothing
                unused.append(str(label).strip())
            continue
        if name in seen:
            first = str(frame.columns[seen[name]]).strip()
            same = first.casefold() == str(label).strip().casefold()
            problems.append(
                Problem(
                    "duplicate_header" if same else "duplicate_header_alias",
                    params={
                        "column": texts.header(table, name),
                        "first": first,
                        "label": str(label).strip(),
                    },
                    table=texts.TABLE_NAMES[table],
                    column=str(label),
                )
            )
            continue
        seen[name] = position
        mapping[position] = name
        if str(label).strip().casefold() in texts.HEADER_ALIASES:
            # Another spelling was taken for one of ours: an assumption that moves numbers.
            problems.append(
                Problem(
                    "header_alias_revenue" if name == "revenue" else "header_alias",
                    params={"label": str(label).strip(), "column": texts.header(table, name)},
                    table=texts.TABLE_NAMES[table],
                    column=str(label),
                    severity="note",
                )
            )
    if unused:
        # A cost column headed "Wareneinsatz EUR" is not read: the rate is assumed instead.
        shown = ", ".join(f"'{label}'" for label in unused[:_UNUSED_SHOWN])
        problems.append(
            Problem(
                "unused_columns",
                params={
                    "count": len(unused),
                    "names": shown + (", …" if len(unused) > _UNUSED_SHOWN else ""),
                    "known": ", ".join(texts.HEADERS[table].values()),
                },
                table=texts.TABLE_NAMES[table],
                severity="note",
            )
        )
    return mapping


#: Unused column names a note lists before it says "…".
_UNUSED_SHOWN = 8


def _trimmed_note(mask: np.ndarray, raw: pd.Series, table: str, spec: Column) -> Problem:
    """One note for every id trimmed in a column, with the first as the example."""
    header = texts.header(table, spec.name)
    return Problem(
        "ids_trimmed",
        params={
            "count": int(mask.sum()),
            "column": header,
            "example": str(raw.iloc[int(np.argmax(mask))]),
        },
        table=texts.TABLE_NAMES[table],
        column=header,
        severity="note",
    )


def _row_problems(
    code: str, mask: np.ndarray, raw: pd.Series, table: str, spec: Column, first_row: int
) -> list[Problem]:
    rows = np.flatnonzero(mask)
    header = texts.header(table, spec.name)
    severity: Severity = "note" if code in NOTE_CODES else "error"
    found = []
    for i in rows[:_MAX_PROBLEMS_PER_COLUMN]:
        value = raw.iloc[i]
        shown = (
            "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)
        )
        found.append(
            Problem(
                code,
                params={"value": shown},
                table=texts.TABLE_NAMES[table],
                row=int(i) + first_row,
                column=header,
                value=shown,
                severity=severity,
            )
        )
    if len(rows) > _MAX_PROBLEMS_PER_COLUMN:
        found.append(
            Problem(
                code,
                texts.message("more_rows", count=len(rows) - _MAX_PROBLEMS_PER_COLUMN),
                table=texts.TABLE_NAMES[table],
                column=header,
                severity=severity,
            )
        )
    return found


# --- parsers: (series, required) -> (parsed series, {problem code: bool mask}) ----------------


def _blank_mask(s: pd.Series) -> np.ndarray:
    if s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
        stripped = s.astype("string").str.strip()
        return (s.isna() | (stripped == "")).to_numpy(dtype=bool, na_value=True)
    return s.isna().to_numpy()


def _parse_id(s: pd.Series, required: bool) -> tuple[pd.Series, dict[str, np.ndarray]]:
    """Ids become a Categorical of trimmed strings: the one factorization of the whole run."""
    # Whether an id may have lost whitespace at its ends (known for Arrow text).
    trimmed_any = True
    if isinstance(s.dtype, pd.CategoricalDtype):
        cats = s.cat.categories
        if cats.dtype != object and pd.api.types.is_string_dtype(cats.dtype):
            # Arrow-backed categories: compare in Arrow, no Python string per category.
            clean = bool((cats.str.strip() == cats).all()) and not bool((cats == "").any())
        else:
            clean = False
        text = None if clean else _id_text(pd.Series(cats))
        if text is None or (text.to_numpy(dtype=object) == cats.to_numpy(dtype=object)).all():
            values = s.array
        elif not text.duplicated().any():
            values = s.cat.rename_categories(text.to_numpy(dtype=object)).array
        else:
            values = pd.Categorical(_id_text(s.astype(object)).astype(object))
    elif s.dtype != object and pd.api.types.is_string_dtype(s.dtype):
        # Arrow strings: factorized without a Python string per row; ids of up to 16 bytes
        # come out sorted (one integer sort), others in order of first appearance and, for
        # customer ids, sorted once by _sort_categories.
        codes, distinct, trimmed_any = _encode_text_ids(pa.array(s.array))
        values = _categorical(codes, pd.Index(pd.array(distinct, dtype=s.dtype)))
    else:
        values = pd.Categorical(_id_text(s).astype(object))
    codes = values.codes
    empty = np.flatnonzero(np.asarray(values.categories == "", dtype=bool))
    if len(empty):
        codes = np.where(np.isin(codes, empty), -1, codes)
        values = _categorical(codes, values.categories)
    blank = np.asarray(values.codes) < 0
    parsed = pd.Series(values, index=s.index, copy=False)
    bad = {"blank_id": blank} if required and blank.any() else {}
    trimmed = _trimmed_rows(s, values) if trimmed_any else None
    if trimmed is not None:
        bad["ids_trimmed"] = trimmed
    return parsed, bad


def _trimmed_rows(raw: pd.Series, values: pd.Categorical) -> np.ndarray | None:
    """Rows whose id lost whitespace at its ends (None when none did, or ids are numbers).

    Compares character counts of each row's text with its (trimmed) category: trimming is the
    only step that shortens an id, and ``"K1 "`` becoming ``"K1"`` merges two spellings into
    one customer, an assumption that moves numbers and is named (``ids_trimmed``).
    """
    if isinstance(raw.dtype, pd.CategoricalDtype):
        categories = raw.cat.categories
        if not pd.api.types.is_string_dtype(categories.dtype):
            return None
        if len(categories) == 0:
            return None
        lengths = pd.Series(categories, dtype="string").str.len().to_numpy(float, na_value=-1)
        codes = raw.cat.codes.to_numpy()
        raw_lengths = np.where(codes >= 0, lengths[np.maximum(codes, 0)], -1.0)
    elif pd.api.types.is_string_dtype(raw.dtype) or raw.dtype == object:
        try:
            text = pa.array(raw, from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError):  # text mixed with numbers (Excel cells)
            return None
        if not pa.types.is_string(text.type) and not pa.types.is_large_string(text.type):
            return None
        raw_lengths = pc.fill_null(pc.utf8_length(text), -1).to_numpy().astype(float)
    else:
        return None
    if len(values.categories) == 0:
        return None
    kept = pd.Series(values.categories, dtype="string").str.len().to_numpy(float, na_value=-1)
    codes = np.asarray(values.codes)
    shortened = (codes >= 0) & (raw_lengths > kept[np.maximum(codes, 0)])
    return shortened if shortened.any() else None


def _sort_categories(ids: pd.Series) -> pd.Series:
    """Return the ids with their categories sorted and unused categories dropped.

    Categories sort in code point order (as Arrow and a binary comparison sort text); the
    codes are remapped by the inverse permutation, one integer take per row instead of a
    string lookup.
    """
    values = ids.array
    cats = values.categories
    codes = np.asarray(values.codes)
    used = codes_in_use(codes, len(cats))
    if used.all() and is_strictly_sorted(cats):
        return ids
    kept = cats[used]
    keys = _packed_ids(pa.array(kept.array), SORTED_ID_BYTES // 8) if _is_arrow_text(kept) else None
    # The packed keys are distinct and compare like the ids: an integer sort gives the order.
    order = np.asarray(kept.argsort()) if keys is None else _sort_order(keys)
    # Old code -> new code: unused categories never occur in the codes, so -1 is safe for them.
    position = np.full(len(cats) + 1, -1, dtype=codes.dtype)
    position[np.flatnonzero(used)[order]] = np.arange(len(order), dtype=codes.dtype)
    # Index -1 (a blank id) reads the last slot, which stays -1.
    new_codes = position[codes]
    sorted_ids = _categorical(new_codes, kept.take(order))
    return pd.Series(sorted_ids, index=ids.index, copy=False)


def _is_arrow_text(labels: pd.Index) -> bool:
    return isinstance(labels.array, pd.arrays.ArrowStringArray)


#: Ids of at most this many UTF-8 bytes are packed into one or two integer words: factorized
#: as one integer where their differences fit one word (:func:`_folded_ids`), sorted as one or
#: two (measured: two words hashed as 16-byte binaries were no faster than Arrow's strings).
SORTED_ID_BYTES = 16
# Keeps the first n bytes of a big-endian word: ids shorter than the word are zero padded.
_BYTE_MASKS = np.array(
    [0] + [(1 << 64) - (1 << (64 - 8 * n)) for n in range(1, 9)], dtype=np.uint64
)


def _packed_ids(ids: pa.Array | pa.ChunkedArray, words: int = 2) -> np.ndarray | None:
    """Each id as one or two ``uint64`` words that sort like the id itself, or None.

    Parameters
    ----------
    ids : pyarrow.Array or pyarrow.ChunkedArray
        ``string`` or ``large_string`` ids, as they are (untrimmed).
    words : {1, 2}
        At most this many 8-byte words per id.

    Returns
    -------
    numpy.ndarray of uint64, shape (len(ids), words), or None
        The UTF-8 bytes of each id as big-endian words, zero padded on the right (null slots:
        arbitrary); one word when every id has at most 8 bytes, else two. None when an id is
        longer than ``words`` words, when an id contains a NUL byte
        (``A`` and ``A`` + NUL would pack alike), or for any other Arrow type.

    Notes
    -----
    Why: customer and order numbers (``K0123456``, ``10017``, SAP's ``0000100017``) are short,
    and hashing or sorting integers costs a fraction of hashing or sorting strings (1 million
    ids, 200,000 distinct: Arrow's ``dictionary_encode`` of the strings ~95 ms, of one word
    ~35 ms; sorting 200,000 distinct strings ~54 ms, the words ~5 ms). Big-endian zero-padded
    bytes compare like the bytes (rows of words compare like the ids, word by word), and UTF-8
    byte order is code point order: the order Arrow and
    :func:`~kundenwert_xl.core.ledger.is_strictly_sorted` use. Ids of one width are a reshape
    of Arrow's data buffer; mixed widths read an unaligned 8-byte word per id and word (a loop
    of at most two) and mask the bytes past its end.
    """
    if isinstance(ids, pa.ChunkedArray):
        parts = [_packed_ids(chunk, words) for chunk in ids.chunks]
        if any(part is None for part in parts):
            return None
        widest = max((part.shape[1] for part in parts if part is not None), default=1)
        return np.concatenate(
            [np.zeros((0, widest), np.uint64)]
            + [
                np.pad(part, ((0, 0), (0, widest - part.shape[1])))
                for part in parts
                if part is not None
            ]
        )
    buffers = _text_buffers(ids)
    if buffers is None:
        return None
    n = len(ids)
    if n == 0:
        return np.zeros((0, 1), dtype=np.uint64)
    offsets, data_buffer = buffers
    offsets = offsets.astype(np.int64, copy=False)
    lengths = np.diff(offsets)
    longest = int(lengths.max())
    if longest > 8 * words:
        return None
    start, stop = int(offsets[0]), int(offsets[-1])
    text = None
    if stop > start and data_buffer is not None:
        text = np.frombuffer(data_buffer, dtype=np.uint8)[start:stop]
    if text is None:
        return np.zeros((n, 1), dtype=np.uint64)
    if (text == 0).any():
        return None
    n_words = 1 if longest <= 8 else 2
    width = int(lengths.min())
    if width == 8 * n_words:
        # Whole words (``K0123456``): the data buffer is the keys, byte-swapped.
        return text.view(">u8").reshape(n, n_words).astype(np.uint64)
    if width == longest:
        # The bytes go straight into the words, big-endian, and are swapped there: one array.
        packed = np.zeros((n, n_words), dtype=np.uint64)
        packed.view(np.uint8).reshape(n, 8 * n_words)[:, :width] = text.reshape(n, width)
        if sys.byteorder == "little":
            packed.byteswap(inplace=True)
        return packed
    padded = np.concatenate([text, np.zeros(8 * n_words, dtype=np.uint8)])
    # One (unaligned) 8-byte word starting at every byte: a view, nothing is copied.
    windows = np.ndarray((len(text) + 1,), dtype=">u8", buffer=padded, strides=(1,))
    starts = offsets[:-1] - start
    packed = np.empty((n, n_words), dtype=np.uint64)
    for word in range(n_words):
        # The bytes of this word that belong to the id: 0..8.
        inside = np.clip(lengths - 8 * word, 0, 8)
        packed[:, word] = windows[np.minimum(starts + 8 * word, len(text))] & _BYTE_MASKS[inside]
    return packed


def _unpacked_ids(keys: np.ndarray, arrow_type: pa.DataType) -> pa.Array:
    """The ids that keys of :func:`_packed_ids` (one or two words each) were packed from.

    The id's bytes are the key's non-zero bytes: padding is zeros, and ids with a NUL byte are
    never packed. Built from the distinct keys alone, without going back to the rows.
    """
    words = np.ascontiguousarray(keys.reshape(len(keys), -1))
    raw = words.astype(">u8").view(np.uint8).reshape(len(keys), 8 * words.shape[1])
    present = raw != 0
    # Bytes of 0 or 1 in a word: times 0x0101...01 adds them up in its top byte (at most 8).
    per_word = (present.view(np.uint64) * np.uint64(0x0101010101010101)) >> np.uint64(56)
    lengths = per_word[:, 0] if per_word.shape[1] == 1 else per_word[:, 0] + per_word[:, 1]
    width = int(lengths[0]) if len(keys) else 0
    if (lengths == width).all():
        # Ids of one width (the usual export) are the first bytes of each row.
        offsets = np.arange(len(keys) + 1, dtype=np.int64) * width
        data = raw[:, :width].ravel()
    else:
        offsets = np.zeros(len(keys) + 1, dtype=np.int64)
        np.cumsum(lengths.astype(np.int64), out=offsets[1:])
        data = raw[present]
    text = pa.Array.from_buffers(
        pa.large_string(), len(keys), [None, pa.py_buffer(offsets), pa.py_buffer(data)]
    )
    return text if arrow_type == pa.large_string() else text.cast(arrow_type)


def _text_buffers(text: pa.Array) -> tuple[np.ndarray, pa.Buffer | None] | None:
    """An Arrow text array's offsets (as stored, no copy) and data buffer; None if not text."""
    if text.type == pa.large_string():
        offset_type: type[np.integer] = np.int64
    elif text.type == pa.string():
        offset_type = np.int32
    else:
        return None
    if len(text) == 0:
        return np.zeros(1, dtype=offset_type), None
    _, offset_buffer, data_buffer = text.buffers()
    offsets = np.frombuffer(
        offset_buffer,
        dtype=offset_type,
        count=len(text) + 1,
        offset=text.offset * np.dtype(offset_type).itemsize,
    )
    return offsets, data_buffer


def _may_be_padded(text: pa.Array) -> bool:
    """Whether any of these ids (no nulls) could have whitespace at an end.

    Every character Arrow's ``utf8_trim_whitespace`` removes is ASCII up to the space or
    outside ASCII, so an id whose first and last bytes lie in ``!``..``~`` has none; looking at
    two bytes per id spares trimming them all (200,000 ids: ~1 ms against ~10 ms).
    """
    if len(text) == 0:
        return False
    buffers = _text_buffers(text)
    if buffers is None:
        return True
    offsets, data_buffer = buffers
    starts, stops = offsets[:-1], offsets[1:]
    if (stops <= starts).any() or data_buffer is None:
        return True
    data = np.frombuffer(data_buffer, dtype=np.uint8)
    # Bytes below "!" wrap around to large values: one comparison per end.
    printable = np.uint8(ord("~") - ord("!"))
    first = data[starts] - np.uint8(ord("!"))
    last = data[stops - 1] - np.uint8(ord("!"))
    return bool((first > printable).any() or (last > printable).any())


def _folded_ids(keys: np.ndarray) -> np.ndarray | None:
    """One ``uint64`` per row of two-word keys that compares like the two words, or None.

    Parameters
    ----------
    keys : numpy.ndarray of uint64, shape (n, 2)
        Two-word keys of :func:`_packed_ids` (rows of null ids must hold a copy of another
        row, so that they do not widen the span).

    Returns
    -------
    numpy.ndarray of uint64 or None
        The 64 bits of each 128-bit key that start at the lowest bit in which any two keys
        differ; None when the keys differ in a span of more than 64 bits.

    Notes
    -----
    Why: real ids of 9-16 bytes (``A00000001``, SAP's ``0000100017``) share a prefix and
    differ in a few digits, so all their differences lie in one stretch of at most 64 bits.
    The bits above and below that stretch are the same in every key, so the stretch alone
    compares like the whole key and is distinct exactly when the keys are: one integer, hashed
    or sorted at the cost of one word (1 million 9-byte order numbers: ~15 ms to factorize,
    against ~120 ms for Arrow's strings).
    """
    hi, lo = keys[:, 0], keys[:, 1]
    # The bits in which some key differs from the first one.
    spread_hi = int(np.bitwise_or.reduce(hi ^ hi[0])) if len(keys) else 0
    spread_lo = int(np.bitwise_or.reduce(lo ^ lo[0])) if len(keys) else 0
    spread = spread_hi << 64 | spread_lo
    if spread == 0:
        return np.zeros(len(keys), dtype=np.uint64)
    low_bit = (spread & -spread).bit_length() - 1
    if spread.bit_length() - low_bit > 64:
        return None
    if low_bit >= 64:
        return hi >> np.uint64(low_bit - 64)
    if low_bit == 0:
        # The span is the low word; the high word is the same in every key.
        return lo.copy()
    return (lo >> np.uint64(low_bit)) | (hi << np.uint64(64 - low_bit))


def _sort_order(keys: np.ndarray) -> np.ndarray:
    """Positions that sort distinct packed ids (from :func:`_packed_ids`) like the ids."""
    if keys.shape[1] == 1:
        return np.argsort(keys[:, 0])
    folded = _folded_ids(keys)
    if folded is not None:
        return np.argsort(folded)
    # lexsort's last key is the primary one.
    return np.lexsort(keys.T[::-1])


def _encode_text_ids(ids: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, pa.Array, bool]:
    """Factorize Arrow text ids after trimming them: codes and the distinct trimmed ids.

    The same codes and ids as Arrow's ``utf8_trim_whitespace(ids).dictionary_encode()``:
    codes (``-1`` for null) into the distinct trimmed ids in order of first appearance (empty
    strings included; the caller makes them blank). The rows are factorized as they are and
    only the distinct ids are trimmed; ids that become equal when trimmed are merged then.
    Ids of at most :data:`SORTED_ID_BYTES` bytes are factorized as one integer each where
    they can be (:func:`_packed_ids`, :func:`_folded_ids`); all others as Arrow strings.

    Returns
    -------
    codes : numpy.ndarray
    distinct : pyarrow.Array
    trimmed : bool
        Whether any id had whitespace at its ends (else no row needs to be looked at again).
    """
    nulls = None
    if ids.null_count:
        nulls = ids.is_null()
        if isinstance(nulls, pa.ChunkedArray):
            nulls = nulls.combine_chunks()
        nulls = nulls.to_numpy(zero_copy_only=False)
    packed = _packed_ids(ids, words=SORTED_ID_BYTES // 8) if ids.null_count < len(ids) else None
    keys = None
    first_valid = 0 if nulls is None else int(np.argmin(nulls))
    if packed is not None:
        if nulls is not None:
            # A null slot may hold any bytes: a copy of a real id cannot widen the folded span.
            packed[nulls] = packed[first_valid]
        if packed.shape[1] == 1:
            keys = packed[:, 0]
        else:
            keys = _folded_ids(packed)
            # Two words per row are not needed any more (10M rows: 160 MB): the distinct ids
            # are read from the column itself.
            packed = None if keys is not None else packed
    if keys is None:
        encoded = ids.dictionary_encode()
        if isinstance(encoded, pa.ChunkedArray):
            encoded = encoded.combine_chunks()
        codes = pc.fill_null(encoded.indices, -1).to_numpy()
        distinct = encoded.dictionary
    else:
        # int32 codes: what a Categorical of fewer than 2**31 ids keeps anyway.
        factorized = sorted_codes(keys, np.int32 if len(keys) < 2**31 else np.int64)
        if factorized is not None:
            codes, holder = factorized
        else:
            encoded = pa.array(keys).dictionary_encode()
            codes = encoded.indices.to_numpy()
            # A row of each distinct key, to read its id back.
            holder = np.empty(len(encoded.dictionary), dtype=np.intp)
            holder[codes] = np.arange(len(codes))
        # A null row holds a copy of the first id and may have been taken as its holder.
        holder[codes[first_valid]] = first_valid
        if nulls is not None:
            codes = np.where(nulls, -1, codes)
        if packed is not None:
            distinct = _unpacked_ids(packed[holder], ids.type)
        else:
            distinct = ids.take(pa.array(holder))
            if isinstance(distinct, pa.ChunkedArray):
                distinct = distinct.combine_chunks()
    if not _may_be_padded(distinct):
        return codes, distinct, False
    trimmed = pc.utf8_trim_whitespace(distinct)
    # Trimming only removes bytes: equal byte totals mean no id had whitespace at its ends.
    if pc.sum(pc.binary_length(trimmed)).as_py() == pc.sum(pc.binary_length(distinct)).as_py():
        return codes, distinct, False
    merged = trimmed.dictionary_encode()
    remap = np.append(merged.indices.to_numpy(), -1).astype(codes.dtype)
    return remap[codes], merged.dictionary, True


def _categorical(codes: np.ndarray, categories: pd.Index) -> pd.Categorical:
    """A Categorical of ``codes`` into ``categories`` that are distinct by construction.

    The categories here come from a factorization (or a permutation of one), so pandas'
    check that they are distinct cannot fail; it hashes every category again (measured ~40 ms
    per 200,000 ids, paid twice per id column before).
    """
    fastpath = getattr(pd.CategoricalDtype, "_from_fastpath", None)
    if fastpath is None:  # pragma: no cover - a pandas without the fast path
        dtype = pd.CategoricalDtype(categories)
    else:
        dtype = fastpath(categories, ordered=False)
    return pd.Categorical.from_codes(codes, dtype=dtype, validate=False)


def _id_text(s: pd.Series) -> pd.Series:
    """Ids as text: Excel hands ``1001`` over as ``1001.0``; that must become ``"1001"``."""
    if pd.api.types.is_integer_dtype(s.dtype):
        return s.astype("string")
    if pd.api.types.is_string_dtype(s.dtype) and s.dtype != object:
        return s.astype("string").str.strip()
    if pd.api.types.is_float_dtype(s.dtype):
        whole = s.notna() & (s == np.floor(s))
        as_int = s.where(whole, 0).astype("int64").astype("string")
        return as_int.where(whole, s.astype("string")).str.strip()
    values = s.astype(object)
    # NaN is a float but no whole number: every cell can be asked.
    is_float = values.map(lambda v: isinstance(v, float) and v.is_integer()).astype(bool)
    if is_float.any():
        values = values.where(~is_float, values.map(_float_id))
    return values.astype("string").str.strip()


def _float_id(v: object) -> object:
    return str(int(v)) if isinstance(v, float) and v.is_integer() else v


_DE_NUMBER = re.compile(r"^[+-]?\d{1,3}(\.\d{3})*(,\d+)?$|^[+-]?\d+(,\d+)?$")
_AMBIGUOUS_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+$")


def _parse_number(s: pd.Series, required: bool) -> tuple[pd.Series, dict[str, np.ndarray]]:
    bad: dict[str, np.ndarray] = {}
    if pd.api.types.is_bool_dtype(s.dtype):
        s = s.astype("float64")
    if pd.api.types.is_numeric_dtype(s.dtype):
        values = s if s.dtype == np.float64 else s.astype("float64")
        blank = values.isna().to_numpy()
    else:
        values, blank, bad = _parse_number_text(s)
    array = values.to_numpy()
    infinite = np.isinf(array)
    if infinite.any():
        bad["not_finite"] = infinite
    with np.errstate(invalid="ignore"):
        implausible = np.isfinite(array) & (np.abs(array) > AMOUNT_LIMIT)
    if implausible.any():
        bad["implausible_amount"] = implausible
    if required and blank.any():
        bad["blank_number"] = blank
    return values, bad


def _parse_number_text(s: pd.Series) -> tuple[pd.Series, np.ndarray, dict[str, np.ndarray]]:
    """Numbers typed as text: ``1234,56`` and ``1.234,56`` (German) or ``1234.56``."""
    blank = _blank_mask(s)
    # Every cell asked (a blank is no text): an all-blank column stays bool, no fill needed.
    is_text = s.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
    text = s.astype("string").str.replace("€", "", regex=False)
    text = text.str.replace("\u00a0", "", regex=False).str.replace(" ", "", regex=False)
    german = is_text & text.str.contains(",", regex=False).fillna(False).to_numpy(dtype=bool)
    german_ok = text.str.fullmatch(_DE_NUMBER).fillna(False).to_numpy(dtype=bool)
    ambiguous = is_text & text.str.fullmatch(_AMBIGUOUS_THOUSANDS).fillna(False).to_numpy(bool)
    decimal = text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    converted = text.where(~german, decimal)
    values = pd.to_numeric(converted, errors="coerce").astype("float64")
    values[(german & ~german_ok) | ambiguous] = np.nan
    bad: dict[str, np.ndarray] = {}
    unparsed = values.isna().to_numpy() & ~blank & ~ambiguous
    if unparsed.any():
        bad["bad_number"] = unparsed
    if ambiguous.any():
        bad["ambiguous_number"] = ambiguous
    return values, blank, bad


def _parse_cost(s: pd.Series, required: bool) -> tuple[pd.Series, dict[str, np.ndarray]]:
    values, bad = _parse_number(s, required)
    negative = (values < 0).to_numpy()
    if negative.any():
        bad["negative_cost"] = negative
    return values, bad


#: Dates the analysis accepts: Excel's own calendar (serials 1 to 73050). Anything outside is a
#: typo (``31.12.9999`` as "open end", ``0001-01-01`` as "no date") and would become the Stichtag.
DATE_MIN = np.datetime64("1900-01-01", "D")
DATE_MAX = np.datetime64("2099-12-31", "D")
# A time after a German date is allowed (Excel's csv export of a date-time cell writes it).
_DE_TIME = r"(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?"
_DE_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{1,4})" + _DE_TIME + "$")
_ISO_DATE = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?$"
)
_SLASH_DATE = re.compile(r"^\d{1,2}/\d{1,2}/\d{2,4}$")


def _parse_date(s: pd.Series, required: bool) -> tuple[pd.Series, dict[str, np.ndarray]]:
    """Dates at day precision from datetimes, Excel serial numbers or text.

    Text is ``TT.MM.JJJJ`` or ISO ``JJJJ-MM-TT`` (a time and a zone offset after it are
    allowed; the date counts as written, the offset is not applied and is reported as a note).
    Refused, each with its own problem: two-digit years (``06.01.99``: 1999 or 2099?), dates
    outside 1900-01-01..2099-12-31, the serial 60 (Excel's non-existent 29.02.1900).
    """
    bad: dict[str, np.ndarray] = {}
    n = len(s)
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        if getattr(s.dt, "tz", None) is not None:
            bad["zone_offset"] = s.notna().to_numpy()
            s = s.dt.tz_localize(None)
        first, last = s.min(), s.max()
        if pd.isna(first) or DATE_MIN <= first.to_datetime64() <= last.to_datetime64() <= DATE_MAX:
            # The usual typed column: no copy unless times must be cut off.
            blank = s.isna().to_numpy()
            if required and blank.any():
                bad["blank_date"] = blank
            return (s.dt.floor("D") if _has_time(s) else s), bad
        days = s.to_numpy().astype("datetime64[D]")
        known = ~np.isnat(days)
    elif pd.api.types.is_numeric_dtype(s.dtype):
        days, serial_bad, known = _from_serial(s.to_numpy(dtype="float64"))
        bad.update(serial_bad)
    else:
        days, known, bad = _parse_mixed_dates(s)
    outside = known & ((days < DATE_MIN) | (days > DATE_MAX))
    if outside.any():
        bad["date_out_of_range"] = outside
    ok = known & ~outside
    values = pd.Series(
        np.where(ok, days, np.datetime64("NaT")).astype("datetime64[ns]"), index=s.index
    )
    refused = np.zeros(n, dtype=bool)
    for code, mask in bad.items():
        if code != "zone_offset":
            refused |= mask
    blank = ~known & ~refused
    if required and blank.any():
        bad["blank_date"] = blank
    return values, bad


def _has_time(values: pd.Series) -> bool:
    arr = values.to_numpy()
    unit = np.datetime_data(arr.dtype)[0]
    ticks_per_day = np.timedelta64(1, "D") // np.timedelta64(1, unit)  # type: ignore[call-overload]
    return bool((arr.view("int64") % ticks_per_day).any())


def _from_serial(arr: np.ndarray) -> tuple[np.ndarray, dict[str, np.ndarray], np.ndarray]:
    """Excel serial numbers as days, with Excel's 1900 leap-year quirk undone.

    Excel counts a 29.02.1900 that never was (serial 60), so serials 1..59 are one day later
    than the epoch 1899-12-30 gives: day 1 is 1900-01-01. Serial 60 itself is refused.

    Returns
    -------
    days : numpy.ndarray of datetime64[D]
    bad : dict
        ``bad_date`` for numbers that are no serial in 1..73050, ``excel_1900_leap`` for 60.
    known : numpy.ndarray of bool
        Where a day was found.
    """
    finite = np.isfinite(arr)
    ok = finite & (arr >= 1) & (arr <= _EXCEL_SERIAL_MAX)
    whole = np.floor(np.where(ok, arr, 0)).astype("int64")
    phantom = ok & (whole == excel_dates.PHANTOM_LEAP_DAY)
    ok &= ~phantom
    offset = excel_dates.serial_offset(whole)
    days = np.where(ok, EXCEL_EPOCH + offset.astype("timedelta64[D]"), np.datetime64("NaT"))
    bad = {}
    wrong = ~ok & ~phantom & ~np.isnan(arr)
    if wrong.any():
        bad["bad_date"] = wrong
    if phantom.any():
        bad["excel_1900_leap"] = phantom
    return days.astype("datetime64[D]"), bad, ok


def _days_of(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Calendar dates from their parts without pandas' nanosecond limits; invalid -> NaT."""
    valid = (year >= 1) & (year <= 9999) & (month >= 1) & (month <= 12) & (day >= 1)
    months = np.where(valid, (year - 1970) * 12 + month - 1, 0)
    first = months.astype("datetime64[M]").astype("datetime64[D]")
    following = (months + 1).astype("datetime64[M]").astype("datetime64[D]")
    days = first + (np.where(valid, day, 1) - 1).astype("timedelta64[D]")
    valid &= days < following
    return np.where(valid, days, np.datetime64("NaT")).astype("datetime64[D]"), valid


def _spread(n: int, positions: np.ndarray) -> np.ndarray:
    mask = np.zeros(n, dtype=bool)
    mask[positions] = True
    return mask


def _parse_mixed_dates(s: pd.Series) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    n = len(s)
    days = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    known = np.zeros(n, dtype=bool)
    bad: dict[str, np.ndarray] = {}

    def flag(code: str, mask: np.ndarray) -> None:
        bad[code] = bad.get(code, np.zeros(n, dtype=bool)) | mask

    def put(at: np.ndarray, found: np.ndarray, valid: np.ndarray) -> None:
        days[at[valid]], known[at[valid]] = found[valid], True

    if s.dtype == object:
        obj = s
        present = obj.notna().to_numpy()
        is_dt = obj.map(lambda v: isinstance(v, pd.Timestamp | np.datetime64 | dt.date))
        is_dt = is_dt.fillna(False).to_numpy(dtype=bool) & present
        is_num = obj.map(lambda v: isinstance(v, int | float) and not isinstance(v, bool))
        is_num = is_num.fillna(False).to_numpy(dtype=bool) & present
        text = obj.where(~(is_dt | is_num)).astype("string[pyarrow]").str.strip()
    else:
        # A text column as the csv reader gives it: no Python object per row is looked at.
        is_dt = is_num = np.zeros(n, dtype=bool)
        text = s.astype("string[pyarrow]").str.strip()
    if is_dt.any():
        # Python dates from Excel (UDFs) or a mixed workbook column: take the date as written.
        stamps = s[is_dt].map(pd.Timestamp)
        aware = stamps.map(lambda t: t.tzinfo is not None).to_numpy(dtype=bool)
        parts = [stamps.map(lambda t, a=a: getattr(t, a)) for a in ("year", "month", "day")]
        found, valid = _days_of(*(p.to_numpy(dtype="int64") for p in parts))
        at = np.flatnonzero(is_dt)
        put(at, found, valid)
        if aware.any():
            flag("zone_offset", _spread(n, at[aware]))
    if is_num.any():
        found, serial_bad, valid = _from_serial(pd.to_numeric(s[is_num]).to_numpy("float64"))
        at = np.flatnonzero(is_num)
        put(at, found, valid)
        for code, mask in serial_bad.items():
            flag(code, _spread(n, at[mask]))

    def matches(pattern: str) -> np.ndarray:
        return text.str.fullmatch(pattern).fillna(False).to_numpy(dtype=bool)

    # Readers hand over serial numbers of mixed columns as text ("45000"): still a serial.
    serial_text = matches(r"\d{1,7}(\.\d+)?")
    if serial_text.any():
        found, serial_bad, valid = _from_serial(
            pd.to_numeric(text[serial_text]).to_numpy("float64")
        )
        at = np.flatnonzero(serial_text)
        put(at, found, valid)
        for code, mask in serial_bad.items():
            flag(code, _spread(n, at[mask]))
    # German TT.MM.JJJJ and ISO JJJJ-MM-TT: the usual fixed width is cut by position in Arrow;
    # only the rare one-digit day or month goes through a regex per row.
    german = matches(r"\d{2}\.\d{2}\.\d{4}" + _DE_TIME)
    if german.any():
        at = np.flatnonzero(german)
        put(at, *_days_of(*(_cut(text[german], a, b) for a, b in ((6, 10), (3, 5), (0, 2)))))
    loose = matches(r"\d{1,2}\.\d{1,2}\.\d{1,4}" + _DE_TIME) & ~german
    if loose.any():
        parts = text[loose].str.extract(_DE_DATE)
        at = np.flatnonzero(loose)
        two_digit = (parts[2].str.len() <= 2).to_numpy()
        found, valid = _days_of(*(parts[i].astype("int64").to_numpy() for i in (2, 1, 0)))
        put(at, found, valid & ~two_digit)
        if two_digit.any():
            flag("two_digit_year", _spread(n, at[two_digit]))
    iso = matches(_ISO_DATE.pattern[1:-1])
    if iso.any():
        at = np.flatnonzero(iso)
        fixed = text[iso].str.match(r"\d{4}-\d{2}-\d{2}").to_numpy(dtype=bool)
        found = np.full(len(at), np.datetime64("NaT"), dtype="datetime64[D]")
        valid = np.zeros(len(at), dtype=bool)
        if fixed.any():
            found[fixed], valid[fixed] = _days_of(
                *(_cut(text[iso][fixed], a, b) for a, b in ((0, 4), (5, 7), (8, 10)))
            )
        if not fixed.all():
            parts = text[iso][~fixed].str.extract(_ISO_DATE)
            found[~fixed], valid[~fixed] = _days_of(
                *(parts[i].astype("int64").to_numpy() for i in (0, 1, 2))
            )
        put(at, found, valid)
        zone = r"[T ]\d{1,2}:\d{2}.*(?:Z|[+-]\d{2}(?::?\d{2})?)$"
        zoned = text[iso].str.contains(zone, regex=True).to_numpy(dtype=bool)
        if zoned.any():
            flag("zone_offset", _spread(n, at[zoned]))
    slash = matches(_SLASH_DATE.pattern[1:-1])
    if slash.any():
        flag("ambiguous_date", slash)
    refused = np.zeros(n, dtype=bool)
    for code, mask in bad.items():
        if code != "zone_offset":
            refused |= mask
    unparsed = ~known & ~_blank_mask(s) & ~refused
    if unparsed.any():
        flag("bad_date", unparsed)
    return days, known, bad


def _cut(text: pd.Series, start: int, stop: int) -> np.ndarray:
    """Characters ``start:stop`` of each string as integers (digits checked by the caller)."""
    return text.str.slice(start, stop).astype("int64").to_numpy()


def _parse_bool(s: pd.Series, required: bool) -> tuple[pd.Series, dict[str, np.ndarray]]:
    if pd.api.types.is_bool_dtype(s.dtype) and not s.isna().any():
        return s.astype(bool), {}
    if pd.api.types.is_numeric_dtype(s.dtype):
        filled = s.fillna(0)
        bad = ~filled.isin([0, 1]).to_numpy()
        return filled.astype(bool), ({"bad_bool": bad} if bad.any() else {})
    text = s.astype("string").str.strip().str.casefold().fillna("")
    true = text.isin(texts.TRUE_WORDS).to_numpy(dtype=bool)
    false = text.isin(texts.FALSE_WORDS).to_numpy(dtype=bool)
    # Every cell asked (a blank one is not True or False): an all-blank column stays bool.
    raw_bool = s.map(lambda v: v is True or v is False).to_numpy(dtype=bool)
    values = np.where(raw_bool, s.astype(object) == True, true)  # noqa: E712 - object compare
    bad = ~(true | false | raw_bool)
    return pd.Series(values.astype(bool), index=s.index), ({"bad_bool": bad} if bad.any() else {})


def _parse_text(s: pd.Series, required: bool) -> tuple[pd.Series, dict[str, np.ndarray]]:
    if isinstance(s.dtype, pd.CategoricalDtype):
        stripped = pd.Series(s.cat.categories).astype("string").str.strip().to_numpy(object)
        if len(set(stripped)) == len(stripped):
            return s.cat.rename_categories(stripped), {}
    text = s.astype("string").str.strip()
    return text.astype(object).where(text.notna() & (text != ""), None), {}


_PARSERS = {
    "id": _parse_id,
    "date": _parse_date,
    "number": _parse_number,
    "cost": _parse_cost,
    "bool": _parse_bool,
    "text": _parse_text,
}
