"""1CClientBankExchange: the bank statement exchange file of 1C and Russian bank clients.

Plain text, one ``Ключ=Значение`` a line, CRLF. The first line is ``1CClientBankExchange``,
the last ``КонецФайла``. The header field ``Кодировка`` names the encoding: ``Windows`` is
windows-1251, ``DOS`` is cp866. The reader decodes by it (a UTF-8 file with a byte order mark
is accepted too); it never assumes UTF-8.

Sections: a header, then ``СекцияРасчСчет`` … ``КонецРасчСчет`` (balances and turnovers of one
account for a period) and ``СекцияДокумент=<вид>`` … ``КонецДокумента`` (one payment document).

:func:`read_statement` returns a :class:`OneCStatement`; :func:`incoming_payments` picks the
documents credited to the operator's accounts; :func:`write_statement` writes a valid file.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from mobill_tko_core.formats import (
    FormatError,
    LineError,
    ParseResult,
    decode_lines,
    fingerprint,
    stable_hash,
)
from mobill_tko_core.money import ZERO, round_money

__all__ = [
    "AccountSection",
    "BankDocument",
    "BankParty",
    "OneCStatement",
    "document_key",
    "incoming_payments",
    "outgoing_payments",
    "read_statement",
    "write_statement",
]

FIRST_LINE = "1CClientBankExchange"
END_OF_FILE = "КонецФайла"
DOC_START = "СекцияДокумент"
DOC_END = "КонецДокумента"
ACC_START = "СекцияРасчСчет"
ACC_END = "КонецРасчСчет"

#: Value of ``Кодировка`` -> Python codec.
DECLARED_ENCODINGS = {"windows": "cp1251", "dos": "cp866", "utf-8": "utf-8", "utf8": "utf-8"}
#: Codecs tried, in this order, on the bytes of ``Кодировка=``.
_CANDIDATE_CODECS = ("cp1251", "cp866", "utf-8")
#: Python codec -> value of ``Кодировка`` written by :func:`write_statement`.
_WRITE_ENCODINGS = {"windows": ("Windows", "cp1251"), "dos": ("DOS", "cp866")}

_DATE_RE = re.compile(r"^\d{2}\.\d{2}\.\d{4}$")
_TIME_RE = re.compile(r"^\d{2}:\d{2}:\d{2}$")
_AMOUNT_RE = re.compile(r"^\d{1,15}(?:\.\d{1,2})?$")
_BALANCE_RE = re.compile(r"^-?\d{1,15}(?:\.\d{1,2})?$")
_ACCOUNT_RE = re.compile(r"^\d{20}$")
_BIK_RE = re.compile(r"^\d{9}$")
_INN_RE = re.compile(r"^(?:0|\d{5}|\d{10}|\d{12})$")
_KPP_RE = re.compile(r"^(?:0|\d{4}[0-9A-Z]{2}\d{3})$")

#: Date fields of a document checked when filled.
_DOC_DATE_FIELDS = (
    "ДатаСписано",
    "ДатаПоступило",
    "СрокПлатежа",
    "КвитанцияДата",
    "ДатаОтсылкиДок",
)
_DOC_ACCOUNT_FIELDS = (
    "ПлательщикСчет",
    "ПлательщикРасчСчет",
    "ПлательщикКорсчет",
    "ПолучательСчет",
    "ПолучательРасчСчет",
    "ПолучательКорсчет",
)
_HEADER_REQUIRED = ("ВерсияФормата", "Кодировка", "ДатаНачала", "ДатаКонца")
_HEADER_REPEATABLE = ("РасчСчет", "Документ")
#: Replacements used when a text does not encode as it is (cp866 has no «», —, …).
_TYPOGRAPHY = str.maketrans({"«": '"', "»": '"', "„": '"', "“": '"', "”": '"', "—": "-", "–": "-"})
_PURPOSE_PARTS = tuple(f"НазначениеПлатежа{i}" for i in range(1, 7))


@dataclass
class BankParty:
    """Payer or payee of a document."""

    name: str = ""
    inn: str = ""
    kpp: str = ""
    account: str = ""
    bank_name: str = ""
    bank_city: str = ""
    bik: str = ""
    corr_account: str = ""


@dataclass
class BankDocument:
    """One ``СекцияДокумент``. ``fields`` holds every key of the section as read (raw text)."""

    kind: str
    number: str
    date: date
    amount: Decimal
    payer: BankParty = field(default_factory=BankParty)
    payee: BankParty = field(default_factory=BankParty)
    purpose: str = ""
    written_off: date | None = None  # ДатаСписано
    received: date | None = None  # ДатаПоступило
    payment_type: str = ""  # ВидОплаты (01 = платёжное поручение)
    priority: str = ""  # Очередность
    uin: str = ""  # Код (УИН)
    fields: dict[str, str] = field(default_factory=dict)
    line: int = 0
    key: str = ""

    def __post_init__(self):
        if not self.key:
            self.key = document_key(self)


def document_key(doc: BankDocument) -> str:
    """Idempotency key of a document: (Номер, Дата, Сумма, payer account, payee account).

    The same payment read from two statements (or twice from one) has the same key.
    """
    amount = round_money(doc.amount)
    return "1c:" + stable_hash(
        doc.number.strip(),
        doc.date.isoformat(),
        f"{amount:.2f}",
        doc.payer.account,
        doc.payee.account,
    )


@dataclass
class AccountSection:
    """One ``СекцияРасчСчет``: balances and turnovers of an account for a period."""

    account: str
    date_from: date | None = None
    date_to: date | None = None
    opening_balance: Decimal | None = None
    total_in: Decimal | None = None  # ВсегоПоступило
    total_out: Decimal | None = None  # ВсегоСписано
    closing_balance: Decimal | None = None
    line: int = 0
    fields: dict[str, str] = field(default_factory=dict)
    field_lines: dict[str, int] = field(default_factory=dict)


@dataclass
class OneCStatement(ParseResult):
    """A read 1CClientBankExchange file. ``records`` are the documents without errors."""

    declared_encoding: str = ""
    version: str = ""
    sender: str = ""
    receiver: str = ""
    created: datetime | None = None
    date_from: date | None = None
    date_to: date | None = None
    accounts: list[str] = field(default_factory=list)
    document_kinds: list[str] = field(default_factory=list)
    header: dict[str, str] = field(default_factory=dict)
    balances: list[AccountSection] = field(default_factory=list)

    @property
    def documents(self) -> list[BankDocument]:
        return self.records


# -- reading ---------------------------------------------------------------------------------


def _detect_encoding(data: bytes) -> tuple[str, str, list[LineError]]:
    """(python codec, declared value, problems) of a 1C file; FormatError if not such a file."""
    bom = data.startswith(codecs.BOM_UTF8)
    body = data[len(codecs.BOM_UTF8) :] if bom else data
    first = body.split(b"\n", 1)[0].strip()
    if first != FIRST_LINE.encode("ascii"):
        raise FormatError(
            "formats.onec.not_a_statement",
            "This is not a 1C bank exchange file: the first line must be «1CClientBankExchange».",
        )
    matched = declared = None
    for codec in _CANDIDATE_CODECS:
        key = re.escape("Кодировка=".encode(codec))
        match = re.search(rb"(?m)^[ \t]*" + key + rb"([^\r\n]*)", body)
        if match:
            matched, declared = codec, match.group(1).decode("ascii", "replace").strip()
            break
    if matched is None:
        # No declaration (the header check reports it): guess from words every file has.
        guess = next(
            (
                c
                for c in _CANDIDATE_CODECS
                if END_OF_FILE.encode(c) in body or DOC_START.encode(c) in body
            ),
            "cp1251",
        )
        return ("utf-8" if bom else guess), "", []
    declared_codec = DECLARED_ENCODINGS.get(declared.lower())
    if declared_codec is None:
        raise FormatError(
            "formats.onec.unknown_encoding",
            f"Unknown encoding «{declared}» in the field Кодировка (expected Windows or DOS).",
            encoding=declared,
        )
    actual = "utf-8" if bom else matched
    problems = []
    if actual != declared_codec:
        problems.append(
            LineError(
                0,
                "Кодировка",
                "encoding_mismatch",
                f"The file declares Кодировка={declared} but its bytes are {actual}; "
                f"it is read as {actual}.",
                {"declared": declared, "actual": actual},
            )
        )
    return actual, declared, problems


def _parse_date(text: str) -> date | None:
    if not _DATE_RE.match(text):
        return None
    try:
        return datetime.strptime(text, "%d.%m.%Y").date()
    except ValueError:
        return None


@dataclass
class _Section:
    kind: str  # "doc" or "acc"
    name: str
    line: int
    fields: dict[str, str] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)


class _Reader:
    def __init__(self):
        self.errors: list[LineError] = []
        self.warnings: list[LineError] = []

    def error(self, line, fld, code, message, **params):
        self.errors.append(LineError(line, fld, code, message, params))

    def warn(self, line, fld, code, message, **params):
        self.warnings.append(LineError(line, fld, code, message, params))

    def missing(self, line, name):
        self.error(
            line, name, "missing_field", f"The field {name} is missing or empty.", field=name
        )

    # A field that must be a date (if filled or required).
    def date_field(self, sec: _Section, name: str, required: bool = False) -> date | None:
        text = sec.fields.get(name, "")
        line = sec.lines.get(name, sec.line)
        if not text:
            if required:
                self.missing(line, name)
            return None
        value = _parse_date(text)
        if value is None:
            self.error(
                line,
                name,
                "bad_date",
                f"{name}={text} is not a date dd.mm.yyyy.",
                value=text,
                format="dd.mm.yyyy",
            )
        return value

    def amount_field(
        self, sec: _Section, name: str, required: bool = False, signed: bool = False
    ) -> Decimal | None:
        text = sec.fields.get(name, "")
        line = sec.lines.get(name, sec.line)
        if not text:
            if required:
                self.missing(line, name)
            return None
        if not (_BALANCE_RE if signed else _AMOUNT_RE).match(text):
            self.error(
                line,
                name,
                "bad_amount",
                f"{name}={text} is not an amount (digits, a dot and at most 2 decimals).",
                value=text,
            )
            return None
        return Decimal(text)

    def document(self, sec: _Section) -> tuple[BankDocument | None, Decimal | None]:
        """The document of a section (None when it has errors) and its amount if readable."""
        before = len(self.errors)
        f = sec.fields
        if not sec.name:
            self.error(
                sec.line, DOC_START, "missing_field", "The document kind is empty.", field=DOC_START
            )
        number = f.get("Номер", "")
        if not number:
            self.missing(sec.lines.get("Номер", sec.line), "Номер")
        doc_date = self.date_field(sec, "Дата", required=True)
        amount = self.amount_field(sec, "Сумма", required=True)
        dates = {name: self.date_field(sec, name) for name in _DOC_DATE_FIELDS}
        for name in _DOC_ACCOUNT_FIELDS:
            self._pattern(sec, name, _ACCOUNT_RE, "bad_account", "20 digits")
        for side in ("Плательщик", "Получатель"):
            self._pattern(sec, side + "БИК", _BIK_RE, "bad_bik", "9 digits")
            self._pattern(sec, side + "ИНН", _INN_RE, "bad_inn", "10 or 12 digits")
            self._pattern(sec, side + "КПП", _KPP_RE, "bad_kpp", "9 characters")
        if len(self.errors) > before:
            return None, amount
        purpose = f.get("НазначениеПлатежа", "") or " ".join(
            f[p] for p in _PURPOSE_PARTS if f.get(p)
        )
        doc = BankDocument(
            kind=sec.name,
            number=number,
            date=doc_date,
            amount=amount,
            payer=_party(f, "Плательщик"),
            payee=_party(f, "Получатель"),
            purpose=purpose,
            written_off=dates["ДатаСписано"],
            received=dates["ДатаПоступило"],
            payment_type=f.get("ВидОплаты", ""),
            priority=f.get("Очередность", ""),
            uin=f.get("Код", ""),
            fields=dict(f),
            line=sec.line,
        )
        return doc, amount

    def _pattern(self, sec: _Section, name: str, regex, code: str, expected: str) -> None:
        text = sec.fields.get(name, "")
        if text and not regex.match(text):
            self.warn(
                sec.lines.get(name, sec.line),
                name,
                code,
                f"{name}={text} does not look right ({expected}).",
                value=text,
            )

    def account_section(self, sec: _Section) -> AccountSection:
        acc = sec.fields.get("РасчСчет", "")
        if not acc:
            self.error(
                sec.line,
                "РасчСчет",
                "missing_field",
                "The account section has no РасчСчет.",
                field="РасчСчет",
            )
        elif not _ACCOUNT_RE.match(acc):
            self.warn(
                sec.lines["РасчСчет"],
                "РасчСчет",
                "bad_account",
                f"РасчСчет={acc} is not 20 digits.",
                value=acc,
            )
        result = AccountSection(
            account=acc,
            date_from=self.date_field(sec, "ДатаНачала"),
            date_to=self.date_field(sec, "ДатаКонца"),
            opening_balance=self.amount_field(sec, "НачальныйОстаток", signed=True),
            total_in=self.amount_field(sec, "ВсегоПоступило"),
            total_out=self.amount_field(sec, "ВсегоСписано"),
            closing_balance=self.amount_field(sec, "КонечныйОстаток", signed=True),
            line=sec.line,
            fields=dict(sec.fields),
            field_lines=dict(sec.lines),
        )
        values = (result.opening_balance, result.total_in, result.total_out, result.closing_balance)
        if all(v is not None for v in values):
            opening, total_in, total_out, closing = values
            if opening + total_in - total_out != closing:
                self.error(
                    sec.lines["КонечныйОстаток"],
                    "КонечныйОстаток",
                    "balance_mismatch",
                    f"НачальныйОстаток {opening} + ВсегоПоступило {total_in} - ВсегоСписано "
                    f"{total_out} is {opening + total_in - total_out}, "
                    f"not КонечныйОстаток {closing}.",
                    opening=opening,
                    total_in=total_in,
                    total_out=total_out,
                    computed=opening + total_in - total_out,
                    closing=closing,
                )
        return result


def _party(f: Mapping[str, str], side: str) -> BankParty:
    name = f.get(side + "1", "") or f.get(side, "")
    # «ИНН 7701000001 ООО "Ромашка"» -> «ООО "Ромашка"»
    name = re.sub(r"^ИНН\s*\d+\s*", "", name).strip()
    return BankParty(
        name=name,
        inn=f.get(side + "ИНН", ""),
        kpp=f.get(side + "КПП", ""),
        account=f.get(side + "Счет", "") or f.get(side + "РасчСчет", ""),
        bank_name=f.get(side + "Банк1", ""),
        bank_city=f.get(side + "Банк2", ""),
        bik=f.get(side + "БИК", ""),
        corr_account=f.get(side + "Корсчет", ""),
    )


def _in_period(day: date | None, sec: AccountSection) -> bool:
    if day is None:
        return False
    if sec.date_from and day < sec.date_from:
        return False
    return not (sec.date_to and day > sec.date_to)


def read_statement(data: bytes) -> OneCStatement:
    """Read a 1CClientBankExchange file (raw bytes).

    Raises :class:`FormatError` only when the file is not such a file or declares an unknown
    encoding; every other problem is a :class:`LineError` in ``errors`` (or ``warnings`` for
    requisites that look wrong: account, BIK, INN, KPP). Checks: required fields, dates
    dd.mm.yyyy, amounts, sections closed, ``КонецФайла``, balance arithmetic and the totals
    ``ВсегоПоступило``/``ВсегоСписано`` against the documents of the file.
    """
    if not isinstance(data, bytes | bytearray):
        raise TypeError("read_statement() takes the raw bytes of the file")
    data = bytes(data)
    codec, declared, problems = _detect_encoding(data)
    lines, decode_errors = decode_lines(data, codec)
    rd = _Reader()
    rd.errors.extend(decode_errors)
    rd.warnings.extend(problems)
    result = OneCStatement(
        fingerprint=fingerprint(data), encoding=codec, declared_encoding=declared
    )

    header: dict[str, str] = {}
    header_lines: dict[str, int] = {}
    repeated: dict[str, list[str]] = {k: [] for k in _HEADER_REPEATABLE}
    current: _Section | None = None
    in_header = True
    ended_at = 0
    # (section, parsed document or None, amount or None)
    documents: list[tuple[_Section, BankDocument | None, Decimal | None]] = []

    def close_unterminated(sec: _Section) -> None:
        end = DOC_END if sec.kind == "doc" else ACC_END
        rd.error(
            sec.line,
            None,
            "unterminated_section",
            f"The section opened here has no {end}; it is rejected.",
            end=end,
        )

    for number, raw in enumerate(lines, start=1):
        text = raw.strip()
        if number == 1 or not text:
            continue
        if ended_at:
            rd.error(
                number,
                None,
                "data_after_end",
                f"Text after {END_OF_FILE} (line {ended_at}).",
                end=END_OF_FILE,
                end_line=ended_at,
            )
            continue
        key, sep, value = text.partition("=")
        key, value = key.strip(), value.strip()
        if text == END_OF_FILE:
            if current is not None:
                close_unterminated(current)
                current = None
            ended_at = number
        elif key == DOC_START:
            if current is not None:
                close_unterminated(current)
            current = _Section("doc", value, number)
            in_header = False
        elif text == ACC_START:
            if current is not None:
                close_unterminated(current)
            current = _Section("acc", "", number)
            in_header = False
        elif text in (DOC_END, ACC_END):
            expected_kind = "doc" if text == DOC_END else "acc"
            if current is None or current.kind != expected_kind:
                rd.error(
                    number, None, "unexpected_end", f"{text} without its section start.", end=text
                )
                if current is not None:
                    close_unterminated(current)
                current = None
                continue
            if current.kind == "doc":
                doc, amount = rd.document(current)
                documents.append((current, doc, amount))
            else:
                result.balances.append(rd.account_section(current))
            current = None
        elif not sep or not key:
            rd.error(
                number,
                None,
                "bad_line",
                f"Expected «Key=Value», got «{text[:60]}».",
                text=text[:60],
            )
        elif current is not None:
            if key in current.fields:
                rd.warn(
                    number,
                    key,
                    "duplicate_field",
                    f"{key} is repeated; the last value is used.",
                    field=key,
                )
            current.fields[key] = value
            current.lines[key] = number
        elif in_header:
            if key in repeated:
                repeated[key].append(value)
            elif key in header:
                rd.warn(
                    number,
                    key,
                    "duplicate_field",
                    f"{key} is repeated; the last value is used.",
                    field=key,
                )
            header[key] = value
            header_lines[key] = number
        else:
            rd.error(
                number,
                key,
                "field_outside_section",
                f"{key} stands outside any section.",
                field=key,
            )

    if current is not None:
        close_unterminated(current)
    if not ended_at:
        rd.error(
            len(lines),
            None,
            "missing_end_of_file",
            f"The file does not end with {END_OF_FILE}.",
            end=END_OF_FILE,
        )

    # Header.
    head = _Section("header", "", 1, header, header_lines)
    for name in _HEADER_REQUIRED:
        if name not in header:
            rd.error(1, name, "missing_field", f"The header has no {name}.", field=name)
    result.header = header
    result.version = header.get("ВерсияФормата", "")
    result.sender = header.get("Отправитель", "")
    result.receiver = header.get("Получатель", "")
    result.date_from = rd.date_field(head, "ДатаНачала")
    result.date_to = rd.date_field(head, "ДатаКонца")
    created = rd.date_field(head, "ДатаСоздания")
    created_time = header.get("ВремяСоздания", "") or "00:00:00"
    try:
        if not _TIME_RE.match(created_time):
            raise ValueError(created_time)
        clock = datetime.strptime(created_time, "%H:%M:%S").time()
    except ValueError:
        rd.error(
            header_lines["ВремяСоздания"],
            "ВремяСоздания",
            "bad_time",
            f"ВремяСоздания={created_time} is not a time hh:mm:ss.",
            value=created_time,
            format="hh:mm:ss",
        )
        clock = None
    if created and clock:
        result.created = datetime.combine(created, clock)
    result.accounts = repeated["РасчСчет"]
    result.document_kinds = repeated["Документ"]

    # Documents.
    seen: dict[str, int] = {}
    for sec, doc, _amount in documents:
        if doc is None:
            continue
        if doc.key in seen:
            rd.warn(
                sec.line,
                None,
                "duplicate_document",
                f"The same document (Номер {doc.number}, Дата {doc.date:%d.%m.%Y}, Сумма "
                f"{doc.amount}) is at line {seen[doc.key]} already; it is booked once.",
                number=doc.number,
                date=f"{doc.date:%d.%m.%Y}",
                amount=doc.amount,
                other_line=seen[doc.key],
            )
        else:
            seen[doc.key] = sec.line
        result.records.append(doc)

    _check_turnovers(rd, result.balances, documents)

    rd.errors.sort(key=lambda e: e.line)
    rd.warnings.sort(key=lambda e: e.line)
    result.errors = rd.errors
    result.warnings = rd.warnings
    result.totals = {
        "documents": len(result.records),
        "rejected": sum(1 for _s, d, _a in documents if d is None),
        "amount": sum((d.amount for d in result.records), ZERO),
    }
    return result


def _check_turnovers(rd: _Reader, balances: list[AccountSection], documents) -> None:
    """ВсегоПоступило / ВсегоСписано of each account section against the documents."""
    if not balances:
        return
    unreadable = [sec for sec, _doc, amount in documents if amount is None]
    entries = [] if unreadable else [_movement(sec.fields, amount) for sec, _d, amount in documents]
    for bal in balances:
        if bal.total_in is None and bal.total_out is None:
            continue
        if unreadable:
            rd.warn(
                bal.line,
                None,
                "totals_not_checked",
                "The turnovers were not checked: some document amounts cannot be read.",
            )
            continue
        total_in, total_out = _turnovers(entries, bal)
        for name, declared, counted in (
            ("ВсегоПоступило", bal.total_in, total_in),
            ("ВсегоСписано", bal.total_out, total_out),
        ):
            if declared is not None and declared != counted:
                rd.error(
                    bal.field_lines.get(name, bal.line),
                    name,
                    "total_mismatch",
                    f"{name}={declared} for account {bal.account}, but the documents of the "
                    f"file sum to {counted}.",
                    field=name,
                    declared=declared,
                    account=bal.account,
                    counted=counted,
                )


def _movement(f: Mapping[str, str], amount: Decimal) -> tuple:
    """(payer account, payee account, debit day, credit day, amount) of a document's fields."""
    doc_date = _parse_date(f.get("Дата", ""))
    return (
        f.get("ПлательщикСчет", "") or f.get("ПлательщикРасчСчет", ""),
        f.get("ПолучательСчет", "") or f.get("ПолучательРасчСчет", ""),
        _parse_date(f.get("ДатаСписано", "")) or doc_date,
        _parse_date(f.get("ДатаПоступило", "")) or doc_date,
        amount,
    )


