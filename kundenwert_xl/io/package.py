"""Check a workbook package before anything unpacks or parses it.

A .xlsx/.xlsm file is a zip of parts. Before fastexcel, openpyxl or our own writer touch one,
:func:`check_package` refuses what no Excel ever writes and what would make a reader work
without end:

- part names that leave the package (``../x``, ``/etc/x``, a drive or a backslash) or appear
  twice (each reader might pick another copy);
- parts larger than :data:`MAX_PART_BYTES` unpacked, or packed more tightly than
  :data:`MAX_RATIO` (a zip bomb: 1.5 GB of spaces pack into 1.5 MB); both limits come from the
  zip's directory, so a bomb is refused before a single byte is unpacked;
- parts that unpack to more than the directory says (a directory that lies): every part is
  unpacked once as a stream, counting bytes, and refused as soon as it runs past;
- XML parts with a document type declaration (DTD) or entities, found by defusedxml while
  parsing only the part's prolog (a DTD may only stand before the root element).

The limits follow Apache POI's ``ZipSecureFile`` (ratio checked above a grace size), sized so
that a real sheet with all 1,048,576 rows passes (see the tests for the measured figures).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import cast
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

try:  # ISA-L inflates the same raw deflate 2.7x faster; no wheel for every platform (ARM64).
    from isal import isal_zlib as _zlib
except ImportError:  # pragma: no cover - taken where pip found no isal wheel
    import zlib as _zlib  # type: ignore[no-redef]

from kundenwert_xl import texts
from kundenwert_xl.core.errors import KundenwertError, Problem

#: Largest size a part may have unpacked. A full Transaktionen sheet (1,048,575 rows of the
#: demo's 8 columns, as ``kundenwert demo`` writes it) measures 415 MB packed 8.9-fold.
MAX_PART_BYTES = 2 * 1024**3
#: Highest compression ratio (unpacked / packed) of a part above :data:`RATIO_GRACE_BYTES`.
#: Real sheets measure 6 to 14; a run of one byte reaches deflate's maximum of about 1,030.
MAX_RATIO = 100
#: Parts smaller than this unpacked are not held to the ratio (tiny parts pack arbitrarily).
RATIO_GRACE_BYTES = 1024**2
_CHUNK = 1 << 16
_XML_SUFFIXES = (".xml", ".rels", ".vml")
_DRIVE = re.compile(r"[A-Za-z]:")
# isal's stubs declare its error an Exception instance; at run time it is the exception class.
_INFLATE_ERROR = cast(type[Exception], _zlib.error)


def _refuse(path: Path, code: str, **params: object) -> KundenwertError:
    message = texts.message(code, path=path.name, **params)
    return KundenwertError([Problem("io", message, table=path.name)])


def unsafe_name(name: str) -> bool:
    """Whether a zip entry name would point outside the package (or is no OPC name at all)."""
    if not name or "\\" in name or "\x00" in name:
        return True
    if name.startswith("/") or _DRIVE.match(name):
        return True
    return any(segment in ("..", ".") for segment in name.split("/"))


def check_package(path: Path) -> None:
    """Refuse a workbook package that is unsafe to unpack or parse.

    Raises
    ------
    KundenwertError
        With code ``io`` (the CLI exits with 3) and a German message naming the part.
    zipfile.BadZipFile
        When the file is no zip at all (the readers report it as unreadable).
    """
    path = Path(path)
    with zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
        seen: set[str] = set()
        for info in infos:
            name = info.filename
            if unsafe_name(name):
                raise _refuse(path, "package_unsafe_name", part=name)
            if name.casefold() in seen:
                raise _refuse(path, "package_duplicate_part", part=name)
            seen.add(name.casefold())
            if info.flag_bits & 0x01 or info.compress_type not in (
                zipfile.ZIP_STORED,
                zipfile.ZIP_DEFLATED,
            ):
                raise _refuse(path, "package_compression", part=name)
            _check_declared(path, info)
        for info in infos:
            if not info.is_dir():
                _check_content(path, zf, info)


def _check_declared(path: Path, info: zipfile.ZipInfo) -> None:
    size = info.file_size
    if size > MAX_PART_BYTES:
        raise _refuse(
            path,
            "package_part_too_large",
            part=info.filename,
            size=texts.format_bytes(size),
            limit=texts.format_bytes(MAX_PART_BYTES),
        )
    if size > RATIO_GRACE_BYTES and size > MAX_RATIO * max(info.compress_size, 1):
        raise _refuse(
            path,
            "package_ratio",
            part=info.filename,
            ratio=texts.format_int(size // max(info.compress_size, 1)),
            size=texts.format_bytes(size),
            limit=MAX_RATIO,
        )


def _raw_chunks(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """Yield the packed bytes of a part, straight from the file.

    zipfile itself stops at the declared size and so would hide a directory that lies.
    """
    fp = zf.fp
    assert fp is not None  # the archive is open
    fp.seek(info.header_offset)
    local = fp.read(30)
    if local[:4] != b"PK\x03\x04":
        raise ValueError("no local header")
    name_len = int.from_bytes(local[26:28], "little")
    extra_len = int.from_bytes(local[28:30], "little")
    fp.seek(info.header_offset + 30 + name_len + extra_len)
    left = info.compress_size
    while left > 0:
        chunk = fp.read(min(_CHUNK, left))
        if not chunk:
            return
        left -= len(chunk)
        yield chunk


def _check_content(path: Path, zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Unpack a part as a stream: never more than declared, and no DTD in an XML prolog."""
    try:
        _stream(path, zf, info)
    except (_INFLATE_ERROR, ValueError, OSError):  # garbage data or an offset off the file
        raise _refuse(path, "package_damaged", part=info.filename) from None


def _stream(path: Path, zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    xml = info.filename.lower().endswith(_XML_SUFFIXES)
    prolog = _Prolog() if xml else None
    # ISA-L: the same raw deflate as zlib (and the same ``max_length`` contract), 2.7x faster.
    inflate = _zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
    produced = 0
    for raw in _raw_chunks(zf, info):
        pending = raw
        while pending:
            if inflate is None:
                data, pending = pending, b""
            else:
                # Never unpack more than one byte past the declared size: a lying directory is
                # caught at that byte, and memory stays at one 64 KB step (at most ~66 MB).
                data = inflate.decompress(pending, info.file_size - produced + 1)
                pending = inflate.unconsumed_tail
            produced += len(data)
            if produced > info.file_size:
                raise _refuse(path, "package_size_mismatch", part=info.filename)
            if prolog is not None and not prolog.feed(data):
                raise _refuse(path, "package_dtd", part=info.filename)
            if inflate is not None and (inflate.eof or not data):
                break


class _RootReached(Exception):
    """The parser met the first element: the prolog, the only place for a DTD, is over."""


class _StopAtRoot:
    def start(self, tag: str, attrib: dict[str, str]) -> None:
        raise _RootReached

    def close(self) -> None:
        return None


class _Prolog:
    """Feeds an XML part to defusedxml until its root element; remembers a DTD."""

    def __init__(self) -> None:
        self.parser: DefusedXMLParser | None = DefusedXMLParser(
            target=_StopAtRoot(), forbid_dtd=True, forbid_entities=True, forbid_external=True
        )

    def feed(self, data: bytes) -> bool:
        """False when the prolog declares a DTD or entities; True otherwise (also when done)."""
        if self.parser is None or not data:
            return True
        try:
            self.parser.feed(data)
        except _RootReached:
            self.parser = None
        except DefusedXmlException:
            return False
        except ParseError:  # not well-formed: the reader that parses the part reports it
            self.parser = None
        return True
