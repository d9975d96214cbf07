"""Customer value, ABC, Pareto, whale, facts, dilemma, scenarios: hand-computed and properties."""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kundenwert_xl as kx
from kundenwert_xl.core.pareto import facts, pareto_table
from kundenwert_xl.core.value import (
    abc_classes,
    clv,
    percent_rank,
    ranking,
    stable_argsort,
    value_score,
)

# The article's customer base: 10 customers; DB (ranking level) and net revenue by hand.
# Top 20 % (K01, K02): 60 + 40 = 100 = 100 % of the total DB of 100.
# Next 30 % (K03-K05): 20 + 20 + 10 = 50 %.  Bottom 50 % (K06-K10): -5 -5 -10 -10 -20 = -50 %.
# Worst 10 % (K10): -20 %, yet K10 has the largest revenue: the dilemma customer.
ARTICLE = {
    "K01": (300, 60),
    "K02": (200, 40),
    "K03": (100, 20),
    "K04": (100, 20),
    "K05": (50, 10),
    "K06": (20, -5),
    "K07": (20, -5),
    "K08": (30, -10),
    "K09": (30, -10),
    "K10": (500, -20),
}


def _article():
    tx = pd.DataFrame(
        {
            "customer_id": list(ARTICLE),
            "date": ["2024-06-01"] * 10,
            "revenue": [r for r, _ in ARTICLE.values()],
            "cost_of_goods": [r - d for r, d in ARTICLE.values()],
        }
    )
    s = kx.Settings(reference_date="2024-06-30", order_handling_cost=0, return_handling_cost=0)
    return kx.analyze(tx, settings=s)


def test_article_facts_exactly():
    f = _article().facts
    assert f["total_db"] == 100 and f["total_revenue"] == 1350
    assert f["db_share_top20"] == pytest.approx(1.0)
    assert f["db_share_next30"] == pytest.approx(0.5)
    assert f["db_share_bottom50"] == pytest.approx(-0.5)
    assert f["db_share_worst10"] == pytest.approx(-0.2)
    assert f["whale_peak"] == pytest.approx(1.5)
    # by revenue: K10 500 + K01 300 = 800 of 1350
    assert f["revenue_share_top20"] == pytest.approx(800 / 1350)
    # 500, 800, 1000, 1100 >= 0.8 x 1350 = 1080 at k = 4
    assert f["customer_share_for_80pct_revenue"] == pytest.approx(0.4)
    assert f["negative_db_customers"] == 5


def test_article_dilemma_customer():
    result = _article()
    d = result.dilemma
    assert list(d.index) == ["K10"]
    assert d.loc["K10", "revenue_share"] == pytest.approx(500 / 1350)
    assert d.loc["K10", "db"] == -20
    assert d.loc["K10", "db_ratio"] == pytest.approx(-0.04)
    assert d.loc["K10", "price_increase"] == pytest.approx(0.04)
    assert result.customers["dilemma"].sum() == 1


def test_article_scenarios():
    s = _article().scenarios
    # worst 5 % and 10 %: ceil(0.5) = ceil(1.0) = 1 customer, K10
    assert s.loc["worst_0.05", ["customers_lost", "revenue_lost", "db_after"]].tolist() == [
        1,
        500,
        120,
    ]
    assert s.loc["worst_0.1", "db_change_share"] == pytest.approx(0.2)
    # worst 20 %: K10 and K09 (K08 and K09 tie at -10; ties keep customer order, K09 ranks last)
    assert s.loc["worst_0.2", ["customers_lost", "revenue_lost", "db_after"]].tolist() == [
        2,
        530,
        130,
    ]
    assert s.loc["worst_0.2", "revenue_lost_share"] == pytest.approx(530 / 1350)
    assert s.loc["worst_0.3", ["customers_lost", "revenue_lost", "db_after"]].tolist() == [
        3,
        560,
        140,
    ]
    assert s.loc[
        "dilemma", ["customers_lost", "revenue_lost", "db_before", "db_after"]
    ].tolist() == [
        1,
        500,
        100,
        120,
    ]


