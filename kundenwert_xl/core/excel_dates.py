"""Excel's calendar: serial day numbers, the 1900 epoch and its leap-year quirk.

Excel's 1900 date system counts a 29.02.1900 that never was (serial 60, kept for Lotus 1-2-3
compatibility; Microsoft KB 214326). So from 01.03.1900 on (serial 61) a serial is the day
count from 30.12.1899, and serials 1..59 are one day later than that count: serial 1 is
01.01.1900. The one place these rules are written; core (schema, settings) and the writers use it.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

#: Excel's day 0 for serials from 61 on (the phantom 29.02.1900 makes it 30.12.1899).
EPOCH = dt.date(1899, 12, 30)
EPOCH_DAY = np.datetime64(EPOCH, "D")
EPOCH_DATETIME = dt.datetime(1899, 12, 30)
#: The serial Excel gives its non-existent 29.02.1900.
PHANTOM_LEAP_DAY = 60
#: Serial of 31.12.2099: dates are accepted for 1900-01-01..2099-12-31 only (schema.DATE_MAX);
#: a bigger number in a date column is far more likely a date mangled into digits.
SERIAL_MAX = 73050


def serial_offset(whole: np.ndarray) -> np.ndarray:
    """Days after :data:`EPOCH` for whole serials (vectorised; 60 itself is the caller's)."""
    return whole + (whole < PHANTOM_LEAP_DAY)


def date_of_serial(serial: int) -> dt.date:
    """``45473`` -> ``2024-06-30``; ``59`` -> ``1900-02-28``; ``61`` -> ``1900-03-01``.

    Raises
    ------
    ValueError
        For the phantom serial 60 (there is no such day).
    """
    if serial == PHANTOM_LEAP_DAY:
        raise ValueError("serial 60 is Excel's non-existent 29.02.1900")
    return EPOCH + dt.timedelta(days=int(serial_offset(np.asarray(serial))))
