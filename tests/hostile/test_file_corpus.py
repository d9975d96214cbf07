"""Hostile and faulty files through the real ``kundenwert`` command: the output and file side.

Issue 10 ("nothing silently wrong"). Every case is data: what the user gives the command, the
exit code it must end with and the German fragments its output must contain (and must not).
Most cases call the console-script entry ``kundenwert_xl.cli:main`` in-process; those that
need a real operating-system condition run it as a subprocess: a full disk and a read-only
folder are real mounts (tmpfs) in a private mount namespace (``unshare``), an interrupted
write is a real ``kill -9``, and a zip bomb's memory is measured on the child process.

No case may end in "Unerwarteter Fehler" (the CLI's last net for internal errors).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import time
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import xlsxwriter

from kundenwert_xl import cli
from kundenwert_xl.core.errors import KundenwertError
from kundenwert_xl.io import export
from tests.io.helpers import padded_sheet

UNEXPECTED = "Unerwarteter Fehler"
CANNOT_WRITE = "kann nicht geschrieben werden"
CANNOT_READ = "kann nicht gelesen werden"
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"-?\d+(,\d+)?(e[-+]?\d+)?")

#: What a user or an attacker puts into text cells (OWASP's examples and their kin).
HOSTILE_IDS = ["=cmd|' /C calc'!A0", "-abc", "@SUM(1+1)*cmd|' /C calc'!A0", "+49 30 1234", "K5"]
HOSTILE_NAMES = ['=HYPERLINK("http://evil.example","Klick")', "\t=1+1", "x\r=2+2", "-5", "Müller"]
HOSTILE_GROUPS = ["+Gruppe", "=1+1", "A", "@x", "B"]

#: The bullets of issue 10 that this side owns; every one must have at least one case.
BULLETS = {
    "csv_injection",
    "xlsx_text",
    "write_error",
    "refuse_before_work",
    "no_replace_without_force",
    "umask",
    "temp_leftovers",
    "zip_bomb",
    "zip_names",
    "dtd",
}


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


@dataclass
class Case:
    id: str
    bullet: str
    build: Callable[[Env], list[str]]
    code: int
    says: tuple[str, ...] = ()
    never: tuple[str, ...] = ()
    then: Callable[[Env, Result], None] | None = None
    runner: str = "inprocess"  # or "subprocess", "full_disk", "read_only"


@dataclass
class Env:
    tmp: Path
    request: pytest.FixtureRequest
    notes: dict[str, object] = field(default_factory=dict)

    def fixture(self, name: str):
        return self.request.getfixturevalue(name)


# --- Inputs ----------------------------------------------------------------------------------


def tx_csv(path: Path, customers: int = 300) -> Path:
    """A German csv of ``customers`` customers with two purchases each (one is tiny)."""
    lines = ["Kundennr;Datum;Umsatz"]
    for i in range(customers):
        lines.append(f"K{i:04d};{1 + i % 28:02d}.03.2024;{10 + i % 97},50")
        lines.append(f"K{i:04d};{1 + i % 28:02d}.05.2024;{5 + i % 13},00")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def hostile_workbook(path: Path) -> Path:
    """Transaktionen and Kunden with formula-like ids, names and groups (written as text)."""
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False})
    date = book.add_format({"num_format": "dd.mm.yyyy"})
    tx = book.add_worksheet("Transaktionen")
    tx.write_row(0, 0, ["Kundennr", "Datum", "Umsatz"])
    # The first customer buys for 10 €: with the default costs its DB is negative (-4 €).
    amounts = [10, 500, 320, 45, 80]
    for row, (cid, amount) in enumerate(zip(HOSTILE_IDS, amounts, strict=True), start=1):
        tx.write_string(row, 0, cid)
        tx.write_datetime(row, 1, dt.datetime(2024, 1 + row, 5), date)
        tx.write_number(row, 2, amount)
    customers = book.add_worksheet("Kunden")
    customers.write_row(0, 0, ["Kundennr", "Name", "Kundengruppe"])
    rows = zip(HOSTILE_IDS, HOSTILE_NAMES, HOSTILE_GROUPS, strict=True)
    for row, values in enumerate(rows, start=1):
        for col, value in enumerate(values):
            customers.write_string(row, col, value)
    book.close()
    return path


def repack(
    source: Path, target: Path, edit: Callable[[list[tuple[zipfile.ZipInfo, bytes]]], list]
) -> Path:
    """Copy a workbook package with its list of (entry, data) changed by ``edit``."""
    with zipfile.ZipFile(source) as zf:
        items = [(info, zf.read(info.filename)) for info in zf.infolist()]
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zw, warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # a duplicate part is what some cases want
        for info, data in edit(items):
            zw.writestr(info, data)
    return target


def add_entry(name: str, data: bytes = b"<x/>"):
    def edit(items):
        return [*items, (zipfile.ZipInfo(name), data)]

    return edit


def sheet_part(workbook: Path, sheet: str) -> str:
    from kundenwert_xl.io import ooxml

    with zipfile.ZipFile(workbook) as zf:
        return ooxml.sheet_parts(zf)[sheet]


def with_doctype(part: str, doctype: bytes):
    def edit(items):
        out = []
        for info, data in items:
            if info.filename == part:
                head, sep, rest = data.partition(b"?>")
                data = head + sep + doctype + rest if sep else doctype + data
            out.append((info, data))
        return out

    return edit


def demo_copy(env: Env, name: str = "kunden.xlsm") -> Path:
    path = env.tmp / name
    shutil.copy(env.fixture("demo_workbook"), path)
    return path


def lying_directory(source: Path, target: Path, part: str, declared: int) -> Path:
    """Copy a package, then make its directory claim that ``part`` unpacks to ``declared`` bytes.

    The local header and the central directory both carry the size (offsets 22 and 24); the
    data and CRC stay true, as an attacker would leave them.
    """
    shutil.copy(source, target)
    with zipfile.ZipFile(target) as zf:
        info = zf.getinfo(part)
    raw = bytearray(target.read_bytes())
    raw[info.header_offset + 22 : info.header_offset + 26] = declared.to_bytes(4, "little")
    name = part.encode()
    central = raw.find(b"PK\x01\x02")
    while central != -1:
        n = int.from_bytes(raw[central + 28 : central + 30], "little")
        if raw[central + 46 : central + 46 + n] == name:
            raw[central + 24 : central + 28] = declared.to_bytes(4, "little")
            break
        central = raw.find(b"PK\x01\x02", central + 4)
    else:  # pragma: no cover - the test input itself would be wrong
        raise AssertionError("central directory entry not found")
    target.write_bytes(bytes(raw))
    return target


@pytest.fixture(scope="session")
def zip_bomb(tmp_path_factory, demo_workbook) -> Path:
    """The issue's bomb, smaller: the Kundenwert sheet padded with 256 MiB of spaces (packed
    about 900-fold, as the issue's 1.5 GB are; benchmarks/bench_zipbomb.py runs the full size).
    Without the check, recompute holds this sheet in memory several times over."""
    target = tmp_path_factory.mktemp("bomb") / "bombe.xlsm"
    padded_sheet(demo_workbook, target, "Kundenwert", chunks=4)  # a sheet recompute rewrites
    return target


# --- Checks run after a case -----------------------------------------------------------------


def csv_is_inert(env: Env, res: Result) -> None:
    raw = (env.tmp / "r.csv").read_bytes()
    text = raw.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert len(rows) == 1 + len(HOSTILE_IDS)  # a CR inside a name started no new row
    for row in rows:
        for cell in row:
            # a number may start with "-" (and is read as a number, never as a formula)
            assert not cell.startswith(TRIGGERS) or NUMBER.fullmatch(cell), cell
    # the hostile texts are all there, each behind one quote (OWASP)
    cells = {cell for row in rows for cell in row}
    for value in [*HOSTILE_IDS[:4], '=HYPERLINK("http://evil.example","Klick")', "-5"]:
        assert "'" + value in cells, value
    assert "x\r=2+2" in cells  # starts with a letter: one quoted cell, kept as it is
    assert "'+Gruppe" in cells and "'=1+1" in cells and "'@x" in cells
    # numbers stay numbers: the first customer's DB III of -4 € is the plain number -4
    table = dict(zip(rows[0], zip(*rows[1:], strict=True), strict=True))
    by_id = dict(zip(table["Kundennr"], table["DB III"], strict=True))
    assert by_id["'=cmd|' /C calc'!A0"] == "-4,0"
    assert raw.count(b"\r\n") == len(rows)  # Excel's own line ending


def xlsx_is_text(env: Env, res: Result) -> None:
    ws = openpyxl.load_workbook(env.tmp / "r.xlsx")["Kundenwert"]
    cells = {c.value: c.data_type for row in ws.iter_rows(max_col=3) for c in row if c.value}
    for value in [*HOSTILE_IDS, '=HYPERLINK("http://evil.example","Klick")', "+Gruppe", "=1+1"]:
        assert cells.get(value) == "s", (value, cells.get(value))
    assert "f" not in cells.values()


def parquet_is_data(env: Env, res: Result) -> None:
    # parquet is typed data, not a text Excel opens: values stay exactly what the user gave
    ids = pd.read_parquet(env.tmp / "r.parquet")["Kundennr"]
    assert sorted(ids) == sorted(HOSTILE_IDS)


def unchanged(name: str, content: bytes = b"keep me") -> Callable[[Env, Result], None]:
    def check(env: Env, res: Result) -> None:
        assert (env.tmp / name).read_bytes() == content

    return check


def absent(*names: str) -> Callable[[Env, Result], None]:
    def check(env: Env, res: Result) -> None:
        for name in names:
            assert not (env.tmp / name).exists(), name
        assert not list(env.tmp.glob(f"{export.TEMP_PREFIX}*"))

    return check


def nothing_left_in_mount(env: Env, res: Result) -> None:
    # the subprocess lists the mounted folder after the command (see _run_mounted)
    assert res.out.strip().splitlines()[-1] == "LEFT:", res.out


def written_with_umask(name: str) -> Callable[[Env, Result], None]:
    def check(env: Env, res: Result) -> None:
        mode = stat.S_IMODE((env.tmp / name).stat().st_mode)
        assert mode == 0o640, oct(mode)  # 0o666 & ~0o027; the old code forced 0o600

    return check


def replaced(name: str) -> Callable[[Env, Result], None]:
    def check(env: Env, res: Result) -> None:
        assert zipfile.is_zipfile(env.tmp / name)

    return check


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def plant_leftovers(env: Env) -> None:
    """A leftover of a killed run of ours, a live one of this process, and a stranger's file."""
    stale = export.temp_name(env.tmp / "r.csv")
    stale = stale.with_name(re.sub(r"-(\d+)-", f"-{dead_pid()}-", stale.name, count=1))
    live = export.temp_name(env.tmp / "r.csv")
    stranger = env.tmp / ".~kundenwertvoll.csv"
    for path in (stale, live, stranger):
        path.write_bytes(b"partial")
    env.notes.update(stale=stale, live=live, stranger=stranger)


