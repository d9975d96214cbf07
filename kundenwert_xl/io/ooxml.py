"""Read the structure of an .xlsx/.xlsm package: sheets, their parts, Excel Tables.

Only reads; the writer in :mod:`kundenwert_xl.io.patch` uses the same map to replace the cell
data of known parts and leave every other part byte-identical. The edits writers make to a
package (relationships, content types, calculation settings, raw copies) are
:mod:`kundenwert_xl.opc`.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass
from xml.etree import ElementTree as ET

NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


@dataclass(frozen=True)
class TableInfo:
    """An Excel Table (ListObject): its name, sheet, part and cell range."""

    name: str
    sheet: str
    part: str
    ref: str

    @property
    def first_row(self) -> int:
        """Row number of the header row."""
        return split_ref(self.ref)[1]

    @property
    def first_column(self) -> int:
        """1-based column number of the first column."""
        return split_ref(self.ref)[0]


def column_number(letters: str) -> int:
    """``"A"`` -> 1, ``"AA"`` -> 27."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def column_letters(n: int) -> str:
    """1 -> ``"A"``, 27 -> ``"AA"``."""
    out = ""
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def split_ref(ref: str) -> tuple[int, int, int, int]:
    """``"B3:D10"`` -> (first col, first row, last col, last row), 1-based."""
    cells = ref.replace("$", "").split(":")
    found = [re.fullmatch(r"([A-Za-z]+)(\d+)", c) for c in cells]
    parts = [p for p in found if p is not None]
    if len(parts) != len(found):
        raise ValueError(f"not a cell range: {ref}")
    (c1, r1), (c2, r2) = [(column_number(p[1]), int(p[2])) for p in parts * (2 // len(parts))]
    return c1, r1, c2, r2


def _resolve(base_part: str, target: str) -> str:
    if target.startswith("/"):
        return target[1:]
    return posixpath.normpath(posixpath.join(posixpath.dirname(base_part), target))


def _rels(zf: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    rels_part = posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")
    if rels_part not in zf.namelist():
        return {}
    root = ET.fromstring(zf.read(rels_part))
    return {
        r.get("Id", ""): (r.get("Type", ""), _resolve(part, r.get("Target", "")))
        for r in root.findall("rel:Relationship", NS)
    }


def sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> part name (``xl/worksheets/sheet2.xml``), in workbook order."""
    root = ET.fromstring(zf.read("xl/workbook.xml"))
    rels = _rels(zf, "xl/workbook.xml")
    return {
        s.get("name", ""): rels[s.get(_REL_ID, "")][1]
        for s in root.findall("m:sheets/m:sheet", NS)
        if s.get(_REL_ID) in rels
    }


def tables(zf: zipfile.ZipFile) -> dict[str, TableInfo]:
    """Table name (case-folded) -> :class:`TableInfo` for every Excel Table in the package."""
    found: dict[str, TableInfo] = {}
    for sheet, part in sheet_parts(zf).items():
        for rel_type, target in _rels(zf, part).values():
            if not rel_type.endswith("/table"):
                continue
            root = ET.fromstring(zf.read(target))
            name = root.get("displayName") or root.get("name") or ""
            found[name.casefold()] = TableInfo(name, sheet, target, root.get("ref", ""))
    return found
