"""Bit-for-bit comparison of analysis results (issue 16: results depend on the data alone)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd


def _same_values(a: pd.Series | pd.Index, b: pd.Series | pd.Index) -> np.ndarray:
    """Per element: identical bits for floats and datetimes (NaN equal to NaN), equal otherwise."""
    if a.dtype != b.dtype:
        raise AssertionError(f"dtype {a.dtype} != {b.dtype}")
    if a.dtype.kind == "f":
        x, y = np.asarray(a), np.asarray(b)
        return (x.view("int64") == y.view("int64")) | (np.isnan(x) & np.isnan(y))
    if a.dtype.kind == "M":
        return np.asarray(a).view("int64") == np.asarray(b).view("int64")
    x, y = pd.Series(a, copy=False), pd.Series(b, copy=False)
    both_missing = (x.isna() & y.isna()).to_numpy(dtype=bool)
    equal = (x.reset_index(drop=True) == y.reset_index(drop=True)).fillna(False)
    return equal.to_numpy(dtype=bool) | both_missing


def assert_same_bits(one: pd.DataFrame, two: pd.DataFrame, name: str = "") -> None:
    """Fail unless two frames have the same index, columns, dtypes and bits in every cell."""
    assert list(one.columns) == list(two.columns), name
    assert one.index.equals(two.index) and one.index.dtype == two.index.dtype, name
    for column in one.columns:
        same = _same_values(one[column], two[column])
        if not same.all():
            rows = list(one.index[~same][:5])
            raise AssertionError(
                f"{name}.{column}: {int((~same).sum())} rows differ, e.g. {rows}: "
                f"{one[column][~same].head(3).tolist()} vs {two[column][~same].head(3).tolist()}"
            )


def assert_same_analysis(one, two) -> None:
    """Fail unless every table, fact, problem and setting of two analyses is identical."""
    for field in dataclasses.fields(one):
        a, b = getattr(one, field.name), getattr(two, field.name)
        if isinstance(a, pd.DataFrame):
            assert_same_bits(a, b, field.name)
        elif isinstance(a, dict):
            assert list(a) == list(b), field.name
            for key in a:
                same = np.float64(a[key]).tobytes() == np.float64(b[key]).tobytes()
                assert same or (np.isnan(a[key]) and np.isnan(b[key])), (field.name, key)
        else:
            assert a == b, field.name
