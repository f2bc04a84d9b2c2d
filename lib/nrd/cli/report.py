"""``nrd render``: run one report notebook and write its offline HTML page."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from nrd.cli.app import app, fail
from nrd.errors import NrdError


@app.command("render", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def render(
    ctx: typer.Context,
    notebook: Annotated[Path, typer.Argument(help="report notebook, e.g. notebooks/commune_scorecard.ipynb")],
    period: Annotated[str, typer.Option("--period", help="reporting month YYYY-MM")],
    out: Annotated[Path, typer.Option("--out", help="output folder (the page and the executed notebook)")],
    lang: Annotated[str, typer.Option("--lang", help="report language: vi, en or fr")] = "vi",
    data: Annotated[Optional[Path], typer.Option("--data", help="dataset folder")] = None,
    title: Annotated[Optional[str], typer.Option("--title", help="override the report title")] = None,
    generated_on: Annotated[
        Optional[str], typer.Option("--generated-on", help="date printed as generated-on, YYYY-MM-DD")
    ] = None,
    engine: Annotated[
        Optional[str], typer.Option("--engine", help="papermill engine: nbclient (default, fresh kernel) or nrd-warm")
    ] = None,
) -> None:
    """Run NOTEBOOK for one period (and unit, department...) and render it to offline HTML.

    Notebook parameters: -p NAME VALUE (repeatable), e.g. -p unit_code 01234.

    Values stay text, so unit codes keep their zeros, unless the notebook declares an int/float/bool default.
    """
    from nrd.run.execute import coerce_parameters, notebook_parameters
    from nrd.run.render import render_report

    try:
        declared = notebook_parameters(notebook)
        raw = _parameter_pairs(ctx.args)
        reserved = sorted({"period", "lang", "data_dir"} & set(raw))
        if reserved:
            raise _usage(f"use --period/--lang/--data instead of -p {', '.join(reserved)}")
        unknown = sorted(set(raw) - set(declared))
        if unknown:
            raise _usage(f"{notebook.name} has no parameter {', '.join(unknown)}; "
                         f"it declares: {', '.join(declared) or 'none'}")
        result = render_report(notebook, period=period, parameters=coerce_parameters(raw, declared),
                               out_dir=out, lang=lang, data_dir=data, title=title, generated_on=generated_on,
                               engine_name=engine)
    except NrdError as error:
        fail(error)
    if not result.ok:
        typer.echo(f"failed: {result.name}: {result.error}", err=True)
        raise typer.Exit(1)
    typer.echo(f"{result.html_path} ({result.duration_s:.1f} s)")


def _parameter_pairs(args: list[str]) -> dict[str, str]:
    """``-p NAME VALUE`` pairs from the arguments click left over.

    Typer has no repeatable two-value option (``list[tuple[str, str]]`` is rejected), hence this.
    """
    pairs: dict[str, str] = {}
    index = 0
    while index < len(args):
        flag = args[index]
        if flag not in ("-p", "--parameter"):
            raise _usage(f"unexpected argument {flag!r}; notebook parameters are given as -p NAME VALUE")
        if len(args) - index < 3:
            raise _usage(f"{flag} needs a NAME and a VALUE, e.g. -p unit_code 01234")
        name, value = args[index + 1], args[index + 2]
        if name in pairs:
            raise _usage(f"parameter {name} given twice")
        pairs[name] = value
        index += 3
    return pairs


def _usage(message: str) -> NrdError:
    from nrd.errors import UsageError

    return UsageError(message)
