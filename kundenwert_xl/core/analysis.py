"""``analyze()``: validate the inputs, then run every engine over one ledger.

This is the one function behind the UDFs, the ribbon and the CLI, so all faces give the same
numbers. It reports phases through an optional callback so each face can show progress in its
own way (Excel status bar, a terminal progress line).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from kundenwert_xl import texts
from kundenwert_xl.core import contacts as contacts_module
from kundenwert_xl.core import decisions, margin, pareto, rfm, rfmr, schema, segments, value
from kundenwert_xl.core.clv import ForecastInfo, clv_model, forward_values, quality_check
from kundenwert_xl.core.errors import KundenwertError, Problem
from kundenwert_xl.core.ledger import Ledger, build_ledger, day_numbers
from kundenwert_xl.core.settings import Settings

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Analysis:
    """Everything one analysis produces (see DESIGN.md, the API contract).

    Attributes
    ----------
    customers : pandas.DataFrame
        One row per customer, indexed by ``customer_id``: RFM values and scores, RFMR points
        and their parts, segment, DB stages and ratios, value score and rank, CLV, ABC class,
        dilemma flag; with the forecast on, ``p_alive``, ``expected_purchases``,
        ``expected_revenue``, ``clv_revenue`` and ``clv_db`` (empty where the data allow no
        model, see :func:`kundenwert_xl.core.clv.forward_values`).
    thresholds : pandas.DataFrame
        The class limits used per RFM dimension and score.
    segments : pandas.DataFrame
        Per segment: customers, shares, revenue, mean RFMR points, DB, mean value score.
    pareto, pareto_revenue : pandas.DataFrame
        100 rows each: customers ranked by DB (the ranking level) or by revenue.
    deciles, deciles_revenue : pandas.DataFrame
        Ten rows each: revenue and DB per decile of customers of the ranking.
    facts : dict
        Headline figures as fractions (1.0 = 100 %): ``revenue_share_top20``,
        ``customer_share_for_80pct_revenue``, ``db_share_top20``, ``db_share_next30``,
        ``db_share_bottom50``, ``db_share_worst10``, ``whale_peak`` and totals.
    dilemma : pandas.DataFrame
        The dilemma customers.
    scenarios : pandas.DataFrame
        Letting go of the worst customers by DB, and of the dilemma customers.
    targeting : pandas.DataFrame
        Customers to contact first within the budget; ``targeting_summary`` what they cover.
    problems : list of Problem
        Warnings and notes (errors raise instead): every assumption that changed a number.
    reference_date : datetime.date
    settings : Settings
        The settings used (with the reference date filled in).
    forecast : ForecastInfo or None
        The model behind the forecast columns and its holdout check; None when the forecast
        is off or the data allow no model.
    """

    customers: pd.DataFrame
    thresholds: pd.DataFrame
    segments: pd.DataFrame
    pareto: pd.DataFrame
    pareto_revenue: pd.DataFrame
    deciles: pd.DataFrame
    deciles_revenue: pd.DataFrame
    facts: dict[str, float]
    dilemma: pd.DataFrame
    scenarios: pd.DataFrame
    targeting: pd.DataFrame
    targeting_summary: dict[str, float]
    problems: list[Problem]
    reference_date: dt.date
    settings: Settings
    forecast: ForecastInfo | None = None

    def sentences(self) -> list[str]:
        """The headline facts as German sentences (Übersicht sheet, command line)."""
        share = self.dilemma["revenue_share"].sum() if len(self.dilemma) else 0.0
        return texts.fact_sentences(
            self.facts, self.settings.ranking_level, len(self.dilemma), float(share)
        )


def validate_inputs(
    transactions: pd.DataFrame,
    customers: pd.DataFrame | None = None,
    contacts: pd.DataFrame | None = None,
    first_rows: dict[str, int] | None = None,
    notes: list[Problem] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame | None, pd.DataFrame | None]:
    """Validate all input tables and raise one error listing every problem of every table.

    Problems that do not stop the analysis (notes) are appended to ``notes`` when given.
    """
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
            clean[name] = schema.validate(frame, name, first_rows.get(name, 2), notes=notes)
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
    notes: list[Problem] = []
    tx, cust, contact_rows = validate_inputs(transactions, customers, contacts, first_rows, notes)
    extra_ids = None
    if cust is not None:
        # The distinct ids as they are (sorted categories), not one Python object per row.
        ids = cust["customer_id"].array
        codes = ids.codes[ids.codes >= 0]
        # The codes in use, ascending: a count per category (numpy's unique hashes, slowly).
        extra_ids = pd.Index(ids.categories[np.flatnonzero(np.bincount(codes, minlength=1))])
    ledger = build_ledger(tx, settings.reference_date, extra_ids)
    used = settings.model_copy(update={"reference_date": ledger.reference_date})

    report("rfm")
    problems = notes + list(ledger.problems)
    if settings.reference_date is None:
        problems.append(
            Problem(
                "reference_date_assumed",
                params={"reference_date": ledger.reference_date},
                table=texts.TABLE_NAMES["settings"],
                column=texts.SETTING_LABELS["reference_date"],
                severity="note",
            )
        )
    values = rfm.customer_values(ledger, used)
    scores, thresholds = rfm.score_customers(values, used)
    if used.frequency_basis == "orders":
        # The RFM frequency is this very count (rfm.customer_values): not a second pass.
        orders = values["frequency"].to_numpy()
    else:
        orders = rfm.count_orders(ledger, ledger.revenue > 0)
    if "returned" in ledger.rows:
        returned = rfm.count_orders(ledger, ledger.rows["returned"].to_numpy(dtype=bool))
    else:
        returned = np.zeros(ledger.n_customers, dtype="int64")
    log, contact_problems = contacts_module.contact_log(ledger, contact_rows, used)
    problems += contact_problems

    report("rfmr")
    points = rfmr.rfmr_points(
        ledger,
        log,
        used,
        values["recency_days"].to_numpy(dtype="float64"),
        orders,
        returned,
        day_numbers(values["last_purchase"].to_numpy()),
    )

    report("segments")
    rules, fallback = segments.rule_table(used)
    classes = thresholds.groupby("dimension", sort=False)["score"].max()
    on_scale = segments.on_preset_scale(
        scores, {f"{dim[0]}_score": int(classes[dim]) for dim in rfm.DIMENSIONS}, used
    )
    segment = segments.assign(on_scale, rules, fallback, texts.NO_PURCHASE_SEGMENT)
    if used.segment_preset == "custom":
        top = int(max(classes.max(), *(hi for r in rules for _, hi in r.ranges())))
        problems += segments.coverage_problems(rules, top, fallback)

    report("margin")
    costs = margin.customer_costs(ledger, cust)
    if len(log.customer):
        contact_cost = log.counts() @ log.per_channel(used.contact_costs)
    else:
        contact_cost = np.zeros(ledger.n_customers)  # no contact, nothing to price
    margins, margin_problems = margin.margins(ledger, costs, contact_cost, orders, returned, used)
    problems += margin_problems  # with the assumption notes

    report("value")
    level = used.ranking_level
    period_days = ledger.reference_day - int(ledger.day.min()) + 1
    revenue = margins["net_revenue"].to_numpy()
    db = margins[level].to_numpy()
    # Each ranking is one sort of all customers; the ABC classes and the dilemma reuse them.
    by_db, by_revenue = value.ranking(db), value.ranking(revenue)
    abc_order = by_revenue if used.abc_measure == "revenue" else by_db
    worth = value.customer_value(
        points["rfmr_points"].to_numpy(), margins, used, period_days, abc_order, by_db
    )
    if period_days < value.DAYS_PER_YEAR:
        problems.append(
            Problem(
                "period_extrapolated",
                params={"days": int(period_days)},
                table=texts.TABLE_NAMES["transactions"],
                column=texts.header("transactions", "date"),
                severity="note",
            )
        )
    dilemma = decisions.dilemma_flags(revenue, by_db, used, by_revenue)

    # Every part is indexed by ledger.customer_ids (the same object): one concat puts their
    # columns side by side without aligning the text ids or copying a column.
    parts = [costs[["name", "group"]], values, scores]
    split = points.columns.get_loc("rfmr_recency")
    parts += [points.iloc[:, :split], segment.to_frame("segment"), points.iloc[:, split:]]
    parts += [margins, worth, pd.DataFrame({"dilemma": dilemma}, index=ledger.customer_ids)]
    info = None
    if used.forecast_enabled:
        report("forecast")
        forecast, info, forecast_problems = _forecast(tx, ledger, margins, used, period_days)
        parts.append(forecast)
        problems += forecast_problems
    table = _in_cents(pd.concat(parts, axis=1), CUSTOMER_AMOUNTS)

    report("pareto")
    problems += _total_problems(revenue, db, level)
    order = used.targeting_order
    if order == "forecast_db" and table.get("clv_db", pd.Series(dtype=float)).isna().all():
        problems.append(
            Problem(
                "targeting_without_forecast",
                table=texts.TABLE_NAMES["settings"],
                column=texts.SETTING_LABELS["targeting_order"],
                severity="note",
            )
        )
        order = "value"
    targets, target_summary = decisions.targeting(
        table, level, used.budget, used.cost_per_contact, order
    )
    report("done")
    db_sums, revenue_sums = (pareto.running_sums(revenue, db, o) for o in (by_db, by_revenue))
    return Analysis(
        customers=table,
        thresholds=thresholds,
        segments=_in_cents(segments.summary(table, level), ("net_revenue", "db")),
        pareto=_in_cents(pareto.pareto_table(revenue, db, by_db, db_sums), CUMULATIVE),
        pareto_revenue=_in_cents(
            pareto.pareto_table(revenue, db, by_revenue, revenue_sums), CUMULATIVE
        ),
        deciles=_in_cents(pareto.decile_table(revenue, db, by_db, db_sums), ("revenue", "db")),
        deciles_revenue=_in_cents(
            pareto.decile_table(revenue, db, by_revenue, revenue_sums), ("revenue", "db")
        ),
        facts=_facts_in_cents(
            {
                **pareto.facts(revenue, db, by_revenue, by_db, revenue_sums, db_sums),
                "transactions": len(ledger.rows),
            }
        ),
        dilemma=decisions.dilemma_table(table, level),
        scenarios=decisions.scenario_table(revenue, db, by_db, dilemma, used.scenario_steps),
        targeting=targets,
        targeting_summary=target_summary,
        problems=problems,
        reference_date=ledger.reference_date,
        settings=used,
        forecast=info,
    )


#: Customer amounts summed in euros (the others are summed in cents where they are made,
#: :mod:`~kundenwert_xl.core.margin` and the ledger, and are exact already; a test checks every
#: amount cell).
CUSTOMER_AMOUNTS = ("gross_revenue", "contact_costs")
CUMULATIVE = ("revenue_cum", "db_cum")


def _in_cents(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """``frame`` with its amount ``columns`` as the double nearest to their cents.

    Sums of cent amounts in euros carry binary noise (253576.19999999998 for 253.576,20 €) that
    a number format hides but ``=B18=253576,2`` in Excel sees. Snapped to a millionth of a cent
    (:func:`~kundenwert_xl.core.margin.whole_cents`): real fractions of a cent (a cost-of-goods
    rate) stay.
    """
    present = [c for c in columns if c in frame and frame[c].dtype == np.float64]
    if not present:
        return frame
    return frame.assign(
        **{c: margin.whole_cents(frame[c].to_numpy() * 100.0) / 100.0 for c in present}
    )


def _facts_in_cents(facts: dict[str, float]) -> dict[str, float]:
    """The headline figures with the totals in cents (see :func:`_in_cents`)."""
    return facts | {
        key: float(margin.whole_cents(facts[key] * 100.0)) / 100.0
        for key in ("total_revenue", "total_db")
        if key in facts
    }


FORECAST_COLUMNS = ("p_alive", "expected_purchases", "expected_revenue", "clv_revenue", "clv_db")


def _forecast(
    tx: pd.DataFrame, ledger: Ledger, margins: pd.DataFrame, used: Settings, period_days: int
) -> tuple[pd.DataFrame, ForecastInfo | None, list[Problem]]:
    """The forecast columns and the model check, or empty columns and the refusal as a note.

    The analysis goes on either way.
    """
    empty = pd.DataFrame(np.nan, index=ledger.customer_ids, columns=list(FORECAST_COLUMNS))
    try:
        model = clv_model(tx, ledger.reference_date, time_unit="W", ledger=ledger)
        purchase_revenue = pd.Series(
            ledger.money("revenue", ledger.revenue >= 0), index=ledger.customer_ids
        )
        values, notes = forward_values(
            model,
            margins,
            purchase_revenue,
            used.ranking_level,
            used.forecast_months,
            used.forecast_discount_rate,
            period_days,
            used.cogs_rate,
        )
    except KundenwertError as exc:
        # A refused forecast leaves its columns empty; the rest of the analysis stands.
        return empty, None, [replace(p, severity="note") for p in exc.problems]
    own = [p for p in model.problems if p.code.startswith("clv_")]
    check, calibration_end, check_notes = quality_check(
        tx, ledger.reference_date, int(ledger.day.min()), ledger
    )
    info = ForecastInfo(model.params, model.log_likelihood, check, calibration_end)
    return values.reindex(ledger.customer_ids), info, own + notes + check_notes


def _total_problems(revenue: np.ndarray, db: np.ndarray, level: str) -> list[Problem]:
    """Warn when a total is not positive: shares of it are then shown as blank."""
    found = []
    for code, total in (
        ("revenue_total_not_positive", revenue.sum()),
        ("db_total_not_positive", db.sum()),
    ):
        if total <= 0:
            found.append(
                Problem(
                    code,
                    params={"level": texts.DB_LEVELS[level], "total": float(total)},
                    table=texts.TABLE_NAMES["transactions"],
                    severity="warning",
                )
            )
    return found
