"""Kundendeckungsbeitragsrechnung DB I-IV, computed by hand through every stage."""

import pandas as pd
import pytest

import kundenwert_xl as kx

REF = "2024-12-31"
SETTINGS = dict(
    reference_date=REF,
    cogs_rate=0.5,
    order_handling_cost=5.0,
    return_handling_cost=10.0,
    contact_costs={"Mailing": 1.0, "Hauptkatalog": 3.0},
    group_fixed_costs={"Handel": 100.0},
)


def _inputs():
    tx = pd.DataFrame(
        [
            # A, order A1: two lines; the second without cost of goods (rate 0.5 -> 50).
            ("A", "2024-03-01", "A1", 200.0, 120.0, 6.0, 20.0, False),
            ("A", "2024-03-01", "A1", 100.0, None, 0.0, 0.0, False),
            # A, order A2 came back: credit note in the same order, 80 % of cogs restocked.
            ("A", "2024-05-01", "A2", 150.0, 90.0, 6.0, 0.0, True),
            ("A", "2024-05-15", "A2", -150.0, -72.0, 0.0, 0.0, True),
            ("B", "2024-06-01", "B1", 100.0, 70.0, 4.0, None, False),
            ("C", "2024-07-01", "C1", 50.0, 40.0, None, None, False),
        ],
        columns=[
            "Kundennr",
            "Datum",
            "Auftragsnr",
            "Umsatz",
            "Wareneinsatz",
            "Versandkosten",
            "Rabatt",
            "Retoure",
        ],
    )
    customers = pd.DataFrame(
        [
            ("A", "Alpha GmbH", "Handel", 20.0, 10.0, 5.0),
            ("B", "Beta KG", "handel ", None, None, None),  # group names: trimmed, any case
            ("C", "Gamma AG", "Industrie", 0.0, 0.0, 0.0),
        ],
        columns=[
            "Kundennr",
            "Name",
            "Kundengruppe",
            "Vertriebskosten",
            "Marketingkosten",
            "Servicekosten",
        ],
    )
    contacts = pd.DataFrame(
        [
            ("A", "2024-01-10", "Mailing"),
            ("A", "2024-02-10", "Mailing"),
            ("A", "2024-04-01", "Hauptkatalog"),
        ],
        columns=["Kundennr", "Datum", "Art"],
    )
    return tx, customers, contacts


def test_every_stage_by_hand():
    tx, customers, contacts = _inputs()
    c = kx.analyze(tx, customers, contacts, kx.Settings(**SETTINGS)).customers
    # A: net 200 + 100 + 150 - 150 = 300; gross = 300 + discount 20 = 320
    assert c.loc["A", ["net_revenue", "discount", "gross_revenue"]].tolist() == [300, 20, 320]
    # cogs 120 + 50 + 90 - 72 = 188 -> DB I 112
    assert c.loc["A", ["cost_of_goods", "db1"]].tolist() == [188, 112]
    # shipping 12, 2 orders x 5, 1 returned order x 10 -> DB II 112 - 12 - 10 - 10 = 80
    assert c.loc["A", ["shipping_cost", "orders", "returned_orders", "db2"]].tolist() == [
        12,
        2,
        1,
        80,
    ]
    # own costs 35, contacts 2 x 1 + 1 x 3 = 5 -> DB III 40
    assert c.loc["A", ["customer_costs", "contact_costs", "db3"]].tolist() == [35, 5, 40]
    # Handel's 100 split by net revenue A 300 : B 100 -> 75 / 25
    assert c.loc["A", ["fixed_costs", "db4"]].tolist() == [75, -35]
    # B: DB I 30, DB II 30 - 4 - 5 = 21, DB III 21, DB IV 21 - 25 = -4
    assert c.loc["B", ["db1", "db2", "db3", "db4"]].tolist() == [30, 21, 21, -4]
    assert c.loc["B", "gross_revenue"] == 100  # blank discount counts as 0
    # C: DB I 10, DB II 10 - 0 - 5 = 5, no fixed costs for Industrie
    assert c.loc["C", ["db1", "db2", "db3", "db4"]].tolist() == [10, 5, 5, 5]
    assert c.loc["A", "db1_ratio"] == pytest.approx(112 / 300)
    assert c.loc["A", "db4_ratio"] == pytest.approx(-35 / 300)
    assert c.loc["A", ["name", "group"]].tolist() == ["Alpha GmbH", "Handel"]


def test_every_stage_is_the_exact_cent_amount():
    """Found by a new-user trial: 28.676,00 € was stored as 28675.999999999996, so an Excel
    formula =A1=28676 said FALSCH and equal amounts did not tie. By hand: net 0,40 + 0,70 =
    1,10, goods 0,20 -> DB I 0,90 (1.1 - 0.2 in euros is 0.9000000000000001); order cost
    0,70 € -> DB II 0,20 (in euros 0.20000000000000018)."""
    tx = pd.DataFrame(
        {
            "Kundennr": ["K1", "K1"],
            "Datum": ["2024-01-01", "2024-01-01"],
            "Auftragsnr": ["A1", "A1"],
            "Umsatz": [0.40, 0.70],
            "Wareneinsatz": [0.20, 0.0],
        }
    )
    settings = kx.Settings(order_handling_cost=0.7, return_handling_cost=0.0)
    c = kx.analyze(tx, settings=settings).customers
    assert c.loc["K1", "net_revenue"] == 1.1
    assert c.loc["K1", "db1"] == 0.9
    assert c.loc["K1", "db2"] == 0.2
    assert c.loc["K1", "db3"] == 0.2


