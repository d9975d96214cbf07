"""Build ``workbook_template.xlsm`` from source, deterministically (same sources, same bytes).

1. openpyxl lays out the sheets: the Anleitung, the result sheets from the report layout
   (titles, headers, number formats, fixed-size areas), a Kennzahlen sheet with ordinary
   formulas over the results, the input tables as empty Excel Tables, the
   Einstellungen with every setting, the hidden ``xlwings.conf`` sheet, and the charts.
2. The VBA project is written from source (:mod:`kundenwert_xl.template.ovba`): xlwings'
   standalone module and Dictionary class from the installed, pinned xlwings, the generated
   ``xlwings_udfs`` wrappers, our ribbon module, one document module per sheet.
3. The zip is assembled with fixed timestamps and order, the VBA part, the 2006 customUI part
   and their relationships.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable
from importlib import resources
from pathlib import Path

import openpyxl
from openpyxl.cell import Cell
from openpyxl.chart import BarChart, LineChart, Reference, ScatterChart, Series
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from kundenwert_xl import cells, opc, report, texts
from kundenwert_xl.core.segments import PRESETS
from kundenwert_xl.core.settings import Settings, setting_key
from kundenwert_xl.template import ovba, udf_wrappers

TEMPLATE_NAME = "workbook_template.xlsm"
XLWINGS_CONF_SHEET = "xlwings.conf"  # the name xlwings' VBA looks for
FIXED_TIME = (2024, 1, 1, 0, 0, 0)

#: Sheet name -> VBA codeName, in workbook order. The ``sh`` prefix keeps the document modules
#: clear of every procedure and worksheet-function name: VBA names ignore case, and a module named
#: like a function (``Kundenwert`` / ``KUNDENWERT``) can make the function's cells show #NAME?.
SHEETS: dict[str, str] = {
    texts.SHEET_NAMES["guide"]: "shAnleitung",
    texts.RESULT_SHEETS["overview"]: "shUebersicht",
    texts.RESULT_SHEETS["customers"]: "shKundenwert",
    texts.RESULT_SHEETS["segments"]: "shSegmente",
    texts.RESULT_SHEETS["pareto"]: "shPareto",
    texts.RESULT_SHEETS["dilemma"]: "shDilemma",
    texts.RESULT_SHEETS["targeting"]: "shAnsprache",
    texts.SHEET_NAMES["own_figures"]: "shKennzahlen",
    texts.TABLE_NAMES["transactions"]: "shTransaktionen",
    texts.TABLE_NAMES["customers"]: "shKunden",
    texts.TABLE_NAMES["contacts"]: "shWerbekontakte",
    texts.TABLE_NAMES["settings"]: "shEinstellungen",
    texts.RESULT_SHEETS["problems"]: "shPruefprotokoll",
    XLWINGS_CONF_SHEET: "shXlwingsConf",
}
INPUT_FORMATS = {
    "date": report.DATE,
    "revenue": report.EURO,
    "cost_of_goods": report.EURO,
    "discount": report.EURO,
    "shipping_cost": report.EURO,
    "sales_costs": report.EURO,
    "marketing_costs": report.EURO,
    "service_costs": report.EURO,
}
# Only what must be the same on every PC. xlwings' GetConfig takes a key from this sheet as soon
# as the key exists, even with an empty value, so an interpreter or conda key here would hide the
# setting each PC has (kundenwert setup writes it into the user's xlwings.conf).
# ADD_WORKBOOK_TO_PYTHONPATH=False keeps a workbook on OneDrive/SharePoint (a URL as FullName)
# from breaking the Python path; the functions module comes from the installed package.
XLWINGS_CONF = (
    ("UDF Modules", udf_wrappers.UDF_MODULE),
    ("ADD_WORKBOOK_TO_PYTHONPATH", "False"),
)
RIBBON_MODULE = "KundenwertRibbon"
# Once when the workbook opens: a PC without Python (or without the DLL) is told so in German.
WORKBOOK_OPEN = "Private Sub Workbook_Open()\n    PythonBereit True\nEnd Sub"

TITLE_FONT = Font(bold=True, size=13, color="1F3864")
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F3864")
TABLE_STYLE = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)


def _put(ws: Worksheet, row: int, col: int, value: object, *, formula: bool = False) -> Cell:
    """Write one cell: text stays text, an empty text is an empty cell.

    openpyxl stores every string that starts with ``=`` as a formula; our own texts (the guide's
    example lines) would then be broken formulas that Excel removes with a repair prompt. Only
    ``formula=True`` writes a formula. Other values become plain cell values first
    (:func:`kundenwert_xl.cells.plain`: numpy scalars as Python values, NaN as an empty cell).
    """
    value = cells.plain(value)
    if isinstance(value, str) and not value:
        value = None
    cell = ws.cell(row, col, value)
    if isinstance(value, str) and not formula:
        cell.data_type = "s"
    return cell


def _put_row(ws: Worksheet, row: int, values: Iterable[object], col: int = 1) -> None:
    """Write ``values`` as data (never formulas) into ``row`` from column ``col`` on."""
    for j, value in enumerate(values, start=col):
        if value is not None and value != "":  # no cell at all where there is nothing
            _put(ws, row, j, value)


def column_letter(spec: report.BlockSpec, source: str) -> str:
    """Sheet column letter of a block's column, by its source name."""
    index = [c.source for c in spec.columns].index(source)
    return get_column_letter(spec.col + index)


