"""Allocation of payments to an account's debts, and recognition of the payer in free text.

Rules of :func:`allocate_payment`:

- a payment naming a period pays that period's debt first; what is left goes oldest first;
- a payment naming no period pays the oldest debt first;
- what is left after every debt is paid stays on the account as an advance (period ``None``).

Amounts are ``Decimal``; nothing is rounded, so the lines always add up to the payment exactly.
Periods are whatever the caller uses (``date`` of the first day of the month, ``"2025-01"``…)
as long as they sort in time order.

:func:`allocate_batch` applies many payments in a row, each seeing the debts the previous ones
left; :func:`match_payment` finds a personal account, a contract number or an INN in the
purpose text of a bank payment.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from mobill_tko_core.errors import CoreError
from mobill_tko_core.money import ZERO, to_decimal

__all__ = [
    "AllocationError",
    "AllocationLine",
    "BatchAllocation",
    "allocate_batch",
    "allocate_payment",
    "match_payment",
    "settle",
    "unpaid_by_period",
]


class AllocationError(CoreError):
    """A payment or a debt given to the allocation is wrong."""


@dataclass(frozen=True)
class AllocationLine:
    period: Hashable | None  # None: advance (переплата)
    amount: Decimal

    @property
    def is_advance(self) -> bool:
        return self.period is None


def _amount(value, what: str) -> Decimal:
    try:
        amount = to_decimal(value)
    except (TypeError, ValueError) as exc:
        raise AllocationError(
            "allocation.bad_amount", f"The {what} {value!r} is not an amount.", value=str(value)
        ) from exc
    if not amount.is_finite():
        raise AllocationError(
            "allocation.bad_amount", f"The {what} {value!r} is not an amount.", value=str(value)
        )
    return amount


def _open_debts(debts: Iterable) -> list[list]:
    """Sorted ``[period, due]`` pairs with a positive due (one per period)."""
    dues: dict = {}
    for period, due in debts:
        if period is None:
            raise AllocationError("allocation.no_period", "A debt must have a period.")
        dues[period] = dues.get(period, ZERO) + _amount(due, "debt")
    try:
        return [[p, d] for p, d in sorted(dues.items()) if d > 0]
    except TypeError as exc:
        raise AllocationError(
            "allocation.mixed_periods", "The periods of the debts cannot be compared."
        ) from exc


def settle(amount, open_debts: list[list], target=None) -> list[tuple]:
    """The allocation order, the one home of the rule (ГК РФ ст. 319.1): pay ``amount`` over
    ``open_debts``, a payment naming a period pays that period's debts first, then the oldest
    open debt, and what is left is an advance.

    ``open_debts`` are mutable ``[period, due, *anything]`` items in the order debts are paid
    (oldest first; :func:`_open_debts` sorts the ledger's); they are changed in place: a paid
    item is removed, a part-paid one keeps its rest. Amounts may be ``Decimal`` or integer
    kopecks (the penalty engine's). Returns ``(item, paid)`` pairs in the order paid; the item
    is ``None`` for the advance.
    """
    lines: list[tuple] = []
    left = amount
    if target is not None and left > 0:
        index = 0
        while left > 0 and index < len(open_debts):
            debt = open_debts[index]
            if debt[0] != target:
                index += 1
                continue
            due = debt[1]
            paid = left if left < due else due
            lines.append((debt, paid))
            left -= paid
            if paid == due:
                del open_debts[index]
            else:
                debt[1] = due - paid
    while left > 0 and open_debts:
        debt = open_debts[0]
        due = debt[1]
        paid = left if left < due else due
        lines.append((debt, paid))
        left -= paid
        if paid == due:
            del open_debts[0]
        else:
            debt[1] = due - paid
    if left > 0:
        lines.append((None, left))
    return lines


def _apply(amount: Decimal, debts: list[list], target) -> list[tuple]:
    """Allocate ``amount`` over ``debts`` (sorted ``[period, due]``, changed in place: paid
    debts are removed). Returns ``(period, amount)`` pairs; period None is the advance."""
    if amount < 0:
        raise AllocationError(
            "allocation.negative_payment",
            f"A payment cannot be negative ({amount}); reverse the allocation of the original.",
            amount=str(amount),
        )
    return [
        (None if debt is None else debt[0], paid) for debt, paid in settle(amount, debts, target)
    ]


def unpaid_by_period(debts: Iterable, lines: Iterable) -> list[tuple]:
    """What is still unpaid of each period's debt after the ledger's allocation lines.

    ``debts`` are ``(period, amount_due)`` pairs (several of one period add up), ``lines``
    ``(period or None, amount)`` allocation lines of the payments counted. A line naming a
    period pays that period up to its debt (the rest of such a line paid something else the
    ledger charged in that period, e.g. penalties, and is not carried over); the advances
    (lines without a period) then pay the oldest open debts, as :func:`settle` would if the
    payments were allocated again today. Returns ``[(period, unpaid)]`` oldest first, only
    the periods with something unpaid. The debtors' registry's SQL mirrors this rule (a test
    compares the two).
    """
    open_debts = _open_debts(debts)
    named: dict = {}
    advance = ZERO
    for period, amount in lines:
        amount = _amount(amount, "allocation")
        if period is None:
            advance += amount
        else:
            named[period] = named.get(period, ZERO) + amount
    for debt in open_debts:
        paid = named.get(debt[0], ZERO)
        debt[1] = debt[1] - paid if paid < debt[1] else ZERO
    open_debts = [debt for debt in open_debts if debt[1] > 0]
    if advance > 0:
        settle(advance, open_debts)
    return [(period, due) for period, due in open_debts]


def allocate_payment(amount, debts: Iterable, target_period=None) -> list[AllocationLine]:
    """Allocation lines of one payment.

    ``debts`` are ``(period, amount_due)`` pairs of the account (several pairs of one period
    add up; non-positive dues are ignored). The lines add up to ``amount`` exactly; a payment
    of zero gives no line.
    """
    amount = _amount(amount, "payment")
    open_debts = _open_debts(debts)
    return [AllocationLine(p, a) for p, a in _apply(amount, open_debts, target_period)]


@dataclass
class BatchAllocation:
    """Result of :func:`allocate_batch`.

    ``lines``: ``(payment index, account, period or None for an advance, amount)`` in payment
    order; ``remaining``: the open debts ``[(period, due)]`` after the batch, for every account
    a payment touched (the others are unchanged).
    """

    lines: list[tuple] = field(default_factory=list)
    remaining: dict = field(default_factory=dict)


def allocate_batch(payments: Iterable, debts: Mapping) -> BatchAllocation:
    """Allocate many payments: ``payments`` are ``(account, amount, target_period or None)``
    in the order to apply them (by payment date); ``debts`` maps an account to its
    ``(period, amount_due)`` pairs. A later payment of an account sees what the earlier ones
    left. ``debts`` is not changed."""
    state: dict = {}
    lines: list[tuple] = []
    append = lines.append
    for index, (account, amount, target) in enumerate(payments):
        open_debts = state.get(account)
        if open_debts is None:
            open_debts = state[account] = _open_debts(debts.get(account, ()))
        amount = amount if type(amount) is Decimal else _amount(amount, "payment")
        for period, paid in _apply(amount, open_debts, target):
            append((index, account, period, paid))
    remaining = {acc: [(p, d) for p, d in open_debts] for acc, open_debts in state.items()}
    return BatchAllocation(lines, remaining)


# -- recognising the payer in a purpose text -------------------------------------------------

_TOKEN = r"([0-9A-Za-zА-Яа-яЁё](?:[0-9A-Za-zА-Яа-яЁё\-/.]*[0-9A-Za-zА-Яа-яЁё])?)"
_NUMBER_SIGN = r"[\s:=#№]*(?:(?:N|No)\.?\s*)?"
_ACCOUNT_RE = re.compile(
    r"(?<![0-9A-Za-zА-Яа-яЁё])"
    r"(?:л\s*[/\\.]?\s*с(?:ч(?:[её]т)?)?\.?|лиц(?:евой|\.)?\s*сч(?:[её]т|\.)?|лицевому\s+сч[её]ту"
    r"|pers\.?\s*acc(?:ount)?)"
    r"(?![A-Za-zА-Яа-яЁё])" + _NUMBER_SIGN + _TOKEN,
    re.IGNORECASE,
)
_CONTRACT_RE = re.compile(
    r"(?<![0-9A-Za-zА-Яа-яЁё])(?:договор[аеуы]?|дог\.|д-р[аеу]?|контракт[аеу]?)"
    r"(?![A-Za-zА-Яа-яЁё])"
    r"(?:(?:\s+[А-Яа-яЁё]+\.?){0,6}?\s*(?:№|N|No\.?)\s*|" + _NUMBER_SIGN + r")" + _TOKEN,
    re.IGNORECASE,
)
_INN_RE = re.compile(r"(?<![А-Яа-яЁёA-Za-z])ИНН[\s:№]*(\d{12}|\d{10})(?!\d)", re.IGNORECASE)
_BARE_RE = re.compile(r"(?<![\d.,/\-])(\d{4,20})(?!\d|[.,/]\d)")

#: Confidence of a match by how it was found.
CONFIDENCE = {
    ("account", True): 0.95,
    ("contract", True): 0.9,
    ("inn", True): 0.85,
    ("account", False): 0.6,
    ("contract", False): 0.5,
    ("inn", False): 0.5,
}


def _known(token: str, known) -> str | None:
    """The member of ``known`` that ``token`` stands for (as is, upper case, no leading 0)."""
    for variant in (token, token.upper(), token.lstrip("0")):
        if variant and variant in known:
            return variant
    return None


def match_payment(
    purpose_text: str,
    account_numbers: set[str],
    contract_numbers: set[str],
    inns: set[str],
) -> tuple[str, str, float] | None:
    """Find who a bank payment is from in its purpose text.

    Returns ``(kind, value, confidence)``: ``kind`` is ``"account"`` (лицевой счёт),
    ``"contract"`` or ``"inn"``, ``value`` the member of the given set, ``confidence`` 0…1:
    a number after its marker («л/с 1000123», «ЛС:», «по договору № ТКО-123», «ИНН …») counts
    more than a bare number that happens to be known; an account beats a contract, a contract
    an INN. When two different values tie for the best, the confidence is halved. Only numbers
    found in the given sets are returned; None when nothing is found.
    """
    if not purpose_text:
        return None
    sets = {"account": account_numbers, "contract": contract_numbers, "inn": inns}
    found: list[tuple[float, int, str, str]] = []  # (confidence, position, kind, value)
    for kind, regex in (("account", _ACCOUNT_RE), ("contract", _CONTRACT_RE), ("inn", _INN_RE)):
        for m in regex.finditer(purpose_text):
            value = _known(m.group(1), sets[kind])
            if value is not None:
                found.append((CONFIDENCE[kind, True], m.start(1), kind, value))
    if not found:
        for m in _BARE_RE.finditer(purpose_text):
            token = m.group(1)
            for kind in ("account", "contract", "inn"):
                if kind == "inn" and len(token) not in (10, 12):
                    continue
                value = _known(token, sets[kind])
                if value is not None:
                    found.append((CONFIDENCE[kind, False], m.start(1), kind, value))
    if not found:
        return None
    found.sort(key=lambda f: (-f[0], f[1]))
    confidence, _pos, kind, value = found[0]
    if any(f[0] == confidence and (f[2], f[3]) != (kind, value) for f in found[1:]):
        confidence /= 2
    return kind, value, confidence
