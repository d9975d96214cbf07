"""Problems found in the input and the one domain error that carries them.

Every face renders the same objects: a short line in a cell, rows on the Prüfprotokoll sheet,
lines on stderr. Core therefore never raises bare pandas/numpy errors for bad input.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning", "note"]


@dataclass(frozen=True)
class Problem:
    """One finding about the input or the settings: a reason code and its parameters.

    Core says *what* is wrong (``code`` plus ``params``); the German sentence is made at the
    edge from ``texts.MESSAGES[code]`` (:attr:`message`, :meth:`one_line`), as pandera keeps
    a ``reason_code`` with its failure case.

    Parameters
    ----------
    code : str
        Stable machine-readable key (e.g. ``"missing_column"``), a key of ``texts.MESSAGES``
        unless ``text`` is given.
    text : str or None
        A sentence made by a face for codes outside the catalogue (file errors with the
        operating system's detail, UDF and setup texts); None renders ``code`` with ``params``.
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
    params : mapping or tuple of (str, object) pairs
        The values the catalogue sentence names; kept as pairs (a problem stays hashable).
    """

    code: str
    text: str | None = None
    table: str = ""
    row: int | None = None
    column: str | None = None
    value: str | None = None
    severity: Severity = "error"
    params: Mapping[str, object] | tuple[tuple[str, object], ...] = ()

    def __post_init__(self) -> None:
        # Given as a mapping for convenience; kept as pairs so a problem stays hashable.
        object.__setattr__(self, "params", tuple(dict(self.params).items()))

    @property
    def message(self) -> str:
        """The German sentence: ``text``, or the catalogue's sentence for code and params."""
        if self.text is not None:
            return self.text
        from kundenwert_xl import texts

        return texts.message(self.code, **dict(self.params))

    def location(self) -> str:
        """Return ``Tabelle, Zeile 5, Spalte Datum`` style text for one-line rendering."""
        from kundenwert_xl import texts

        return texts.location(self.table, self.row, self.column)

    def one_line(self) -> str:
        """Return the problem as one German line: location, then message."""
        where = self.location()
        message = self.message
        return f"{where}: {message}" if where else message


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
