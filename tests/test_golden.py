"""The published HTML does not change unnoticed across refactors: a few demo pages (tests/golden.py: the
province overview and a commune scorecard, vi and en, 2025-09, generated-on date fixed) against their golden
copies in tests/data/golden/. A meant change is re-baselined with ``make golden`` and committed with it."""

from __future__ import annotations

import golden
import pytest

pytestmark = pytest.mark.slow

if not (golden.DEMO.is_dir() and all((golden.ROOT / "notebooks" / f"{r}.ipynb").is_file() for r in golden.REPORTS)):
    from _browser import missing

    missing("needs data/demo and the report notebooks", module=True)


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    return golden.render(tmp_path_factory.mktemp("golden"))


def test_published_pages_match_their_golden_copies(pages):
    assert len(pages) == 4 and len(list(golden.GOLDEN_DIR.glob("*.html"))) == 4
    problems = golden.compare(pages)
    assert problems == [], ("\n\n".join(problems) + "\n\nA meant change: `make golden` (python -m tests.golden "
                            "--update), then commit tests/data/golden/ with it.")


def test_a_changed_page_fails_with_a_short_diff_naming_the_line(pages, tmp_path):
    name, page = sorted(pages.items())[0]
    html = page.read_text(encoding="utf-8")
    heading = html.index("<h2")
    changed = tmp_path / page.name
    changed.write_text(html[:heading] + "<p>một dòng mới</p>\n" + html[heading:], encoding="utf-8")
    problems = golden.compare({**pages, name: changed})
    assert len(problems) == 1 and problems[0].startswith(f"{name} differs")
    assert "+<p>một dòng mới</p>" in problems[0] and problems[0].count("\n") <= golden.DIFF_LINES + 2
    assert golden.compare({k: v for k, v in pages.items() if k != name})[0].endswith("no longer published")


def test_normalizing_hides_image_bytes_and_keeps_every_other_byte():
    html = '<p>Số xã: 97</p><img alt="Biểu đồ" src="data:image/png;base64,iVBORw0KG\ngoAAA==">'
    assert golden.normalize(html) == '<p>Số xã: 97</p><img alt="Biểu đồ" src="data:image/png;base64,IMAGE">'
    assert golden.normalize(html.replace("97", "98")) != golden.normalize(html)
