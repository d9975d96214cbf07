"""An :class:`~kundenwert_xl.core.analysis.Analysis` rendered as the result blocks users see.

The ONE place that knows the result layout: which sheet, which anchor, German headers, number
formats (US codes; Excel shows them localised) and column widths. The layout is static, so the
template builder can create the sheets, formats and charts before any data exists; the headless
writer and the live Excel writer both render :func:`render`'s blocks, so they write the same
cells.

Every block has a title in its anchor row, the header in the row below, data from the row after.
"""

from __future__ import annotations

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

SHEETS = {
    "customers": "Kundenwert",
    "segments": "Segmente",
    "pareto": "Pareto",
    "dilemma": "Dilemma",
    "targeting": "Ansprache",
    "overview": "Übersicht",
    "problems": "Prüfprotokoll",
}
DECISION_HEADER = "Entscheidung"


def _c(header: str, source: str, fmt: str | None = None, width: float = 12.0) -> Column:
    return Column(header, source, fmt, width)


CUSTOMER_COLUMNS = (
    _c("Kundennr", "customer_id", TEXT, 12),
    _c("Name", "name", None, 28),
    _c("Kundengruppe", "group", None, 14),
    _c("Segment", "segment", None, 24),
    _c("Rang", "value_rank", INT, 7),
    _c("Kundenwert (0–100)", "value_score", SCORE, 10),
    _c("ABC", "abc_class", None, 6),
    _c("Dilemma", "dilemma", None, 8),
    _c("RFM-Code", "rfm_code", TEXT, 9),
    _c("R (5 = jüngst)", "r_score", INT, 8),
    _c("F (5 = häufigst)", "f_score", INT, 8),
    _c("M (5 = höchster Umsatz)", "m_score", INT, 8),
    _c("RFMR-Punkte", "rfmr_points", SCORE, 10),
    _c("Tage seit letztem Kauf", "recency_days", INT, 10),
    _c("Aufträge", "orders", INT, 9),
    _c("Erster Kauf", "first_purchase", DATE, 11),
    _c("Letzter Kauf", "last_purchase", DATE, 11),
    _c("Bruttoumsatz", "gross_revenue", EURO, 14),
    _c("Nettoumsatz", "net_revenue", EURO, 14),
    _c("DB I", "db1", EURO, 13),
    _c("DB II", "db2", EURO, 13),
    _c("DB III", "db3", EURO, 13),
    _c("DB IV", "db4", EURO, 13),
    _c("DB-Quote (Rangstufe)", "ranking_ratio", PCT, 10),
    _c("DB je Jahr", "db_per_year", EURO, 13),
    _c("CLV", "clv", EURO, 14),
    _c("Punkte Recency", "rfmr_recency", SCORE, 9),
    _c("Punkte Frequency", "rfmr_frequency", SCORE, 9),
    _c("Punkte Monetary", "rfmr_monetary", SCORE, 9),
    _c("Punkte Retouren", "rfmr_returns", SCORE, 9),
    _c("Punkte Werbekontakte", "rfmr_contacts", SCORE, 9),
    _c("Käufe im Zeitraum", "purchases_in_window", INT, 9),
    _c("Ø letzte Käufe", "avg_last_purchases", EURO, 12),
    _c("Retouren", "returned_orders", INT, 8),
    _c("Werbekontakte seit letztem Kauf", "contacts_since_last_purchase", INT, 10),
    _c("Wareneinsatz", "cost_of_goods", EURO, 13),
    _c("Versand", "shipping_cost", EURO, 11),
    _c("Auftrags-/Retourenkosten", "order_costs", EURO, 12),
    _c("Vertriebs-/Marketing-/Servicekosten", "customer_costs", EURO, 13),
    _c("Werbekosten", "contact_costs", EURO, 11),
    _c("Fixkostenanteil", "fixed_costs", EURO, 12),
)
SEGMENT_COLUMNS = (
    _c("Segment", "segment", None, 26),
    _c("Kunden", "customers", INT, 9),
    _c("Anteil Kunden", "customer_share", PCT, 10),
    _c("Nettoumsatz", "net_revenue", EURO, 15),
    _c("Anteil Umsatz", "revenue_share", PCT, 10),
    _c("Ø RFMR-Punkte", "mean_rfmr_points", SCORE, 10),
    _c("DB (Rangstufe)", "db", EURO, 15),
    _c("Anteil DB", "db_share", PCT, 10),
    _c("Ø Kundenwert", "mean_value_score", SCORE, 10),
)
THRESHOLD_COLUMNS = (
    _c("Kriterium", "dimension", None, 16),
    _c("Klasse", "score", INT, 7),
    _c("von", "lower", "#,##0.00", 11),
    _c("bis", "upper", "#,##0.00", 11),
    _c("Grenzen", "closed", None, 14),
    _c("Kunden", "customers", INT, 8),
)
PARETO_COLUMNS = (
    _c("Anteil Kunden", "customer_share", "0%", 9),
    _c("Kunden", "customers", INT, 8),
    _c("Umsatz kumuliert", "revenue_cum", EURO, 15),
    _c("Anteil Umsatz", "revenue_share", PCT, 9),
    _c("DB kumuliert", "db_cum", EURO, 15),
    _c("Anteil DB", "db_share", PCT, 9),
)
DECILE_COLUMNS = (
    _c("Dezil", "decile", INT, 6),
    _c("Kunden", "customers", INT, 8),
    _c("Umsatz", "revenue", EURO, 15),
    _c("Anteil Umsatz", "revenue_share", PCT, 9),
    _c("Umsatz kumuliert", "revenue_share_cum", PCT, 9),
    _c("DB", "db", EURO, 15),
    _c("Anteil DB", "db_share", PCT, 9),
    _c("DB kumuliert", "db_share_cum", PCT, 9),
)
DILEMMA_COLUMNS = (
    _c("Kundennr", "customer_id", TEXT, 12),
    _c("Name", "name", None, 28),
    _c("Segment", "segment", None, 22),
    _c("Nettoumsatz", "net_revenue", EURO, 15),
    _c("Anteil Umsatz", "revenue_share", PCT, 10),
    _c("DB (Rangstufe)", "db", EURO, 14),
    _c("DB-Quote", "db_ratio", PCT, 9),
    _c("Preiserhöhung bis DB 0", "price_increase", PCT, 12),
    _c("Rang", "value_rank", INT, 7),
    _c(DECISION_HEADER, "decision", None, 30),
)
SCENARIO_COLUMNS = (
    _c("Szenario", "label", None, 34),
    _c("Kunden weg", "customers_lost", INT, 9),
    _c("Umsatz weg", "revenue_lost", EURO, 15),
    _c("Anteil Umsatz", "revenue_lost_share", PCT, 9),
    _c("DB vorher", "db_before", EURO, 15),
    _c("DB nachher", "db_after", EURO, 15),
    _c("Änderung DB", "db_change", EURO, 15),
    _c("Änderung DB in %", "db_change_share", PCT, 10),
)
TARGET_COLUMNS = (
    _c("Rang", "value_rank", INT, 7),
    _c("Kundennr", "customer_id", TEXT, 12),
    _c("Name", "name", None, 28),
    _c("Segment", "segment", None, 22),
    _c("Kundenwert (0–100)", "value_score", SCORE, 10),
    _c("Nettoumsatz", "net_revenue", EURO, 15),
    _c("DB (Rangstufe)", "db", EURO, 15),
)
FACT_COLUMNS = (_c("Kennzahl", "label", None, 46), _c("Wert", "value", None, 18))
SENTENCE_COLUMNS = (_c("Kernaussagen", "text", None, 110),)
PROBLEM_COLUMNS = (
    _c("Art", "severity", None, 9),
    _c("Tabelle", "table", None, 16),
    _c("Zeile", "row", INT, 7),
    _c("Spalte", "column", None, 22),
    _c("Wert", "value", None, 18),
    _c("Meldung", "message", None, 100),
)

