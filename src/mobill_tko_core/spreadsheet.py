"""Cells that a spreadsheet would run as formulas (CSV/formula injection, OWASP).

A payer may be called ``=HYPERLINK("http://…","Оплатить")``: written as is into a CSV or an XLSX
file, Excel and LibreOffice take the text for a formula, run it and show a link or worse. The one
rule of this project: a text that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return is written as text, never as a formula.

* CSV has no cell types: such a text gets a leading apostrophe (what a spreadsheet itself shows
  for a typed-in text), and :func:`csv_unescape` takes it off when our own readers load the file
  back, so that an exported file imports unchanged.
* XLSX has cell types: writers store such a text as a string cell (``write_string`` in
  xlsxwriter, ``data_type = "s"`` in openpyxl), never as a formula; :func:`is_formula_like` tells
  which texts need it.

A plain number written as text (``-12,50``) is no formula and is left alone.
"""

from __future__ import annotations

import re

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?\d[\d\s\u00a0]*(?:[.,]\d+)?$")


def is_formula_like(value) -> bool:
    """True for a text a spreadsheet would take for a formula."""
    return (
        isinstance(value, str)
        and value.startswith(FORMULA_TRIGGERS)
        and not _PLAIN_NUMBER.match(value)
    )


def csv_safe(value):
    """The value to put into a CSV cell: a formula-like text gets a leading apostrophe."""
    if is_formula_like(value):
        return "'" + value
    return value


def csv_unescape(value):
    """The inverse of :func:`csv_safe` for our own readers."""
    if isinstance(value, str) and value.startswith("'") and is_formula_like(value[1:]):
        return value[1:]
    return value
