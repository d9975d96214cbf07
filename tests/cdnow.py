"""The CDNOW transaction logs (DOMAIN.md §7), read from the installed lifetimes wheel.

Licensing: the data originate from Bruce Hardie's dataset page, so the repository carries no
copy; the test extra installs ``lifetimes==0.11.3`` only as the package that ships the files.
lifetimes itself is never imported (its fitters need autograd and an old pandas API): the files
are located through the distribution's metadata. A missing file fails the test, it never skips.
"""

import importlib.metadata
from functools import cache
from pathlib import Path

import pandas as pd
import pytest


def dataset(name: str) -> Path:
    try:
        dist = importlib.metadata.distribution("lifetimes")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - a broken test setup
        pytest.fail("CDNOW data missing: install the test extra (pip install -e '.[test]')")
    return Path(str(dist.locate_file(f"lifetimes/datasets/{name}")))


@cache
def sample() -> pd.DataFrame:
    raw = pd.read_csv(
        dataset("CDNOW_sample.txt"),
        sep=r"\s+",
        header=None,
        names=["master_id", "customer_id", "date", "cds", "revenue"],
    )
    return pd.DataFrame(
        {
            "customer_id": raw["customer_id"].astype(str),
            "date": pd.to_datetime(raw["date"].astype(str), format="%Y%m%d"),
            "revenue": raw["revenue"].astype("float64"),
        }
    )


@cache
def master() -> pd.DataFrame:
    raw = pd.read_csv(dataset("CDNOW_master.txt"), sep=r"\s+")
    return pd.DataFrame(
        {
            "customer_id": raw["customer_id"].astype(str),
            "date": pd.to_datetime(raw["date"].astype(str), format="%Y%m%d"),
            "revenue": raw["dollar_value"].astype("float64"),
        }
    )
