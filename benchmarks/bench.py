"""Benchmark: kundenwert_xl against a plain pandas groupby of the same data, in one process.

Usage::

    python benchmarks/bench.py                 # 1M transactions, 200k customers, string ids
    python benchmarks/bench.py --data demo     # the demo data (all three tables, 40k customers)
    python benchmarks/bench.py --ids category  # ids as a Categorical (hides the factorization)
    python benchmarks/bench.py --rows 10000000 --memory-only
    python benchmarks/bench.py --clock cpu     # CPU time: steadier when others share the cores

Ids are Arrow-backed ``str`` by default, as ``pandas.read_csv`` gives them under pandas 3:
real exports arrive as text, and factorizing them is part of the work.

Every timing is printed as a ratio to the baseline (a named-aggregation groupby of the same
frame: first and last date, row count, revenue and cost sums per customer), so the figures
compare across machines. Each round runs the baseline and then every candidate (interleaved,
so a noisy neighbour on the machine hits both); the ratio of each round is taken against that
round's baseline, and the best and the median of ``--repeat`` rounds are printed.

Peers run side by side when installed (optional benchmark extras, never runtime dependencies):
lifetimes, pymc-marketing, polars and DuckDB (the last two as the floor of the transaction
reduction an embedded engine would give). Peak memory is traced with tracemalloc (numpy and
pandas buffers report to it) and compared with the input frame's size; ``--memory-only`` also
prints the process' peak resident set size, which includes Arrow buffers and the interpreter.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import resource
import statistics
import time
import tracemalloc
from collections.abc import Callable

import numpy as np
import pandas as pd

import kundenwert_xl as kx
from kundenwert_xl.core import rfm
from kundenwert_xl.core.analysis import validate_inputs
from kundenwert_xl.core.ledger import build_ledger
from kundenwert_xl.demo import make_demo


def synthetic(rows: int, customers: int, seed: int = 1) -> pd.DataFrame:
    """Transactions as the issue measures them: ``customers`` ids, two years, string ids.

    Ids are shuffled text such as ``K0123456`` (not in file order), orders hold 1-3 lines.
    """
    rng = np.random.default_rng(seed)
    cust = rng.integers(0, customers, rows)
    cust[:customers] = np.arange(customers)  # every customer buys at least once
    rng.shuffle(cust)
    order = np.arange(rows) // 2
    day = np.datetime64("2023-01-01") + rng.integers(0, 730, rows).astype("timedelta64[D]")
    revenue = np.round(rng.gamma(2.0, 60.0, rows), 2)
    return pd.DataFrame(
        {
            "customer_id": pd.Series(cust).map("K{:07d}".format).astype("str"),
            "date": day.astype("datetime64[ns]"),
            "order_id": pd.Series(order).map("A{:08d}".format).astype("str"),
            "revenue": revenue,
            "cost_of_goods": np.round(revenue * rng.uniform(0.4, 0.7, rows), 2),
        }
    )


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
        cost=("cost_of_goods", "sum"),
    )


def rfm_part(tx: pd.DataFrame, settings: kx.Settings) -> object:
    """What issue 2 calls the RFM part of analyze(): validation, summary, scores, thresholds."""
    clean, _, _ = validate_inputs(tx)
    ledger = build_ledger(clean, settings.reference_date)
    values = rfm.customer_values(ledger, settings)
    return rfm.score_customers(values, settings)


def pandas_quintiles(tx: pd.DataFrame, reference: pd.Timestamp) -> pd.DataFrame:
    """A hand-written pandas RFM quintile scoring: the least a user would write."""
    per = tx.groupby("customer_id", observed=True).agg(
        last=("date", "max"), f=("order_id", "nunique"), m=("revenue", "sum")
    )
    per["r"] = (reference - per["last"]).dt.days
    for col, asc in (("r", False), ("f", True), ("m", True)):
        per[col + "_score"] = pd.qcut(per[col].rank(method="first", ascending=asc), 5, labels=False)
    return per


def forecast_fit(tx: pd.DataFrame, reference_date: object) -> object:
    """``kx.clv_model`` from transactions; a refusal (KundenwertError) is a result too.

    On the synthetic data nobody drops out, so the BG/NBD fit runs to its end and is refused
    (parameters out of range); the demo data (``--data demo``) give an accepted model.
    """
    try:
        return kx.clv_model(tx, reference_date)
    except kx.KundenwertError as exc:
        return exc


def lifetimes_fit(tx: pd.DataFrame, reference: pd.Timestamp) -> object:
    """lifetimes: the summary in weeks and the BG/NBD fit, the peer of ``forecast_fit``."""
    from lifetimes import BetaGeoFitter
    from lifetimes.utils import summary_data_from_transaction_data

    summary = summary_data_from_transaction_data(
        tx, "customer_id", "date", observation_period_end=reference, freq="D", freq_multiplier=7
    )
    try:
        return BetaGeoFitter().fit(summary["frequency"], summary["recency"], summary["T"])
    except Exception as exc:  # lifetimes raises ConvergenceError where our fit refuses
        return exc


def peers(
    tx: pd.DataFrame, reference: pd.Timestamp
) -> tuple[list[tuple[str, Callable[[], object]]], list[str]]:
    """The peer candidates that import here, and a line for each that does not."""
    found: list[tuple[str, Callable[[], object]]] = []
    missing: list[str] = []
    try:
        from lifetimes.utils import summary_data_from_transaction_data

        found.append(
            (
                "peer lifetimes summary",
                lambda: summary_data_from_transaction_data(
                    tx, "customer_id", "date", "revenue", observation_period_end=reference
                ),
            )
        )
        found.append(("peer lifetimes BG/NBD fit", lambda: lifetimes_fit(tx, reference)))
    except Exception as exc:  # lifetimes 0.11.3 may not import on new pandas
        missing.append(f"lifetimes: {type(exc).__name__}: {exc}")
    try:
        from pymc_marketing.clv.utils import rfm_segments, rfm_summary

        found.append(
            (
                "peer pymc-marketing rfm_summary",
                lambda: rfm_summary(
                    tx, "customer_id", "date", "revenue", observation_period_end=reference
                ),
            )
        )
        found.append(
            (
                "peer pymc-marketing rfm_segments",
                lambda: rfm_segments(
                    tx, "customer_id", "date", "revenue", observation_period_end=reference
                ),
            )
        )
    except Exception as exc:
        missing.append(f"pymc-marketing: {type(exc).__name__}: {exc}")
    found.append(("peer pandas RFM quintiles", lambda: pandas_quintiles(tx, reference)))
    try:
        pl = importlib.import_module("polars")
        frame = pl.from_pandas(tx[["customer_id", "date", "revenue", "cost_of_goods"]])

        def polars_reduce() -> object:
            return frame.group_by("customer_id").agg(
                pl.col("date").min().alias("first"),
                pl.col("date").max().alias("last"),
                pl.len().alias("rows"),
                pl.col("revenue").sum(),
                pl.col("cost_of_goods").sum(),
            )

        found.append(("floor polars reduction", polars_reduce))
    except Exception as exc:
        missing.append(f"polars: {type(exc).__name__}: {exc}")
    try:
        duckdb = importlib.import_module("duckdb")
        con = duckdb.connect()
        con.register("tx", tx[["customer_id", "date", "revenue", "cost_of_goods"]])
        query = (
            "SELECT customer_id, min(date), max(date), count(*), sum(revenue), "
            "sum(cost_of_goods) FROM tx GROUP BY customer_id"
        )
        found.append(("floor DuckDB reduction", lambda: con.sql(query).to_arrow_table()))
    except Exception as exc:
        missing.append(f"duckdb: {type(exc).__name__}: {exc}")
    return found, missing


def interleaved(
    tx: pd.DataFrame,
    rows: list[tuple[str, Callable[[], object]]],
    repeat: int,
    clock: Callable[[], float] = time.perf_counter,
) -> None:
    """Run baseline and candidates round by round; print ratios (best and median)."""
    base_times: list[float] = []
    ratios: dict[str, list[float]] = {label: [] for label, _ in rows}
    for _ in range(repeat):
        gc.collect()
        start = clock()
        baseline(tx)
        base = clock() - start
        base_times.append(base)
        for label, fn in rows:
            gc.collect()
            start = clock()
            fn()
            ratios[label].append((clock() - start) / base)
    print(
        f"baseline pandas groupby: best {min(base_times) * 1000:.0f} ms, "
        f"median {statistics.median(base_times) * 1000:.0f} ms (= 1.00)"
    )
    print(f"{'':36s} {'best':>6s} {'median':>7s}")
    for label, _ in rows:
        r = ratios[label]
        print(f"{label:36s} {min(r):6.2f} {statistics.median(r):7.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--ids", choices=("str", "category"), default="str")
    parser.add_argument("--data", choices=("synthetic", "demo"), default="synthetic")
    parser.add_argument("--customers", type=int, default=200_000, help="synthetic data only")
    parser.add_argument("--no-peers", action="store_true")
    parser.add_argument("--memory-only", action="store_true")
    parser.add_argument(
        "--clock",
        choices=("wall", "cpu"),
        default="wall",
        help="cpu: process CPU time (all threads), steadier on a machine shared with others",
    )
    args = parser.parse_args()

    if args.data == "synthetic":
        tx = synthetic(args.rows, args.customers)
        customers = contacts = None
        reference_date = tx["date"].max().date()
    else:
        data = make_demo(args.rows, seed=1)
        tx, customers, contacts = data.transactions, data.customers, data.contacts
        reference_date = data.reference_date
    if args.ids == "str":
        # What pandas.read_csv gives under pandas 3: Arrow-backed str columns.
        tx = tx.assign(
            customer_id=tx["customer_id"].astype("str"), order_id=tx["order_id"].astype("str")
        )
    else:
        tx = tx.assign(
            customer_id=tx["customer_id"].astype("category"),
            order_id=tx["order_id"].astype("category"),
        )
    input_bytes = int(tx.memory_usage(deep=True).sum())
    settings = kx.Settings(reference_date=reference_date)
    reference = pd.Timestamp(reference_date)
    print(
        f"{args.data} data, rows: {len(tx):,}  customers: {tx['customer_id'].nunique():,}"
        f"  ids: {tx['customer_id'].dtype}  input frame: {input_bytes / 1e6:.0f} MB"
        f"  pandas {pd.__version__} numpy {np.__version__}"
    )

    if args.memory_only:
        start = time.perf_counter()
        base = baseline(tx)
        base_s = time.perf_counter() - start
        del base
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        start = time.perf_counter()
        peak = peak_bytes(lambda: kx.analyze(tx, customers, contacts, settings))
        seconds = time.perf_counter() - start
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"baseline groupby: {base_s:.1f} s; analyze (traced): {seconds:.1f} s")
        print(f"analyze peak traced: {peak / 1e6:.0f} MB ({peak / input_bytes:.2f}x input)")
        print(f"process peak RSS: {rss:.0f} MB (before analyze: {rss_before:.0f} MB)")
        return

    no_forecast = settings.model_copy(update={"forecast_enabled": False})
    rows: list[tuple[str, Callable[[], object]]] = [
        ("rfm_summary(mode='clv')", lambda: kx.rfm_summary(tx, reference_date)),
        ("analyze() RFM part", lambda: rfm_part(tx, settings)),
        ("analyze() transactions only", lambda: kx.analyze(tx, settings=settings)),
        ("analyze() without forecast", lambda: kx.analyze(tx, settings=no_forecast)),
        ("clv_model() (forecast fit)", lambda: forecast_fit(tx, reference_date)),
    ]
    if customers is not None:
        rows.append(("analyze() all inputs", lambda: kx.analyze(tx, customers, contacts, settings)))
    if not args.no_peers:
        found, missing = peers(tx, reference)
        rows += found
        for line in missing:
            print(f"peer not available: {line}")
    print(f"clock: {args.clock}")
    interleaved(
        tx, rows, args.repeat, time.process_time if args.clock == "cpu" else time.perf_counter
    )
    peak = peak_bytes(lambda: kx.analyze(tx, customers, contacts, settings))
    print(
        f"analyze() peak traced memory: {peak / 1e6:.0f} MB = {peak / input_bytes:.2f}x input frame"
    )


if __name__ == "__main__":
    main()
