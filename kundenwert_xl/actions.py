"""The use cases: what the ribbon buttons and the commands do, wherever the workbook lives.

The adapters only say how to get tables and where to put cells: :mod:`kundenwert_xl.io`
for files, :mod:`kundenwert_xl.excel.live` for a workbook open in Excel. Both hand their tables
to :func:`inputs_from_frames`, and both write the blocks returned here, so the live macros and
the headless ``kundenwert recompute`` produce the same cells. The file use cases (recompute,
demo, analyse into a workbook, template check) are here too; io and excel import nothing of
this module (tests/test_import_graph.py).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from kundenwert_xl import report, texts
from kundenwert_xl.core.analysis import Analysis, analyze, validate_inputs
from kundenwert_xl.core.errors import KundenwertError, Problem
from kundenwert_xl.core.settings import Settings, setting_key

Progress = Callable[[str], None]
#: The tables a reader found, by key (transactions, customers, contacts, settings,
#: segment_rules; None: not there), as read with their headers not yet mapped.
Frames = Mapping[str, pd.DataFrame | None]


@dataclass
class Inputs:
    """The input tables of one analysis, as read (headers not yet mapped)."""

    transactions: pd.DataFrame
    customers: pd.DataFrame | None = None
    contacts: pd.DataFrame | None = None
    settings: dict[str, object] = field(default_factory=dict)
    first_rows: dict[str, int] = field(default_factory=dict)


@dataclass
class Outcome:
    """The blocks to write, the analysis (None when the input was bad) and the problems.

    ``notes`` are about the file written, not the analysis (a text cut at Excel's cell limit):
    they are said on the command line and added to the file's Prüfprotokoll.
    """

    blocks: list[report.Block]
    analysis: Analysis | None
    problems: list[Problem]
    notes: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the analysis ran."""
        return self.analysis is not None

    @classmethod
    def failed(cls, problems: Sequence[Problem]) -> Outcome:
        """Bad input: no analysis, and the Prüfprotokoll is the one block to write."""
        return cls(report.problems_only(list(problems)), None, list(problems))


def trim_blank_tail(frame: pd.DataFrame | None) -> pd.DataFrame | None:
    """Drop the fully empty rows at the end of a table (Excel Tables often keep some).

    Only trailing rows go, so the row numbers in messages still match the sheet; a table that
    is empty altogether becomes None (an optional table left empty is simply not used).
    """
    if frame is None:
        return None
    if len(frame) and not _blank_rows(frame.iloc[-1:]).all():
        return frame  # the last row has a value: nothing trails (the usual case, no full scan)
    filled = ~_blank_rows(frame)
    if not filled.any():
        return None
    return frame.iloc[: int(filled.nonzero()[0].max()) + 1]


def _blank_rows(frame: pd.DataFrame) -> np.ndarray:
    """Per row: True when every cell is empty (no value, or text of spaces only)."""
    blank = frame.isna().to_numpy(dtype=bool)
    # By position: a header given twice must reach the schema (which reports it), not fail here.
    for position, dtype in enumerate(frame.dtypes):
        if pd.api.types.is_string_dtype(dtype):
            text = frame.iloc[:, position].astype("string").str.strip().fillna("")
            blank[:, position] |= text.eq("").to_numpy(dtype=bool)
    return blank.all(axis=1)


def segment_rules(frame: pd.DataFrame) -> list[dict[str, object]]:
    """Rows of the Segmentregeln table (name, R von, R bis, F von, F bis, M von, M bis)."""
    rules = []
    for row in frame.dropna(how="all").itertuples(index=False):
        name, r1, r2, f1, f2, m1, m2 = list(row)[:7]
        rules.append({"name": name, "r": (r1, r2), "f": (f1, f2), "m": (m1, m2)})
    return rules


def settings_mapping(frame: pd.DataFrame | None) -> dict[str, object]:
    """Key/value pairs from the Einstellungen table (first column key, second value)."""
    if frame is None or frame.shape[1] < 2:
        return {}
    out: dict[str, object] = {}
    for key, value in zip(frame.iloc[:, 0], frame.iloc[:, 1], strict=True):
        if isinstance(key, str) and key.strip():
            out[key.strip()] = None if pd.isna(value) else value
    return out


def inputs_from_frames(frames: Frames, first_rows: Mapping[str, int]) -> Inputs:
    """The :class:`Inputs` of the tables a reader found (file or live workbook alike).

    ``frames`` has the keys transactions, customers, contacts, settings and segment_rules
    (None: table missing); ``first_rows`` the sheet row of each table's first data row.
    Blank rows at the tables' ends go; the Segmentregeln join the settings.

    Raises
    ------
    KundenwertError
        When there is no Transaktionen table (the file reader says so itself, with the path;
        a live workbook says it here).
    """
    settings = settings_mapping(frames["settings"])
    rules = trim_blank_tail(frames["segment_rules"])
    if rules is not None:
        settings[texts.SETTING_LABELS["segment_rules"]] = segment_rules(rules)
    raw = frames["transactions"]
    if raw is None:
        detail = texts.IO_DETAILS["no_transactions"]
        raise KundenwertError([Problem("io", detail, table=texts.TABLE_NAMES["transactions"])])
    transactions = trim_blank_tail(raw)
    return Inputs(
        transactions=raw if transactions is None else transactions,
        customers=trim_blank_tail(frames["customers"]),
        contacts=trim_blank_tail(frames["contacts"]),
        settings=settings,
        first_rows=dict(first_rows),
    )


def settings_of(inputs: Inputs, base: Settings | None = None) -> Settings:
    """The settings of the workbook's Einstellungen table (over ``base``)."""
    return (
        Settings.from_mapping(inputs.settings, base=base)
        if inputs.settings
        else (base or Settings())
    )


def analyze_inputs(
    inputs: Inputs, settings: Settings, progress: Callable[[str], None] | None = None
) -> Analysis:
    """Analyse the tables of ``inputs`` with ``settings`` (messages name the sheet rows)."""
    return analyze(
        inputs.transactions,
        inputs.customers,
        inputs.contacts,
        settings,
        progress=progress,
        first_rows=inputs.first_rows,
    )


def recompute(
    inputs: Inputs,
    decisions: report.Decisions | None = None,
    progress: Callable[[str], None] | None = None,
    base: Settings | None = None,
) -> Outcome:
    """Analyse the inputs and render every result block; on bad input only the Prüfprotokoll."""
    try:
        result = analyze_inputs(inputs, settings_of(inputs, base), progress)
    except KundenwertError as exc:
        return Outcome.failed(exc.problems)
    return Outcome(report.render(result, decisions), result, result.problems)


def check(inputs: Inputs) -> Outcome:
    """Validate inputs and settings without analysing ("Eingaben prüfen")."""
    problems: list[Problem] = []
    try:
        settings_of(inputs)
    except KundenwertError as exc:
        problems += exc.problems
    try:
        validate_inputs(inputs.transactions, inputs.customers, inputs.contacts, inputs.first_rows)
    except KundenwertError as exc:
        problems += exc.problems
    return Outcome.failed(problems)


def decisions_from(rows: list[list[object]]) -> report.Decisions:
    """The user's Entscheidung per Kundennr from the Dilemma block as read (header first).

    Columns are found by their position in the layout, never by the header text: a header
    renamed in texts.py (or by the user) keeps every decision. Rows below the table (former
    decisions) are read too, so they stay after a recompute. A decision keeps its type: a
    number typed there comes back as that number, not as its text.
    """
    if not rows:
        return {}
    sources = [c.source for c in report.DILEMMA_COLUMNS]
    id_col, decision_col = sources.index("customer_id"), sources.index("decision")
    found: report.Decisions = {}
    for row in rows[1:]:
        if len(row) <= max(id_col, decision_col):
            continue
        cid, decision = row[id_col], row[decision_col]
        if cid in (None, "") or decision in (None, "") or cid == texts.REPORT["former_decisions"]:
            continue
        key = str(int(cid)) if isinstance(cid, float) and cid.is_integer() else str(cid).strip()
        found[key] = decision
    return found


# --- Use cases on files -----------------------------------------------------------------------


def read_inputs(path: str | Path, table: str = "transactions") -> Inputs:
    """Read the inputs from a workbook, or one table from a csv/parquet file.

    ``table`` names what a file given for one table holds (``customers`` for ``--kunden``),
    so that a problem of its rows names that table; that table is returned as
    ``transactions``. A workbook given for another table than the transactions is read for
    that table alone (:func:`~kundenwert_xl.io.readers.read_workbook_table`).
    """
    from kundenwert_xl.io import readers

    path = Path(path)
    if path.suffix.lower() in readers.WORKBOOK_SUFFIXES:
        readers.check_regular_file(path)
        if table != "transactions":
            frame, first_row = readers.read_workbook_table(path, table)
            return Inputs(_without_blank_tail(frame), first_rows={table: first_row})
        return inputs_from_frames(*readers.read_workbook(path))
    return Inputs(_without_blank_tail(readers.read_table(path, table)))


def _without_blank_tail(frame: pd.DataFrame) -> pd.DataFrame:
    """A table given alone, without its blank rows at the end; empty if nothing else is left.

    Blank lines closing a csv file are nothing, like the blank rows an Excel Table keeps.
    """
    trimmed = trim_blank_tail(frame)
    return frame.iloc[:0] if trimmed is None else trimmed


def previous_decisions(path: Path) -> report.Decisions:
    """The Entscheidung per customer typed on the workbook file's Dilemma sheet."""
    from kundenwert_xl.io import workbook

    return decisions_from(workbook.decision_rows(Path(path)))


def recompute_file(source: Path, target: Path, progress: Progress | None = None) -> Outcome:
    """Do what the ribbon's "Neu berechnen" does, on a copy of ``source`` written to ``target``."""
    from kundenwert_xl.io import export, patch, readers

    report_phase = progress or (lambda phase: None)
    report_phase("read")
    inputs = inputs_from_frames(*readers.read_workbook(Path(source)))
    outcome = recompute(inputs, previous_decisions(Path(source)), progress)
    report_phase("write")
    outcome.notes = export.long_text_notes(outcome.blocks)
    outcome.blocks = report.with_notes(outcome.blocks, outcome.notes)
    _refuse_overflow(outcome.blocks)
    patch.write_results(
        source, target, outcome.blocks, footer=report.print_footer(outcome.analysis)
    )
    return outcome


def demo_frames(rows: int, seed: int = 42) -> dict[str, pd.DataFrame | None]:
    """Demo data (:func:`kundenwert_xl.demo.make_demo`) as input tables, internal names."""
    from kundenwert_xl.demo import make_demo

    data = make_demo(rows, seed=seed)
    return {
        "transactions": data.transactions,
        "customers": data.customers,
        "contacts": data.contacts,
    }


def input_tables(frames: Frames) -> dict[str, pd.DataFrame]:
    """Input frames (internal column names) as the workbook's Tables show them.

    Excel Table name -> rows under the German headers, in the layout's column order
    (:data:`kundenwert_xl.report.INPUT_COLUMNS`); a column the data lack stays empty, a
    missing table is left out. The demo in Excel and the files written here use it alike.
    """
    tables = {}
    for key, frame in frames.items():
        if frame is None:
            continue
        columns = list(report.INPUT_COLUMNS[key])
        headers = [texts.header(key, c) for c in columns]
        tables[texts.TABLE_NAMES[key]] = frame.reindex(columns=columns).set_axis(headers, axis=1)
    return tables


def demo_file(
    target: Path, rows: int = 20_000, seed: int = 42, progress: Progress | None = None
) -> Outcome:
    """A copy of the template filled with demo data and recomputed."""
    frames = demo_frames(rows, seed)
    result = analyze(
        frames["transactions"], frames["customers"], frames["contacts"], Settings(), progress
    )
    return _fill_template(target, frames, result, None, progress)


def analysis_file(
    target: Path,
    inputs: Inputs,
    settings: Settings,
    progress: Progress | None = None,
) -> Outcome:
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
    given = (
        ("transactions", inputs.transactions),
        ("customers", inputs.customers),
        ("contacts", inputs.contacts),
    )
    rows = {texts.TABLE_NAMES[k]: len(f) for k, f in given if f is not None}
    # Before any work: a table longer than a sheet cannot go into the workbook.
    _refuse_overflow([], rows)
    clean = validate_inputs(
        inputs.transactions, inputs.customers, inputs.contacts, inputs.first_rows
    )
    frames = dict(zip(("transactions", "customers", "contacts"), clean, strict=True))
    result = analyze_inputs(inputs, settings, progress)
    return _fill_template(target, frames, result, settings, progress)


def _fill_template(
    target: Path,
    frames: Frames,
    result: Analysis,
    settings: Settings | None,
    progress: Progress | None,
) -> Outcome:
    """Write a copy of the template with the input tables, the settings and the results.

    ``frames`` hold internal column names (missing columns stay empty); ``settings`` None
    keeps the template's default Einstellungen. The report is rendered once, here.
    """
    from kundenwert_xl.io import export, workbook
    from kundenwert_xl.template.build import build

    (progress or (lambda phase: None))("write")
    settings_rows = (
        None
        if settings is None
        else [list(r) for r in settings.to_rows() if setting_key(r[0]) != "segment_rules"]
    )
    blocks = report.render(result)
    footer = report.print_footer(result)
    tables = input_tables(frames)
    notes = [n for name, t in tables.items() for n in export.table_text_notes(name, t)]
    notes += export.long_text_notes(blocks)
    blocks = report.with_notes(blocks, notes)
    _refuse_overflow(blocks, {name: len(t) for name, t in tables.items()})
    workbook.fill_template(build(), target, tables, settings_rows, blocks, footer)
    return Outcome(blocks, result, result.problems, notes)


def _refuse_overflow(blocks: list[report.Block], tables: dict[str, int] | None = None) -> None:
    """Raise before writing a sheet longer than Excel's (the file would not open)."""
    too_long = report.sheet_overflow(blocks, tables)
    if too_long:
        raise KundenwertError(too_long)


def template_differences(path: Path) -> list[str]:
    """Parts in which a template file differs from what the sources build now (empty: same).

    Parts are compared uncompressed and in order, so a different zlib cannot cause a false alarm.
    """
    from kundenwert_xl.template.build import build

    fresh = zipfile.ZipFile(io.BytesIO(build()))
    with zipfile.ZipFile(path) as committed:
        names_fresh, names_committed = fresh.namelist(), committed.namelist()
        if names_fresh != names_committed:
            return sorted(set(names_fresh) ^ set(names_committed)) or ["(Reihenfolge der Teile)"]
        return [n for n in names_fresh if fresh.read(n) != committed.read(n)]
