"""The message catalogue and the code agree: every key is used, every key used exists.

Read from the package's source with ``ast`` (no import tricks): a key is *used* when its string
appears as a constant in code outside the catalogue's own definition; a key is *looked up* when
it is subscripted (``texts.CLI["written"]``), passed to ``texts.message`` or given to ``Problem``
as its code.
"""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest

from kundenwert_xl import texts
from kundenwert_xl.core import schema
from kundenwert_xl.core.errors import Problem

PACKAGE = Path(texts.__file__).parent
CATALOGUES = ("MESSAGES", "CLI", "IO_DETAILS", "UDF", "SETTING_DETAILS", "DOCTOR", "SETUP", "VBA")


def _trees() -> dict[Path, ast.Module]:
    return {p: ast.parse(p.read_text(encoding="utf-8")) for p in sorted(PACKAGE.rglob("*.py"))}


def _catalogue_nodes(tree: ast.Module) -> set[int]:
    """ids of the key constants of the catalogue dicts themselves (their definitions)."""
    skip: set[int] = set()
    for node in tree.body:
        target = node.target if isinstance(node, ast.AnnAssign) else None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
        if isinstance(target, ast.Name) and target.id in CATALOGUES:
            skip |= {id(k) for k in node.value.keys if k is not None}
    return skip


def _constants() -> tuple[set[str], set[str]]:
    """String constants of the code, and the literal heads of f-strings (``f"layer_{x}"``)."""
    found: set[str] = set()
    heads: set[str] = set()
    for path, tree in _trees().items():
        skip = _catalogue_nodes(tree) if path.name == "texts.py" else set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if id(node) not in skip:
                    found.add(node.value)
            if isinstance(node, ast.JoinedStr) and isinstance(node.values[0], ast.Constant):
                head = node.values[0].value
                if isinstance(head, str) and head.endswith("_") and len(head) >= 4:
                    heads.add(head)
    return found, heads


def _lookups() -> list[tuple[str, str, str]]:
    """(catalogue, key, where) for every literal lookup in the package."""
    found = []
    for path, tree in _trees().items():
        where = path.relative_to(PACKAGE).as_posix()
        for node in ast.walk(tree):
            if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
                value = node.value
                name = value.attr if isinstance(value, ast.Attribute) else getattr(value, "id", "")
                if name in CATALOGUES:
                    found.append((name, node.slice.value, where))
            if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name == "message":
                    found.append(("MESSAGES", node.args[0].value, where))
                if name == "Problem":
                    found.append(("code", node.args[0].value, where))
    return found


@pytest.mark.parametrize("catalogue", CATALOGUES)
def test_every_key_is_used(catalogue):
    used, heads = _constants()
    unused = sorted(
        k
        for k in getattr(texts, catalogue)
        if k not in used and not any(k.startswith(h) for h in heads)
    )
    assert unused == [], f"texts.{catalogue}: keys nothing uses"


def test_every_key_looked_up_exists():
    missing = []
    # A code is a message key, or names the entry of the face's own catalogue that is its text.
    problem_codes = (
        set(texts.MESSAGES)
        | {"io"}
        | {f"udf_{k}" for k in texts.UDF}
        | {f"setup_{k}" for k in texts.SETUP}
    )
    for catalogue, key, where in _lookups():
        known = problem_codes if catalogue == "code" else getattr(texts, catalogue)
        if key not in known:
            missing.append((catalogue, key, where))
    assert missing == []


def test_problem_codes_raised_by_the_schema_parsers_have_messages():
    """Codes the parsers put in their ``bad`` dicts become messages through a variable."""
    tree = ast.parse((PACKAGE / "core" / "schema.py").read_text(encoding="utf-8"))
    codes = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Subscript)
            and isinstance(node.value, ast.Name)
            and node.value.id == "bad"
            and isinstance(node.slice, ast.Constant)
        ):
            codes.add(node.slice.value)
        if (
            isinstance(node, ast.Call)
            and getattr(node.func, "id", "") == "flag"
            and isinstance(node.args[0], ast.Constant)
        ):
            codes.add(node.args[0].value)
        if isinstance(node, ast.IfExp) and isinstance(node.body, ast.Dict):
            codes |= {k.value for k in node.body.keys}
    codes |= set(schema.NOTE_CODES)
    assert len(codes) >= 15
    assert sorted(codes - set(texts.MESSAGES)) == []


def test_the_lookup_finder_sees_real_lookups():
    """Guards the test itself: it must find lookups it is known to have to check."""
    lookups = {(c, k) for c, k, _ in _lookups()}
    assert ("CLI", "written") in lookups and ("MESSAGES", "io_error") in lookups
    assert ("IO_DETAILS", "not_regular") in lookups and ("code", "empty_table") in lookups


def _problem_calls() -> list[tuple[ast.Call, str]]:
    found = []
    for path, tree in _trees().items():
        where = path.relative_to(PACKAGE).as_posix()
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Problem":
                found.append((node, where))
    return found


