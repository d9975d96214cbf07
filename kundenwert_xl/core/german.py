"""German number text: what a controller types (``1.234,5``) and how we print it back (``0,8``).

The one place that reads and writes the German decimal comma in settings and messages; the
vectorised reading of whole input columns (thousands separators, ambiguity checks) is
:func:`kundenwert_xl.core.schema` territory and works on Series.
"""

from __future__ import annotations


def decimal_text(text: str) -> str:
    """``"1.234,5"`` -> ``"1234.5"``: a German decimal comma (dots as thousands) made Python's.

    Text without a comma is returned unchanged (``"0.8"`` stays a decimal point).
    """
    return text.replace(".", "").replace(",", ".") if "," in text else text


def parse_number(text: str) -> float:
    """``" +1.234,5"`` -> ``1234.5``; raises ``ValueError`` when it is no number."""
    return float(decimal_text(text.strip().replace("+", "")))


def show_number(value: float) -> str:
    """``0.8`` -> ``"0,8"``, ``30.0`` -> ``"30"``: the shortest German text that reads back."""
    return f"{value:g}".replace(".", ",")
