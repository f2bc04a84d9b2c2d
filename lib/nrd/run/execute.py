"""Execute a report notebook with papermill's Python API in a fresh ``nrd`` kernel (``nrd.run.kernels``).

A failed run still writes the executed notebook (with papermill's error banner cell) before
``ReportError`` is raised, so the evidence stays next to the other outputs.
"""

from __future__ import annotations

import os
import re
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

from nrd.errors import ReportError, UsageError
from nrd.log import logger
from nrd.run.engines import engine_arguments, notebook_runner
from nrd.run.page_cells import notebook_read_errors

DEFAULT_TIMEOUT_S = 600


def execute_notebook(
    notebook: str | Path,
    parameters: dict[str, Any],
    output_ipynb: str | Path,
    *,
    engine_name: str | None = None,
    cwd: str | Path | None = None,
    timeout: int | None = DEFAULT_TIMEOUT_S,
) -> Path:
    """Run ``notebook`` with ``parameters`` and write the executed notebook to ``output_ipynb``.

    Values are passed to the kernel exactly as given (a unit code ``"01234"`` stays a string).

    Args:
        notebook: the report notebook (one cell tagged ``parameters``).
        parameters: values injected after the parameters cell.
        output_ipynb: where the executed notebook is written (its folder is created).
        engine_name: a papermill engine name: ``None`` (or ``nbclient``, ``papermill``, ``standard``) for
            papermill's default engine with a fresh kernel, ``nrd-warm`` for the warm kernel engine
            (``nrd.run.warm``).
        cwd: working directory of the kernel; defaults to the notebook's folder.
        timeout: seconds a single cell may run; ``None`` for no limit.

    Returns:
        The path of the executed notebook.

    Raises:
        UsageError: the notebook does not exist.
        ReportError: a cell raised or timed out; ``notebook_path`` is the executed notebook.
    """
    notebook, output_ipynb = Path(notebook), Path(output_ipynb)
    if not notebook.is_file():
        raise UsageError(f"notebook not found: {notebook}")
    output_ipynb.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    runner = notebook_runner(engine_name)
    if runner is not None:  # nrd-fork: papermill runs in a child of the fork server, not here
        runner(notebook.resolve(), dict(parameters), output_ipynb.resolve(),
               cwd=str(Path(cwd or notebook.parent).resolve()), timeout=timeout)
        logger.info("executed %s in %.1f s -> %s", notebook.name, time.perf_counter() - started, output_ipynb)
        return output_ipynb

    import papermill
    from papermill.exceptions import PapermillExecutionError

    from nrd.run.kernels import report_kernel_name  # jupyter_client: only where papermill runs

    engine_name, engine_kwargs, papermill_cwd = engine_arguments(engine_name, cwd or notebook.parent)
    try:
        papermill.execute_notebook(
            str(notebook),
            str(output_ipynb),
            parameters=dict(parameters),
            engine_name=engine_name,
            kernel_name=report_kernel_name(),
            language="python",
            cwd=papermill_cwd,
            progress_bar=False,
            log_output=False,
            request_save_on_cell_execute=False,
            execution_timeout=timeout,
            **engine_kwargs,
        )
    except PapermillExecutionError as error:
        raise ReportError(
            f"{notebook.name}: cell {error.exec_count} raised {error.ename}: {error.evalue} "
            f"(executed notebook with the error: {output_ipynb})",
            notebook_path=output_ipynb,
        ) from error
    except _report_failures() as error:  # kernel died, timeout, bad notebook JSON: the report failed
        raise ReportError(
            f"{notebook.name}: could not run: {type(error).__name__}: {error} (see {output_ipynb})",
            notebook_path=output_ipynb if output_ipynb.exists() else None,
        ) from error
    logger.info("executed %s in %.1f s -> %s", notebook.name, time.perf_counter() - started, output_ipynb)
    return output_ipynb


def _report_failures() -> tuple[type[BaseException], ...]:
    """What a failed report run raises besides a cell error: a dead kernel (``RuntimeError``), a timeout,
    a notebook papermill cannot read or write (``PapermillException``, ``ValueError``, ``OSError``)."""
    from papermill.exceptions import PapermillException

    return (PapermillException, RuntimeError, TimeoutError, OSError, ValueError, *notebook_read_errors())


def notebook_parameters(notebook: str | Path) -> dict[str, dict[str, Any]]:
    """The parameters a notebook declares: ``{name: {"name", "inferred_type_name", "default", "help"}}``.

    Reads the cell tagged ``parameters`` with papermill's Python translator (the same parser as
    ``papermill --help-notebook``), without needing kernel metadata in the notebook; a line that parser
    skips (more than one ``=``) is read too (``_parse_parameters``). The one parser of nrd.

    Raises:
        UsageError: the notebook does not exist or is not notebook JSON.
    """
    import nbformat

    notebook = Path(notebook)
    if not notebook.is_file():
        raise UsageError(f"notebook not found: {notebook}")
    try:
        nb = nbformat.read(notebook, as_version=4)
    except notebook_read_errors() as error:
        raise UsageError(f"{notebook}: not a readable notebook ({error})") from None
    for cell in nb.cells:
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            return _parse_parameters(cell.source)
    return {}