def _turnovers(entries: Iterable[tuple], bal: AccountSection) -> tuple[Decimal, Decimal]:
    """(credited, debited) sums of an account section's account within its period.

    A document counts on its ДатаПоступило / ДатаСписано, or its Дата when that is empty.
    """
    total_in = total_out = ZERO
    for payer, payee, debit_day, credit_day, amount in entries:
        if payee == bal.account and _in_period(credit_day, bal):
            total_in += amount
        if payer == bal.account and _in_period(debit_day, bal):
            total_out += amount
    return total_in, total_out


def _is_own(account: str, own: set[str]) -> bool:
    return bool(account) and account in own


def _own_accounts(statement: OneCStatement, own_accounts: Iterable[str] | None) -> set[str]:
    if own_accounts is not None:
        return {a.strip() for a in own_accounts}
    return set(statement.accounts) | {b.account for b in statement.balances if b.account}


def incoming_payments(
    statement: OneCStatement,
    own_accounts: Iterable[str] | None = None,
    *,
    include_internal: bool = False,
) -> list[BankDocument]:
    """Documents credited to one of ``own_accounts`` (default: the file's ``РасчСчет`` values).

    A document is incoming when its payee account is ours and ``ДатаПоступило`` is filled.
    Transfers between two own accounts are left out unless ``include_internal``.
    """
    own = _own_accounts(statement, own_accounts)
    return [
        d
        for d in statement.records
        if _is_own(d.payee.account, own)
        and d.received is not None
        and (include_internal or not _is_own(d.payer.account, own))
    ]


