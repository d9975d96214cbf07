"""Write result tables to new files: xlsx (XlsxWriter), csv (German dialect), parquet.

Never in place: everything is written to a temporary file next to the target and renamed. The
temporary file is created with the ordinary permissions (the umask applies, as for any file the
user saves) and carries a name that says whose it is, so a leftover of a killed run is
recognisable and removed by the next run (:func:`remove_stale_temps`).

Strings are never turned into formulas or links: XlsxWriter writes them as text, and in csv
files every text cell that Excel would read as a formula is neutralised the way the OWASP
CSV-injection guidance describes (:func:`neutralise_formulas`).
"""

from __future__ import annotations

import csv
import datetime as dt
import errno
import hashlib
import io
import os
import re
import secrets
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from kundenwert_xl import texts
from kundenwert_xl.core.errors import KundenwertError, Problem

if TYPE_CHECKING:
    from kundenwert_xl.report import BlockSpec

#: First characters that make Excel (and LibreOffice) read a csv cell as a formula (OWASP).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

#: Every temporary file of ours starts with this, and nothing else does.
TEMP_PREFIX = ".~kundenwert-"
_TEMP_NAME = re.compile(r"\.~kundenwert-([0-9a-f]{6})-(\d+)-[0-9a-f]{8}-.+")
#: A temporary file nobody has written to for this long belongs to a run that died (any host).
STALE_AFTER_SECONDS = 3600
_FILE_MODE = 0o666  # what open() asks for; the kernel subtracts the umask


def _host_tag() -> str:
    return hashlib.sha1(socket.gethostname().encode()).hexdigest()[:6]


def temp_name(path: Path) -> Path:
    """The temporary file for ``path``: same folder, same suffix, name of host, process, target.

    The target's stem is shortened so the name stays within the 255 bytes a folder entry allows.
    """
    path = Path(path)
    token = secrets.token_hex(4)
    return path.with_name(
        f"{TEMP_PREFIX}{_host_tag()}-{os.getpid()}-{token}-{path.stem[:80]}{path.suffix}"
    )


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_temps(folder: Path) -> list[str]:
    """Delete leftovers of our own killed runs in ``folder``; return their names.

    A temporary file is stale when it was made on this host by a process that no longer runs
    (checked on POSIX only: on Windows signal 0 would stop the process), or when nobody has
    written to it for :data:`STALE_AFTER_SECONDS`. Files that do not carry our name are never
    touched.
    """
    removed: list[str] = []
    try:
        entries = list(Path(folder).glob(f"{TEMP_PREFIX}*"))
    except OSError:
        return removed
    here, now = _host_tag(), time.time()
    for entry in entries:
        match = _TEMP_NAME.fullmatch(entry.name)
        if match is None:
            continue
        try:
            info = entry.lstat()
        except OSError:
            continue
        dead = os.name == "posix" and match[1] == here and not _process_alive(int(match[2]))
        if dead or now - info.st_mtime > STALE_AFTER_SECONDS:
            try:
                entry.unlink()
            except OSError:
                continue
            removed.append(entry.name)
    return sorted(removed)


def write_error_detail(exc: OSError) -> str:
    """The German reason for an operating-system error while writing."""
    reasons = {
        errno.ENOSPC: "no_space",
        getattr(errno, "EDQUOT", errno.ENOSPC): "no_space",
        errno.EFBIG: "too_large",
        errno.EACCES: "read_only",
        errno.EPERM: "read_only",
        errno.EROFS: "read_only",
        errno.EISDIR: "is_folder",
        errno.ENOENT: "no_folder",
        errno.ENOTDIR: "no_folder",
        errno.ENAMETOOLONG: "name_too_long",
    }
    key = reasons.get(exc.errno or -1)
    if key is None:
        return texts.WRITE_DETAILS["other"].format(detail=exc.strerror or str(exc))
    return texts.WRITE_DETAILS[key]


def write_error(path: Path, detail: str) -> KundenwertError:
    """The domain error for a file that cannot be written (the CLI exits with 3)."""
    return KundenwertError(
        [
            Problem(
                "io",
                texts.message("write_error", path=str(path), detail=detail),
                table=Path(path).name,
            )
        ]
    )


