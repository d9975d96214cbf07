"""Transactions up to the reference date as flat integer arrays, keyed by customer code.

Every per-customer figure of the package (RFM, RFMR, DB stages) is a reduction of these arrays
with ``bincount`` or one integer sort (:meth:`Ledger.key_runs`), so no step loops over customers
in Python and the customer ids are factorized exactly once (at validation, as a Categorical).

Results depend on the data alone, never on the row order:

- Money is held in whole cents (float64 arrays holding integers) and summed exactly: a float
  sum of integers is exact while every partial sum stays below 2**53 cents (90 trillion euros),
  so the order of the rows cannot change a bit. Amounts with a fraction of a cent are rounded to
  the cent, half away from zero like Excel's RUNDEN(x; 2), and reported.
- Order numbers compare in :func:`natural_ranks` order (numbers as numbers), never by their
  internal category code, which follows where a number first appears in the file.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from kundenwert_xl import texts
from kundenwert_xl.core.errors import KundenwertError, Problem

#: Ticks per day of the datetime64 units dates arrive in.
_TICKS_PER_DAY = {"ns": 86_400_000_000_000, "us": 86_400_000_000, "ms": 86_400_000, "s": 86_400}


def day_numbers(dates: pd.Series | np.ndarray) -> np.ndarray:
    """Return days since 1970-01-01 as int64 (NaT becomes ``NO_DAY``).

    An integer floor division of the ticks: the same days as numpy's cast to
    ``datetime64[D]`` (which floors too), at a third of its cost.
    """
    arr = np.asarray(dates)
    unit, count = np.datetime_data(arr.dtype)
    per_day = _TICKS_PER_DAY.get(unit)
    if per_day is None or count != 1:
        return arr.astype("datetime64[D]").astype("int64")
    days = arr.view("int64") // per_day
    missing = np.isnat(arr)
    if missing.any():
        days[missing] = NO_DAY
    return days


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

#: Transaction columns that hold euro amounts; the ledger keeps them in whole cents.
MONEY_COLUMNS = ("revenue", "cost_of_goods", "shipping_cost", "discount")

# float64 adds integers exactly while every partial sum stays below this.
_EXACT_LIMIT = 2.0**53


def to_cents(euros: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return amounts as whole cents (float64 holding integers; NaN stays NaN).

    Amounts typed with at most two decimals become their exact cents. Others are rounded half
    away from zero, as Excel's RUNDEN(x; 2) does, after snapping the binary noise of a typed
    decimal (1.005 is stored as 1.00499999…, and is meant as 1.005).

    Returns
    -------
    cents : numpy.ndarray
    sub_cent : numpy.ndarray
        True where the amount had a fraction of a cent (and was rounded).
    """
    euros = np.asarray(euros, dtype="float64")
    cents = np.multiply(euros, 100.0)
    noise = cents.copy()
    np.rint(cents, out=cents)
    # A typed two-decimal amount misses its cents by a few ulps: far below 1e-4 cent up to
    # ten billion euros per row.
    np.subtract(noise, cents, out=noise)
    np.abs(noise, out=noise)
    sub_cent = noise > 1e-4
    if sub_cent.any():
        snapped = np.round(euros[sub_cent] * 100.0, 6)
        cents[sub_cent] = np.trunc(snapped + np.copysign(0.5, snapped))
    return cents, sub_cent


def exact_sums(groups: np.ndarray, cents: np.ndarray, size: int) -> np.ndarray:
    """Sum whole cents per group exactly, whatever the order of the rows (NaN counts 0).

    ``bincount`` adds in row order, which is exact for integers below 2**53; beyond that (never
    seen in sales data) an int64 scatter-add keeps the sum exact and order-free.
    """
    if len(cents) == 0:
        return np.zeros(size)
    # max(|x|) · n bounds every partial sum: two fast passes instead of a temporary |x|.
    largest = max(abs(float(cents.max())), abs(float(cents.min())))
    if np.isnan(largest):
        cents = np.where(np.isnan(cents), 0.0, cents)
        largest = max(abs(float(cents.max())), abs(float(cents.min())))
    if largest * len(cents) < _EXACT_LIMIT or float(np.abs(cents).sum()) < _EXACT_LIMIT:
        return np.bincount(groups, weights=cents, minlength=size)
    out = np.zeros(size, dtype="int64")
    np.add.at(out, groups, cents.astype("int64"))
    return out.astype("float64")