def outgoing_payments(
    statement: OneCStatement, own_accounts: Iterable[str] | None = None
) -> list[BankDocument]:
    """Documents debited from one of ``own_accounts`` (payer ours, ``ДатаСписано`` filled)."""
    own = _own_accounts(statement, own_accounts)
    return [d for d in statement.records if _is_own(d.payer.account, own) and d.written_off]


# -- writing ---------------------------------------------------------------------------------


def _fmt_date(value: date | None) -> str:
    return value.strftime("%d.%m.%Y") if value else ""


def _fmt_amount(value) -> str:
    return f"{round_money(value):.2f}"


def _clean(value) -> str:
    return " ".join(str(value).split()) if value is not None else ""


def _party_fields(side: str, party: BankParty, date_key: str, day: date | None) -> list[tuple]:
    shown = f"ИНН {party.inn} {party.name}".strip() if party.inn else party.name
    return [
        (side + "Счет", party.account),
        (date_key, _fmt_date(day)),
        (side, shown),
        (side + "ИНН", party.inn),
        (side + "КПП", party.kpp),
        (side + "1", party.name),
        (side + "РасчСчет", party.account),
        (side + "Банк1", party.bank_name),
        (side + "Банк2", party.bank_city),
        (side + "БИК", party.bik),
        (side + "Корсчет", party.corr_account),
    ]


