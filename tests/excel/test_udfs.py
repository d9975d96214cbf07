"""Worksheet functions called as Excel calls them; results equal analyze() to the last digit."""

import datetime as dt
import io

import pandas as pd
import pytest

import kundenwert_xl as kx
from kundenwert_xl import report
from tests.conftest import FIXTURE_CSV
from tests.excel.conftest import MISSING, call_like_excel


def _cells(frame: pd.DataFrame) -> list[list[object]]:
    """A table as Excel hands it to Python: header row, datetimes, empty cells as None."""
    rows = [list(frame.columns)]
    for values in frame.itertuples(index=False):
        rows.append(
            [
                v.to_pydatetime() if isinstance(v, pd.Timestamp) else (None if v != v else v)
                for v in values
            ]
        )
    return rows


def _fixture_cells():
    frame = pd.read_csv(io.StringIO(FIXTURE_CSV), parse_dates=["date"])
    return _cells(
        frame.rename(columns={"customer_id": "Kundennr", "date": "Datum", "revenue": "Umsatz"})
    )


def test_metadata_names_and_optional_arguments(udfs):
    meta = udfs.KUNDENWERT.__xlfunc__
    assert [a["name"] for a in meta["args"]] == [
        "transaktionen",
        "kunden",
        "werbekontakte",
        "stichtag",
        "einstellungen",
    ]
    assert [a.get("optional", "REQUIRED") for a in meta["args"]][1:] == [None] * 4
    assert "Überschriften" in meta["args"][0]["doc"]
    assert meta["category"] == "Kundenwert"  # the group in Excel's Insert Function dialog
    assert sorted(
        n for n in vars(udfs) if n.isupper() and hasattr(getattr(udfs, n), "__xlfunc__")
    ) == [
        "ABC_KLASSE",
        "CLV_PROGNOSE",
        "DECKUNGSBEITRAG",
        "KERNAUSSAGEN",
        "KUNDENWERT",
        "PARETO",
        "RFM",
        "RFMR_PUNKTE",
    ]


def test_kundenwert_equals_analyze_to_the_last_digit(udfs):
    cells = _fixture_cells()
    out = call_like_excel(
        udfs.KUNDENWERT, cells, MISSING, MISSING, dt.datetime(2024, 6, 30), MISSING
    )
    header, rows = out[0], out[1:]
    assert header == [c.header for c in report.CUSTOMER_COLUMNS]
    frame = pd.read_csv(io.StringIO(FIXTURE_CSV))
    result = kx.analyze(frame, settings=kx.Settings(reference_date="2024-06-30"))
    expected = report.table_rows(report.customer_frame(result), report.CUSTOMER_COLUMNS)
    assert len(rows) == len(expected) == 7
    for got, want in zip(rows, expected, strict=True):
        for g, w in zip(got, want, strict=True):
            if isinstance(w, dt.date):
                assert g == dt.datetime(w.year, w.month, w.day)
            else:
                assert g == ("" if w is None else w)  # identical floats, not approximately


def test_rfm_with_classes_as_excel_passes_numbers(udfs):
    out = call_like_excel(
        udfs.RFM, _fixture_cells(), dt.datetime(2024, 6, 30), 5.0, "Ränge", MISSING
    )
    codes = {row[0]: row[4] for row in out[1:]}
    assert codes == {
        "C1": "355",
        "C2": "113",
        "C3": "454",
        "C4": "535",
        "C5": "242",
        "C6": "323",
        "C7": "531",
    }


def test_settings_range_overrides_defaults(udfs):
    settings = [["Bewertungsmethode", "Ränge"], ["Anzahl Klassen", 5.0], [None, None]]
    out = call_like_excel(
        udfs.RFM, _fixture_cells(), dt.datetime(2024, 6, 30), MISSING, MISSING, settings
    )
    assert {row[0]: row[4] for row in out[1:]}["C1"] == "355"


