"""The output side below the command: csv neutralisation, temp files, write errors."""

import errno
import math
import os
import time

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kundenwert_xl.core.errors import KundenwertError
from kundenwert_xl.io import export


def test_neutralise_touches_text_only_and_keeps_numbers():
    frame = pd.DataFrame(
        {
            "id": pd.Series(["=1+1", "-abc", "K1", "@x", "\tt", "\rr", "+49"], dtype="str"),
            "group": pd.Series(["=A", "B", "=A", "B", "B", "B", "-"], dtype="category"),
            "mixed": pd.Series(["-5", -5.0, None, "a-b", 3, "=x", float("nan")], dtype=object),
            "db": [-4.0, -0.5, 0.0, 1.0, -1e-9, 2.5, -3.0],
            "-Kopf": [1, 2, 3, 4, 5, 6, 7],
        }
    )
    out = export.neutralise_formulas(frame)
    assert out["id"].tolist() == ["'=1+1", "'-abc", "K1", "'@x", "'\tt", "'\rr", "'+49"]
    assert out["group"].tolist() == ["'=A", "B", "'=A", "B", "B", "B", "'-"]
    assert out["mixed"].tolist()[:6] == ["'-5", -5.0, None, "a-b", 3, "'=x"]
    assert pd.isna(out["mixed"].iloc[6])
    assert out["db"].tolist() == [-4.0, -0.5, 0.0, 1.0, -1e-9, 2.5, -3.0]
    assert out["db"].dtype == "float64"
    assert list(out.columns) == ["id", "group", "mixed", "db", "'-Kopf"]
    assert frame["id"].iloc[0] == "=1+1"  # the caller's frame is left alone


def test_temp_names_are_ours_and_keep_the_suffix(tmp_path):
    name = export.temp_name(tmp_path / ("x" * 300 + ".xlsx")).name
    assert name.startswith(".~kundenwert-") and name.endswith(".xlsx")
    assert export._TEMP_NAME.fullmatch(name)
    assert len(name.encode()) < 255


def test_stale_temps_other_hosts_are_removed_only_when_old(tmp_path):
    old = tmp_path / ".~kundenwert-000000-1-0123abcd-a.xlsx"  # host tag of no real host here
    fresh = tmp_path / ".~kundenwert-000000-2-0123abcd-b.xlsx"
    near_miss = tmp_path / ".~kundenwert-zzzzzz-3-0123abcd-c.xlsx"
    for path in (old, fresh, near_miss):
        path.write_bytes(b"x")
    two_hours_ago = time.time() - 2 * 3600
    os.utime(old, (two_hours_ago, two_hours_ago))
    os.utime(near_miss, (two_hours_ago, two_hours_ago))
    if export._host_tag() == "000000":  # pragma: no cover - one host in 16 million
        pytest.skip("this host's tag is the one the test uses for a foreign host")
    assert export.remove_stale_temps(tmp_path) == [old.name]
    assert fresh.exists() and near_miss.exists()


def test_a_failed_write_leaves_no_temp_and_says_why_in_german(tmp_path):
    def fill_up(tmp):
        with open("/dev/full", "wb") as full:  # the kernel's full disk: every write is ENOSPC
            full.write(b"x" * 65536)
            full.flush()

    with pytest.raises(KundenwertError) as caught:
        export.atomic_write(tmp_path / "r.csv", fill_up)
    assert caught.value.problems[0].code == "io"
    assert (
        "kann nicht geschrieben werden: Der Datenträger ist voll"
        in caught.value.problems[0].message
    )
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        (errno.EROFS, "schreibgeschützt"),
        (errno.EACCES, "keine Schreibrechte"),
        (errno.EISDIR, "ist ein Ordner"),
        (errno.ENOENT, "existiert nicht"),
        (errno.EFBIG, "überschreitet die Größe"),
        (errno.ENAMETOOLONG, "zu lang"),
        (errno.EIO, "Das Betriebssystem meldet: Input/output error"),
    ],
)
def test_every_write_errno_has_a_german_reason(code, fragment):
    assert fragment in export.write_error_detail(OSError(code, os.strerror(code)))


