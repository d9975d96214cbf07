"""The command line speaks German, its framework's words and the system's errors included.

Most cases run the command line in-process through ``cli.run`` (what the console script's
``main()`` exits with; the real typer, rich and files, only no new interpreter per case) and read
what a user reads; the console script itself runs in a subprocess for the program name and for
a pipe whose reader leaves.
"""

import errno
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

#: English words typer, click, pydantic or the operating system would otherwise write.
FORBIDDEN = [
    r"\bUsage\b",
    r"\bError\b",
    r"\bOptions\b",
    r"\bArguments\b",
    r"\bCommands\b",
    r"Show this message",
    r"\bMissing\b",
    r"\bTry '",
    r"No such",
    r"Invalid value",
    r"Input should",
    r"\bunable to\b",
    r"does not",
    r"\brequired\b",
    r"\bdefault\b",
    r"Errno",
    r"not a zip",
    r"Permission denied",
    r"Possible options",
    r"unexpected extra",
    r"requires an argument",
    r"<path>",
    r"<int>",
    r"<str>",
    r"\[OPTIONS\]",
    r"\bCOMMAND\b",
    r"\bARGS\b",
    r"Traceback",
    r"Unerwarteter Fehler",
    r"\bx\s*[<>]=",  # typer's range notation, [x>=1000]
]

COMMANDS = [
    [],
    ["demo"],
    ["recompute"],
    ["analyze"],
    ["doctor"],
    ["setup"],
    ["template"],
    ["template", "build"],
]

CSV_TWO = "Kundennr;Datum;Umsatz\nK1;01.01.2024;10\nK2;02.01.2024;5\n"
CSV_ONE = "Kundennr;Datum;Umsatz\nK1;01.01.2024;10\n"


#: The console script pip installed with the package, as a user calls it.
KUNDENWERT = str(Path(sys.executable).with_name("kundenwert"))


@pytest.fixture
def kundenwert(run_cli):
    """``kundenwert *args`` in ``tmp_path``, in-process."""
    return run_cli


def english(text: str) -> list[str]:
    return [pattern for pattern in FORBIDDEN if re.search(pattern, text)]


def test_the_forbidden_list_catches_what_typer_says_by_itself():
    """Guards the test: typer's own English output is caught by the list."""
    sample = (
        "Usage: kundenwert analyze [OPTIONS] {source}\nTry 'kundenwert analyze --help' for "
        "help.\n\nError: Missing argument 'source'.\n  --help  Show this message and exit."
    )
    assert {r"\bUsage\b", r"\bError\b", r"\bMissing\b", r"Show this message"} <= set(
        english(sample)
    )


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "kundenwert")
def test_help_of_every_command_is_german(kundenwert, command):
    res = kundenwert(*command, "--help")
    assert res.returncode == 0, res.stderr
    text = res.stdout + res.stderr
    assert text.startswith("Aufruf: kundenwert")
    assert "Diese Hilfe zeigen und beenden." in text
    assert english(text) == [], text


def test_a_number_range_is_said_in_words(kundenwert):
    text = " ".join(kundenwert("demo", "--help").stdout.split())
    assert "[Standard: 20000; mindestens 1000]" in text
    assert "[Standard: 42; mindestens 0]" in text


def test_the_console_script_shows_the_german_overview(tmp_path):
    res = subprocess.run([KUNDENWERT], capture_output=True, text=True, cwd=tmp_path)
    text = res.stdout + res.stderr
    assert text.startswith("Aufruf: kundenwert [OPTIONEN] BEFEHL [ARGUMENTE]...")
    assert "Befehle:" in text and "Optionen:" in text
    assert english(text) == [], text


def test_missing_argument(kundenwert):
    res = kundenwert("analyze")
    assert res.returncode == 2
    assert "Fehler: Es fehlt das Argument 'DATEI'." in res.stderr
    assert "Hilfe: 'kundenwert analyze --help'" in res.stderr
    assert english(res.stderr) == [], res.stderr


def test_unknown_option_with_suggestion(kundenwert, tmp_path):
    (tmp_path / "a.csv").write_text(CSV_TWO)
    res = kundenwert("analyze", "a.csv", "--kalssen", "3")
    assert res.returncode == 2
    assert "Fehler: Unbekannte Option: --kalssen (Meinten Sie: --klassen?)" in res.stderr
    assert english(res.stderr) == [], res.stderr


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["demo", "--zeilen", "abc"], "'abc' ist keine ganze Zahl."),
        (["demo", "--zeilen", "5"], "'5' ist zu klein; erlaubt ist mindestens 1000."),
        (["demo", "--zeilen"], "Die Option '--zeilen' braucht einen Wert."),
        (["demo", "--force=ja"], "Die Option '--force' nimmt keinen Wert."),
        (["analyze", "a.csv", "b.csv"], "Überzählige Angabe: b.csv"),
        (["gibtsnicht"], "Unbekannter Befehl 'gibtsnicht'."),
    ],
)
def test_bad_values_and_usage(kundenwert, tmp_path, args, expected):
    (tmp_path / "a.csv").write_text(CSV_TWO)
    res = kundenwert(*args)
    assert res.returncode == 2, res.stderr
    assert expected in res.stderr
    assert english(res.stderr) == [], res.stderr


