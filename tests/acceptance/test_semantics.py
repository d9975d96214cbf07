"""Rules no schema knows, each checked on the template and on what demo and recompute write."""

import os
import re

import pytest

from tests.acceptance import checks
from tests.acceptance.conftest import ROOT

SHARED_CONTROL_IDS = ROOT.parent / "shared" / "excel_control_ids.txt"


def _udf_names(modules):
    return {p for m in modules if m.name == "xlwings_udfs" for p in m.public}


def test_every_formula_is_in_file_syntax(shipped, shipped_zip):
    udfs = _udf_names(checks.vba_modules(shipped))
    assert checks.formula_problems(shipped_zip, udfs) == []


def test_no_vba_procedure_shares_a_name_with_a_module(shipped):
    modules = checks.vba_modules(shipped)
    assert {"xlwings_udfs", "xlwings", "ThisWorkbook"} <= {m.name for m in modules}
    assert checks.vba_name_clashes(modules) == []


def test_sheet_code_names_keep_clear_of_worksheet_function_names(shipped, shipped_zip):
    """A prefix no worksheet function carries (``sh``), and no clash with a built-in or a UDF."""
    from openpyxl.utils.formulas import FORMULAE

    udfs = {n.upper() for n in _udf_names(checks.vba_modules(shipped))}
    _, sheets = checks.code_names(shipped_zip)
    for code_name in sheets.values():
        assert re.fullmatch(r"sh[A-Z][A-Za-z0-9]*", code_name or ""), code_name
        assert code_name.upper() not in FORMULAE | udfs


def test_code_names_equal_the_document_modules_one_to_one(shipped, shipped_zip):
    modules = checks.vba_modules(shipped)
    workbook, sheets = checks.code_names(shipped_zip)
    assert [m.name for m in modules if m.kind == "workbook"] == [workbook]
    documents = sorted(m.name for m in modules if m.kind == "worksheet")
    assert documents == sorted(sheets.values())
    assert len(set(sheets.values())) == len(sheets)


def test_every_image_mso_is_an_excel_control_id(shipped_zip):
    assert "customUI/customUI.xml" in shipped_zip.namelist()
    assert checks.image_mso_problems(shipped_zip, checks.control_ids()) == []


def test_vendored_control_ids_are_in_microsofts_list():
    if not SHARED_CONTROL_IDS.exists():
        if os.environ.get("CI"):
            pytest.fail(f"CI must have {SHARED_CONTROL_IDS}")
        pytest.skip("the full list of Excel control ids is not beside this repository")
    excel = checks.control_ids(SHARED_CONTROL_IDS)
    assert checks.control_ids() <= excel
    # What the ribbon once used: Word's and PowerPoint's ids, not Excel's (issue 9).
    assert not {"ReviewAcceptChange", "TableInsert"} & excel


def test_table_columns_equal_their_header_cells(shipped_zip):
    assert checks.table_problems(shipped_zip) == []


def test_every_chart_series_points_at_an_existing_range(shipped_zip):
    charts = [n for n in shipped_zip.namelist() if n.startswith("xl/charts/chart")]
    # whale and Pareto on Pareto and on Übersicht, segments, forecast check (Segmente)
    assert len(charts) == 6
    assert checks.chart_problems(shipped_zip) == []


def test_empty_cells_are_real_empty_cells(shipped_zip):
    assert checks.empty_string_cells(shipped_zip) == []
