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
import functools
import hashlib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace
from typing import Annotated, Any, ParamSpec

import numpy as np
import pandas as pd
import xlwings as xw

from kundenwert_xl import report, texts
from kundenwert_xl.core import schema
from kundenwert_xl.core.analysis import Analysis, analyze
from kundenwert_xl.core.errors import KundenwertError, Problem
from kundenwert_xl.core.settings import Settings
from kundenwert_xl.core.value import abc_classes

_CACHE: OrderedDict[str, Analysis] = OrderedDict()
_RENDERED: OrderedDict[str, list[list[Any]]] = OrderedDict()
_CACHE_SIZE = 8

DOC = texts.UDF_DOCS


def _table_arg(doc: str) -> dict[str, Any]:
    """The one table conversion: a range *with* its header row as a DataFrame, no index.

    ``convert`` is named because xlwings takes the converter from the annotated type, and an
    optional table's type (``DataFrame | None``) names none; a missing argument is None
    without conversion.
    """
    return {"convert": pd.DataFrame, "index": False, "header": True, "doc": doc}


def _spill(doc: str) -> dict[str, Any]:
    """What a function returns: rows that spill, their own header row included."""
    return {"index": False, "header": False, "doc": doc}


# Argument and return types with xlwings' conversion options (xlwings.udfs reads the first
# Annotated metadata dict: "doc" is the argument's help text, the rest conversion options).
# Plain cell values are ``Any``: a cell holds a number, text, a date, a flag or nothing, and
# xlwings' default converter (registered for Any) passes it on unchanged, as without a type.
Transaktionen = Annotated[pd.DataFrame, _table_arg(DOC["transaktionen"])]
Kunden = Annotated[pd.DataFrame | None, _table_arg(DOC["kunden"])]
Werbekontakte = Annotated[pd.DataFrame | None, _table_arg(DOC["werbekontakte"])]
Stichtag = Annotated[Any, {"doc": DOC["stichtag"]}]
Einstellungen = Annotated[Any, {"ndim": 2, "doc": DOC["einstellungen"]}]
Klassen = Annotated[Any, {"numbers": int, "doc": DOC["klassen"]}]
Methode = Annotated[Any, {"doc": DOC["methode"]}]
Monate = Annotated[Any, {"doc": DOC["monate"]}]
Zins = Annotated[Any, {"doc": DOC["zins"]}]
Nach = Annotated[Any, {"doc": DOC["nach"]}]
Werte = Annotated[np.ndarray, {"ndim": 1, "doc": DOC["werte"]}]
GrenzeA = Annotated[Any, {"doc": DOC["grenze_a"]}]
GrenzeB = Annotated[Any, {"doc": DOC["grenze_b"]}]
SpilledTable = Annotated[list[list[Any]], _spill(DOC["ret_table"])]
SpilledSentences = Annotated[list[list[Any]], _spill(DOC["ret_sentences"])]
SpilledClasses = Annotated[list[list[Any]], _spill(DOC["ret_abc"])]

_P = ParamSpec("_P")


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


def _column_digest(digest: Any, column: pd.Series) -> None:
    """Feed one column into the digest by its own bytes, never through Python objects.

    Numbers, dates and flags are hashed as their raw memory; text by pandas' vectorised hash
    (factorized first: ids repeat). For object columns the value types go in too, so the
    number 1 and the text "1" never share a key. Measured at 100,000 transactions: 0.1 s against
    1.6 s for hashing ``astype(object)``, about a third of the analysis it avoids.
    """
    digest.update(f"{column.name}|{column.dtype}".encode())
    if column.dtype.kind in "biufcmM":
        digest.update(np.ascontiguousarray(column.to_numpy()).view(np.uint8))
        return
    hashed = pd.util.hash_pandas_object(column, index=False, categorize=True)
    digest.update(hashed.to_numpy().tobytes())
    if column.dtype == object:
        digest.update(pd.factorize(column.map(type))[0].tobytes())


def _key(*parts: Any) -> str:
    digest = hashlib.sha256()
    for part in parts:
        if isinstance(part, pd.DataFrame):
            digest.update(f"frame {part.shape}".encode())
            for _, column in part.items():
                _column_digest(digest, column)
        else:
            digest.update(repr(part).encode())
    return digest.hexdigest()


def cached_analysis(
    transaktionen: Any, kunden: Any, werbekontakte: Any, settings: Settings
) -> Analysis:
    """Analyse (or reuse the analysis of) exactly these inputs and settings."""
    return _keyed_analysis(transaktionen, kunden, werbekontakte, settings)[1]


