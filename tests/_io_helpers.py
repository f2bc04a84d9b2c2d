"""Small writers for io tests: real CSV files and real XLSX workbooks (openpyxl) in a temporary folder."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import openpyxl

TODAY = dt.date(2025, 10, 15)  # the "current month" of every io test: 2025-10

COMMUNE = "13504"  # Xã Bình Lục (legacy: Xã Bình Nghĩa, Xã Tràng An, Xã Đồng Du)
COMMUNE_2 = "13456"  # Xã Liêm Hà
WARD = "13285"  # Phường Phủ Lý


def write_csv(
    folder: Path, table: str, header: list, rows: list[list], *, delimiter: str = ",", bom: bool = False
) -> Path:
    path = folder / f"{table}.csv"
    with open(path, "w", newline="", encoding="utf-8-sig" if bom else "utf-8") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, sheets: dict[str, tuple[list, list[list]]]) -> Path:
    """A workbook with one sheet per entry ``name: (header, rows)`` in order."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, (header, rows) in sheets.items():
        sheet = workbook.create_sheet(name)
        sheet.append(header)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


def valid_tables() -> dict[str, tuple[list, list[list]]]:
    """Every table with a few valid rows (canonical headers); each test breaks one thing."""
    return {
        "criteria_status": (
            ["period", "unit_code", "criterion", "status"],
            [
                ["2025-09", COMMUNE, "1", "met"],
                ["2025-09", COMMUNE, "2", "not_met"],
                ["2025-08", COMMUNE_2, "1", "met"],
            ],
        ),
        "recognitions": (
            ["unit_code", "level", "decision_no", "decision_date"],
            [[COMMUNE, "nra", "10/QĐ", "2023-05-01"], [COMMUNE, "advanced", "11/QĐ", "2024-06-01"]],
        ),
        "capital_plan": (
            ["year", "source", "unit_code", "amount_mvnd"],
            [[2025, "central_investment", COMMUNE, "1000"], [2025, "local_budget", "", "500"]],
        ),
        "capital_disbursement": (
            ["period", "year", "source", "unit_code", "disbursed_mvnd"],
            [
                ["2025-06", 2025, "central_investment", COMMUNE, "400"],
                ["2025-09", 2025, "central_investment", COMMUNE, "900"],
            ],
        ),
        "capital_mobilized": (["period", "source", "cumulative_mvnd"], [["2025-09", "credit", "12000"]]),
        "ocop_entities": (
            ["entity_id", "entity_name", "entity_type", "unit_code", "phone", "representative"],
            [["E1", "HTX Bình Lục", "cooperative", COMMUNE, "0912345678", "Nguyễn Văn A"]],
        ),
        "ocop_products": (
            [
                "product_id",
                "product_name",
                "entity_id",
                "unit_code",
                "group",
                "score",
                "stars",
                "recognized_on",
                "decision_no",
            ],
            [["P1", "Gạo", "E1", COMMUNE, 1, 75, 4, "2024-03-01", "5/QĐ"]],
        ),
        "ocop_registrations": (
            ["registration_id", "product_name", "entity_id", "unit_code", "cycle", "registered_on", "stage"],
            [["R1", "Mật ong", "E1", COMMUNE, 2025, "2025-04-01", "registered"]],
        ),
        "organization": (
            ["period", "unit_code", "steering_committee", "nrd_officials"],
            [["2025-09", COMMUNE, "có", 2]],
        ),
    }


def write_valid_dataset(folder: Path, **overrides: tuple[list, list[list]]) -> Path:
    """All nine tables as CSV in ``folder``; ``overrides`` replace (header, rows) of a table; None drops it"""
    folder.mkdir(parents=True, exist_ok=True)
    tables = valid_tables()
    tables.update(overrides)
    for name, content in tables.items():
        if content is not None:
            write_csv(folder, name, *content)
    return folder
