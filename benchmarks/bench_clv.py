"""Benchmark: kx.clv_model against lifetimes 0.11.3, fit + predict from transactions, one process.

Usage::

    python benchmarks/bench_clv.py                       # CDNOW sample, master, 200,000 synthetic
    python benchmarks/bench_clv.py --customers 50000 --repeat 3

lifetimes is not a dependency of the package: it comes with the test extra (as the package that
ships the CDNOW files) and works here with numpy 2 / pandas 3. Both sides start from the same
transaction frame and include building the summary (purchases of one day merged, weeks =
days / 7), fitting BG/NBD and Gamma-Gamma (penalizer 0, lifetimes' defaults otherwise) and
predicting P(alive), expected purchases in 39 weeks, expected spend and the 12-month CLV at 10 %
a year. Prints each time and the ratio ours / lifetimes (best of ``--repeat`` runs).

The synthetic data are drawn from the BG/NBD and Gamma-Gamma models themselves with the CDNOW
estimates (first purchases spread over 12 weeks, 39 weeks observed), so both fitters see data
their model fits.
"""

from __future__ import annotations

import argparse
import gc
import importlib.metadata
import time
import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd

import kundenwert_xl as kx

REFERENCE_DATE = "1997-09-30"


def best_of(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def cdnow(name: str) -> pd.DataFrame:
    path = importlib.metadata.distribution("lifetimes").locate_file(f"lifetimes/datasets/{name}")
    if name == "CDNOW_sample.txt":
        raw = pd.read_csv(path, sep=r"\s+", header=None, names=["m", "id", "date", "cds", "usd"])
    else:
        raw = pd.read_csv(path, sep=r"\s+", names=["id", "date", "cds", "usd"], header=0)
    return pd.DataFrame(
        {
            "customer_id": raw["id"].astype(str),
            "date": pd.to_datetime(raw["date"].astype(str), format="%Y%m%d"),
            "revenue": raw["usd"].astype("float64"),
        }
    )


def synthetic(customers: int, seed: int = 42) -> pd.DataFrame:
    """Transactions drawn from BG/NBD (r .243, alpha 4.414 weeks, a .793, b 2.426) + Gamma-Gamma."""
    rng = np.random.default_rng(seed)
    rate = rng.gamma(0.243, 1 / 4.414, customers) / 7.0  # purchases per day
    drop = rng.beta(0.793, 2.426, customers)
    birth = rng.integers(0, 84, customers)  # first purchase in the first 12 weeks
    horizon = 273 - birth
    # Repeat purchases until the customer drops out after one of them (at most 60 drawn).
    alive_for = np.minimum(rng.geometric(drop), 60)
    owner = np.repeat(np.arange(customers), alive_for)
    gaps = rng.exponential(1.0, len(owner)) / np.maximum(rate[owner], 1e-12)
    starts = np.r_[0, np.cumsum(alive_for)[:-1]]
    elapsed = np.cumsum(gaps)
    elapsed -= np.repeat(elapsed[starts] - gaps[starts], alive_for)
    keep = elapsed <= horizon[owner]
    day = np.concatenate([birth, birth[owner[keep]] + np.floor(elapsed[keep]).astype(int)])
    who = np.concatenate([np.arange(customers), owner[keep]])
    nu = rng.gamma(3.74, 1 / 15.44, customers)
    spend = rng.gamma(6.25, 1.0, len(who)) / nu[who]
    start = np.datetime64("1997-01-01")
    return pd.DataFrame(
        {
            "customer_id": pd.Categorical(who.astype(str)),
            "date": (start + day.astype("timedelta64[D]")).astype("datetime64[ns]"),
            "revenue": np.round(spend, 2),
        }
    )


def ours(tx: pd.DataFrame) -> pd.DataFrame:
    model = kx.clv_model(tx, reference_date=REFERENCE_DATE, time_unit="W")
    out = model.predict(39)
    out["clv"] = model.clv(12, 0.10)
    return out


def theirs(tx: pd.DataFrame) -> pd.DataFrame:
    from lifetimes import BetaGeoFitter, GammaGammaFitter
    from lifetimes.utils import summary_data_from_transaction_data

    s = summary_data_from_transaction_data(
        tx[tx["revenue"] >= 0],
        "customer_id",
        "date",
        "revenue",
        observation_period_end=REFERENCE_DATE,
        freq="D",
        freq_multiplier=7,
    )
    bg = BetaGeoFitter(penalizer_coef=0.0).fit(s["frequency"], s["recency"], s["T"])
    rep = s[(s["frequency"] > 0) & (s["monetary_value"] > 0)]
    gg = GammaGammaFitter(penalizer_coef=0.0).fit(rep["frequency"], rep["monetary_value"])
    out = pd.DataFrame(index=s.index)
    out["p_alive"] = bg.conditional_probability_alive(s["frequency"], s["recency"], s["T"])
    out["expected_purchases"] = bg.conditional_expected_number_of_purchases_up_to_time(
        39, s["frequency"], s["recency"], s["T"]
    )
    out["expected_spend"] = gg.conditional_expected_average_profit(
        s["frequency"], s["monetary_value"]
    )
    out["clv"] = gg.customer_lifetime_value(
        bg,
        s["frequency"],
        s["recency"],
        s["T"],
        s["monetary_value"],
        time=12,
        discount_rate=1.1 ** (1 / 12) - 1,
        freq="W",
    )
    return out


def compare(name: str, tx: pd.DataFrame, repeat: int) -> None:
    a, b = ours(tx), theirs(tx)
    b.index = b.index.astype(str)
    b = b.loc[a.index]
    worst = {
        c: float(np.max(np.abs(a[c] - b[c]) / np.maximum(np.abs(b[c]), 1e-9))) for c in a.columns
    }
    t_ours = best_of(lambda: ours(tx), repeat)
    t_theirs = best_of(lambda: theirs(tx), repeat)
    customers = tx["customer_id"].nunique()
    print(
        f"{name:<28} {len(tx):>9,} rows {customers:>9,} customers  "
        f"ours {t_ours:7.3f} s  lifetimes {t_theirs:7.3f} s  ratio {t_ours / t_theirs:5.2f}"
    )
    print("    largest relative difference: " + ", ".join(f"{k} {v:.1e}" for k, v in worst.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    warnings.simplefilter("ignore")  # lifetimes' pandas deprecation noise
    compare("CDNOW sample", cdnow("CDNOW_sample.txt"), args.repeat)
    compare("CDNOW master", cdnow("CDNOW_master.txt"), args.repeat)
    compare(f"synthetic {args.customers:,}", synthetic(args.customers), max(1, args.repeat - 2))


if __name__ == "__main__":
    main()
