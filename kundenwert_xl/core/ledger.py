"""Transactions up to the reference date as flat integer arrays, keyed by customer code.

Every per-customer figure of the package (RFM, RFMR, DB stages) is a reduction of these arrays
with ``bincount``/``minimum.at``/one integer sort, so no step loops over customers in Python and
the customer ids are factorized exactly once (at validation, as a Categorical).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from kundenwert_xl import texts
from kundenwert_xl.core.errors import KundenwertError, Problem


def day_numbers(dates: pd.Series | np.ndarray) -> np.ndarray:
    """Return days since 1970-01-01 as int64 (dates are already at day precision)."""
    arr = np.asarray(dates)
    return arr.astype("datetime64[D]").astype("int64")


def to_day(value: dt.date | np.datetime64 | pd.Timestamp) -> int:
    """Return one date as days since 1970-01-01."""
    return int(np.datetime64(pd.Timestamp(value).date(), "D").astype("int64"))


def from_days(days: np.ndarray) -> np.ndarray:
    """Return ``datetime64[ns]`` for day numbers; the sentinel ``NO_DAY`` becomes NaT."""
    out = np.asarray(days, dtype="int64").astype("datetime64[D]").astype("datetime64[ns]")
    out[np.asarray(days) == NO_DAY] = np.datetime64("NaT")
    return out


#: Marks "no such day" (a customer without purchase) in int64 day arrays.
NO_DAY = np.iinfo(np.int64).min


@dataclass(frozen=True)
class Ledger:
    """Clean transactions up to the reference date, as arrays aligned by row.

    Attributes
    ----------
    customer_ids : pandas.Index
        Every customer of the analysis, sorted: those with transactions and those only in the
        customer table. Position = customer code.
    codes : numpy.ndarray
        Customer code per transaction row (``intp``).
    day : numpy.ndarray
        Day number per row (int64, days since 1970-01-01).
    revenue : numpy.ndarray
        Net revenue per row (float64; negative = credit note).
    reference_day : int
        The reference date as a day number.
    reference_date : datetime.date
        The reference date.
    rows : pandas.DataFrame
        The clean transaction rows kept (optional columns included), aligned with the arrays.
    problems : list of Problem
        Warnings found while cutting at the reference date.
    """

    customer_ids: pd.Index
    codes: np.ndarray
    day: np.ndarray
    revenue: np.ndarray
    reference_day: int
    reference_date: dt.date
    rows: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)

    @property
    def n_customers(self) -> int:
        """Number of customers in the analysis."""
        return len(self.customer_ids)

    @cached_property
    def order_keys(self) -> np.ndarray:
        """Order key per row: the order number's code, or a key of its own where there is none."""
        if "order_id" not in self.rows:
            return np.arange(len(self.codes), dtype="int64")
        order = self.rows["order_id"].array
        keys = np.asarray(order.codes, dtype="int64")
        blank = keys < 0
        if blank.any():
            keys = np.where(blank, len(order.categories) + np.arange(len(keys)), keys)
        return keys

    @cached_property
    def order_owner(self) -> np.ndarray | None:
        """Customer code per order key; None when an order number is used by several customers."""
        keys = self.order_keys
        owner = np.full(int(keys.max()) + 1 if len(keys) else 0, -1, dtype=np.intp)
        owner[keys] = self.codes
        return owner if np.array_equal(owner[keys], self.codes) else None

    def customer_codes(self, ids: pd.Series) -> np.ndarray:
        """Customer code for each id of another table (-1 where the id is not in the analysis).

        The ids are a validated Categorical, so the lookup runs over its categories only.
        """
        values = ids.array
        position = self.customer_ids.get_indexer(pd.Index(values.categories))
        codes = np.asarray(values.codes)
        return np.where(codes >= 0, position[codes], -1).astype(np.intp)

    def per_customer(self, values: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
        """Sum ``values`` per customer (rows outside ``mask`` count as zero)."""
        weights = values if mask is None else np.where(mask, values, 0.0)
        return np.bincount(self.codes, weights=weights, minlength=self.n_customers)

    def count(self, mask: np.ndarray | None = None) -> np.ndarray:
        """Count rows per customer (only rows in ``mask`` when given)."""
        codes = self.codes if mask is None else self.codes[mask]
        return np.bincount(codes, minlength=self.n_customers).astype("int64")

    def first_day(self, mask: np.ndarray) -> np.ndarray:
        """Earliest day per customer among rows in ``mask`` (``NO_DAY`` if none)."""
        out = np.full(self.n_customers, np.iinfo(np.int64).max, dtype="int64")
        np.minimum.at(out, self.codes[mask], self.day[mask])
        out[out == np.iinfo(np.int64).max] = NO_DAY
        return out

    def last_day(self, mask: np.ndarray) -> np.ndarray:
        """Latest day per customer among rows in ``mask`` (``NO_DAY`` if none)."""
        out = np.full(self.n_customers, NO_DAY, dtype="int64")
        np.maximum.at(out, self.codes[mask], self.day[mask])
        return out

    def count_distinct(self, keys: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
        """Count distinct non-negative integer ``keys`` per customer (e.g. orders, days).

        One sort of a combined int64 key instead of a hash table: measured 13 ms per million
        rows against ~95 ms for ``pd.factorize`` of the same key.
        """
        codes, keys = (self.codes, keys) if mask is None else (self.codes[mask], keys[mask])
        if len(codes) == 0:
            return np.zeros(self.n_customers, dtype="int64")
        low = int(keys.min())
        span = int(keys.max()) - low + 1
        # 32-bit keys sort twice as fast; they fit for typical sizes (40k customers x 2 years).
        dtype = np.int32 if self.n_customers * span < np.iinfo(np.int32).max else np.int64
        combined = codes.astype(dtype) * dtype(span)
        combined += (keys - low).astype(dtype)
        combined.sort()
        first = np.empty(len(combined), dtype=bool)
        first[0] = True
        np.not_equal(combined[1:], combined[:-1], out=first[1:])
        return np.bincount(combined[first] // span, minlength=self.n_customers).astype("int64")


def build_ledger(
    transactions: pd.DataFrame,
    reference_date: dt.date | None,
    extra_customers: pd.Index | None = None,
) -> Ledger:
    """Cut validated transactions at the reference date and index them by customer.

    Parameters
    ----------
    transactions : pandas.DataFrame
        Output of :func:`kundenwert_xl.core.schema.validate` for ``transactions``.
    reference_date : datetime.date or None
        Rows after it are dropped and reported. ``None``: the last transaction date.
    extra_customers : pandas.Index, optional
        Customer ids known from elsewhere (the customer table) that belong to the analysis
        even without a transaction up to the reference date.

    Raises
    ------
    KundenwertError
        When no row lies on or before the reference date.
    """
    days = day_numbers(transactions["date"])
    ref_day = int(days.max()) if reference_date is None else to_day(reference_date)
    ref_obj = np.datetime64(ref_day, "D").astype(object)
    ref_date = texts.format_date(ref_obj)
    problems: list[Problem] = []
    keep = days <= ref_day
    dropped = int(len(days) - np.count_nonzero(keep))
    if dropped == len(days):
        raise KundenwertError(
            [
                Problem(
                    "no_rows_until_reference_date",
                    texts.message("no_rows_until_reference_date", reference_date=ref_date),
                    table=texts.TABLE_NAMES["transactions"],
                )
            ]
        )
    if dropped:
        problems.append(
            Problem(
                "rows_after_reference_date",
                texts.message("rows_after_reference_date", count=dropped, reference_date=ref_date),
                table=texts.TABLE_NAMES["transactions"],
                column=texts.header("transactions", "date"),
                severity="warning",
            )
        )
        rows = transactions.loc[keep].reset_index(drop=True)
        days = days[keep]
    else:
        rows = transactions

    ids = rows["customer_id"].array
    cats = ids.categories
    used = np.bincount(ids.codes[ids.codes >= 0], minlength=len(cats)) > 0
    extra = pd.Index([]) if extra_customers is None else pd.Index(extra_customers)
    if used.all() and cats.is_monotonic_increasing and extra.isin(cats).all():
        # The usual case: the category codes already are the positions in the sorted universe.
        universe, codes = pd.Index(cats), np.asarray(ids.codes, dtype=np.intp)
    else:
        universe = pd.Index(cats[used]).union(extra).sort_values()
        # Categories -> universe positions on the (small) category index, then one take per row.
        codes = universe.get_indexer(cats)[ids.codes].astype(np.intp)
    return Ledger(
        customer_ids=universe.rename("customer_id"),
        codes=codes,
        day=days,
        revenue=rows["revenue"].to_numpy(dtype="float64"),
        reference_day=ref_day,
        reference_date=ref_obj,
        rows=rows,
        problems=problems,
    )
