"""The forecast inside analyze(): settings, the forward DB by hand, refusals as notes."""

import math

import numpy as np
import pandas as pd
import pytest

import kundenwert_xl as kx

# lifetimes 0.11.3 for CDNOW customer 1 (see test_clv.py for how these were made): expected
# spend per purchase day and the 12-month CLV at 10 % a year (weeks; a month is 4.345 weeks).
SPEND_1 = 24.653918713235434
CLV_1 = 36.71144580258801
COLUMNS = ["p_alive", "expected_purchases", "expected_revenue", "clv_revenue", "clv_db"]


# Customer 1's DB I share of net revenue, from the cents above: 29.60 / 74.02.
DB1_RATIO_1 = 29.60 / 74.02


def _with_costs(tx: pd.DataFrame) -> pd.DataFrame:
    return tx.assign(cost_of_goods=tx["revenue"] * 0.6, shipping_cost=2.0)


def test_forward_db_by_hand(cdnow_sample):
    customers = pd.DataFrame({"customer_id": ["1"], "marketing_costs": [100.0]})
    settings = kx.Settings(reference_date="1997-09-30", order_handling_cost=8.0, forecast_months=12)
    result = kx.analyze(_with_costs(cdnow_sample), customers, settings=settings)
    row = result.customers.loc["1"]
    # Customer 1 until 30.09.1997: 29.33 (01.01.), 29.73 (18.01.), 14.96 (02.08.) = 74.02;
    # cost of goods 0.6 x each, money in whole cents per row (README): 17.598 -> 17.60,
    # 17.838 -> 17.84, 8.976 -> 8.98 = 44.42; DB I = 74.02 - 44.42 = 29.60;
    # DB II = 29.60 - 3 x 2 shipping - 3 x 8 orders = -0.40; DB III = -0.40 - 100 = -100.40.
    assert row[["net_revenue", "db1", "db2", "db3"]].tolist() == pytest.approx(
        [74.02, 29.60, -0.40, -100.40]
    )
    # The forward DB: D = CLV / spend discounted purchase days; per purchase day DB I ratio
    # 29.608 / 74.02 = 0.4 of the spend, less 30 / 3 = 10 of handling; the 100 of marketing
    # recur per day of the period 01.01.-30.09.1997 (273 days) over 12 discounted months of
    # 4.345 x 7 = 30.415 days.
    discounted = CLV_1 / SPEND_1
    horizon_days = sum(30.415 / 1.1 ** (i / 12) for i in range(1, 13))
    by_hand = discounted * (SPEND_1 * DB1_RATIO_1 - 10.0) - horizon_days * 100.0 / 273
    assert row["clv_revenue"] == pytest.approx(CLV_1, rel=1e-4)
    assert row["clv_db"] == pytest.approx(by_hand, rel=1e-4)
    assert row["clv_db"] < 0  # loses margin today, loses margin tomorrow
    # Undiscounted expected revenue: spend x purchases expected in 12 x 4.345 weeks.
    model = kx.clv_model(cdnow_sample, "1997-09-30")
    expected = model.predict(12 * 4.345).loc["1"]
    assert row["expected_purchases"] == pytest.approx(expected["expected_purchases"])
    assert row["expected_revenue"] == pytest.approx(
        SPEND_1 * expected["expected_purchases"], rel=1e-4
    )
    assert row["p_alive"] == pytest.approx(0.7266202977882537, abs=1e-5)


def test_ranking_level_decides_which_costs_recur(cdnow_sample):
    tx = _with_costs(cdnow_sample)
    by = {
        level: kx.analyze(
            tx, settings=kx.Settings(reference_date="1997-09-30", ranking_level=level)
        ).customers.loc["1", "clv_db"]
        for level in ("db1", "db2")
    }
    discounted = CLV_1 / SPEND_1
    assert by["db1"] == pytest.approx(discounted * SPEND_1 * DB1_RATIO_1, rel=1e-4)
    assert by["db2"] == pytest.approx(discounted * (SPEND_1 * DB1_RATIO_1 - 10.0), rel=1e-4)


