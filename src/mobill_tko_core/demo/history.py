"""A payment history for the demo: who pays how, and what each one paid, month by month.

The demo region (:mod:`mobill_tko_core.demo.region`) has accounts and contracts but no money.
Given the charges of each payer by month, :func:`plan_history` gives each payer a profile and
lists the payments that profile makes up to ``today``:

- **punctual** (about 70 %): each month's charge in full in the next month, individuals on a
  day of their own between the 1st and the 25th (a few after the due date, never 30 days
  late), legal entities by the 10th;
- **late** (1–3 months late): each month's charge in full, ``lag`` months after the month it
  is due in, so that debts are 30–120 days overdue and penalties start;
- **partial** (40–80 %): part of each month's charge, in the next month, without naming a
  month (the ledger pays the oldest debt first), so the debt grows month after month;
- **stopped**: punctual until they stopped paying 6–14 months before ``today``; nothing since,
  so their debt is that many months of charges, old enough for penalties, notices and a claim;
- **advance**: every third month a round sum worth a little more than three months, without
  naming a month: they always have an advance (overpayment).

Individuals pay through banks (registries), the post office or payment agents, legal entities
by bank transfer. The day the operator books a payment follows the channel: the bank sends
its registry every Monday, the post office and agents on the 1st and the 16th.

Everything is deterministic: the profiles come from :class:`random.Random` seeded with the
seed, each payer's days and shares from a generator seeded with the seed and the payer's key.
Amounts are ``Decimal`` roubles rounded to kopecks, never zero or negative; no payment is dated
after ``today``. No Odoo inside.
"""

from __future__ import annotations

import math
import random
from collections.abc import Collection, Hashable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from mobill_tko_core.money import ZERO, round_money

DEFAULT_SEED = 2025

PUNCTUAL = "punctual"
LATE = "late"
PARTIAL = "partial"
STOPPED = "stopped"
ADVANCE = "advance"
#: shares of the profiles, in percent, for individuals and for legal entities alike
PROFILE_SHARES = ((PUNCTUAL, 70), (LATE, 12), (PARTIAL, 8), (STOPPED, 6), (ADVANCE, 4))

#: channels of individuals (tko.payment channels) and their shares, in percent
INDIVIDUAL_CHANNELS = (("bank", 60), ("agent", 25), ("post", 15))
LEGAL_CHANNEL = "bank"

LATE_LAG = (1, 3)  # months late
PARTIAL_SHARE = (40, 80)  # percent of the month's charge
STOPPED_MONTHS = (6, 14)  # months before today's month since the last payment
ADVANCE_EVERY = 3  # months between two advance payments
ADVANCE_MARGIN = Decimal("1.1")  # they pay 10 % more than three months' charges
ADVANCE_ROUND = 100  # … rounded up to whole hundreds of roubles
INDIVIDUAL_DAYS = (1, 25)  # the day of the month individuals pay on
LEGAL_DAYS = (1, 10)  # legal entities pay by the due day (10th)
JITTER = 2  # days a payment moves around its payer's usual day


@dataclass(frozen=True, slots=True)
class Profile:
    """How one payer pays."""

    kind: str  # punctual | late | partial | stopped | advance
    channel: str
    day: int  # the day of the month the payer usually pays on
    lag: int = 0  # late: months late
    share: Decimal = Decimal(1)  # partial: share of each month's charge
    stop: date | None = None  # stopped: the first day without payments


@dataclass(frozen=True, slots=True)
class Payment:
    """One planned payment: ``period`` is the month it names (None: oldest debt first)."""

    payer: Hashable
    date_paid: date
    date_booked: date
    amount: Decimal
    channel: str
    period: date | None


@dataclass(frozen=True, slots=True)
class History:
    profiles: dict
    payments: tuple[Payment, ...]


