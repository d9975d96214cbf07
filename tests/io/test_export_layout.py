"""``kundenwert analyze X -o Y.xlsx`` lays its sheets out like the workbook (issue 14).

The demo workbook (the template recomputed by ``kundenwert demo``) is the reference: the
``.xlsx`` written from the same inputs must put every block of ``report.LAYOUT`` at the same
cells, with the same title, headers, values, number formats and column widths.
"""

import re
import zipfile

import openpyxl
import pytest

from kundenwert_xl import cli, report


def _column_widths(path) -> dict[str, dict[int, float]]:
    """Sheet -> column -> width as stored in the file (``<col min max width>``)."""
    with zipfile.ZipFile(path) as zf:
        book = zf.read("xl/workbook.xml").decode()
        rels = zf.read("xl/_rels/workbook.xml.rels").decode()
        targets = {}
        for rel in re.findall(r"<Relationship [^>]*>", rels):
            targets[re.search(r'Id="([^"]+)"', rel)[1]] = re.search(r'Target="([^"]+)"', rel)[1]
        widths: dict[str, dict[int, float]] = {}
        for sheet in re.findall(r"<sheet [^>]*>", book):
            name = re.search(r'name="([^"]+)"', sheet)[1].replace("&amp;", "&")
            target = targets[re.search(r'r:id="([^"]+)"', sheet)[1]].lstrip("/")
            part = target if target.startswith("xl/") else f"xl/{target}"
            xml = zf.read(part).decode()
            columns: dict[int, float] = {}
            for col in re.findall(r"<col [^>]*/>", xml):
                first = int(re.search(r'min="(\d+)"', col)[1])
                last = int(re.search(r'max="(\d+)"', col)[1])
                width = float(re.search(r'width="([^"]+)"', col)[1])
                columns.update(dict.fromkeys(range(first, last + 1), width))
            widths[name] = columns
    return widths


@pytest.fixture(scope="module")
def exported(demo_workbook, tmp_path_factory):
    target = tmp_path_factory.mktemp("export") / "ergebnis.xlsx"
    assert cli.run(["analyze", str(demo_workbook), "-o", str(target)]) == 0
    return target


def test_the_sheets_are_the_workbooks_result_sheets(exported):
    names = openpyxl.load_workbook(exported, read_only=True).sheetnames
    expected = "Übersicht Kundenwert Segmente Pareto Dilemma Ansprache Prüfprotokoll"
    assert names == expected.split()


def test_every_block_sits_where_the_workbook_has_it(exported, demo_workbook):
    xlsx = openpyxl.load_workbook(exported)
    xlsm = openpyxl.load_workbook(demo_workbook)
    numbers = formatted = 0
    for spec in report.LAYOUT:
        ours, theirs = xlsx[spec.sheet], xlsm[spec.sheet]
        title = ours.cell(spec.row, spec.col).value
        assert title == theirs.cell(spec.row, spec.col).value, spec.key
        assert title, spec.key
        headers = [ours.cell(spec.row + 1, spec.col + j).value for j in range(len(spec.columns))]
        assert headers == [c.header for c in spec.columns], spec.key
        assert headers == [
            theirs.cell(spec.row + 1, spec.col + j).value for j in range(len(spec.columns))
        ], spec.key
        # the first rows of data: same values, and numbers with the workbook's number format
        for r in range(spec.first_data_row, spec.first_data_row + 5):
            for j, column in enumerate(spec.columns):
                mine, ref = ours.cell(r, spec.col + j), theirs.cell(r, spec.col + j)
                if isinstance(ref.value, int | float) and not isinstance(ref.value, bool):
                    assert mine.value == pytest.approx(ref.value, rel=1e-12), (spec.key, r)
                    numbers += 1
                    assert mine.number_format == ref.number_format, (spec.key, column.header)
                    if mine.number_format != "General":
                        formatted += 1
                else:
                    assert mine.value == ref.value or (mine.value, ref.value) == ("", None)
    assert numbers > 300 and formatted >= numbers * 0.9


def test_the_headline_figures_are_numbers_with_their_formats(exported):
    facts = report.SPECS["facts"]
    ws = openpyxl.load_workbook(exported)[facts.sheet]
    value_col = facts.col + 1
    for i, code in enumerate(facts.row_formats):
        cell = ws.cell(facts.first_data_row + i, value_col)
        assert cell.data_type in ("n", "d"), (i, cell.value)
        assert cell.number_format == code, (i, cell.value)