#: Every block of every result sheet, in writing order. Charts point at the fixed ones.
LAYOUT: tuple[BlockSpec, ...] = (
    BlockSpec("customers", "Kundenwert", 1, 1, "Kundenwert je Kunde", CUSTOMER_COLUMNS),
    BlockSpec("segments", "Segmente", 1, 1, "Segmente", SEGMENT_COLUMNS, max_rows=60),
    BlockSpec("thresholds", "Segmente", 1, 11, "Klassengrenzen RFM", THRESHOLD_COLUMNS, 30),
    BlockSpec("pareto", "Pareto", 1, 1, "Pareto nach DB (Walkurve)", PARETO_COLUMNS, 100),
    BlockSpec("pareto_revenue", "Pareto", 1, 8, "Pareto nach Umsatz", PARETO_COLUMNS, 100),
    BlockSpec("deciles", "Pareto", 1, 15, "Dezile nach DB", DECILE_COLUMNS, 10),
    BlockSpec("deciles_revenue", "Pareto", 14, 15, "Dezile nach Umsatz", DECILE_COLUMNS, 10),
    BlockSpec("dilemma", "Dilemma", 1, 1, "Dilemma-Kunden", DILEMMA_COLUMNS),
    BlockSpec("targeting", "Ansprache", 1, 1, "Gezielte Ansprache", TARGET_COLUMNS),
    BlockSpec("sentences", "Übersicht", 1, 1, "Übersicht", SENTENCE_COLUMNS, 14),
    BlockSpec("facts", "Übersicht", 18, 1, "Kennzahlen", FACT_COLUMNS, 16),
    BlockSpec("scenarios", "Übersicht", 37, 1, "Was wäre, wenn …", SCENARIO_COLUMNS, 12),
    BlockSpec("problems", "Prüfprotokoll", 1, 1, "Prüfprotokoll", PROBLEM_COLUMNS),
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
    frame["dilemma"] = np.where(frame["dilemma"], "ja", "")
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
            f"Kundenwert je Kunde, Stichtag {ref}, Rangfolge nach {texts.DB_LEVELS[level]}",
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
            f"Pareto nach {texts.DB_LEVELS[level]} (Walkurve)",
        ),
        Block(SPECS["pareto_revenue"], table_rows(analysis.pareto_revenue, PARETO_COLUMNS)),
        Block(
            SPECS["deciles"],
            table_rows(analysis.deciles.reset_index(), DECILE_COLUMNS),
            f"Dezile nach {texts.DB_LEVELS[level]}",
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
            SPECS["sentences"], [[s] for s in analysis.sentences()], f"Übersicht, Stichtag {ref}"
        ),
        Block(SPECS["facts"], fact_rows(analysis)),
        Block(SPECS["scenarios"], scenario_rows(analysis)),
        Block(SPECS["problems"], problem_rows(analysis.problems)),
    ]
    return blocks


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
        rows.append([None] * width)
        rows.append([texts.REPORT["former_decisions"]] + [None] * (width - 1))
        for cid, text in former:
            rows.append([cid] + [None] * (width - 2) + [text])
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


def customer_table(analysis: Analysis) -> pd.DataFrame:
    """The Kundenwert block as a DataFrame with German headers (for exports)."""
    rows = table_rows(customer_frame(analysis), CUSTOMER_COLUMNS)
    return pd.DataFrame(rows, columns=[c.header for c in CUSTOMER_COLUMNS])


def export_tables(analysis: Analysis) -> dict[str, pd.DataFrame]:
    """Sheet name -> table for a plain result file (``kundenwert analyze -o x.xlsx``)."""
    out: dict[str, pd.DataFrame] = {}
    for block in render(analysis):
        name = block.spec.title if block.spec.sheet in out else block.spec.sheet
        out[name[:31]] = pd.DataFrame(block.rows, columns=[c.header for c in block.spec.columns])
    return out
