"""Pareto tables, deciles, the whale curve and the headline facts (DOMAIN.md §5).

Rankings are stable: customers sorted descending by the measure, equal values in customer
order. "Top p" means the first ceil(p·n) customers; "next 30 %" the ranks after the top 20 %
up to ceil(0.5·n); "bottom 50 %" the last n − ceil(0.5·n); "worst 10 %" the last ceil(0.1·n).
Shares of a total that is not positive are NaN (a share of a loss has no meaning); the
cumulative amounts in euros are always given.
"""

from __future__ import annotations

import math
from typing import overload

import numpy as np
import pandas as pd

PARETO_ROWS = 100
DECILES = 10


@overload
def _share(part: float, total: float) -> float: ...
@overload
def _share(part: np.ndarray, total: float) -> np.ndarray: ...
def _share(part: np.ndarray | float, total: float) -> np.ndarray | float:
    if total > 0:
        return np.asarray(part) / total if isinstance(part, np.ndarray) else part / total
    return np.full(np.shape(part), np.nan) if isinstance(part, np.ndarray) else math.nan


def top_count(share: float, n: int) -> int:
    """ceil(share · n), with a guard against float noise such as 0.3 · 10 = 3.0000000000000004."""
    return min(n, math.ceil(round(share * n, 9)))


Sums = tuple[np.ndarray, np.ndarray]


def running_sums(revenue: np.ndarray, db: np.ndarray, order: np.ndarray) -> Sums:
    """Revenue and DB summed along the ranking ``order``: after 0, 1, …, n customers.

    The tables and facts of one ranking share them (pass them as ``sums``), so each ranking
    is gathered and summed once.
    """
    out = []
    for values in (revenue, db):
        cum = np.empty(len(order) + 1)
        cum[0] = 0.0
        np.cumsum(values[order], out=cum[1:])
        out.append(cum)
    return out[0], out[1]


def pareto_table(
    revenue: np.ndarray, db: np.ndarray, order: np.ndarray, sums: Sums | None = None
) -> pd.DataFrame:
    """Fixed 100 rows: after the first ceil(p·n) customers of the ranking, p = 1 … 100 %.

    ``order`` is the ranking (by DB or by revenue, from :func:`~kundenwert_xl.core.value.ranking`);
    ``sums`` its :func:`running_sums` when the caller has them.

    Columns: ``customer_share`` (p), ``customers`` (k), ``revenue_cum``, ``revenue_share``,
    ``db_cum``, ``db_share``.
    """
    n = len(revenue)
    rev_cum, db_cum = running_sums(revenue, db, order) if sums is None else sums
    p = np.arange(1, PARETO_ROWS + 1) / PARETO_ROWS
    k = np.array([top_count(x, n) for x in p], dtype="int64")
    return pd.DataFrame(
        {
            "customer_share": p,
            "customers": k,
            "revenue_cum": rev_cum[k],
            "revenue_share": _share(rev_cum[k], revenue.sum()),
            "db_cum": db_cum[k],
            "db_share": _share(db_cum[k], db.sum()),
        },
        index=pd.RangeIndex(1, PARETO_ROWS + 1, name="row"),
    )


def decile_table(
    revenue: np.ndarray, db: np.ndarray, order: np.ndarray, sums: Sums | None = None
) -> pd.DataFrame:
    """Ten rows: customers, revenue and DB per decile of the ranking ``order``, with shares.

    ``sums`` are the :func:`running_sums` of the ranking when the caller has them.
    """
    n = len(revenue)
    bounds = [top_count(d / DECILES, n) for d in range(DECILES + 1)]
    rev_cum, db_cum = running_sums(revenue, db, order) if sums is None else sums
    lo, hi = np.array(bounds[:-1]), np.array(bounds[1:])
    rev, dbs = rev_cum[hi] - rev_cum[lo], db_cum[hi] - db_cum[lo]
    return pd.DataFrame(
        {
            "customers": hi - lo,
            "revenue": rev,
            "revenue_share": _share(rev, revenue.sum()),
            "revenue_share_cum": _share(rev_cum[hi], revenue.sum()),
            "db": dbs,
            "db_share": _share(dbs, db.sum()),
            "db_share_cum": _share(db_cum[hi], db.sum()),
        },
        index=pd.RangeIndex(1, DECILES + 1, name="decile"),
    )


def facts(
    revenue: np.ndarray,
    db: np.ndarray,
    by_revenue: np.ndarray,
    by_db: np.ndarray,
    revenue_sums: Sums | None = None,
    db_sums: Sums | None = None,
) -> dict[str, float]:
    """The headline figures of the API contract, as fractions (1.0 = 100 %).

    ``revenue_sums`` and ``db_sums`` are the :func:`running_sums` of the two rankings when
    the caller has them.
    """
    n = len(revenue)
    total_rev, total_db = float(revenue.sum()), float(db.sum())
    rev_sorted = revenue[by_revenue]
    db_sorted = db[by_db]
    rev_cum = (running_sums(revenue, db, by_revenue) if revenue_sums is None else revenue_sums)[0][
        1:
    ]
    db_cum = (running_sums(revenue, db, by_db) if db_sums is None else db_sums)[1][1:]
    top20, top50, worst10 = top_count(0.2, n), top_count(0.5, n), top_count(0.1, n)
    reach = np.flatnonzero(rev_cum >= 0.8 * total_rev) if total_rev > 0 else np.array([], int)
    return {
        "customers": n,
        "transactions": 0,
        "total_revenue": total_rev,
        "total_db": total_db,
        "negative_db_customers": int((db < 0).sum()),
        "revenue_share_top20": _share(float(rev_sorted[:top20].sum()), total_rev),
        "customer_share_for_80pct_revenue": (int(reach[0]) + 1) / n if len(reach) else math.nan,
        "db_share_top20": _share(float(db_sorted[:top20].sum()), total_db),
        "db_share_next30": _share(float(db_sorted[top20:top50].sum()), total_db),
        "db_share_bottom50": _share(float(db_sorted[top50:].sum()), total_db),
        "db_share_worst10": _share(float(db_sorted[n - worst10 :].sum()), total_db),
        "whale_peak": _share(float(db_cum.max()), total_db) if n else math.nan,
    }
