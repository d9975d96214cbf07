Attribute VB_Name = "KundenwertRibbon"
' Callbacks of the ribbon tab "Kundenwert" (customUI/customUI.xml).
' Each button runs one Python action of kundenwert_xl.excel.macros through xlwings' RunPython;
' the Python side finds this workbook with xlwings.Book.caller().
' Before each action (and once when the workbook opens) PythonBereit checks that the interpreter
' xlwings will start and its DLL exist, with xlwings' own GetConfig, so a PC without Python gets
' one German message and the guide instead of a raw error. The message and the DLL version are
' filled in by the template builder (texts.py, the pinned xlwings release).
Option Explicit

#If Win64 Then
Private Const XLWINGS_DLL As String = "xlwings64-@XLWINGS_VERSION@.dll"
#Else
Private Const XLWINGS_DLL As String = "xlwings32-@XLWINGS_VERSION@.dll"
#End If
Private Const NICHT_EINGERICHTET As String = "@MSG_NOT_SET_UP@"
Private Const TITEL As String = "@MSG_TITLE@"
Private Const BLATT_ANLEITUNG As String = "@GUIDE_SHEET@"

Public Sub NeuBerechnen(control As IRibbonControl)
    If Not PythonBereit(True) Then Exit Sub
    RunPython "import kundenwert_xl.excel.macros as m; m.recompute()"
End Sub

Public Sub EingabenPruefen(control As IRibbonControl)
    If Not PythonBereit(True) Then Exit Sub
    RunPython "import kundenwert_xl.excel.macros as m; m.validate()"
End Sub

Public Sub BeispieldatenLaden(control As IRibbonControl)
    If Not PythonBereit(True) Then Exit Sub
    RunPython "import kundenwert_xl.excel.macros as m; m.load_demo()"
End Sub

Public Sub Hilfe(control As IRibbonControl)
    ' The guide needs no Python: show it, and say so when Python is missing.
    ZeigeAnleitung
    If Not PythonBereit(True) Then Exit Sub
    RunPython "import kundenwert_xl.excel.macros as m; m.show_help()"
End Sub

' True when the interpreter xlwings will start can be found and its DLL lies where xlwings'
' XLPyLoadDLL (or Windows' search along PATH) loads it. With Melden, a failure shows the guide
' and one message. On a Mac the functions do not exist and RunPython reports for itself.
Public Function PythonBereit(ByVal Melden As Boolean) As Boolean
    PythonBereit = True
    If AufDemMac() Then Exit Function
    Dim interpreter As String, condaPath As String, condaEnv As String, ordner As String
    On Error GoTo Unklar
    interpreter = GetConfig("INTERPRETER_WIN", "")
    If interpreter = "" Then interpreter = GetConfig("INTERPRETER", "pythonw")
    condaPath = GetConfig("CONDA PATH")
    condaEnv = GetConfig("CONDA ENV")
    If (interpreter = "python" Or interpreter = "pythonw") And condaPath <> "" And condaEnv <> "" Then
        If condaEnv = "base" Then
            interpreter = condaPath & "\" & interpreter
        ElseIf InStr(condaEnv, "\") > 0 Then
            interpreter = condaEnv & "\" & interpreter
        Else
            interpreter = condaPath & "\envs\" & condaEnv & "\" & interpreter
        End If
    End If
    On Error GoTo 0
    If interpreter = "python" Or interpreter = "pythonw" Then
        ordner = OrdnerAufPfad(interpreter & ".exe", Environ("PATH"))
        If ordner = "" Then
            PythonBereit = False
        ElseIf InStr(1, ordner, "\Microsoft\WindowsApps", vbTextCompare) > 0 Then
            PythonBereit = False  ' the Microsoft Store alias, not a Python Excel can start
        ElseIf OrdnerAufPfad(XLWINGS_DLL, Environ("PATH")) = "" Then
            PythonBereit = False
        End If
    Else
        If Not DateiDa(interpreter) And Not DateiDa(interpreter & ".exe") Then
            PythonBereit = False
        ElseIf Not DateiDa(Elternordner(interpreter) & Trenner(interpreter) & XLWINGS_DLL) _
            And Not DateiDa(Elternordner(Elternordner(interpreter)) & Trenner(interpreter) & XLWINGS_DLL) Then
            PythonBereit = False
        End If
    End If
    If Not PythonBereit And Melden Then
        ZeigeAnleitung
        MsgBox NICHT_EINGERICHTET, vbExclamation, TITEL
    End If
    Exit Function
Unklar:
    ' Without xlwings' configuration we cannot tell: let xlwings try and report for itself.
    PythonBereit = True
End Function

' A function rather than #If around the guard: LibreOffice, which tests this module, ignores
' conditional compilation and would run both branches.
Private Function AufDemMac() As Boolean
#If Mac Then
    AufDemMac = True
#Else
    AufDemMac = False
#End If
End Function

Private Sub ZeigeAnleitung()
    On Error Resume Next
    ThisWorkbook.Worksheets(BLATT_ANLEITUNG).Activate
End Sub

' The first folder of a PATH-style list that holds the file, or "".
Private Function OrdnerAufPfad(ByVal datei As String, ByVal pfade As String) As String
    Dim teile() As String, i As Long, ordner As String
    teile = Split(pfade, ";")
    For i = LBound(teile) To UBound(teile)
        ordner = Replace(Trim$(teile(i)), """", "")
        If Len(ordner) > 0 Then
            If Right$(ordner, 1) = "\" Then ordner = Left$(ordner, Len(ordner) - 1)
            If DateiDa(ordner & "\" & datei) Then
                OrdnerAufPfad = ordner
                Exit Function
            End If
        End If
    Next i
    OrdnerAufPfad = ""
End Function

Private Function DateiDa(ByVal pfad As String) As Boolean
    On Error Resume Next
    DateiDa = False
    DateiDa = (Len(pfad) > 0 And Len(Dir(pfad, vbNormal)) > 0)
End Function

Private Function Trenner(ByVal pfad As String) As String
    If InStrRev(pfad, "\") > 0 Then Trenner = "\" Else Trenner = "/"
End Function

Private Function Elternordner(ByVal pfad As String) As String
    Dim pos As Long
    pos = InStrRev(pfad, Trenner(pfad))
    If pos > 0 Then Elternordner = Left$(pfad, pos - 1) Else Elternordner = ""
End Function
