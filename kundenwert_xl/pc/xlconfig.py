r"""xlwings' configuration layers, read and written exactly as xlwings 0.37.8's VBA reads them.

``GetConfig`` in ``xlwings.bas`` looks a key up in this order and takes the first layer that
*has* the key — an empty value in the workbook's sheet still wins:

1. the workbook's hidden sheet ``xlwings.conf`` (keys in column A, upper-cased);
2. a file ``xlwings.conf`` in the workbook's folder;
3. the user's file ``%USERPROFILE%\\.xlwings\\xlwings.conf``
   (macOS: ``~/Library/Containers/com.microsoft.Excel/Data/xlwings.conf``);
4. the built-in default.

The files hold one ``"KEY","value"`` line per key, as VBA's ``Write #`` writes them and
``Input #`` reads them: in the PC's ANSI code page, so a user path with umlauts must be written in
that code page (on a German Windows cp1252), not in UTF-8.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePath, PurePosixPath, PureWindowsPath
from typing import Literal

from kundenwert_xl.pc.machine import Machine

Layer = Literal["sheet", "directory", "user", "default"]
CONFIG_NAME = "xlwings.conf"


def pure_path(machine: Machine, path: str) -> PurePath:
    """The path in the flavour of the PC (Windows paths also when tested elsewhere)."""
    return PureWindowsPath(path) if machine.windows else PurePosixPath(path)


def user_config_path(machine: Machine) -> str | None:
    """Where xlwings' VBA looks for the user's configuration file (``None``: no home known)."""
    if machine.windows:
        home = machine.environ.get("USERPROFILE")
        return str(PureWindowsPath(home, ".xlwings", CONFIG_NAME)) if home else None
    home = machine.environ.get("HOME")
    if not home:
        return None
    parts = ("Library", "Containers", "com.microsoft.Excel", "Data", CONFIG_NAME)
    return str(PurePosixPath(home, *parts))


def parse_entries(text: str) -> dict[str, str]:
    """Keys as spelled and values of a ``"KEY","value"`` file, first occurrence of a key only.

    ``Input #`` stops at the first line whose key matches (case-insensitively), so a later
    duplicate is never read.
    """
    values: dict[str, str] = {}
    seen: set[str] = set()
    for row in csv.reader(io.StringIO(text), skipinitialspace=True):
        if len(row) >= 2 and row[0].strip() and row[0].strip().upper() not in seen:
            seen.add(row[0].strip().upper())
            values[row[0].strip()] = row[1].strip()
    return values


def parse_config(text: str) -> dict[str, str]:
    """Keys (upper-cased, as VBA compares them) and values of a configuration file."""
    return {key.upper(): value for key, value in parse_entries(text).items()}


def format_config(values: Mapping[str, str]) -> str:
    """The file text for ``values``, one ``"KEY","value"`` line each, as ``Write #`` writes it."""
    return "".join(f'"{key}","{value}"\r\n' for key, value in values.items())


def read_config_file(machine: Machine, path: str | None) -> dict[str, str] | None:
    """The keys of a configuration file, or ``None`` when there is none."""
    if path is None or not machine.is_file(path):
        return None
    data = machine.read_bytes(path)
    if data is None:
        return None
    return parse_config(data.decode(machine.ansi_encoding, errors="replace"))


@dataclass(frozen=True)
class Setting:
    """A configuration value and where it came from."""

    key: str
    value: str
    layer: Layer
    source: str


@dataclass(frozen=True)
class ConfigLayers:
    """The configuration a workbook sees on a PC: its sheet, its folder's file, the user's file."""

    sheet: Mapping[str, str]
    directory_file: str | None
    directory: Mapping[str, str] | None
    user_file: str | None
    user: Mapping[str, str] | None

    def get(self, key: str, default: str = "") -> Setting:
        """``GetConfig(key, default)``: the first layer that has ``key``."""
        key = key.upper()
        sheet = {k.upper(): v for k, v in self.sheet.items()}
        if key in sheet:
            return Setting(key, sheet[key], "sheet", CONFIG_NAME)
        if self.directory is not None and key in self.directory:
            return Setting(key, self.directory[key], "directory", str(self.directory_file))
        if self.user is not None and key in self.user:
            return Setting(key, self.user[key], "user", str(self.user_file))
        return Setting(key, default, "default", "")


def config_layers(
    machine: Machine, sheet: Mapping[str, str] | None, workbook_dir: str | None
) -> ConfigLayers:
    """Collect the layers for a workbook (``sheet`` from its ``xlwings.conf`` sheet)."""
    directory_file = (
        str(pure_path(machine, workbook_dir) / CONFIG_NAME) if workbook_dir is not None else None
    )
    user_file = user_config_path(machine)
    return ConfigLayers(
        sheet=dict(sheet or {}),
        directory_file=directory_file,
        directory=read_config_file(machine, directory_file),
        user_file=user_file,
        user=read_config_file(machine, user_file),
    )