def test_csv_money_is_written_to_the_cent(tmp_path):
    """Found by a new-user trial: exact cent sums showed binary noise in the csv export."""
    from kundenwert_xl import report
    from kundenwert_xl.io.export import write_tables

    name, spec = next(iter(report.export_specs().items()))
    euro = next(c.header for c in spec.columns if c.fmt == report.EURO)
    score = next(c.header for c in spec.columns if c.fmt == report.SCORE)
    frame = pd.DataFrame({euro: [7179.389999999999, -0.1 - 0.2], score: [99.18032786885246, 1.0]})
    target = tmp_path / "r.csv"
    write_tables(target, {name: frame}, report.export_specs())
    lines = target.read_text(encoding="utf-8-sig").splitlines()
    assert lines[1].split(";")[0] == "7179,39" and lines[2].split(";")[0] == "-0,3"
    assert lines[1].split(";")[1] == "99,2"  # a score as the workbook shows it (format 0.0)


def test_csv_holds_what_german_excel_reads_as_the_workbook_shows_it(tmp_path):
    """Dates TT.MM.JJJJ (German Excel reads ISO dates as text), shares to 0.1 %, counts whole."""
    import datetime as dt

    from kundenwert_xl import report
    from kundenwert_xl.io.export import write_tables

    name, spec = next(iter(report.export_specs().items()))

    def header(fmt):
        return next(c.header for c in spec.columns if c.fmt == fmt)

    frame = pd.DataFrame(
        {
            header(report.DATE): [dt.date(2024, 2, 29), None],
            header(report.PCT): [0.24298219749, float("nan")],
            header(report.INT): [135.0, 2.0],
        }
    )
    target = tmp_path / "r.csv"
    write_tables(target, {name: frame}, report.export_specs())
    lines = target.read_text(encoding="utf-8-sig").splitlines()
    assert lines[1].split(";") == ["29.02.2024", "0,243", "135"]
    assert lines[2].split(";") == ["", "", "2"]


def _colleague_saves_first(target):
    """A ``write`` during which another process creates the target (the race of a check)."""

    def write(tmp):
        target.write_bytes(b"colleague's file")
        tmp.write_bytes(b"our result")

    return write


def test_without_replace_a_file_that_appeared_meanwhile_is_kept(tmp_path):
    target = tmp_path / "r.xlsx"
    with pytest.raises(KundenwertError) as caught:
        export.atomic_write(target, _colleague_saves_first(target), replace=False)
    assert "während der Berechnung entstanden" in caught.value.problems[0].message
    assert caught.value.problems[0].code == "io"
    assert target.read_bytes() == b"colleague's file"
    assert [p.name for p in tmp_path.iterdir()] == ["r.xlsx"]  # no temporary file left


def test_replacing_false_reaches_writers_that_do_not_pass_it(tmp_path):
    """The command line sets it once (``--force`` absent) for every writer below it."""
    target = tmp_path / "r.xlsx"
    with export.replacing(False), pytest.raises(KundenwertError):
        export.atomic_write(target, _colleague_saves_first(target))
    assert target.read_bytes() == b"colleague's file"
    with export.replacing(True):
        export.atomic_write(target, _colleague_saves_first(target))
    assert target.read_bytes() == b"our result"


def test_without_replace_a_new_file_is_written_and_the_temp_is_gone(tmp_path):
    target = tmp_path / "r.csv"
    export.atomic_write(target, lambda tmp: tmp.write_bytes(b"data"), replace=False)
    assert target.read_bytes() == b"data"
    assert [p.name for p in tmp_path.iterdir()] == ["r.csv"]
    assert os.stat(target).st_nlink == 1


