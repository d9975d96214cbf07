"""Write a source-only VBA project (``vbaProject.bin``) from module texts (MS-OVBA).

The project holds no compiled p-code: ``_VBA_PROJECT`` is the 7-byte stream with version
0xFFFF and every module stream is compressed source at offset 0, as MS-OVBA §2.3.4.1 asks of a
writer ("MUST be 0xFFFF on write", no performance cache) and as xlwings' own CI-built
``quickstart_standalone.xlsm`` and EPPlus do. The host compiles the source when it opens the
file.

Our own compressor is used because the PyPI ``ms_ovba_compression`` 1.0.1 corrupts long
matches (EXCEL_NOTES.md §3.2); the container is written with ``ms_cfb`` and the CMG/DPB/GC
values with ``ms_ovba_crypto``.
"""

from __future__ import annotations

import contextlib
import random
import struct
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

ModuleKind = Literal["standard", "document", "class"]

#: Fixed project id so the same sources give the same bytes.
PROJECT_ID = "{4B57C0DE-5A11-4E2D-9C6B-4B554E44454E}"
REFERENCES = (
    (
        "stdole",
        r"*\G{00020430-0000-0000-C000-000000000046}#2.0#0#C:\Windows\System32\stdole2.tlb"
        r"#OLE Automation",
    ),
    (
        "Office",
        r"*\G{2DF8D04C-5BFA-101B-BDE5-00AA0044DE52}#2.0#0#C:\Program Files\Common Files"
        r"\Microsoft Shared\OFFICE16\MSO.DLL#Microsoft Office 16.0 Object Library",
    ),
)
WORKBOOK_BASE = "0{00020819-0000-0000-C000-000000000046}"
WORKSHEET_BASE = "0{00020820-0000-0000-C000-000000000046}"
CLASS_BASE = "0{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"


@dataclass(frozen=True)
class Module:
    """One VBA module: its name, kind and full source text (attribute lines included)."""

    name: str
    kind: ModuleKind
    source: str

    def stream_bytes(self) -> bytes:
        """The module text as the stream stores it: CRLF line ends, cp1252."""
        text = self.source.replace("\r\n", "\n").replace("\n", "\r\n")
        return text.encode("cp1252")


# --- MS-OVBA §2.4.1 compression --------------------------------------------------------------


def compress(data: bytes) -> bytes:
    """Compress with the MS-OVBA algorithm (greedy longest match within the chunk window)."""
    out = bytearray(b"\x01")
    for start in range(0, len(data), 4096):
        chunk = data[start : start + 4096]
        body = _compress_chunk(chunk)
        if len(body) <= 4096:
            out += (0xB000 | (len(body) - 1)).to_bytes(2, "little") + body
        else:  # incompressible: a raw chunk is always 4096 bytes
            out += (0x3000 | 4095).to_bytes(2, "little") + chunk.ljust(4096, b"\0")
    return bytes(out)


def _compress_chunk(chunk: bytes) -> bytearray:
    body = bytearray()
    positions: dict[bytes, list[int]] = {}
    pos = 0
    n = len(chunk)
    while pos < n:
        flag_at = len(body)
        body.append(0)
        flags = 0
        for bit in range(8):
            if pos >= n:
                break
            bits = max((pos - 1).bit_length(), 4)
            max_len = (0xFFFF >> bits) + 3
            best_len = best_off = 0
            key = chunk[pos : pos + 3]
            if len(key) == 3:
                for cand in reversed(positions.get(key, ())):
                    offset = pos - cand
                    if offset > (1 << bits):
                        break
                    length = 3
                    while (
                        pos + length < n
                        and length < max_len
                        and chunk[cand + length] == chunk[pos + length]
                    ):
                        length += 1
                    if length > best_len:
                        best_len, best_off = length, offset
                        if length == max_len:
                            break
            step = best_len if best_len >= 3 else 1
            if best_len >= 3:
                token = ((best_off - 1) << (16 - bits)) | (best_len - 3)
                body += token.to_bytes(2, "little")
                flags |= 1 << bit
            else:
                body.append(chunk[pos])
            for p in range(pos, pos + step):
                if p + 3 <= n:
                    positions.setdefault(chunk[p : p + 3], []).append(p)
            pos += step
        body[flag_at] = flags
    return body


