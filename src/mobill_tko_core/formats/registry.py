"""Bank registries of payments from individuals (реестры принятых платежей).

Every bank or payment agent has its own layout, so a :class:`RegistryProfile` describes one:
encoding, separator, decimal mark, date format, which column holds which field, header lines
to skip and how the trailer (итоговая строка) is recognised and read. Profiles are plain data:
:meth:`RegistryProfile.to_dict` / :meth:`RegistryProfile.from_dict` store them in a table.

Built in: :data:`SBERBANK_STANDARD` (the widely used Sber layout, ``;``, cp1251, a trailer line
starting with ``=``; confirm against the contract's appendix) and :data:`GENERIC_CSV`.

:func:`read_registry` validates every line and the trailer (count and sums) and gives each
payment a stable idempotency ``key``; :func:`write_registry` writes a file in a profile (tests,
demo data); :func:`match_bank_document` finds the aggregated платёжное поручение of a registry
in a bank statement.
"""

from __future__ import annotations

import csv
import functools
import io
import re
import zipfile
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from mobill_tko_core.formats import (
    FormatError,
    LineError,
    ParseResult,
    check_encoding,
    decode_lines,
    fingerprint,
    known_keys_only,
    stable_hash,
)
from mobill_tko_core.money import ZERO, round_money

__all__ = [
    "GENERIC_CSV",
    "PAYMENT_FIELDS",
    "SBERBANK_STANDARD",
    "TRAILER_FIELDS",
    "RegistryPayment",
    "RegistryProfile",
    "RegistryResult",
    "RegistryTrailer",
    "format_period",
    "is_registry_order",
    "match_bank_document",
    "order_match_state",
    "parse_period",
    "read_registry",
    "write_registry",
]

#: Fields a column map may name (any other name is kept in ``RegistryPayment.extra``).
PAYMENT_FIELDS = (
    "account",
    "payer",
    "address",
    "period",
    "amount",
    "transfer_amount",
    "commission",
    "paid_date",
    "paid_time",
    "operation_id",
    "branch",
    "cashier",
)
#: Fields a trailer map may name.
TRAILER_FIELDS = (
    "count",
    "total",
    "transfer_total",
    "commission_total",
    "order_number",
    "order_date",
)
PERIOD_FORMATS = ("MMYYYY", "MM.YYYY", "MMYY")

_AMOUNT_RE = re.compile(r"^-?\d{1,15}(?:[.,]\d{1,2})?$")
_PERIOD_RES = (
    re.compile(r"^(\d{2})[./-]?(\d{4})$"),  # 012025, 01.2025, 01/2025, 01-2025
    re.compile(r"^(\d{4})-(\d{2})$"),  # 2025-01 (ISO), year first
)


def problem(code: str, message: str, **params) -> LineError:
    """One problem of a profile (or of a writer's requisites), by code with its params.

    The problems of one check travel together in ``params["problems"]`` of the
    :class:`FormatError`; the Odoo side renders each by its code.
    """
    return LineError(0, None, code, message, params)


def choice_problem(code: str, what: str, value, allowed) -> list[LineError]:
    """``[]`` when ``value`` is one of ``allowed``, else its problem (params value, allowed)."""
    if value in allowed:
        return []
    message = f"{what} must be one of {', '.join(allowed)}"
    return [problem(code, message, value=value, allowed=list(allowed))]


def check_profile_basics(profile) -> list[LineError]:
    """The problems of what every file profile has: name, separator, decimal mark, period
    format and text encoding (see :class:`RegistryProfile`, ``DebtRegistryProfile``)."""
    problems = []
    if not profile.name:
        problems.append(problem("formats.profile.no_name", "the profile has no name"))
    if not profile.separator or profile.separator in "\r\n":
        problems.append(
            problem(
                "formats.profile.bad_separator",
                "the separator must be a character other than a line break",
            )
        )
    if profile.decimal_mark not in (".", ","):
        problems.append(
            problem(
                "formats.profile.bad_decimal_mark",
                "the decimal mark must be «.» or «,»",
                value=profile.decimal_mark,
            )
        )
    problems += choice_problem(
        "formats.profile.bad_period_format",
        "the period format",
        profile.period_format,
        PERIOD_FORMATS,
    )
    try:
        check_encoding(profile.encoding)
    except FormatError as exc:
        problems.append(problem(exc.code, exc.message, **exc.params))
    return problems