def test_article_abc_by_revenue():
    c = _article().customers
    # Revenue ranking K10 500, K01 300, K02 200, K03 100, K04 100, K05 50, K08 30, K09 30,
    # K06 20, K07 20; cumulative before each of 1350: 0, 500, 800, 1000 (.741) -> A;
    # 1100 (.815), 1200 (.889), 1250 (.926), 1280 (.948) -> B; 1310 (.970), 1330 -> C.
    assert sorted(c.index[c["abc_class"] == "A"]) == ["K01", "K02", "K03", "K10"]
    assert sorted(c.index[c["abc_class"] == "B"]) == ["K04", "K05", "K08", "K09"]
    assert sorted(c.index[c["abc_class"] == "C"]) == ["K06", "K07"]


def test_article_pareto_and_deciles():
    result = _article()
    p = result.pareto
    assert len(p) == 100 and p["customer_share"].iloc[-1] == 1.0
    # after 20 % of customers (k = 2): DB 100 of 100; after 50 % (k = 5): 150
    assert p.loc[20, ["customers", "db_cum", "db_share"]].tolist() == [2, 100, 1.0]
    assert p.loc[50, "db_share"] == pytest.approx(1.5)
    assert p.loc[100, ["db_share", "revenue_share"]].tolist() == [1.0, 1.0]
    # 10 customers: row 15 = after ceil(1.5) = 2 customers
    assert p.loc[15, "customers"] == 2
    d = result.deciles
    assert d["db"].tolist() == [60, 40, 20, 20, 10, -5, -5, -10, -10, -20]
    assert result.deciles_revenue.loc[1, "revenue"] == 500


def test_value_score_percent_ranks_by_hand():
    # RFMR 10, 20, 30, none -> PERCENTRANK.INC 0, 0.5, 1, (0); DB 5, -1, 3, 0 -> 1, 0, 2/3, 1/3
    score = value_score(np.array([10, 20, 30, np.nan]), np.array([5, -1, 3, 0.0]), (0.5, 0.5))
    assert score.tolist() == pytest.approx([50, 25, 100 * (1 + 2 / 3) / 2, 100 / 6])
    assert percent_rank(np.array([7.0])).tolist() == [1.0]
    assert percent_rank(np.array([1.0, 1.0, 2.0])).tolist() == [0.0, 0.0, 1.0]


def test_value_rank_is_one_for_the_best_and_a_permutation():
    c = _article().customers
    assert sorted(c["value_rank"]) == list(range(1, 11))
    best = c["value_rank"].idxmin()
    assert c.loc[best, "value_score"] == c["value_score"].max()


def test_clv_published_example():
    # DOMAIN.md §6.2: m = 100, r = 0.8, i = 0.1 -> 266.67; counting the current period 366.67
    assert clv(np.array([100.0]), 0.8, 0.1, False)[0] == pytest.approx(266.6667, rel=1e-5)
    assert clv(np.array([100.0]), 0.8, 0.1, True)[0] == pytest.approx(366.6667, rel=1e-5)


def test_clv_uses_db_per_year_of_the_period():
    c = _article().customers
    # one row each on 2024-06-01, reference 2024-06-30: 30 days = 30 / 365.25 years
    years = 30 / 365.25
    assert c.loc["K01", "db_per_year"] == pytest.approx(60 / years)
    assert c.loc["K01", "clv"] == pytest.approx(60 / years * 0.8 / 0.3)


def test_abc_boundary_rule_and_customer_share_basis():
    values = np.array([50.0, 30.0, 15.0, 5.0])
    # before: 0, .5, .8, .95 -> A, A, B (0.8 is not < 0.8), C (0.95 is not < 0.95)
    assert abc_classes(values, (0.8, 0.95), "value").tolist() == ["A", "A", "B", "C"]
    # by customers: before 0, .25, .5, .75 with limits 0.2 / 0.5 -> A, B, C, C
    assert abc_classes(values, (0.2, 0.5), "customers").tolist() == ["A", "B", "C", "C"]
    # non-positive values are C; ties keep input order
    assert abc_classes(np.array([10.0, 10.0, -3.0]), (0.5, 0.9), "value").tolist() == [
        "A",
        "B",
        "C",
    ]