def _result_sheets(wb: openpyxl.Workbook) -> None:
    header_lines: dict[tuple[str, int], int] = {}
    for spec in report.LAYOUT:
        ws = wb[spec.sheet]
        _put(ws, spec.row, spec.col, spec.title).font = TITLE_FONT
        for j, column in enumerate(spec.columns):
            col = spec.col + j
            cell = _put(ws, spec.row + 1, col, column.header)
            cell.font, cell.fill = HEADER_FONT, HEADER_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            letter = get_column_letter(col)
            if spec.max_rows is None:
                # Variable-length blocks take their number format from the column.
                if column.fmt:
                    ws.column_dimensions[letter].number_format = column.fmt
            elif column.fmt or spec.row_formats:
                first = spec.first_data_row
                for i, r in enumerate(range(first, first + spec.max_rows)):
                    fmt = column.fmt or (spec.row_formats[i] if i < len(spec.row_formats) else None)
                    if fmt:
                        ws.cell(r, col).number_format = fmt
        ws.freeze_panes = ws.cell(spec.first_data_row, 1) if spec.max_rows is None else None
    # One width rule for the workbook and the .xlsx export: report.column_widths.
    widths = {sheet: report.column_widths(sheet) for sheet in report.RESULT_SHEETS}
    for sheet, columns in widths.items():
        for col, width in columns.items():
            wb[sheet].column_dimensions[get_column_letter(col)].width = width
    # Header rows tall enough for their wrapped text, once every column has its final width.
    for spec in report.LAYOUT:
        lines = max(
            report.header_lines(c.header, widths[spec.sheet][spec.col + j])
            for j, c in enumerate(spec.columns)
        )
        key = (spec.sheet, spec.row + 1)
        header_lines[key] = max(header_lines.get(key, 1), lines)
    for (sheet, row), lines in header_lines.items():
        wb[sheet].row_dimensions[row].height = 15 * lines + 3
    facts = report.SPECS["facts"]
    link = wb[facts.sheet].cell(facts.first_data_row + report.DILEMMA_FACT_INDEX, facts.col)
    link.hyperlink = Hyperlink(
        ref=link.coordinate,
        location=f"'{report.SHEETS['dilemma']}'!A1",
        tooltip=texts.OVERVIEW["dilemma_link"],
    )
    link.font = Font(color="0563C1", underline="single")
    dilemma = report.SPECS["dilemma"]
    letter = column_letter(dilemma, "decision")
    choices = ",".join(texts.DECISION_CHOICES)
    validation = DataValidation(
        type="list", formula1=f'"{choices}"', allow_blank=True, showErrorMessage=False
    )
    validation.add(f"{letter}{dilemma.first_data_row}:{letter}5000")
    wb[dilemma.sheet].add_data_validation(validation)
    _print_setup(wb)


def _print_setup(wb: openpyxl.Workbook) -> None:
    """Landscape, one page wide, title and header rows on every page, a footer; Übersicht on one.

    The Stichtag is in each sheet's title row, which is repeated on every page (a footer cannot
    hold a cell's value, and the headless writer changes cell data only).
    """
    for sheet in report.RESULT_SHEETS:
        ws = wb[sheet]
        header_row = min(spec.row for spec in report.LAYOUT if spec.sheet == sheet) + 1
        _paper(ws)
        if sheet == report.SHEETS["overview"]:
            ws.page_setup.fitToHeight = 1
        else:
            ws.print_title_rows = f"1:{header_row}"


