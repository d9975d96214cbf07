"""Excel's 1900 calendar, by hand: serial 1 is 01.01.1900, 60 never was, 61 is 01.03.1900."""

import datetime as dt

import numpy as np
import pytest

from kundenwert_xl.core import excel_dates


@pytest.mark.parametrize(
    ("serial", "day"),
    [
        (1, dt.date(1900, 1, 1)),
        (59, dt.date(1900, 2, 28)),
        (61, dt.date(1900, 3, 1)),
        # 45473 = 30.06.2024 (Excel: =DATUM(2024;6;30) shown as a number).
        (45473, dt.date(2024, 6, 30)),
        (73050, dt.date(2099, 12, 31)),
    ],
)
def test_date_of_serial_by_hand(serial, day):
    assert excel_dates.date_of_serial(serial) == day


def test_the_phantom_leap_day_is_no_date():
    with pytest.raises(ValueError):
        excel_dates.date_of_serial(60)


def test_vectorised_offset_matches_the_scalar_rule():
    whole = np.array([1, 59, 61, 45473])
    days = excel_dates.EPOCH_DAY + excel_dates.serial_offset(whole).astype("timedelta64[D]")
    assert [str(d) for d in days] == ["1900-01-01", "1900-02-28", "1900-03-01", "2024-06-30"]
