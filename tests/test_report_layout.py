"""report.LAYOUT is the one layout: each block makes its rows, fits its place, and the headline
figures are numbers with number formats (issue 14)."""

import datetime as dt
import itertools

import pandas as pd
import pytest

import kundenwert_xl as kx
from kundenwert_xl import report
from kundenwert_xl.demo import make_demo
from tests.core.test_value_pareto import _article

EURO, PCT, INT = '#,##0.00 "€"', "0.0 %", "#,##0"


def _area(spec: report.BlockSpec, last_row: int) -> tuple[range, range]:
    rows = range(spec.row, (spec.last_row or last_row) + 1)
    return rows, range(spec.col, spec.col + len(spec.columns))


def test_no_two_blocks_on_a_sheet_overlap_at_their_maximum_size():
    for a, b in itertools.combinations(report.LAYOUT, 2):
        if a.sheet != b.sheet:
            continue
        (ra, ca), (rb, cb) = _area(a, 1_048_576), _area(b, 1_048_576)
        rows = set(ra) & set(rb)
        cols = set(ca) & set(cb)
        assert not (rows and cols), (a.key, b.key)


def test_every_block_makes_its_rows_within_its_place():
    data = make_demo(3000, seed=3)
    for analysis in (kx.analyze(data.transactions, data.customers, data.contacts), _article()):
        blocks = report.render(analysis)
        assert [b.spec.key for b in blocks] == [s.key for s in report.LAYOUT]
        for block in blocks:
            width = len(block.spec.columns)
            assert all(len(row) == width for row in block.rows), block.spec.key
            if block.spec.max_rows is not None:
                assert len(block.rows) <= block.spec.max_rows, block.spec.key


def test_headline_figures_are_numbers_with_their_formats():
    # Hand figures of the article case (ARTICLE in tests/core/test_value_pareto.py):
    # 10 customers, revenue 1,350, DB 100.
    rows = report.fact_rows(_article())
    formats = report.SPECS["facts"].row_formats
    expected = [
        ("Kunden", 10, INT),
        ("Nettoumsatz gesamt", 1350, EURO),
        ("Deckungsbeitrag gesamt (Rangstufe)", 100, EURO),
        ("Umsatzanteil der besten 20 % (nach Umsatz)", 800 / 1350, PCT),
        ("Kundenanteil für 80 % des Umsatzes", 0.4, PCT),
        ("DB-Anteil der besten 20 %", 1.0, PCT),
        ("DB-Anteil der nächsten 30 %", 0.5, PCT),
        ("DB-Anteil der übrigen 50 %", -0.5, PCT),
        ("DB-Anteil der schlechtesten 10 %", -0.2, PCT),
        ("Gipfel der Walkurve", 1.5, PCT),
        ("Kunden mit negativem DB", 5, INT),
        ("Dilemma-Kunden (→ Blatt Dilemma)", 1, INT),
        ("Stichtag", dt.date(2024, 6, 30), "DD.MM.YYYY"),
    ]
    assert len(rows) == len(formats) == len(expected)
    for (label, value), fmt, (want_label, want, want_fmt) in zip(
        rows, formats, expected, strict=True
    ):
        assert label == want_label and fmt == want_fmt
        assert not isinstance(value, str), label
        assert value == pytest.approx(want) if not isinstance(want, dt.date) else value == want


def test_one_percent_format_everywhere():
    percent = {c.fmt for s in report.LAYOUT for c in s.columns if c.fmt and "%" in c.fmt}
    percent |= {f for s in report.LAYOUT for f in s.row_formats if f and "%" in f}
    assert percent <= {"0.0 %", "0 %"}


def test_singular_and_plural_are_right():
    # the article case has exactly one dilemma customer (K10) and ten customers
    sentences = _article().sentences()
    assert sentences[0].startswith("10 Kunden, Umsatz 1.350,00 €")
    assert any(s.startswith("1 Dilemma-Kunde: ") for s in sentences)
    assert not any("1 Dilemma-Kunden" in s for s in sentences)


