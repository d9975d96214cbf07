"""What a controller sees: every result sheet as LibreOffice prints it (issue 14).

Each sheet of the demo workbook is printed to its own PDF by LibreOffice (lo_render.py, after a
full recalculation); the PDF's text is read back with PyMuPDF and Übersicht is rendered to PNG.
"""

import json
import subprocess
from pathlib import Path

import pymupdf
import pytest

from kundenwert_xl import report, texts
from tests.conftest import soffice_path

PYTHON3 = "/usr/bin/python3"
#: What Excel and LibreOffice show instead of a value (English and German Excel, LibreOffice).
ERROR_VALUES = (
    "#DIV/0!",
    "#VALUE!",
    "#WERT!",
    "#REF!",
    "#BEZUG!",
    "#NAME?",
    "#N/A",
    "#NV",
    "#NUM!",
    "#ZAHL!",
    "#NULL!",
    "Err:",
    "#SPILL!",
    "#ÜBERLAUF!",
)
#: A4 landscape in PDF points.
A4_LANDSCAPE = (841.9, 595.3)


@pytest.fixture(scope="module")
def printed(demo_workbook, tmp_path_factory) -> dict[str, Path]:
    if subprocess.run([PYTHON3, "-c", "import uno"], capture_output=True).returncode:
        pytest.fail("Debian's python3-uno is needed for this test (apt-get install python3-uno)")
    work = tmp_path_factory.mktemp("printed")
    res = subprocess.run(
        [
            PYTHON3,
            str(Path(__file__).with_name("lo_render.py")),
            soffice_path(),
            str(work / "profile"),
            str(demo_workbook),
            str(work),
            *report.RESULT_SHEETS,
            texts.SHEET_NAMES["guide"],
            texts.SHEET_NAMES["own_figures"],
        ],
        capture_output=True,
        text=True,
        timeout=400,
    )
    assert res.returncode == 0, res.stderr
    return {sheet: Path(p) for sheet, p in json.loads(res.stdout.strip().splitlines()[-1]).items()}


@pytest.mark.libreoffice
def test_overview_prints_on_one_landscape_page(printed, tmp_path):
    doc = pymupdf.open(printed[report.SHEETS["overview"]])
    assert doc.page_count == 1
    page = doc[0]
    assert (round(page.rect.width, 1), round(page.rect.height, 1)) == A4_LANDSCAPE
    png = tmp_path / "uebersicht.png"
    page.get_pixmap(dpi=96).save(png)
    image = pymupdf.Pixmap(str(png))
    assert (image.width, image.height) == (1123, 794)  # A4 landscape at 96 dpi: one page
    text = page.get_text()
    # the headline, the figures beside their labels, the scenarios and both chart titles
    for expected in (
        "Kernaussagen",
        "Gipfel der Walkurve",
        "Dilemma-Kunden",
        "Was wäre, wenn",
        "Walkurve: kumulierter DB",
        "Pareto: Umsatzanteil",
    ):
        assert expected in text, expected


@pytest.mark.libreoffice
def test_no_result_sheet_shows_hashes_or_error_values(printed):
    for sheet in report.RESULT_SHEETS:  # the guide names Excel's error values on purpose
        text = "".join(page.get_text() for page in pymupdf.open(printed[sheet]))
        assert "###" not in text, sheet
        found = [e for e in ERROR_VALUES if e in text]
        assert found == [], (sheet, found)


@pytest.mark.libreoffice
def test_every_printed_sheet_is_one_page_wide_with_its_footer(printed):
    for sheet, pdf in printed.items():
        doc = pymupdf.open(pdf)
        assert doc.page_count >= 1, sheet
        for number, page in enumerate(doc, start=1):
            assert page.rect.width > page.rect.height, sheet  # landscape
            # The demo's Stichtag is its last transaction day, 31.12.2024 (demo.py's design);
            # the guide and Kennzahlen (a new user printed it without a footer) name none.
            dated = " – Stichtag 31.12.2024" if sheet in report.RESULT_SHEETS else ""
            footer = f"{sheet}{dated} – Seite {number} von {doc.page_count}"
            assert footer in page.get_text(), sheet


@pytest.mark.libreoffice
def test_the_guide_prints_whole(printed):
    """Anleitung: every line on paper, the long ones wrapped, none cut at the page's edge."""
    doc = pymupdf.open(printed[texts.SHEET_NAMES["guide"]])
    assert doc.page_count <= 3
    text = " ".join(" ".join(page.get_text().split()) for page in doc)
    for line in texts.GUIDE:
        words = line.split()
        if words:  # the line's end is printed, so nothing ran past the edge
            assert " ".join(words[-3:]) in text, line