def test_negative_total_db_gives_blank_shares_not_division_errors():
    tx = pd.DataFrame(
        {
            "customer_id": ["A", "B"],
            "date": ["2024-01-01", "2024-01-02"],
            "revenue": [10.0, 20.0],
            "cost_of_goods": [15.0, 30.0],
        }
    )
    result = kx.analyze(tx, settings=kx.Settings(order_handling_cost=0))
    assert result.facts["total_db"] == -15
    assert math.isnan(result.facts["db_share_top20"]) and math.isnan(result.facts["whale_peak"])
    assert result.pareto["db_share"].isna().all()
    assert result.pareto["db_cum"].iloc[-1] == -15
    assert result.scenarios["db_after"].notna().all()
    assert any(p.code == "db_total_not_positive" for p in result.problems)


def test_targeting_within_budget():
    result = kx.analyze(
        _article()
        .customers.reset_index()[["customer_id"]]
        .assign(
            date="2024-06-01",
            revenue=[r for r, _ in ARTICLE.values()],
            cost_of_goods=[r - d for r, d in ARTICLE.values()],
        ),
        settings=kx.Settings(order_handling_cost=0, budget=100, cost_per_contact=30),
    )
    t, summary = result.targeting, result.targeting_summary
    assert summary["customers"] == 3 and summary["cost"] == 90  # floor(100 / 30)
    assert t["value_rank"].tolist() == [1, 2, 3]
    assert summary["db_share"] == pytest.approx(t["db3"].sum() / 100)


@settings(max_examples=60, deadline=None)
@given(
    db=st.lists(st.floats(-500, 500).map(lambda v: round(v, 2)), min_size=1, max_size=40),
    data=st.data(),
)
def test_properties_of_pareto_and_facts(db, data):
    revenue = np.array(
        data.draw(st.lists(st.floats(0.01, 900), min_size=len(db), max_size=len(db)))
    )
    db = np.array(db)
    table = pareto_table(revenue, db, ranking(db))
    assert (np.diff(table["customers"]) >= 0).all()  # monotone in customer share
    assert table["customers"].iloc[-1] == len(db)
    assert table["revenue_share"].iloc[-1] == pytest.approx(1.0)
    f = facts(revenue, db, ranking(revenue), ranking(db))
    if db.sum() > 0:
        assert table["db_share"].iloc[-1] == pytest.approx(1.0)
        top20 = f["db_share_top20"] + f["db_share_next30"] + f["db_share_bottom50"]
        assert top20 == pytest.approx(1.0)
        if (db < 0).any():
            assert f["whale_peak"] >= 1.0 - 1e-12
    classes = abc_classes(revenue, (0.8, 0.95), "value")
    order = np.argsort(-revenue, kind="stable")
    assert classes[order[0]] == "A"  # the top customer is always A
    ranked = "".join(classes[order])
    assert ranked == "".join(sorted(ranked))  # A...B...C along the ranking


def test_article_sentences_in_german():
    lines = _article().sentences()
    assert "40 % der Kunden erzielen 80 % des Umsatzes." in lines
    assert "Die besten 20 % (nach DB III) erwirtschaften 100 % des Deckungsbeitrags." in lines
    assert "Die nächsten 30 % tragen 50 % bei." in lines
    assert "Die übrigen 50 % vernichten 50 % des Deckungsbeitrags." in lines
    assert "Die schlechtesten 10 % kosten 20 % des Deckungsbeitrags." in lines
    assert "Die Walkurve gipfelt bei 150 % des gesamten Deckungsbeitrags." in lines
    assert lines[0] == "10 Kunden, Umsatz 1.350,00 €, DB III 100,00 €."
    assert lines[-1].startswith("1 Dilemma-Kunde: ") and "37 % des Umsatzes" in lines[-1]


def test_ranking_ties_by_hand():
    # Scores 5, 7, 5, 5, 7 and DB 1, 0, 3, 1, 0: 7 before 5; among the 7s the DB ties, so
    # customer number (position 1 before 4); among the 5s DB 3 (position 2), then 1, 1 by
    # position (0 before 3).
    score, db = np.array([5.0, 7, 5, 5, 7]), np.array([1.0, 0, 3, 1, 0])
    assert ranking(score, db).tolist() == [1, 4, 2, 0, 3]
    assert ranking(score, db, ranking(db)).tolist() == [1, 4, 2, 0, 3]


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from([0.0, -0.0, 1.5, 2.0, math.nan]), st.integers(-3, 3)),
        min_size=1,
        max_size=30,
    )
)
def test_ranking_and_percent_rank_with_a_shared_sort(pairs):
    # Reference: numpy's lexsort of (position, -DB, -score), and percent_rank's own sort.
    score = np.array([p for p, _ in pairs])
    db = np.array([float(d) for _, d in pairs])
    key = [np.arange(len(db)), -db, -np.nan_to_num(score, nan=-np.inf)]
    assert ranking(score, db, ranking(db)).tolist() == np.lexsort(key).tolist()
    np.testing.assert_array_equal(percent_rank(db, ranking(db)), percent_rank(db))
    np.testing.assert_array_equal(percent_rank(score, ranking(score)), percent_rank(score))


