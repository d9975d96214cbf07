"""Call worksheet functions the way Excel does, through xlwings' own conversion layer.

Excel is not here; what xlwings does with the values (udfs.call_udf: missing arguments take the
Python default, everything else goes through conversion.read, the result through
conversion.write) runs for real. Only the COM engine that cleans raw cell values is a stub that
does what xlwings' Windows engine does (EXCEL_NOTES.md §1.4).
"""

import datetime as dt

import numpy as np
import pandas as pd
import pytest
import xlwings as xw
from xlwings import conversion
from xlwings.main import Engine

from kundenwert_xl.template.udf_wrappers import udf_module

MISSING = object()


class _StubExcelEngine:
    name, type, apps = "excel", "desktop", None

    @staticmethod
    def clean_value_data(data, datetime_builder, empty_as, number_builder, err_to_str):
        def el(v):
            if v in ("", None):
                return empty_as
            if isinstance(v, dt.datetime):
                return datetime_builder(
                    year=v.year,
                    month=v.month,
                    day=v.day,
                    hour=v.hour,
                    minute=v.minute,
                    second=v.second,
                    microsecond=v.microsecond,
                    tzinfo=None,
                )
            if number_builder is not None and isinstance(v, float):
                return number_builder(v)
            return v

        return [[el(c) for c in row] for row in data]

    @staticmethod
    def prepare_xl_data_element(x, options):
        if isinstance(x, np.number):
            return float(x)
        return "" if x is None or (not isinstance(x, list | tuple) and pd.isna(x)) else x


if "excel" not in [e.name for e in xw.engines]:
    xw.engines.add(Engine(impl=_StubExcelEngine()))


@pytest.fixture(scope="session")
def udfs():
    return udf_module()


def call_like_excel(func, *cell_values):
    """What xlwings.udfs.call_udf does with the values of the cells passed to a function."""
    meta = func.__xlfunc__
    args = []
    for value, info in zip(cell_values, meta["args"], strict=False):
        if value is MISSING:
            args.append(info.get("optional"))
        else:
            args.append(conversion.read(None, value, info["options"]))
    return conversion.write(func(*args), None, meta["ret"]["options"])
