"""Write result tables to new files: xlsx (XlsxWriter), csv (German dialect), parquet.

Never in place: everything is written to a temporary file next to the target and renamed.
Strings are never turned into formulas or links, so a customer name like ``=HYPERLINK(...)``
from the data stays text.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Call ``write`` on a temporary file in the target folder, then rename it to ``path``."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_tables(path: Path, tables: dict[str, pd.DataFrame]) -> None:
    """Write tables to ``path``: one sheet each (xlsx) or the first table (csv, parquet)."""
    suffix = Path(path).suffix.lower()
    if suffix == ".xlsx":
        atomic_write(path, lambda tmp: _write_xlsx(tmp, tables))
    elif suffix == ".csv":
        first = next(iter(tables.values()))
        atomic_write(
            path,
            lambda tmp: first.to_csv(tmp, sep=";", decimal=",", index=False, encoding="utf-8-sig"),
        )
    elif suffix in (".parquet", ".pq"):
        first = next(iter(tables.values()))
        atomic_write(path, lambda tmp: first.to_parquet(tmp, index=False))
    else:
        raise ValueError(suffix)


def _write_xlsx(path: Path, tables: dict[str, pd.DataFrame]) -> None:
    options = {"strings_to_formulas": False, "strings_to_urls": False, "nan_inf_to_errors": True}
    with pd.ExcelWriter(path, engine="xlsxwriter", engine_kwargs={"options": options}) as xw:
        for name, frame in tables.items():
            frame.to_excel(xw, sheet_name=name, index=False)
            sheet = xw.sheets[name]
            sheet.freeze_panes(1, 0)
            sheet.autofilter(0, 0, max(len(frame), 1), max(len(frame.columns) - 1, 0))
            sheet.set_column(0, max(len(frame.columns) - 1, 0), 16)