def sorted_codes(
    keys: np.ndarray, dtype: type[np.signedinteger] = np.intp
) -> tuple[np.ndarray, np.ndarray] | None:
    """Factorize integer keys by one sort of plain integers, or None where they do not fit.

    Parameters
    ----------
    keys : numpy.ndarray of int64 (not negative) or uint64
    dtype : numpy integer type
        Of the codes (int32 writes half the memory: a Categorical's codes are int32 anyway).

    Returns
    -------
    codes : numpy.ndarray of ``dtype``
        Per row, the rank of its key among the distinct keys (0 = smallest): what
        ``np.unique(keys, return_inverse=True)`` returns as the inverse.
    holders : numpy.ndarray of intp
        Per distinct key, ascending, one row that holds it (``keys[holders]`` are the distinct
        keys).
    None
        When the keys differ in more than ``64 - bits(len(keys) - 1)`` bits.

    Notes
    -----
    Why: each key is shifted up and its row number written into the bits below it, so that one
    sort of plain integers (vectorised; 1 million rows ~12 ms) brings every row to its place
    with its row number. An ``argsort`` (what ``np.unique`` uses for the inverse) costs three
    times that on shuffled keys, and a hash table (``pd.factorize``, Arrow's
    ``dictionary_encode``) 40-100 ms, at 10 million rows 0.5-2 s.
    """
    n = len(keys)
    if n == 0:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
    low = keys.min()
    row_bits = (n - 1).bit_length()
    if (int(keys.max()) - int(low)).bit_length() + row_bits <= 64:
        combined = keys.astype(np.uint64)
        combined -= np.uint64(low)
    else:
        compact = _without_constant_bits(keys, 64 - row_bits)
        if compact is None:
            return None
        combined = compact
    combined <<= np.uint64(row_bits)
    combined |= np.arange(n, dtype=np.uint64)
    combined.sort()
    # Row numbers are below 2**63: the same bits read as int64, without a copy.
    rows = (combined & np.uint64((1 << row_bits) - 1)).view(np.int64)
    combined >>= np.uint64(row_bits)
    first = np.empty(n, dtype=bool)
    first[0] = True
    np.not_equal(combined[1:], combined[:-1], out=first[1:])
    # The ranks take the sorted keys' place (10M rows: 80 MB less at the peak).
    rank = np.cumsum(first, dtype=dtype, out=combined.view(dtype)[:n])
    rank -= 1
    codes = np.empty(n, dtype=dtype)
    codes[rows] = rank
    return codes, rows[first]


def codes_in_use(codes: np.ndarray, size: int) -> np.ndarray:
    """Which of ``size`` category codes occur in ``codes`` (``-1``, a blank, is none of them).

    One scatter of True (a blank lands in a spare slot past the end): no mask and no count
    per row (10 million rows: ~50 ms against ~90 ms for ``bincount`` of the non-blank codes).
    """
    used = np.zeros(size + 1, dtype=bool)
    used[codes] = True
    return used[:size]


def _without_constant_bits(keys: np.ndarray, room: int) -> np.ndarray | None:
    """Keys with bits that are the same in every key cut out, in at most ``room`` bits, or None.

    What is left compares like the keys and is distinct exactly when they are. Why: ids of
    digits (``A04999999``) differ in four bits per byte, so 10 million of them span 51 bits but
    differ in 27; cutting the constant stretches out (a few shifts per stretch kept, the
    largest gaps first) leaves room for the row numbers of :func:`sorted_codes`.
    """
    bits = keys.view(np.uint64)
    varying = int(np.bitwise_or.reduce(bits ^ bits[0]))
    if varying.bit_count() > room:
        return None
    # Stretches of varying bits, lowest first, as [first bit, width].
    runs: list[list[int]] = []
    for bit in range(64):
        if varying >> bit & 1:
            if runs and runs[-1][0] + runs[-1][1] == bit:
                runs[-1][1] += 1
            else:
                runs.append([bit, 1])
    # Keep the smallest gaps (fewer stretches, fewer passes) while the width still fits.
    width = sum(w for _, w in runs)
    while len(runs) > 1:
        gaps = [runs[i + 1][0] - runs[i][0] - runs[i][1] for i in range(len(runs) - 1)]
        i = int(np.argmin(gaps))
        if width + gaps[i] > room:
            break
        width += gaps[i]
        runs[i : i + 2] = [[runs[i][0], runs[i + 1][0] + runs[i + 1][1] - runs[i][0]]]
    out = np.zeros(len(bits), dtype=np.uint64)
    placed = 0
    for first, size in runs:
        part = bits >> np.uint64(first)
        part &= np.uint64((1 << size) - 1)
        part <<= np.uint64(placed)
        out |= part
        placed += size
    return out


