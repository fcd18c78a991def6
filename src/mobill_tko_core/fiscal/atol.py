"""АТОЛ Онлайн v5 (ФФД 1.2): receipts of 54-ФЗ through a cloud cash register (formats.md §7).

The protocol:

1. ``POST {base}/getToken`` with ``{"login", "pass"}``; the answer holds ``token`` (valid about
   24 h). :class:`AtolClient` keeps it until shortly before it expires.
2. ``POST {base}/{group}/{sell|sell_refund}`` with the header ``Token``; the answer is
   ``{uuid, status: "wait", error, timestamp}``.
3. The result: ``GET {base}/{group}/report/{uuid}`` (polling) or a POST of the same document to
   ``service.callback_url``; :func:`parse_report` reads both into an :class:`AtolResult`.

Errors carry ``{"error": {"code", "text", "type"}}``. Which codes mean what is from working
knowledge of the protocol **[mem]**: 11/12/13 are token problems (the token is taken again once),
12 on ``getToken`` is a wrong login or password, 32 a body that fails validation (final), 33 a
document with this ``external_id`` that exists already (its ``uuid`` is answered: the request is
treated as accepted, so sending twice never makes two receipts), 34 a report not ready yet.
Independently of the codes, the HTTP status decides: a network failure, 5xx and 429 are worth a
retry (:class:`FiscalError` ``retryable``), other 4xx answers are final.

Money is :class:`~decimal.Decimal` rounded to kopecks; the JSON carries it as a number.
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from mobill_tko_core.errors import CoreError
from mobill_tko_core.money import ZERO, round_money, to_decimal

__all__ = [
    "MAX_ATTEMPTS",
    "OPERATIONS",
    "PAYMENT_METHODS",
    "PAYMENT_OBJECTS",
    "PAYMENT_TYPES",
    "RETRY_SCHEDULE",
    "SNO",
    "VAT_TYPES",
    "AtolClient",
    "AtolResult",
    "FiscalError",
    "ReceiptData",
    "build_receipt",
    "classify_http",
    "normalise_phone",
    "parse_report",
    "retry_delay",
    "vat_type_for",
]

OPERATIONS = ("sell", "sell_refund")
SNO = ("osn", "usn_income", "usn_income_outcome", "esn", "patent")
PAYMENT_METHODS = (
    "full_prepayment",
    "prepayment",
    "advance",
    "full_payment",
    "partial_payment",
    "credit",
    "credit_payment",
)
#: ``payment_object`` of ФФД 1.2 (tag 1212), integers in v5.
PAYMENT_OBJECTS = {
    1: "goods",
    3: "work",
    4: "service",
    10: "payment (advance, deposit)",
    12: "contribution, penalty, fine",
    13: "other",
}
#: ``payments[].type``: 0 cash, 1 electronic (card, СБП, acquiring), 2 advance, 3 credit.
PAYMENT_TYPES = {0: "cash", 1: "electronic", 2: "advance", 3: "credit", 4: "counter-provision"}
#: ``vat.type``: a plain rate (``vat20``) or the calculated one (``vat120`` = 20/120).
VAT_TYPES = (
    "none",
    "vat0",
    "vat5",
    "vat7",
    "vat10",
    "vat20",
    "vat22",
    "vat105",
    "vat107",
    "vat110",
    "vat120",
    "vat122",
)
VAT_MODES = ("none", "rate", "calculated")
TIMESTAMP_FORMAT = "%d.%m.%Y %H:%M:%S"

#: Seconds to wait before attempt ``n + 1`` after ``n`` failed attempts (then the receipt needs a
#: person): 1, 5, 15, 30 minutes, 1, 2, 4, 8 hours.
RETRY_SCHEDULE = (60, 300, 900, 1800, 3600, 7200, 14400, 28800)
MAX_ATTEMPTS = len(RETRY_SCHEDULE) + 1

TOKEN_CODES = frozenset({11, 12, 13})
CODE_BAD_LOGIN = 12
CODE_VALIDATION = 32
CODE_DUPLICATE = 33
CODE_NOT_READY = 34
#: ATOL-side queue / processing problems that pass by themselves **[mem]**.
RETRY_CODES = frozenset({1, 2, 3, 4, 5, 6, 7, 8, 9, CODE_NOT_READY})

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
INN_RE = re.compile(r"^(\d{10}|\d{12})$")


class FiscalError(CoreError):
    """A receipt could not be built or sent.

    ``kind``: ``validation`` (the data is wrong: fix it, do not retry), ``network``, ``server``
    (5xx, 429), ``token`` (expired: taken again), ``auth`` (wrong login or password: a person must
    fix the settings; retried on schedule meanwhile), ``queue`` (ATOL is busy), ``rejected``
    (another final refusal). ``retryable`` tells whether sending the same request later may work.
    """

    def __init__(
        self,
        code: str,
        message: str,
        *,
        kind: str,
        retryable: bool,
        http_status: int | None = None,
        atol_code: int | None = None,
        **params,
    ):
        super().__init__(code, message, **params)
        self.kind = kind
        self.retryable = retryable
        self.http_status = http_status
        self.atol_code = atol_code


def _validation(message: str, problems: Sequence[str] = (), **params) -> FiscalError:
    """A ``fiscal_invalid`` error; ``problems``: the codes of what is wrong."""
    return FiscalError(
        "fiscal_invalid",
        message,
        kind="validation",
        retryable=False,
        problems=list(problems),
        **params,
    )


# ---------------------------------------------------------------------------------- the body
@dataclass
class ReceiptData:
    """Everything one receipt of one payment needs, as plain data.

    ``payment_object`` is the v5 integer (4 = service); ``payment_type`` of ``payments[]``: 0 cash,
    1 electronic. ``vat_type`` is an ATOL ``vat.type`` (see :func:`vat_type_for`).
    """

    external_id: str
    amount: Decimal
    timestamp: datetime
    company_inn: str
    company_email: str
    sno: str
    payment_address: str
    item_name: str
    vat_type: str = "none"
    client_email: str = ""
    client_phone: str = ""
    payment_type: int = 1
    payment_method: str = "full_payment"
    payment_object: int = 4
    measure: int = 0
    callback_url: str = ""
    operation: str = "sell"


def normalise_phone(phone: str) -> str:
    """``+7XXXXXXXXXX`` from the usual ways of writing a Russian mobile number; '' if not one."""
    digits = re.sub(r"\D", "", phone or "")
    if len(digits) == 11 and digits[0] in "78":
        digits = "7" + digits[1:]
    elif len(digits) == 10 and digits[0] == "9":
        digits = "7" + digits
    else:
        return ""
    return "+" + digits


def vat_type_for(mode: str, rate: Decimal | int | str | None = None) -> str:
    """The ATOL ``vat.type`` for a VAT mode of the register and the VAT rate (%) of the date.

    ``none``: the operator pays no VAT (УСН) — ``none``. ``rate``: the plain rate of the date
    (``vat20``, from 2026 ``vat22``). ``calculated``: the calculated rate (``vat120``/``vat122``),
    as for a prepayment.
    """
    if mode not in VAT_MODES:
        raise _validation(
            f"Unknown VAT mode {mode!r}: use one of {', '.join(VAT_MODES)}.", ["vat_mode"]
        )
    if mode == "none":
        return "none"
    if rate is None:
        raise _validation(
            "No VAT rate is in force on the payment date: add it to the VAT rates.", ["no_vat_rate"]
        )
    value = to_decimal(rate)
    if value != value.to_integral_value():
        raise _validation(
            f"The VAT rate {value} % has no receipt VAT type.", ["vat_rate"], rate=value
        )
    whole = int(value)
    vat = f"vat{whole}" if mode == "rate" else f"vat1{whole:02d}"
    if whole == 0 and mode == "calculated":
        vat = "vat0"
    if vat not in VAT_TYPES:
        raise _validation(
            f"The VAT rate {value} % has no receipt VAT type.", ["vat_rate"], rate=value
        )
    return vat


def _money(value: Decimal) -> float | int:
    value = round_money(value)
    return int(value) if value == value.to_integral_value() else float(value)


def build_receipt(data: ReceiptData) -> dict:
    """The v5 body of ``sell`` or ``sell_refund`` for one payment, checked first.

    Every problem is reported at once in one :class:`FiscalError` of kind ``validation``.
    """
    problems = []  # (code, English text): the code names the problem for the Odoo side
    if data.operation not in OPERATIONS:
        problems.append(("operation", f"unknown operation {data.operation!r}"))
    if not data.external_id or len(data.external_id) > 128:
        problems.append(
            (
                "external_id",
                "the receipt needs an identifier (external_id) of at most 128 characters",
            )
        )
    try:
        amount = round_money(to_decimal(data.amount))
    except (ValueError, ArithmeticError, TypeError):
        amount = ZERO
    if amount <= ZERO:
        problems.append(("amount_not_positive", "the amount must be positive"))
    elif amount >= Decimal("100000000"):
        problems.append(("amount_too_large", "the amount is too large for a receipt"))
    if not INN_RE.match(data.company_inn or ""):
        problems.append(("company_inn", "the company INN must have 10 or 12 digits"))
    if not EMAIL_RE.match(data.company_email or ""):
        problems.append(
            ("company_email", "the company e-mail of the cash register is missing or wrong")
        )
    if data.sno not in SNO:
        problems.append(("sno", f"the taxation system (sno) must be one of {', '.join(SNO)}"))
    if not (data.payment_address or "").strip():
        problems.append(
            ("payment_address", "the payment address (site or cash desk address) is missing")
        )
    name = (data.item_name or "").strip()
    if not name:
        problems.append(("item_name_empty", "the item name is empty"))
    elif len(name) > 128:
        problems.append(("item_name_too_long", "the item name is longer than 128 characters"))
    if data.vat_type not in VAT_TYPES:
        problems.append(("vat_type", f"unknown VAT type {data.vat_type!r}"))
    if data.payment_method not in PAYMENT_METHODS:
        problems.append(("payment_method", f"unknown payment method {data.payment_method!r}"))
    if data.payment_object not in PAYMENT_OBJECTS:
        problems.append(("payment_object", f"unknown payment object {data.payment_object!r}"))
    if data.payment_type not in PAYMENT_TYPES:
        problems.append(("payment_type", f"unknown payment type {data.payment_type!r}"))
    email = (data.client_email or "").strip()
    phone = normalise_phone(data.client_phone) if data.client_phone else ""
    if email and not EMAIL_RE.match(email):
        problems.append(("client_email", f"the customer's e-mail {email!r} is not valid"))
        email = ""
    if data.client_phone and not phone:
        problems.append(
            ("client_phone", f"the customer's phone {data.client_phone!r} is not a Russian mobile")
        )
    if not email and not phone and not problems:
        problems.append(
            ("no_contact", "the customer has neither an e-mail nor a phone to send the receipt to")
        )
    if problems:
        raise _validation(
            "The receipt cannot be sent: " + "; ".join(text for _code, text in problems) + ".",
            [code for code, _text in problems],
        )

    client = {"email": email} if email else {"phone": phone}
    total = _money(amount)
    body = {
        "external_id": data.external_id,
        "timestamp": data.timestamp.strftime(TIMESTAMP_FORMAT),
        "receipt": {
            "client": client,
            "company": {
                "email": data.company_email,
                "sno": data.sno,
                "inn": data.company_inn,
                "payment_address": data.payment_address.strip(),
            },
            "items": [
                {
                    "name": name,
                    "price": total,
                    "quantity": 1,
                    "measure": data.measure,
                    "sum": total,
                    "payment_method": data.payment_method,
                    "payment_object": data.payment_object,
                    "vat": {"type": data.vat_type},
                }
            ],
            "payments": [{"type": data.payment_type, "sum": total}],
            "total": total,
        },
    }
    if data.callback_url:
        body["service"] = {"callback_url": data.callback_url}
    return body


def validate_body(body: Mapping) -> list[str]:
    """Problems of a received v5 ``sell``/``sell_refund`` body (used by the fake service)."""
    problems = []
    if not isinstance(body, Mapping):
        return ["the body is not a JSON object"]
    if not body.get("external_id"):
        problems.append("external_id is required")
    try:
        datetime.strptime(str(body.get("timestamp")), TIMESTAMP_FORMAT)
    except ValueError:
        problems.append("timestamp must be dd.MM.yyyy HH:mm:ss")
    receipt = body.get("receipt")
    if not isinstance(receipt, Mapping):
        return [*problems, "receipt is required"]
    client = receipt.get("client") or {}
    if not (client.get("email") or client.get("phone")):
        problems.append("receipt.client needs email or phone")
    company = receipt.get("company") or {}
    if not INN_RE.match(str(company.get("inn") or "")):
        problems.append("receipt.company.inn is wrong")
    if company.get("sno") not in SNO:
        problems.append("receipt.company.sno is wrong")
    for key in ("email", "payment_address"):
        if not company.get(key):
            problems.append(f"receipt.company.{key} is required")
    items = receipt.get("items") or []
    if not items:
        problems.append("receipt.items is empty")
    total = ZERO
    for n, item in enumerate(items):
        try:
            price, qty, line = (to_decimal(item.get(k)) for k in ("price", "quantity", "sum"))
        except (ValueError, ArithmeticError, TypeError):
            problems.append(f"items[{n}]: price, quantity and sum must be numbers")
            continue
        total += line
        if round_money(price * qty) != round_money(line):
            problems.append(f"items[{n}].sum is not price × quantity")
        if not isinstance(item.get("measure"), int):
            problems.append(f"items[{n}].measure must be an integer in v5")
        if not isinstance(item.get("payment_object"), int):
            problems.append(f"items[{n}].payment_object must be an integer in v5")
        if item.get("payment_method") not in PAYMENT_METHODS:
            problems.append(f"items[{n}].payment_method is wrong")
        if (item.get("vat") or {}).get("type") not in VAT_TYPES:
            problems.append(f"items[{n}].vat.type is wrong")
    try:
        stated = to_decimal(receipt.get("total"))
        paid = sum((to_decimal(p.get("sum")) for p in receipt.get("payments") or []), ZERO)
    except (ValueError, ArithmeticError, TypeError, AttributeError):
        return [*problems, "total and payments[].sum must be numbers"]
    if round_money(stated) != round_money(total):
        problems.append("total is not the sum of the items")
    if round_money(paid) != round_money(stated):
        problems.append("payments do not add up to total")
    return problems


# ---------------------------------------------------------------------------------- results
@dataclass
class AtolResult:
    """A document's state at ATOL: the answer to ``sell`` or a report or a callback."""

    uuid: str = ""
    status: str = "wait"
    external_id: str = ""
    error_code: int | None = None
    error_text: str = ""
    fiscal_receipt_number: str = ""
    fiscal_document_number: str = ""
    fiscal_document_attribute: str = ""
    fn_number: str = ""
    shift_number: str = ""
    receipt_datetime: datetime | None = None
    ecr_registration_number: str = ""
    ofd_inn: str = ""
    total: Decimal | None = None
    raw: dict = field(default_factory=dict)

    @property
    def done(self) -> bool:
        return self.status == "done"


