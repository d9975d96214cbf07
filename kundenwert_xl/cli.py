"""The ``kundenwert`` command: the same engine as the workbook, headless, on any OS.

Results go to files or stdout, progress and problems to stderr. Exit codes: 0 success,
1 bad input data or settings, 2 wrong usage, 3 a file could not be read or written.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from enum import IntEnum
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated, NoReturn, cast

import typer
from rich.console import Console
from rich.progress import BarColumn, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.progress import Progress as RichProgress

from kundenwert_xl import texts
from kundenwert_xl.cli_german import GermanCommand, GermanGroup, show_error, speak_german
from kundenwert_xl.core.analysis import Analysis, Progress
from kundenwert_xl.core.errors import KundenwertError, Problem
from kundenwert_xl.io.export import replacing
from kundenwert_xl.settings import Settings, from_toml

if TYPE_CHECKING:
    import pandas as pd

    from kundenwert_xl.actions import Inputs


class ExitCode(IntEnum):
    """Exit codes by failure class (``os.EX_*`` exist only on Unix)."""

    OK = 0
    INPUT = 1
    USAGE = 2
    IO = 3


#: Data rows an Excel sheet can hold below a header row.
EXCEL_DATA_ROWS = 1_048_575


speak_german()
app = typer.Typer(
    cls=GermanGroup,
    help=texts.CLI["app"],
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


class _PipeSafeStdout:
    """Standard output that ends the command quietly when its reader is gone.

    ``kundenwert ... | head -1``: once ``head`` has closed the pipe, the next write fails; the
    command then ends as a shell expects of a program whose reader left (status 141 = 128 +
    SIGPIPE), without a traceback, and before typer's own handler, which would exit with 1.
    Installed as ``sys.stdout`` by :func:`main`, so rich and typer's help alike write through it.
    """

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            self._reader_gone()

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            self._reader_gone()

    def __getattr__(self, name: str) -> object:
        return getattr(self._stream, name)

    def _reader_gone(self) -> NoReturn:
        # Python flushes stdout once more at exit; pointing it at devnull keeps that quiet too.
        devnull = os.open(os.devnull, os.O_WRONLY)
        with suppress(OSError, ValueError):
            os.dup2(devnull, self._stream.fileno())
        raise SystemExit(128 + int(getattr(signal, "SIGPIPE", 13)))


err = Console(stderr=True, highlight=False, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)


@contextmanager
def _progress() -> Iterator[Progress]:
    """Phase, bar and elapsed time on stderr, only when it is a terminal (never in CI logs).

    The bar counts the phases of :data:`texts.PHASES` in their order: reading, checking, each
    computing step, writing; a phase a command skips moves the bar on.
    """
    if not sys.stderr.isatty():
        yield lambda phase: None
        return
    order = list(texts.PHASES)
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with RichProgress(*columns, console=err, transient=True) as bar:
        task = bar.add_task(texts.PHASES["read"], total=len(order) - 1)

        def report(phase: str) -> None:
            done = order.index(phase) if phase in order else None
            bar.update(task, description=texts.PHASES.get(phase, phase), completed=done)

        yield report


def _fail(exc: KundenwertError) -> typer.Exit:
    errors = [p for p in exc.problems if p.severity == "error"]
    err.print(texts.CLI["problems_header"].format(count=texts.count(len(errors), "problem")))
    for problem in errors:
        err.print(f"  {problem.one_line()}")
    # Notes that explain an error (the columns not read when one is missing).
    _say([p for p in exc.problems if p.severity != "error"])
    code = ExitCode.IO if any(p.code == "io" for p in errors) else ExitCode.INPUT
    return typer.Exit(int(code))


#: What each writing command can write, by file suffix (checked before any work).
TABLE_SUFFIXES = (".xlsx", ".csv", ".parquet", ".pq")
MACRO_SUFFIXES = (".xlsm",)


def _check_output(
    output: Path,
    force: bool,
    allowed: tuple[str, ...],
    command: str,
    source: Path | None = None,
) -> None:
    """Refuse, before any work, a target the command cannot or must not write.

    Usage errors (wrong suffix, same file, existing file without ``--force``) exit with 2;
    a target that is a folder or not an ordinary file, or a folder that does not exist,
    exits with 3. Leftover temporary files of killed runs in the target folder are removed.
    """
    from kundenwert_xl.io.export import write_error_detail

    try:
        folder = output.is_dir()  # also ".", "/" and "": a folder, whatever its name looks like
    except OSError:  # a name the system refuses to look up: said by _check_target below
        folder = False
    if folder:
        _refuse_write(output, "is_folder")
    if output.suffix.lower() not in allowed:
        stem = output.stem if output.name not in ("", "..") else "ergebnis"
        err.print(
            texts.CLI["bad_suffix"].format(
                path=output,
                command=f"kundenwert {command}",
                allowed=", ".join(allowed),
                example=stem + allowed[0],
            )
        )
        raise typer.Exit(int(ExitCode.USAGE))
    try:
        _check_target(output, force, source)
    except OSError as exc:  # the system cannot even look at it (e.g. a name over 255 bytes)
        err.print(texts.message("write_error", path=output, detail=write_error_detail(exc)))
        raise typer.Exit(int(ExitCode.IO)) from None


def _check_target(output: Path, force: bool, source: Path | None) -> None:
    """The part of :func:`_check_output` that asks the file system (may raise OSError)."""
    from kundenwert_xl.io.export import remove_stale_temps

    if source is not None and output.resolve() == source.resolve():
        err.print(texts.CLI["same_file"])
        raise typer.Exit(int(ExitCode.USAGE))
    if output.is_dir():
        _refuse_write(output, "is_folder")
    if output.exists() or output.is_symlink():
        if not force:
            err.print(texts.CLI["exists"].format(path=output))
            raise typer.Exit(int(ExitCode.USAGE))
        if not output.is_file():
            _refuse_write(output, "not_a_file")
    if not output.parent.is_dir():
        _refuse_write(output, "no_folder")
    removed = remove_stale_temps(output.parent)
    if removed:
        names = ", ".join(removed)
        err.print(texts.fill(texts.CLI["stale_temp_removed"], count=len(removed), names=names))


def _refuse_data_file(source: Path, command: str) -> None:
    """Refuse a file that is no workbook (.csv, .parquet, ...), pointing to ``analyze``."""
    if source.is_file() and source.suffix.lower() not in (".xlsx", ".xlsm"):
        err.print(texts.CLI["not_workbook"].format(path=source, command=command))
        raise typer.Exit(int(ExitCode.USAGE))


def _check_source(source: Path) -> None:
    """Refuse, before a target name is made from it, a source that is no readable file."""
    from kundenwert_xl.io.readers import check_regular_file

    try:
        check_regular_file(source)
    except KundenwertError as exc:
        raise _fail(exc) from None


def _refuse_write(output: Path, reason: str) -> None:
    detail = texts.WRITE_DETAILS[reason]
    err.print(texts.message("write_error", path=output, detail=detail))
    raise typer.Exit(int(ExitCode.IO))


def _settings(
    settings_file: Path | None,
    reference_date: str | None,
    method: str | None,
    classes: int | None,
    base: Settings | None = None,
    forecast: bool | None = None,
    forecast_months: int | None = None,
    forecast_rate: str | None = None,
) -> Settings:
    settings = base or Settings()
    if settings_file is not None:
        settings = from_toml(settings_file, base=settings)
    overrides: dict[str, object] = {}
    if reference_date:
        overrides["reference_date"] = reference_date
    if method:
        overrides["scoring_method"] = method
    if classes is not None:
        overrides["n_classes"] = classes
    if forecast is not None:
        overrides["forecast_enabled"] = forecast
    if forecast_months is not None:
        overrides["forecast_months"] = forecast_months
    if forecast_rate is not None:
        overrides["forecast_discount_rate"] = forecast_rate
    return Settings.from_mapping(overrides, base=settings) if overrides else settings


def print_headline(analysis: Analysis) -> None:
    """Print what an analysis says, in German, on stdout."""
    ref = texts.format_date(analysis.reference_date)
    out.print(
        texts.CLI["headline"].format(
            reference_date=ref,
            customers=texts.count(len(analysis.customers), "customer"),
            rows=texts.count(int(analysis.facts["transactions"]), "transaction"),
        )
    )
    for sentence in analysis.sentences():
        out.print(f"  {sentence}")
    for problem in analysis.problems:
        err.print(f"{texts.SEVERITY[problem.severity]}: {problem.one_line()}")


@app.command("demo", cls=GermanCommand, help=texts.CLI["demo"])
def demo_cmd(
    output: Annotated[
        Path,
        typer.Option(
            "-o",
            "--output",
            metavar=texts.METAVARS["workbook"],
            help=texts.CLI["opt_output"],
            show_default=False,  # the help text names the default already
        ),
    ] = Path("kundenwert_demo.xlsm"),
    rows: Annotated[
        int,
        typer.Option(
            "--zeilen", min=1000, metavar=texts.METAVARS["number"], help=texts.CLI["opt_rows"]
        ),
    ] = 20_000,
    seed: Annotated[
        int,
        typer.Option("--seed", min=0, metavar=texts.METAVARS["number"], help=texts.CLI["opt_seed"]),
    ] = 42,
    force: Annotated[bool, typer.Option("--force", help=texts.CLI["opt_force"])] = False,
) -> None:
    """Fill a copy of the template with demo data, recompute it, print the headline figures."""
    from kundenwert_xl.actions import demo_file

    _check_output(output, force, MACRO_SUFFIXES, "demo")
    if rows > EXCEL_DATA_ROWS:
        err.print(texts.CLI["too_many_rows"].format(rows=texts.format_int(EXCEL_DATA_ROWS)))
        raise typer.Exit(int(ExitCode.USAGE))
    try:
        with replacing(force), _progress() as progress:
            outcome = demo_file(output, rows, seed, progress)
    except KundenwertError as exc:
        raise _fail(exc) from None
    assert outcome.analysis is not None  # demo data always analyses
    print_headline(outcome.analysis)
    err.print(texts.CLI["written"].format(path=output))


@app.command("recompute", cls=GermanCommand, help=texts.CLI["recompute"])
def recompute_cmd(
    source: Annotated[
        Path, typer.Argument(metavar=texts.METAVARS["workbook"], help=texts.CLI["arg_workbook"])
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            metavar=texts.METAVARS["workbook"],
            help=texts.CLI["opt_output_workbook"],
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help=texts.CLI["opt_force"])] = False,
) -> None:
    """Recompute a workbook made from the template, headless, into a copy."""
    from kundenwert_xl.actions import recompute_file

    if output is None:  # the default name is made from the source: it must be a file
        _check_source(source)
    # A data file would otherwise be refused for the name of its copy, not for its kind.
    _refuse_data_file(source, "recompute")
    target = output or source.with_name(f"{source.stem}_berechnet{source.suffix}")
    # A copy keeps the package's kind: a macro workbook stays .xlsm, a plain one .xlsx.
    kind = source.suffix.lower() if source.suffix.lower() in (".xlsx", ".xlsm") else ".xlsm"
    _check_output(target, force, (kind,), "recompute", source)
    try:
        with replacing(force), _progress() as progress:
            outcome = recompute_file(source, target, progress)
    except KundenwertError as exc:
        raise _fail(exc) from None
    if not outcome.ok:
        err.print(texts.CLI["protocol_written"].format(path=target))
        raise _fail(KundenwertError(outcome.problems))
    assert outcome.analysis is not None  # a failed outcome raised above
    print_headline(outcome.analysis)
    _say(outcome.notes)
    err.print(texts.CLI["written"].format(path=target))


template_app = typer.Typer(
    cls=GermanGroup, help=texts.CLI["template"], no_args_is_help=True, add_completion=False
)
app.add_typer(template_app, name="template")


@template_app.command("build", cls=GermanCommand, help=texts.CLI["template_build"])
def template_build_cmd(
    output: Annotated[
        Path,
        typer.Option(
            "-o", "--output", metavar=texts.METAVARS["workbook"], help=texts.CLI["opt_template"]
        ),
    ] = Path("workbook_template.xlsm"),
    check: Annotated[bool, typer.Option("--check", help=texts.CLI["opt_check"])] = False,
    force: Annotated[bool, typer.Option("--force", help=texts.CLI["opt_force"])] = False,
) -> None:
    """Build the template from source, or check that a file equals a fresh build."""
    from kundenwert_xl.actions import template_differences
    from kundenwert_xl.io.export import atomic_write
    from kundenwert_xl.template.build import build

    if check:
        if not output.exists():
            err.print(texts.message("io_error", path=output, detail=texts.IO_DETAILS["missing"]))
            raise typer.Exit(int(ExitCode.IO))
        differences = template_differences(output)
        if differences:
            err.print(
                texts.CLI["template_differs"].format(path=output, parts=", ".join(differences))
            )
            raise typer.Exit(int(ExitCode.INPUT))
        out.print(texts.CLI["template_same"].format(path=output))
        return
    _check_output(output, force, MACRO_SUFFIXES, "template build")
    data = build()
    try:
        atomic_write(output, lambda tmp: tmp.write_bytes(data), replace=force)
    except KundenwertError as exc:
        raise _fail(exc) from None
    err.print(texts.CLI["written"].format(path=output))


@app.command("doctor", cls=GermanCommand, help=texts.CLI["doctor"])
def doctor_cmd(
    workbook: Annotated[
        Path | None,
        typer.Argument(metavar=texts.METAVARS["workbook"], help=texts.CLI["arg_doctor_workbook"]),
    ] = None,
) -> None:
    """Tell what is wrong with this installation (and a workbook) before anyone asks."""
    from kundenwert_xl.doctor import diagnose

    findings = diagnose(workbook)
    for finding in findings:
        mark = "OK " if finding.ok else "!! "
        out.print(f"{mark}{finding.what}: {finding.detail}")
        if not finding.ok and finding.fix:
            out.print(f"   → {finding.fix}")
    if not all(f.ok for f in findings):
        raise typer.Exit(int(ExitCode.INPUT))
    out.print(texts.DOCTOR["all_ok"])


@app.command("setup", cls=GermanCommand, help=texts.SETUP["help"])
def setup_cmd(
    dry_run: Annotated[bool, typer.Option("--dry-run", help=texts.SETUP["opt_dry_run"])] = False,
) -> None:
    """Write this environment's interpreter into the user's xlwings configuration."""
    from kundenwert_xl.io.export import write_error_detail
    from kundenwert_xl.io.readers import read_error_detail
    from kundenwert_xl.pc import setup
    from kundenwert_xl.pc.machine import this_machine

    machine = this_machine()
    if machine.system == "other":
        out.print(texts.SETUP["other_system"])
        return
    writing = False
    try:
        planned = setup.plan(machine)
        values = ", ".join(f"{key}={value}" for key, value in planned.wanted.items())
        if not planned.changed:
            out.print(texts.SETUP["unchanged"].format(path=planned.path, values=values))
        elif dry_run:
            out.print(texts.SETUP["would_write"].format(path=planned.path, values=values))
        else:
            writing = True
            setup.apply(machine, planned)
            out.print(texts.SETUP["written"].format(path=planned.path, values=values))
    except KundenwertError as exc:
        raise _fail(exc) from None
    except OSError as exc:  # the path from the error: plan() may fail before it names one
        if writing:
            text = texts.message("write_error", path=exc.filename, detail=write_error_detail(exc))
        else:
            text = texts.message("io_error", path=exc.filename, detail=read_error_detail(exc))
        err.print(text)
        raise typer.Exit(int(ExitCode.IO)) from None
    if planned.removed and planned.changed:
        out.print("  " + texts.SETUP["removed"].format(keys=", ".join(planned.removed)))
    out.print(texts.SETUP["next"])


@app.command("analyze", cls=GermanCommand, help=texts.CLI["analyze"])
def analyze_cmd(
    source: Annotated[
        Path, typer.Argument(metavar=texts.METAVARS["file"], help=texts.CLI["arg_source"])
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "-o", "--output", metavar=texts.METAVARS["file"], help=texts.CLI["opt_output_analyze"]
        ),
    ] = None,
    customers_file: Annotated[
        Path | None,
        typer.Option("--kunden", metavar=texts.METAVARS["file"], help=texts.CLI["opt_customers"]),
    ] = None,
    contacts_file: Annotated[
        Path | None,
        typer.Option(
            "--werbekontakte", metavar=texts.METAVARS["file"], help=texts.CLI["opt_contacts"]
        ),
    ] = None,
    reference_date: Annotated[
        str | None,
        typer.Option(
            "--stichtag",
            "--reference-date",
            metavar=texts.METAVARS["date"],
            help=texts.CLI["opt_reference_date"],
        ),
    ] = None,
    settings_file: Annotated[
        Path | None,
        typer.Option(
            "--einstellungen",
            "--settings",
            metavar=texts.METAVARS["file"],
            help=texts.CLI["opt_settings"],
        ),
    ] = None,
    method: Annotated[
        str | None,
        typer.Option("--methode", metavar=texts.METAVARS["text"], help=texts.CLI["opt_method"]),
    ] = None,
    classes: Annotated[
        int | None,
        typer.Option("--klassen", metavar=texts.METAVARS["number"], help=texts.CLI["opt_classes"]),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help=texts.CLI["opt_force"])] = False,
    forecast: Annotated[
        bool | None,
        typer.Option("--prognose/--ohne-prognose", help=texts.CLI["opt_forecast"]),
    ] = None,
    forecast_months: Annotated[
        int | None,
        typer.Option(
            "--prognose-monate",
            metavar=texts.METAVARS["number"],
            help=texts.CLI["opt_forecast_months"],
        ),
    ] = None,
    forecast_rate: Annotated[
        str | None,
        typer.Option(
            "--prognose-zins", metavar=texts.METAVARS["number"], help=texts.CLI["opt_forecast_rate"]
        ),
    ] = None,
) -> None:
    """Analyse a transactions file and write the customer-level result."""
    from kundenwert_xl import report
    from kundenwert_xl.actions import analysis_file, analyze_inputs, read_inputs
    from kundenwert_xl.io.export import write_layout, write_tables
    from kundenwert_xl.io.readers import read_error_detail

    if output is None:  # the default name is made from the source: it must be a file
        _check_source(source)
    target = output or source.with_name(f"{source.stem}_kundenwert.xlsx")
    notes: list[Problem] = []
    _check_output(target, force, TABLE_SUFFIXES + MACRO_SUFFIXES, "analyze", source)
    try:
        with replacing(force), _progress() as progress:
            progress("read")
            inputs = read_inputs(source)
            if customers_file is not None:
                inputs.customers = _single_table(inputs, customers_file, "customers")
            if contacts_file is not None:
                inputs.contacts = _single_table(inputs, contacts_file, "contacts")
            workbook_settings = Settings.from_mapping(inputs.settings) if inputs.settings else None
            settings = _settings(
                settings_file,
                reference_date,
                method,
                classes,
                workbook_settings,
                forecast,
                forecast_months,
                forecast_rate,
            )
            if target.suffix.lower() in MACRO_SUFFIXES:
                outcome = analysis_file(target, inputs, settings, progress)
                assert outcome.analysis is not None  # a failed analysis raised above
                result, notes = outcome.analysis, outcome.notes
            elif target.suffix.lower() == ".xlsx":
                result = analyze_inputs(inputs, settings, progress)
                progress("write")
                notes = write_layout(
                    target,
                    report.render(result),
                    list(report.SHEET_ORDER),
                    report.print_footer(result),
                )
            else:
                result = analyze_inputs(inputs, settings, progress)
                progress("write")
                notes = write_tables(target, report.export_tables(result), report.export_specs())
    except KundenwertError as exc:
        raise _fail(exc) from None
    except OSError as exc:  # writes are reported by write_tables; this is the reading side
        err.print(texts.message("io_error", path=source, detail=read_error_detail(exc)))
        raise typer.Exit(int(ExitCode.IO)) from None
    print_headline(result)
    _say(notes)
    err.print(texts.CLI["written"].format(path=target))


def _say(notes: list[Problem]) -> None:
    """Notes on the file written (e.g. a text cut at Excel's cell limit), one line each."""
    for note in notes:
        err.print(f"{texts.SEVERITY[note.severity]}: {note.one_line()}")


def _single_table(inputs: Inputs, path: Path, key: str) -> pd.DataFrame:
    """The table ``key`` of a file given for it alone (csv/parquet, or a workbook).

    Its first data row goes to ``inputs``, so that messages name the rows of that file.
    """
    from kundenwert_xl.actions import read_inputs

    table = read_inputs(path, key)
    inputs.first_rows[key] = table.first_rows.get(key, 2)
    return table.transactions


def run(args: list[str], debug: bool = False) -> int:
    """Run the command line on ``args`` and return its exit code (what :func:`main` exits with).

    typer runs without its own error display (``standalone_mode=False``), so that usage errors
    are shown in German by :func:`kundenwert_xl.cli_german.show_error`.
    """
    from typer._click.exceptions import ClickException

    try:
        code = app(args=args, prog_name="kundenwert", standalone_mode=False)
    except ClickException as exc:
        show_error(exc, lambda text: err.print(text, markup=False))
        return exc.exit_code
    except typer.Abort:
        err.print(texts.CLI["interrupted"])
        return 130
    except SystemExit:
        raise
    except Exception as exc:  # the last net: never a traceback for a user without --debug
        if debug:
            raise
        err.print(texts.CLI["unexpected"].format(detail=f"{type(exc).__name__}: {exc}"))
        return int(ExitCode.INPUT)
    return code if isinstance(code, int) else int(ExitCode.OK)


def main() -> None:
    """Entry point of the ``kundenwert`` console script."""
    args = sys.argv[1:]
    debug = "--debug" in args
    if debug:
        args.remove("--debug")
    sys.stdout = cast(IO[str], _PipeSafeStdout(sys.stdout))
    sys.exit(run(args, debug))


if __name__ == "__main__":  # pragma: no cover
    main()
