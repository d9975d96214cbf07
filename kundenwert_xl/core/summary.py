"""The customer summary of lifetimes and pymc-marketing (DOMAIN.md §3.4–3.5), vectorised.

``mode="clv"`` reproduces ``lifetimes.utils.summary_data_from_transaction_data`` and
pymc-marketing's ``rfm_summary`` (modelling definitions): purchases in the same period are
merged; ``frequency`` = repeat purchase periods, ``recency`` = last − first purchase period,
``T`` = end − first purchase period, ``monetary_value`` = mean of the repeat period sums (0 without
repeat). ``mode="segmentation"`` is pymc-marketing's ``include_first_transaction=True`` view:
purchase periods, periods since the last purchase, mean over all purchase periods.

In ``clv`` mode a purchase period is a period with at least one row of revenue ≥ 0: zero-revenue
rows are transactions, as in lifetimes, pymc-marketing and the published CDNOW summary; credit
notes are not purchases (lifetimes would count them as purchases with negative spend, which
DOMAIN.md §8 rules out for CLV inputs). In ``segmentation`` mode a purchase is a row with positive
revenue, as everywhere else in the package.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from kundenwert_xl.core import schema
from kundenwert_xl.core.ledger import Ledger, build_ledger, exact_sums

Freq = Literal["D", "W", "M"]


def periods(days: np.ndarray, freq: Freq) -> np.ndarray:
    """Map day numbers (days since 1970-01-01) to period numbers.

    ``W`` are pandas' default weeks (Monday to Sunday, ``W-SUN``), ``M`` calendar months,
    as ``Series.dt.to_period`` makes them for lifetimes.
    """
    if freq == "D":
        return days
    if freq == "W":
        # 1970-01-01 was a Thursday; the Monday before it is day -3.
        return np.floor_divide(days + 3, 7)
    if freq == "M":
        return days.astype("datetime64[D]").astype("datetime64[M]").astype("int64")
    raise ValueError(freq)


def rfm_summary(
    transactions: pd.DataFrame,
    reference_date: dt.date | str | None = None,
    mode: Literal["clv", "segmentation"] = "clv",
    freq: Freq = "D",
) -> pd.DataFrame:
    """Summarise transactions per customer as lifetimes/pymc-marketing do.

    Parameters
    ----------
    transactions : pandas.DataFrame
        Needs ``customer_id``, ``date``, ``revenue`` (German headers accepted).
    reference_date : date or str, optional
        The observation period end; later rows are ignored and listed in
        ``result.attrs["problems"]``. Default: the last transaction date.
    mode : {"clv", "segmentation"}
        Modelling definitions (lifetimes) or the segmentation view (pymc-marketing's
        ``include_first_transaction=True``).
    freq : {"D", "W", "M"}
        Period length: day, week (Monday to Sunday) or calendar month.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``customer_id`` (customers with at least one purchase): ``frequency``,
        ``recency``, ``T``, ``monetary_value`` in ``clv`` mode; ``frequency``, ``recency``,
        ``monetary_value`` in ``segmentation`` mode.

    Examples
    --------
    >>> import pandas as pd
    >>> tx = pd.DataFrame({"customer_id": ["A", "A", "A"],
    ...                    "date": ["2024-01-01", "2024-01-01", "2024-01-11"],
    ...                    "revenue": [10.0, 5.0, 30.0]})
    >>> rfm_summary(tx, "2024-01-31").loc["A"].tolist()
    [1.0, 10.0, 30.0, 30.0]
    """
    clean = schema.validate(transactions, "transactions", only=("customer_id", "date", "revenue"))
    if isinstance(reference_date, str):
        reference_date = dt.date.fromisoformat(reference_date)
    return summary_from_ledger(build_ledger(clean, reference_date), mode, freq)


@dataclass(frozen=True)
class PeriodFacts:
    """Per-customer facts of the purchase periods, aligned with ``Ledger.customer_ids``.

    Attributes
    ----------
    n_periods : numpy.ndarray
        Periods with a purchase (int64; 0 for a customer without one).
    first, last : numpy.ndarray
        First and last purchase period (int64; ``NO_DAY`` without a purchase).
    cents : numpy.ndarray
        Revenue of all purchase rows in whole cents (float64 holding integers).
    first_period_cents : numpy.ndarray
        Revenue of the purchase rows in the first purchase period, in whole cents.
    """

    n_periods: np.ndarray
    first: np.ndarray
    last: np.ndarray
    cents: np.ndarray
    first_period_cents: np.ndarray


def period_facts(
    ledger: Ledger,
    mode: Literal["clv", "segmentation"] = "clv",
    freq: Freq = "D",
    until_day: int | None = None,
) -> PeriodFacts:
    """Reduce the transactions to per-customer facts: the one step that grows with the rows.

    Everything after it works on one value per customer, so this function is the boundary
    an embedded SQL engine could take over (``GROUP BY customer`` of ``min``/``max``/
    ``count(DISTINCT period)``/``sum``) without touching the customer-level rules. Here: one
    sort of (customer, period) keys (:meth:`Ledger.key_runs`) and two exact bincounts.
    Rows after ``until_day`` (a day number, default: none) are left out.
    """
    purchase = ledger.revenue >= 0 if mode == "clv" else ledger.revenue > 0
    if until_day is not None and until_day < ledger.reference_day:
        purchase &= ledger.day <= until_day
    all_periods = periods(ledger.day, freq)
    first, last, n_periods = ledger.key_runs(all_periods, purchase)
    codes = ledger.codes[purchase]
    cents = ledger.revenue_cents[purchase]
    in_first = all_periods[purchase] == first[codes]
    n = ledger.n_customers
    # Whole cents, summed exactly: the row order cannot change a bit of the sums.
    return PeriodFacts(
        n_periods=n_periods,
        first=first,
        last=last,
        cents=exact_sums(codes, cents, n),
        first_period_cents=exact_sums(codes, np.where(in_first, cents, 0.0), n),
    )


def summary_from_ledger(
    ledger: Ledger,
    mode: Literal["clv", "segmentation"] = "clv",
    freq: Freq = "D",
    until_day: int | None = None,
) -> pd.DataFrame:
    """:func:`rfm_summary` of an existing ledger (no second validation of the transactions).

    Customers of the ledger without a purchase (e.g. only in the customer table) are left out,
    as :func:`rfm_summary` leaves them out. ``until_day`` (a day number up to the ledger's
    reference day) gives the summary as of that earlier day: what :func:`rfm_summary` gives
    with it as the reference date (the model check's calibration period), without a second
    ledger.
    """
    facts = period_facts(ledger, mode, freq, until_day)
    n_periods, first, last = facts.n_periods, facts.first, facts.last
    total, first_sum = facts.cents, facts.first_period_cents
    end_day = ledger.reference_day if until_day is None else min(until_day, ledger.reference_day)
    end = int(periods(np.array([end_day]), freq)[0])

    has = n_periods > 0
    index = ledger.customer_ids[has]
    if mode == "clv":
        repeat = (n_periods - 1)[has]
        with np.errstate(invalid="ignore", divide="ignore"):
            monetary = np.where(repeat > 0, (total - first_sum)[has] / (100.0 * repeat), 0.0)
        out = pd.DataFrame(
            {
                "frequency": repeat.astype("float64"),
                "recency": (last - first)[has].astype("float64"),
                "T": (end - first)[has].astype("float64"),
                "monetary_value": monetary,
            },
            index=index,
        )
    elif mode == "segmentation":
        out = pd.DataFrame(
            {
                "frequency": n_periods[has].astype("float64"),
                "recency": (end - last)[has].astype("float64"),
                "monetary_value": total[has] / (100.0 * n_periods[has]),
            },
            index=index,
        )
    else:
        raise ValueError(f"mode must be 'clv' or 'segmentation', not {mode!r}")
    out.attrs["problems"] = ledger.problems
    return out
