"""``kundenwert doctor``: what is wrong with this PC (and a workbook), and how to fix it.

It reports the interpreter *Excel* will start — resolved as xlwings' VBA resolves it (workbook
sheet, workbook folder, user configuration, ``PATH``) — not the one doctor runs in, checks that
the xlwings DLL lies where VBA loads it, and runs that interpreter to import what the workbook
needs. Every look-up of the PC goes through :class:`~kundenwert_xl.pc.machine.Machine`, so each
finding is tested on Linux with a faked Windows.
"""

from __future__ import annotations

import importlib.metadata
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import openpyxl

from kundenwert_xl import texts
from kundenwert_xl.core.errors import KundenwertError
from kundenwert_xl.io.package import check_package
from kundenwert_xl.io.readers import read_error_detail
from kundenwert_xl.pc.interpreter import PINNED_XLWINGS, Interpreter, probe_command, resolve
from kundenwert_xl.pc.machine import Machine, this_machine
from kundenwert_xl.pc.xlconfig import ConfigLayers, config_layers, pure_path
from kundenwert_xl.template.build import XLWINGS_CONF, XLWINGS_CONF_SHEET

#: Seconds an interpreter may take to import xlwings and the functions module.
PROBE_TIMEOUT = 60.0
#: Keys a workbook's xlwings.conf sheet must hold, with their value: those of the template.
WORKBOOK_KEYS = {key.upper(): value for key, value in XLWINGS_CONF}
#: Keys that belong to the PC; a workbook that sets them (even empty) hides the PC's setting.
PC_KEYS = (
    "INTERPRETER_WIN",
    "INTERPRETER_MAC",
    "INTERPRETER",
    "PYTHONPATH",
    "CONDA PATH",
    "CONDA ENV",
)


@dataclass(frozen=True)
class Finding:
    """One check: what was checked, whether it is fine, what was found, how to fix it."""

    what: str
    ok: bool
    detail: str
    fix: str = ""


@dataclass(frozen=True)
class WorkbookConfig:
    """What doctor needs of a workbook: its VBA xlwings version and its xlwings.conf sheet."""

    label: str
    folder: str | None
    vba_version: str | None
    sheet: dict[str, str]
    has_vba: bool


def _version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def read_workbook(data: bytes, label: str, folder: str | None) -> WorkbookConfig:
    """The xlwings VBA version and the ``xlwings.conf`` sheet of a workbook's bytes."""
    from kundenwert_xl.template.ovba import module_sources

    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = zf.namelist()
        vba = zf.read("xl/vbaProject.bin") if "xl/vbaProject.bin" in names else None
    version = None
    if vba is not None:
        found = re.search(r"'Version: (\S+)", module_sources(vba).get("xlwings", ""))
        version = found.group(1) if found else None
    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    try:
        sheet: dict[str, str] = {}
        if XLWINGS_CONF_SHEET in wb.sheetnames:
            for row in wb[XLWINGS_CONF_SHEET].iter_rows(min_col=1, max_col=2, values_only=True):
                if row[0] in (None, ""):
                    break  # GetConfigFromSheet reads column A down to the first gap
                value = row[1] if len(row) > 1 else None
                sheet[str(row[0]).upper()] = "" if value is None else str(value)
    finally:
        wb.close()
    return WorkbookConfig(label, folder, version, sheet, vba is not None)


def shipped_template() -> WorkbookConfig:
    """The template this installation builds (the committed file is these bytes; a test says so)."""
    from kundenwert_xl.template.build import build

    return read_workbook(build(), texts.DOCTOR["template_label"], None)