def leftovers_cleaned(env: Env, res: Result) -> None:
    assert not env.notes["stale"].exists()
    assert env.notes["live"].exists() and env.notes["stranger"].exists()
    assert env.notes["stale"].name in res.err


def memory_below(megabytes: int) -> Callable[[Env, Result], None]:
    def check(env: Env, res: Result) -> None:
        peak = env.notes["peak_kb"] / 1024
        assert peak < megabytes, f"{peak:.0f} MB"

    return check


# --- The corpus --------------------------------------------------------------------------------


def _analyze_hostile(suffix: str) -> Callable[[Env], list[str]]:
    def build(env: Env) -> list[str]:
        src = hostile_workbook(env.tmp / "kunden.xlsx")
        return ["analyze", str(src), "-o", str(env.tmp / f"r{suffix}")]

    return build


def _folder_named(
    name: str, command: Callable[[Env, Path], list[str]]
) -> Callable[[Env], list[str]]:
    def build(env: Env) -> list[str]:
        folder = env.tmp / name
        folder.mkdir()
        return command(env, folder)

    return build


def _existing(name: str, command: Callable[[Env, Path], list[str]]) -> Callable[[Env], list[str]]:
    def build(env: Env) -> list[str]:
        (env.tmp / name).write_bytes(b"keep me")
        return command(env, env.tmp / name)

    return build


