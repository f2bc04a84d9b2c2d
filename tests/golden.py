"""Golden pages: a few demo pages as the monthly run publishes them, kept in ``tests/data/golden/``.

``tests/test_golden.py`` renders them again (one ``nrd run`` on the demo data, generated-on date fixed) and
compares; a refactor that changes a published page fails with a short unified diff. When a change to a page
is meant, re-baseline on purpose and commit the new files with it::

    make golden                        # or: python -m tests.golden --update

Normalized before comparing: every ``data:`` image URI becomes ``data:image/png;base64,IMAGE`` (PNG bytes
depend on the matplotlib and FreeType builds, not on the report); every other byte, text and markup, counts.
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOLDEN_DIR = ROOT / "tests" / "data" / "golden"
DEMO = ROOT / "data" / "demo"
PERIOD = "2025-09"
COMMUNE = "13504"
GENERATED_ON = "2025-10-05"
LANGUAGES = ("vi", "en")
REPORTS = ("province_overview", "commune_scorecard")
#: Lines of diff shown per page on a mismatch (the whole diff would drown the report).
DIFF_LINES = 60

_DATA_URI = re.compile(r"data:(image/[a-z0-9.+-]+);base64,[A-Za-z0-9+/=\s]+")


def normalize(html: str) -> str:
    """``html`` with each ``data:`` image replaced by a placeholder naming its type."""
    return _DATA_URI.sub(lambda m: f"data:{m.group(1)};base64,IMAGE", html)


def render(out: Path) -> dict[str, Path]:
    """Run the golden pages into ``out`` (one ``nrd run``: both languages, the two reports, one commune);
    ``{golden file name: published page}``.

    Raises:
        RuntimeError: the run failed (its stderr).
    """
    import yaml

    plan = {"dataset": str(DEMO), "period": PERIOD, "languages": list(LANGUAGES),
            "notebooks": str(ROOT / "notebooks"), "reports": [{"notebook": name} for name in REPORTS]}
    out.mkdir(parents=True, exist_ok=True)
    plan_path = out / "golden-plan.yaml"
    plan_path.write_text(yaml.safe_dump(plan, allow_unicode=True), encoding="utf-8")
    nrd = Path(sys.executable).with_name("nrd")
    env = {**os.environ, "NRD_GENERATED_ON": GENERATED_ON}
    env.pop("SOURCE_DATE_EPOCH", None)
    done = subprocess.run([str(nrd), "run", str(plan_path), "--out", str(out / "pub"), "--unit", COMMUNE,
                           "--workers", "2", "--force", "--quiet"], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=900)
    if done.returncode != 0:
        raise RuntimeError(f"nrd run of the golden pages failed ({done.returncode}): {done.stderr[-3000:]}")
    pages = sorted((out / "pub" / PERIOD / "html").rglob("*.html"))
    found = {_golden_name(page, out / "pub" / PERIOD / "html"): page for page in pages}
    if len(found) != len(LANGUAGES) * len(REPORTS):
        raise RuntimeError(f"expected {len(LANGUAGES) * len(REPORTS)} golden pages, the run published "
                           f"{sorted(found)}")
    return found


def _golden_name(page: Path, html_dir: Path) -> str:
    """A flat file name for a published page: its path under ``html/`` with ``/`` as ``__``."""
    return "__".join(page.relative_to(html_dir).parts)


def compare(pages: dict[str, Path]) -> list[str]:
    """One message per page that differs from its golden copy (or has none, or a golden copy has no page):
    a unified diff of the normalized pages, at most ``DIFF_LINES`` lines."""
    problems = []
    goldens = {p.name for p in GOLDEN_DIR.glob("*.html")}
    for name in sorted(goldens - set(pages)):
        problems.append(f"{name}: golden page no longer published")
    for name, page in sorted(pages.items()):
        golden = GOLDEN_DIR / name
        actual = normalize(page.read_text(encoding="utf-8"))
        if not golden.is_file():
            problems.append(f"{name}: no golden copy in {GOLDEN_DIR} (run `make golden`)")
            continue
        expected = golden.read_text(encoding="utf-8")
        if actual != expected:
            lines = list(difflib.unified_diff(expected.splitlines(), actual.splitlines(), f"golden/{name}",
                                              f"rendered/{name}", n=2, lineterm=""))
            shown = [line[:300] for line in lines[:DIFF_LINES]]
            more = f"\n... {len(lines) - DIFF_LINES} more diff lines" if len(lines) > DIFF_LINES else ""
            problems.append(f"{name} differs from its golden copy:\n" + "\n".join(shown) + more)
    return problems


def update(pages: dict[str, Path]) -> list[Path]:
    """Write the normalized pages as the new golden copies (and drop copies of pages no longer rendered)."""
    GOLDEN_DIR.mkdir(parents=True, exist_ok=True)
    for stale in GOLDEN_DIR.glob("*.html"):
        if stale.name not in pages:
            stale.unlink()
    written = []
    for name, page in sorted(pages.items()):
        target = GOLDEN_DIR / name
        target.write_text(normalize(page.read_text(encoding="utf-8")), encoding="utf-8")
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.golden", description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help="re-baseline: write the pages as the golden copies")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="nrd-golden-") as scratch:
        pages = render(Path(scratch))
        if args.update:
            for path in update(pages):
                print(f"golden: wrote {path.relative_to(ROOT)}")
            return 0
        problems = compare(pages)
    for problem in problems:
        print(problem, file=sys.stderr)
    print("golden: " + (f"{len(problems)} page(s) differ" if problems else f"{len(pages)} pages unchanged"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
