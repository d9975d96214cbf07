"""One model of every business parameter, with the defaults of DOMAIN.md.

The same model is built from Python keywords, from the workbook's Einstellungen sheet (German
keys and values), from a TOML file and from CLI options, so every face validates alike and every
bad value becomes a German :class:`~kundenwert_xl.core.errors.Problem`.

Each field's type says how a controller types the value and how the Einstellungen sheet shows
it (:class:`TextForm` in the field's ``Annotated`` metadata: ``Bands``, ``PointTable``,
``Numbers``, ``Stichtag``, ``Choice``); showing a value and parsing the shown text gives the value
back. Reading files (TOML) is the faces' business: see :mod:`kundenwert_xl.settings`.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from kundenwert_xl import texts
from kundenwert_xl.core import excel_dates, german
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


def _ascending(values: tuple[float, ...], detail: str = "ascending") -> tuple[float, ...]:
    if any(not math.isfinite(v) for v in values):
        raise ValueError(texts.SETTING_DETAILS["finite"])
    if any(b <= a for a, b in itertools.pairwise(values)):
        raise ValueError(texts.SETTING_DETAILS[detail])
    return values


# --- How a controller types each kind of setting, and how the sheet shows it -------------------


#: Scenarios "let the worst p go" a workbook shows: their block on Übersicht has room for these
#: and the dilemma row, with the charts beside it (report.LAYOUT).
MAX_SCENARIO_STEPS = 7


@dataclass(frozen=True)
class TextForm:
    """A setting's text form: ``parse`` what a controller types, ``show`` it back.

    Attached to a field type as ``Annotated`` metadata. Only text (and Excel's serial dates) is
    parsed; values given as Python objects pass through to pydantic unchanged, so
    ``Settings(...)`` validates exactly what it is given.
    """

    parse: Callable[[Any], Any]
    show: Callable[[Any], Any]


def _split_list(value: Any) -> Any:
    if isinstance(value, str):
        parts = [p.strip() for p in value.replace("|", ";").split(";") if p.strip()]
        return tuple(_share_in(p) for p in parts)
    if isinstance(value, list | tuple):  # a TOML array, also of texts: ["5 %", "0,1"]
        return tuple(_share_in(v.strip()) if isinstance(v, str) else v for v in value)
    if isinstance(value, int | float):
        return (value,)
    return value


def _show_list(value: tuple[Any, ...]) -> str:
    return "; ".join(german.show_number(v) if isinstance(v, float) else str(v) for v in value)


def parse_bands(value: Any) -> Any:
    """``"0-6: 40; 6-9: 25; ab 24: -15"`` -> ``((0, 6, 40), (6, 9, 25), (24, None, -15))``."""
    if not isinstance(value, str):
        return value
    bands: list[Band] = []
    for part in (p.strip() for p in value.split(";") if p.strip()):
        match = re.fullmatch(
            r"(?:ab\s*(?P<open>[\d.,]+)|(?P<lo>[\d.,]+)\s*[-–]\s*(?P<hi>[\d.,]+))\s*:\s*"
            r"(?P<pts>[+-]?\s*[\d.,]+)",
            part,
            flags=re.IGNORECASE,
        )
        if match is None:
            raise ValueError(texts.SETTING_DETAILS["band_syntax"].format(text=part))
        number, points = german.parse_number, match["pts"].replace(" ", "")
        if match["open"] is not None:
            bands.append((number(match["open"]), None, number(points)))
        else:
            bands.append((number(match["lo"]), number(match["hi"]), number(points)))
    return tuple(bands)


def show_bands(bands: tuple[Band, ...]) -> str:
    """The inverse of :func:`parse_bands`."""
    parts = []
    for lower, upper, points in bands:
        show = german.show_number
        head = f"ab {show(lower)}" if upper is None else f"{show(lower)}-{show(upper)}"
        parts.append(f"{head}: {show(points)}")
    return "; ".join(parts)


def parse_points(value: Any) -> Any:
    """``"Hauptkatalog: -12; Mailing: -2"`` -> ``{"Hauptkatalog": -12.0, "Mailing": -2.0}``."""
    if not isinstance(value, str):
        return value
    out = {}
    for part in (p.strip() for p in value.split(";") if p.strip()):
        name, sep, number = part.rpartition(":")
        try:
            out[name.strip()] = german.parse_number(number)
        except ValueError:
            raise ValueError(texts.SETTING_DETAILS["contact_syntax"].format(text=part)) from None
        if not sep or not name.strip():
            raise ValueError(texts.SETTING_DETAILS["contact_syntax"].format(text=part))
    return out


def show_points(points: Mapping[str, float]) -> str:
    """The inverse of :func:`parse_points`."""
    return "; ".join(f"{k}: {german.show_number(v)}" for k, v in points.items())


def parse_stichtag(value: Any) -> Any:
    """A Stichtag as typed or as Excel hands it over: TT.MM.JJJJ, ISO text, a serial number."""
    text = value.strip() if isinstance(value, str) else None
    serial = value if isinstance(value, int | float) and not isinstance(value, bool) else None
    if text is not None and re.fullmatch(r"\d{1,5}(\.0+)?", text):
        serial = float(text)
    if serial is not None:
        whole_day = 1 <= serial <= excel_dates.SERIAL_MAX and float(serial).is_integer()
        if not whole_day or serial == excel_dates.PHANTOM_LEAP_DAY:
            # Not a whole day of Excel's calendar (60 is Excel's non-existent 29.02.1900);
            # left to pydantic, a number would become seconds since 1970.
            raise ValueError(texts.SETTING_DETAILS["serial_date"].format(value=value))
        return excel_dates.date_of_serial(int(serial))
    if text is not None:
        if re.fullmatch(r"\d{1,2}\.\d{1,2}\.\d{2}", text):
            # As in the data: 06.01.99 could be 1999 or 2099, so it is never guessed.
            raise ValueError(texts.message("two_digit_year", value=text))
        match = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", text)
        if match is None:
            return text
        try:
            day = dt.date(int(match[3]), int(match[2]), int(match[1]))
        except ValueError:
            # Say it with the text as typed, not as the ISO form pydantic would be handed.
            raise ValueError(texts.message("bad_date", value=text)) from None
        return day.isoformat()
    return value


def _plain_in(value: Any) -> Any:
    # A number typed with a German decimal comma ("0,6"); anything else goes to pydantic as is,
    # but "1.000" (a thousand to a German, one to Python) is never guessed.
    if isinstance(value, str) and _THOUSANDS.fullmatch(value.strip()):
        if value.count(".") > 1:  # 1.000.000: only thousands can be grouped twice
            return value.strip().replace(".", "")
        raise ValueError(texts.SETTING_DETAILS["ambiguous_number"].format(text=value.strip()))
    return german.decimal_text(value) if isinstance(value, str) and "," in value else value


#: A share typed as a percentage: ``60 %``, ``8,5%``.
_PERCENT = re.compile(r"([+-]?[\d.,]+)\s*%")
#: "1.000", "10.000", "1.234.567": a thousands point or three decimals? (0.600 is no grouping.)
_THOUSANDS = re.compile(r"[+-]?[1-9]\d{0,2}(\.\d{3})+")


def _share_in(value: Any) -> Any:
    """A share as typed: ``"60 %"`` -> 0.6, ``"0,6"`` -> ``"0.6"``; anything else as is.

    The percent sign says what is meant, so it is taken; a bare ``60`` is left to the range
    check, whose message then names the share meant (:func:`_share_hint`).
    """
    if isinstance(value, str):
        match = _PERCENT.fullmatch(value.strip())
        if match is not None and _THOUSANDS.fullmatch(match[1]):
            # "1.000 %": a German reads a thousand, Python one; never guessed.
            raise ValueError(texts.SETTING_DETAILS["ambiguous_percent"].format(text=value.strip()))
        if match is not None:
            try:
                return german.parse_number(match[1]) / 100
            except ValueError:
                return value
    return _plain_in(value)


def _plain_out(value: Any) -> Any:
    if isinstance(value, tuple):
        return _show_list(value)
    return "" if value is None else value


def _parse_classes(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    return tuple(p.strip().upper() for p in re.split(r"[;,\s]+", value) if p.strip())


def choice(field: str) -> TextForm:
    """The choice words of ``field`` (``texts.CHOICES``): German word or name in, word out."""
    words = texts.CHOICES[field]

    def parse(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        wanted = value.strip().casefold()
        for internal, word in words.items():
            if wanted in (str(internal).casefold(), word.casefold()):
                return internal
        return value

    return TextForm(parse, lambda value: words.get(value, value))


def yes_no(field: str) -> TextForm:
    """A switch: any of ``texts.TRUE_WORDS`` is yes, other text no; shown as ``texts.CHOICES``."""
    words = texts.CHOICES[field]

    def parse(value: Any) -> Any:
        return value.strip().casefold() in texts.TRUE_WORDS if isinstance(value, str) else value

    return TextForm(parse, lambda value: words.get(value, value))


PLAIN = TextForm(_plain_in, _plain_out)
#: A share of 1 (0,6 = 60 %), also typed as a percentage.
SHARE = TextForm(_share_in, _plain_out)
Share = Annotated[float, SHARE]
#: A point table (DOMAIN.md §2.2): ``"0-6: 40; 6-9: 25; ab 24: -15"``.
Bands = Annotated[tuple[Band, ...], TextForm(parse_bands, show_bands)]
#: Points or costs per name: ``"Hauptkatalog: -12; Mailing: -2"``.
PointTable = Annotated[dict[str, float], TextForm(parse_points, show_points)]
#: A list of numbers: ``"30; 90; 180"`` (German decimal comma allowed).
Numbers = TextForm(_split_list, _show_list)
#: The Stichtag: ``TT.MM.JJJJ``, ISO text or an Excel serial day.
Stichtag = Annotated[dt.date | None, TextForm(parse_stichtag, _plain_out)]
ClassList = TextForm(_parse_classes, lambda value: "; ".join(value))


def text_form(key: str) -> TextForm:
    """The text form of setting ``key`` (plain numbers and words when its type names none)."""
    for meta in Settings.model_fields[key].metadata:
        if isinstance(meta, TextForm):
            return meta
    return PLAIN


def setting_key(label: str) -> str | None:
    """Return the internal setting name for a German label or an internal name."""
    wanted = label.strip().casefold()
    for key, word in texts.SETTING_LABELS.items():
        if wanted in (key.casefold(), word.casefold()):
            return key
    return None


def _show_rules(rules: tuple[SegmentRule, ...]) -> str:
    return texts.fill(texts.SEGMENT_RULES_SHOWN, count=len(rules)) if rules else ""


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

    reference_date: Stichtag = None
    scoring_method: Annotated[ScoringMethod, choice("scoring_method")] = "value"
    n_classes: int = Field(5, ge=2, le=10)
    recency_thresholds: Annotated[tuple[float, ...], Numbers] = (30.0, 90.0, 180.0, 365.0)
    frequency_thresholds: Annotated[tuple[float, ...], Numbers] = (2.0, 3.0, 5.0, 10.0)
    monetary_thresholds: Annotated[tuple[float, ...], Numbers] = (100.0, 500.0, 1000.0, 5000.0)
    frequency_basis: Annotated[Literal["orders", "days"], choice("frequency_basis")] = "orders"
    monetary_basis: Annotated[Literal["total", "average"], choice("monetary_basis")] = "total"
    rfmr_start: float = 25.0
    rfmr_recency_bands: Bands = DBM_RECENCY
    rfmr_frequency_points: float = 6.0
    rfmr_frequency_window_months: float = Field(18.0, gt=0)
    rfmr_monetary_last_n: int = Field(3, ge=1, le=100)
    rfmr_monetary_bands: Bands = DBM_MONETARY
    rfmr_returns_basis: Annotated[Literal["count", "ratio"], choice("rfmr_returns_basis")] = "count"
    rfmr_returns_bands: Bands = DBM_RETURNS
    rfmr_return_ratio_bands: Bands = RETURN_RATIO
    rfmr_contact_points: PointTable = Field(default_factory=lambda: dict(DBM_CONTACTS))
    rfmr_weights: Annotated[tuple[float, float, float, float, float], Numbers] = (
        1.0,
        1.0,
        1.0,
        1.0,
        1.0,
    )
    segment_preset: Annotated[
        Literal["auto", "r_current", "r_legacy", "pymc", "custom"], choice("segment_preset")
    ] = "auto"
    segment_names: Annotated[Literal["german", "original"], choice("segment_names")] = "german"
    segment_rules: Annotated[tuple[SegmentRule, ...], TextForm(_plain_in, _show_rules)] = ()
    segment_fallback: str | None = None
    cogs_rate: Share = Field(0.6, ge=0, le=2)
    order_handling_cost: float = Field(8.0, ge=0, le=AMOUNT_LIMIT)
    return_handling_cost: float = Field(15.0, ge=0, le=AMOUNT_LIMIT)
    contact_costs: PointTable = Field(default_factory=lambda: dict(CONTACT_COSTS))
    group_fixed_costs: PointTable = Field(default_factory=dict)
    ranking_level: Annotated[DbLevel, choice("ranking_level")] = "db3"
    value_weights: Annotated[tuple[float, float], Numbers] = (0.5, 0.5)
    clv_retention: Share = Field(0.8, ge=0, lt=1)
    clv_discount_rate: Share = Field(0.1, ge=0, le=1)
    clv_include_current: Annotated[bool, yes_no("clv_include_current")] = False
    forecast_enabled: Annotated[bool, yes_no("forecast_enabled")] = True
    forecast_months: int = Field(12, ge=1, le=120)
    forecast_discount_rate: Share = Field(0.1, ge=0, le=1)
    abc_measure: Annotated[Literal["revenue", "db"], choice("abc_measure")] = "revenue"
    abc_basis: Annotated[Literal["value", "customers"], choice("abc_basis")] = "value"
    abc_value_limits: Annotated[tuple[float, float], Numbers] = (0.8, 0.95)
    abc_customer_limits: Annotated[tuple[float, float], Numbers] = (0.2, 0.5)
    dilemma_worst_share: Share = Field(0.1, gt=0, le=1)
    dilemma_revenue_classes: Annotated[tuple[Literal["A", "B", "C"], ...], ClassList] = ("A",)
    scenario_steps: Annotated[tuple[float, ...], Numbers] = (0.05, 0.1, 0.2, 0.3)
    budget: float = Field(10_000.0, ge=0, le=AMOUNT_LIMIT)
    cost_per_contact: float = Field(25.0, gt=0, le=AMOUNT_LIMIT)
    targeting_order: Annotated[Literal["value", "forecast_db"], choice("targeting_order")] = "value"

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
        if len(v) > MAX_SCENARIO_STEPS:
            raise ValueError(
                texts.fill(
                    texts.SETTING_DETAILS["scenario_count"], count=len(v), most=MAX_SCENARIO_STEPS
                )
            )
        return _ascending(v, "shares_ascending")

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
        return cls._checked(values, {})

    @classmethod
    def _checked(cls, values: dict[str, Any], typed: Mapping[str, object]) -> Settings:
        """:meth:`build`, naming a bad value as it was typed (``typed``: key -> raw value)."""
        try:
            return cls(**values)
        except ValidationError as exc:
            raise KundenwertError(_problems_from(exc, typed)) from None

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
        typed: dict[str, object] = {}
        for raw_key, raw_value in mapping.items():
            key = setting_key(str(raw_key))
            if key is None:
                problems.append(
                    Problem(
                        "unknown_setting",
                        params={"column": raw_key},
                        table=texts.TABLE_NAMES["settings"],
                        column=str(raw_key),
                        severity="error",
                    )
                )
                continue
            if raw_value is None or (isinstance(raw_value, str) and not raw_value.strip()):
                values[key] = cls.model_fields[key].default
                continue
            typed[key] = raw_value
            try:
                values[key] = text_form(key).parse(raw_value)
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
            # The values that did parse are checked too, so one run names every mistake.
            try:
                cls._checked(values, typed)
            except KundenwertError as exc:
                problems.extend(exc.problems)
            raise KundenwertError(problems)
        return cls._checked(values, typed)

    def to_rows(self) -> list[tuple[str, Any, str]]:
        """Return ``(label, shown value, explanation)`` rows for the Einstellungen sheet."""
        rows = []
        for key in type(self).model_fields:
            rows.append(
                (
                    texts.SETTING_LABELS[key],
                    text_form(key).show(getattr(self, key)),
                    texts.SETTING_HELP[key],
                )
            )
        return rows


def _detail(err: Mapping[str, Any], shown: object) -> str:
    """One pydantic error as a German detail: raw context values, rendered by texts.

    ``shown`` is the value as the user typed it (``"100 %"``, not the 1.0 it became).
    """
    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    params: dict[str, object]
    if kind == "literal_error":
        key = str(err["loc"][0]) if err.get("loc") else ""
        allowed = ", ".join(texts.CHOICES.get(key, {}).values()) or str(ctx.get("expected", ""))
        params = {"allowed": allowed}
    elif kind == "value_error":
        params = {"error": str(ctx.get("error", err.get("msg", "")))}
    else:
        # Raw numbers: the catalogue writes them in German (texts.setting_detail).
        params = {k: v for k, v in ctx.items() if isinstance(v, int | float | str)}
    return texts.setting_detail(kind, shown, params)


def _shown_input(value: object) -> str | None:
    """The bad value for the Prüfprotokoll as the user reads numbers (``0,6``, not ``1e+20``)."""
    return None if value is None else texts.setting_value(value)


def _share_hint(key: str, err: Mapping[str, Any], shown: object) -> str:
    """For a share typed as a percentage without ``%`` (``60`` for 60 %): the share meant."""
    too_large = err.get("type") in ("less_than_equal", "less_than")
    if key not in Settings.model_fields or text_form(key) is not SHARE or not too_large:
        return ""
    value = shown
    if isinstance(value, str):  # a workbook cell read as text, or a TOML string
        try:
            value = german.parse_number(value)
        except ValueError:
            return ""
    if not isinstance(value, int | float) or isinstance(value, bool) or not 1 < value <= 100:
        return ""
    return " " + texts.fill(texts.SETTING_DETAILS["share_hint"], percent=value, share=value / 100)


def _problems_from(exc: ValidationError, typed: Mapping[str, object]) -> list[Problem]:
    problems = []
    for err in exc.errors():
        key = str(err["loc"][0]) if err["loc"] else "segment_rules"
        label = texts.SETTING_LABELS.get(key, key)
        # A whole setting's error names the value as typed; one item of a list, the item.
        whole = len(err["loc"]) == 1 and key in typed
        shown = typed[key] if whole else err.get("input")
        detail = _detail(err, shown) + _share_hint(key, err, shown)
        problems.append(
            Problem(
                "bad_setting",
                params={"column": label, "detail": detail},
                table=texts.TABLE_NAMES["settings"],
                column=label,
                value=_shown_input(shown),
            )
        )
    return problems
