"""LibreOffice compiles and runs our own VBA modules (a real spreadsheet engine with VBA support).

LibreOffice cannot compile xlwings' own xlwings.bas and Dictionary.cls (EXCEL_NOTES.md §3.5), so
the probe runs in a test build of the template's VBA project without those two: our ribbon
module, the generated xlwings_udfs wrappers and every document module, plus a probe. If any
module of the library fails to compile, nothing in the library runs; a deliberately broken
module shows that the gate works.
"""

import io
import json
import subprocess
import zipfile
from pathlib import Path

import pytest

from kundenwert_xl.template import ovba
from kundenwert_xl.template.build import vba_modules
from tests.conftest import soffice_path

PROBE = ovba.Module(
    "Probe",
    "standard",
    'Attribute VB_Name = "Probe"\nOption Explicit\n\n'
    "Public Sub Probe(target As Object)\n"
    '    target.getCellByPosition(0, 0).setString("probe ok")\n'
    "End Sub\n",
)
BROKEN = ovba.Module(
    "Broken", "standard", 'Attribute VB_Name = "Broken"\nSub X()\n    If True Then\nEnd Sub\n'
)
PYTHON3 = "/usr/bin/python3"


def _with_project(template: bytes, modules: list[ovba.Module]) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(template))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            data = ovba.build(modules) if info.filename == "xl/vbaProject.bin" else src.read(info)
            zf.writestr(info, data)
    return out.getvalue()


def _probe(path: Path, tmp_path: Path) -> dict:
    if (
        not Path(PYTHON3).exists()
        or subprocess.run([PYTHON3, "-c", "import uno"], capture_output=True).returncode
    ):
        pytest.fail("Debian's python3-uno is needed for this test (apt-get install python3-uno)")
    res = subprocess.run(
        [
            PYTHON3,
            str(Path(__file__).with_name("lo_probe.py")),
            soffice_path(),
            str(tmp_path / "profile"),
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout.strip().splitlines()[-1])


def _ours() -> list[ovba.Module]:
    return [m for m in vba_modules() if m.name not in ("xlwings", "Dictionary")]


@pytest.mark.libreoffice
def test_libreoffice_compiles_and_runs_our_modules(template_bytes, tmp_path):
    path = tmp_path / "probe.xlsm"
    path.write_bytes(_with_project(template_bytes, [*_ours(), PROBE]))
    result = _probe(path, tmp_path)
    assert set(result["modules"]) == {m.name for m in _ours()} | {"Probe"}
    assert result["error"] is None and result["probe"] == "probe ok"


@pytest.mark.libreoffice
def test_the_compile_gate_catches_a_broken_module(template_bytes, tmp_path):
    path = tmp_path / "broken.xlsm"
    path.write_bytes(_with_project(template_bytes, [*_ours(), PROBE, BROKEN]))
    result = _probe(path, tmp_path)
    assert result["probe"] != "probe ok"


def _guard_probe(tmp_path: Path) -> tuple[ovba.Module, ovba.Module]:
    """A stand-in for xlwings.bas (which LibreOffice cannot compile) whose GetConfig answers from
    one variable, and a probe that asks the ribbon module's guard about four PCs."""
    ok, no_dll = tmp_path / "ok", tmp_path / "nodll"
    for folder in (ok, no_dll):
        folder.mkdir()
        (folder / "pythonw.exe").write_bytes(b"")
    # LibreOffice defines no Win64, so the guard looks for the 32-bit name; both lie here.
    for dll in ("xlwings64-0.37.8.dll", "xlwings32-0.37.8.dll"):
        (ok / dll).write_bytes(b"")
    stub = ovba.Module(
        "xlwings",
        "standard",
        'Attribute VB_Name = "xlwings"\nOption Explicit\nPublic StubInterpreter As String\n\n'
        'Public Function GetConfig(configKey As String, Optional default As String = "", '
        'Optional source As String = "") As Variant\n'
        '    If configKey = "INTERPRETER_WIN" Then GetConfig = StubInterpreter Else GetConfig = default\n'  # noqa: E501
        "End Function\n",
    )
    cases = [str(ok / "pythonw.exe"), str(no_dll / "pythonw.exe"), str(tmp_path / "none.exe")]
    lines = [
        f'    StubInterpreter = "{path}"\n    target.getCellByPosition({i}, 0).setString(CStr(PythonBereit(False)))\n'  # noqa: E501
        for i, path in enumerate(cases)
    ]
    probe = ovba.Module(
        "Probe",
        "standard",
        'Attribute VB_Name = "Probe"\nOption Explicit\n\nPublic Sub Probe(target As Object)\n'
        + "".join(lines)
        + "End Sub\n",
    )
    return stub, probe


@pytest.mark.libreoffice
def test_libreoffice_runs_the_setup_guard_of_the_ribbon(template_bytes, tmp_path):
    stub, probe = _guard_probe(tmp_path)
    path = tmp_path / "guard.xlsm"
    path.write_bytes(_with_project(template_bytes, [*_ours(), stub, probe]))
    result = _probe(path, tmp_path)
    assert result["error"] is None
    # Interpreter and DLL there; DLL missing; interpreter missing.
    assert result["cells"][:3] == ["True", "False", "False"]
