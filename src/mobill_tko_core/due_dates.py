"""The due date of a monthly charge: the one home of the rule.

ЖК РФ ст. 155 ч. 1: the charge of a month is due by the 10th of the next month, unless a
contract sets another day. The operator may choose another day and month offset for everybody
(company settings); a legal entity's contract may set its own day (its payment condition in
force at the end of the billed month). So the due date of the charge of ``period`` is

    day = the contract condition's day, else the company's day, else 10;
    due = ``day`` of the month ``months_after`` months after ``period`` (clipped to the
          month's length: 31 in February is the 28th or 29th).

Weekends and holidays do not move it (no production calendar here).

Python callers use :func:`due_date_for` and :func:`payer_due_day`. Set-based SQL uses the same
rule through :data:`SQL_FUNCTION` (a PostgreSQL function the billing module installs) and
:func:`due_date_sql`, which writes the day choice of :func:`payer_due_day` as SQL; a test of the
billing module compares the SQL with :func:`due_date_for` over every day and month offset.
"""

from __future__ import annotations

import calendar
from datetime import date

__all__ = [
    "DEFAULT_DUE_DAY",
    "DEFAULT_MONTHS_AFTER",
    "SQL_FUNCTION",
    "due_date_for",
    "due_date_sql",
    "payer_due_day",
]

DEFAULT_DUE_DAY = 10
DEFAULT_MONTHS_AFTER = 1


def payer_due_day(condition_day: int | None = None, company_day: int | None = None) -> int:
    """The due day of a payer: its contract condition's, else the company's, else the 10th."""
    return condition_day or company_day or DEFAULT_DUE_DAY


def due_date_for(
    period: date, due_day: int | None = DEFAULT_DUE_DAY, months_after: int | None = None
) -> date:
    """Due date of the charge of the month ``period``: ``due_day`` of the month
    ``months_after`` the billed month, clipped to that month's length."""
    due_day = due_day or DEFAULT_DUE_DAY
    months_after = DEFAULT_MONTHS_AFTER if months_after is None else months_after
    m = period.month - 1 + months_after
    y, m = period.year + m // 12, m % 12 + 1
    return date(y, m, min(due_day, calendar.monthrange(y, m)[1]))


# The date arithmetic of due_date_for in PostgreSQL (IMMUTABLE, a single expression: the
# planner inlines it into set-based queries).
SQL_FUNCTION = """
CREATE OR REPLACE FUNCTION tko_due_date(period date, due_day integer, months_after integer)
RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (date_trunc('month', period) + make_interval(months => months_after)
            + make_interval(days => LEAST(due_day,
                EXTRACT(day FROM date_trunc('month', period)
                        + make_interval(months => months_after + 1)
                        - interval '1 day')::integer) - 1))::date
$$;
"""


def due_date_sql(period: str, condition_day: str, company_day: str, months_after: str) -> str:
    """SQL for the due date of the charge of ``period`` (SQL expressions: the billed month, the
    day of the contract condition in force or NULL, the company's day, the company's offset),
    with the day chosen as :func:`payer_due_day` chooses it."""
    return (
        f"tko_due_date({period}, COALESCE(NULLIF({condition_day}, 0), NULLIF({company_day}, 0), "
        f"{DEFAULT_DUE_DAY}), COALESCE({months_after}, {DEFAULT_MONTHS_AFTER}))"
    )
