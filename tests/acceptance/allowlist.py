"""Where a validator is wrong about our files: each entry named, narrow, and with its reason.

An entry matches a finding of openxml-audit when the part, the element path and the message all
match its patterns. ``test_schema.py`` proves that every entry still matches something in the
files we ship (no stale entries) and that nothing else is reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Allowed:
    """One known false positive of a validator."""

    name: str
    part: str
    path: str
    message: str
    reason: str

    def matches(self, part: str, path: str, message: str) -> bool:
        return bool(
            re.fullmatch(self.part, part)
            and re.fullmatch(self.path, path or "")
            and re.search(self.message, message)
        )


ALLOWED: tuple[Allowed, ...] = (
    Allowed(
        name="font-child-order",
        part=r"/xl/styles\.xml",
        path=r"/styleSheet\[1\]/fonts\[1\]/font\[\d+\]",
        message=r"^Unexpected element '(b|i|strike|condense|extend|outline|shadow|u|vertAlign"
        r"|sz|color|name|family|charset|scheme)' found$",
        reason="openpyxl writes a font's children in its own order; ISO/IEC 29500-1 "
        "CT_Font is an unbounded xsd:choice, so any order is valid. openxml-audit models it as "
        "a sequence (the Open XML SDK's order). Every openpyxl-written file has it.",
    ),
    Allowed(
        name="inline-strings",
        part=r"/xl/worksheets/sheet\d+\.xml",
        path=r"",
        message=r"inline-string cell\(s\) \(`<c t=\"inlineStr\">`\) but the package has no "
        r"populated `xl/sharedStrings\.xml`",
        reason="A warning, not an error: inline strings are valid SpreadsheetML (ISO/IEC 29500-1 "
        "§18.3.1.53) and Excel reads them; it only moves them into a shared-string table when it "
        "saves the file. openpyxl 3.1 writes strings inline, and our headless writer does too, so "
        "that text starting with '=' stays text.",
    ),
)
