"""The live writer and the ribbon macros write what the headless writer writes."""

import openpyxl
import pytest

from kundenwert_xl import actions, report
from kundenwert_xl.actions import previous_decisions, recompute_file
from kundenwert_xl.excel import live, macros
from tests.excel.fake_book import FakeBook


def _grid(path, sheet):
    wb = openpyxl.load_workbook(path, data_only=True)
    ws = wb[sheet]
    return {
        (c.row, c.column): c.value
        for row in ws.iter_rows()
        for c in row
        if c.value not in (None, "")
    }


def _unprefixed(value):
    return value[1:] if isinstance(value, str) and value.startswith("'") else value


def test_live_recompute_writes_the_same_cells_as_the_headless_writer(demo_copy, tmp_path):
    headless = tmp_path / "headless.xlsm"
    recompute_file(demo_copy, headless)
    book = FakeBook(demo_copy)
    outcome = macros.recompute(book)
    assert outcome.ok and book.active == "Übersicht"
    for sheet in report.RESULT_SHEETS:
        expected = _grid(headless, sheet)
        got = {
            k: _unprefixed(v) for k, v in book.sheets[sheet].cells.items() if v not in (None, "")
        }

        def norm(g):
            return {
                k: (v.date() if hasattr(v, "date") and callable(v.date) else v)
                for k, v in g.items()
            }

        assert norm(got) == norm(expected), sheet


def test_status_bar_screen_updating_and_calculation_are_restored(demo_copy):
    book = FakeBook(demo_copy)
    seen = []
    original = live.write_blocks

    def spy(b, blocks):
        seen.append((b.app.status_bar, b.app.screen_updating, b.app.calculation))
        original(b, blocks)

    live.write_blocks = spy
    try:
        macros.recompute(book)
    finally:
        live.write_blocks = original
    assert seen == [("Schreibe Ergebnisse …", False, "manual")]
    assert (book.app.status_bar, book.app.screen_updating, book.app.calculation) == (
        False,
        True,
        "automatic",
    )


def test_restored_even_when_writing_fails(demo_copy):
    book = FakeBook(demo_copy)
    original = live.write_blocks
    live.write_blocks = lambda b, blocks: (_ for _ in ()).throw(OSError("Blatt geschützt"))
    try:
        with pytest.raises(OSError):
            macros.recompute(book)
    finally:
        live.write_blocks = original
    assert (book.app.status_bar, book.app.screen_updating, book.app.calculation) == (
        False,
        True,
        "automatic",
    )


def test_bad_input_goes_to_the_protocol_not_a_dialog(demo_copy):
    book = FakeBook(demo_copy)
    sheet = book.sheets["Transaktionen"]
    sheet.cells[(5, 2)] = "31.02.2024"
    outcome = macros.recompute(book)
    assert not outcome.ok and book.active == "Prüfprotokoll"
    protocol = book.sheets["Prüfprotokoll"].cells
    assert protocol[(3, 3)] == 5 and protocol[(3, 4)] == "Datum"
    assert "'31.02.2024' ist kein gültiges Datum" in protocol[(3, 6)]
    assert book.app.screen_updating is True


def test_validate_and_help(demo_copy):
    book = FakeBook(demo_copy)
    outcome = macros.validate(book)
    assert outcome.problems == [] and book.active == "Prüfprotokoll"
    assert book.sheets["Prüfprotokoll"].cells[(3, 6)] == "Keine Probleme gefunden."
    macros.show_help(book)
    assert book.active == "Anleitung"


def test_decisions_survive_a_live_recompute(demo_copy):
    book = FakeBook(demo_copy)
    spec = report.SPECS["dilemma"]
    col = spec.col + [c.source for c in spec.columns].index("decision")
    first_id = book.sheets["Dilemma"].cells[(spec.first_data_row, spec.col)]
    book.sheets["Dilemma"].cells[(spec.first_data_row, col)] = "Preis erhöhen"
    assert actions.decisions_from(live.decision_rows(book)) == {first_id: "Preis erhöhen"}
    macros.recompute(book)
    cells = book.sheets["Dilemma"].cells
    row = next(
        r
        for (r, c), v in cells.items()
        if c == spec.col and v == first_id and r >= spec.first_data_row
    )
    assert cells[(row, col)] == "Preis erhöhen"


def test_formula_like_text_gets_the_text_prefix():
    assert live.as_text("=SUMME(A1)") == "'=SUMME(A1)"
    assert (
        live.as_text("+49 30") == "'+49 30"
        and live.as_text("@x") == "'@x"
        and live.as_text("-5") == "'-5"
    )
    assert live.as_text("Müller GmbH") == "Müller GmbH" and live.as_text(-5.0) == -5.0


def test_live_inputs_equal_headless_inputs(demo_copy):
    book = FakeBook(demo_copy)
    a = actions.inputs_from_frames(*live.read_tables(book))
    b = actions.read_inputs(demo_copy)
    ra, rb = actions.recompute(a), actions.recompute(b)
    assert ra.analysis.facts == rb.analysis.facts
    assert actions.decisions_from(live.decision_rows(book)) == previous_decisions(demo_copy)


def test_load_demo_fills_tables_and_recomputes(demo_copy):
    book = FakeBook(demo_copy)
    outcome = macros.load_demo(book, rows=1500)
    assert outcome.ok and outcome.analysis.facts["transactions"] == 1500
    assert book.active == "Übersicht"
