"""An :class:`~kundenwert_xl.core.analysis.Analysis` rendered as the result blocks users see.

The ONE place that knows the result layout: which sheet, which anchor, German headers, number
formats (US codes; Excel shows them localised) and column widths. The layout is static, so the
template builder can create the sheets, formats and charts before any data exists; the headless
writer and the live Excel writer both render :func:`render`'s blocks, so they write the same
cells.

Every block has a title in its anchor row, the header in the row below, data from the row after.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from kundenwert_xl import texts
from kundenwert_xl.core.analysis import Analysis
from kundenwert_xl.core.errors import Problem

INT = "#,##0"
EURO = '#,##0.00 "€"'
PCT = "0.0%"
SCORE = "0.0"
DATE = "DD.MM.YYYY"
TEXT = "@"


@dataclass(frozen=True)
class Column:
    """One column of a block: German header, number format, width, internal source name."""

    header: str
    source: str
    fmt: str | None = None
    width: float = 12.0


@dataclass(frozen=True)
class BlockSpec:
    """Where a block lives and what its columns are."""

    key: str
    sheet: str
    row: int
    col: int
    title: str
    columns: tuple[Column, ...]
    max_rows: int | None = None  # fixed-size blocks (charts point at them)

    @property
    def first_data_row(self) -> int:
        """Sheet row of the first data row."""
        return self.row + 2


@dataclass
class Block:
    """A block with its rows (plain Python values: str, float, int, bool, date, None)."""

    spec: BlockSpec
    rows: list[list[object]] = field(default_factory=list)
    title: str | None = None


#: Column order of the input Excel Tables in the template (internal names; German headers in texts).
INPUT_COLUMNS: dict[str, tuple[str, ...]] = {
    "transactions": (
        "customer_id",
        "date",
        "order_id",
        "revenue",
        "cost_of_goods",
        "discount",
        "returned",
        "shipping_cost",
    ),
    "customers": (
        "customer_id",
        "name",
        "group",
        "sales_costs",
        "marketing_costs",
        "service_costs",
    ),
    "contacts": ("customer_id", "date", "channel"),
}

SHEETS = texts.RESULT_SHEETS
DECISION_HEADER = texts.RESULT_HEADERS["dilemma"]["decision"]


def _c(table: str, source: str, fmt: str | None = None, width: float = 12.0) -> Column:
    return Column(texts.RESULT_HEADERS[table][source], source, fmt, width)


CUSTOMER_COLUMNS = (
    _c("customer", "customer_id", TEXT, 12),
    _c("customer", "name", None, 28),
    _c("customer", "group", None, 14),
    _c("customer", "segment", None, 24),
    _c("customer", "value_rank", INT, 7),
    _c("customer", "value_score", SCORE, 10),
    _c("customer", "abc_class", None, 6),
    _c("customer", "dilemma", None, 8),
    _c("customer", "rfm_code", TEXT, 9),
    _c("customer", "r_score", INT, 8),
    _c("customer", "f_score", INT, 8),
    _c("customer", "m_score", INT, 8),
    _c("customer", "rfmr_points", SCORE, 10),
    _c("customer", "recency_days", INT, 10),
    _c("customer", "orders", INT, 9),
    _c("customer", "first_purchase", DATE, 11),
    _c("customer", "last_purchase", DATE, 11),
    _c("customer", "gross_revenue", EURO, 14),
    _c("customer", "net_revenue", EURO, 14),
    _c("customer", "db1", EURO, 13),
    _c("customer", "db2", EURO, 13),
    _c("customer", "db3", EURO, 13),
    _c("customer", "db4", EURO, 13),
    _c("customer", "ranking_ratio", PCT, 10),
    _c("customer", "db_per_year", EURO, 13),
    _c("customer", "clv", EURO, 14),
    _c("customer", "rfmr_recency", SCORE, 9),
    _c("customer", "rfmr_frequency", SCORE, 9),
    _c("customer", "rfmr_monetary", SCORE, 9),
    _c("customer", "rfmr_returns", SCORE, 9),
    _c("customer", "rfmr_contacts", SCORE, 9),
    _c("customer", "purchases_in_window", INT, 9),
    _c("customer", "avg_last_purchases", EURO, 12),
    _c("customer", "returned_orders", INT, 8),
    _c("customer", "contacts_since_last_purchase", INT, 10),
    _c("customer", "cost_of_goods", EURO, 13),
    _c("customer", "shipping_cost", EURO, 11),
    _c("customer", "order_costs", EURO, 12),
    _c("customer", "customer_costs", EURO, 13),
    _c("customer", "contact_costs", EURO, 11),
    _c("customer", "fixed_costs", EURO, 12),
    # The forecast (empty when it is off or the data allow no model); last, so the formulas
    # and charts that point at the columns before keep their addresses.
    _c("customer", "p_alive", PCT, 10),
    _c("customer", "expected_purchases", SCORE, 10),
    _c("customer", "expected_revenue", EURO, 13),
    _c("customer", "clv_revenue", EURO, 13),
    _c("customer", "clv_db", EURO, 13),
)
SEGMENT_COLUMNS = (
    _c("segment", "segment", None, 26),
    _c("segment", "customers", INT, 9),
    _c("segment", "customer_share", PCT, 10),
    _c("segment", "net_revenue", EURO, 15),
    _c("segment", "revenue_share", PCT, 10),
    _c("segment", "mean_rfmr_points", SCORE, 10),
    _c("segment", "db", EURO, 15),
    _c("segment", "db_share", PCT, 10),
    _c("segment", "mean_value_score", SCORE, 10),
)
THRESHOLD_COLUMNS = (
    _c("threshold", "dimension", None, 16),
    _c("threshold", "score", INT, 7),
    _c("threshold", "lower", "#,##0.00", 11),
    _c("threshold", "upper", "#,##0.00", 11),
    _c("threshold", "closed", None, 14),
    _c("threshold", "customers", INT, 8),
)
PARETO_COLUMNS = (
    _c("pareto", "customer_share", "0%", 9),
    _c("pareto", "customers", INT, 8),
    _c("pareto", "revenue_cum", EURO, 15),
    _c("pareto", "revenue_share", PCT, 9),
    _c("pareto", "db_cum", EURO, 15),
    _c("pareto", "db_share", PCT, 9),
)
DECILE_COLUMNS = (
    _c("decile", "decile", INT, 6),
    _c("decile", "customers", INT, 8),
    _c("decile", "revenue", EURO, 15),
    _c("decile", "revenue_share", PCT, 9),
    _c("decile", "revenue_share_cum", PCT, 9),
    _c("decile", "db", EURO, 15),
    _c("decile", "db_share", PCT, 9),
    _c("decile", "db_share_cum", PCT, 9),
)
DILEMMA_COLUMNS = (
    _c("dilemma", "customer_id", TEXT, 12),
    _c("dilemma", "name", None, 28),
    _c("dilemma", "segment", None, 22),
    _c("dilemma", "net_revenue", EURO, 15),
    _c("dilemma", "revenue_share", PCT, 10),
    _c("dilemma", "db", EURO, 14),
    _c("dilemma", "db_ratio", PCT, 9),
    _c("dilemma", "price_increase", PCT, 12),
    _c("dilemma", "value_rank", INT, 7),
    _c("dilemma", "decision", None, 30),
    # After the decision column, so a workbook made from an older template keeps its decisions
    # and their drop-down list where they were.
    _c("dilemma", "p_alive", PCT, 10),
    _c("dilemma", "clv_db", EURO, 14),
)
SCENARIO_COLUMNS = (
    _c("scenario", "label", None, 34),
    _c("scenario", "customers_lost", INT, 9),
    _c("scenario", "revenue_lost", EURO, 15),
    _c("scenario", "revenue_lost_share", PCT, 9),
    _c("scenario", "db_before", EURO, 15),
    _c("scenario", "db_after", EURO, 15),
    _c("scenario", "db_change", EURO, 15),
    _c("scenario", "db_change_share", PCT, 10),
)
TARGET_COLUMNS = (
    _c("target", "value_rank", INT, 7),
    _c("target", "customer_id", TEXT, 12),
    _c("target", "name", None, 28),
    _c("target", "segment", None, 22),
    _c("target", "value_score", SCORE, 10),
    _c("target", "net_revenue", EURO, 15),
    _c("target", "db", EURO, 15),
    _c("target", "p_alive", PCT, 10),
    _c("target", "clv_db", EURO, 14),
)
FACT_COLUMNS = (_c("fact", "label", None, 46), _c("fact", "value", None, 18))
SENTENCE_COLUMNS = (_c("sentence", "text", None, 110),)
FORECAST_PARAM_COLUMNS = (
    _c("forecast_param", "label", None, 30),
    _c("forecast_param", "value", "0.0000", 12),
    _c("forecast_param", "reading", None, 70),
)
FORECAST_CHECK_COLUMNS = (
    _c("forecast_check", "bucket", None, 14),
    _c("forecast_check", "customers", INT, 9),
    _c("forecast_check", "actual", SCORE, 11),
    _c("forecast_check", "predicted", SCORE, 11),
)
FORECAST_CURVE_COLUMNS = (
    _c("forecast_curve", "week", INT, 7),
    _c("forecast_curve", "actual", SCORE, 12),
    _c("forecast_curve", "predicted", SCORE, 12),
)
PROBLEM_COLUMNS = (
    _c("problem", "severity", None, 9),
    _c("problem", "table", None, 16),
    _c("problem", "row", INT, 7),
    _c("problem", "column", None, 22),
    _c("problem", "value", None, 18),
    _c("problem", "message", None, 100),
)

#: Every block of every result sheet, in writing order. Charts point at the fixed ones.
LAYOUT: tuple[BlockSpec, ...] = (
    BlockSpec(
        "customers", SHEETS["customers"], 1, 1, texts.BLOCK_TITLES["customers"], CUSTOMER_COLUMNS
    ),
    BlockSpec(
        "segments",
        SHEETS["segments"],
        1,
        1,
        texts.BLOCK_TITLES["segments"],
        SEGMENT_COLUMNS,
        max_rows=60,
    ),
    BlockSpec(
        "thresholds",
        SHEETS["segments"],
        1,
        11,
        texts.BLOCK_TITLES["thresholds"],
        THRESHOLD_COLUMNS,
        30,
    ),
    BlockSpec("pareto", SHEETS["pareto"], 1, 1, texts.BLOCK_TITLES["pareto"], PARETO_COLUMNS, 100),
    BlockSpec(
        "pareto_revenue",
        SHEETS["pareto"],
        1,
        8,
        texts.BLOCK_TITLES["pareto_revenue"],
        PARETO_COLUMNS,
        100,
    ),
    BlockSpec(
        "deciles", SHEETS["pareto"], 1, 15, texts.BLOCK_TITLES["deciles"], DECILE_COLUMNS, 10
    ),
    BlockSpec(
        "deciles_revenue",
        SHEETS["pareto"],
        14,
        15,
        texts.BLOCK_TITLES["deciles_revenue"],
        DECILE_COLUMNS,
        10,
    ),
    BlockSpec("dilemma", SHEETS["dilemma"], 1, 1, texts.BLOCK_TITLES["dilemma"], DILEMMA_COLUMNS),
    BlockSpec(
        "targeting", SHEETS["targeting"], 1, 1, texts.BLOCK_TITLES["targeting"], TARGET_COLUMNS
    ),
    BlockSpec(
        "sentences", SHEETS["overview"], 1, 1, texts.BLOCK_TITLES["sentences"], SENTENCE_COLUMNS, 14
    ),
    BlockSpec("facts", SHEETS["overview"], 18, 1, texts.BLOCK_TITLES["facts"], FACT_COLUMNS, 16),
    BlockSpec(
        "scenarios",
        SHEETS["overview"],
        37,
        1,
        texts.BLOCK_TITLES["scenarios"],
        SCENARIO_COLUMNS,
        12,
    ),
    # The forecast below the scenarios: an existing sheet, so workbooks made from an older
    # template take the blocks on recompute.
    BlockSpec(
        "forecast_model",
        SHEETS["overview"],
        53,
        1,
        texts.BLOCK_TITLES["forecast_model"],
        FORECAST_PARAM_COLUMNS,
        9,
    ),
    BlockSpec(
        "forecast_check",
        SHEETS["overview"],
        66,
        1,
        texts.BLOCK_TITLES["forecast_check"],
        FORECAST_CHECK_COLUMNS,
        9,
    ),
    BlockSpec(
        "forecast_curve",
        SHEETS["overview"],
        79,
        1,
        texts.BLOCK_TITLES["forecast_curve"],
        FORECAST_CURVE_COLUMNS,
        52,
    ),
    BlockSpec(
        "problems", SHEETS["problems"], 1, 1, texts.BLOCK_TITLES["problems"], PROBLEM_COLUMNS
    ),
)
SPECS = {spec.key: spec for spec in LAYOUT}
RESULT_SHEETS = tuple(dict.fromkeys(spec.sheet for spec in LAYOUT))


def _cell(value: object) -> object:
    """A plain Python value for a cell: NaN/NaT -> None, numpy scalars -> Python, dates kept."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime().date()
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return None if math.isnan(value) or math.isinf(value) else float(value)
    if value is pd.NA:
        return None
    return value


