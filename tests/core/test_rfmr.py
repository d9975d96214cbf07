"""RFMR point scoring with the [DBM] defaults (DOMAIN.md §2.2), computed by hand.

Reference date 2024-12-31; a month is 30.4375 days; bands are [lower, upper).
"""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kundenwert_xl as kx
from kundenwert_xl.core.rfmr import band_points
from kundenwert_xl.settings import DBM_MONETARY, DBM_RECENCY, DBM_RETURNS

REF = "2024-12-31"


def _tx():
    rows = [
        # A: last purchase 182 days before (5.98 months -> +40); 4 purchases in window (+24);
        # last three 20, 30, 40 -> average 30 (+5); no returns.
        ("A", "2024-01-10", "A1", 10.0, False),
        ("A", "2024-03-10", "A2", 20.0, False),
        ("A", "2024-05-10", "A3", 30.0, False),
        ("A", "2024-07-02", "A4", 40.0, False),
        # B: last purchase 183 days before (6.01 months -> +25). B1 is 548 days before (18.004
        # months: outside the 18-month window), B2 547 days (17.97: inside) -> 2 purchases (+12).
        # Average of last three (50 + 60 + 40) / 3 = 50 exactly -> band 50-100 (+15).
        # B1 and B2 came back (B1 with a credit note in the same order): 2 returns (-5).
        ("B", "2023-07-02", "B1", 50.0, True),
        ("B", "2023-07-20", "B1", -50.0, True),
        ("B", "2023-07-03", "B2", 60.0, True),
        ("B", "2024-07-01", "B3", 40.0, False),
        # C: only a credit note: no purchase, no points.
        ("C", "2024-02-01", "C1", -20.0, True),
        # D: one purchase of exactly 400 (+45), 274 days before (9.002 months -> +15), +6.
        ("D", "2024-04-01", "D1", 400.0, False),
    ]
    return pd.DataFrame(rows, columns=["Kundennr", "Datum", "Auftragsnr", "Umsatz", "Retoure"])


def _contacts():
    rows = [
        ("A", "2024-07-01", "Hauptkatalog"),  # before the last purchase: does not count
        ("A", "2024-07-02", "Mailing"),  # on the day of the last purchase: does not count
        ("A", "2024-08-01", "Sonderkatalog"),  # -6
        ("A", "2024-09-01", "mailing"),  # -2 (channel names are matched case-insensitively)
        ("A", "2025-01-05", "Hauptkatalog"),  # after the reference date: ignored, reported
        ("D", "2024-03-01", "Hauptkatalog"),  # before D's purchase
    ]
    return pd.DataFrame(rows, columns=["Kundennr", "Datum", "Art"])


def _run(**kw):
    return kx.analyze(_tx(), contacts=_contacts(), settings=kx.Settings(reference_date=REF, **kw))


def test_points_per_criterion_hand_computed():
    c = _run().customers
    assert c.loc["A", "months_since_last_purchase"] == pytest.approx(182 / 30.4375)
    assert c.loc[["A", "B", "D"], "rfmr_recency"].tolist() == [40, 25, 15]
    assert c.loc[["A", "B", "D"], "purchases_in_window"].tolist() == [4, 2, 1]
    assert c.loc[["A", "B", "D"], "rfmr_frequency"].tolist() == [24, 12, 6]
    assert c.loc[["A", "B", "D"], "avg_last_purchases"].tolist() == [30, 50, 400]
    assert c.loc[["A", "B", "D"], "rfmr_monetary"].tolist() == [5, 15, 45]
    assert c.loc[["A", "B", "D"], "returned_orders"].tolist() == [0, 2, 0]
    assert c.loc[["A", "B", "D"], "rfmr_returns"].tolist() == [0, -5, 0]
    assert c.loc[["A", "B", "D"], "contacts_since_last_purchase"].tolist() == [2, 0, 0]
    assert c.loc[["A", "B", "D"], "rfmr_contacts"].tolist() == [-8, 0, 0]
    # 25 + 40 + 24 + 5 + 0 - 8 = 86; 25 + 25 + 12 + 15 - 5 = 72; 25 + 15 + 6 + 45 = 91
    assert c.loc[["A", "B", "D"], "rfmr_points"].tolist() == [86, 72, 91]
    assert c.loc["C", ["rfmr_points", "rfmr_recency", "rfmr_contacts"]].isna().all()


def test_contacts_after_reference_date_are_reported():
    problems = _run().problems
    problems = [p for p in problems if p.severity != "note"]
    assert [p.code for p in problems] == ["contacts_after_reference_date"]
    assert problems[0].severity == "warning" and problems[0].table == "Werbekontakte"


