"""The text of a CSV file as offices save it: its encoding detected, its delimiter sniffed.

Excel on a Vietnamese Windows saves "CSV" in Windows-1258 (tones as combining marks), "CSV UTF-8" with a
byte-order mark, and "Unicode text" as UTF-16 with tabs. UTF-8 (with or without BOM) and UTF-16 with its
BOM are read as they say; anything else is detected by charset-normalizer, Windows-1258 first (the office's
own code page). The text is normalised to NFC, so that a name typed on one machine matches the same name
typed on another. A file that is empty, binary, an Excel workbook under a ``.csv`` name, mixes encodings,
or is in no recognisable encoding raises ``UnreadableText``, whose message says how to save it.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

UTF8 = "utf-8"
SAVE_AS = (
    "open it in Excel and save it as 'CSV UTF-8 (Comma delimited) (*.csv)' (File > Save As), "
    "or as an Excel workbook (.xlsx)"
)
#: Python codec -> the name users know. Detection may only answer one of these: a file of a Vietnamese
#: office in, say, Shift-JIS is a wrong guess, not a reading.
ENCODING_NAMES = {
    UTF8: "UTF-8",
    "utf_8": "UTF-8",
    "utf_16": "UTF-16 (Excel 'Unicode text')",
    "utf_16_le": "UTF-16 LE (Excel 'Unicode text')",
    "utf_16_be": "UTF-16 BE",
    "cp1258": "Windows-1258 (Excel 'CSV' on a Vietnamese Windows)",
    "cp1252": "Windows-1252 (Excel 'CSV' on a Western Windows)",
    "latin_1": "ISO-8859-1",
}
#: Delimiters a CSV may use: comma, semicolon (Excel where the decimal mark is a comma), tab (Excel's
#: "Unicode text"), pipe.
DELIMITERS = ",;\t|"
SNIFF_LINES = 20  # the header may sit below a title line or two
EXCEL_COLUMNS = 16_384
SNIFF_CHARS = 64 * 1024  # csv.Sniffer's regular expressions are slow on long lines: a sample is enough
# Control characters (Unicode category Cc) but tab, line feed and carriage return: no CSV holds them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# The same characters in UTF-8 bytes, looked for before decoding (quicker than the pattern on the text):
# those up to U+007F are their own byte (which in UTF-8 never stands for anything else), U+0080-U+009F
# are C2 80 to C2 9F.
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
_C1_UTF8 = re.compile(rb"\xc2[\x80-\x9f]")


class UnreadableText(ValueError):
    """A CSV file whose text cannot be trusted; the message says why and how to save it instead."""

    expected = "a CSV saved as 'CSV UTF-8 (Comma delimited)' in Excel, or an .xlsx workbook"

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(f"{reason}; {SAVE_AS}")


@dataclass(frozen=True)
class DecodedText:
    text: str
    encoding: str  # a Python codec name; ``UTF8`` for UTF-8 with or without BOM
    #: The UTF-8 bytes of ``text`` when the file holds exactly them (UTF-8, already NFC), else ``None``:
    #: ``nrd.io.fast_csv`` hands them to pyarrow instead of encoding the text again.
    utf8: memoryview | None = field(default=None, repr=False, compare=False)

    @property
    def encoding_name(self) -> str:
        return ENCODING_NAMES.get(self.encoding, self.encoding)

    @property
    def is_utf8(self) -> bool:
        return self.encoding in (UTF8, "utf_8")


def _lines(numbers: list[int]) -> str:
    shown = ", ".join(map(str, numbers[:5]))
    return shown + (f" and {len(numbers) - 5} more" if len(numbers) > 5 else "")


def _mixed(data: bytes) -> str | None:
    """A description of the lines in UTF-8 and the lines in another encoding, when a file holds both."""
    utf8, other = [], []
    for number, line in enumerate(data.split(b"\n"), 1):
        if line.isascii():
            continue
        try:
            line.decode(UTF8)
        except UnicodeDecodeError:
            other.append(number)
        else:
            utf8.append(number)
    if utf8 and other:
        return (f"the file mixes encodings: lines {_lines(utf8)} are UTF-8, lines {_lines(other)} are not "
                "(pieces pasted from files saved differently)")
    return None


def _detect(data: bytes) -> tuple[str, str]:
    from charset_normalizer import from_bytes

    best = None
    if b"\x00" not in data:  # a Windows-1258 text has no NUL byte; UTF-16 without BOM has many
        best = from_bytes(data, cp_isolation=["cp1258"]).best()
    if best is None:
        best = from_bytes(data).best()
    if best is None or best.encoding not in ENCODING_NAMES:
        found = f" (it looks most like {best.encoding})" if best is not None else ""
        raise UnreadableText(
            f"the text is in no encoding nrd reads (UTF-8, UTF-16, Windows-1258){found}, or is not text"
        )
    return str(best), best.encoding


def decode_csv(data: bytes) -> DecodedText:
    """The text of a CSV file's bytes (NFC), with the encoding it was read in; ``UnreadableText`` else."""
    if data.startswith(b"PK\x03\x04"):
        raise UnreadableText("the file is an Excel workbook (or another zip archive) with a .csv name: "
                             "rename it to .xlsx")
    utf8 = None
    try:
        if data.startswith(codecs.BOM_UTF8):
            utf8 = memoryview(data)[len(codecs.BOM_UTF8):]
            text, encoding = codecs.decode(utf8, UTF8), UTF8
        elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            text, encoding = data.decode("utf_16"), "utf_16"
        else:
            utf8 = memoryview(data)
            text, encoding = data.decode(UTF8), UTF8
    except UnicodeDecodeError:
        utf8 = None
        mixed = _mixed(data)
        if mixed:
            raise UnreadableText(mixed) from None
        if data.startswith(codecs.BOM_UTF8):
            raise UnreadableText("the file starts as UTF-8 but holds bytes that are not UTF-8") from None
        text, encoding = _detect(data)
    if not text or text.isspace():  # ``not text.strip()`` without copying the text
        raise UnreadableText("the file is empty")
    control = _control_character(text, data if utf8 is not None else None)
    if control:
        number = text.count("\n", 0, control.start()) + 1
        raise UnreadableText(f"line {number} holds control character U+{ord(control.group()):04X}: the file "
                             "is binary, not text")
    normalized = unicodedata.normalize("NFC", text)
    return DecodedText(normalized, encoding, utf8 if utf8 is not None and normalized == text else None)