def _analyze_to(env: Env, target: Path) -> list[str]:
    return ["analyze", str(tx_csv(env.tmp / "tx.csv")), "-o", str(target)]


def _demo_to(env: Env, target: Path) -> list[str]:
    return ["demo", "-o", str(target), "--zeilen", "1000"]


def _recompute_to(env: Env, target: Path) -> list[str]:
    return ["recompute", str(demo_copy(env)), "-o", str(target)]


def _template_to(env: Env, target: Path) -> list[str]:
    return ["template", "build", "-o", str(target)]


def _forced(command):
    return lambda env, target: [*command(env, target), "--force"]


def _hostile_package(edit_for: Callable[[Path], Callable], command: str = "recompute"):
    def build(env: Env) -> list[str]:
        source = demo_copy(env, "quelle.xlsm")
        src = repack(source, env.tmp / "mappe.xlsm", edit_for(source))
        if command == "recompute":
            return ["recompute", str(src), "-o", str(env.tmp / "out.xlsm")]
        return ["analyze", str(src), "-o", str(env.tmp / "out.xlsx")]

    return build


def _bomb(command: str) -> Callable[[Env], list[str]]:
    def build(env: Env) -> list[str]:
        bomb = env.fixture("zip_bomb")
        out = env.tmp / ("out.xlsm" if command == "recompute" else "out.xlsx")
        return [command, str(bomb), "-o", str(out)]

    return build


def _lying(env: Env) -> list[str]:
    source = demo_copy(env, "quelle.xlsm")
    part = sheet_part(source, "Transaktionen")
    src = lying_directory(source, env.tmp / "luege.xlsm", part, declared=1000)
    return ["recompute", str(src), "-o", str(env.tmp / "out.xlsm")]


