"""Penalties (пени) on late payment: a detailed engine with a line-by-line breakdown and a fast
mass engine that gives the same totals.

Law (``law_brief.md`` §4)
    Individuals, ЖК РФ ст. 155 ч. 14: nothing for days 1–30 after the due date, 1/300 of the rate
    per day for days 31–90, 1/130 from day 91, of the unpaid sum. Day 1 is the day after the due
    date. One rate for the whole period: the rate in force on the day of payment (for a debt not
    paid yet: on the calculation date). Legal entities (typical contract): 1/130 of the key rate
    from the first day, the rate on the day the claim is presented (here: the calculation date).

Settings (:class:`PenaltyRules`) and the choices made
    * ``scale``: ``((first_day, denominator), ...)``, denominator 0 = no penalty.
    * ``rate_basis``: ``"payment"`` — each paid part of a debt at the rate on its own payment day,
      the unpaid rest at the rate on the calculation date (ЖК РФ ст. 155 ч. 14; default for
      individuals); ``"last_payment"`` — the whole debt at the rate on the day it was paid off
      (or the calculation date); ``"calculation"`` — everything at the rate on the calculation /
      claim date (default for legal entities).
    * ``payment_day_included`` (default ``True``, law brief): the day of payment accrues on the
      paid sum; the debt is lowered from the next day. The same setting governs partial payments
      ("a partial payment lowers that debt from its date": the paid part accrues through the
      payment day, as a full payment does). With ``False`` the debt is lowered on the payment day.
    * The calculation date itself accrues on a debt still unpaid.
    * ``due_day`` / ``due_months_after``: the due date of a debt given without one (default the
      10th of the next month, ЖК РФ ст. 155 ч. 1). Weekends and holidays do not move it (no
      production calendar here): pass ``due_date`` explicitly when it must move.
    * ``obligation_date``: when an obligation "arose" for ПП 497: ``"period_end"`` (the last day
      of the billed month, default) or ``"due_date"``; a debt may also carry ``arose_on``.
    * Payments go first to the debt of their ``period`` (if given), then to the open debts in
      order of due date (ГК РФ ст. 319.1). Payments after the calculation date are ignored;
      payments no debt can take are reported as ``unallocated``.

Moratoria and caps are data (:class:`DatedRule`), applied day by day; every date is inclusive:
    * ПП 424: 06.04.2020–31.12.2020, no penalty, old and new debts; the days still count towards
      the 30/90-day thresholds (they are ordinary days of the scale). Individuals only by default
      (``PenaltyRules.legal_entity(..., apply_pp424=True)`` for legal entities in МКД).
    * ПП 474 + extensions: 28.02.2022–31.12.2026, rate = min(9.5 %, the rate of the rate basis
      date) on the days inside the window; individuals and legal entities.
    * ПП 497: 01.04.2022–01.10.2022 (both inclusive), no penalty on obligations that arose before
      01.04.2022; a consumer who published a refusal passes the code ``"PP497"`` in ``opt_outs``.

Rounding
    Each line of the breakdown (one share, one rate, one part of one debt) is rounded once to
    0.01 ROUND_HALF_UP from exact rationals; **the total is the sum of the rounded lines**.
    Adjacent days with the same share, rate and rule form one line, so a boundary that changes
    nothing (e.g. the start of a cap above the rate) does not split a line.
"""

from __future__ import annotations

import bisect
import calendar
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any, NamedTuple

from mobill_tko_core.allocation import settle
from mobill_tko_core.due_dates import due_date_for
from mobill_tko_core.errors import CoreError
from mobill_tko_core.money import to_decimal
from mobill_tko_core.rates import RateError, RateTable

__all__ = [
    "DEFAULT_DATED_RULES",
    "INDIVIDUAL_SCALE",
    "LEGAL_SCALE",
    "DatedRule",
    "Debt",
    "Payment",
    "PenaltyBatchItem",
    "PenaltyError",
    "PenaltyLine",
    "PenaltyResult",
    "PenaltyRules",
    "compute_penalties",
    "compute_penalties_batch",
    "due_date_for",
]

CONSUMER_INDIVIDUAL = "individual"
CONSUMER_LEGAL = "legal"

#: ЖК РФ ст. 155 ч. 14: days 1–30 nothing, 31–90 1/300, from 91 1/130.
INDIVIDUAL_SCALE: tuple[tuple[int, int], ...] = ((1, 0), (31, 300), (91, 130))
#: Typical ТКО contract: 1/130 from the first day.
LEGAL_SCALE: tuple[tuple[int, int], ...] = ((1, 130),)

RATE_BASES = ("payment", "last_payment", "calculation")
_RATE_SCALE = 10_000  # rates kept as integer ten-thousandths of a percent in the fast engine


