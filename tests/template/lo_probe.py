"""Run by Debian's python3 (which has the UNO bridge): load a workbook in LibreOffice, list the
VBA modules it sees, run the probe macro and print what it wrote, as JSON.

Usage: python3 lo_probe.py SOFFICE PROFILE_DIR WORKBOOK
"""

import json
import socket
import subprocess
import sys
import time

import uno
from com.sun.star.beans import PropertyValue


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def main():
    soffice, profile, workbook = sys.argv[1:4]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    accept = f"socket,host=127.0.0.1,port={port};urp;"
    proc = subprocess.Popen(
        [
            soffice,
            "--headless",
            "--norestore",
            "--nologo",
            f"-env:UserInstallation=file://{profile}",
            f"--accept={accept}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", local
        )
        ctx = None
        for _ in range(120):
            try:
                ctx = resolver.resolve(f"uno:{accept}StarOffice.ComponentContext")
                break
            except Exception:
                time.sleep(0.5)
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
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
        try:
            desktop.terminate()
        except Exception:
            pass
    finally:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


if __name__ == "__main__":
    main()