def _claims_4_gb(env: Env) -> list[str]:
    source = demo_copy(env, "quelle.xlsm")
    part = sheet_part(source, "Transaktionen")
    src = lying_directory(source, env.tmp / "riese.xlsm", part, declared=0xFFFFFFFE)
    return ["recompute", str(src), "-o", str(env.tmp / "out.xlsm")]


def _damaged(env: Env) -> list[str]:
    """The packed bytes of the Transaktionen sheet overwritten in the middle (a broken download)."""
    source = demo_copy(env, "quelle.xlsm")
    part = sheet_part(source, "Transaktionen")
    target = env.tmp / "kaputt.xlsm"
    shutil.copy(source, target)
    with zipfile.ZipFile(target) as zf:
        info = zf.getinfo(part)
    raw = bytearray(target.read_bytes())
    start = info.header_offset + 30 + len(part.encode()) + len(info.extra)
    middle = start + info.compress_size // 2
    raw[middle : middle + 64] = b"\xff" * 64
    target.write_bytes(bytes(raw))
    return ["recompute", str(target), "-o", str(env.tmp / "out.xlsm")]


def bzip2(part: str):
    def edit(items):
        for info, _ in items:
            if info.filename == part:
                info.compress_type = zipfile.ZIP_BZIP2
        return items

    return edit


def _with_leftovers(env: Env) -> list[str]:
    plant_leftovers(env)
    return _analyze_to(env, env.tmp / "r.csv")


DTD = b'<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
XXE = b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
BOMB_SAYS = ("Zip-Bombe", "xl/worksheets/", "höchstens 100-fach")

