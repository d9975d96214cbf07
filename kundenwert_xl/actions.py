"""What the ribbon buttons do, independent of where the workbook lives.

The live Excel macros (:mod:`kundenwert_xl.excel.macros`) and the headless
``kundenwert recompute`` read the inputs their own way, call these functions, and write the
returned blocks with their own writer, so both produce the same cells.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from kundenwert_xl import report, texts
from kundenwert_xl.core.analysis import Analysis, analyze, validate_inputs
from kundenwert_xl.core.errors import KundenwertError, Problem
from kundenwert_xl.settings import Settings


@dataclass
class Inputs:
    """The input tables of one analysis, as read (headers not yet mapped)."""

    transactions: pd.DataFrame
    customers: pd.DataFrame | None = None
    contacts: pd.DataFrame | None = None
    settings: dict[str, object] = field(default_factory=dict)
    first_rows: dict[str, int] = field(default_factory=dict)


@dataclass
class Outcome:
    """The blocks to write, the analysis (None when the input was bad) and the problems."""

    blocks: list[report.Block]
    analysis: Analysis | None
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        """True when the analysis ran."""
        return self.analysis is not None


def trim_blank_tail(frame: pd.DataFrame | None) -> pd.DataFrame | None:
    """Drop the fully empty rows at the end of a table (Excel Tables often keep some).

    Only trailing rows go, so the row numbers in messages still match the sheet; a table that
    is empty altogether becomes None (an optional table left empty is simply not used).
    """
    if frame is None:
        return None
    blank = frame.isna().to_numpy(dtype=bool)
    # By position: a header given twice must reach the schema (which reports it), not fail here.
    for position, dtype in enumerate(frame.dtypes):
        if pd.api.types.is_string_dtype(dtype):
            text = frame.iloc[:, position].astype("string").str.strip().fillna("")
            blank[:, position] |= text.eq("").to_numpy(dtype=bool)
    filled = ~blank.all(axis=1)
    if not filled.any():
        return None
    return frame.iloc[: int(filled.nonzero()[0].max()) + 1]


def settings_of(inputs: Inputs, base: Settings | None = None) -> Settings:
    """The settings of the workbook's Einstellungen table (over ``base``)."""
    return (
        Settings.from_mapping(inputs.settings, base=base)
        if inputs.settings
        else (base or Settings())
    )


def analyze_inputs(
    inputs: Inputs, settings: Settings, progress: Callable[[str], None] | None = None
) -> Analysis:
    """Analyse the tables of ``inputs`` with ``settings`` (messages name the sheet rows)."""
    return analyze(
        inputs.transactions,
        inputs.customers,
        inputs.contacts,
        settings,
        progress=progress,
        first_rows=inputs.first_rows,
    )


def recompute(
    inputs: Inputs,
    decisions: dict[str, str] | None = None,
    progress: Callable[[str], None] | None = None,
    base: Settings | None = None,
) -> Outcome:
    """Analyse the inputs and render every result block; on bad input only the Prüfprotokoll."""
    try:
        result = analyze_inputs(inputs, settings_of(inputs, base), progress)
    except KundenwertError as exc:
        return Outcome(report.problems_only(exc.problems), None, exc.problems)
    return Outcome(report.render(result, decisions), result, result.problems)


def check(inputs: Inputs) -> Outcome:
    """Validate inputs and settings without analysing ("Eingaben prüfen")."""
    problems: list[Problem] = []
    try:
        settings_of(inputs)
    except KundenwertError as exc:
        problems += exc.problems
    try:
        validate_inputs(inputs.transactions, inputs.customers, inputs.contacts, inputs.first_rows)
    except KundenwertError as exc:
        problems += exc.problems
    return Outcome(report.problems_only(problems), None, problems)


def decisions_from(rows: list[list[object]]) -> dict[str, str]:
    """The user's Entscheidung per Kundennr from the Dilemma block as read (header first).

    Columns are found by their position in the layout, never by the header text: a header
    renamed in texts.py (or by the user) keeps every decision. Rows below the table (former
    decisions) are read too, so they stay after a recompute.
    """
    if not rows:
        return {}
    sources = [c.source for c in report.DILEMMA_COLUMNS]
    id_col, decision_col = sources.index("customer_id"), sources.index("decision")
    found: dict[str, str] = {}
    for row in rows[1:]:
        if len(row) <= max(id_col, decision_col):
            continue
        cid, decision = row[id_col], row[decision_col]
        if cid in (None, "") or decision in (None, "") or cid == texts.REPORT["former_decisions"]:
            continue
        key = str(int(cid)) if isinstance(cid, float) and cid.is_integer() else str(cid).strip()
        found[key] = str(decision)
    return found