def test_scenarios_are_capped_where_their_block_ends():
    """Übersicht has room for seven scenarios and the dilemma row; an eighth is refused."""
    from kundenwert_xl.core.errors import KundenwertError
    from kundenwert_xl.settings import Settings

    label = "Szenarien: Anteile schlechteste Kunden"
    with pytest.raises(KundenwertError) as caught:
        Settings.from_mapping({label: "0,05; 0,1; 0,15; 0,2; 0,25; 0,3; 0,4; 0,5"})
    assert caught.value.problems[0].message.startswith(
        "8 Szenarien angegeben; die Übersicht hat Platz für höchstens 7."
    )
    seven = Settings.from_mapping({label: "0,05; 0,1; 0,15; 0,2; 0,25; 0,3; 0,4"})
    data = make_demo(2000, seed=5)
    analysis = kx.analyze(data.transactions, data.customers, data.contacts, settings=seven)
    block = next(b for b in report.render(analysis) if b.spec.key == "scenarios")
    assert len(block.rows) == 8 == block.spec.max_rows
    assert block.spec.last_row == 30 + 2 + 8 - 1


def test_the_customer_sheet_says_what_its_order_is():
    """Rows go by value rank (RFMR points and DB together), not by DB alone: the title says so
    (a new user saw 'Rangfolge nach DB III' above a customer with less DB ranked first)."""
    data = make_demo(3000, seed=3)
    analysis = kx.analyze(data.transactions, data.customers, data.contacts)
    block = next(b for b in report.render(analysis) if b.spec.key == "customers")
    assert block.title == (
        "Kundenwert je Kunde, Stichtag 31.12.2024, Rang nach Kundenwert (RFMR-Punkte und DB III)"
    )
    rank = [c.source for c in block.spec.columns].index("value_rank")
    ranks = [row[rank] for row in block.rows]
    assert ranks == sorted(ranks) and ranks[0] == 1


def test_an_empty_dilemma_list_says_it_was_looked_for():
    """Found by a new-user trial: an empty Dilemma sheet looked unfinished. K3 is the worst by
    DB (5 € revenue, 60 % goods, 8 € per order: -6 €) but a C customer by revenue."""
    tx = pd.DataFrame(
        {
            "Kundennr": ["K1", "K2", "K3"],
            "Datum": ["2024-01-01", "2024-01-02", "2024-01-03"],
            "Umsatz": [1000.0, 100.0, 5.0],
        }
    )
    analysis = kx.analyze(tx)
    assert analysis.dilemma.empty
    block = next(b for b in report.render(analysis) if b.spec.key == "dilemma")
    assert block.title == (
        "Dilemma-Kunden: keine – kein Kunde unter den schlechtesten 10 % nach DB gehört nach "
        "Umsatz zur Klasse A"
    )
    with_one = next(b for b in report.render(_article()) if b.spec.key == "dilemma")
    assert with_one.title is None  # the block's own title stands


def test_scenario_labels_name_the_share_as_set():
    """Found by a trial: a step of 0,205 was labelled '20 %' (164 of 800 customers let go)."""
    data = make_demo(3_000)
    steps = (0.05, 0.205, 0.3)
    result = kx.analyze(data.transactions, settings=kx.Settings(scenario_steps=steps))
    labels = [row[0] for row in report.scenario_rows(result)][:3]
    assert labels == [
        "Schlechteste 5 % nach DB abgeben",
        "Schlechteste 20,5 % nach DB abgeben",
        "Schlechteste 30 % nach DB abgeben",
    ]


#: Amounts that are sums of cent amounts (forecasts and means are not whole cents).
CENT_SUMS = {
    "gross_revenue", "net_revenue", "db1", "db2", "db3", "db4", "db", "cost_of_goods",
    "shipping_cost", "order_costs", "customer_costs", "contact_costs", "fixed_costs",
    "revenue_cum", "db_cum", "revenue", "revenue_lost", "db_before", "db_after", "db_change",
}  # fmt: skip


def test_every_amount_cell_holds_its_cents_exactly():
    """Found by a trial: 'Deckungsbeitrag gesamt' was 253576.19999999998, a segment's DB
    -330.73999999999995, a customer's Werbekosten 11.200000000000001; =B18=253576,2 would
    say FALSCH. Every cell of a sum of cent amounts is the double nearest to its cents."""
    data = make_demo(20_000, seed=11)
    result = kx.analyze(data.transactions, data.customers, data.contacts)
    checked = 0
    for block in report.render(result):
        for j, column in enumerate(block.spec.columns):
            if column.fmt != report.EURO or column.source not in CENT_SUMS:
                continue
            for row in block.rows:
                value = row[j]
                if isinstance(value, float):
                    assert value == round(value, 2), (block.spec.key, column.source, value)
                    checked += 1
    facts = dict(report.fact_rows(result))
    for label in ("Nettoumsatz gesamt", "Deckungsbeitrag gesamt (Rangstufe)"):
        assert facts[label] == round(facts[label], 2)
    assert checked > 5_000