CASES = [
    # CSV injection and text in xlsx
    Case(
        "csv-injection-neutralised", "csv_injection", _analyze_hostile(".csv"), 0, then=csv_is_inert
    ),
    Case(
        "xlsx-formula-text-stays-text", "xlsx_text", _analyze_hostile(".xlsx"), 0, then=xlsx_is_text
    ),
    Case(
        "parquet-keeps-data-as-is",
        "csv_injection",
        _analyze_hostile(".parquet"),
        0,
        then=parquet_is_data,
    ),
    # Write errors: a German message, exit 3, never "kann nicht gelesen werden"
    Case(
        "analyze-output-is-folder",
        "write_error",
        _folder_named("r.xlsx", _analyze_to),
        3,
        ("Der Pfad ist ein Ordner", CANNOT_WRITE),
        (CANNOT_READ,),
    ),
    Case(
        "analyze-output-is-folder-force",
        "write_error",
        _folder_named("r.csv", _forced(_analyze_to)),
        3,
        ("Der Pfad ist ein Ordner", CANNOT_WRITE),
        (CANNOT_READ,),
    ),
    Case(
        "demo-output-is-folder",
        "write_error",
        _folder_named("d.xlsm", _demo_to),
        3,
        ("Der Pfad ist ein Ordner",),
    ),
    Case(
        "recompute-output-is-folder",
        "write_error",
        _folder_named("o.xlsm", _forced(_recompute_to)),
        3,
        ("Der Pfad ist ein Ordner",),
    ),
    Case(
        "template-output-is-folder",
        "write_error",
        _folder_named("t.xlsm", _forced(_template_to)),
        3,
        ("Der Pfad ist ein Ordner",),
    ),
    Case(
        "analyze-folder-missing",
        "write_error",
        lambda env: _analyze_to(env, env.tmp / "fehlt" / "r.xlsx"),
        3,
        ("Der Ordner existiert nicht", CANNOT_WRITE),
    ),
    Case(
        "analyze-output-is-fifo-force",
        "write_error",
        lambda env: (os.mkfifo(env.tmp / "r.csv"), _forced(_analyze_to)(env, env.tmp / "r.csv"))[1],
        3,
        ("keine gewöhnliche Datei",),
    ),
    Case(
        "analyze-csv-disk-full",
        "write_error",
        lambda env: _analyze_to(env, Path("@MNT/r.csv")),
        3,
        ("Der Datenträger ist voll", CANNOT_WRITE),
        (CANNOT_READ,),
        nothing_left_in_mount,
        "full_disk",
    ),
    Case(
        "analyze-xlsx-disk-full",
        "write_error",
        lambda env: _analyze_to(env, Path("@MNT/r.xlsx")),
        3,
        ("Der Datenträger ist voll", CANNOT_WRITE),
        (CANNOT_READ,),
        nothing_left_in_mount,
        "full_disk",
    ),
    Case(
        "analyze-parquet-disk-full",
        "write_error",
        lambda env: _analyze_to(env, Path("@MNT/r.parquet")),
        3,
        ("Der Datenträger ist voll", CANNOT_WRITE),
        (CANNOT_READ,),
        nothing_left_in_mount,
        "full_disk",
    ),
    Case(
        "demo-disk-full",
        "write_error",
        lambda env: _demo_to(env, Path("@MNT/d.xlsm")),
        3,
        ("Der Datenträger ist voll", CANNOT_WRITE),
        (),
        nothing_left_in_mount,
        "full_disk",
    ),
    Case(
        "template-disk-full",
        "write_error",
        lambda env: _template_to(env, Path("@MNT/t.xlsm")),
        3,
        ("Der Datenträger ist voll", CANNOT_WRITE),
        (),
        nothing_left_in_mount,
        "full_disk",
    ),
    Case(
        "analyze-read-only-folder",
        "write_error",
        lambda env: _analyze_to(env, Path("@MNT/r.xlsx")),
        3,
        ("schreibgeschützt", CANNOT_WRITE),
        (CANNOT_READ,),
        runner="read_only",
    ),
    Case(
        "recompute-read-only-folder",
        "write_error",
        lambda env: _recompute_to(env, Path("@MNT/o.xlsm")),
        3,
        ("schreibgeschützt", CANNOT_WRITE),
        runner="read_only",
    ),
    # Refused before any work (the source does not even exist: it is never looked at)
    Case(
        "analyze-to-txt",
        "refuse_before_work",
        lambda env: ["analyze", str(env.tmp / "fehlt.csv"), "-o", str(env.tmp / "out.txt")],
        2,
        ("kundenwert analyze schreibt nur .xlsx, .csv, .parquet",),
        ("existiert nicht",),
        absent("out.txt"),
    ),
    Case(
        "demo-to-csv",
        "refuse_before_work",
        lambda env: _demo_to(env, env.tmp / "demo.csv"),
        2,
        ("kundenwert demo schreibt nur .xlsm", "demo.xlsm"),
        (),
        absent("demo.csv"),
    ),
    Case(
        "demo-to-xlsx",
        "refuse_before_work",
        lambda env: _demo_to(env, env.tmp / "demo.xlsx"),
        2,
        ("kundenwert demo schreibt nur .xlsm",),
        (),
        absent("demo.xlsx"),
    ),
    Case(
        "recompute-to-csv",
        "refuse_before_work",
        lambda env: ["recompute", str(env.tmp / "fehlt.xlsm"), "-o", str(env.tmp / "x.csv")],
        2,
        ("kundenwert recompute schreibt nur .xlsm",),
        (),
        absent("x.csv"),
    ),
    Case(
        "recompute-to-xlsx",
        "refuse_before_work",
        lambda env: ["recompute", str(env.tmp / "fehlt.xlsm"), "-o", str(env.tmp / "x.xlsx")],
        2,
        ("kundenwert recompute schreibt nur .xlsm",),
        (),
        absent("x.xlsx"),
    ),
    Case(
        "template-to-xlsx",
        "refuse_before_work",
        lambda env: _template_to(env, env.tmp / "t.xlsx"),
        2,
        ("kundenwert template build schreibt nur .xlsm",),
        (),
        absent("t.xlsx"),
    ),
    # No replacement without --force
    Case(
        "template-build-keeps-existing",
        "no_replace_without_force",
        _existing("t.xlsm", _template_to),
        2,
        ("existiert bereits", "--force"),
        then=unchanged("t.xlsm"),
    ),
    Case(
        "template-build-force-replaces",
        "no_replace_without_force",
        _existing("t.xlsm", _forced(_template_to)),
        0,
        ("Ergebnis geschrieben",),
        then=replaced("t.xlsm"),
    ),
    Case(
        "analyze-keeps-existing",
        "no_replace_without_force",
        _existing("r.csv", _analyze_to),
        2,
        ("--force",),
        then=unchanged("r.csv"),
    ),
    Case(
        "demo-keeps-existing",
        "no_replace_without_force",
        _existing("d.xlsm", _demo_to),
        2,
        ("--force",),
        then=unchanged("d.xlsm"),
    ),
    Case(
        "recompute-keeps-existing",
        "no_replace_without_force",
        _existing("o.xlsm", _recompute_to),
        2,
        ("--force",),
        then=unchanged("o.xlsm"),
    ),
    # Output files follow the umask (the case runs under umask 027)
    Case(
        "analyze-xlsx-umask",
        "umask",
        lambda env: _analyze_to(env, env.tmp / "r.xlsx"),
        0,
        then=written_with_umask("r.xlsx"),
    ),
    Case(
        "analyze-csv-umask",
        "umask",
        lambda env: _analyze_to(env, env.tmp / "r.csv"),
        0,
        then=written_with_umask("r.csv"),
    ),
    Case(
        "analyze-parquet-umask",
        "umask",
        lambda env: _analyze_to(env, env.tmp / "r.parquet"),
        0,
        then=written_with_umask("r.parquet"),
    ),
    Case(
        "demo-umask",
        "umask",
        lambda env: _demo_to(env, env.tmp / "d.xlsm"),
        0,
        then=written_with_umask("d.xlsm"),
    ),
    Case(
        "recompute-umask",
        "umask",
        lambda env: _recompute_to(env, env.tmp / "o.xlsm"),
        0,
        then=written_with_umask("o.xlsm"),
    ),
    Case(
        "template-umask",
        "umask",
        lambda env: _template_to(env, env.tmp / "t.xlsm"),
        0,
        then=written_with_umask("t.xlsm"),
    ),
    # Leftovers of killed runs: ours and stale are removed, others never
    Case(
        "stale-temp-removed",
        "temp_leftovers",
        _with_leftovers,
        0,
        ("liegengebliebene temporäre Datei",),
        then=leftovers_cleaned,
    ),
    # Zip bombs and lying directories: refused before unpacking, exit 3
    Case(
        "recompute-zip-bomb",
        "zip_bomb",
        _bomb("recompute"),
        3,
        BOMB_SAYS,
        then=memory_below(400),
        runner="subprocess",
    ),
    Case(
        "analyze-zip-bomb",
        "zip_bomb",
        _bomb("analyze"),
        3,
        BOMB_SAYS,
        then=memory_below(400),
        runner="subprocess",
    ),
    Case(
        "recompute-directory-claims-4-gb",
        "zip_bomb",
        _claims_4_gb,
        3,
        ("4,0 GB groß", "höchstens 2,0 GB"),
    ),
    Case(
        "recompute-damaged-part",
        "zip_bomb",
        _damaged,
        3,
        ("beschädigt und lässt sich nicht entpacken", "xl/worksheets/"),
        then=absent("out.xlsm"),
    ),
    Case(
        "recompute-bzip2-part",
        "zip_bomb",
        _hostile_package(lambda s: bzip2(sheet_part(s, "Transaktionen"))),
        3,
        ("Verfahren", "xl/worksheets/"),
    ),
    Case(
        "doctor-zip-bomb",
        "zip_bomb",
        lambda env: ["doctor", str(env.fixture("zip_bomb"))],
        1,  # doctor's code for "something is wrong" (it lists findings, it does not fail)
        ("Zip-Bombe",),
    ),
    Case(
        "recompute-lying-directory",
        "zip_bomb",
        _lying,
        3,
        ("größer als im Inhaltsverzeichnis", "xl/worksheets/"),
    ),
    # Entry names outside the package, twice the same part
    Case(
        "recompute-dotdot-entry",
        "zip_names",
        _hostile_package(lambda s: add_entry("../../evil.xml")),
        3,
        ("unzulässigen Namen '../../evil.xml'",),
        then=absent("out.xlsm"),
    ),
    Case(
        "recompute-absolute-entry",
        "zip_names",
        _hostile_package(lambda s: add_entry("/etc/evil.xml")),
        3,
        ("unzulässigen Namen '/etc/evil.xml'",),
        then=absent("out.xlsm"),
    ),
    Case(
        "recompute-backslash-entry",
        "zip_names",
        _hostile_package(lambda s: add_entry("..\\evil.xml")),
        3,
        ("unzulässigen Namen",),
        then=absent("out.xlsm"),
    ),
    Case(
        "analyze-dotdot-entry",
        "zip_names",
        _hostile_package(lambda s: add_entry("xl/../../evil.xml"), "analyze"),
        3,
        ("unzulässigen Namen",),
    ),
    Case(
        "recompute-duplicate-part",
        "zip_names",
        _hostile_package(lambda s: add_entry(sheet_part(s, "Transaktionen"))),
        3,
        ("steht mehrfach",),
    ),
    # DTDs and entities in a part we parse
    Case(
        "recompute-dtd-in-sheet",
        "dtd",
        _hostile_package(lambda s: with_doctype(sheet_part(s, "Transaktionen"), DTD)),
        3,
        ("Dokumenttyp-Deklaration", "xl/worksheets/"),
        then=absent("out.xlsm"),
    ),
    Case(
        "recompute-xxe-in-workbook",
        "dtd",
        _hostile_package(lambda s: with_doctype("xl/workbook.xml", XXE)),
        3,
        ("Dokumenttyp-Deklaration", "xl/workbook.xml"),
    ),
    Case(
        "analyze-dtd-in-result-sheet",
        "dtd",
        _hostile_package(lambda s: with_doctype(sheet_part(s, "Dilemma"), DTD), "analyze"),
        3,
        ("Dokumenttyp-Deklaration",),
    ),
    Case(
        "recompute-dtd-in-rels",
        "dtd",
        _hostile_package(lambda s: with_doctype("xl/_rels/workbook.xml.rels", DTD)),
        3,
        ("Dokumenttyp-Deklaration",),
    ),
]


