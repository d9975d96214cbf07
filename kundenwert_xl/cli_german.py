"""The command-line framework's own words (typer and its bundled click) in German.

typer 0.29 bundles its own click (``typer._click``) that writes "Usage:", "Error:", "Try ...
for help." and its error messages as literal English strings, without ``gettext``; only
``typer.core`` and ``typer.rich_utils`` translate through ``gettext`` functions bound at
import, and no German catalogue ships for them. So three hooks, all public or documented:

- the words ``typer.core`` and ``typer.rich_utils`` pass through ``_`` come from
  :data:`texts.FRAMEWORK` (their ``_`` names and panel constants are pointed there);
- :class:`GermanCommand` and :class:`GermanGroup` (``cls=`` of typer) write the usage line,
  the help option and a number option's range ("mindestens 1000") in German;
- :func:`show_error` says a usage error in German from the exception's own fields (parameter,
  option, the pydantic error behind a bad value) instead of its English ``show``.
"""

from __future__ import annotations

import difflib
import functools
import importlib
import re
from typing import TYPE_CHECKING, Any

from typer.core import TyperArgument, TyperCommand, TyperGroup

from kundenwert_xl import texts

if TYPE_CHECKING:
    from typer._click.exceptions import ClickException


def _german(message: str) -> str:
    return texts.FRAMEWORK.get(message, message)


def _german_plural(singular: str, plural: str, n: int) -> str:
    return _german(singular if n == 1 else plural)


def speak_german() -> None:
    """Point the ``gettext`` names of typer's (and click's) modules at :data:`texts.FRAMEWORK`.

    Module constants of ``typer.rich_utils`` (panel titles, hints) were translated at import,
    so they are set again here.
    """
    for name in ("typer.core", "typer.rich_utils", "click.core", "click.exceptions"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        if hasattr(module, "_"):
            setattr(module, "_", _german)  # noqa: B010  (a module attribute mypy cannot see)
        if hasattr(module, "ngettext"):
            setattr(module, "ngettext", _german_plural)  # noqa: B010
    try:
        rich_utils = importlib.import_module("typer.rich_utils")
    except ImportError:  # typer without rich: its plain help is German through the classes
        return
    for constant, german in texts.FRAMEWORK_RICH.items():
        if hasattr(rich_utils, constant):
            setattr(rich_utils, constant, german)


class _GermanHelp:
    """Usage line and help option in German (mixed into typer's command classes)."""

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        pieces = self.collect_usage_pieces(ctx)  # type: ignore[attr-defined]
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=texts.CLI_WORDS["usage"])

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = texts.CLI_WORDS["help_option"]
        return option


class GermanCommand(_GermanHelp, TyperCommand):
    """A typer command whose own words are German."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["options_metavar"] = texts.CLI_WORDS["options_metavar"]
        super().__init__(*args, **kwargs)
        for param in self.params:
            if isinstance(param, TyperArgument) and param.metavar is not None:
                # The German placeholder says what is meant; typer would add its English type.
                param.display_type_rich = _no_type  # type: ignore[method-assign]
            if hasattr(param, "_get_number_range_help_str"):
                # typer writes a range as "x>=1000" in the help; German words instead.
                param._get_number_range_help_str = functools.partial(_german_range, param)


def _no_type(ctx: Any) -> None:
    return None


def _german_range(param: Any) -> str | None:
    """A number option's allowed range as the help shows it: "mindestens 1000"."""
    low, high = getattr(param, "min", None), getattr(param, "max", None)
    if low is None and high is None:
        return None
    if high is None:
        return texts.CLI_WORDS["range_min"].format(low=low)
    if low is None:
        return texts.CLI_WORDS["range_max"].format(high=high)
    return texts.CLI_WORDS["range_both"].format(low=low, high=high)


