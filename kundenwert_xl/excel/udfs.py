"""Worksheet functions: ``=KUNDENWERT(...)``, ``=RFM(...)``, ``=DECKUNGSBEITRAG(...)`` and friends.

Each function converts its arguments, calls :func:`kundenwert_xl.analyze` (through one small
cache keyed by the content of the inputs, so ten functions over the same tables compute once)
and returns a table with a header row that spills (Excel 365 dynamic arrays). Bad input gives
one short German line in the cell, never a traceback.

Table arguments take a range *with* its header row, e.g. ``Transaktionen[#Alle]``
(English Excel: ``Transaktionen[#All]``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import OrderedDict
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
import xlwings as xw

from kundenwert_xl import report, texts
from kundenwert_xl.core.analysis import Analysis, analyze
from kundenwert_xl.core.errors import KundenwertError, Problem
from kundenwert_xl.core.value import abc_classes
from kundenwert_xl.settings import Settings

_CACHE: OrderedDict[str, Analysis] = OrderedDict()
_CACHE_SIZE = 8

_TABLE = {"index": False, "header": True}
DOC = texts.UDF_DOCS


def _frame(value: Any) -> pd.DataFrame | None:
    if value is None:
        return None
    if isinstance(value, pd.DataFrame):
        return value
    raise KundenwertError([Problem("udf_table", texts.UDF["table"])])


def _settings(stichtag: Any, einstellungen: Any, **extra: Any) -> Settings:
    mapping: dict[str, Any] = {}
    if einstellungen is not None:
        rows = einstellungen if isinstance(einstellungen, list) else [[einstellungen]]
        for row in rows:
            row = row if isinstance(row, list) else [row]
            if len(row) < 2:
                raise KundenwertError([Problem("udf_settings", texts.UDF["settings"])])
            if row[0] not in (None, ""):
                mapping[str(row[0])] = row[1]
    for key, value in extra.items():
        if value is not None:
            mapping[key] = value
    if stichtag is not None:
        mapping["reference_date"] = (
            stichtag.date() if isinstance(stichtag, dt.datetime) else stichtag
        )
    return Settings.from_mapping(mapping)


def _key(*parts: Any) -> str:
    digest = hashlib.sha256()
    for part in parts:
        if isinstance(part, pd.DataFrame):
            digest.update(repr(list(part.columns)).encode())
            digest.update(
                pd.util.hash_pandas_object(part.astype(object), index=False).to_numpy().tobytes()
            )
        else:
            digest.update(repr(part).encode())
    return digest.hexdigest()


def cached_analysis(
    transaktionen: Any, kunden: Any, werbekontakte: Any, settings: Settings
) -> Analysis:
    """Analyse (or reuse the analysis of) exactly these inputs and settings."""
    tx, cust, contacts = _frame(transaktionen), _frame(kunden), _frame(werbekontakte)
    if tx is None:
        raise KundenwertError([Problem("udf_table", texts.UDF["table"])])
    key = _key(tx, cust, contacts, settings.model_dump_json())
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    result = analyze(tx, cust, contacts, settings)
    _CACHE[key] = result
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return result


def _out(value: Any) -> Any:
    """One cell for Excel: dates as datetimes, blanks as empty."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    return "" if value is None else value


def _table(columns: tuple[report.Column, ...], rows: list[list[Any]]) -> list[list[Any]]:
    return [[c.header for c in columns]] + [[_out(v) for v in row] for row in rows]


def _error(exc: Exception) -> list[list[str]]:
    if isinstance(exc, KundenwertError):
        errors = [p for p in exc.problems if p.severity == "error"] or exc.problems
        if errors and all(p.code in ("missing_column", "empty_table") for p in errors):
            # Usually a table passed without its header row: say how to pass it.
            return [[texts.UDF["error"].format(text=texts.UDF["table"])]]
        return [
            [texts.UDF["error"].format(text=texts.error_summary([p.one_line() for p in errors]))]
        ]
    return [[texts.UDF["unexpected"].format(detail=f"{type(exc).__name__}: {exc}")]]


def _customer_columns(sources: tuple[str, ...]) -> tuple[report.Column, ...]:
    by_source = {c.source: c for c in report.CUSTOMER_COLUMNS}
    return tuple(by_source[s] for s in sources)


def _customers_by_id(analysis: Analysis) -> pd.DataFrame:
    return report.customer_frame(analysis).sort_values("customer_id", kind="stable")


RFM_COLUMNS = _customer_columns(
    (
        "customer_id",
        "r_score",
        "f_score",
        "m_score",
        "rfm_code",
        "recency_days",
        "orders",
        "net_revenue",
        "segment",
    )
)
RFMR_COLUMNS = _customer_columns(
    (
        "customer_id",
        "rfmr_points",
        "rfmr_recency",
        "rfmr_frequency",
        "rfmr_monetary",
        "rfmr_returns",
        "rfmr_contacts",
        "purchases_in_window",
        "avg_last_purchases",
        "returned_orders",
        "contacts_since_last_purchase",
    )
)
DB_COLUMNS = _customer_columns(
    (
        "customer_id",
        "gross_revenue",
        "net_revenue",
        "cost_of_goods",
        "db1",
        "shipping_cost",
        "order_costs",
        "db2",
        "customer_costs",
        "contact_costs",
        "db3",
        "fixed_costs",
        "db4",
        "ranking_ratio",
    )
)


