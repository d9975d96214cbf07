"""``kundenwert setup``: tell xlwings, once per PC, which Python runs the workbook.

Writes the running environment's interpreter into the user's xlwings configuration file (the
layer xlwings' VBA reads after the workbook's sheet and folder): ``INTERPRETER_WIN`` =
``pythonw.exe`` beside this Python, or ``CONDA PATH``/``CONDA ENV`` when run inside conda (as
``xlwings config create`` decides, with xlwings' own ``get_conda_settings``). Other keys in the
file are kept; running it twice changes nothing the second time.
"""

from __future__ import annotations

from dataclasses import dataclass

from kundenwert_xl import texts
from kundenwert_xl.core.errors import KundenwertError, Problem
from kundenwert_xl.pc.interpreter import _is_store_alias, preferred_interpreter
from kundenwert_xl.pc.machine import Machine
from kundenwert_xl.pc.xlconfig import format_config, parse_entries, user_config_path

#: Keys that decide the interpreter; setup writes some and removes the others.
INTERPRETER_KEYS = ("INTERPRETER_WIN", "INTERPRETER", "CONDA PATH", "CONDA ENV")


@dataclass(frozen=True)
class SetupPlan:
    """What setup will write: the file, its keys before and after."""

    path: str
    before: dict[str, str]
    after: dict[str, str]
    wanted: dict[str, str]
    removed: tuple[str, ...]
    text: str

    @property
    def changed(self) -> bool:
        """Whether the file must be written."""
        return self.before != self.after


def conda_settings(machine: Machine) -> tuple[str, str] | None:
    """``(CONDA PATH, CONDA ENV)`` of the running conda environment, as xlwings derives them."""
    env = machine.environ.get("CONDA_DEFAULT_ENV")
    exe = machine.environ.get("CONDA_EXE")
    if not env or not exe:
        return None
    separator = "\\" if machine.windows else "/"
    # xlwings.cli.get_conda_settings: the conda root is two levels above Scripts\conda.exe.
    return separator.join(exe.split(separator)[:-2]), env


def wanted_keys(machine: Machine) -> dict[str, str]:
    """The interpreter keys this environment needs."""
    if not machine.windows:
        return {"INTERPRETER_MAC": machine.executable}
    conda = conda_settings(machine)
    if conda is not None:
        return {"CONDA PATH": conda[0], "CONDA ENV": conda[1]}
    return {"INTERPRETER_WIN": preferred_interpreter(machine)}


def plan(machine: Machine) -> SetupPlan:
    """Work out the new user configuration without writing anything."""
    path = user_config_path(machine)
    if path is None:
        raise KundenwertError([Problem("setup_no_home", texts.message("setup_no_home"))])
    if machine.windows and _is_store_alias(machine, machine.executable):
        detail = texts.message("setup_store_python", path=machine.executable)
        raise KundenwertError([Problem("setup_store_python", detail)])
    raw = machine.read_bytes(path) if machine.is_file(path) else None
    before = parse_entries(raw.decode(machine.ansi_encoding, errors="replace")) if raw else {}
    wanted = wanted_keys(machine)
    # Other keys keep their spelling and place; a wanted key already there is updated in place.
    after: dict[str, str] = {}
    for key, value in before.items():
        upper = key.upper()
        if upper in wanted:
            after[key] = wanted[upper]
        elif upper not in INTERPRETER_KEYS:
            after[key] = value
    present = {key.upper() for key in after}
    after.update({key: value for key, value in wanted.items() if key not in present})
    text = format_config(after)
    try:
        text.encode(machine.ansi_encoding)
    except UnicodeEncodeError:
        # VBA reads the file in the ANSI code page: a path it cannot spell would be read wrongly.
        bad = next(v for v in wanted.values() if not _encodable(v, machine.ansi_encoding))
        detail = texts.message("setup_encoding", path=bad, encoding=machine.ansi_encoding)
        raise KundenwertError([Problem("setup_encoding", detail)]) from None
    removed = tuple(k for k in before if k not in after)
    wanted_as_written = {k: v for k, v in after.items() if k.upper() in wanted}
    return SetupPlan(path, before, after, wanted_as_written, removed, text)


def _encodable(value: str, encoding: str) -> bool:
    try:
        value.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def apply(machine: Machine, setup: SetupPlan) -> None:
    """Write the planned file (nothing when nothing changes)."""
    if setup.changed:
        machine.write_bytes(setup.path, setup.text.encode(machine.ansi_encoding))
