"""The data rows of a CSV read column by column through pyarrow: the same cells and row numbers as
``text_files.read_rows`` followed by ``read.read_raw``, about ten times faster on a national file.

Python's ``csv`` module builds one list per row, which at national scale (1.2 million rows) costs more
than everything else in the read. Here the header is still found by the ``csv`` module (the same first
records), and only the records after it go to pyarrow, every cell as a string; each column is then
dictionary-encoded, so the parser (``nrd.io.parse``) reads each distinct cell once, with the same cell
parsers as the row-by-row path.

Correctness first: pyarrow gives the ``csv`` module's cells for a file whose records after the header all
have the header's width (an empty line reads as a blank record in both). Anything else — a record of
another width, a cell longer than the ``csv`` module's limit, text that is not encodable, any pyarrow
error — returns ``None``, and the caller reads the file row by row as before (which also raises the
same ``UnreadableText`` for what is not a table). ``tests/test_io_fast_csv.py`` compares both paths.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from nrd.io import text_files

_PREFIX_CHARS = 4 * 1024 * 1024  # where the header is looked for (its first records must end inside)
_FIELD_LIMIT = 131_072  # ``csv.field_size_limit()``'s default: longer cells make the csv module raise
_NOT_SPACE = re.compile(r"\S")  # ``\s`` is what ``str.strip`` strips


@dataclass
class ColumnCells:
    """The data rows of a table column-wise: for each cell position (0-based, as in the header),
    ``codes`` (one per kept data row, an index into ``uniques``) and ``uniques`` (the distinct cells)."""

    row_numbers: np.ndarray  # int64, of the data rows kept (blank rows left out), as the user sees them
    columns: list[tuple[np.ndarray, list[str]]]

    def __len__(self) -> int:
        return len(self.row_numbers)


def _records(text: str, delimiter: str):
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def _offset_after_lines(text: str, lines: int) -> int:
    """Where the text continues after its first ``lines`` lines, counted as the csv module's source
    iterator counts them (``\\n``, ``\\r\\n`` and a lone ``\\r`` each end a line)."""
    return sum(len(line) for line in itertools.islice(io.StringIO(text, newline=""), lines))


def read_columns(
    text: str, delimiter: str, header_row: Callable[[list], int], search_rows: int,
    utf8: memoryview | None = None,
) -> tuple[int, list[str], ColumnCells] | None:
    """(index of the header record, its cells, the data rows column-wise) of CSV ``text``, or ``None``
    when the fast path cannot be sure to read the file as the ``csv`` module does.

    ``header_row`` chooses the header among the first ``search_rows`` records (``read._header_row``);
    ``utf8``, when given, are the UTF-8 bytes of ``text`` (``text_files.DecodedText.utf8``): pyarrow
    reads them rather than the text encoded again.
    """
    try:
        # The first records are read from a prefix (a StringIO of the whole text copies it), and only
        # when they all end inside it: the csv module ends a record at a line end outside quotes, so
        # those records are the ones it reads from the whole text.
        prefix = text[:_PREFIX_CHARS]
        reader = _records(prefix, delimiter)
        first = list(itertools.islice(reader, search_rows))
        if len(prefix) < len(text) and (
            len(first) < search_rows or _offset_after_lines(prefix, reader.line_num) >= len(prefix)
        ):
            return None
        best = header_row(first)
        headers = first[best]
        width = len(headers)
        if not 0 < width <= text_files.EXCEL_COLUMNS or max(map(len, headers)) > _FIELD_LIMIT:
            return None
        reader = _records(prefix, delimiter)
        for _ in range(best + 1):
            next(reader)
        start = _offset_after_lines(prefix, reader.line_num)
        if not _NOT_SPACE.search(text, start):  # only the header (or blank lines, left out either way)
            return best, headers, ColumnCells(np.zeros(0, dtype=np.int64),
                                              [(np.zeros(0, dtype=np.intp), [])] * width)
        if utf8 is None:
            data = text[start:].encode("utf-8")
        else:  # the bytes after the header: as many as the header lines take in UTF-8
            data = utf8[len(text[:start].encode("utf-8")):]
        return best, headers, _encoded(_arrow_table(data, delimiter, width), best)
    except Exception:  # noqa: BLE001 — whatever pyarrow or the checks reject, the csv module decides
        return None


def _arrow_table(data: bytes | memoryview, delimiter: str, width: int):
    import pyarrow as pa
    import pyarrow.csv as pcsv

    names = [f"c{i}" for i in range(width)]
    return pcsv.read_csv(
        pa.py_buffer(data),
        read_options=pcsv.ReadOptions(column_names=names),
        # The csv module's excel dialect: doubled quotes inside quotes, no escape character, newlines
        # inside quoted cells; an empty line is a record of blank cells (the csv module's ``[]``).
        parse_options=pcsv.ParseOptions(
            delimiter=delimiter, quote_char='"', double_quote=True, escape_char=False,
            newlines_in_values=True, ignore_empty_lines=False,
        ),
        convert_options=pcsv.ConvertOptions(
            column_types={name: pa.string() for name in names}, null_values=[],
            strings_can_be_null=False, quoted_strings_can_be_null=False,
        ),
    )


def _encoded(table, header_index: int) -> ColumnCells:
    """Dictionary-encoded columns without the blank records (every cell empty or whitespace, as
    ``str.strip`` sees it: decided per distinct cell, in Python, for the exact same answer).
    ``ValueError`` for a cell longer than the csv module reads (checked on the distinct cells)."""
    encoded = []
    blank = None  # the records that may still be blank (every column so far blank), by position
    for column in table.columns:
        dictionary = column.combine_chunks().dictionary_encode()
        codes = dictionary.indices.to_numpy(zero_copy_only=False)
        uniques = dictionary.dictionary.to_pylist()
        if max(map(len, uniques), default=0) > _FIELD_LIMIT:
            raise ValueError("a cell longer than the csv module reads")
        if blank is None or blank.size:
            blank_cell = np.array([not cell.strip() for cell in uniques], dtype=bool)
            if blank is None:
                blank = np.flatnonzero(blank_cell[codes]) if blank_cell.any() else np.zeros(0, dtype=np.intp)
            else:
                blank = blank[blank_cell[codes[blank]]]
        encoded.append((codes, uniques))
    # Record i of the data (0-based) is record header_index + 1 + i of the file, row i + header_index + 2.
    first = header_index + 2
    if blank is None or not blank.size:
        return ColumnCells(np.arange(first, first + table.num_rows, dtype=np.int64), encoded)
    kept = np.ones(table.num_rows, dtype=bool)
    kept[blank] = False
    kept = np.flatnonzero(kept)
    return ColumnCells((kept + first).astype(np.int64),
                       [(codes[kept], uniques) for codes, uniques in encoded])
