"""Problems found in the input and the one domain error that carries them.

Every face renders the same objects: a short line in a cell, rows on the Prüfprotokoll sheet,
lines on stderr. Core therefore never raises bare pandas/numpy errors for bad input.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning", "note"]


@dataclass(frozen=True)
class Problem:
    """One finding about the input or the settings.

    Parameters
    ----------
    code : str
        Stable machine-readable key (e.g. ``"missing_column"``); the German text is in ``message``.
    message : str
        The German sentence shown to the user, including how to fix it.
    table : str
        German name of the table or settings block the problem was found in.
    row : int or None
        Excel-style row number (the header is row 1 unless the reader says otherwise).
    column : str or None
        German column header or setting name.
    value : str or None
        The offending value as text.
    severity : {"error", "warning", "note"}
        Errors stop the analysis; warnings are reported next to the result; notes name an
        assumption that changed a number (a default cost rate, a date read without its zone).
    """

    code: str
    message: str
    table: str = ""
    row: int | None = None
    column: str | None = None
    value: str | None = None
    severity: Severity = "error"

    def location(self) -> str:
        """Return ``Tabelle, Zeile 5, Spalte Datum`` style text for one-line rendering."""
        from kundenwert_xl import texts

        return texts.location(self.table, self.row, self.column)

    def one_line(self) -> str:
        """Return the problem as one German line: location, then message."""
        where = self.location()
        return f"{where}: {self.message}" if where else self.message


class KundenwertError(Exception):
    """The one domain error: bad input or bad settings, with every problem found.

    Parameters
    ----------
    problems : list of Problem
        All problems, collected before raising (never fail-fast on the first one).
    """

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        super().__init__(self.summary())

    def summary(self) -> str:
        """Return a short German summary: the first problem and how many follow."""
        from kundenwert_xl import texts

        return texts.error_summary([p.one_line() for p in self.problems])