# --- Runners ---------------------------------------------------------------------------------


def _run_inprocess(args: list[str], monkeypatch, capsys, umask: int) -> Result:
    monkeypatch.setattr(sys, "argv", ["kundenwert", *args])
    old = os.umask(umask)
    try:
        with pytest.raises(SystemExit) as stop:
            cli.main()
    finally:
        os.umask(old)
    captured = capsys.readouterr()
    code = stop.value.code
    return Result(
        code if isinstance(code, int) else (0 if code is None else 1), captured.out, captured.err
    )


# A fork of the (large) test process would carry its resident pages into the child's peak:
# a small fresh interpreter starts the command and reports the command's own peak (wait4).
_PEAK_WRAPPER = (
    "import os, subprocess, sys\n"
    "proc = subprocess.Popen(sys.argv[2:])\n"
    "_, status, usage = os.wait4(proc.pid, 0)\n"
    "open(sys.argv[1], 'w').write(str(usage.ru_maxrss))\n"
    "sys.exit(os.waitstatus_to_exitcode(status))\n"
)


def _run_subprocess(args: list[str], env: Env) -> Result:
    """Run the command as a child and keep the command's own peak memory (``wait4``)."""
    out, err, peak = env.tmp / "stdout.txt", env.tmp / "stderr.txt", env.tmp / "peak.txt"
    command = [sys.executable, "-m", "kundenwert_xl.cli", *args]
    with out.open("wb") as fo, err.open("wb") as fe:
        done = subprocess.run(
            [sys.executable, "-c", _PEAK_WRAPPER, str(peak), *command], stdout=fo, stderr=fe
        )
    env.notes["peak_kb"] = int(peak.read_text())  # kilobytes on Linux
    return Result(done.returncode, out.read_text(), err.read_text())


