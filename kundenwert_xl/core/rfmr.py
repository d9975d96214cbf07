"""RFMR point scoring as German mail-order and B2B practice uses it (DOMAIN.md §2).

Points = start value
       + points by months since the last purchase (days / 30.4375, half-open bands)
       + points per purchase (order) within the frequency window
       + points by the average value of the last N purchases
       + (minus) points by returned orders, as a count or as a share of orders
       + (minus) points per advertising contact after the last purchase, by channel,
each criterion optionally weighted. Customers without a purchase get no points (blank).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from kundenwert_xl.core.contacts import ContactLog
from kundenwert_xl.core.ledger import NO_DAY, Ledger, exact_sums, natural_ranks
from kundenwert_xl.core.settings import Band, Settings

#: Average month length of the Gregorian calendar, so Excel and Python agree (DOMAIN.md §2.4).
DAYS_PER_MONTH = 30.4375

#: Bits of the int64 key that :func:`_newest_sums` packs (customer, day, purchase) into.
PACKED_BITS = 62

CRITERIA = ("rfmr_recency", "rfmr_frequency", "rfmr_monetary", "rfmr_returns", "rfmr_contacts")


def band_points(values: np.ndarray, bands: tuple[Band, ...]) -> np.ndarray:
    """Points of the band ``[lower, upper)`` each value falls into (NaN stays NaN)."""
    points = np.array([b[2] for b in bands], dtype="float64")
    # The band is the count of lower limits above the first that a value reaches: a few
    # comparisons of whole arrays, not a binary search per customer.
    index = np.zeros(len(values), dtype=np.intp)
    for lower, _, _ in bands[1:]:
        index += values >= lower
    return np.where(np.isnan(values), np.nan, points[index])


def _purchases(ledger: Ledger) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per purchase (order with revenue): customer, day, value in cents, order-number code.

    A purchase's value is the exact sum of its order's positive rows, its day the order's last
    day; the code points into :attr:`Ledger.order_labels` (-1 for a row without a number).
    """
    purchase = ledger.revenue > 0
    every_row = bool(purchase.all())
    codes = ledger.order_codes

    def rows(values: np.ndarray) -> np.ndarray:
        # Without a credit note every row is a purchase: the columns as they are, no copy.
        return values if every_row else values[purchase]

    # Keyed by (customer, order) where order numbers repeat across customers.
    all_keys, key_owner = ledger.customer_order_keys
    keys = rows(all_keys)
    size = int(keys.max()) + 1
    if len(keys) == size and np.bincount(keys, minlength=size).max() == 1:
        # Every purchase is one row (no order numbers, or single-line orders): the rows are
        # the purchases. Their order is of no account to what is computed from them.
        return rows(ledger.codes), rows(ledger.day), rows(ledger.revenue_cents), rows(codes)
    day = np.full(size, NO_DAY, dtype="int64")
    np.maximum.at(day, keys, rows(ledger.day))
    orders = np.flatnonzero(day != NO_DAY)
    every_key = len(orders) == size

    def per_order(values: np.ndarray) -> np.ndarray:
        return values if every_key else values[orders]

    # One key-sized array at a time: at 10M rows each is 80 MB, the peak of the analysis.
    day = per_order(day)
    value = per_order(exact_sums(keys, rows(ledger.revenue_cents), size))
    # Every key belongs to one customer, and the ledger knows which: no scatter of the rows.
    owner = per_order(key_owner[:size])
    label = np.full(size, -1, dtype=codes.dtype)
    label[keys] = rows(codes)
    return owner, day, value, per_order(label)


def same_day_positions(label: np.ndarray, value: np.ndarray, labels: pd.Index) -> np.ndarray:
    """Position of each purchase in the order that decides between purchases of one day.

    Purchases with an order number come first, by the number in natural order
    (:func:`~kundenwert_xl.core.ledger.natural_ranks`); purchases without one follow; then the
    smaller amount first. Later positions count as more recent. Only the label codes in use are
    ranked, so ranking the few tied purchases costs little.
    """
    blank = label < 0
    rank = np.zeros(len(label), dtype="int64")
    if not blank.all():
        used, inverse = np.unique(label[~blank], return_inverse=True)
        rank[~blank] = natural_ranks(labels[used])[inverse]
    position = np.empty(len(label), dtype="int64")
    position[np.lexsort((value, rank, blank))] = np.arange(len(label))
    return position


