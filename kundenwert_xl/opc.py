"""Writing OOXML packages (Open Packaging Conventions): the edits both of our writers make.

The template builder (:mod:`kundenwert_xl.template.build`) and the headless writer
(:mod:`kundenwert_xl.io.patch`) change a package in the same few ways: add or remove a
relationship, add or remove a content-type override, set the calculation settings, and copy
unchanged members as they are. Every edit here works on the part's bytes and changes only the
element it is about, so everything else in the part stays byte-identical (a user's workbook is
never re-serialised). Reading a package's structure is :mod:`kundenwert_xl.io.ooxml`.

This is a top-level module, not part of ``io``: ``io`` imports ``template`` (a copy of the
template is filled), so a module shared by both must stand outside either package.
"""

from __future__ import annotations

import re
import zipfile
from xml.sax.saxutils import quoteattr

#: Relationship types of the 2006 Office namespace (VBA project, ribbon).
OFFICE_2006_RELATIONSHIP = "http://schemas.microsoft.com/office/2006/relationships/"
#: The main part's content type of a macro-free and a macro-enabled workbook.
XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
XLSM_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
CALC_CHAIN = "xl/calcChain.xml"

_ELEMENT = rb"<(?:\w+:)?%s\b[^>]*/>"
# CT_Workbook: calcPr stands after definedNames and before these (ECMA-376 Part 1, 18.2.27).
_AFTER_CALC_PR = (
    b"oleSize",
    b"customWorkbookViews",
    b"pivotCaches",
    b"smartTagPr",
    b"smartTagTypes",
    b"webPublishing",
    b"fileRecoveryPr",
    b"webPublishObjects",
    b"extLst",
)


def _attribute(element: bytes, name: bytes) -> bytes | None:
    found = re.search(rb"\s%s=\"([^\"]*)\"" % name, element)
    return None if found is None else found[1]


def add_relationship(rels: bytes, rel_id: str, rel_type: str, target: str) -> bytes:
    """Append one ``<Relationship>`` to a ``.rels`` part."""
    entry = f"<Relationship Id={quoteattr(rel_id)} Type={quoteattr(rel_type)} "
    entry += f"Target={quoteattr(target)}/>"
    return rels.replace(b"</Relationships>", entry.encode() + b"</Relationships>", 1)


def remove_relationships(rels: bytes, target: str) -> bytes:
    """Drop every ``<Relationship>`` whose ``Target`` is exactly ``target``."""
    wanted = target.encode()
    return re.sub(
        _ELEMENT % b"Relationship",
        lambda m: b"" if _attribute(m[0], b"Target") == wanted else m[0],
        rels,
    )


def add_override(content_types: bytes, part: str, content_type: str) -> bytes:
    """Declare the content type of one part (``part`` without the leading slash)."""
    entry = f"<Override PartName={quoteattr('/' + part)} ContentType={quoteattr(content_type)}/>"
    return content_types.replace(b"</Types>", entry.encode() + b"</Types>", 1)


def remove_override(content_types: bytes, part: str) -> bytes:
    """Drop the content-type override of one part (``part`` without the leading slash)."""
    wanted = ("/" + part).encode()
    return re.sub(
        _ELEMENT % b"Override",
        lambda m: b"" if _attribute(m[0], b"PartName") == wanted else m[0],
        content_types,
    )


def macro_enabled(content_types: bytes) -> bytes:
    """The content types of the ``.xlsm`` twin of an ``.xlsx`` package (main part only)."""
    return content_types.replace(XLSX_MAIN.encode(), XLSM_MAIN.encode())