class PenaltyError(CoreError):
    """Invalid input of a penalty calculation (the code says which)."""


@dataclass(frozen=True)
class DatedRule:
    """A moratorium (``kind="no_accrual"``) or a rate cap (``kind="rate_cap"``) in force on the
    days ``date_from``..``date_to`` (both inclusive).

    ``applies_to``: consumer kinds; ``obligations_before``: only debts that arose before this date
    (ПП 497); ``opt_out``: a consumer may be excluded by passing ``code`` in ``opt_outs``.
    """

    code: str
    kind: str
    date_from: date
    date_to: date
    applies_to: frozenset = frozenset({CONSUMER_INDIVIDUAL, CONSUMER_LEGAL})
    cap_rate: Decimal | None = None
    obligations_before: date | None = None
    opt_out: bool = False
    title: str = ""

    def __post_init__(self):
        if self.kind not in ("no_accrual", "rate_cap"):
            raise PenaltyError(
                "penalty.rule.bad_kind",
                f"Rule {self.code}: kind must be no_accrual or rate_cap.",
                rule=self.code,
                kind=self.kind,
            )
        if self.kind == "rate_cap" and self.cap_rate is None:
            raise PenaltyError(
                "penalty.rule.no_cap_rate",
                f"Rule {self.code}: a rate cap needs cap_rate.",
                rule=self.code,
            )
        if self.date_to < self.date_from:
            raise PenaltyError(
                "penalty.rule.bad_dates",
                f"Rule {self.code}: date_to before date_from.",
                rule=self.code,
                date_from=self.date_from,
                date_to=self.date_to,
            )


DEFAULT_DATED_RULES: tuple[DatedRule, ...] = (
    DatedRule(
        code="PP424",
        kind="no_accrual",
        date_from=date(2020, 4, 6),
        date_to=date(2020, 12, 31),
        applies_to=frozenset({CONSUMER_INDIVIDUAL}),
        title="ПП РФ № 424: no penalties for housing and communal services",
    ),
    DatedRule(
        code="PP474",
        kind="rate_cap",
        date_from=date(2022, 2, 28),
        date_to=date(2026, 12, 31),
        cap_rate=Decimal("9.5"),
        title="ПП РФ № 474 and extensions: rate = min(9.5 %, rate)",
    ),
    DatedRule(
        code="PP497",
        kind="no_accrual",
        date_from=date(2022, 4, 1),
        date_to=date(2022, 10, 1),
        obligations_before=date(2022, 4, 1),
        opt_out=True,
        title="ПП РФ № 497: bankruptcy moratorium on obligations that arose before 01.04.2022",
    ),
)


def _scale_text(steps) -> str:
    """A scale as ``from day: 1/denominator`` pairs, for messages."""
    return ", ".join(f"{day}: 1/{denominator}" for day, denominator in steps)


