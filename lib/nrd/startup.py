"""What nrd does to the process when it is first imported: keep optional imports of its dependencies that
cost seconds and serve nrd nothing out of the way.

``jsonschema`` (imported by ``nbformat``, hence by papermill, nbconvert, the fork server and the CLI)
imports ``rfc3987_syntax`` when installed — ``nbformat`` pulls it in through ``jsonschema[format-nongpl]``
— and that module compiles about 40 Lark grammars at import: 1-5 s in every process, for the ``iri``
format checks no notebook schema uses (upstream: python-jsonschema/jsonschema#1428, #1521;
jupyter-server/jupyter_server#1559). Marking it absent in ``sys.modules`` makes jsonschema skip those two
format checkers, as it does when the package is not installed. Nothing else changes.

Set ``NRD_KEEP_SLOW_IMPORTS=1`` to keep them (e.g. an analyst validating IRIs with jsonschema in the same
session); it is too late anyway when jsonschema was imported before nrd.
"""

from __future__ import annotations

import os
import sys

#: Optional modules of dependencies that nrd keeps from loading (see the module docstring).
SLOW_OPTIONAL_MODULES = ("rfc3987_syntax",)
KEEP_VARIABLE = "NRD_KEEP_SLOW_IMPORTS"


def skip_slow_optional_imports() -> bool:
    """Mark ``SLOW_OPTIONAL_MODULES`` as absent unless kept or already imported; True when it did."""
    if os.environ.get(KEEP_VARIABLE) or "jsonschema" in sys.modules:
        return False
    for name in SLOW_OPTIONAL_MODULES:
        sys.modules.setdefault(name, None)  # an import of a None entry raises ImportError, which jsonschema expects
    return True
