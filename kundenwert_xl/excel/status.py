"""Whether a live Excel is reachable through xlwings (for ``kundenwert doctor``)."""

from __future__ import annotations


def running_instances() -> int:
    """Number of running Excel instances xlwings sees; raises when Excel cannot be reached."""
    import xlwings as xw

    return xw.apps.count
