"""The acceptance checks, each a function from a file to a list of problems (empty: accepted).

Independent readers only: openxml-audit for the schemas, openpyxl's formula tokenizer and its
list of Excel's built-in function names, olevba for the VBA project, lxml for the parts,
LibreOffice for recalculation. Nothing here imports the code that wrote the file.
"""

from __future__ import annotations

import functools
import posixpath
import re
import subprocess
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
    "c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
}
R_ID = f"{{{NS['r']}}}id"
CONTROL_IDS_FILE = Path(__file__).with_name("excel_control_ids.txt")
SCHEMAS = Path(__file__).with_name("schemas")
# Excel's structured-reference item specifiers in file syntax (ECMA-376 Part 1 §18.17.6.2).
SPECIFIERS = {"#all", "#data", "#headers", "#totals", "#this row"}
# Newer functions are stored with these prefixes; ``_xludf.`` marks a function Excel did not know.
FUNCTION_PREFIXES = ("_xlfn.", "_xlws.")
WORKBOOK_BASE = "0{00020819-0000-0000-C000-000000000046}"
WORKSHEET_BASE = "0{00020820-0000-0000-C000-000000000046}"
ERROR_VALUE = re.compile(
    r"^(#NULL!|#DIV/0!|#VALUE!|#REF!|#NAME\?|#NUM!|#N/A|#SPILL!|#CALC!|#GETTING_DATA|Err:\d+)$"
)

_SHEET = r"(?:'(?:[^']|'')+'|[A-Za-z_][\w.]*)!"
_CELL = r"\$?[A-Z]{1,3}\$?[0-9]+"
_REFERENCE = re.compile(
    rf"(?:{_SHEET})?(?:{_CELL}(?::{_CELL})?|\$?[A-Z]{{1,3}}:\$?[A-Z]{{1,3}}|\$?[0-9]+:\$?[0-9]+"
    r"|[A-Za-z_\\][\w.]*(?:\[.*\])?)"
)


_CHART_REF = re.compile(rf"(?:'((?:[^']|'')+)'|([^'!]+))!({_CELL}(?::{_CELL})?)")


@dataclass(frozen=True)
class Finding:
    """One problem a validator reports: in which part, where, what, how grave."""

    part: str
    path: str
    message: str
    severity: str

    def __str__(self) -> str:
        return f"{self.part} {self.path}: {self.message} ({self.severity})"


def control_ids(path: Path = CONTROL_IDS_FILE) -> set[str]:
    """The ids of a control-id list (one a line, ``#`` comments)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def schema_findings(path: Path) -> list[Finding]:
    """Everything openxml-audit reports: schema (incl. customUI 2006) and its semantic checks."""
    from openxml_audit import FileFormat, OpenXmlValidator

    validator = OpenXmlValidator(file_format=FileFormat.MICROSOFT_365, max_errors=10_000)
    result = validator.validate(str(path))
    return [
        Finding(e.part_uri or "", e.path or "", e.description, e.severity.value)
        for e in result.errors
    ]


@functools.cache
def _opc_schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMAS / name)))


def package_problems(zf: zipfile.ZipFile) -> list[str]:
    """The package layer: ``[Content_Types].xml`` and every ``.rels`` part against the OPC
    schemas (ECMA-376 Part 2), and a content type for every part."""
    problems = []
    types = etree.fromstring(zf.read("[Content_Types].xml"))
    schema = _opc_schema("opc-contentTypes.xsd")
    if not schema.validate(types):
        problems += [f"[Content_Types].xml: {e.message}" for e in schema.error_log]
    rels = _opc_schema("opc-relationships.xsd")
    for name in zf.namelist():
        if name.endswith(".rels") and not rels.validate(etree.fromstring(zf.read(name))):
            problems += [f"{name}: {e.message}" for e in rels.error_log]
    ns = "{http://schemas.openxmlformats.org/package/2006/content-types}"
    defaults = {d.get("Extension", "").lower() for d in types.iter(f"{ns}Default")}
    overrides = {o.get("PartName", "") for o in types.iter(f"{ns}Override")}
    parts = {"/" + n for n in zf.namelist() if not n.endswith("/")} - {"/[Content_Types].xml"}
    problems += [f"{o}: override for a missing part" for o in sorted(overrides - parts)]
    problems += [
        f"{p}: no content type"
        for p in sorted(parts - overrides)
        if p.rsplit(".", 1)[-1].lower() not in defaults
    ]
    return problems


def _rels(zf: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Relationship id -> (type, resolved target part) of a part."""
    rels = posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")
    if rels not in zf.namelist():
        return {}
    out = {}
    for rel in etree.fromstring(zf.read(rels)).iterfind("rel:Relationship", NS):
        target = rel.get("Target", "")
        if rel.get("TargetMode") != "External":
            base = posixpath.dirname(part)
            target = target[1:] if target.startswith("/") else posixpath.join(base, target)
            target = posixpath.normpath(target)
        out[rel.get("Id")] = (rel.get("Type", ""), target)
    return out


def sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> worksheet part, in workbook order."""
    workbook = etree.fromstring(zf.read("xl/workbook.xml"))
    rels = _rels(zf, "xl/workbook.xml")
    return {s.get("name"): rels[s.get(R_ID)][1] for s in workbook.iterfind("m:sheets/m:sheet", NS)}


def formula_problems(zf: zipfile.ZipFile, udf_names: set[str]) -> list[str]:
    """Every worksheet ``<f>`` that is not in file syntax.

    File syntax: ``,`` between arguments, English function names (Excel's built-ins as openpyxl
    lists them, the ``_xlfn.`` forms, or a UDF of the workbook's own VBA project), English
    structured-reference specifiers, and nothing after the formula.
    """
    from openpyxl.utils.formulas import FORMULAE

    known = {*FORMULAE, *(n.upper() for n in udf_names)}
    problems = []
    for sheet, part in sheet_parts(zf).items():
        root = etree.fromstring(zf.read(part))
        for f in root.iterfind(".//m:sheetData/m:row/m:c/m:f", NS):
            text = f.text or ""
            if not text:
                continue  # a shared formula's dependent cell carries no text
            reasons = _formula_reasons(text, known)
            if reasons:
                problems.append(f"{sheet}!{f.getparent().get('r')}: {text}: {'; '.join(reasons)}")
    return problems


def _formula_reasons(text: str, known: set[str]) -> list[str]:
    """Why one formula (file text, without ``=``) is not in file syntax; empty when it is."""
    from openpyxl.formula import Tokenizer
    from openpyxl.formula.tokenizer import Token, TokenizerError

    try:
        tokens = Tokenizer("=" + text).items
    except TokenizerError as exc:
        return [str(exc)]
    reasons = []
    array_depth, previous = 0, None
    for token in tokens:
        if token.type == Token.WSPACE:
            continue
        if token.type == Token.ARRAY:
            array_depth += 1 if token.subtype == Token.OPEN else -1
        elif token.type == Token.SEP and token.value == ";" and not array_depth:
            reasons.append("';' between arguments")
        elif token.type == Token.FUNC and token.subtype == Token.OPEN:
            name = token.value[:-1]
            if not (name.startswith(FUNCTION_PREFIXES) or name in known):
                reasons.append(f"unknown function {name}")
        elif token.type == Token.OPERAND and token.subtype == Token.RANGE:
            if not _REFERENCE.fullmatch(token.value):
                reasons.append(f"not a reference: {token.value!r}")
            for spec in re.findall(r"\[(#[^\]]*)\]", token.value):
                if spec.casefold() not in SPECIFIERS:
                    reasons.append(f"specifier [{spec}] is not English")
        # Two operands with only a space between: prose after the formula (we use no
        # space-intersections).
        ends = previous is not None and (
            previous.type == Token.OPERAND or previous.subtype == Token.CLOSE
        )
        if ends and (token.type == Token.OPERAND or token.subtype == Token.OPEN):
            reasons.append(f"text after the formula: {token.value!r}")
        previous = token
    return list(dict.fromkeys(reasons))


def empty_string_cells(zf: zipfile.ZipFile) -> list[str]:
    """Cells written as a string without text (``<c t="inlineStr"/>``, ``<t></t>``)."""
    problems = []
    for sheet, part in sheet_parts(zf).items():
        root = etree.fromstring(zf.read(part))
        for c in root.iterfind(".//m:sheetData/m:row/m:c", NS):
            if c.get("t") != "inlineStr":
                continue
            texts = c.findall(".//m:t", NS)
            if not texts or not "".join(t.text or "" for t in texts):
                problems.append(f"{sheet}!{c.get('r')}")
    return problems


@dataclass(frozen=True)
class VbaModule:
    """A module of the VBA project as olevba reads it."""

    name: str
    kind: str  # "standard", "class", "workbook", "worksheet"
    public: tuple[str, ...]  # names of its public procedures


_PROCEDURE = re.compile(
    r"^[ \t]*(?:(Public|Private|Friend|Global)[ \t]+)?(?:Static[ \t]+)?"
    r"(?:Declare[ \t]+(?:PtrSafe[ \t]+)?)?(?:Sub|Function|Property[ \t]+(?:Get|Let|Set))[ \t]+"
    r"(\w+)",
    re.M | re.I,
)


@functools.cache
def vba_modules(path: Path) -> tuple[VbaModule, ...]:
    """The modules of a workbook's VBA project, read by olevba (once per file and session)."""
    from oletools.olevba import VBA_Parser

    parser = VBA_Parser(str(path))
    try:
        modules = []
        for _, _, _, code in parser.extract_macros():
            name = re.search(r'^Attribute VB_Name = "([^"]+)"', code, re.M).group(1)
            base = re.search(r'^Attribute VB_Base = "([^"]+)"', code, re.M)
            if base and base.group(1) == WORKBOOK_BASE:
                kind = "workbook"
            elif base and base.group(1) == WORKSHEET_BASE:
                kind = "worksheet"
            elif re.search(r"^Attribute VB_Creatable", code, re.M):
                kind = "class"
            else:
                kind = "standard"
            public = tuple(
                m.group(2)
                for m in _PROCEDURE.finditer(code)
                if (m.group(1) or "Public").casefold() != "private"
            )
            modules.append(VbaModule(name, kind, public))
        return tuple(modules)
    finally:
        parser.close()


def vba_name_clashes(modules: Sequence[VbaModule]) -> list[str]:
    """Public procedures named like a module (VBA names ignore case)."""
    names = {m.name.casefold(): m.name for m in modules}
    return [
        f"{m.name}.{proc} has the name of module {names[proc.casefold()]}"
        for m in modules
        for proc in m.public
        if proc.casefold() in names
    ]


def code_names(zf: zipfile.ZipFile) -> tuple[str | None, dict[str, str | None]]:
    """The workbook's codeName and each sheet's codeName."""
    workbook = etree.fromstring(zf.read("xl/workbook.xml")).find("m:workbookPr", NS)
    sheets = {}
    for sheet, part in sheet_parts(zf).items():
        pr = etree.fromstring(zf.read(part)).find("m:sheetPr", NS)
        sheets[sheet] = None if pr is None else pr.get("codeName")
    return (None if workbook is None else workbook.get("codeName")), sheets


def image_mso_problems(zf: zipfile.ZipFile, ids: set[str]) -> list[str]:
    """``imageMso`` values of the ribbon parts that are not Excel control ids."""
    problems = []
    for name in zf.namelist():
        if name.startswith("customUI/") and name.endswith(".xml"):
            for element in etree.fromstring(zf.read(name)).iter():
                image = element.get("imageMso")
                if image is not None and image not in ids:
                    problems.append(f"{name}: {element.get('id')} imageMso={image}")
    return problems


def _cell_text(zf: zipfile.ZipFile, root, ref: str) -> str | None:
    c = root.find(f".//m:sheetData/m:row/m:c[@r='{ref}']", NS)
    if c is None:
        return None
    if c.get("t") == "inlineStr":
        return "".join(t.text or "" for t in c.iterfind(".//m:t", NS))
    v = c.find("m:v", NS)
    if v is None:
        return None
    if c.get("t") == "s":
        shared = etree.fromstring(zf.read("xl/sharedStrings.xml")).findall("m:si", NS)
        return "".join(t.text or "" for t in shared[int(v.text)].iterfind(".//m:t", NS))
    return v.text


def _split(ref: str) -> tuple[int, int, int, int]:
    from openpyxl.utils.cell import range_boundaries

    return range_boundaries(ref.replace("$", ""))


def table_problems(zf: zipfile.ZipFile) -> list[str]:
    """Tables whose column names differ from their header cells, or repeat."""
    from openpyxl.utils import get_column_letter

    problems = []
    for part in sheet_parts(zf).values():
        root = etree.fromstring(zf.read(part))
        for rel_type, target in _rels(zf, part).values():
            if not rel_type.endswith("/table"):
                continue
            table = etree.fromstring(zf.read(target))
            name = table.get("displayName")
            c1, r1, c2, _ = _split(table.get("ref"))
            columns = [c.get("name") for c in table.iterfind("m:tableColumns/m:tableColumn", NS)]
            cells = [f"{get_column_letter(c)}{r1}" for c in range(c1, c2 + 1)]
            headers = [_cell_text(zf, root, ref) for ref in cells]
            if columns != headers:
                problems.append(f"{name}: columns {columns} but header cells {headers}")
            folded = [c.casefold() for c in columns if c]
            if len(folded) != len(set(folded)) or len(folded) != len(columns):
                problems.append(f"{name}: column names not unique or empty: {columns}")
    return problems


def chart_problems(zf: zipfile.ZipFile) -> list[str]:
    """Chart series whose references name a missing sheet or an impossible range."""
    sheets = sheet_parts(zf)
    problems = []
    charts = [
        target
        for part in sheets.values()
        for rel_type, drawing in _rels(zf, part).values()
        if rel_type.endswith("/drawing")
        for kind, target in _rels(zf, drawing).values()
        if kind.endswith("/chart")
    ]
    orphans = {n for n in zf.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n)}
    orphans -= set(charts)
    problems += [f"{name}: not drawn on any sheet" for name in sorted(orphans)]
    for chart in charts:
        root = etree.fromstring(zf.read(chart))
        series = root.findall(".//c:ser", NS)
        if not series:
            problems.append(f"{chart}: no series")
        for ser in series:
            values = ser.find("c:val", NS)
            if values is None:
                values = ser.find("c:yVal", NS)
            if values is None or values.find(".//c:f", NS) is None:
                problems.append(f"{chart}: a series without a value range")
            for f in ser.iterfind(".//c:f", NS):
                match = _CHART_REF.fullmatch(f.text or "")
                if match is None:
                    problems.append(f"{chart}: not a sheet range: {f.text}")
                    continue
                sheet = (match.group(1) or "").replace("''", "'") or match.group(2)
                if sheet not in sheets:
                    problems.append(f"{chart}: {f.text} names a missing sheet")
                    continue
                c1, r1, c2, r2 = _split(match.group(3))
                if not (1 <= c1 <= c2 <= 16384 and 1 <= r1 <= r2 <= 1048576):
                    problems.append(f"{chart}: {f.text} is not a range")
    return problems


