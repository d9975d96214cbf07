"""Named customer segments from R, F, M scores: an ordered rule table, first match wins.

Presets (DOMAIN.md §3.3–3.4): R ``rfm`` 0.3.0's current table and its legacy table (5 classes),
and pymc-marketing 0.19.2's score lists (4 classes; each listed code becomes a rule of its own).
Assignment is a lookup in a small cube over all score combinations, built once per rule table,
so it costs one fancy-index per customer column whatever the number of rules.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kundenwert_xl import texts
from kundenwert_xl.core.errors import Problem
from kundenwert_xl.core.settings import SegmentRule, Settings


def _rules(rows: list[tuple[str, int, int, int, int, int, int]]) -> tuple[SegmentRule, ...]:
    return tuple(SegmentRule(name=n, r=(a, b), f=(c, d), m=(e, g)) for n, a, b, c, d, e, g in rows)


def _code_rules(groups: dict[str, list[str]]) -> tuple[SegmentRule, ...]:
    rules = []
    for name, codes in groups.items():
        for code in codes:
            r, f, m = (int(ch) for ch in code)
            rules.append(SegmentRule(name=name, r=(r, r), f=(f, f), m=(m, m)))
    return tuple(rules)


PRESETS: dict[str, tuple[SegmentRule, ...]] = {
    # R rfm 0.3.0 README/vignette (since commit f7350a3).
    "r_current": _rules(
        [
            ("Champions", 5, 5, 5, 5, 5, 5),
            ("Potential Loyalist", 3, 5, 3, 5, 2, 5),
            ("Loyal Customers", 2, 4, 2, 4, 2, 4),
            ("Promising", 3, 4, 1, 3, 3, 5),
            ("New Customers", 4, 5, 1, 3, 1, 5),
            ("Can't Lose Them", 1, 2, 3, 4, 4, 5),
            ("At Risk", 1, 2, 2, 5, 4, 5),
            ("Need Attention", 1, 3, 3, 5, 3, 5),
            ("About To Sleep", 2, 3, 1, 3, 1, 4),
            ("Lost", 1, 1, 1, 5, 1, 5),
        ]
    ),
    # R rfm 0.2.x documentation.
    "r_legacy": _rules(
        [
            ("Champions", 4, 5, 4, 5, 4, 5),
            ("Loyal Customers", 2, 5, 3, 5, 3, 5),
            ("Potential Loyalist", 3, 5, 1, 3, 1, 3),
            ("New Customers", 4, 5, 1, 1, 1, 1),
            ("Promising", 3, 4, 1, 1, 1, 1),
            ("Need Attention", 2, 3, 2, 3, 2, 3),
            ("About To Sleep", 2, 3, 1, 2, 1, 2),
            ("At Risk", 1, 2, 2, 5, 2, 5),
            ("Can't Lose Them", 1, 1, 4, 5, 4, 5),
            ("Lost", 1, 2, 1, 2, 1, 2),
        ]
    ),
    # pymc-marketing 0.19.2 clv.utils._default_rfm_segment_config.
    "pymc": _code_rules(
        {
            "Premium Customer": ["334", "443", "444", "344", "434", "433", "343", "333"],
            "Repeat Customer": ["244", "234", "232", "332", "143", "233", "243"],
            "Top Spender": [
                "424",
                "414",
                "144",
                "314",
                "324",
                "124",
                "224",
                "423",
                "413",
                "133",
                "323",
                "313",
                "134",
            ],
            "At Risk Customer": [
                "422",
                "223",
                "212",
                "122",
                "222",
                "132",
                "322",
                "312",
                "412",
                "123",
                "214",
            ],
            "Inactive Customer": ["411", "111", "113", "114", "112", "211", "311"],
        }
    ),
}
PRESET_FALLBACK = {"r_current": "Others", "r_legacy": "Others", "pymc": "Other", "custom": "Others"}
PRESET_SCALE = {"r_current": 5, "r_legacy": 5, "pymc": 4}


def preset_in_force(settings: Settings) -> str:
    """Resolve ``auto``: pymc-marketing's lists for quartiles, R rfm's current table otherwise."""
    if settings.segment_preset != "auto":
        return settings.segment_preset
    return "pymc" if settings.scoring_method == "quartile" else "r_current"


def on_preset_scale(
    scores: pd.DataFrame, classes: dict[str, int], settings: Settings
) -> pd.DataFrame:
    """Map scores of another class count onto the preset's scale: ceil(score × target / n).

    Quartile scores stay as they are, as pymc-marketing segments its raw labels; custom rules
    are written for the scores as they are.
    """
    preset = preset_in_force(settings)
    if preset == "custom" or settings.scoring_method == "quartile":
        return scores
    target = PRESET_SCALE[preset]
    out = scores.copy(deep=False)  # columns are replaced, never written into
    for column, n in classes.items():
        if n != target:
            values = out[column].to_numpy(dtype="float64", na_value=np.nan)
            out[column] = pd.array(np.ceil(values * target / n), dtype="Float64").astype("Int64")
    return out


def rule_table(settings: Settings) -> tuple[tuple[SegmentRule, ...], str]:
    """Return the rules in force and the fallback label, with display names applied."""
    preset = preset_in_force(settings)
    rules = settings.segment_rules if preset == "custom" else PRESETS[preset]
    fallback = settings.segment_fallback or PRESET_FALLBACK[preset]
    if settings.segment_names == "german":
        rules = tuple(r.model_copy(update={"name": texts.segment_name(r.name)}) for r in rules)
        fallback = settings.segment_fallback or texts.segment_name(fallback)
    return rules, fallback


def _cube(rules: tuple[SegmentRule, ...], top: int) -> tuple[np.ndarray, np.ndarray]:
    """First matching rule per (R, F, M) and the number of matching rules; index 0 unused."""
    first = np.full((top + 1,) * 3, -1, dtype=np.intp)
    matches = np.zeros((top + 1,) * 3, dtype=np.intp)
    axis = np.arange(top + 1)
    for i, rule in enumerate(rules):
        inside = [(axis >= lo) & (axis <= hi) for lo, hi in rule.ranges()]
        hit = inside[0][:, None, None] & inside[1][None, :, None] & inside[2][None, None, :]
        first[hit & (first < 0)] = i
        matches += hit
    return first, matches


def assign(
    scores: pd.DataFrame, rules: tuple[SegmentRule, ...], fallback: str, no_purchase: str
) -> pd.Series:
    """Segment per customer: the first rule whose ranges contain (R, F, M).

    Customers without scores (no purchase) get ``no_purchase``; scores no rule covers get
    ``fallback``.
    """
    valid = scores["r_score"].notna().to_numpy()
    # Scores are 1 … top; a customer without scores looks up cell 0, and is then overruled.
    ri, fi, mi = (
        scores[c].to_numpy(dtype=np.intp, na_value=0) for c in ("r_score", "f_score", "m_score")
    )
    top = int(max(ri.max(), fi.max(), mi.max())) if valid.any() else 1
    top = max(top, *(hi for rule in rules for _, hi in rule.ranges())) if rules else top
    first, _ = _cube(rules, top)
    names = np.array([rule.name for rule in rules] + [fallback, no_purchase], dtype=object)
    hit = first[ri, fi, mi]
    index = np.where(valid, np.where(hit >= 0, hit, len(rules)), len(rules) + 1)
    order = list(dict.fromkeys([rule.name for rule in rules] + [fallback, no_purchase]))
    # Codes from the small name table, so no name string is touched per customer.
    code_of = np.array(
        [order.index(name) for name in names], dtype=np.int8 if len(order) < 127 else np.int32
    )
    segment = pd.Categorical.from_codes(code_of[index], categories=order, validate=False)
    return pd.Series(segment, index=scores.index)


def coverage_problems(rules: tuple[SegmentRule, ...], top: int, fallback: str) -> list[Problem]:
    """Warn where rules overlap (first match decides) or leave combinations uncovered."""
    _, matches = _cube(rules, top)
    cells = matches[1:, 1:, 1:]
    problems = []
    label = texts.SETTING_LABELS["segment_rules"]
    for code, mask in (("segment_overlap", cells > 1), ("segment_gap", cells == 0)):
        if mask.any():
            r, f, m = (int(v) + 1 for v in np.argwhere(mask)[0])
            problems.append(
                Problem(
                    code,
                    params={
                        "count": int(mask.sum()),
                        "example": f"R{r} F{f} M{m}",
                        "fallback": fallback,
                    },
                    table=texts.TABLE_NAMES["settings"],
                    column=label,
                    severity="warning",
                )
            )
    return problems


def summary(customers: pd.DataFrame, level: str) -> pd.DataFrame:
    """Summarise each segment.

    Customers and their share, net revenue and its share, mean RFMR points, DB (the ranking
    level) and its share, and the mean value score.
    """
    grouped = customers.groupby("segment", observed=False, sort=True)
    table = pd.DataFrame(
        {
            "customers": grouped.size(),
            "net_revenue": grouped["net_revenue"].sum(),
            "mean_rfmr_points": grouped["rfmr_points"].mean(),
        }
    )
    n = max(len(customers), 1)
    revenue = customers["net_revenue"].sum()
    table.insert(1, "customer_share", table["customers"] / n)
    table.insert(3, "revenue_share", table["net_revenue"] / revenue if revenue else np.nan)
    total_db = customers[level].sum()
    table["db"] = grouped[level].sum()
    table["db_share"] = table["db"] / total_db if total_db > 0 else np.nan
    table["mean_value_score"] = grouped["value_score"].mean()
    table.index.name = "segment"
    return table
