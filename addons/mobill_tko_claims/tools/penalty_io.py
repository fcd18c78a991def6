"""Set-based input and output of mass penalty runs (plain Python + a psycopg2 cursor, no ORM).

A mass run reads, for a range of accounts, two SQL-shaped row sets sorted by account:

* monthly debts ``(account_id, period, amount, due_date)``: one row per account and billed month
  (the sum of its charges, penalties excluded), ``due_date`` may be NULL (the rules' due day);
* payment allocations ``(account_id, date_paid, amount, period)``: ``period`` may be NULL (the
  core then allocates the payment to the oldest debts);

streams them with ``COPY … TO STDOUT`` (text format, parsed here, far faster than fetching
Python tuples), feeds :func:`mobill_tko_core.penalties.compute_penalties_batch` and returns the
totals. The Odoo add-on and ``bench/penalties.py`` share this module, so the benchmark measures
the code the add-on runs. No Odoo import here: the benchmark loads this file by path.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import io
from collections import Counter
from decimal import Decimal

from mobill_tko_core import penalties as core_penalties


class _Cache(dict):
    """``text -> value`` built once per distinct text: ``map(cache.__getitem__, texts)`` runs
    at C speed (periods, dates and amounts repeat a lot)."""

    __slots__ = ("bad_keys", "convert")

    def __init__(self, convert):
        super().__init__()
        self.convert = convert
        self.bad_keys = set()  # texts of NULL, zero or negative amounts

    def __missing__(self, key):
        value = self[key] = self.convert(key)
        if value is None or (isinstance(value, Decimal) and value <= 0):
            self.bad_keys.add(key)
        return value


def _to_date(text):
    return None if text == "\\N" else dt.date.fromisoformat(text)


def _to_amount(text):
    if text == "\\N":
        return None
    return Decimal(text)


_dates = _Cache(_to_date)
_amounts = _Cache(_to_amount)


@contextlib.contextmanager
def gc_paused():
    """No cyclic garbage collection while millions of tuples are built (they hold no cycles):
    the collector would otherwise rescan the growing heap again and again."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def copy_rows(cr, query: str, params=None) -> str:
    """The result of ``query`` as COPY text (tab separated, ``\\N`` for NULL)."""
    sql = cr.mogrify(query, params) if params is not None else query
    if isinstance(sql, bytes):
        sql = sql.decode()
    buffer = io.StringIO()
    cr.copy_expert(f"COPY ({sql}) TO STDOUT", buffer)
    return buffer.getvalue()


def _columns(text: str, width: int):
    """COPY text of ``width`` columns as ``width`` lists (C-speed split)."""
    if not text:
        return [[] for _i in range(width)]
    if text.endswith("\n"):
        text = text[:-1]
    fields = text.replace("\n", "\t").split("\t")
    if len(fields) % width:
        raise ValueError(f"COPY text does not have {width} columns")
    return [fields[i::width] for i in range(width)]


def _group(accounts, rows) -> dict:
    """``{int(account): rows of that account}`` for rows sorted (grouped) by account."""
    out = {}
    pos = 0
    for account, count in Counter(accounts).items():
        out[int(account)] = rows[pos : pos + count]
        pos += count
    return out


def _check_grouped(accounts):
    # Counter keeps first-seen order: the slices are right only if each account's rows are
    # contiguous, i.e. as many distinct runs as distinct accounts
    runs = sum(1 for i in range(1, len(accounts)) if accounts[i] != accounts[i - 1]) + (
        1 if accounts else 0
    )
    return runs == len(set(accounts))


def parse_debts(text: str, default_due=None, check=False) -> dict:
    """``{account_id: [(period, Decimal, due_date), ...]}`` from COPY text of
    ``account_id, period, amount, due_date`` **sorted by account**. A NULL due date takes
    ``default_due(period)``; amounts not above zero are dropped (nothing owed, nothing accrues).
    """
    accounts, periods, texts, dues = _columns(text, 4)
    if check and not _check_grouped(accounts):
        raise ValueError("debt rows must be sorted by account")
    periods = list(map(_dates.__getitem__, periods))
    amounts = list(map(_amounts.__getitem__, texts))
    bad = bool(_amounts.bad_keys) and not _amounts.bad_keys.isdisjoint(texts)
    dues = list(map(_dates.__getitem__, dues))
    rows = list(zip(periods, amounts, dues, strict=False))
    if bad or None in dues:
        keep = [i for i, a in enumerate(amounts) if a is not None and a > 0]
        rows = [
            (periods[i], amounts[i], dues[i] if dues[i] is not None else default_due(periods[i]))
            for i in keep
        ]
        accounts = [accounts[i] for i in keep]
    return _group(accounts, rows)


def parse_payments(text: str, check=False) -> dict:
    """``{account_id: [(date, Decimal, period | None), ...]}`` from COPY text of
    ``account_id, date_paid, amount, period`` **sorted by account**; amounts not above zero are
    dropped."""
    accounts, paid, texts, periods = _columns(text, 4)
    if check and not _check_grouped(accounts):
        raise ValueError("payment rows must be sorted by account")
    paid = list(map(_dates.__getitem__, paid))
    amounts = list(map(_amounts.__getitem__, texts))
    bad = bool(_amounts.bad_keys) and not _amounts.bad_keys.isdisjoint(texts)
    periods = list(map(_dates.__getitem__, periods))
    rows = list(zip(paid, amounts, periods, strict=False))
    if bad:
        keep = [i for i, a in enumerate(amounts) if a is not None and a > 0]
        rows = [rows[i] for i in keep]
        accounts = [accounts[i] for i in keep]
    return _group(accounts, rows)


def compute_totals(ids, debts: dict, payments: dict, calc_date, rules, opt_outs=None, message=None):
    """``[(account_id, total | None, error_code, error_message)]`` for ``ids`` (accounts with no
    debt get 0 without calling the engine). ``message(code, params, english)`` writes an
    error's message in the user's language (the core's English text when not given)."""
    opt_outs = opt_outs or {}
    empty = ()
    work = []
    results = []
    for account_id in ids:
        rows = debts.get(account_id)
        if not rows:
            results.append((account_id, Decimal("0.00"), None, None))
            continue
        work.append(
            (account_id, rows, payments.get(account_id, empty), opt_outs.get(account_id, empty))
        )
    for item in core_penalties.compute_penalties_batch(work, calc_date, rules):
        text = item.error_message
        if item.error_code and message is not None:
            text = message(item.error_code, item.error_params or {}, text)
        results.append((item.account_id, item.total, item.error_code, text))
    return results


def _copy_value(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
    return str(value)


def copy_in(cr, table: str, columns, rows) -> int:
    """``COPY table (columns) FROM STDIN`` of ``rows`` (tuples; ``None`` → NULL)."""
    buffer = io.StringIO()
    write = buffer.write
    count = 0
    for row in rows:
        write("\t".join(_copy_value(v) for v in row))
        write("\n")
        count += 1
    buffer.seek(0)
    cr.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)
    return count
