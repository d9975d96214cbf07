"""workbook_template.xlsm: built from source, complete, consistent, and what is committed."""

import re
import zipfile
from xml.etree import ElementTree as ET

import pytest

from kundenwert_xl import report
from kundenwert_xl.actions import template_differences
from kundenwert_xl.excel import macros
from kundenwert_xl.io import ooxml
from kundenwert_xl.template import ovba, udf_wrappers
from kundenwert_xl.template.build import SHEETS, build
from tests.conftest import soffice_path
from tests.template.conftest import ROOT

NS_UI = "{http://schemas.microsoft.com/office/2006/01/customui}"


def test_committed_template_equals_a_fresh_build():
    assert template_differences(ROOT / "workbook_template.xlsm") == []


def test_build_is_deterministic(template_bytes):
    assert build() == template_bytes


def test_package_parts_and_relationships(template_zip):
    names = template_zip.namelist()
    assert "xl/vbaProject.bin" in names and "customUI/customUI.xml" in names
    types = template_zip.read("[Content_Types].xml").decode()
    assert "application/vnd.ms-excel.sheet.macroEnabled.main+xml" in types
    assert (
        'PartName="/xl/vbaProject.bin" ContentType="application/vnd.ms-office.vbaProject"' in types
    )
    rels = template_zip.read("xl/_rels/workbook.xml.rels").decode()
    assert 'relationships/vbaProject" Target="vbaProject.bin"' in rels
    root = template_zip.read("_rels/.rels").decode()
    # the 2006 relationship: the part that survives tools that drop the 2010 one
    assert "http://schemas.microsoft.com/office/2006/relationships/ui/extensibility" in root
    assert "customUI14" not in " ".join(names)


def test_ribbon_buttons_call_existing_subs_and_actions(template_zip):
    ui = ET.fromstring(template_zip.read("customUI/customUI.xml"))
    buttons = list(ui.iter(f"{NS_UI}button"))
    assert [b.get("label") for b in buttons] == [
        "Neu berechnen",
        "Eingaben prüfen",
        "Beispieldaten laden",
        "Hilfe",
    ]
    ids = [e.get("id") for e in ui.iter() if e.get("id")]
    assert len(ids) == len(set(ids))
    assert ui.find(f".//{NS_UI}tab").get("label") == "Kundenwert"
    sources = ovba.module_sources(template_zip.read("xl/vbaProject.bin"))
    for button in buttons:
        module, sub = button.get("onAction").split(".")
        assert re.search(rf"Public Sub {sub}\(control As IRibbonControl\)", sources[module]), sub
        assert button.get("imageMso") and button.get("screentip")
    actions = re.findall(r"m\.(\w+)\(\)", sources["KundenwertRibbon"])
    assert actions == ["recompute", "validate", "load_demo", "show_help"]
    for action in actions:
        assert callable(getattr(macros, action))


def test_code_names_match_document_modules(template_zip):
    sources = ovba.module_sources(template_zip.read("xl/vbaProject.bin"))
    documents = {
        n
        for n, s in sources.items()
        if re.search(r'VB_Base = "0\{0002081[9]|VB_Base = "0\{00020820', s)
    }
    workbook = template_zip.read("xl/workbook.xml").decode()
    assert 'codeName="ThisWorkbook"' in workbook
    code_names = set()
    for sheet, part in ooxml.sheet_parts(template_zip).items():
        match = re.search(r'codeName="([^"]+)"', template_zip.read(part).decode())
        code_names.add(match.group(1))
        assert match.group(1) == SHEETS[sheet]
    assert documents == code_names | {"ThisWorkbook"}


def test_udf_module_is_what_xlwings_generates(template_zip):
    sources = ovba.module_sources(template_zip.read("xl/vbaProject.bin"))
    generated = (
        udf_wrappers.generate("workbook_template.xlsm").replace("\r\n", "\n").replace("\n", "\r\n")
    )
    assert sources["xlwings_udfs"] == generated
    for name in ("KUNDENWERT", "RFM", "RFMR_PUNKTE", "DECKUNGSBEITRAG", "PARETO", "ABC_KLASSE"):
        assert f'XLPy.CallUDF("kundenwert_xl.excel.udfs", "{name}"' in generated


