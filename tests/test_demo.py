"""The demo generator: exact size, reproducible, and the article's revenue pattern."""

import numpy as np
import pandas as pd

import kundenwert_xl as kx
from kundenwert_xl.demo import make_demo


def test_exact_row_count_and_reproducible():
    a = make_demo(5000, seed=7)
    b = make_demo(5000, seed=7)
    assert len(a.transactions) == 5000
    pd.testing.assert_frame_equal(a.transactions, b.transactions)
    assert not make_demo(5000, seed=8).transactions.equals(a.transactions)


def test_all_rows_on_or_before_reference_date_and_valid():
    d = make_demo(3000)
    assert d.transactions["date"].max() <= pd.Timestamp(d.reference_date)
    result = kx.analyze(d.transactions, d.customers, d.contacts)
    # Nothing wrong, and the assumptions the demo data leave to the settings are named. In its
    # first year nobody of this small demo base leaves, so the model check fitted on it is
    # refused (a -> 0); the forecast itself, on both years, stands.
    assert [p for p in result.problems if p.severity != "note"] == []
    assert {p.code for p in result.problems} == {
        "reference_date_assumed",
        "order_cost_assumed",
        "return_cost_assumed",
        "contact_cost_assumed",
        "clv_holdout_refused",
    }
    assert result.customers["p_alive"].notna().any()
    assert set(d.contacts["channel"].cat.categories) == {"Hauptkatalog", "Sonderkatalog", "Mailing"}
    assert (d.transactions["revenue"] < 0).any() and d.transactions["returned"].any()


def test_revenue_is_concentrated_as_in_the_article():
    d = make_demo(20_000)
    revenue = d.transactions.groupby("customer_id", observed=True)["revenue"].sum()
    ordered = np.sort(revenue.to_numpy())[::-1]
    cumulative = np.cumsum(ordered) / ordered.sum()
    share_for_80 = (np.searchsorted(cumulative, 0.8) + 1) / len(ordered)
    assert 0.20 <= share_for_80 <= 0.30
    top20 = cumulative[int(np.ceil(0.2 * len(ordered))) - 1]
    assert 0.70 <= top20 <= 0.80


def test_margin_pattern_shows_the_whale_and_the_dilemma():
    d = make_demo(20_000)
    result = kx.analyze(d.transactions, d.customers, d.contacts)
    f = result.facts
    assert f["total_db"] > 0
    assert 1.0 <= f["db_share_top20"] <= 1.5  # the best 20 % earn about everything
    assert -0.8 <= f["db_share_bottom50"] <= -0.2  # the last half destroys margin
    assert f["db_share_worst10"] < -0.1  # the worst 10 % do real damage
    assert 1.3 <= f["whale_peak"] <= 2.0
    assert len(result.dilemma) >= 10  # big customers among the worst by DB
    assert result.dilemma["revenue_share"].max() > 0.005