def test_missing_cost_of_goods_column_uses_the_rate():
    tx, _customers, _contacts = _inputs()
    c = kx.analyze(tx.drop(columns=["Wareneinsatz"]), settings=kx.Settings(**SETTINGS)).customers
    # A: 0.5 x (200 + 100 + 150 - 150) = 150 -> DB I 150; the credit note reverses its share.
    assert c.loc["A", ["cost_of_goods", "db1"]].tolist() == [150, 150]


def test_fixed_costs_for_an_unknown_group_are_reported():
    tx, customers, contacts = _inputs()
    s = kx.Settings(**{**SETTINGS, "group_fixed_costs": {"Export": 50.0}})
    result = kx.analyze(tx, customers, contacts, s)
    assert result.customers["fixed_costs"].sum() == 0
    (p,) = [p for p in result.problems if p.code == "fixed_costs_without_group"]
    assert "'Export'" in p.message and p.severity == "warning"


def test_ranking_level_is_a_setting():
    tx, customers, contacts = _inputs()
    by_db4 = kx.analyze(tx, customers, contacts, kx.Settings(**SETTINGS, ranking_level="db4"))
    by_db1 = kx.analyze(tx, customers, contacts, kx.Settings(**SETTINGS, ranking_level="db1"))
    assert by_db4.facts["total_db"] == -34  # -35 - 4 + 5
    assert by_db1.facts["total_db"] == 152  # 112 + 30 + 10
    assert [p.code for p in by_db4.problems if p.severity != "note"] == ["db_total_not_positive"]


def test_every_assumed_cost_is_a_note_with_its_total():
    tx, customers, contacts = _inputs()
    result = kx.analyze(tx, customers, contacts, kx.Settings(**SETTINGS))
    notes = {p.code: p for p in result.problems if p.severity == "note"}
    assert set(notes) == {
        "cogs_rate_blank",
        "order_cost_assumed",
        "return_cost_assumed",
        "contact_cost_assumed",
        "period_extrapolated",
        "clv_too_few_repeat",  # three customers: too few repeat buyers for a forecast
    }
    # 01.03. to 31.12.2024, both counted: 31+30+31+30+31+31+30+31+30+31 = 306 days.
    assert notes["period_extrapolated"].message.startswith("Die Daten umfassen nur 306 Tage")
    # One row without cost of goods: revenue 100 x rate 0.5 = 50.
    assert notes["cogs_rate_blank"].message.startswith("1 Zeile ohne Wareneinsatz")
    blank = notes["cogs_rate_blank"].message
    assert "50,0 %" in blank and "50,00 €" in blank
    # Orders A1, A2, B1, C1 at 5 € = 20 €; one returned order at 10 €; contacts 1 + 1 + 3 = 5 €.
    assert "bei 4 Aufträgen zusammen 20,00 €" in notes["order_cost_assumed"].message
    assert "bei 1 Retoure zusammen 10,00 €" in notes["return_cost_assumed"].message
    assert "zusammen 5,00 €" in notes["contact_cost_assumed"].message
    assert notes["order_cost_assumed"].column == "Kosten je Auftrag (Euro)"


def test_missing_cost_columns_and_order_numbers_are_named():
    tx = pd.DataFrame(
        {"Kundennr": ["A", "B"], "Datum": ["2024-01-02", "2024-01-03"], "Umsatz": [100.0, 50.0]}
    )
    result = kx.analyze(tx)
    notes = {p.code: p for p in result.problems if p.severity == "note"}
    assert set(notes) == {
        "reference_date_assumed",
        "cogs_rate_assumed",
        "orders_from_rows",
        "order_cost_assumed",
        "period_extrapolated",
        "clv_no_repeat_purchases",  # two customers, one purchase each: no forecast
    }
    # Default rate 60 % of 150 € = 90 €; 2 orders at the default 8 € = 16 €.
    assumed = notes["cogs_rate_assumed"].message
    assert "60,0 %" in assumed and "90,00 €" in assumed
    assert "zusammen 16,00 €" in notes["order_cost_assumed"].message
    assert "03.01.2024" in notes["reference_date_assumed"].message
    free = kx.analyze(tx, settings=kx.Settings(order_handling_cost=0))
    assert "order_cost_assumed" not in {p.code for p in free.problems}


def test_every_column_of_the_result_can_be_changed_by_its_user():
    # The result's columns share no memory with one another or with a read-only view (the
    # orders are the RFM frequency): each is a column of its own that takes new values.
    tx, customers, contacts = _inputs()
    table = kx.analyze(tx, customers, contacts, kx.Settings(**SETTINGS)).customers
    before = table.copy()
    table.loc["A", "orders"] = 99
    assert table["frequency"].equals(before["frequency"])
    for column in table.columns:
        table.loc["A", column] = before.loc["B", column]
    assert table.loc["A"].equals(before.loc["B"].rename("A"))
    assert table.drop(index="A").equals(before.drop(index="A"))