def decompress(data: bytes) -> bytes:
    """Decompress an MS-OVBA compressed container (used to read modules back)."""
    out = bytearray()
    pos = 1  # signature byte 0x01
    while pos < len(data):
        header = int.from_bytes(data[pos : pos + 2], "little")
        size, compressed = (header & 0x0FFF) + 3, header & 0x8000
        chunk, pos = data[pos + 2 : pos + size], pos + size
        start = len(out)
        if not compressed:
            out += chunk[:4096]
            continue
        i = 0
        while i < len(chunk):
            flags, i = chunk[i], i + 1
            for bit in range(8):
                if i >= len(chunk):
                    break
                if not flags & (1 << bit):
                    out.append(chunk[i])
                    i += 1
                    continue
                token, i = int.from_bytes(chunk[i : i + 2], "little"), i + 2
                bits = max((len(out) - start - 1).bit_length(), 4)
                length = (token & (0xFFFF >> bits)) + 3
                offset = (token >> (16 - bits)) + 1
                for _ in range(length):
                    out.append(out[-offset])
    return bytes(out)


def module_sources(vba_project: bytes) -> dict[str, str]:
    """Module name -> source text of a ``vbaProject.bin`` (reads the dir stream's offsets)."""
    import io

    import olefile

    ole = olefile.OleFileIO(io.BytesIO(vba_project))
    directory = decompress(ole.openstream("VBA/dir").read())
    sources: dict[str, str] = {}
    pos, name, offset = 0, None, 0
    while pos + 6 <= len(directory):
        rid, size = struct.unpack_from("<HI", directory, pos)
        if rid == 0x09:  # PROJECTVERSION: its size field is a constant 4; 6 more bytes follow
            size = 6
        data = directory[pos + 6 : pos + 6 + size]
        pos += 6 + size
        if rid == 0x1A:
            name = data.decode("cp1252")
        elif rid == 0x31:
            offset = struct.unpack("<I", data)[0]
        elif rid == 0x2B and name is not None:
            raw = ole.openstream(f"VBA/{name}").read()
            sources[name] = decompress(raw[offset:]).decode("cp1252")
            name = None
    return sources


# --- streams ------------------------------------------------------------------------------------


def _rec(rid: int, data: bytes = b"") -> bytes:
    return struct.pack("<HI", rid, len(data)) + data


def dir_stream(modules: list[Module]) -> bytes:
    """The uncompressed ``dir`` stream: project information, references, modules (§2.3.4.2)."""
    d = _rec(0x01, struct.pack("<I", 3))  # SYSKIND: 64-bit Windows
    d += _rec(0x02, struct.pack("<I", 0x409)) + _rec(0x14, struct.pack("<I", 0x409))
    d += _rec(0x03, struct.pack("<H", 1252)) + _rec(0x04, b"VBAProject")
    d += _rec(0x05) + _rec(0x40) + _rec(0x06) + _rec(0x3D)
    d += _rec(0x07, b"\0" * 4) + _rec(0x08, b"\0" * 4)
    d += struct.pack("<HIIH", 0x09, 4, 1, 0)  # PROJECTVERSION: reserved size 4, major, minor
    d += _rec(0x0C) + _rec(0x3C)
    for name, libid in REFERENCES:
        lib = libid.encode("cp1252")
        d += _rec(0x16, name.encode("cp1252")) + _rec(0x3E, name.encode("utf-16-le"))
        d += _rec(0x0D, struct.pack("<I", len(lib)) + lib + struct.pack("<IH", 0, 0))
    d += _rec(0x0F, struct.pack("<H", len(modules))) + _rec(0x13, struct.pack("<H", 0xFFFF))
    for module in modules:
        name, uname = module.name.encode("cp1252"), module.name.encode("utf-16-le")
        d += _rec(0x19, name) + _rec(0x47, uname) + _rec(0x1A, name) + _rec(0x32, uname)
        d += _rec(0x1C) + _rec(0x48) + _rec(0x31, b"\0" * 4) + _rec(0x1E, b"\0" * 4)
        d += _rec(0x2C, struct.pack("<H", 0xFFFF))
        d += _rec(0x21 if module.kind == "standard" else 0x22) + _rec(0x2B)
    return d + _rec(0x10)


def _encrypt(data: bytes) -> str:
    """CMG/DPB/GC data encryption (§2.4.3) with a fixed seed, so builds are reproducible."""
    from ms_ovba_crypto import MsOvbaCrypto

    state = random.getstate()
    random.seed(0x4B57)
    try:
        return MsOvbaCrypto.encrypt(PROJECT_ID, data).hex().upper()
    finally:
        random.setstate(state)


