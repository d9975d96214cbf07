"""The hostile-input corpus of issue 10: every case is a file (or cells) and what must come out.

Each case names the input, the exit code of ``kundenwert analyze`` and German fragments the
output must contain, or the numbers the result must hold (computed by hand in the comments).
The command runs in-process through ``cli.main`` (the same last net a user's process has), the
worksheet functions through xlwings' real conversion layer (tests/excel/conftest.py). Library
warnings are errors here: any that escaped would reach the user in English.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from openpyxl.worksheet.table import Table

from kundenwert_xl import cli
from tests.excel.conftest import MISSING, call_like_excel

# ResourceWarnings (a library's unclosed temporary files while the demo template is built) are
# silenced by Python for users anyway; every other warning would reach them.
pytestmark = [
    pytest.mark.filterwarnings("error"),
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]

INTERNAL = "Unerwarteter Fehler"
READERS = ("csv,", "csv;", "xlsx", "xlsm", "parquet", "udf")
BULLETS = (
    "leading_zeros",
    "two_digit_year",
    "duplicate_customer",
    "duplicate_header",
    "assumption_notes",
    "date_range",
    "zone_offset",
    "empty_file",
    "encoding",
    "hostile_xml",
    "table_range",
    "udf_arguments",
    "overflow",
    "excel_serial",
    "not_regular_file",
    "csv_shape",  # found on the way: rows wider than the header, an unclosed quote
)


@dataclass(frozen=True)
class Case:
    """One input and what must come out of it."""

    id: str
    reader: str
    bullet: str
    make: Callable[[Path], None]
    code: int
    fragments: tuple[str, ...] = ()
    numbers: Callable[[pd.DataFrame], None] | None = None
    args: tuple[str, ...] = ()
    suffix: str = ""
    settings_file: bytes | None = None

    @property
    def file_suffix(self) -> str:
        return self.suffix or {"csv,": ".csv", "csv;": ".csv"}.get(self.reader, f".{self.reader}")


# --- writers -------------------------------------------------------------------------------------


def text(content: str, encoding: str = "utf-8") -> Callable[[Path], None]:
    return lambda path: path.write_bytes(content.encode(encoding))


def raw(content: bytes) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(content)


def workbook(
    sheets: dict[str, list[list[object]]], tables: tuple[str, ...] = ()
) -> Callable[[Path], None]:
    """Sheets with rows (header first); names in ``tables`` also become Excel Tables."""

    def make(path: Path) -> None:
        wb = openpyxl.Workbook()
        wb.remove(wb.active)
        for name, rows in sheets.items():
            ws = wb.create_sheet(name)
            for row in rows:
                ws.append(row)
            if name in tables:
                last = openpyxl.utils.get_column_letter(len(rows[0]))
                ws.add_table(Table(displayName=name, ref=f"A1:{last}{len(rows)}"))
        wb.save(path)

    return make


def patched(
    base: Callable[[Path], None], part: str, change: Callable[[bytes], bytes]
) -> Callable[[Path], None]:
    """A workbook from ``base`` with one part rewritten (as an attacker would)."""

    def make(path: Path) -> None:
        plain = path.with_name("plain" + path.suffix)
        base(plain)
        with zipfile.ZipFile(plain) as zin, zipfile.ZipFile(path, "w") as zout:
            for info in zin.infolist():
                data = zin.read(info.filename)
                zout.writestr(info, change(data) if info.filename == part else data)

    return make


def parquet(frame: pd.DataFrame) -> Callable[[Path], None]:
    return lambda path: frame.to_parquet(path, index=False)


TX = ["Kundennr", "Datum", "Umsatz"]
LEADING = [
    ["000123", "2024-01-01", 10.0, "007"],
    ["0123", "2024-01-02", 20.0, "7"],
    ["123", "2024-01-03", 30.0, "0007"],
    ["0123", "2024-01-04", 5.0, "8"],
]
BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
)


def _ids_are(*ids: str) -> Callable[[pd.DataFrame], None]:
    def check(result: pd.DataFrame) -> None:
        assert sorted(result["Kundennr"]) == sorted(ids)

    return check


def _leading_numbers(result: pd.DataFrame) -> None:
    # 000123, 0123 and 123 are three customers; 0123 has two orders (7 and 8) worth 25.
    by_id = result.set_index("Kundennr")
    assert sorted(by_id.index) == ["000123", "0123", "123"]
    assert by_id.loc["0123", "Aufträge"] == 2 and by_id.loc["0123", "Nettoumsatz"] == 25
    assert by_id.loc["000123", "Nettoumsatz"] == 10 and by_id.loc["123", "Nettoumsatz"] == 30


def _default_cost_numbers(result: pd.DataFrame) -> None:
    # A: 100 + 50, two rows = two orders: DB I = 150 x (1 - 0.6) = 60, DB II = 60 - 2 x 8 = 44.
    # B: 200, one order: DB I = 80, DB II = 72.
    by_id = result.set_index("Kundennr")
    assert by_id.loc["A", ["Nettoumsatz", "DB I", "DB II"]].tolist() == [150, 60, 44]
    assert by_id.loc["B", ["Nettoumsatz", "DB I", "DB II"]].tolist() == [200, 80, 72]


def _zone_numbers(result: pd.DataFrame) -> None:
    # 23:30 at -05:00 is 04:30 UTC the next day; the date as written (31.01.) counts.
    assert result.set_index("Kundennr").loc["Z", "Letzter Kauf"] == dt.date(2024, 1, 31)


def _serial_numbers(result: pd.DataFrame) -> None:
    # Excel serial 1 = 01.01.1900, 59 = 28.02.1900, 61 = 01.03.1900 (60 is the phantom 29.02.).
    by_id = result.set_index("Kundennr")
    assert by_id.loc["S1", "Erster Kauf"] == dt.date(1900, 1, 1)
    assert by_id.loc["S1", "Letzter Kauf"] == dt.date(1900, 2, 28)
    assert by_id.loc["S2", "Letzter Kauf"] == dt.date(1900, 3, 1)


def _csv(rows: list[list[object]], sep: str, header: list[str] = TX) -> str:
    lines = [sep.join(header)] + [sep.join(str(v) for v in row) for row in rows]
    return "\n".join(lines) + "\n"


LATE_UMLAUT = (
    "Kundennr;Datum;Umsatz\n"
    + "".join(f"K{i};01.01.2024;10\n" for i in range(6000))
    + "Müller;02.01.2024;5\n"
)
assert len(LATE_UMLAUT) > 65536
TZ_FRAME = pd.DataFrame(
    {
        "Kundennr": ["Z", "Y"],
        "Datum": pd.to_datetime(["2024-01-31 23:30", "2024-01-02 10:00"]).tz_localize("UTC"),
        "Umsatz": [10.0, 20.0],
    }
)
FAR_FRAME = pd.DataFrame(
    {
        "Kundennr": ["A", "B"],
        "Datum": pd.Series(
            [dt.datetime(2024, 1, 1), dt.datetime(9999, 12, 31)], dtype="datetime64[us]"
        ),
        "Umsatz": [10.0, 20.0],
    }
)
TABLE_BOOK = workbook({"Transaktionen": [[*TX, "Auftragsnr"], *LEADING]}, tables=("Transaktionen",))


CASES = [
    # -- customer and order numbers are text in every reader and dialect
    Case(
        "csv_comma_leading_zeros",
        "csv,",
        "leading_zeros",
        text(_csv(LEADING, ",", [*TX, "Auftragsnr"])),
        0,
        numbers=_leading_numbers,
    ),
    Case(
        "csv_semicolon_leading_zeros",
        "csv;",
        "leading_zeros",
        text(_csv(LEADING, ";", [*TX, "Auftragsnr"])),
        0,
        numbers=_leading_numbers,
    ),
    Case(
        "csv_alias_header_leading_zeros",
        "csv,",
        "leading_zeros",
        text("Kundennummer,Datum,Umsatz\n0042,2024-01-01,1\n42,2024-01-02,2\n"),
        0,
        numbers=_ids_are("0042", "42"),
    ),
    Case(
        "csv_na_is_an_id_not_a_blank",
        "csv;",
        "leading_zeros",
        text("Kundennr;Datum;Umsatz\nNA;01.01.2024;1\nNULL;01.01.2024;2\n"),
        0,
        numbers=_ids_are("NA", "NULL"),
    ),
    Case(
        "xlsx_table_leading_zeros", "xlsx", "leading_zeros", TABLE_BOOK, 0, numbers=_leading_numbers
    ),
    Case(
        "xlsm_sheet_leading_zeros",
        "xlsm",
        "leading_zeros",
        workbook({"Transaktionen": [[*TX, "Auftragsnr"], *LEADING]}),
        0,
        numbers=_leading_numbers,
    ),
    Case(
        "xlsx_text_and_number_ids",
        "xlsx",
        "leading_zeros",
        workbook({"Transaktionen": [TX, ["0042", "2024-01-01", 1], [42, "2024-01-02", 2]]}),
        0,
        numbers=_ids_are("0042", "42"),
    ),
    Case(
        "parquet_text_ids",
        "parquet",
        "leading_zeros",
        parquet(pd.DataFrame([r[:3] for r in LEADING], columns=TX)),
        0,
        numbers=_ids_are("000123", "0123", "123"),
    ),
    # -- two-digit years are refused, never guessed
    Case(
        "csv_semicolon_two_digit_year",
        "csv;",
        "two_digit_year",
        text("Kundennr;Datum;Umsatz\n1;06.01.99;10\n2;01.01.2024;20\n"),
        1,
        ("Transaktionen, Zeile 2, Spalte Datum", "'06.01.99' hat eine zweistellige Jahreszahl"),
    ),
    Case(
        "csv_german_date_with_time",
        "csv;",
        "two_digit_year",
        text("Kundennr;Datum;Umsatz\nT;05.01.2024 13:45;1\nT;6.1.2024 08:00:00;1\n"),
        0,
        numbers=lambda r: (
            r.set_index("Kundennr").loc["T", ["Erster Kauf", "Letzter Kauf"]].tolist()
            == [dt.date(2024, 1, 5), dt.date(2024, 1, 6)]
            or pytest.fail("dates")
        ),
    ),
    Case(
        "csv_two_digit_year_with_time",
        "csv;",
        "two_digit_year",
        text("Kundennr;Datum;Umsatz\n1;05.01.24 13:45;1\n"),
        1,
        ("zweistellige Jahreszahl",),
    ),
    Case(
        "csv_comma_two_digit_year",
        "csv,",
        "two_digit_year",
        text("Kundennr,Datum,Umsatz\n1,1.2.24,10\n"),
        1,
        ("zweistellige Jahreszahl",),
    ),
    Case(
        "xlsx_two_digit_year",
        "xlsx",
        "two_digit_year",
        workbook({"Transaktionen": [TX, ["1", "06.01.99", 10]]}),
        1,
        ("Zeile 2, Spalte Datum", "zweistellige Jahreszahl"),
    ),
    Case(
        "stichtag_two_digit_year",
        "csv;",
        "two_digit_year",
        text("Kundennr;Datum;Umsatz\n1;01.01.2024;10\n"),
        1,
        ("Stichtag", "'06.01.99'"),
        args=("--stichtag", "06.01.99"),
    ),
    # -- a customer listed twice in Kunden
    Case(
        "xlsx_customer_twice",
        "xlsx",
        "duplicate_customer",
        workbook(
            {
                "Transaktionen": [TX, ["K1", "2024-01-01", 10]],
                "Kunden": [["Kundennr", "Name"], ["K1", "Alt"], ["K1", "Neu"]],
            }
        ),
        1,
        ("Kunden, Zeile 3, Spalte Kundennr", "'K1' steht mehrfach in der Kundentabelle"),
    ),
    Case(
        "xlsm_customer_twice_without_transactions",
        "xlsm",
        "duplicate_customer",
        workbook(
            {
                "Transaktionen": [TX, ["K1", "2024-01-01", 10]],
                "Kunden": [["Kundennr", "Servicekosten"], ["K9", 5], ["K9", 7]],
            },
            tables=("Transaktionen", "Kunden"),
        ),
        1,
        ("Kunden, Zeile 3", "'K9' steht mehrfach"),
    ),
    # -- a header given twice
    Case(
        "csv_semicolon_header_twice",
        "csv;",
        "duplicate_header",
        text("Kundennr;Datum;Umsatz;Umsatz\n1;01.01.2024;10;20\n"),
        1,
        ("Spalte Umsatz", "Die Überschrift 'Umsatz' kommt mehrfach vor"),
    ),
    Case(
        "csv_comma_header_twice_by_alias",
        "csv,",
        "duplicate_header",
        text("Kundennr,Datum,Umsatz,Betrag\n1,2024-01-01,10,20\n"),
        1,
        # A new user read "'Umsatz' kommt mehrfach vor" in a file with one 'Umsatz'.
        ("Die Spalten 'Umsatz' und 'Betrag' meinen beide 'Umsatz'",),
    ),
    Case(
        "xlsx_sheet_header_twice",
        "xlsx",
        "duplicate_header",
        workbook({"Transaktionen": [[*TX, "Umsatz"], ["1", "2024-01-01", 10, 20]]}),
        1,
        ("kommt mehrfach vor",),
    ),
    Case(
        "xlsm_sheet_id_header_twice_with_blank_tail",
        "xlsm",
        "duplicate_header",
        workbook(
            {
                "Transaktionen": [
                    [*TX, "Kundennr"],
                    ["1", "2024-01-01", 10, "2"],
                    [None, None, None, None],
                ]
            }
        ),
        1,
        ("Spalte Kundennr", "Die Überschrift 'Kundennr' kommt mehrfach vor"),
    ),
    # -- every assumption that changes a number is a note
    Case(
        "csv_default_costs_are_named",
        "csv;",
        "assumption_notes",
        text("Kundennr;Datum;Umsatz\nA;01.01.2024;100\nA;01.02.2024;50\nB;15.01.2024;200\n"),
        0,
        (
            "Annahme: Transaktionen, Spalte Wareneinsatz: Die Spalte Wareneinsatz fehlt",
            "Wareneinsatzquote von 60,0 %",
            "zusammen 210,00 €",
            "Annahme: Einstellungen, Einstellung 'Kosten je Auftrag (Euro)'",
            "bei 3 Aufträgen zusammen 24,00 €",
            "jede Zeile mit Umsatz zählt als eigener Auftrag",
            "Kein Stichtag angegeben",
        ),
        numbers=_default_cost_numbers,
    ),
    Case(
        "parquet_blank_cost_of_goods",
        "parquet",
        "assumption_notes",
        parquet(
            pd.DataFrame(
                {
                    "Kundennr": ["A", "A"],
                    "Datum": ["2024-01-01", "2024-01-02"],
                    "Umsatz": [100.0, 40.0],
                    "Wareneinsatz": [30.0, None],
                }
            )
        ),
        0,
        ("1 Zeile ohne Wareneinsatz", "zusammen 24,00 €"),
    ),
    # -- dates outside the calendar the analysis accepts, dates with a zone offset
    Case(
        "csv_year_9999",
        "csv;",
        "date_range",
        text("Kundennr;Datum;Umsatz\n1;31.12.9999;1\n"),
        1,
        ("'31.12.9999' liegt außerhalb des Zeitraums 01.01.1900 bis 31.12.2099",),
    ),
    Case(
        "csv_year_1",
        "csv,",
        "date_range",
        text("Kundennr,Datum,Umsatz\n1,0001-01-01,1\n"),
        1,
        ("'0001-01-01' liegt außerhalb",),
    ),
    Case(
        "csv_beyond_pandas_range",
        "csv,",
        "date_range",
        text("Kundennr,Datum,Umsatz\n1,2262-04-12,1\n2,2024-01-01,1\n"),
        1,
        ("Zeile 2, Spalte Datum", "'2262-04-12' liegt außerhalb"),
    ),
    Case(
        "parquet_year_9999",
        "parquet",
        "date_range",
        parquet(FAR_FRAME),
        1,
        ("Zeile 3, Spalte Datum", "liegt außerhalb"),
    ),
    Case(
        "xlsx_year_9999",
        "xlsx",
        "date_range",
        workbook({"Transaktionen": [TX, ["1", dt.datetime(9999, 12, 31), 1]]}),
        1,
        ("liegt außerhalb",),
    ),
    Case(
        "csv_zone_offset",
        "csv,",
        "zone_offset",
        text("Kundennr,Datum,Umsatz\nZ,2024-01-31T23:30:00-05:00,10\nY,2024-01-02,20\n"),
        0,
        ("Annahme: Transaktionen, Zeile 2, Spalte Datum", "ohne Umrechnung der Zeitzone"),
        numbers=_zone_numbers,
    ),
    Case(
        "parquet_zone_aware",
        "parquet",
        "zone_offset",
        parquet(TZ_FRAME),
        0,
        ("ohne Umrechnung der Zeitzone",),
        numbers=_zone_numbers,
    ),
    # -- empty files
    Case("csv_zero_bytes", "csv,", "empty_file", raw(b""), 3, ("Die Datei ist leer (0 Byte)",)),
    Case("xlsx_zero_bytes", "xlsx", "empty_file", raw(b""), 3, ("leer (0 Byte)",)),
    Case("parquet_zero_bytes", "parquet", "empty_file", raw(b""), 3, ("leer (0 Byte)",)),
    Case(
        "csv_bom_only", "csv;", "empty_file", raw(b"\xef\xbb\xbf"), 3, ("keine Überschriftenzeile",)
    ),
    Case(
        "csv_header_only",
        "csv;",
        "empty_file",
        text("Kundennr;Datum;Umsatz\n"),
        1,
        ("keine Datenzeilen",),
    ),
    Case(
        "parquet_not_parquet",
        "parquet",
        "empty_file",
        raw(b"Kundennr;Datum\n1;2\n"),
        3,
        ("keine lesbare Parquet-Datei",),
    ),
    Case(
        "xlsx_not_a_zip",
        "xlsx",
        "empty_file",
        raw(b"Kundennr;Datum\n1;2\n"),
        3,
        ("kann nicht gelesen werden",),
    ),
    # -- encodings, decided over the whole file
    Case(
        "csv_cp1252_umlaut_after_64kb",
        "csv;",
        "encoding",
        text(LATE_UMLAUT, "cp1252"),
        0,
        numbers=lambda r: ("Müller" in set(r["Kundennr"])) or pytest.fail("Müller"),
    ),
    Case(
        "csv_utf8_bom_comma",
        "csv,",
        "encoding",
        text("Kundennr,Datum,Umsatz\nÄ1,2024-01-01,10\n", "utf-8-sig"),
        0,
        numbers=_ids_are("Ä1"),
    ),
    Case(
        "csv_utf16_bom",
        "csv;",
        "encoding",
        text("Kundennr;Datum;Umsatz\nÄ1;01.01.2024;10\n", "utf-16"),
        0,
        numbers=_ids_are("Ä1"),
    ),
    Case(
        "csv_utf16_without_bom",
        "csv;",
        "encoding",
        text("Kundennr;Datum;Umsatz\n1;01.01.2024;10\n", "utf-16-le"),
        3,
        ("UTF-16", "ohne Byte-Order-Mark"),
    ),
    Case(
        "csv_neither_utf8_nor_cp1252",
        "csv;",
        "encoding",
        raw(b"Kundennr;Datum;Umsatz\n\x81\x8d;01.01.2024;10\n"),
        3,
        ("weder UTF-8 noch Windows-1252 (cp1252)", "Byte 0x81"),
    ),
    # -- hostile XML in an input workbook
    Case(
        "xlsx_entities_in_sheet",
        "xlsx",
        "hostile_xml",
        patched(TABLE_BOOK, "xl/worksheets/sheet1.xml", lambda d: BILLION_LAUGHS + d),
        3,
        ("'xl/worksheets/sheet1.xml'", "(DTD) oder Entitäten"),
    ),
    Case(
        "xlsm_external_dtd_in_workbook",
        "xlsm",
        "hostile_xml",
        patched(
            TABLE_BOOK,
            "xl/workbook.xml",
            lambda d: b'<!DOCTYPE x SYSTEM "http://example.invalid/x.dtd">' + d,
        ),
        3,
        ("'xl/workbook.xml'", "DTD"),
    ),
    Case(
        "xlsx_dtd_in_table_part",
        "xlsx",
        "hostile_xml",
        patched(TABLE_BOOK, "xl/tables/table1.xml", lambda d: b"<!DOCTYPE table>" + d),
        3,
        ("xl/tables/table1.xml",),
    ),
    Case(
        "xlsx_broken_xml",
        "xlsx",
        "hostile_xml",
        patched(TABLE_BOOK, "xl/workbook.xml", lambda d: b"<<" + d),
        3,
        ("Die Mappe enthält fehlerhaftes XML",),
    ),
    # -- table ranges that are no cell range
    Case(
        "xlsx_table_range_zzz",
        "xlsx",
        "table_range",
        patched(
            TABLE_BOOK, "xl/tables/table1.xml", lambda d: d.replace(b'ref="A1:D5"', b'ref="ZZZ"')
        ),
        3,
        ("Die Excel-Tabelle 'Transaktionen' hat den Bereich 'ZZZ'",),
    ),
    Case(
        "xlsm_table_range_beyond_grid",
        "xlsm",
        "table_range",
        patched(
            TABLE_BOOK,
            "xl/tables/table1.xml",
            lambda d: d.replace(b'ref="A1:D5"', b'ref="A1:D2000000"'),
        ),
        3,
        ("'A1:D2000000'", "kein gültiger Zellbereich"),
    ),
    # -- numbers beyond a plausible limit (1e308 would overflow the sums)
    Case(
        "csv_1e308",
        "csv;",
        "overflow",
        text("Kundennr;Datum;Umsatz\n1;01.01.2024;1e308\n1;02.01.2024;1e308\n"),
        1,
        ("Zeile 2, Spalte Umsatz", "unplausibel groß", "Zeile 3"),
    ),
    Case(
        "csv_infinity",
        "csv,",
        "overflow",
        text("Kundennr,Datum,Umsatz\n1,2024-01-01,inf\n"),
        1,
        ("kein endlicher Betrag",),
    ),
    Case(
        "xlsx_huge_cost",
        "xlsx",
        "overflow",
        workbook({"Transaktionen": [[*TX, "Versandkosten"], ["1", "2024-01-01", 1, 1e300]]}),
        1,
        ("Spalte Versandkosten", "unplausibel groß"),
    ),
    Case(
        "parquet_huge_negative",
        "parquet",
        "overflow",
        parquet(pd.DataFrame({"Kundennr": ["1"], "Datum": ["2024-01-01"], "Umsatz": [-1e13]})),
        1,
        ("unplausibel groß",),
    ),
    Case(
        "csv_text_number",
        "csv;",
        "overflow",
        text("Kundennr;Datum;Umsatz\n1;01.01.2024;NULL\n"),
        1,
        ("'NULL' ist keine Zahl",),
    ),
    # -- Excel serial dates and the 1900 leap-year quirk
    Case(
        "xlsx_serials_below_61",
        "xlsx",
        "excel_serial",
        workbook({"Transaktionen": [TX, ["S1", 1, 1], ["S1", 59, 1], ["S2", 61, 1]]}),
        0,
        numbers=_serial_numbers,
    ),
    Case(
        "csv_serial_60",
        "csv;",
        "excel_serial",
        text("Kundennr;Datum;Umsatz\n1;60;1\n1;01.01.2024;1\n"),
        1,
        ("Zeile 2, Spalte Datum", "der 29.02.1900, den es nicht gibt"),
    ),
    Case(
        "stichtag_serial_60",
        "csv;",
        "excel_serial",
        text("Kundennr;Datum;Umsatz\n1;01.01.2024;1\n"),
        1,
        ("Stichtag", "'60'"),
        args=("--stichtag", "60"),
    ),
    # -- anything that is not a regular file
    Case(
        "directory",
        "csv,",
        "not_regular_file",
        lambda path: path.mkdir(),
        3,
        ("keine gewöhnliche Datei",),
    ),
    # -- rows that do not fit the header (pandas shifted or dropped columns, or spoke English)
    Case(
        "csv_first_row_wider_than_header",
        "csv;",
        "csv_shape",
        text("Kundennr;Datum;Umsatz\n1;01.01.2024;10;99\n2;01.01.2024;5\n"),
        1,
        ("Transaktionen, Zeile 2", "Die Zeile hat 4 Felder, die Überschrift nur 3"),
    ),
    Case(
        "csv_later_row_wider_than_header",
        "csv,",
        "csv_shape",
        text("Kundennr,Datum,Umsatz\n1,2024-01-01,10\n2,2024-01-01,5,7,8\n"),
        1,
        ("Transaktionen, Zeile 3", "5 Felder"),
    ),
    Case(
        "csv_unclosed_quote",
        "csv;",
        "csv_shape",
        text('Kundennr;Datum;Umsatz\n1;"01.01.2024;10\n2;01.01.2024;5\n'),
        1,
        ("Zeile 2", "Anführungszeichen"),
    ),
    # -- the settings file is read as carefully as the data
    Case(
        "settings_not_toml",
        "csv;",
        "encoding",
        text("Kundennr;Datum;Umsatz\n1;01.01.2024;1\n"),
        3,
        ("einstellungen.toml", "keine gültige TOML-Datei"),
        settings_file=b"Stichtag = [\n",
    ),
    Case(
        "settings_cp1252",
        "csv;",
        "encoding",
        text("Kundennr;Datum;Umsatz\n1;01.01.2024;1\n"),
        3,
        ("nicht UTF-8-kodiert",),
        settings_file="Kundengruppe = 'Bäcker'\n".encode("cp1252"),
    ),
    Case(
        "settings_two_digit_stichtag",
        "csv;",
        "two_digit_year",
        text("Kundennr;Datum;Umsatz\n1;01.01.2024;1\n"),
        1,
        ("Stichtag", "'01.01.24'"),
        settings_file=b'Stichtag = "01.01.24"\n',
    ),
]


def run_cli(path: Path, capsys, *args: str) -> tuple[int, str]:
    """``kundenwert analyze`` in-process through the console script's entry point."""
    out = path.parent / "ergebnis.parquet"
    argv = ["kundenwert", "analyze", str(path), "-o", str(out), *args]
    old = sys.argv
    sys.argv = argv
    try:
        cli.main()
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    finally:
        sys.argv = old
    captured = capsys.readouterr()
    return code, captured.out + captured.err


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_cli_case(case: Case, tmp_path, capsys):
    path = tmp_path / f"eingabe{case.file_suffix}"
    case.make(path)
    args = case.args
    if case.settings_file is not None:
        (tmp_path / "einstellungen.toml").write_bytes(case.settings_file)
        args = (*args, "--einstellungen", str(tmp_path / "einstellungen.toml"))
    code, output = run_cli(path, capsys, *args)
    assert INTERNAL not in output
    assert code == case.code, output
    for fragment in case.fragments:
        assert fragment in output, output
    if case.numbers is not None:
        case.numbers(pd.read_parquet(tmp_path / "ergebnis.parquet"))


