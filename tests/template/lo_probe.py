"""Run by Debian's python3 (which has the UNO bridge): load a workbook in LibreOffice, list the
VBA modules it sees, run the probe macro and print what it wrote, as JSON.

Usage: python3 lo_probe.py SOFFICE PROFILE_DIR WORKBOOK
"""

import json
import sys

import uno
from lo_office import office, prop


def main():
    soffice, profile, workbook = sys.argv[1:4]
    with office(soffice, profile) as desktop:
        doc = desktop.loadComponentFromURL(
            uno.systemPathToFileUrl(workbook),
            "_blank",
            0,
            (prop("Hidden", True), prop("MacroExecutionMode", 4)),
        )
        library = doc.BasicLibraries.getByName("VBAProject")
        modules = list(library.getElementNames())
        sheet = doc.Sheets.getByIndex(0)
        for i in range(8):
            sheet.getCellByPosition(i, 0).setString("")
        error = None
        try:
            script = doc.getScriptProvider().getScript(
                "vnd.sun.star.script:VBAProject.Probe.Probe?language=Basic&location=document"
            )
            script.invoke((sheet,), (), ())
        except Exception as exc:  # the compile gate: a broken module stops the whole library
            error = str(exc)
        probe = sheet.getCellByPosition(0, 0).getString()
        cells = [sheet.getCellByPosition(i, 0).getString() for i in range(8)]
        print(json.dumps({"modules": modules, "probe": probe, "cells": cells, "error": error}))
        doc.close(True)


if __name__ == "__main__":
    main()
