"""rfm_summary against lifetimes 0.11.3 / pymc-marketing 0.19.2 outputs frozen in DOMAIN.md §3.6."""

import io

import pandas as pd
import pytest

import kundenwert_xl as kx

IDS = ["C1", "C2", "C3", "C4", "C5", "C6", "C7"]


def _check(frame: pd.DataFrame, expected: dict[str, list[float]]) -> None:
    assert list(frame.index) == IDS
    for column, values in expected.items():
        assert frame[column].tolist() == pytest.approx(values, rel=1e-9, abs=1e-9), column


def test_clv_days_matches_lifetimes_fixture_a(fixture_tx):
    summary = kx.rfm_summary(fixture_tx, reference_date="2024-06-30", mode="clv", freq="D")
    _check(
        summary,
        {
            "frequency": [2, 0, 3, 1, 1, 0, 0],
            "recency": [167, 0, 162, 27, 29, 0, 0],
            "T": [177, 121, 167, 29, 131, 56, 0],
            "monetary_value": [100.0, 0.0, 160 / 3, 250.0, 25.0, 0.0, 0.0],
        },
    )
    problems = summary.attrs["problems"]
    assert [p.code for p in problems] == ["rows_after_reference_date"]
    assert "1 Zeile liegt" in problems[0].message and "30.06.2024" in problems[0].message


def test_clv_weeks_matches_lifetimes(fixture_tx):
    summary = kx.rfm_summary(fixture_tx, reference_date="2024-06-30", freq="W")
    _check(
        summary,
        {
            "frequency": [2, 0, 3, 1, 1, 0, 0],
            "recency": [24, 0, 23, 4, 4, 0, 0],
            "T": [25, 17, 23, 4, 18, 8, 0],
        },
    )


def test_clv_months_hand_computed(fixture_tx):
    # C1 buys in Jan, Feb, Jun: 2 repeat months, last-first = 5, end (Jun) - first (Jan) = 5.
    summary = kx.rfm_summary(fixture_tx, reference_date="2024-06-30", freq="M")
    assert summary.loc["C1"].tolist() == [2.0, 5.0, 5.0, 100.0]
    # C4 buys twice in June: one period, no repeat.
    assert summary.loc["C4"].tolist() == [0.0, 0.0, 0.0, 0.0]


def test_default_end_is_last_date(fixture_tx):
    summary = kx.rfm_summary(fixture_tx)
    assert summary.loc["C6"].tolist() == [1.0, 71.0, 71.0, 90.0]
    assert summary.attrs["problems"] == []


def test_segmentation_mode_matches_pymc_fixture_b(fixture_tx):
    summary = kx.rfm_summary(fixture_tx, reference_date="2024-06-30", mode="segmentation")
    _check(
        summary,
        {
            "frequency": [3, 1, 4, 2, 2, 1, 1],
            "recency": [10, 121, 5, 2, 102, 56, 0],
            "monetary_value": [100, 200, 50, 375, 20, 70, 35],
        },
    )
    assert "T" not in summary


def test_credit_notes_are_not_purchases():
    tx = pd.DataFrame(
        {
            "customer_id": ["A", "A", "A"],
            "date": ["2024-01-01", "2024-01-10", "2024-01-20"],
            "revenue": [100.0, -40.0, 60.0],
        }
    )
    summary = kx.rfm_summary(tx, "2024-01-31")
    # Purchases on day 0 and day 19 only: 1 repeat, recency 19, T 30, repeat spend 60.
    assert summary.loc["A"].tolist() == [1.0, 19.0, 30.0, 60.0]


def test_bad_mode_is_rejected(fixture_tx):
    with pytest.raises(ValueError):
        kx.rfm_summary(fixture_tx, mode="nonsense")