def full_calc_on_load(workbook: bytes) -> bytes:
    """``xl/workbook.xml`` with ``fullCalcOnLoad="1"``: Excel recalculates every formula on open.

    The attribute goes last into an existing ``<calcPr>`` (other settings kept, whether the
    element is empty or not); a workbook without one gets ``<calcPr fullCalcOnLoad="1"/>`` at
    the place the schema orders it, before the elements that must follow it.
    """
    workbook = re.sub(rb'(<(?:\w+:)?calcPr\b[^>]*?)\s+fullCalcOnLoad="[^"]*"', rb"\1", workbook)
    calc, count = re.subn(
        rb"(<(?:\w+:)?calcPr\b[^>]*?)(\s*/?>)", rb'\1 fullCalcOnLoad="1"\2', workbook, count=1
    )
    if count:
        return calc
    root = re.search(rb"<((?:\w+:)?)workbook\b", workbook)
    prefix = root[1] if root else b""
    element = b'<%scalcPr fullCalcOnLoad="1"/>' % prefix
    after = b"|".join(_AFTER_CALC_PR)
    follower = re.search(rb"<%s(?:%s)\b" % (re.escape(prefix), after), workbook)
    if follower is not None:
        return workbook[: follower.start()] + element + workbook[follower.start() :]
    end = workbook.rindex(b"</%sworkbook>" % prefix)
    return workbook[:end] + element + workbook[end:]


def without_calc_chain(name: str, data: bytes) -> bytes:
    """A part with every reference to ``xl/calcChain.xml`` removed (the chain itself is dropped).

    A calculation chain that no longer matches the formulas makes Excel "repair" the file;
    without one Excel builds it anew.
    """
    if name == "[Content_Types].xml":
        return remove_override(data, CALC_CHAIN)
    if name == "xl/_rels/workbook.xml.rels":
        return remove_relationships(data, "calcChain.xml")
    return data


def copy_raw(zin: zipfile.ZipFile, zout: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Copy one member's compressed bytes unchanged: same data, same CRC, no recompression.

    Why by hand: ``zipfile`` has no public way to copy a member without inflating and
    deflating it again. Recompressing is slow (a 1M-row input sheet is ~100 MB unpacked) and
    may give other bytes with another zlib, so the VBA project, charts and user sheets would not
    stay byte-identical. This writes the local header from a copy of the member's ``ZipInfo``
    and then registers it in ``zout``'s directory the way ``ZipFile.writestr`` does, using
    ``ZipFile`` internals (``fp``, ``filelist``, ``NameToInfo``, ``start_dir``,
    ``_didModify``). These are not public API: tested on CPython 3.11 (``tests/test_opc.py`` copies
    deflated, stored and data-descriptor members and checks their bytes, CRC and that
    ``zipfile`` reads the result; the acceptance suite opens every written workbook with
    LibreOffice); re-check on every new Python version.

    Callers copy only plain members: not encrypted (flag bit 0), below 4 GiB (no ZIP64 header
    is written), from an archive opened for reading into one opened for writing.
    """
    src, dst = zin.fp, zout.fp
    assert src is not None and dst is not None  # both archives are open
    src.seek(info.header_offset)
    local = src.read(30)
    # The local header's own name and extra lengths, which may differ from the central
    # directory's, tell where the data starts.
    name_len = int.from_bytes(local[26:28], "little")
    extra_len = int.from_bytes(local[28:30], "little")
    src.seek(info.header_offset + 30 + name_len + extra_len)
    raw = src.read(info.compress_size)
    copy = zipfile.ZipInfo(info.filename, date_time=info.date_time)
    copy.compress_type, copy.external_attr = info.compress_type, info.external_attr
    # Bit 3 (sizes in a data descriptor after the data) is cleared: the sizes go into the
    # local header, and no descriptor is written.
    copy.create_system, copy.flag_bits = info.create_system, info.flag_bits & ~0x08
    copy.CRC, copy.compress_size, copy.file_size = info.CRC, info.compress_size, info.file_size
    copy.header_offset = dst.tell()
    dst.write(copy.FileHeader(zip64=False))
    dst.write(raw)
    zout.filelist.append(copy)
    zout.NameToInfo[copy.filename] = copy
    zout.start_dir = dst.tell()
    zout._didModify = True  # type: ignore[attr-defined]


def can_copy_raw(info: zipfile.ZipInfo) -> bool:
    """True for a member :func:`copy_raw` may copy (not encrypted, no ZIP64 sizes)."""
    return not info.flag_bits & 0x01 and max(info.file_size, info.compress_size) < 0xFFFFFFFF