def test_settings_in_german():
    s = kx.Settings.from_mapping(
        {
            "Prognose berechnen": "nein",
            "Prognose Monate": "24",
            "Prognose Zinssatz (jährlich)": "0,08",
        }
    )
    assert (s.forecast_enabled, s.forecast_months, s.forecast_discount_rate) == (False, 24, 0.08)
    rows = {label: value for label, value, _ in kx.Settings().to_rows()}
    assert rows["Prognose berechnen"] == "ja"
    assert rows["Prognose Monate"] == 12
    with pytest.raises(kx.KundenwertError) as excinfo:
        kx.Settings.from_mapping({"Prognose Monate": "0"})
    assert excinfo.value.problems[0].column == "Prognose Monate"


def test_forecast_off_adds_no_columns(fixture_tx):
    result = kx.analyze(fixture_tx, settings=kx.Settings(forecast_enabled=False))
    assert not set(COLUMNS) & set(result.customers.columns)


def test_refusal_is_a_note_and_leaves_the_rest_alone(fixture_tx):
    settings = kx.Settings(reference_date="2024-06-30")
    on = kx.analyze(fixture_tx, settings=settings)
    off = kx.analyze(fixture_tx, settings=settings.model_copy(update={"forecast_enabled": False}))
    # Repeat buyers: C1, C3, C4, C5 (DOMAIN.md §3.6 fixture).
    notes = [p for p in on.problems if p.code.startswith("clv_")]
    assert [(p.code, p.severity) for p in notes] == [("clv_too_few_repeat", "note")]
    assert notes[0].message.startswith("Keine Prognose: nur 4 Kunden")
    assert on.customers[COLUMNS].isna().all().all()
    pd.testing.assert_frame_equal(on.customers.drop(columns=COLUMNS), off.customers)
    assert on.facts == off.facts


def test_forecast_is_finite_for_every_buyer(cdnow_sample):
    result = kx.analyze(cdnow_sample, settings=kx.Settings(reference_date="1997-09-30"))
    forecast = result.customers[COLUMNS]
    assert np.isfinite(forecast.to_numpy()).all()
    assert len(forecast) == 2357
    # 8 customers of the sample bought only for $0: no DB ratio of their own, named.
    notes = [p for p in result.problems if p.code.startswith("clv_")]
    assert [p.code for p in notes] == ["clv_db_default_ratio"]
    assert notes[0].message.startswith("8 Kunden") and "60 %" in notes[0].message
    assert math.isclose(forecast["clv_revenue"].sum(), 72360.62867041375, rel_tol=1e-5)


def test_command_line_options_and_settings_file(cdnow_sample, tmp_path):
    import subprocess
    import sys

    src = tmp_path / "cdnow.csv"
    cdnow_sample.to_csv(src, index=False)
    toml = tmp_path / "einstellungen.toml"
    toml.write_text('"Stichtag" = "30.09.1997"\n"Prognose Monate" = 6\n', encoding="utf-8")

    def run(*args):
        return subprocess.run(
            [sys.executable, "-m", "kundenwert_xl.cli", "analyze", str(src), *args],
            capture_output=True,
            text=True,
        )

    out = tmp_path / "r.parquet"
    res = run("--einstellungen", str(toml), "--prognose-zins", "0,05", "-o", str(out))
    assert res.returncode == 0, res.stderr
    table = pd.read_parquet(out).set_index("Kundennr")
    # 6 months from the file, 5 % from the option: the same as the Python API says.
    model = kx.clv_model(cdnow_sample, "1997-09-30")
    expected = model.clv(months=6, discount_rate=0.05)
    got = table.loc[expected.index, "Prognose-CLV Umsatz (abgezinst)"].to_numpy(dtype=float)
    assert got == pytest.approx(expected.to_numpy(), rel=1e-12)
    assert table.loc["1", "P(aktiv)"] == pytest.approx(0.7266202977882537, abs=1e-5)

    off = tmp_path / "off.parquet"
    res = run("--einstellungen", str(toml), "--ohne-prognose", "-o", str(off))
    assert res.returncode == 0, res.stderr
    assert pd.read_parquet(off)["Prognose-DB (abgezinst)"].isna().all()


def test_dilemma_shows_p_alive_and_forward_db(cdnow_sample):
    from kundenwert_xl import report

    result = kx.analyze(
        _with_costs(cdnow_sample), settings=kx.Settings(reference_date="1997-09-30")
    )
    dilemma = result.dilemma
    assert len(dilemma) > 0
    c = result.customers.loc[dilemma.index]
    assert dilemma["p_alive"].tolist() == c["p_alive"].tolist()
    assert dilemma["clv_db"].tolist() == c["clv_db"].tolist()
    # The decision column keeps its place; the forecast follows it; former decisions stay in it.
    sources = [col.source for col in report.DILEMMA_COLUMNS]
    assert sources[-3:] == ["decision", "p_alive", "clv_db"]
    block = report.dilemma_block(result, {"gone": "abgeben"})
    assert block.rows[-1] == ["gone"] + [None] * (len(sources) - 4) + ["abgeben", None, None]