def _paper(ws: Worksheet) -> None:
    """Landscape A4, one page wide, as long as needed, with the footer (sheet, page)."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.oddFooter.center.text = texts.OVERVIEW["footer"]
    ws.oddFooter.center.size = 8


def _whale_chart(ws: Worksheet) -> ScatterChart:
    """The whale curve: cumulative DB share over 0–100 % of customers, best first."""
    pareto = report.SPECS["pareto"]
    first, last = pareto.first_data_row, pareto.last_row
    whale = ScatterChart()
    whale.title, whale.style, whale.height, whale.width = texts.CHART_TITLES["whale"], 13, 8, 16
    whale.x_axis.title, whale.y_axis.title = texts.CHART_AXES["customers"], texts.CHART_AXES["db"]
    xs = Reference(ws, min_col=pareto.col, min_row=first, max_row=last)
    ys = Reference(ws, min_col=pareto.col + 5, min_row=pareto.row + 1, max_row=last)
    whale.series.append(Series(ys, xs, title_from_data=True))
    # Required by the schema (minOccurs=1); openpyxl leaves it out unless set. Excel writes
    # "lineMarker" for the scatter charts it makes.
    whale.scatterStyle = "lineMarker"
    whale.series[0].marker.symbol = "none"
    whale.x_axis.number_format = whale.y_axis.number_format = report.PCT0
    # 0–100 % of customers: without fixed limits the axis runs on to 120 %.
    whale.x_axis.scaling.min, whale.x_axis.scaling.max = 0, 1
    whale.x_axis.majorUnit = 0.1
    whale.x_axis.delete = whale.y_axis.delete = False
    whale.legend = None
    return whale


def _pareto_chart(ws: Worksheet) -> BarChart:
    """Revenue share per decile (bars) and its running total (line) on ONE percent axis."""
    deciles = report.SPECS["deciles_revenue"]
    d_first, d_last = deciles.first_data_row, deciles.last_row
    bars = BarChart()
    bars.title, bars.height, bars.width = texts.CHART_TITLES["pareto"], 8, 16
    bars.x_axis.title, bars.y_axis.title = (
        texts.CHART_AXES["deciles"],
        texts.CHART_AXES["revenue_share"],
    )
    bars.add_data(
        Reference(ws, min_col=deciles.col + 3, min_row=deciles.row + 1, max_row=d_last),
        titles_from_data=True,
    )
    categories = Reference(ws, min_col=deciles.col, min_row=d_first, max_row=d_last)
    bars.set_categories(categories)
    line = LineChart()
    line.add_data(
        Reference(ws, min_col=deciles.col + 4, min_row=deciles.row + 1, max_row=d_last),
        titles_from_data=True,
    )
    line.set_categories(categories)
    # The line shares the bars' axes (same ids): one scale, so a bar and a line point of the
    # same value stand at the same height.
    line.x_axis, line.y_axis = bars.x_axis, bars.y_axis
    bars.y_axis.number_format = report.PCT0
    bars.y_axis.scaling.min, bars.y_axis.scaling.max = 0, 1
    bars.y_axis.majorUnit = 0.1
    bars.x_axis.delete = bars.y_axis.delete = False
    bars.legend.position = "b"
    bars += line
    return bars


def _charts(wb: openpyxl.Workbook) -> None:
    ws = wb[report.SPECS["pareto"].sheet]
    ws.add_chart(_whale_chart(ws), "X2")
    ws.add_chart(_pareto_chart(ws), "X20")
    # The pictures of the article's claims on the first screen, beside the figures.
    overview = wb[report.SHEETS["overview"]]
    right = get_column_letter(
        max(s.col + len(s.columns) for s in report.LAYOUT if s.sheet == overview.title) + 1
    )
    overview.add_chart(_whale_chart(ws), f"{right}2")
    overview.add_chart(_pareto_chart(ws), f"{right}20")

    seg = report.SPECS["segments"]
    ws_seg = wb[seg.sheet]
    s_first, s_last = seg.first_data_row, seg.first_data_row + 11
    chart = BarChart()
    chart.type, chart.title, chart.height, chart.width = (
        "bar",
        texts.CHART_TITLES["segments"],
        9,
        16,
    )
    for offset in (2, 4):  # Anteil Kunden, Anteil Umsatz
        chart.add_data(
            Reference(ws_seg, min_col=seg.col + offset, min_row=seg.row + 1, max_row=s_last),
            titles_from_data=True,
        )
    chart.set_categories(Reference(ws_seg, min_col=seg.col, min_row=s_first, max_row=s_last))
    chart.x_axis.number_format = report.PCT0
    chart.x_axis.delete = chart.y_axis.delete = False
    ws_seg.add_chart(chart, "R2")

    _forecast_chart(wb)


def _forecast_chart(wb: openpyxl.Workbook) -> None:
    """The holdout check's cumulative repeat purchases, actual against expected."""
    spec = report.SPECS["forecast_curve"]
    ws = wb[spec.sheet]
    assert spec.max_rows is not None  # the chart needs a fixed-size block
    first, last = spec.first_data_row, spec.first_data_row + spec.max_rows - 1
    chart = LineChart()
    chart.title, chart.height, chart.width = texts.CHART_TITLES["forecast"], 8, 16
    chart.add_data(
        Reference(
            ws, min_col=spec.col + 1, max_col=spec.col + 2, min_row=spec.row + 1, max_row=last
        ),
        titles_from_data=True,
    )
    chart.set_categories(Reference(ws, min_col=spec.col, min_row=first, max_row=last))
    # Beside the check table, one column clear of it, above the weekly rows it plots.
    check = report.SPECS["forecast_check"]
    ws.add_chart(
        chart, f"{get_column_letter(check.col + len(check.columns) + 1)}{check.first_data_row}"
    )


