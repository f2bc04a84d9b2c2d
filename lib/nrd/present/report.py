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
from nrd.present.formats import fmt_date, fmt_money, fmt_period, fmt_value
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


def _share_text(record: dict, lang: str) -> str | None:
    """``45,6% (243,6/534,4 tỷ đồng)`` for a share whose numerator and denominator are known, else None."""
    from nrd.present.formats import fmt_share

    num, den = record.get("numerator"), record.get("denominator")
    if pd.isna(num) or pd.isna(den):
        return None
    if str(record["indicator"]).startswith("capital."):  # a share of money: its parts in billion VND
        percent = fmt_value(float(num) / float(den) * 100 if float(den) else None, "percent", lang)
        parts = f"{fmt_money(num, lang, unit=False)}/{fmt_money(den, lang, unit=False)} {t('unit.billion_vnd', lang)}"
        return f"{percent} ({parts})"
    return fmt_share(num, den, lang)


def _delta_text(delta: object, unit: str, lang: str) -> str:
    from nrd.present.formats import NA_TEXT, fmt_delta

    if delta is None or pd.isna(delta):
        return NA_TEXT
    if unit == "million_vnd":
        return f"{fmt_delta(float(delta) / 1000.0, lang, 1)} {t('unit.billion_vnd', lang)}"
    if unit == "percent":
        return f"{fmt_delta(delta, lang, 1)} {t('unit.points', lang)}"
    return fmt_delta(delta, lang, 1 if unit == "criteria" else 0)


def headline_frame(headlines: pd.DataFrame, lang: str = DEFAULT_LANG) -> pd.DataFrame:
    """Headline rows as display text: label, value, change on the month, change on the year, target, status.

    Args:
        headlines: one row per indicator with ``indicator`` and ``value``; optional ``numerator``,
            ``denominator``, ``delta`` (vs P-1), ``delta_year`` (vs P-12), ``target``, ``status``, ``unit``.
            Shares show their numerator and denominator; money shows billion VND with its unit.
    """
    from nrd.indicators import get_indicator
    from nrd.present.formats import NA_TEXT
    from nrd.present.i18n import indicator_label

    lang = check_lang(lang)
    rows = []
    for record in headlines.to_dict("records"):
        unit = record.get("unit") or get_indicator(record["indicator"]).unit
        value = (_share_text(record, lang) if unit == "percent" else None) or fmt_value(record.get("value"), unit, lang)
        if unit == "criteria" and not pd.isna(record.get("value")):
            value = f"{fmt_value(record.get('value'), unit, lang)} {t('unit.criteria', lang)}"
        if unit == "level" and not pd.isna(record.get("value")):  # 0-3 means nothing to a reader: name it
            level = int(record["value"])
            value = f"{t(f'level.{level}', lang)} ({fmt_value(level, unit, lang)})"
        status = record.get("status")
        rows.append({
            "label": indicator_label(record["indicator"], lang),
            "value": value,
            "delta": _delta_text(record.get("delta"), unit, lang),
            "delta_year": _delta_text(record.get("delta_year"), unit, lang),
            "target": _target_text(record, unit, lang),
            "status": t(f"target_status.{status}", lang) if status else NA_TEXT,
        })
    return pd.DataFrame(rows, columns=["label", "value", "delta", "delta_year", "target", "status"])


def _target_text(record: dict, unit: str, lang: str) -> str:
    """The target and, when given, its deadline: ``65,0% (12/2030)``."""
    from nrd.present.formats import NA_TEXT, fmt_period_short

    if "target" not in record or pd.isna(record.get("target")):
        return NA_TEXT
    text = fmt_value(record.get("target"), unit, lang)
    by = record.get("target_by")
    return f"{text} ({fmt_period_short(by)})" if isinstance(by, str) and by else text


HEADLINE_COLUMNS = (Col("label", "common.indicator"), Col("value", "common.value"),
                    Col("delta", "common.delta_month"), Col("delta_year", "common.delta_year"),
                    Col("target", "common.target"), Col("status", "common.target_status"))


def show_headlines(headlines: pd.DataFrame, lang: str = DEFAULT_LANG) -> None:
    """Show the headline table (see ``headline_frame`` for the columns it reads)."""
    text = headline_frame(headlines, lang)
    with_target = "target" in headlines.columns and headlines["target"].notna().any()
    columns = [c for c in HEADLINE_COLUMNS if with_target or c.column not in ("target", "status")]
    show_table(text, columns, lang)