@pytest.mark.parametrize("which", ["input", "settings"])
def test_fifo_is_refused_without_waiting(tmp_path, which):
    """A FIFO would block the reader forever; the real command must refuse it at once."""
    fifo = tmp_path / ("umsaetze.csv" if which == "input" else "einstellungen.toml")
    os.mkfifo(fifo)
    source = fifo
    args = []
    if which == "settings":
        source = tmp_path / "umsaetze.csv"
        source.write_text("Kundennr;Datum;Umsatz\n1;01.01.2024;1\n", encoding="utf-8")
        args = ["--einstellungen", str(fifo)]
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "kundenwert_xl.cli",
            "analyze",
            str(source),
            "-o",
            str(tmp_path / "r.parquet"),
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 3, res.stderr
    assert "keine gewöhnliche Datei" in res.stderr and INTERNAL not in res.stderr


def test_analyze_xlsx_protocol_names_the_assumptions(tmp_path, capsys):
    """The Prüfprotokoll of a result workbook lists the notes, not 'Keine Probleme gefunden'."""
    path = tmp_path / "umsaetze.csv"
    path.write_text("Kundennr;Datum;Umsatz\nA;01.01.2024;100\n", encoding="utf-8")
    code, _ = run_cli(path, capsys, "-o", str(tmp_path / "r.xlsx"))
    assert code == 0
    sheet = openpyxl.load_workbook(tmp_path / "r.xlsx", read_only=True)["Prüfprotokoll"]
    cells = [str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None]
    assert "Keine Probleme gefunden." not in cells
    assert "Annahme" in cells
    assert any("Wareneinsatzquote von 60,0 %" in c for c in cells)