def _text(value) -> str:
    return "" if value is None else str(value)


def _error(payload: Mapping) -> tuple[int | None, str]:
    error = payload.get("error")
    if not error:
        return None, ""
    if isinstance(error, Mapping):
        code = error.get("code")
        try:
            code = int(code) if code is not None else None
        except (TypeError, ValueError):
            code = None
        return code, _text(error.get("text"))
    return None, _text(error)


def parse_report(payload: Mapping) -> AtolResult:
    """An :class:`AtolResult` from a ``report`` answer or a callback (they are alike)."""
    if not isinstance(payload, Mapping):
        raise FiscalError(
            "fiscal_bad_answer",
            "The cash register service answered something that is not a JSON object.",
            kind="server",
            retryable=True,
        )
    status = payload.get("status") or "wait"
    if status not in ("wait", "done", "fail"):
        raise FiscalError(
            "fiscal_bad_answer",
            f"The cash register service answered an unknown status {status!r}.",
            kind="server",
            retryable=True,
        )
    code, text = _error(payload)
    data = payload.get("payload") or {}
    when = None
    if data.get("receipt_datetime"):
        try:
            when = datetime.strptime(data["receipt_datetime"], TIMESTAMP_FORMAT)
        except (TypeError, ValueError):
            when = None
    total = None
    if data.get("total") is not None:
        try:
            total = round_money(to_decimal(data["total"]))
        except (ValueError, ArithmeticError, TypeError):
            total = None
    return AtolResult(
        uuid=_text(payload.get("uuid")),
        status=status,
        external_id=_text(payload.get("external_id")),
        error_code=code,
        error_text=text,
        fiscal_receipt_number=_text(data.get("fiscal_receipt_number")),
        fiscal_document_number=_text(data.get("fiscal_document_number")),
        fiscal_document_attribute=_text(data.get("fiscal_document_attribute")),
        fn_number=_text(data.get("fn_number")),
        shift_number=_text(data.get("shift_number")),
        receipt_datetime=when,
        ecr_registration_number=_text(data.get("ecr_registration_number")),
        ofd_inn=_text(data.get("ofd_inn")),
        total=total,
        raw=dict(payload),
    )