def test_core_problems_carry_a_reason_code_not_a_sentence():
    """Core says what is wrong (code + params); the sentence is made at the edge."""
    rendered = []
    for node, where in _problem_calls():
        if not where.startswith("core/") or len(node.args) < 2:
            continue
        text = node.args[1]
        if isinstance(text, ast.Call) and getattr(text.func, "attr", "") == "message":
            # The one sanctioned case: "and N more rows" under the code of the rows above.
            if ast.unparse(text.args[0]) != "'more_rows'":
                rendered.append((where, ast.unparse(node.args[0])))
    assert rendered == []
    # Guards the test itself: core builds problems, and most carry params.
    calls = [n for n, w in _problem_calls() if w.startswith("core/")]
    assert sum(any(k.arg == "params" for k in n.keywords) for n in calls) >= 15


def test_a_problem_renders_its_catalogue_sentence_late():
    p = Problem("missing_column", params={"column": "Datum"}, table="Transaktionen")
    assert p.message == (
        "Pflichtspalte 'Datum' fehlt. Bitte eine Spalte mit der Überschrift 'Datum' anlegen."
    )
    assert p.one_line() == "Transaktionen: " + p.message
    assert p.params == (("column", "Datum"),) and hash(p) == hash(
        Problem("missing_column", params={"column": "Datum"}, table="Transaktionen")
    )
    # A face's own sentence (file errors, UDF texts) is kept as given.
    assert Problem("io", "Datei fehlt.").message == "Datei fehlt."


def test_the_catalogue_writes_raw_numbers_and_dates_the_german_way():
    """Core hands over numbers and dates; each placeholder's form makes the German text.

    Expected sentences written by hand from the catalogue wording and German conventions.
    """
    assert texts.message("clv_q_not_above_one", q=1.5).startswith(
        "Keine Prognose: im Ausgabenmodell (Gamma-Gamma) ist q = 1,5 nicht größer als 1;"
    )
    assert texts.message("order_cost_assumed", cost=5.0, count=1234, total=6170.0) == (
        "Je Auftrag wurden 5,00 € Abwicklungskosten abgezogen, bei 1.234 Aufträgen zusammen "
        "6.170,00 € (DB II)."
    )
    assert texts.message("cogs_rate_blank", count=2, rate=0.625, total=-1234.5) == (
        "2 Zeilen ohne Wareneinsatz; dort wurde die Wareneinsatzquote von 62,5 % des "
        "Umsatzes angesetzt (zusammen -1.234,50 €)."
    )
    assert texts.message("clv_db_default_ratio", count=3, rate=0.6).endswith(
        "gilt die Wareneinsatzquote von 60 %."
    )
    assert texts.message(
        "clv_holdout_end", holdout_end=dt.date(2024, 1, 5), reference_date=dt.date(2024, 6, 30)
    ) == ("Das Ende des Prüfzeitraums (05.01.2024) muss nach dem Stichtag (30.06.2024) liegen.")
    assert "(z. B. 0,125)" in texts.message(
        "amounts_rounded_to_cents", count=12345, column="Umsatz", value=0.125
    )
    assert texts.message(
        "amounts_rounded_to_cents", count=12345, column="Umsatz", value=0.125
    ).startswith("12.345 Beträge in der Spalte 'Umsatz' haben Bruchteile")
    assert "(r = 0,2425, alpha = 4,414)" in texts.message(
        "clv_param_out_of_range",
        model="Kaufmodells (BG/NBD)",
        params=(("r", 0.2425), ("alpha", 4.414)),
    )
    assert texts.setting_detail("greater_than_equal", "-1", {"ge": 0.5}) == (
        "Der Wert '-1' muss mindestens 0,5 sein."
    )
    # Without a form a date reads German (as q = 1,5 above: a float); a count of 1 is singular.
    assert texts.message(
        "rows_after_reference_date", count=1234, reference_date=dt.date(2024, 12, 31)
    ) == ("1.234 Zeilen liegen nach dem Stichtag 31.12.2024 und wurden nicht berücksichtigt.")
    assert texts.message("period_extrapolated", days=1).startswith("Die Daten umfassen nur 1 Tag ")


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (1, "1 Zeile liegt nach dem Stichtag 30.06.2024 und wurde nicht berücksichtigt."),
        (2, "2 Zeilen liegen nach dem Stichtag 30.06.2024 und wurden nicht berücksichtigt."),
        (0, "0 Zeilen liegen nach dem Stichtag 30.06.2024 und wurden nicht berücksichtigt."),
    ],
)
def test_counted_messages_say_singular_and_plural(count, expected):
    import numpy as np

    for value in (count, np.int64(count)):
        text = texts.message("rows_after_reference_date", count=value, reference_date="30.06.2024")
        assert text == expected


def test_no_text_leaves_the_plural_to_the_reader():
    """No ``Zeile(n)`` anywhere in the catalogue: every counted noun has both forms."""
    import re

    found = [
        (name, key)
        for name, table in vars(texts).items()
        if isinstance(table, dict)
        for key, text in table.items()
        if isinstance(text, str) and re.search(r"\w\((e|n|en|s)\)", text)
    ]
    assert found == []


@pytest.mark.parametrize(("count", "word"), [(1, "Datei"), (2, "Dateien")])
def test_counted_command_line_notes_say_singular_and_plural(count, word):
    text = texts.fill(texts.CLI["stale_temp_removed"], count=count, names="a")
    assert text.startswith(f"Hinweis: {count} liegengebliebene temporäre {word} eines ")
