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
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import overload

import numpy as np
import pandas as pd

from kundenwert_xl import cells, texts
from kundenwert_xl.core.analysis import Analysis
from kundenwert_xl.core.errors import Problem
from kundenwert_xl.core.settings import MAX_SCENARIO_STEPS

INT = "#,##0"
EURO = '#,##0.00 "€"'
PCT = "0.0 %"  # the space as in German practice, the same in every sheet and chart
PCT0 = "0 %"
SCORE = "0.0"
DATE = "DD.MM.YYYY"
TEXT = "@"

#: The user's Entscheidung per Kundennr, as typed (text, number, date): kept, never retyped.
Decisions = dict[str, object]


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
    #: Makes the block's rows (and a title, or None for the static one) from an analysis and the
    #: user's decisions: the layout is the one place that knows what goes where.
    produce: Callable[[Analysis, Decisions], tuple[Rows, str | None]] | None = field(
        default=None, compare=False, repr=False
    )
    #: Number formats per data row of the column whose own format is None (a label/value block
    #: whose rows differ in kind: counts, euros, shares, a date).
    row_formats: tuple[str | None, ...] = ()

    @property
    def last_row(self) -> int | None:
        """Sheet row of the last data row a fixed-size block can fill (None: open-ended)."""
        return None if self.max_rows is None else self.first_data_row + self.max_rows - 1

    @property
    def first_data_row(self) -> int:
        """Sheet row of the first data row."""
        return self.row + 2


class TableRows(Sequence[list[object]]):
    """The rows of a large table, kept as its columns until somebody asks for rows.

    The file writer and the long-text check take the columns whole (a million cells never
    become Python objects there); iterating or indexing gives the same plain rows as
    :func:`table_rows`, made once on first use.
    """

    def __init__(self, columns: list[pd.Series]) -> None:
        self.columns = columns
        self._rows: list[list[object]] | None = None

    def _plain(self) -> list[list[object]]:
        if self._rows is None:
            self._rows = cells.plain_rows(self.columns)
        return self._rows

    def __len__(self) -> int:
        return len(self.columns[0]) if self.columns else 0

    @overload
    def __getitem__(self, index: int) -> list[object]: ...

    @overload
    def __getitem__(self, index: slice) -> list[list[object]]: ...

    def __getitem__(self, index: int | slice) -> list[object] | list[list[object]]:
        return self._plain()[index]

    def __iter__(self) -> Iterator[list[object]]:
        return iter(self._plain())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence):
            return self._plain() == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable like the list it stands for


#: A block's rows: a list of plain rows, or a large table's columns (:class:`TableRows`).
Rows = Sequence[list[object]]


