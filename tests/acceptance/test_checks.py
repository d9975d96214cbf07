"""The acceptance checks themselves: they flag what Excel rejects and pass what it accepts."""

from tests.acceptance import checks
from tests.acceptance.checks import VbaModule, _formula_reasons

KNOWN = {"SUM", "SUMIFS", "COUNTIFS", "COUNTA", "KUNDENWERT"}


def test_the_guide_line_that_once_was_a_formula_is_rejected_for_every_reason():
    reasons = _formula_reasons(
        "KUNDENWERT(Transaktionen[#Alle]; Kunden[#Alle]; Werbekontakte[#Alle]) – alles je Kunde",
        KNOWN,
    )
    assert "';' between arguments" in reasons
    assert "specifier [#Alle] is not English" in reasons
    assert "not a reference: '–'" in reasons
    assert "text after the formula: '–'" in reasons


def test_file_syntax_formulas_pass():
    for text in (
        "COUNTIFS('Kundenwert'!$S$3:$S$1048576,\"A\")",
        "SUMIFS('Kundenwert'!$T$3:$T$1048576,'Kundenwert'!$D$3:$D$1048576,$A15)",
        "SUM(Transaktionen[#All])",
        "SUM(Transaktionen[[#Data],[Umsatz]])",
        "SUM({1;2;3})",
        "_xlfn.XLOOKUP(A1,B:B,C:C)",
        "KUNDENWERT(Transaktionen[#All],Kunden[#All])",
        "COUNTA('Übersicht'!A:A)+1",
    ):
        assert _formula_reasons(text, KNOWN) == [], text


def test_german_function_names_and_unknown_functions_are_rejected():
    assert _formula_reasons("SUMME(A1:A3)", KNOWN) == ["unknown function SUMME"]
    assert _formula_reasons("_xludf.FOO(A1)", KNOWN) == ["unknown function _xludf.FOO"]


def test_a_procedure_named_like_a_module_is_a_clash_whatever_the_case():
    modules = [
        VbaModule("Kundenwert", "worksheet", ()),
        VbaModule("xlwings_udfs", "standard", ("KUNDENWERT", "RFM")),
        VbaModule("shPareto", "worksheet", ()),
    ]
    assert checks.vba_name_clashes(modules) == [
        "xlwings_udfs.KUNDENWERT has the name of module Kundenwert"
    ]
    modules[0] = VbaModule("shKundenwert", "worksheet", ())
    assert checks.vba_name_clashes(modules) == []


def test_private_procedures_do_not_count_as_public():
    code = (
        'Attribute VB_Name = "M"\r\nPrivate Sub Hidden()\r\nEnd Sub\r\n'
        "Function Shown()\r\nEnd Function\r\n"
        'Public Declare PtrSafe Function Api Lib "x" () As Long\r\n'
    )
    found = [
        m.group(2)
        for m in checks._PROCEDURE.finditer(code)
        if (m.group(1) or "Public") != "Private"
    ]
    assert found == ["Shown", "Api"]
