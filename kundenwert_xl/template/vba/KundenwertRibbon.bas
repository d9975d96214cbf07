Attribute VB_Name = "KundenwertRibbon"
' Callbacks of the ribbon tab "Kundenwert" (customUI/customUI.xml).
' Each button runs one Python action of kundenwert_xl.excel.macros through xlwings' RunPython;
' the Python side finds this workbook with xlwings.Book.caller().
Option Explicit

Public Sub NeuBerechnen(control As IRibbonControl)
    RunPython "import kundenwert_xl.excel.macros as m; m.recompute()"
End Sub

Public Sub EingabenPruefen(control As IRibbonControl)
    RunPython "import kundenwert_xl.excel.macros as m; m.validate()"
End Sub

Public Sub BeispieldatenLaden(control As IRibbonControl)
    RunPython "import kundenwert_xl.excel.macros as m; m.load_demo()"
End Sub

Public Sub Hilfe(control As IRibbonControl)
    RunPython "import kundenwert_xl.excel.macros as m; m.show_help()"
End Sub