def classify_http(status: int, payload: Mapping | None, *, on_token: bool = False) -> FiscalError:
    """The :class:`FiscalError` for an HTTP answer that is not a success."""
    code, text = _error(payload or {})
    detail = f" ({text})" if text else ""
    params = {"http_status": status, "atol_code": code, "answer": text or "-"}
    if on_token and (code == CODE_BAD_LOGIN or status in (401, 403)):
        return FiscalError(
            "fiscal_auth",
            "The cash register service refused the login or password" + detail + ".",
            kind="auth",
            retryable=True,
            **params,
        )
    if code in TOKEN_CODES or status == 401:
        return FiscalError(
            "fiscal_token",
            "The access token of the cash register service is not valid any more" + detail + ".",
            kind="token",
            retryable=True,
            **params,
        )
    if status >= 500 or status == 429:
        return FiscalError(
            "fiscal_server",
            f"The cash register service is unavailable (HTTP {status}){detail}.",
            kind="server",
            retryable=True,
            **params,
        )
    if code in RETRY_CODES:
        return FiscalError(
            "fiscal_queue",
            "The cash register service is busy" + detail + ".",
            kind="queue",
            retryable=True,
            **params,
        )
    if code == CODE_VALIDATION or status == 400:
        return FiscalError(
            "fiscal_rejected_body",
            "The cash register service rejected the receipt" + detail + ".",
            kind="validation",
            retryable=False,
            **params,
        )
    return FiscalError(
        "fiscal_rejected",
        f"The cash register service refused the request (HTTP {status}){detail}.",
        kind="rejected",
        retryable=False,
        **params,
    )


