"""Benchmark: ``kundenwert demo`` and ``kundenwert recompute`` against their floor, with memory.

Usage::

    python benchmarks/bench_workbook.py              # 100,000 demo transactions
    python benchmarks/bench_workbook.py --rows 1000000

Each measured step runs in a fresh process (so its peak memory is its own, read from
``getrusage`` of that child):

1. ``kundenwert demo --zeilen N``: wall time and peak memory (target: peak <= 1.5 GB at 1M).
2. ``kundenwert recompute`` of that workbook: wall time (with interpreter start-up) and peak
   (target: peak <= 1.2 GB); ``recompute_file`` in-process for the ratio.
3. The floor (issue 12): reading the input sheets with fastexcel (``load_sheet_by_name``) plus
   writing the same result cells with a streaming writer (XlsxWriter, ``constant_memory``), and
   for comparison our own writer (``patch.write_results``) alone. Printed: recompute / floor
   (target: <= 1.2).

Best of ``--repeat`` runs; the machine's load (``os.getloadavg``) is printed with the figures,
since on a shared machine it moves every time.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

INPUT_SHEETS = ("Transaktionen", "Kunden", "Werbekontakte", "Einstellungen")


def measured(command: list[str]) -> tuple[float, float, str]:
    """(wall seconds, peak resident MB, stdout) of ``command`` run as a child of a fresh process."""
    probe = (
        "import resource, subprocess, sys, time, json\n"
        "start = time.perf_counter()\n"
        "res = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "wall = time.perf_counter() - start\n"
        "if res.returncode: sys.exit(res.stderr)\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "print(json.dumps([wall, peak, res.stdout]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe, *command], capture_output=True, text=True, check=True
    )
    wall, peak, stdout = json.loads(out.stdout.strip().splitlines()[-1])
    return wall, peak, stdout


def floor(source: Path, target: Path) -> None:
    """Child mode: print the floor's read and write seconds and our own writer's seconds."""
    import fastexcel
    import xlsxwriter

    from kundenwert_xl import actions, report
    from kundenwert_xl.io import patch

    outcome = actions.recompute(actions.read_inputs(source))
    start, cpu = time.perf_counter(), time.process_time()
    reader = fastexcel.read_excel(str(source))
    for sheet in INPUT_SHEETS:
        reader.load_sheet_by_name(sheet, schema_sample_rows=None).to_arrow()
    read, read_cpu = time.perf_counter() - start, time.process_time() - cpu

    start = time.perf_counter()
    book = xlsxwriter.Workbook(str(target), {"constant_memory": True})
    cells = 0
    by_sheet: dict[str, list[report.Block]] = {}
    for block in outcome.blocks:
        by_sheet.setdefault(block.spec.sheet, []).append(block)
    for sheet, blocks in by_sheet.items():
        ws = book.add_worksheet(sheet)
        # constant_memory writes row by row: all blocks of a sheet are merged into rows first.
        rows: dict[int, dict[int, object]] = {}
        for block in blocks:
            spec = block.spec
            rows.setdefault(spec.row - 1, {})[spec.col - 1] = block.title or spec.title
            for j, column in enumerate(spec.columns):
                rows.setdefault(spec.row, {})[spec.col - 1 + j] = column.header
            for i, values in enumerate(block.rows, start=spec.first_data_row - 1):
                row = rows.setdefault(i, {})
                for j, value in enumerate(values):
                    row[spec.col - 1 + j] = value
        for r in sorted(rows):
            for c, value in sorted(rows[r].items()):
                if value is not None:
                    ws.write(r, c, value)
                    cells += 1
    book.close()
    write = time.perf_counter() - start

    start, cpu = time.perf_counter(), time.process_time()
    actions.recompute_file(source, target.with_name("recomputed.xlsm"))
    whole, whole_cpu = time.perf_counter() - start, time.process_time() - cpu

    start, cpu = time.perf_counter(), time.process_time()
    footer = report.print_footer(outcome.analysis)
    patch.write_results(source, target.with_suffix(".xlsm"), outcome.blocks, footer=footer)
    ours, ours_cpu = time.perf_counter() - start, time.process_time() - cpu
    print(
        json.dumps(
            {
                "read": read,
                "write": write,
                "ours": ours,
                "whole": whole,
                "cells": cells,
                "cpu": whole_cpu / (read_cpu + ours_cpu),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--floor", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.floor:
        floor(*args.floor)
        return
    cli = [sys.executable, "-m", "kundenwert_xl.cli"]
    with tempfile.TemporaryDirectory() as tmp:
        source, target = Path(tmp, "demo.xlsm"), Path(tmp, "out.xlsm")
        load = os.getloadavg()[0]
        demo = measured([*cli, "demo", "--zeilen", str(args.rows), "-o", str(source), "--force"])
        print(
            f"load {load:.2f}  demo {args.rows:,} rows: {source.stat().st_size / 1e6:.1f} MB file, "
            f"{demo[0]:.1f} s, peak {demo[1]:,.0f} MB (target <= 1,536 MB)"
        )
        results = []
        for _ in range(args.repeat):
            load = os.getloadavg()[0]
            recompute = measured([*cli, "recompute", str(source), "-o", str(target), "--force"])
            parts = json.loads(
                measured(
                    [sys.executable, __file__, "--floor", str(source), str(Path(tmp, "f.xlsx"))]
                )[2]
            )
            results.append((recompute, parts, load))
            base = parts["read"] + parts["write"]
            print(
                f"load {load:.2f}  kundenwert recompute {recompute[0]:.1f} s (with start-up), "
                f"peak {recompute[1]:,.0f} MB | recompute_file {parts['whole']:.1f} s | "
                f"floor: read {parts['read']:.1f} s + write {parts['write']:.1f} s "
                f"({parts['cells']:,} cells, XlsxWriter) = {base:.1f} s | "
                f"ratio {parts['whole'] / base:.2f} | our writer alone {parts['ours']:.1f} s, "
                f"ratio to read + our writer "
                f"{parts['whole'] / (parts['read'] + parts['ours']):.2f} "
                f"(CPU time {parts['cpu']:.2f})"
            )
        best = min(results, key=lambda r: r[1]["whole"] / (r[1]["read"] + r[1]["write"]))
        _, parts, load = best
        base = parts["read"] + parts["write"]
        ours = sorted(r[1]["whole"] / (r[1]["read"] + r[1]["ours"]) for r in results)
        cpu = sorted(r[1]["cpu"] for r in results)
        print(
            f"best: recompute_file / floor {parts['whole'] / base:.2f} (target <= 1.2), "
            f"recompute peak "
            f"{max(r[0][1] for r in results):,.0f} MB (target <= 1,229 MB), load {load:.2f}; "
            f"recompute_file / (read + our writer) best {ours[0]:.2f} median "
            f"{ours[len(ours) // 2]:.2f}, in CPU time best {cpu[0]:.2f} "
            f"median {cpu[len(cpu) // 2]:.2f}"
        )


if __name__ == "__main__":
    main()
