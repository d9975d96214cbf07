"""One model of every business parameter, with the defaults of DOMAIN.md.

The same model is built from Python keywords, from the workbook's Einstellungen sheet (German
keys and values), from a TOML file and from CLI options, so every face validates alike and every
bad value becomes a German :class:`~kundenwert_xl.core.errors.Problem`.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import stat
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from kundenwert_xl import texts
from kundenwert_xl.core.errors import KundenwertError, Problem
from kundenwert_xl.core.schema import AMOUNT_LIMIT

ScoringMethod = Literal["value", "rank", "fixed", "quartile"]
#: One band of a point table: [lower, upper) -> points; ``upper=None`` is open-ended.
Band = tuple[float, float | None, float]

# DOMAIN.md §2.2, the [DBM] table: months since last purchase, average of the last three
# purchases (currency units), number of returned deliveries.
DBM_RECENCY: tuple[Band, ...] = (
    (0, 6, 40),
    (6, 9, 25),
    (9, 12, 15),
    (12, 18, 5),
    (18, 24, -5),
    (24, None, -15),
)
DBM_MONETARY: tuple[Band, ...] = (
    (0, 50, 5),
    (50, 100, 15),
    (100, 200, 25),
    (200, 300, 35),
    (300, 400, 40),
    (400, None, 45),
)
DBM_RETURNS: tuple[Band, ...] = (
    (0, 2, 0),
    (2, 4, -5),
    (4, 7, -10),
    (7, 11, -20),
    (11, 16, -30),
    (16, None, -40),
)
# Proposed (DOMAIN.md §2.3): the same steps by the share of returned orders.
RETURN_RATIO: tuple[Band, ...] = (
    (0, 0.05, 0),
    (0.05, 0.1, -5),
    (0.1, 0.2, -10),
    (0.2, 0.3, -20),
    (0.3, 0.5, -30),
    (0.5, None, -40),
)
DBM_CONTACTS: dict[str, float] = {"Hauptkatalog": -12.0, "Sonderkatalog": -6.0, "Mailing": -2.0}
# Cost per advertising contact in euros (proposed defaults for German B2B mail order).
CONTACT_COSTS: dict[str, float] = {"Hauptkatalog": 4.5, "Sonderkatalog": 2.0, "Mailing": 0.8}
DbLevel = Literal["db1", "db2", "db3", "db4"]


def _bands(bands: tuple[Band, ...]) -> tuple[Band, ...]:
    if not bands:
        raise ValueError(texts.SETTING_DETAILS["bands_empty"])
    for i, (lower, upper, _points) in enumerate(bands):
        if i == 0 and lower != 0:
            raise ValueError(texts.SETTING_DETAILS["bands_start"])
        if upper is None and i != len(bands) - 1:
            raise ValueError(texts.SETTING_DETAILS["bands_open"])
        if upper is not None and upper <= lower:
            raise ValueError(
                texts.SETTING_DETAILS["ascending_band"].format(lower=lower, upper=upper)
            )
        if i > 0:
            previous = bands[i - 1][1]
            if previous is not None and lower > previous:
                raise ValueError(texts.SETTING_DETAILS["bands_gap"].format(a=previous, b=lower))
            if previous is not None and lower < previous:
                raise ValueError(texts.SETTING_DETAILS["bands_overlap"].format(a=lower, b=previous))
    if bands[-1][1] is not None:
        raise ValueError(texts.SETTING_DETAILS["bands_open"])
    return bands


def _ascending(values: tuple[float, ...]) -> tuple[float, ...]:
    if any(not math.isfinite(v) for v in values):
        raise ValueError(texts.SETTING_DETAILS["finite"])
    if any(b <= a for a, b in itertools.pairwise(values)):
        raise ValueError(texts.SETTING_DETAILS["ascending"])
    return values


class SegmentRule(BaseModel):
    """One row of the segment rule table: a name and inclusive R, F, M score ranges."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    r: tuple[int, int]
    f: tuple[int, int]
    m: tuple[int, int]

    def ranges(self) -> tuple[tuple[int, int], ...]:
        """The three ranges in R, F, M order."""
        return (self.r, self.f, self.m)


