"""``kundenwert doctor``: what is wrong with an installation, and how to fix it."""

from __future__ import annotations

import importlib.metadata
import io
import platform
import re
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

from kundenwert_xl import texts

PINNED_XLWINGS = "0.37.8"


@dataclass(frozen=True)
class Finding:
    """One check: what was checked, whether it is fine, what was found, how to fix it."""

    what: str
    ok: bool
    detail: str
    fix: str = ""


def _version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def workbook_findings(path: Path, installed_xlwings: str | None) -> list[Finding]:
    """Checks of a workbook: its xlwings VBA version and the UDF module its config names."""
    from kundenwert_xl.core.errors import KundenwertError
    from kundenwert_xl.io.package import check_package
    from kundenwert_xl.template.ovba import module_sources
    from kundenwert_xl.template.udf_wrappers import UDF_MODULE

    d = texts.DOCTOR
    try:
        check_package(path)  # before openpyxl parses anything: zip bombs, DTDs, odd names
        with zipfile.ZipFile(path) as zf:
            vba = zf.read("xl/vbaProject.bin") if "xl/vbaProject.bin" in zf.namelist() else None
    except (OSError, zipfile.BadZipFile) as exc:
        return [Finding(d["workbook"], False, str(exc), d["fix_workbook"])]
    except KundenwertError as exc:
        return [Finding(d["workbook"], False, exc.problems[0].message, d["fix_workbook"])]
    if vba is None:
        return [Finding(d["workbook"], False, d["no_vba"], d["fix_workbook"])]
    sources = module_sources(vba)
    found = re.search(r"'Version: (\S+)", sources.get("xlwings", ""))
    version = found.group(1) if found else None
    findings = [
        Finding(
            d["vba_version"],
            version is not None and version == installed_xlwings,
            d["vba_version_detail"].format(vba=version, installed=installed_xlwings),
            d["fix_vba_version"].format(vba=version),
        )
    ]
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(path.read_bytes()), read_only=True)
    try:
        conf = wb["xlwings.conf"] if "xlwings.conf" in wb.sheetnames else None
        values = (
            {str(r[0]).strip().casefold(): r[1] for r in conf.iter_rows(values_only=True)}
            if conf
            else {}
        )
    finally:
        wb.close()
    modules = str(values.get("udf modules") or "")
    findings.append(
        Finding(
            d["udf_modules"],
            modules == UDF_MODULE,
            d["udf_modules_detail"].format(value=modules or "–"),
            d["fix_udf_modules"].format(module=UDF_MODULE),
        )
    )
    return findings


def diagnose(workbook: Path | None = None) -> list[Finding]:
    """Every check for this machine (and a workbook, by default the shipped template)."""
    from kundenwert_xl import __version__

    d = texts.DOCTOR
    findings = [
        Finding(
            d["python"],
            sys.version_info >= (3, 11),
            f"{platform.python_version()} ({sys.executable})",
            d["fix_python"],
        ),
        Finding(d["package"], True, __version__),
    ]
    xlwings_version = _version("xlwings")
    findings.append(
        Finding(
            d["xlwings"],
            xlwings_version == PINNED_XLWINGS,
            xlwings_version or d["missing"],
            d["fix_xlwings"].format(version=PINNED_XLWINGS),
        )
    )
    if sys.platform == "win32":
        findings.append(
            Finding(
                d["pywin32"],
                _version("pywin32") is not None,
                _version("pywin32") or d["missing"],
                d["fix_pywin32"],
            )
        )
        try:
            from kundenwert_xl.excel.status import running_instances

            count = running_instances()
            findings.append(Finding(d["excel"], True, d["excel_running"].format(count=count)))
        except Exception as exc:  # any COM failure is a finding, not a crash
            findings.append(Finding(d["excel"], False, str(exc), d["fix_excel"]))
    else:
        findings.append(
            Finding(d["platform"], True, d["not_windows"].format(system=platform.system()))
        )
    if workbook is not None:
        findings += workbook_findings(Path(workbook), xlwings_version)
    return findings