def workbook_findings(book: WorkbookConfig) -> list[Finding]:
    """The workbook's own checks: VBA version, UDF module, its xlwings.conf keys."""
    d = texts.DOCTOR
    what = d["workbook"].format(label=book.label)
    if not book.has_vba:
        return [Finding(what, False, d["no_vba"], d["fix_workbook"])]
    findings = [
        Finding(
            what + " – " + d["vba_version"],
            book.vba_version == PINNED_XLWINGS,
            d["vba_version_detail"].format(vba=book.vba_version, pinned=PINNED_XLWINGS),
            d["fix_vba_version"].format(vba=book.vba_version),
        )
    ]
    for key, wanted in WORKBOOK_KEYS.items():
        value = book.sheet.get(key)
        findings.append(
            Finding(
                what + " – " + key,
                value is not None and value.casefold() == wanted.casefold(),
                d["conf_value"].format(value=value if value is not None else d["conf_missing"]),
                d["fix_conf_value"].format(key=key, value=wanted),
            )
        )
    shadowing = [k for k in PC_KEYS if k in book.sheet]
    findings.append(
        Finding(
            what + " – " + d["pc_keys"],
            not shadowing,
            ", ".join(f"{k}='{book.sheet[k]}'" for k in shadowing) or d["pc_keys_none"],
            d["fix_pc_keys"],
        )
    )
    return findings


def _layer_text(interp: Interpreter) -> str:
    d = texts.DOCTOR
    layer = interp.setting.layer
    if layer == "default":
        return d["layer_default"].format(name=interp.command)
    text = {"sheet": "layer_sheet", "directory": "layer_directory", "user": "layer_user"}[layer]
    return d[text].format(key=interp.setting.key, source=interp.setting.source)


def interpreter_findings(layers: ConfigLayers, machine: Machine) -> list[Finding]:
    """The interpreter Excel starts for functions (and buttons), its DLL, and a trial import."""
    d = texts.DOCTOR
    functions = resolve(layers, machine, "functions")
    buttons = resolve(layers, machine, "buttons")
    where = _layer_text(functions)
    findings: list[Finding] = []
    if functions.path is None:
        fix = d["fix_conda_missing"] if functions.conda else d["fix_interpreter_missing"]
        return [
            Finding(
                d["interpreter"],
                False,
                d["interpreter_missing"].format(command=functions.command, where=where),
                fix,
            )
        ]
    if functions.store_alias:
        return [
            Finding(
                d["interpreter"],
                False,
                d["store_alias"].format(path=functions.path),
                d["fix_store_alias"],
            )
        ]
    findings.append(Finding(d["interpreter"], True, f"{functions.path} ({where})"))
    if buttons.path != functions.path:
        findings.append(
            Finding(
                d["interpreter_buttons"],
                buttons.path is not None and not buttons.store_alias,
                f"{buttons.path or buttons.command} ({_layer_text(buttons)})",
                d["fix_interpreter_missing"],
            )
        )
    folder = pure_path(machine, functions.path).parent
    if functions.dlls:
        findings.append(Finding(d["dll"], True, ", ".join(functions.dlls)))
    elif functions.user_site_dlls:
        findings.append(
            Finding(
                d["dll"],
                False,
                d["dll_user_site"].format(found=functions.user_site_dlls[0]),
                d["fix_dll_user_site"].format(folder=folder),
            )
        )
    else:
        findings.append(
            Finding(
                d["dll"],
                False,
                d["dll_missing"].format(folder=folder, parent=folder.parent),
                d["fix_dll_missing"].format(version=PINNED_XLWINGS),
            )
        )
    result = machine.run([functions.path, *probe_command()], PROBE_TIMEOUT)
    if result.returncode is None:
        detail = (
            d["probe_timeout"].format(seconds=int(PROBE_TIMEOUT))
            if not result.stderr
            else (result.stderr.strip())
        )
        findings.append(Finding(d["probe"], False, detail, d["fix_probe"]))
    elif result.returncode != 0:
        last = (result.stderr.strip().splitlines() or [""])[-1]
        findings.append(Finding(d["probe"], False, last, d["fix_probe"]))
    else:
        versions = result.stdout.split()
        xlwings_version = versions[0] if versions else "?"
        findings.append(
            Finding(
                d["probe"],
                xlwings_version == PINNED_XLWINGS,
                d["probe_ok"].format(
                    xlwings=xlwings_version, package=versions[1] if len(versions) > 1 else "?"
                ),
                d["fix_xlwings"].format(version=PINNED_XLWINGS),
            )
        )
    return findings


