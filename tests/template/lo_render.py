"""Run by Debian's python3 (which has the UNO bridge): print each named sheet of a workbook to its
own PDF with LibreOffice, as a user would print it, after a full recalculation.

Every other sheet is hidden while one sheet is exported (LibreOffice prints visible sheets only),
so each PDF holds exactly that sheet's pages with the sheet's own print setup.

Usage: python3 lo_render.py SOFFICE PROFILE_DIR WORKBOOK OUT_DIR SHEET [SHEET ...]
Prints JSON: sheet -> PDF path.
"""

import json
import sys
from pathlib import Path

import uno
from lo_office import office, prop


def main():
    soffice, profile, workbook, out_dir, *names = sys.argv[1:]
    with office(soffice, profile) as desktop:
        doc = desktop.loadComponentFromURL(
            uno.systemPathToFileUrl(workbook), "_blank", 0, (prop("Hidden", True),)
        )
        doc.calculateAll()
        sheets = doc.Sheets
        all_names = list(sheets.getElementNames())
        out = {}
        for name in names:
            # The active sheet cannot be hidden: show and activate the one to print first.
            sheets.getByName(name).IsVisible = True
            doc.CurrentController.setActiveSheet(sheets.getByName(name))
            for other in all_names:
                if other != name:
                    sheets.getByName(other).IsVisible = False
            target = Path(out_dir) / f"{all_names.index(name):02d}.pdf"
            doc.storeToURL(
                uno.systemPathToFileUrl(str(target)),
                (prop("FilterName", "calc_pdf_Export"),),
            )
            out[name] = str(target)
        print(json.dumps(out))
        doc.close(True)


if __name__ == "__main__":
    main()
