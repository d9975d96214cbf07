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
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise refuse(texts.IO_DETAILS["missing"]) from None
    except OSError as exc:
        raise refuse(read_error_detail(exc)) from None
    except UnicodeDecodeError:
        raise refuse(texts.IO_DETAILS["toml_encoding"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise refuse(texts.IO_DETAILS["toml"].format(where=_toml_where(exc))) from None
    return Settings.from_mapping(data, base=base)


def _toml_where(exc: tomllib.TOMLDecodeError) -> str:
    """Where the TOML error is, in German; tomllib's English reason stays out."""
    found = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
    if found is None:
        return texts.IO_DETAILS["toml_end"]
    return texts.IO_DETAILS["toml_at"].format(line=found.group(1), column=found.group(2))
