"""The worksheet functions' cache: a hit gives what a cold call gives, different inputs never share
a key, and what goes out to Excel cannot change what is cached."""

import pandas as pd

from kundenwert_xl.excel import udfs
from tests.excel.conftest import MISSING, call_like_excel
from tests.excel.test_udfs import _fixture_cells


def _clear():
    udfs._CACHE.clear()
    udfs._RENDERED.clear()


def test_a_cache_hit_equals_a_cold_call_and_is_a_copy(udfs):
    _clear()
    cells = _fixture_cells()
    cold = call_like_excel(udfs.KUNDENWERT, cells, MISSING, MISSING, MISSING, MISSING)
    hit = call_like_excel(udfs.KUNDENWERT, cells, MISSING, MISSING, MISSING, MISSING)
    assert hit == cold and len(udfs._RENDERED) == 1
    hit[1][0] = "verändert"
    again = call_like_excel(udfs.KUNDENWERT, cells, MISSING, MISSING, MISSING, MISSING)
    assert again == cold


def test_the_key_tells_a_number_from_text_and_every_changed_value():
    text_ids = pd.DataFrame({"Kundennr": ["1", "2"], "Umsatz": [10.0, 20.0]}, dtype=object)
    number_ids = pd.DataFrame({"Kundennr": [1, "2"], "Umsatz": [10.0, 20.0]}, dtype=object)
    assert udfs._key(text_ids) != udfs._key(number_ids)
    base = pd.DataFrame(
        {
            "Kundennr": ["K1", "K2"],
            "Umsatz": [10.0, 20.0],
            "Datum": pd.to_datetime(["2024-01-01", "2024-01-02"]),
        }
    )
    changed_amount = base.assign(Umsatz=[10.0, 20.01])
    changed_date = base.assign(Datum=pd.to_datetime(["2024-01-01", "2024-01-03"]))
    changed_id = base.assign(Kundennr=["K1", "K3"])
    swapped_rows = base.iloc[::-1].reset_index(drop=True)
    renamed = base.rename(columns={"Umsatz": "Betrag"})
    keys = {
        udfs._key(f)
        for f in (base, changed_amount, changed_date, changed_id, swapped_rows, renamed)
    }
    assert len(keys) == 6
    assert udfs._key(base) == udfs._key(base.copy())


def test_different_settings_never_share_a_result(udfs):
    _clear()
    cells = _fixture_cells()
    five = call_like_excel(udfs.RFM, cells, MISSING, 5, MISSING, MISSING)
    three = call_like_excel(udfs.RFM, cells, MISSING, 3, MISSING, MISSING)
    assert five != three
    assert max(r[1] for r in three[1:] if isinstance(r[1], int | float)) <= 3
