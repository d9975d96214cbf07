"""German wording defects a new user met: counted nouns, suggestions, reasons, help defaults.

Each case runs the real command line in-process (``cli.run``, the real typer and files) or the
real catalogue, and reads what a user reads.
"""

import re
import string

import pytest

from kundenwert_xl import cli, texts

#: One order that was returned; the order and return costs of the default settings apply.
CSV_SINGLE_RETURN = "Kundennr;Datum;Umsatz;Retoure\nK1;01.01.2024;10;1\n"
#: K1 buys on two days, K2 on one: exactly one repeat customer.
CSV_ONE_REPEAT = "Kundennr;Datum;Umsatz\nK1;01.01.2024;10\nK1;05.01.2024;10\nK2;02.01.2024;5\n"

#: Plural nouns (and plural verbs) that must never follow the number 1, by hand.
PLURALS = [
    "Aufträgen",
    "Aufträge",
    "Retouren",
    "Kunden",
    "Dilemma-Kunden",
    "Zeilen",
    "Felder",
    "Feldern",
    "Kombinationen",
    "Szenarien",
    "Regeln",
    "Werbekontakte",
    "Tage",
    "Dateien",
    "Instanzen",
    "Transaktionen",
    "Probleme",
    "Zellen",
    "weitere Zeilen",
]
ONE_THEN_PLURAL = re.compile(r"(?<![\d.,])1 (" + "|".join(map(re.escape, PLURALS)) + r")\b")

#: Placeholders that carry a raw count in the catalogue's sentences.
COUNT_FIELDS = {"count", "days", "customers"}


@pytest.fixture
def kundenwert(run_cli):
    """``kundenwert *args`` in ``tmp_path``, in-process: (exit code, stdout + stderr)."""

    def call(*args):
        res = run_cli(*args)
        return res.returncode, res.stdout + res.stderr

    return call


def _catalogue_sentences():
    """Every catalogue string with a count placeholder, as (name, template)."""
    found = []
    for name, value in vars(texts).items():
        if name.startswith("_"):
            continue
        items = value.items() if isinstance(value, dict) else [("", value)]
        for key, template in items:
            if not isinstance(template, str) or "{" not in template:
                continue
            try:
                fields = {f for _, f, _, _ in string.Formatter().parse(template) if f}
            except ValueError:  # a regex pattern, not a sentence
                continue
            if fields & COUNT_FIELDS:
                found.append((f"{name}[{key}]" if key else name, template))
    return found


def _render_with_one(template: str) -> str:
    params: dict[str, object] = {}
    for _, field, spec, _ in string.Formatter().parse(template):
        if not field:
            continue
        if field in COUNT_FIELDS:
            params[field] = 1
        elif spec == "pairs":
            params[field] = [("r", 0.5)]
        elif spec:
            params[field] = 2.5
        else:
            params.setdefault(field, "X")
    return texts.fill(template, **params)


def test_the_catalogue_check_sees_the_counted_sentences():
    """Guards the test below: it looks at the sentences the trial reported."""
    names = {name for name, _ in _catalogue_sentences()}
    assert {
        "MESSAGES[order_cost_assumed]",
        "MESSAGES[return_cost_assumed]",
        "MESSAGES[clv_too_few_repeat]",
        "SEGMENT_RULES_SHOWN",
        "REPORT[targeting_title]",
    } <= names
    assert ONE_THEN_PLURAL.search("bei 1 Aufträgen zusammen")
    assert not ONE_THEN_PLURAL.search("bei 1 Auftrag zusammen, 11 Kunden, 0,1 Zeilen")


def test_every_counted_sentence_has_its_singular():
    wrong = {}
    for name, template in _catalogue_sentences():
        text = _render_with_one(template)
        if ONE_THEN_PLURAL.search(text):
            wrong[name] = text
    assert wrong == {}


def test_the_counted_nouns_of_the_headline_have_their_singular():
    for noun in texts.NOUNS:
        assert not ONE_THEN_PLURAL.search(texts.count(1, noun)), noun


