"""Offline HTML from an executed report notebook, with the project nbconvert template.

The page has no code, no prompts, no script and no external URL; a title block (``nrd.run.title_block``)
read from the notebook's report metadata output (``nrd.run.meta``); a table of contents (``nrd.run.toc``)
built from the ``h2``/``h3`` headings; print CSS for A4; a Content-Security-Policy that lets it fetch
nothing but ``data:`` images and run no script. The steps, one module each: keep what a reader sees
(``nrd.run.page_cells``), fill the template (here) — every notebook fragment the template does not escape
passes the allow-list sanitizer (``nrd.run.sanitize``, the template's ``nrd_sanitize`` and ``nrd_image``
filters) — and add the contents. The same executed notebook and the same generated-on date give the same
bytes.
"""

from __future__ import annotations

import datetime as _dt
import re
import threading
from html import escape as html_escape
from functools import lru_cache
from pathlib import Path
from typing import Any

from nrd.errors import ReportError
from nrd.languages import check_language
from nrd.log import logger
from nrd.present.i18n import t
from nrd.run.page_cells import REMOVE_TAGS, notebook_read_errors, prepare_notebook
from nrd.run.sanitize import REPORT_CSP, sanitize_fragment
from nrd.run.title_block import resolve_generated_on, title_block
from nrd.run.toc import add_toc

TEMPLATES_DIR = Path(__file__).parent / "templates"
TEMPLATE_NAME = "nrd"

__all__ = [
    "REMOVE_TAGS",
    "TEMPLATES_DIR",
    "TEMPLATE_NAME",
    "export_html",
    "prepare_notebook",
    "render_page",
    "resolve_generated_on",
    "sanitize_fragment",
]

_EXPORT_LOCK = threading.Lock()


