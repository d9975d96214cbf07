"""The kundenwert command, run as a user runs it (a real subprocess, real files)."""

import subprocess
import sys

import openpyxl
import pandas as pd
import pytest

from tests.conftest import FIXTURE_CSV


def run(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "kundenwert_xl.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
    )


def test_help_is_german_and_starts_with_examples():
    res = run("--help")
    assert res.returncode == 0
    assert "Beispiele:" in res.stdout and "kundenwert demo" in res.stdout


def test_demo_writes_workbook_and_prints_headline(tmp_path):
    res = run("demo", "-o", str(tmp_path / "demo.xlsm"), "--zeilen", "2000")
    assert res.returncode == 0, res.stderr
    assert "Stichtag 31.12.2024" in res.stdout and "2.000 Transaktionen" in res.stdout
    wb = openpyxl.load_workbook(tmp_path / "demo.xlsm", read_only=True)
    assert {"Kundenwert", "Segmente", "Pareto", "Dilemma", "Prüfprotokoll"} <= set(wb.sheetnames)


def test_demo_refuses_to_overwrite_without_force(tmp_path):
    target = tmp_path / "demo.xlsm"
    target.write_bytes(b"keep me")
    res = run("demo", "-o", str(target))
    assert res.returncode == 2 and "--force" in res.stderr
    assert target.read_bytes() == b"keep me"


def test_analyze_german_csv_to_xlsx(tmp_path):
    src = tmp_path / "umsaetze.csv"
    german = FIXTURE_CSV.replace(",", ";").replace(
        "customer_id;date;revenue", "Kundennr;Datum;Umsatz"
    )
    src.write_text(german.replace("C1;2024-01-05;100", "C1;05.01.2024;100,00"), encoding="cp1252")
    res = run("analyze", str(src), "--stichtag", "30.06.2024", "-o", str(tmp_path / "r.xlsx"))
    assert res.returncode == 0, res.stderr
    assert "Hinweis: Transaktionen, Spalte Datum: 1 Zeile liegt nach dem Stichtag" in res.stderr
    # laid out like the workbook: the block's title in row 1, its header in row 2
    table = pd.read_excel(
        tmp_path / "r.xlsx", sheet_name="Kundenwert", header=1, dtype=str
    ).set_index("Kundennr")
    codes = table.loc[["C1", "C2", "C3", "C4", "C5", "C6", "C7"], "RFM-Code"].tolist()
    assert codes == ["345", "113", "443", "525", "121", "212", "511"]


def test_analyze_parquet_to_csv(tmp_path):
    src = tmp_path / "tx.parquet"
    pd.read_csv(pd.io.common.StringIO(FIXTURE_CSV)).to_parquet(src)
    res = run(
        "analyze",
        str(src),
        "--reference-date",
        "2024-06-30",
        "--methode",
        "Ränge",
        "-o",
        str(tmp_path / "r.csv"),
    )
    assert res.returncode == 0, res.stderr
    out = pd.read_csv(tmp_path / "r.csv", sep=";", decimal=",", encoding="utf-8-sig", dtype=str)
    codes = out.set_index("Kundennr").loc[["C1", "C2", "C3", "C4", "C5", "C6", "C7"], "RFM-Code"]
    assert codes.tolist() == ["355", "113", "454", "535", "242", "323", "531"]


def test_analyze_bad_input_exits_1_with_german_lines(tmp_path):
    src = tmp_path / "bad.csv"
    src.write_text("Kundennr;Datum;Umsatz\nK1;31.02.2024;10\n;01.03.2024;abc\n", encoding="utf-8")
    res = run("analyze", str(src), "-o", str(tmp_path / "r.xlsx"))
    assert res.returncode == 1
    assert (
        "Transaktionen, Zeile 2, Spalte Datum: '31.02.2024' ist kein gültiges Datum" in res.stderr
    )
    assert "Transaktionen, Zeile 3, Spalte Kundennr: Kundennummer fehlt" in res.stderr
    assert "Traceback" not in res.stderr
    assert not (tmp_path / "r.xlsx").exists()


def test_analyze_missing_file_exits_3(tmp_path):
    res = run("analyze", str(tmp_path / "nope.csv"), "-o", str(tmp_path / "r.xlsx"))
    assert res.returncode == 3 and "existiert nicht" in res.stderr