# --- the worksheet functions, through xlwings' real conversion layer ---------------------------


def _tx_cells(*rows: list[object], header: list[str] = TX) -> list[list[object]]:
    return [list(header), *[list(r) for r in rows]]


@dataclass(frozen=True)
class UdfCase:
    """Cells handed to one worksheet function and what the spilled result must say."""

    id: str
    bullet: str
    function: str
    cells: tuple = ()
    fragments: tuple[str, ...] = ()
    check: Callable[[list[list[object]]], None] | None = None
    kwargs: dict = field(default_factory=dict)


def _udf_ids(*ids: str) -> Callable[[list[list[object]]], None]:
    def check(out: list[list[object]]) -> None:
        assert sorted(str(row[0]) for row in out[1:]) == sorted(ids)

    return check


D = dt.datetime
UDF_CASES = [
    UdfCase(
        "kundenwert_leading_zeros_and_numbers",
        "leading_zeros",
        "KUNDENWERT",
        (
            _tx_cells(["007", D(2024, 1, 1), 10.0], [7.0, D(2024, 1, 2), 20.0]),
            MISSING,
            MISSING,
            MISSING,
            MISSING,
        ),
        check=_udf_ids("007", "7"),
    ),
    UdfCase(
        "rfm_two_digit_year",
        "two_digit_year",
        "RFM",
        (_tx_cells(["1", "06.01.99", 10.0]), MISSING, MISSING, MISSING, MISSING),
        ("zweistellige Jahreszahl",),
    ),
    UdfCase(
        "kundenwert_customer_twice",
        "duplicate_customer",
        "KUNDENWERT",
        (
            _tx_cells(["K1", D(2024, 1, 1), 10.0]),
            [["Kundennr", "Name"], ["K9", "a"], ["K9", "b"]],
            MISSING,
            MISSING,
            MISSING,
        ),
        ("'K9' steht mehrfach",),
    ),
    UdfCase(
        "deckungsbeitrag_header_twice",
        "duplicate_header",
        "DECKUNGSBEITRAG",
        (
            _tx_cells(["1", D(2024, 1, 1), 10.0, 5.0], header=[*TX, "Umsatz"]),
            MISSING,
            MISSING,
            MISSING,
            MISSING,
        ),
        ("kommt mehrfach vor",),
    ),
    UdfCase(
        "kundenwert_year_9999",
        "date_range",
        "KUNDENWERT",
        (
            _tx_cells(["1", D(9999, 12, 31), 10.0], ["2", D(2024, 1, 1), 1.0]),
            MISSING,
            MISSING,
            MISSING,
            MISSING,
        ),
        ("liegt außerhalb",),
    ),
    UdfCase(
        "kundenwert_serial_number_date",
        "excel_serial",
        "KUNDENWERT",
        (_tx_cells(["1", 1.0, 10.0], ["1", 61.0, 10.0]), MISSING, MISSING, MISSING, MISSING),
        check=lambda out: _row_dates(out, D(1900, 1, 1), D(1900, 3, 1)),
    ),
    UdfCase(
        "abc_limit_text",
        "udf_arguments",
        "ABC_KLASSE",
        ([[1.0], [2.0]], "x", MISSING),
        ("Grenze A ('x')",),
    ),
    UdfCase(
        "abc_limits_reversed",
        "udf_arguments",
        "ABC_KLASSE",
        ([[1.0], [2.0]], 0.9, 0.5),
        ("A kleiner als B",),
    ),
    UdfCase(
        "abc_text_value",
        "udf_arguments",
        "ABC_KLASSE",
        ([[1.0], ["viel"]], MISSING, MISSING),
        ("Werte, Zeile 2: 'viel' ist keine Zahl",),
    ),
    UdfCase(
        "abc_1e308",
        "overflow",
        "ABC_KLASSE",
        ([[1e308], [1e308]], MISSING, MISSING),
        ("Werte, Zeile 1",),
    ),
    UdfCase(
        "abc_german_limits_and_blanks",
        "udf_arguments",
        "ABC_KLASSE",
        ([[5.0], [None], [3.0], [1.0]], "0,5", "0,9"),
        # Total 9: 5 has 0 before it -> A; 3 has 5/9 = 0.56 >= 0.5 -> B; 1 has
        # 8/9 = 0.89 < 0.9 -> B. The blank cell stays blank.
        check=lambda out: out == [["A"], [""], ["B"], ["B"]] or pytest.fail(str(out)),
    ),
    UdfCase(
        "rfm_classes_text",
        "udf_arguments",
        "RFM",
        (_tx_cells(["1", D(2024, 1, 1), 1.0]), MISSING, "viele", MISSING, MISSING),
        ("Anzahl Klassen",),
    ),
    UdfCase(
        "kundenwert_stichtag_1e308",
        "udf_arguments",
        "KUNDENWERT",
        (_tx_cells(["1", D(2024, 1, 1), 1.0]), MISSING, MISSING, 1e308, MISSING),
        ("Stichtag",),
    ),
    UdfCase(
        "kundenwert_stichtag_100000",
        "udf_arguments",
        "KUNDENWERT",
        (_tx_cells(["1", D(2024, 1, 1), 1.0]), MISSING, MISSING, 100000.0, MISSING),
        ("'100000.0' ist kein Datum zwischen 01.01.1900 und 31.12.2099",),
    ),
    UdfCase(
        "pareto_one_column_settings",
        "udf_arguments",
        "PARETO",
        (_tx_cells(["1", D(2024, 1, 1), 1.0]), MISSING, MISSING, MISSING, MISSING, [["x"]]),
        ("zweispaltigen Bereich",),
    ),
    UdfCase(
        "kernaussagen_header_only",
        "udf_arguments",
        "KERNAUSSAGEN",
        (_tx_cells(), MISSING, MISSING, MISSING, MISSING),
        ("Überschriften",),
    ),
    UdfCase(
        "rfmr_huge_revenue",
        "overflow",
        "RFMR_PUNKTE",
        (_tx_cells(["1", D(2024, 1, 1), 1e308]), MISSING, MISSING, MISSING),
        ("unplausibel groß",),
    ),
]