@dataclass
class RegistryProfile:
    """Layout of one bank's payment registry. Column indexes are 0-based."""

    name: str
    bank: str = ""  # source id used in the payments' keys; defaults to ``name``
    encoding: str = "cp1251"
    separator: str = ";"
    quotechar: str | None = None  # set for CSV with quoted fields
    decimal_mark: str = "."
    date_format: str = "%d-%m-%Y"
    time_format: str = "%H-%M-%S"
    period_format: str = "MMYYYY"  # how the writer writes it; the reader accepts all
    columns: dict[str, int] = field(default_factory=dict)
    skip_header_lines: int = 0
    comment_prefix: str | None = "#"
    trailer_prefix: str | None = "="
    trailer_regex: str | None = None  # alternative; named groups as in TRAILER_FIELDS
    trailer_columns: dict[str, int] = field(default_factory=dict)
    trailer_required: bool = False
    check_commission: bool = True  # amount == transfer_amount + commission when all given
    line_ending: str = "\r\n"

    def __post_init__(self):
        problems = check_profile_basics(self)
        for required in ("account", "amount"):
            if required not in self.columns:
                problems.append(
                    problem(
                        "formats.profile.missing_column",
                        f"the column map has no «{required}»",
                        column=required,
                    )
                )
        for mapping in (self.columns, self.trailer_columns):
            for key, index in mapping.items():
                if not isinstance(index, int) or isinstance(index, bool) or index < 0:
                    problems.append(
                        problem(
                            "formats.profile.bad_column",
                            f"the column of «{key}» must be an integer >= 0",
                            column=key,
                        )
                    )
        unknown = set(self.trailer_columns) - set(TRAILER_FIELDS)
        if unknown:
            problems.append(
                problem(
                    "formats.profile.unknown_trailer_fields",
                    f"unknown trailer fields: {', '.join(sorted(unknown))}",
                    fields=sorted(unknown),
                )
            )
        if self.trailer_regex:
            try:
                re.compile(self.trailer_regex)
            except re.error as exc:
                problems.append(
                    problem(
                        "formats.profile.bad_trailer_regex",
                        f"the trailer regex does not compile: {exc}",
                        error=str(exc),
                    )
                )
        if self.trailer_required and not (self.trailer_prefix or self.trailer_regex):
            problems.append(
                problem(
                    "formats.profile.no_trailer_pattern",
                    "a required trailer needs a prefix or a regex",
                )
            )
        if self.skip_header_lines < 0:
            problems.append(
                problem(
                    "formats.profile.negative_skip",
                    "skip_header_lines cannot be negative",
                    value=self.skip_header_lines,
                )
            )
        if problems:
            raise FormatError(
                "formats.registry.bad_profile",
                f"Registry profile «{self.name}» is wrong: "
                f"{'; '.join(p.message for p in problems)}.",
                profile=self.name,
                problems=problems,
            )

    @property
    def source(self) -> str:
        return self.bank or self.name

    @property
    def width(self) -> int:
        """Number of columns a payment line needs at least."""
        return max(self.columns.values()) + 1

    def to_dict(self) -> dict:
        """A JSON-friendly dict (to store the profile in a table)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping) -> RegistryProfile:
        values = known_keys_only(cls, data, "formats.registry.bad_profile", "registry profile")
        for key in ("columns", "trailer_columns"):
            if key in values:
                values[key] = {str(k): int(v) for k, v in dict(values[key] or {}).items()}
        return cls(**values)


#: The widely used Sberbank layout (formats.md §4):
#: ``Дата;Время;Отделение;Кассир/ВСП/УС;СУИП;ЛС;ФИО;Адрес;Период;Сумма;КПеречислению;Комиссия``
#: and the trailer ``=Количество;Сумма;КПеречислению;Комиссия;НомерПП;ДатаПП``.
SBERBANK_STANDARD = RegistryProfile(
    name="sberbank_standard",
    bank="sberbank",
    encoding="cp1251",
    separator=";",
    decimal_mark=".",
    date_format="%d-%m-%Y",
    time_format="%H-%M-%S",
    period_format="MMYYYY",
    columns={
        "paid_date": 0,
        "paid_time": 1,
        "branch": 2,
        "cashier": 3,
        "operation_id": 4,
        "account": 5,
        "payer": 6,
        "address": 7,
        "period": 8,
        "amount": 9,
        "transfer_amount": 10,
        "commission": 11,
    },
    trailer_prefix="=",
    trailer_columns={
        "count": 0,
        "total": 1,
        "transfer_total": 2,
        "commission_total": 3,
        "order_number": 4,
        "order_date": 5,
    },
    trailer_required=True,
)

#: A plain CSV (UTF-8, ``;``, decimal comma, quoted fields, one header line, no trailer).
GENERIC_CSV = RegistryProfile(
    name="generic_csv",
    bank="generic",
    encoding="utf-8",
    separator=";",
    quotechar='"',
    decimal_mark=",",
    date_format="%d.%m.%Y",
    time_format="%H:%M:%S",
    period_format="MM.YYYY",
    columns={
        "paid_date": 0,
        "account": 1,
        "payer": 2,
        "address": 3,
        "period": 4,
        "amount": 5,
        "commission": 6,
        "operation_id": 7,
    },
    skip_header_lines=1,
    comment_prefix=None,
    trailer_prefix=None,
    line_ending="\n",
)


@dataclass
class RegistryPayment:
    """One payment line. ``amount`` is what the payer paid (it settles the account's debt)."""

    account: str
    amount: Decimal
    payer: str = ""
    address: str = ""
    period: date | None = None  # first day of the month paid for; None = not named
    paid_date: date | None = None
    paid_time: time | None = None
    operation_id: str = ""
    commission: Decimal | None = None
    transfer_amount: Decimal | None = None  # amount less the bank's commission
    branch: str = ""
    cashier: str = ""
    extra: dict[str, str] = field(default_factory=dict)
    line: int = 0
    key: str = ""


@dataclass
class RegistryTrailer:
    line: int
    count: int | None = None
    total: Decimal | None = None
    transfer_total: Decimal | None = None
    commission_total: Decimal | None = None
    order_number: str = ""  # number of the платёжное поручение that carries the money
    order_date: date | None = None
    raw: str = ""


@dataclass
class RegistryResult(ParseResult):
    profile: str = ""
    header_lines: list[str] = field(default_factory=list)
    trailer: RegistryTrailer | None = None


# -- small parsers ---------------------------------------------------------------------------


def parse_period(text: str, period_format: str = "MMYYYY") -> date | None:
    """First day of the month of a period: ``012025``, ``01.2025``, ``01/2025``, ``2025-01``;
    ``0125`` only when ``period_format`` is ``MMYY``. None when it is not a period."""
    text = text.strip()
    month = year = None
    for regex in _PERIOD_RES:
        m = regex.match(text)
        if m:
            a, b = m.groups()
            month, year = (int(a), int(b)) if len(a) == 2 else (int(b), int(a))
            break
    else:
        if period_format == "MMYY" and re.fullmatch(r"\d{4}", text):
            month, year = int(text[:2]), 2000 + int(text[2:])
    if month is None or not 1 <= month <= 12 or not 1990 <= year <= 2099:
        return None
    return date(year, month, 1)


def format_period(period: date | None, period_format: str = "MMYYYY") -> str:
    if period is None:
        return ""
    if period_format == "MM.YYYY":
        return period.strftime("%m.%Y")
    if period_format == "MMYY":
        return period.strftime("%m%y")
    return period.strftime("%m%Y")


def _parse_amount(text: str) -> Decimal | None:
    text = text.replace(" ", "").replace("\u00a0", "")
    if not _AMOUNT_RE.match(text):
        return None
    return Decimal(text.replace(",", "."))


def _format_amount(value, decimal_mark: str) -> str:
    text = f"{round_money(value):.2f}"
    return text.replace(".", decimal_mark)


def _human(fmt: str) -> str:
    """``%d-%m-%Y`` -> ``dd-mm-yyyy`` for messages."""
    for code, text in (("%d", "dd"), ("%m", "mm"), ("%Y", "yyyy"), ("%y", "yy"), ("%H", "hh")):
        fmt = fmt.replace(code, text)
    return fmt.replace("%M", "mm").replace("%S", "ss")


def _split(text: str, profile: RegistryProfile) -> list[str]:
    if profile.quotechar:
        rows = list(csv.reader([text], delimiter=profile.separator, quotechar=profile.quotechar))
        cells = rows[0] if rows else []
    else:
        cells = text.split(profile.separator)
    return [c.strip() for c in cells]


def _is_trailer(text: str, profile: RegistryProfile, trailer_re) -> bool:
    if trailer_re is not None and trailer_re.match(text):
        return True
    return bool(profile.trailer_prefix) and text.startswith(profile.trailer_prefix)


# -- reading ---------------------------------------------------------------------------------


#: The largest registry a zip archive may unpack to (a zip bomb is rejected, not unpacked).
MAX_UNZIPPED_BYTES = 512 * 1024 * 1024


def _unzip(data: bytes) -> bytes:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = [i for i in archive.infolist() if not i.is_dir()]
            if len(members) != 1:
                raise FormatError(
                    "formats.registry.zip_members",
                    f"The zip archive holds {len(members)} files; a registry archive holds one.",
                    count=len(members),
                    files=[i.filename for i in members],
                )
            member = members[0]
            if member.flag_bits & 0x1:
                raise FormatError(
                    "formats.registry.zip_encrypted",
                    "The zip archive is protected by a password; send the registry unprotected.",
                )
            if member.file_size > MAX_UNZIPPED_BYTES:
                raise FormatError(
                    "formats.registry.zip_too_large",
                    f"The zip archive unpacks to {member.file_size} bytes; at most "
                    f"{MAX_UNZIPPED_BYTES} are accepted.",
                    limit=MAX_UNZIPPED_BYTES,
                )
            with archive.open(member) as handle:
                content = handle.read(MAX_UNZIPPED_BYTES + 1)
            if len(content) > MAX_UNZIPPED_BYTES:
                raise FormatError(
                    "formats.registry.zip_too_large",
                    f"The zip archive unpacks to more than {MAX_UNZIPPED_BYTES} bytes.",
                    limit=MAX_UNZIPPED_BYTES,
                )
            return content
    except (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError) as exc:
        raise FormatError("formats.registry.bad_zip", "The zip archive is damaged.") from exc


class _LineReader:
    """Reads the fields of one payment line, collecting errors."""

    def __init__(self, profile: RegistryProfile, number: int, cells: list[str], errors: list):
        self.profile = profile
        self.number = number
        self.cells = cells
        self.errors = errors

    def error(self, fld, code, message, **params):
        self.errors.append(LineError(self.number, fld, code, message, params))

    def text(self, name: str) -> str:
        index = self.profile.columns.get(name)
        return self.cells[index] if index is not None and index < len(self.cells) else ""

    def amount(self, name: str, required: bool = False) -> Decimal | None:
        text = self.text(name)
        if not text:
            if required:
                self.error(
                    name, "missing_field", f"The {name.replace('_', ' ')} is empty.", field=name
                )
            return None
        value = _parse_amount(text)
        if value is None:
            self.error(name, "bad_amount", f"«{text}» is not an amount.", value=text)
        return value

    def day(self, name: str, fmt: str, kind: type = date):
        text = self.text(name)
        if not text:
            return None
        value = _strptime(text, fmt)
        if value is None:
            self.error(
                name,
                "bad_time" if kind is time else "bad_date",
                f"«{text}» is not written {_human(fmt)}.",
                value=text,
                format=_human(fmt),
            )
            return None
        return value.date() if kind is date else value.time()


@functools.lru_cache(maxsize=4096)
def _strptime(text: str, fmt: str) -> datetime | None:
    """``datetime.strptime`` or None; cached: a registry repeats a few dates and times
    thousands of times, and strptime is the slowest step of reading a line."""
    try:
        return datetime.strptime(text, fmt)
    except ValueError:
        return None


def _read_payment(profile: RegistryProfile, number: int, cells: list[str], errors: list):
    """(payment or None, amount or None) of one data line."""
    if len(cells) < profile.width:
        errors.append(
            LineError(
                number,
                None,
                "too_few_columns",
                f"The line has {len(cells)} columns, the profile needs {profile.width}.",
                {"columns": len(cells), "expected": profile.width},
            )
        )
        return None, None
    rd = _LineReader(profile, number, cells, errors)
    before = len(errors)
    account = rd.text("account")
    if not account:
        rd.error(
            "account", "missing_field", "The personal account number is empty.", field="account"
        )
    amount = rd.amount("amount", required=True)
    if amount is not None and amount <= 0:
        rd.error(
            "amount", "bad_amount", f"The amount must be positive, not {amount}.", value=amount
        )
    commission = rd.amount("commission")
    transfer = rd.amount("transfer_amount")
    if (
        profile.check_commission
        and None not in (amount, commission, transfer)
        and amount != transfer + commission
    ):
        rd.error(
            "transfer_amount",
            "commission_mismatch",
            f"The amount {amount} is not the sum to transfer {transfer} plus the "
            f"commission {commission}.",
            amount=amount,
            transfer=transfer,
            commission=commission,
        )
    period = None
    period_text = rd.text("period")
    if period_text:
        period = parse_period(period_text, profile.period_format)
        if period is None:
            rd.error(
                "period",
                "bad_period",
                f"«{period_text}» is not a period (MMYYYY, MM.YYYY).",
                value=period_text,
            )
    paid_date = rd.day("paid_date", profile.date_format)
    paid_time = rd.day("paid_time", profile.time_format, time)
    if len(errors) > before:
        return None, amount
    extra = {
        name: rd.cells[index]
        for name, index in profile.columns.items()
        if name not in PAYMENT_FIELDS and index < len(rd.cells)
    }
    payment = RegistryPayment(
        account=account,
        amount=amount,
        payer=rd.text("payer"),
        address=rd.text("address"),
        period=period,
        paid_date=paid_date,
        paid_time=paid_time,
        operation_id=rd.text("operation_id"),
        commission=commission,
        transfer_amount=transfer,
        branch=rd.text("branch"),
        cashier=rd.text("cashier"),
        extra=extra,
        line=number,
    )
    return payment, amount


def _read_trailer(profile: RegistryProfile, number: int, text: str, trailer_re, errors: list):
    trailer = RegistryTrailer(line=number, raw=text)
    match = trailer_re.match(text) if trailer_re is not None else None
    if match:
        expected = set(trailer_re.groupindex)
        values = {k: (v or "").strip() for k, v in match.groupdict().items()}
    else:
        expected = set(profile.trailer_columns)
        cells = _split(text[len(profile.trailer_prefix or "") :], profile)
        values = {
            name: cells[index]
            for name, index in profile.trailer_columns.items()
            if index < len(cells)
        }
    for name in ("count", "total"):
        if name in expected and not values.get(name):
            errors.append(
                LineError(
                    number,
                    name,
                    "bad_trailer",
                    f"The trailer has no {name}.",
                    {"field": name, "value": ""},
                )
            )
    if values.get("count"):
        if values["count"].isdigit():
            trailer.count = int(values["count"])
        else:
            errors.append(
                LineError(
                    number,
                    "count",
                    "bad_trailer",
                    f"«{values['count']}» is not a count.",
                    {"field": "count", "value": values["count"]},
                )
            )
    for name in ("total", "transfer_total", "commission_total"):
        if values.get(name):
            amount = _parse_amount(values[name])
            if amount is None:
                errors.append(
                    LineError(
                        number,
                        name,
                        "bad_trailer",
                        f"«{values[name]}» is not an amount.",
                        {"field": name, "value": values[name]},
                    )
                )
            setattr(trailer, name, amount)
    trailer.order_number = values.get("order_number", "")
    if values.get("order_date"):
        try:
            trailer.order_date = datetime.strptime(values["order_date"], profile.date_format).date()
        except ValueError:
            errors.append(
                LineError(
                    number,
                    "order_date",
                    "bad_trailer",
                    f"«{values['order_date']}» is not written {_human(profile.date_format)}.",
                    {"field": "order_date", "value": values["order_date"]},
                )
            )
    return trailer


def _payment_keys(payments: list[RegistryPayment], profile: RegistryProfile, trailer, warnings):
    """Give each payment its idempotency key.

    With the bank's operation id: source + date + operation id + account + period, so the same
    payment in a re-sent or corrected registry has the same key. Without one: source + the
    registry's платёжное поручение (number, date) + the significant fields + the rank of the
    line among identical lines, so two identical payments of one day stay two.
    """
    registry_id = (trailer.order_number, trailer.order_date) if trailer else ("", None)
    seen: dict[str, int] = {}
    occurrences: dict[str, int] = {}
    for p in payments:
        if p.operation_id:
            identity = ("op", p.paid_date, p.operation_id, p.account, p.period)
            p.key = f"{profile.source}:" + stable_hash(*identity)
            if p.key in seen:
                warnings.append(
                    LineError(
                        p.line,
                        "operation_id",
                        "duplicate_payment",
                        f"Operation {p.operation_id} for account {p.account} is at line "
                        f"{seen[p.key]} already; it is booked once.",
                        {
                            "operation": p.operation_id,
                            "account": p.account,
                            "other_line": seen[p.key],
                        },
                    )
                )
            else:
                seen[p.key] = p.line
            continue
        content = stable_hash(
            "line",
            *registry_id,
            p.paid_date,
            p.paid_time,
            p.account,
            p.period,
            f"{p.amount:.2f}",
            p.payer,
            p.branch,
            p.cashier,
        )
        rank = occurrences.get(content, 0)
        occurrences[content] = rank + 1
        p.key = f"{profile.source}:" + stable_hash(content, rank)


def read_registry(data: bytes, profile: RegistryProfile = SBERBANK_STANDARD) -> RegistryResult:
    """Read a payment registry in ``profile``'s layout (raw bytes; a zip with one file is
    unpacked). Every bad line is reported; the trailer's count and sums are checked against the
    lines. Raises :class:`FormatError` only if the bytes cannot be read at all."""
    if not isinstance(data, bytes | bytearray):
        raise TypeError("read_registry() takes the raw bytes of the file")
    data = bytes(data)
    result = RegistryResult(fingerprint=fingerprint(data), profile=profile.name)
    if data.startswith(b"PK\x03\x04"):
        data = _unzip(data)
    result.encoding = check_encoding(profile.encoding)
    lines, errors = decode_lines(data, profile.encoding)
    warnings: list[LineError] = []
    trailer_re = re.compile(profile.trailer_regex) if profile.trailer_regex else None
    trailer: RegistryTrailer | None = None
    data_lines = 0
    amounts: list[Decimal | None] = []
    payments: list[RegistryPayment] = []

    for number, raw in enumerate(lines, start=1):
        text = raw.strip()
        if number <= profile.skip_header_lines:
            result.header_lines.append(raw)
            continue
        if not text:
            continue
        if profile.comment_prefix and text.startswith(profile.comment_prefix):
            result.header_lines.append(raw)
            continue
        if _is_trailer(text, profile, trailer_re):
            if trailer is not None:
                errors.append(
                    LineError(
                        number,
                        None,
                        "duplicate_trailer",
                        f"A second trailer (the first is at line {trailer.line}).",
                        {"other_line": trailer.line},
                    )
                )
                continue
            trailer = _read_trailer(profile, number, text, trailer_re, errors)
            continue
        if trailer is not None:
            errors.append(
                LineError(
                    number,
                    None,
                    "data_after_trailer",
                    f"A line after the trailer (line {trailer.line}).",
                    {"other_line": trailer.line},
                )
            )
            continue
        data_lines += 1
        payment, amount = _read_payment(profile, number, _split(text, profile), errors)
        amounts.append(amount)
        if payment is not None:
            payments.append(payment)

    _check_trailer(profile, trailer, data_lines, amounts, payments, len(lines), errors, warnings)
    _payment_keys(payments, profile, trailer, warnings)
    if not data_lines and trailer is None:
        warnings.append(LineError(0, None, "empty_file", "The registry has no payment lines."))

    result.records = payments
    result.trailer = trailer
    result.errors = sorted(errors, key=lambda e: e.line)
    result.warnings = sorted(warnings, key=lambda e: e.line)
    result.totals = {
        "lines": data_lines,
        "count": len(payments),
        "amount": sum((p.amount for p in payments), ZERO),
        "commission": sum((p.commission or ZERO for p in payments), ZERO),
        "transfer_amount": sum((p.transfer_amount or ZERO for p in payments), ZERO),
    }
    return result


def _check_trailer(profile, trailer, data_lines, amounts, payments, last_line, errors, warnings):
    if trailer is None:
        if profile.trailer_required:
            errors.append(
                LineError(
                    last_line,
                    None,
                    "trailer_missing",
                    "The registry has no trailer line; it may be cut short.",
                )
            )
        return
    if trailer.count is not None and trailer.count != data_lines:
        errors.append(
            LineError(
                trailer.line,
                "count",
                "trailer_count_mismatch",
                f"The trailer says {trailer.count} payments, the file has {data_lines}.",
                {"declared": trailer.count, "counted": data_lines},
            )
        )
    if any(a is None for a in amounts):
        warnings.append(
            LineError(
                trailer.line,
                None,
                "trailer_not_checked",
                "The trailer sums were not checked: some amounts cannot be read.",
            )
        )
        return
    total = sum(amounts, ZERO)
    sums = [("total", trailer.total, total)]
    if len(payments) == data_lines:  # every line read: the other sums are known too
        for name, attr in (
            ("transfer_total", "transfer_amount"),
            ("commission_total", "commission"),
        ):
            values = [getattr(p, attr) for p in payments]
            if all(v is not None for v in values):
                sums.append((name, getattr(trailer, name), sum(values, ZERO)))
    for name, declared, counted in sums:
        if declared is not None and declared != counted:
            errors.append(
                LineError(
                    trailer.line,
                    name,
                    "trailer_sum_mismatch",
                    f"The trailer's {name.replace('_', ' ')} is {declared}, the lines sum to "
                    f"{counted}.",
                    {"field": name, "declared": declared, "counted": counted},
                )
            )


def match_bank_document(result: RegistryResult, documents: Iterable):
    """The statement document (see :mod:`.onec_bank`) that carries a registry's money: its
    number and date are the trailer's платёжное поручение and its amount the sum to transfer
    (or the total). None when there is no such document or no trailer."""
    trailer = result.trailer
    if trailer is None or not trailer.order_number:
        return None
    expected = trailer.transfer_total if trailer.transfer_total is not None else trailer.total
    for doc in documents:
        if doc.number.strip() != trailer.order_number:
            continue
        if trailer.order_date is not None and doc.date != trailer.order_date:
            continue
        if expected is not None and doc.amount != expected:
            continue
        return doc
    return None


# -- writing ---------------------------------------------------------------------------------


def _cell(value, profile: RegistryProfile, name: str) -> str:
    if value is None:
        return ""
    if name == "period":
        return format_period(value, profile.period_format)
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        return _format_amount(value, profile.decimal_mark)
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.strftime(profile.date_format)
    if isinstance(value, time):
        return value.strftime(profile.time_format)
    return str(value)


def _join(cells: list[str], profile: RegistryProfile) -> str:
    for cell in cells:
        if "\n" in cell or "\r" in cell:
            raise FormatError(
                "formats.registry.bad_value", f"A value holds a line break: {cell!r}.", value=cell
            )
    if profile.quotechar:
        buffer = io.StringIO()
        csv.writer(
            buffer, delimiter=profile.separator, quotechar=profile.quotechar, lineterminator=""
        ).writerow(cells)
        return buffer.getvalue()
    for cell in cells:
        if profile.separator in cell:
            raise FormatError(
                "formats.registry.bad_value",
                f"A value holds the separator «{profile.separator}»: {cell!r}.",
                value=cell,
            )
    return profile.separator.join(cells)


def write_registry(
    payments: Iterable[RegistryPayment],
    profile: RegistryProfile = SBERBANK_STANDARD,
    *,
    header_lines: Iterable[str] | None = None,
    trailer: bool = True,
    order_number: str = "",
    order_date: date | None = None,
) -> bytes:
    """Write payments in ``profile``'s layout (demo data, tests, forwarding).

    ``header_lines`` default to the column names when the profile skips header lines. The
    trailer (when the profile has a prefix and trailer columns) carries the count, the sums
    and the платёжное поручение ``order_number``/``order_date``.
    """
    payments = list(payments)
    out: list[str] = []
    if header_lines is None:
        names = sorted(profile.columns, key=profile.columns.get)
        header_lines = [_join(names, profile)] if profile.skip_header_lines else []
    out += list(header_lines)
    for p in payments:
        cells = [""] * profile.width
        for name, index in profile.columns.items():
            value = getattr(p, name) if name in PAYMENT_FIELDS else p.extra.get(name, "")
            cells[index] = _cell(value, profile, name)
        out.append(_join(cells, profile))
    if trailer and profile.trailer_prefix and profile.trailer_columns:
        values = {
            "count": str(len(payments)),
            "total": sum((p.amount for p in payments), ZERO),
            "transfer_total": sum(
                (
                    p.transfer_amount if p.transfer_amount is not None else p.amount
                    for p in payments
                ),
                ZERO,
            ),
            "commission_total": sum((p.commission or ZERO for p in payments), ZERO),
            "order_number": order_number,
            "order_date": order_date,
        }
        cells = [""] * (max(profile.trailer_columns.values()) + 1)
        for name, index in profile.trailer_columns.items():
            cells[index] = _cell(values[name], profile, name)
        out.append(profile.trailer_prefix + _join(cells, profile))
    text = "".join(line + profile.line_ending for line in out)
    try:
        return text.encode(profile.encoding)
    except UnicodeEncodeError as exc:
        bad = exc.object[exc.start : exc.end]
        raise FormatError(
            "formats.registry.unencodable",
            f"The character «{bad}» cannot be written in {profile.encoding}.",
            character=bad,
        ) from exc


# -- the payment order that carries a registry's money ---------------------------------------


def is_registry_order(doc, bank_inns: Iterable[str] = (), purpose_pattern: str | None = None):
    """True when a statement document is a bank's aggregated transfer of a payment registry
    (it is not a payment of its own: the registry's lines are). Both must hold: the payer is
    one of the banks that send registries (``bank_inns``) and, when ``purpose_pattern`` (a
    regular expression, case ignored, e.g. ``реестр``) is given, the purpose matches it. A
    consumer's payment that merely mentions a registry, or the bank paying its own contract
    with another purpose, stays a payment."""
    inns = {inn.strip() for inn in bank_inns if inn and inn.strip()}
    if not doc.payer.inn or doc.payer.inn.strip() not in inns:
        return False
    return not purpose_pattern or bool(re.search(purpose_pattern, doc.purpose or "", re.IGNORECASE))


def order_match_state(
    order_number: str,
    order_date: date | None,
    expected: Decimal | None,
    number: str,
    day: date | None,
    amount: Decimal,
) -> str | None:
    """How a statement document relates to a registry whose trailer names the order
    ``order_number`` of ``order_date`` for ``expected`` (the sum to transfer, or the total):
    ``"matched"``, ``"mismatch"`` (same order, another amount) or None (another document)."""
    if not order_number or number.strip() != order_number.strip():
        return None
    if order_date is not None and day is not None and day != order_date:
        return None
    if expected is not None and round_money(amount) != round_money(expected):
        return "mismatch"
    return "matched"
