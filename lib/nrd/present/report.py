"""What a report notebook calls to show a section: header, headings, tables, figures, notes.

Notebooks stay thin (no ``def``, no business rule): each cell calls one of these with a frame from
``nrd.indicators`` and the report language. Headings are emitted as HTML ``<h2>``/``<h3>`` in the report
language (a markdown cell cannot be translated); the HTML exporter builds its table of contents from them.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from nrd.errors import UsageError
from nrd.present.formats import fmt_date, fmt_period, fmt_value
from nrd.present.i18n import DEFAULT_LANG, check_lang, has_label, t
from nrd.present.plots import figure_png
from nrd.present.tables import Col, styled_table

#: Mime type of the report metadata output (``docs/architecture.md`` "Report metadata output"); the
#: value is the same as ``nrd.run.meta.REPORT_META_MIME`` — present cannot import run (layering).
REPORT_META_MIME = "application/vnd.nrd.report+json"

#: The repository's notebooks folder (``lib/nrd/present/report.py`` -> repo root / notebooks).
NOTEBOOKS_DIR = Path(__file__).resolve().parents[3] / "notebooks"


def _display(obj, **kwargs) -> None:
    from IPython.display import display

    display(obj, **kwargs)


def resolve_data_dir(data_dir: str | Path, notebooks_dir: str | Path | None = None) -> Path:
    """The dataset folder a notebook parameter names.

    A relative path is taken from the working directory when it exists there (JupyterLab runs a
    notebook in its own folder), else from the notebooks folder (papermill may run from anywhere).

    Raises:
        UsageError: the folder exists in neither place.
    """
    path = Path(data_dir).expanduser()
    if path.is_absolute():
        candidates = [path]
    else:
        candidates = [Path.cwd() / path, Path(notebooks_dir or NOTEBOOKS_DIR) / path]
    for candidate in candidates:
        if candidate.is_dir():
            return candidate.resolve()
    tried = ", ".join(str(c) for c in candidates)
    raise UsageError(f"data folder {str(data_dir)!r} not found (tried {tried}); pass data_dir=<dataset folder>")


def resolve_path(path: str | Path, notebooks_dir: str | Path | None = None) -> Path:
    """A file a notebook parameter names (e.g. the targets file), resolved like ``resolve_data_dir``.

    Raises:
        UsageError: the file exists in neither place.
    """
    given = Path(path).expanduser()
    candidates = [given] if given.is_absolute() else [Path.cwd() / given, Path(notebooks_dir or NOTEBOOKS_DIR) / given]
    for candidate in candidates:
        if candidate.is_file():
            return candidate.resolve()
    raise UsageError(f"file {str(path)!r} not found (tried {', '.join(map(str, candidates))})")


def normalize_unit_code(code: object) -> str:
    """A unit code as the 5-digit string (papermill ``-p unit_code 01234`` passes the int 1234)."""
    text = str(code).strip()
    if re.fullmatch(r"\d{1,5}", text):
        return text.zfill(5)
    return text


def report_meta(report: str, lang: str, period: str, *, unit: str | None = None, subtitle: str | None = None,
                as_of: object = None) -> dict[str, dict[str, str]]:
    """The mime bundle of the report metadata output (title block of the HTML page)."""
    lang = check_lang(lang)
    value = {
        "title": t(f"report.{report}", lang),
        "subtitle": subtitle if subtitle is not None else t("common.province", lang),
        "unit": unit,
        "period": fmt_period(period, lang),
        "as_of": None if as_of is None else fmt_date(as_of, lang),
        "lang": lang,
    }
    return {REPORT_META_MIME: {k: str(v) for k, v in value.items() if v is not None}}


def report_header(report: str, lang: str = DEFAULT_LANG, period: str | None = None, *, unit: str | None = None,
                  subtitle: str | None = None, as_of: object = None) -> None:
    """Emit the report metadata output (``report`` is a notebook name: title from ``report.<name>``).

    Inside JupyterLab the output is invisible; the exporter turns it into the page's title block.
    """
    _display(report_meta(report, lang, period, unit=unit, subtitle=subtitle, as_of=as_of), raw=True)


def heading_html(key_or_text: str, lang: str = DEFAULT_LANG, level: int = 2, **values: object) -> str:
    """``<h2>`` (or h3) with a translated label (a catalog key) or literal text, escaped."""
    text = t(key_or_text, lang, **values) if has_label(key_or_text) else key_or_text
    anchor = re.sub(r"[^a-z0-9]+", "-", key_or_text.lower()).strip("-")
    return f'<h{level} id="{html.escape(anchor)}">{html.escape(text)}</h{level}>'


def section(key: str, lang: str = DEFAULT_LANG, level: int = 2, **values: object) -> None:
    """Show a section heading in the report language."""
    _display_html(heading_html(key, lang, level, **values))


def _display_html(markup: str) -> None:
    from IPython.display import HTML

    _display(HTML(markup))


def note_html(text: str) -> str:
    return f'<p class="nrd-note">{html.escape(text)}</p>'


def show_note(key: str, lang: str = DEFAULT_LANG, **values: object) -> None:
    """A sentence of narrative from the catalog, in the report language."""
    _display_html(note_html(t(key, lang, **values)))


def show_table(frame: pd.DataFrame, columns: Sequence[Col], lang: str = DEFAULT_LANG, **kwargs) -> None:
    """Show ``styled_table(frame, columns, lang)``; an empty frame shows "nothing to show"."""
    if frame.empty:
        _display_html(note_html(t("common.none_to_show", lang)))
        return
    _display_html(styled_table(frame, columns, lang, **kwargs))


def show_figure(fig) -> None:
    """Show a chart as a deterministic PNG and release it (no figure is kept alive)."""
    from IPython.display import Image

    _display(Image(data=figure_png(fig), format="png"))
    fig.clear()


def headline_frame(headlines: pd.DataFrame, lang: str = DEFAULT_LANG) -> pd.DataFrame:
    """Headline rows as display text: label, value, change, target.

    Args:
        headlines: one row per indicator with ``indicator`` and ``value``; optional ``numerator``,
            ``denominator``, ``previous``, ``delta``, ``target``, ``gap``, ``unit``.
    """
    from nrd.present.formats import NA_TEXT, fmt_delta, fmt_share
    from nrd.present.i18n import indicator_label

    lang = check_lang(lang)
    rows = []
    for record in headlines.to_dict("records"):
        unit = record.get("unit")
        if unit is None:
            from nrd.indicators import get_indicator

            unit = get_indicator(record["indicator"]).unit
        if unit == "percent" and pd.notna(record.get("denominator")) and pd.notna(record.get("numerator")):
            value = fmt_share(record["numerator"], record["denominator"], lang)
        else:
            value = fmt_value(record.get("value"), unit, lang)
        digits = 1 if unit in ("percent", "criteria") else 0
        scale = 1000.0 if unit == "million_vnd" else 1.0
        delta = record.get("delta")
        rows.append({
            "label": indicator_label(record["indicator"], lang),
            "value": value,
            "delta": NA_TEXT if delta is None or pd.isna(delta) else fmt_delta(
                float(delta) / scale, lang, 1 if scale > 1 else digits),
            "target": fmt_value(record.get("target"), unit, lang) if "target" in record else NA_TEXT,
        })
    return pd.DataFrame(rows, columns=["label", "value", "delta", "target"])


HEADLINE_COLUMNS = (Col("label", "common.indicator"), Col("value", "common.value"),
                    Col("delta", "common.delta"), Col("target", "common.target"))


def show_headlines(headlines: pd.DataFrame, lang: str = DEFAULT_LANG) -> None:
    """Show the headline table (see ``headline_frame`` for the columns it reads)."""
    text = headline_frame(headlines, lang)
    columns = [c for c in HEADLINE_COLUMNS if c.column != "target" or "target" in headlines.columns]
    show_table(text, columns, lang)


def assumptions_html(lang: str = DEFAULT_LANG) -> str:
    """The stated assumptions (reference data), each with its evidence tag (R background, I inference)."""
    from nrd.reference import load_assumptions

    lang = check_lang(lang)
    items = "\n".join(
        f'<li><span class="nrd-tag">[{html.escape(str(row["tag"]))}]</span> {html.escape(str(row[f"text_{lang}"]))}</li>'
        for _, row in load_assumptions().iterrows()
    )
    return f'<ul class="nrd-assumptions">\n{items}\n</ul>'


def show_assumptions(lang: str = DEFAULT_LANG) -> None:
    section("section.assumptions", lang)
    _display_html(assumptions_html(lang))


FINDING_COLUMNS = (Col("severity", "common.severity", "severity"), Col("file", "common.file"),
                   Col("sheet", "common.sheet"), Col("row", "common.row", "int"), Col("column", "common.column"),
                   Col("value", "common.value"), Col("expected", "common.expected"), Col("message", "common.message"))


def findings_frame(findings) -> pd.DataFrame:
    """Validation findings as a frame (one row per finding, in the order the reader produced them)."""
    columns = ["severity", "rule", "table", "file", "sheet", "row", "column", "value", "expected", "message"]
    return pd.DataFrame([{c: getattr(f, c, None) for c in columns} for f in findings], columns=columns)


def show_findings(findings, lang: str = DEFAULT_LANG, max_rows: int = 200) -> None:
    show_table(findings_frame(findings), FINDING_COLUMNS, lang, max_rows=max_rows)


# ---------------------------------------------------------------------------------------------------------
# Sections drawn from the indicator table and the engine's per-period context. These only select, reshape
# and label what ``nrd.indicators`` computed; no indicator is defined here.
# ---------------------------------------------------------------------------------------------------------

PROVINCE_HEADLINES = (
    "nra.communes_in_scope", "nra.recognized_share", "nra.advanced_share", "nra.model_share",
    "criteria.avg_met", "criteria.all_met", "criteria.reporting_completeness", "ocop.products_active",
    "ocop.products_expiring_180d", "capital.plan_year", "capital.disbursed_year",
    "capital.disbursement_rate_year", "capital.mobilized_cumulative", "org.steering_committee_share",
)
COMMUNE_HEADLINES = ("nra.level", "criteria.met_count", "ocop.products_active", "capital.disbursement_rate_year")
_STATUS_COLUMN = Col("status_text", "common.target")


def _province(table: pd.DataFrame) -> str:
    codes = table.loc[table["unit_code"].astype(str).str.len() <= 2, "unit_code"]
    return str(codes.iloc[0]) if len(codes) else "37"


def headlines(table: pd.DataFrame, period: str, indicators: Sequence[str] = PROVINCE_HEADLINES, *,
              unit_code: str | None = None, targets=None) -> pd.DataFrame:
    """The headline rows of ``unit_code`` (default: the province) at ``period``, in ``indicators`` order.

    Columns: indicator, value, numerator, denominator, delta (vs previous month), delta_year, target, status.
    """
    from nrd.indicators import compare

    unit = unit_code or _province(table)
    compared = compare(table, period, targets)
    compared = compared[compared["unit_code"] == unit]
    now = table[(table["period"] == period) & (table["unit_code"] == unit)][["indicator", "numerator", "denominator"]]
    rows = compared.merge(now, on="indicator", how="left").rename(columns={"delta_month": "delta"})
    order = {name: i for i, name in enumerate(indicators)}
    rows = rows[rows["indicator"].isin(order)]
    return rows.assign(_order=rows["indicator"].map(order)).sort_values("_order").drop(columns="_order") \
        .reset_index(drop=True)


def show_headlines_of(table: pd.DataFrame, period: str, lang: str = DEFAULT_LANG,
                      indicators: Sequence[str] = PROVINCE_HEADLINES, *, unit_code: str | None = None,
                      targets=None) -> None:
    """Headline figures with their change on the previous month and their target."""
    rows = headlines(table, period, indicators, unit_code=unit_code, targets=targets)
    if not targets:
        rows = rows.drop(columns=["target"])
    show_headlines(rows, lang)


def level_history(table: pd.DataFrame) -> pd.DataFrame:
    """Province rows nra.recognized/advanced/model as (period, level 1-3, communes)."""
    ids = {"nra.recognized": 1, "nra.advanced": 2, "nra.model": 3}
    rows = table[table["indicator"].isin(ids) & (table["unit_code"] == _province(table))]
    return pd.DataFrame({"period": rows["period"].to_numpy(), "level": rows["indicator"].map(ids).to_numpy(),
                         "communes": rows["value"].to_numpy(dtype=float)})


def show_level_history(table: pd.DataFrame, lang: str = DEFAULT_LANG) -> None:
    from nrd.present.plots import level_history_lines

    show_figure(level_history_lines(level_history(table), lang))


def criteria_met_distribution(table: pd.DataFrame, period: str) -> pd.DataFrame:
    """Communes by number of criteria met at ``period`` (commune rows of criteria.met_count)."""
    rows = table[(table["period"] == period) & (table["indicator"] == "criteria.met_count")]
    counts = rows["value"].dropna().astype(int).value_counts().sort_index()
    return pd.DataFrame({"criteria_met": counts.index.to_numpy(), "communes": counts.to_numpy()})


def show_criteria_distribution(table: pd.DataFrame, period: str, lang: str = DEFAULT_LANG) -> None:
    from nrd.indicators.timeline import criteria_set_for
    from nrd.present.plots import criteria_distribution_bar

    total = len(criteria_set_for(period).criteria)
    show_figure(criteria_distribution_bar(criteria_met_distribution(table, period), lang, total_criteria=total))


def _context(ds, period: str):
    from nrd.indicators.context import PeriodContext, prepare

    return PeriodContext(prepare(ds), period)


def criteria_grid(ds, period: str) -> pd.DataFrame:
    """Every commune in scope × every criterion of the set in force: status (NA when never submitted)."""
    ctx = _context(ds, period)
    communes = ds.units.loc[ds.units["unit_type"] == "commune", ["unit_code", "name"]].astype(str)
    grid = communes.merge(pd.DataFrame({"criterion": ctx.criteria_list}), how="cross")
    status = ctx.criteria_status[["unit_code", "criterion", "status", "period", "stale"]]
    return grid.merge(status, on=["unit_code", "criterion"], how="left").rename(columns={"name": "unit_name"})


def show_criteria_heatmap(ds, period: str, lang: str = DEFAULT_LANG) -> None:
    from nrd.present.plots import criteria_heatmap

    show_figure(criteria_heatmap(criteria_grid(ds, period), lang))


def show_ocop_stars(table: pd.DataFrame, period: str, lang: str = DEFAULT_LANG) -> None:
    """Active OCOP products by stars (province rows ocop.products_active_<n>star)."""
    from nrd.present.plots import ocop_stars_bar

    province = _province(table)
    rows = table[(table["period"] == period) & (table["unit_code"] == province)]
    counts = pd.DataFrame({"stars": [3, 4, 5], "products": [
        float(rows.loc[rows["indicator"] == f"ocop.products_active_{n}star", "value"].sum()) for n in (3, 4, 5)]})
    show_figure(ocop_stars_bar(counts, lang))


def unit_name(ds, unit_code: str) -> str:
    """The unit's name from the dataset's registry (``UnknownNameError`` for a code not in it)."""
    from nrd.errors import UnknownNameError

    code = normalize_unit_code(unit_code)
    match = ds.units.loc[ds.units["unit_code"].astype(str) == code, "name"]
    if match.empty:
        raise UnknownNameError("unit", unit_code, list(ds.units["unit_code"].astype(str))[:20])
    return str(match.iloc[0])


COMMUNE_CRITERIA_COLUMNS = (Col("criterion", "axis.criterion"), Col("criterion_name", "common.indicator"),
                            Col("status", "common.value", "status"), Col("previous_status", "common.previous", "status"),
                            Col("period", "common.period", "period"))


def commune_criteria(ds, period: str, unit_code: str, lang: str = DEFAULT_LANG) -> pd.DataFrame:
    """Each criterion of the set in force for one commune: status now and a month earlier, its name."""
    from nrd.indicators.timeline import criteria_set_for
    from nrd.periods import previous_period

    code = normalize_unit_code(unit_code)
    now = criteria_grid(ds, period)
    now = now[now["unit_code"] == code]
    before = criteria_grid(ds, previous_period(period))
    before = before[before["unit_code"] == code][["criterion", "status"]].rename(columns={"status": "previous_status"})
    names = criteria_set_for(period).criteria[["criterion", f"name_{check_lang(lang)}"]].astype(str)
    names = names.rename(columns={f"name_{lang}": "criterion_name"})
    return now.merge(before, on="criterion", how="left").merge(names, on="criterion", how="left")


def show_commune_criteria(ds, period: str, unit_code: str, lang: str = DEFAULT_LANG) -> None:
    show_table(commune_criteria(ds, period, unit_code, lang), COMMUNE_CRITERIA_COLUMNS, lang)


DEPARTMENT_COLUMNS = (Col("criterion", "axis.criterion"), Col("criterion_name", "common.indicator"),
                      Col("numerator", "common.share", "share", denominator="denominator"))


def department_criteria(table: pd.DataFrame, period: str, department: str, lang: str = DEFAULT_LANG) -> pd.DataFrame:
    """The criteria a department leads, each with the share of communes meeting it at ``period``."""
    from nrd.indicators.timeline import criteria_set_for

    lang = check_lang(lang)
    criteria = criteria_set_for(period).criteria.astype({"criterion": str})
    led = criteria[criteria["department"].astype(str) == str(department)]
    if led.empty:
        from nrd.errors import UnknownNameError
        from nrd.reference import load_departments

        if str(department) not in set(load_departments()["department"].astype(str)):
            raise UnknownNameError("department", department, list(load_departments()["department"].astype(str)))
    rows = table[(table["period"] == period) & (table["unit_code"] == _province(table))]
    shares = rows.assign(criterion=rows["indicator"].str.removeprefix("criteria.met_share."))
    shares = shares[rows["indicator"].str.startswith("criteria.met_share.")]
    out = led[["criterion", f"name_{lang}"]].rename(columns={f"name_{lang}": "criterion_name"})
    return out.merge(shares[["criterion", "value", "numerator", "denominator"]], on="criterion", how="left")


def show_department_criteria(table: pd.DataFrame, period: str, department: str, lang: str = DEFAULT_LANG) -> None:
    show_table(department_criteria(table, period, department, lang), DEPARTMENT_COLUMNS, lang)


def capital_by_source(ds, period: str, lang: str = DEFAULT_LANG) -> pd.DataFrame:
    """Plan and cumulative disbursement of the plan year of ``period`` per source (state budget)."""
    from nrd.indicators.capital import plan_year_position
    from nrd.indicators.timeline import plan_year
    from nrd.present.i18n import source_name

    plan = ds.table("capital_plan") if ds.has("capital_plan") else None
    spent = ds.table("capital_disbursement") if ds.has("capital_disbursement") else None
    lines = plan_year_position(plan, spent, plan_year(period), period, str(ds.province_code))
    by_source = lines.groupby("source", as_index=False, sort=True)[["plan_mvnd", "disbursed_mvnd"]].sum()
    return by_source.assign(source_name=by_source["source"].map(lambda s: source_name(s, lang)))


CAPITAL_COLUMNS = (Col("source_name", "axis.source"), Col("plan_mvnd", "series.plan", "money"),
                   Col("disbursed_mvnd", "series.disbursed", "money"),
                   Col("disbursed_mvnd", "common.share", "share", denominator="plan_mvnd"))


def show_capital_by_source(ds, period: str, lang: str = DEFAULT_LANG) -> None:
    from nrd.present.plots import capital_plan_vs_disbursed_bar

    frame = capital_by_source(ds, period, lang)
    show_figure(capital_plan_vs_disbursed_bar(frame, lang))
    show_table(frame, CAPITAL_COLUMNS, lang)
