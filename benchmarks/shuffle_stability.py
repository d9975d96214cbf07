"""Does the row order of the input change any result? The comparison table of issue 16.

Usage::

    python benchmarks/shuffle_stability.py                  # 200,000 rows, 40,000 customers
    python benchmarks/shuffle_stability.py --rows 20000 --customers 4000

Generates a ledger as ERP exports have it: an order number per row, several orders of one
customer on the same day, amounts in cents with many duplicates, a few credit notes and rows
without an order number. Runs ``analyze()`` and ``rfm_summary()`` on it as it is and on a
shuffled copy (same settings), and on a copy whose customer ids and order numbers are numbers
instead of text, then prints, per column, how many customers differ when compared bit for bit
(NaN equal to NaN), and which other tables and facts differ at all. Target: 0 everywhere.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

import numpy as np
import pandas as pd

import kundenwert_xl as kx


def make_ledger(rows: int, customers: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Transactions and a customer table; ids and order numbers are numbers-in-text."""
    rng = np.random.default_rng(seed)
    cust = rng.integers(0, customers, rows)
    # Few purchase days per customer, so several orders fall on the same day.
    day_slot = rng.integers(0, 3, rows)
    start = np.datetime64("2023-01-01")
    day = (cust * 7 + day_slot * 53) % 700
    date = start + day.astype("timedelta64[D]")
    # Order numbers unrelated to the row order and to the customer: a shuffled range.
    order = rng.permutation(rows) + 100_000
    # Prices from a short list: many duplicate amounts within a customer and day.
    revenue = rng.choice([9.99, 19.9, 24.5, 49.0, 99.95, 120.1, 0.1, 0.2, 0.3], rows)
    revenue = np.where(rng.random(rows) < 0.04, -revenue, revenue)
    tx = pd.DataFrame(
        {
            "customer_id": (cust + 10_001).astype(str),
            "date": date,
            "order_id": order.astype(str),
            "revenue": revenue,
            "cost_of_goods": np.round(revenue * rng.choice([0.55, 0.6, 0.65], rows), 2),
            "shipping_cost": rng.choice([0.0, 4.9, 5.9], rows),
            "returned": rng.random(rows) < 0.05,
        }
    )
    tx.loc[rng.random(rows) < 0.05, "order_id"] = None
    table = pd.DataFrame(
        {
            "customer_id": (np.arange(customers) + 10_001).astype(str),
            "group": rng.choice(["Fachhandel", "Industrie", "Online"], customers),
            "sales_costs": rng.choice([0.0, 10.1, 20.2], customers),
        }
    )
    return tx, table


def differing(a: pd.Series, b: pd.Series) -> int:
    """Rows whose values are not bit-identical (NaN equals NaN)."""
    a, b = a.align(b)
    if pd.api.types.is_float_dtype(a.dtype) and pd.api.types.is_float_dtype(b.dtype):
        x, y = a.to_numpy(dtype="float64"), b.to_numpy(dtype="float64")
        same = (x.view("int64") == y.view("int64")) | (np.isnan(x) & np.isnan(y))
        return int((~same).sum())
    return int((~((a == b).fillna(False) | (a.isna() & b.isna()))).sum())


def frame_differs(a: pd.DataFrame, b: pd.DataFrame) -> int:
    """Cells that differ between two tables of the same shape (all if the shapes differ)."""
    if a.shape != b.shape or not a.index.equals(b.index) or not a.columns.equals(b.columns):
        return a.size or 1
    return sum(differing(a[c], b[c]) for c in a.columns)


def compare(label: str, one: kx.core.analysis.Analysis, two: kx.core.analysis.Analysis) -> None:
    print(f"\n{label}")
    c1, c2 = one.customers, two.customers
    if not c1.index.equals(c2.index):
        print("  customer index differs")
    counts = {col: differing(c1[col], c2[col]) for col in c1.columns}
    for col, n in counts.items():
        if n:
            print(f"  {col:32s} {n:7,d} customers differ")
    changed = sum(map(bool, counts.values()))
    print(f"  columns compared: {len(counts)}, columns with differences: {changed}")
    for name in (
        "thresholds",
        "segments",
        "pareto",
        "pareto_revenue",
        "deciles",
        "deciles_revenue",
        "dilemma",
        "scenarios",
        "targeting",
    ):
        n = frame_differs(getattr(one, name), getattr(two, name))
        print(f"  {name:32s} {n:7,d} cells differ")
    for name in ("facts", "targeting_summary"):
        d1, d2 = getattr(one, name), getattr(two, name)
        bad = [k for k in d1 if not (np.float64(d1[k]).tobytes() == np.float64(d2[k]).tobytes())]
        print(f"  {name:32s} {len(bad):7,d} differ {bad if bad else ''}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--customers", type=int, default=40_000)
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args()

    tx, customers = make_ledger(args.rows, args.customers, args.seed)
    shuffled = tx.sample(frac=1.0, random_state=args.seed + 1).reset_index(drop=True)
    as_numbers = tx.assign(
        customer_id=tx["customer_id"].astype("int64"),
        order_id=pd.to_numeric(tx["order_id"]),  # float with NaN, as Excel hands numbers over
    )
    settings = kx.Settings(
        reference_date=dt.date(2024, 12, 31), group_fixed_costs={"Industrie": 5000.0}
    )
    same_day = tx.groupby(["customer_id", "date"]).size()
    print(
        f"rows: {len(tx):,}  customers: {tx['customer_id'].nunique():,}  "
        f"(customer, day) with several rows: {(same_day > 1).sum():,}"
    )
    start = time.perf_counter()
    first = kx.analyze(tx, customers, settings=settings)
    print(f"analyze(): {time.perf_counter() - start:.2f} s")
    compare("shuffled rows", first, kx.analyze(shuffled, customers, settings=settings))
    compare(
        "ids and order numbers as numbers",
        first,
        kx.analyze(as_numbers, customers, settings=settings),
    )
    for mode in ("clv", "segmentation"):
        s1 = kx.rfm_summary(tx, settings.reference_date, mode=mode)
        s2 = kx.rfm_summary(shuffled, settings.reference_date, mode=mode)
        print(f"\nrfm_summary(mode={mode!r}), shuffled: {frame_differs(s1, s2):,} cells differ")


if __name__ == "__main__":
    main()
