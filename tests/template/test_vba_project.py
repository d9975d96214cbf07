"""The VBA project we write, read back by independent tools (olevba, olefile) and compared with
the one xlwings ships in its CI-built quickstart_standalone.xlsm."""

import io
import random
import re
import struct
import zipfile
from pathlib import Path

import olefile
import pytest
import xlwings
from oletools.olevba import VBA_Parser, decompress_stream

from kundenwert_xl.template import ovba
from kundenwert_xl.template.build import vba_modules

XLWINGS_DIR = Path(xlwings.__file__).parent


def _records(stream: bytes) -> list[int]:
    pos, ids = 0, []
    while pos + 6 <= len(stream):
        rid, size = struct.unpack_from("<HI", stream, pos)
        if rid == 0x09:  # PROJECTVERSION's size field is fixed at 4; 6 bytes follow
            size = 6
        ids.append(rid)
        pos += 6 + size
    return ids


def _last_chunk_is_raw(packed: bytes) -> bool:
    pos, raw = 1, False
    while pos < len(packed):
        header = int.from_bytes(packed[pos : pos + 2], "little")
        raw = not header & 0x8000
        pos += (header & 0x0FFF) + 3
    return raw


def _ole(vba: bytes) -> olefile.OleFileIO:
    return olefile.OleFileIO(io.BytesIO(vba), raise_defects=olefile.DEFECT_INCORRECT)


@pytest.fixture(scope="module")
def ours(template_zip):
    return template_zip.read("xl/vbaProject.bin")


@pytest.fixture(scope="module")
def theirs():
    return zipfile.ZipFile(XLWINGS_DIR / "quickstart_standalone.xlsm").read("xl/vbaProject.bin")


def test_olevba_reads_every_module_back_byte_identical(template_file):
    expected = {m.name: m.stream_bytes().decode("cp1252") for m in vba_modules()}
    found = {}
    for _, stream, _, code in VBA_Parser(str(template_file)).extract_macros():
        found[stream.split("/")[-1]] = code
    assert set(found) == set(expected)
    for name, code in expected.items():
        assert found[name] == code, name


@pytest.mark.parametrize("seed", range(6))
def test_compressor_round_trips_through_olevba(seed):
    rng = random.Random(seed)
    for _ in range(40):
        n = rng.choice([0, 1, 3, 4095, 4096, 4097, rng.randint(0, 20000)])
        alphabet = bytes(rng.sample(range(256), rng.randint(1, 256)))
        data = bytes(rng.choice(alphabet) for _ in range(n))
        packed = ovba.compress(data)
        out = bytes(decompress_stream(bytearray(packed)))
        assert ovba.decompress(packed) == out
        if out != data:
            # MS-OVBA §2.4.1.3.7: an incompressible final chunk is stored raw, and a raw chunk
            # is always 4096 bytes: the decompressed stream then ends in NUL padding.
            assert out[: len(data)] == data and set(out[len(data) :]) == {0}
            assert len(out) % 4096 == 0 and _last_chunk_is_raw(packed)


def test_compressor_long_runs_and_real_sources():
    # A long run exercises the largest copy tokens (the bug of ms_ovba_compression 1.0.1).
    for data in (b"a" * 20000, (XLWINGS_DIR / "xlwings.bas").read_bytes(), bytes(range(256)) * 40):
        assert bytes(decompress_stream(bytearray(ovba.compress(data)))) == data
    source = (XLWINGS_DIR / "xlwings.bas").read_bytes()
    assert len(ovba.compress(source)) < len(source) / 2


def test_container_is_valid_for_olefile(ours):
    ole = _ole(ours)
    names = {"/".join(p) for p in ole.listdir()}
    assert {"PROJECT", "PROJECTwm", "VBA/_VBA_PROJECT", "VBA/dir"} <= names
    assert {f"VBA/{m.name}" for m in vba_modules()} <= names