def assumptions_html(lang: str = DEFAULT_LANG, assumptions: pd.DataFrame | None = None) -> str:
    """The stated assumptions, each with its evidence tag (R background, I inference); default: every
    assumption of the reference data."""
    from nrd.reference import load_assumptions

    lang = check_lang(lang)
    frame = load_assumptions() if assumptions is None else assumptions
    items = "\n".join(
        f'<li><span class="nrd-tag">[{html.escape(str(row["tag"]))}]</span> {html.escape(str(row[f"text_{lang}"]))}</li>'
        for _, row in frame.iterrows()
    )
    return f'<ul class="nrd-assumptions">\n{items}\n</ul>'


def show_assumptions(lang: str = DEFAULT_LANG, ds=None, period: str | None = None) -> None:
    """The report's notes: the assumptions it rests on and the reference data it used.

    With ``ds`` and ``period``: only the assumptions that concern the period's criteria set and that no
    office file of the dataset replaces, then how many indicators of the set are on file and which
    reference rows came from the office's files (``nrd.present.phase.reference_notes_html``).
    """
    section("section.assumptions", lang)
    if ds is None or period is None:
        _display_html(assumptions_html(lang))
        return
    from nrd.present.phase import show_reference_notes

    communes = ds.units.loc[ds.units["unit_type"] == "commune", "unit_code"]
    _display_html(assumptions_html(lang, ds.reference.assumptions(period, communes)))
    show_reference_notes(ds.reference, period, lang)


FINDING_COLUMNS = (Col("severity", "common.severity", "severity"), Col("file", "common.file"),
                   Col("sheet", "common.sheet"), Col("row", "common.row", "int"), Col("column", "common.column"),
                   Col("value", "common.value"), Col("expected", "common.expected"), Col("message", "common.message"))


def show_findings(findings, lang: str = DEFAULT_LANG, max_rows: int = 200) -> None:
    """The validation findings (``Dataset.findings``) as a table: file, sheet, row, column, value, expected."""
    from nrd.io import findings_frame

    show_table(findings_frame(findings), FINDING_COLUMNS, lang, max_rows=max_rows)




# ---------------------------------------------------------------------------------------------------------
# The indicator table a report reads: precomputed by the run (``indicators_path``) or computed here.
# ---------------------------------------------------------------------------------------------------------


def comparison_periods(period: str) -> list[str]:
    """The periods a headline table needs: P-12 (same month last year), P-1 and P."""
    from nrd import periods as _periods

    period = _periods.parse_period(period)
    return sorted({_periods.same_period_last_year(period), _periods.previous_period(period), period})


def trend_periods(period: str, months: int = 12) -> list[str]:
    """P-``months`` .. P (the run precomputes exactly these; a 12-month trend and the deltas need them)."""
    from nrd import periods as _periods

    period = _periods.parse_period(period)
    return _periods.period_range(_periods.shift_period(period, -months), period)


def indicator_table(ds, period_list: Sequence[str], indicators_path: str | Path = "") -> pd.DataFrame:
    """The indicator table rows of ``period_list``: read from ``indicators_path`` when given, and only the
    periods that file lacks computed here (``nrd.indicators.build_indicator_table``).

    A run computes the table once (P-12..P) and passes its path to every report, so a report does not
    recompute 13 months; a notebook opened by hand leaves the path blank and computes what it shows.

    Raises:
        IndicatorTableError: the file is missing, unreadable or not shaped like the indicator table.
        UsageError: the file holds units of another province than the dataset.
    """
    from nrd import periods as _periods
    from nrd.indicators import TABLE_COLUMNS, build_indicator_table
    from nrd.io.indicator_table import read_indicator_table
    from nrd.log import logger

    wanted = sorted({_periods.parse_period(p) for p in period_list})
    parts = []
    if str(indicators_path or "").strip():
        stored = read_indicator_table(resolve_path(indicators_path))
        stored = stored[stored["period"].isin(wanted)]
        province = stored.loc[stored["unit_code"].str.len() <= 2, "unit_code"].unique()
        if len(province) and set(province) != {str(ds.province_code)}:
            raise UsageError(f"indicator table {indicators_path}: province {sorted(province)} but the dataset is "
                             f"province {ds.province_code}; pass the table of this dataset's run")
        parts.append(stored)
    have = set(parts[0]["period"]) if parts else set()
    missing = [p for p in wanted if p not in have]
    if missing:
        logger.info("indicator table: computing %d period(s) here: %s", len(missing), ", ".join(missing))
        parts.append(build_indicator_table(ds, missing))
    table = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    order = table["period"].map({p: i for i, p in enumerate(wanted)})
    return table.assign(_order=order).sort_values("_order", kind="stable")[TABLE_COLUMNS].reset_index(drop=True)


