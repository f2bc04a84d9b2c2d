"""The input tables of the data contract, declared once (``shared/spec/data-contract.md``).

Readers, validators, the demo generator and the Excel templates all work from these declarations:
a column is named here once, with its Vietnamese label, its type and, for enumerations, the accepted
codes with their Vietnamese words. The one read below is the ids of the shipped criteria sets
(``reference/data/criteria_*.yaml``), so that a new set is one data file, never a code change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


def _shipped_criteria_sets() -> dict[str, str]:
    """id -> Vietnamese name of every criteria set shipped in ``nrd/reference/data`` (in file order).

    Read here with plain YAML (the reference layer imports this module, not the other way round); the
    reference layer checks the files fully when it loads them.
    """
    from nrd import yaml_io

    sets = {}
    for path in sorted((Path(__file__).parent / "reference" / "data").glob("criteria_*.yaml")):
        content = yaml_io.safe_load(path.read_text(encoding="utf-8")) or {}
        sets[str(content["id"])] = str((content.get("names") or {}).get("vi") or content["id"])
    return sets


#: The province the office reports on (Ninh Bình, code 37 after the 2025 merger): the default of every
#: function and command that takes a province code. A dataset names its own in ``dataset.yaml``.
DEFAULT_PROVINCE = "37"

# Enumerations: canonical English code -> Vietnamese word (as the templates and the office write them).
STATUS = {"met": "đạt", "basically_met": "cơ bản đạt", "not_met": "chưa đạt"}
LEVEL = {
    "nra": "đạt chuẩn NTM", "advanced": "NTM nâng cao", "model": "NTM kiểu mẫu", "modern": "NTM hiện đại",
}
# Rank in nra.level (0 none .. 3 model): a modern commune (the pilot tier of a later phase) is a recognised
# NTM commune, so it counts as at least 1; it is counted on its own by nra.modern.
LEVEL_RANK = {"nra": 1, "advanced": 2, "model": 3, "modern": 1}
CRITERIA_SET = _shipped_criteria_sets()
SOURCE = {
    "central_investment": "NSTW đầu tư phát triển",
    "central_recurrent": "NSTW sự nghiệp",
    "local_budget": "ngân sách địa phương",
    "integrated": "vốn lồng ghép",
    "credit": "tín dụng",
    "enterprise": "doanh nghiệp, HTX",
    "community": "cộng đồng, người dân",
}
STATE_BUDGET_SOURCES = ("central_investment", "central_recurrent", "local_budget")
CENTRAL_SOURCES = ("central_investment", "central_recurrent")
ENTITY_TYPE = {
    "enterprise": "doanh nghiệp",
    "cooperative": "hợp tác xã",
    "cooperative_group": "tổ hợp tác",
    "household": "hộ sản xuất kinh doanh",
}
STAGE = {
    "registered": "đã đăng ký",
    "dossier_complete": "hoàn thiện hồ sơ",
    "submitted": "đã trình hội đồng tỉnh",
    "evaluated": "đã đánh giá",
}
YES_NO = {"yes": "có", "no": "không"}
PROJECT_CATEGORY = {
    "transport": "giao thông", "irrigation": "thủy lợi", "school": "trường học", "culture": "văn hóa",
    "market": "chợ", "water": "nước sạch", "environment": "môi trường", "electricity": "điện",
    "health": "y tế", "other": "khác",
}
PROJECT_STATUS = {
    "not_started": "chưa khởi công", "in_progress": "đang thi công", "completed": "hoàn thành",
    "handed_over": "đã bàn giao", "suspended": "tạm dừng",
}
PROJECT_DONE = ("completed", "handed_over")
DOSSIER_STAGE = {
    "submitted": "đã nộp", "reviewing": "đang thẩm định", "field_check": "kiểm tra thực tế",
    "council": "trình Hội đồng thẩm định", "approved": "đã công nhận", "returned": "trả lại bổ sung",
    "rejected": "không đạt",
}
DOSSIER_CLOSED = ("approved", "rejected")
INSPECTION_KIND = {"inspection": "kiểm tra", "field_survey": "khảo sát thực địa", "appraisal_check": "thẩm tra"}

# Column types understood by the reader: how a cell is parsed and what the typed frame holds.
#   code   -> str, 5-digit zero-padded unit code (names and legacy names resolved)
#   period -> str "YYYY-MM"
#   date   -> datetime64[ns], naive
#   money  -> float64, million VND (Vietnamese "1.234,5" accepted in text cells)
#   number -> float64
#   int    -> Int64 (nullable)
#   text   -> str (object/string), stripped
#   enum   -> str, the canonical English code
#   bool   -> boolean (yes/no, có/không)
TYPES = ("code", "period", "date", "money", "number", "int", "text", "enum", "bool")


@dataclass(frozen=True)
class Column:
    name: str
    label_vi: str
    type: str
    required: bool = True
    enum: dict[str, str] | None = None
    help_vi: str = ""
    personal: bool = False  # read, validated, never shown in a report
    # A planned date (planned completion, action due, council date): legitimately after today, so a
    # "date in the future" rule must not flag it.
    future_ok: bool = False

    def __post_init__(self):
        assert self.type in TYPES, self.type
        assert (self.type == "enum") == (self.enum is not None), self.name


@dataclass(frozen=True)
class Table:
    name: str
    label_vi: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()  # no two rows may share these values
    help_vi: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


_period = Column("period", "Kỳ báo cáo", "period", help_vi="Tháng báo cáo, dạng YYYY-MM (ví dụ 2025-09)")
_unit = Column("unit_code", "Mã đơn vị", "code", help_vi="Mã xã/phường 5 chữ số theo danh mục hành chính, hoặc tên xã")
_unit_optional = Column(
    "unit_code", "Mã đơn vị", "code", required=False, help_vi="Để trống = cấp tỉnh; hoặc mã/tên xã"
)
_source = Column("source", "Nguồn vốn", "enum", enum=SOURCE)
_set_optional = Column(
    "criteria_set", "Bộ tiêu chí", "enum", required=False, enum=CRITERIA_SET,
    help_vi="Để trống = bộ tiêu chí có hiệu lực tại kỳ báo cáo",
)

# The office's working pipelines (data contract, "The office's working pipelines").
_C = Column
PIPELINE_TABLES = (
    Table("projects", "Công trình, dự án", (
        _C("project_id", "Mã dự án", "text"), _C("project_name", "Tên công trình, dự án", "text"),
        _C("unit_code", "Mã đơn vị", "code", required=False, help_vi="Để trống = liên xã hoặc cấp tỉnh"),
        _C("criterion", "Tiêu chí", "text", required=False, help_vi="Tiêu chí công trình phục vụ"),
        _C("category", "Loại công trình", "enum", enum=PROJECT_CATEGORY), _C("investor", "Chủ đầu tư", "text"),
        _source, _C("total_investment_mvnd", "Tổng mức đầu tư (triệu đồng)", "money", help_vi="Lớn hơn 0"),
        _C("start_date", "Ngày khởi công", "date", required=False, future_ok=True),
        _C("planned_end", "Ngày hoàn thành theo kế hoạch", "date", future_ok=True),
    ), key=("project_id",), help_vi="Danh mục công trình, dự án của Chương trình; mỗi dự án một dòng."),
    Table("project_progress", "Tiến độ công trình, dự án", (
        _period, _C("project_id", "Mã dự án", "text", help_vi="Phải có trong danh mục công trình, dự án"),
        _C("physical_pct", "Khối lượng hoàn thành (%)", "number", help_vi="0-100"),
        _C("disbursed_mvnd", "Lũy kế giải ngân (triệu đồng)", "money", help_vi="Lũy kế từ khi khởi công"),
        _C("status", "Tình trạng", "enum", enum=PROJECT_STATUS), _C("obstacle", "Vướng mắc", "text", required=False),
    ), key=("period", "project_id"), help_vi="Tiến độ hằng tháng của từng công trình, dự án."),
    Table("appraisals", "Hồ sơ đề nghị xét, công nhận", (
        _C("dossier_id", "Mã hồ sơ", "text"), _unit, _C("level", "Mức đề nghị", "enum", enum=LEVEL),
        _C("criteria_set", "Bộ tiêu chí", "enum", required=False, enum=CRITERIA_SET,
           help_vi="Để trống = bộ tiêu chí có hiệu lực tại ngày nộp hồ sơ"),
        _C("submitted_on", "Ngày nộp hồ sơ", "date"),
        _C("stage", "Giai đoạn", "enum", enum=DOSSIER_STAGE),
        _C("stage_date", "Ngày chuyển giai đoạn", "date", help_vi="Không trước ngày nộp hồ sơ"),
        _C("council_date", "Ngày họp Hội đồng", "date", required=False, future_ok=True),
        _C("decision_no", "Số quyết định công nhận", "text", required=False,
           help_vi="Khi đã công nhận: số quyết định trong bảng Quyết định công nhận"),
    ), key=("dossier_id", "stage", "stage_date"), help_vi="Mỗi dòng một giai đoạn hồ sơ đã qua."),
    Table("inspections", "Kiểm tra, khảo sát thực địa", (
        _C("inspection_id", "Mã đợt kiểm tra", "text"), _unit, _C("visit_date", "Ngày kiểm tra", "date"),
        _C("kind", "Hình thức", "enum", enum=INSPECTION_KIND),
        _C("lead", "Đơn vị chủ trì", "text", help_vi="Mã hoặc tên sở, ngành; vpdp = Văn phòng Điều phối"),
        _C("criterion", "Tiêu chí", "text", required=False), _C("finding", "Tồn tại, hạn chế", "text", required=False),
        _C("action_due", "Hạn khắc phục", "date", required=False, future_ok=True),
        _C("resolved_on", "Ngày khắc phục xong", "date", required=False),
    ), help_vi="Mỗi dòng một tồn tại; đợt không có tồn tại ghi một dòng, cột tồn tại để trống."),
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "criteria_status",
            "Kết quả thực hiện tiêu chí",
            (
                _period,
                _unit,
                _set_optional,
                Column("criterion", "Tiêu chí", "text", help_vi="Số thứ tự tiêu chí trong bộ, ví dụ 2, 17"),
                Column("indicator", "Chỉ tiêu", "text", required=False, help_vi="Ví dụ 2.1; để trống = cả tiêu chí"),
                Column("status", "Kết quả", "enum", enum=STATUS),
                Column("value", "Giá trị", "number", required=False),
                Column("note", "Ghi chú", "text", required=False),
            ),
            key=("period", "unit_code", "criteria_set", "criterion", "indicator"),
        ),
        Table(
            "recognitions",
            "Quyết định công nhận",
            (
                _unit,
                Column("level", "Mức đạt chuẩn", "enum", enum=LEVEL),
                Column("decision_no", "Số quyết định", "text"),
                Column("decision_date", "Ngày quyết định", "date", help_vi="dd/mm/yyyy"),
                _set_optional,
                Column("revoked_on", "Ngày thu hồi", "date", required=False, help_vi="dd/mm/yyyy; để trống nếu chưa thu hồi"),
            ),
            key=("unit_code", "level", "decision_date"),
        ),
        Table(
            "capital_plan",
            "Kế hoạch vốn",
            (
                Column("year", "Năm kế hoạch", "int"),
                _source,
                _unit_optional,
                Column("amount_mvnd", "Số tiền (triệu đồng)", "money"),
            ),
            key=("year", "source", "unit_code"),
        ),
        Table(
            "capital_disbursement",
            "Giải ngân vốn",
            (
                _period,
                Column("year", "Năm kế hoạch", "int"),
                _source,
                _unit_optional,
                Column("disbursed_mvnd", "Lũy kế giải ngân (triệu đồng)", "money"),
            ),
            key=("period", "year", "source", "unit_code"),
        ),
        Table(
            "capital_mobilized",
            "Huy động vốn",
            (_period, _source, Column("cumulative_mvnd", "Lũy kế huy động (triệu đồng)", "money")),
            key=("period", "source"),
        ),
        Table(
            "ocop_products",
            "Sản phẩm OCOP",
            (
                Column("product_id", "Mã sản phẩm", "text"),
                Column("product_name", "Tên sản phẩm", "text"),
                Column("entity_id", "Mã chủ thể", "text"),
                _unit,
                Column("group", "Nhóm sản phẩm", "int", help_vi="1-6: thực phẩm, đồ uống, dược liệu, thủ công mỹ nghệ, sinh vật cảnh, du lịch"),
                Column("score", "Điểm", "number", help_vi="0-100"),
                Column("stars", "Hạng sao", "int", help_vi="3, 4 hoặc 5; phải khớp với điểm"),
                Column("recognized_on", "Ngày công nhận", "date"),
                Column("decision_no", "Số quyết định", "text"),
                Column("expires_on", "Ngày hết hạn", "date", required=False, future_ok=True, help_vi="Để trống = ngày công nhận + 36 tháng"),
                Column("revoked_on", "Ngày thu hồi", "date", required=False),
            ),
            key=("product_id", "recognized_on"),
        ),
        Table(
            "ocop_entities",
            "Chủ thể OCOP",
            (
                Column("entity_id", "Mã chủ thể", "text"),
                Column("entity_name", "Tên chủ thể", "text"),
                Column("entity_type", "Loại hình", "enum", enum=ENTITY_TYPE),
                _unit,
                Column("phone", "Điện thoại", "text", required=False, personal=True),
                Column("representative", "Người đại diện", "text", required=False, personal=True),
            ),
            key=("entity_id",),
        ),
        Table(
            "ocop_registrations",
            "Đăng ký đánh giá OCOP",
            (
                Column("registration_id", "Mã đăng ký", "text"),
                Column("product_name", "Tên sản phẩm", "text"),
                Column("entity_id", "Mã chủ thể", "text"),
                _unit,
                Column("cycle", "Năm đánh giá", "int"),
                Column("registered_on", "Ngày đăng ký", "date"),
                Column("stage", "Giai đoạn", "enum", enum=STAGE),
                Column("proposed_stars", "Hạng sao đề xuất", "int", required=False),
                Column("council_date", "Ngày họp Hội đồng", "date", required=False, future_ok=True,
                       help_vi="Ngày họp Hội đồng đánh giá, phân hạng cấp tỉnh (có thể là ngày dự kiến)"),
                Column("result_stars", "Hạng sao đạt", "int", required=False,
                       help_vi="3, 4 hoặc 5; để trống khi chưa được công nhận"),
            ),
            key=("registration_id",),
        ),
        Table(
            "organization",
            "Tổ chức bộ máy",
            (
                _period,
                _unit,
                Column("steering_committee", "Ban chỉ đạo", "bool", enum=None),
                Column("nrd_officials", "Số cán bộ phụ trách NTM", "int"),
            ),
            key=("period", "unit_code"),
        ),
        *PIPELINE_TABLES,
    )
}

TABLE_NAMES: tuple[str, ...] = tuple(TABLES)
PERSONAL_COLUMNS: dict[str, tuple[str, ...]] = {
    t.name: tuple(c.name for c in t.columns if c.personal) for t in TABLES.values() if any(c.personal for c in t.columns)
}


# ---- office-owned reference data (the optional subfolder ``reference/`` of a dataset) --------------------
# The province's own decisions: same reading rules as the tables; they extend or override the shipped
# reference data (nrd.reference.office).

REFERENCE_DIR = "reference"
ROLE = {"lead": "chủ trì", "co_lead": "phối hợp"}
_set_required = Column("criteria_set", "Bộ tiêu chí", "enum", enum=CRITERIA_SET)

REFERENCE_TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "commune_groups",
            "Phân nhóm xã",
            (
                Column("unit_code", "Mã đơn vị", "code", help_vi="Mã hoặc tên xã (không áp dụng cho phường)"),
                Column("group", "Nhóm xã", "int", help_vi="1, 2 hoặc 3 theo quyết định phân nhóm của tỉnh"),
                Column("decision_no", "Số quyết định", "text", required=False),
                Column("decision_date", "Ngày quyết định", "date", required=False, help_vi="dd/mm/yyyy"),
            ),
            key=("unit_code",),
            help_vi="Phân nhóm xã (nhóm 1, 2, 3) theo quyết định của tỉnh; mỗi xã một dòng.",
        ),
        Table(
            "criteria_indicators",
            "Chỉ tiêu của bộ tiêu chí",
            (
                _set_required,
                Column("criterion", "Tiêu chí", "text", help_vi="Số thứ tự tiêu chí trong bộ, ví dụ 2"),
                Column("indicator", "Chỉ tiêu", "text", help_vi="Ví dụ 2.3 (phải bắt đầu bằng số tiêu chí)"),
                Column("name_vi", "Tên chỉ tiêu", "text"),
                Column("unit", "Đơn vị tính", "text", required=False, help_vi="Ví dụ %, đạt/không đạt"),
                Column("threshold_group1", "Ngưỡng nhóm 1", "text", required=False),
                Column("threshold_group2", "Ngưỡng nhóm 2", "text", required=False),
                Column("threshold_group3", "Ngưỡng nhóm 3", "text", required=False),
                Column("name_en", "Tên tiếng Anh", "text", required=False),
                Column("name_fr", "Tên tiếng Pháp", "text", required=False),
            ),
            key=("criteria_set", "criterion", "indicator"),
            help_vi="Chỉ tiêu của bộ tiêu chí (ví dụ 47 chỉ tiêu Phụ lục I QĐ 51/2025); "
                    "dòng trùng mã thay dòng có sẵn.",
        ),
        Table(
            "criteria_departments",
            "Phân công sở, ngành phụ trách",
            (
                _set_required,
                Column("criterion", "Tiêu chí", "text"),
                Column("indicator", "Chỉ tiêu", "text", required=False, help_vi="Để trống = cả tiêu chí"),
                Column("department", "Sở, ngành", "text", help_vi="Mã hoặc tên sở, ngành (ví dụ Sở Xây dựng)"),
                Column("role", "Vai trò", "enum", enum=ROLE),
                Column("decision_no", "Số quyết định", "text", required=False),
            ),
            key=("criteria_set", "criterion", "indicator", "department"),
            help_vi="Phân công sở, ngành chủ trì và phối hợp từng tiêu chí (hoặc chỉ tiêu) "
                    "theo quyết định của tỉnh.",
        ),
    )
}
REFERENCE_TABLE_NAMES: tuple[str, ...] = tuple(REFERENCE_TABLES)
