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
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from nrd.io import text_files

_PREFIX_CHARS = 4 * 1024 * 1024  # where the header is looked for (its first records must end inside)
_FIELD_LIMIT = 131_072  # ``csv.field_size_limit()``'s default: longer cells make the csv module raise


@dataclass
class ColumnCells:
    """The data rows of a table column-wise: for each cell position (0-based, as in the header),
    ``codes`` (one per kept data row, an index into ``uniques``) and ``uniques`` (the distinct cells)."""

    row_numbers: list[int]  # of the data rows kept (blank rows left out), as the user sees them
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
    text: str, delimiter: str, header_row: Callable[[list], int], search_rows: int
) -> tuple[int, list[str], ColumnCells] | None:
    """(index of the header record, its cells, the data rows column-wise) of CSV ``text``, or ``None``
    when the fast path cannot be sure to read the file as the ``csv`` module does.

    ``header_row`` chooses the header among the first ``search_rows`` records (``read._header_row``).
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
        data = text[_offset_after_lines(prefix, reader.line_num):]
        if not data.strip():  # only the header (or blank lines, left out either way): no data rows
            return best, headers, ColumnCells([], [(np.zeros(0, dtype=np.intp), [])] * width)
        table = _arrow_table(data.encode("utf-8"), delimiter, width)
    except Exception:  # noqa: BLE001 — whatever pyarrow or the checks reject, the csv module decides
        return None
    return best, headers, _encoded(table, best)


def _arrow_table(data: bytes, delimiter: str, width: int):
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pcsv

    names = [f"c{i}" for i in range(width)]
    table = pcsv.read_csv(
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
    for column in table.columns:
        if len(column) and pc.max(pc.utf8_length(column)).as_py() > _FIELD_LIMIT:
            raise ValueError("a cell longer than the csv module reads")
    return table


def _encoded(table, header_index: int) -> ColumnCells:
    """Dictionary-encoded columns without the blank records (every cell empty or whitespace, as
    ``str.strip`` sees it: decided per distinct cell, in Python, for the exact same answer)."""
    encoded = []
    blank = np.ones(table.num_rows, dtype=bool)
    for column in table.columns:
        dictionary = column.combine_chunks().dictionary_encode()
        codes = dictionary.indices.to_numpy(zero_copy_only=False)
        uniques = dictionary.dictionary.to_pylist()
        blank &= np.array([not cell.strip() for cell in uniques], dtype=bool)[codes]
        encoded.append((codes, uniques))
    kept = np.flatnonzero(~blank)
    # Record i of the data (0-based) is record header_index + 1 + i of the file, row i + header_index + 2.
    row_numbers = (kept + header_index + 2).tolist()
    if len(kept) == len(blank):
        return ColumnCells(row_numbers, encoded)
    return ColumnCells(row_numbers, [(codes[kept], uniques) for codes, uniques in encoded])
