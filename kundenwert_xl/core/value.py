"""Customer value: score 0–100, rank, a simple deterministic CLV, and ABC classes.

``value_score`` = 100 × (w_rfmr × pct(RFMR points) + w_db × pct(DB)) / (w_rfmr + w_db), where
pct is Excel's PERCENTRANK.INC: the share of the other customers with a strictly smaller value,
(count of smaller values) / (n − 1); ties share a percent rank; a single customer gets 1.
Customers without RFMR points (no purchase) count 0 in that part.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from kundenwert_xl.core.settings import Settings

DAYS_PER_YEAR = 365.25


def percent_rank(values: np.ndarray, descending: np.ndarray | None = None) -> np.ndarray:
    """PERCENTRANK.INC of each value among the non-NaN values (NaN stays NaN).

    ``descending`` is :func:`ranking` of ``values`` when the caller has it: reversed, it sorts
    the values ascending (tied values in another order, which cannot change a count of
    smaller values), so the sort is not done twice.
    """
    out = np.full(len(values), np.nan)
    valid = ~np.isnan(values)
    x = values[valid]
    if len(x) == 0:
        return out
    if len(x) == 1:
        out[valid] = 1.0
        return out
    if descending is not None and len(x) == len(values):
        order = descending[::-1]
    else:
        # Any ascending order will do (see above), so numpy's fastest sort, not a stable one.
        order = np.argsort(x)
    sorted_x = x[order]
    # The values smaller than one are the positions before its run of equal values.
    starts = np.empty(len(x), dtype=bool)
    starts[0] = True
    np.not_equal(sorted_x[1:], sorted_x[:-1], out=starts[1:])
    smaller = np.empty(len(x), dtype=np.intp)
    smaller[order] = np.maximum.accumulate(np.where(starts, np.arange(len(x)), 0))
    out[valid] = smaller / (len(x) - 1)
    return out


def value_score(
    rfmr: np.ndarray,
    db: np.ndarray,
    weights: tuple[float, float],
    db_order: np.ndarray | None = None,
) -> np.ndarray:
    """Combine RFMR points and DB into 0–100 by percent ranks and weights.

    ``db_order`` is :func:`ranking` of ``db`` when the caller has it.
    """
    w_rfmr, w_db = weights
    p_rfmr = np.nan_to_num(percent_rank(rfmr), nan=0.0)
    p_db = np.nan_to_num(percent_rank(db, db_order), nan=0.0)
    return 100.0 * (w_rfmr * p_rfmr + w_db * p_db) / (w_rfmr + w_db)


def stable_argsort(keys: np.ndarray) -> np.ndarray:
    """``numpy.argsort(keys, kind="stable")``, bit for bit, at about a third of its cost.

    numpy's stable sort of floats is a merge sort; its default sort is a vectorised one that
    does not keep equal keys in input order. So: the fast sort, then every key's pair (rank
    of its value, position) sorted as one integer, which puts equal keys in input order. The
    rank is the count of runs of equal values before it (``-0.0`` equals ``0.0``, as in the
    stable sort). ``keys`` must hold no NaN.
    """
    n = len(keys)
    order = np.argsort(keys)
    ordered = keys[order]
    starts = np.empty(n, dtype=bool)
    starts[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=starts[1:])
    if starts.all():
        # No two keys are equal: every sort gives the one order.
        return order
    rank = np.cumsum(starts, dtype=np.int64)
    rank *= n
    pairs = rank + order
    pairs.sort()
    # The ranks are in ascending order already, so position i of the sorted pairs holds
    # rank[i] (a subtraction, not a division, takes it off).
    pairs -= rank
    return pairs.astype(np.intp, copy=False)


def ranking(
    primary: np.ndarray,
    secondary: np.ndarray | None = None,
    secondary_order: np.ndarray | None = None,
) -> np.ndarray:
    """Positions 0..n−1 of a descending ranking; ties by ``secondary`` (desc), then input order.

    The input is in customer-number order (the ledger's sorted customer ids), so the last tie
    rule is the customer number and the ranking depends on the data alone. Money arrives exact
    to the cent, so customers with equal amounts tie exactly and this rule, not floating-point
    noise, orders them.

    With ``secondary`` it is two stable sorts, the ranking by ``secondary`` and then by
    ``primary`` (the same order as a lexsort of both keys and the position); pass
    ``secondary_order``, :func:`ranking` of ``secondary``, when the caller has it already.
    """
    first = -np.nan_to_num(primary, nan=-np.inf)
    if secondary is None:
        return stable_argsort(first)
    by_secondary = ranking(secondary) if secondary_order is None else secondary_order
    return by_secondary[stable_argsort(first[by_secondary])]


def ranks(order: np.ndarray) -> np.ndarray:
    """Rank (1 = first) of each element, from an ordering."""
    out = np.empty(len(order), dtype="int64")
    out[order] = np.arange(1, len(order) + 1)
    return out


def clv(
    db_per_year: np.ndarray, retention: float, discount: float, include_current: bool
) -> np.ndarray:
    """Deterministic CLV with constant margin (DOMAIN.md §6.2).

    ``m × r / (1 + i − r)``: margins from next year on, infinite horizon; with
    ``include_current`` ``m × (1 + i) / (1 + i − r)``, one more period's margin.
    """
    factor = (1 + discount) if include_current else retention
    return db_per_year * factor / (1 + discount - retention)


#: The ABC classes; :func:`abc_codes` gives positions in this tuple.
ABC = ("A", "B", "C")


def abc_codes(
    values: np.ndarray,
    limits: tuple[float, float],
    basis: str,
    order: np.ndarray | None = None,
) -> np.ndarray:
    """ABC class per customer as a code: 0 = A, 1 = B, 2 = C (see :func:`abc_classes`)."""
    n = len(values)
    if order is None:
        order = ranking(values)
    codes = np.full(n, 2, dtype=np.int8)
    if n == 0:
        return codes
    if basis == "customers":
        before = np.arange(n) / n
        positive = None
    else:
        positive = np.clip(np.nan_to_num(values[order]), 0, None)
        total = positive.sum()
        before = (np.cumsum(positive) - positive) / total if total > 0 else np.ones(n)
    # A below the first limit, B below the second, C from there (and where the share is NaN,
    # as ``where(before < a, "A", where(before < b, "B", "C"))`` has it).
    ordered = (~(before < limits[0])).view(np.int8) + (~(before < limits[1])).view(np.int8)
    if positive is not None:
        ordered[positive <= 0] = 2
    codes[order] = ordered
    return codes


def abc_classes(
    values: np.ndarray,
    limits: tuple[float, float],
    basis: str,
    order: np.ndarray | None = None,
) -> np.ndarray:
    """ABC class per customer by a measure (revenue or DB), DOMAIN.md §5.1.

    Customers are sorted by the measure, descending; equal values keep input order (customer
    number). With ``basis="value"`` a customer belongs to the class in which the cumulative
    share *before* adding it lies (the top customer is always A); shares are of the sum of
    positive values, and customers with a value ≤ 0 are C. With ``basis="customers"`` the share
    of customers ranked before decides. ``order`` is :func:`ranking` of ``values`` when the
    caller has it already (it is the same sort).
    """
    # The three strings are taken by code, not made once per customer.
    return np.array(ABC, dtype=object)[abc_codes(values, limits, basis, order)]


def _texts(labels: tuple[str, ...], codes: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """A pandas ``str`` array of ``labels[code]`` for each code, taken in Arrow.

    What pandas makes of an object array of the same strings, at a tenth of the cost: it
    would look at every Python string to infer and convert them.
    """
    return pd.array(pa.array(labels, type=pa.large_string()).take(codes), dtype="str")


def customer_value(
    rfmr_points: np.ndarray,
    margins: pd.DataFrame,
    settings: Settings,
    period_days: int,
    abc_order: np.ndarray | None = None,
    db_order: np.ndarray | None = None,
) -> pd.DataFrame:
    """Value score, rank, CLV and ABC classes per customer.

    Parameters
    ----------
    rfmr_points : numpy.ndarray
    margins : pandas.DataFrame
        From :func:`kundenwert_xl.core.margin.margins` (``net_revenue``, ``db1`` … ``db4``).
    settings : Settings
    period_days : int
        Length of the analysed period (first transaction to reference date, inclusive), to
        turn the DB into a DB per year for the CLV.
    abc_order : numpy.ndarray, optional
        :func:`ranking` of the ABC measure (revenue or DB), when the caller has it already.
    db_order : numpy.ndarray, optional
        :func:`ranking` of the DB at the ranking level, when the caller has it already.
    """
    level = settings.ranking_level
    db = margins[level].to_numpy(dtype="float64")
    revenue = margins["net_revenue"].to_numpy(dtype="float64")
    if db_order is None:
        db_order = ranking(db)
    score = value_score(rfmr_points, db, settings.value_weights, db_order)
    rank = ranks(ranking(score, db, db_order))
    years = max(period_days, 1) / DAYS_PER_YEAR
    per_year = db / years
    measure = revenue if settings.abc_measure == "revenue" else db
    limits = (
        settings.abc_value_limits if settings.abc_basis == "value" else settings.abc_customer_limits
    )
    return pd.DataFrame(
        {
            "value_score": score,
            "value_rank": rank,
            "db_per_year": per_year,
            "clv": clv(
                per_year,
                settings.clv_retention,
                settings.clv_discount_rate,
                settings.clv_include_current,
            ),
            "abc_class": _texts(ABC, abc_codes(measure, limits, settings.abc_basis, abc_order)),
        },
        index=margins.index,
        copy=False,  # fresh arrays, one block each: a copy into a 2-D block only costs
    )