Purchases = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def last_purchases_mean(
    ledger: Ledger, n_last: int, method: str = "sort", purchases: Purchases | None = None
) -> np.ndarray:
    """Mean value of each customer's ``n_last`` most recent purchases (orders with revenue).

    "Most recent" is defined by the data alone (README, "Definitions worth knowing"): by the
    purchase day; on one day by :func:`same_day_positions` (order number in natural order,
    purchases without a number after those with one, then the larger amount as the later).
    Purchases equal in all of these are equal in value, so which one is taken cannot matter.
    Values are summed in whole cents, so the mean does not depend on the row order either.

    By default (``method="sort"``) one sort over all purchases (:func:`_newest_sums`); with
    ``method="rounds"`` each round takes every customer's newest remaining purchase with one
    ``maximum.at`` and ranks only the purchases that share that day. For the default of three,
    the sort took 25 ms and rounds 47 ms on the 1M-row demo data (25 purchases per
    customer), 52 and 101 ms on 1M rows of 200,000 customers (CPU time); rounds are kept as
    the second, independent way the tests check the sort against.
    ``purchases`` is :func:`_purchases` of the ledger when the caller has it already.
    """
    if not (ledger.revenue > 0).any():
        return np.full(ledger.n_customers, np.nan)
    n = ledger.n_customers
    cust, day, value, label = _purchases(ledger) if purchases is None else purchases
    if method == "rounds":
        total = np.zeros(n)
        count = np.zeros(n, dtype="int64")
        remaining = np.ones(len(day), dtype=bool)
        for _ in range(n_last):
            newest = np.full(n, NO_DAY, dtype="int64")
            np.maximum.at(newest, cust[remaining], day[remaining])
            chosen = np.flatnonzero(remaining & (day == newest[cust]))
            if len(chosen) == 0:
                break
            # Several purchases on a customer's newest day: the same-day rule picks one.
            tied = np.bincount(cust[chosen], minlength=n)[cust[chosen]] > 1
            if tied.any():
                at = chosen[tied]
                position = same_day_positions(label[at], value[at], ledger.order_labels)
                best = np.full(n, -1, dtype="int64")
                np.maximum.at(best, cust[at], position)
                chosen = np.concatenate([chosen[~tied], at[position == best[cust[at]]]])
            total += exact_sums(cust[chosen], value[chosen], n)
            count += np.bincount(cust[chosen], minlength=n)
            remaining[chosen] = False
    else:
        total, count, _ = _newest_sums(ledger, n_last, cust, day, value, label)
    return _mean(total, count)


def _mean(total: np.ndarray, count: np.ndarray) -> np.ndarray:
    """Mean in euros of ``count`` purchases summing to ``total`` cents (NaN without one)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / (100.0 * np.maximum(count, 1)), np.nan)


def _spans(start: np.ndarray, stop: np.ndarray) -> np.ndarray:
    """The positions ``start[i] … stop[i] - 1`` of every span, concatenated (no Python loop)."""
    length = stop - start
    shift = np.repeat(start - (np.cumsum(length) - length), length)
    return shift + np.arange(len(shift))


def _newest_sums(
    ledger: Ledger,
    n_last: int,
    cust: np.ndarray,
    day: np.ndarray,
    value: np.ndarray,
    label: np.ndarray,
    since_day: int | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Sum (in cents) and count of each customer's ``n_last`` newest purchases, by one sort.

    With ``since_day``, also each customer's count of purchases on that day or later (the
    same sort answers it by one search per customer); otherwise None.

    Purchases sort by (customer, day), the purchase's position packed into the low bits of
    one int64 key: numpy sorts integers far faster than it argsorts them. A customer's newest
    purchases are then the last ones of its run. Only where purchases of one day lie on both
    sides of that cut does the same-day rule (:func:`same_day_positions`) decide which are
    taken; elsewhere the order within a day cannot change the sum or the count.
    """
    n = ledger.n_customers
    low = int(day.min())
    span = int(day.max()) - low + 1
    bits = max(len(cust) - 1, 1).bit_length()
    # In place: at 10M rows every purchase-sized temporary is 80 MB.
    slot = np.multiply(cust, span, dtype="int64")
    slot += day
    slot -= low
    if n * span < 2 ** (PACKED_BITS - bits):
        slot <<= bits
        slot |= np.arange(len(cust))
        slot.sort()
        order = slot & ((1 << bits) - 1)
        slot >>= bits
    else:
        # Too many customers x days x purchases for one key: an argsort of (customer, day).
        order = np.argsort(slot)
        slot = slot[order]
    counts = np.bincount(cust, minlength=n)
    run_end = np.cumsum(counts)
    run_start = run_end - counts
    recent = None
    if since_day is not None:
        # A customer's purchases from since_day on end its run; they start at its first slot
        # at or after that day (the next customer's first slot where there is none).
        first = np.arange(n, dtype="int64") * span + min(max(since_day - low, 0), span)
        recent = run_end - np.searchsorted(slot, first, side="left")
    cut = np.maximum(run_start, run_end - n_last)
    split = np.flatnonzero(cut > run_start)
    split = split[slot[cut[split] - 1] == slot[cut[split]]]
    if len(split):
        # Each such (customer, day) run: its purchases in same-day order, in the places it holds.
        shared = slot[cut[split]]
        places = _spans(
            np.searchsorted(slot, shared, side="left"), np.searchsorted(slot, shared, side="right")
        )
        at = order[places]
        position = same_day_positions(label[at], value[at], ledger.order_labels)
        order[places] = at[np.lexsort((position, slot[places]))]
    taken = order[_spans(cut, run_end)]
    count = run_end - cut
    total = exact_sums(np.repeat(np.arange(n), count), value[taken], n)
    return total, count, recent