def test_analyze_bad_setting_exits_1(tmp_path):
    src = tmp_path / "tx.csv"
    src.write_text(FIXTURE_CSV)
    res = run("analyze", str(src), "--klassen", "12", "-o", str(tmp_path / "r.xlsx"))
    assert res.returncode == 1
    assert "Einstellung 'Anzahl Klassen': Der Wert '12' darf höchstens 10 sein." in res.stderr


def test_formula_like_strings_stay_text(tmp_path):
    src = tmp_path / "tx.csv"
    src.write_text('Kundennr,Datum,Umsatz\n=HYPERLINK("x"),2024-01-01,10\n+49,2024-01-02,5\n')
    res = run("analyze", str(src), "-o", str(tmp_path / "r.xlsx"))
    assert res.returncode == 0, res.stderr
    ws = openpyxl.load_workbook(tmp_path / "r.xlsx")["Kundenwert"]
    values = {ws.cell(row=r, column=1).value: ws.cell(row=r, column=1).data_type for r in (3, 4)}
    assert all(v is not None for v in values)
    assert values == {"+49": "s", '=HYPERLINK("x")': "s"}


@pytest.mark.parametrize("suffix", [".xlsx"])
def test_analyze_workbook_with_tables(tmp_path, suffix):
    from openpyxl.worksheet.table import Table

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Daten"
    ws.append(["Umsätze 2024"])
    ws.append([])
    ws.append(["Kundennr", "Datum", "Umsatz"])
    ws.append(["K1", pd.Timestamp("2024-01-05").to_pydatetime(), 100])
    ws.append(["K2", "05.02.2024", "1.234,56"])
    ws.append(["K3", 45000, None])
    ws.add_table(Table(displayName="Transaktionen", ref="A3:C6"))
    src = tmp_path / f"in{suffix}"
    wb.save(src)
    res = run("analyze", str(src), "-o", str(tmp_path / "r.xlsx"))
    assert res.returncode == 1
    assert "Transaktionen, Zeile 6, Spalte Umsatz: Betrag fehlt" in res.stderr


def test_demo_refuses_more_rows_than_a_sheet_holds(tmp_path):
    res = run("demo", "-o", str(tmp_path / "x.xlsm"), "--zeilen", "2000000")
    assert res.returncode == 2 and "1.048.575 Datenzeilen" in res.stderr
    assert not (tmp_path / "x.xlsm").exists()


def test_analyze_with_a_settings_file_and_options(tmp_path):
    src = tmp_path / "tx.csv"
    src.write_text(FIXTURE_CSV)
    toml = tmp_path / "einstellungen.toml"
    toml.write_text(
        '"Stichtag" = "30.06.2024"\n"Bewertungsmethode" = "Ränge"\n"Kosten je Auftrag (Euro)" = 0\n',  # noqa: E501
        encoding="utf-8",
    )
    res = run("analyze", str(src), "--einstellungen", str(toml), "-o", str(tmp_path / "r.parquet"))
    assert res.returncode == 0, res.stderr
    out = pd.read_parquet(tmp_path / "r.parquet").set_index("Kundennr")
    assert out.loc["C1", "RFM-Code"] == "355"  # Hughes ranks, as the file says
    # the command-line option wins over the file
    res = run(
        "analyze",
        str(src),
        "--einstellungen",
        str(toml),
        "--methode",
        "Wertgrenzen",
        "-o",
        str(tmp_path / "v.parquet"),
    )
    assert (
        pd.read_parquet(tmp_path / "v.parquet").set_index("Kundennr").loc["C1", "RFM-Code"] == "345"
    )
    bad = tmp_path / "bad.toml"
    bad.write_text('"Anzahl Klasen" = 5\n', encoding="utf-8")
    res = run("analyze", str(src), "--einstellungen", str(bad), "-o", str(tmp_path / "x.parquet"))
    assert res.returncode == 1 and "Die Einstellung 'Anzahl Klasen' ist unbekannt" in res.stderr


def test_a_settings_file_the_system_cannot_open_is_refused_in_german(tmp_path):
    """A symlink loop: the operating system's own words come inside a German sentence."""
    src = tmp_path / "tx.csv"
    src.write_text(FIXTURE_CSV)
    loop = tmp_path / "einstellungen.toml"
    loop.symlink_to(loop)
    res = run("analyze", str(src), "--einstellungen", str(loop), "-o", str(tmp_path / "r.parquet"))
    assert res.returncode != 0 and "Unerwarteter Fehler" not in res.stderr
    text = " ".join(res.stderr.split())
    assert f"Datei '{loop}' kann nicht gelesen werden: Das Betriebssystem meldet" in text