def _keyed_analysis(
    transaktionen: Any, kunden: Any, werbekontakte: Any, settings: Settings
) -> tuple[str, Analysis]:
    tx, cust, contacts = _frame(transaktionen), _frame(kunden), _frame(werbekontakte)
    if tx is None:
        raise KundenwertError([Problem("udf_table", texts.UDF["table"])])
    key = _key(tx, cust, contacts, settings.model_dump_json())
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return key, _CACHE[key]
    result = analyze(tx, cust, contacts, settings)
    _CACHE[key] = result
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return key, result


def _rendered(
    transaktionen: Any,
    kunden: Any,
    werbekontakte: Any,
    settings: Settings,
    view: str,
    render: Callable[[Analysis], list[list[Any]]],
) -> list[list[Any]]:
    """The table a function spills, rendered once per inputs and view.

    Rendering a customer table cell by cell costs more than the analysis, so a cache hit that
    rendered again would save little; a copy of the rows goes out, so xlwings can never change
    what is cached.
    """
    key, result = _keyed_analysis(transaktionen, kunden, werbekontakte, settings)
    rendered_key = f"{key}|{view}"
    if rendered_key in _RENDERED:
        _RENDERED.move_to_end(rendered_key)
    else:
        _RENDERED[rendered_key] = render(result)
        while len(_RENDERED) > _CACHE_SIZE * 4:
            _RENDERED.popitem(last=False)
    return [list(row) for row in _RENDERED[rendered_key]]


def _out(value: Any) -> Any:
    """One cell for xlwings: dates as datetimes, blanks as empty.

    The rows are already plain values (:func:`kundenwert_xl.cells.plain`, applied by
    :mod:`kundenwert_xl.report`); this only adapts them to what xlwings' writer takes: it
    converts datetimes but not dates, and an empty value shows as 0 in a spilled array.
    """
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    return "" if value is None else value


def _table(columns: tuple[report.Column, ...], rows: list[list[Any]]) -> list[list[Any]]:
    return [[c.header for c in columns]] + [[_out(v) for v in row] for row in rows]


def _cell_errors(func: Callable[_P, list[list[Any]]]) -> Callable[_P, list[list[Any]]]:
    """The one error wrapper of the worksheet functions: any failure becomes one German cell.

    Bad input (:class:`KundenwertError`) reads as its first problem; anything unexpected names
    its type and detail. ``functools.wraps`` keeps the name, signature and annotations that
    xlwings reads for the argument conversions and the generated VBA wrapper.
    """

    @functools.wraps(func)
    def in_cell(*args: _P.args, **kwargs: _P.kwargs) -> list[list[Any]]:
        try:
            return func(*args, **kwargs)
        except Exception as exc:
            return _error(exc)

    return in_cell


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


def _by_customer(columns: tuple[report.Column, ...]) -> Callable[[Analysis], list[list[Any]]]:
    """The spilled table of ``columns``, one row per customer in id order."""
    return lambda r: _table(columns, report.table_rows(_customers_by_id(r), columns))


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
@_cell_errors
def KUNDENWERT(
    transaktionen: Transaktionen,
    kunden: Kunden = None,
    werbekontakte: Werbekontakte = None,
    stichtag: Stichtag = None,
    einstellungen: Einstellungen = None,
) -> SpilledTable:
    """Kundenwert je Kunde: Rang, Wert 0–100, ABC, Segment, RFM, RFMR, DB I–IV, CLV."""
    return _rendered(
        transaktionen,
        kunden,
        werbekontakte,
        _settings(stichtag, einstellungen),
        "customers",
        lambda r: _table(
            report.CUSTOMER_COLUMNS,
            report.table_rows(report.customer_frame(r), report.CUSTOMER_COLUMNS),
        ),
    )


@xw.func(category=texts.UDF_CATEGORY)
@_cell_errors
def RFM(
    transaktionen: Transaktionen,
    stichtag: Stichtag = None,
    klassen: Klassen = None,
    methode: Methode = None,
    einstellungen: Einstellungen = None,
) -> SpilledTable:
    """RFM-Klassen je Kunde (5 = bester Wert) mit RFM-Code und Segment."""
    settings = _settings(stichtag, einstellungen, n_classes=klassen, scoring_method=methode)
    return _rendered(
        transaktionen,
        None,
        None,
        settings,
        "rfm",
        _by_customer(RFM_COLUMNS),
    )


@xw.func(category=texts.UDF_CATEGORY)
@_cell_errors
def RFMR_PUNKTE(
    transaktionen: Transaktionen,
    werbekontakte: Werbekontakte = None,
    stichtag: Stichtag = None,
    einstellungen: Einstellungen = None,
) -> SpilledTable:
    """RFMR-Punkte je Kunde und woher sie kommen (Startwert, Recency, Frequency, Monetary, …)."""
    return _rendered(
        transaktionen,
        None,
        werbekontakte,
        _settings(stichtag, einstellungen),
        "rfmr",
        _by_customer(RFMR_COLUMNS),
    )