def _row_dates(out: list[list[object]], first: dt.datetime, last: dt.datetime) -> None:
    header = out[0]
    row = out[1]
    assert row[header.index("Erster Kauf")] == first
    assert row[header.index("Letzter Kauf")] == last


@pytest.mark.parametrize("case", UDF_CASES, ids=[c.id for c in UDF_CASES])
def test_udf_case(case: UdfCase, udfs):
    out = call_like_excel(getattr(udfs, case.function), *case.cells)
    flat = " ".join(str(v) for row in out for v in row)
    assert INTERNAL not in flat
    for fragment in case.fragments:
        assert fragment in flat, flat
        assert flat.startswith("Fehler: "), flat
    if case.check is not None:
        case.check(out)


def test_corpus_covers_every_bullet_and_reader():
    covered = {c.bullet for c in CASES} | {c.bullet for c in UDF_CASES} | {"not_regular_file"}
    assert covered == set(BULLETS)
    assert {c.reader for c in CASES} | {"udf"} == set(READERS)
    # The bullets that concern reading itself are tried in every file format.
    for bullet in ("leading_zeros", "date_range", "overflow", "empty_file"):
        readers = {c.reader.rstrip(",;") for c in CASES if c.bullet == bullet}
        readers = {r.replace("xlsm", "xlsx") for r in readers}
        assert readers >= {"csv", "xlsx", "parquet"}, bullet