def _run_mounted(args: list[str], env: Env, options: str) -> Result:
    """Run the command with ``@MNT`` a fresh tmpfs (``options``) in a private mount namespace."""
    mount = env.tmp / "mnt"
    mount.mkdir()
    args = [a.replace("@MNT", str(mount)) for a in args]
    script = (
        'mount -t tmpfs -o "$1" none "$2" || exit 99; mnt="$2"; shift 2; '
        '"$@"; rc=$?; printf "LEFT:%s\\n" "$(ls -A "$mnt" | tr "\\n" " " | sed "s/ $//")"; exit $rc'
    )
    command = [
        "unshare",
        "--user",
        "--map-root-user",
        "--mount",
        "sh",
        "-c",
        script,
        "sh",
        options,
        str(mount),
        sys.executable,
        "-m",
        "kundenwert_xl.cli",
        *args,
    ]
    res = subprocess.run(command, capture_output=True, text=True)
    assert res.returncode != 99, "mounting a tmpfs in a private namespace failed: " + res.stderr
    return Result(res.returncode, res.stdout, res.stderr)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_file_case(case: Case, tmp_path, request, monkeypatch, capsys):
    env = Env(tmp_path, request)
    args = case.build(env)
    if case.runner == "inprocess":
        res = _run_inprocess(args, monkeypatch, capsys, umask=0o027)
    elif case.runner == "subprocess":
        res = _run_subprocess(args, env)
    elif case.runner == "full_disk":
        res = _run_mounted(args, env, "size=16k")
    else:
        res = _run_mounted(args, env, "ro,size=1m")
    assert UNEXPECTED not in res.text and "Traceback" not in res.text, res.text
    assert res.code == case.code, res.text
    for fragment in case.says:
        assert fragment in res.text, (fragment, res.text)
    for fragment in case.never:
        assert fragment not in res.text, (fragment, res.text)
    if case.then is not None:
        case.then(env, res)


def test_no_case_may_end_in_an_internal_error_and_every_bullet_is_covered():
    """The corpus itself: every bullet of this side has cases; the unexpected-error net is
    asserted in every case above (``UNEXPECTED not in res.text``)."""
    assert {c.bullet for c in CASES} == BULLETS
    assert len({c.id for c in CASES}) == len(CASES)
    assert all(UNEXPECTED not in " ".join(c.says) for c in CASES)


# --- The same events below the command -------------------------------------------------------


def test_kill_9_during_the_write_leaves_a_named_temp_that_the_next_run_removes(tmp_path):
    target = tmp_path / "gross.xlsm"
    pattern = re.compile(r"\.~kundenwert-[0-9a-f]{6}-(\d+)-[0-9a-f]{8}-gross\.xlsm")
    for _attempt in range(3):  # the write phase lasts a second or two; catch it by polling
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "kundenwert_xl.cli",
                "demo",
                "-o",
                str(target),
                "--zeilen",
                "20000",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        leftover = None
        while proc.poll() is None and leftover is None:
            leftover = next((p for p in tmp_path.iterdir() if pattern.fullmatch(p.name)), None)
            time.sleep(0.005)
        if leftover is not None:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            break
        target.unlink(missing_ok=True)
    else:
        pytest.fail("the write phase was never caught in three runs")
    assert leftover.exists() and int(pattern.fullmatch(leftover.name)[1]) == proc.pid
    assert not target.exists()
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "kundenwert_xl.cli",
            "template",
            "build",
            "-o",
            str(tmp_path / "t.xlsm"),
        ],
        capture_output=True,
        text=True,
    )
    assert res.returncode == 0, res.stderr
    assert "1 liegengebliebene temporäre Datei eines" in res.stderr and leftover.name in res.stderr
    assert not leftover.exists()