class Settings(BaseModel):
    """Every business parameter of an analysis.

    Parameters
    ----------
    reference_date : datetime.date, optional
        The Stichtag. Rows after it are ignored (and reported). Default: the last transaction
        date, never today.
    scoring_method : {"value", "rank", "fixed", "quartile"}
        RFM binning: ``value`` = value cut points with ties kept together (R ``rfm`` 0.3.0 rule),
        ``rank`` = equal-count classes on ranks with a stable tie break (Hughes), ``fixed`` =
        the user's thresholds, ``quartile`` = pymc-marketing's quartiles with fallback.
    n_classes : int
        Number of score classes (2 to 10) for ``value`` and ``rank``.
    recency_thresholds, frequency_thresholds, monetary_thresholds : tuple of float
        Ascending cut points for ``fixed`` scoring: days since last purchase, orders, net
        revenue. A value equal to a cut point belongs to the upper class.
    frequency_basis : {"orders", "days"}
        Frequency counts orders (distinct order numbers with positive revenue) or purchase
        days (several orders on one day count once, as lifetimes and pymc-marketing do).
    monetary_basis : {"total", "average"}
        Monetary is the net revenue, or the net revenue per purchase day (pymc-marketing).
    forecast_enabled : bool
        Fit BG/NBD + Gamma-Gamma and add the forecast columns (``p_alive``, ``clv_db`` …).
    forecast_months : int
        Horizon of the forecast in months (1 to 120).
    forecast_discount_rate : float
        Yearly discount rate of the forecast (0.1 = 10 %), compounded monthly.
    targeting_order : {"value", "forecast_db"}
        Whom the Ansprache list takes first: best value rank, or highest forward DB (``clv_db``;
        needs the forecast, otherwise the value rank with a note).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    reference_date: dt.date | None = None
    scoring_method: ScoringMethod = "value"
    n_classes: int = Field(5, ge=2, le=10)
    recency_thresholds: tuple[float, ...] = (30.0, 90.0, 180.0, 365.0)
    frequency_thresholds: tuple[float, ...] = (2.0, 3.0, 5.0, 10.0)
    monetary_thresholds: tuple[float, ...] = (100.0, 500.0, 1000.0, 5000.0)
    frequency_basis: Literal["orders", "days"] = "orders"
    monetary_basis: Literal["total", "average"] = "total"
    rfmr_start: float = 25.0
    rfmr_recency_bands: tuple[Band, ...] = DBM_RECENCY
    rfmr_frequency_points: float = 6.0
    rfmr_frequency_window_months: float = Field(18.0, gt=0)
    rfmr_monetary_last_n: int = Field(3, ge=1, le=100)
    rfmr_monetary_bands: tuple[Band, ...] = DBM_MONETARY
    rfmr_returns_basis: Literal["count", "ratio"] = "count"
    rfmr_returns_bands: tuple[Band, ...] = DBM_RETURNS
    rfmr_return_ratio_bands: tuple[Band, ...] = RETURN_RATIO
    rfmr_contact_points: dict[str, float] = Field(default_factory=lambda: dict(DBM_CONTACTS))
    rfmr_weights: tuple[float, float, float, float, float] = (1.0, 1.0, 1.0, 1.0, 1.0)
    segment_preset: Literal["auto", "r_current", "r_legacy", "pymc", "custom"] = "auto"
    segment_names: Literal["german", "original"] = "german"
    segment_rules: tuple[SegmentRule, ...] = ()
    segment_fallback: str | None = None
    cogs_rate: float = Field(0.6, ge=0, le=2)
    order_handling_cost: float = Field(8.0, ge=0, le=AMOUNT_LIMIT)
    return_handling_cost: float = Field(15.0, ge=0, le=AMOUNT_LIMIT)
    contact_costs: dict[str, float] = Field(default_factory=lambda: dict(CONTACT_COSTS))
    group_fixed_costs: dict[str, float] = Field(default_factory=dict)
    ranking_level: DbLevel = "db3"
    value_weights: tuple[float, float] = (0.5, 0.5)
    clv_retention: float = Field(0.8, ge=0, lt=1)
    clv_discount_rate: float = Field(0.1, ge=0, le=1)
    clv_include_current: bool = False
    forecast_enabled: bool = True
    forecast_months: int = Field(12, ge=1, le=120)
    forecast_discount_rate: float = Field(0.1, ge=0, le=1)
    abc_measure: Literal["revenue", "db"] = "revenue"
    abc_basis: Literal["value", "customers"] = "value"
    abc_value_limits: tuple[float, float] = (0.8, 0.95)
    abc_customer_limits: tuple[float, float] = (0.2, 0.5)
    dilemma_worst_share: float = Field(0.1, gt=0, le=1)
    dilemma_revenue_classes: tuple[Literal["A", "B", "C"], ...] = ("A",)
    scenario_steps: tuple[float, ...] = (0.05, 0.1, 0.2, 0.3)
    budget: float = Field(10_000.0, ge=0, le=AMOUNT_LIMIT)
    cost_per_contact: float = Field(25.0, gt=0, le=AMOUNT_LIMIT)
    targeting_order: Literal["value", "forecast_db"] = "value"

    @field_validator(
        "rfmr_recency_bands", "rfmr_monetary_bands", "rfmr_returns_bands", "rfmr_return_ratio_bands"
    )
    @classmethod
    def _bands_contiguous(cls, v: tuple[Band, ...]) -> tuple[Band, ...]:
        return _bands(v)

    @model_validator(mode="after")
    def _segments_fit_classes(self) -> Settings:
        if self.segment_preset == "custom" and not self.segment_rules:
            raise ValueError(texts.SETTING_DETAILS["rules_missing"])
        top = 4 if self.scoring_method == "quartile" else self.n_classes
        if self.scoring_method == "fixed":
            top = 1 + max(
                len(self.recency_thresholds),
                len(self.frequency_thresholds),
                len(self.monetary_thresholds),
            )
        for rule in self.segment_rules if self.segment_preset == "custom" else ():
            for lo, hi in rule.ranges():
                if not 1 <= lo <= hi <= top:
                    raise ValueError(
                        texts.SETTING_DETAILS["rule_range"].format(name=rule.name, top=top)
                    )
        return self

    @field_validator("reference_date")
    @classmethod
    def _date_in_range(cls, v: dt.date | None) -> dt.date | None:
        # The range the input dates are held to (schema.DATE_MIN..DATE_MAX).
        if v is not None and not dt.date(1900, 1, 1) <= v <= dt.date(2099, 12, 31):
            raise ValueError(texts.SETTING_DETAILS["date_range"])
        return v

    @field_validator("abc_value_limits", "abc_customer_limits")
    @classmethod
    def _limits(cls, v: tuple[float, float]) -> tuple[float, float]:
        if not 0 < v[0] < v[1] <= 1:
            raise ValueError(texts.SETTING_DETAILS["abc_limits"])
        return v

    @field_validator("scenario_steps")
    @classmethod
    def _steps(cls, v: tuple[float, ...]) -> tuple[float, ...]:
        if not v or any(not 0 < x <= 1 for x in v):
            raise ValueError(texts.SETTING_DETAILS["shares"])
        return _ascending(v)

    @field_validator("value_weights", "rfmr_weights")
    @classmethod
    def _weights(cls, v: tuple[float, ...]) -> tuple[float, ...]:
        if any(x < 0 for x in v) or not any(x > 0 for x in v):
            raise ValueError(texts.SETTING_DETAILS["weights"])
        return v

    @field_validator("contact_costs", "group_fixed_costs")
    @classmethod
    def _costs(cls, v: dict[str, float]) -> dict[str, float]:
        if any(x < 0 for x in v.values()):
            raise ValueError(texts.SETTING_DETAILS["negative_costs"])
        if any(not x <= AMOUNT_LIMIT for x in v.values()):
            raise ValueError(texts.SETTING_DETAILS["cost_limit"])
        return v

    @field_validator("recency_thresholds", "frequency_thresholds", "monetary_thresholds")
    @classmethod
    def _thresholds_ascending(cls, v: tuple[float, ...]) -> tuple[float, ...]:
        if len(v) == 0 or len(v) > 9:
            raise ValueError(texts.SETTING_DETAILS["threshold_count"])
        return _ascending(v)

    # --- construction from the faces ----------------------------------------------------------

    @classmethod
    def build(cls, **values: Any) -> Settings:
        """Validate keywords; raise :class:`KundenwertError` with German problems if bad."""
        try:
            return cls(**values)
        except ValidationError as exc:
            raise KundenwertError(_problems_from(exc)) from None

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Any], base: Settings | None = None) -> Settings:
        """Build settings from German keys and values (the Einstellungen sheet, a TOML file).

        Parameters
        ----------
        mapping : Mapping
            German labels (``"Stichtag"``) or internal names (``"reference_date"``) to values as
            a user types them: German choice words, thresholds as ``"30; 90; 180"``.
        base : Settings, optional
            Values not in ``mapping`` are taken from here (default: the defaults).
        """
        values = (base or cls()).model_dump()
        problems: list[Problem] = []
        for raw_key, raw_value in mapping.items():
            key = texts.setting_key(str(raw_key))
            if key is None:
                problems.append(
                    Problem(
                        "unknown_setting",
                        texts.message("unknown_setting", column=raw_key),
                        table=texts.TABLE_NAMES["settings"],
                        column=str(raw_key),
                        severity="error",
                    )
                )
                continue
            if raw_value is None or (isinstance(raw_value, str) and not raw_value.strip()):
                values[key] = cls.model_fields[key].default
                continue
            try:
                values[key] = texts.setting_value_in(key, raw_value)
            except ValueError as exc:
                problems.append(
                    Problem(
                        "bad_setting",
                        str(exc),
                        table=texts.TABLE_NAMES["settings"],
                        column=texts.SETTING_LABELS[key],
                        value=str(raw_value),
                    )
                )
        if problems:
            raise KundenwertError(problems)
        return cls.build(**values)

    @classmethod
    def from_toml(cls, path: str | Path, base: Settings | None = None) -> Settings:
        """Build settings from a TOML file with German or internal keys.

        Raises
        ------
        KundenwertError
            With code ``io`` when the file is missing, not a regular file (a FIFO would block
            the read forever), not UTF-8 or not TOML; otherwise with the bad settings.
        """
        path = Path(path)

        def refuse(detail: str) -> KundenwertError:
            text = texts.message("io_error", path=str(path), detail=detail)
            return KundenwertError([Problem("io", text, table=path.name)])

        try:
            if not stat.S_ISREG(path.stat().st_mode):
                raise refuse(texts.IO_DETAILS["not_regular"])
            with open(path, "rb") as fh:
                data = tomllib.load(fh)
        except FileNotFoundError:
            raise refuse(texts.IO_DETAILS["missing"]) from None
        except OSError as exc:
            raise refuse(exc.strerror or str(exc)) from None
        except UnicodeDecodeError:
            raise refuse(texts.IO_DETAILS["toml_encoding"]) from None
        except tomllib.TOMLDecodeError as exc:
            raise refuse(texts.IO_DETAILS["toml"].format(detail=exc)) from None
        return cls.from_mapping(data, base=base)

    def to_rows(self) -> list[tuple[str, Any, str]]:
        """Return ``(label, shown value, explanation)`` rows for the Einstellungen sheet."""
        rows = []
        for key in type(self).model_fields:
            rows.append(
                (
                    texts.SETTING_LABELS[key],
                    texts.setting_value_out(key, getattr(self, key)),
                    texts.SETTING_HELP[key],
                )
            )
        return rows


def _problems_from(exc: ValidationError) -> list[Problem]:
    problems = []
    for err in exc.errors():
        key = str(err["loc"][0]) if err["loc"] else "segment_rules"
        label = texts.SETTING_LABELS.get(key, key)
        detail = texts.pydantic_detail(err)
        problems.append(
            Problem(
                "bad_setting",
                texts.message("bad_setting", column=label, detail=detail),
                table=texts.TABLE_NAMES["settings"],
                column=label,
                value=None if err.get("input") is None else str(err.get("input")),
            )
        )
    return problems
