"""The ribbon's actions on workbook files, without Excel: recompute, demo, template check."""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

from kundenwert_xl import actions, report, texts
from kundenwert_xl.core.analysis import analyze
from kundenwert_xl.core.settings import Settings
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
    patch.write_results(source, target, outcome.blocks)
    return outcome


def demo_file(
    target: Path, rows: int = 20_000, seed: int = 42, progress: Progress | None = None
) -> actions.Outcome:
    """A copy of the template filled with demo data and recomputed."""
    from kundenwert_xl.template.build import build

    report_phase = progress or (lambda phase: None)
    data = make_demo(rows, seed=seed)
    result = analyze(data.transactions, data.customers, data.contacts, Settings(), progress)
    report_phase("write")
    tables = []
    for key, frame in (
        ("transactions", data.transactions),
        ("customers", data.customers),
        ("contacts", data.contacts),
    ):
        columns = report.INPUT_COLUMNS[key]
        headers = [texts.header(key, c) for c in columns]
        tables.append(
            patch.TableData(texts.TABLE_NAMES[key], patch.frame_rows(frame[list(columns)], headers))
        )
    with tempfile.TemporaryDirectory() as tmp:
        template = Path(tmp, "template.xlsm")
        template.write_bytes(build())
        patch.write_results(template, target, report.render(result), tables)
    return actions.Outcome(report.render(result), result, result.problems)


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
