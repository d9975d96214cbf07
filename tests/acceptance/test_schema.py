"""Every XML part of every file we ship validates: the document parts (ISO/IEC 29500 transitional
and Office extensions as the Open XML SDK models them, the 2006 customUI schema) via openxml-audit,
the package parts ([Content_Types].xml, .rels) against the OPC schemas via lxml."""

import io
import re
import zipfile

from tests.acceptance import checks
from tests.acceptance.allowlist import ALLOWED
from tests.acceptance.conftest import KINDS


def _unexpected(findings):
    return [
        str(f) for f in findings if not any(a.matches(f.part, f.path, f.message) for a in ALLOWED)
    ]


def test_template_validates(schema_findings):
    assert _unexpected(schema_findings["template"]) == []


def test_demo_output_validates(schema_findings):
    assert _unexpected(schema_findings["demo"]) == []


def test_recompute_output_validates(schema_findings):
    assert _unexpected(schema_findings["recompute"]) == []


def test_every_allow_list_entry_still_matches_something(schema_findings):
    findings = [f for kind in KINDS for f in schema_findings[kind]]
    stale = [
        a.name for a in ALLOWED if not any(a.matches(f.part, f.path, f.message) for f in findings)
    ]
    assert stale == []
    assert len({a.name for a in ALLOWED}) == len(ALLOWED)
    assert all(len(a.reason) > 40 for a in ALLOWED)


def test_the_validator_sees_the_defects_this_suite_guards_against(tmp_path, shipped_files):
    """openxml-audit really checks charts and the ribbon: break both in a copy, it sees both."""
    source = zipfile.ZipFile(shipped_files["template"])
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in source.namelist():
            data = source.read(name)
            if name.startswith("xl/charts/"):
                data = re.sub(rb"<(?:c:)?scatterStyle [^>]*/>", b"", data)
            if name == "customUI/customUI.xml":
                data = data.replace(b'size="large"', b'size="huge"', 1)
            zf.writestr(name, data)
    broken = tmp_path / "broken.xlsm"
    broken.write_bytes(out.getvalue())
    messages = [f"{f.part} {f.message}" for f in checks.schema_findings(broken)]
    assert any("/xl/charts/" in m and "scatterStyle" in m for m in messages), messages
    assert any("/customUI/customUI.xml" in m and "'huge'" in m for m in messages), messages


def test_package_parts_validate(shipped_zip):
    assert checks.package_problems(shipped_zip) == []


def test_the_package_check_sees_a_broken_content_types_part(shipped_files):
    with zipfile.ZipFile(shipped_files["template"]) as source:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as zf:
            for name in source.namelist():
                data = source.read(name)
                if name == "[Content_Types].xml":
                    data = data.replace(b'<Default Extension="xml"', b'<Default Extensio="xml"')
                if name == "_rels/.rels":
                    data = data.replace(b'Id="rIdUI"', b'Id="rId1"')  # a second rId1
                zf.writestr(name, data)
    problems = checks.package_problems(zipfile.ZipFile(out))
    assert any("'Extensio' is not allowed" in p for p in problems), problems
    assert "/customUI/customUI.xml: no content type" in problems  # it had only the xml Default
    assert any(p.startswith("_rels/.rels") and "rId1" in p for p in problems), problems