# Few distinct values among many keys, so that numpy's fast sort (a vectorised sort beyond
# 16 elements) really reorders equal keys: -0.0 and 0.0 are equal keys, as are the infinities.
_KEYS = st.sampled_from([0.0, -0.0, 1.5, -1.5, 2.0, 1e300, math.inf, -math.inf])


@settings(max_examples=60, deadline=None)
@given(st.lists(_KEYS, min_size=0, max_size=3000))
def test_stable_argsort_is_numpys_stable_sort(keys):
    x = np.array(keys, dtype="float64")
    np.testing.assert_array_equal(stable_argsort(x), np.argsort(x, kind="stable"))


def test_stable_argsort_on_customer_sized_data():
    # 200,000 amounts in cents with many ties, as the DB of 200,000 customers has them.
    rng = np.random.default_rng(5)
    x = -np.round(rng.gamma(2.0, 300.0, 200_000), 2)
    x[rng.random(200_000) < 0.1] = -0.0
    np.testing.assert_array_equal(stable_argsort(x), np.argsort(x, kind="stable"))
    distinct = rng.permutation(200_000).astype("float64")
    np.testing.assert_array_equal(stable_argsort(distinct), np.argsort(distinct))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from([0.0, -0.0, 1.5, 2.0, -4.0, math.nan]), max_size=400))
def test_percent_rank_counts_smaller_values(values):
    # Reference: the definition, a count of the strictly smaller values over all pairs.
    x = np.array(values, dtype="float64")
    valid = x[~np.isnan(x)]
    got = percent_rank(x)
    assert np.isnan(got[np.isnan(x)]).all()
    if len(valid) == 1:
        assert got[~np.isnan(x)].tolist() == [1.0]
    elif len(valid) > 1:
        smaller = (valid[:, None] > valid[None, :]).sum(axis=1)
        assert got[~np.isnan(x)].tolist() == (smaller / (len(valid) - 1)).tolist()


def test_targeting_takes_tied_ranks_in_table_order():
    from kundenwert_xl.core.decisions import targeting

    table = pd.DataFrame(
        {"value_rank": [2, 1, 2, 4], "net_revenue": [10.0, 20, 30, 40], "db3": [1.0, 2, 3, 4]},
        index=pd.Index(["a", "b", "c", "d"], name="customer_id"),
    )
    chosen, summary = targeting(table, "db3", budget=90, cost_per_contact=30)
    assert chosen.index.tolist() == ["b", "a", "c"]
    assert summary["revenue_share"] == pytest.approx(60 / 100)


def test_scenario_amounts_are_exact_cents():
    """Found by a trial: 'Umsatz weg' was 88020.48999999999, so =B27=88020,49 said FALSCH.

    Expected: Python's exact decimal sum of the customers' cent amounts, as a float.
    """
    from decimal import Decimal

    from kundenwert_xl.demo import make_demo

    data = make_demo(20_000, seed=11)
    result = kx.analyze(data.transactions, data.customers, data.contacts)
    customers = result.customers
    level = result.settings.ranking_level
    by_db = customers.sort_values(level, ascending=False, kind="stable")

    def cents(values):  # the demo's amounts are whole cents
        return sum(Decimal(str(round(v, 2))) for v in values)

    for key, row in result.scenarios.iterrows():
        if key == "dilemma":
            lost = customers[customers["dilemma"]]
        else:
            lost = by_db.iloc[len(by_db) - int(row["customers_lost"]) :]
        assert row["revenue_lost"] == float(cents(lost["net_revenue"])), key
        assert row["db_before"] == float(cents(customers[level])), key
        assert row["db_after"] == float(cents(customers[level]) - cents(lost[level])), key
        assert row["db_change"] == -float(cents(lost[level])), key
