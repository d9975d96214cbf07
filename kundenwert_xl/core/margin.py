"""Kundendeckungsbeitragsrechnung: contribution margin per customer, DB I to DB IV.

Stages (DESIGN.md, API contract), per customer over the rows up to the reference date::

    net_revenue = Σ revenue                             (credit notes are negative rows)
    gross_revenue = net_revenue + Σ discount            (where a discount column exists)
    db1 = net_revenue − Σ cost_of_goods                 (cogs_rate × revenue where missing)
    db2 = db1 − Σ shipping − order cost × orders − return cost × returned orders
    db3 = db2 − sales − marketing − service costs − Σ contact cost × contacts
    db4 = db3 − share of the group's fixed costs        (allocated by positive net revenue)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kundenwert_xl import texts
from kundenwert_xl.core.errors import Problem
from kundenwert_xl.core.ledger import Ledger
from kundenwert_xl.core.settings import Settings

COST_COLUMNS = ("sales_costs", "marketing_costs", "service_costs")


def customer_costs(ledger: Ledger, customers: pd.DataFrame | None) -> pd.DataFrame:
    """Group and cost items of the customer table, aligned to the ledger's customers."""
    n = ledger.n_customers
    columns: dict[str, object] = {"name": None, "group": None}
    columns.update({col: np.zeros(n) for col in COST_COLUMNS})
    if customers is not None:
        codes = ledger.customer_codes(customers["customer_id"])
        keep = codes >= 0
        for col in ("name", "group"):
            if col in customers:
                values = np.full(n, None, dtype=object)
                values[codes[keep]] = customers[col].to_numpy(dtype=object)[keep]
                columns[col] = values
        for col in COST_COLUMNS:
            if col in customers:
                cost = np.nan_to_num(customers[col].to_numpy(dtype="float64"))
                columns[col] = np.bincount(codes[keep], weights=cost[keep], minlength=n)
    # One frame of all columns, not five inserts into an empty one.
    return pd.DataFrame(columns, index=ledger.customer_ids)


