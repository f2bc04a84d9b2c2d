"""CSV files as offices save them: UTF-8 with or without BOM, Excel "Unicode text" (UTF-16, tabs),
Windows-1258 (Excel "CSV" on a Vietnamese Windows), a title line above the header; and hostile files.

Every file here is written byte by byte the way its program writes it; the expected text is the NFC
string it was written from.
"""

from __future__ import annotations

import codecs
import random
import unicodedata

import pytest

from _io_helpers import TODAY, write_xlsx
from nrd.io import read_dataset
from nrd.io.text_files import SAVE_AS, UnreadableText, decode_csv

HEADER = ["Mã chủ thể", "Tên chủ thể", "Loại hình", "Mã đơn vị"]
ROWS = [
    ["E1", "HTX Nông nghiệp Đồng Du", "hợp tác xã", "Xã Bình Lục"],
    ["E2", "Hộ Nguyễn Thị Hường", "hộ sản xuất kinh doanh", "13504"],
    ["E3", "Công ty Cổ phần Gạo Tám Xoan, Ý Yên", "doanh nghiệp", "Xã Bình Lục"],
]
NAMES = [row[1] for row in ROWS]
TITLE = "DANH SÁCH CHỦ THỂ OCOP NĂM 2025"


def _csv_text(rows: list[list[str]], delimiter: str = ",", title: str | None = None) -> str:
    def line(cells):
        return delimiter.join(f'"{c}"' if delimiter in c else c for c in cells)

    lines = ([title] if title else []) + [line(HEADER)] + [line(r) for r in rows]
    return "\r\n".join(lines) + "\r\n"


def cp1258(text: str) -> bytes:
    """Text as Windows writes it in code page 1258: a letter with its vowel mark precomposed where the code
    page has it (â, ê, ô, ơ, ư, ă, đ, á...), the tone as a combining mark after it (ồ = ô + U+0300)."""
    out = []
    for ch in text:
        try:
            out.append(ch.encode("cp1258"))
            continue
        except UnicodeEncodeError:
            pass
        base, *marks = unicodedata.normalize("NFD", ch)
        for i, mark in enumerate(marks):
            composed = unicodedata.normalize("NFC", base + mark)
            try:
                out.append(composed.encode("cp1258") + "".join(marks[:i] + marks[i + 1:]).encode("cp1258"))
                break
            except UnicodeEncodeError:
                continue
        else:
            out.append((base + "".join(marks)).encode("cp1258"))
    return b"".join(out)


def _read(folder, data: bytes):
    (folder / "ocop_entities.csv").write_bytes(data)
    return read_dataset(folder, today=TODAY, use_cache=False, tables=["ocop_entities"])


def _names(ds) -> list[str]:
    return ds.table("ocop_entities")["entity_name"].tolist()


def test_cp1258_bytes_are_what_windows_writes():
    data = cp1258("Đồng Hường")
    assert b"\xcc" in data and b"\xd2" not in data  # ồ = ô (0xF4) + combining grave (0xCC)
    assert data.decode("cp1258") != "Đồng Hường"  # decoded as is, the tones stay apart (not NFC)
    assert unicodedata.normalize("NFC", data.decode("cp1258")) == "Đồng Hường"


@pytest.mark.parametrize(
    "encode, encoding_finding",
    [
        (lambda text: text.encode("utf-8"), None),
        (lambda text: codecs.BOM_UTF8 + text.encode("utf-8"), None),
        (lambda text: text.encode("utf-16"), "UTF-16"),  # Excel "Unicode text": BOM + UTF-16 LE
        (cp1258, "Windows-1258"),
    ],
    ids=["utf8", "utf8-bom", "utf16", "cp1258"],
)
@pytest.mark.parametrize("delimiter", [",", ";", "\t"], ids=["comma", "semicolon", "tab"])
def test_every_encoding_and_delimiter_excel_saves(tmp_path, encode, encoding_finding, delimiter):
    ds = _read(tmp_path, encode(_csv_text(ROWS, delimiter, title=TITLE)))
    assert _names(ds) == NAMES  # NFC, byte for byte the names as typed
    assert ds.table("ocop_entities")["entity_type"].tolist() == ["cooperative", "household", "enterprise"]
    assert ds.errors == []
    notes = [f for f in ds.findings if f.rule == "encoding_not_utf8"]
    if encoding_finding is None:
        assert notes == []
    else:
        (note,) = notes
        assert (note.severity, note.file, note.row) == ("warning", "ocop_entities.csv", None)
        assert encoding_finding in note.message and "CSV UTF-8" in note.message