def table_rows(frame: pd.DataFrame, columns: tuple[Column, ...]) -> list[list[object]]:
    """Rows of plain cell values for ``columns`` (by their source names) of ``frame``."""
    data = [
        frame[c.source] if c.source in frame else pd.Series(None, index=frame.index)
        for c in columns
    ]
    return [[_cell(v) for v in row] for row in zip(*data, strict=True)]


def customer_frame(analysis: Analysis) -> pd.DataFrame:
    """The customer table ordered by value rank, with the display-only columns added."""
    frame = analysis.customers.reset_index()
    level = analysis.settings.ranking_level
    frame["ranking_ratio"] = frame[f"{level}_ratio"]
    frame["dilemma"] = np.where(frame["dilemma"], texts.YES, "")
    frame["segment"] = frame["segment"].astype(str)
    return frame.sort_values("value_rank", kind="stable")


def render(analysis: Analysis, decisions: dict[str, str] | None = None) -> list[Block]:
    """Render an analysis into the result blocks.

    Parameters
    ----------
    analysis : Analysis
    decisions : dict, optional
        The user's Entscheidung per customer id from the previous Dilemma sheet. Decisions of
        customers still listed are written beside them; the others are kept below the table.
    """
    ref = texts.format_date(analysis.reference_date)
    level = analysis.settings.ranking_level
    blocks = [
        Block(
            SPECS["customers"],
            table_rows(customer_frame(analysis), CUSTOMER_COLUMNS),
            texts.REPORT["customers_title"].format(ref=ref, level=texts.DB_LEVELS[level]),
        ),
        Block(
            SPECS["segments"],
            table_rows(
                analysis.segments.reset_index().assign(segment=lambda f: f["segment"].astype(str)),
                SEGMENT_COLUMNS,
            ),
        ),
        Block(SPECS["thresholds"], thresholds_rows(analysis)),
        Block(
            SPECS["pareto"],
            table_rows(analysis.pareto, PARETO_COLUMNS),
            texts.REPORT["pareto_title"].format(level=texts.DB_LEVELS[level]),
        ),
        Block(SPECS["pareto_revenue"], table_rows(analysis.pareto_revenue, PARETO_COLUMNS)),
        Block(
            SPECS["deciles"],
            table_rows(analysis.deciles.reset_index(), DECILE_COLUMNS),
            texts.REPORT["deciles_title"].format(level=texts.DB_LEVELS[level]),
        ),
        Block(
            SPECS["deciles_revenue"],
            table_rows(analysis.deciles_revenue.reset_index(), DECILE_COLUMNS),
        ),
        dilemma_block(analysis, decisions or {}),
        Block(
            SPECS["targeting"],
            table_rows(
                analysis.targeting.reset_index().rename(columns={level: "db"}), TARGET_COLUMNS
            ),
            targeting_title(analysis),
        ),
        Block(
            SPECS["sentences"],
            [[s] for s in analysis.sentences()],
            texts.REPORT["overview_title"].format(ref=ref),
        ),
        Block(SPECS["facts"], fact_rows(analysis)),
        Block(SPECS["scenarios"], scenario_rows(analysis)),
        *forecast_blocks(analysis),
        Block(SPECS["problems"], problem_rows(analysis.problems)),
    ]
    return blocks


