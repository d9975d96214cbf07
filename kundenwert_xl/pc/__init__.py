"""The colleague's PC: how Excel finds Python (xlwings configuration, interpreter, DLL)."""
