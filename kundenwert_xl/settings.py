"""One model of every business parameter, with the defaults of DOMAIN.md.

The same model is built from Python keywords, from the workbook's Einstellungen sheet (German
keys and values), from a TOML file and from CLI options, so every face validates alike and every
bad value becomes a German :class:`~kundenwert_xl.core.errors.Problem`.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from kundenwert_xl import texts
from kundenwert_xl.core.errors import KundenwertError, Problem

ScoringMethod = Literal["value", "rank", "fixed", "quartile"]


def _ascending(values: tuple[float, ...]) -> tuple[float, ...]:
    if any(not math.isfinite(v) for v in values):
        raise ValueError(texts.SETTING_DETAILS["finite"])
    if any(b <= a for a, b in itertools.pairwise(values)):
        raise ValueError(texts.SETTING_DETAILS["ascending"])
    return values


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
            values[key] = texts.setting_value_in(key, raw_value)
        if problems:
            raise KundenwertError(problems)
        return cls.build(**values)

    @classmethod
    def from_toml(cls, path: str | Path, base: Settings | None = None) -> Settings:
        """Build settings from a TOML file with German or internal keys."""
        with open(path, "rb") as fh:
            return cls.from_mapping(tomllib.load(fh), base=base)

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
        key = str(err["loc"][0]) if err["loc"] else ""
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