def test_case_ids_are_unique():
    ids = [c.id for c in CASES] + [c.id for c in UDF_CASES]
    assert len(ids) == len(set(ids))


def test_recompute_protocol_names_the_assumptions(demo_copy, tmp_path):
    """The workbook's Prüfprotokoll after 'Neu berechnen' lists each assumption as Annahme."""
    from kundenwert_xl.actions import recompute_file

    out = tmp_path / "out.xlsm"
    outcome = recompute_file(demo_copy, out)
    assert outcome.ok
    sheet = openpyxl.load_workbook(out, read_only=True)["Prüfprotokoll"]
    rows = [r for r in sheet.iter_rows(values_only=True) if r and r[0] == "Annahme"]
    messages = " ".join(str(r[-1]) for r in rows)
    # The demo workbook has no Stichtag set and no contact cost column: both are named.
    assert "Kein Stichtag angegeben" in messages
    assert "Abwicklungskosten abgezogen" in messages
    assert all(r[1] in ("Einstellungen", "Transaktionen") for r in rows)


def test_a_malformed_row_of_a_side_file_names_its_own_table(tmp_path):
    """Found by a new-user trial: --kunden rows were blamed on Transaktionen."""
    import subprocess
    import sys

    tx = tmp_path / "umsaetze.csv"
    tx.write_text("Kundennr;Datum;Umsatz\n1;01.01.2024;10\n", encoding="utf-8")
    kunden = tmp_path / "kunden.csv"
    kunden.write_text("Kundennr;Name\n1;A\n2;B;x\n", encoding="utf-8")
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "kundenwert_xl.cli",
            "analyze",
            str(tx),
            "--kunden",
            str(kunden),
            "-o",
            str(tmp_path / "r.csv"),
        ],
        capture_output=True,
        text=True,
    )
    assert res.returncode == 1 and "Kunden, Zeile 3" in res.stderr, res.stderr