def test_without_hard_links_the_name_is_claimed_exclusively(tmp_path, monkeypatch):
    """FAT or a network share refuse hard links (EPERM); no such file system is mounted here,
    so ``os.link`` is made to refuse as they do."""

    def no_links(src, dst):
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(export.os, "link", no_links)
    target = tmp_path / "r.csv"
    export.atomic_write(target, lambda tmp: tmp.write_bytes(b"data"), replace=False)
    assert target.read_bytes() == b"data"
    with pytest.raises(KundenwertError):
        export.atomic_write(target, _colleague_saves_first(target), replace=False)
    assert target.read_bytes() == b"colleague's file"
    assert [p.name for p in tmp_path.iterdir()] == ["r.csv"]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.floats(min_value=-9.99e11, max_value=9.99e11) | st.just(math.nan),
        min_size=1,
        max_size=40,
    ),
    st.sampled_from([1, 2, 3]),
    st.booleans(),
)
def test_csv_numbers_are_the_text_python_writes(values, places, huge):
    """The column-at-once formatting equals ``str(round(v)).replace('.', ',')`` per number.

    That is the text pandas' own per-number formatter writes with ``decimal=","``. -0.0 is
    written as ``str`` writes it; a column with a number at or above 1e12 (``huge``) takes the
    one-by-one path and must agree too.
    """
    extra = [1e15 + 0.5] if huge else []
    shown = pd.Series([*values, -0.0, 0.0, *extra], dtype="float64").round(places)
    frame = export._decimal_comma(pd.DataFrame({"x": shown}), {"x": places})
    expected = [None if math.isnan(v) else str(v).replace(".", ",") for v in shown]
    assert [None if pd.isna(v) else v for v in frame["x"]] == expected


def test_csv_of_a_large_table_equals_the_row_by_row_writer(tmp_path):
    """The customer table of a demo analysis, written column-wise, is the bytes pandas makes
    from plain rows with its own decimal comma (the writer before the fast paths)."""
    import csv

    from kundenwert_xl import report
    from kundenwert_xl.core.analysis import analyze
    from kundenwert_xl.demo import make_demo

    data = make_demo(6_000, seed=5)
    result = analyze(data.transactions, data.customers, data.contacts)
    name, block = next(iter(zip(report.export_specs(), report.render(result), strict=False)))
    rows = pd.DataFrame(list(block.rows), columns=[c.header for c in block.spec.columns])
    spec = report.export_specs()[name]
    reference = export.neutralise_formulas(export._as_shown(rows, spec))
    expected = reference.to_csv(
        sep=";", decimal=",", index=False, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL
    )
    target = tmp_path / "k.csv"
    export.write_tables(target, report.export_tables(result), report.export_specs())
    assert target.read_bytes().decode("utf-8-sig") == expected


def test_parquet_columns_keep_their_type_without_a_forecast(tmp_path):
    """A run without forecast writes its forecast columns as empty numbers, not as a column of
    type null: a report that reads the file every month keeps one schema."""
    import pyarrow.parquet as pq

    from kundenwert_xl import report
    from kundenwert_xl.core.analysis import analyze
    from kundenwert_xl.core.settings import Settings
    from kundenwert_xl.demo import make_demo

    data = make_demo(3_000, seed=5)
    result = analyze(data.transactions, settings=Settings(forecast_enabled=False))
    target = tmp_path / "k.parquet"
    export.write_tables(target, report.export_tables(result), report.export_specs())
    schema = pq.read_schema(target)
    forecast = [h for h in schema.names if h.startswith(("P(aktiv)", "Prognose"))]
    assert forecast and all(str(schema.field(h).type) == "double" for h in forecast)
    assert pq.read_table(target).column(forecast[0]).null_count == len(result.customers)


def test_parquet_scores_are_whole_numbers_with_and_without_blanks(tmp_path):
    """R, F, M are int64 in parquet whether or not a customer without purchases left a blank
    (they were int64 or float64 by that before)."""
    import pyarrow.parquet as pq

    from kundenwert_xl import report
    from kundenwert_xl.core.analysis import analyze
    from kundenwert_xl.demo import make_demo

    data = make_demo(3_000, seed=5)
    extra = data.customers.iloc[:1].assign(customer_id="NIE-GEKAUFT")
    types = []
    for customers in (None, pd.concat([data.customers, extra], ignore_index=True)):
        result = analyze(data.transactions, customers)
        target = tmp_path / f"k{len(types)}.parquet"
        export.write_tables(target, report.export_tables(result), report.export_specs())
        schema = pq.read_schema(target)
        types.append([str(schema.field(h).type) for h in schema.names if h.startswith("R (")])
    assert types == [["int64"], ["int64"]]