def project_stream(modules: list[Module]) -> bytes:
    """The ``PROJECT`` stream (§2.3.1): module list, name, protection state, host, workspace."""
    cmg = _encrypt(bytes(4))  # no protection
    dpb = _encrypt(bytes(1))  # no password
    gc = _encrypt(bytes([0xFF]))  # visible
    lines = [f'ID="{PROJECT_ID}"']
    for m in modules:
        if m.kind == "document":
            lines.append(f"Document={m.name}/&H00000000")
        elif m.kind == "class":
            lines.append(f"Class={m.name}")
        else:
            lines.append(f"Module={m.name}")
    lines += [
        'Name="VBAProject"',
        'HelpContextID="0"',
        'VersionCompatible32="393222000"',
        f'CMG="{cmg}"',
        f'DPB="{dpb}"',
        f'GC="{gc}"',
        "",
        "[Host Extender Info]",
        "&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000",
        "",
        "[Workspace]",
    ]
    lines += [f"{m.name}=0, 0, 0, 0, C" for m in modules]
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def projectwm_stream(modules: list[Module]) -> bytes:
    """The ``PROJECTwm`` stream (§2.3.3): each module name in MBCS and in UTF-16."""
    out = b""
    for m in modules:
        out += m.name.encode("cp1252") + b"\0" + m.name.encode("utf-16-le") + b"\0\0"
    return out + b"\0\0"


def vba_project_stream() -> bytes:
    """The 7-byte ``_VBA_PROJECT`` stream: reserved 0x61CC, version 0xFFFF, no cache."""
    return struct.pack("<HHBH", 0x61CC, 0xFFFF, 0, 1)


def build(modules: list[Module]) -> bytes:
    """Return the bytes of a ``vbaProject.bin`` holding ``modules`` (in this order)."""
    from ms_cfb.Models.Directories.root_directory import RootDirectory
    from ms_cfb.Models.Directories.storage_directory import StorageDirectory
    from ms_cfb.Models.Directories.stream_directory import StreamDirectory
    from ms_cfb.ole_file import OleFile

    streams = {
        "PROJECT": project_stream(modules),
        "PROJECTwm": projectwm_stream(modules),
        "VBA/_VBA_PROJECT": vba_project_stream(),
        "VBA/dir": compress(dir_stream(modules)),
        **{f"VBA/{m.name}": compress(m.stream_bytes()) for m in modules},
    }
    # ms_cfb reads each stream from a file and writes a helper file into the working directory,
    # so the whole build runs inside a temporary directory.
    with tempfile.TemporaryDirectory() as tmp, contextlib.chdir(tmp):
        root, vba = RootDirectory(), StorageDirectory("VBA")
        for i, (name, data) in enumerate(streams.items()):
            path = Path(tmp, f"s{i}.bin")
            path.write_bytes(data)
            entry = StreamDirectory(name.split("/")[-1], str(path))
            (vba if name.startswith("VBA/") else root).add_directory(entry)
        root.add_directory(vba)
        ole = OleFile()
        ole.root_directory = root
        ole.create_file(str(Path(tmp, "vbaProject.bin")))
        return Path(tmp, "vbaProject.bin").read_bytes()


# --- module texts ------------------------------------------------------------------------------


def document_module(name: str, workbook: bool = False, body: str = "") -> Module:
    """A document module (ThisWorkbook or a sheet) with Excel's attribute header, then ``body``."""
    base = WORKBOOK_BASE if workbook else WORKSHEET_BASE
    lines = [
        f'Attribute VB_Name = "{name}"',
        f'Attribute VB_Base = "{base}"',
        "Attribute VB_GlobalNameSpace = False",
        "Attribute VB_Creatable = False",
        "Attribute VB_PredeclaredId = True",
        "Attribute VB_Exposed = True",
        "Attribute VB_TemplateDerived = False",
        "Attribute VB_Customizable = True",
    ]
    code = "\r\n".join(lines) + "\r\n"
    if body:
        code += "\r\n".join(body.splitlines()) + "\r\n"
    return Module(name, "document", code)


def class_module(exported: str) -> Module:
    """A class module from an exported ``.cls``.

    The VERSION/BEGIN…END header is not stored, and the attribute header is completed the way
    Excel stores it (EXCEL_NOTES.md §3.3).
    """
    lines = exported.replace("\r\n", "\n").split("\n")
    if lines and lines[0].startswith("VERSION"):
        end = lines.index("END")
        lines = lines[end + 1 :]
    attributes = [line for line in lines if line.startswith("Attribute VB_")]
    body = lines[len(attributes) :]
    found = {a.split("=")[0].split()[1]: a for a in attributes}
    name = found["VB_Name"].split('"')[1]
    header = [
        found["VB_Name"],
        f'Attribute VB_Base = "{CLASS_BASE}"',
        "Attribute VB_GlobalNameSpace = False",
        "Attribute VB_Creatable = False",
        "Attribute VB_PredeclaredId = False",
        found.get("VB_Exposed", "Attribute VB_Exposed = False"),
        "Attribute VB_TemplateDerived = False",
        "Attribute VB_Customizable = False",
    ]
    if "VB_Description" in found:
        header.append(found["VB_Description"])
    return Module(name, "class", "\r\n".join(header + body))