@dataclass
class Block:
    """A block with its rows (plain Python values: str, float, int, bool, date, None)."""

    spec: BlockSpec
    rows: Rows = field(default_factory=list)
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
    _c("customer", "name", None, 34),
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
    _c("pareto", "customer_share", PCT0, 9),
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
    _c("dilemma", "name", None, 34),
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
    _c("target", "name", None, 34),
    _c("target", "segment", None, 22),
    _c("target", "value_score", SCORE, 10),
    _c("target", "net_revenue", EURO, 15),
    _c("target", "db", EURO, 15),
    _c("target", "p_alive", PCT, 10),
    _c("target", "clv_db", EURO, 14),
)
FACT_COLUMNS = (_c("fact", "label", None, 46), _c("fact", "value", None, 16))
# Sentences are not wrapped: they run on over the empty cells to their right, so column A stays
# as narrow as its labels and each label sits next to its value.
SENTENCE_COLUMNS = (_c("sentence", "text", None, 46),)
# The forecast sits on Segmente below the class limits (columns K…): the reading is not wrapped
# either and runs on over the empty cells to its right, so the class-limit columns keep their
# widths.
FORECAST_PARAM_COLUMNS = (
    _c("forecast_param", "label", None, 30),
    _c("forecast_param", "value", "0.0000", 14),
    _c("forecast_param", "reading", None, 12),
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


def table_rows(frame: pd.DataFrame, columns: tuple[Column, ...]) -> list[list[object]]:
    """Rows of plain cell values for ``columns`` (by their source names) of ``frame``."""
    data = [
        frame[c.source] if c.source in frame else pd.Series(None, index=frame.index)
        for c in columns
    ]
    return cells.plain_rows(data)


def table_columns(frame: pd.DataFrame, columns: tuple[Column, ...]) -> TableRows:
    """:func:`table_rows` kept column-wise (the large blocks: customers, Ansprache)."""
    return TableRows(
        [
            frame[c.source] if c.source in frame else pd.Series(None, index=frame.index)
            for c in columns
        ]
    )


def customer_frame(analysis: Analysis) -> pd.DataFrame:
    """The customer table ordered by value rank, with the display-only columns added."""
    frame = analysis.customers.reset_index()
    level = analysis.settings.ranking_level
    frame["ranking_ratio"] = frame[f"{level}_ratio"]
    frame["dilemma"] = np.where(frame["dilemma"], texts.YES, "")
    frame["segment"] = frame["segment"].astype(str)
    return frame.sort_values("value_rank", kind="stable")


def render(analysis: Analysis, decisions: Decisions | None = None) -> list[Block]:
    """Render an analysis into the result blocks, one per :data:`LAYOUT` entry, in its order.

    Parameters
    ----------
    analysis : Analysis
    decisions : dict, optional
        The user's Entscheidung per customer id from the previous Dilemma sheet. Decisions of
        customers still listed are written beside them; the others are kept below the table.
    """
    blocks = []
    for spec in LAYOUT:
        assert spec.produce is not None  # every layout entry has one (tested)
        rows, title = spec.produce(analysis, decisions or {})
        blocks.append(Block(spec, rows, title))
    return blocks


def _level(analysis: Analysis) -> str:
    return texts.DB_LEVELS[analysis.settings.ranking_level]


def _customers(analysis: Analysis, _: Decisions) -> tuple[Rows, str | None]:
    ref = texts.format_date(analysis.reference_date)
    title = texts.REPORT["customers_title"].format(ref=ref, level=_level(analysis))
    return table_columns(customer_frame(analysis), CUSTOMER_COLUMNS), title


def _segments(analysis: Analysis, _: Decisions) -> tuple[list[list[object]], str | None]:
    frame = analysis.segments.reset_index().assign(segment=lambda f: f["segment"].astype(str))
    return table_rows(frame, SEGMENT_COLUMNS), None


def _thresholds(analysis: Analysis, _: Decisions) -> tuple[list[list[object]], str | None]:
    return thresholds_rows(analysis), None


def _pareto(analysis: Analysis, _: Decisions) -> tuple[list[list[object]], str | None]:
    title = texts.REPORT["pareto_title"].format(level=_level(analysis))
    return table_rows(analysis.pareto, PARETO_COLUMNS), title


def _pareto_revenue(analysis: Analysis, _: Decisions) -> tuple[list[list[object]], str | None]:
    return table_rows(analysis.pareto_revenue, PARETO_COLUMNS), None


def _deciles(analysis: Analysis, _: Decisions) -> tuple[list[list[object]], str | None]:
    title = texts.REPORT["deciles_title"].format(level=_level(analysis))
    return table_rows(analysis.deciles.reset_index(), DECILE_COLUMNS), title


def _deciles_revenue(analysis: Analysis, _: Decisions) -> tuple[list[list[object]], str | None]:
    return table_rows(analysis.deciles_revenue.reset_index(), DECILE_COLUMNS), None


def _dilemma(analysis: Analysis, decisions: Decisions) -> tuple[Rows, str | None]:
    title = None
    if analysis.dilemma.empty:
        # An empty list must say it was looked for, and by which rule, not look unfinished.
        used = analysis.settings
        title = texts.fill(
            texts.REPORT["no_dilemma"],
            share=used.dilemma_worst_share * 100,  # a setting of 0,025 is 2,5 %, not "2 %"
            count=len(used.dilemma_revenue_classes),
            classes=", ".join(used.dilemma_revenue_classes),
        )
    return dilemma_block(analysis, decisions).rows, title


def _targeting(analysis: Analysis, _: Decisions) -> tuple[Rows, str | None]:
    level = analysis.settings.ranking_level
    frame = analysis.targeting.reset_index().rename(columns={level: "db"})
    return table_columns(frame, TARGET_COLUMNS), targeting_title(analysis)


def _sentences(analysis: Analysis, _: Decisions) -> tuple[list[list[object]], str | None]:
    ref = texts.format_date(analysis.reference_date)
    title = texts.REPORT["overview_title"].format(ref=ref)
    return [[s] for s in analysis.sentences()], title


def _facts(analysis: Analysis, _: Decisions) -> tuple[list[list[object]], str | None]:
    return fact_rows(analysis), None


def _scenarios(analysis: Analysis, _: Decisions) -> tuple[list[list[object]], str | None]:
    return scenario_rows(analysis), None


def _problems(analysis: Analysis, _: Decisions) -> tuple[list[list[object]], str | None]:
    return problem_rows(analysis.problems), None


def _forecast_model(analysis: Analysis, _: Decisions) -> tuple[list[list[object]], str | None]:
    """The model parameters with their plain-German reading (none: the reason is a problem)."""
    info = analysis.forecast
    if info is None:
        return [], texts.REPORT["forecast_none"]
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
    rows: list[list[object]] = [
        [label, float(values[key]), reading.format(**fill)]
        for key, (label, reading) in texts.FORECAST_PARAMS.items()
    ]
    ref = texts.format_date(analysis.reference_date)
    return rows, texts.REPORT["forecast_model_title"].format(ref=ref)


def _forecast_check(analysis: Analysis, _: Decisions) -> tuple[list[list[object]], str | None]:
    """The holdout check by earlier repeat purchases, with a total row."""
    info = analysis.forecast
    if info is None or info.holdout is None or info.calibration_end is None:
        return [], texts.REPORT["forecast_check_none"]
    check = info.holdout
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
    return rows, title


def _forecast_curve(analysis: Analysis, _: Decisions) -> tuple[list[list[object]], str | None]:
    """The holdout check week by week, cumulative (the forecast chart's data)."""
    info = analysis.forecast
    if info is None or info.holdout is None or info.calibration_end is None:
        return [], None
    return table_rows(info.holdout.cumulative.reset_index(), FORECAST_CURVE_COLUMNS), None


def thresholds_rows(analysis: Analysis) -> list[list[object]]:
    """The class limits with German dimension names."""
    frame = analysis.thresholds.copy()
    frame["dimension"] = frame["dimension"].map(texts.DIMENSIONS)
    frame["closed"] = frame["closed"].map(texts.CLOSED)
    return table_rows(frame, THRESHOLD_COLUMNS)


def dilemma_block(analysis: Analysis, decisions: Decisions) -> Block:
    """The dilemma list with the user's decisions.

    Decisions of customers no longer listed are kept below the table under their own heading,
    so nothing the user typed is lost.
    """
    frame = analysis.dilemma.reset_index()
    frame["segment"] = frame["segment"].astype(str)
    frame["decision"] = frame["customer_id"].map(lambda c: decisions.get(str(c)))
    rows = table_rows(frame, DILEMMA_COLUMNS)
    listed = set(frame["customer_id"].astype(str))
    former: list[tuple[object, object]] = [
        (cid, value) for cid, value in decisions.items() if cid not in listed
    ]
    if former:
        width = len(DILEMMA_COLUMNS)
        at = [c.source for c in DILEMMA_COLUMNS].index("decision")
        rows.append([None] * width)
        heading: list[object] = [texts.REPORT["former_decisions"]]
        rows.append(heading + [None] * (width - 1))
        for cid, value in former:
            row: list[object] = [cid] + [None] * (width - 1)
            row[at] = value
            rows.append(row)
    return Block(SPECS["dilemma"], rows)


def targeting_title(analysis: Analysis) -> str:
    """The Ansprache title: how many customers the budget reaches and what they cover."""
    s = analysis.targeting_summary
    return texts.fill(
        texts.REPORT["targeting_title"],
        customers=int(s["customers"]),
        cost=texts.format_euro(s["cost"]),
        db=texts.format_percent(s["db_share"]) if s["db_share"] == s["db_share"] else "–",
        revenue=texts.format_percent(s["revenue_share"])
        if s["revenue_share"] == s["revenue_share"]
        else "–",
    )


#: Number format of each headline figure, by fact key (the facts block's rows, in this order,
#: then the dilemma count and the Stichtag).
FACT_FORMATS: dict[str, str] = {
    "customers": INT,
    "total_revenue": EURO,
    "total_db": EURO,
    "revenue_share_top20": PCT,
    "customer_share_for_80pct_revenue": PCT,
    "db_share_top20": PCT,
    "db_share_next30": PCT,
    "db_share_bottom50": PCT,
    "db_share_worst10": PCT,
    "whale_peak": PCT,
    "negative_db_customers": INT,
}
#: Row of the dilemma count within the facts block (its label links to the Dilemma sheet).
DILEMMA_FACT_INDEX = len(texts.FACT_LABELS)


def fact_rows(analysis: Analysis) -> list[list[object]]:
    """The headline figures as label/value rows: values are numbers (and the Stichtag a date).

    Their number formats are :data:`FACT_FORMATS`, set on the cells, so a formula can use them.
    A figure that does not exist (a share of a DB that is not positive) is an empty cell; the
    sentences above say why.
    """
    f = analysis.facts
    rows: list[list[object]] = []
    for key, label in texts.FACT_LABELS.items():
        rows.append([label, cells.plain(f.get(key))])
    rows.append([texts.REPORT["dilemma_count"], len(analysis.dilemma)])
    reference_date = cells.plain(pd.Timestamp(analysis.reference_date))
    rows.append([texts.REPORT["reference_date"], reference_date])
    return rows


def scenario_rows(analysis: Analysis) -> list[list[object]]:
    """The scenario table with German labels."""
    frame = analysis.scenarios.reset_index()
    frame["label"] = [
        texts.REPORT["scenario_dilemma"]
        if key == "dilemma"
        else texts.fill(texts.REPORT["scenario_worst"], share=share)
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


def print_footer(analysis: Analysis | None) -> str:
    """The result sheets' print footer: sheet name, Stichtag (when computed) and page.

    In Excel's header/footer codes (``&A`` sheet, ``&P`` page, ``&N`` pages, ``&C`` centred,
    ``&8`` 8 pt, as the template sets it); the Stichtag changes with every recompute, so the
    writer puts this into each result sheet.
    """
    if analysis is None:
        text = texts.OVERVIEW["footer"]
    else:
        # A literal "&" in a footer is written "&&".
        day = texts.format_date(analysis.reference_date).replace("&", "&&")
        text = texts.OVERVIEW["footer_dated"].format(reference_date=day)
    return "&C&8 " + text


def with_notes(blocks: list[Block], notes: list[Problem]) -> list[Block]:
    """The blocks with ``notes`` added to the Prüfprotokoll.

    The notes are found while laying out the cells (a text cut at Excel's cell limit); the file
    itself then says what the terminal said.
    """
    if not notes:
        return blocks

    def noted(block: Block) -> Block:
        rows = [] if list(block.rows) == problem_rows([]) else list(block.rows)
        return Block(block.spec, rows + problem_rows(notes), block.title)

    return [noted(b) if b.spec.key == "problems" else b for b in blocks]


def sheet_overflow(blocks: list[Block], tables: Mapping[str, int] | None = None) -> list[Problem]:
    """Problems for sheets that would run past Excel's last row (Excel calls the file damaged).

    ``tables`` maps an input table's sheet to its data rows (under a header in row 1).
    """
    needed = {sheet: rows + 1 for sheet, rows in (tables or {}).items()}
    for block in blocks:
        last = block.spec.first_data_row + len(block.rows) - 1
        needed[block.spec.sheet] = max(needed.get(block.spec.sheet, 0), last)
    return [
        Problem(
            "sheet_too_long",
            params={"sheet": sheet, "rows": rows, "limit": cells.EXCEL_ROWS},
            table=sheet,
        )
        for sheet, rows in needed.items()
        if rows > cells.EXCEL_ROWS
    ]


def problems_only(problems: list[Problem]) -> list[Block]:
    """The Prüfprotokoll alone (validation without analysis, or a failed recompute)."""
    return [Block(SPECS["problems"], problem_rows(problems))]


def _export_names() -> list[str]:
    """The sheet name of each :data:`LAYOUT` block in a plain result file, in layout order."""
    names: list[str] = []
    for spec in LAYOUT:
        name = spec.title if spec.sheet in names else spec.sheet
        names.append(name[:31])
    return names


def export_tables(analysis: Analysis) -> dict[str, pd.DataFrame]:
    """Sheet name -> table for a plain result file (``kundenwert analyze -o x.xlsx``)."""
    return {
        name: block_frame(block)
        for name, block in zip(_export_names(), render(analysis), strict=True)
    }


def block_frame(block: Block) -> pd.DataFrame:
    """A block's rows as a frame under its headers, with the cell values of :func:`table_rows`.

    A large table goes column by column: numbers stay arrays (NaN and ±inf become blank, as
    :func:`~kundenwert_xl.cells.plain` makes them; nullable whole numbers stay ``Int64``), the
    other columns take the plain values and the type pandas infers for them, as for a list of
    rows. Making a million row lists
    first took 3.2 s of 3.3 at 200,000 customers.
    """
    headers = [c.header for c in block.spec.columns]
    if not isinstance(block.rows, TableRows):
        return pd.DataFrame(list(block.rows), columns=headers)
    data: dict[int, object] = {}
    for j, column in enumerate(block.rows.columns):  # a few dozen columns, not rows
        kind = column.dtype.kind if isinstance(column.dtype, np.dtype) else None
        if kind == "f":
            values = column.to_numpy(dtype="float64", copy=True)
            values[~np.isfinite(values)] = np.nan
            data[j] = values
        elif kind in ("i", "b"):
            data[j] = column.to_numpy()
        elif isinstance(column.dtype, pd.Int64Dtype):
            # Scores with a blank for customers without purchases: whole numbers either way
            # (inferred from cells they were int64 or float64 by whether a blank occurred).
            data[j] = column.reset_index(drop=True)
        else:
            data[j] = pd.Series(cells.plain_column(column), dtype=object).infer_objects()
    frame = pd.DataFrame(data)
    frame.columns = pd.Index(headers)
    return frame


#: Bold header text is about this much wider than the digits a column width counts.
BOLD = 1.2


def column_widths(sheet: str) -> dict[int, float]:
    """Sheet column (1-based) -> width of the result sheet ``sheet``, as the template has them.

    Each column is as wide as its block says, and wide enough for the longest word of its
    header in bold, so a wrapped header is never cut inside a word; a column two blocks share
    takes the wider.
    """
    widths: dict[int, float] = {}
    for spec in LAYOUT:
        if spec.sheet != sheet:
            continue
        for j, column in enumerate(spec.columns):
            longest = max(len(word) for word in column.header.split()) * BOLD + 2
            col = spec.col + j
            widths[col] = max(column.width, longest, widths.get(col, MIN_WIDTH))
    return widths


#: The narrowest result column of the template: its build starts every column from openpyxl's
#: default width, 13, so no column is narrower (a German amount with its sign fits).
MIN_WIDTH = 13.0


def header_lines(text: str, width: float) -> int:
    """Lines a wrapped bold header needs in a column ``width`` digits wide (words kept whole)."""
    width = width / BOLD
    lines, used = 1, 0
    for word in text.split():
        if used and used + 1 + len(word) > width - 1:
            lines, used = lines + 1, len(word)
        else:
            used += (1 if used else 0) + len(word)
    return lines


def export_specs() -> dict[str, BlockSpec]:
    """Sheet name -> block of a plain result file: its formats and widths are the workbook's."""
    return dict(zip(_export_names(), LAYOUT, strict=True))


#: Every block of every result sheet, in writing order, with how each makes its rows.
#: Charts point at the fixed-size ones; no two blocks on a sheet overlap at their maximum size
#: (tested). Übersicht fits one screen and one printed page: sentences, figures, scenarios on
#: the left, the whale curve and the Pareto chart on the right.
LAYOUT: tuple[BlockSpec, ...] = (
    BlockSpec(
        "customers",
        SHEETS["customers"],
        1,
        1,
        texts.BLOCK_TITLES["customers"],
        CUSTOMER_COLUMNS,
        produce=_customers,
    ),
    BlockSpec(
        "segments",
        SHEETS["segments"],
        1,
        1,
        texts.BLOCK_TITLES["segments"],
        SEGMENT_COLUMNS,
        60,
        _segments,
    ),
    BlockSpec(
        "thresholds",
        SHEETS["segments"],
        1,
        11,
        texts.BLOCK_TITLES["thresholds"],
        THRESHOLD_COLUMNS,
        30,
        _thresholds,
    ),
    BlockSpec(
        "pareto",
        SHEETS["pareto"],
        1,
        1,
        texts.BLOCK_TITLES["pareto"],
        PARETO_COLUMNS,
        100,
        _pareto,
    ),
    BlockSpec(
        "pareto_revenue",
        SHEETS["pareto"],
        1,
        8,
        texts.BLOCK_TITLES["pareto_revenue"],
        PARETO_COLUMNS,
        100,
        _pareto_revenue,
    ),
    BlockSpec(
        "deciles",
        SHEETS["pareto"],
        1,
        15,
        texts.BLOCK_TITLES["deciles"],
        DECILE_COLUMNS,
        10,
        _deciles,
    ),
    BlockSpec(
        "deciles_revenue",
        SHEETS["pareto"],
        14,
        15,
        texts.BLOCK_TITLES["deciles_revenue"],
        DECILE_COLUMNS,
        10,
        _deciles_revenue,
    ),
    BlockSpec(
        "dilemma",
        SHEETS["dilemma"],
        1,
        1,
        texts.BLOCK_TITLES["dilemma"],
        DILEMMA_COLUMNS,
        produce=_dilemma,
    ),
    BlockSpec(
        "targeting",
        SHEETS["targeting"],
        1,
        1,
        texts.BLOCK_TITLES["targeting"],
        TARGET_COLUMNS,
        produce=_targeting,
    ),
    BlockSpec(
        "sentences",
        SHEETS["overview"],
        1,
        1,
        texts.BLOCK_TITLES["sentences"],
        SENTENCE_COLUMNS,
        10,
        _sentences,
    ),
    BlockSpec(
        "facts",
        SHEETS["overview"],
        14,
        1,
        texts.BLOCK_TITLES["facts"],
        FACT_COLUMNS,
        len(texts.FACT_LABELS) + 2,
        _facts,
        row_formats=(*(FACT_FORMATS[key] for key in texts.FACT_LABELS), INT, DATE),
    ),
    BlockSpec(
        "scenarios",
        SHEETS["overview"],
        30,
        1,
        texts.BLOCK_TITLES["scenarios"],
        SCENARIO_COLUMNS,
        MAX_SCENARIO_STEPS + 1,  # and the dilemma customers' row
        _scenarios,
    ),
    # The forecast on Segmente below the class limits, its chart beside the check: an existing
    # sheet, so workbooks made from an older template take the blocks on recompute, and
    # Übersicht keeps its one page.
    BlockSpec(
        "forecast_model",
        SHEETS["segments"],
        35,
        11,
        texts.BLOCK_TITLES["forecast_model"],
        FORECAST_PARAM_COLUMNS,
        len(texts.FORECAST_PARAMS),
        _forecast_model,
    ),
    BlockSpec(
        "forecast_check",
        SHEETS["segments"],
        48,
        11,
        texts.BLOCK_TITLES["forecast_check"],
        FORECAST_CHECK_COLUMNS,
        9,
        _forecast_check,
    ),
    BlockSpec(
        "forecast_curve",
        SHEETS["segments"],
        61,
        11,
        texts.BLOCK_TITLES["forecast_curve"],
        FORECAST_CURVE_COLUMNS,
        52,
        _forecast_curve,
    ),
    BlockSpec(
        "problems",
        SHEETS["problems"],
        1,
        1,
        texts.BLOCK_TITLES["problems"],
        PROBLEM_COLUMNS,
        produce=_problems,
    ),
)
SPECS = {spec.key: spec for spec in LAYOUT}
RESULT_SHEETS = tuple(dict.fromkeys(spec.sheet for spec in LAYOUT))
#: The result sheets in the workbook's order (Übersicht first), as a plain .xlsx file has them.
SHEET_ORDER = (SHEETS["overview"], *(s for s in RESULT_SHEETS if s != SHEETS["overview"]))