# lifetimes 0.11.3 on CDNOW_master.txt, computed once in a scratch venv (see test_clv.py) by
# summary_data_from_transaction_data(raw, "customer_id", "date", "dollar_value", freq="D"):
# column sums over all 23,570 customers, and the 80 customers with a zero-revenue row.
MASTER_SUMS = {
    "frequency": 44021.0,
    "recency": 3178932.0,
    "T": 11834346.0,
    "monetary_value": 414282.3843972235,
}
MASTER_ZERO_REVENUE_CUSTOMERS = """\
id,frequency,recency,T,monetary_value
455,0.0,0.0,544.0,0.0
713,0.0,0.0,543.0,0.0
908,0.0,0.0,542.0,0.0
925,0.0,0.0,542.0,0.0
1101,0.0,0.0,541.0,0.0
1186,0.0,0.0,541.0,0.0
1225,0.0,0.0,541.0,0.0
1381,0.0,0.0,540.0,0.0
1401,0.0,0.0,540.0,0.0
1753,0.0,0.0,539.0,0.0
1948,0.0,0.0,538.0,0.0
1987,0.0,0.0,538.0,0.0
2129,0.0,0.0,537.0,0.0
2556,0.0,0.0,535.0,0.0
2703,1.0,29.0,535.0,14.37
2905,0.0,0.0,534.0,0.0
3044,14.0,507.0,533.0,22.210714285714285
3134,0.0,0.0,533.0,0.0
3628,0.0,0.0,531.0,0.0
3731,0.0,0.0,531.0,0.0
3822,0.0,0.0,530.0,0.0
3858,6.0,527.0,530.0,18.875
3875,0.0,0.0,530.0,0.0
4384,0.0,0.0,528.0,0.0
4559,0.0,0.0,527.0,0.0
4738,2.0,20.0,527.0,88.89
5196,0.0,0.0,518.0,0.0
5301,0.0,0.0,525.0,0.0
5567,0.0,0.0,524.0,0.0
6001,0.0,0.0,522.0,0.0
6395,0.0,0.0,521.0,0.0
6920,0.0,0.0,519.0,0.0
7005,0.0,0.0,519.0,0.0
7395,3.0,407.0,516.0,23.863333333333333
7746,0.0,0.0,516.0,0.0
7897,0.0,0.0,511.0,0.0
9697,0.0,0.0,510.0,0.0
9710,0.0,0.0,510.0,0.0
9835,0.0,0.0,510.0,0.0
9853,0.0,0.0,510.0,0.0
10175,0.0,0.0,509.0,0.0
10244,1.0,28.0,508.0,0.0
10664,0.0,0.0,507.0,0.0
10798,0.0,0.0,507.0,0.0
10824,1.0,286.0,507.0,12.99
11270,0.0,0.0,505.0,0.0
11378,2.0,288.0,505.0,38.72
11537,8.0,463.0,504.0,22.44875
11940,0.0,0.0,503.0,0.0
11955,0.0,0.0,503.0,0.0
12366,0.0,0.0,501.0,0.0
12706,0.0,0.0,500.0,0.0
12977,11.0,487.0,489.0,14.430909090909092
13408,0.0,0.0,498.0,0.0
13434,0.0,0.0,498.0,0.0
14533,0.0,0.0,494.0,0.0
15129,0.0,0.0,492.0,0.0
15258,0.0,0.0,491.0,0.0
15452,0.0,0.0,491.0,0.0
16132,0.0,0.0,488.0,0.0
16337,0.0,0.0,488.0,0.0
16921,0.0,0.0,471.0,0.0
17772,0.0,0.0,483.0,0.0
17786,6.0,483.0,483.0,19.418333333333333
18861,0.0,0.0,480.0,0.0
19146,0.0,0.0,479.0,0.0
19189,0.0,0.0,479.0,0.0
19314,0.0,0.0,478.0,0.0
19384,0.0,0.0,478.0,0.0
19846,0.0,0.0,476.0,0.0
20252,0.0,0.0,475.0,0.0
21391,0.0,0.0,471.0,0.0
21641,2.0,360.0,469.0,6.495
21690,0.0,0.0,469.0,0.0
22051,0.0,0.0,468.0,0.0
22173,0.0,0.0,468.0,0.0
22848,0.0,0.0,465.0,0.0
22950,0.0,0.0,464.0,0.0
22979,0.0,0.0,464.0,0.0
23157,0.0,0.0,463.0,0.0
"""


def test_clv_mode_matches_lifetimes_on_cdnow_master(cdnow_master):
    # A purchase day is a day with a row of revenue >= 0: the zero-revenue rows count.
    summary = kx.rfm_summary(cdnow_master, mode="clv", freq="D")
    assert len(summary) == 23570
    for column, total in MASTER_SUMS.items():
        assert summary[column].sum() == pytest.approx(total, rel=1e-12), column
    expected = pd.read_csv(io.StringIO(MASTER_ZERO_REVENUE_CUSTOMERS), index_col="id")
    assert len(expected) == 80
    got = summary.loc[expected.index.astype(str)].to_numpy()
    assert got == pytest.approx(expected.to_numpy(), rel=1e-12)


def test_zero_revenue_rows_are_purchase_days_only_in_clv_mode():
    tx = pd.DataFrame(
        {
            "customer_id": ["A", "A", "A", "A"],
            "date": ["2024-01-01", "2024-01-05", "2024-01-10", "2024-01-20"],
            "revenue": [100.0, 0.0, -40.0, 60.0],
        }
    )
    # clv: purchase days 01-01, 01-05 (zero revenue), 01-20; the credit note is none.
    # 2 repeat days, recency 19, T 30, repeat spend (0 + 60) / 2 = 30.
    assert kx.rfm_summary(tx, "2024-01-31").loc["A"].tolist() == [2.0, 19.0, 30.0, 30.0]
    # segmentation keeps positive revenue as the purchase: 2 purchases, 11 days since the
    # last, mean (100 + 60) / 2.
    seg = kx.rfm_summary(tx, "2024-01-31", mode="segmentation")
    assert seg.loc["A"].tolist() == [2.0, 11.0, 80.0]