def test_excel_unicode_text_with_title_line_keeps_row_numbers(tmp_path):
    rows = [*ROWS[:1], ["E2", "Hộ Trần Văn Bình", "hộ", "13504"]]  # row 4 has a bad entity type
    ds = _read(tmp_path, _csv_text(rows, "\t", title=TITLE).encode("utf-16"))
    (bad,) = ds.errors
    assert (bad.file, bad.row, bad.column, bad.value) == ("ocop_entities.csv", 4, "Loại hình", "hộ")


def test_semicolons_are_found_below_a_title_line_and_beside_decimal_commas(tmp_path):
    """The title has no semicolon, and every row has exactly one decimal comma (as regular as the
    semicolons): the first line alone, or csv.Sniffer alone, would pick the comma."""
    text = "\r\n".join([
        "BÁO CÁO HUY ĐỘNG VỐN, THÁNG 9/2025",
        "Kỳ báo cáo;Nguồn vốn;Lũy kế huy động (triệu đồng)",
        "2025-09;tín dụng;1234,5",
        "2025-09;doanh nghiệp, HTX;12,25",
    ]) + "\r\n"
    (tmp_path / "capital_mobilized.csv").write_bytes(cp1258(text))
    ds = read_dataset(tmp_path, today=TODAY, use_cache=False, tables=["capital_mobilized"])
    assert ds.errors == []
    frame = ds.table("capital_mobilized")
    assert frame["cumulative_mvnd"].tolist() == [1234.5, 12.25]
    assert frame["source"].tolist() == ["credit", "enterprise"]


# --- hostile files --------------------------------------------------------------------------------------


def _unreadable(ds) -> str:
    (error,) = ds.errors
    assert (error.rule, error.file, error.severity) == ("unreadable_file", "ocop_entities.csv", "error")
    assert SAVE_AS in error.message and "CSV UTF-8" in error.expected
    assert not ds.has("ocop_entities")
    return error.message


@pytest.mark.parametrize("data", [b"", codecs.BOM_UTF8, "   \r\n".encode(), codecs.BOM_UTF16_LE])
def test_an_empty_file_says_so(tmp_path, data):
    assert "empty" in _unreadable(_read(tmp_path, data))


@pytest.mark.parametrize("seed", range(4))
def test_binary_garbage_is_unreadable(tmp_path, seed):
    garbage = random.Random(seed).randbytes(4096)
    assert "in no encoding nrd reads" in _unreadable(_read(tmp_path, garbage))


def test_nul_bytes_in_ascii_are_binary(tmp_path):
    data = _csv_text(ROWS).encode("utf-8").replace(b"E2", b"E\x002")
    assert "control character U+0000" in _unreadable(_read(tmp_path, data))


def test_a_workbook_saved_under_a_csv_name(tmp_path):
    book = write_xlsx(tmp_path / "book.xlsx", {"ocop_entities": (HEADER, ROWS)})
    message = _unreadable(_read(tmp_path, book.read_bytes()))
    assert "Excel workbook" in message and "rename it to .xlsx" in message


def test_mixed_encodings_name_the_lines(tmp_path):
    text = _csv_text(ROWS)
    lines = text.split("\r\n")
    data = "\r\n".join(lines[:2]).encode("utf-8") + b"\r\n" + cp1258("\r\n".join(lines[2:]))
    message = _unreadable(_read(tmp_path, data))
    assert "mixes encodings" in message and "lines 1, 2 are UTF-8" in message and "lines 3, 4 are not" in message


def test_a_bom_followed_by_other_bytes_is_not_guessed(tmp_path):
    data = codecs.BOM_UTF8 + cp1258(_csv_text(ROWS))
    assert "not UTF-8" in _unreadable(_read(tmp_path, data))


def test_decode_keeps_the_encoding_and_normalises_to_nfc():
    decoded = decode_csv(cp1258("Mã chủ thể,Tên\r\nE1,Đồng Du – Ý Yên\r\n"))
    assert decoded.encoding == "cp1258" and not decoded.is_utf8
    assert decoded.text == "Mã chủ thể,Tên\r\nE1,Đồng Du – Ý Yên\r\n"
    nfd = unicodedata.normalize("NFD", "Tên,Đồng Du\n")
    assert decode_csv(nfd.encode("utf-8")).text == "Tên,Đồng Du\n"  # a Mac's NFD reads as NFC too
    with pytest.raises(UnreadableText, match="Save As"):
        decode_csv(b"\xff\xfe\x00\xd8")  # a UTF-16 BOM then half a surrogate pair


def test_a_cell_over_the_csv_field_limit_is_unreadable_not_a_crash(tmp_path):
    text = _csv_text([["E1", "x" * 200_000, "hợp tác xã", "13504"]])
    assert "field limit" in _unreadable(_read(tmp_path, text.encode("utf-8")))


def test_a_row_wider_than_a_spreadsheet_is_unreadable_and_quick(tmp_path):
    text = _csv_text(ROWS) + "a," * 1_000_000 + "\r\n"
    message = _unreadable(_read(tmp_path, text.encode("utf-8")))
    assert "line 5 has more than 16384 cells" in message


