"""Settings for the faces: the core model re-exported, and reading it from a TOML file.

The model and its text forms live in :mod:`kundenwert_xl.core.settings` (core stays pure);
this module keeps ``kundenwert_xl.settings`` importable and adds what touches files.
"""

from __future__ import annotations

import re
import stat
import tomllib
from pathlib import Path

from kundenwert_xl import texts
from kundenwert_xl.core.errors import KundenwertError, Problem
from kundenwert_xl.core.settings import (
    CONTACT_COSTS,
    DBM_CONTACTS,
    DBM_MONETARY,
    DBM_RECENCY,
    DBM_RETURNS,
    RETURN_RATIO,
    Band,
    Bands,
    PointTable,
    SegmentRule,
    Settings,
    Stichtag,
    TextForm,
    setting_key,
)
from kundenwert_xl.io.readers import read_error_detail

__all__ = [
    "CONTACT_COSTS",
    "DBM_CONTACTS",
    "DBM_MONETARY",
    "DBM_RECENCY",
    "DBM_RETURNS",
    "RETURN_RATIO",
    "Band",
    "Bands",
    "PointTable",
    "SegmentRule",
    "Settings",
    "Stichtag",
    "TextForm",
    "from_toml",
]


def from_toml(path: str | Path, base: Settings | None = None) -> Settings:
    """Build settings from a TOML file with German or internal keys.

    Raises
    ------
    KundenwertError
        With code ``io`` when the file is missing, not a regular file (a FIFO would block
        the read forever), not UTF-8 or not TOML; otherwise with the bad settings.
    """
    path = Path(path)

    def refuse(detail: str) -> KundenwertError:
        text = texts.message("io_error", path=str(path), detail=detail)
        return KundenwertError([Problem("io", text, table=path.name)])

    try:
        if not stat.S_ISREG(path.stat().st_mode):
            raise refuse(texts.IO_DETAILS["not_regular"])
        with open(path, "rb") as fh:
            # utf-8-sig: Windows editors often save UTF-8 with a byte order mark.
            text = fh.read().decode("utf-8-sig")
        data = tomllib.loads(text)
    except FileNotFoundError:
        raise refuse(texts.IO_DETAILS["missing"]) from None
    except OSError as exc:
        raise refuse(read_error_detail(exc)) from None
    except UnicodeDecodeError:
        raise refuse(texts.IO_DETAILS["toml_encoding"]) from None
    except tomllib.TOMLDecodeError as exc:
        detail = texts.IO_DETAILS["toml"].format(where=_toml_where(exc), hint=_toml_hint(text, exc))
        raise refuse(detail) from None
    return Settings.from_mapping(_unwrapped(data), base=base)


def _unwrapped(data: dict[str, object]) -> dict[str, object]:
    """The settings of a file that puts them (or some) under an ``[Einstellungen]`` heading.

    The sheet's name as a TOML section is what a user writes who knows ini files; its
    settings are meant, so they are taken as if written without the heading. A setting given
    both under the heading and outside it is refused: which one was meant is not guessed.
    """
    out: dict[str, object] = {}
    inner: dict[str, object] = {}
    for name, value in data.items():
        if isinstance(value, dict) and name.strip().casefold() in _SECTION_NAMES:
            inner.update(value)
        else:
            out[name] = value
    twice = [name for name in inner if setting_key(name) in {setting_key(n) for n in out}]
    if twice:
        raise KundenwertError(
            [
                Problem(
                    "setting_twice",
                    params={"column": name},
                    table=texts.TABLE_NAMES["settings"],
                    column=name,
                )
                for name in twice
            ]
        )
    return out | inner


_SECTION_NAMES = {texts.TABLE_NAMES["settings"].casefold(), "settings"}


def _toml_line(exc: tomllib.TOMLDecodeError) -> tuple[int, int] | None:
    """Line and column (1-based) of a TOML error; tomllib 3.11 has them in its message only."""
    found = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
    return None if found is None else (int(found.group(1)), int(found.group(2)))


def _toml_where(exc: tomllib.TOMLDecodeError) -> str:
    """Where the TOML error is, in German; tomllib's English reason stays out."""
    at = _toml_line(exc)
    if at is None:
        return texts.IO_DETAILS["toml_end"]
    return texts.IO_DETAILS["toml_at"].format(line=at[0], column=at[1])


def _toml_hint(text: str, exc: tomllib.TOMLDecodeError) -> str:
    """The likely fix of a TOML error, in German.

    Labels such as "Anzahl Klassen" have spaces and must be quoted as names; otherwise the usual
    mistake is an unquoted text or date value.
    """
    at = _toml_line(exc)
    lines = text.splitlines()
    if at is not None and 0 < at[0] <= len(lines) and "=" in lines[at[0] - 1]:
        name = lines[at[0] - 1].split("=", 1)[0].strip()
        if " " in name and not name.startswith(('"', "'", "[")):
            return texts.IO_DETAILS["toml_key_hint"]
    return texts.IO_DETAILS["toml_value_hint"]
