"""The debt registry (реестр задолженностей / начислений) sent to banks and payment apps.

Sberbank (formats.md §4, sberbank.ru/help/business/sbbol/100027): a text file named
``ИНН_РС_НОМЕР_ММГГ.txt`` (10-digit INN, 20-digit account, 3-digit sequence number, month and
year to pay), windows-1251 (KOI8-R and UTF-8 are accepted too), ``;``-separated; the line
layout is contract-specific, typically ``ЛС;ФИО;Адрес;Период(ММГГГГ);Сумма``. Everything is
therefore configurable in a :class:`DebtRegistryProfile`; :data:`SBERBANK_DEBT` is the default.

Placeholders of the file name pattern, header lines and trailer: ``inn``, ``account`` (the
operator's settlement account), ``seq``, ``period`` (date, first of the month), ``date`` (date
of the export), ``count``, ``total`` (formatted amount) and any extra keyword given to
:func:`write_debt_registry`. Python format specs apply: ``{seq:03d}``, ``{date:%Y%m%d}``.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal

from mobill_tko_core.formats import FormatError, LineError, known_keys_only
from mobill_tko_core.formats.registry import (
    check_profile_basics,
    choice_problem,
    format_period,
    problem,
)
from mobill_tko_core.money import ZERO, round_money, to_decimal

__all__ = [
    "SBERBANK_DEBT",
    "DebtRegistryProfile",
    "DebtRow",
    "export_due",
    "period_to_pay",
    "write_debt_registry",
]

ROW_FIELDS = ("account", "payer", "address", "period", "amount")
NON_POSITIVE = ("keep", "zero", "skip")


@dataclass
class DebtRow:
    """One account with the amount due. ``extra`` feeds columns the profile names otherwise."""

    account: str
    amount: Decimal
    payer: str = ""
    address: str = ""
    period: date | None = None  # default: the registry's period
    extra: dict[str, object] = field(default_factory=dict)


@dataclass
class DebtRegistryProfile:
    name: str
    encoding: str = "cp1251"
    separator: str = ";"
    decimal_mark: str = "."
    columns: list[str] = field(default_factory=lambda: list(ROW_FIELDS))
    period_format: str = "MMYYYY"
    date_format: str = "%d.%m.%Y"  # for date values in ``extra``
    header: list[str] = field(default_factory=list)  # templates
    trailer: str | None = None  # template
    filename_pattern: str = "{inn}_{account}_{seq:03d}_{period:%m%y}.txt"
    line_ending: str = "\r\n"
    non_positive: str = "zero"  # amount <= 0 (advance): keep, write 0.00, or skip the row

    def __post_init__(self):
        problems = check_profile_basics(self)
        if not self.columns:
            problems.append(problem("formats.profile.no_columns", "the profile has no columns"))
        problems += choice_problem(
            "formats.profile.bad_non_positive",
            "the handling of debts of 0 or less",
            self.non_positive,
            NON_POSITIVE,
        )
        if not self.filename_pattern:
            problems.append(
                problem("formats.profile.no_filename_pattern", "the file name pattern is empty")
            )
        if problems:
            raise FormatError(
                "formats.debt_registry.bad_profile",
                f"Debt registry profile «{self.name}» is wrong: "
                f"{'; '.join(p.message for p in problems)}.",
                profile=self.name,
                problems=problems,
            )

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping) -> DebtRegistryProfile:
        values = known_keys_only(
            cls, data, "formats.debt_registry.bad_profile", "debt registry profile"
        )
        for key in ("columns", "header"):
            if key in values:
                values[key] = list(values[key] or [])
        return cls(**values)


#: Sberbank: ``ЛС;ФИО;Адрес;Период(ММГГГГ);Сумма``, cp1251, CRLF, no header or trailer,
#: file ``ИНН_РС_НОМЕР_ММГГ.txt``. Confirm the columns against the contract's appendix.
SBERBANK_DEBT = DebtRegistryProfile(name="sberbank_debt")


def _render(template: str, values: Mapping, what: str) -> str:
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError, TypeError) as exc:
        raise FormatError(
            "formats.debt_registry.bad_template",
            f"The {what} template «{template}» cannot be filled: {exc!r}.",
            template=template,
        ) from exc


def write_debt_registry(
    rows: Iterable[DebtRow],
    profile: DebtRegistryProfile = SBERBANK_DEBT,
    *,
    inn: str,
    account: str = "",
    seq: int = 1,
    period: date | None = None,
    export_date: date | None = None,
    **placeholders,
) -> tuple[str, bytes]:
    """(file name, bytes) of a debt registry.

    Free text (payer, address, extra columns) is written on one line: the separator and line
    breaks become blanks. An amount is rounded to kopecks; one of zero or less (an advance) is
    kept, written 0.00 or skipped as ``profile.non_positive`` says. The account must be
    non-empty, without blanks or the separator. Every row is checked before anything is
    written; all bad rows are reported together in one :class:`FormatError`
    (``params["errors"]``: list of :class:`LineError`, ``line`` being the 1-based row number).
    """
    problems: list[LineError] = []
    if not re.fullmatch(r"\d{10}|\d{12}", inn or ""):
        problems.append(
            problem("formats.debt_registry.bad_inn", f"INN «{inn}» is not 10 or 12 digits", inn=inn)
        )
    if account and not re.fullmatch(r"\d{20}", account):
        problems.append(
            problem(
                "formats.debt_registry.bad_account",
                f"account «{account}» is not 20 digits",
                account=account,
            )
        )
    if not 1 <= int(seq) <= 999:
        problems.append(
            problem("formats.debt_registry.bad_seq", f"sequence number {seq} is not 1…999", seq=seq)
        )
    if problems:
        raise FormatError(
            "formats.debt_registry.bad_requisites",
            f"Cannot write the debt registry: {'; '.join(p.message for p in problems)}.",
            problems=problems,
        )
    period = period.replace(day=1) if period else None
    export_date = export_date or date.today()

    errors: list[LineError] = []
    lines: list[str] = []
    total = ZERO
    for number, row in enumerate(rows, start=1):
        cells, amount = _row_cells(row, number, profile, period, errors)
        if cells is None:
            continue
        line = profile.separator.join(cells)
        try:
            line.encode(profile.encoding)
        except UnicodeEncodeError as exc:
            bad = exc.object[exc.start : exc.end]
            errors.append(
                LineError(
                    number,
                    None,
                    "unencodable",
                    f"«{bad}» cannot be written in {profile.encoding}.",
                    {"character": bad, "encoding": profile.encoding},
                )
            )
            continue
        lines.append(line)
        total += amount
    if errors:
        raise FormatError(
            "formats.debt_registry.bad_rows",
            f"{len({e.line for e in errors})} rows of the debt registry are wrong; "
            f"first: row {errors[0].line}: {errors[0].message}",
            count=len({e.line for e in errors}),
            errors=errors,
        )
    values = {
        **placeholders,
        "inn": inn,
        "account": account,
        "seq": int(seq),
        "period": period,
        "date": export_date,
        "count": len(lines),
        "total": _amount_text(total, profile),
    }
    if period is None and "{period" in profile.filename_pattern:
        raise FormatError(
            "formats.debt_registry.no_period",
            "The file name needs the period to pay; give period=.",
        )
    header = [_render(t, values, "header") for t in profile.header]
    trailer = [_render(profile.trailer, values, "trailer")] if profile.trailer else []
    filename = _render(profile.filename_pattern, values, "file name")
    if re.search(r'[\\/:*?"<>|\r\n]', filename):
        raise FormatError(
            "formats.debt_registry.bad_filename",
            f"The file name «{filename}» holds a character a file name cannot have.",
            filename=filename,
        )
    text = "".join(line + profile.line_ending for line in [*header, *lines, *trailer])
    try:
        data = text.encode(profile.encoding)
    except UnicodeEncodeError as exc:  # header or trailer text
        raise FormatError(
            "formats.debt_registry.unencodable",
            f"The header or trailer cannot be written in {profile.encoding}.",
            encoding=profile.encoding,
        ) from exc
    return filename, data


def _amount_text(value: Decimal, profile: DebtRegistryProfile) -> str:
    return f"{round_money(value):.2f}".replace(".", profile.decimal_mark)


def _row_cells(row: DebtRow, number: int, profile, period, errors):
    """(cells, amount written) of a row, or (None, ZERO) when skipped or wrong."""
    before = len(errors)
    if not str(row.account or "").strip():
        errors.append(
            LineError(
                number, "account", "missing_field", "The account is empty.", {"field": "account"}
            )
        )
    try:
        amount = round_money(to_decimal(row.amount))
    except (TypeError, ValueError):
        errors.append(
            LineError(
                number,
                "amount",
                "bad_amount",
                f"{row.amount!r} is no amount.",
                {"value": row.amount},
            )
        )
        amount = ZERO
    if amount <= 0:
        if profile.non_positive == "skip":
            return None, ZERO
        if profile.non_positive == "zero":
            amount = ZERO
    cells = []
    for name in profile.columns:
        if name == "amount":
            value = _amount_text(amount, profile)
        elif name == "period":
            value = format_period(row.period or period, profile.period_format)
            if not value:
                errors.append(
                    LineError(
                        number, "period", "missing_field", "No period to pay.", {"field": "period"}
                    )
                )
        elif name == "account":
            value = str(row.account or "").strip()
            if profile.separator in value or any(c.isspace() for c in value):
                errors.append(
                    LineError(
                        number,
                        "account",
                        "bad_value",
                        f"The account «{value}» has a blank or "
                        f"the separator «{profile.separator}».",
                        {"value": value, "separator": profile.separator},
                    )
                )
        else:
            raw = getattr(row, name) if name in ROW_FIELDS else row.extra.get(name, "")
            value = raw.strftime(profile.date_format) if isinstance(raw, date) else str(raw or "")
            # Free text: the separator and line breaks become blanks.
            value = " ".join(value.replace(profile.separator, " ").split())
        cells.append(value)
    if len(errors) > before:
        return None, ZERO
    return cells, amount


SCHEDULES = ("none", "monthly", "daily")


def period_to_pay(export_date: date, months_back: int = 1) -> date:
    """First day of the month to pay: ``months_back`` months before the export's month
    (1: the charges of last month, billed at the start of this one; 0: this month)."""
    if months_back < 0:
        raise ValueError("months_back cannot be negative")
    m = export_date.month - 1 - months_back
    return date(export_date.year + m // 12, m % 12 + 1, 1)


def export_due(schedule: str, day: int, today: date, last: date | None) -> bool:
    """Is a scheduled export due ``today``, the last one having been made on ``last``?

    ``daily``: once a day. ``monthly``: once a month, on ``day`` (clipped to the month's
    length) or later when that day was missed. ``none``: never.
    """
    if schedule not in SCHEDULES:
        raise ValueError(f"schedule must be one of {', '.join(SCHEDULES)}")
    if schedule == "none" or (last is not None and last >= today):
        return False
    if schedule == "daily":
        return True
    if not 1 <= int(day) <= 31:
        raise ValueError("the day of the month must be 1…31")
    run_day = min(int(day), calendar.monthrange(today.year, today.month)[1])
    if today.day < run_day:
        return False
    return last is None or (last.year, last.month) != (today.year, today.month)
