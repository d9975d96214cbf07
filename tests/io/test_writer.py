"""The streaming sheet writer (io/patch.py), cell by cell against hand-written expectations.

Files are made by openpyxl, edited by our writer, and read back by openpyxl (an independent
reader that knows Excel's 1900 calendar) as well as by looking at the XML itself.
"""

import datetime as dt
import re
import zipfile

import numpy as np
import openpyxl
import pandas as pd
import pytest

from kundenwert_xl.io import patch
from tests.io.helpers import set_cells


@pytest.fixture
def book(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Blatt"
    ws["E1"] = "Notiz"  # a user's cell in a column nobody writes
    ws["E40"] = 12.5
    wb.save(tmp_path / "b.xlsx")
    return tmp_path / "b.xlsx"


def _sheet_xml(path) -> str:
    with zipfile.ZipFile(path) as zf:
        return zf.read("xl/worksheets/sheet1.xml").decode()


def _cell(xml: str, ref: str) -> str:
    found = re.search(rf'<c r="{ref}"[^>]*?(?:/>|>.*?</c>)', xml)
    return found[0] if found else ""


@pytest.mark.parametrize("mixed", [False, True], ids=["column", "cell by cell"])
def test_dates_are_serials_with_the_1900_quirk(book, mixed):
    """By hand: 01.01.1900 is 1, 28.02.1900 is 59, 01.03.1900 is 61, 30.06.2024 is 45473."""
    days = [dt.date(1900, 1, 1), dt.date(1900, 2, 28), dt.date(1900, 3, 1), dt.date(2024, 6, 30)]
    cells = {(r, 1): d for r, d in enumerate(days, start=1)}
    if mixed:  # a text in the same column sends it down the cell-by-cell path
        cells[(5, 1)] = "Summe"
    set_cells(book, "Blatt", cells)
    xml = _sheet_xml(book)
    assert [re.search(r"<v>(.*?)</v>", _cell(xml, f"A{r}"))[1] for r in range(1, 5)] == [
        "1",
        "59",
        "61",
        "45473",
    ]


@pytest.mark.parametrize("mixed", [False, True], ids=["column", "cell by cell"])
def test_booleans_are_excel_booleans(book, mixed):
    cells = {(1, 2): True, (2, 2): False, (3, 2): np.bool_(True)}
    if mixed:
        cells[(4, 2)] = "x"
    set_cells(book, "Blatt", cells)
    xml = _sheet_xml(book)
    assert _cell(xml, "B1") == '<c r="B1" t="b"><v>1</v></c>'
    assert _cell(xml, "B2") == '<c r="B2" t="b"><v>0</v></c>'
    ws = openpyxl.load_workbook(book)["Blatt"]
    assert [ws.cell(r, 2).value for r in (1, 2, 3)] == [True, False, True]
    assert {ws.cell(r, 2).data_type for r in (1, 2, 3)} == {"b"}


def test_texts_numbers_and_gaps(book):
    texts = ["a & b <c>", "=SUMME(A1)", "+49 30", "-5 %", "@x", "bell\x07", "", None]
    numbers = [0.1 + 0.2, float("nan"), float("inf"), 1e-05, 7, -0.0, 123456789012.5, None]
    set_cells(
        book,
        "Blatt",
        {
            **{(r, 1): t for r, t in enumerate(texts, 1)},
            **{(r, 3): n for r, n in enumerate(numbers, 1)},
        },
    )
    ws = openpyxl.load_workbook(book)["Blatt"]
    assert [ws.cell(r, 1).value for r in range(1, 9)] == [
        "a & b <c>",
        "=SUMME(A1)",
        "+49 30",
        "-5 %",
        "@x",
        # The BEL character as OOXML stores it (openpyxl shows the escape; Excel and
        # fastexcel read "bell" + BEL back): kept, never dropped.
        "bell_x0007_",
        None,
        None,
    ]
    assert all(ws.cell(r, 1).data_type == "s" for r in range(1, 7))  # text, never a formula
    got = [ws.cell(r, 3).value for r in range(1, 9)]
    assert got == [0.30000000000000004, None, None, 1e-05, 7, 0, 123456789012.5, None]
    xml = _sheet_xml(book)
    assert "<f>" not in xml and _cell(xml, "A7") == "" and _cell(xml, "C2") == ""
    # the user's cells in a column nobody wrote are still there
    assert ws["E1"].value == "Notiz" and ws["E40"].value == 12.5


def test_timestamps_keep_their_time_of_day(book):
    stamps = pd.Series(pd.to_datetime(["2024-06-30 12:00", "1900-01-01 06:00", None]))
    edit = patch.SheetEdit(columns={1})
    edit.add(1, 1, stamps)
    with zipfile.ZipFile(book) as zf:
        xml = zf.read("xl/worksheets/sheet1.xml")
    out = patch._Sink()
    patch.write_sheet(xml, edit, out)
    text = out.getvalue().decode()
    assert "<v>45473.5</v>" in text and "<v>1.25</v>" in text and 'r="A3"' not in text


def test_chunks_join_into_one_sheet_in_row_order(book, monkeypatch):
    """Chunk borders fall inside the written rows, a user's cells and a tall row."""
    monkeypatch.setattr(patch, "CHUNK_ROWS", 7)
    wb = openpyxl.load_workbook(book)
    wb["Blatt"].row_dimensions[9].height = 30
    wb["Blatt"]["E9"] = "hoch"
    wb.save(book)
    values = {(r, 1): float(r) for r in range(2, 31)}
    set_cells(book, "Blatt", values)
    xml = _sheet_xml(book)
    rows = [int(r) for r in re.findall(r'<row r="(\d+)"', xml)]
    assert rows == sorted(rows) and len(rows) == len(set(rows))
    assert rows == [1, *range(2, 31), 40]
    assert re.search(r'<row r="9"[^>]*\sht="30"', xml)
    assert '<dimension ref="A1:E40"/>' in xml
    ws = openpyxl.load_workbook(book)["Blatt"]
    assert [ws.cell(r, 1).value for r in range(2, 31)] == list(range(2, 31))
    assert ws["E9"].value == "hoch" and ws["E1"].value == "Notiz"


def test_styles_stay_in_fixed_areas_and_come_from_the_column_below(book):
    wb = openpyxl.load_workbook(book)
    ws = wb["Blatt"]
    ws["B2"].number_format = "0.0 %"  # pre-formatted fixed area (row 2)
    ws["B5"].number_format = "0.0 %"  # below the fixed area: not taken
    ws.column_dimensions["B"].number_format = "#,##0"
    wb.save(book)
    with zipfile.ZipFile(book) as zf:
        xml = zf.read("xl/worksheets/sheet1.xml")
    edit = patch.SheetEdit(columns={2}, styled_to_row=3)
    edit.add(2, 3, [1.0, 2.0, 3.0])
    out = patch._Sink()
    patch.write_sheet(xml, edit, out)
    text = out.getvalue().decode()
    b2, b5 = (re.search(rf'<c r="{r}" s="(\d+)"', xml.decode())[1] for r in ("B2", "B5"))
    column = re.search(r'<col [^>]*style="(\d+)"', xml.decode())[1]
    assert _cell(text, "B2") == f'<c r="B2" s="{b2}"/>'  # kept, empty
    assert _cell(text, "B5") == f'<c r="B5" s="{column}"><v>3</v></c>'  # column style
    assert b5 != column


def test_a_sheet_that_may_pass_2_gib_gets_a_zip64_header(demo_copy, tmp_path, monkeypatch):
    """zipfile cannot stream more than 2 GiB into a member without one; readers still agree."""
    from kundenwert_xl.actions import recompute_file
    from tests.io.helpers import sheet_values

    normal, large = tmp_path / "normal.xlsm", tmp_path / "large.xlsm"
    recompute_file(demo_copy, normal)
    monkeypatch.setattr(patch, "_MAX_CELL_BYTES", 1 << 40)
    recompute_file(demo_copy, large)
    with zipfile.ZipFile(large) as zf:
        assert zf.testzip() is None
        part = "xl/worksheets/sheet3.xml"
        raw = large.read_bytes()
        local = raw[zf.getinfo(part).header_offset :][:30]
        assert int.from_bytes(local[28:30], "little") > 0  # the ZIP64 extra field
    assert sheet_values(large, "Kundenwert") == sheet_values(normal, "Kundenwert")


def _parts(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def _tricky_customers() -> pd.DataFrame:
    """Every kind a customer column can hold, with the values that need care."""
    long = "x" * 40_000 + "\U0001f600"
    return pd.DataFrame(
        {
            "customer_id": pd.array(["=1+1", "-5", "@x", "a&b<c>", None], dtype="str"),
            "name": pd.array([long, "Müller", "", "\x01ctl", "+49 30"], dtype="str"),
            "group": pd.Categorical(["A", "B", None, "A", "B"]),
            "segment": pd.Categorical([3, 1, None, 2, 1]),
            "value_rank": np.array([5, 4, 3, 2, 1], dtype=np.int64),
            "value_score": [np.nan, np.inf, -np.inf, -0.0, 1e-300],
            "r_score": pd.array([1, None, 3, 4, 5], dtype="Int64"),
            "dilemma": [True, False, True, False, True],
            "rfm_code": np.array([111, "5 4 3", None, 2.5, "=A1"], dtype=object),
            "first_purchase": pd.to_datetime(
                ["2024-06-30", None, "1900-03-01", "1900-01-01", "2099-12-31"]
            ),
            "last_purchase": pd.to_datetime(
                [
                    "2024-06-30 12:00",
                    None,
                    "2024-01-01 00:00",
                    "2024-01-02 00:00",
                    "2024-01-03 00:00",
                ]
            ),
            "net_revenue": pd.array([1.5, None, 2.25, -3.0, 0.1], dtype="Float64"),
        },
        index=[40, 10, 30, 20, 0],  # the layout's order, not the frame's
    )


def test_column_wise_blocks_write_what_their_rows_write(demo_copy, tmp_path):
    """A large table kept as columns (report.TableRows) gives the same file, byte for byte, as
    the same table as plain rows (the cell-by-cell path, the reference), and the same notes."""
    from kundenwert_xl import report
    from kundenwert_xl.io import export

    spec = report.SPECS["customers"]
    frame = _tricky_customers()
    by_columns = report.Block(spec, report.table_columns(frame, report.CUSTOMER_COLUMNS), "T")
    by_rows = report.Block(spec, report.table_rows(frame, report.CUSTOMER_COLUMNS), "T")
    assert isinstance(by_columns.rows, report.TableRows)
    assert not isinstance(by_rows.rows, report.TableRows)
    patch.write_results(demo_copy, tmp_path / "columns.xlsm", [by_columns])
    patch.write_results(demo_copy, tmp_path / "rows.xlsm", [by_rows])
    assert _parts(tmp_path / "columns.xlsm") == _parts(tmp_path / "rows.xlsm")
    notes = export.long_text_notes([by_columns])
    assert notes == export.long_text_notes([by_rows])
    assert [n.column for n in notes] == [spec.columns[1].header]  # the 40,001-unit name
    # A few cells by hand: text that looks like a formula is text; no value is no cell value.
    xml = _parts(tmp_path / "columns.xlsm")
    sheet = next(
        v.decode() for k, v in xml.items() if 'r="A3"' in v.decode() and "=1+1" in v.decode()
    )
    assert re.search(r'<c r="A3"[^>]*t="inlineStr"><is><t xml:space="preserve">=1\+1</t>', sheet)
    assert "<v>" not in _cell(sheet, "F4")  # value_score inf: no number
    assert re.search(r"<v>-0.0</v>|<v>-0</v>", _cell(sheet, "F6"))
    # And the rows a consumer iterates are the plain rows.
    assert by_columns.rows == by_rows.rows and len(by_columns.rows) == 5


def test_column_wise_demo_blocks_write_what_their_rows_write(demo_copy, tmp_path):
    """The same on a whole recompute of the demo workbook (customers and Ansprache blocks)."""
    from kundenwert_xl import actions, report

    outcome = actions.recompute(actions.read_inputs(demo_copy))
    assert any(isinstance(b.rows, report.TableRows) for b in outcome.blocks)
    as_rows = [report.Block(b.spec, [list(r) for r in b.rows], b.title) for b in outcome.blocks]
    patch.write_results(demo_copy, tmp_path / "columns.xlsm", outcome.blocks)
    patch.write_results(demo_copy, tmp_path / "rows.xlsm", as_rows)
    assert _parts(tmp_path / "columns.xlsm") == _parts(tmp_path / "rows.xlsm")
