"""Progress on a terminal, silence in a pipe (issue 14): the console script on a real
pseudo-terminal and in a pipe, reading what each would show."""

import os
import pty
import re
import select
import subprocess
import sys
from pathlib import Path

from kundenwert_xl import texts

KUNDENWERT = str(Path(sys.executable).with_name("kundenwert"))
ENV = {**os.environ, "COLUMNS": "120", "LINES": "40", "TERM": "xterm-256color"}
ENV.pop("NO_COLOR", None)
ENV.pop("CI", None)  # rich would otherwise stay plain


def _demo_args(tmp_path: Path) -> list[str]:
    return [KUNDENWERT, "demo", "--zeilen", "3000", "-o", str(tmp_path / "d.xlsm")]


def test_on_a_terminal_the_phases_and_a_bar_show(tmp_path):
    controller, terminal = pty.openpty()
    proc = subprocess.Popen(
        _demo_args(tmp_path),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=terminal,
        env=ENV,
        cwd=tmp_path,
    )
    os.close(terminal)
    seen = b""
    while True:
        ready, _, _ = select.select([controller], [], [], 120)
        if not ready:
            break
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the terminal's other end closed: the command has ended
            break
        if not chunk:
            break
        seen += chunk
    os.close(controller)
    assert proc.wait(timeout=120) == 0
    screen = seen.decode("utf-8", "replace")
    phases = [text for text in texts.PHASES.values() if text in screen]
    assert len(phases) >= 3, screen[-2000:]
    assert "━" in screen  # rich's bar
    assert re.search(r"\d:\d\d:\d\d", screen)  # the elapsed time
    assert "\x1b[" in screen  # drawn and redrawn in place


def test_in_a_pipe_nothing_but_the_result_lines(tmp_path):
    res = subprocess.run(
        _demo_args(tmp_path), capture_output=True, text=True, env=ENV, cwd=tmp_path
    )
    assert res.returncode == 0, res.stderr
    both = res.stdout + res.stderr
    assert not any(text in both for text in texts.PHASES.values())
    assert "━" not in both and "\x1b[" not in both
    assert res.stdout.startswith("Stichtag 31.12.2024")