def test_one_order_and_one_return_are_singular(kundenwert, tmp_path):
    (tmp_path / "tx.csv").write_text(CSV_SINGLE_RETURN)
    code, out = kundenwert("analyze", "tx.csv", "-o", "r.xlsx")
    assert code == 0, out
    assert "Abwicklungskosten abgezogen, bei 1 Auftrag zusammen 8,00 € (DB II)." in out
    assert "Bearbeitungskosten abgezogen, bei 1 Retoure zusammen 15,00 € (DB II)." in out
    assert not ONE_THEN_PLURAL.search(out), out


def test_one_repeat_customer_is_singular(kundenwert, tmp_path):
    (tmp_path / "tx.csv").write_text(CSV_ONE_REPEAT)
    code, out = kundenwert("analyze", "tx.csv", "-o", "r.xlsx")
    assert code == 0, out
    assert "Keine Prognose: nur 1 Kunde hat an mehr als einem Tag gekauft" in out
    assert not ONE_THEN_PLURAL.search(out), out


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["analyse", "x.csv"], "Fehler: Unbekannter Befehl 'analyse'. (Meinten Sie: analyze?)"),
        (["template", "bild"], "Fehler: Unbekannter Befehl 'bild'. (Meinten Sie: build?)"),
    ],
)
def test_an_unknown_command_gets_a_german_suggestion(kundenwert, args, expected):
    code, out = kundenwert(*args)
    assert code == 2, out
    assert expected in out
    assert "Did you mean" not in out


def test_a_negative_seed_is_a_usage_error(kundenwert):
    code, out = kundenwert("demo", "--seed", "-1", "-o", "d.xlsm")
    assert code == 2, out
    assert "Ungültiger Wert für '--seed': '-1' ist zu klein; erlaubt ist mindestens 0." in out
    assert "Unerwarteter Fehler" not in out
    assert "ValueError" not in out


def _doctor_line(out: str, name: str) -> tuple[str, str]:
    """The workbook's finding line and the line after it (its advice, if any)."""
    lines = out.splitlines()
    i = next(i for i, line in enumerate(lines) if f"Mappe {name}:" in line)
    return lines[i], lines[i + 1] if i + 1 < len(lines) else ""


@pytest.mark.parametrize(
    ("name", "reason", "advice"),
    [
        # A data file: not "renamed or incompletely copied, save it again in Excel".
        ("tx.csv", "Das ist eine Datendatei, keine Excel-Mappe.", "kundenwert analyze"),
        ("empty.csv", "Das ist eine Datendatei, keine Excel-Mappe.", "kundenwert analyze"),
        ("nichtda.xlsm", "Die Datei existiert nicht. Bitte Pfad prüfen.", None),
        ("nichtda.csv", "Die Datei existiert nicht. Bitte Pfad prüfen.", None),
        ("adir", "Das ist keine gewöhnliche Datei", "kundenwert template build"),
    ],
)
def test_doctor_says_why_a_workbook_cannot_be_read_in_german(
    kundenwert, tmp_path, name, reason, advice
):
    (tmp_path / "tx.csv").write_text(CSV_ONE_REPEAT)
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "adir").mkdir()
    _, out = kundenwert("doctor", name)
    line, after = _doctor_line(out, name)
    assert f"lässt sich nicht lesen: {reason}" in line
    for english in ("zip file", "Errno", "No such file", "Is a directory"):
        assert english not in out
    # The advice fits the file: a data file goes to analyze, a broken workbook to the template.
    if advice is None:
        assert "→" not in after, (line, after)
    else:
        assert after.strip().startswith("→") and advice in after, (line, after)


def test_a_settings_file_with_a_byte_order_mark_is_read(kundenwert, tmp_path):
    (tmp_path / "tx.csv").write_text(CSV_ONE_REPEAT)
    # Notepad saved UTF-8 with a BOM for years; tomllib alone refuses the file.
    (tmp_path / "bom.toml").write_bytes('\ufeff"Anzahl Klassen" = 3\n'.encode())
    code, out = kundenwert("analyze", "tx.csv", "--einstellungen", "bom.toml", "-o", "r.xlsx")
    assert code == 0, out