# Headline sets (``nrd.indicators.headlines.headline_ids``): the indicators depend on the phase of the period.
PROVINCE_HEADLINES = "province"
COMMUNE_HEADLINES = "commune"
OCOP_HEADLINES = "ocop"
CAPITAL_HEADLINES = "capital"
QUALITY_HEADLINES = "quality"


def headlines(table: pd.DataFrame, period: str, indicators: Sequence[str] | str = PROVINCE_HEADLINES, *,
              unit_code: str | None = None, province_code: str = "37", targets=None) -> pd.DataFrame:
    """The headline rows of ``unit_code`` (default: the province) at ``period``, in ``indicators`` order
    (ids, or the name of a headline set of ``nrd.indicators.headlines``).

    Columns: indicator, value, numerator, denominator, delta (vs P-1), delta_year (vs P-12), target, status
    (``nrd.indicators.compare``). Indicators absent from the table are left out.
    """
    from nrd.indicators import compare
    from nrd.indicators.headlines import headline_ids

    if isinstance(indicators, str):
        indicators = headline_ids(indicators, period)
    unit = normalize_unit_code(unit_code) if unit_code else str(province_code)
    compared = compare(table, period, targets)
    compared = compared[compared["unit_code"] == unit]
    now = table[(table["period"] == period) & (table["unit_code"] == unit)][["indicator", "numerator", "denominator"]]
    rows = compared.merge(now, on="indicator", how="left").rename(columns={"delta_month": "delta"})
    order = {name: i for i, name in enumerate(indicators)}
    rows = rows[rows["indicator"].isin(order)]
    return rows.assign(_order=rows["indicator"].map(order)).sort_values("_order").drop(columns="_order") \
        .reset_index(drop=True)


def show_headlines_of(table: pd.DataFrame, period: str, lang: str = DEFAULT_LANG,
                      indicators: Sequence[str] | str = PROVINCE_HEADLINES, *, unit_code: str | None = None,
                      province_code: str = "37", targets=None) -> None:
    """Headline figures with their change on the previous month and the same month last year, and their
    target status (met / on track / behind) when ``targets`` are given."""
    rows = headlines(table, period, indicators, unit_code=unit_code, province_code=province_code, targets=targets)
    if not targets:
        rows = rows.drop(columns=["target", "status"])
    show_headlines(rows, lang)
    show_note("note.headline_deltas", lang)
    from nrd.present.phase import show_set_break

    show_set_break(comparison_periods(period), lang)


def unit_record(ds, unit_code: object) -> dict[str, str]:
    """``{"unit_code", "name", "unit_type"}`` of a unit of the dataset's registry (a name is accepted too).

    Raises:
        UnknownNameError: not a unit of the dataset's province.
    """
    from nrd.errors import UnknownNameError

    code = normalize_unit_code(unit_code)
    units = ds.units.astype({"unit_code": "str"})
    match = units[units["unit_code"] == code]
    if match.empty:
        from nrd.reference import UnitRegistry

        try:
            code = UnitRegistry(ds.units).resolve(str(unit_code))
        except UnknownNameError:
            raise UnknownNameError("unit", unit_code, list(units["unit_code"])[:20]) from None
        match = units[units["unit_code"] == code]
    row = match.iloc[0]
    return {"unit_code": code, "name": str(row["name"]), "unit_type": str(row["unit_type"])}


def unit_name(ds, unit_code: str) -> str:
    """The unit's name from the dataset's registry (``UnknownNameError`` for a code not in it)."""
    return unit_record(ds, unit_code)["name"]
