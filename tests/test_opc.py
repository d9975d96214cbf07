"""The shared OOXML package edits (opc.py), on hand-written parts and real zip files."""

import io
import zipfile
import zlib

import pytest

from kundenwert_xl import opc

W = b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


@pytest.mark.parametrize(
    ("before", "after"),
    [
        # openpyxl's own element: the attribute moves to the end (the committed template's form)
        (
            W + b'<sheets/><calcPr fullCalcOnLoad="1" calcId="124519"/></workbook>',
            W + b'<sheets/><calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>',
        ),
        (
            W + b'<sheets/><calcPr calcId="191029" fullCalcOnLoad="0"/></workbook>',
            W + b'<sheets/><calcPr calcId="191029" fullCalcOnLoad="1"/></workbook>',
        ),
        # an element with content (the old build.py regex missed this form)
        (
            W + b'<sheets/><calcPr calcId="1"></calcPr></workbook>',
            W + b'<sheets/><calcPr calcId="1" fullCalcOnLoad="1"></calcPr></workbook>',
        ),
        # none yet: before the elements the schema puts after calcPr, not at the very end
        (
            W + b"<sheets/><definedNames/><pivotCaches/><extLst/></workbook>",
            W + b'<sheets/><definedNames/><calcPr fullCalcOnLoad="1"/><pivotCaches/><extLst/>'
            b"</workbook>",
        ),
        (W + b"<sheets/></workbook>", W + b'<sheets/><calcPr fullCalcOnLoad="1"/></workbook>'),
        (
            b'<x:workbook xmlns:x="s"><x:sheets/></x:workbook>',
            b'<x:workbook xmlns:x="s"><x:sheets/><x:calcPr fullCalcOnLoad="1"/></x:workbook>',
        ),
    ],
)
def test_full_calc_on_load_by_hand(before, after):
    assert opc.full_calc_on_load(before) == after
    assert opc.full_calc_on_load(after) == after  # idempotent


def test_relationships_and_overrides():
    rels = b'<Relationships xmlns="r"><Relationship Id="rId1" Type="t" Target="sheet1.xml"/>'
    rels += b'<Relationship Id="rId9" Type="c" Target="calcChain.xml"/></Relationships>'
    assert opc.remove_relationships(rels, "calcChain.xml") == (
        b'<Relationships xmlns="r"><Relationship Id="rId1" Type="t" Target="sheet1.xml"/>'
        b"</Relationships>"
    )
    added = opc.add_relationship(b"<Relationships></Relationships>", "rIdUI", "u&v", "a.xml")
    assert added == (
        b'<Relationships><Relationship Id="rIdUI" Type="u&amp;v" Target="a.xml"/></Relationships>'
    )
    types = b'<Types><Override PartName="/xl/calcChain.xml" ContentType="c"/>'
    types += b'<Override PartName="/xl/workbook.xml" ContentType="' + opc.XLSX_MAIN.encode()
    types += b'"/></Types>'
    types = opc.add_override(opc.macro_enabled(types), "xl/vbaProject.bin", "v")
    assert opc.without_calc_chain("[Content_Types].xml", types) == (
        b'<Types><Override PartName="/xl/workbook.xml" ContentType="'
        + opc.XLSM_MAIN.encode()
        + b'"/><Override PartName="/xl/vbaProject.bin" ContentType="v"/></Types>'
    )


class _Unseekable(io.BytesIO):
    def seekable(self) -> bool:
        return False

    def seek(self, *args) -> int:
        raise OSError("not seekable")


def _member_bytes(data: bytes, name: str) -> bytes:
    """The compressed bytes of one member, read from the local header by hand."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.getinfo(name)
    local = data[info.header_offset : info.header_offset + 30]
    start = info.header_offset + 30 + int.from_bytes(local[26:28], "little")
    start += int.from_bytes(local[28:30], "little")
    return data[start : start + info.compress_size]


def test_copy_raw_keeps_the_compressed_bytes_and_the_archive_valid():
    """Guards the zipfile internals copy_raw relies on (tested on CPython 3.11)."""
    payload = b"<x>" + b"Kundenwert " * 5000 + b"</x>"
    stream = _Unseekable()
    # Written to a stream that cannot seek, zipfile puts sizes in data descriptors (flag bit
    # 3), as streaming writers do.
    with zipfile.ZipFile(stream, "w") as zf:
        # level 1: another zlib level than zipfile's default, so recompressing would differ
        zf.writestr("a.xml", payload, zipfile.ZIP_DEFLATED, compresslevel=1)
        zf.writestr("b.bin", b"\x00\x01" * 100, zipfile.ZIP_STORED)
        zf.writestr("c.xml", payload, zipfile.ZIP_DEFLATED)
    source = io.BytesIO(stream.getvalue())
    target = io.BytesIO()
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w") as zout:
        assert zin.getinfo("c.xml").flag_bits & 0x08
        for info in zin.infolist():
            assert opc.can_copy_raw(info)
            opc.copy_raw(zin, zout, info)
        zout.writestr("d.txt", b"after the copies")
    data = target.getvalue()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.testzip() is None
        assert zf.namelist() == ["a.xml", "b.bin", "c.xml", "d.txt"]
        assert zf.read("a.xml") == zf.read("c.xml") == payload
        assert zf.read("d.txt") == b"after the copies"
        assert zf.getinfo("a.xml").CRC == zlib.crc32(payload)
    for name in ("a.xml", "b.bin", "c.xml"):
        assert _member_bytes(data, name) == _member_bytes(source.getvalue(), name)
    assert _member_bytes(data, "a.xml") != zlib.compress(payload)[2:-4]  # really not recompressed
