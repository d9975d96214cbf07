"""Predictive customer value: BG/NBD purchases and Gamma-Gamma spend (DOMAIN.md §6.3, §8).

Both models are fitted by maximum likelihood on log-parameters with analytic gradients. The
likelihood of a customer depends only on ``(x, t_x, T)`` (BG/NBD) or ``(x, m_x)``
(Gamma-Gamma), so every likelihood, prediction and CLV is evaluated once per *distinct* row and
weighted by how many customers share it: at day resolution 200,000 customers collapse to a few
ten thousand rows.

The optimiser's own success flag is not trusted (DOMAIN.md §6.3 lists data on which it reports
success with nonsense parameters). A fit is accepted only when the gradient at the optimum is
numerically zero, every parameter lies in ``[1e-6, 1e6]``, the Hessian of the negative
log-likelihood is positive definite and, for the spend model, ``q > 1`` (otherwise the mean spend
does not exist). Anything else is refused with :class:`KundenwertError` and a named reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from scipy import optimize, special

from kundenwert_xl import texts
from kundenwert_xl.core import schema
from kundenwert_xl.core.errors import KundenwertError, Problem
from kundenwert_xl.core.ledger import Ledger, build_ledger, to_day
from kundenwert_xl.core.summary import rfm_summary, summary_from_ledger

TimeUnit = Literal["D", "W"]

#: Days per time unit; ``W`` is continuous (days / 7), as in the published CDNOW summary.
DAYS_PER_UNIT: dict[str, float] = {"D": 1.0, "W": 7.0}
#: Length of a month in the time unit, as lifetimes' ``customer_lifetime_value`` counts it.
MONTH_LENGTH: dict[str, float] = {"D": 30.0, "W": 4.345}
#: Fewest customers with a repeat purchase (and, for the spend model, with positive repeat
#: spend) a model is fitted on. Below that the four or three parameters are not identified
#: well enough to be shown to anyone; the CDNOW sample has 946.
MIN_REPEAT_CUSTOMERS = 20
#: Accepted range of every fitted parameter.
PARAM_RANGE = (1e-6, 1e6)
#: Largest accepted gradient of the mean negative log-likelihood (log-parameters) at the optimum.
_GRADIENT_TOLERANCE = 1e-5
#: Smallest accepted eigenvalue of the Hessian relative to its largest.
_HESSIAN_RELATIVE_FLOOR = 1e-10

BGNBD_PARAMS = ("r", "alpha", "a", "b")
GAMMA_GAMMA_PARAMS = ("p", "q", "gamma")


def _refusal(
    code: str, severity: Literal["error", "warning", "note"] = "error", **params: object
) -> Problem:
    return Problem(
        code,
        params=params,
        table=texts.TABLE_NAMES["transactions"],
        severity=severity,
    )


def _small_codes(column: np.ndarray) -> tuple[np.ndarray, int]:
    """Codes of a column and how many there can be, for combining columns into one key.

    Whole numbers in ``[0, 2**20)`` (purchase counts, days) are their own codes, no hashing;
    anything else is factorized.
    """
    values = np.asarray(column)
    if len(values) and values.dtype.kind in "fiu":
        low, high = values.min(), values.max()
        if 0 <= low and high < 2**20 and np.array_equal(values, np.trunc(values)):
            return values.astype("int64"), int(high) + 1
    codes, uniques = pd.factorize(values)
    return codes.astype("int64"), max(len(uniques), 1)


def _distinct(columns: tuple[np.ndarray, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the distinct rows of aligned columns, their counts and each row's position.

    Hash-based, so linear in the rows: the columns' codes are combined into one integer key and
    factorized once (distinct rows in the order of their first occurrence);
    ``numpy.unique(axis=0)`` sorts a void view and took half the fit time at 200,000 customers.
    """
    codes, size = _small_codes(columns[0])
    for column in columns[1:]:
        more, more_size = _small_codes(column)
        if size * more_size >= 2**62:
            codes, _ = pd.factorize(codes)
            size = int(codes.max()) + 1 if len(codes) else 1
        codes = codes * more_size + more
        size *= more_size
    codes, _ = pd.factorize(codes)
    n_distinct = int(codes.max()) + 1 if len(codes) else 0
    first = np.empty(n_distinct, dtype=np.intp)
    # Reversed assignment leaves each code's first occurrence in place.
    first[codes[::-1]] = np.arange(len(codes) - 1, -1, -1)
    rows = np.column_stack([np.asarray(c, dtype="float64")[first] for c in columns])
    counts = np.bincount(codes, minlength=n_distinct).astype("float64")
    return rows, counts, codes


# --- BG/NBD -----------------------------------------------------------------------------------


def _wsum(weights: np.ndarray, values: np.ndarray) -> float:
    """Σ weights × values, without BLAS.

    A threaded ``dot`` of 40,000 numbers took 15 ms on a busy 2-core machine (its threads wait
    for cores); the plain product and sum take 0.1 ms.
    """
    return float(np.sum(weights * values))