@xw.func(category=texts.UDF_CATEGORY)
@xw.arg("transaktionen", pd.DataFrame, doc=DOC["transaktionen"], **_TABLE)
@xw.arg("kunden", pd.DataFrame, doc=DOC["kunden"], **_TABLE)
@xw.arg("werbekontakte", pd.DataFrame, doc=DOC["werbekontakte"], **_TABLE)
@xw.arg("stichtag", doc=DOC["stichtag"])
@xw.arg("einstellungen", ndim=2, doc=DOC["einstellungen"])
@xw.ret(index=False, header=False, doc=DOC["ret_table"])
def KUNDENWERT(transaktionen, kunden=None, werbekontakte=None, stichtag=None, einstellungen=None):
    """Kundenwert je Kunde: Rang, Wert 0–100, ABC, Segment, RFM, RFMR, DB I–IV, CLV."""
    try:
        result = cached_analysis(
            transaktionen, kunden, werbekontakte, _settings(stichtag, einstellungen)
        )
        rows = report.table_rows(report.customer_frame(result), report.CUSTOMER_COLUMNS)
        return _table(report.CUSTOMER_COLUMNS, rows)
    except Exception as exc:
        return _error(exc)


@xw.func(category=texts.UDF_CATEGORY)
@xw.arg("transaktionen", pd.DataFrame, doc=DOC["transaktionen"], **_TABLE)
@xw.arg("stichtag", doc=DOC["stichtag"])
@xw.arg("klassen", numbers=int, doc=DOC["klassen"])
@xw.arg("methode", doc=DOC["methode"])
@xw.arg("einstellungen", ndim=2, doc=DOC["einstellungen"])
@xw.ret(index=False, header=False, doc=DOC["ret_table"])
def RFM(transaktionen, stichtag=None, klassen=None, methode=None, einstellungen=None):
    """RFM-Klassen je Kunde (5 = bester Wert) mit RFM-Code und Segment."""
    try:
        settings = _settings(stichtag, einstellungen, n_classes=klassen, scoring_method=methode)
        result = cached_analysis(transaktionen, None, None, settings)
        return _table(RFM_COLUMNS, report.table_rows(_customers_by_id(result), RFM_COLUMNS))
    except Exception as exc:
        return _error(exc)


@xw.func(category=texts.UDF_CATEGORY)
@xw.arg("transaktionen", pd.DataFrame, doc=DOC["transaktionen"], **_TABLE)
@xw.arg("werbekontakte", pd.DataFrame, doc=DOC["werbekontakte"], **_TABLE)
@xw.arg("stichtag", doc=DOC["stichtag"])
@xw.arg("einstellungen", ndim=2, doc=DOC["einstellungen"])
@xw.ret(index=False, header=False, doc=DOC["ret_table"])
def RFMR_PUNKTE(transaktionen, werbekontakte=None, stichtag=None, einstellungen=None):
    """RFMR-Punkte je Kunde und woher sie kommen (Startwert, Recency, Frequency, Monetary, …)."""
    try:
        result = cached_analysis(
            transaktionen, None, werbekontakte, _settings(stichtag, einstellungen)
        )
        return _table(RFMR_COLUMNS, report.table_rows(_customers_by_id(result), RFMR_COLUMNS))
    except Exception as exc:
        return _error(exc)


@xw.func(category=texts.UDF_CATEGORY)
@xw.arg("transaktionen", pd.DataFrame, doc=DOC["transaktionen"], **_TABLE)
@xw.arg("kunden", pd.DataFrame, doc=DOC["kunden"], **_TABLE)
@xw.arg("werbekontakte", pd.DataFrame, doc=DOC["werbekontakte"], **_TABLE)
@xw.arg("stichtag", doc=DOC["stichtag"])
@xw.arg("einstellungen", ndim=2, doc=DOC["einstellungen"])
@xw.ret(index=False, header=False, doc=DOC["ret_table"])
def DECKUNGSBEITRAG(
    transaktionen, kunden=None, werbekontakte=None, stichtag=None, einstellungen=None
):
    """Kundendeckungsbeitragsrechnung je Kunde: Brutto- und Nettoumsatz, DB I bis DB IV."""
    try:
        result = cached_analysis(
            transaktionen, kunden, werbekontakte, _settings(stichtag, einstellungen)
        )
        return _table(DB_COLUMNS, report.table_rows(_customers_by_id(result), DB_COLUMNS))
    except Exception as exc:
        return _error(exc)


FORECAST_COLUMNS = _customer_columns(
    (
        "customer_id",
        "p_alive",
        "expected_purchases",
        "expected_revenue",
        "clv_revenue",
        "clv_db",
    )
)