def test_return_ratio_variant_and_weights():
    c = _run(rfmr_returns_basis="ratio").customers
    # B: 2 returned of 3 orders = 0.667 -> band "ab 0,5" -> -40: 25 + 25 + 12 + 15 - 40 = 37
    assert c.loc["B", "return_ratio"] == pytest.approx(2 / 3)
    assert c.loc["B", "rfmr_points"] == 37
    weighted = _run(rfmr_weights=(2, 1, 1, 1, 0.5)).customers
    # A: 25 + 2*40 + 24 + 5 + 0 + 0.5*(-8) = 130
    assert weighted.loc["A", "rfmr_points"] == 130


def test_last_n_and_window_are_settings():
    c = _run(rfmr_monetary_last_n=1, rfmr_frequency_window_months=6).customers
    # A: last purchase 40 -> band 0-50 (+5); window 6 months = 182.625 days: only A4 (182 days).
    assert c.loc["A", "avg_last_purchases"] == 40
    assert c.loc["A", "purchases_in_window"] == 1
    # B: last purchase 40; B3 is 183 days before: outside a 6-month window.
    assert c.loc["B", "purchases_in_window"] == 0


def test_band_edges_of_every_default_table():
    assert band_points(np.array([5.999, 6.0, 8.999, 9.0, 24.0, 100.0]), DBM_RECENCY).tolist() == [
        40,
        25,
        25,
        15,
        -15,
        -15,
    ]
    assert band_points(np.array([0.0, 49.99, 50.0, 399.99, 400.0]), DBM_MONETARY).tolist() == [
        5,
        5,
        15,
        40,
        45,
    ]
    assert band_points(
        np.array([0, 1, 2, 3, 4, 6, 7, 10, 11, 15, 16, 99.0]), DBM_RETURNS
    ).tolist() == [
        0,
        0,
        -5,
        -5,
        -10,
        -10,
        -20,
        -20,
        -30,
        -30,
        -40,
        -40,
    ]


def test_unknown_channel_is_an_error_naming_the_setting():
    contacts = pd.DataFrame({"Kundennr": ["A"], "Datum": ["2024-08-01"], "Art": ["Messe"]})
    with pytest.raises(kx.KundenwertError) as info:
        kx.analyze(_tx(), contacts=contacts, settings=kx.Settings(reference_date=REF))
    (p,) = info.value.problems
    assert p.code == "unknown_channel" and p.table == "Werbekontakte" and p.value == "Messe"
    assert "RFMR Punkte je Werbekontakt" in p.message and "Zeile 2" in p.message


def test_own_channel_table_from_the_sheet():
    s = kx.Settings.from_mapping(
        {"Stichtag": "31.12.2024", "RFMR Punkte je Werbekontakt": "Messe: -3,5"}
    )
    contacts = pd.DataFrame({"Kundennr": ["A"], "Datum": ["2024-08-01"], "Art": ["Messe"]})
    c = kx.analyze(_tx(), contacts=contacts, settings=s).customers
    assert c.loc["A", "rfmr_contacts"] == -3.5


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("0-6: 40; 6-9: 25; 8-12: 15; ab 12: 0", "überschneiden sich zwischen 8 und 9"),
        ("0-6: 40; 7-9: 25; ab 9: 0", "Lücke zwischen 6 und 7"),
        ("0-6: 40; 6-9: 25", "nach oben offen"),
        ("1-6: 40; ab 6: 0", "bei 0 beginnen"),
        ("0-6: 40; 9-6: 25; ab 9: 0", "obere Grenze muss größer"),
        ("null bis sechs", "ist kein Band"),
    ],
)
def test_bad_bands_name_the_setting(text, fragment):
    with pytest.raises(kx.KundenwertError) as info:
        kx.Settings.from_mapping({"RFMR Punkte letzter Kauf (Monate)": text})
    (p,) = info.value.problems
    assert p.column == "RFMR Punkte letzter Kauf (Monate)"
    assert fragment in p.message