#: Whether :func:`atomic_write` may replace an existing file (the command line sets it from
#: ``--force`` for everything one command writes, see :func:`replacing`).
_REPLACE: ContextVar[bool] = ContextVar("kundenwert_replace", default=True)


@contextmanager
def replacing(allowed: bool) -> Iterator[None]:
    """Within this block, :func:`atomic_write` replaces an existing target only if ``allowed``."""
    token = _REPLACE.set(allowed)
    try:
        yield
    finally:
        _REPLACE.reset(token)


def atomic_write(path: Path, write: Callable[[Path], object], replace: bool | None = None) -> None:
    """Call ``write`` on a temporary file in the target folder, then move it to ``path``.

    With ``replace`` false (default: as :func:`replacing` says, else true) the move never
    replaces a file: it is a hard link, which the operating system refuses when ``path``
    exists, so a file that appeared after the command's own check (another run, a colleague)
    is kept, not overwritten. Where the file system has no hard links, ``path`` is created
    exclusively first and then replaced by the finished file.

    Raises
    ------
    KundenwertError
        With a German message when the operating system refuses the write (full disk,
        read-only folder, the path is a folder, the file exists and may not be replaced ...).
        The temporary file is removed.
    """
    path = Path(path)
    replace = _REPLACE.get() if replace is None else replace
    tmp = temp_name(path)
    try:
        os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _FILE_MODE))
    except OSError as exc:
        raise write_error(path, write_error_detail(exc)) from None
    try:
        write(tmp)
        if replace:
            os.replace(tmp, path)
        else:
            _move_exclusive(tmp, path)
    except FileExistsError:
        tmp.unlink(missing_ok=True)
        raise write_error(path, texts.WRITE_DETAILS["appeared"]) from None
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise write_error(path, write_error_detail(exc)) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _move_exclusive(tmp: Path, path: Path) -> None:
    """Move ``tmp`` to ``path``; FileExistsError if ``path`` exists (never replaced)."""
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EMLINK):
            raise
        # No hard links here (FAT, some network shares): claim the name, then fill it.
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _FILE_MODE))
        os.replace(tmp, path)
    else:
        tmp.unlink()


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` with every text cell that Excel would run as a formula made inert.

    OWASP's CSV-injection guidance: a cell that starts with ``=``, ``+``, ``-``, ``@``, tab or
    carriage return gets a leading single quote. Only text is touched: numbers (also negative
    ones) stay numbers, and a text ``-abc`` becomes ``'-abc``. Column headers are treated alike.
    """
    out = frame.copy(deep=False)
    for name in frame.columns:
        column = frame[name]
        try:
            starts = column.str.startswith(FORMULA_TRIGGERS)
        except AttributeError:  # no text in this column
            continue
        hit = starts.fillna(False).astype(bool).to_numpy()
        if hit.any():
            column = column.astype(object)
            column[hit] = "'" + column[hit].astype(str)
            out[name] = column
    out.columns = [
        f"'{c}" if isinstance(c, str) and c.startswith(FORMULA_TRIGGERS) else c for c in out.columns
    ]
    return out


def write_tables(
    path: Path,
    tables: dict[str, pd.DataFrame],
    specs: dict[str, BlockSpec] | None = None,
) -> None:
    """Write tables to ``path``: one sheet each (xlsx) or the first table (csv, parquet).

    ``specs`` (sheet name -> the block it shows, see :func:`kundenwert_xl.report.export_specs`)
    give an xlsx file the workbook's number formats and column widths.

    Raises
    ------
    KundenwertError
        When the file cannot be written (see :func:`atomic_write`).
    """
    suffix = Path(path).suffix.lower()
    if suffix == ".xlsx":
        atomic_write(path, lambda tmp: _write_xlsx(tmp, tables, specs or {}))
    elif suffix == ".csv":
        name, frame = next(iter(tables.items()))
        first = neutralise_formulas(_money_in_cents(frame, (specs or {}).get(name)))
        # CRLF as Excel writes it; the csv module then also quotes any cell holding a lone CR,
        # which Excel would otherwise take as the start of a new row.
        atomic_write(
            path,
            lambda tmp: first.to_csv(
                tmp,
                sep=";",
                decimal=",",
                index=False,
                encoding="utf-8-sig",
                lineterminator="\r\n",
                quoting=csv.QUOTE_MINIMAL,
            ),
        )
    elif suffix in (".parquet", ".pq"):
        first = next(iter(tables.values()))
        atomic_write(path, lambda tmp: first.to_parquet(tmp, index=False))
    else:
        raise ValueError(suffix)


def _money_in_cents(frame: pd.DataFrame, spec: BlockSpec | None) -> pd.DataFrame:
    """Euro columns rounded to the cent for a text export.

    Amounts are summed exactly in cents; their differences in euros carry binary noise
    (``7179.389999999999``) that a number format hides in a workbook but a csv file shows.
    """
    from kundenwert_xl.report import EURO

    if spec is None:
        return frame
    money = [
        c.header
        for c in spec.columns
        if c.fmt == EURO and c.header in frame and pd.api.types.is_float_dtype(frame[c.header])
    ]
    return frame.assign(**{h: frame[h].round(2) for h in money}) if money else frame


def _write_xlsx(path: Path, tables: dict[str, pd.DataFrame], specs: dict[str, BlockSpec]) -> None:
    # XlsxWriter builds the file in memory and it is written here in one go: when the disk
    # fails, XlsxWriter's own half-closed zip would otherwise print a traceback on exit.
    options = {"strings_to_formulas": False, "strings_to_urls": False, "nan_inf_to_errors": True}
    buffer = io.BytesIO()
    # German dates, the workbook's format (pandas would otherwise stamp its ISO format on them).
    dates = {"date_format": "DD.MM.YYYY", "datetime_format": "DD.MM.YYYY"}
    with pd.ExcelWriter(
        buffer, engine="xlsxwriter", engine_kwargs={"options": options}, **dates
    ) as xw:
        book = xw.book
        header = book.add_format(
            {"bold": True, "font_color": "#FFFFFF", "bg_color": "#1F3864", "text_wrap": True}
        )
        header.set_align("top")
        formats: dict[str, object] = {}

        def fmt(code: str | None) -> object:
            if code is None:
                return None
            if code not in formats:
                formats[code] = book.add_format({"num_format": code})
            return formats[code]

        for name, frame in tables.items():
            frame.to_excel(xw, sheet_name=name, index=False)
            sheet = xw.sheets[name]
            sheet.freeze_panes(1, 0)
            sheet.autofilter(0, 0, max(len(frame), 1), max(len(frame.columns) - 1, 0))
            spec = specs.get(name)
            if spec is None:
                sheet.set_column(0, max(len(frame.columns) - 1, 0), 16)
                continue
            for j, column in enumerate(spec.columns):
                sheet.set_column(j, j, column.width, fmt(column.fmt))
                sheet.write_string(0, j, column.header, header)
            # Rows of different kinds in one column (the headline figures): a format per cell.
            for i, code in enumerate(spec.row_formats[: len(frame)], start=1):
                j = next(k for k, c in enumerate(spec.columns) if c.fmt is None and k > 0)
                value = frame.iat[i - 1, j]
                if isinstance(value, dt.date):
                    sheet.write_datetime(i, j, dt.datetime.combine(value, dt.time()), fmt(code))
                elif isinstance(value, int | float) and not pd.isna(value):
                    sheet.write_number(i, j, value, fmt(code))
            sheet.set_row(0, 15 * _header_lines(spec) + 3)
    with path.open("wb") as fh:
        fh.write(buffer.getbuffer())


def _header_lines(spec: BlockSpec) -> int:
    """Lines the tallest wrapped header of ``spec`` needs (the workbook's rule, in short)."""
    lines = 1
    for column in spec.columns:
        words, used, n = column.header.split(), 0, 1
        for word in words:
            if used and used + 1 + len(word) > column.width / 1.2 - 1:
                n, used = n + 1, len(word)
            else:
                used += (1 if used else 0) + len(word)
        lines = max(lines, n)
    return lines