def _fit(ws) -> tuple[int, int]:
    """Pages wide and high; an absent attribute is ECMA-376's default, 1 (XlsxWriter omits it)."""
    setup = ws.page_setup
    return tuple(1 if v is None else int(v) for v in (setup.fitToWidth, setup.fitToHeight))


def test_every_sheet_prints_as_the_workbooks_do(exported, demo_workbook):
    """Landscape A4, one page wide, header rows repeated, the footer with the Stichtag; the
    demo workbook (the template's print setup, recomputed) is the reference."""
    ours = openpyxl.load_workbook(exported)
    theirs = openpyxl.load_workbook(demo_workbook)
    for name in ours.sheetnames:
        mine, ref = ours[name], theirs[name]
        assert mine.page_setup.orientation == ref.page_setup.orientation == "landscape", name
        assert mine.page_setup.paperSize == ref.page_setup.paperSize, name
        assert mine.sheet_properties.pageSetUpPr.fitToPage, name
        assert _fit(mine) == _fit(ref), name
        assert mine.print_title_rows == ref.print_title_rows, name
        # The demo's Stichtag is its last transaction day (demo.py's design).
        assert "Stichtag 31.12.2024" in mine.oddFooter.center.text, name


def test_column_widths_are_the_workbooks(exported, demo_workbook):
    ours, theirs = _column_widths(exported), _column_widths(demo_workbook)
    compared = 0
    for sheet in report.RESULT_SHEETS:
        for col in report.column_widths(sheet):
            # XlsxWriter stores widths in whole pixels: within 1/7 of a digit
            assert ours[sheet][col] == pytest.approx(theirs[sheet][col], abs=0.15), (sheet, col)
            compared += 1
    assert compared > 100


def test_a_text_longer_than_a_cell_is_cut_with_a_german_warning(tmp_path, capsys, monkeypatch):
    """XlsxWriter keeps 32,767 characters (Excel's limit) and says so only in English."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "u.csv").write_text("Kundennr;Datum;Umsatz\nK1;01.01.2024;10\nK2;02.01.2024;5\n")
    (tmp_path / "k.csv").write_text("Kundennr;Name\nK1;" + "x" * 40_000 + "\nK2;Kurz\n")
    assert cli.run(["analyze", "u.csv", "--kunden", "k.csv", "-o", "r.xlsx"]) == 0
    err = capsys.readouterr().err
    assert (
        "Kundenwert, Spalte Name: 1 Zelle mit mehr als 32.767 Zeichen (längster Text 40.000); "
        "eine Excel-Zelle fasst höchstens 32.767, geschrieben sind die ersten 32.767 Zeichen."
    ) in err
    assert "Cell contents too long" not in err
    ws = openpyxl.load_workbook(tmp_path / "r.xlsx")["Kundenwert"]
    names = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in (3, 4)}
    assert names["K1"] == "x" * 32_767 and names["K2"] == "Kurz"


@pytest.mark.parametrize(
    ("suffix", "char", "written", "kept"),
    [
        (".xlsm", "ä", 40_000, 32_767),
        # Excel counts UTF-16 units: 20,000 emoji are 40,000 units, 16,383 of them fit.
        (".xlsm", "\U0001f600", 20_000, 16_383),
        (".xlsx", "\U0001f600", 20_000, 16_383),
    ],
)
def test_a_text_longer_than_a_cell_is_cut_in_every_workbook(
    tmp_path, capsys, monkeypatch, suffix, char, written, kept
):
    """The .xlsm writer cuts at Excel's 32,767 units as well (Excel calls a longer cell text
    damage), counted as Excel counts. The input table and the result sheet both hold the name;
    each is named in a warning."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "u.csv").write_text("Kundennr;Datum;Umsatz\nK1;01.01.2024;10\nK2;02.01.2024;5\n")
    (tmp_path / "k.csv").write_text("Kundennr;Name\nK1;" + char * written + "\nK2;Kurz\n")
    assert cli.run(["analyze", "u.csv", "--kunden", "k.csv", "-o", "r" + suffix]) == 0
    err = " ".join(capsys.readouterr().err.split())
    # K1 is also on the Ansprache list (the budget reaches both customers).
    sheets = ("Kundenwert", "Ansprache") + (("Kunden",) if suffix == ".xlsm" else ())
    for sheet in sheets:
        assert (
            f"{sheet}, Spalte Name: 1 Zelle mit mehr als 32.767 Zeichen (längster Text 40.000)"
        ) in err
    book = openpyxl.load_workbook(tmp_path / ("r" + suffix))
    if suffix == ".xlsm":
        kunden = {r[0]: r[1] for r in book["Kunden"].iter_rows(min_row=2, values_only=True) if r[0]}
        assert kunden == {"K1": char * kept, "K2": "Kurz"}
    ws = book["Kundenwert"]
    names = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in (3, 4)}
    assert names["K1"] == char * kept and names["K2"] == "Kurz"
    # The file says it too (a new user found the warning on the terminal only).
    protocol = list(book["Prüfprotokoll"].iter_rows(values_only=True))
    cut = {(r[1], r[3]) for r in protocol if "1 Zelle mit mehr als 32.767 Zeichen" in str(r[5])}
    assert cut == {(sheet, "Name") for sheet in sheets}