def test_bad_choice_value(kundenwert, tmp_path):
    (tmp_path / "a.csv").write_text(CSV_TWO)
    res = kundenwert("analyze", "a.csv", "--methode", "Foo", "-o", "r.xlsx")
    assert res.returncode == 1
    assert "'Foo' ist nicht erlaubt. Erlaubt sind: Wertgrenzen, Ränge" in res.stderr
    assert english(res.stderr) == [], res.stderr


def test_nonexistent_file(kundenwert):
    res = kundenwert("analyze", "fehlt.csv")
    assert res.returncode == 3
    assert "Die Datei existiert nicht." in res.stderr
    assert english(res.stderr) == [], res.stderr


@pytest.mark.parametrize("command", ["analyze", "recompute"])
@pytest.mark.parametrize("folder", [".", "sub"])
def test_directory_instead_of_file(kundenwert, tmp_path, command, folder):
    (tmp_path / "sub").mkdir()
    res = kundenwert(command, folder)
    assert res.returncode == 3, res.stderr
    assert "keine gewöhnliche Datei" in res.stderr
    assert english(res.stderr) == [], res.stderr


@pytest.mark.parametrize("command", ["analyze", "recompute"])
def test_a_non_zip_workbook(kundenwert, tmp_path, command):
    (tmp_path / "kaputt.xlsm").write_text("kein zip")
    res = kundenwert(command, "kaputt.xlsm", "-o", "x.xlsm")
    assert res.returncode == 3, res.stderr
    assert "Die Datei ist keine Excel-Mappe" in res.stderr
    assert english(res.stderr) == [], res.stderr


def test_read_only_output_folder(kundenwert, tmp_path):
    (tmp_path / "a.csv").write_text(CSV_TWO)
    if os.geteuid() == 0:
        # root writes into any mode-0555 folder; sysfs refuses file creation even to root.
        folder = Path("/sys")
    else:
        folder = tmp_path / "schreibgeschuetzt"
        folder.mkdir()
        folder.chmod(0o555)
    res = kundenwert("analyze", "a.csv", "-o", str(folder / "r.xlsx"))
    assert res.returncode == 3, res.stderr
    assert "schreibgeschützt oder Sie haben dort keine Schreibrechte" in res.stderr
    assert english(res.stderr) == [], res.stderr


def test_read_errors_of_the_system_are_said_in_german():
    """An unreadable file cannot be made for root here: the errors the system raises are."""
    from kundenwert_xl.io.readers import read_error_detail

    assert read_error_detail(PermissionError(errno.EACCES, "Permission denied")).startswith(
        "Keine Leserechte"
    )
    assert read_error_detail(zipfile.BadZipFile("File is not a zip file")).startswith(
        "Die Datei ist keine Excel-Mappe"
    )
    other = read_error_detail(OSError(errno.EIO, "Input/output error"))
    assert other.startswith("Das Betriebssystem meldet einen Fehler beim Lesen")


def test_singular_and_plural(kundenwert, tmp_path):
    (tmp_path / "one.csv").write_text(CSV_ONE)
    (tmp_path / "two.csv").write_text(CSV_TWO)
    one = kundenwert("analyze", "one.csv", "-o", "one.xlsx")
    two = kundenwert("analyze", "two.csv", "-o", "two.xlsx")
    assert one.returncode == 0 and two.returncode == 0, one.stderr + two.stderr
    assert "Stichtag 01.01.2024: 1 Kunde, 1 Transaktion ausgewertet." in one.stdout
    assert "1 Dilemma-Kunde:" in one.stdout
    assert "Stichtag 02.01.2024: 2 Kunden, 2 Transaktionen ausgewertet." in two.stdout
    assert not re.search(r"\b1 (Kunden|Transaktionen|Dilemma-Kunden)\b", one.stdout)


@pytest.mark.parametrize("args", [["--help"], ["analyze", "a.csv", "-o", "r.csv"]])
def test_a_reader_that_leaves_early_ends_the_command_quietly(tmp_path, args):
    """``kundenwert ... | head -1``: the pipe's reader is gone before the command writes."""
    (tmp_path / "a.csv").write_text(CSV_TWO)
    proc = subprocess.Popen(
        [KUNDENWERT, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
    )
    proc.stdout.close()  # the reader is gone
    errors = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.wait() == 141  # 128 + SIGPIPE, what a shell reports for a reader that left
    assert "Traceback" not in errors and "Unerwarteter Fehler" not in errors


def test_head_in_a_shell_pipe(tmp_path):
    res = subprocess.run(
        f"{KUNDENWERT} --help | head -1",
        shell=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert res.stdout.startswith("Aufruf: kundenwert")
    assert "Traceback" not in res.stderr and res.stderr == ""