LO_PROFILE = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
    'xmlns:xs="http://www.w3.org/2001/XMLSchema" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
    '<item oor:path="/org.openoffice.Office.Calc/Formula/Load">'
    '<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>\n'
    '<item oor:path="/org.openoffice.Office.Calc/Formula/Load">'
    '<prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>\n'
    "</oor:items>\n"
)


def libreoffice_recalculate(soffice: str, files: list[Path], work: Path) -> dict[Path, Path]:
    """Recalculate every formula of ``files`` in LibreOffice (EXCEL_NOTES §5) in one run.

    Returns each file's recalculated ``.xlsx`` copy.
    """
    profile = work / "profile" / "user"
    profile.mkdir(parents=True)
    (profile / "registrymodifications.xcu").write_text(LO_PROFILE, encoding="utf-8")
    out = work / "out"
    result = subprocess.run(
        [
            soffice,
            "--headless",
            "--norestore",
            f"-env:UserInstallation=file://{work}/profile",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            *map(str, files),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    converted = {f: out / (f.stem + ".xlsx") for f in files}
    missing = [str(f) for f, c in converted.items() if not c.exists()]
    if missing:
        raise RuntimeError(f"LibreOffice did not convert {missing}: {result.stderr}")
    return converted


def error_cells(path: Path) -> list[str]:
    """Every cell of every sheet that holds an error value (Excel's or LibreOffice's)."""
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        found = []
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    value = cell.value
                    if cell.data_type == "e" or (
                        isinstance(value, str) and ERROR_VALUE.match(value)
                    ):
                        found.append(f"{ws.title}!{cell.coordinate}: {value}")
        return found
    finally:
        wb.close()