@settings(max_examples=50, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.integers(0, 6), st.integers(0, 900), st.floats(1, 900).map(lambda v: round(v, 2))
        ),
        min_size=1,
        max_size=40,
    )
)
def test_property_points_are_the_sum_of_their_criteria(rows):
    tx = pd.DataFrame(
        {
            "customer_id": [f"K{c}" for c, _, _ in rows],
            "date": pd.Timestamp("2022-06-01") + pd.to_timedelta([d for _, d, _ in rows], "D"),
            "revenue": [v for _, _, v in rows],
        }
    )
    c = kx.analyze(tx).customers
    parts = c[["rfmr_recency", "rfmr_frequency", "rfmr_monetary", "rfmr_returns", "rfmr_contacts"]]
    np.testing.assert_allclose(c["rfmr_points"], 25 + parts.sum(axis=1))
    assert (c["rfmr_recency"] == 40).sum() >= 1  # the latest buyer bought 0 days before


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.integers(0, 5),
            st.integers(0, 60),
            st.integers(0, 30),
            st.floats(-50, 500).map(lambda v: round(v, 2)),
        ),
        min_size=1,
        max_size=60,
    ),
    n_last=st.integers(1, 6),
)
def test_property_last_n_mean_by_rounds_equals_by_sorting(rows, n_last):
    from kundenwert_xl.core import schema
    from kundenwert_xl.core.ledger import build_ledger
    from kundenwert_xl.core.rfmr import last_purchases_mean

    tx = pd.DataFrame(
        {
            "customer_id": [f"K{c}" for c, _, _, _ in rows],
            "date": pd.Timestamp("2024-01-01") + pd.to_timedelta([d for _, d, _, _ in rows], "D"),
            "order_id": [f"A{o:03d}" for _, _, o, _ in rows],
            "revenue": [v for _, _, _, v in rows],
        }
    )
    ledger = build_ledger(schema.validate(tx, "transactions"), None)
    by_rounds = last_purchases_mean(ledger, n_last, method="rounds")
    by_sorting = last_purchases_mean(ledger, n_last, method="sort")
    # Both add the same whole cents exactly: equal to the last bit.
    np.testing.assert_array_equal(by_rounds, by_sorting)


@pytest.mark.parametrize("packed_bits", [62, 0])
@pytest.mark.parametrize("order_numbers", [True, False])
def test_last_n_mean_where_one_day_straddles_the_cut(monkeypatch, packed_bits, order_numbers):
    # 12 customers buying on 4 days with 2-4 purchases a day: nearly every customer's n-th
    # newest purchase shares its day with older ones, so the same-day rule decides what is
    # taken. The sort (with its packed key, and with the argsort it falls back to beyond 62
    # bits) against rounds, the independent way; with order numbers (orders of several rows)
    # and without (every row a purchase of its own).
    from kundenwert_xl.core import rfmr, schema
    from kundenwert_xl.core.ledger import build_ledger

    monkeypatch.setattr(rfmr, "PACKED_BITS", packed_bits)
    rng = np.random.default_rng(3)
    rows = 400
    order_ids = rng.integers(0, 150, rows).astype(str)
    order_ids[rng.random(rows) < 0.2] = ""  # rows without an order number
    tx = pd.DataFrame(
        {
            "customer_id": [f"K{c}" for c in rng.integers(0, 12, rows)],
            "date": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 4, rows), "D"),
            "order_id": pd.Series(order_ids).replace("", None),
            "revenue": rng.choice([-5.0, 10.0, 10.0, 25.5, 40.0, 99.99], rows),
        }
    )
    if not order_numbers:
        tx = tx.drop(columns="order_id")
    ledger = build_ledger(schema.validate(tx, "transactions"), None)
    for n_last in (1, 2, 3, 5, 8, 40):
        by_rounds = rfmr.last_purchases_mean(ledger, n_last, method="rounds")
        np.testing.assert_array_equal(rfmr.last_purchases_mean(ledger, n_last), by_rounds)
    # The same sort counts the purchases from a day on: against a plain count, with the day
    # before, on and after the data's first and last days.
    purchases = rfmr._purchases(ledger)
    cust, day = purchases[:2]
    for since in range(int(day.min()) - 1, int(day.max()) + 2):
        *_, recent = rfmr._newest_sums(ledger, 3, *purchases, since_day=since)
        plain = np.bincount(cust[day >= since], minlength=ledger.n_customers)
        np.testing.assert_array_equal(recent, plain)


def test_last_purchases_with_order_numbers_per_customer():
    # Both customers number their orders from 1: A bought 100 and 300, B bought 50 (its "1").
    tx = pd.DataFrame(
        {
            "Kundennr": ["A", "A", "B"],
            "Datum": ["2024-01-01", "2024-02-01", "2024-01-15"],
            "Auftragsnr": ["1", "2", "1"],
            "Umsatz": [100.0, 300.0, 50.0],
        }
    )
    c = kx.analyze(tx, settings=kx.Settings(reference_date=REF)).customers
    assert c.loc["A", "avg_last_purchases"] == 200  # (100 + 300) / 2
    assert c.loc["B", "avg_last_purchases"] == 50
    assert c["purchases_in_window"].tolist() == [2, 1]