def _kennzahlen(wb: openpyxl.Workbook) -> None:
    """Ordinary formulas over the result sheets, the way a user builds on them."""
    ws = wb[texts.SHEET_NAMES["own_figures"]]
    _paper(ws)
    _put(ws, 1, 1, texts.KENNZAHLEN_TITLE).font = TITLE_FONT
    spec = report.SPECS["customers"]
    top, bottom = spec.first_data_row, cells.EXCEL_ROWS

    def col(source: str) -> str:
        letter = column_letter(spec, source)
        return f"'{spec.sheet}'!${letter}${top}:${letter}${bottom}"

    formulas = {
        "customers": f"=COUNTA({col('customer_id')})",
        "a": f'=COUNTIFS({col("abc_class")},"A")',
        "b": f'=COUNTIFS({col("abc_class")},"B")',
        "c": f'=COUNTIFS({col("abc_class")},"C")',
        "revenue_a": f'=SUMIFS({col("net_revenue")},{col("abc_class")},"A")',
        "revenue": f"=SUM({col('net_revenue')})",
        "db3": f"=SUM({col('db3')})",
        "dilemma": f'=COUNTIFS({col("dilemma")},"{texts.YES}")',
        "negative_db3": f'=COUNTIFS({col("db3")},"<0")',
    }
    r = 3
    _put_row(ws, r, texts.KENNZAHLEN_HEADERS)
    for key, formula in formulas.items():
        r += 1
        _put(ws, r, 1, texts.KENNZAHLEN_LABELS[key])
        _put(ws, r, 2, formula, formula=True)
    r += 2
    _put_row(ws, r, texts.KENNZAHLEN_SEGMENT_HEADERS)
    for rule in PRESETS["r_current"]:
        r += 1
        _put(ws, r, 1, texts.segment_name(rule.name))
        segment_formulas = (
            f"=COUNTIFS({col('segment')},$A{r})",
            f"=SUMIFS({col('net_revenue')},{col('segment')},$A{r})",
            f"=SUMIFS({col('db3')},{col('segment')},$A{r})",
        )
        for j, formula in enumerate(segment_formulas, start=2):
            _put(ws, r, j, formula, formula=True)
    for row in ws.iter_rows(min_row=3):
        for cell in row[2:]:
            cell.number_format = report.EURO
    ws["B8"].number_format = ws["B9"].number_format = ws["B10"].number_format = report.EURO
    ws.column_dimensions["A"].width = 34
    for letter in "BCD":
        ws.column_dimensions[letter].width = 16