def test_ansprache_by_forward_db(cdnow_sample):
    tx = _with_costs(cdnow_sample)
    base = dict(reference_date="1997-09-30", budget=250.0, cost_per_contact=25.0)
    by_value = kx.analyze(tx, settings=kx.Settings(**base))
    by_forward = kx.analyze(tx, settings=kx.Settings(**base, targeting_order="forecast_db"))
    c = by_forward.customers
    # The 10 customers with the highest forward DB (ties by value rank), highest first.
    ranked = c.sort_values("value_rank", kind="stable")
    expected = ranked.sort_values("clv_db", ascending=False, kind="stable").index[:10]
    assert list(by_forward.targeting.index) == list(expected)
    assert by_forward.targeting["clv_db"].is_monotonic_decreasing
    assert list(by_value.targeting.index) == list(ranked.index[:10])
    assert kx.Settings.from_mapping({"Ansprache nach": "Prognose-DB"}).targeting_order == (
        "forecast_db"
    )


def test_ansprache_by_forward_db_without_forecast_says_so(fixture_tx):
    settings = kx.Settings(reference_date="2024-06-30", targeting_order="forecast_db")
    result = kx.analyze(fixture_tx, settings=settings)
    (note,) = [p for p in result.problems if p.code == "targeting_without_forecast"]
    assert note.severity == "note" and note.column == "Ansprache nach"
    ranked = result.customers.sort_values("value_rank", kind="stable").index
    assert list(result.targeting.index) == list(ranked[: len(result.targeting)])


def test_model_check_in_the_report(cdnow_sample):
    import datetime as dt

    from kundenwert_xl import report

    result = kx.analyze(cdnow_sample)  # Stichtag = last date, 30.06.1998
    info = result.forecast
    # Half the 546-day period in whole weeks = 39 weeks: calibration to 30.09.1997, as FHL 2005.
    assert info.calibration_end == dt.date(1997, 9, 30)
    assert info.holdout.totals["actual"] == 1882
    assert info.holdout.totals["predicted"] == pytest.approx(1653.4087241798925, rel=1e-5)
    model = kx.clv_model(cdnow_sample)
    assert info.params == model.params

    blocks = {b.spec.key: b for b in report.render(result)}
    params, check, curve = (
        blocks[k] for k in ("forecast_model", "forecast_check", "forecast_curve")
    )
    assert [row[1] for row in params.rows[:7]] == [
        model.params[k] for k in ("r", "alpha", "a", "b", "p", "q", "gamma")
    ]
    churn = model.params["a"] / (model.params["a"] + model.params["b"])
    assert f"{round(churn * 100)} %" in params.rows[2][2]
    assert check.rows[-1][:3] == ["Summe", 2357, 1882]
    assert "bis 30.09.1997" in check.title and "tatsächlich 1.882, erwartet 1.653,4" in check.title
    assert len(curve.rows) == 39 and curve.rows[-1][1] == 1882


def test_no_model_leaves_the_forecast_blocks_empty(fixture_tx):
    from kundenwert_xl import report

    result = kx.analyze(fixture_tx, settings=kx.Settings(reference_date="2024-06-30"))
    assert result.forecast is None
    keys = ("forecast_model", "forecast_check", "forecast_curve")
    blocks = [b for b in report.render(result) if b.spec.key in keys]
    assert [b.rows for b in blocks] == [[], [], []]
    assert "Grund im Prüfprotokoll" in blocks[0].title


def test_model_check_needs_eight_weeks(cdnow_sample):
    from kundenwert_xl.core.clv import quality_check
    from kundenwert_xl.core.ledger import to_day

    tx = cdnow_sample[cdnow_sample["date"] <= "1997-02-15"]
    check, end, notes = quality_check(tx, pd.Timestamp("1997-02-15").date(), to_day("1997-01-01"))
    assert check is None and end is None
    assert [p.code for p in notes] == ["clv_holdout_too_short"]
