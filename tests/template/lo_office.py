"""Shared by the scripts that Debian's python3 (which has the UNO bridge) runs for the tests:
start a headless LibreOffice with its own profile, hand over its desktop, and end it again.
"""

import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uno
from com.sun.star.beans import PropertyValue


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


@contextmanager
def office(soffice: str, profile: str) -> Iterator[object]:
    """A running LibreOffice's desktop; LibreOffice is terminated (or killed) afterwards."""
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
        try:
            yield desktop
        finally:
            try:
                desktop.terminate()
            except Exception:
                pass
    finally:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