@dataclass(frozen=True)
class PenaltyRules:
    """Everything a penalty calculation depends on besides the account's own data."""

    rates: RateTable
    consumer: str = CONSUMER_INDIVIDUAL
    scale: tuple = INDIVIDUAL_SCALE
    rate_basis: str = "payment"
    payment_day_included: bool = True
    dated_rules: tuple = DEFAULT_DATED_RULES
    obligation_date: str = "period_end"
    due_day: int = 10
    due_months_after: int = 1

    def __post_init__(self):
        if not isinstance(self.rates, RateTable):
            raise PenaltyError("penalty.rules.no_rates", "rules.rates must be a RateTable.")
        if self.consumer not in (CONSUMER_INDIVIDUAL, CONSUMER_LEGAL):
            raise PenaltyError(
                "penalty.rules.bad_consumer",
                "consumer must be 'individual' or 'legal'.",
                value=self.consumer,
            )
        if self.rate_basis not in RATE_BASES:
            raise PenaltyError(
                "penalty.rules.bad_rate_basis",
                f"rate_basis must be one of {', '.join(RATE_BASES)}.",
                value=self.rate_basis,
            )
        if self.obligation_date not in ("period_end", "due_date"):
            raise PenaltyError(
                "penalty.rules.bad_obligation_date",
                "obligation_date must be 'period_end' or 'due_date'.",
                value=self.obligation_date,
            )
        if not isinstance(self.payment_day_included, bool):
            raise PenaltyError(
                "penalty.rules.bad_payment_day",
                "payment_day_included must be true or false.",
                value=self.payment_day_included,
            )
        if not isinstance(self.due_day, int) or not 1 <= self.due_day <= 31:
            raise PenaltyError(
                "penalty.rules.bad_due_day",
                "due_day must be a day of the month, 1 to 31.",
                value=self.due_day,
            )
        if not isinstance(self.due_months_after, int) or self.due_months_after < 0:
            raise PenaltyError(
                "penalty.rules.bad_due_months",
                "due_months_after must be a whole number >= 0.",
                value=self.due_months_after,
            )
        try:
            steps = tuple((int(a), int(b)) for a, b in self.scale)
        except (TypeError, ValueError) as exc:
            raise PenaltyError(
                "penalty.rules.bad_scale",
                "scale must be pairs (from_day, denominator).",
                value=str(self.scale),
            ) from exc
        if not steps or steps[0][0] != 1 or any(b < 0 for _a, b in steps):
            raise PenaltyError(
                "penalty.rules.bad_scale_start",
                "scale must start at day 1 with denominators >= 0.",
                value=_scale_text(steps),
            )
        if any(steps[i][0] >= steps[i + 1][0] for i in range(len(steps) - 1)):
            raise PenaltyError(
                "penalty.rules.bad_scale_order",
                "scale days must increase.",
                value=_scale_text(steps),
            )
        object.__setattr__(self, "scale", steps)
        object.__setattr__(self, "dated_rules", tuple(self.dated_rules))

    @classmethod
    def individual(cls, rates: RateTable, **changes) -> PenaltyRules:
        """ЖК РФ ст. 155 ч. 14 with the default moratoria."""
        return cls(rates=rates, **changes)

    @classmethod
    def legal_entity(cls, rates: RateTable, apply_pp424: bool = False, **changes) -> PenaltyRules:
        """Typical contract: 1/130 from day 1, rate on the claim (calculation) date."""
        values: dict[str, Any] = {
            "consumer": CONSUMER_LEGAL,
            "scale": LEGAL_SCALE,
            "rate_basis": "calculation",
        }
        rules = changes.pop("dated_rules", DEFAULT_DATED_RULES)
        if apply_pp424:
            rules = tuple(
                replace(r, applies_to=r.applies_to | {CONSUMER_LEGAL}) if r.code == "PP424" else r
                for r in rules
            )
        values["dated_rules"] = rules
        values.update(changes)
        return cls(rates=rates, **values)

    def describe(self) -> dict:
        """The settings as plain data (for the breakdown)."""
        return {
            "consumer": self.consumer,
            "scale": [{"from_day": a, "share": _share(b)} for a, b in self.scale],
            "rate_basis": self.rate_basis,
            "payment_day_included": self.payment_day_included,
            "obligation_date": self.obligation_date,
            "due_day": self.due_day,
            "due_months_after": self.due_months_after,
            "dated_rules": [
                {
                    "code": r.code,
                    "kind": r.kind,
                    "date_from": r.date_from,
                    "date_to": r.date_to,
                    "applies": self.consumer in r.applies_to,
                    "cap_rate": r.cap_rate,
                    "obligations_before": r.obligations_before,
                    "title": r.title,
                }
                for r in self.dated_rules
            ],
        }


@dataclass(frozen=True)
class Debt:
    """One monthly charge (its own debt): ``period`` = any day of the billed month."""

    period: date
    amount: Decimal
    due_date: date | None = None
    arose_on: date | None = None


@dataclass(frozen=True)
class Payment:
    """A payment; ``period`` (optional) names the billed month it pays."""

    date: date
    amount: Decimal
    period: date | None = None


@dataclass
class PenaltyLine:
    """A line of the breakdown: one part of one debt over days with one share and one rate."""

    period: date
    due_date: date
    debt: Decimal
    paid_on: date | None
    date_from: date
    date_to: date
    days: int
    share: str
    denominator: int
    rate: Decimal | None
    base_rate: Decimal | None
    rate_date: date
    reason: str
    rule: str | None
    amount: Decimal

    @property
    def day_from(self) -> int:
        """Number of the first day of the line counted from the due date (day 1 = next day)."""
        return (self.date_from - self.due_date).days

    @property
    def day_to(self) -> int:
        return (self.date_to - self.due_date).days

    @property
    def text(self) -> str:
        """English explanation of the line."""
        head = (
            f"{self.period:%m.%Y}, {self.debt} "
            + (f"paid {self.paid_on:%d.%m.%Y}" if self.paid_on else "unpaid")
            + f": {self.date_from:%d.%m.%Y}–{self.date_to:%d.%m.%Y}, days {self.day_from}–"
            f"{self.day_to} after the due date {self.due_date:%d.%m.%Y} ({self.days} d)"
        )
        if self.reason == "grace":
            return head + ": no penalty."
        if self.reason == "moratorium":
            return head + f": no penalty, moratorium {self.rule}."
        rate = format(self.rate, "f")
        text = (
            head + f": {self.debt} × {rate} % × {self.days} × {self.share} = {self.amount} "
            f"(rate of {self.rate_date:%d.%m.%Y}: {format(self.base_rate, 'f')} %"
        )
        if self.rule:
            text += f", capped at {rate} % by {self.rule}"
        return text + ")."

    def as_dict(self) -> dict:
        return {
            "period": self.period.strftime("%Y-%m"),
            "due_date": self.due_date,
            "debt": self.debt,
            "paid_on": self.paid_on,
            "date_from": self.date_from,
            "date_to": self.date_to,
            "days": self.days,
            "share": self.share,
            "rate": self.rate,
            "base_rate": self.base_rate,
            "rate_date": self.rate_date,
            "reason": self.reason,
            "rule": self.rule,
            "amount": self.amount,
            "day_from": self.day_from,
            "day_to": self.day_to,
            "text": self.text,
        }


