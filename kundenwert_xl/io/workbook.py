"""The ribbon's actions on workbook files, without Excel: recompute, demo, template check."""

from __future__ import annotations

import datetime as dt
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from kundenwert_xl import actions, report, texts
from kundenwert_xl.core.analysis import Analysis, analyze, validate_inputs
from kundenwert_xl.core.errors import KundenwertError, Problem
from kundenwert_xl.core.settings import Settings, setting_key
from kundenwert_xl.demo import make_demo
from kundenwert_xl.io import patch
from kundenwert_xl.io.readers import read_workbook

Progress = Callable[[str], None]


def previous_decisions(path: Path) -> dict[str, str]:
    """The Entscheidung per customer typed on the workbook's Dilemma sheet."""
    spec = report.SPECS["dilemma"]
    rows = patch.read_block_rows(path, spec.sheet, spec.row + 1)
    width = len(spec.columns)
    return actions.decisions_from([r[spec.col - 1 : spec.col - 1 + width] for r in rows])


def recompute_file(source: Path, target: Path, progress: Progress | None = None) -> actions.Outcome:
    """Do what the ribbon's "Neu berechnen" does, on a copy of ``source`` written to ``target``."""
    report_phase = progress or (lambda phase: None)
    report_phase("read")
    inputs = read_workbook(Path(source))
    outcome = actions.recompute(inputs, previous_decisions(Path(source)), progress)
    report_phase("write")
    patch.write_results(
        source, target, outcome.blocks, footer=report.print_footer(outcome.analysis)
    )
    return outcome


def demo_file(
    target: Path, rows: int = 20_000, seed: int = 42, progress: Progress | None = None
) -> actions.Outcome:
    """A copy of the template filled with demo data and recomputed."""
    data = make_demo(rows, seed=seed)
    result = analyze(data.transactions, data.customers, data.contacts, Settings(), progress)
    frames = {"transactions": data.transactions, "customers": data.customers}
    frames["contacts"] = data.contacts
    return fill_template(target, frames, result, None, progress)


def analysis_file(
    target: Path,
    inputs: actions.Inputs,
    settings: Settings,
    progress: Progress | None = None,
) -> actions.Outcome:
    """A copy of the template with ``inputs`` in its input tables and every result computed.

    What ``kundenwert analyze export.csv -o Kundenwert.xlsm`` writes: the tables hold the data
    as checked (German headers, dates as dates, numbers as numbers), the Einstellungen table the
    settings used, so "Neu berechnen" in Excel and ``kundenwert recompute`` give the same numbers.

    Raises
    ------
    KundenwertError
        For bad inputs or settings (every problem listed), or own segment rules, which the
        workbook's Segmentregeln table would have to carry (not written: the numbers would
        differ after a recompute).
    """
    if settings.segment_preset == "custom":
        raise KundenwertError([Problem("bad_setting", texts.CLI["custom_rules_xlsm"])])
    clean = validate_inputs(
        inputs.transactions, inputs.customers, inputs.contacts, inputs.first_rows
    )
    frames = dict(zip(("transactions", "customers", "contacts"), clean, strict=True))
    result = actions.analyze_inputs(inputs, settings, progress)
    return fill_template(target, frames, result, settings, progress)


def fill_template(
    target: Path,
    frames: dict[str, pd.DataFrame | None],
    result: Analysis,
    settings: Settings | None = None,
    progress: Progress | None = None,
) -> actions.Outcome:
    """Write a copy of the template with the input tables, the settings and the results.

    ``frames`` hold internal column names (missing columns stay empty); ``settings`` None
    keeps the template's default Einstellungen.
    """
    from kundenwert_xl.template.build import build

    report_phase = progress or (lambda phase: None)
    report_phase("write")
    tables = []
    for key, frame in frames.items():
        if frame is None:
            continue
        columns = report.INPUT_COLUMNS[key]
        headers = [texts.header(key, c) for c in columns]
        data = frame.reindex(columns=list(columns)).set_axis(headers, axis=1)
        tables.append(patch.TableData(texts.TABLE_NAMES[key], data))
    if settings is not None:
        rows = [r for r in settings.to_rows() if setting_key(r[0]) != "segment_rules"]
        shown = pd.DataFrame(
            [[_shown(v) for v in r] for r in rows],
            columns=list(texts.SETTING_TABLE_HEADERS),
            dtype=object,
        )
        tables.append(patch.TableData(texts.TABLE_NAMES["settings"], shown))
    blocks = report.render(result)
    with tempfile.TemporaryDirectory() as tmp:
        template = Path(tmp, "template.xlsm")
        template.write_bytes(build())
        patch.write_results(template, target, blocks, tables, report.print_footer(result))
    return actions.Outcome(blocks, result, result.problems)


def _shown(value: object) -> object:
    """A setting as the user would type it: a date in German.

    The Wert column has no date format, and a bare serial number would read as 45626.
    """
    return texts.format_date(value) if isinstance(value, dt.date) else value


def template_differences(path: Path) -> list[str]:
    """Parts in which a template file differs from what the sources build now (empty: same).

    Parts are compared uncompressed and in order, so a different zlib cannot cause a false alarm.
    """
    import io

    from kundenwert_xl.template.build import build

    fresh = zipfile.ZipFile(io.BytesIO(build()))
    with zipfile.ZipFile(path) as committed:
        names_fresh, names_committed = fresh.namelist(), committed.namelist()
        if names_fresh != names_committed:
            return sorted(set(names_fresh) ^ set(names_committed)) or ["(Reihenfolge der Teile)"]
        return [n for n in names_fresh if fresh.read(n) != committed.read(n)]
