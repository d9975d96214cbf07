"""German number text: what a controller types (``1.234,5``) and how we print it back (``0,8``).

The one place that reads the German decimal comma in settings; writing numbers as German text
is the catalogue's (``texts.format_*``, which must not import core), and :func:`show_number`
is its shortest form. The vectorised reading of whole input columns (thousands separators,
ambiguity checks) is :mod:`kundenwert_xl.core.schema` territory and works on Series.
"""

from __future__ import annotations

from kundenwert_xl import texts


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
    # Six significant digits, as Python's "g" (30.0 -> "30", 0.125 -> "0,125").
    return texts.format_number(value, 6)
