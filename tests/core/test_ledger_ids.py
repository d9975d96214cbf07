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