@pytest.mark.parametrize(
    ("toml", "said", "not_said"),
    [
        # The unquoted date: tomllib reads 30.06 as a number and stops at the second point.
        (
            "Stichtag = 30.06.2024\n",
            [
                "keine gültige TOML-Datei: Fehler in Zeile 1, Spalte 17.",
                'Anführungszeichen, z. B. Stichtag = "30.06.2024"',
            ],
            ["Expected", "at line"],
        ),
        # German labels have spaces; TOML needs them quoted. The value hint would mislead here.
        (
            "Anzahl Klassen = 3\n",
            ['Namen mit Leerzeichen gehören in Anführungszeichen, z. B. "Anzahl Klassen" = 5.'],
            ["Datumsangaben"],
        ),
        # An unknown setting does not hide a bad value: one run names every mistake.
        (
            '"Unsinn" = 3\n"Anzahl Klassen" = "x"\n',
            [
                "2 Probleme gefunden",
                "Die Einstellung 'Unsinn' ist unbekannt",
                "Der Wert 'x' muss eine ganze Zahl sein.",
            ],
            [],
        ),
        # A setting both under the heading and outside it: which one is meant is not guessed.
        (
            '"Anzahl Klassen" = 3\n[Einstellungen]\n"Anzahl Klassen" = 5\n',
            ["Die Einstellung 'Anzahl Klassen' steht in der Datei zweimal"],
            [],
        ),
        # Scenario shares out of order are told with shares, not with day limits.
        (
            '"Szenarien: Anteile schlechteste Kunden" = "0,1; 0,05"\n',
            ["Die Anteile müssen streng aufsteigend sein, z. B. 0,05; 0,1; 0,2"],
            ["30; 90"],
        ),
        # Settings partly under an [Einstellungen] heading are all read.
        (
            '"Anzahl Klassen" = "y"\n[Einstellungen]\nWareneinsatzquote = "x"\n',
            ["Der Wert 'y' muss eine ganze Zahl sein.", "Der Wert 'x' muss eine Zahl sein."],
            ["unbekannt"],
        ),
    ],
)
def test_every_bad_setting_file_is_told_in_german(kundenwert, tmp_path, toml, said, not_said):
    (tmp_path / "tx.csv").write_text(CSV_ONE_REPEAT)
    (tmp_path / "s.toml").write_text(toml, encoding="utf-8")
    code, out = kundenwert("analyze", "tx.csv", "--einstellungen", "s.toml", "-o", "r.xlsx")
    assert code != 0
    for text in said:
        assert text in out
    for text in not_said:
        assert text not in out


def test_settings_under_one_einstellungen_heading_are_read(kundenwert, tmp_path):
    (tmp_path / "tx.csv").write_text(CSV_ONE_REPEAT)
    # Written by someone who knows ini files: the sheet's name as the one section.
    text = '[Einstellungen]\n"Anzahl Klassen" = "x"\n'
    (tmp_path / "sec.toml").write_text(text, encoding="utf-8")
    code, out = kundenwert("analyze", "tx.csv", "--einstellungen", "sec.toml", "-o", "r.xlsx")
    assert code != 0
    assert "Der Wert 'x' muss eine ganze Zahl sein." in out  # the setting inside was read
    assert "unbekannt" not in out


def test_a_toml_error_at_the_end_of_the_file(kundenwert, tmp_path):
    (tmp_path / "tx.csv").write_text(CSV_ONE_REPEAT)
    (tmp_path / "end.toml").write_text('Stichtag = "30.06.2024', encoding="utf-8")
    code, out = kundenwert("analyze", "tx.csv", "--einstellungen", "end.toml", "-o", "r.xlsx")
    assert code != 0
    assert "keine gültige TOML-Datei: Fehler" in out
    assert "Unclosed" not in out and "end of document" not in out