def rfmr_points(
    ledger: Ledger,
    contacts: ContactLog,
    settings: Settings,
    recency_days: np.ndarray,
    orders: np.ndarray,
    returned: np.ndarray,
    last_day: np.ndarray,
) -> pd.DataFrame:
    """Compute the RFMR points and the figures they come from, per customer.

    Parameters
    ----------
    ledger : Ledger
    contacts : ContactLog
        The advertising contacts up to the reference date.
    settings : Settings
    recency_days, orders, returned, last_day : numpy.ndarray
        Days since the last purchase (NaN without), orders, returned orders, last purchase
        day (``NO_DAY`` without), per customer.

    Returns
    -------
    pandas.DataFrame
        ``months_since_last_purchase``, ``purchases_in_window``, ``avg_last_purchases``,
        ``return_ratio``, ``contacts_since_last_purchase``, the points per
        criterion (``rfmr_recency`` … ``rfmr_contacts``) and ``rfmr_points``.
    """
    has = ~np.isnan(recency_days)
    months = recency_days / DAYS_PER_MONTH
    window_days = settings.rfmr_frequency_window_months * DAYS_PER_MONTH
    if (ledger.revenue > 0).any():
        # One pass over the rows gives every purchase (order) with its last day: an order has a
        # row in the window exactly when its last purchase row is in it.
        # The window holds the days d with reference_day - d < window_days.
        since = ledger.reference_day - math.ceil(window_days) + 1
        total, count, in_window = _newest_sums(
            ledger, settings.rfmr_monetary_last_n, *_purchases(ledger), since_day=since
        )
        average = _mean(total, count)
        purchases_in_window = in_window if in_window is not None else np.zeros_like(count)
    else:
        purchases_in_window = np.zeros(ledger.n_customers, dtype="int64")
        average = np.full(ledger.n_customers, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(orders > 0, returned / np.maximum(orders, 1), 0.0)

    if len(contacts.customer):
        counts = contacts.counts(after_day=last_day)
        contact_points = counts @ contacts.per_channel(settings.rfmr_contact_points)
        # Column by column: numpy's row sum over a few channels is six times slower.
        contact_count = np.zeros(ledger.n_customers, dtype="int64")
        for channel in range(counts.shape[1]):
            contact_count += counts[:, channel]
    else:
        contact_points = np.zeros(ledger.n_customers)
        contact_count = np.zeros(ledger.n_customers, dtype="int64")

    if settings.rfmr_returns_basis == "ratio":
        returns_points = band_points(ratio.astype("float64"), settings.rfmr_return_ratio_bands)
    else:
        returns_points = band_points(returned.astype("float64"), settings.rfmr_returns_bands)
    points = {
        "rfmr_recency": band_points(months, settings.rfmr_recency_bands),
        "rfmr_frequency": purchases_in_window * settings.rfmr_frequency_points,
        "rfmr_monetary": band_points(average, settings.rfmr_monetary_bands),
        "rfmr_returns": returns_points,
        "rfmr_contacts": contact_points,
    }
    total = np.full(ledger.n_customers, settings.rfmr_start, dtype="float64")
    for weight, name in zip(settings.rfmr_weights, CRITERIA, strict=True):
        points[name] = np.where(has, points[name], np.nan).astype("float64")
        total = total + weight * points[name]
    table = pd.DataFrame(
        {
            "months_since_last_purchase": months,
            "purchases_in_window": np.where(has, purchases_in_window, 0),
            "avg_last_purchases": np.where(has, average, np.nan),
            "return_ratio": ratio,
            "contacts_since_last_purchase": np.where(has, contact_count, 0),
            **points,
            "rfmr_points": np.where(has, total, np.nan),
        },
        index=ledger.customer_ids,
        copy=False,  # fresh arrays, one block each: a copy into a 2-D block only costs
    )
    return table
