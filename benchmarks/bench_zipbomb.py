"""What refusing a zip bomb costs: wall time and peak memory of ``kundenwert`` until it exits.

Builds the bomb of issue 10: a demo workbook whose Kundenwert sheet (which recompute rewrites)
is padded with 1.5 GiB of spaces, packed to a few MB; once with an honest zip directory, once
with a directory that claims the sheet is 1,000 bytes. Runs ``recompute`` and ``analyze`` on
each as a child process and reads the child's own peak memory with ``wait4``.

    python benchmarks/bench_zipbomb.py [--gib 1.5] [--sheet Kundenwert] [--unguarded]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
import zipfile
from pathlib import Path

# The bomb builder is the hostile-file tests' own (tests/io/helpers.py): one recipe for both.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kundenwert_xl.actions import demo_file
from kundenwert_xl.core.errors import KundenwertError
from kundenwert_xl.io.package import check_package
from tests.io.helpers import padded_sheet


def build_bomb(source: Path, target: Path, gib: float, sheet: str = "Kundenwert") -> str:
    """The bomb of issue 10: ``gib`` GiB of spaces in ``sheet`` (64 MiB chunks)."""
    return padded_sheet(source, target, sheet, chunks=round(gib * 16))


def lie_about(path: Path, part: str, declared: int) -> None:
    """Make the sizes the zip records for ``part`` (local header, central directory) say
    ``declared``, in the 32-bit field or, where that holds 0xFFFFFFFF, in the ZIP64 extra."""
    raw = bytearray(path.read_bytes())
    # (signature, offset of the size field, of the name length, of the name)
    layouts = ((b"PK\x03\x04", 22, 26, 30), (b"PK\x01\x02", 24, 28, 46))
    for signature, size_at, name_len_at, name_at in layouts:
        pos = raw.find(signature)
        while pos != -1:
            name_len = int.from_bytes(raw[pos + name_len_at : pos + name_len_at + 2], "little")
            if raw[pos + name_at : pos + name_at + name_len] == part.encode():
                if raw[pos + size_at : pos + size_at + 4] == b"\xff" * 4:
                    extra = pos + name_at + name_len  # ZIP64 extra: id, length, size first
                    raw[extra + 4 : extra + 12] = declared.to_bytes(8, "little")
                else:
                    raw[pos + size_at : pos + size_at + 4] = declared.to_bytes(4, "little")
                break
            pos = raw.find(signature, pos + 4)
    path.write_bytes(bytes(raw))


UNGUARDED = (
    "import sys; from kundenwert_xl.io import readers; readers.guard_package = lambda path: None; "
    "from kundenwert_xl import cli; sys.argv[0] = 'kundenwert'; cli.main()"
)


def run(args: list[str], guarded: bool = True) -> tuple[int, float, float, str]:
    started = time.perf_counter()
    entry = ["-m", "kundenwert_xl.cli"] if guarded else ["-c", UNGUARDED]
    proc = subprocess.Popen(
        [sys.executable, *entry, *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    err = proc.stderr.read().decode() if proc.stderr else ""
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    return os.waitstatus_to_exitcode(status), elapsed, usage.ru_maxrss / 1024, err.strip()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--gib", type=float, default=1.5)
    parser.add_argument("--sheet", default="Kundenwert", help="the sheet to pad")
    parser.add_argument(
        "--unguarded",
        action="store_true",
        help="also run without the package check, to see what it prevents (needs the memory)",
    )
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        demo = folder / "demo.xlsm"
        demo_file(demo, rows=3000, seed=3)
        bomb = folder / "bombe.xlsm"
        part = build_bomb(demo, bomb, options.gib, options.sheet)
        liar = folder / "luege.xlsm"
        shutil.copy(bomb, liar)
        lie_about(liar, part, 1000)
        info = zipfile.ZipFile(bomb).getinfo(part)
        print(
            f"bomb: {bomb.stat().st_size / 1e6:.1f} MB file, part {part} "
            f"{info.file_size / 2**30:.2f} GiB unpacked, {info.compress_size / 1e6:.2f} MB packed"
        )
        for label, path in (("honest directory", bomb), ("lying directory", liar)):
            tracemalloc.start()
            started = time.perf_counter()
            try:
                check_package(path)
            except KundenwertError:
                pass
            seconds = time.perf_counter() - started
            peak = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
            print(
                f"{label:16} check_package in-process: {seconds * 1000:7.1f} ms, "
                f"{peak:5.1f} MB allocated at peak"
            )
        baseline = run(["--help"])
        print(
            f"kundenwert --help (interpreter and imports): {baseline[1]:.2f} s, "
            f"{baseline[2]:.0f} MB peak"
        )
        for label, path in (("honest directory", bomb), ("lying directory", liar)):
            for command, suffix in (("recompute", ".xlsm"), ("analyze", ".xlsx")):
                code, seconds, peak, err = run(
                    [command, str(path), "-o", str(folder / f"o{suffix}")]
                )
                print(f"{label:16} {command:9} exit {code}  {seconds:5.2f} s  {peak:6.0f} MB peak")
                print(f"    {err.splitlines()[-1][:160]}")
        if options.unguarded:
            for command, suffix in (("recompute", ".xlsm"), ("analyze", ".xlsx")):
                args = [command, str(bomb), "-o", str(folder / f"u{suffix}")]
                code, seconds, peak, err = run(args, guarded=False)
                label = "without check"
                print(f"{label:16} {command:9} exit {code}  {seconds:5.2f} s  {peak:6.0f} MB peak")


if __name__ == "__main__":
    main()