@pytest.mark.parametrize("extra", [[], ["-o", "x.xlsm"]])
def test_recompute_of_a_data_file_points_to_analyze(kundenwert, tmp_path, extra):
    (tmp_path / "tx.csv").write_text(CSV_ONE_REPEAT)
    code, out = kundenwert("recompute", "tx.csv", *extra)
    assert code == 2, out
    assert "kundenwert recompute liest nur Mappen (.xlsx, .xlsm)" in out
    assert "kundenwert analyze" in out
    assert "schreibt nur" not in out


def test_demo_help_states_its_default_once(kundenwert):
    code, out = kundenwert("demo", "--help")
    assert code == 0
    assert out.count("kundenwert_demo.xlsm") == 1, out


def test_no_option_states_its_default_twice():
    """An option whose help names its default must not have click print it again."""
    import typer.main

    from kundenwert_xl import cli

    def commands(group):
        for command in group.commands.values():
            yield command
            if hasattr(command, "commands"):
                yield from commands(command)

    shown = {}
    for command in commands(typer.main.get_command(cli.app)):
        ctx = command.make_context(command.name, [], resilient_parsing=True)
        for param in command.params:
            record = param.get_help_record(ctx)
            if record is not None:
                shown[f"{command.name} {param.name}"] = record[1]
    assert "[Standard: 20000; mindestens 1000]" in shown["demo rows"]  # guards the reading
    twice = {name: text for name, text in shown.items() if text.count("Standard") > 1}
    assert twice == {}


def _facts(next30: float) -> dict:
    """Hand headline figures: 10 customers, DB 1.000 €, the top 20 % earn 120 %."""
    return {
        "customers": 10,
        "total_revenue": 5000.0,
        "total_db": 1000.0,
        "customer_share_for_80pct_revenue": 0.3,
        "revenue_share_top20": 0.7,
        "db_share_top20": 1.2,
        "db_share_next30": next30,
        "db_share_bottom50": 1.0 - 1.2 - next30,
        "db_share_worst10": -0.1,
        "whale_peak": 1.5,
        "negative_db_customers": 3,
    }


def test_a_negative_middle_share_destroys_like_its_siblings():
    lines = texts.fact_sentences(_facts(-0.48), "db3", 0, 0.0)
    assert "Die nächsten 30 % vernichten 48 % des Deckungsbeitrags." in lines
    assert "Die übrigen 50 % tragen 28 % bei." in lines
    assert not any("-48" in line for line in lines)


def test_a_positive_middle_share_contributes():
    lines = texts.fact_sentences(_facts(0.3), "db3", 0, 0.0)
    assert "Die nächsten 30 % tragen 30 % bei." in lines
    assert "Die übrigen 50 % vernichten 50 % des Deckungsbeitrags." in lines


def test_a_small_share_is_never_shown_as_0_percent():
    """-0,16 % once read "vernichten 0 % des Deckungsbeitrags" (second new-user trial)."""
    facts = _facts(-0.0016) | {"db_share_bottom50": -0.0049, "db_share_worst10": -0.0004}
    lines = texts.fact_sentences(facts, "db3", 0, 0.0)
    assert "Die nächsten 30 % vernichten 0,2 % des Deckungsbeitrags." in lines
    assert "Die übrigen 50 % vernichten 0,5 % des Deckungsbeitrags." in lines
    assert "Die schlechtesten 10 % kosten weniger als 0,1 % des Deckungsbeitrags." in lines
    assert [texts.format_share(v) for v in (0.0, 0.234, -0.0016, 0.0004)] == [
        "0 %",
        "23 %",
        "-0,2 %",
        "weniger als 0,1 %",
    ]


