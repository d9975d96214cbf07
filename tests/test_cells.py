"""Excel cell values and date serials, with expected values worked out by hand.

Excel's 1900 system counts a 29.02.1900 that never was (serial 60; Microsoft KB 214326): serial 1
is 01.01.1900, 59 is 28.02.1900, 61 is 01.03.1900. 30.06.2024 is 45473 (Excel:
=DATUM(2024;6;30) formatted as a number); noon adds half a day.
"""

import datetime as dt
import math

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from kundenwert_xl import cells

BY_HAND = [
    (dt.date(1900, 1, 1), 1),
    (dt.date(1900, 1, 31), 31),
    (dt.date(1900, 2, 28), 59),
    (dt.date(1900, 3, 1), 61),
    (dt.date(1900, 12, 31), 366),
    (dt.date(2024, 6, 30), 45473),
    (dt.date(2099, 12, 31), 73050),
]


@pytest.mark.parametrize(("day", "serial"), BY_HAND)
def test_serial_by_hand(day, serial):
    assert cells.serial(day) == serial


def test_serial_of_a_datetime_keeps_the_time_of_day():
    assert cells.serial(dt.datetime(2024, 6, 30, 12)) == 45473.5
    assert cells.serial(dt.datetime(1900, 1, 1, 6)) == 1.25
    assert cells.serial(dt.datetime(1900, 3, 1, 18)) == 61.75


def test_vectorised_serials_agree_with_the_hand_values():
    days = np.array([(d - dt.date(1970, 1, 1)).days for d, _ in BY_HAND])
    assert cells.day_serials(days).tolist() == [s for _, s in BY_HAND]


def test_days_before_1900_have_no_serial():
    with pytest.raises(ValueError):
        cells.serial(dt.date(1899, 12, 31))
    with pytest.raises(ValueError):
        cells.day_serials(np.array([(dt.date(1899, 12, 31) - dt.date(1970, 1, 1)).days]))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (float("nan"), None),
        (np.float64("nan"), None),
        (float("inf"), None),
        (-np.inf, None),
        (pd.NaT, None),
        (pd.NA, None),
        (None, None),
        (np.datetime64("NaT"), None),
        (np.int64(7), 7),
        (np.float32(0.5), 0.5),
        (np.bool_(True), True),
        (pd.Timestamp("2024-06-30"), dt.date(2024, 6, 30)),
        (pd.Timestamp("2024-06-30 12:00"), dt.datetime(2024, 6, 30, 12)),
        (np.datetime64("2024-06-30"), dt.date(2024, 6, 30)),
        ("=SUMME(A1)", "=SUMME(A1)"),
    ],
)
def test_plain_by_hand(value, expected):
    got = cells.plain(value)
    assert got == expected and type(got) is type(expected)


def test_columns_give_what_the_scalar_rule_gives():
    frame = pd.DataFrame(
        {
            "f": [1.5, np.nan, np.inf],
            "i": np.array([1, 2, 3], dtype=np.int64),
            "n": pd.array([1, None, 3], dtype="Int64"),
            "b": [True, False, True],
            "d": pd.to_datetime(["2024-06-30", None, "1900-01-01"]),
            "t": pd.to_datetime(["2024-06-30 12:00", None, "2024-01-01 00:00"]),
            "s": pd.array(["a", None, "=1"], dtype="str"),
            "c": pd.Categorical(["x", None, "y"]),
            "o": pd.Series(["a", 1, np.float64(2.5)], dtype=object),
        }
    )
    expected = {
        "f": [1.5, None, None],
        "i": [1, 2, 3],
        "n": [1, None, 3],
        "b": [True, False, True],
        "d": [dt.date(2024, 6, 30), None, dt.date(1900, 1, 1)],
        "t": [dt.datetime(2024, 6, 30, 12), None, dt.date(2024, 1, 1)],
        "s": ["a", None, "=1"],
        "c": ["x", None, "y"],
        "o": ["a", 1, 2.5],
    }
    for name, want in expected.items():
        got = cells.plain_column(frame[name])
        assert got == want, name
        assert [type(v) for v in got] == [type(v) for v in want], name
    rows = cells.plain_rows([frame["i"], frame["s"]])
    assert rows == [[1, "a"], [2, None], [3, "=1"]]
    assert not any(isinstance(v, float) and math.isnan(v) for r in rows for v in r)


# --- Excel's cell text limit: 32,767 UTF-16 code units (an emoji is two) ---------------------

EMOJI = "\U0001f600"  # beyond U+FFFF: two UTF-16 units


def test_cell_lengths_count_as_excel_does():
    lengths = cells.cell_lengths(pd.Series(["a" + EMOJI, None, 5, "äöü"], dtype=object))
    assert lengths.tolist() == [3, 0, 1, 3]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x" * 32_767, "x" * 32_767),  # exactly the limit stays whole
        ("x" * 32_768, "x" * 32_767),
        (EMOJI * 20_000, EMOJI * 16_383),  # 32,766 units; the next emoji would split
        ("a" + EMOJI * 16_383, "a" + EMOJI * 16_383),  # 1 + 32,766 = 32,767 units
        ("ab" + EMOJI * 16_383, "ab" + EMOJI * 16_382),  # 32,768 units: the last emoji goes
    ],
)
def test_texts_are_cut_at_the_excel_limit_in_utf16_units(text, expected):
    assert cells.cut_text(text) == expected
    assert cells.cut_texts(pd.Series([text, "kurz"])).tolist() == [expected, "kurz"]
    arrow = cells.cut_text_array(pa.array([text, None, "kurz"]))
    assert arrow.to_pylist() == [expected, None, "kurz"]