@xw.func(category=texts.UDF_CATEGORY)
@xw.arg("transaktionen", pd.DataFrame, doc=DOC["transaktionen"], **_TABLE)
@xw.arg("stichtag", doc=DOC["stichtag"])
@xw.arg("monate", doc=DOC["monate"])
@xw.arg("zins", doc=DOC["zins"])
@xw.arg("einstellungen", ndim=2, doc=DOC["einstellungen"])
@xw.ret(index=False, header=False, doc=DOC["ret_table"])
def CLV_PROGNOSE(transaktionen, stichtag=None, monate=None, zins=None, einstellungen=None):
    """Prognose je Kunde (BG/NBD, Gamma-Gamma): P(aktiv), Käufe, Umsatz und DB, abgezinst."""
    try:
        settings = _settings(
            stichtag,
            einstellungen,
            forecast_enabled=True,
            forecast_months=monate,
            forecast_discount_rate=zins,
        )
        result = cached_analysis(transaktionen, None, None, settings)
        if result.customers["p_alive"].isna().all():
            # The data allow no model: the reason, in one line, instead of an empty table.
            refusal = [p for p in result.problems if p.code.startswith("clv_")]
            raise KundenwertError([replace(p, severity="error") for p in refusal[:1]])
        rows = report.table_rows(_customers_by_id(result), FORECAST_COLUMNS)
        return _table(FORECAST_COLUMNS, rows)
    except Exception as exc:
        return _error(exc)


@xw.func(category=texts.UDF_CATEGORY)
@xw.arg("transaktionen", pd.DataFrame, doc=DOC["transaktionen"], **_TABLE)
@xw.arg("kunden", pd.DataFrame, doc=DOC["kunden"], **_TABLE)
@xw.arg("werbekontakte", pd.DataFrame, doc=DOC["werbekontakte"], **_TABLE)
@xw.arg("nach", doc=DOC["nach"])
@xw.arg("stichtag", doc=DOC["stichtag"])
@xw.arg("einstellungen", ndim=2, doc=DOC["einstellungen"])
@xw.ret(index=False, header=False, doc=DOC["ret_table"])
def PARETO(
    transaktionen, kunden=None, werbekontakte=None, nach="DB", stichtag=None, einstellungen=None
):
    """Pareto-Tabelle mit 100 Zeilen: kumulierte Anteile an Umsatz und DB (Walkurve)."""
    try:
        result = cached_analysis(
            transaktionen, kunden, werbekontakte, _settings(stichtag, einstellungen)
        )
        by_revenue = str(nach or "DB").strip().casefold() in ("umsatz", "revenue")
        table = result.pareto_revenue if by_revenue else result.pareto
        return _table(report.PARETO_COLUMNS, report.table_rows(table, report.PARETO_COLUMNS))
    except Exception as exc:
        return _error(exc)


@xw.func(category=texts.UDF_CATEGORY)
@xw.arg("transaktionen", pd.DataFrame, doc=DOC["transaktionen"], **_TABLE)
@xw.arg("kunden", pd.DataFrame, doc=DOC["kunden"], **_TABLE)
@xw.arg("werbekontakte", pd.DataFrame, doc=DOC["werbekontakte"], **_TABLE)
@xw.arg("stichtag", doc=DOC["stichtag"])
@xw.arg("einstellungen", ndim=2, doc=DOC["einstellungen"])
@xw.ret(index=False, header=False, doc=DOC["ret_sentences"])
def KERNAUSSAGEN(transaktionen, kunden=None, werbekontakte=None, stichtag=None, einstellungen=None):
    """Die Kernaussagen als deutsche Sätze (80/20, Walkurve, Dilemma-Kunden)."""
    try:
        result = cached_analysis(
            transaktionen, kunden, werbekontakte, _settings(stichtag, einstellungen)
        )
        return [[sentence] for sentence in result.sentences()]
    except Exception as exc:
        return _error(exc)


@xw.func(category=texts.UDF_CATEGORY)
@xw.arg("werte", np.array, ndim=1, doc=DOC["werte"])
@xw.arg("grenze_a", doc=DOC["grenze_a"])
@xw.arg("grenze_b", doc=DOC["grenze_b"])
@xw.ret(index=False, header=False, doc=DOC["ret_abc"])
def ABC_KLASSE(werte, grenze_a=0.8, grenze_b=0.95):
    """ABC-Klasse je Wert (eine Zeile je Eingabezeile) nach kumuliertem Wertanteil."""
    try:
        values = pd.to_numeric(pd.Series(np.asarray(werte, dtype=object).ravel()), errors="coerce")
        limits = Settings.build(
            abc_value_limits=(float(grenze_a), float(grenze_b))
        ).abc_value_limits
        classes = abc_classes(values.to_numpy(dtype="float64"), limits, "value")
        return [[c] for c in classes]
    except Exception as exc:
        return _error(exc)
