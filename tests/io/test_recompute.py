"""Headless recompute into a copy: what changes, what must not, and what the user typed."""

import math
import subprocess
import sys
import zipfile

import openpyxl
import pytest

import kundenwert_xl as kx
from kundenwert_xl import report
from kundenwert_xl.actions import recompute_file
from kundenwert_xl.io import ooxml
from tests.conftest import soffice_path
from tests.io.helpers import set_cells, sheet_values

DILEMMA = report.SPECS["dilemma"]
DECISION_COL = DILEMMA.col + [c.source for c in DILEMMA.columns].index("decision")


def _members(path):
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}, ooxml.sheet_parts(zf)


def test_only_result_sheets_and_calc_settings_change(demo_copy, tmp_path):
    out = tmp_path / "out.xlsm"
    recompute_file(demo_copy, out)
    before, sheets = _members(demo_copy)
    after, _ = _members(out)
    assert list(before) == list(after)
    result_parts = {sheets[s] for s in report.RESULT_SHEETS}
    for name in before:
        if name in result_parts or name == "xl/workbook.xml":
            continue
        assert before[name] == after[name], name
    # VBA project, ribbon, charts, input tables and the user's Kennzahlen sheet: byte-identical
    for name in (
        "xl/vbaProject.bin",
        "customUI/customUI.xml",
        "xl/charts/chart1.xml",
        sheets["Kennzahlen"],
        sheets["Transaktionen"],
    ):
        assert before[name] == after[name]
    assert b'fullCalcOnLoad="1"' in after["xl/workbook.xml"]


def test_recompute_of_demo_gives_the_same_results_and_is_idempotent(demo_copy, tmp_path):
    first, second = tmp_path / "a.xlsm", tmp_path / "b.xlsm"
    recompute_file(demo_copy, first)
    recompute_file(first, second)
    a, sheets = _members(first)
    b, _ = _members(second)
    d, _ = _members(demo_copy)
    for sheet in report.RESULT_SHEETS:
        assert a[sheets[sheet]] == b[sheets[sheet]] == d[sheets[sheet]], sheet


def test_never_in_place_and_no_silent_overwrite(demo_copy, tmp_path):
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "kundenwert_xl.cli",
            "recompute",
            str(demo_copy),
            "-o",
            str(demo_copy),
        ],
        capture_output=True,
        text=True,
    )
    assert res.returncode == 2 and "dieselbe Datei" in res.stderr
    res = subprocess.run(
        [sys.executable, "-m", "kundenwert_xl.cli", "recompute", str(demo_copy)],
        capture_output=True,
        text=True,
    )
    assert res.returncode == 0, res.stderr
    default = demo_copy.with_name("kunden_berechnet.xlsm")
    assert default.exists() and "Walkurve gipfelt" in res.stdout
    res = subprocess.run(
        [sys.executable, "-m", "kundenwert_xl.cli", "recompute", str(demo_copy)],
        capture_output=True,
        text=True,
    )
    assert res.returncode == 2 and "--force" in res.stderr


def test_decisions_survive_when_customers_move(demo_copy, tmp_path):
    rows = sheet_values(demo_copy, "Dilemma")
    listed = [r[DILEMMA.col - 1] for r in rows[DILEMMA.first_data_row - 1 :] if r[DILEMMA.col - 1]]
    assert len(listed) >= 4
    chosen = {cid: f"Entscheidung für {cid}" for cid in listed[:4]}
    set_cells(
        demo_copy,
        "Dilemma",
        {
            (DILEMMA.first_data_row + i, DECISION_COL): chosen[cid]
            for i, cid in enumerate(listed[:4])
        },
    )
    # Fewer dilemma customers: the share of worst customers shrinks from 10 % to 2 %.
    settings = sheet_values(demo_copy, "Einstellungen")
    row = next(
        i
        for i, r in enumerate(settings, start=1)
        if r[0] == "Dilemma: schlechteste Kunden (Anteil)"
    )
    set_cells(demo_copy, "Einstellungen", {(row, 2): 0.02})
    out = tmp_path / "out.xlsm"
    recompute_file(demo_copy, out)
    after = sheet_values(out, "Dilemma")[DILEMMA.first_data_row - 1 :]
    decisions = {r[DILEMMA.col - 1]: r[DECISION_COL - 1] for r in after if r[DILEMMA.col - 1]}
    still = [c for c in listed[:4] if c in decisions and decisions[c] == chosen[c]]
    former_start = next(
        i for i, r in enumerate(after) if r[0] and str(r[0]).startswith("Frühere Entscheidungen")
    )
    former = {r[0]: r[DECISION_COL - 1] for r in after[former_start + 1 :] if r[0]}
    # every decision is still there: beside its customer, or under "Frühere Entscheidungen"
    assert set(still) | set(former) == set(chosen)
    assert all(former[c] == chosen[c] for c in former)
    assert former, "with 2 % instead of 10 % some customers must have left the list"
    # and they survive the next recompute as well
    again = tmp_path / "again.xlsm"
    recompute_file(out, again)
    text = str(sheet_values(again, "Dilemma"))
    assert all(v in text for v in chosen.values())


