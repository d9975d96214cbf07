"""An :class:`~kundenwert_xl.core.analysis.Analysis` rendered as the result blocks users see.

The ONE place that knows the result layout: German headers, column order, number formats and
the anchors on the result sheets. The headless writer, the live Excel writer and the exports all
render what this module returns.
"""

from __future__ import annotations

import pandas as pd

from kundenwert_xl import texts
from kundenwert_xl.core.analysis import Analysis


def customer_table(analysis: Analysis) -> pd.DataFrame:
    """The Kundenwert table: one row per customer, German headers, in display order."""
    frame = analysis.customers.reset_index()
    columns = [c for c in texts.CUSTOMER_COLUMNS if c in frame.columns]
    return frame[columns].rename(columns=texts.CUSTOMER_COLUMNS)


def thresholds_table(analysis: Analysis) -> pd.DataFrame:
    """The class limits used, German headers and dimension names."""
    frame = analysis.thresholds.copy()
    frame["dimension"] = frame["dimension"].map(texts.DIMENSIONS)
    frame["closed"] = frame["closed"].map(texts.CLOSED)
    return frame.rename(columns=texts.THRESHOLD_COLUMNS)


def problems_table(problems: list) -> pd.DataFrame:
    """The Prüfprotokoll: one row per problem."""
    rows = [
        {
            "Art": texts.SEVERITY[p.severity],
            "Tabelle": p.table,
            "Zeile": p.row,
            "Spalte": p.column,
            "Wert": p.value,
            "Meldung": p.message,
        }
        for p in problems
    ]
    return pd.DataFrame(rows, columns=["Art", "Tabelle", "Zeile", "Spalte", "Wert", "Meldung"])


def export_tables(analysis: Analysis) -> dict[str, pd.DataFrame]:
    """Sheet name -> table for a plain result workbook (``kundenwert analyze -o x.xlsx``)."""
    return {
        "Kundenwert": customer_table(analysis),
        "Klassengrenzen": thresholds_table(analysis),
        "Prüfprotokoll": problems_table(analysis.problems),
    }