def retry_delay(attempts: int, schedule: Sequence[int] = RETRY_SCHEDULE) -> int | None:
    """Seconds to wait after ``attempts`` failed attempts; None when no attempt is left."""
    if attempts < 1:
        return 0
    if attempts > len(schedule):
        return None
    return schedule[attempts - 1]


# ---------------------------------------------------------------------------------- transport
#: ``transport(method, url, headers, body, timeout) -> (http_status, body_bytes)``; raises
#: :class:`OSError` (``TimeoutError`` included) when the service cannot be reached.
Transport = Callable[[str, str, Mapping[str, str], "bytes | None", float], tuple[int, bytes]]


def urllib_transport(
    method: str, url: str, headers: Mapping[str, str], body: bytes | None, timeout: float
) -> tuple[int, bytes]:
    """The default transport: :mod:`urllib` with a timeout."""
    request = urllib.request.Request(url, data=body, method=method, headers=dict(headers))
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except urllib.error.URLError as error:
        reason = error.reason
        raise OSError(str(reason)) from error
    except TimeoutError as error:
        raise TimeoutError(f"no answer in {timeout} s") from error


class AtolClient:
    """A thin client of АТОЛ Онлайн v5 over an injectable transport.

    ``base_url`` ends with ``/possystem/v5``. The token is cached (in ``token_cache`` if given,
    a dict shared between clients, e.g. per process) until ``token_ttl`` seconds have passed,
    and taken again once when the service says it is not valid.
    """

    def __init__(
        self,
        base_url: str,
        login: str,
        password: str,
        group_code: str,
        *,
        transport: Transport | None = None,
        timeout: float = 30.0,
        token_ttl: float = 23 * 3600,
        token_cache: dict | None = None,
        clock: Callable[[], float] = time.time,
    ):
        if not base_url or not login or not password or not group_code:
            raise _validation(
                "The cash register settings are incomplete: API URL, login, password and group "
                "code are all needed.",
                ["settings"],
            )
        self.base_url = base_url.rstrip("/")
        self.login = login
        self.password = password
        self.group_code = group_code
        self.transport = transport or urllib_transport
        self.timeout = timeout
        self.token_ttl = token_ttl
        self.token_cache = token_cache if token_cache is not None else {}
        self.clock = clock
        self.token_requests = 0

    # -- plumbing
    @property
    def _cache_key(self) -> tuple:
        return (self.base_url, self.login, self.password)

    def _call(self, method: str, url: str, body: dict | None, token: str | None = None):
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if token:
            headers["Token"] = token
        data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
        try:
            status, raw = self.transport(method, url, headers, data, self.timeout)
        except OSError as error:
            raise FiscalError(
                "fiscal_network",
                f"The cash register service cannot be reached: {error}.",
                kind="network",
                retryable=True,
            ) from error
        try:
            payload = json.loads(raw.decode("utf-8")) if raw else {}
        except (UnicodeDecodeError, ValueError):
            payload = None
        if payload is None and status < 500:
            raise FiscalError(
                "fiscal_bad_answer",
                f"The cash register service answered something that is not JSON (HTTP {status}).",
                kind="server",
                retryable=True,
                http_status=status,
            )
        return status, payload or {}

    def get_token(self, force: bool = False) -> str:
        cached = self.token_cache.get(self._cache_key)
        now = self.clock()
        if cached and not force and cached[1] > now:
            return cached[0]
        self.token_requests += 1
        status, payload = self._call(
            "POST",
            f"{self.base_url}/getToken",
            {"login": self.login, "pass": self.password},
        )
        code, _text_ = _error(payload)
        if status != 200 or code is not None or not payload.get("token"):
            self.token_cache.pop(self._cache_key, None)
            raise classify_http(status if status != 200 else 401, payload, on_token=True)
        token = str(payload["token"])
        self.token_cache[self._cache_key] = (token, now + self.token_ttl)
        return token

    def _authorised(self, method: str, url: str, body: dict | None):
        token = self.get_token()
        status, payload = self._call(method, url, body, token)
        code, _text_ = _error(payload)
        if status == 401 or code in TOKEN_CODES:
            token = self.get_token(force=True)
            status, payload = self._call(method, url, body, token)
        return status, payload

    # -- operations
    def send(self, operation: str, body: dict) -> AtolResult:
        """Register a receipt; the answer is its ``uuid`` with the status ``wait``."""
        if operation not in OPERATIONS:
            raise _validation(f"Unknown operation {operation!r}.", ["operation"])
        status, payload = self._authorised(
            "POST", f"{self.base_url}/{self.group_code}/{operation}", body
        )
        code, _text_ = _error(payload)
        if code == CODE_DUPLICATE and payload.get("uuid"):
            code = None  # the document exists already: take its uuid
        if status != 200 or code is not None or not payload.get("uuid"):
            raise classify_http(status if status != 200 else 400, payload)
        result = parse_report({**payload, "error": None})
        result.external_id = result.external_id or str(body.get("external_id") or "")
        return result

    def sell(self, body: dict) -> AtolResult:
        return self.send("sell", body)

    def sell_refund(self, body: dict) -> AtolResult:
        return self.send("sell_refund", body)

    def report(self, uuid: str) -> AtolResult:
        """The state of a document; ``wait`` while it is not processed."""
        status, payload = self._authorised(
            "GET", f"{self.base_url}/{self.group_code}/report/{uuid}", None
        )
        code, text = _error(payload)
        if status == 200 or (code == CODE_NOT_READY and status < 500):
            if code == CODE_NOT_READY:
                return AtolResult(uuid=uuid, status="wait", error_text=text, raw=payload)
            return parse_report(payload)
        raise classify_http(status, payload)

    def check_connection(self) -> str:
        """Take a fresh token: proves the URL, login and password."""
        return self.get_token(force=True)
