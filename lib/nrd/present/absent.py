"""Notes for inputs a dataset does not provide (``nrd.indicators.provided``): a section whose table is
absent says so, naming the table in the reader's language, instead of an empty table a reader would take
for "nothing happened"; a column that is not recorded is "not recorded", never 0.
"""

from __future__ import annotations

from collections.abc import Sequence

from nrd.present.display import show_note
from nrd.present.i18n import DEFAULT_LANG, t


def tables_text(tables: Sequence[str], lang: str = DEFAULT_LANG) -> str:
    """The tables' names in ``lang`` (the contract's id when a table has no label), joined by commas."""
    from nrd.present.i18n import has_label

    return ", ".join(t(f"table.{name}", lang) if has_label(f"table.{name}") else name for name in tables)


def show_absent(absent: Sequence[str], lang: str = DEFAULT_LANG) -> bool:
    """When ``absent`` names tables, a note that the dataset does not hold them; True when it did."""
    if not absent:
        return False
    key = "note.table_absent" if len(absent) == 1 else "note.tables_absent"
    show_note(key, lang, tables=tables_text(absent, lang))
    return True


def show_unrecorded(table: str, column: str, what_key: str, lang: str = DEFAULT_LANG) -> None:
    """A note that ``table`` does not record ``column`` (``what_key``: what the reader therefore lacks)."""
    show_note("note.column_absent", lang, table=tables_text([table], lang), column=t(f"column.{column}", lang),
              what=t(what_key, lang))
