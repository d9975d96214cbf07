"""Benchmark: kundenwert_xl against a plain pandas groupby of the same data, in one process.

Usage::

    python benchmarks/bench.py                 # 1 million demo transactions
    python benchmarks/bench.py --rows 10000000 --memory-only

Prints each timing as a ratio to the baseline (a named-aggregation groupby: first and last
date, row count and revenue sum per customer), so the figures compare across machines. Times
are the best of ``--repeat`` runs. Peak memory is traced with tracemalloc (numpy and pandas
buffers report to it) and compared with the input frame's size; ``--memory-only`` also prints
the process' peak resident set size, which includes Arrow buffers and the interpreter.
"""

from __future__ import annotations

import argparse
import gc
import resource
import time
import tracemalloc
from collections.abc import Callable

import pandas as pd

import kundenwert_xl as kx
from kundenwert_xl.core import rfm
from kundenwert_xl.core.analysis import validate_inputs
from kundenwert_xl.core.ledger import build_ledger
from kundenwert_xl.demo import make_demo


def best_of(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def peak_bytes(fn: Callable[[], object]) -> int:
    gc.collect()
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def baseline(tx: pd.DataFrame) -> pd.DataFrame:
    return tx.groupby("customer_id", observed=True).agg(
        first=("date", "min"),
        last=("date", "max"),
        rows=("revenue", "size"),
        revenue=("revenue", "sum"),
    )


def rfm_part(tx: pd.DataFrame, settings: kx.Settings) -> object:
    """What issue 2 calls the RFM part of analyze(): validation, summary, scores, thresholds."""
    clean, _, _ = validate_inputs(tx)
    ledger = build_ledger(clean, settings.reference_date)
    values = rfm.customer_values(ledger, settings)
    return rfm.score_customers(values, settings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--memory-only", action="store_true")
    args = parser.parse_args()

    data = make_demo(args.rows, seed=1)
    tx = data.transactions
    input_bytes = int(tx.memory_usage(deep=True).sum())
    settings = kx.Settings(reference_date=data.reference_date)
    print(
        f"rows: {len(tx):,}  customers: {len(data.customers):,}  "
        f"input frame: {input_bytes / 1e6:.0f} MB"
    )

    if args.memory_only:
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        peak = peak_bytes(lambda: kx.analyze(tx, data.customers, data.contacts, settings))
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"analyze peak traced: {peak / 1e6:.0f} MB ({peak / input_bytes:.2f}x input)")
        print(f"process peak RSS: {rss:.0f} MB (before analyze: {rss_before:.0f} MB)")
        return

    base = best_of(lambda: baseline(tx), args.repeat)
    print(f"baseline pandas groupby: {base * 1000:.0f} ms (= 1.00)")
    rows = [
        ("rfm_summary(mode='clv')", lambda: kx.rfm_summary(tx, data.reference_date)),
        ("analyze() RFM part", lambda: rfm_part(tx, settings)),
        ("analyze() transactions only", lambda: kx.analyze(tx, settings=settings)),
        ("analyze() all inputs", lambda: kx.analyze(tx, data.customers, data.contacts, settings)),
    ]
    for label, fn in rows:
        t = best_of(fn, args.repeat)
        print(f"{label:32s} {t * 1000:7.0f} ms  ratio {t / base:5.2f}")
    # The same data with string ids (as a plain csv read gives them): both sides must factorize.
    tx_str = tx.assign(
        customer_id=tx["customer_id"].astype(str), order_id=tx["order_id"].astype(str)
    )
    base_str = best_of(lambda: baseline(tx_str), args.repeat)
    print(f"baseline pandas groupby, string ids: {base_str * 1000:.0f} ms (= 1.00)")
    for label, fn in (
        ("rfm_summary(mode='clv'), str ids", lambda: kx.rfm_summary(tx_str, data.reference_date)),
        ("analyze() RFM part, str ids", lambda: rfm_part(tx_str, settings)),
    ):
        t = best_of(fn, args.repeat)
        print(f"{label:32s} {t * 1000:7.0f} ms  ratio {t / base_str:5.2f}")
    peak = peak_bytes(lambda: kx.analyze(tx, data.customers, data.contacts, settings))
    print(
        f"analyze() peak traced memory: {peak / 1e6:.0f} MB = {peak / input_bytes:.2f}x input frame"
    )


if __name__ == "__main__":
    main()