def test_a_csv_with_ids_excel_would_read_as_numbers_says_so(tmp_path, capsys, monkeypatch):
    """00123, 0123 and 123 are three customers; Excel opening the csv makes them all 123."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "u.csv").write_text(
        "Kundennr;Datum;Umsatz\n00123;01.01.2024;10\n0123;02.01.2024;5\n123;03.01.2024;7\n"
    )
    assert cli.run(["analyze", "u.csv", "-o", "r.csv"]) == 0
    err = " ".join(capsys.readouterr().err.split())
    assert "Spalte Kundennr: 2 Werte sehen für Excel wie eine Zahl aus (z. B. 0" in err
    assert "-o datei.xlsx verwenden" in err
    ids = (tmp_path / "r.csv").read_text(encoding="utf-8-sig").splitlines()
    assert sorted(line.split(";")[0] for line in ids[1:]) == ["00123", "0123", "123"]
    # Ids Excel keeps as they are: no warning.
    (tmp_path / "v.csv").write_text("Kundennr;Datum;Umsatz\nK1;01.01.2024;10\n123;02.01.2024;5\n")
    assert cli.run(["analyze", "v.csv", "-o", "s.csv"]) == 0
    assert "wie eine Zahl" not in capsys.readouterr().err


def test_a_sheet_longer_than_excels_is_refused_before_writing(tmp_path, capsys, monkeypatch):
    """Found by a new-user trial: 1,060,000 rows went into an .xlsm Excel cannot open, and an
    .xlsx of more than 1,048,574 customers ended in XlsxWriter's English ValueError."""
    from kundenwert_xl.core.errors import KundenwertError
    from kundenwert_xl.io import export

    spec = report.SPECS["customers"]
    # By hand: data from row first_data_row to 1,048,576 fit; one row more does not.
    fits = 1_048_576 - spec.first_data_row + 1
    row = [None] * len(spec.columns)
    assert report.sheet_overflow([report.Block(spec, [row] * fits)]) == []
    (problem,) = report.sheet_overflow([report.Block(spec, [row] * (fits + 1))])
    assert problem.message == (
        "Das Blatt 'Kundenwert' bräuchte 1.048.577 Zeilen; ein Excel-Blatt hat höchstens "
        "1.048.576. Bitte die Ergebnisse als .parquet oder .csv ausgeben (z. B. -o "
        "ergebnis.parquet)."
    )
    with pytest.raises(KundenwertError):
        export.write_layout(tmp_path / "r.xlsx", [report.Block(spec, [row] * (fits + 1))], [])
    assert not (tmp_path / "r.xlsx").exists()
    # An input table of 1,048,576 data rows (and its header) cannot go into the workbook:
    # refused before the analysis, with nothing written.
    monkeypatch.chdir(tmp_path)
    lines = "K1;01.01.2024;1\n" * 1_048_576
    (tmp_path / "u.csv").write_text("Kundennr;Datum;Umsatz\n" + lines)
    assert cli.run(["analyze", "u.csv", "-o", "r.xlsm"]) != 0
    err = " ".join(capsys.readouterr().err.split())
    assert "Das Blatt 'Transaktionen' bräuchte 1.048.577 Zeilen" in err
    assert "Unerwarteter Fehler" not in err and not (tmp_path / "r.xlsm").exists()