def test_a_decision_keeps_its_type(demo_copy, tmp_path):
    """Found by a new-user trial: a decision typed as the number 42 came back as the text
    "42" (Excel then flags it as a number stored as text); 0 and a date stay what they are."""
    rows = sheet_values(demo_copy, "Dilemma")
    listed = [r[DILEMMA.col - 1] for r in rows[DILEMMA.first_data_row - 1 :] if r[DILEMMA.col - 1]]
    typed = [42, 0, "behalten"]
    set_cells(
        demo_copy,
        "Dilemma",
        {(DILEMMA.first_data_row + i, DECISION_COL): v for i, v in enumerate(typed)},
    )
    out = tmp_path / "out.xlsm"
    recompute_file(demo_copy, out)
    after = sheet_values(out, "Dilemma")[DILEMMA.first_data_row - 1 :]
    decisions = {r[DILEMMA.col - 1]: r[DECISION_COL - 1] for r in after if r[DILEMMA.col - 1]}
    assert [decisions[c] for c in listed[:3]] == typed
    assert type(decisions[listed[0]]) is not str and type(decisions[listed[1]]) is not str


def test_formula_like_strings_from_data_stay_text(tmp_path, demo_copy):
    names = [
        '=HYPERLINK("http://example.invalid","klick")',
        "+49 30 123456",
        "@SUMME(A1)",
        "-5 % Rabatt GmbH",
    ]
    start = next(
        i for i, r in enumerate(sheet_values(demo_copy, "Kunden"), start=1) if r[0] == "K000001"
    )
    set_cells(demo_copy, "Kunden", {(start + i, 2): name for i, name in enumerate(names)})
    out = tmp_path / "out.xlsm"
    recompute_file(demo_copy, out)
    members, sheets = _members(out)
    xml = members[sheets["Kundenwert"]]
    assert b"<f>" not in xml and b"<f " not in xml
    ws = openpyxl.load_workbook(out)["Kundenwert"]
    found = {
        c.value: c.data_type
        for row in ws.iter_rows(min_col=2, max_col=2)
        for c in row
        if c.value in names
    }
    assert found == dict.fromkeys(names, "s")


