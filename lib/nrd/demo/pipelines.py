"""The office's working pipelines in the demo dataset: works and projects with their monthly progress,
the appraisal dossiers behind the published recognitions, inspection rounds, the OCOP council cycle.

Each family draws from its own generator (``nrd.demo.generate``), so the published tables stay the same.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from nrd.demo._common import CALENDAR_END, MONTH_INDEX, MONTHS, dates_between, month_of

_CATEGORIES = np.array(["transport", "irrigation", "school", "culture", "market", "water", "environment",
                        "electricity", "health", "other"], dtype=object)
_CATEGORY_WEIGHTS = np.array([0.3, 0.12, 0.14, 0.12, 0.05, 0.08, 0.08, 0.04, 0.04, 0.03])
_CATEGORY_CRITERION = {"transport": "2", "irrigation": "3", "school": "5", "culture": "6", "market": "7",
                       "water": "17", "environment": "17", "electricity": "4", "health": "15", "other": ""}
#: The same works under the 2026-2030 set (QĐ 51/2025): the infrastructure criterion 2 covers roads,
#: irrigation, schools, culture houses, markets and the grid; health is in 5, water and waste in 8.
_CATEGORY_CRITERION_QD51 = {"transport": "2", "irrigation": "2", "school": "2", "culture": "2", "market": "2",
                            "water": "8", "environment": "8", "electricity": "2", "health": "5", "other": ""}
_CATEGORY_NAME = {"transport": "Đường giao thông", "irrigation": "Kênh mương nội đồng", "school": "Trường học",
                  "culture": "Nhà văn hóa", "market": "Chợ nông thôn", "water": "Công trình nước sạch",
                  "environment": "Điểm tập kết rác thải", "electricity": "Lưới điện nông thôn",
                  "health": "Trạm y tế", "other": "Công trình hạ tầng"}
_OBSTACLES = ("Vướng giải phóng mặt bằng", "Chậm bố trí vốn đối ứng", "Điều chỉnh thiết kế",
              "Nhà thầu thiếu năng lực", "Thời tiết mưa bão kéo dài")
#: Findings an inspection records under each criterion of each set (a finding names what the criterion is about).
_FINDINGS = {
    "qd318_2022": {
        "1": ("Quy hoạch chung xã chưa được rà soát, điều chỉnh",), "2": ("Đường trục thôn xuống cấp, chưa duy tu",),
        "3": ("Kênh mương nội đồng chưa được kiên cố hóa",), "4": ("Lưới điện hạ thế chưa bảo đảm an toàn",),
        "5": ("Trường học thiếu phòng học, chưa đạt chuẩn cơ sở vật chất",),
        "6": ("Nhà văn hóa thôn xuống cấp, thiếu trang thiết bị",), "7": ("Chợ nông thôn chưa đạt chuẩn, thiếu quản lý",),
        "8": ("Đài truyền thanh xã hoạt động chưa thường xuyên",), "9": ("Còn nhà tạm, nhà dột nát",),
        "10": ("Thu nhập bình quân đầu người chưa đạt",), "11": ("Tỷ lệ hộ nghèo đa chiều chưa đạt",),
        "12": ("Tỷ lệ lao động qua đào tạo chưa đạt",), "13": ("Hợp tác xã hoạt động chưa hiệu quả",),
        "14": ("Tỷ lệ học sinh tiếp tục học sau trung học cơ sở chưa đạt",),
        "15": ("Tỷ lệ người dân tham gia bảo hiểm y tế chưa đạt",), "16": ("Thôn văn hóa chưa đạt tỷ lệ quy định",),
        "17": ("Chưa thu gom, xử lý rác thải đúng quy định", "Tỷ lệ hộ dùng nước sạch chưa đạt"),
        "18": ("Hòa giải ở cơ sở chưa hiệu quả",), "19": ("Lực lượng dân quân chưa đạt chỉ tiêu",),
    },
    "qd51_2025": {
        "1": ("Quy hoạch chung xã chưa được rà soát, điều chỉnh",),
        "2": ("Công trình hạ tầng xuống cấp, chưa duy tu", "Đường trục thôn xuống cấp, chưa duy tu"),
        "3": ("Sản phẩm chủ lực chưa liên kết chuỗi giá trị",), "4": ("Tỷ lệ lao động qua đào tạo chưa đạt",),
        "5": ("Thiết chế văn hóa hoạt động chưa hiệu quả", "Trạm y tế thiếu trang thiết bị"),
        "6": ("Tỷ lệ hộ nghèo đa chiều chưa đạt",), "7": ("Tỷ lệ thủ tục hành chính trực tuyến chưa đạt",),
        "8": ("Chưa thu gom, xử lý rác thải đúng quy định", "Tỷ lệ hộ dùng nước sạch chưa đạt"),
        "9": ("Cán bộ, công chức xã chưa đạt chuẩn",), "10": ("Hòa giải ở cơ sở chưa hiệu quả",),
    },
}
_LAST_DAY = (pd.Period(CALENDAR_END, freq="M").end_time.normalize())


#: The day Decision 51 took effect: a project started, or a visit made, from then reads its criterion in it.
_QD51_IN_FORCE = pd.Timestamp("2026-02-15")


def build_projects(rng: np.random.Generator, communes: pd.DataFrame, plan: pd.DataFrame):
    """``projects`` and ``project_progress``: about three works per commune, their sum a share of the
    state-budget investment plan of 2021-2025 (the capital tables' order of magnitude)."""
    codes = communes["unit_code"].to_numpy()
    n = 3 * len(codes)
    budget = plan[plan["year"].between(2021, 2025) & plan["source"].isin(["central_investment", "local_budget"])]
    total = 0.35 * float(budget["amount_mvnd"].sum())
    weights = rng.lognormal(0.0, 0.8, size=n)
    investment = np.maximum(np.round(total * weights / weights.sum()), 500.0)
    category = rng.choice(_CATEGORIES, size=n, p=_CATEGORY_WEIGHTS)
    start_month = rng.integers(0, MONTH_INDEX["2026-06"] + 1, size=n)
    planned_months = rng.integers(8, 25, size=n)
    starts = pd.DatetimeIndex([pd.Period(month_of(i), freq="M").start_time for i in start_month]) + \
        pd.to_timedelta(rng.integers(0, 25, size=n), unit="D")
    planned_end = (starts + pd.to_timedelta(planned_months * 30, unit="D")).normalize()
    units = rng.choice(codes, size=n)
    units = np.where(rng.random(n) < 0.05, None, units).astype(object)  # inter-commune works
    delay = np.where(rng.random(n) < 0.2, rng.integers(2, 9, size=n), 0)  # some run late
    stall = rng.random(n) < 0.06  # some stop for months
    projects = pd.DataFrame({
        "project_id": [f"DA-{i + 1:04d}" for i in range(n)],
        "project_name": [f"{_CATEGORY_NAME[c]} số {i + 1}" for i, c in enumerate(category)],
        "unit_code": units,
        "criterion": [(_CATEGORY_CRITERION_QD51 if day >= _QD51_IN_FORCE else _CATEGORY_CRITERION)[c] or None
                      for c, day in zip(category, starts.normalize())],
        "category": category,
        "investor": np.where(pd.isna(units), "Sở Xây dựng", "UBND xã"),
        "source": rng.choice(["central_investment", "local_budget", "integrated"], size=n, p=[0.5, 0.35, 0.15]),
        "total_investment_mvnd": investment,
        "start_date": starts.normalize(),
        "planned_end": planned_end,
    })
    progress = []
    for i in range(n):
        duration = int(planned_months[i] + delay[i])
        stall_at = int(rng.integers(2, max(3, duration - 2))) if stall[i] else -1
        stall_for = int(rng.integers(4, 9)) if stall[i] else 0
        obstacle = rng.choice(_OBSTACLES)
        rate = rng.uniform(0.85, 0.98)
        month, done = int(start_month[i]), 0
        for k in range(duration + stall_for + 2):
            if month + k >= len(MONTHS):
                break
            stopped = stall_at >= 0 and stall_at <= k < stall_at + stall_for
            if not stopped and done < duration:
                done += 1
            pct = round(100.0 * done / duration, 1)
            finished = done >= duration
            status = ("handed_over" if finished and k > duration + stall_for else "completed" if finished
                      else "suspended" if stopped and k > stall_at + 1 else "in_progress")
            late = not finished and pd.Period(MONTHS[month + k], freq="M").end_time > planned_end[i]
            progress.append((MONTHS[month + k], projects["project_id"].iat[i], pct,
                             round(investment[i] * (pct / 100.0) * (1.0 if finished else rate)), status,
                             obstacle if stopped or (late and delay[i]) else None))
            if status == "handed_over":
                break
    frame = pd.DataFrame(progress, columns=["period", "project_id", "physical_pct", "disbursed_mvnd", "status",
                                            "obstacle"])
    return projects, frame


def build_appraisals(rng: np.random.Generator, recognitions: pd.DataFrame, communes: pd.DataFrame):
    """One dossier per recognition decided since 2021 (submitted, reviewing, field check, council, approved),
    a few returned for completion, and the dossiers still open at the data's end."""
    rows = []
    decided = recognitions[recognitions["decision_date"] >= pd.Timestamp("2021-01-01")]
    decided = decided.sort_values(["decision_date", "unit_code", "level"]).reset_index(drop=True)
    for i, rec in enumerate(decided.itertuples()):
        council = rec.decision_date - pd.Timedelta(days=int(rng.integers(7, 25)))
        field = council - pd.Timedelta(days=int(rng.integers(10, 30)))
        reviewing = field - pd.Timedelta(days=int(rng.integers(10, 30)))
        submitted = reviewing - pd.Timedelta(days=int(rng.integers(3, 15)))
        stages = [("submitted", submitted), ("reviewing", reviewing)]
        if rng.random() < 0.12:
            stages += [("returned", reviewing + pd.Timedelta(days=5)), ("reviewing", field - pd.Timedelta(days=3))]
        stages += [("field_check", field), ("council", council), ("approved", rec.decision_date)]
        for stage, date in stages:
            rows.append((f"HS-{rec.decision_date.year}-{i + 1:04d}", rec.unit_code, rec.level, rec.criteria_set,
                         submitted, stage, date, council, rec.decision_no if stage == "approved" else None))
    recognised = set(recognitions.loc[recognitions["level"] == "advanced", "unit_code"])
    candidates = [c for c in communes["unit_code"] if c not in recognised]
    # The 2026-2030 set has no advanced level: a commune applies for nra under it, or, once recognised
    # under it, for the modern pilot.
    phase = recognitions[(recognitions["criteria_set"] == "qd51_2025")
                         | (recognitions["decision_date"] >= _QD51_IN_FORCE)]
    phase_nra = phase[phase["level"] == "nra"].groupby("unit_code")["decision_date"].min()
    opened = list(rng.choice(candidates, size=min(9, len(candidates)), replace=False)) if candidates else []
    # The last two dossiers are for the modern pilot, by communes recognised nra under the new set by August.
    modern_done = set(phase.loc[phase["level"] == "modern", "unit_code"])
    pilot = [c for c in phase_nra[phase_nra <= pd.Timestamp("2026-08-31")].sort_values().index
             if c not in modern_done and c not in opened][:2]
    opened[len(opened) - len(pilot):] = pilot
    for j, code in enumerate(opened):
        submitted = pd.Timestamp(dates_between(rng, "2026-05-01", "2026-10-15", 1)[0])
        level = "modern" if code in pilot else "nra"
        if level == "modern":  # after its nra recognition under the new set
            submitted = max(submitted, phase_nra[code] + pd.Timedelta(days=14))
        stage_names = ["submitted", "reviewing", "field_check", "council"][: 1 + j % 4]
        date = submitted
        council = _LAST_DAY + pd.Timedelta(days=int(rng.integers(20, 50)))  # the next council, planned
        for stage in stage_names:
            date = min(date + pd.Timedelta(days=int(rng.integers(5, 20))) if stage != "submitted" else date,
                       _LAST_DAY)
            rows.append((f"HS-2026-M{j + 1:02d}", code, level, "qd51_2025", submitted, stage, date,
                         council if stage == "council" else None, None))
    return pd.DataFrame(rows, columns=["dossier_id", "unit_code", "level", "criteria_set", "submitted_on", "stage",
                                       "stage_date", "council_date", "decision_no"])


def _finding_texts() -> dict[tuple[str, str], tuple[str, ...]]:
    """(set, criterion) -> the findings recorded under it: its own, and incomplete evidence for it."""
    from nrd.reference import get_criteria_set

    texts = {}
    for set_id, by_criterion in _FINDINGS.items():
        criteria_set = get_criteria_set(set_id)
        for criterion, own in by_criterion.items():
            name = criteria_set.criterion_name(criterion).lower()
            texts[(set_id, criterion)] = (*own, f"Hồ sơ minh chứng tiêu chí {name} chưa đầy đủ")
    return texts


def build_inspections(rng: np.random.Generator, units: pd.DataFrame, departments: list[str]):
    """Three to five rounds per quarter, each visiting two to four units, with zero to three findings per unit;
    most actions resolved, some late, some still open. An appraisal check (thẩm tra) visits communes only
    (wards have no recognition dossiers); a finding's text is about its criterion, numbered in the set in
    force on the day of the visit."""
    codes = units["unit_code"].to_numpy()
    commune_codes = units.loc[units["unit_type"] == "commune", "unit_code"].to_numpy()
    texts = _finding_texts()
    rows, round_no = [], 0
    for quarter_start in range(0, len(MONTHS), 3):
        for _ in range(int(rng.integers(3, 6))):
            round_no += 1
            first = pd.Period(MONTHS[quarter_start], freq="M").start_time
            visit0 = first + pd.Timedelta(days=int(rng.integers(0, 85)))
            if visit0 > _LAST_DAY:
                continue
            kind = rng.choice(["inspection", "field_survey", "appraisal_check"], p=[0.5, 0.35, 0.15])
            lead = "vpdp" if rng.random() < 0.5 else str(rng.choice(departments))
            visited = commune_codes if kind == "appraisal_check" else codes
            for code in rng.choice(visited, size=int(rng.integers(2, 5)), replace=False):
                visit = min(visit0 + pd.Timedelta(days=int(rng.integers(0, 3))), _LAST_DAY)
                set_id = "qd51_2025" if visit >= _QD51_IN_FORCE else "qd318_2022"
                found = int(rng.integers(0, 4))
                if not found:
                    rows.append((f"KT-{round_no:03d}", code, visit, kind, lead, None, None, None, None))
                for _ in range(found):
                    due = visit + pd.Timedelta(days=int(rng.integers(30, 120)))
                    lag = int(rng.integers(-40, 60))
                    never = 0.25 if due > pd.Timestamp("2026-04-01") else 0.02  # old actions mostly closed
                    resolved = due + pd.Timedelta(days=lag) if rng.random() >= never else None
                    if resolved is not None and (resolved > _LAST_DAY or resolved < visit):
                        resolved = None if resolved > _LAST_DAY else visit + pd.Timedelta(days=7)
                    criterion = str(rng.integers(1, 11 if set_id == "qd51_2025" else 20))
                    rows.append((f"KT-{round_no:03d}", code, visit, kind, lead, criterion,
                                 str(rng.choice(texts[(set_id, criterion)])), due, resolved))
    return pd.DataFrame(rows, columns=["inspection_id", "unit_code", "visit_date", "kind", "lead", "criterion",
                                       "finding", "action_due", "resolved_on"])


def with_council(rng: np.random.Generator, registrations: pd.DataFrame) -> pd.DataFrame:
    """The provincial council dates (June and early December of the cycle) and results of the registrations
    (5 stars is the central government's: the province recognises at most 4).

    Stages agree with the council dates as of the data's end (the register holds the latest stage): a
    registration put to a council that has met is evaluated; one not yet submitted when its council met was
    not put to it (no council date); a council still to come has evaluated nothing.
    """
    out = registrations.copy()
    before_june = out["registered_on"].dt.month < 6
    council = np.where(before_june, out["cycle"].astype(int).astype(str) + "-06-20",
                       out["cycle"].astype(int).astype(str) + "-12-05")
    out["council_date"] = pd.to_datetime(pd.Series(council, index=out.index))
    out.loc[~out["stage"].isin(["submitted", "evaluated"]) & before_june, "council_date"] = pd.NaT
    held = out["council_date"].notna() & (out["council_date"] <= _LAST_DAY)
    out.loc[held & (out["stage"] == "submitted"), "stage"] = "evaluated"
    out.loc[held & ~out["stage"].isin(["submitted", "evaluated"]), "council_date"] = pd.NaT
    planned = out["council_date"] > _LAST_DAY
    out.loc[planned & (out["stage"] == "evaluated"), "stage"] = "submitted"
    evaluated = out["stage"] == "evaluated"
    stars = out["proposed_stars"].astype("Float64").fillna(3).clip(upper=4)
    downgrade = rng.random(len(out)) < 0.2
    result = (stars - downgrade).clip(lower=3)
    fail = rng.random(len(out)) < 0.05
    out["result_stars"] = pd.array(np.where(evaluated & ~fail, result.to_numpy(dtype=float), np.nan),
                                   dtype="Float64").astype("Int64")
    return out