@pytest.mark.parametrize("side", ["read", "write"])
def test_a_file_name_longer_than_the_system_allows_is_refused_in_german(
    tmp_path, capsys, monkeypatch, side
):
    """ENAMETOOLONG (255 bytes per name here): once "Unerwarteter Fehler: OSError" on writing
    and the system's English words on reading; now German and exit 3, like other file errors."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "u.csv").write_text("Kundennr;Datum;Umsatz\nK1;01.01.2024;10\n")
    long = "a" * 300
    args = (
        ["analyze", "u.csv", "-o", long + ".xlsx"]
        if side == "write"
        else ["analyze", long + ".csv"]
    )
    assert cli.run(args) == 3
    err = " ".join(capsys.readouterr().err.split())
    verb = "geschrieben" if side == "write" else "gelesen"
    assert f"kann nicht {verb} werden: Der Dateiname ist zu lang." in err
    assert "Unerwarteter Fehler" not in err and "too long" not in err


def test_a_folder_that_refuses_new_files_is_not_called_missing(tmp_path, capsys, monkeypatch):
    """/proc exists but refuses new files with ENOENT: "Der Ordner existiert nicht" was false."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "u.csv").write_text("Kundennr;Datum;Umsatz\nK1;01.01.2024;10\n")
    assert cli.run(["analyze", "u.csv", "-o", "/proc/kundenwert_test.xlsx"]) == 3
    err = " ".join(capsys.readouterr().err.split())
    assert "In diesem Ordner lassen sich keine Dateien anlegen" in err
    assert "existiert nicht" not in err


def test_a_header_read_under_another_name_is_named(kundenwert, tmp_path):
    """Found by a new-user trial: 'Kunde' and 'Betrag' were taken silently; 'Betrag' might be
    gross, so reading it as net revenue is an assumption that moves every number."""
    (tmp_path / "tx.csv").write_text(
        CSV_ONE_REPEAT.replace("Kundennr", "Kunde").replace("Umsatz", "Betrag")
    )
    code, out = kundenwert("analyze", "tx.csv", "-o", "r.xlsx")
    assert code == 0, out
    out = " ".join(out.split())
    assert "Spalte Kunde: Die Spalte 'Kunde' wird als 'Kundennr' gelesen." in out
    assert (
        "Spalte Betrag: Die Spalte 'Betrag' wird als 'Umsatz' gelesen, also als Nettoumsatz ohne "
        "Umsatzsteuer." in out
    )
    (tmp_path / "std.csv").write_text(CSV_ONE_REPEAT)
    assert "wird als" not in kundenwert("analyze", "std.csv", "-o", "r3.xlsx")[1]


@pytest.mark.parametrize("target", [".", "", "/", ".."])
def test_a_folder_as_target_is_refused_in_german(kundenwert, tmp_path, target):
    """Found by a new-user trial: "-o ." ended in "Unerwarteter Fehler: ValueError"."""
    (tmp_path / "tx.csv").write_text(CSV_ONE_REPEAT)
    code, out = kundenwert("analyze", "tx.csv", "-o", target)
    assert code == 3, out
    assert "Der Pfad ist ein Ordner. Bitte einen Dateinamen mit Endung angeben." in out
    assert "Unerwarteter Fehler" not in out


def test_ids_trimmed_of_whitespace_are_named_once(kundenwert, tmp_path):
    """Found by a new-user trial: "K1" and "K1 " became one customer without a word."""
    csv = "Kundennr;Datum;Umsatz\nK1;01.01.2024;10\nK1 ;02.01.2024;20\n\tK2;03.01.2024;5\n"
    (tmp_path / "tx.csv").write_text(csv)
    code, out = kundenwert("analyze", "tx.csv", "-o", "r.parquet")
    assert code == 0, out
    out = " ".join(out.split())
    assert "2 Kunden, Umsatz 35,00 €" in out
    assert (
        "Annahme: Transaktionen, Spalte Kundennr: 2 Werte der Spalte Kundennr hatten Leerzeichen "
        "oder Tabulatoren am Anfang oder Ende (z. B. 'K1 '); gezählt wird ohne sie, ein Wert "
        "mit und einer ohne gelten also als derselbe."
    ) in out
    (tmp_path / "clean.csv").write_text(CSV_ONE_REPEAT)
    assert "Leerzeichen" not in kundenwert("analyze", "clean.csv", "-o", "c.parquet")[1]


def test_a_missing_column_names_the_columns_that_were_not_read(kundenwert, tmp_path):
    text = CSV_ONE_REPEAT.replace("Umsatz", "Umsatz EUR", 1)
    assert text != CSV_ONE_REPEAT
    (tmp_path / "tx.csv").write_text(text)
    code, out = kundenwert("analyze", "tx.csv", "-o", "r.xlsx")
    assert code != 0, out
    assert "Pflichtspalte 'Umsatz' fehlt" in out
    assert "Annahme: Transaktionen: Die Spalte 'Umsatz EUR' wird nicht ausgewertet" in out


