"""Benchmark: what the worksheet functions' cache costs and saves, through xlwings' conversion.

Usage::

    python benchmarks/bench_udf.py               # 100,000 demo transactions
    python benchmarks/bench_udf.py --rows 20000

The demo tables are turned into the cell values Excel hands to a function (lists of rows, text
ids, dates as datetimes) and passed through xlwings' own conversion layer (the stand-in COM
engine of ``tests/excel/conftest.py``), exactly as the tests call the functions. Measured in one
process, best of ``--repeat``:

- *cold*: ``=KUNDENWERT(...)`` with an empty cache (conversion, key, analysis, output);
- *hit*: the same call again (conversion, key, lookup, output);
- the same two for the function body alone (the frames already converted): what our code costs;
- *key*: building the cache key alone, against *analysis*: ``analyze()`` alone.

Targets (issue 15): key / analysis <= 1; hit / cold <= 0.5. xlwings' own conversion of the cell
values (per cell, in Python, on every call, also in Excel) is printed separately: it is the
floor of any call, cached or not.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

import pandas as pd
from xlwings import conversion

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kundenwert_xl import texts
from kundenwert_xl.core.analysis import analyze
from kundenwert_xl.demo import make_demo
from kundenwert_xl.excel import udfs
from kundenwert_xl.settings import Settings
from kundenwert_xl.template.udf_wrappers import udf_module
from tests.excel.conftest import MISSING, call_like_excel


def best_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def cells(frame: pd.DataFrame, table: str) -> list[list[object]]:
    """A frame as the values of an Excel table range with its German header row."""
    headers = texts.HEADERS[table]
    frame = frame[[c for c in frame.columns if c in headers]]
    rows = [[headers[c] for c in frame.columns]]
    for row in frame.itertuples(index=False):
        rows.append(
            [
                dt.datetime(v.year, v.month, v.day) if isinstance(v, dt.date | pd.Timestamp) else v
                for v in row
            ]
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    demo = make_demo(args.rows)
    tx, cust, contacts = (
        cells(demo.transactions, "transactions"),
        cells(demo.customers, "customers"),
        cells(demo.contacts, "contacts"),
    )
    funcs = udf_module()

    def call():
        return call_like_excel(funcs.KUNDENWERT, tx, cust, contacts, MISSING, MISSING)

    def cold():
        udfs._CACHE.clear()
        udfs._RENDERED.clear()
        call()

    first = call()
    assert not str(first[0][0]).startswith("Fehler"), first[0][0]
    t_cold = best_of(cold, args.repeat)
    call()
    t_hit = best_of(call, args.repeat)
    # The frames exactly as the function receives them (xlwings' conversion, done once here).
    meta = funcs.KUNDENWERT.__xlfunc__
    frames = [
        conversion.read(None, t, meta["args"][i]["options"])
        for i, t in enumerate((tx, cust, contacts))
    ]

    def body():
        return funcs.KUNDENWERT(*frames, None, None)

    def body_cold():
        udfs._CACHE.clear()
        udfs._RENDERED.clear()
        body()

    t_body_cold = best_of(body_cold, args.repeat)
    body()
    t_body_hit = best_of(body, args.repeat)
    settings = Settings()
    t_key = best_of(lambda: udfs._key(*frames, settings.model_dump_json()), args.repeat)
    t_analysis = best_of(lambda: analyze(*frames, settings=settings), args.repeat)
    print(f"KUNDENWERT, {args.rows:,} transactions, best of {args.repeat}")
    print(f"whole call, cold  {t_cold * 1000:7.0f} ms")
    print(f"whole call, hit   {t_hit * 1000:7.0f} ms   hit / cold     {t_hit / t_cold:5.2f}")
    print(f"  of which xlwings' conversion of the cells ≈ {(t_hit - t_body_hit) * 1000:5.0f} ms")
    print(f"function, cold    {t_body_cold * 1000:7.0f} ms")
    print(
        f"function, hit     {t_body_hit * 1000:7.0f} ms   hit / cold     "
        f"{t_body_hit / t_body_cold:5.2f}  (<= 0.5)"
    )
    ratio = t_key / t_analysis
    print(f"cache key         {t_key * 1000:7.0f} ms   key / analysis {ratio:5.2f}  (<= 1)")
    print(f"analyze()         {t_analysis * 1000:7.0f} ms")


if __name__ == "__main__":
    main()