def _control_character(text: str, utf8: bytes | None) -> re.Match | None:
    """The first control character of ``text`` (``_CONTROL``); ``utf8``, the file when ``text`` was
    decoded from it as UTF-8 (a BOM holds none of them), answers "none" sooner."""
    if utf8 is not None and len(utf8.translate(None, _CONTROL_BYTES)) == len(utf8) \
            and not _C1_UTF8.search(utf8):
        return None
    return _CONTROL.search(text)


def sniff_delimiter(text: str, score: Callable[[list[list[str]]], int]) -> str:
    """The delimiter of ``text``: ``csv.Sniffer`` over the first lines proposes, ``score`` (rows -> how
    many contract headers they name) decides between candidates; the sniffed one wins a tie, a comma when
    nothing could be sniffed. A sample where a decimal comma is as regular as the semicolons, or a title
    line above the header, does not mislead it."""
    sample = "\n".join(text[:SNIFF_CHARS].splitlines()[:SNIFF_LINES])
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        sniffed = ","
    candidates = [sniffed, *(d for d in DELIMITERS if d != sniffed)]
    return max(candidates, key=lambda d: score(read_rows(sample, d)))


def read_rows(text: str, delimiter: str) -> list[list[str]]:
    """The rows of CSV text; ``UnreadableText`` for what no spreadsheet writes (a cell over the csv
    module's field limit, 128 Ki characters, where Excel's cells hold at most 32 767; a row wider than
    Excel's 16 384 columns)."""
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise UnreadableText(f"the file is not a table a spreadsheet writes ({error})") from None
    widest = max(range(len(rows)), key=lambda i: len(rows[i]), default=None)
    if widest is not None and len(rows[widest]) > EXCEL_COLUMNS:
        raise UnreadableText(f"line {widest + 1} has more than {EXCEL_COLUMNS} cells, a spreadsheet's "
                             "columns: the file is not a table a spreadsheet writes")
    return rows
