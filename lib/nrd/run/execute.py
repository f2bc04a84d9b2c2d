"""Execute a report notebook with papermill's Python API in a fresh ``python3`` kernel.

A failed run still writes the executed notebook (with papermill's error banner cell) before
``ReportError`` is raised, so the evidence stays next to the other outputs.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from nrd.errors import ReportError, UsageError
from nrd.log import logger

KERNEL_NAME = "python3"
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
    import papermill
    from papermill.exceptions import PapermillExecutionError

    notebook, output_ipynb = Path(notebook), Path(output_ipynb)
    if not notebook.is_file():
        raise UsageError(f"notebook not found: {notebook}")
    output_ipynb.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    engine_name, engine_kwargs, papermill_cwd = _engine_arguments(engine_name, cwd or notebook.parent)
    try:
        papermill.execute_notebook(
            str(notebook),
            str(output_ipynb),
            parameters=dict(parameters),
            engine_name=engine_name,
            kernel_name=KERNEL_NAME,
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
    except Exception as error:  # kernel died, timeout, bad notebook JSON: all are report failures
        raise ReportError(
            f"{notebook.name}: could not run: {type(error).__name__}: {error} (see {output_ipynb})",
            notebook_path=output_ipynb if output_ipynb.exists() else None,
        ) from error
    logger.info("executed %s in %.1f s -> %s", notebook.name, time.perf_counter() - started, output_ipynb)
    return output_ipynb


def _engine_arguments(engine_name: str | None, cwd: str | Path) -> tuple[str | None, dict[str, Any], str | None]:
    """papermill's engine name, the engine's extra keywords and papermill's ``cwd`` for one run.

    The warm engine receives the working directory as ``nrd_cwd`` and changes it inside its kernel:
    papermill's own ``cwd`` changes the directory of this whole process, which threads running reports
    side by side would race on.
    """
    from nrd.run import warm

    engine_name = warm.standard_or(engine_name)
    if warm.is_warm(engine_name):
        return engine_name, {"nrd_cwd": str(Path(cwd).resolve())}, None
    return engine_name, {}, str(cwd)


def notebook_parameters(notebook: str | Path) -> dict[str, dict[str, Any]]:
    """The parameters a notebook declares: ``{name: {"name", "inferred_type_name", "default", "help"}}``.

    Reads the cell tagged ``parameters`` with papermill's Python translator (the same parser as
    ``papermill --help-notebook``), without needing kernel metadata in the notebook.

    Raises:
        UsageError: the notebook does not exist or is not notebook JSON.
    """
    import nbformat
    from papermill.translators import PythonTranslator

    notebook = Path(notebook)
    if not notebook.is_file():
        raise UsageError(f"notebook not found: {notebook}")
    try:
        nb = nbformat.read(notebook, as_version=4)
    except Exception as error:  # nbformat raises several unrelated types for a broken file
        raise UsageError(f"{notebook}: not a readable notebook ({error})") from None
    for cell in nb.cells:
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            return {p.name: p._asdict() for p in PythonTranslator.inspect(cell)}
    return {}


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