def _input_table(wb: openpyxl.Workbook, key: str) -> None:
    """An EMPTY input Table: header row, formats, and the one blank data row Excel requires.

    The template ships without data so that nobody appends real data to samples; the demo,
    *Beispieldaten laden* and ``kundenwert analyze -o x.xlsm`` fill a copy.
    """
    name = texts.TABLE_NAMES[key]
    ws = wb[name]
    columns = report.INPUT_COLUMNS[key]
    _put_row(ws, 1, [texts.header(key, c) for c in columns])
    for j, column in enumerate(columns, start=1):
        letter = get_column_letter(j)
        ws.column_dimensions[letter].width = max(15, len(texts.header(key, column)) + 4)
        if column in INPUT_FORMATS:
            ws.column_dimensions[letter].number_format = INPUT_FORMATS[column]
            ws.cell(2, j).number_format = INPUT_FORMATS[column]
    ref = f"A1:{get_column_letter(len(columns))}2"
    ws.add_table(Table(displayName=name, ref=ref, tableStyleInfo=TABLE_STYLE))
    ws.freeze_panes = "A2"


def _settings_sheet(wb: openpyxl.Workbook) -> None:
    ws = wb[texts.TABLE_NAMES["settings"]]
    _put_row(ws, 1, texts.SETTING_TABLE_HEADERS)
    rows = [row for row in Settings().to_rows() if setting_key(row[0]) != "segment_rules"]
    for r, row in enumerate(rows, start=2):
        _put_row(ws, r, row)
    ws.add_table(
        Table(
            displayName=texts.TABLE_NAMES["settings"],
            ref=f"A1:C{ws.max_row}",
            tableStyleInfo=TABLE_STYLE,
        )
    )
    # Values as wide as the longest one: a band table cut at the column edge reads wrongly
    # ("ab 24: -1" for -15). Explanations wrap instead of running on.
    ws.column_dimensions["A"].width = max(len(str(row[0])) for row in rows) + 2
    ws.column_dimensions["B"].width = max(len(str(row[1])) for row in rows) + 2
    ws.column_dimensions["C"].width = 90
    for r in range(2, len(rows) + 2):
        ws.cell(r, 2).alignment = Alignment(vertical="top")
        ws.cell(r, 3).alignment = Alignment(wrap_text=True, vertical="top")
        # Excel and LibreOffice do not grow a row for wrapped text written by a program.
        ws.row_dimensions[r].height = 15 * -(-len(str(rows[r - 2][2])) // 85)
    ws.page_setup.orientation = "landscape"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.print_title_rows = "1:1"
    start = 5
    _put_row(ws, 1, texts.SEGMENT_RULE_HEADERS, start)
    for i, rule in enumerate(PRESETS["r_current"], start=2):
        _put_row(ws, i, [texts.segment_name(rule.name), *rule.r, *rule.f, *rule.m], start)
    last = get_column_letter(start + len(texts.SEGMENT_RULE_HEADERS) - 1)
    ws.add_table(
        Table(
            displayName=texts.TABLE_NAMES["segment_rules"],
            ref=f"{get_column_letter(start)}1:{last}{len(PRESETS['r_current']) + 1}",
            tableStyleInfo=TABLE_STYLE,
        )
    )
    ws.column_dimensions[get_column_letter(start)].width = 26


#: Characters of guide text a line of column A (width 100) holds, with room to spare.
GUIDE_CHARS_PER_LINE = 85


def workbook_xml() -> bytes:
    """The workbook as openpyxl writes it (sheets, styles, tables, charts; no VBA yet)."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, code_name in SHEETS.items():
        ws = wb.create_sheet(name)
        ws.sheet_properties.codeName = code_name
    wb.code_name = "ThisWorkbook"
    guide = wb[texts.SHEET_NAMES["guide"]]
    for r, line in enumerate(texts.GUIDE, start=1):
        _put_row(guide, r, [line])
        # Long lines wrap inside column A instead of running past the printed page's edge.
        guide.cell(r, 1).alignment = Alignment(wrap_text=True, vertical="top")
        # Excel and LibreOffice keep a stored row's height: room for the wrapped lines, counted
        # at 85 characters of text per 100 digit widths (upper-case and bold run wider).
        lines = -(-len(line) // GUIDE_CHARS_PER_LINE)
        if lines > 1:
            guide.row_dimensions[r].height = 15 * lines
    guide["A1"].font = TITLE_FONT
    guide.column_dimensions["A"].width = 100
    _paper(guide)
    _result_sheets(wb)
    _charts(wb)
    _kennzahlen(wb)
    for key in ("transactions", "customers", "contacts"):
        _input_table(wb, key)
    _settings_sheet(wb)
    conf = wb[XLWINGS_CONF_SHEET]
    for r, row in enumerate(XLWINGS_CONF, start=1):
        _put_row(conf, r, row)
    conf.sheet_state = "hidden"
    wb.active = 0
    created = dt.datetime(*FIXED_TIME)
    wb.properties.creator = "kundenwert_xl"
    wb.properties.created = wb.properties.modified = created
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _vba_string(text: str) -> str:
    """Text as the inside of a VBA string literal (quotes doubled; one line)."""
    return text.replace('"', '""').replace("\n", " ")


def ribbon_source(source: str) -> str:
    """The ribbon module with its words (texts.py) and the pinned xlwings DLL version filled in."""
    from kundenwert_xl.pc.interpreter import PINNED_XLWINGS

    values = {
        "@XLWINGS_VERSION@": PINNED_XLWINGS,
        "@MSG_NOT_SET_UP@": _vba_string(texts.VBA["not_set_up"]),
        "@MSG_TITLE@": _vba_string(texts.VBA["title"]),
        "@GUIDE_SHEET@": _vba_string(texts.SHEET_NAMES["guide"]),
    }
    for placeholder, value in values.items():
        source = source.replace(placeholder, value)
    return source


def vba_modules() -> list[ovba.Module]:
    """Every module of the template's VBA project, in project order."""
    import xlwings

    source = Path(xlwings.__file__).parent
    ribbon = resources.files("kundenwert_xl.template").joinpath("vba", f"{RIBBON_MODULE}.bas")
    modules = [ovba.document_module("ThisWorkbook", workbook=True, body=WORKBOOK_OPEN)]
    modules += [ovba.document_module(code) for code in SHEETS.values()]
    modules += [
        ovba.Module(RIBBON_MODULE, "standard", ribbon_source(ribbon.read_text(encoding="utf-8"))),
        ovba.Module("xlwings", "standard", (source / "xlwings.bas").read_text(encoding="utf-8")),
        ovba.class_module((source / "addin" / "Dictionary.cls").read_text(encoding="utf-8")),
        ovba.Module("xlwings_udfs", "standard", udf_wrappers.generate(TEMPLATE_NAME)),
    ]
    return modules


def custom_ui() -> bytes:
    """The ribbon (2006 customUI part)."""
    return resources.files("kundenwert_xl.template").joinpath("customUI.xml").read_bytes()


def build() -> bytes:
    """The bytes of ``workbook_template.xlsm``."""
    base = zipfile.ZipFile(io.BytesIO(workbook_xml()))
    parts = {name: base.read(name) for name in base.namelist()}
    parts["[Content_Types].xml"] = opc.add_override(
        opc.macro_enabled(parts["[Content_Types].xml"]),
        "xl/vbaProject.bin",
        "application/vnd.ms-office.vbaProject",
    )
    parts["xl/_rels/workbook.xml.rels"] = opc.add_relationship(
        parts["xl/_rels/workbook.xml.rels"],
        "rIdVBA",
        opc.OFFICE_2006_RELATIONSHIP + "vbaProject",
        "vbaProject.bin",
    )
    parts["_rels/.rels"] = opc.add_relationship(
        parts["_rels/.rels"],
        "rIdUI",
        opc.OFFICE_2006_RELATIONSHIP + "ui/extensibility",
        "customUI/customUI.xml",
    )
    parts["docProps/core.xml"] = re.sub(
        rb"(<dcterms:(created|modified)[^>]*>)[^<]*",
        rb"\g<1>2024-01-01T00:00:00Z",
        parts["docProps/core.xml"],
    )
    parts["xl/workbook.xml"] = opc.full_calc_on_load(parts["xl/workbook.xml"])
    parts["xl/vbaProject.bin"] = ovba.build(vba_modules())
    parts["customUI/customUI.xml"] = custom_ui()

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            zf.writestr(info, data)
    return out.getvalue()