def declared_parameters(notebook: str | Path) -> frozenset[str]:
    """The names of ``notebook_parameters``, read once per notebook version (mtime, size) and process."""
    stat = os.stat(notebook)
    return _declared_parameters(str(notebook), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=64)
def _declared_parameters(notebook: str, mtime_ns: int, size: int) -> frozenset[str]:
    del mtime_ns, size  # part of the cache key only
    return frozenset(notebook_parameters(notebook))


def _parse_parameters(source: str) -> dict[str, dict[str, Any]]:
    """papermill's parse of a parameters cell, plus the one-line assignments it cannot parse.

    papermill's translator skips a line holding more than one ``=`` (``x = "a=b"  # help``), with a warning;
    such a line is read here instead (``ast`` for the name, annotation and default, ``tokenize`` for the
    comment), so the parameter is still declared. The result keeps the cell's order.
    """
    from papermill.translators import PythonTranslator

    lines = source.splitlines()
    parsed = {p.name: p._asdict() for p in PythonTranslator.inspect({"source": "\n".join(
        line for line in lines if line.count("=") <= 1)})}
    for line in lines:
        if line.count("=") > 1:
            recovered = _parse_assignment(line)
            if recovered is not None:
                parsed.setdefault(recovered["name"], recovered)
    order = {name: index for index, name in enumerate(_ASSIGNED.findall(source))}
    return dict(sorted(parsed.items(), key=lambda item: order.get(item[0], len(order))))


_ASSIGNED = re.compile(r"^([A-Za-z_]\w*)\s*(?::[^=\n]*)?=(?!=)", re.MULTILINE)


def _parse_assignment(line: str) -> dict[str, Any] | None:
    """``{"name", "inferred_type_name", "default", "help"}`` of one ``name[: type] = value  # help`` line."""
    import ast
    import io
    import tokenize

    try:
        tree = ast.parse(line.strip())
        comments = [t.string for t in tokenize.generate_tokens(io.StringIO(line.strip()).readline)
                    if t.type == tokenize.COMMENT]
    except (SyntaxError, tokenize.TokenError):
        return None
    statement = tree.body[0] if len(tree.body) == 1 else None
    if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name) and statement.value:
        name, annotation, value = statement.target.id, ast.unparse(statement.annotation), statement.value
    elif (isinstance(statement, ast.Assign) and len(statement.targets) == 1
          and isinstance(statement.targets[0], ast.Name)):
        name, annotation, value = statement.targets[0].id, "None", statement.value
    else:
        return None
    return {"name": name, "inferred_type_name": annotation, "default": ast.unparse(value),
            "help": comments[0].lstrip("#").strip() if comments else ""}


_TRUE = {"true", "1", "yes", "y", "on", "có"}
_FALSE = {"false", "0", "no", "n", "off", "không"}


def coerce_parameters(raw: dict[str, str], declared: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Turn command-line strings into the type of each parameter's declared default.

    Strings stay strings (unit codes keep their leading zeros) unless the notebook declares the
    parameter as ``int``, ``float`` or ``bool`` (by annotation or by the type of its default).

    Raises:
        UsageError: a value cannot be read as the declared type.
    """
    values: dict[str, Any] = {}
    for name, text in raw.items():
        kind = _declared_kind(declared.get(name))
        try:
            if kind == "bool":
                lowered = str(text).strip().lower()
                if lowered not in _TRUE | _FALSE:
                    raise ValueError(text)
                values[name] = lowered in _TRUE
            elif kind == "int":
                values[name] = int(text)
            elif kind == "float":
                values[name] = float(text)
            else:
                values[name] = text
        except ValueError:
            raise UsageError(f"parameter {name}={text!r}: expected {kind}") from None
    return values


def _declared_kind(spec: dict[str, Any] | None) -> str:
    if not spec:
        return "str"
    annotated = str(spec.get("inferred_type_name") or "").strip().lower()
    if annotated in {"int", "float", "bool"}:
        return annotated
    if annotated and annotated != "none":
        return "str"
    default = str(spec.get("default") or "").strip()
    if default in {"True", "False"}:
        return "bool"
    for kind, cast in (("int", int), ("float", float)):
        try:
            cast(default)
        except ValueError:
            continue
        # a quoted default ("01234") is a string; an unquoted 1234 is a number
        return kind
    return "str"
