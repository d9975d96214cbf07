"""An in-memory stand-in for the few xlwings objects the live writer and macros use.

Excel does not run here. This stand-in holds a workbook's cell values (loaded from a real file
with openpyxl) and implements Book.sheets/app, Sheet.range/tables/used_range/activate,
Range.value/options/clear_contents/number_format and Table.range/update with xlwings'
semantics for what the code calls; App.properties sets and restores like xlwings' does.
"""

from contextlib import contextmanager

import openpyxl
import pandas as pd

from kundenwert_xl.io import ooxml


class FakeRange:
    def __init__(self, sheet, first, last=None, options=None):
        self.sheet, self.first, self.last, self._options = (
            sheet,
            first,
            last or first,
            options or {},
        )

    @property
    def row(self):
        return self.first[0]

    def options(self, convert=None, **kwargs):
        return FakeRange(self.sheet, self.first, self.last, {"convert": convert, **kwargs})

    def _matrix(self):
        (r1, c1), (r2, c2) = self.first, self.last
        return [
            [self.sheet.cells.get((r, c)) for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)
        ]

    @property
    def value(self):
        matrix = self._matrix()
        if self._options.get("convert") is pd.DataFrame:
            return pd.DataFrame(matrix[1:], columns=matrix[0])
        if self._options.get("ndim") == 2 or len(matrix) > 1 or len(matrix[0]) > 1:
            return matrix
        return matrix[0][0]

    @value.setter
    def value(self, data):
        r1, c1 = self.first
        rows = data if isinstance(data, list) and data and isinstance(data[0], list) else [[data]]
        for i, row in enumerate(rows):
            for j, v in enumerate(row):
                self.sheet.cells[(r1 + i, c1 + j)] = None if v == "" else v

    def clear_contents(self):
        (r1, c1), (r2, c2) = self.first, self.last
        for key in [k for k in self.sheet.cells if r1 <= k[0] <= r2 and c1 <= k[1] <= c2]:
            del self.sheet.cells[key]

    @property
    def number_format(self):
        return self.sheet.formats.get(self.first)

    @number_format.setter
    def number_format(self, fmt):
        (r1, c1), (r2, c2) = self.first, self.last
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                self.sheet.formats[(r, c)] = fmt


class FakeTable:
    def __init__(self, sheet, name, ref):
        self.sheet, self.name = sheet, name
        c1, r1, c2, r2 = ooxml.split_ref(ref)
        self.first, self.last = (r1, c1), (r2, c2)

    @property
    def range(self):
        return FakeRange(self.sheet, self.first, self.last)

    def update(self, frame, index=True):
        FakeRange(self.sheet, self.first, self.last).clear_contents()
        r1, c1 = self.first
        rows = [list(frame.columns)] + [
            [
                v.to_pydatetime()
                if isinstance(v, pd.Timestamp)
                else (None if v is pd.NA or v != v else v)
                for v in row
            ]
            for row in frame.itertuples(index=False)
        ]
        FakeRange(self.sheet, self.first).value = rows
        self.last = (r1 + len(rows) - 1, c1 + len(frame.columns) - 1)


class _UsedRange:
    def __init__(self, sheet):
        self.sheet = sheet

    @property
    def last_cell(self):
        rows = [r for r, _ in self.sheet.cells] or [1]
        return FakeRange(self.sheet, (max(rows), 1))


class FakeSheet:
    def __init__(self, book, name):
        self.book, self.name, self.cells, self.formats, self.tables = book, name, {}, {}, []

    def range(self, first, last=None):
        return FakeRange(self, first, last)

    @property
    def used_range(self):
        return _UsedRange(self)

    def activate(self):
        self.book.active = self.name


class FakeApp:
    def __init__(self):
        self.status_bar, self.screen_updating, self.calculation = False, True, "automatic"
        self.history = []

    @contextmanager
    def properties(self, **kwargs):
        before = {k: getattr(self, k) for k in kwargs}
        for k, v in kwargs.items():
            setattr(self, k, v)
        try:
            yield self
        finally:
            for k, v in before.items():
                setattr(self, k, v)


class FakeSheets(list):
    def __getitem__(self, key):
        if isinstance(key, str):
            return next(s for s in self if s.name == key)
        return super().__getitem__(key)


class FakeBook:
    def __init__(self, path):
        self.app, self.active = FakeApp(), None
        self.sheets = FakeSheets()
        wb = openpyxl.load_workbook(path, data_only=True)
        for ws in wb.worksheets:
            sheet = FakeSheet(self, ws.title)
            for row in ws.iter_rows():
                for cell in row:
                    if cell.value is not None:
                        sheet.cells[(cell.row, cell.column)] = cell.value
            sheet.tables = [FakeTable(sheet, name, ref) for name, ref in ws.tables.items()]
            self.sheets.append(sheet)
