r"""Which Python Excel starts on a Windows PC, and whether xlwings' DLL is where VBA loads it.

The rules are those of xlwings 0.37.8's ``xlwings.bas``:

- ``INTERPRETER_WIN`` (legacy ``INTERPRETER``) names the interpreter; the default is ``pythonw``
  for worksheet functions (``XLPyCommand``) and ``python`` for buttons (``RunPython``).
- A bare ``python``/``pythonw`` with ``CONDA PATH`` and ``CONDA ENV`` means the conda
  environment's interpreter (``base``: the conda folder; a name: ``envs\\NAME``; a path: itself).
- A bare name is otherwise found by Windows on ``PATH``; the Microsoft Store's
  ``...\\Microsoft\\WindowsApps\\python.exe`` there is only an alias that opens the Store.
- ``XLPyLoadDLL`` loads ``xlwings64-0.37.8.dll`` (32-bit Office: ``xlwings32-...``) from the
  interpreter's folder or, for a venv, its parent; with a bare name Windows' DLL search finds it
  next to the interpreter on ``PATH``. ``pip install --user`` puts the DLLs into
  ``%APPDATA%\\Python`` instead, where VBA never looks.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from typing import Literal

from kundenwert_xl.pc.machine import Machine
from kundenwert_xl.pc.xlconfig import ConfigLayers, Setting, pure_path

#: The xlwings release whose VBA module the template carries (the DLL names follow it).
PINNED_XLWINGS = "0.37.8"
DLL_NAMES = (f"xlwings64-{PINNED_XLWINGS}.dll", f"xlwings32-{PINNED_XLWINGS}.dll")
BARE_NAMES = ("python", "pythonw")
Purpose = Literal["functions", "buttons"]


@dataclass(frozen=True)
class Interpreter:
    r"""The interpreter Excel will start, as xlwings resolves it.

    Attributes
    ----------
    command : str
        What xlwings runs: a bare ``python``/``pythonw`` or a path.
    setting : Setting
        The configuration entry that decided it (layer ``default`` when nothing was set).
    conda : tuple[str, str] | None
        ``(CONDA PATH, CONDA ENV)`` when conda decided the folder.
    path : str | None
        The executable found on this PC, ``None`` when there is none.
    store_alias : bool
        The path is the Microsoft Store's app-execution alias, not a real Python.
    dlls : tuple[str, ...]
        The xlwings DLLs found where VBA looks for them.
    user_site_dlls : tuple[str, ...]
        DLLs found in ``%APPDATA%\\Python`` (a ``pip install --user``), where VBA does not look.
    """

    command: str
    setting: Setting
    conda: tuple[str, str] | None
    path: str | None
    store_alias: bool
    dlls: tuple[str, ...]
    user_site_dlls: tuple[str, ...]


def _exe(name: str) -> str:
    return name if name.lower().endswith(".exe") else name + ".exe"


def _path_folders(machine: Machine) -> list[str]:
    raw = machine.environ.get("PATH", "").split(";" if machine.windows else ":")
    return [f.strip().strip('"') for f in raw if f.strip().strip('"')]


def _on_path(machine: Machine, name: str) -> str | None:
    """The first ``PATH`` folder's ``name.exe``, as cmd.exe finds it."""
    for folder in _path_folders(machine):
        candidate = str(pure_path(machine, folder) / _exe(name))
        if machine.is_file(candidate):
            return candidate
    return None


def _is_store_alias(machine: Machine, path: str) -> bool:
    parts = [p.lower() for p in pure_path(machine, path).parts]
    return any(pair == ("microsoft", "windowsapps") for pair in pairwise(parts))


def _dlls_in(machine: Machine, folders: list[str]) -> tuple[str, ...]:
    found = []
    for folder in folders:
        for dll in DLL_NAMES:
            candidate = str(pure_path(machine, folder) / dll)
            if machine.is_file(candidate):
                found.append(candidate)
    return tuple(dict.fromkeys(found))


def resolve(layers: ConfigLayers, machine: Machine, purpose: Purpose) -> Interpreter:
    """Resolve the interpreter for worksheet functions or for buttons, exactly as VBA does."""
    default = "pythonw" if purpose == "functions" else "python"
    setting = layers.get("INTERPRETER_WIN")
    if setting.value == "":
        legacy = layers.get("INTERPRETER", default)
        setting = legacy if legacy.value else Setting("INTERPRETER", default, "default", "")
    command = setting.value
    conda_path = layers.get("CONDA PATH").value
    conda_env = layers.get("CONDA ENV").value
    conda = (conda_path, conda_env) if conda_path and conda_env else None
    bare = command.lower() in BARE_NAMES

    path: str | None
    if bare and conda is not None:
        # XLPyLoadDLL's rule for where the conda environment's interpreter lives.
        if conda_env == "base":
            folder = pure_path(machine, conda_path)
        elif "\\" in conda_env or "/" in conda_env:
            folder = pure_path(machine, conda_env)
        else:
            folder = pure_path(machine, conda_path) / "envs" / conda_env
        candidate = str(folder / _exe(command))
        path = candidate if machine.is_file(candidate) else None
    elif bare:
        path = _on_path(machine, command)
    else:
        conda = None
        candidates = [command] if command.lower().endswith(".exe") else [command, _exe(command)]
        path = next((c for c in candidates if machine.is_file(c)), None)

    store_alias = path is not None and _is_store_alias(machine, path)
    dlls: tuple[str, ...] = ()
    if path is not None and not store_alias:
        folder = pure_path(machine, path).parent
        if bare and conda is None:
            # No LoadLibrary with a path: Windows' DLL search looks through the PATH folders.
            dlls = _dlls_in(machine, _path_folders(machine))
        else:
            dlls = _dlls_in(machine, [str(folder), str(folder.parent)])
    appdata = machine.environ.get("APPDATA")
    user_site = _dlls_in(machine, [str(pure_path(machine, appdata) / "Python")]) if appdata else ()
    return Interpreter(command, setting, conda, path, store_alias, dlls, user_site)


def preferred_interpreter(machine: Machine) -> str:
    """The interpreter to write for this environment: ``pythonw.exe`` beside the running one.

    ``pythonw`` starts the COM server for worksheet functions without a console window; xlwings
    uses the same setting for buttons.
    """
    exe = pure_path(machine, machine.executable)
    if machine.windows and exe.name.lower() == "python.exe":
        sibling = exe.with_name("pythonw.exe")
        if machine.is_file(str(sibling)):
            return str(sibling)
    return str(exe)


def probe_command() -> list[str]:
    """Arguments that make an interpreter import what the workbook needs and print versions."""
    code = (
        "import xlwings, kundenwert_xl, kundenwert_xl.excel.udfs; "
        "print(xlwings.__version__, kundenwert_xl.__version__)"
    )
    return ["-c", code]