def margins(
    ledger: Ledger,
    costs: pd.DataFrame,
    contacts_cost: np.ndarray,
    orders: np.ndarray,
    returned: np.ndarray,
    settings: Settings,
) -> tuple[pd.DataFrame, list[Problem]]:
    """Compute the DB stages per customer.

    Parameters
    ----------
    ledger : Ledger
    costs : pandas.DataFrame
        From :func:`customer_costs`: ``group`` and the customer-specific cost items.
    contacts_cost : numpy.ndarray
        Advertising contact costs per customer.
    orders, returned : numpy.ndarray
        Orders with revenue and returned orders per customer.
    settings : Settings

    Returns
    -------
    table : pandas.DataFrame
        ``gross_revenue``, ``discount``, ``net_revenue``, ``cost_of_goods``, ``db1``,
        ``shipping_cost``, ``orders``, ``returned_orders``, ``order_costs``, ``db2``,
        ``customer_costs``, ``contact_costs``, ``db3``, ``fixed_costs``, ``db4`` and the DB
        ratios ``db1_ratio`` … ``db4_ratio`` (share of net revenue; NaN without positive
        revenue).
    problems : list of Problem
        The fixed costs that could not be allocated, then :func:`assumption_notes`.
    """
    # Every stage is computed in cents and turned into euros once: amounts of whole cents then
    # subtract exactly, so a DB of 28.676,00 € is 28676.0, not 28675.999999999996 (a cell an
    # Excel formula such as =A1=28676 would call unequal).
    net_c = ledger.money_cents("revenue")
    discount_c = ledger.money_cents("discount")
    cogs_cents = ledger.cents("cost_of_goods")
    # The revenue (in cents, per customer) the cost-of-goods rate applies to, if any.
    at_rate_c: np.ndarray | None = None
    blank = None
    if cogs_cents is None:
        at_rate_c = net_c
        cogs_c = settings.cogs_rate * net_c  # Σ rate × revenue, without a row-sized temporary
    else:
        blank = np.isnan(cogs_cents)
        cogs_c = ledger.cent_sums(cogs_cents)
        if blank.any():
            # The rate applies to the exact revenue sum of those rows, not row by row.
            at_rate_c = ledger.money_cents("revenue", blank)
            cogs_c = cogs_c + settings.cogs_rate * at_rate_c
    db1_c = net_c - whole_cents(cogs_c)

    shipping_c = ledger.money_cents("shipping_cost")
    order_c = whole_cents(
        whole_cents(settings.order_handling_cost * 100.0) * orders
        + whole_cents(settings.return_handling_cost * 100.0) * returned
    )
    db2_c = db1_c - shipping_c - order_c

    own_c = whole_cents(costs[list(COST_COLUMNS)].to_numpy(dtype="float64").sum(axis=1) * 100.0)
    db3_c = db2_c - own_c - whole_cents(contacts_cost * 100.0)

    net = net_c / 100.0
    fixed, problems = _fixed_cost_shares(costs["group"], net, settings)
    db4_c = db3_c - whole_cents(fixed * 100.0)
    cogs, order_costs, own = whole_cents(cogs_c) / 100.0, order_c / 100.0, own_c / 100.0
    db1, db2, db3, db4 = db1_c / 100.0, db2_c / 100.0, db3_c / 100.0, db4_c / 100.0
    discount, shipping = discount_c / 100.0, shipping_c / 100.0

    columns = {
        "gross_revenue": net + discount,
        "discount": discount,
        "net_revenue": net,
        "cost_of_goods": cogs,
        "db1": db1,
        "shipping_cost": shipping,
        "orders": np.array(orders),  # the caller's arrays are copied: see below
        "returned_orders": np.array(returned),
        "order_costs": order_costs,
        "db2": db2,
        "customer_costs": own,
        "contact_costs": np.array(contacts_cost),
        "db3": db3,
        "fixed_costs": fixed,
        "db4": db4,
    }
    positive = net > 0
    divisor = np.where(positive, net, 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        for level, db in (("db1", db1), ("db2", db2), ("db3", db3), ("db4", db4)):
            columns[f"{level}_ratio"] = np.where(positive, db / divisor, np.nan)
    # The arrays as they are, one block each: a copy into one 2-D block would cost more than
    # the whole DB arithmetic. Only arrays made here go in uncopied: one the caller passed may
    # be another frame's read-only column (orders are the RFM frequency), which the user
    # could then not change in the result.
    table = pd.DataFrame(columns, index=ledger.customer_ids, copy=False)
    notes = assumption_notes(ledger, settings, orders, returned, contacts_cost, blank, at_rate_c)
    return table, problems + notes


def whole_cents(cents: np.ndarray | float) -> np.ndarray:
    """Cents with the binary noise of a euro product removed (7,99 € × 100 is 798.99999…).

    Rounds to a millionth of a cent: far below anything shown, far above the noise, so a
    cost-of-goods rate's real fractions of a cent stay. Beyond 2**53 millionths of a cent
    (90 million euros) the noise is below a float's resolution there: values stay as they are.
    """
    cents = np.asarray(cents, dtype="float64")
    return np.where(np.abs(cents) < 2.0**53 / 1e6, np.round(cents, 6), cents)


def _fixed_cost_shares(
    group: pd.Series, net: np.ndarray, settings: Settings
) -> tuple[np.ndarray, list[Problem]]:
    """Each customer's share of its group's fixed costs, by positive net revenue.

    A group whose customers have no positive revenue shares its costs equally. Fixed costs of a
    group without customers cannot be allocated and are reported.
    """
    fixed = np.zeros(len(net))
    problems: list[Problem] = []
    if not settings.group_fixed_costs:
        return fixed, problems
    groups = group.astype("string").str.strip().str.casefold().to_numpy(dtype=object, na_value="")
    base = np.maximum(net, 0.0)
    for name, amount in settings.group_fixed_costs.items():
        members = groups == name.strip().casefold()
        if not members.any():
            problems.append(
                Problem(
                    "fixed_costs_without_group",
                    params={"value": name},
                    table=texts.TABLE_NAMES["settings"],
                    column=texts.SETTING_LABELS["group_fixed_costs"],
                    value=name,
                    severity="warning",
                )
            )
            continue
        weight = base[members]
        total = weight.sum()
        fixed[members] += amount * (weight / total if total > 0 else 1.0 / members.sum())
    return fixed, problems


def assumption_notes(
    ledger: Ledger,
    settings: Settings,
    orders: np.ndarray,
    returned: np.ndarray,
    contacts_cost: np.ndarray,
    blank: np.ndarray | None,
    at_rate_cents: np.ndarray | None,
) -> list[Problem]:
    """Name every setting that changed a DB figure because the data did not say otherwise.

    The cost-of-goods rate where the column is missing (``blank`` is None) or blank (the rows
    in ``blank``), the cost per order and per returned order, the cost of advertising
    contacts, each order counted from rows when there are no order numbers: each is a note
    with the value used and the total it moved. ``at_rate_cents`` is the revenue per customer,
    in cents, that :func:`margins` applied the rate to (None where it applied it to none):
    the same exact sums, so a note's total is the amount the DB moved.
    """
    settings_table = texts.TABLE_NAMES["settings"]
    tx_table = texts.TABLE_NAMES["transactions"]
    rate = float(settings.cogs_rate)
    notes: list[Problem] = []

    def note(code: str, table: str, column: str, **params: object) -> None:
        notes.append(Problem(code, params=params, table=table, column=column, severity="note"))

    cogs_header = texts.header("transactions", "cost_of_goods")
    if at_rate_cents is not None:
        total = settings.cogs_rate * float((at_rate_cents / 100.0).sum())
        if blank is None:
            note("cogs_rate_assumed", tx_table, cogs_header, rate=rate, total=total)
        else:
            note(
                "cogs_rate_blank",
                tx_table,
                cogs_header,
                rate=rate,
                count=int(blank.sum()),
                total=total,
            )
    if "order_id" not in ledger.rows:
        note("orders_from_rows", tx_table, texts.header("transactions", "order_id"))
    for code, key, count in (
        ("order_cost_assumed", "order_handling_cost", int(orders.sum())),
        ("return_cost_assumed", "return_handling_cost", int(returned.sum())),
    ):
        cost = float(getattr(settings, key))
        if cost > 0 and count > 0:
            note(
                code,
                settings_table,
                texts.SETTING_LABELS[key],
                cost=cost,
                count=count,
                total=cost * count,
            )
    total = float(contacts_cost.sum())
    if total > 0:
        note(
            "contact_cost_assumed",
            settings_table,
            texts.SETTING_LABELS["contact_costs"],
            total=total,
        )
    return notes