def excel_findings(probe: Callable[[], object]) -> list[Finding]:
    """A running Excel and whether it has dynamic arrays (the functions spill)."""
    d = texts.DOCTOR
    try:
        info = probe()
    except Exception as exc:  # any COM failure is a finding, not a crash
        return [Finding(d["excel"], False, str(exc), d["fix_excel"])]
    instances = getattr(info, "instances", 0)
    if not instances:
        return [Finding(d["excel"], True, d["excel_not_running"])]
    findings = [
        Finding(
            d["excel"],
            True,
            texts.fill(
                d["excel_running"],
                count=instances,
                version=getattr(info, "version", ""),
                build=getattr(info, "build", ""),
            ),
        )
    ]
    findings.append(
        Finding(
            d["dynamic_arrays"],
            bool(getattr(info, "dynamic_arrays", False)),
            d["dynamic_arrays_yes"]
            if getattr(info, "dynamic_arrays", False)
            else d["dynamic_arrays_no"],
            d["fix_dynamic_arrays"],
        )
    )
    return findings


def diagnose(
    workbook: Path | None = None,
    machine: Machine | None = None,
    excel_probe: Callable[[], object] | None = None,
) -> list[Finding]:
    """Every check for this PC and a workbook (by default the template this package ships)."""
    from kundenwert_xl import __version__

    d = texts.DOCTOR
    machine = machine or this_machine()
    xlwings_version = _version("xlwings")
    findings = [
        Finding(d["package"], True, f"{__version__} ({machine.executable})"),
        Finding(
            d["xlwings"],
            xlwings_version == PINNED_XLWINGS,
            xlwings_version or d["missing"],
            d["fix_xlwings"].format(version=PINNED_XLWINGS),
        ),
    ]
    if workbook is not None:
        what = d["workbook"].format(label=workbook)
        # A fresh template cannot help with a data file: analyze reads those.
        data_file = Path(workbook).suffix.lower() in (".csv", ".txt", ".parquet")
        fix = d["fix_data_file"] if data_file else d["fix_workbook"]
        try:
            check_package(Path(workbook))  # before anything parses it: zip bombs, DTDs, odd names
            data = Path(workbook).read_bytes()
            book = read_workbook(data, str(workbook), str(Path(workbook).resolve().parent))
        except KundenwertError as exc:
            return [*findings, Finding(what, False, exc.problems[0].message, fix)]
        except (OSError, zipfile.BadZipFile, KeyError, ValueError) as exc:
            # A fresh template cannot help with a path that leads nowhere.
            missing = isinstance(exc, FileNotFoundError)
            named = data_file and not missing
            reason = texts.DOCTOR["data_file"] if named else read_error_detail(exc)
            detail = texts.DOCTOR["unreadable"].format(detail=reason)
            return [*findings, Finding(what, False, detail, "" if missing else fix)]
    else:
        book = shipped_template()
    findings += workbook_findings(book)
    if machine.windows:
        findings.append(
            Finding(
                d["pywin32"],
                _version("pywin32") is not None,
                _version("pywin32") or d["missing"],
                d["fix_pywin32"],
            )
        )
        findings += interpreter_findings(config_layers(machine, book.sheet, book.folder), machine)
        if excel_probe is None:
            from kundenwert_xl.excel.status import excel_info

            excel_probe = excel_info
        findings += excel_findings(excel_probe)
    elif machine.system == "mac":
        findings.append(Finding(d["platform"], True, d["mac"]))
    else:
        findings.append(Finding(d["platform"], True, d["not_windows"]))
    return findings
