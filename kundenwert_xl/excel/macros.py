"""The ribbon's actions, run from Excel through xlwings' ``RunPython``.

Each finds its workbook with ``xlwings.Book.caller()`` (or takes one, for running from an IDE
with ``Book.set_mock_caller()``), shows its phase in the status bar, switches screen updating
and automatic calculation off while it writes, and restores all three even when it fails
(``App.properties``). Bad input never opens an error dialog: the problems go to the
Prüfprotokoll, which is then shown.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import xlwings as xw

from kundenwert_xl import actions, report, texts
from kundenwert_xl.core.errors import KundenwertError
from kundenwert_xl.excel import live

DEMO_ROWS = 5_000
SHEET_HELP = texts.SHEET_NAMES["guide"]


def _book(book: Any = None) -> Any:
    return book if book is not None else xw.Book.caller()


@contextmanager
def busy(book: Any) -> Iterator[Any]:
    """Status bar, screen updating and calculation for long work, restored on any exit."""
    app = book.app
    with app.properties(
        status_bar=texts.PHASES["read"], screen_updating=False, calculation="manual"
    ):
        yield lambda phase: setattr(app, "status_bar", texts.PHASES.get(phase, phase))


def _show(book: Any, sheet: str) -> None:
    book.sheets[sheet].activate()


def recompute(book: Any = None) -> actions.Outcome:
    """Neu berechnen: read inputs and settings, analyse, write every result sheet."""
    book = _book(book)
    with busy(book) as status:
        try:
            inputs = actions.inputs_from_frames(*live.read_tables(book))
        except KundenwertError as exc:
            outcome = actions.Outcome.failed(exc.problems)
        else:
            decisions = actions.decisions_from(live.decision_rows(book))
            outcome = actions.recompute(inputs, decisions, status)
        status("write")
        live.write_blocks(book, outcome.blocks)
    _show(book, report.SHEETS["overview"] if outcome.ok else report.SHEETS["problems"])
    return outcome


def validate(book: Any = None) -> actions.Outcome:
    """Eingaben prüfen: write the Prüfprotokoll and show it."""
    book = _book(book)
    with busy(book) as status:
        try:
            outcome = actions.check(actions.inputs_from_frames(*live.read_tables(book)))
        except KundenwertError as exc:
            outcome = actions.Outcome.failed(exc.problems)
        status("write")
        live.write_blocks(book, outcome.blocks)
    _show(book, report.SHEETS["problems"])
    return outcome


def load_demo(book: Any = None, rows: int = DEMO_ROWS) -> actions.Outcome:
    """Beispieldaten laden: put demo data into the input tables, then recompute."""
    book = _book(book)
    tables = actions.input_tables(actions.demo_frames(rows))
    with busy(book):
        for name, table in tables.items():
            live.write_table(book, name, table)
    return recompute(book)


def show_help(book: Any = None) -> None:
    """Hilfe: show the Anleitung sheet."""
    _show(_book(book), SHEET_HELP)