def write_statement(
    documents: Iterable[BankDocument],
    *,
    accounts: str | Sequence[str],
    date_from: date,
    date_to: date,
    opening_balances: Mapping[str, Decimal] | None = None,
    sender: str = "MoBill-TKO",
    receiver: str = "",
    encoding: str = "Windows",
    version: str = "1.03",
    created: datetime | None = None,
) -> bytes:
    """Write a 1CClientBankExchange file (CRLF; ``encoding`` ``Windows`` = cp1251 or ``DOS``).

    One ``СекцияРасчСчет`` per account when ``opening_balances`` is given (its turnovers are
    computed from the documents as the reader checks them). Fields of ``doc.fields`` that the
    writer does not set itself are written too, so a read document writes back whole.
    Raises :class:`FormatError` if a text cannot be written in the encoding.
    """
    try:
        declared, codec = _WRITE_ENCODINGS[encoding.lower()]
    except KeyError as exc:
        raise FormatError(
            "formats.onec.unknown_encoding",
            f"A 1C file is written in Windows or DOS encoding, not {encoding!r}.",
            encoding=encoding,
        ) from exc
    accounts = [accounts] if isinstance(accounts, str) else list(accounts)
    documents = list(documents)
    out: list[tuple[str, str] | str] = [
        FIRST_LINE,
        ("ВерсияФормата", version),
        ("Кодировка", declared),
        ("Отправитель", sender),
        ("Получатель", receiver),
    ]
    if created:
        out += [
            ("ДатаСоздания", _fmt_date(created)),
            ("ВремяСоздания", created.strftime("%H:%M:%S")),
        ]
    out += [("ДатаНачала", _fmt_date(date_from)), ("ДатаКонца", _fmt_date(date_to))]
    out += [("РасчСчет", acc) for acc in accounts]
    out += [("Документ", kind) for kind in dict.fromkeys(d.kind for d in documents)]
    if opening_balances is not None:
        entries = [
            (
                d.payer.account,
                d.payee.account,
                d.written_off or d.date,
                d.received or d.date,
                d.amount,
            )
            for d in documents
        ]
        for acc in accounts:
            opening = opening_balances.get(acc, ZERO)
            total_in, total_out = _turnovers(entries, AccountSection(acc, date_from, date_to))
            out += [
                ACC_START,
                ("ДатаНачала", _fmt_date(date_from)),
                ("ДатаКонца", _fmt_date(date_to)),
                ("РасчСчет", acc),
                ("НачальныйОстаток", _fmt_amount(opening)),
                ("ВсегоПоступило", _fmt_amount(total_in)),
                ("ВсегоСписано", _fmt_amount(total_out)),
                ("КонечныйОстаток", _fmt_amount(opening + total_in - total_out)),
                ACC_END,
            ]
    for doc in documents:
        own = [
            ("Номер", doc.number),
            ("Дата", _fmt_date(doc.date)),
            ("Сумма", _fmt_amount(doc.amount)),
            *_party_fields("Плательщик", doc.payer, "ДатаСписано", doc.written_off),
            *_party_fields("Получатель", doc.payee, "ДатаПоступило", doc.received),
            ("ВидОплаты", doc.payment_type),
            ("Очередность", doc.priority),
            ("Код", doc.uin),
            ("НазначениеПлатежа", doc.purpose),
        ]
        written = {k for k, _v in own}
        extra = [
            (k, v) for k, v in doc.fields.items() if k not in written and k not in _PURPOSE_PARTS
        ]
        out.append((DOC_START, doc.kind))
        out += [(k, v) for k, v in own if v or k in ("Получатель", "Плательщик")]
        out += extra
        out.append(DOC_END)
    out.append(END_OF_FILE)
    text = "\r\n".join(
        item if isinstance(item, str) else f"{item[0]}={_clean(item[1])}" for item in out
    )
    text += "\r\n"
    try:
        return text.encode(codec)
    except UnicodeEncodeError:
        text = text.translate(_TYPOGRAPHY)  # cp866 has no «» and no typographic dashes
    try:
        return text.encode(codec)
    except UnicodeEncodeError as exc:
        bad = exc.object[exc.start : exc.end]
        raise FormatError(
            "formats.onec.unencodable",
            f"The character «{bad}» cannot be written in {declared} encoding ({codec}).",
            character=bad,
        ) from exc