def test_workbook_without_result_sheets_is_refused(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Transaktionen"
    ws.append(["Kundennr", "Datum", "Umsatz"])
    ws.append(["K1", "2024-01-01", 10.0])
    src = tmp_path / "plain.xlsx"
    wb.save(src)
    with pytest.raises(kx.KundenwertError) as info:
        recompute_file(src, tmp_path / "out.xlsx")
    assert "workbook_template.xlsm" in info.value.problems[0].message
    assert not (tmp_path / "out.xlsx").exists()


def test_bad_input_writes_the_protocol_and_exits_1(demo_copy, tmp_path):
    set_cells(demo_copy, "Transaktionen", {(5, 2): "31.02.2024", (7, 4): "viel"})
    out = tmp_path / "out.xlsm"
    res = subprocess.run(
        [sys.executable, "-m", "kundenwert_xl.cli", "recompute", str(demo_copy), "-o", str(out)],
        capture_output=True,
        text=True,
    )
    assert res.returncode == 1
    assert (
        "Transaktionen, Zeile 5, Spalte Datum: '31.02.2024' ist kein gültiges Datum" in res.stderr
    )
    protocol = sheet_values(out, "Prüfprotokoll")
    messages = [r[5] for r in protocol[2:] if r[5]]
    assert any("'viel' ist keine Zahl" in m for m in messages)


@pytest.mark.libreoffice
def test_libreoffice_formulas_over_results_equal_python(demo_copy, tmp_path):
    out = tmp_path / "out.xlsm"
    outcome = recompute_file(demo_copy, out)
    profile = tmp_path / "profile" / "user"
    profile.mkdir(parents=True)
    (profile / "registrymodifications.xcu").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'  # noqa: E501
        '<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>\n'  # noqa: E501
        '<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>\n'  # noqa: E501
        "</oor:items>\n"
    )
    res = subprocess.run(
        [
            soffice_path(),
            "--headless",
            "--norestore",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(tmp_path / "lo"),
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    computed = tmp_path / "lo" / "out.xlsx"
    assert computed.exists(), res.stderr
    values = {r[0]: r[1:] for r in sheet_values(computed, "Kennzahlen") if r and r[0]}
    c = outcome.analysis.customers
    expected = {
        "Kunden": len(c),
        "A-Kunden": int((c["abc_class"] == "A").sum()),
        "B-Kunden": int((c["abc_class"] == "B").sum()),
        "C-Kunden": int((c["abc_class"] == "C").sum()),
        "Nettoumsatz der A-Kunden": c.loc[c["abc_class"] == "A", "net_revenue"].sum(),
        "Nettoumsatz gesamt": c["net_revenue"].sum(),
        "DB III gesamt": c["db3"].sum(),
        "Dilemma-Kunden": int(c["dilemma"].sum()),
        "Kunden mit negativem DB III": int((c["db3"] < 0).sum()),
    }
    for label, want in expected.items():
        assert math.isclose(values[label][0], want, rel_tol=1e-12, abs_tol=1e-6), label
    segments = outcome.analysis.segments
    for name in segments.index:
        if name in values and name not in ("Sonstige", "Ohne Kauf"):
            count, revenue, db3 = values[name][:3]
            assert count == segments.loc[name, "customers"], name
            members = c[c["segment"] == name]
            assert math.isclose(revenue, members["net_revenue"].sum(), rel_tol=1e-12, abs_tol=1e-6)
            assert math.isclose(db3, members["db3"].sum(), rel_tol=1e-12, abs_tol=1e-6)


def test_empty_rows_at_the_end_of_a_table_are_ignored(tmp_path):
    import pandas as pd

    from kundenwert_xl.actions import trim_blank_tail

    frame = pd.DataFrame({"Kundennr": ["K1", None, " ", None], "Umsatz": [1.0, 2.0, None, None]})
    # row 2 still has an amount; rows 3 and 4 are empty (blank text counts as empty)
    assert trim_blank_tail(frame)["Umsatz"].tolist() == [1.0, 2.0]
    assert trim_blank_tail(frame.iloc[2:]) is None
    # A filled last row: nothing trails, and an empty row inside the table stays (its number).
    inside = pd.DataFrame({"Kundennr": ["K1", " ", "K3"], "Umsatz": [1.0, None, 3.0]})
    assert trim_blank_tail(inside)["Kundennr"].tolist() == ["K1", " ", "K3"]
    assert trim_blank_tail(inside.iloc[:0]) is None


def test_an_empty_text_is_written_as_an_empty_cell():
    """Not as a string without characters (issue 9): styled it stays a cell, else it is left out."""
    from kundenwert_xl.io.patch import rewrite_sheet

    sheet = (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<dimension ref="A1"/><sheetData><row r="1"><c r="B1" s="4"/></row></sheetData>'
        b"</worksheet>"
    )
    out = rewrite_sheet(sheet, {1: [(1, ""), (2, ""), (3, "x")]}, {1, 2, 3})
    assert b'<row r="1"><c r="B1" s="4"/><c r="C1" t="inlineStr">' in out
    assert b'r="A1"' not in out


def test_control_characters_and_escape_look_alikes_survive_the_workbook(tmp_path, monkeypatch):
    """Found by a new-user trial: the .xlsm writer dropped control characters (K1 + NUL became
    K1, a second customer of that name) and wrote "K_x0041_" unescaped (Excel reads "KA"), so
    recompute counted other customers. Now both are OOXML escapes, read back as written."""
    from kundenwert_xl import cli
    from kundenwert_xl.io import patch

    ids = ["K1", "K1\x00", "\x00K1", "K\x01", "K_x0041_", "KA", "_x005F_", "_"]
    # Overlapping look-alikes share an underscore (found by the fourth trial).
    ids += ["K_x005F_x0041_", "_x0041_x0042_"]
    lines = [f"{k};{i + 1:02d}.01.2024;{10 * (i + 1)}" for i, k in enumerate(ids)]
    (tmp_path / "u.csv").write_text("Kundennr;Datum;Umsatz\n" + "\n".join(lines) + "\n")
    monkeypatch.chdir(tmp_path)
    assert cli.run(["analyze", "u.csv", "-o", "a.xlsm"]) == 0
    assert cli.run(["recompute", "a.xlsm", "-o", "b.xlsm"]) == 0
    spec = report.SPECS["customers"]
    sources = [c.source for c in spec.columns]
    at_id = spec.col - 1 + sources.index("customer_id")
    at_revenue = spec.col - 1 + sources.index("net_revenue")
    for name in ("a.xlsm", "b.xlsm"):
        rows = patch.read_block_rows(tmp_path / name, spec.sheet, spec.first_data_row)
        revenue = {r[at_id]: r[at_revenue] for r in rows if r[at_id]}
        # By hand: customer i bought once for 10 * (i + 1) euros.
        assert revenue == {k: 10.0 * (i + 1) for i, k in enumerate(ids)}, name
    with zipfile.ZipFile(tmp_path / "a.xlsm") as zf:
        sheet = zf.read(ooxml.sheet_parts(zf)[spec.sheet]).decode()
    assert "K1_x0000_" in sheet and "K_x005F_x0041_" in sheet
