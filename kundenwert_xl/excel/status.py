"""What a live Excel on this PC can do, seen through xlwings (for ``kundenwert doctor``)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ExcelInfo:
    """A running Excel: how many instances, its version and build, and dynamic arrays.

    ``dynamic_arrays`` is decided by evaluating ``SEQUENCE`` (it came with dynamic arrays), so
    no table of build numbers can be wrong about it; ``None`` when no Excel is running.
    """

    instances: int
    version: str = ""
    build: str = ""
    dynamic_arrays: bool | None = None


def excel_info() -> ExcelInfo:
    """Ask the running Excel; raises when Excel cannot be reached at all."""
    import xlwings as xw

    count = xw.apps.count
    if count == 0:
        return ExcelInfo(0)
    app = xw.apps.active
    probe = app.api.Evaluate("=COLUMNS(SEQUENCE(1,2))")
    return ExcelInfo(count, str(app.version), str(app.api.Build), probe == 2)
