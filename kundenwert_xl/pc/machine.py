r"""The look-ups of a PC that decide whether Excel finds Python: one injectable seam.

``kundenwert doctor`` and ``kundenwert setup`` reason about *Windows* paths (``C:\\...``) even
when they run elsewhere, so that their logic is tested on Linux: every question to the operating
system (environment, files, running a program) goes through a :class:`Machine`. The real machine
is :func:`this_machine`; tests pass a faked one.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal


@dataclass(frozen=True)
class RunResult:
    """What running a program gave: exit code and output (``None`` code: it did not finish)."""

    returncode: int | None
    stdout: str = ""
    stderr: str = ""


def _is_file(path: str) -> bool:
    return Path(path).is_file()


def _read_bytes(path: str) -> bytes | None:
    try:
        return Path(path).read_bytes()
    except OSError:
        return None


def _write_bytes(path: str, data: bytes) -> None:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".kundenwert-tmp")
    tmp.write_bytes(data)
    os.replace(tmp, target)


def _run(args: list[str], timeout: float) -> RunResult:
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return RunResult(None, "", "")
    except OSError as exc:
        return RunResult(None, "", str(exc))
    return RunResult(done.returncode, done.stdout, done.stderr)


@dataclass(frozen=True)
class Machine:
    """Everything doctor and setup ask the PC.

    Attributes
    ----------
    system : {"windows", "mac", "other"}
        Which xlwings rules apply; Windows paths on ``"windows"``.
    environ : Mapping[str, str]
        Environment variables (``USERPROFILE``, ``APPDATA``, ``LOCALAPPDATA``, ``PATH``, conda's).
    executable : str
        The interpreter this process runs in (``sys.executable``).
    ansi_encoding : str
        The code page VBA's ``Input #`` reads text files in (``mbcs`` on Windows).
    is_file, read_bytes, write_bytes, run
        File-system and process look-ups.
    """

    system: Literal["windows", "mac", "other"]
    environ: Mapping[str, str]
    executable: str
    ansi_encoding: str = "utf-8"
    is_file: Callable[[str], bool] = field(default=_is_file)
    read_bytes: Callable[[str], bytes | None] = field(default=_read_bytes)
    write_bytes: Callable[[str, bytes], None] = field(default=_write_bytes)
    run: Callable[[list[str], float], RunResult] = field(default=_run)

    @property
    def windows(self) -> bool:
        r"""Whether this is Windows (paths like ``C:\\...``, the functions work)."""
        return self.system == "windows"


def this_machine() -> Machine:
    """The PC this process runs on."""
    windows = sys.platform == "win32"
    system: Literal["windows", "mac", "other"] = (
        "windows" if windows else "mac" if sys.platform == "darwin" else "other"
    )
    return Machine(
        system=system,
        environ=dict(os.environ),
        executable=sys.executable,
        ansi_encoding="mbcs" if windows else "utf-8",
    )