def export_html(
    executed_ipynb: str | Path,
    output_html: str | Path,
    *,
    title: str | None = None,
    lang: str = "vi",
    meta: dict[str, Any] | None = None,
    generated_on: _dt.date | str | None = None,
) -> Path:
    """Write the offline HTML page of an executed notebook.

    The title block is the notebook's report metadata output, overridden by ``meta`` and ``title``
    (``notebook.metadata["nrd"]`` is read too, below the output).

    Args:
        executed_ipynb: a notebook executed by ``execute_notebook``.
        output_html: the page to write (its folder is created).
        title: the report title, overriding the notebook's.
        lang: page language (``vi``, ``en``, ``fr``): ``<html lang>``, title-block labels, date formats.
        meta: more title-block fields (``REPORT_META_FIELDS``) overriding the notebook's.
        generated_on: the generated-on date; default from ``resolve_generated_on``.

    Returns:
        The path of the page.

    Raises:
        ReportError: the notebook cannot be read or the template fails.
    """
    import nbformat

    executed_ipynb, output_html = Path(executed_ipynb), Path(output_html)
    try:
        nb = nbformat.read(executed_ipynb, as_version=4)
    except notebook_read_errors() as error:
        message = f"cannot read executed notebook {executed_ipynb}: {error}"
        raise ReportError(message, executed_ipynb) from None
    page = render_page(nb, name=executed_ipynb.stem, title=title, lang=lang, meta=meta,
                       generated_on=generated_on)
    output_html.parent.mkdir(parents=True, exist_ok=True)
    output_html.write_bytes(page.encode("utf-8"))
    logger.info("wrote %s (%d KB)", output_html, len(page.encode("utf-8")) // 1024)
    return output_html


def render_page(
    nb: Any,
    *,
    name: str = "report",
    title: str | None = None,
    lang: str = "vi",
    meta: dict[str, Any] | None = None,
    generated_on: _dt.date | str | None = None,
) -> str:
    """Return the HTML page of a notebook node (pure: ``nb`` is not modified). See ``export_html``.

    Raises:
        UsageError: ``lang`` is not a report language, or ``generated_on`` is not a date.
        ReportError: the template fails.
    """
    from jinja2 import TemplateError

    lang = check_language(lang)
    body_nb, found = prepare_notebook(nb)
    fields = {**found, **{k: v for k, v in (meta or {}).items() if v not in (None, "")}}
    if title:
        fields["title"] = title
    block = title_block(fields, name=name, lang=lang, generated_on=resolve_generated_on(generated_on))
    resources = {"nrd": {**block, "csp": REPORT_CSP}}
    with _EXPORT_LOCK:  # one exporter is reused; nbconvert exporters are not thread-safe
        try:
            html, _ = _exporter().from_notebook_node(body_nb, resources=resources)
        except TemplateError as error:
            raise ReportError(f"{name}: HTML export failed: {type(error).__name__}: {error}") from error
    return add_toc(_accessible(html, t("page.figure_alt", lang)), t("page.toc", lang))


_IMG_WITHOUT_ALT = re.compile(r"<img\b(?![^>]*\balt=)")


def _accessible(html: str, figure_alt: str) -> str:
    """What nbconvert's HTML exporter adds in a BeautifulSoup pass over the finished page, done on the
    template's own markup instead (that pass re-parsed and re-serialised every page, half of the export's
    cost): a text alternative on every image without one — in the page's language, where nbconvert wrote
    an English sentence. (Its other edit, ``tabindex`` on cells under ``.jp-Notebook``, matched nothing
    in this template's pages.)"""
    return _IMG_WITHOUT_ALT.sub(f'<img alt="{figure_alt}"', html)


#: Output types a page shows, best first. No SVG or PDF: a figure is shown by its PNG (matplotlib's inline
#: backend always gives one); JavaScript and widgets are removed before (``nrd.run.page_cells``).
DISPLAY_PRIORITY = ["text/html", "text/markdown", "text/vnd.mermaid", "text/latex", "image/png", "image/jpeg",
                    "text/plain"]
_BASE64_SPACE = re.compile(r"\s+")
_BASE64 = re.compile(r"[A-Za-z0-9+/]+={0,2}")


def image_tag(output: Any, mime: str) -> str:
    """An image output as ``<img>`` with its base64 data inline (the template's ``nrd_image`` filter).

    Built from the output's data and its numeric ``width``/``height`` metadata, then passed through the
    sanitizer like any fragment: data that is not plain base64 leaves an ``<img>`` without ``src``.
    """
    data = output.get("data", {}).get(mime, "")
    if isinstance(data, list):  # nbformat may store multi-line strings as lists
        data = "".join(data)
    data = _BASE64_SPACE.sub("", str(data))
    attributes = [f'src="data:{mime};base64,{data}"'] if _BASE64.fullmatch(data) else []
    metadata = output.get("metadata", {}).get(mime, {}) or {}
    for name in ("width", "height"):
        value = metadata.get(name) if isinstance(metadata, dict) else None
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            attributes.append(f'{name}="{value}"')
    alt = metadata.get("alt") if isinstance(metadata, dict) else None
    if isinstance(alt, str) and alt.strip():  # the chart's own text alternative (``show_figure(alt=...)``)
        attributes.append(f'alt="{html_escape(alt.strip(), quote=True)}"')
    return sanitize_fragment(" ".join(["<img", *attributes]) + ">")


def warm_up_exporter() -> None:
    """Build the exporter and compile its templates now (about a second, paid once per process).

    Called on a background thread while the first report executes in another process, so a one-report
    run does not wait for it after the report.
    """
    import nbformat

    render_page(nbformat.v4.new_notebook(), name="warm-up")


@lru_cache(maxsize=1)
def _exporter():
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
    from traitlets.config import Config

    class PageExporter(HTMLExporter):
        """nbconvert's HTML exporter without the BeautifulSoup pass its ``from_notebook_node`` ends with
        (``_accessible`` does its two edits); the filters it registers first are registered the same way."""

        def from_notebook_node(self, nb, resources=None, **kw):
            language = nb.metadata.get("language_info", {})
            lexer = language.get("pygments_lexer", language.get("name", None))
            self.register_filter("highlight_code", self.filters.get(
                "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)))
            resources = self._init_resources(resources)
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources))
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    config = Config({"NbConvertBase": {"display_data_priority": DISPLAY_PRIORITY}})
    exporter = PageExporter(template_name=TEMPLATE_NAME, extra_template_basedirs=[str(TEMPLATES_DIR)],
                            config=config, filters={"nrd_sanitize": sanitize_fragment, "nrd_image": image_tag})
    # the notebook is validated once, after the preprocessors, instead of after each of them (twelve times:
    # about 10 ms per page); a notebook that fails validation still fails the same way
    exporter.optimistic_validation = True
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    return exporter