def test_default_reference_date_is_the_last_transaction_date(udfs):
    out = call_like_excel(udfs.RFM, _fixture_cells(), MISSING, MISSING, MISSING, MISSING)
    days = {row[0]: row[5] for row in out[1:]}
    assert days["C6"] == 0  # C6's purchase on 2024-07-15 is the last date


def test_german_number_text_empty_cells_and_serial_dates(udfs):
    cells = [
        ["Kundennr", "Datum", "Umsatz", "Wareneinsatz"],
        [1001.0, dt.datetime(2024, 1, 5), "1.234,56", None],
        ["K2", 45300.0, 99.5, 50.0],
    ]
    out = call_like_excel(udfs.DECKUNGSBEITRAG, cells, MISSING, MISSING, MISSING, MISSING)
    by_id = {row[0]: row for row in out[1:]}
    net = next(c.header for c in report.CUSTOMER_COLUMNS if c.source == "net_revenue")
    col = out[0].index(net)
    assert by_id["1001"][col] == 1234.56 and by_id["K2"][col] == 99.5


def test_bad_input_gives_one_german_line(udfs):
    cells = [["Kundennr", "Datum"], ["K1", dt.datetime(2024, 1, 1)]]
    out = call_like_excel(udfs.KUNDENWERT, cells, MISSING, MISSING, MISSING, MISSING)
    assert out == [
        [
            "Fehler: Bitte die Tabelle mit Überschriften übergeben, z. B. Transaktionen[#Alle] "
            "(englisches Excel: Transaktionen[#All])."
        ]
    ]
    bad_date = [["Kundennr", "Datum", "Umsatz"], ["K1", "31.02.2024", 5.0]]
    (line,) = call_like_excel(udfs.RFM, bad_date, MISSING, MISSING, MISSING, MISSING)
    assert line[0].startswith("Fehler: Transaktionen, Zeile 2, Spalte Datum: '31.02.2024'")


def test_bad_setting_in_cell(udfs):
    out = call_like_excel(udfs.RFM, _fixture_cells(), MISSING, 12.0, MISSING, MISSING)
    assert (
        out[0][0]
        == "Fehler: Einstellungen, Einstellung 'Anzahl Klassen': Der Wert '12' darf höchstens 10 sein."  # noqa: E501
    )


def test_single_cell_and_column_for_abc(udfs):
    out = call_like_excel(udfs.ABC_KLASSE, [[50.0], [30.0], [15.0], [5.0]], MISSING, MISSING)
    assert out == [["A"], ["A"], ["B"], ["C"]]
    assert call_like_excel(udfs.ABC_KLASSE, 42.0, MISSING, MISSING) == [["A"]]
    assert call_like_excel(udfs.ABC_KLASSE, [[50.0], [30.0]], 0.9, 0.5)[0][0].startswith("Fehler: ")


def test_pareto_has_100_rows_and_sentences(udfs):
    out = call_like_excel(
        udfs.PARETO, _fixture_cells(), MISSING, MISSING, "Umsatz", MISSING, MISSING
    )
    assert len(out) == 101 and out[0][0] == "Anteil Kunden"
    assert out[-1][3] == pytest.approx(1.0)
    lines = call_like_excel(udfs.KERNAUSSAGEN, _fixture_cells(), MISSING, MISSING, MISSING, MISSING)
    assert any("der Kunden erzielen 80 % des Umsatzes" in row[0] for row in lines)


def test_table_without_header_is_explained(udfs):
    out = call_like_excel(
        udfs.KUNDENWERT, [["K1", dt.datetime(2024, 1, 1), 5.0]], MISSING, MISSING, MISSING, MISSING
    )
    assert out[0][0].startswith("Fehler: Bitte die Tabelle mit Überschriften übergeben")


