"""What a reader sees of an executed notebook: the cells and outputs the page keeps, and the report metadata.

``prepare_notebook`` copies the notebook (the caller's is never modified), leaving out what belongs to the
analyst (cells tagged ``REMOVE_TAGS``, code-only cells, stderr, JavaScript and widgets) and pulling out the
report metadata output (``nrd.run.meta``), which becomes the title block instead of a body output.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from nrd.run.meta import REPORT_META_FIELDS, REPORT_META_MIME


def notebook_read_errors() -> tuple[type[BaseException], ...]:
    """What ``nbformat.read`` raises for a file that is not a readable notebook (broken JSON, a cell of the
    wrong shape, a schema violation): several unrelated types, all meaning "the user's file is broken"."""
    import nbformat

    return (OSError, ValueError, TypeError, KeyError, AttributeError, nbformat.ValidationError)


#: Cell tags that keep a cell out of the page (nbconvert's TagRemovePreprocessor convention, plus ours).
REMOVE_TAGS = frozenset({"remove_cell", "nrd-notebook-only"})


def prepare_notebook(nb: Any) -> tuple[Any, dict[str, str]]:
    """Copy ``nb`` keeping only what a reader sees, and pull out the report metadata.

    Drops cells tagged with one of ``REMOVE_TAGS`` (e.g. a notebook's own ``# Title`` Markdown cell, which
    the title block replaces), report metadata outputs (returned instead), stderr streams, JavaScript and
    widget outputs, code cells left without outputs (parameters, imports); cell ids become positional
    (papermill gives its injected cell a random one). ``nb.metadata["nrd"]`` is read first, outputs
    override it in cell order.
    """
    nb = copy.deepcopy(nb)
    found: dict[str, str] = {}
    for key, value in dict(nb.metadata.get("nrd", {})).items():
        if key in REPORT_META_FIELDS and value not in (None, ""):
            found[key] = str(value)
    cells = []
    for index, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{index}"  # the template shows no ids; this keeps nbformat's validator quiet
        if REMOVE_TAGS & set(cell.get("metadata", {}).get("tags", [])):
            continue
        if cell.cell_type != "code":
            cells.append(cell)
            continue
        outputs = []
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if REPORT_META_MIME in data:
                value = data[REPORT_META_MIME]
                if isinstance(value, str):  # some writers store JSON mime values as text
                    value = json.loads(value)
                found.update({k: str(v) for k, v in value.items()
                              if k in REPORT_META_FIELDS and v is not None})
                continue
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                continue
            for mime in ("application/javascript", "application/vnd.jupyter.widget-view+json"):
                data.pop(mime, None)
            if output.get("output_type") in ("display_data", "execute_result") and not data:
                continue
            outputs.append(output)
        if outputs:
            cell.outputs = outputs
            cells.append(cell)
    nb.cells = cells
    nb.metadata.pop("widgets", None)
    return nb, found