def test_hidden_xlwings_conf_names_the_udf_module(template_file):
    import openpyxl

    wb = openpyxl.load_workbook(template_file, read_only=False)
    conf = wb["xlwings.conf"]
    assert conf.sheet_state == "hidden"
    values = {row[0]: row[1] for row in conf.iter_rows(values_only=True)}
    assert values["UDF Modules"] == "kundenwert_xl.excel.udfs"
    assert set(report.RESULT_SHEETS) <= set(wb.sheetnames)
    assert {
        "Anleitung",
        "Transaktionen",
        "Kunden",
        "Werbekontakte",
        "Einstellungen",
        "Kennzahlen",
    } <= set(wb.sheetnames)
    tables = {name for ws in wb.worksheets for name in ws.tables}
    assert {"Transaktionen", "Kunden", "Werbekontakte", "Einstellungen", "Segmentregeln"} <= tables


def test_charts_point_at_the_fixed_result_ranges(template_zip):
    charts = " ".join(
        template_zip.read(n).decode() for n in template_zip.namelist() if n.startswith("xl/charts/")
    )
    pareto = report.SPECS["pareto"]
    first, last = pareto.first_data_row, pareto.first_data_row + pareto.max_rows - 1
    assert f"'Pareto'!$A${first}:$A${last}" in charts  # customer share (x of the whale curve)
    assert f"'Pareto'!$F${first}:$F${last}" in charts  # cumulative DB share
    assert f"'Pareto'!F{pareto.row + 1}<" in charts  # its header is the series title
    deciles = report.SPECS["deciles_revenue"]
    d_first, d_last = deciles.first_data_row, deciles.first_data_row + deciles.max_rows - 1
    assert f"'Pareto'!$O${d_first}:$O${d_last}" in charts  # deciles as categories
    assert f"'Pareto'!$R${d_first}:$R${d_last}" in charts  # revenue share per decile (bars)
    assert f"'Pareto'!$S${d_first}:$S${d_last}" in charts  # cumulative line
    # Issue 14: bars and cumulative line on ONE percent axis (no secondary axis), 0-100 %;
    # the whale curve's x-axis runs from 0 to 100 % of customers, not on to 120 %.
    assert 'axId val="200"' not in charts
    assert charts.count('<max val="1"/>') >= 4 and charts.count('<min val="0"/>') >= 4
    assert "'Segmente'!$A$3:$A$14" in charts and "'Segmente'!$E$3:$E$14" in charts


@pytest.mark.libreoffice
def test_libreoffice_loads_the_template_and_sees_every_module(template_file, tmp_path):
    import subprocess

    result = subprocess.run(
        [
            soffice_path(),
            "--headless",
            "--norestore",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--convert-to",
            "ods",
            "--outdir",
            str(tmp_path),
            str(template_file),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    ods = tmp_path / "workbook_template.ods"
    assert ods.exists(), result.stderr
    with zipfile.ZipFile(ods) as zf:
        basic = {
            n.split("/")[-1][:-4]: zf.read(n).decode()
            for n in zf.namelist()
            if n.startswith("Basic/VBAProject/")
            and n.endswith(".xml")
            and "script-lb" not in n
            and "dialog" not in n
        }
    kinds = {
        name: re.search(r'script:moduleType="(\w+)"', text).group(1) for name, text in basic.items()
    }
    expected = {
        m.name: {"standard": "normal", "document": "document", "class": "class"}[m.kind]
        for m in ovba_modules()
    }
    assert kinds == expected


def ovba_modules():
    from kundenwert_xl.template.build import vba_modules

    return vba_modules()


def test_our_texts_stay_text_and_only_kennzahlen_holds_formulas(template_file):
    """Guide lines start with '=' (the function examples) and must be text cells, not formulas."""
    import openpyxl

    from kundenwert_xl import texts

    wb = openpyxl.load_workbook(template_file)
    guide = wb["Anleitung"]
    examples = [line for line in texts.GUIDE if line.startswith("=")]
    assert len(examples) == 8  # one line per worksheet function, CLV_PROGNOSE included
    stored = {c.value: c.data_type for c in guide["A"] if c.value in examples}
    assert stored == dict.fromkeys(examples, "s")
    cells = [(ws.title, c) for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    with_formulas = {title for title, c in cells if c.data_type == "f"}
    assert with_formulas == {"Kennzahlen"}
    # An empty guide line is an empty cell; xlwings.conf holds no key without a value (issue 15).
    assert guide["A2"].value is None
    assert all(row[1] not in (None, "") for row in wb["xlwings.conf"].iter_rows(values_only=True))
