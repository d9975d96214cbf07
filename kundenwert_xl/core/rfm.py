"""Per-customer RFM values and their scores, by every binning method of DOMAIN.md §3.

Values: recency = days from the last purchase to the reference date, frequency = orders (or
purchase days), monetary = net revenue (or net revenue per purchase day). A purchase is a row
with positive revenue; credit notes lower monetary but are not purchases.

Scores: the highest score is always the best (most recent, most frequent, highest revenue).
Customers without a purchase get no score (blank), as DOMAIN.md §2.4 asks for RFMR.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from kundenwert_xl.core.ledger import NO_DAY, Ledger, from_days
from kundenwert_xl.core.settings import Settings

DIMENSIONS = ("recency", "frequency", "monetary")


def customer_values(ledger: Ledger, settings: Settings) -> pd.DataFrame:
    """Return first/last purchase, recency_days, frequency and monetary per customer.

    Parameters
    ----------
    ledger : Ledger
        Transactions up to the reference date.
    settings : Settings
        ``frequency_basis`` (orders or purchase days) and ``monetary_basis`` (total or mean
        per purchase day) choose the definitions.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``customer_id``; ``recency_days`` is NaN for customers without a purchase.
    """
    purchase = ledger.revenue > 0
    first, last, purchase_days = ledger.key_runs(ledger.day, purchase)
    has_purchase = last != NO_DAY
    if settings.frequency_basis == "days":
        frequency = purchase_days
    else:
        frequency = count_orders(ledger, purchase)
    net = ledger.money("revenue")
    if settings.monetary_basis == "average":
        with np.errstate(invalid="ignore", divide="ignore"):
            monetary = np.where(purchase_days > 0, net / np.maximum(purchase_days, 1), 0.0)
    else:
        monetary = net
    recency = np.where(has_purchase, ledger.reference_day - last, np.nan)
    return pd.DataFrame(
        {
            "first_purchase": from_days(first),
            "last_purchase": from_days(last),
            "recency_days": recency,
            "frequency": frequency,
            "monetary": monetary,
        },
        index=ledger.customer_ids,
    )


def count_orders(ledger: Ledger, mask: np.ndarray) -> np.ndarray:
    """Count orders per customer among rows in ``mask``: distinct order ids, else rows.

    An order number normally belongs to one customer; then a scatter counts the orders without
    sorting. Where numbers repeat across customers (numbering per customer), pairs are counted
    (:attr:`Ledger.customer_order_keys`, sorted once per ledger).
    """
    if "order_id" not in ledger.rows:
        return ledger.count(mask)
    keys, owner = ledger.customer_order_keys
    counted = np.zeros(len(owner), dtype=bool)
    counted[keys[mask]] = True
    return np.bincount(owner[counted], minlength=ledger.n_customers).astype("int64")


@dataclass(frozen=True)
class Scored:
    """Scores of one dimension and the class limits that produced them."""

    scores: np.ndarray  # float: 1..n, NaN for customers without purchase
    lower: np.ndarray  # per class 1..n (index 0 = score 1): inclusive lower limit
    upper: np.ndarray  # exclusive upper limit (inclusive for the quartile method, see kind)
    counts: np.ndarray
    closed: str  # "left": [lower, upper); "right": (lower, upper]


def score(
    values: np.ndarray,
    valid: np.ndarray,
    method: str,
    n_classes: int,
    thresholds: tuple[float, ...] = (),
    higher_is_better: bool = True,
) -> Scored:
    """Score one dimension.

    Parameters
    ----------
    values : numpy.ndarray
        One value per customer (days for recency).
    valid : numpy.ndarray
        Customers to score; the others get NaN and do not move any cut point.
    method : {"value", "rank", "fixed", "quartile"}
        See :class:`~kundenwert_xl.core.settings.Settings`.
    n_classes : int
        Classes for ``value`` and ``rank`` (``fixed``: thresholds + 1; ``quartile``: up to 4).
    thresholds : tuple of float
        Ascending cut points for ``fixed``.
    higher_is_better : bool
        False for recency: the fewest days get the highest score.

    Returns
    -------
    Scored
        Scores and, per score, the class limits in the units of ``values``.
    """
    x = values[valid].astype("float64")
    out = np.full(len(values), np.nan)
    if len(x) == 0:
        empty = np.full(n_classes, np.nan)
        return Scored(out, empty, empty, np.zeros(n_classes, "int64"), "left")
    closed = "left"
    if method == "value":
        # R rfm 0.3.0: type-7 quantiles, inner ones shifted by +1, bins [lower, upper).
        cuts = np.quantile(x, np.linspace(0, 1, n_classes + 1))[1:-1] + 1
        bins = np.searchsorted(cuts, x, side="right") + 1
        lower = np.concatenate([[x.min()], cuts])
        upper = np.concatenate([cuts, [x.max() + 1]])
        n = n_classes
    elif method == "fixed":
        cuts = np.asarray(thresholds, dtype="float64")
        bins = np.searchsorted(cuts, x, side="right") + 1
        n = len(cuts) + 1
        lower = np.concatenate([[-np.inf], cuts])
        upper = np.concatenate([cuts, [np.inf]])
    elif method == "quartile":
        # pymc-marketing: qcut(q=4, duplicates="drop"), as many labels as bins survive.
        edges = np.unique(np.quantile(x, np.linspace(0, 1, 5)))
        n = max(len(edges) - 1, 1)
        inner = edges[1:-1]
        bins = np.searchsorted(inner, x, side="left") + 1
        lower, upper = (edges[:-1], edges[1:]) if n > 1 else (edges[:1], edges[:1])
        closed = "right"
    elif method == "rank":
        # Hughes: equal-count classes on ranks; ties keep customer-id order (stable sort).
        key = x if higher_is_better else -x
        ranks = np.empty(len(x), dtype="int64")
        ranks[np.argsort(key, kind="stable")] = np.arange(1, len(x) + 1)
        n = n_classes
        scores_asc = np.ceil(ranks * n / len(x)).astype("int64")
        bins = scores_asc if higher_is_better else n + 1 - scores_asc
        lower, upper = _observed_limits(x, bins, n)
        closed = "both"
    else:  # pragma: no cover - Settings forbids other values
        raise ValueError(method)
    bins = np.clip(bins, 1, n)
    scores = bins if higher_is_better else n + 1 - bins
    out[valid] = scores
    counts = np.bincount(scores, minlength=n + 1)[1:]
    if not higher_is_better:
        lower, upper = lower[::-1], upper[::-1]
    return Scored(out, np.asarray(lower, float), np.asarray(upper, float), counts, closed)


def _observed_limits(x: np.ndarray, bins: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    lower = np.full(n, np.inf)
    upper = np.full(n, -np.inf)
    np.minimum.at(lower, bins - 1, x)
    np.maximum.at(upper, bins - 1, x)
    empty = np.isinf(lower)
    lower[empty], upper[empty] = np.nan, np.nan
    return lower, upper


def score_customers(values: pd.DataFrame, settings: Settings) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the r/f/m scores with ``rfm_code``, and the thresholds table.

    Returns
    -------
    scores : pandas.DataFrame
        ``r_score``, ``f_score``, ``m_score`` (nullable Int64) and ``rfm_code`` (text;
        digits concatenated, joined by ``-`` when a score can have two digits).
    thresholds : pandas.DataFrame
        One row per dimension and score: ``dimension``, ``score``, ``lower``, ``upper``,
        ``closed`` (which ends belong to the class) and ``customers``.
    """
    valid = values["recency_days"].notna().to_numpy()
    spec = {
        "recency": ("recency_days", settings.recency_thresholds, False),
        "frequency": ("frequency", settings.frequency_thresholds, True),
        "monetary": ("monetary", settings.monetary_thresholds, True),
    }
    columns = {}
    rows = []
    for dim, (column, thresholds, higher_is_better) in spec.items():
        scored = score(
            values[column].to_numpy(dtype="float64"),
            valid,
            settings.scoring_method,
            settings.n_classes,
            thresholds,
            higher_is_better,
        )
        columns[f"{dim[0]}_score"] = pd.array(scored.scores, dtype="Float64").astype("Int64")
        for i in range(len(scored.counts)):
            rows.append(
                {
                    "dimension": dim,
                    "score": i + 1,
                    "lower": scored.lower[i],
                    "upper": scored.upper[i],
                    "closed": scored.closed,
                    "customers": int(scored.counts[i]),
                }
            )
    scores = pd.DataFrame(columns, index=values.index)
    scores["rfm_code"] = rfm_code(scores, wide=settings.n_classes >= 10)
    return scores, pd.DataFrame(rows)


