"""Payments a bank or payment agent posts as JSON to the HTTP API (``agent_json``).

The body is UTF-8 JSON, either an object with a ``payments`` list or the bare list::

    {
      "registry_number": "R-2025-02-04",          # optional: the agent's batch or registry id
      "payments": [
        {
          "id": "A-1001",                          # the agent's unique payment id (required)
          "account": "1000123",                    # personal account number, or …
          "contract": "ТКО-123",                   # … the contract number (exactly one of them)
          "amount": "1250.50",                     # roubles: a string or a number, at most
                                                   #   2 decimals, > 0
          "paid_at": "2025-02-04T10:15:42+03:00",  # when the consumer paid: ISO date-time or date
          "period": "2025-01",                     # optional: the month paid for (2025-01,
                                                   #   01.2025, 012025)
          "payer": "Иванов Иван Иванович",         # optional
          "purpose": "Оплата за вывоз ТКО"         # optional free text
        }
      ]
    }

:func:`read_payments` checks every item and reports every bad one as a
:class:`~mobill_tko_core.formats.LineError` whose ``line`` is the 1-based index of the item in
the list (0: the body as a whole), as :mod:`.registry` does for file lines. Nothing of a body
with an error should be booked. Each good item becomes an :class:`AgentPayment` whose ``key``
(the idempotency key, unique per company) is built from the agent's code and its payment id:
the same payment posted twice has the same key and is booked once.

:func:`debt_answer` builds the JSON answer of the "debt check" an agent makes before taking
money; :func:`read_debt_answer` reads it back (agents' test clients, our tests).

No Odoo here; money is :class:`~decimal.Decimal`, rounded to kopecks only when written.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from mobill_tko_core.formats import (
    FormatError,
    LineError,
    ParseResult,
    fingerprint,
    stable_hash,
)
from mobill_tko_core.formats.registry import parse_period
from mobill_tko_core.money import ZERO, round_money

__all__ = [
    "FIELDS",
    "MAX_ITEMS",
    "AgentPayment",
    "AgentResult",
    "DebtAnswer",
    "debt_answer",
    "payment_key",
    "read_debt_answer",
    "read_payments",
    "write_payments",
]

#: The fields an item may have; any other is reported as a warning (and ignored).
FIELDS = ("id", "account", "contract", "amount", "paid_at", "period", "payer", "purpose")
#: Most items one body may carry (bigger batches go as registry files).
MAX_ITEMS = 10_000
MAX_AMOUNT = Decimal("10000000.00")
_AMOUNT_RE = re.compile(r"^\d{1,9}(?:\.\d{1,2})?$")
_ID_MAX = 64
_NUMBER_MAX = 40
_TEXT_MAX = 500


def payment_key(agent_code: str, payment_id: str) -> str:
    """The idempotency key of an agent's payment: stable, unique per agent and payment id."""
    return f"agent:{agent_code}:" + stable_hash("agent", agent_code, payment_id)


@dataclass
class AgentPayment:
    """One good item of the body."""

    line: int
    payment_id: str
    amount: Decimal
    paid_date: date
    account: str = ""
    contract: str = ""
    paid_at: datetime | None = None  # None when only a date was given
    period: date | None = None
    payer: str = ""
    purpose: str = ""
    key: str = ""