def test_a_customer_workbook_of_one_sheet_is_read_and_one_without_kunden_refused(
    kundenwert, tmp_path
):
    """``--kunden kunden.xlsx`` with one sheet named 'Tabelle1' was left out without a word
    (the sheet was taken for transactions); several sheets without 'Kunden' are refused."""
    import openpyxl

    from kundenwert_xl.demo import make_demo

    data = make_demo(3_000, seed=3)
    data.transactions.to_csv(tmp_path / "tx.csv", index=False)
    data.customers.to_csv(tmp_path / "k.csv", index=False)
    data.customers.to_excel(tmp_path / "k.xlsx", index=False, sheet_name="Tabelle1")
    book = openpyxl.load_workbook(tmp_path / "k.xlsx")
    book.create_sheet("Notizen")
    book.save(tmp_path / "k2.xlsx")

    code, without = kundenwert("analyze", "tx.csv", "-o", "a.xlsx")
    assert code == 0, without
    code, from_csv = kundenwert("analyze", "tx.csv", "--kunden", "k.csv", "-o", "b.xlsx")
    assert code == 0, from_csv
    code, from_xlsx = kundenwert("analyze", "tx.csv", "--kunden", "k.xlsx", "-o", "c.xlsx")
    assert code == 0, from_xlsx

    def headline(out):
        return out.split("Ergebnis geschrieben")[0]

    assert headline(from_xlsx) == headline(from_csv) != headline(without)
    code, out = kundenwert("analyze", "tx.csv", "--kunden", "k2.xlsx", "-o", "d.xlsx")
    assert code == 3, out
    assert "keine Tabelle und kein Blatt 'Kunden'" in out
    assert not (tmp_path / "d.xlsx").exists()


def test_blank_lines_in_a_csv_are_empty_rows_and_later_rows_keep_their_numbers(
    kundenwert, tmp_path
):
    """Found by a trial: pandas skipped blank lines, and every later problem was named one
    line too early per blank line; a row of separators only (',,') was refused as short."""
    lines = ["Kundennr,Datum,Umsatz", "K1,2024-01-01,10", "", "K2,2024-01-02,20", ",,"]
    lines += ["K3,2024-02-31,5", "K4,2024-01-04,7", "", ""]  # bad date on line 6; blank tail
    (tmp_path / "tx.csv").write_text("\n".join(lines) + "\n")
    code, out = kundenwert("analyze", "tx.csv", "-o", "r.xlsx")
    assert code != 0
    assert "Transaktionen, Zeile 6, Spalte Datum: '2024-02-31' ist kein gültiges Datum" in out
    assert "2 leere Zeilen übersprungen (Zeile 3, 5)" in out
    assert "Feldern" not in out


def test_a_short_row_with_a_value_is_still_refused(kundenwert, tmp_path):
    (tmp_path / "tx.csv").write_text("Kundennr;Datum;Umsatz\nK1;01.01.2024;10\nK2;;\nK3\n")
    code, out = kundenwert("analyze", "tx.csv", "-o", "r.xlsx")
    assert code != 0
    assert "Zeile 4" in out and "nur 1 von 3 Feldern" in out


def test_a_short_row_after_a_quoted_line_break_is_named_by_its_record(kundenwert, tmp_path):
    """Found by a trial: the short-row message counted file lines, the others records (Excel
    rows), so the same place was row 4 in one message and 5 in the other."""
    text = 'Kundennr;Datum;Umsatz;Name\nK1;01.01.2024;10;"zwei\nZeilen"\nK2;02.01.2024\n'
    (tmp_path / "tx.csv").write_text(text)
    code, out = kundenwert("analyze", "tx.csv", "-o", "r.xlsx")
    assert code != 0
    assert "Transaktionen, Zeile 3" in out and "nur 2 von 4 Feldern" in out