def forecast_blocks(analysis: Analysis) -> list[Block]:
    """The model parameters with their reading, and the holdout check (table and curve)."""
    info = analysis.forecast
    if info is None:
        return [
            Block(SPECS["forecast_model"], [], texts.REPORT["forecast_none"]),
            Block(SPECS["forecast_check"], [], texts.REPORT["forecast_check_none"]),
            Block(SPECS["forecast_curve"], []),
        ]
    p = info.params
    fill = {
        "rate": texts.format_number(365.25 / 7 * p["r"] / p["alpha"], 3),
        "churn": texts.format_percent(p["a"] / (p["a"] + p["b"])),
        "spend": texts.format_euro(p["p"] * p["gamma"] / (p["q"] - 1.0)),
    }
    values = {
        **p,
        "ll_bgnbd": info.log_likelihood["bgnbd"],
        "ll_gamma_gamma": info.log_likelihood["gamma_gamma"],
    }
    params = [
        [label, float(values[key]), reading.format(**fill)]
        for key, (label, reading) in texts.FORECAST_PARAMS.items()
    ]
    model = Block(
        SPECS["forecast_model"],
        params,
        texts.REPORT["forecast_model_title"].format(ref=texts.format_date(analysis.reference_date)),
    )
    check = info.holdout
    if check is None or info.calibration_end is None:
        return [
            model,
            Block(SPECS["forecast_check"], [], texts.REPORT["forecast_check_none"]),
            Block(SPECS["forecast_curve"], []),
        ]
    table = check.by_frequency.reset_index().rename(columns={"frequency": "bucket"})
    rows = table_rows(table, FORECAST_CHECK_COLUMNS)
    t = check.totals
    rows.append([texts.REPORT["forecast_total"], t["customers"], t["actual"], t["predicted"]])
    start = info.calibration_end + dt.timedelta(days=1)
    title = texts.REPORT["forecast_check_title"].format(
        cal=texts.format_date(info.calibration_end),
        start=texts.format_date(start),
        ref=texts.format_date(analysis.reference_date),
        actual=texts.format_int(round(t["actual"])),
        predicted=texts.format_thousands(t["predicted"]),
    )
    curve = check.cumulative.reset_index()
    return [
        model,
        Block(SPECS["forecast_check"], rows, title),
        Block(SPECS["forecast_curve"], table_rows(curve, FORECAST_CURVE_COLUMNS)),
    ]