@dataclass
class AgentResult(ParseResult):
    agent: str = ""
    registry_number: str = ""


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def _amount(value) -> Decimal | None:
    """Roubles with at most 2 decimals, > 0; strings or JSON numbers, never booleans."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        text = repr(value)
    elif isinstance(value, str):
        text = value.strip()
    else:
        return None
    if not _AMOUNT_RE.match(text):
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the regex lets only numbers through
        return None
    return amount


def _paid_at(value) -> tuple[date | None, datetime | None]:
    text = _text(value)
    if not text:
        return None, None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return date.fromisoformat(text), None
        except ValueError:
            return None, None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None, None
    # the date the consumer paid is the date on the agent's clock (the offset it sent)
    return moment.date(), moment


def _check_item(index: int, item, today: date | None, errors, warnings) -> AgentPayment | None:
    def bad(name, code, message, **params):
        errors.append(LineError(index, name, code, message, params))

    if not isinstance(item, dict):
        bad(None, "agent_json.not_an_object", "The payment is not a JSON object.")
        return None
    before = len(errors)
    unknown = sorted(set(item) - set(FIELDS))
    if unknown:
        warnings.append(
            LineError(
                index,
                None,
                "agent_json.unknown_field",
                f"Unknown field(s) ignored: {', '.join(unknown)}.",
                {"fields": ", ".join(unknown)},
            )
        )
    raw_id = item.get("id")
    payment_id = str(raw_id).strip() if isinstance(raw_id, str | int) else ""
    if isinstance(raw_id, bool) or not payment_id:
        bad("id", "agent_json.no_id", "The payment has no id (the agent's payment number).")
    elif len(payment_id) > _ID_MAX:
        bad(
            "id",
            "agent_json.bad_id",
            f"The payment id is longer than {_ID_MAX} characters.",
            max=_ID_MAX,
        )
    account, contract = _text(item.get("account")), _text(item.get("contract"))
    typed = True
    for name, value in (("account", item.get("account")), ("contract", item.get("contract"))):
        if value is not None and not isinstance(value, str):
            typed = False
            bad(
                name,
                "agent_json.bad_number",
                f"The {name} number must be a JSON string.",
                field=name,
                max=_NUMBER_MAX,
            )
    if not typed:
        pass
    elif not account and not contract:
        bad(
            "account",
            "agent_json.no_target",
            "The payment names neither a personal account nor a contract.",
        )
    elif account and contract:
        bad(
            "contract",
            "agent_json.two_targets",
            "The payment names both a personal account and a contract: give one of them.",
        )
    for name, value in (("account", account), ("contract", contract)):
        if len(value) > _NUMBER_MAX:
            bad(
                name,
                "agent_json.bad_number",
                f"The {name} number is too long.",
                field=name,
                max=_NUMBER_MAX,
            )
    amount = _amount(item.get("amount"))
    if "amount" not in item:
        bad("amount", "agent_json.no_amount", "The payment has no amount.")
    elif amount is None:
        bad(
            "amount",
            "agent_json.bad_amount",
            f"«{item.get('amount')}» is not an amount in roubles (like \"1250.50\": "
            "a dot, at most two decimals, no sign).",
            value=item.get("amount"),
            max=MAX_AMOUNT,
        )
    elif amount <= ZERO:
        bad(
            "amount",
            "agent_json.bad_amount",
            "The amount must be greater than zero.",
            value=amount,
            max=MAX_AMOUNT,
        )
    elif amount > MAX_AMOUNT:
        bad(
            "amount",
            "agent_json.bad_amount",
            f"The amount {amount} is more than one payment can be ({MAX_AMOUNT}).",
            value=amount,
            max=MAX_AMOUNT,
        )
    paid_date, paid_at = _paid_at(item.get("paid_at"))
    if not item.get("paid_at"):
        bad("paid_at", "agent_json.no_date", "The payment has no date paid (paid_at).")
    elif paid_date is None:
        bad(
            "paid_at",
            "agent_json.bad_date",
            f"«{item.get('paid_at')}» is not a date (2025-02-04) or a date and time "
            "(2025-02-04T10:15:42+03:00).",
            value=item.get("paid_at"),
        )
    elif today is not None and paid_date > today:
        bad(
            "paid_at",
            "agent_json.future_date",
            f"The payment is dated {paid_date}, in the future.",
            date=f"{paid_date:%d.%m.%Y}",
        )
    period = None
    if item.get("period") not in (None, ""):
        period = parse_period(_text(item.get("period")))
        if period is None:
            bad(
                "period",
                "agent_json.bad_period",
                f"«{item.get('period')}» is not a month (2025-01, 01.2025 or 012025).",
                value=item.get("period"),
            )
    for name in ("payer", "purpose"):
        value = item.get(name)
        if value is not None and not isinstance(value, str):
            bad(
                name,
                "agent_json.bad_text",
                f"The {name} must be a JSON string.",
                field=name,
                max=_TEXT_MAX,
            )
        elif value and len(value) > _TEXT_MAX:
            bad(
                name,
                "agent_json.bad_text",
                f"The {name} is longer than {_TEXT_MAX} characters.",
                field=name,
                max=_TEXT_MAX,
            )
    if len(errors) > before:
        return None
    return AgentPayment(
        line=index,
        payment_id=payment_id,
        amount=round_money(amount),
        paid_date=paid_date,
        paid_at=paid_at,
        account=account,
        contract=contract,
        period=period,
        payer=_text(item.get("payer")),
        purpose=_text(item.get("purpose")),
    )


def _identity(p: AgentPayment):
    return (p.account, p.contract, f"{p.amount:.2f}", p.paid_date, p.period)


def read_payments(data: bytes, agent_code: str, today: date | None = None) -> AgentResult:
    """Read and check the JSON body an agent posted (raw bytes, UTF-8).

    Every bad item is reported; ``today`` (when given) refuses payments dated later. The same
    payment id twice with the same data is a warning (booked once); with other data an error.
    Raises :class:`FormatError` only when the body is not JSON or not a list of payments.
    """
    if not agent_code:
        raise FormatError("agent_json.no_agent", "The payment agent is not known.")
    data = bytes(data)
    result = AgentResult(fingerprint=fingerprint(data), agent=agent_code, encoding="utf-8")
    try:
        body = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise FormatError("agent_json.not_utf8", "The body is not UTF-8 text.") from exc
    except ValueError as exc:
        raise FormatError(
            "agent_json.not_json", f"The body is not valid JSON: {exc}.", detail=str(exc)
        ) from exc
    if isinstance(body, dict):
        result.registry_number = _text(body.get("registry_number"))[:_NUMBER_MAX]
        items = body.get("payments")
    else:
        items = body
    if not isinstance(items, list):
        raise FormatError(
            "agent_json.no_payments",
            'The body must be a JSON list of payments or an object with a "payments" list.',
        )
    if not items:
        raise FormatError("agent_json.empty", "The list of payments is empty.")
    if len(items) > MAX_ITEMS:
        raise FormatError(
            "agent_json.too_many",
            f"{len(items)} payments in one request; send at most {MAX_ITEMS} "
            "(or post a registry file).",
            count=len(items),
            max=MAX_ITEMS,
        )
    errors: list[LineError] = []
    warnings: list[LineError] = []
    seen: dict[str, AgentPayment] = {}
    for index, item in enumerate(items, start=1):
        payment = _check_item(index, item, today, errors, warnings)
        if payment is None:
            continue
        first = seen.get(payment.payment_id)
        if first is not None:
            if _identity(first) == _identity(payment):
                warnings.append(
                    LineError(
                        index,
                        "id",
                        "agent_json.duplicate_payment",
                        f"Payment {payment.payment_id} is at item {first.line} already; "
                        "it is booked once.",
                        {"id": payment.payment_id, "other_line": first.line},
                    )
                )
            else:
                errors.append(
                    LineError(
                        index,
                        "id",
                        "agent_json.id_reused",
                        f"Payment id {payment.payment_id} is used at item {first.line} "
                        "for another payment.",
                        {"id": payment.payment_id, "other_line": first.line},
                    )
                )
            continue
        payment.key = payment_key(agent_code, payment.payment_id)
        seen[payment.payment_id] = payment
        result.records.append(payment)
    result.errors = sorted(errors, key=lambda e: e.line)
    result.warnings = sorted(warnings, key=lambda e: e.line)
    result.totals = {
        "items": len(items),
        "count": len(result.records),
        "amount": sum((p.amount for p in result.records), ZERO),
    }
    return result


def write_payments(payments: list[dict], registry_number: str = "") -> bytes:
    """A body as an agent would post it (tests, demo, examples). Decimals and dates are
    written as strings."""

    def plain(value):
        if isinstance(value, Decimal):
            return f"{round_money(value):.2f}"
        if isinstance(value, datetime | date):
            return value.isoformat()
        return value

    items = [{k: plain(v) for k, v in p.items()} for p in payments]
    body = {"payments": items}
    if registry_number:
        body = {"registry_number": registry_number, **body}
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


# -- the debt check answer -------------------------------------------------------------------


@dataclass
class DebtAnswer:
    """What an agent learns before taking money: who it is and how much is due."""

    account: str
    due: Decimal
    on_date: date
    payer: str = ""
    address: str = ""
    periods: list[dict] = field(default_factory=list)  # {"period": date, "due": Decimal}


def _mask(name: str) -> str:
    """«Иванов Иван Иванович» → «Иванов И. И.»: enough for the payer to recognise himself."""
    parts = name.split()
    if not parts:
        return ""
    return " ".join([parts[0], *(f"{p[0]}." for p in parts[1:] if p)])


def debt_answer(answer: DebtAnswer) -> dict:
    """The JSON-ready answer of a debt check. Amounts are strings with two decimals; a
    negative ``due`` is an overpayment (nothing to pay). The payer's name is masked."""
    due = round_money(answer.due)
    return {
        "account": answer.account,
        "payer": _mask(answer.payer),
        "address": answer.address,
        "date": answer.on_date.isoformat(),
        "due": f"{due:.2f}",
        "to_pay": f"{max(due, ZERO):.2f}",
        "periods": [
            {"period": p["period"].strftime("%Y-%m"), "due": f"{round_money(p['due']):.2f}"}
            for p in answer.periods
            if round_money(p["due"]) != ZERO
        ],
    }


def read_debt_answer(data: bytes | str | dict) -> DebtAnswer:
    """Read a debt check answer back (the agent's side). FormatError when it is not one."""
    try:
        body = json.loads(data) if isinstance(data, bytes | str) else dict(data)
        periods = [
            {"period": parse_period(p["period"]), "due": Decimal(p["due"])}
            for p in body.get("periods") or []
        ]
        return DebtAnswer(
            account=str(body["account"]),
            due=Decimal(body["due"]),
            on_date=date.fromisoformat(body["date"]),
            payer=body.get("payer") or "",
            address=body.get("address") or "",
            periods=periods,
        )
    except (ValueError, KeyError, TypeError, InvalidOperation) as exc:
        raise FormatError("agent_json.bad_debt_answer", f"Not a debt check answer: {exc}.") from exc
