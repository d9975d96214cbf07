"""A seeded, realistic demo customer base for a German mid-sized B2B/mail-order company.

The generator is vectorised (no loop over customers or rows) and makes from 1,000 to 10 million
transaction rows. Its distributions are built to show the pattern of the article behind the
product: a skewed customer base where 20–30 % of the customers make 70–80 % of the revenue;
small customers whose order handling, shipping and catalogues eat their margin; and key accounts
with large revenue whose discounts, field-sales visits and service costs make their contribution
margin negative (the dilemma customers).

Identifiers are Categoricals with Arrow-backed string categories, so ten million rows fit in a
few hundred megabytes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

DEMO_REFERENCE_DATE = dt.date(2024, 12, 31)
DEFAULT_TRANSACTIONS = 20_000

GROUPS = ("Fachhandel", "Großhandel", "Industrie", "Online")
_GROUP_SHARE = np.array([0.45, 0.15, 0.20, 0.20])
_GROUP_RETURN_RATE = np.array([0.04, 0.03, 0.02, 0.12])
CHANNELS = ("Hauptkatalog", "Sonderkatalog", "Mailing")
# Contacts per customer and year, and the share of customers who get that channel at all.
_CHANNEL_RATE = np.array([2.0, 2.0, 6.0])
_CHANNEL_REACH = np.array([1.0, 0.4, 0.5])
_NAMES = (
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
    "Koch",
    "Richter",
    "Klein",
    "Wolf",
    "Schröder",
    "Neumann",
)
_TRADES = (
    "Bürobedarf",
    "Maschinenbau",
    "Handel",
    "Technik",
    "Logistik",
    "Elektro",
    "Werkzeuge",
    "Verpackung",
)
_FORMS = ("GmbH", "KG", "AG", "e.K.", "GmbH & Co. KG")


@dataclass(frozen=True)
class DemoData:
    """The three input tables of a demo customer base (internal column names)."""

    transactions: pd.DataFrame
    customers: pd.DataFrame
    contacts: pd.DataFrame
    reference_date: dt.date


def _labels(prefix: str, n: int, width: int) -> pd.Index:
    """``K000001``-style labels, built in Arrow (no Python string per row)."""
    digits = pc.utf8_lpad(pa.array(np.arange(1, n + 1)).cast(pa.string()), width=width, padding="0")
    return pd.Index(pd.array(pc.binary_join_element_wise(prefix, digits, ""), dtype="str"))


def make_demo(
    n_transactions: int = DEFAULT_TRANSACTIONS,
    seed: int = 42,
    reference_date: dt.date = DEMO_REFERENCE_DATE,
    years: float = 2.0,
) -> DemoData:
    """Generate a demo customer base.

    Parameters
    ----------
    n_transactions : int
        Exact number of transaction rows (order lines and credit notes), 1,000 or more.
    seed : int
        Seed of the random generator: the same seed gives the same data.
    reference_date : datetime.date
        Last day of the data; every row lies on or before it.
    years : float
        Length of the history in years.

    Returns
    -------
    DemoData
    """
    if n_transactions < 1000:
        raise ValueError("n_transactions must be at least 1000")
    rng = np.random.default_rng(seed)
    end = int(np.datetime64(reference_date, "D").astype("int64"))
    span = round(365 * years)
    start = end - span
    n_cust = max(40, n_transactions // 25)

    # --- customers: size, group, active window -----------------------------------------------
    group = rng.choice(len(GROUPS), size=n_cust, p=_GROUP_SHARE)
    size = rng.lognormal(0.0, 1.25, n_cust) * np.array([1.0, 2.5, 1.8, 0.6])[group]
    first = start + (rng.random(n_cust) < 0.2) * rng.integers(0, span - 30, n_cust)
    churned = rng.random(n_cust) < 0.25
    last = np.where(churned, first + rng.integers(30, span + 1, n_cust), end)
    last = np.minimum(last, end)
    active_share = (last - first + 1) / (span + 1)
    key_account = size > np.quantile(size, 0.9)
    # A third of the key accounts are "high maintenance": deep discounts, many visits.
    demanding = key_account & (rng.random(n_cust) < 0.35)

    # --- lines per customer (exact total), orders, dates --------------------------------------
    return_rate = _GROUP_RETURN_RATE[group]
    n_sales = round(n_transactions / (1 + float(np.mean(return_rate))))
    n_credit = n_transactions - n_sales
    weight = size**0.8 * active_share
    lines = rng.multinomial(n_sales - n_cust, weight / weight.sum()) + 1
    per_order = rng.integers(1, 4, n_cust)
    orders = -(-lines // per_order)
    cust_of_line = np.repeat(np.arange(n_cust), lines)
    line_start = np.repeat(np.cumsum(lines) - lines, lines)
    order_in_cust = (np.arange(n_sales) - line_start) // per_order[cust_of_line]
    order_offset = np.cumsum(orders) - orders
    order_of_line = order_offset[cust_of_line] + order_in_cust
    cust_of_order = np.repeat(np.arange(n_cust), orders)
    order_day = first[cust_of_order] + (
        rng.random(len(cust_of_order)) * (last - first + 1)[cust_of_order]
    ).astype("int64")
    day = order_day[order_of_line]

    # --- money per line ------------------------------------------------------------------------
    basket = 70.0 * size[cust_of_line] ** 0.35 * rng.lognormal(0.0, 0.6, n_sales)
    # Larger accounts negotiate deeper discounts; the demanding ones the deepest.
    big = size > np.quantile(size, 0.7)
    discount_rate = np.where(demanding, 0.18, np.where(key_account, 0.15, np.where(big, 0.05, 0.0)))
    discount_rate = discount_rate[cust_of_line]
    gross = np.round(basket, 2)
    discount = np.round(gross * discount_rate, 2)
    revenue = gross - discount
    cogs_rate = np.array([0.55, 0.63, 0.60, 0.52])[group][cust_of_line] + rng.normal(
        0, 0.03, n_sales
    )
    cost_of_goods = np.round(gross * np.clip(cogs_rate, 0.3, 0.95), 2)
    first_line = np.ones(n_sales, dtype=bool)
    first_line[1:] = order_of_line[1:] != order_of_line[:-1]
    shipping = np.where(first_line, np.where(revenue < 150, 5.90, 9.90), 0.0)

    # --- returns: credit notes for chosen lines, the original line flagged -----------------------
    p = return_rate[cust_of_line]
    returned_lines = rng.choice(n_sales, size=n_credit, replace=False, p=p / p.sum())
    returned = np.zeros(n_sales, dtype=bool)
    returned[returned_lines] = True
    credit_day = np.minimum(day[returned_lines] + rng.integers(5, 30, n_credit), end)

    all_cust = np.concatenate([cust_of_line, cust_of_line[returned_lines]])
    all_order = np.concatenate([order_of_line, order_of_line[returned_lines]])
    all_day = np.concatenate([day, credit_day])
    # Returned goods are restocked: the credit note reverses 80 % of the cost of goods.
    tx = pd.DataFrame(
        {
            "customer_id": pd.Categorical.from_codes(all_cust, _labels("K", n_cust, 6)),
            "date": all_day.astype("datetime64[D]").astype("datetime64[ns]"),
            "order_id": pd.Categorical.from_codes(all_order, _labels("A", int(orders.sum()), 8)),
            "revenue": np.concatenate([revenue, -revenue[returned_lines]]),
            "cost_of_goods": np.concatenate(
                [cost_of_goods, -np.round(0.8 * cost_of_goods[returned_lines], 2)]
            ),
            "discount": np.concatenate([discount, -discount[returned_lines]]),
            "shipping_cost": np.concatenate([shipping, np.zeros(n_credit)]),
            "returned": np.concatenate([returned, np.ones(n_credit, dtype=bool)]),
        }
    )
    tx = tx.sort_values(["date", "order_id"], kind="stable", ignore_index=True)

    # --- customer table: names, groups, customer-specific costs --------------------------------
    years_active = (last - first + 1) / 365.0
    visits = rng.poisson(np.where(key_account, 3.0, 0.3) * years_active * np.where(demanding, 2, 1))
    sales_costs = np.round(visits * 240.0, 2)
    marketing_costs = np.round(rng.gamma(2.0, 12.0, n_cust) * np.where(key_account, 4, 1), 2)
    service_costs = np.round(
        orders * rng.gamma(2.0, 4.0, n_cust) * np.where(demanding, 6.0, 1.0), 2
    )
    names = (
        pd.Series(np.array(_NAMES)[rng.integers(0, len(_NAMES), n_cust)])
        + " "
        + pd.Series(np.array(_TRADES)[rng.integers(0, len(_TRADES), n_cust)])
        + " "
        + pd.Series(np.array(_FORMS)[rng.integers(0, len(_FORMS), n_cust)])
    )
    customers = pd.DataFrame(
        {
            "customer_id": _labels("K", n_cust, 6),
            "name": names.to_numpy(),
            "group": np.array(GROUPS)[group],
            "sales_costs": sales_costs,
            "marketing_costs": marketing_costs,
            "service_costs": service_costs,
        }
    )

    # --- advertising contacts --------------------------------------------------------------------
    reach = rng.random((n_cust, len(CHANNELS))) < _CHANNEL_REACH
    counts = rng.poisson(_CHANNEL_RATE * years_active[:, None]) * reach
    flat = counts.ravel()
    contact_cust = np.repeat(np.repeat(np.arange(n_cust), len(CHANNELS)), flat)
    contact_channel = np.repeat(np.tile(np.arange(len(CHANNELS)), n_cust), flat)
    contact_day = first[contact_cust] + (
        rng.random(len(contact_cust)) * (last - first + 1)[contact_cust]
    ).astype("int64")
    contacts = pd.DataFrame(
        {
            "customer_id": pd.Categorical.from_codes(contact_cust, _labels("K", n_cust, 6)),
            "date": contact_day.astype("datetime64[D]").astype("datetime64[ns]"),
            "channel": pd.Categorical.from_codes(contact_channel, list(CHANNELS)),
        }
    ).sort_values("date", kind="stable", ignore_index=True)
    return DemoData(tx, customers, contacts, reference_date)