def test_a_real_full_height_sheet_passes_the_package_limits(tmp_path):
    """1,048,576 rows of the most compressible real content (every row the same values) pack
    about 13-fold, far below the limit of 100; the guard passes them."""
    from kundenwert_xl.io import package

    path = tmp_path / "voll.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            fh.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet><sheetData>')
            for start in range(1, 1_048_577, 16384):
                fh.write(
                    b"".join(
                        b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>K1</t></is></c>'
                        b'<c r="B%d" s="1"><v>45000</v></c><c r="C%d" s="2"><v>10</v></c></row>'
                        % (r, r, r, r)
                        for r in range(start, min(start + 16384, 1_048_577))
                    )
                )
            fh.write(b"</sheetData></worksheet>")
    info = zipfile.ZipFile(path).getinfo("xl/worksheets/sheet1.xml")
    assert info.file_size > package.RATIO_GRACE_BYTES
    assert 5 < info.file_size / info.compress_size < package.MAX_RATIO
    package.check_package(path)  # raises if refused


def test_the_package_guard_refuses_the_same_with_plain_zlib(
    tmp_path, monkeypatch, zip_bomb, demo_workbook
):
    """Where pip finds no isal wheel (Windows on ARM) the guard inflates with zlib: the bomb,
    a lying directory and a damaged stream are refused, a real workbook passes."""
    import zlib

    from kundenwert_xl.io import package

    monkeypatch.setattr(package, "_zlib", zlib)
    monkeypatch.setattr(package, "_INFLATE_ERROR", zlib.error)
    package.check_package(demo_workbook)
    with pytest.raises(KundenwertError):
        package.check_package(zip_bomb)
    sheet = "xl/worksheets/sheet1.xml"
    with pytest.raises(KundenwertError):
        package.check_package(lying_directory(demo_workbook, tmp_path / "l.xlsm", sheet, 100))
    raw = bytearray(demo_workbook.read_bytes())
    with zipfile.ZipFile(demo_workbook) as zf:
        info = zf.getinfo(sheet)
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    raw[start : start + 64] = b"\xff" * 64  # the deflate stream itself is garbage
    damaged = tmp_path / "d.xlsm"
    damaged.write_bytes(bytes(raw))
    with pytest.raises(KundenwertError):
        package.check_package(damaged)


@pytest.mark.libreoffice
def test_libreoffice_evaluating_formulas_finds_none_in_our_csv(tmp_path, monkeypatch, capsys):
    """LibreOffice as an independent reader, told to evaluate formulas on csv import (as Excel
    does): our csv yields not one formula cell, the same cells without the quote yield several."""
    from tests.conftest import soffice_path

    src = hostile_workbook(tmp_path / "kunden.xlsx")
    res = _run_inprocess(
        ["analyze", str(src), "-o", str(tmp_path / "r.csv")], monkeypatch, capsys, 0o022
    )
    assert res.code == 0, res.text
    ours = (tmp_path / "r.csv").read_text(encoding="utf-8-sig")
    (tmp_path / "control.csv").write_text(
        re.sub(r"(^|;)'([=+\-@\t])", r"\1\2", ours, flags=re.M), encoding="utf-8"
    )
    # separator ;, quote ", UTF-8, from line 1, ..., token 13: evaluate formulas
    options = "CSV:59,34,76,1,,1031,false,false,false,false,false,-1,true"
    for name in ("r.csv", "control.csv"):
        subprocess.run(
            [
                soffice_path(),
                "--headless",
                "--norestore",
                f"-env:UserInstallation=file://{tmp_path}/profile",
                f"--infilter={options}",
                "--convert-to",
                "xlsx",
                "--outdir",
                str(tmp_path / "lo"),
                str(tmp_path / name),
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
    kinds = {}
    for name in ("r", "control"):
        ws = openpyxl.load_workbook(tmp_path / "lo" / f"{name}.xlsx").active
        kinds[name] = [c.data_type for row in ws.iter_rows() for c in row]
    assert kinds["r"].count("f") == 0
    assert kinds["control"].count("f") >= 3  # the control proves LibreOffice did evaluate
    negative = openpyxl.load_workbook(tmp_path / "lo" / "r.xlsx").active
    numbers = [c.value for row in negative.iter_rows() for c in row if c.data_type == "n"]
    assert -4 in numbers  # the negative DB III stayed a number
