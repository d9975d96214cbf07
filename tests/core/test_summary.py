"""rfm_summary against lifetimes 0.11.3 / pymc-marketing 0.19.2 outputs frozen in DOMAIN.md §3.6."""

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
    assert "1 Zeile(n)" in problems[0].message and "30.06.2024" in problems[0].message


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