def thresholds_rows(analysis: Analysis) -> list[list[object]]:
    """The class limits with German dimension names."""
    frame = analysis.thresholds.copy()
    frame["dimension"] = frame["dimension"].map(texts.DIMENSIONS)
    frame["closed"] = frame["closed"].map(texts.CLOSED)
    return table_rows(frame, THRESHOLD_COLUMNS)


def dilemma_block(analysis: Analysis, decisions: dict[str, str]) -> Block:
    """The dilemma list with the user's decisions.

    Decisions of customers no longer listed are kept below the table under their own heading,
    so nothing the user typed is lost.
    """
    frame = analysis.dilemma.reset_index()
    frame["segment"] = frame["segment"].astype(str)
    frame["decision"] = frame["customer_id"].map(lambda c: decisions.get(str(c)))
    rows = table_rows(frame, DILEMMA_COLUMNS)
    listed = set(frame["customer_id"].astype(str))
    former = [(cid, text) for cid, text in decisions.items() if cid not in listed and text]
    if former:
        width = len(DILEMMA_COLUMNS)
        at = [c.source for c in DILEMMA_COLUMNS].index("decision")
        rows.append([None] * width)
        rows.append([texts.REPORT["former_decisions"]] + [None] * (width - 1))
        for cid, text in former:
            row: list[object] = [cid] + [None] * (width - 1)
            row[at] = text
            rows.append(row)
    return Block(SPECS["dilemma"], rows)