def is_strictly_sorted(labels: pd.Index) -> bool:
    """True when distinct text labels are in ascending code point order.

    Arrow-backed labels are compared in Arrow (about a millisecond for 200,000 ids); pandas'
    ``is_monotonic_increasing`` would first turn every label into a Python string.
    """
    if len(labels) < 2:
        return True
    if isinstance(labels.array, pd.arrays.ArrowStringArray):
        text = pa.array(labels.array)
        return bool(pc.all(pc.greater(text[1:], text[:-1])).as_py())
    return bool(labels.is_monotonic_increasing)


def natural_ranks(labels: pd.Index | np.ndarray) -> np.ndarray:
    """Rank (0 = first) of each of a set of distinct labels (order numbers) in natural order.

    Labels of digits only come first and compare as numbers (leading zeros ignored, so
    ``9 < 10 < 0011``); equal numbers (``007``, ``7``) then compare as text. All other labels
    follow, compared as text character by character by code point (SQL's binary collation;
    Excel sorts order numbers of one pattern, such as ``A00123``, the same way). In SQL::

        ORDER BY regexp_full_match(nr, '[0-9]+') DESC,
                 length(ltrim(nr, '0')) if digits only, ltrim(nr, '0') if digits only, nr

    Implemented as one sort of a key that encodes the rule:
    ``"0" + length (6 digits) + number without leading zeros + label`` for numbers,
    ``"1" + label`` for the rest.
    """
    text = pd.Series(np.asarray(labels, dtype=object), dtype="str")
    if len(text) == 0:
        return np.zeros(0, dtype="int64")
    digits = text.str.fullmatch("[0-9]+").to_numpy(dtype=bool)
    number = text.str.lstrip("0")
    length = number.str.len().astype("str").str.zfill(6)
    key = ("0" + length + number + text).where(digits, "1" + text)
    ranks = np.empty(len(text), dtype="int64")
    ranks[np.asarray(key.argsort())] = np.arange(len(text))
    return ranks


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
        Net revenue per row in euros, rounded to the cent (float64; negative = credit note).
    reference_day : int
        The reference date as a day number.
    reference_date : datetime.date
        The reference date.
    rows : pandas.DataFrame
        The clean transaction rows kept (optional columns included), aligned with the arrays.
    problems : list of Problem
        Warnings found while cutting at the reference date and rounding to cents.
    revenue_cents : numpy.ndarray
        Net revenue per row in whole cents (float64 holding integers): what every revenue sum
        adds up. Other money columns are converted when summed (:meth:`cents`), so the ledger
        does not hold a second copy of each.
    """

    customer_ids: pd.Index
    codes: np.ndarray
    day: np.ndarray
    revenue: np.ndarray
    reference_day: int
    reference_date: dt.date
    rows: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    revenue_cents: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @property
    def n_customers(self) -> int:
        """Number of customers in the analysis."""
        return len(self.customer_ids)

    @property
    def order_keys(self) -> np.ndarray:
        """Order key per row: the order number's code, or a key of its own where there is none.

        Keys group rows into orders; they are never compared (codes follow the file, see
        :func:`natural_ranks`). Not kept: read twice per ledger (:attr:`order_owner`,
        :attr:`customer_order_keys`), and kept it held 80 MB through the analysis of 10M rows.
        """
        if "order_id" not in self.rows:
            return np.arange(len(self.codes), dtype="int64")
        order = self.rows["order_id"].array
        keys = np.asarray(order.codes, dtype="int64")
        blank = keys < 0
        if blank.any():
            keys = np.where(blank, len(order.categories) + np.arange(len(keys)), keys)
        return keys

    @property
    def order_codes(self) -> np.ndarray:
        """Category code of each row's order number in :attr:`order_labels` (-1 where none)."""
        if "order_id" not in self.rows:
            return np.full(len(self.codes), -1, dtype=np.int8)
        return np.asarray(self.rows["order_id"].array.codes)

    @property
    def order_labels(self) -> pd.Index:
        """The distinct order numbers; compare them with :func:`natural_ranks`, not by code."""
        if "order_id" not in self.rows:
            return pd.Index([], dtype=object)
        return pd.Index(self.rows["order_id"].array.categories)

    @cached_property
    def order_owner(self) -> np.ndarray | None:
        """Customer code per order key; None when an order number is used by several customers."""
        keys = self.order_keys
        owner = np.full(int(keys.max()) + 1 if len(keys) else 0, -1, dtype=np.intp)
        owner[keys] = self.codes
        return owner if np.array_equal(owner[keys], self.codes) else None

    @cached_property
    def customer_order_keys(self) -> tuple[np.ndarray, np.ndarray]:
        """Order key per row such that every key belongs to one customer, and its customer.

        These are :attr:`order_keys` when every order number belongs to one customer; where
        numbers repeat across customers (numbered per customer), the pair (customer, order
        number), found by one sort here instead of once per count.
        """
        keys = self.order_keys
        owner = self.order_owner
        if owner is not None:
            return keys, owner
        span = int(keys.max()) + 1
        pairs = self.codes.astype("int64")
        pairs *= span
        pairs += keys
        factorized = sorted_codes(pairs)
        if factorized is None:
            distinct, inverse = np.unique(pairs, return_inverse=True)
            return inverse.astype(np.intp), (distinct // span).astype(np.intp)
        inverse, holders = factorized
        return inverse, (pairs[holders] // span).astype(np.intp)

    def customer_codes(self, ids: pd.Series) -> np.ndarray:
        """Customer code for each id of another table (-1 where the id is not in the analysis).

        The ids are a validated Categorical, so the lookup runs over its categories only.
        """
        values = ids.array
        position = self.customer_ids.get_indexer(pd.Index(values.categories))
        codes = np.asarray(values.codes)
        return np.where(codes >= 0, position[codes], -1).astype(np.intp)

    def cents(self, name: str) -> np.ndarray | None:
        """A money column per row in whole cents (NaN where blank); None if it is missing."""
        if name == "revenue":
            return self.revenue_cents
        if name not in self.rows:
            return None
        return to_cents(self.rows[name].to_numpy(dtype="float64"))[0]

    def money(self, name: str, mask: np.ndarray | None = None) -> np.ndarray:
        """Sum a money column per customer in euros, exact to the cent (blanks count 0).

        Rows outside ``mask`` count as zero; a column that is missing sums to zero.
        """
        return self.sum_cents(self.cents(name), mask)

    def money_cents(self, name: str, mask: np.ndarray | None = None) -> np.ndarray:
        """:meth:`money` in whole cents: what amounts are added and subtracted in, exactly."""
        return self.cent_sums(self.cents(name), mask)

    def sum_cents(self, cents: np.ndarray | None, mask: np.ndarray | None = None) -> np.ndarray:
        """Sum whole cents per row (from :meth:`cents`) per customer, in euros."""
        return self.cent_sums(cents, mask) / 100.0

    def cent_sums(self, cents: np.ndarray | None, mask: np.ndarray | None = None) -> np.ndarray:
        """Sum whole cents per row (from :meth:`cents`) per customer, in cents (exact)."""
        if cents is None:
            return np.zeros(self.n_customers)
        if mask is not None:
            cents = np.where(mask, cents, 0.0)
        return exact_sums(self.codes, cents, self.n_customers)

    def count(self, mask: np.ndarray | None = None) -> np.ndarray:
        """Count rows per customer (only rows in ``mask`` when given)."""
        codes = self.codes if mask is None else self.codes[mask]
        return np.bincount(codes, minlength=self.n_customers).astype("int64")

    def count_distinct(self, keys: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
        """Count distinct non-negative integer ``keys`` per customer (e.g. orders, days)."""
        return self.key_runs(keys, mask)[2]

    def key_runs(
        self, keys: np.ndarray, mask: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Smallest key, largest key and number of distinct keys per customer, by one sort.

        Rows outside ``mask`` are left out; a customer without rows gets ``NO_DAY`` as its
        smallest and largest key and 0 distinct keys. One sort of a combined integer key
        (customer, key) instead of a hash table (measured 13 ms per million rows against ~95
        ms for ``pd.factorize``) and instead of two scatters (``minimum.at``/``maximum.at``).
        """
        n = self.n_customers
        codes, keys = (self.codes, keys) if mask is None else (self.codes[mask], keys[mask])
        low_key = np.full(n, NO_DAY, dtype="int64")
        high_key = np.full(n, NO_DAY, dtype="int64")
        if len(codes) == 0:
            return low_key, high_key, np.zeros(n, dtype="int64")
        low = int(keys.min())
        span = int(keys.max()) - low + 1
        # 32-bit keys sort twice as fast; they fit for typical sizes (40k customers x 2 years).
        small = n * span < np.iinfo(np.int32).max
        dtype: type[np.signedinteger] = np.int32 if small else np.int64
        combined = codes.astype(dtype) * dtype(span)
        combined += (keys - low).astype(dtype)
        combined.sort()
        first = np.empty(len(combined), dtype=bool)
        first[0] = True
        np.not_equal(combined[1:], combined[:-1], out=first[1:])
        distinct = combined[first]
        owner = distinct // span
        # Customers ascend in the sorted keys: a run starts where the owner changes. Positions
        # of the runs (one per customer) instead of masks over every distinct key.
        changed = np.empty(len(owner), dtype=bool)
        changed[0] = True
        np.not_equal(owner[1:], owner[:-1], out=changed[1:])
        start = np.flatnonzero(changed)
        end = np.empty(len(start), dtype=start.dtype)
        end[:-1] = start[1:] - 1
        end[-1] = len(owner) - 1
        who = owner[start].astype(np.intp)
        span_of = who.astype(dtype) * dtype(span)
        low_key[who] = distinct[start] - span_of + low
        high_key[who] = distinct[end] - span_of + low
        distinct_keys = np.zeros(n, dtype="int64")
        distinct_keys[who] = end - start + 1
        return low_key, high_key, distinct_keys


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
    problems: list[Problem] = []
    keep = days <= ref_day
    dropped = int(len(days) - np.count_nonzero(keep))
    if dropped == len(days):
        raise KundenwertError(
            [
                Problem(
                    "no_rows_until_reference_date",
                    params={"reference_date": ref_obj},
                    table=texts.TABLE_NAMES["transactions"],
                )
            ]
        )
    if dropped:
        problems.append(
            Problem(
                "rows_after_reference_date",
                params={"count": dropped, "reference_date": ref_obj},
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
    used = codes_in_use(ids.codes, len(cats))
    extra = pd.Index([]) if extra_customers is None else pd.Index(extra_customers)
    if len(extra):
        # Arrow's hash lookup (6 ms for 40,000 ids); pandas' isin on Arrow text builds a Python
        # string per id (0.3 s).
        known = pc.is_in(
            pa.array(pd.Index(extra, dtype="str").array),
            value_set=pa.array(pd.Index(cats[used], dtype="str").array),
        )
        extra = extra[~known.to_numpy(zero_copy_only=False)].unique()
    if used.all() and len(extra) == 0 and is_strictly_sorted(cats):
        # The usual case (validation sorts the ids): codes already are the sorted positions.
        universe, codes = pd.Index(cats), np.asarray(ids.codes, dtype=np.intp)
    else:
        # One sort of the distinct ids and an inverse permutation; rows then take integers.
        known = pd.Index(cats[used], dtype="str")
        combined = known.append(pd.Index(extra, dtype="str"))
        order = np.asarray(combined.argsort())
        universe = combined.take(order)
        rank = np.empty(len(order), dtype=np.intp)
        rank[order] = np.arange(len(order))
        position = np.full(len(cats), -1, dtype=np.intp)
        position[used] = rank[: len(known)]
        codes = position[ids.codes]
    revenue = rows["revenue"].to_numpy(dtype="float64")
    revenue_cents, rounded = to_cents(revenue)
    if rounded.any():
        problems.append(_rounded_problem("revenue", rows["revenue"], rounded))
        # Rounded euros, so that a purchase (revenue > 0) is one in cents as well.
        revenue = revenue_cents / 100.0
    for name in MONEY_COLUMNS[1:]:
        if name in rows:
            # Converted again when summed: checking here names the rounding up front without
            # keeping a cent copy of every column.
            sub_cent = to_cents(rows[name].to_numpy(dtype="float64"))[1]
            if sub_cent.any():
                problems.append(_rounded_problem(name, rows[name], sub_cent))
    return Ledger(
        # One dtype whether the ids came as text, numbers or categories: results are the same.
        customer_ids=pd.Index(universe, dtype="str", name="customer_id"),
        codes=codes,
        day=days,
        revenue=revenue,
        reference_day=ref_day,
        reference_date=ref_obj,
        rows=rows,
        problems=problems,
        revenue_cents=revenue_cents,
    )


def _rounded_problem(name: str, values: pd.Series, sub_cent: np.ndarray) -> Problem:
    """Name the rounding to cents: it changes a number, so it is never silent.

    The example is the smallest such amount, so the message does not depend on row order.
    """
    example = float(values.to_numpy(dtype="float64")[sub_cent].min())
    return Problem(
        "amounts_rounded_to_cents",
        params={
            "count": int(sub_cent.sum()),
            "column": texts.header("transactions", name),
            "value": example,
        },
        table=texts.TABLE_NAMES["transactions"],
        column=texts.header("transactions", name),
        severity="warning",
    )