@dataclass
class PenaltyResult:
    """Total (= sum of the rounded lines), lines, per-debt summary, unallocated payments."""

    calc_date: date
    consumer: str
    total: Decimal
    lines: list[PenaltyLine]
    debts: list[dict]
    unallocated: Decimal
    opt_outs: list = field(default_factory=list)
    rules: dict = field(default_factory=dict)
    explanation: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "calc_date": self.calc_date,
            "consumer": self.consumer,
            "total": self.total,
            "lines": [line.as_dict() for line in self.lines],
            "debts": self.debts,
            "unallocated": self.unallocated,
            "opt_outs": self.opt_outs,
            "rules": self.rules,
            "explanation": self.explanation,
        }


class PenaltyBatchItem(NamedTuple):
    """One account of :func:`compute_penalties_batch`; ``total`` is ``None`` on error."""

    account_id: Any
    total: Decimal | None
    error_code: str | None = None
    error_message: str | None = None
    #: the values the message was built from (the Odoo side translates by code with them)
    error_params: Mapping | None = None


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------


def _share(denominator: int) -> str:
    return f"1/{denominator}" if denominator else "0"


def _kop(num: int, den: int) -> int:
    """round(num / den) half up, for num >= 0, den > 0."""
    return (2 * num + den) // (2 * den)


def _money(kopecks: int) -> Decimal:
    return Decimal(kopecks).scaleb(-2)