def test_clv_prognose_equals_analyze_to_the_last_digit(udfs):
    from tests import cdnow

    frame = cdnow.sample()
    german = {"customer_id": "Kundennr", "date": "Datum", "revenue": "Umsatz"}
    cells = _cells(frame.rename(columns=german))
    out = call_like_excel(udfs.CLV_PROGNOSE, cells, dt.datetime(1997, 9, 30), 6.0, 0.05, MISSING)
    header, rows = out[0], out[1:]
    assert header == [
        "Kundennr",
        "P(aktiv)",
        "Prognose Käufe",
        "Prognose Umsatz",
        "Prognose-CLV Umsatz (abgezinst)",
        "Prognose-DB (abgezinst)",
    ]
    settings = kx.Settings(
        reference_date="1997-09-30", forecast_months=6, forecast_discount_rate=0.05
    )
    c = kx.analyze(frame, settings=settings).customers.sort_index()
    assert [r[0] for r in rows] == list(c.index)
    columns = ["p_alive", "expected_purchases", "expected_revenue", "clv_revenue", "clv_db"]
    assert [r[1:] for r in rows] == c[columns].to_numpy().tolist()  # identical floats


def test_clv_prognose_says_why_there_is_none(udfs):
    out = call_like_excel(udfs.CLV_PROGNOSE, _fixture_cells(), MISSING, MISSING, MISSING, MISSING)
    # No Stichtag: the last date (15.07.2024), so C1, C3, C4, C5 and C6 bought on a second day.
    assert len(out) == 1
    assert out[0][0].startswith("Fehler: Transaktionen: Keine Prognose: nur 5 Kunden")


def test_annotated_arguments_pick_xlwings_converters(udfs):
    """The Annotated types reach xlwings' own converters, as the old ``@xw.arg`` lines did.

    Expected per argument, by hand from the function reference (README): tables become
    DataFrames with their header row and no index, ``Werte`` a 1-d numpy array, ``Klassen``
    integers, ``Einstellungen`` a 2-d list, every other cell its plain value.
    """
    from xlwings.conversion import accessors

    def converters(func):
        return {
            a["name"]: (
                accessors.get(a["options"].get("convert"), None).__name__,
                {k: v for k, v in a["options"].items() if k != "convert"},
            )
            for a in func.__xlfunc__["args"]
        }

    table = ("PandasDataFrameConverter", {"index": False, "header": True})
    cell = ("ValueAccessor", {})
    assert converters(udfs.RFM) == {
        "transaktionen": table,
        "stichtag": cell,
        "klassen": ("ValueAccessor", {"numbers": int}),
        "methode": cell,
        "einstellungen": ("ValueAccessor", {"ndim": 2}),
    }
    assert converters(udfs.KUNDENWERT) == {
        "transaktionen": table,
        "kunden": table,
        "werbekontakte": table,
        "stichtag": cell,
        "einstellungen": ("ValueAccessor", {"ndim": 2}),
    }
    assert converters(udfs.ABC_KLASSE) == {
        "werte": ("NumpyArrayConverter", {"ndim": 1}),
        "grenze_a": cell,
        "grenze_b": cell,
    }
    assert [a.get("optional") for a in udfs.PARETO.__xlfunc__["args"]][3] == "DB"
    ret = udfs.KERNAUSSAGEN.__xlfunc__["ret"]["options"]
    assert (ret["index"], ret["header"]) == (False, False)


def test_the_error_wrapper_keeps_the_function_and_says_why_in_german(udfs):
    """One wrapper: name and docstring kept for Excel; any failure is one German cell."""
    assert udfs.RFM.__name__ == "RFM"
    assert udfs.RFM.__doc__.startswith("RFM-Klassen je Kunde")

    def broken() -> list[list[object]]:
        return [[1 / 0]]

    assert udfs._cell_errors(broken)() == [
        [
            "Unerwarteter Fehler: ZeroDivisionError: division by zero. "
            "Bitte 'kundenwert doctor' ausführen."
        ]
    ]
    # Bad input raised inside a function: its first problem, in the cell.
    assert udfs.RFM("keine Tabelle") == [
        [
            "Fehler: Bitte die Tabelle mit Überschriften übergeben, z. B. Transaktionen[#Alle] "
            "(englisches Excel: Transaktionen[#All])."
        ]
    ]
