"""nrd keeps jsonschema's optional ``rfc3987_syntax`` (seconds of grammar compiling) out of its processes,
and notebooks still validate; ``NRD_KEEP_SLOW_IMPORTS=1`` keeps it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROBE = """
import sys
import nrd, nbformat
from jsonschema import FormatChecker
nb = nbformat.read({path!r}, as_version=4)
nbformat.validate(nb)
print(sys.modules.get("rfc3987_syntax", "absent") is None, "iri" in FormatChecker.checkers, len(nb.cells) > 3)
"""


def _probe(**env: str) -> str:
    code = PROBE.format(path=str(ROOT / "notebooks" / "commune_scorecard.ipynb"))
    environment = {k: v for k, v in os.environ.items() if k != "NRD_KEEP_SLOW_IMPORTS"} | env
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=environment,
                            timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.strip()


def test_importing_nrd_first_keeps_the_iri_grammars_out_and_notebooks_still_validate():
    assert _probe() == "True False True"


def test_the_variable_keeps_them():
    assert _probe(NRD_KEEP_SLOW_IMPORTS="1") == "False True True"