def rfm_code(scores: pd.DataFrame, wide: bool = False) -> pd.Series:
    """Join r/f/m scores into a code such as ``"345"`` (blank for customers without score)."""
    r, f, m = (
        scores[c].to_numpy(dtype="float64", na_value=np.nan)
        for c in ("r_score", "f_score", "m_score")
    )
    valid = ~np.isnan(r)
    out = np.full(len(r), "", dtype=object)
    if not valid.any():
        return pd.Series(out, index=scores.index)
    ri, fi, mi = (x[valid].astype("int64") for x in (r, f, m))
    # Text only for the few distinct codes, then one take: no string per customer is built.
    base = int(max(ri.max(), fi.max(), mi.max())) + 1
    combined = (ri * base + fi) * base + mi
    # base**3 is at most a few thousand: a table of the codes in use instead of a sort.
    distinct = np.flatnonzero(np.bincount(combined, minlength=base**3))
    position = np.zeros(base**3, dtype=np.intp)
    position[distinct] = np.arange(len(distinct))
    inverse = position[combined]
    r_d, f_d, m_d = distinct // (base * base), distinct // base % base, distinct % base
    if not wide:
        labels = [f"{a}{b}{c}" for a, b, c in zip(r_d, f_d, m_d, strict=True)]
    else:
        labels = [f"{a}-{b}-{c}" for a, b, c in zip(r_d, f_d, m_d, strict=True)]
    out[valid] = np.array(labels, dtype=object)[inverse]
    return pd.Series(out, index=scores.index)