def test_structure_matches_xlwings_standalone_record_by_record(ours, theirs):
    a, b = _ole(ours), _ole(theirs)
    ours_dir = decompress_stream(bytearray(a.openstream("VBA/dir").read()))
    theirs_dir = decompress_stream(bytearray(b.openstream("VBA/dir").read()))
    ra, rb = _records(ours_dir), _records(theirs_dir)
    # Identical: the PROJECTINFORMATION sequence up to the references.
    info_end = ra.index(0x16)
    assert ra[:info_end] == rb[: rb.index(0x16)]

    # Identical: every MODULE record has the same shape; document/class modules are 0x22.
    def modules(ids):
        start = ids.index(0x13) + 1
        body, out, current = ids[start:-1], [], []
        for rid in body:
            current.append(rid)
            if rid == 0x2B:
                out.append(tuple(current))
                current = []
        return out

    shapes_ours = {tuple(x if x not in (0x21, 0x22) else "type" for x in m) for m in modules(ra)}
    shapes_theirs = {tuple(x if x not in (0x21, 0x22) else "type" for x in m) for m in modules(rb)}
    assert shapes_ours == shapes_theirs
    assert ra[-1] == rb[-1] == 0x10
    # Identical: the 7-byte source-only _VBA_PROJECT stream.
    assert a.openstream("VBA/_VBA_PROJECT").read() == b.openstream("VBA/_VBA_PROJECT").read()
    assert a.openstream("VBA/_VBA_PROJECT").read() == bytes.fromhex("cc61ffff000100")

    # Identical: the key order of the PROJECT stream.
    def keys(text):
        return [
            line.split("=")[0]
            for line in text.splitlines()
            if "=" in line and not line.startswith("&H")
        ]

    ka = keys(a.openstream("PROJECT").read().decode("cp1252"))
    kb = keys(b.openstream("PROJECT").read().decode("cp1252"))
    head_a = [k for k in ka if k not in ("Document", "Module", "Class")][:7]
    head_b = [k for k in kb if k not in ("Document", "Module", "Class")][:7]
    assert (
        head_a
        == head_b
        == ["ID", "Name", "HelpContextID", "VersionCompatible32", "CMG", "DPB", "GC"]
    )
    # Identical: sector size and CFB major version.
    assert a.sectorsize == b.sectorsize == 512
    assert a.dll_version if hasattr(a, "dll_version") else True
    # Listed and justified differences (see README, release checklist):
    # references: ours stdole + Office (REFERENCEREGISTERED), theirs MSForms (REFERENCECONTROL,
    # records 0x33/0x2F/0x30) + Office; the Office library is what IRibbonControl needs.
    assert ra[info_end:].count(0x0D) == 2 and 0x2F not in ra
    assert 0x2F in rb
    # module offsets: all ours are 0 (source only); theirs keep p-code in document modules.
    assert set(re.findall(rb"\x31\x00\x04\x00\x00\x00(....)", ours_dir, re.S)) == {b"\0\0\0\0"}


def test_our_modules_compile_shape(template_zip):
    sources = ovba.module_sources(template_zip.read("xl/vbaProject.bin"))
    assert sources["xlwings"].splitlines()[2] == "'Version: 0.37.8"
    assert (
        "MIT" in sources["Dictionary"]
        and "Copyright (C) 2014-present, Zoomer Analytics" in sources["xlwings"]
    )
    assert sources["Dictionary"].startswith(
        'Attribute VB_Name = "Dictionary"\r\nAttribute VB_Base ='
    )


def test_olevba_finds_the_setup_guard_in_every_ribbon_callback_and_on_open(template_file):
    code = {
        stream.split("/")[-1]: text
        for _, stream, _, text in VBA_Parser(str(template_file)).extract_macros()
    }
    ribbon = code["KundenwertRibbon"]
    for callback in ("NeuBerechnen", "EingabenPruefen", "BeispieldatenLaden", "Hilfe"):
        body = re.search(rf"Public Sub {callback}\(.*?End Sub", ribbon, re.S).group(0)
        assert "If Not PythonBereit(True) Then Exit Sub" in body, callback
        # The guard comes before Python is asked for anything.
        assert body.index("PythonBereit") < body.index("RunPython"), callback
    assert re.search(
        r"Private Sub Workbook_Open\(\)\s+PythonBereit True\s+End Sub", code["ThisWorkbook"]
    )
    # The builder filled in the German message and the pinned DLL version.
    assert "auf diesem PC nicht eingerichtet" in ribbon and '"xlwings64-0.37.8.dll"' in ribbon
    assert "@" not in re.sub(r"'.*", "", ribbon)
