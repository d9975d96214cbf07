"""Excel cell values: what a Python, numpy or pandas value becomes in a cell, dates as serials.

The one place for the rules every writer (``report``, ``io.patch``, ``template.build``) shares:

- a *plain* cell value is ``None`` (an empty cell), ``bool``, ``int``, ``float`` (finite),
  ``str``, ``datetime.date`` or ``datetime.datetime``; numpy and pandas scalars become their
  Python value, ``NaN``/``NaT``/``pd.NA``/``inf`` become ``None``;
- a date is written as Excel's serial day number in the 1900 date system. The calendar itself
  (epoch, phantom 29.02.1900, serial limits) is :mod:`kundenwert_xl.core.excel_dates`, which
  core needs for reading serials; this module adds the direction core never needs, date to
  serial, scalar and vectorised.

Excel's serials count a 29.02.1900 that never was (serial 60, Microsoft KB 214326): from
01.03.1900 (serial 61) on a serial is the day count from 30.12.1899, before it one less.
By hand: 01.01.1900 is 1, 28.02.1900 is 59, 01.03.1900 is 61, 30.06.2024 is 45473.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from kundenwert_xl.core import excel_dates

#: Days from 1970-01-01 (numpy/Arrow day 0) to Excel's 30.12.1899 counting origin.
UNIX_EPOCH_SERIAL = (dt.date(1970, 1, 1) - excel_dates.EPOCH).days  # 25569
#: The first day Excel's 1900 system can show.
FIRST_DATE = dt.date(1900, 1, 1)
_FIRST_REAL_SERIAL = excel_dates.PHANTOM_LEAP_DAY + 1  # 01.03.1900
#: The most characters an Excel cell holds (Excel specifications and limits: 32,767), counted
#: as Excel counts them: UTF-16 code units, so a character beyond U+FFFF (an emoji) takes two.
#: Every writer of ours cuts a longer text there, and says so (``io.export.long_text_notes``):
#: Excel reports a file with a longer cell text as damaged.
EXCEL_CELL_CHARS = 32_767
#: Rows and columns of an Excel sheet (Excel specifications and limits).
EXCEL_ROWS = 1_048_576
EXCEL_COLUMNS = 16_384
#: Characters beyond the Basic Multilingual Plane (two UTF-16 units each), as a regex class.
_ASTRAL = "[\U00010000-\U0010ffff]"


def plain(value: object) -> object:
    """A plain Python value for a cell: NaN/NaT/NA/inf -> None, numpy scalars -> Python.

    ``pd.Timestamp`` becomes a ``date`` at midnight and a ``datetime`` otherwise (a time of day
    is never dropped silently).
    """
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, pd.Timestamp):
        stamp = value.to_pydatetime()
        return stamp.date() if stamp.time() == dt.time() else stamp
    if isinstance(value, np.datetime64):
        return None if np.isnat(value) else plain(pd.Timestamp(value))
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    return value


def serial(value: dt.date | dt.datetime) -> int | float:
    """Excel serial of a date (whole) or datetime (with the day fraction).

    Raises
    ------
    ValueError
        For a day before 01.01.1900, which Excel's 1900 system cannot show (inputs are checked
        to lie within 1900..2099 long before anything is written).
    """
    day = value.date() if isinstance(value, dt.datetime) else value
    if day < FIRST_DATE:
        raise ValueError(f"{value} is before 01.01.1900, Excel's first day")
    whole = (day - excel_dates.EPOCH).days
    if whole < _FIRST_REAL_SERIAL:
        whole -= 1  # before the phantom 29.02.1900
    if isinstance(value, dt.datetime):
        midnight = dt.datetime.combine(day, dt.time(), value.tzinfo)
        return whole + (value - midnight).total_seconds() / 86400
    return whole


def day_serials(days_since_1970: np.ndarray) -> np.ndarray:
    """Vectorised :func:`serial` for whole days counted from 1970-01-01 (int64 array).

    Raises
    ------
    ValueError
        When any day lies before 01.01.1900.
    """
    whole = np.asarray(days_since_1970, dtype=np.int64) + UNIX_EPOCH_SERIAL
    if whole.size and whole.min() < 2:  # 01.01.1900 counts 2 days from 30.12.1899
        raise ValueError("a date before 01.01.1900, Excel's first day")
    return whole - (whole < _FIRST_REAL_SERIAL)


def plain_column(values: pd.Series) -> list[object]:
    """:func:`plain` for a whole column, by dtype instead of by element where the dtype allows."""
    kind = values.dtype.kind if isinstance(values.dtype, np.dtype) else None
    if kind in ("b", "i", "u"):
        return values.tolist()
    if kind == "f":
        data = values.to_numpy()
        out = data.astype(object)
        out[~np.isfinite(data)] = None
        return out.tolist()
    if kind == "M":
        stamps = values.to_numpy()
        days = stamps.astype("datetime64[D]")
        if (stamps[~np.isnat(stamps)] == days[~np.isnat(stamps)]).all():
            out = days.astype(object)  # datetime.date, NaT -> None
            return out.tolist()
    if isinstance(values.dtype, pd.StringDtype | pd.CategoricalDtype):
        present = values.notna().to_numpy()
        out = values.to_numpy(dtype=object)
        out[~present] = None
        if isinstance(values.dtype, pd.StringDtype):
            return out.tolist()
        return list(map(plain, out.tolist()))  # categories may be numbers
    return list(map(plain, values))


def plain_rows(columns: list[pd.Series]) -> list[list[object]]:
    """Rows of plain cell values from equally long columns (column-wise, then transposed)."""
    converted = [plain_column(c) for c in columns]
    return [list(row) for row in zip(*converted, strict=True)]


def cell_lengths(values: pd.Series) -> pd.Series:
    """Text lengths as Excel counts them (UTF-16 code units); 0 where there is no value.

    Numbers in a mixed label/value column count as their text, far below the limit.
    """
    text = values.astype("string")
    return (text.str.len() + text.str.count(_ASTRAL)).fillna(0).astype("int64")


def cut_text(text: str) -> str:
    """``text`` cut to :data:`EXCEL_CELL_CHARS` UTF-16 units (a split emoji is dropped whole)."""
    if len(text) <= EXCEL_CELL_CHARS // 2:  # two units per character at the most
        return text
    units = text.encode("utf-16-le")
    if len(units) <= 2 * EXCEL_CELL_CHARS:
        return text
    return units[: 2 * EXCEL_CELL_CHARS].decode("utf-16-le", errors="ignore")


def cut_texts(values: pd.Series) -> pd.Series:
    """:func:`cut_text` for a column; only the (rare) too long texts are touched one by one."""
    if not (values.dtype == object or pd.api.types.is_string_dtype(values)):
        return values
    too_long = (cell_lengths(values) > EXCEL_CELL_CHARS).to_numpy()
    if not too_long.any():
        return values
    out = values.astype(object)
    out[too_long] = [cut_text(str(v)) for v in values[too_long]]
    return out


def cut_text_array(text: pa.Array) -> pa.Array:
    """:func:`cut_texts` for an Arrow string array (the streaming writer's columns)."""
    if len(text) == 0 or (pc.max(pc.utf8_length(text)).as_py() or 0) <= EXCEL_CELL_CHARS // 2:
        return text
    lengths = pc.add(pc.utf8_length(text), pc.count_substring_regex(text, _ASTRAL))
    too_long = pc.fill_null(pc.greater(lengths, EXCEL_CELL_CHARS), False)
    cut = [cut_text(v) for v in pc.filter(text, too_long).to_pylist()]
    return pc.replace_with_mask(text, too_long, pa.array(cut, text.type))