def add_months(day: date, months: int) -> date:
    """The first day of the month ``months`` after (or before) ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def booking_day(paid: date, channel: str) -> date:
    """The day the operator books a payment made on ``paid`` through ``channel``: the next
    Monday (the weekly registry of the bank), the next 1st or 16th (the post office and
    payment agents send their registries twice a month)."""
    if channel == "bank":
        return paid + timedelta(days=7 - paid.weekday())
    return paid.replace(day=16) if paid.day < 16 else add_months(paid, 1)


def _quotas(count: int, shares) -> list[int]:
    """``count`` split by percent ``shares`` (largest remainder: the sum is ``count``)."""
    total = sum(share for _name, share in shares)
    exact = [count * share / total for _name, share in shares]
    quotas = [math.floor(x) for x in exact]
    order = sorted(range(len(exact)), key=lambda i: quotas[i] - exact[i])
    for i in order[: count - sum(quotas)]:
        quotas[i] += 1
    return quotas


def _pick(rng: random.Random, shares) -> str:
    names = [name for name, _share in shares]
    return rng.choices(names, weights=[share for _name, share in shares])[0]


def _payer_rng(seed: int, key: Hashable) -> random.Random:
    return random.Random(f"{seed}:{key!r}")


def assign_profiles(
    keys: Collection, today: date, legal: Collection = (), seed: int = DEFAULT_SEED
) -> dict:
    """``{key: Profile}``: the shares of :data:`PROFILE_SHARES` among individuals and among
    legal entities (``legal``: the keys of legal entities), shuffled by ``seed``."""
    legal = set(legal)
    shuffler = random.Random(seed)
    kinds = {}
    for group in (
        sorted((k for k in keys if k not in legal), key=repr),
        sorted((k for k in keys if k in legal), key=repr),
    ):
        shuffler.shuffle(group)
        start = 0
        for (kind, _share), quota in zip(
            PROFILE_SHARES, _quotas(len(group), PROFILE_SHARES), strict=True
        ):
            for key in group[start : start + quota]:
                kinds[key] = kind
            start += quota
    this_month = today.replace(day=1)
    profiles = {}
    for key, kind in kinds.items():
        rng = _payer_rng(seed, key)
        is_legal = key in legal
        channel = LEGAL_CHANNEL if is_legal else _pick(rng, INDIVIDUAL_CHANNELS)
        day = rng.randint(*(LEGAL_DAYS if is_legal else INDIVIDUAL_DAYS))
        values = {"kind": kind, "channel": channel, "day": day}
        if kind == LATE:
            values["lag"] = rng.randint(*LATE_LAG)
        elif kind == PARTIAL:
            values["share"] = Decimal(rng.randint(*PARTIAL_SHARE)) / 100
        elif kind == STOPPED:
            values["stop"] = add_months(this_month, -rng.randint(*STOPPED_MONTHS))
        profiles[key] = Profile(**values)
    return profiles


def _day_in(month: date, day: int, rng: random.Random, low: int, high: int) -> date:
    """A day near ``day`` in ``month``, kept within ``low``..``high``."""
    return month.replace(day=min(max(day + rng.randint(-JITTER, JITTER), low), high))


def plan_payer(
    key: Hashable, profile: Profile, charges: Mapping, today: date, seed: int = DEFAULT_SEED
) -> list[Payment]:
    """The payments of one payer: ``charges`` is ``{first day of a month: Decimal}``."""
    rng = _payer_rng(seed, ("days", key))
    low, high = LEGAL_DAYS if profile.channel == LEGAL_CHANNEL else INDIVIDUAL_DAYS
    months = sorted(month for month, amount in charges.items() if amount > ZERO)
    planned = []
    for index, month in enumerate(months):
        charge = round_money(charges[month])
        period = month
        if profile.kind == LATE:
            paid_in = add_months(month, 1 + profile.lag)
        else:
            paid_in = add_months(month, 1)
        if profile.kind == PARTIAL:
            amount, period = round_money(charge * profile.share), None
        elif profile.kind == ADVANCE:
            if index % ADVANCE_EVERY:
                continue
            rough = charge * ADVANCE_EVERY * ADVANCE_MARGIN / ADVANCE_ROUND
            amount = Decimal(math.ceil(rough) * ADVANCE_ROUND)
            period = None
        else:
            amount = charge
        paid = _day_in(paid_in, profile.day, rng, low, high)
        if paid > today or (profile.stop and paid >= profile.stop) or amount <= ZERO:
            continue
        booked = min(booking_day(paid, profile.channel), today)
        planned.append(Payment(key, paid, booked, amount, profile.channel, period))
    return planned


def plan_history(
    charges: Mapping, today: date, legal: Collection = (), seed: int = DEFAULT_SEED
) -> History:
    """Profiles and payments of every payer of ``charges`` (``{key: {month: Decimal}}``) up to
    ``today``; ``legal``: the keys of legal entities. Payments in date order."""
    profiles = assign_profiles(list(charges), today, legal, seed)
    payments = []
    for key in sorted(charges, key=repr):
        payments.extend(plan_payer(key, profiles[key], charges[key], today, seed))
    payments.sort(key=lambda p: (p.date_paid, repr(p.payer)))
    return History(profiles, tuple(payments))