class _Levels:
    """The distinct values of a column and each row's position among them.

    x has a few dozen distinct values and t_x, T a few hundred (whole days), so the special
    functions and logarithms of the likelihood are evaluated per level and gathered per row.
    """

    def __init__(self, values: np.ndarray) -> None:
        codes, uniques = pd.factorize(values)
        self.values = np.asarray(uniques, dtype="float64")
        self.codes = codes

    def __call__(self, fn: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
        return fn(self.values)[self.codes]


def _bgnbd_objective(
    x: np.ndarray, t_x: np.ndarray, T: np.ndarray, w: np.ndarray
) -> Callable[[np.ndarray], tuple[float, np.ndarray]]:
    """Mean negative log-likelihood of the BG/NBD and its gradient in log-parameters.

    The per-customer likelihood is lifetimes' ``BetaGeoFitter._negative_log_likelihood``
    (Fader, Hardie & Lee 2005, eq. 6), written as A1 + A2 + log(exp(A3) + [x>0] exp(A4)).

    A1, A2 and their derivatives depend on x alone and are summed per distinct x with the
    weight of its rows; rows without a repeat purchase contribute A3 = -r log(alpha + T) alone
    and are summed per distinct T. For rows with a repeat purchase A3 depends on (x, T) and A4
    on (x, t_x), a few thousand distinct pairs each: both are evaluated per pair, and the one
    pass over rows is the mixing log(exp(A3) + exp(A4)) = A4 + softplus(A3 - A4), whose
    derivative splits each row's weight into a share for A3 and one for A4; those shares are
    summed per pair (``bincount``) and meet the pairs' derivatives there. Only ufuncs numpy
    vectorises (exp, log, arithmetic) run per row: ``logaddexp`` and ``expit`` took 10 times
    as long.
    """
    xs = _Levels(x)
    x_weight = np.bincount(xs.codes, weights=w, minlength=len(xs.values))
    repeat = x > 0
    ages = _Levels(T)
    once_weight = np.bincount(ages.codes[~repeat], weights=w[~repeat], minlength=len(ages.values))
    rx_w = w[repeat]
    # Distinct (x, T) and (x, t_x) of the rows with a repeat purchase, and each row's pair.
    age_pairs, _, age_code = _distinct((x[repeat], T[repeat]))
    recency_pairs, _, recency_code = _distinct((x[repeat], t_x[repeat]))
    x3, T3 = age_pairs[:, 0], age_pairs[:, 1]
    x4, tx4 = recency_pairs[:, 0], recency_pairs[:, 1]
    recency_weight = np.bincount(recency_code, weights=rx_w, minlength=len(x4))
    total = w.sum()
    xv = xs.values

    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        r, alpha, a, b = np.exp(theta)
        log_alpha = np.log(alpha)
        # Per distinct x: A1 + A2 and the parts of the gradient that depend on x alone.
        psi_ab = special.digamma(a + b)
        psi_abx = special.digamma(a + b + xv)
        level_ll = (
            special.gammaln(r + xv)
            - special.gammaln(r)
            + r * log_alpha
            + special.gammaln(a + b)
            + special.gammaln(b + xv)
            - special.gammaln(a + b + xv)
            - special.gammaln(b)
        )
        ll_sum = _wsum(x_weight, level_ll)
        d_r = _wsum(x_weight, special.digamma(r + xv) - special.digamma(r) + log_alpha)
        d_alpha = total * r / alpha
        d_a = _wsum(x_weight, psi_ab - psi_abx)
        d_b = _wsum(x_weight, psi_ab + special.digamma(b + xv) - special.digamma(b) - psi_abx)

        # Rows without a repeat purchase, per distinct T: A3 with weight 1 on it.
        log_age_v = np.log(alpha + ages.values)
        ll_sum -= r * _wsum(once_weight, log_age_v)
        d_r -= _wsum(once_weight, log_age_v)
        d_alpha -= r * _wsum(once_weight, 1.0 / (alpha + ages.values))

        if len(rx_w):
            log_age = np.log(alpha + T3)
            log_tx = np.log(alpha + tx4)
            # b + x - 1 > 0 wherever x >= 1.
            inv_bx1 = 1.0 / (b + x4 - 1.0)
            a3 = -(r + x3) * log_age
            a4 = np.log(a) - np.log(b + x4 - 1.0) - (r + x4) * log_tx
            # Per row: d = A3 - A4; softplus(d) = max(d, 0) + log(1 + exp(-|d|)) and the
            # share of A3, 1 / (1 + exp(-d)) (0 where exp(-d) overflows, as it should).
            d = a3.take(age_code)
            d -= a4.take(recency_code)
            tmp = np.abs(d)
            np.negative(tmp, out=tmp)
            np.exp(tmp, out=tmp)
            tmp += 1.0
            np.log(tmp, out=tmp)
            tmp += np.maximum(d, 0.0)
            ll_sum += _wsum(recency_weight, a4) + _wsum(rx_w, tmp)
            np.negative(d, out=d)
            np.exp(d, out=d)
            d += 1.0
            np.divide(rx_w, d, out=d)
            w3 = np.bincount(age_code, weights=d, minlength=len(x3))
            w4 = recency_weight - np.bincount(recency_code, weights=d, minlength=len(x4))
            d_r -= _wsum(w3, log_age) + _wsum(w4, log_tx)
            d_alpha -= _wsum(w3, (r + x3) / (alpha + T3)) + _wsum(w4, (r + x4) / (alpha + tx4))
            d_a += float(np.sum(w4)) / a
            d_b -= _wsum(w4, inv_bx1)
        grad = np.array([r * d_r, alpha * d_alpha, a * d_a, b * d_b])
        return -ll_sum / total, -grad / total

    return objective


def _p_alive(params: dict[str, float], x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray:
    """P(alive | x, t_x, T); 1 for customers without a repeat purchase (lifetimes' convention)."""
    r, alpha, a, b = (params[k] for k in BGNBD_PARAMS)
    repeat = x > 0
    bx1 = np.where(repeat, b + x - 1.0, 1.0)
    # In logs: the odds of having dropped out overflow for customers long silent.
    log_odds = np.log(a / bx1) + (r + x) * np.log((alpha + T) / (alpha + t_x))
    return np.where(repeat, special.expit(-log_odds), 1.0)


def _expected_purchases(
    params: dict[str, float], t: np.ndarray, x: np.ndarray, t_x: np.ndarray, T: np.ndarray
) -> np.ndarray:
    """E[purchases in (T, T + t] | x, t_x, T] (lifetimes' formula; ``t`` broadcasts)."""
    return _given_alive(params, t, x, t_x, T, _purchase_curve(params, t, x, T))


def _purchase_curve(
    params: dict[str, float], t: np.ndarray, x: np.ndarray, T: np.ndarray
) -> np.ndarray:
    """The part of :func:`_expected_purchases` before the drop-out odds: it has no t_x.

    So it is evaluated once per distinct (x, T) (a third of the distinct (x, t_x, T) rows on
    the demo data) and gathered: the hypergeometric function is the costly part of every
    forecast and of the weekly holdout curve.
    """
    r, alpha, a, b = (params[k] for k in BGNBD_PARAMS)
    big_a, big_b, big_c, z = np.broadcast_arrays(r + x, b + x, a + b + x - 1.0, t / (alpha + T + t))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        log_power = np.broadcast_to((r + x) * np.log((alpha + T) / (alpha + t + T)), z.shape)
        hyp = special.hyp2f1(big_a, big_b, big_c, z)
        # 1 - 2F1 x power: in logs (expm1) where 2F1 > 0, as lifetimes computes it; directly
        # where 2F1 <= 0, which happens for x = 0 when a + b < 1 (lifetimes takes the log of
        # it there and returns NaN).
        second = np.where(
            hyp > 0, -np.expm1(np.log(hyp) + log_power), 1.0 - hyp * np.exp(log_power)
        )
        # Euler's transformation where the series overflows (lifetimes does the same), only
        # there.
        bad = ~np.isfinite(hyp)
        if bad.any():
            ca, cb, cc, cz = big_a[bad], big_b[bad], big_c[bad], z[bad]
            other = special.hyp2f1(cc - ca, cc - cb, cc, cz)
            log_rest = (cc - ca - cb) * np.log1p(-cz) + log_power[bad]
            second[bad] = np.where(
                other > 0,
                -np.expm1(np.log(other) + log_rest),
                1.0 - other * np.exp(log_rest),
            )
        first = (a + b + x - 1.0) / (a - 1.0)
        return first * second


def _given_alive(
    params: dict[str, float],
    t: np.ndarray,
    x: np.ndarray,
    t_x: np.ndarray,
    T: np.ndarray,
    curve: np.ndarray,
) -> np.ndarray:
    """Expected purchases from :func:`_purchase_curve` and the odds of having dropped out."""
    r, alpha, a, b = (params[k] for k in BGNBD_PARAMS)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        repeat = x > 0
        bx1 = np.where(repeat, b + x - 1.0, 1.0)
        odds = np.where(
            repeat, np.exp(np.log(a / bx1) + (r + x) * np.log((alpha + T) / (alpha + t_x))), 0.0
        )
        out = curve / (1.0 + odds)
    # A customer whose drop-out odds overflow is gone: nothing more is expected.
    return np.where(np.isinf(odds), 0.0, np.where(t == 0, 0.0, out))


# --- Gamma-Gamma ------------------------------------------------------------------------------


def _gamma_gamma_objective(
    x: np.ndarray, m: np.ndarray, w: np.ndarray
) -> Callable[[np.ndarray], tuple[float, np.ndarray]]:
    """Mean negative log-likelihood of the Gamma-Gamma spend model and its gradient.

    lifetimes' ``GammaGammaFitter._negative_log_likelihood`` (Fader & Hardie 2013, eq. 3), with
    ``gamma`` for lifetimes' ``v``. The terms in ``log m`` and ``log x`` are linear in p, so
    their weighted sums are taken once; the special functions run per distinct x; per row only
    ``log(x m + v)`` and ``1 / (x m + v)`` remain.
    """
    xs = _Levels(x)
    x_weight = np.bincount(xs.codes, weights=w, minlength=len(xs.values))
    wx = w * x
    wx_weight = np.bincount(xs.codes, weights=wx, minlength=len(xs.values))
    log_m = np.log(m)
    # Σ w (p x − 1) log m + Σ w p x log x = p × linear − log_m_sum.
    linear = _wsum(wx, log_m + np.log(x))
    log_m_sum = _wsum(w, log_m)
    xm = x * m
    total = w.sum()
    u = xs.values

    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        p, q, v = np.exp(theta)
        log_v = np.log(v)
        shifted = xm + v
        inv = 1.0 / shifted
        log_xm_v = np.log(shifted)
        wx_log, w_log = _wsum(wx, log_xm_v), _wsum(w, log_xm_v)
        wx_inv, w_inv = _wsum(wx, inv), _wsum(w, inv)
        psi_pxq = special.digamma(p * u + q)
        ll = (
            _wsum(x_weight, special.gammaln(p * u + q) - special.gammaln(p * u))
            + total * (q * log_v - special.gammaln(q))
            + p * linear
            - log_m_sum
            - p * wx_log
            - q * w_log
        )
        d_p = _wsum(wx_weight, psi_pxq - special.digamma(p * u)) + linear - wx_log
        d_q = _wsum(x_weight, psi_pxq) + total * (log_v - special.digamma(q)) - w_log
        d_v = total * q / v - p * wx_inv - q * w_inv
        grad = np.array([p * d_p, q * d_q, v * d_v])
        return -ll / total, -grad / total

    return objective


def _expected_spend(params: dict[str, float], x: np.ndarray, m: np.ndarray) -> np.ndarray:
    """E[mean spend per purchase | x, m_x]: a weighted mean of the population mean and m_x."""
    p, q, v = (params[k] for k in GAMMA_GAMMA_PARAMS)
    weight = p * x / (p * x + q - 1.0)
    return (1.0 - weight) * (p * v / (q - 1.0)) + weight * m


# --- Fitting ----------------------------------------------------------------------------------


def _hessian(objective: Callable, theta: np.ndarray) -> np.ndarray:
    """Hessian by central differences of the analytic gradient (symmetrised)."""
    n = len(theta)
    h = 1e-5
    out = np.empty((n, n))
    for j in range(n):  # one column per parameter: 3 or 4 passes, not per customer
        step = np.zeros(n)
        step[j] = h
        out[:, j] = (objective(theta + step)[1] - objective(theta - step)[1]) / (2 * h)
    return (out + out.T) / 2


def _remembered(
    objective: Callable[[np.ndarray], tuple[float, np.ndarray]],
) -> Callable[[np.ndarray], tuple[float, np.ndarray]]:
    """The objective, answering a point it was already asked from memory.

    The fit asks again for the point where BFGS stopped: one full pass over the rows saved.
    """
    seen: dict[bytes, tuple[float, np.ndarray]] = {}

    def wrapped(theta: np.ndarray) -> tuple[float, np.ndarray]:
        key = np.asarray(theta, dtype="float64").tobytes()
        if key not in seen:
            seen[key] = objective(theta)
        value, grad = seen[key]
        return value, grad.copy()

    return wrapped


def _fit(
    objective: Callable, theta0: np.ndarray, names: tuple[str, ...], model: str
) -> tuple[dict[str, float], float]:
    """Minimise ``objective`` (mean NLL, gradient) and accept the optimum only if it is one.

    BFGS finds the optimum; a few Newton steps with the numerical Hessian then polish it, so
    the parameters are exact to far below the 1e-4 the tests ask and do not depend on where the
    quasi-Newton iteration happened to stop.
    """
    label = texts.CLV_MODEL_NAMES[model]
    objective = _remembered(objective)
    with np.errstate(all="ignore"):
        # BFGS to a moderate gradient (~30 evaluations; a tight one costs twice that in failed
        # line searches), then the Newton steps below make the gradient vanish. Not L-BFGS-B:
        # its compiled core calls threaded BLAS and spent 5 ms per iteration on a busy machine.
        result = optimize.minimize(
            objective, theta0, jac=True, method="BFGS", options={"gtol": 1e-6, "maxiter": 2000}
        )
        theta = result.x
        value, grad = objective(theta)
        # One Hessian serves the polishing steps and the final check: near the optimum it
        # changes far less than the tolerances, and each one costs 2 x n gradient passes.
        hess = _hessian(objective, theta) if np.all(np.isfinite(grad)) else np.full((1, 1), np.nan)
        for _ in range(10):
            if not np.all(np.isfinite(grad)) or np.max(np.abs(grad)) < 1e-12:
                break
            try:
                step = np.linalg.solve(hess, grad)
            except np.linalg.LinAlgError:
                break
            candidate = theta - step
            new_value, new_grad = objective(candidate)
            if not np.isfinite(new_value):
                break
            # Near the optimum a step changes the value by less than its rounding (~1e-15 for
            # a mean NLL near 6), so the value cannot tell a better point: a smaller gradient
            # does. Judged by the value alone, the spend model of make_demo(200_000, seed=7)
            # stopped at a gradient of 4e-8.
            rounding = 1e-14 * max(abs(value), 1.0)
            smaller = np.all(np.isfinite(new_grad)) and np.max(np.abs(new_grad)) < np.max(
                np.abs(grad)
            )
            if new_value > value + 1e-15 and not (new_value <= value + rounding and smaller):
                break
            theta, value, grad = candidate, new_value, new_grad
        params = np.exp(theta)
    shown = tuple(zip(names, params.tolist(), strict=True))
    if not (np.isfinite(value) and np.all(np.isfinite(grad)) and np.all(np.isfinite(params))):
        raise KundenwertError([_refusal("clv_not_converged", model=label)])
    low, high = PARAM_RANGE
    if np.any(params < low) or np.any(params > high):
        raise KundenwertError([_refusal("clv_param_out_of_range", model=label, params=shown)])
    if np.max(np.abs(grad)) > _GRADIENT_TOLERANCE:
        raise KundenwertError([_refusal("clv_not_converged", model=label)])
    eig = np.linalg.eigvalsh(hess) if np.all(np.isfinite(hess)) else np.array([-1.0])
    if eig.min() <= _HESSIAN_RELATIVE_FLOOR * max(abs(eig.max()), 1e-300):
        raise KundenwertError([_refusal("clv_hessian_not_definite", model=label, params=shown)])
    return dict(zip(names, (float(v) for v in params), strict=True)), value


# --- The model --------------------------------------------------------------------------------


@dataclass(frozen=True)
class HoldoutCheck:
    """Predicted against actual repeat purchases in a holdout period.

    Attributes
    ----------
    totals : dict
        ``customers``, ``actual``, ``predicted`` (purchases in the holdout period), ``length``
        (the holdout period in the model's time unit).
    by_frequency : pandas.DataFrame
        Indexed by the calibration repeat purchases ``0 … 6, "7+"``: ``customers``,
        ``actual``, ``predicted`` (sums) and ``actual_mean``, ``predicted_mean`` (per customer).
    cumulative : pandas.DataFrame
        One row per week of the holdout period (the last may be partial): ``day`` (days after
        the reference date), ``actual`` and ``predicted`` cumulative repeat purchases.
    """

    totals: dict[str, float]
    by_frequency: pd.DataFrame
    cumulative: pd.DataFrame


@dataclass(frozen=True)
class CLVModel:
    """A fitted BG/NBD + Gamma-Gamma model; build it with :func:`clv_model`.

    Attributes
    ----------
    params : dict
        ``r``, ``alpha``, ``a``, ``b`` (BG/NBD; ``alpha`` in the time unit) and ``p``, ``q``,
        ``gamma`` (Gamma-Gamma; lifetimes calls ``gamma`` ``v``).
    log_likelihood : dict
        ``bgnbd`` and ``gamma_gamma``: the maximised log-likelihoods (sums over customers).
    summary : pandas.DataFrame
        Per ``customer_id``: ``frequency``, ``recency``, ``T``, ``monetary_value`` in the time
        unit (continuous: weeks are days / 7).
    time_unit : {"D", "W"}
        Unit of ``recency``, ``T``, ``alpha`` and of the horizon of :meth:`predict`.
    reference_date : datetime.date
        End of the calibration period.
    problems : list of Problem
        Notes on the fit (e.g. customers left out of the spend model).
    """

    params: dict[str, float]
    log_likelihood: dict[str, float]
    summary: pd.DataFrame
    time_unit: TimeUnit
    reference_date: dt.date
    problems: list[Problem] = field(default_factory=list)
    # Distinct (x, t_x, T) rows and each customer's row: every prediction runs on those.
    _rows: np.ndarray = field(default=None, repr=False, compare=False)  # type: ignore[arg-type, assignment]
    _inverse: np.ndarray = field(default=None, repr=False, compare=False)  # type: ignore[arg-type, assignment]
    # Distinct (x, T) of those rows and each row's pair: the part without t_x runs on those.
    _pairs: np.ndarray = field(default=None, repr=False, compare=False)  # type: ignore[arg-type, assignment]
    _pair_of_row: np.ndarray = field(default=None, repr=False, compare=False)  # type: ignore[arg-type, assignment]

    def _arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        s = self.summary
        return (
            s["frequency"].to_numpy(),
            s["recency"].to_numpy(),
            s["T"].to_numpy(),
            s["monetary_value"].to_numpy(),
        )

    def _distinct_rows(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Distinct (x, t_x, T) rows, each customer's row, distinct (x, T) pairs, each row's."""
        if self._rows is not None:
            return self._rows, self._inverse, self._pairs, self._pair_of_row
        x, t_x, T, _ = self._arrays()
        rows, _, inverse = _distinct((x, t_x, T))
        pairs, _, pair_of_row = _distinct((rows[:, 0], rows[:, 2]))
        return rows, inverse, pairs, pair_of_row

    def _purchases_at(self, horizons: np.ndarray) -> np.ndarray:
        """Expected purchases per customer (rows) up to each horizon (columns)."""
        rows, inverse, pairs, pair_of_row = self._distinct_rows()
        t = horizons[None, :]
        curve = _purchase_curve(self.params, t, pairs[:, :1], pairs[:, 1:2])[pair_of_row]
        values = _given_alive(self.params, t, rows[:, :1], rows[:, 1:2], rows[:, 2:3], curve)
        return _finite(values[inverse])

    def _purchase_totals(self, horizons: np.ndarray) -> np.ndarray:
        """Expected purchases up to each horizon (> 0), summed over all customers.

        Σ_customers curve(x, T) / (1 + odds(x, t_x, T)) = Σ_pairs curve × Σ_rows of the pair
        (customers / (1 + odds)): the odds are taken once, and per horizon only the curve of
        each distinct (x, T) pair is evaluated and weighted. Raises like :meth:`_purchases_at`
        where a customer's value would not be finite.
        """
        rows, inverse, pairs, pair_of_row = self._distinct_rows()
        r, alpha, a, b = (self.params[k] for k in BGNBD_PARAMS)
        x, t_x, T = rows[:, 0], rows[:, 1], rows[:, 2]
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            repeat = x > 0
            bx1 = np.where(repeat, b + x - 1.0, 1.0)
            odds = np.where(
                repeat,
                np.exp(np.log(a / bx1) + (r + x) * np.log((alpha + T) / (alpha + t_x))),
                0.0,
            )
            # As in _given_alive: a customer whose drop-out odds overflow expects nothing.
            gone = np.isinf(odds)
            alive = np.where(gone, 0.0, 1.0 / (1.0 + odds))
        customers = np.bincount(inverse, minlength=len(rows)).astype("float64")
        weight = np.bincount(pair_of_row, weights=customers * alive, minlength=len(pairs))
        live = np.bincount(pair_of_row, weights=~gone, minlength=len(pairs)) > 0
        live_pairs, live_weight = pairs[live], weight[live]
        totals = np.empty(len(horizons))
        # One horizon at a time (52 at most), each over the distinct pairs only.
        for i, horizon in enumerate(horizons):
            curve = _purchase_curve(
                self.params, np.array([float(horizon)]), live_pairs[:, 0], live_pairs[:, 1]
            )
            totals[i] = _wsum(live_weight, _finite(curve))
        return totals

    def _spend(self) -> np.ndarray:
        x, _, _, m = self._arrays()
        return _finite(_expected_spend(self.params, x, m))

    def predict(self, t: float) -> pd.DataFrame:
        """Forecast per customer for the next ``t`` time units.

        Parameters
        ----------
        t : float
            Horizon in the model's time unit (39 = 39 weeks with ``time_unit="W"``).

        Returns
        -------
        pandas.DataFrame
            Indexed by ``customer_id``: ``p_alive`` (probability that the customer is still
            active at the reference date), ``expected_purchases`` (purchase days expected in
            the next ``t`` units) and ``expected_spend`` (expected mean spend per purchase day,
            Gamma-Gamma).
        """
        if not (np.isfinite(t) and t >= 0):
            raise ValueError(f"horizon must be a finite non-negative number, not {t!r}")
        x, t_x, T, _ = self._arrays()
        out = pd.DataFrame(
            {
                "p_alive": _finite(_p_alive(self.params, x, t_x, T)),
                "expected_purchases": self._purchases_at(np.array([float(t)]))[:, 0],
                "expected_spend": self._spend(),
            },
            index=self.summary.index,
        )
        return out

    def clv(self, months: int = 12, discount_rate: float = 0.10) -> pd.Series:
        """Discounted expected revenue per customer over the next ``months`` months.

        Sums month by month like lifetimes' ``customer_lifetime_value``: expected spend ×
        (expected purchases by month i − by month i−1) / (1 + discount_rate)^(i/12); a month is
        30 days (``D``) or 4.345 weeks (``W``).

        Parameters
        ----------
        months : int
            Horizon in months (≥ 1).
        discount_rate : float
            Yearly discount rate (0.10 = 10 %); the monthly rate is (1 + rate)^(1/12) − 1.

        Returns
        -------
        pandas.Series
            ``clv`` in the currency of the revenue, indexed by ``customer_id``.
        """
        if int(months) != months or months < 1:
            raise ValueError(f"months must be a positive whole number, not {months!r}")
        if not (np.isfinite(discount_rate) and discount_rate > -1):
            raise ValueError(f"discount_rate must be a number above -1, not {discount_rate!r}")
        return pd.Series(
            self._spend() * self.discounted_purchases(int(months), discount_rate),
            index=self.summary.index,
            name="clv",
        )

    def discounted_purchases(self, months: int, discount_rate: float) -> np.ndarray:
        """Σ_i (E[purchases by month i] − E[… by month i−1]) / (1 + rate)^(i/12) per customer."""
        return _discounted(self._monthly_purchases(months), discount_rate)

    def _monthly_purchases(self, months: int) -> np.ndarray:
        """Expected purchases per customer up to month 0 … ``months`` (columns).

        Month 0 is 0 by definition (:func:`_given_alive`), so it is not evaluated.
        """
        steps = np.arange(1, months + 1, dtype="float64")
        cumulative = np.zeros((len(self.summary), months + 1))
        cumulative[:, 1:] = self._purchases_at(steps * MONTH_LENGTH[self.time_unit])
        return cumulative

    def holdout(
        self,
        transactions: pd.DataFrame,
        holdout_end: dt.date | str,
        ledger: Ledger | None = None,
    ) -> HoldoutCheck:
        """Compare predicted and actual repeat purchases after the reference date.

        Parameters
        ----------
        transactions : pandas.DataFrame
            The transactions, including those of the holdout period (German headers accepted).
        holdout_end : date or str
            Last day of the holdout period (after the reference date).
        ledger : Ledger, optional
            The ledger already built from these transactions up to ``holdout_end``: used
            instead of validating and indexing them a second time.

        Returns
        -------
        HoldoutCheck
            Purchase days (a day with a row of revenue ≥ 0, as in the calibration) of the
            model's customers in (reference date, holdout end], against the model's forecast.
        """
        if isinstance(holdout_end, str):
            holdout_end = dt.date.fromisoformat(holdout_end)
        ref_day = to_day(self.reference_date)
        end_day = to_day(holdout_end)
        if end_day <= ref_day:
            raise KundenwertError(
                [
                    _refusal(
                        "clv_holdout_end",
                        holdout_end=holdout_end,
                        reference_date=self.reference_date,
                    )
                ]
            )
        if ledger is None:
            clean = schema.validate(
                transactions, "transactions", only=("customer_id", "date", "revenue")
            )
            ledger = build_ledger(clean, holdout_end)
        elif ledger.reference_day != end_day:
            raise ValueError("the ledger must end on holdout_end")
        position = self.summary.index.get_indexer(ledger.customer_ids)
        row_customer = position[ledger.codes]
        keep = (ledger.day > ref_day) & (ledger.revenue >= 0) & (row_customer >= 0)
        n = len(self.summary)
        length_days = end_day - ref_day
        # One purchase per customer and day: distinct (customer, day) keys.
        key = row_customer[keep].astype("int64") * (length_days + 1) + (ledger.day[keep] - ref_day)
        # Distinct by one sort: numpy 2.4's plain unique hashes, 0.42 s for 500,000 keys (8 ms).
        key.sort()
        key = key[np.concatenate(([True], key[1:] != key[:-1]))] if len(key) else key
        customer, offset = np.divmod(key, length_days + 1)
        actual = np.bincount(customer, minlength=n).astype("float64")

        week_days = np.minimum(np.arange(1, -(-length_days // 7) + 1) * 7, length_days)
        horizons = week_days / DAYS_PER_UNIT[self.time_unit]
        totals = self._purchase_totals(horizons)
        # Per customer only at the end of the holdout period, for the table by frequency.
        predicted = self._purchases_at(horizons[-1:].astype("float64"))[:, 0]
        cumulative = pd.DataFrame(
            {
                "day": week_days,
                "actual": np.searchsorted(np.sort(offset), week_days, side="right").astype(
                    "float64"
                ),
                "predicted": totals,
            },
            index=pd.RangeIndex(1, len(week_days) + 1, name="week"),
        )
        x = self.summary["frequency"].to_numpy()
        bucket = np.minimum(x, 7).astype("int64")
        counts = np.bincount(bucket, minlength=8).astype("float64")
        act = np.bincount(bucket, weights=actual, minlength=8)
        pred = np.bincount(bucket, weights=predicted, minlength=8)
        with np.errstate(invalid="ignore", divide="ignore"):
            by_frequency = pd.DataFrame(
                {
                    "customers": counts,
                    "actual": act,
                    "predicted": pred,
                    "actual_mean": np.where(counts > 0, act / counts, np.nan),
                    "predicted_mean": np.where(counts > 0, pred / counts, np.nan),
                },
                index=pd.Index([*map(str, range(7)), "7+"], name="frequency"),
            )
        summary = {
            "customers": float(n),
            "actual": float(actual.sum()),
            "predicted": float(predicted.sum()),
            "length": length_days / DAYS_PER_UNIT[self.time_unit],
        }
        return HoldoutCheck(summary, by_frequency, cumulative)


#: Longest holdout period of the model check, in days (52 weeks).
HOLDOUT_MAX_DAYS = 364
#: Shortest holdout period worth showing, in days.
HOLDOUT_MIN_DAYS = 28


@dataclass(frozen=True)
class ForecastInfo:
    """What the workbook shows about the model behind the forecast.

    Attributes
    ----------
    params, log_likelihood : dict
        Of the model fitted up to the reference date (the one the forecast columns use).
    holdout : HoldoutCheck or None
        A second model fitted up to ``calibration_end``, checked against what happened from
        then to the reference date; None when that check is not possible (see the notes).
    calibration_end : datetime.date or None
    """

    params: dict[str, float]
    log_likelihood: dict[str, float]
    holdout: HoldoutCheck | None = None
    calibration_end: dt.date | None = None


def quality_check(
    transactions: pd.DataFrame,
    reference_date: dt.date,
    first_day: int,
    ledger: Ledger | None = None,
) -> tuple[HoldoutCheck | None, dt.date | None, list[Problem]]:
    """Fit on the first part of the data and compare with what happened in the rest.

    The holdout period is the last half of the analysed period in whole weeks, at most 52
    weeks (on the CDNOW log to 30.06.1998: weeks 40–78, as in Fader, Hardie & Lee 2005).
    ``ledger``, the transactions' ledger up to ``reference_date`` when :func:`analyze` has
    built it, serves both the calibration and the holdout period: no second validation.

    Returns
    -------
    (HoldoutCheck or None, calibration end or None, list of Problem)
        The check, or None and a note saying why there is none.
    """
    ref_day = to_day(reference_date)
    length = min(HOLDOUT_MAX_DAYS, (ref_day - first_day + 1) // 2) // 7 * 7
    if length < HOLDOUT_MIN_DAYS:
        return None, None, [_refusal("clv_holdout_too_short", severity="note")]
    calibration_end = reference_date - dt.timedelta(days=int(length))
    try:
        model = clv_model(transactions, calibration_end, time_unit="W", ledger=ledger)
        check = model.holdout(transactions, reference_date, ledger=ledger)
    except KundenwertError as exc:
        reason = exc.problems[0].message if exc.problems else ""
        return None, None, [_refusal("clv_holdout_refused", severity="note", reason=reason)]
    return check, calibration_end, []


def _discount_factors(months: int, discount_rate: float) -> np.ndarray:
    """1 / (1 + yearly rate)^(i/12) for months i = 1 … months (= monthly compounding)."""
    return (1.0 + discount_rate) ** (-np.arange(1, months + 1, dtype="float64") / 12.0)


def _discounted(cumulative: np.ndarray, discount_rate: float) -> np.ndarray:
    """Monthly increments of cumulative expected purchases, discounted and summed per row."""
    months = cumulative.shape[1] - 1
    return (np.diff(cumulative, axis=1) * _discount_factors(months, discount_rate)).sum(axis=1)


def forward_values(
    model: CLVModel,
    margins: pd.DataFrame,
    purchase_revenue: pd.Series,
    level: str,
    months: int,
    discount_rate: float,
    period_days: int,
    cogs_rate: float,
) -> tuple[pd.DataFrame, list[Problem]]:
    """The forecast per customer, in revenue and in contribution margin at the ranking level.

    With D = discounted expected purchase days over the horizon, S = expected spend per purchase
    day (Gamma-Gamma) and H = discounted days of the horizon (Σ month length in days /
    (1 + rate)^(i/12)), from the customer's own history up to the reference date:

    ``clv_db = D × (S × DB I / purchase revenue − (DB I − DB II) / purchase days)
    − H × (DB II − DB level) / days of the analysed period``

    DB I per euro of purchase revenue (rows of revenue ≥ 0) carries the cost-of-goods ratio and
    the credit notes; shipping, order and return handling (DB I − DB II) recur per purchase day;
    the customer's own sales, marketing, service, contact and fixed costs (DB II − DB III/IV)
    recur per day whether or not the customer buys. The terms below the ranking level are left
    out (``db1``: only the first; ``db2``: no time-driven costs).

    Parameters
    ----------
    model : CLVModel
    margins : pandas.DataFrame
        ``db1`` … ``db4`` per customer (any customers; aligned to the model's by id).
    purchase_revenue : pandas.Series
        Sum of the rows with revenue ≥ 0 per customer up to the reference date.
    level : {"db1", "db2", "db3", "db4"}
        The ranking level.
    months : int
        Horizon in months.
    discount_rate : float
        Yearly discount rate.
    period_days : int
        Days of the analysed period (first transaction to reference date, inclusive).
    cogs_rate : float
        Cost-of-goods rate used where a customer has no purchase revenue to take the ratio from.

    Returns
    -------
    (pandas.DataFrame, list of Problem)
        Indexed like ``model.summary``: ``p_alive``, ``expected_purchases``,
        ``expected_revenue`` (undiscounted, over the horizon), ``clv_revenue``, ``clv_db``; and
        notes on assumptions made.
    """
    index = model.summary.index
    unit = model.time_unit
    # One evaluation of the monthly curve serves the discounted sum and, in its last month,
    # the expected purchases over the horizon (predict() would evaluate that month again).
    cumulative = model._monthly_purchases(months)
    expected_purchases = cumulative[:, -1]
    x, t_x, T, _ = model._arrays()
    p_alive = _finite(_p_alive(model.params, x, t_x, T))
    spend = model._spend()
    discounted = _discounted(cumulative, discount_rate)
    m = margins.reindex(index)
    gross = purchase_revenue.reindex(index).to_numpy(dtype="float64")
    db1 = m["db1"].to_numpy(dtype="float64")
    problems: list[Problem] = []
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(gross > 0, db1 / gross, 1.0 - cogs_rate)
    no_base = int(np.count_nonzero(gross <= 0))
    if no_base:
        problems.append(
            _refusal(
                "clv_db_default_ratio",
                severity="note",
                count=no_base,
                rate=float(cogs_rate),
            )
        )
    per_purchase = np.zeros(len(index))
    per_day = np.zeros(len(index))
    rank = ("db1", "db2", "db3", "db4").index(level)
    if rank >= 1:
        days = model.summary["frequency"].to_numpy() + 1.0
        per_purchase = (db1 - m["db2"].to_numpy(dtype="float64")) / days
    if rank >= 2:
        per_day = (m["db2"].to_numpy(dtype="float64") - m[level].to_numpy(dtype="float64")) / max(
            period_days, 1
        )
    month_days = MONTH_LENGTH[unit] * DAYS_PER_UNIT[unit]
    horizon_days = month_days * _discount_factors(months, discount_rate).sum()
    clv_revenue = spend * discounted
    clv_db = discounted * (spend * ratio - per_purchase) - horizon_days * per_day
    out = pd.DataFrame(
        {
            "p_alive": p_alive,
            "expected_purchases": expected_purchases,
            "expected_revenue": spend * expected_purchases,
            "clv_revenue": clv_revenue,
            "clv_db": _finite(clv_db),
        },
        index=index,
    )
    return out, problems


def _finite(values: np.ndarray) -> np.ndarray:
    """Guard the promise that valid input never yields NaN or infinity."""
    if not np.all(np.isfinite(values)):
        raise KundenwertError([_refusal("clv_not_finite")])
    return values


def clv_model(
    transactions: pd.DataFrame,
    reference_date: dt.date | str | None = None,
    time_unit: TimeUnit = "W",
    ledger: Ledger | None = None,
) -> CLVModel:
    """Fit BG/NBD and Gamma-Gamma to transactions up to the reference date.

    Parameters
    ----------
    transactions : pandas.DataFrame
        Needs ``customer_id``, ``date``, ``revenue`` (German headers accepted). A purchase day
        is a day with at least one row of revenue ≥ 0; credit notes are not purchases.
    reference_date : date or str, optional
        End of the calibration period; default the last transaction date.
    time_unit : {"W", "D"}
        Weeks (days / 7, continuous) or days.
    ledger : Ledger, optional
        The ledger :func:`analyze` already built from these transactions, up to
        ``reference_date`` or a later day: used instead of validating and indexing them a
        second time (its later rows are left out of the fit).

    Returns
    -------
    CLVModel

    Raises
    ------
    KundenwertError
        Before fitting when fewer than :data:`MIN_REPEAT_CUSTOMERS` customers have a repeat
        purchase (or a positive repeat spend); after fitting when the optimum is not a valid
        estimate (no convergence, a parameter outside ``[1e-6, 1e6]``, a Hessian that is not
        positive definite, ``q ≤ 1``).

    Examples
    --------
    >>> model = clv_model(tx, reference_date="1997-09-30", time_unit="W")  # doctest: +SKIP
    >>> model.predict(39)  # doctest: +SKIP
    """
    if time_unit not in DAYS_PER_UNIT:
        raise ValueError(f"time_unit must be 'D' or 'W', not {time_unit!r}")
    if isinstance(reference_date, str):
        reference_date = dt.date.fromisoformat(reference_date)
    if ledger is not None:
        if reference_date is None:
            reference_date = ledger.reference_date
        until = to_day(reference_date)
        if until > ledger.reference_day:
            raise ValueError("reference_date lies after the reference date of the ledger")
        summary = summary_from_ledger(ledger, mode="clv", freq="D", until_day=until)
    else:
        summary = rfm_summary(transactions, reference_date, mode="clv", freq="D")
    problems = list(summary.attrs.get("problems", []))
    scale = DAYS_PER_UNIT[time_unit]
    recency_days, age_days = summary["recency"].to_numpy(), summary["T"].to_numpy()
    summary = summary.assign(recency=recency_days / scale, T=age_days / scale)
    summary.attrs = {}
    if reference_date is None:
        clean = schema.validate(
            transactions, "transactions", only=("customer_id", "date", "revenue")
        )
        reference_date = build_ledger(clean, None).reference_date

    x = summary["frequency"].to_numpy()
    T = summary["T"].to_numpy()
    m = summary["monetary_value"].to_numpy()
    repeaters = int(np.count_nonzero(x > 0))
    if repeaters == 0:
        raise KundenwertError([_refusal("clv_no_repeat_purchases")])
    if repeaters < MIN_REPEAT_CUSTOMERS:
        raise KundenwertError(
            [_refusal("clv_too_few_repeat", count=repeaters, minimum=MIN_REPEAT_CUSTOMERS)]
        )
    # T = 0: a customer who first bought on the reference date carries no information about
    # the purchase rate, but is part of the likelihood like in lifetimes.
    # Distinct rows of whole days (their own codes, no hashing), then in the time unit.
    day_rows, weights, inverse = _distinct((x, recency_days, age_days))
    day_pairs, _, pair_of_row = _distinct((day_rows[:, 0], day_rows[:, 2]))
    rows = np.column_stack([day_rows[:, 0], day_rows[:, 1] / scale, day_rows[:, 2] / scale])
    pairs = np.column_stack([day_pairs[:, 0], day_pairs[:, 1] / scale])
    bg_params, bg_nll = _fit(
        _bgnbd_objective(rows[:, 0], rows[:, 1], rows[:, 2], weights),
        np.log([1.0, max(float(T.mean()), 1e-3), 1.0, 1.0]),
        BGNBD_PARAMS,
        "bgnbd",
    )

    spend = x > 0
    positive = spend & (m > 0)
    dropped = int(np.count_nonzero(spend & ~positive))
    if dropped:
        problems.append(_refusal("clv_zero_spend_left_out", severity="note", count=dropped))
    n_spend = int(np.count_nonzero(positive))
    if n_spend < MIN_REPEAT_CUSTOMERS:
        raise KundenwertError(
            [_refusal("clv_non_positive_spend", count=n_spend, minimum=MIN_REPEAT_CUSTOMERS)]
        )
    spend_rows, spend_weights, _ = _distinct((x[positive], m[positive]))
    gg_params, gg_nll = _fit(
        _gamma_gamma_objective(spend_rows[:, 0], spend_rows[:, 1], spend_weights),
        np.log([1.0, 2.0, max(float(m[positive].mean()), 1e-3)]),
        GAMMA_GAMMA_PARAMS,
        "gamma_gamma",
    )
    if gg_params["q"] <= 1.0:
        raise KundenwertError([_refusal("clv_q_not_above_one", q=float(gg_params["q"]))])
    model = CLVModel(
        params={**bg_params, **gg_params},
        log_likelihood={
            "bgnbd": -bg_nll * float(weights.sum()),
            "gamma_gamma": -gg_nll * float(spend_weights.sum()),
        },
        summary=summary,
        time_unit=time_unit,
        reference_date=reference_date,
        problems=problems,
        _rows=rows,
        _inverse=inverse,
        _pairs=pairs,
        _pair_of_row=pair_of_row,
    )
    return model