def targeting_title(analysis: Analysis) -> str:
    """The Ansprache title: how many customers the budget reaches and what they cover."""
    s = analysis.targeting_summary
    return texts.REPORT["targeting_title"].format(
        customers=texts.format_int(s["customers"]),
        cost=texts.format_euro(s["cost"]),
        db=texts.format_percent(s["db_share"]) if s["db_share"] == s["db_share"] else "–",
        revenue=texts.format_percent(s["revenue_share"])
        if s["revenue_share"] == s["revenue_share"]
        else "–",
    )


def fact_rows(analysis: Analysis) -> list[list[object]]:
    """The headline figures as label/value rows (values already formatted in German)."""
    f = analysis.facts
    rows = []
    for key, label in texts.FACT_LABELS.items():
        value = f.get(key)
        value = None if value is None or (isinstance(value, float) and math.isnan(value)) else value
        if value is not None and key in texts.FACT_PERCENT:
            value = texts.format_percent(value)
        elif value is not None and key.startswith("total_"):
            value = texts.format_euro(value)
        rows.append([label, value])
    rows.append([texts.REPORT["dilemma_count"], len(analysis.dilemma)])
    rows.append([texts.REPORT["reference_date"], texts.format_date(analysis.reference_date)])
    return rows


def scenario_rows(analysis: Analysis) -> list[list[object]]:
    """The scenario table with German labels."""
    frame = analysis.scenarios.reset_index()
    frame["label"] = [
        texts.REPORT["scenario_dilemma"]
        if key == "dilemma"
        else texts.REPORT["scenario_worst"].format(share=texts.format_percent(share))
        for key, share in zip(frame["scenario"], frame["share"], strict=True)
    ]
    return table_rows(frame, SCENARIO_COLUMNS)


def problem_rows(problems: list[Problem]) -> list[list[object]]:
    """The Prüfprotokoll rows (one line saying all is well when there is nothing)."""
    if not problems:
        return [[texts.SEVERITY["warning"], None, None, None, None, texts.REPORT["no_problems"]]]
    return [
        [texts.SEVERITY[p.severity], p.table, p.row, p.column, p.value, p.message] for p in problems
    ]


def problems_only(problems: list[Problem]) -> list[Block]:
    """The Prüfprotokoll alone (validation without analysis, or a failed recompute)."""
    return [Block(SPECS["problems"], problem_rows(problems))]


def export_tables(analysis: Analysis) -> dict[str, pd.DataFrame]:
    """Sheet name -> table for a plain result file (``kundenwert analyze -o x.xlsx``)."""
    out: dict[str, pd.DataFrame] = {}
    for block in render(analysis):
        name = block.spec.title if block.spec.sheet in out else block.spec.sheet
        out[name[:31]] = pd.DataFrame(block.rows, columns=[c.header for c in block.spec.columns])
    return out
