"""LibreOffice recalculates every formula of the files we ship: no cell holds an error value."""

import pytest

from tests.acceptance import checks
from tests.acceptance.conftest import KINDS
from tests.conftest import soffice_path


@pytest.fixture(scope="session")
def recalculated(shipped_files, tmp_path_factory):
    files = [shipped_files[kind] for kind in KINDS]
    converted = checks.libreoffice_recalculate(soffice_path(), files, tmp_path_factory.mktemp("lo"))
    return {kind: converted[shipped_files[kind]] for kind in KINDS}


@pytest.mark.libreoffice
@pytest.mark.parametrize("kind", KINDS)
def test_no_cell_holds_an_error_value_after_recalculation(recalculated, kind):
    assert checks.error_cells(recalculated[kind]) == []


@pytest.mark.libreoffice
def test_recalculation_really_happened(recalculated):
    """The Kennzahlen formulas carry values LibreOffice computed (openpyxl writes none)."""
    import openpyxl

    wb = openpyxl.load_workbook(recalculated["demo"], read_only=True, data_only=True)
    try:
        rows = {r[0]: r[1] for r in wb["Kennzahlen"].iter_rows(values_only=True) if r and r[0]}
    finally:
        wb.close()
    assert isinstance(rows["Kunden"], int | float) and rows["Kunden"] > 0
