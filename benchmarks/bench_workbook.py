"""Benchmark: headless recompute of a workbook against reading its inputs plus analyze().

Usage::

    python benchmarks/bench_workbook.py              # 100,000 demo transactions
    python benchmarks/bench_workbook.py --rows 1000000

Builds a demo workbook from the template (``kundenwert demo``), then measures in one process:
reading the inputs (fastexcel), ``analyze()``, and the whole ``recompute_file`` (read, analyse,
render, write the result sheets into a copy). Prints the ratio recompute / (read + analyze).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from kundenwert_xl import actions
from kundenwert_xl.actions import demo_file, recompute_file


def best_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        source, target = Path(tmp, "demo.xlsm"), Path(tmp, "out.xlsm")
        start = time.perf_counter()
        demo_file(source, rows=args.rows)
        print(
            f"demo workbook: {args.rows:,} rows, {source.stat().st_size / 1e6:.1f} MB, "
            f"made in {time.perf_counter() - start:.1f} s"
        )
        inputs = actions.read_inputs(source)
        read = best_of(lambda: actions.read_inputs(source), args.repeat)
        analyse = best_of(lambda: actions.recompute(inputs), args.repeat)
        whole = best_of(lambda: recompute_file(source, target), args.repeat)
        base = read + analyse
        print(f"read inputs (fastexcel)      {read * 1000:7.0f} ms")
        print(f"analyze() + render blocks    {analyse * 1000:7.0f} ms")
        print(f"recompute_file (all)         {whole * 1000:7.0f} ms  ratio {whole / base:4.2f}")


if __name__ == "__main__":
    main()
