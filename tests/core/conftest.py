"""CDNOW fixtures (the files come from the installed lifetimes wheel, see tests/cdnow.py)."""

import pandas as pd
import pytest

from tests import cdnow


@pytest.fixture
def cdnow_sample() -> pd.DataFrame:
    """CDNOW 1/10 sample: 6,919 rows, 2,357 customers, 1997-01-01..1998-06-30 (a copy)."""
    return cdnow.sample().copy()


@pytest.fixture
def cdnow_master() -> pd.DataFrame:
    """CDNOW master log: 69,659 rows, 23,570 customers (a copy)."""
    return cdnow.master().copy()


@pytest.fixture
def cdnow_file():
    """Path of one of the files lifetimes ships in ``lifetimes/datasets``."""
    return cdnow.dataset
