"""The monthly receipt (единый платёжный документ, ЕПД) of a personal account: the one rule.

What a receipt says follows ПП 354 п. 69 and the sample form of приказ Минстроя России от
26.01.2018 № 43/пр: the payer and the premises, the payee (исполнитель) with its bank details,
the account number with ЕЛС and ИПД of ГИС ЖКХ when known (taken as given, never computed), the
calculation per service (basis, volume, norm, tariff, charged, recalculations, benefits, total),
the basis of every recalculation, the debt or advance at the start of the period, the payments
of the period with the last payment date, the penalties on a line of their own, the total to
pay, the due date, a message block and the payment QR code of ГОСТ Р 56042-2014.

The Odoo layer gathers :class:`ReceiptInputs` with SQL, calls :func:`build_receipt` and stores
the :class:`Receipt` as :func:`to_json` (immutable once issued; a reissue is a new receipt with a
correction number) plus a few columns; the PDF, the print-centre row (:func:`flat`), the portal
and the e-mail are all made from it. :func:`route_key` is the delivery-route sort key.

Arithmetic (every amount in roubles, ``Decimal``):

* each amount of the inputs is rounded to kopecks (ROUND_HALF_UP) when read — the charge run has
  rounded its lines already, so this changes nothing for stored charges; every later figure is a
  sum of kopecks and is never rounded again;
* a line's ``total`` = ``charged`` + ``recalculation`` − ``benefits``;
* ``charged`` = Σ lines' charged, ``recalculation`` = Σ lines' recalculation (and must equal
  Σ of the listed :class:`Recalculation` amounts: every recalculation is shown with its
  basis), ``benefits`` = Σ lines' benefits;
* ``total_for_period`` = Σ lines' totals = charged + recalculation − benefits;
* balance = ``opening_balance`` (debt > 0, advance < 0) + ``total_for_period`` − ``paid``
  (+ ``penalties`` when ``ReceiptSettings.penalties == "included"``);
* ``total_to_pay`` = max(balance, 0); ``advance`` = max(−balance, 0) (shown as «аванс»), so
  ``total_to_pay`` − ``advance`` = balance always;
* with ``penalties == "separate"`` (the default) the penalties are not in ``total_to_pay``: they
  are a line of their own and go into the QR as ``AddAmount`` (kopecks).

The due date is :func:`mobill_tko_core.due_dates.due_date_for` (the one home of that rule).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from functools import lru_cache

from mobill_tko_core.due_dates import due_date_for, payer_due_day
from mobill_tko_core.errors import CoreError, RequisiteError
from mobill_tko_core.formats import FormatError, known_keys_only
from mobill_tko_core.formats.payment_qr import (
    ENCODINGS,
    MANDATORY_BLOCK_LIMIT,
    build_payment_string,
    parse_payment_string,
)
from mobill_tko_core.formats.registry import choice_problem, problem
from mobill_tko_core.money import ZERO, round_money, to_kopecks
from mobill_tko_core.requisites import (
    validate_bank_account,
    validate_bik,
    validate_correspondent_account,
    validate_inn,
    validate_kpp,
)

__all__ = [
    "BASES",
    "FLAT_KEYS",
    "PENALTY_MODES",
    "SERVICE_NAME",
    "Payee",
    "Payer",
    "Recalculation",
    "Receipt",
    "ReceiptError",
    "ReceiptInputs",
    "ReceiptSettings",
    "ServiceLine",
    "build_receipt",
    "flat",
    "from_json",
    "payment_fields",
    "payment_string",
    "route_key",
    "to_json",
]

#: what the volume of a line is computed from (ПП 354 formulas 9(1), 9(2); п. 148(36))
BASES = ("residents", "owners", "area")
#: ``separate``: penalties are their own line and the QR's ``AddAmount``; ``included``: they are
#: added to the total to pay [? — the practice differs between regions]
PENALTY_MODES = ("separate", "included")
SERVICE_NAME = "Обращение с твёрдыми коммунальными отходами"
#: the keys of :func:`flat`, in the order of the print-centre file (the contract with
#: ``formats.print_centre``)
FLAT_KEYS = (
    "account",
    "els",
    "ipd",
    "period",
    "payer_name",
    "address",
    "postcode",
    "route",
    "zone",
    "district",
    "management_company",
    "payee_name",
    "payee_inn",
    "payee_kpp",
    "bank_name",
    "bic",
    "payee_account",
    "corr_account",
    "basis",
    "quantity",
    "unit",
    "tariff",
    "charged",
    "recalculation",
    "benefits",
    "opening_balance",
    "paid",
    "last_payment_date",
    "penalties",
    "total_to_pay",
    "due_date",
    "correction",
    "qr",
)
JSON_SCHEMA = 1
#: zero roubles written with kopecks (every amount of a receipt has two places)
NIL = Decimal("0.00")
#: ГОСТ Р 56042-2014 limits of the fields the receipt cuts rather than fails on
NAME_LIMIT = 160
BANK_NAME_LIMIT = 45
PURPOSE_LIMIT = 160


class ReceiptError(CoreError):
    """Invalid input of a receipt (``receipt.*`` codes; ``params`` hold every value named)."""


@dataclass(frozen=True)
class Payee:
    """The recipient of the payment (исполнитель, the regional operator) as of the period."""

    name: str
    inn: str
    kpp: str
    bank_name: str
    bic: str
    account: str
    corr_account: str
    address: str = ""
    phone: str = ""
    email: str = ""
    site: str = ""


@dataclass(frozen=True)
class Payer:
    """The payer: full name, surname (the QR's ``LastName``), the premises' address."""

    name: str
    last_name: str = ""
    address: str = ""
    postcode: str = ""


@dataclass(frozen=True)
class ServiceLine:
    """One line of «Расчёт размера платы» (43/пр section 3).

    ``basis`` is one of :data:`BASES`; ``quantity`` the persons or m² the volume is computed
    from, ``norm`` the norm per person or m² per year, ``tariff`` per ``unit`` (all as given,
    not rounded). ``total`` is computed by :func:`build_receipt` (leave it ``None``; a given
    value must equal charged + recalculation − benefits). ``notes``: the charge's coded
    explanation (:mod:`mobill_tko_core.explain` notes), kept with JSON values only.
    """

    service: str
    basis: str
    unit: str
    quantity: Decimal
    norm: Decimal
    tariff: Decimal
    charged: Decimal
    recalculation: Decimal = ZERO
    benefits: Decimal = ZERO
    total: Decimal | None = None
    notes: tuple = ()


@dataclass(frozen=True)
class Recalculation:
    """A recalculation shown with its basis (43/пр section 5): the period it corrects, the reason
    as text and/or code, the amount (+ more to pay, − less)."""

    period: date
    amount: Decimal
    reason: str = ""
    code: str = ""


@dataclass(frozen=True)
class ReceiptSettings:
    """The company's choices where the rules leave one open ([recall]/[?] in the references).

    ``penalties``: see :data:`PENALTY_MODES`. ``due_day``/``months_after``: the company's due
    day and month offset (None: ЖК РФ ст. 155 — the 10th of the next month).
    ``qr_encoding``: 1 windows-1251, 2 UTF-8, 3 KOI8-R. ``purpose``: the QR's ``Purpose`` with
    ``{period}`` (MM.YYYY) and ``{account}``. ``zero_sum``: write ``Sum=0`` when nothing is to
    pay (else no ``Sum``: the payer's app asks for the amount). ``add_amount``: write the
    separate penalties as ``AddAmount``. ``tech_code``: the QR's ``TechCode`` (02 = ЖКХ).
    """

    penalties: str = "separate"
    due_day: int | None = None
    months_after: int | None = None
    qr_encoding: int = 2
    purpose: str = "Обращение с ТКО за {period}, л/с {account}"
    zero_sum: bool = False
    add_amount: bool = True
    tech_code: str = "02"

    def __post_init__(self):
        problems = choice_problem(
            "receipt.settings.bad_penalties", "penalties", self.penalties, PENALTY_MODES
        )
        if self.qr_encoding not in ENCODINGS:
            problems.append(
                problem(
                    "receipt.settings.bad_encoding",
                    "qr_encoding is 1 (windows-1251), 2 (UTF-8) or 3 (KOI8-R)",
                    value=self.qr_encoding,
                    allowed=list(ENCODINGS),
                )
            )
        if self.due_day is not None and not 1 <= self.due_day <= 31:
            problems.append(
                problem("receipt.settings.bad_due_day", "due_day is 1 to 31", value=self.due_day)
            )
        if self.months_after is not None and not 0 <= self.months_after <= 12:
            problems.append(
                problem(
                    "receipt.settings.bad_months_after",
                    "months_after is 0 to 12",
                    value=self.months_after,
                )
            )
        try:
            self.purpose.format(period="01.2025", account="1")
        except (KeyError, IndexError, ValueError):
            problems.append(
                problem(
                    "receipt.settings.bad_purpose",
                    "purpose may use {period} and {account} only",
                    value=self.purpose,
                )
            )
        if problems:
            raise ReceiptError(
                "receipt.bad_settings",
                "The receipt settings are wrong: " + "; ".join(p.message for p in problems),
                problems=problems,
            )


@dataclass(frozen=True)
class ReceiptInputs:
    """What the Odoo layer gathers for one account and period.

    ``period``: any day of the billed month. Amounts: ``opening_balance`` the balance at the
    start of the period without penalties (debt > 0, advance < 0), ``paid`` the payments booked
    in the period, ``penalties`` the penalties to pay. ``route``: the address parts of
    :func:`route_key` (settlement, street, house, building, apartment). ``correction_number``:
    0 for the first issue, N for the N-th reissue (then ``correction_reason`` is required).
    ``due_day``: the payer's own due day if any (else the settings', else the 10th).
    """

    company: int | str
    account: str
    period: date
    payer: Payer
    payee: Payee
    lines: tuple[ServiceLine, ...] = ()
    recalculations: tuple[Recalculation, ...] = ()
    opening_balance: Decimal = ZERO
    paid: Decimal = ZERO
    last_payment_date: date | None = None
    penalties: Decimal = ZERO
    els: str = ""
    ipd: str = ""
    messages: tuple[str, ...] = ()
    correction_number: int = 0
    correction_reason: str = ""
    route: tuple[str, ...] = ()
    zone: str = ""
    district: str = ""
    management_company: str = ""
    due_day: int | None = None


@dataclass(frozen=True)
class Receipt:
    """The issued receipt: the snapshot every output is made from (see the module docstring
    for how each total is made). ``period`` is the first day of the month; ``route`` the
    :func:`route_key`; ``qr`` the ГОСТ Р 56042 payment string."""

    company: int | str
    account: str
    els: str
    ipd: str
    period: date
    payer: Payer
    payee: Payee
    lines: tuple[ServiceLine, ...]
    recalculations: tuple[Recalculation, ...]
    opening_balance: Decimal
    charged: Decimal
    recalculation: Decimal
    benefits: Decimal
    total_for_period: Decimal
    paid: Decimal
    last_payment_date: date | None
    penalties: Decimal
    penalties_included: bool
    total_to_pay: Decimal
    advance: Decimal
    due_date: date
    purpose: str
    messages: tuple[str, ...]
    correction_number: int
    correction_reason: str
    route: str
    zone: str
    district: str
    management_company: str
    qr: str

    @property
    def correction(self) -> bool:
        """True for a reissue (исправленный платёжный документ)."""
        return self.correction_number > 0


# --- building ---------------------------------------------------------------------------


def _plain(value):
    """A note's value with JSON types only (Decimal → str, date → ISO), so that the receipt
    equals itself read back from JSON."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _not_negative(line: int, **amounts) -> None:
    """``receipt.negative_amount`` for the first amount below 0 (``line`` 0: the receipt's)."""
    for name, value in amounts.items():
        if value < 0:
            raise ReceiptError(
                "receipt.negative_amount",
                f"{f'Line {line}: ' if line else ''}{name} {value} is negative.",
                line=line,
                field=name,
                value=value,
            )


def _line(index: int, line: ServiceLine) -> ServiceLine:
    if line.basis not in BASES:
        raise ReceiptError(
            "receipt.bad_basis",
            f"Line {index}: the basis «{line.basis}» must be one of {', '.join(BASES)}.",
            line=index,
            value=line.basis,
            allowed=list(BASES),
        )
    charged = round_money(line.charged)
    recalculation = round_money(line.recalculation)
    benefits = round_money(line.benefits)
    _not_negative(index, charged=charged, benefits=benefits)
    total = charged + recalculation - benefits
    if line.total is not None and round_money(line.total) != total:
        raise ReceiptError(
            "receipt.line_total_mismatch",
            f"Line {index}: the total {line.total} is not charged + recalculation − benefits "
            f"= {total}.",
            line=index,
            total=round_money(line.total),
            expected=total,
        )
    notes = tuple(_plain(n) for n in line.notes) if line.notes else ()
    return ServiceLine(
        line.service or SERVICE_NAME,
        line.basis,
        line.unit,
        line.quantity,
        line.norm,
        line.tariff,
        charged,
        recalculation,
        benefits,
        total,
        notes,
    )


def _recalculation(item: Recalculation) -> Recalculation:
    amount = round_money(item.amount)
    if not (item.reason or item.code):
        raise ReceiptError(
            "receipt.recalculation_without_reason",
            f"The recalculation of {item.period:%m.%Y} ({amount}) has no reason: the receipt "
            "must show the basis of every recalculation.",
            period=item.period,
            amount=amount,
        )
    return Recalculation(item.period, amount, item.reason, item.code)


#: the payee's attributes the QR needs, with their field codes
_PAYEE_FIELDS = (
    ("name", "payee_name"),
    ("inn", "inn"),
    ("bank_name", "bank_name"),
    ("bic", "bik"),
    ("account", "bank_account"),
    ("corr_account", "corr_account"),
)


@lru_cache(maxsize=64)
def _checked_payee(payee: Payee) -> Payee:
    """The payee with its requisites validated (one check per payee, not per receipt).

    The ``field`` of an error is the requisite's code (``inn``, ``kpp``, ``bik``,
    ``bank_account``, ``corr_account``; ``payee_name``, ``bank_name``), as labelled in Odoo."""
    for name, field in _PAYEE_FIELDS:
        if not str(getattr(payee, name) or "").strip():
            raise ReceiptError(
                "receipt.payee_incomplete",
                f"The payee has no {field}: the payment QR code needs it.",
                field=field,
            )
    checks = (
        ("inn", "inn", lambda: validate_inn(payee.inn, "legal")),
        ("kpp", "kpp", lambda: validate_kpp(payee.kpp) if payee.kpp else ""),
        ("bic", "bik", lambda: validate_bik(payee.bic)),
        ("account", "bank_account", lambda: validate_bank_account(payee.account, payee.bic)),
        (
            "corr_account",
            "corr_account",
            lambda: validate_correspondent_account(payee.corr_account, payee.bic),
        ),
    )
    clean = {}
    for name, field, check in checks:
        try:
            clean[name] = check()
        except RequisiteError as exc:
            raise ReceiptError(
                "receipt.bad_payee",
                f"The payee's {field} «{getattr(payee, name)}» is wrong: {exc.message}.",
                field=field,
                value=str(getattr(payee, name)),
                problems=[problem(exc.code, exc.message, **exc.params)],
            ) from exc
    return Payee(
        payee.name,
        clean["inn"],
        clean["kpp"],
        payee.bank_name,
        clean["bic"],
        clean["account"],
        clean["corr_account"],
        payee.address,
        payee.phone,
        payee.email,
        payee.site,
    )


def _check_inputs(inputs: ReceiptInputs) -> None:
    if not str(inputs.account or "").strip():
        raise ReceiptError("receipt.no_account", "The receipt has no personal account number.")
    if not isinstance(inputs.period, date):
        raise ReceiptError(
            "receipt.bad_period",
            f"The period «{inputs.period}» is not a date.",
            value=str(inputs.period),
        )
    if inputs.correction_number < 0:
        raise ReceiptError(
            "receipt.bad_correction_number",
            f"The correction number {inputs.correction_number} is negative.",
            value=inputs.correction_number,
        )
    if inputs.correction_number and not inputs.correction_reason.strip():
        raise ReceiptError(
            "receipt.correction_without_reason",
            f"Reissue {inputs.correction_number} of the receipt has no reason.",
            number=inputs.correction_number,
        )


def build_receipt(inputs: ReceiptInputs, settings: ReceiptSettings | None = None) -> Receipt:
    """The receipt of ``inputs`` (ПП 354 п. 69, приказ Минстроя 43/пр).

    Totals as in the module docstring: line total = charged + recalculation − benefits;
    total for the period = Σ line totals; balance = opening balance + total for the period −
    paid (+ penalties when ``settings.penalties == "included"``); total to pay = max(balance, 0),
    advance = max(−balance, 0). Amounts are rounded to kopecks once, when read.

    Raises :class:`ReceiptError` with a ``receipt.*`` code: ``no_account``, ``bad_period``,
    ``bad_correction_number``, ``correction_without_reason``, ``bad_basis``,
    ``line_total_mismatch``, ``recalculation_without_reason``, ``recalculation_mismatch``,
    ``negative_amount``, ``paid_without_date``, ``payee_incomplete``, ``bad_payee``,
    ``bad_qr``.
    """
    settings = settings or _DEFAULT_SETTINGS
    _check_inputs(inputs)
    payee = _checked_payee(inputs.payee)
    period = inputs.period.replace(day=1)
    lines = tuple(_line(i, line) for i, line in enumerate(inputs.lines, start=1))
    recalculations = tuple(_recalculation(r) for r in inputs.recalculations)
    charged = recalculation = benefits = NIL
    for line in lines:
        charged += line.charged
        recalculation += line.recalculation
        benefits += line.benefits
    listed = sum((r.amount for r in recalculations), NIL)
    if listed != recalculation:
        raise ReceiptError(
            "receipt.recalculation_mismatch",
            f"The recalculations listed add up to {listed}, the lines' recalculations to "
            f"{recalculation}.",
            listed=listed,
            lines=recalculation,
        )
    opening = round_money(inputs.opening_balance)
    paid = round_money(inputs.paid)
    penalties = round_money(inputs.penalties)
    _not_negative(0, paid=paid, penalties=penalties)
    if paid and inputs.last_payment_date is None:
        raise ReceiptError(
            "receipt.paid_without_date",
            f"Payments of {paid} in the period but no last payment date.",
            paid=paid,
        )
    total_for_period = charged + recalculation - benefits
    included = settings.penalties == "included"
    balance = opening + total_for_period - paid + (penalties if included else NIL)
    total_to_pay = balance if balance > 0 else NIL
    advance = -balance if balance < 0 else NIL
    account = str(inputs.account).strip()
    purpose = settings.purpose.format(period=f"{period.month:02d}.{period.year}", account=account)
    qr = _qr_text(
        payee,
        inputs.payer,
        account,
        period,
        total_to_pay,
        NIL if included or not settings.add_amount else penalties,
        purpose,
        settings,
    )
    return Receipt(
        company=inputs.company,
        account=account,
        els=inputs.els or "",
        ipd=inputs.ipd or "",
        period=period,
        payer=inputs.payer,
        payee=payee,
        lines=lines,
        recalculations=recalculations,
        opening_balance=opening,
        charged=charged,
        recalculation=recalculation,
        benefits=benefits,
        total_for_period=total_for_period,
        paid=paid,
        last_payment_date=inputs.last_payment_date,
        penalties=penalties,
        penalties_included=included,
        total_to_pay=total_to_pay,
        advance=advance,
        due_date=due_date_for(
            period, payer_due_day(inputs.due_day, settings.due_day), settings.months_after
        ),
        purpose=purpose,
        messages=tuple(inputs.messages),
        correction_number=inputs.correction_number,
        correction_reason=inputs.correction_reason,
        route=route_key(*inputs.route),
        zone=inputs.zone or "",
        district=inputs.district or "",
        management_company=inputs.management_company or "",
        qr=qr,
    )


_DEFAULT_SETTINGS = ReceiptSettings()


# --- the payment QR (ГОСТ Р 56042-2014) --------------------------------------------------


def _cut(text: str, limit: int) -> str:
    """``text`` with its blanks collapsed, cut to ``limit`` characters (never fails)."""
    text = " ".join(str(text or "").split())
    return text if len(text) <= limit else text[:limit].rstrip()


@lru_cache(maxsize=64)
def _payee_fields(payee: Payee, encoding: int) -> tuple[tuple[str, str], ...]:
    """The payee's fields of the payment string, cut to the GOST limits: Name ≤ 160 and
    BankName ≤ 45 characters, and Name shorter still when the mandatory block would pass 300
    bytes in the encoding."""
    codec = ENCODINGS[encoding]
    bank_name = _cut(payee.bank_name, BANK_NAME_LIMIT)
    rest = f"|Name=|PersonalAcc={payee.account}|BankName={bank_name}|BIC={payee.bic}"
    rest += f"|CorrespAcc={payee.corr_account}"
    room = MANDATORY_BLOCK_LIMIT - len(rest.encode(codec, "replace"))
    name = _cut(payee.name, NAME_LIMIT)
    while len(name.encode(codec, "replace")) > room:
        name = name[:-1].rstrip()
    return (
        ("Name", name),
        ("PersonalAcc", payee.account),
        ("BankName", bank_name),
        ("BIC", payee.bic),
        ("CorrespAcc", payee.corr_account),
        ("PayeeINN", payee.inn),
        ("KPP", payee.kpp),
    )


def _fields(payee, payer, account, period, to_pay, add_amount, purpose, settings) -> dict:
    result = dict(_payee_fields(payee, settings.qr_encoding))
    if to_pay or settings.zero_sum:
        result["Sum"] = to_kopecks(to_pay)
    if add_amount:
        result["AddAmount"] = to_kopecks(add_amount)
    result["Purpose"] = _cut(purpose, PURPOSE_LIMIT)
    result["PersAcc"] = account
    result["PaymPeriod"] = f"{period.month:02d}{period.year}"
    result["LastName"] = payer.last_name
    result["PayerAddress"] = payer.address
    result["TechCode"] = settings.tech_code
    return result


def _qr_text(payee, payer, account, period, to_pay, add_amount, purpose, settings) -> str:
    data = _fields(payee, payer, account, period, to_pay, add_amount, purpose, settings)
    return _build_qr(data, settings.qr_encoding)


def _build_qr(data: dict, encoding: int) -> str:
    try:
        return build_payment_string(data, encoding=encoding, separator=None)
    except FormatError as exc:
        # each problem of the builder as a coded problem the Odoo side renders by its code
        problems = [
            problem(
                f"receipt.qr.{kind}",
                text,
                field=key,
                value=str(data.get(key, "")),
                encoding=ENCODINGS[encoding],
            )
            for key, kind, text in exc.params.get("problems", [])
        ]
        raise ReceiptError(
            "receipt.bad_qr",
            f"The payment QR code cannot be made: {exc.message}",
            problems=problems,
        ) from exc


def payment_fields(receipt: Receipt) -> dict[str, str]:
    """The ГОСТ Р 56042-2014 fields of the receipt's QR, in the order written: Name,
    PersonalAcc, BankName, BIC, CorrespAcc, PayeeINN, KPP, Sum (kopecks of the total to pay;
    left out when 0 unless ``zero_sum``), AddAmount (separate penalties, kopecks), Purpose,
    PersAcc, PaymPeriod (MMYYYY), LastName, PayerAddress, TechCode. Names too long for the
    GOST are cut (Name ≤ 160, BankName ≤ 45, Purpose ≤ 160 characters), never refused."""
    return dict(parse_payment_string(receipt.qr).fields)


def payment_string(receipt: Receipt, encoding: int = 2) -> str:
    """The receipt's payment string (``ST0001`` + the encoding digit, then the fields of
    :func:`payment_fields`) in ``encoding`` (1 windows-1251, 2 UTF-8, 3 KOI8-R), built by
    :func:`mobill_tko_core.formats.payment_qr.build_payment_string`; for the encoding the
    receipt was built with it is ``receipt.qr``. Raises ``receipt.bad_qr`` (``problems``)
    when a value cannot be written in that encoding."""
    if encoding not in ENCODINGS:
        raise ReceiptError(
            "receipt.bad_qr_encoding",
            f"The QR encoding must be one of {', '.join(map(str, ENCODINGS))}, not {encoding}.",
            value=encoding,
            allowed=list(ENCODINGS),
        )
    data = payment_fields(receipt)
    data.update(_payee_fields(receipt.payee, encoding))
    return _build_qr(data, encoding)


# --- delivery route ----------------------------------------------------------------------

_NUMBER_RE = re.compile(r"\d+")
_OTHER_RE = re.compile(r"[^0-9a-zа-я]+")
ROUTE_SEPARATOR = "/"


#: type words left out of the route key: «ул. Ленина» sorts as «Ленина», «г. Калуга» as «Калуга»
_PLACE_TYPE_RE = re.compile(
    r"^(?:г|город|пгт|пос|п|с|село|д|дер|деревня|х|ст|мкр|ул|улица|пер|переулок|пр|пр-кт|"
    r"просп|проспект|пл|площадь|ш|шоссе|б-р|бульвар|наб|набережная|проезд|туп|тупик)"
    r"(?:\.\s*|\s+)(?=\S)"
)
#: and before a house, building or apartment number: «д. 2» as «2», «кв. 10» as «10»
_NUMBER_TYPE_RE = re.compile(r"^[а-яa-z]+(?:\.\s*|\s+)(?=\d)")


@lru_cache(maxsize=65536)
def _route_part(text, type_re) -> str:
    text = str(text or "").strip().lower().replace("ё", "е")
    text = type_re.sub("", text)
    text = _OTHER_RE.sub("_", text).strip("_")
    return _NUMBER_RE.sub(lambda m: m.group().lstrip("0").rjust(9, "0"), text)


def route_key(settlement="", street="", house="", building="", apartment="") -> str:
    """The delivery-route sort key of an address: settlement, street, house, building,
    apartment, each lower-cased (ё = е), a leading type word left out («г.», «ул.», «д.»,
    «корп.», «кв.», …), punctuation and blanks made ``_``, every number
    zero-padded to 9 digits (natural order: «д. 2» < «д. 10», «10к1» < «10к2» < «11»,
    «кв. 9» < «кв. 10»), joined by ``/`` (which sorts before every digit and letter, so a
    shorter name comes before a longer one that starts with it). Sort receipts by it as text."""
    return ROUTE_SEPARATOR.join(
        (
            _route_part(settlement, _PLACE_TYPE_RE),
            _route_part(street, _PLACE_TYPE_RE),
            _route_part(house, _NUMBER_TYPE_RE),
            _route_part(building, _NUMBER_TYPE_RE),
            _route_part(apartment, _NUMBER_TYPE_RE),
        )
    )


# --- JSON and the flat row ---------------------------------------------------------------

_DECIMALS = frozenset(
    {
        "quantity",
        "norm",
        "tariff",
        "charged",
        "recalculation",
        "benefits",
        "total",
        "amount",
        "opening_balance",
        "total_for_period",
        "paid",
        "penalties",
        "total_to_pay",
        "advance",
    }
)
_DATES = frozenset({"period", "last_payment_date", "due_date"})
_NESTED = {"payer": Payer, "payee": Payee}
_TUPLES = {"lines": ServiceLine, "recalculations": Recalculation}


@lru_cache(maxsize=64)
def _field_names(cls) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


_PLAIN_TYPES = (str, int, bool, type(None))


def _dump(value):
    if type(value) in _PLAIN_TYPES:  # most values: no conversion
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_dump(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return {name: _dump(getattr(value, name)) for name in _field_names(type(value))}
    return value


def to_json(receipt: Receipt) -> str:
    """The receipt as stable JSON: sorted keys, Decimals as strings, dates ISO, UTF-8 text;
    the same receipt always gives the same text."""
    data = _dump(receipt)
    data["schema"] = JSON_SCHEMA
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _load(cls, data: dict):
    data = known_keys_only(cls, data, "receipt.json_unknown_keys", cls.__name__)
    values = {}
    for name, value in data.items():
        if value is None:
            pass
        elif name in _DECIMALS:
            value = Decimal(value)
        elif name in _DATES:
            value = date.fromisoformat(value)
        elif name in _NESTED:
            value = _load(_NESTED[name], value)
        elif name in _TUPLES:
            value = tuple(_load(_TUPLES[name], v) for v in value)
        elif isinstance(value, list):
            value = tuple(value)
        values[name] = value
    return cls(**values)


def from_json(text: str) -> Receipt:
    """The receipt of :func:`to_json`'s text (``from_json(to_json(r)) == r``)."""
    data = json.loads(text)
    schema = data.pop("schema", None)
    if schema != JSON_SCHEMA:
        raise ReceiptError(
            "receipt.json_schema",
            f"The stored receipt has schema {schema}, this version reads {JSON_SCHEMA}.",
            schema=schema,
            expected=JSON_SCHEMA,
        )
    return _load(Receipt, data)


def _money(value) -> str:
    return "" if value is None else str(round_money(value))


def _dmy(value) -> str:
    return "" if value is None else f"{value:%d.%m.%Y}"


def _number(value) -> str:
    if value is None:
        return ""
    text = format(Decimal(value), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def flat(receipt: Receipt) -> dict[str, str]:
    """The print-centre row of the receipt: exactly :data:`FLAT_KEYS`, every value text.

    Amounts «1234.50» (``opening_balance`` signed: debt > 0, advance < 0), dates dd.mm.yyyy,
    ``period`` YYYY-MM, "" when unknown. ``basis``, ``quantity``, ``unit`` and ``tariff`` of
    several lines are joined by «; » in line order; ``charged``, ``recalculation`` and
    ``benefits`` are the receipt's sums. ``correction`` is the reissue number ("" for the
    first issue); ``qr`` the payment string.
    """
    lines = receipt.lines
    payee = receipt.payee
    return {
        "account": receipt.account,
        "els": receipt.els,
        "ipd": receipt.ipd,
        "period": f"{receipt.period:%Y-%m}",
        "payer_name": receipt.payer.name,
        "address": receipt.payer.address,
        "postcode": receipt.payer.postcode,
        "route": receipt.route,
        "zone": receipt.zone,
        "district": receipt.district,
        "management_company": receipt.management_company,
        "payee_name": payee.name,
        "payee_inn": payee.inn,
        "payee_kpp": payee.kpp,
        "bank_name": payee.bank_name,
        "bic": payee.bic,
        "payee_account": payee.account,
        "corr_account": payee.corr_account,
        "basis": "; ".join(line.basis for line in lines),
        "quantity": "; ".join(_number(line.quantity) for line in lines),
        "unit": "; ".join(line.unit for line in lines),
        "tariff": "; ".join(_number(line.tariff) for line in lines),
        "charged": _money(receipt.charged),
        "recalculation": _money(receipt.recalculation),
        "benefits": _money(receipt.benefits),
        "opening_balance": _money(receipt.opening_balance),
        "paid": _money(receipt.paid),
        "last_payment_date": _dmy(receipt.last_payment_date),
        "penalties": _money(receipt.penalties),
        "total_to_pay": _money(receipt.total_to_pay),
        "due_date": _dmy(receipt.due_date),
        "correction": str(receipt.correction_number) if receipt.correction_number else "",
        "qr": receipt.qr,
    }