def test_xlsx_text_cells_are_nfc_too(tmp_path):
    nfd = [[unicodedata.normalize("NFD", cell) for cell in row] for row in ROWS]
    write_xlsx(tmp_path / "ocop_entities.xlsx", {"ocop_entities": (HEADER, nfd)})
    ds = read_dataset(tmp_path, today=TODAY, use_cache=False, tables=["ocop_entities"])
    assert ds.errors == [] and _names(ds) == NAMES


def test_nrd_validate_reports_the_encoding_and_how_to_save_an_unreadable_file(tmp_path):
    import json

    from typer.testing import CliRunner

    from nrd.cli import app

    (tmp_path / "ocop_entities.csv").write_bytes(cp1258(_csv_text(ROWS, ";", title=TITLE)))
    result = CliRunner().invoke(app, ["validate", str(tmp_path), "--format", "json", "--no-cache"])
    assert result.exit_code == 0, result.output
    (note,) = json.loads(result.output)["findings"]
    assert (note["rule"], note["file"]) == ("encoding_not_utf8", "ocop_entities.csv")
    assert "Windows-1258" in note["message"]

    (tmp_path / "ocop_entities.csv").write_bytes(random.Random(7).randbytes(2048))
    result = CliRunner().invoke(app, ["validate", str(tmp_path), "--format", "json", "--no-cache"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    (error,) = json.loads(result.output[result.output.index("{"):])["findings"]
    assert (error["rule"], error["file"]) == ("unreadable_file", "ocop_entities.csv")
    assert "CSV UTF-8" in error["message"]


@pytest.mark.parametrize("codec, name", [("utf-16-le", "UTF-16 LE"), ("utf-16-be", "UTF-16 BE")])
def test_utf16_without_its_bom_is_detected(tmp_path, codec, name):
    ds = _read(tmp_path, _csv_text(ROWS, "\t", title=TITLE).encode(codec))
    assert _names(ds) == NAMES and ds.errors == []
    (note,) = [f for f in ds.findings if f.rule == "encoding_not_utf8"]
    assert name in note.message


def test_office_reference_files_are_decoded_alike(tmp_path):
    (tmp_path / "reference").mkdir()
    text = "Mã đơn vị;Nhóm xã;Số quyết định\r\nXã Bình Lục;2;1261/QĐ-UBND\r\n"
    (tmp_path / "reference" / "commune_groups.csv").write_bytes(cp1258(text))
    ds = read_dataset(tmp_path, today=TODAY, use_cache=False)
    groups = ds.reference_tables["commune_groups"]
    assert groups[["unit_code", "group", "decision_no"]].values.tolist() == [["13504", 2, "1261/QĐ-UBND"]]
    (note,) = [f for f in ds.findings if f.rule == "encoding_not_utf8"]
    assert note.file == "reference/commune_groups.csv" and "Windows-1258" in note.message


@pytest.mark.parametrize("character", ["\x00", "\x08", "\x0b", "\x1f", "\x7f", "\x80", "\x85", "\x9f"])
@pytest.mark.parametrize("bom", [b"", codecs.BOM_UTF8])
def test_a_control_character_is_found_in_utf8_as_in_other_encodings(character, bom):
    """UTF-8 files are checked on their bytes first (quicker): the same characters, the same line."""
    text = "Mã,Tên\nE1,Đồng Du\nE2,x" + character + "y\n"
    with pytest.raises(UnreadableText, match=f"line 3 holds control character U\\+{ord(character):04X}"):
        decode_csv(bom + text.encode("utf-8"))
    with pytest.raises(UnreadableText, match=f"line 3 holds control character U\\+{ord(character):04X}"):
        decode_csv(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))


def test_characters_next_to_the_control_ranges_are_text():
    # U+00A0 (C2 A0), U+00C0 (C3 80: a C1 continuation byte after another lead byte), U+0100, tab, CR
    text = "Mã,Tên\r\nE1,a\u00a0b\u00c0\u0100\u0800\U0001f600\tc\r\n"
    for data in (text.encode("utf-8"), codecs.BOM_UTF8 + text.encode("utf-8")):
        assert decode_csv(data).text == text


def test_the_utf8_bytes_are_kept_only_when_they_are_the_text():
    plain = "Tên,Đồng Du\n"
    for data in (plain.encode("utf-8"), codecs.BOM_UTF8 + plain.encode("utf-8")):
        assert bytes(decode_csv(data).utf8) == plain.encode("utf-8")
    nfd = unicodedata.normalize("NFD", plain).encode("utf-8")  # normalised: the bytes are not the text
    assert decode_csv(nfd).utf8 is None
    assert decode_csv(cp1258(plain)).utf8 is None
    assert decode_csv(plain.encode("utf-16")).utf8 is None
