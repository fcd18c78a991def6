"""Bulk writing with PostgreSQL COPY: rows become tab-separated text, sent in one statement."""

import io
import json
from datetime import date
from decimal import Decimal

from odoo.tools import SQL

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _json_default(value):
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def copy_value(value) -> str:
    """One value in the COPY text format (``\\N`` for NULL)."""
    if value is None or value is False:
        return "\\N"
    if value is True:
        return "t"
    if isinstance(value, str):
        return value.translate(_ESCAPES)
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, default=_json_default, ensure_ascii=False).translate(_ESCAPES)
    return str(value).translate(_ESCAPES)


class CopyBuffer:
    """Rows for one table, written by :meth:`flush` with ``COPY … FROM STDIN``."""

    def __init__(self, table: str, columns):
        self.table = table
        self.columns = tuple(columns)
        self.buffer = io.StringIO()
        self.count = 0

    def add(self, row):
        self.buffer.write("\t".join(map(copy_value, row)))
        self.buffer.write("\n")
        self.count += 1

    def add_text(self, line: str):
        """A row already in the COPY text format (without its newline)."""
        self.buffer.write(line)
        self.buffer.write("\n")
        self.count += 1

    def flush(self, cr) -> int:
        count = self.count
        if count:
            statement = SQL(
                "COPY %s (%s) FROM STDIN",
                SQL.identifier(self.table),
                SQL(", ").join(SQL.identifier(c) for c in self.columns),
            )
            self.buffer.seek(0)
            cr.copy_expert(statement.code, self.buffer)
        self.buffer = io.StringIO()
        self.count = 0
        return count
