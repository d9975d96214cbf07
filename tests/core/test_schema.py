"""Bad input: every kind gets a clear German problem with table, row and column; none a crash."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

import kundenwert_xl as kx
from kundenwert_xl.core import schema


def _problems(frame, table="transactions"):
    with pytest.raises(kx.KundenwertError) as info:
        schema.validate(frame, table)
    return info.value.problems


def _tx(**overrides):
    base = {
        "Kundennr": ["K1", "K2", "K3"],
        "Datum": ["2024-01-01", "2024-01-02", "2024-01-03"],
        "Umsatz": [10.0, 20.0, 30.0],
    }
    base.update(overrides)
    return pd.DataFrame(base)


def _only(problems, code):
    found = [p for p in problems if p.code == code]
    assert found, [p.code for p in problems]
    return found


def test_missing_required_column_is_named_in_german():
    (p,) = _problems(_tx().drop(columns=["Umsatz"]))
    assert p.code == "missing_column" and p.column == "Umsatz"
    assert p.one_line() == (
        "Transaktionen, Spalte Umsatz: Pflichtspalte 'Umsatz' fehlt. Bitte eine Spalte mit der "
        "Überschrift 'Umsatz' anlegen."
    )


def test_all_missing_columns_reported_at_once():
    problems = _problems(pd.DataFrame({"Foo": [1]}))
    errors = [p for p in problems if p.severity == "error"]
    assert sorted(p.column for p in errors) == ["Datum", "Kundennr", "Umsatz"]


def test_empty_table():
    (p,) = _problems(_tx().iloc[0:0])
    assert p.code == "empty_table" and "keine Datenzeilen" in p.message


def test_blank_customer_id_names_excel_row():
    # two blanks: rows 3 and 4 (header is row 1)
    problems = _problems(_tx(Kundennr=["K1", "  ", None]))
    assert [(q.row, q.column) for q in problems] == [(3, "Kundennr"), (4, "Kundennr")]
    assert all("Kundennummer fehlt" in q.message for q in problems)


def test_unparseable_date():
    (p,) = _problems(_tx(Datum=["2024-01-01", "31.02.2024", "2024-01-03"]))
    assert (p.code, p.row, p.column, p.value) == ("bad_date", 3, "Datum", "31.02.2024")
    assert "kein gültiges Datum" in p.message


def test_us_style_date_is_refused_as_ambiguous():
    (p,) = _problems(_tx(Datum=["2024-01-01", "03/04/2024", "2024-01-03"]))
    assert (p.code, p.row) == ("ambiguous_date", 3)
    assert "TT.MM.JJJJ" in p.message


def test_non_numeric_amount():
    (p,) = _problems(_tx(Umsatz=[10, "zehn", 30]))
    assert (p.code, p.row, p.column, p.value) == ("bad_number", 3, "Umsatz", "zehn")
    assert "keine Zahl" in p.message


def test_ambiguous_thousands_number():
    (p,) = _problems(_tx(Umsatz=["1.234", 1, 2]))
    assert (p.code, p.row, p.value) == ("ambiguous_number", 2, "1.234")
    assert "mehrdeutig" in p.message


def test_german_number_text_and_excel_serial_dates_are_accepted():
    clean = schema.validate(
        _tx(
            Umsatz=["1.234,56", "-12,5", " 7,00 € "],
            Datum=[45292, "05.02.2024", dt.datetime(2024, 3, 1, 14, 30)],
        ),
        "transactions",
    )
    assert clean["revenue"].tolist() == [1234.56, -12.5, 7.0]
    # 45292 = 2024-01-01 in Excel's 1900 date system
    assert clean["date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2024-01-01",
        "2024-02-05",
        "2024-03-01",
    ]


def test_integral_float_ids_become_plain_text():
    clean = schema.validate(_tx(Kundennr=[1001.0, 1002, "K3"]), "transactions")
    assert clean["customer_id"].astype(str).tolist() == ["1001", "1002", "K3"]


def test_duplicate_headers():
    frame = pd.DataFrame(
        [["K1", "2024-01-01", 1.0, 2.0]], columns=["Kundennr", "Datum", "Umsatz", "umsatz"]
    )
    (p,) = _problems(frame)
    assert p.code == "duplicate_header" and p.column == "umsatz"


def test_nan_and_inf_amounts():
    problems = _problems(_tx(Umsatz=[np.nan, np.inf, 1.0]))
    assert [(p.code, p.row) for p in problems] == [("blank_number", 2), ("not_finite", 3)]


def test_negative_cost_and_bad_bool():
    problems = _problems(_tx(Versandkosten=[1.0, -4.0, 0.0], Retoure=["ja", "nein", "vielleicht"]))
    assert {(p.code, p.row, p.column) for p in problems} == {
        ("negative_cost", 3, "Versandkosten"),
        ("bad_bool", 4, "Retoure"),
    }


def test_problems_of_all_tables_are_collected_by_analyze():
    contacts = pd.DataFrame({"Kundennr": ["K1"], "Datum": ["gestern"], "Art": ["Mailing"]})
    with pytest.raises(kx.KundenwertError) as info:
        kx.analyze(_tx(Umsatz=[1, "x", 2]), contacts=contacts)
    tables = [p.table for p in info.value.problems]
    assert tables == ["Transaktionen", "Werbekontakte"]
    assert str(info.value).endswith("(und 1 weitere Probleme)")


def test_first_row_offset_is_used_for_row_numbers():
    with pytest.raises(kx.KundenwertError) as info:
        kx.analyze(_tx(Umsatz=[1, "x", 2]), first_rows={"transactions": 5})
    assert info.value.problems[0].row == 6


def test_all_rows_after_reference_date():
    with pytest.raises(kx.KundenwertError) as info:
        kx.analyze(_tx(), settings=kx.Settings(reference_date="2023-12-31"))
    (p,) = info.value.problems
    assert p.code == "no_rows_until_reference_date" and "31.12.2023" in p.message


def test_many_bad_rows_are_summarised_not_listed_endlessly():
    n = 500
    frame = pd.DataFrame({"Kundennr": ["K"] * n, "Datum": ["kaputt"] * n, "Umsatz": [1.0] * n})
    problems = _problems(frame)
    assert len(problems) == 51
    assert "450 weitere Zeilen" in problems[-1].message


def test_bad_settings_name_the_setting():
    with pytest.raises(kx.KundenwertError) as info:
        kx.Settings.from_mapping({"Anzahl Klassen": 11, "Bewertungsmethode": "Zufall"})
    lines = [p.one_line() for p in info.value.problems]
    assert (
        "Einstellungen, Einstellung 'Anzahl Klassen': Der Wert '11' darf höchstens 10 sein."
        in lines
    )
    assert any(
        "Erlaubt sind: Wertgrenzen, Ränge, Feste Grenzen, Quartile" in line for line in lines
    )


def test_date_mangled_into_digits_is_not_taken_for_a_serial():
    (p,) = _problems(_tx(Datum=["2024-01-01", 31022024, "2024-01-03"]))
    assert (p.code, p.row) == ("bad_date", 3)


@pytest.mark.parametrize(
    "value",
    ["30.06.2024", "2024-06-30", "2024-06-30 00:00:00", dt.datetime(2024, 6, 30), 45473.0, "45473"],
)
def test_reference_date_as_typed_or_as_excel_hands_it_over(value):
    # 45473 is 2024-06-30 in Excel's 1900 date system (a date cell formatted as a number)
    assert kx.Settings.from_mapping({"Stichtag": value}).reference_date == dt.date(2024, 6, 30)


@pytest.mark.parametrize("dtype", ["str", "category", "object"])
def test_customer_ids_come_out_sorted_with_codes_remapped(dtype):
    # Arrow/str ids in file order (factorized unsorted), categories and Python objects: each
    # row must keep its own id, and the categories must be the used ids in code point order.
    ids = [" K10", "K2", "Ä1", "K10", "k1", "K2 "]
    tx = pd.DataFrame(
        {
            "customer_id": pd.Series(ids, dtype=dtype),
            "date": pd.to_datetime(["2024-01-01"] * 6),
            "revenue": [1.0] * 6,
        }
    )
    clean = schema.validate(tx, "transactions")
    values = clean["customer_id"].array
    # By hand: "K" (0x4B) < "k" (0x6B) < "Ä" (0xC4); "K10" < "K2" as text.
    assert list(values.categories) == ["K10", "K2", "k1", "Ä1"]
    assert list(values.codes) == [0, 1, 3, 0, 2, 1]
    assert clean["customer_id"].astype(object).tolist() == ["K10", "K2", "Ä1", "K10", "k1", "K2"]


def test_columns_not_read_are_named_in_a_note():
    """A cost column headed 'Wareneinsatz EUR' is not read (the rate is assumed instead):
    the note names it; an empty spare column and the known headers are not named."""
    frame = _tx(**{"Wareneinsatz EUR": [4.0, 8.0, 12.0], "Leer": [None] * 3, " Region ": ["N"] * 3})
    notes: list = []
    schema.validate(frame, "transactions", notes=notes)
    (note,) = [p for p in notes if p.code == "unused_columns"]
    assert note.severity == "note" and note.table == "Transaktionen"
    assert note.message.startswith(
        "Die Spalten 'Wareneinsatz EUR', 'Region' werden nicht ausgewertet (keine bekannte "
        "Überschrift). Enthält eine davon Daten der Auswertung"
    )
    assert "wie die Auswertung sie liest: Kundennr, Datum, Umsatz, Wareneinsatz" in note.message


def test_a_missing_column_is_told_with_the_columns_not_read():
    problems = _problems(_tx().rename(columns={"Umsatz": "Umsatz EUR"}))
    assert [p.code for p in problems] == ["missing_column", "unused_columns"]
    assert "Die Spalte 'Umsatz EUR' wird nicht ausgewertet" in problems[1].message
    assert "Enthält sie Daten der Auswertung" in problems[1].message


def test_many_columns_not_read_are_cut_short():
    extra = {f"X{i}": [1, 2, 3] for i in range(10)}
    notes: list = []
    schema.validate(_tx(**extra), "transactions", notes=notes)
    (note,) = [p for p in notes if p.code == "unused_columns"]
    assert "'X7', …" in note.message and "'X8'" not in note.message
    assert dict(note.params)["count"] == 10


def test_an_empty_row_is_skipped_with_a_note_and_later_rows_keep_their_numbers():
    """A cleared row inside an Excel Table: no data, so no three errors, but a note."""
    frame = _tx(
        Kundennr=["K1", None, " ", "K4"],
        Datum=["2024-01-01", None, "", "2024-13-01"],
        Umsatz=[10.0, None, None, 30.0],
    )
    problems = _problems(frame)
    # The bad date of the fourth data row is Excel row 5, as before the skip.
    assert [(p.code, p.row) for p in problems if p.severity == "error"] == [("bad_date", 5)]
    notes: list = []
    clean = schema.validate(frame.iloc[[0, 1, 2]], "transactions", notes=notes)
    assert list(clean["customer_id"].astype(str)) == ["K1"]
    (note,) = [p for p in notes if p.code == "empty_rows_skipped"]
    assert note.message == (
        "2 leere Zeilen übersprungen (Zeile 3, 4): in keiner ausgewerteten Spalte steht ein Wert."
    )


def test_a_row_without_customer_but_with_an_amount_is_still_an_error():
    problems = _problems(_tx(Kundennr=["K1", None, "K3"], Datum=["2024-01-01", None, "2024-01-03"]))
    assert [(p.code, p.row) for p in problems] == [("blank_id", 3), ("blank_date", 3)]


def test_only_empty_rows_is_an_empty_table():
    (p,) = _problems(_tx(Kundennr=[None] * 3, Datum=[""] * 3, Umsatz=[None] * 3))
    assert p.code == "empty_table"


def test_a_customer_listed_twice_after_an_empty_row_is_named_at_its_sheet_row():
    frame = pd.DataFrame({"Kundennr": ["K1", None, "K2", "K1"], "Name": ["A", None, "B", "C"]})
    problems = _problems(frame, "customers")
    assert [(p.code, p.row) for p in problems if p.severity == "error"] == [
        ("duplicate_customer", 5)
    ]
