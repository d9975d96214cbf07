"""The colleague's PC, tested on Linux against a faked Windows: xlwings' configuration layers,
``kundenwert setup`` and each finding of ``kundenwert doctor`` with its German fix text.

The faked PC is a set of existing files, an environment and a recorded program run; the rules
under test (which layer wins, where the DLL must lie) are read from xlwings 0.37.8's
``xlwings.bas`` and restated here by hand, not computed by the code under test.
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pytest

from kundenwert_xl import texts
from kundenwert_xl.core.errors import KundenwertError
from kundenwert_xl.doctor import Finding, diagnose, read_workbook, workbook_findings
from kundenwert_xl.pc import setup
from kundenwert_xl.pc.machine import Machine, RunResult
from kundenwert_xl.pc.xlconfig import config_layers, parse_config

USER = r"C:\Users\Jörg Müller"
VENV = r"C:\Projekte\kw\.venv"
DLL64 = "xlwings64-0.37.8.dll"
OK_RUN = RunResult(0, "0.37.8 0.1.0\n", "")


@dataclass
class FakePC:
    """A Windows PC as a set of files (path -> bytes) and an environment."""

    files: dict[str, bytes] = field(default_factory=dict)
    environ: dict[str, str] = field(default_factory=dict)
    executable: str = VENV + r"\Scripts\python.exe"
    run_result: RunResult = OK_RUN
    runs: list[list[str]] = field(default_factory=list)

    def machine(self) -> Machine:
        def run(args: list[str], timeout: float) -> RunResult:
            self.runs.append(args)
            return self.run_result

        return Machine(
            system="windows",
            environ={"USERPROFILE": USER, "APPDATA": USER + r"\AppData\Roaming", **self.environ},
            executable=self.executable,
            ansi_encoding="cp1252",
            is_file=lambda p: p in self.files,
            read_bytes=lambda p: self.files.get(p),
            write_bytes=lambda p, data: self.files.__setitem__(p, data),
            run=run,
        )


USER_CONF = USER + r"\.xlwings\xlwings.conf"


def _venv_pc(**kw) -> FakePC:
    pc = FakePC(**kw)
    for name in ("python.exe", "pythonw.exe"):
        pc.files[VENV + "\\Scripts\\" + name] = b""
    pc.files[VENV + "\\" + DLL64] = b""  # a venv: the DLL lies one folder above Scripts
    return pc


def _by_what(findings: list[Finding]) -> dict[str, Finding]:
    return {f.what: f for f in findings}


# --- the configuration file format and layers ------------------------------------------------


def test_parse_config_reads_what_vba_write_writes_and_the_first_key_wins():
    text = (
        '"INTERPRETER_WIN","C:\\Python311\\pythonw.exe"\r\n'
        '"Show Console","True"\r\n"interpreter_win","x"\r\n'
    )
    assert parse_config(text) == {
        "INTERPRETER_WIN": "C:\\Python311\\pythonw.exe",
        "SHOW CONSOLE": "True",
    }


def test_an_empty_key_in_the_workbook_sheet_hides_the_user_setting():
    # xlwings.bas GetConfig: the sheet wins as soon as it *has* the key, empty or not.
    pc = _venv_pc()
    pc.files[USER_CONF] = b'"INTERPRETER_WIN","C:\\Python311\\pythonw.exe"\r\n'
    layers = config_layers(pc.machine(), {"Interpreter_Win": ""}, r"C:\Daten")
    assert layers.get("INTERPRETER_WIN").layer == "sheet"
    assert layers.get("INTERPRETER_WIN").value == ""
    without = config_layers(pc.machine(), {"UDF Modules": "kundenwert_xl.excel.udfs"}, r"C:\Daten")
    assert without.get("INTERPRETER_WIN").layer == "user"
    assert without.get("INTERPRETER_WIN").value == "C:\\Python311\\pythonw.exe"


def test_the_workbook_folder_file_comes_before_the_user_file():
    pc = _venv_pc()
    pc.files[USER_CONF] = b'"INTERPRETER_WIN","C:\\A\\pythonw.exe"\r\n'
    pc.files[r"C:\Daten\xlwings.conf"] = b'"INTERPRETER_WIN","C:\\B\\pythonw.exe"\r\n'
    setting = config_layers(pc.machine(), {}, r"C:\Daten").get("INTERPRETER_WIN")
    assert (setting.layer, setting.value) == ("directory", "C:\\B\\pythonw.exe")


# --- kundenwert setup ----------------------------------------------------------------------------


def test_setup_writes_pythonw_of_this_venv_keeps_other_keys_and_is_idempotent():
    pc = _venv_pc()
    pc.files[USER_CONF] = b'"Show Console","True"\r\n"CONDA PATH","C:\\old"\r\n'
    first = setup.plan(pc.machine())
    assert first.changed and first.wanted == {"INTERPRETER_WIN": VENV + r"\Scripts\pythonw.exe"}
    setup.apply(pc.machine(), first)
    assert pc.files[USER_CONF] == (
        b'"Show Console","True"\r\n'
        b'"INTERPRETER_WIN","C:\\Projekte\\kw\\.venv\\Scripts\\pythonw.exe"\r\n'
    )
    assert first.removed == ("CONDA PATH",)
    second = setup.plan(pc.machine())
    assert not second.changed
    written = dict(pc.files)
    setup.apply(pc.machine(), second)
    assert pc.files == written


def test_setup_dry_run_plans_without_writing():
    pc = _venv_pc()
    planned = setup.plan(pc.machine())
    assert planned.changed and USER_CONF not in pc.files


def test_setup_inside_conda_writes_conda_path_and_env_and_drops_the_interpreter():
    pc = _venv_pc(
        environ={"CONDA_DEFAULT_ENV": "kw", "CONDA_EXE": r"C:\Miniconda3\Scripts\conda.exe"},
        executable=r"C:\Miniconda3\envs\kw\python.exe",
    )
    pc.files[USER_CONF] = b'"INTERPRETER_WIN","C:\\Python311\\pythonw.exe"\r\n'
    planned = setup.plan(pc.machine())
    assert planned.after == {"CONDA PATH": r"C:\Miniconda3", "CONDA ENV": "kw"}
    assert planned.removed == ("INTERPRETER_WIN",)


def test_setup_writes_a_user_path_with_umlauts_in_the_ansi_code_page():
    pc = _venv_pc(executable=USER + r"\AppData\Local\Programs\Python\Python311\python.exe")
    planned = setup.plan(pc.machine())
    setup.apply(pc.machine(), planned)
    assert "Jörg Müller".encode("cp1252") in pc.files[USER_CONF]
    assert "Jörg Müller".encode() not in pc.files[USER_CONF]


def test_setup_refuses_a_path_the_code_page_cannot_spell():
    pc = _venv_pc(executable=r"C:\Users\Łukasz\venv\Scripts\python.exe")
    with pytest.raises(KundenwertError) as caught:
        setup.plan(pc.machine())
    assert "Zeichensatz cp1252" in caught.value.problems[0].message


def test_setup_refuses_the_store_python():
    store = (
        USER
        + r"\AppData\Local\Microsoft\WindowsApps\PythonSoftwareFoundation.Python.3.11_qbz5n2kfra8p0\python.exe"  # noqa: E501
    )
    pc = _venv_pc(executable=store)
    with pytest.raises(KundenwertError) as caught:
        setup.plan(pc.machine())
    assert "Microsoft Store" in caught.value.problems[0].message


# --- kundenwert doctor: one case per finding -----------------------------------------------------

TEMPLATE_SHEET = {"UDF MODULES": "kundenwert_xl.excel.udfs", "ADD_WORKBOOK_TO_PYTHONPATH": "False"}


@functools.cache
def _template() -> bytes:
    from kundenwert_xl.template.build import build

    return build()


def _doctor(pc: FakePC, tmp_path: Path, sheet: dict[str, str] | None = None) -> dict[str, Finding]:
    """Run doctor for a workbook whose xlwings.conf sheet holds ``sheet``."""
    wb = openpyxl.load_workbook(io.BytesIO(_template()), keep_vba=True)
    conf = wb["xlwings.conf"]
    conf.delete_rows(1, conf.max_row)
    for key, value in (sheet if sheet is not None else TEMPLATE_SHEET).items():
        conf.append([key, value])
    path = tmp_path / "Mappe.xlsm"
    wb.save(path)
    findings = diagnose(path, machine=pc.machine(), excel_probe=lambda: _NoExcel())
    return {f.what.split(" – ")[-1]: f for f in findings}


class _NoExcel:
    instances = 0


def test_doctor_says_nothing_is_set_up_when_pythonw_is_nowhere(tmp_path):
    pc = FakePC(environ={"PATH": r"C:\Windows\system32"})
    found = _doctor(pc, tmp_path)[texts.DOCTOR["interpreter"]]
    assert not found.ok
    assert "'pythonw' wurde nicht gefunden" in found.detail and "über PATH" in found.detail
    assert "kundenwert setup" in found.fix


def test_doctor_flags_the_store_alias_on_path(tmp_path):
    apps = USER + r"\AppData\Local\Microsoft\WindowsApps"
    pc = FakePC(environ={"PATH": apps + r";C:\Windows"})
    pc.files[apps + r"\pythonw.exe"] = b""
    found = _doctor(pc, tmp_path)[texts.DOCTOR["interpreter"]]
    assert not found.ok and "Microsoft Store" in found.detail
    assert "App-Ausführungsaliase" in found.fix


def test_doctor_reports_the_user_layer_the_dll_and_a_successful_probe(tmp_path):
    pc = _venv_pc()
    pc.files[USER_CONF] = ('"INTERPRETER_WIN","' + VENV + r'\Scripts\pythonw.exe"' + "\r\n").encode(
        "cp1252"
    )
    found = _doctor(pc, tmp_path)
    interp = found[texts.DOCTOR["interpreter"]]
    assert interp.ok and "PC-Einstellung" in interp.detail and USER_CONF in interp.detail
    assert found[texts.DOCTOR["dll"]].ok and DLL64 in found[texts.DOCTOR["dll"]].detail
    assert found[texts.DOCTOR["probe"]].ok
    # It ran *that* interpreter, not the one doctor runs in.
    assert pc.runs[0][0] == VENV + r"\Scripts\pythonw.exe"


def test_doctor_finds_the_empty_sheet_keys_that_hide_the_pc_setting(tmp_path):
    pc = _venv_pc()
    pc.files[USER_CONF] = (
        '"INTERPRETER_WIN","' + VENV + r'\Scripts\pythonw.exe"' + "\r\n"
    ).encode()
    found = _doctor(pc, tmp_path, {**TEMPLATE_SHEET, "Interpreter_Win": "", "Conda Env": ""})
    shadow = found[texts.DOCTOR["pc_keys"]]
    assert not shadow.ok and "INTERPRETER_WIN=''" in shadow.detail and "verdeckt" in shadow.fix
    # ... and the interpreter falls back to pythonw on PATH, which this PC does not have.
    assert not found[texts.DOCTOR["interpreter"]].ok
    assert "über PATH" in found[texts.DOCTOR["interpreter"]].detail


def test_doctor_finds_the_dll_missing_next_to_the_interpreter(tmp_path):
    pc = FakePC()
    python = r"C:\Python311\pythonw.exe"
    pc.files[python] = b""
    pc.files[USER_CONF] = ('"INTERPRETER_WIN","' + python + '"\r\n').encode()
    found = _doctor(pc, tmp_path)[texts.DOCTOR["dll"]]
    assert not found.ok and r"C:\Python311" in found.detail
    assert "--force-reinstall xlwings==0.37.8" in found.fix


def test_doctor_explains_a_pip_user_install(tmp_path):
    pc = FakePC()
    python = r"C:\Python311\pythonw.exe"
    pc.files[python] = b""
    pc.files[USER + r"\AppData\Roaming\Python" + "\\" + DLL64] = b""
    pc.files[USER_CONF] = ('"INTERPRETER_WIN","' + python + '"\r\n').encode()
    found = _doctor(pc, tmp_path)[texts.DOCTOR["dll"]]
    assert not found.ok and "pip install --user" in found.detail
    assert r"nach C:\Python311 kopieren" in found.fix


def test_doctor_finds_the_dll_on_path_for_a_bare_pythonw(tmp_path):
    pc = FakePC(environ={"PATH": r"C:\Windows;C:\Python311"})
    pc.files[r"C:\Python311\pythonw.exe"] = b""
    pc.files[r"C:\Python311" + "\\" + DLL64] = b""
    found = _doctor(pc, tmp_path)
    assert (
        found[texts.DOCTOR["interpreter"]].ok
        and "über PATH" in found[texts.DOCTOR["interpreter"]].detail
    )
    assert found[texts.DOCTOR["dll"]].ok


def test_doctor_resolves_a_conda_environment_like_xlwings(tmp_path):
    pc = FakePC()
    pc.files[r"C:\Miniconda3\envs\kw\pythonw.exe"] = b""
    pc.files[r"C:\Miniconda3\envs\kw" + "\\" + DLL64] = b""
    pc.files[USER_CONF] = b'"CONDA PATH","C:\\Miniconda3"\r\n"CONDA ENV","kw"\r\n'
    found = _doctor(pc, tmp_path)
    assert found[texts.DOCTOR["interpreter"]].ok
    assert r"C:\Miniconda3\envs\kw\pythonw.exe" in found[texts.DOCTOR["interpreter"]].detail
    pc.files.pop(r"C:\Miniconda3\envs\kw\pythonw.exe")
    missing = _doctor(pc, tmp_path)[texts.DOCTOR["interpreter"]]
    assert not missing.ok and "conda activate" in missing.fix


def test_doctor_reports_a_probe_that_cannot_import_the_package(tmp_path):
    pc = _venv_pc(
        run_result=RunResult(1, "", "ModuleNotFoundError: No module named 'kundenwert_xl'")
    )
    pc.files[USER_CONF] = (
        '"INTERPRETER_WIN","' + VENV + r'\Scripts\pythonw.exe"' + "\r\n"
    ).encode()
    found = _doctor(pc, tmp_path)[texts.DOCTOR["probe"]]
    assert not found.ok and "No module named 'kundenwert_xl'" in found.detail
    assert "pip install kundenwert_xl" in found.fix


def test_doctor_reports_a_probe_that_hangs(tmp_path):
    pc = _venv_pc(run_result=RunResult(None))
    pc.files[USER_CONF] = (
        '"INTERPRETER_WIN","' + VENV + r'\Scripts\pythonw.exe"' + "\r\n"
    ).encode()
    found = _doctor(pc, tmp_path)[texts.DOCTOR["probe"]]
    assert not found.ok and "keine Antwort nach 60 Sekunden" in found.detail


def test_doctor_reports_another_xlwings_in_that_interpreter(tmp_path):
    pc = _venv_pc(run_result=RunResult(0, "0.33.1 0.1.0\n", ""))
    pc.files[USER_CONF] = (
        '"INTERPRETER_WIN","' + VENV + r'\Scripts\pythonw.exe"' + "\r\n"
    ).encode()
    found = _doctor(pc, tmp_path)[texts.DOCTOR["probe"]]
    assert not found.ok and "xlwings 0.33.1" in found.detail and "xlwings==0.37.8" in found.fix


class _Excel2019:
    instances, version, build, dynamic_arrays = 1, "16.0", "10396", False


def test_doctor_warns_on_an_excel_without_dynamic_arrays(tmp_path):
    pc = _venv_pc()
    path = tmp_path / "t.xlsm"
    path.write_bytes(_template())
    findings = _by_what(diagnose(path, machine=pc.machine(), excel_probe=_Excel2019))
    found = findings[texts.DOCTOR["dynamic_arrays"]]
    assert not found.ok and "Excel 2019" in found.detail and "Microsoft 365" in found.fix


def test_doctor_on_a_mac_says_what_works_there(tmp_path):
    mac = Machine(system="mac", environ={"HOME": "/Users/jm"}, executable="/usr/local/bin/python3")
    findings = _by_what(diagnose(None, machine=mac))
    assert "nur unter Windows" in findings[texts.DOCTOR["platform"]].detail


def test_doctor_checks_the_shipped_template_when_no_workbook_is_given():
    mac = Machine(system="other", environ={}, executable="/usr/bin/python3")
    whats = [f.what for f in diagnose(None, machine=mac)]
    assert any(texts.DOCTOR["template_label"] in w for w in whats)


def test_the_committed_template_holds_only_per_workbook_keys():
    root = Path(__file__).resolve().parents[2]
    book = read_workbook((root / "workbook_template.xlsm").read_bytes(), "t", None)
    # Exactly these two, and no PC key that would hide the user's configuration.
    assert book.sheet == TEMPLATE_SHEET
    assert all(f.ok for f in workbook_findings(book))


# --- the commands, as a user runs them on this (Linux) machine --------------------------------


def _run(*args):
    import subprocess
    import sys

    return subprocess.run(
        [sys.executable, "-m", "kundenwert_xl.cli", *args], capture_output=True, text=True
    )


def test_doctor_command_checks_the_shipped_template_and_says_all_is_well():
    res = _run("doctor")
    assert res.returncode == 0, res.stdout + res.stderr
    assert texts.DOCTOR["template_label"] in res.stdout and "Alles in Ordnung." in res.stdout


def test_doctor_command_flags_a_workbook_whose_sheet_hides_the_pc_setting(tmp_path):
    wb = openpyxl.load_workbook(io.BytesIO(_template()), keep_vba=True)
    wb["xlwings.conf"].append(["Interpreter_Win", None])  # what the old template shipped
    path = tmp_path / "Alt.xlsm"
    wb.save(path)
    res = _run("doctor", str(path))
    assert res.returncode == 1
    assert "INTERPRETER_WIN=''" in res.stdout and "verdeckt die Einstellung jedes PCs" in res.stdout


def test_setup_command_on_a_machine_without_excel_writes_nothing():
    res = _run("setup", "--dry-run")
    assert res.returncode == 0 and "kein Excel" in res.stdout


@pytest.mark.parametrize(
    ("failing", "error", "expected"),
    [
        # Reading the user's xlwings.conf fails before any plan exists: the path comes from
        # the error itself (it once named an unbound plan: "Unerwarteter Fehler").
        ("read", PermissionError(13, "Permission denied", USER_CONF), "kann nicht gelesen"),
        ("write", OSError(28, "No space left on device", USER_CONF), "kann nicht geschrieben"),
    ],
)
def test_setup_says_a_file_error_in_german(monkeypatch, capsys, failing, error, expected):
    from kundenwert_xl import cli
    from kundenwert_xl.pc import machine as machine_module

    def fail(*args):
        raise error

    pc = _venv_pc()
    pc.files[USER_CONF] = b'"Show Console","True"\r\n'  # there, but not readable
    fake = pc.machine()
    fake = (
        fake.__class__(**{**fake.__dict__, "read_bytes": fail})
        if failing == "read"
        else fake.__class__(**{**fake.__dict__, "write_bytes": fail})
    )
    monkeypatch.setattr(machine_module, "this_machine", lambda: fake)
    assert cli.run(["setup"]) != 0
    err = " ".join(capsys.readouterr().err.split())
    assert f"Datei '{USER_CONF}' {expected} werden" in err
    detail = (
        texts.IO_DETAILS["no_permission"] if failing == "read" else texts.WRITE_DETAILS["no_space"]
    )
    assert " ".join(detail.split()) in err
    assert "Permission denied" not in err and "No space" not in err
