"""The decisions the article asks for: the dilemma customers, letting customers go, targeting.

- Dilemma: customers among the worst share by DB who are still A customers by revenue.
- Scenarios: if the company let go of the worst 5, 10, 20, 30 % by DB (or of the dilemma
  customers only), what revenue and DB would it lose or win? Their direct costs are assumed to
  go with them, so their whole DB leaves the total.
- Targeting: with a budget and a cost per contact, whom to contact first (by value rank) and
  what share of DB and revenue that list covers.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from kundenwert_xl.core.margin import whole_cents
from kundenwert_xl.core.pareto import top_count
from kundenwert_xl.core.settings import Settings
from kundenwert_xl.core.value import ABC, abc_codes


def dilemma_flags(
    revenue: np.ndarray,
    by_db: np.ndarray,
    settings: Settings,
    by_revenue: np.ndarray | None = None,
) -> np.ndarray:
    """True for customers in the worst ``dilemma_worst_share`` by DB with a chosen revenue class.

    ``by_db`` is the ranking by DB (best first); ``by_revenue`` the ranking by revenue, when
    the caller has it already.
    """
    n = len(revenue)
    worst = np.zeros(n, dtype=bool)
    worst[by_db[n - top_count(settings.dilemma_worst_share, n) :]] = True
    limits = (
        settings.abc_value_limits if settings.abc_basis == "value" else settings.abc_customer_limits
    )
    chosen = np.isin(np.array(ABC), settings.dilemma_revenue_classes)
    return worst & chosen[abc_codes(revenue, limits, settings.abc_basis, by_revenue)]


def dilemma_table(customers: pd.DataFrame, level: str) -> pd.DataFrame:
    """The dilemma customers with revenue share, DB, DB ratio and the price increase to DB 0.

    With the forecast on, also P(alive) and the forward DB (empty otherwise).

    ``price_increase`` is the share by which the net revenue would have to rise (costs as they
    are) for the DB to reach zero: −DB / net revenue.
    """
    total = customers["net_revenue"].sum()
    part = customers[customers["dilemma"].to_numpy(dtype=bool)]  # no index alignment
    revenue = part["net_revenue"]
    table = pd.DataFrame(
        {
            "name": part.get("name"),
            "segment": part.get("segment"),
            "net_revenue": revenue,
            "revenue_share": revenue / total if total > 0 else np.nan,
            "db": part[level],
            "db_ratio": part[f"{level}_ratio"],
            "price_increase": np.where(
                revenue > 0, -part[level] / revenue.where(revenue > 0), np.nan
            ),
            "value_rank": part.get("value_rank"),
            # A dilemma customer likely to stay is a repricing case; one likely gone is not.
            "p_alive": part.get("p_alive"),
            "clv_db": part.get("clv_db"),
        },
        index=part.index,
    )
    return table.sort_values("net_revenue", ascending=False, kind="stable")


def scenario_table(
    revenue: np.ndarray,
    db: np.ndarray,
    order: np.ndarray,
    dilemma: np.ndarray,
    steps: tuple[float, ...],
) -> pd.DataFrame:
    """One row per step (worst p by DB let go) and one for the dilemma customers only.

    ``order`` is the ranking by DB (best first).
    """
    n = len(db)
    total_rev_c, total_db_c = _cent_sum(revenue), _cent_sum(db)
    total_rev, total_db = total_rev_c / 100.0, total_db_c / 100.0
    rows = []
    groups = [(f"worst_{p:g}", p, order[n - top_count(p, n) :]) for p in steps]
    groups.append(("dilemma", math.nan, np.flatnonzero(dilemma)))
    for key, share, members in groups:
        lost_rev_c, lost_db_c = _cent_sum(revenue[members]), _cent_sum(db[members])
        lost_rev = lost_rev_c / 100.0
        after_c = float(whole_cents(total_db_c - lost_db_c))
        after = after_c / 100.0
        rows.append(
            {
                "scenario": key,
                "share": share,
                "customers_lost": len(members),
                "revenue_lost": lost_rev,
                "revenue_lost_share": lost_rev / total_rev if total_rev > 0 else math.nan,
                "db_before": total_db,
                "db_after": after,
                "db_change": float(whole_cents(after_c - total_db_c)) / 100.0,
                "db_change_share": (after - total_db) / abs(total_db) if total_db else math.nan,
            }
        )
    return pd.DataFrame(rows).set_index("scenario")


def _cent_sum(euros: np.ndarray) -> float:
    """Σ euros in cents, as exact as the amounts: 88.020,49 €, never 88020.48999999999.

    The customers' amounts are whole cents (or millionths of a cent, see
    :func:`~kundenwert_xl.core.margin.whole_cents`); summed as euros they carry binary noise
    that ``=B27=88020,49`` in Excel would see.
    """
    return float(whole_cents(np.sum(whole_cents(np.asarray(euros, dtype="float64") * 100.0))))


def targeting(
    customers: pd.DataFrame,
    level: str,
    budget: float,
    cost_per_contact: float,
    order: str = "value",
) -> tuple[pd.DataFrame, dict[str, float]]:
    """The customers to contact first, and what share of DB and revenue they hold.

    ``order="value"`` takes them by value rank; ``"forecast_db"`` by the forward DB
    (``clv_db``, highest first, ties and customers without a forecast by value rank).
    """
    k = min(len(customers), math.floor(budget / cost_per_contact + 1e-9))
    rank = customers["value_rank"].to_numpy()
    n = len(rank)
    if (
        n
        and rank.dtype.kind in "iu"
        and rank.min() == 1
        and rank.max() == n
        and np.array_equal(np.bincount(rank, minlength=n + 1)[1:], np.ones(n, dtype="int64"))
    ):
        # The ranks 1 … n (as analyze() makes them): the order is their inverse, no sort.
        by_rank = np.empty(n, dtype=np.intp)
        by_rank[rank - 1] = np.arange(n)
    else:
        by_rank = np.argsort(rank, kind="stable")
    if order == "forecast_db":
        forward = customers["clv_db"].to_numpy(dtype="float64")[by_rank]
        # Missing forecasts last: -inf sorts after every real value in a descending order.
        by_rank = by_rank[np.argsort(-np.nan_to_num(forward, nan=-np.inf), kind="stable")]
    first = by_rank[:k]
    chosen = customers.iloc[first]
    total_rev = customers["net_revenue"].sum()
    total_db = customers[level].sum()
    columns = [
        c
        for c in (
            "name",
            "segment",
            "value_rank",
            "value_score",
            "net_revenue",
            level,
            "p_alive",
            "clv_db",
        )
        if c in chosen
    ]
    summary = {
        "customers": k,
        "cost": k * cost_per_contact,
        "revenue_share": chosen["net_revenue"].sum() / total_rev if total_rev > 0 else math.nan,
        "db_share": chosen[level].sum() / total_db if total_db > 0 else math.nan,
    }
    return chosen[columns], summary
