"""Workbook files without Excel: where the input tables, settings and result blocks go.

The ribbon's use cases on files (recompute, demo, analyse into a workbook, template check) are
:mod:`kundenwert_xl.actions`; this module only reads and writes the cells they name.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from kundenwert_xl import report, texts
from kundenwert_xl.io import patch


def decision_rows(path: Path) -> list[list[object]]:
    """The cells of the Dilemma block as typed (header first), for the saved decisions."""
    spec = report.SPECS["dilemma"]
    rows = patch.read_block_rows(path, spec.sheet, spec.row + 1)
    width = len(spec.columns)
    return [r[spec.col - 1 : spec.col - 1 + width] for r in rows]


def fill_template(
    template: bytes,
    target: Path,
    tables: Mapping[str, pd.DataFrame],
    settings_rows: list[list[object]] | None,
    blocks: list[report.Block],
    footer: str | None = None,
) -> None:
    """Write a copy of ``template`` with input tables, settings and result blocks.

    ``tables`` maps an Excel Table name to its data under their German headers;
    ``settings_rows`` (Einstellung, Wert, Erklärung) replace the template's Einstellungen, None
    keeps them; ``footer`` is the result sheets' print footer (None keeps the template's).
    """
    data = [patch.TableData(name, frame) for name, frame in tables.items()]
    if settings_rows is not None:
        shown = pd.DataFrame(
            [[_shown(v) for v in r] for r in settings_rows],
            columns=list(texts.SETTING_TABLE_HEADERS),
            dtype=object,
        )
        data.append(patch.TableData(texts.TABLE_NAMES["settings"], shown))
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp, "template.xlsm")
        copy.write_bytes(template)
        patch.write_results(copy, target, blocks, data, footer)


def _shown(value: object) -> object:
    """A setting as the user would type it: a date in German.

    The Wert column has no date format, and a bare serial number would read as 45626.
    """
    return texts.format_date(value) if isinstance(value, dt.date) else value
