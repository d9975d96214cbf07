"""The ledger's customer universe: transaction ids and customer-table ids, sorted, as codes."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from kundenwert_xl.core import schema
from kundenwert_xl.core.ledger import build_ledger


def test_extra_customers_join_the_sorted_universe_and_rows_keep_their_customer():
    tx = schema.validate(
        pd.DataFrame(
            {
                "customer_id": pd.Series(["K5", "B1", "K5", "B1"], dtype="str"),
                "date": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03", "2024-02-01"]),
                "revenue": [1.0, 2.0, 3.0, 4.0],
            }
        ),
        "transactions",
    )
    # K5 is known from both tables, A0 and Z9 only from the customer table; the last row lies
    # after the reference date, so B1 still buys once.
    ledger = build_ledger(tx, dt.date(2024, 1, 31), pd.Index(["Z9", "K5", "A0"]))
    assert ledger.customer_ids.tolist() == ["A0", "B1", "K5", "Z9"]
    assert ledger.codes.tolist() == [2, 1, 2]
    np.testing.assert_array_equal(ledger.money("revenue"), [0.0, 2.0, 4.0, 0.0])


def _ledger_with_keys():
    tx = schema.validate(
        pd.DataFrame(
            {
                "customer_id": pd.Series(["B", "A", "B", "A", "B", "A"], dtype="str"),
                "date": pd.to_datetime(["2024-01-01"] * 6),
                "revenue": [1.0, 1.0, -1.0, 1.0, 1.0, 1.0],
            }
        ),
        "transactions",
    )
    return build_ledger(tx, None, pd.Index(["C"]))


def test_key_runs_gives_smallest_largest_and_distinct_keys_per_customer():
    ledger = _ledger_with_keys()
    # Rows of A: keys 7, 3, 7 -> smallest 3, largest 7, two distinct. Rows of B: 5, 9, 2, but
    # the row with key 9 is masked out -> 2, 5, two distinct. C has no rows.
    keys = np.array([5, 7, 9, 3, 2, 7])
    mask = np.array([True, True, False, True, True, True])
    low, high, distinct = ledger.key_runs(keys, mask)
    no_key = np.iinfo(np.int64).min
    assert low.tolist() == [3, 2, no_key]
    assert high.tolist() == [7, 5, no_key]
    assert distinct.tolist() == [2, 2, 0]
    assert ledger.count_distinct(keys, mask).tolist() == [2, 2, 0]


def test_key_runs_with_keys_too_wide_for_32_bits():
    ledger = _ledger_with_keys()
    # A span of three billion does not fit the 32-bit combined key: the 64-bit path runs.
    keys = np.array([0, 3_000_000_000, 3_000_000_000, 0, 1, 5])
    low, high, distinct = ledger.key_runs(keys)
    assert low.tolist() == [0, 0, np.iinfo(np.int64).min]
    assert high.tolist() == [3_000_000_000, 3_000_000_000, np.iinfo(np.int64).min]
    assert distinct.tolist() == [3, 3, 0]


def test_day_numbers_floor_to_the_day_before_and_after_1970():
    from kundenwert_xl.core.ledger import NO_DAY, day_numbers

    stamps = ["2024-01-01T13:00", "1970-01-01", "1969-12-31T23:59", "1900-01-01", "NaT"]
    expected = [19723, 0, -1, -25567, NO_DAY]  # 54 x 365 + 13 leap days; 70 x 365 + 17
    for unit in ("ns", "s"):
        got = day_numbers(np.array(stamps, dtype=f"datetime64[{unit}]"))
        assert got.tolist() == expected, unit
    assert day_numbers(pd.Series(pd.to_datetime(stamps, format="ISO8601"))).tolist() == expected
