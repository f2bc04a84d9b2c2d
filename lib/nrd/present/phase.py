"""Report sections of the programme phases and of the reference data a report used.

In a period of a later phase (a criteria set that followed another) the reports lead with the current
phase, show the previous phase's results in a block of their own (never against targets that no longer
exist), and note every delta or trend that crosses a change of set. Which phase a period belongs to comes
from the reference data; these functions only select, label and lay out what ``nrd.indicators`` computed.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

import pandas as pd

from nrd.present.formats import fmt_period
from nrd.present.i18n import DEFAULT_LANG, check_lang, criteria_set_name, t
from nrd.present.display import _display_html, note_html, section, show_note, show_table
from nrd.present.headline_table import show_headlines
from nrd.present.set_break import set_break_notes, show_set_break  # noqa: F401  (re-exported)
from nrd.present.tables import Col


def _sets(period: str):
    from nrd.reference import criteria_set_for, previous_criteria_set

    current = criteria_set_for(period)
    return current, previous_criteria_set(current.id)


def show_phase_intro(period: str, lang: str = DEFAULT_LANG) -> None:
    """In a later phase: which phase and set the report counts against, and that the previous phase's
    results are shown apart. Nothing in the first phase."""
    current, previous = _sets(period)
    if previous is None:
        return
    show_note("note.phase_intro", lang, phase=current.phase_name(lang), set=current.name(lang), n=len(current),
              previous=previous.phase_name(lang))


GROUP_COLUMNS = (Col("group_name", "common.commune_group"), Col("all_met", "common.all_met", "share",
                                                                 denominator="communes"))


def show_commune_groups(results: pd.DataFrame, period: str, reference,
                        lang: str = DEFAULT_LANG) -> pd.DataFrame:
    """Communes meeting every criterion of the set in force, per commune group (``group_results``: the
    office's classification), under a heading naming the phase. Only when the set in force has commune
    groups (else nothing is shown). Returns ``results`` with the groups' names."""
    current = reference.criteria_set_for(period)
    if not current.group_ids:
        return results
    section("section.current_phase", lang, phase=current.phase_name(lang))
    if results.empty:
        show_note("note.groups_missing", lang)
        return results
    names = current.commune_groups.set_index("group")[f"name_{check_lang(lang)}"]
    frame = results.assign(group_name=[names.get(g, str(g)) for g in results["group"]])
    show_table(frame, GROUP_COLUMNS, lang)
    source = ", ".join(dict.fromkeys(reference.commune_groups["source"])) or "reference/commune_groups"
    show_note("note.groups", lang, source=source)
    return frame


def show_previous_phase(rows: pd.DataFrame, period: str, lang: str = DEFAULT_LANG) -> pd.DataFrame:
    """In a later phase: the previous phase's results (``headlines(table, period, "previous_phase")``: its
    recognition tiers held at the end of P) under "Kết quả <phase>", without targets. Nothing in the first
    phase (the rows are empty then). Returns the rows without the target columns."""
    current, previous = _sets(period)
    if previous is None:
        return rows.drop(columns=["target", "status"], errors="ignore")
    section("section.previous_phase", lang, phase=previous.phase_name(lang))
    show_headlines(rows.drop(columns=["target", "status"], errors="ignore"), lang)
    show_note("note.previous_phase", lang, phase=previous.phase_name(lang), set=previous.name(lang))
    return rows.drop(columns=["target", "status"], errors="ignore")


# ---- one commune ---------------------------------------------------------------------------------------

COMPARISON_COLUMNS = (Col("phase_name", "common.phase"), Col("as_of", "common.as_of", "period"),
                      Col("tier", "common.recognition", "level"),
                      Col("met_text", "common.criteria_met_of"),
                      Col("submission_period", "common.last_submission", "period"))


def show_commune_phase(comparison: pd.DataFrame, unit: Mapping[str, str], reference,
                       lang: str = DEFAULT_LANG) -> pd.DataFrame | None:
    """``phase_comparison``: the commune's result in the current phase beside its last result of the
    previous phase (tier recognised, criteria met of the set, last submission), and its commune group."""
    from nrd.reference import get_criteria_set

    if unit["unit_type"] != "commune":
        return None
    section("section.commune_phase", lang)
    lang = check_lang(lang)
    names = {sid: f"{get_criteria_set(sid).phase_name(lang)} ({get_criteria_set(sid).name(lang)})"
             for sid in comparison["criteria_set"]}
    frame = comparison.assign(
        phase_name=comparison["criteria_set"].map(names),
        tier=comparison["tier"].replace("", "none"),
        met_text=[t("common.na", lang) if pd.isna(m) else f"{int(m)}/{int(n)}"
                  for m, n in zip(comparison["met"], comparison["total"])],
    )
    shown = show_table(frame.iloc[::-1].reset_index(drop=True), COMPARISON_COLUMNS, lang)
    current = reference.criteria_set(comparison["criteria_set"].iloc[-1])
    if current.group_ids:
        group = reference.groups_of([unit["unit_code"]]).iloc[0]
        if pd.isna(group):
            show_note("note.groups_missing", lang)
        else:
            name = current.commune_groups.set_index("group")[f"name_{lang}"].get(int(group), str(group))
            show_note("note.commune_group", lang, name=unit["name"], group=name)
    return shown


def show_next_tier(comparison: pd.DataFrame, profile, unit: Mapping[str, str], reference,
                   lang: str = DEFAULT_LANG) -> pd.DataFrame | None:
    """What the commune lacks for the next tier of the phase in force (its set's ``tiers``): the criteria
    of the set it does not meet (``profile.lacking``)."""
    from nrd.present.sections import PROFILE_CRITERIA_COLUMNS, _criteria_names
    from nrd.present.i18n import enum_label

    if unit["unit_type"] != "commune":
        return None
    section("section.next_level", lang)
    current = reference.criteria_set(comparison["criteria_set"].iloc[-1])
    held = comparison["tier"].iloc[-1]
    tiers = list(current.tiers)
    if held == tiers[-1]:
        show_note("note.top_tier", lang, level=enum_label("level", held, lang))
        return profile.lacking.iloc[0:0]
    target = tiers[tiers.index(held) + 1] if held in tiers else tiers[0]
    show_note("note.next_level", lang, level=enum_label("level", target, lang), n=len(profile.lacking),
              total=len(profile.criteria))
    return show_table(_criteria_names(profile.lacking, lang),
                      PROFILE_CRITERIA_COLUMNS[:3] + (Col("submission_period", "common.period", "period"),), lang)


# ---- indicators and thresholds -------------------------------------------------------------------------


def _evidence(frame: pd.DataFrame, lang: str) -> list[str]:
    return [source if source else (f"[{tag}]" if tag else t("common.shipped", lang))
            for source, tag in zip(frame["source"], frame["tag"])]


def show_indicator_thresholds(thresholds: pd.DataFrame, period: str, reference, lang: str = DEFAULT_LANG, *,
                              unit: Mapping[str, str] | None = None) -> pd.DataFrame | None:
    """``indicator_thresholds``: each indicator of the set in force with its threshold (per commune group,
    or the commune's own group) and where the row comes from; says how many of the set's are on file."""
    lang = check_lang(lang)
    if unit is not None and unit["unit_type"] != "commune":
        return None
    section("section.indicator_thresholds", lang)
    current = reference.criteria_set_for(period)
    on_file, expected = reference.indicator_coverage(current.id)
    if thresholds.empty:
        show_note("note.thresholds_none", lang, set=current.name(lang), n=on_file, expected=expected or "?")
        return thresholds
    frame = thresholds.assign(indicator_name=thresholds[f"name_{lang}"], evidence=_evidence(thresholds, lang))
    columns = [Col("indicator", "common.indicator"), Col("indicator_name", "common.indicator_name"),
               Col("unit", "common.measure_unit")]
    if unit is not None or not current.group_ids:
        columns.append(Col("threshold", "common.threshold"))
    else:
        columns += [Col(f"threshold_group{g}", t("common.threshold_group", lang, n=g)) for g in current.group_ids]
    if unit is not None:
        columns += [Col("status", "common.status", "status"), Col("submission_period", "common.period", "period")]
    columns.append(Col("evidence", "common.evidence"))
    show_table(frame, columns, lang)
    _show_indicator_count(reference, current, lang)
    return frame


def _show_indicator_count(reference, criteria_set, lang: str) -> None:
    on_file, expected = reference.indicator_coverage(criteria_set.id)
    if expected is None:
        show_note("note.indicator_count_open", lang, set=criteria_set.name(lang), n=on_file)
    else:
        show_note("note.indicator_count", lang, set=criteria_set.name(lang), n=on_file, expected=expected)


# ---- notes: assumptions and the reference data a report used ---------------------------------------------


def _office_lines(reference, lang: str) -> list[str]:
    lines = []
    for row in reference.provenance.to_dict("records"):
        decision = t("note.decision", lang, decision=row["decision_no"]) if row["decision_no"] else ""
        set_name = criteria_set_name(row["criteria_set"], lang) if row["criteria_set"] else ""
        lines.append(t(f"note.office_{row['table']}", lang, file=row["file"], rows=row["rows"], keys=row["keys"],
                       replaced=row["replaced"], added=row["added"], set=set_name, decision=decision))
    return lines


def reference_notes_html(reference, period: str, lang: str = DEFAULT_LANG) -> str:
    """How many indicators of the set in force are on file, and which reference rows came from the
    office's files (or that none did)."""
    lang = check_lang(lang)
    current = reference.criteria_set_for(period)
    on_file, expected = reference.indicator_coverage(current.id)
    key = "note.indicator_count_open" if expected is None else "note.indicator_count"
    parts = [note_html(t(key, lang, set=current.name(lang), n=on_file, expected=expected))]
    lines = _office_lines(reference, lang)
    if not lines:
        parts.append(note_html(t("note.office_none", lang)))
    else:
        items = "\n".join(f"<li>{html.escape(line)}</li>" for line in lines)
        parts.append(note_html(t("note.office_files", lang)) + f'\n<ul class="nrd-reference">\n{items}\n</ul>')
    return "\n".join(parts)


def show_reference_notes(reference, period: str, lang: str = DEFAULT_LANG) -> None:
    section("section.reference_data", lang, level=3)
    _display_html(reference_notes_html(reference, period, lang))
