"""A project's or finding's criterion is read in its own criteria set (in force at the project's start, on the
day of the visit), never in the set of the report period: each item reaches the department leading that
criterion of that set, the report names it from that set, and validation reads it the same way."""

from __future__ import annotations

from test_indicators_fixtures import C1, C2, dataset

from nrd import indicators as ind
from nrd.indicators.pipeline_criteria import read_criteria

P = "2026-10"  # qd51_2025 in force


def _project(pid, criterion, start, category="other"):
    return dict(project_id=pid, project_name=f"Công trình {pid}", unit_code=C1, category=category,
                criterion=criterion, investor="UBND xã", source="central_investment", total_investment_mvnd=1000,
                start_date=start, planned_end="2026-06-30")


def _progress(pid):
    return dict(period="2026-09", project_id=pid, physical_pct=50, disbursed_mvnd=400, status="in_progress")


def _finding(iid, criterion, visit, lead="vpdp"):
    return dict(inspection_id=iid, unit_code=C2, visit_date=visit, kind="inspection", lead=lead,
                criterion=criterion, finding="Tồn tại", action_due="2026-12-31")


def _ds():
    projects = [_project("OLD7", "7", "2025-01-02", "market"),       # qd318 7: rural market -> so_ct
                _project("OLD4", "4", "2025-03-14", "electricity"),  # qd318 4: electricity -> so_ct
                _project("OLD17", "17", "2025-12-18", "environment"),  # qd318 17 -> so_nnmt (not in qd51)
                _project("NEW4", "4", "2026-03-01", "school")]       # qd51 4: training -> so_gddt
    inspections = [_finding("K-OLD", "9", "2024-05-10"),  # qd318 9: housing -> so_xd
                   _finding("K-NEW", "9", "2026-05-10"),  # qd51 9: political system -> so_noivu
                   _finding("K-FEB", "17", "2026-02-10")]  # before 15/02/2026: still qd318
    return dataset(projects=projects, project_progress=[_progress(p["project_id"]) for p in projects],
                   inspections=inspections)


def test_read_criteria_uses_the_set_in_force_on_the_day():
    ds = _ds()
    frame = ds.table("inspections")
    reading = read_criteria(ds, frame["criterion"], frame["visit_date"], P)
    assert reading["criteria_set"].tolist() == ["qd318_2022", "qd51_2025", "qd318_2022"]
    assert reading["department"].tolist() == ["so_xd", "so_noivu", "so_nnmt"]
    assert reading["in_set"].all()


def test_department_pipelines_route_old_set_projects_and_actions_to_their_lead():
    ds = _ds()

    def projects(dep):
        return sorted(ind.department_pipelines(ds, P, dep).projects["project_id"])

    def actions(dep):
        return sorted(ind.department_pipelines(ds, P, dep).actions["inspection_id"])

    assert projects("so_ct") == ["OLD4", "OLD7"]
    assert projects("so_khcn") == []  # qd51 criterion 7 is science & technology: not the old market
    assert projects("so_nnmt") == ["OLD17"]
    assert projects("so_gddt") == ["NEW4"]
    assert actions("so_xd") == ["K-OLD"]
    assert actions("so_noivu") == ["K-NEW"]
    assert actions("so_nnmt") == ["K-FEB"]


def test_a_department_with_old_set_items_only_gets_a_brief():
    from nrd.run.prepare import for_each_keys

    ds = _ds()
    assert "so_ct" not in set(ds.criteria_set_for(P).criteria["department"])
    assert "so_ct" in for_each_keys(ds, P)["department"]
    assert "so_ct" in ind.pipeline_departments(ds, P)


def test_responsible_department_and_findings_read_in_the_set_of_the_visit():
    ds = _ds()
    actions = ind.open_action_list(ds, P).set_index("inspection_id")
    assert actions.loc["K-OLD", "department"] == "so_xd"
    assert actions.loc["K-NEW", "department"] == "so_noivu"
    assert actions.loc["K-FEB", "criteria_set"] == "qd318_2022"
    findings = ind.findings_by_criterion(ds, "2026-10")
    assert list(zip(findings["criteria_set"], findings["criterion"])) == [
        ("qd51_2025", "9"), ("qd318_2022", "17")]


def test_findings_under_an_old_set_criterion_are_named_from_that_set(monkeypatch):
    from nrd.present import appraisal_sections

    shown = {}
    monkeypatch.setattr(appraisal_sections, "show_table", lambda frame, *a, **k: shown.setdefault("f", frame))
    monkeypatch.setattr(appraisal_sections, "show_note", lambda *a, **k: None)
    ds = _ds()
    findings = ind.findings_by_criterion(ds, P)
    appraisal_sections.show_findings_by_criterion(findings, ds.criteria_set_for(P), "vi")
    labels = shown["f"].set_index("criterion")["criterion_label"]
    assert labels["17"].startswith("Môi trường và an toàn thực phẩm")  # qd318's 17, not "outside the set"
    assert "318" in labels["17"]
    assert labels["9"] == "Xây dựng hệ thống chính trị và hành chính công"


def test_a_brief_for_a_department_leading_no_criterion_of_the_set_says_so(monkeypatch):
    """Not "leads 0 criteria" over an empty table and an empty chart: one sentence saying why the brief exists."""
    from nrd.present import sections

    said, shown = [], []
    monkeypatch.setattr(sections, "show_note", lambda key, lang, **values: said.append((key, values)))
    monkeypatch.setattr(sections, "show_table", lambda *a, **k: shown.append("table"))
    monkeypatch.setattr(sections, "show_figure", lambda *a, **k: shown.append("figure"))
    empty = ind.department_view(_ds(), P, "so_ct")
    assert empty.criteria.empty
    assert sections.show_department_criteria(empty, "vi").empty
    assert sections.show_department_achievement(empty, "vi").empty
    assert [key for key, _ in said] == ["note.department_leads_none", "note.no_led_criteria"]
    assert shown == []
    from nrd.present.i18n import t
    sentence = t("note.department_leads_none", "vi", **said[0][1])
    assert "Sở Công Thương" in sentence and "0 tiêu chí" not in sentence