def _to_date(value, name: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except (TypeError, ValueError) as exc:
        raise PenaltyError(
            "penalty.bad_date", f"{name} is not an ISO date (YYYY-MM-DD): {value!r}.", field=name
        ) from exc


def _to_period(value, name: str) -> date:
    if isinstance(value, date):
        return value.replace(day=1)
    text = str(value or "").strip()
    if len(text) == 7 and text[4:5] == "-":
        text += "-01"
    return _to_date(text, name).replace(day=1)


def _to_kopecks(value, name: str) -> int:
    if type(value) is Decimal:
        d = value
    else:
        if value is None or isinstance(value, bool):
            raise PenaltyError("penalty.bad_amount", f"{name} is not an amount.", field=name)
        try:
            d = to_decimal(value)
        except (TypeError, ValueError) as exc:
            raise PenaltyError(
                "penalty.bad_amount", f"{name} is not an amount: {value!r}.", field=name
            ) from exc
    k = d * 100
    try:
        ki = int(k)
    except (ValueError, OverflowError) as exc:
        raise PenaltyError(
            "penalty.bad_amount", f"{name} is not a finite amount.", field=name
        ) from exc
    if ki != k:
        raise PenaltyError(
            "penalty.bad_amount", f"{name} has more than two decimals: {value}.", field=name
        )
    return ki


def _opt_outs(value) -> frozenset:
    if not value:
        return frozenset()
    if isinstance(value, str):
        return frozenset({value})
    return frozenset(value)


def _month_end(period: date) -> date:
    return period.replace(day=calendar.monthrange(period.year, period.month)[1])


def _parse_debt(item, rules: PenaltyRules, i: int):
    """-> (period, amount_kopecks, due_ord, arose_ord)."""
    if isinstance(item, Debt):
        period, amount, due, arose = item.period, item.amount, item.due_date, item.arose_on
    elif isinstance(item, Mapping):
        period, amount = item.get("period"), item.get("amount")
        due, arose = item.get("due_date"), item.get("arose_on")
    elif isinstance(item, (tuple, list)) and 2 <= len(item) <= 4:
        period, amount = item[0], item[1]
        due = item[2] if len(item) > 2 else None
        arose = item[3] if len(item) > 3 else None
    else:
        raise PenaltyError(
            "penalty.bad_debt",
            f"debts[{i}] must be (period, amount, due_date[, arose_on]) or an object.",
            field=f"debts[{i}]",
        )
    if period is None or period == "":
        raise PenaltyError(
            "penalty.bad_debt", f"debts[{i}] needs a period.", field=f"debts[{i}].period"
        )
    period = _to_period(period, f"debts[{i}].period")
    kop = _to_kopecks(amount, f"debts[{i}].amount")
    if kop < 0:
        raise PenaltyError(
            "penalty.bad_amount",
            f"debts[{i}].amount cannot be negative.",
            field=f"debts[{i}].amount",
        )
    due = (
        _to_date(due, f"debts[{i}].due_date")
        if due
        else due_date_for(period, rules.due_day, rules.due_months_after)
    )
    if arose:
        arose = _to_date(arose, f"debts[{i}].arose_on")
    elif rules.obligation_date == "due_date":
        arose = due
    else:
        arose = _month_end(period)
    return period, kop, due.toordinal(), arose.toordinal()


def _parse_payment(item, i: int):
    """-> (date_ord, amount_kopecks, period or None)."""
    if isinstance(item, Payment):
        day, amount, period = item.date, item.amount, item.period
    elif isinstance(item, Mapping):
        day, amount, period = item.get("date"), item.get("amount"), item.get("period")
    elif isinstance(item, (tuple, list)) and 2 <= len(item) <= 3:
        day, amount = item[0], item[1]
        period = item[2] if len(item) > 2 else None
    else:
        raise PenaltyError(
            "penalty.bad_payment",
            f"payments[{i}] must be (date, amount[, period]) or an object.",
            field=f"payments[{i}]",
        )
    day = _to_date(day, f"payments[{i}].date")
    kop = _to_kopecks(amount, f"payments[{i}].amount")
    if kop < 0:
        raise PenaltyError(
            "penalty.bad_payment",
            f"payments[{i}].amount cannot be negative (a refund is not a payment).",
            field=f"payments[{i}].amount",
        )
    if period:
        period = _to_period(period, f"payments[{i}].period")
    else:
        period = None
    return day.toordinal(), kop, period


def _allocate(debts: list, payments: list, calc_ord: int):
    """Split each debt into parts by payment, in the ledger's allocation order
    (:func:`mobill_tko_core.allocation.settle`: the period a payment names first, then the
    oldest debt; debts of one period by their due date).

    Returns ``(parts, unallocated_kopecks)``; ``parts[i]`` is a list of ``(paid_ord | None,
    kopecks)`` for debt ``i`` (``None`` = still unpaid on the calculation date).
    """
    n = len(debts)
    # [period, open kopecks, index]: what settle() pays, oldest first
    open_debts = [
        [debts[i][0], debts[i][1], i]
        for i in sorted(range(n), key=lambda i: (debts[i][0], debts[i][2]))
        if debts[i][1]
    ]
    parts: list[list] = [[] for _ in range(n)]
    unallocated = 0
    for pord, amount, period in sorted(payments, key=lambda p: p[0]):
        if pord > calc_ord or amount == 0:
            continue
        for debt, paid in settle(amount, open_debts, period):
            if debt is None:
                unallocated += paid
            else:
                parts[debt[2]].append((pord, paid))
    for debt in open_debts:
        parts[debt[2]].append((None, debt[1]))
    return parts, unallocated


def _rate_dates(parts_i: list, calc_ord: int, basis: str) -> list[int]:
    """The rate date (ordinal) of each part of one debt."""
    if basis == "calculation":
        return [calc_ord] * len(parts_i)
    if basis == "last_payment":
        if not parts_i or parts_i[-1][0] is None:
            return [calc_ord] * len(parts_i)
        last = max(p for p, _k in parts_i)
        return [last] * len(parts_i)
    return [calc_ord if p is None else p for p, _k in parts_i]


def _rule_applies(rule: DatedRule, consumer: str, arose_ord: int, opt_outs) -> bool:
    if consumer not in rule.applies_to:
        return False
    if rule.obligations_before is not None and arose_ord >= rule.obligations_before.toordinal():
        return False
    return not (rule.opt_out and rule.code in opt_outs)


def _check_rate_units(rate: Decimal) -> int:
    units = rate * _RATE_SCALE
    iu = int(units)
    if iu != units:
        raise PenaltyError(
            "penalty.bad_rate", f"A rate may have at most 4 decimals: {rate}.", rate=str(rate)
        )
    return iu


# ---------------------------------------------------------------------------------------------
# detailed engine (day by day; obviously right, used for the breakdown)
# ---------------------------------------------------------------------------------------------


def compute_penalties(
    debts: Iterable,
    payments: Iterable,
    calc_date,
    rules: PenaltyRules,
    opt_outs: Iterable[str] = (),
) -> PenaltyResult:
    """Penalties of one account on ``calc_date`` with the full breakdown.

    ``debts``: :class:`Debt`, dicts ``{"period", "amount", "due_date", "arose_on"}`` or tuples
    ``(period, amount[, due_date[, arose_on]])``; ``payments``: :class:`Payment`, dicts
    ``{"date", "amount", "period"}`` or tuples ``(date, amount[, period])``. Amounts in roubles.

    Each line is rounded to 0.01 half up; the total is the sum of the rounded lines.
    """
    calc = _to_date(calc_date, "calc_date")
    calc_ord = calc.toordinal()
    opt_outs = _opt_outs(opt_outs)
    parsed = [_parse_debt(d, rules, i) for i, d in enumerate(debts)]
    pays = [_parse_payment(p, i) for i, p in enumerate(payments)]
    parts, unallocated = _allocate(parsed, pays, calc_ord)
    consumer = rules.consumer
    shift = 0 if rules.payment_day_included else 1
    scale = rules.scale
    lines: list[PenaltyLine] = []
    debt_rows = []
    total_k = 0
    rate_cache: dict[int, Decimal] = {}

    def rate_at(ordinal: int) -> Decimal:
        r = rate_cache.get(ordinal)
        if r is None:
            r = rate_cache[ordinal] = rules.rates.rate_on(date.fromordinal(ordinal))
            _check_rate_units(r)
        return r

    for i, (period, amount_k, due_ord, arose_ord) in enumerate(parsed):
        applicable = [
            r for r in rules.dated_rules if _rule_applies(r, consumer, arose_ord, opt_outs)
        ]
        spans = [(r, r.date_from.toordinal(), r.date_to.toordinal()) for r in applicable]
        debt_penalty = 0
        paid_k = 0
        for (paid_ord, part_k), rate_ord in zip(
            parts[i], _rate_dates(parts[i], calc_ord, rules.rate_basis), strict=True
        ):
            if paid_ord is not None:
                paid_k += part_k
            end = calc_ord if paid_ord is None else paid_ord - shift
            start = due_ord + 1
            if end < start or part_k == 0:
                continue
            accrual_from = next((a for a, b in scale if b), None)
            if accrual_from is not None and end >= due_ord + accrual_from:
                base = rate_at(rate_ord)  # needed: a day with a share is reached
            else:
                try:
                    base = rate_at(rate_ord)
                except RateError:
                    base = None  # shown only; no day of this part carries a penalty
            part_amount = _money(part_k)
            current = None  # [key, from_ord, days, denom, rate, reason, rule]
            for day in range(start, end + 1):
                n = day - due_ord
                denom = 0
                for first_day, d in scale:
                    if n >= first_day:
                        denom = d
                    else:
                        break
                reason, rule_code, rate = "accrual", None, base
                if denom == 0:
                    reason, rate = "grace", None
                else:
                    for rule, a, b in spans:
                        if rule.kind == "no_accrual" and a <= day <= b:
                            reason, rule_code, rate = "moratorium", rule.code, None
                            break
                    else:
                        for rule, a, b in spans:
                            if rule.kind == "rate_cap" and a <= day <= b and rule.cap_rate < rate:
                                rate, rule_code = rule.cap_rate, rule.code
                key = (denom, reason, rule_code, rate)
                if current is not None and current[0] == key:
                    current[2] += 1
                else:
                    if current is not None:
                        total_k += _emit(
                            lines,
                            current,
                            period,
                            due_ord,
                            part_amount,
                            part_k,
                            paid_ord,
                            base,
                            rate_ord,
                        )
                        debt_penalty += lines[-1].amount
                    current = [key, day, 1, denom, rate, reason, rule_code]
            if current is not None:
                total_k += _emit(
                    lines, current, period, due_ord, part_amount, part_k, paid_ord, base, rate_ord
                )
                debt_penalty += lines[-1].amount
        debt_rows.append(
            {
                "period": period.strftime("%Y-%m"),
                "amount": _money(amount_k),
                "due_date": date.fromordinal(due_ord),
                "arose_on": date.fromordinal(arose_ord),
                "paid": _money(paid_k),
                "unpaid": _money(amount_k - paid_k),
                "penalty": _money(0) + debt_penalty,
            }
        )
    explanation = [
        {
            "code": "penalty.rounding",
            "text": "Each line is rounded to 0.01 half up; the total is the sum of the lines.",
            "params": {},
        }
    ]
    return PenaltyResult(
        calc_date=calc,
        consumer=consumer,
        total=_money(total_k),
        lines=lines,
        debts=debt_rows,
        unallocated=_money(unallocated),
        opt_outs=sorted(opt_outs),
        rules=rules.describe(),
        explanation=explanation,
    )


def _emit(lines, current, period, due_ord, part_amount, part_k, paid_ord, base, rate_ord) -> int:
    _key, from_ord, days, denom, rate, reason, rule_code = current
    if reason == "accrual":
        exact = Fraction(part_k) * Fraction(rate) / 100 * days / denom  # kopecks
        amount_k = _kop(exact.numerator, exact.denominator)
    else:
        amount_k = 0
    lines.append(
        PenaltyLine(
            period=period,
            due_date=date.fromordinal(due_ord),
            debt=part_amount,
            paid_on=None if paid_ord is None else date.fromordinal(paid_ord),
            date_from=date.fromordinal(from_ord),
            date_to=date.fromordinal(from_ord + days - 1),
            days=days,
            share=_share(denom),
            denominator=denom,
            rate=rate,
            base_rate=base,
            rate_date=date.fromordinal(rate_ord),
            reason=reason,
            rule=rule_code,
            amount=_money(amount_k),
        )
    )
    return amount_k


# ---------------------------------------------------------------------------------------------
# fast engine (integer kopecks, breakpoints)
# ---------------------------------------------------------------------------------------------


class _Prepared:
    """Rules turned into integers once per batch."""

    __slots__ = (
        "accrual_from",
        "bp",
        "consumer",
        "period_cache",
        "rate_basis",
        "rate_cache",
        "rates",
        "rules",
        "shift",
        "steps",
        "thresholds",
        "windows",
    )

    def __init__(self, rules: PenaltyRules):
        self.rules = rules
        self.rates = rules.rates
        self.consumer = rules.consumer
        self.rate_basis = rules.rate_basis
        self.shift = 0 if rules.payment_day_included else 1
        self.steps = rules.scale
        self.thresholds = tuple(a for a, _b in rules.scale[1:])
        positive = [a for a, b in rules.scale if b]
        self.accrual_from = positive[0] if positive else None
        self.rate_cache: dict[int, int] = {}
        self.period_cache: dict = {}  # period date -> (first day, arose ordinal or None)
        # rules of this consumer kind with integer windows and caps
        self.windows = []
        bps = set()
        for r in rules.dated_rules:
            if self.consumer not in r.applies_to:
                continue
            a, b = r.date_from.toordinal(), r.date_to.toordinal()
            cap = _check_rate_units(to_decimal(r.cap_rate)) if r.kind == "rate_cap" else None
            before = r.obligations_before.toordinal() if r.obligations_before else None
            self.windows.append((r.kind == "no_accrual", a, b, cap, before, r.opt_out, r.code))
            bps.add(a)
            bps.add(b + 1)
        self.bp = sorted(bps)

    def rate_units(self, ordinal: int) -> int:
        u = self.rate_cache.get(ordinal)
        if u is None:
            u = self.rate_cache[ordinal] = _check_rate_units(
                self.rates.rate_on(date.fromordinal(ordinal))
            )
        return u


def _account_total_kopecks(prep: _Prepared, debts, payments, calc_ord: int, opt_outs) -> int:
    rules = prep.rules
    parsed = []
    append = parsed.append
    period_cache = prep.period_cache
    for i, d in enumerate(debts):
        # fast path: (date, Decimal, date) tuples; anything else is parsed in full
        if type(d) is tuple and len(d) == 3 and type(d[1]) is Decimal and type(d[2]) is date:
            info = period_cache.get(d[0])
            k = d[1] * 100
            ki = int(k) if k.is_finite() else None
            if info is not None and ki == k and ki >= 0:
                append((info[0], ki, d[2].toordinal(), info[1] if info[1] else d[2].toordinal()))
                continue
            row = _parse_debt(d, rules, i)
            if type(d[0]) is date:
                period_cache[d[0]] = (
                    row[0],
                    None if rules.obligation_date == "due_date" else row[3],
                )
            append(row)
        else:
            append(_parse_debt(d, rules, i))
    pays = []
    append = pays.append
    for i, p in enumerate(payments):
        if (
            type(p) is tuple
            and 2 <= len(p) <= 3
            and type(p[0]) is date
            and type(p[1]) is Decimal
            and (len(p) == 2 or p[2] is None or type(p[2]) is date)
        ):
            k = p[1] * 100
            ki = int(k) if k.is_finite() else None
            if ki == k and ki >= 0:
                per = p[2] if len(p) == 3 else None
                if per is not None and per.day != 1:
                    per = per.replace(day=1)
                append((p[0].toordinal(), ki, per))
                continue
        append(_parse_payment(p, i))
    parts, _unallocated = _allocate(parsed, pays, calc_ord)
    accrual_from = prep.accrual_from
    if accrual_from is None:
        return 0
    shift = prep.shift
    basis = prep.rate_basis
    steps = prep.steps
    thresholds = prep.thresholds
    windows = prep.windows
    bp = prep.bp
    bisect_right = bisect.bisect_right
    total = 0
    for i, (_period, _amount_k, due_ord, arose_ord) in enumerate(parsed):
        dparts = parts[i]
        first_accrual = due_ord + accrual_from
        # quick exit: no part reaches the first accruing day
        last_end = max((calc_ord if p is None else p - shift) for p, _k in dparts) if dparts else 0
        if last_end < first_accrual:
            continue
        active = [
            w
            for w in windows
            if (w[4] is None or arose_ord < w[4]) and not (w[5] and w[6] in opt_outs)
        ]
        rate_ords = _rate_dates(dparts, calc_ord, basis)
        for (paid_ord, part_k), rate_ord in zip(dparts, rate_ords, strict=True):
            end = calc_ord if paid_ord is None else paid_ord - shift
            if end < first_accrual or not part_k:
                continue
            base = prep.rate_units(rate_ord)
            start = first_accrual
            pts = [due_ord + t for t in thresholds if start < due_ord + t <= end]
            if active:
                pts.extend(bp[bisect_right(bp, start) : bisect_right(bp, end)])
                pts.sort()
            pts.append(end + 1)
            seg = start
            cur_key = None
            cur_days = 0
            cur_den = 0
            cur_rate = 0
            for p in pts:
                if p <= seg:
                    continue
                n = seg - due_ord
                den = 0
                for first_day, d in steps:
                    if n >= first_day:
                        den = d
                    else:
                        break
                rate = base
                code = None
                zero = den == 0
                if not zero:
                    for w in active:
                        if w[0] and w[1] <= seg <= w[2]:
                            zero = True
                            break
                    else:
                        for w in active:
                            if not w[0] and w[1] <= seg <= w[2] and w[3] < rate:
                                rate, code = w[3], w[6]
                if zero:
                    if cur_key is not None:
                        dd = cur_den * 1_000_000
                        total += (2 * part_k * cur_rate * cur_days + dd) // (2 * dd)
                        cur_key = None
                else:
                    key = (den, rate, code)
                    if key == cur_key:
                        cur_days += p - seg
                    else:
                        if cur_key is not None:
                            dd = cur_den * 1_000_000
                            total += (2 * part_k * cur_rate * cur_days + dd) // (2 * dd)
                        cur_key, cur_den, cur_rate, cur_days = key, den, rate, p - seg
                seg = p
            if cur_key is not None:
                dd = cur_den * 1_000_000
                total += (2 * part_k * cur_rate * cur_days + dd) // (2 * dd)
    return total


def compute_penalties_batch(
    accounts: Iterable[tuple], calc_date, rules: PenaltyRules
) -> Iterator[PenaltyBatchItem]:
    """Penalty totals of many accounts, fast; same totals as :func:`compute_penalties`.

    ``accounts``: tuples ``(account_id, debts, payments)`` or ``(account_id, debts, payments,
    opt_outs)`` in the shapes :func:`compute_penalties` accepts (tuples are fastest:
    ``(period_date, Decimal, due_date)`` and ``(date, Decimal[, period_date])``). Integer kopecks
    and rates in ten-thousandths of a percent; no Decimal in the hot loop. A bad account yields an
    item with ``error_code`` and the batch goes on.

    The engine keeps no shared state: to use several cores run one batch per process on
    disjoint sets of accounts (each process reading its own accounts; shipping Decimals between
    processes by pickling costs more than the calculation).
    """
    calc = _to_date(calc_date, "calc_date")
    calc_ord = calc.toordinal()
    prep = _Prepared(rules)
    empty = frozenset()
    for account in accounts:
        try:
            account_id = account[0]
        except Exception:
            account_id = None
        try:
            debts, payments = account[1], account[2]
            opt_outs = _opt_outs(account[3]) if len(account) > 3 and account[3] else empty
            kop = _account_total_kopecks(prep, debts, payments or (), calc_ord, opt_outs)
            yield PenaltyBatchItem(account_id, Decimal(kop).scaleb(-2))
        except CoreError as exc:
            yield PenaltyBatchItem(account_id, None, exc.code, exc.message, dict(exc.params))
        except Exception as exc:  # a malformed account must not stop the batch
            yield PenaltyBatchItem(
                account_id,
                None,
                "penalty.bad_input",
                f"Invalid account: {exc}",
                {"error": str(exc)},
            )
