"""``analyze()``: validate the inputs, then run every engine over one ledger.

This is the one function behind the UDFs, the ribbon and the CLI, so all faces give the same
numbers. It reports phases through an optional callback so each face can show progress in its
own way (Excel status bar, a terminal progress line).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from kundenwert_xl import texts
from kundenwert_xl.core import rfm, rfmr, schema, segments
from kundenwert_xl.core.errors import KundenwertError, Problem
from kundenwert_xl.core.ledger import build_ledger, day_numbers
from kundenwert_xl.settings import Settings

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Analysis:
    """Everything one analysis produces.

    Attributes
    ----------
    customers : pandas.DataFrame
        One row per customer, indexed by ``customer_id``.
    thresholds : pandas.DataFrame
        The class limits used per RFM dimension and score.
    segments : pandas.DataFrame
        Per segment: customers, shares, revenue, mean RFMR points (and later DB, value).
    problems : list of Problem
        Warnings (errors raise instead), e.g. rows after the reference date.
    reference_date : datetime.date
        The reference date actually used.
    settings : Settings
        The settings actually used (with the reference date filled in).
    """

    customers: pd.DataFrame
    thresholds: pd.DataFrame
    segments: pd.DataFrame
    problems: list[Problem]
    reference_date: dt.date
    settings: Settings
    extra: dict[str, object] = field(default_factory=dict)


def validate_inputs(
    transactions: pd.DataFrame,
    customers: pd.DataFrame | None = None,
    contacts: pd.DataFrame | None = None,
    first_rows: dict[str, int] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame | None, pd.DataFrame | None]:
    """Validate all input tables and raise one error listing every problem of every table."""
    first_rows = first_rows or {}
    problems: list[Problem] = []
    clean: dict[str, pd.DataFrame | None] = {}
    for name, frame in (
        ("transactions", transactions),
        ("customers", customers),
        ("contacts", contacts),
    ):
        if frame is None:
            clean[name] = None
            continue
        try:
            clean[name] = schema.validate(frame, name, first_rows.get(name, 2))
        except KundenwertError as exc:
            problems.extend(exc.problems)
    if problems:
        raise KundenwertError(problems)
    return clean["transactions"], clean["customers"], clean["contacts"]  # type: ignore[return-value]


def analyze(
    transactions: pd.DataFrame,
    customers: pd.DataFrame | None = None,
    contacts: pd.DataFrame | None = None,
    settings: Settings | None = None,
    progress: Progress | None = None,
    first_rows: dict[str, int] | None = None,
) -> Analysis:
    """Compute the customer value analysis.

    Parameters
    ----------
    transactions : pandas.DataFrame
        ``customer_id``, ``date``, ``revenue`` and optional columns (DESIGN.md); German
        headers (``Kundennr``, ``Datum``, ``Umsatz`` …) are accepted.
    customers : pandas.DataFrame, optional
        ``customer_id`` and optional name, group and cost items.
    contacts : pandas.DataFrame, optional
        ``customer_id``, ``date``, ``channel``: the advertising contacts.
    settings : Settings, optional
        Business parameters; defaults as in DOMAIN.md.
    progress : callable, optional
        Called with a phase key of :data:`kundenwert_xl.texts.PHASES` as work proceeds.
    first_rows : dict, optional
        Excel row number of the first data row per table, for messages.

    Returns
    -------
    Analysis

    Raises
    ------
    KundenwertError
        With every problem found in every table.
    """
    settings = settings or Settings()
    report = progress or (lambda phase: None)
    report("validate")
    tx, cust, contact_rows = validate_inputs(transactions, customers, contacts, first_rows)
    extra_ids = None if cust is None else pd.Index(cust["customer_id"].astype(object))
    ledger = build_ledger(tx, settings.reference_date, extra_ids)
    used = settings.model_copy(update={"reference_date": ledger.reference_date})

    report("rfm")
    problems = list(ledger.problems)
    values = rfm.customer_values(ledger, used)
    scores, thresholds = rfm.score_customers(values, used)
    net_revenue = pd.Series(ledger.per_customer(ledger.revenue), index=ledger.customer_ids)

    report("rfmr")
    orders = values["frequency"].to_numpy()
    if used.frequency_basis != "orders":
        orders = rfm.count_orders(ledger, ledger.revenue > 0)
    points, rfmr_problems = rfmr.rfmr_points(
        ledger,
        contact_rows,
        used,
        values["recency_days"].to_numpy(dtype="float64"),
        orders,
        day_numbers(values["last_purchase"]),
    )
    problems += rfmr_problems

    report("segments")
    rules, fallback = segments.rule_table(used)
    classes = thresholds.groupby("dimension", sort=False)["score"].max()
    on_scale = segments.on_preset_scale(
        scores,
        {f"{dim[0]}_score": int(classes[dim]) for dim in rfm.DIMENSIONS},
        used,
    )
    segment = segments.assign(on_scale, rules, fallback, texts.NO_PURCHASE_SEGMENT)
    if used.segment_preset == "custom":
        top = int(max(classes.max(), *(hi for r in rules for _, hi in r.ranges())))
        problems += segments.coverage_problems(rules, top, fallback)

    table = pd.concat([values, scores], axis=1)
    table["net_revenue"] = net_revenue
    table = pd.concat([table, points], axis=1)
    table["segment"] = segment

    report("done")
    return Analysis(
        customers=table,
        thresholds=thresholds,
        segments=segments.summary(table),
        problems=problems,
        reference_date=ledger.reference_date,
        settings=used,
    )