@xw.func(category=texts.UDF_CATEGORY)
@_cell_errors
def DECKUNGSBEITRAG(
    transaktionen: Transaktionen,
    kunden: Kunden = None,
    werbekontakte: Werbekontakte = None,
    stichtag: Stichtag = None,
    einstellungen: Einstellungen = None,
) -> SpilledTable:
    """Kundendeckungsbeitragsrechnung je Kunde: Brutto- und Nettoumsatz, DB I bis DB IV."""
    return _rendered(
        transaktionen,
        kunden,
        werbekontakte,
        _settings(stichtag, einstellungen),
        "db",
        _by_customer(DB_COLUMNS),
    )


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
@_cell_errors
def CLV_PROGNOSE(
    transaktionen: Transaktionen,
    stichtag: Stichtag = None,
    monate: Monate = None,
    zins: Zins = None,
    einstellungen: Einstellungen = None,
) -> SpilledTable:
    """Prognose je Kunde (BG/NBD, Gamma-Gamma): P(aktiv), Käufe, Umsatz und DB, abgezinst."""
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


@xw.func(category=texts.UDF_CATEGORY)
@_cell_errors
def PARETO(
    transaktionen: Transaktionen,
    kunden: Kunden = None,
    werbekontakte: Werbekontakte = None,
    nach: Nach = "DB",
    stichtag: Stichtag = None,
    einstellungen: Einstellungen = None,
) -> SpilledTable:
    """Pareto-Tabelle mit 100 Zeilen: kumulierte Anteile an Umsatz und DB (Walkurve)."""
    result = cached_analysis(
        transaktionen, kunden, werbekontakte, _settings(stichtag, einstellungen)
    )
    by_revenue = str(nach or "DB").strip().casefold() in ("umsatz", "revenue")
    table = result.pareto_revenue if by_revenue else result.pareto
    return _table(report.PARETO_COLUMNS, report.table_rows(table, report.PARETO_COLUMNS))


@xw.func(category=texts.UDF_CATEGORY)
@_cell_errors
def KERNAUSSAGEN(
    transaktionen: Transaktionen,
    kunden: Kunden = None,
    werbekontakte: Werbekontakte = None,
    stichtag: Stichtag = None,
    einstellungen: Einstellungen = None,
) -> SpilledSentences:
    """Die Kernaussagen als deutsche Sätze (80/20, Walkurve, Dilemma-Kunden)."""
    result = cached_analysis(
        transaktionen, kunden, werbekontakte, _settings(stichtag, einstellungen)
    )
    return [[sentence] for sentence in result.sentences()]


@xw.func(category=texts.UDF_CATEGORY)
@_cell_errors
def ABC_KLASSE(werte: Werte, grenze_a: GrenzeA = 0.8, grenze_b: GrenzeB = 0.95) -> SpilledClasses:
    """ABC-Klasse je Wert (eine Zeile je Eingabezeile) nach kumuliertem Wertanteil."""
    limits = _abc_limits(grenze_a, grenze_b)
    values, blank = _abc_values(werte)
    classes = abc_classes(np.where(blank, np.nan, values), limits, "value")
    return [["" if empty else c] for c, empty in zip(classes, blank, strict=True)]


def _abc_limits(grenze_a: Any, grenze_b: Any) -> tuple[float, float]:
    """The two limits as the user typed them (0,8 or "0,8"), or a German line saying why not."""
    shown = [
        repr(v).replace(".", ",") if isinstance(v, float) else str(v).strip()
        for v in (grenze_a, grenze_b)
    ]
    try:
        return Settings.from_mapping({"abc_value_limits": "; ".join(shown)}).abc_value_limits
    except KundenwertError:
        raise KundenwertError(
            [Problem("udf_abc_limits", texts.UDF["abc_limits"].format(a=shown[0], b=shown[1]))]
        ) from None


def _abc_values(werte: Any) -> tuple[np.ndarray, np.ndarray]:
    """Numbers of the ``Werte`` range and where it is blank; text and absurd sizes refused."""
    cells = pd.Series(np.atleast_1d(np.asarray(werte, dtype=object)).ravel(), dtype=object)
    blank = (cells.isna() | cells.astype("string").str.strip().eq("")).to_numpy(dtype=bool)
    values = pd.to_numeric(cells.where(~blank), errors="coerce").to_numpy(dtype="float64")
    with np.errstate(invalid="ignore"):
        bad = (~blank & ~np.isfinite(values)) | (np.abs(values) > schema.AMOUNT_LIMIT)
    if bad.any():
        problems = [
            Problem("udf_abc_value", texts.UDF["abc_value"].format(row=i + 1, value=cells[i]))
            for i in np.flatnonzero(bad)[:10]
        ]
        raise KundenwertError(problems)
    return values, blank
