"""Named segments: presets against DOMAIN.md §3.6 (b) and (d), rule order, coverage, summary."""

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kundenwert_xl as kx
from kundenwert_xl.core.segments import PRESETS, assign, coverage_problems
from kundenwert_xl.settings import SegmentRule


def _segments(tx, **kw):
    s = kx.Settings(reference_date="2024-06-30", segment_names="original", **kw)
    return kx.analyze(tx, settings=s).customers["segment"].astype(str).tolist()


def test_r_current_preset_fixture_d(fixture_tx):
    assert _segments(fixture_tx, segment_preset="r_current") == [
        "Potential Loyalist",
        "Lost",
        "Potential Loyalist",
        "New Customers",
        "Lost",
        "About To Sleep",
        "New Customers",
    ]


def test_r_legacy_preset_fixture_d(fixture_tx):
    assert _segments(fixture_tx, segment_preset="r_legacy") == [
        "Loyal Customers",
        "Others",
        "Loyal Customers",
        "Others",
        "Lost",
        "About To Sleep",
        "Potential Loyalist",
    ]


def test_pymc_preset_and_binning_fixture_b(fixture_tx):
    got = _segments(
        fixture_tx, scoring_method="quartile", frequency_basis="days", monetary_basis="average"
    )
    assert got == [
        "Premium Customer",
        "Inactive Customer",
        "Repeat Customer",
        "Top Spender",
        "Inactive Customer",
        "At Risk Customer",
        "Inactive Customer",
    ]


def test_german_names_by_default(fixture_tx):
    c = kx.analyze(fixture_tx, settings=kx.Settings(reference_date="2024-06-30")).customers
    assert c.loc["C1", "segment"] == "Potenzielle Stammkunden"
    assert c.loc["C2", "segment"] == "Verloren"


def test_first_matching_rule_wins():
    scores = pd.DataFrame({"r_score": [5, 1], "f_score": [5, 1], "m_score": [5, 1]}, dtype="Int64")
    broad = SegmentRule(name="Alle", r=(1, 5), f=(1, 5), m=(1, 5))
    top = SegmentRule(name="Top", r=(5, 5), f=(5, 5), m=(5, 5))
    assert assign(scores, (top, broad), "Rest", "Ohne").tolist() == ["Top", "Alle"]
    assert assign(scores, (broad, top), "Rest", "Ohne").tolist() == ["Alle", "Alle"]


def test_custom_rules_with_coverage_warnings(fixture_tx):
    s = kx.Settings(
        reference_date="2024-06-30",
        segment_preset="custom",
        segment_rules=(
            SegmentRule(name="Jung", r=(4, 5), f=(1, 5), m=(1, 5)),
            SegmentRule(name="Umsatzstark", r=(1, 5), f=(1, 5), m=(5, 5)),
        ),
        segment_fallback="Rest",
    )
    result = kx.analyze(fixture_tx, settings=s)
    # R scores 3 1 4 5 1 2 5 and M scores 5 3 3 5 1 2 1 (fixture d)
    assert result.customers["segment"].astype(str).tolist() == [
        "Umsatzstark",
        "Rest",
        "Jung",
        "Jung",
        "Rest",
        "Rest",
        "Jung",
    ]
    codes = {p.code: p for p in result.problems}
    # overlap: R 4-5 with M 5 = 2 * 5 (F) = 10 cells; gap: R 1-3 with M 1-4 = 3 * 5 * 4 = 60 cells
    assert codes["segment_overlap"].message.startswith("10 Kombinationen")
    assert codes["segment_gap"].message.startswith("60 Kombinationen")
    assert "'Rest'" in codes["segment_gap"].message


def test_presets_coverage_is_what_the_sources_say():
    # pymc-marketing lists 46 of the 64 codes, disjoint.
    problems = {p.code: p for p in coverage_problems(PRESETS["pymc"], 4, "Other")}
    assert set(problems) == {"segment_gap"}
    assert problems["segment_gap"].message.startswith("18 Kombinationen")


def test_rule_outside_classes_is_an_error_naming_the_rule():
    with pytest.raises(kx.KundenwertError) as info:
        kx.Settings.build(
            segment_preset="custom",
            segment_rules=(SegmentRule(name="Zu hoch", r=(5, 6), f=(1, 5), m=(1, 5)),),
        )
    (p,) = info.value.problems
    assert p.column == "Segmentregeln" and "'Zu hoch'" in p.message and "1 und 5" in p.message


def test_other_class_counts_are_mapped_onto_the_preset_scale(fixture_tx):
    # With 10 classes a score s counts as ceil(s * 5 / 10) for the R presets.
    c = kx.analyze(fixture_tx, settings=kx.Settings(n_classes=10, reference_date="2024-06-30"))
    seg = c.customers["segment"]
    assert seg.notna().all() and (seg != "Sonstige").any()


def test_segment_summary_shares_add_up(fixture_tx):
    result = kx.analyze(fixture_tx, settings=kx.Settings(reference_date="2024-06-30"))
    table = result.segments
    assert table["customers"].sum() == 7
    assert table["customer_share"].sum() == pytest.approx(1.0)
    assert table["revenue_share"].sum() == pytest.approx(1.0)
    assert table.loc["Verloren", "net_revenue"] == 240  # C2 200 + C5 40
    assert table.loc["Verloren", "mean_rfmr_points"] == pytest.approx(
        result.customers.loc[["C2", "C5"], "rfmr_points"].mean()
    )


def test_order_numbers_shared_between_customers_count_per_customer():
    tx = pd.DataFrame(
        {
            "customer_id": ["A", "A", "B"],
            "date": ["2024-01-01", "2024-01-02", "2024-01-03"],
            "revenue": [1.0, 2.0, 3.0],
            "order_id": ["1", "1", "1"],  # numbering per customer
        }
    )
    c = kx.analyze(tx).customers
    assert c["frequency"].tolist() == [1, 1]


@settings(max_examples=40, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.integers(0, 15), st.integers(0, 500), st.floats(-20, 900).map(lambda v: round(v, 2))
        ),
        min_size=1,
        max_size=50,
    ),
    preset=st.sampled_from(["r_current", "r_legacy", "pymc"]),
    method=st.sampled_from(["value", "rank", "quartile"]),
    n=st.integers(2, 10),
)
def test_property_every_customer_gets_exactly_one_segment(rows, preset, method, n):
    tx = pd.DataFrame(
        {
            "customer_id": [f"K{c}" for c, _, _ in rows],
            "date": pd.Timestamp("2023-01-01") + pd.to_timedelta([d for _, d, _ in rows], "D"),
            "revenue": [v for _, _, v in rows],
        }
    )
    result = kx.analyze(
        tx, settings=kx.Settings(segment_preset=preset, scoring_method=method, n_classes=n)
    )
    seg = result.customers["segment"]
    assert seg.notna().all()
    no_purchase = result.customers["rfm_code"] == ""
    assert (seg[no_purchase] == "Ohne Kauf").all()
    assert (seg[~no_purchase] != "Ohne Kauf").all()
    assert result.segments["customers"].sum() == len(seg)