class GermanGroup(_GermanHelp, TyperGroup):
    """A typer group whose own words are German (its commands are :class:`GermanCommand`)."""

    command_class = GermanCommand

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["options_metavar"] = texts.CLI_WORDS["options_metavar"]
        kwargs["subcommand_metavar"] = texts.CLI_WORDS["subcommand_metavar"]
        # typer would append its English "Did you mean ...?"; the German one is added below.
        kwargs["suggest_commands"] = False
        super().__init__(*args, **kwargs)

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        """Resolve a command; an unknown one gets the close names as a German suggestion."""
        from typer._click import exceptions as ex

        try:
            return super().resolve_command(ctx, args)
        except ex.UsageError as exc:
            matches = difflib.get_close_matches(args[0], list(self.commands)) if args else []
            if matches:
                names = ", ".join(matches)
                exc.message += " " + texts.CLI_WORDS["did_you_mean"].format(names=names)
            raise


def german_message(exc: ClickException) -> str:
    """What went wrong, in German, from the exception's fields (not its English text)."""
    from typer._click import exceptions as ex

    if isinstance(exc, ex.MissingParameter):
        kind = "missing_argument" if exc.param_type == "argument" else "missing_option"
        if exc.param_type is None and exc.param is not None:
            kind = f"missing_{exc.param.param_type_name}"
        hint = _hint(exc)
        return texts.CLI_WORDS.get(kind, texts.CLI_WORDS["missing_option"]).format(hint=hint)
    if isinstance(exc, ex.NoSuchOption):
        text = texts.CLI_WORDS["no_such_option"].format(name=exc.option_name)
        if exc.possibilities:
            names = ", ".join(sorted(exc.possibilities))
            text += " " + texts.CLI_WORDS["did_you_mean"].format(names=names)
        return text
    if isinstance(exc, ex.BadParameter):
        detail = _value_detail(exc)
        return texts.CLI_WORDS["bad_value"].format(hint=_hint(exc), detail=detail)
    if isinstance(exc, ex.FileError):
        return texts.CLI_WORDS["file_error"].format(
            name=exc.ui_filename, detail=_translate(exc.message)
        )
    return _translate(exc.message)


def _hint(exc: Any) -> str:
    if exc.param_hint is not None:
        hint = exc.param_hint
        return " / ".join(hint) if isinstance(hint, list | tuple) else str(hint)
    return exc.param.get_error_hint() if exc.param is not None else ""


def _value_detail(exc: Any) -> str:
    """The reason a value was refused, in German.

    typer converts values with pydantic, whose error type (not its English text) picks the
    German sentence.
    """
    cause = exc.__cause__
    errors = getattr(cause, "errors", None)
    if callable(errors):
        first = errors()[0] if errors() else {}
        template = texts.PYDANTIC_ERRORS.get(first.get("type", ""))
        if template is not None:
            return template.format(input=first.get("input"), **first.get("ctx", {}))
        return texts.CLI_WORDS["bad_value_other"].format(input=first.get("input"))
    return _translate(exc.message)


def _translate(message: str) -> str:
    """A message click writes as a literal string, in German.

    Matched against the catalogue's patterns; an unknown one keeps its words behind a German
    lead, so nothing is hidden.
    """
    for pattern, german in texts.FRAMEWORK_PATTERNS.items():
        found = re.fullmatch(pattern, message)
        if found is not None:
            return german.format(*found.groups())
    if message in texts.FRAMEWORK:
        return texts.FRAMEWORK[message]
    if message.split(" ", 1)[0] in _GERMAN_LEADS:  # said in German already (typer.core's ``_``)
        return message
    return texts.CLI_WORDS["unknown_usage"].format(detail=message)


_GERMAN_LEADS = {value.split(" ", 1)[0] for value in texts.FRAMEWORK.values()}


def show_error(exc: ClickException, write: Any) -> None:
    """Write a usage error as click would, in German: usage line, help hint, the reason."""
    from typer._click import exceptions as ex

    ctx = getattr(exc, "ctx", None)
    if isinstance(exc, ex.NoArgsIsHelpError):
        write(exc.format_message())
        return
    if isinstance(exc, ex.UsageError) and ctx is not None:
        lines = [ctx.get_usage()]
        if ctx.command.get_help_option(ctx) is not None:
            lines.append(
                texts.CLI_WORDS["try_help"].format(
                    command=ctx.command_path, option=ctx.help_option_names[0]
                )
            )
        write("\n".join(lines) + "\n")
    write(texts.CLI_WORDS["error"].format(message=german_message(exc)))
