"""Monthly ТКО charges: every calculation method as a pure function with a full breakdown.

Law: ПП РФ № 354 (individuals, formula 9(1) and 9(2), п. 148(36), п. 148(44)); ПП № 505 → № 671
(legal entities: by norm per calculation unit, by containers, by measured volume or mass); the
contract's fixed agreed volume ("limit"). See ``law_brief.md`` §1–§3.

Arithmetic
    All inputs are converted to exact rationals (``fractions.Fraction`` from ``Decimal``), the whole
    line is multiplied out and rounded **once** to 0.01 ROUND_HALF_UP. ``N / 12`` is never rounded
    (a 28-digit ``Decimal`` of ``N / 12`` may round a true half-kopeck the wrong way; the exact
    rational cannot). Quantities in the result (``quantity``) are shown as ``Decimal`` for reading
    only, the amount never goes through them.

VAT (law brief §3)
    ``vat_mode``: ``"included"`` (the tariff contains VAT: the amount is the total, the VAT part is
    ``round(total × r / (100 + r))`` and net = total − VAT), ``"excluded"`` (net tariff: the
    amount is net, ``VAT = round(net × r / 100)``, total = net + VAT; legal entities only) or
    ``"not_subject"`` (an operator without VAT: VAT 0, rate ``None``). Individuals pay a final
    tariff, so for them only ``included`` and ``not_subject`` are accepted. The rate is that of the
    service date, for a monthly service the month's last day (:func:`vat_rate_on`).

Input dicts
    :func:`compute_charge`, :func:`recalculate` and :func:`compute_batch` take plain dicts (the same
    shape as the CLI JSON, see ``docs/cli.md``)::

        {"id": "LS-1", "method": "residents", "period": "2025-05", "residents": 3,
         "norm": "1.56", "tariff": "557.76"}

    Numbers may be ``int``, ``str`` or ``Decimal``; dates ISO strings or ``date``.

Methods (``method``)
    ``residents`` n × N / 12 × T (9(1)); with ``residents == 0`` the number of ``owners`` is used
    (п. 148(36), setting ``owners_when_nobody_resident``); ``area`` S × N_S / 12 × T (9(2));
    ``owners`` explicit n = owners; ``norm_units`` Σ R_k × N_k / 12 × T; ``containers``
    Σ count × volume × pick-ups × T; ``fixed_volume`` monthly volume (or annual / 12) × T;
    ``measured_volume`` m³ × T; ``measured_mass`` t × T.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any, NamedTuple

from mobill_tko_core.errors import CoreError
from mobill_tko_core.explain import note as _note
from mobill_tko_core.explain import number as _num
from mobill_tko_core.money import to_decimal

__all__ = [
    "CONSUMER_INDIVIDUAL",
    "CONSUMER_LEGAL",
    "DEFAULT_VAT_TABLE",
    "METHODS",
    "Adjustment",
    "BatchResult",
    "ChargeError",
    "ChargeResult",
    "ChargeSettings",
    "RecalcResult",
    "absence_full_days",
    "compute_batch",
    "compute_charge",
    "count_pickups",
    "days_in_service",
    "document_totals",
    "recalculate",
    "vat_rate_on",
]

CONSUMER_INDIVIDUAL = "individual"
CONSUMER_LEGAL = "legal"
CONSUMERS = (CONSUMER_INDIVIDUAL, CONSUMER_LEGAL)

VAT_INCLUDED = "included"
VAT_EXCLUDED = "excluded"
VAT_NOT_SUBJECT = "not_subject"
VAT_MODES = (VAT_INCLUDED, VAT_EXCLUDED, VAT_NOT_SUBJECT)

#: VAT rate by service date: rows (date_from, rate percent). 18 % (ФЗ 117-ФЗ) until 31.12.2018,
#: 20 % (ФЗ 303-ФЗ) until 31.12.2025, 22 % from 01.01.2026 (ФЗ № 425-ФЗ of 28.11.2025).
DEFAULT_VAT_TABLE: tuple[tuple[date, Decimal], ...] = (
    (date(2004, 1, 1), Decimal("18")),
    (date(2019, 1, 1), Decimal("20")),
    (date(2026, 1, 1), Decimal("22")),
)


class ChargeError(CoreError):
    """Invalid input of a charge calculation (the code says which)."""


@dataclass(frozen=True)
class ChargeSettings:
    """Settings of the charge rules (the [recall] items of the law brief).

    ``count_first_day`` / ``count_last_day``: whether the first day of service (a start inside the
    month) and the last day (an end inside the month) count as days of service; the product
    default counts both, so days = (end − start).days + 1. ``absence_min_full_days``: a temporary
    absence is recalculated only when it lasts **more than** this many full days (п. 148(44): 5).
    ``owners_when_nobody_resident``: the ``residents`` method bills the owners when nobody lives
    there (п. 148(36)). ``recalc_mode``: ``"exact"`` (round the exact difference once),
    ``"document"`` (difference of the rounded document values) or ``None`` = ``exact`` for
    individuals, ``document`` for legal entities (see :func:`recalculate`).
    """

    count_first_day: bool = True
    count_last_day: bool = True
    absence_min_full_days: int = 5
    owners_when_nobody_resident: bool = True
    vat_table: tuple = DEFAULT_VAT_TABLE
    recalc_mode: str | None = None

    @classmethod
    def from_dict(cls, data: Mapping | None, base: ChargeSettings | None = None) -> ChargeSettings:
        """Settings from a dict (a case's ``settings`` key); unset fields come from ``base``."""
        base = base or cls()
        if not data:
            return base
        if not isinstance(data, Mapping):
            raise ChargeError("charge.bad_setting", "settings must be an object.")
        known = set(cls.__dataclass_fields__)
        unknown = set(data) - known
        if unknown:
            raise ChargeError(
                "charge.unknown_setting",
                f"Unknown charge setting(s): {', '.join(sorted(unknown))}.",
                settings=sorted(unknown),
            )
        values = dict(data)
        if "vat_table" in values:
            values["vat_table"] = tuple(
                (_date(d, "vat_table"), _dec(r, "vat_table")) for d, r in values["vat_table"]
            )
        for key in ("count_first_day", "count_last_day", "owners_when_nobody_resident"):
            if key in values and not isinstance(values[key], bool):
                raise ChargeError(
                    "charge.bad_setting", f"Setting {key} must be true or false.", setting=key
                )
        if "absence_min_full_days" in values:
            values["absence_min_full_days"] = _int(
                values["absence_min_full_days"], "absence_min_full_days"
            )
        if values.get("recalc_mode") not in (None, "exact", "document"):
            raise ChargeError(
                "charge.bad_setting",
                "Setting recalc_mode must be 'exact' or 'document'.",
                setting="recalc_mode",
            )
        return replace(base, **values)


# ---------------------------------------------------------------------------------------------
# small helpers
# ---------------------------------------------------------------------------------------------


def _round_fraction(value: Fraction) -> Decimal:
    """Exact rational -> kopecks, ROUND_HALF_UP (half away from zero, as ``round_money``)."""
    num = value.numerator * 100
    den = value.denominator
    q, r = divmod(abs(num), den)
    if 2 * r >= den:
        q += 1
    return Decimal(q if num >= 0 else -q).scaleb(-2)


def _show(value: Fraction, places: int | None = None) -> Decimal:
    """A rational as a readable Decimal (display only, never used for amounts)."""
    d = Decimal(value.numerator) / Decimal(value.denominator)
    if places is not None:
        d = d.quantize(Decimal(1).scaleb(-places))
    return d.normalize() if d == d.to_integral_value() else d


def _terminates(value: Fraction) -> bool:
    den = value.denominator
    for p in (2, 5):
        while den % p == 0:
            den //= p
    return den == 1


def _txt(value) -> str:
    """Text of a number for explanations: exact, or "≈" and 6 places when it does not terminate."""
    if isinstance(value, Fraction):
        shown = _show(value)
        if not _terminates(value) or shown.as_tuple().exponent < -6:
            return "≈" + format(shown.quantize(Decimal("0.000001")), "f")
        value = shown
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _dec(value, name: str) -> Decimal:
    if value is None or value == "":
        raise ChargeError("charge.missing_input", f"Input {name} is required.", field=name)
    try:
        result = to_decimal(value)
    except (TypeError, ValueError) as exc:
        raise ChargeError(
            "charge.bad_number", f"Input {name} is not a number: {value!r}.", field=name
        ) from exc
    if not result.is_finite():
        raise ChargeError("charge.bad_number", f"Input {name} is not a finite number.", field=name)
    return result


def _nonneg(value, name: str) -> Decimal:
    result = _dec(value, name)
    if result < 0:
        raise ChargeError(
            "charge.negative", f"Input {name} cannot be negative: {value}.", field=name
        )
    return result


def _int(value, name: str) -> int:
    if isinstance(value, bool):
        raise ChargeError("charge.bad_number", f"Input {name} must be a whole number.", field=name)
    d = _dec(value, name)
    if d != d.to_integral_value():
        raise ChargeError(
            "charge.bad_number", f"Input {name} must be a whole number: {value}.", field=name
        )
    return int(d)


def _count(value, name: str) -> int:
    result = _int(value, name)
    if result < 0:
        raise ChargeError(
            "charge.negative", f"Input {name} cannot be negative: {value}.", field=name
        )
    return result


def _date(value, name: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except (TypeError, ValueError) as exc:
        raise ChargeError(
            "charge.bad_date",
            f"Input {name} is not an ISO date (YYYY-MM-DD): {value!r}.",
            field=name,
        ) from exc


def _objects(items, name: str, code: str = "charge.bad_input") -> Iterator[tuple[int, Mapping]]:
    """``(index, item)`` of a list input whose every item must be an object."""
    for i, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise ChargeError(code, f"{name}[{i}] must be an object.", field=f"{name}[{i}]")
        yield i, item


def _period(value) -> date:
    """``"2025-05"``, ``"2025-05-17"`` or a date -> the first day of that month."""
    if value is None or value == "":
        raise ChargeError("charge.missing_input", "Input period is required.", field="period")
    if isinstance(value, date):
        return value.replace(day=1)
    text = str(value).strip()
    try:
        if len(text) == 7 and text[4] == "-":
            return date(int(text[:4]), int(text[5:7]), 1)
        return date.fromisoformat(text).replace(day=1)
    except ValueError as exc:
        raise ChargeError(
            "charge.bad_period", f"Period must be YYYY-MM or a date: {value!r}.", field="period"
        ) from exc


def _month_bounds(first: date) -> tuple[date, date, int]:
    dim = calendar.monthrange(first.year, first.month)[1]
    return first, first.replace(day=dim), dim


def vat_rate_on(day: date, table=DEFAULT_VAT_TABLE) -> Decimal:
    """VAT rate (percent) in force on ``day``; ``table`` = rows ``(date_from, rate)``.

    For a monthly service pass the month's last day: 31.12.2025 -> 20, 01.01.2026 -> 22.
    """
    rate = None
    for start, value in sorted(table):
        if start <= day:
            rate = value
        else:
            break
    if rate is None:
        raise ChargeError(
            "charge.no_vat_rate",
            f"No VAT rate is known on {day.isoformat()}.",
            date=day.isoformat(),
        )
    return to_decimal(rate)


def days_in_service(
    year: int,
    month: int,
    start: date | None = None,
    end: date | None = None,
    count_first_day: bool = True,
    count_last_day: bool = True,
) -> int:
    """Calendar days of service in the month; ``start``/``end`` are the service dates (inclusive).

    A boundary outside the month is clipped to the month and then always counts; a real start or
    end inside the month counts only if ``count_first_day`` / ``count_last_day``.
    """
    first, last, _dim = _month_bounds(date(year, month, 1))
    s = first if start is None or start < first else start
    e = last if end is None or end > last else end
    if s > e:
        return 0
    days = (e - s).days + 1
    if start is not None and start >= first and not count_first_day:
        days -= 1
    if end is not None and end <= last and not count_last_day:
        days -= 1
    return max(days, 0)


# ---------------------------------------------------------------------------------------------
# pick-up schedules
# ---------------------------------------------------------------------------------------------


def _schedule_kind(schedule: Mapping) -> str:
    kind = schedule.get("kind")
    if kind:
        return kind
    for key in ("weekdays", "every", "dates"):
        if key in schedule:
            return {"every": "every_n_days"}.get(key, key)
    raise ChargeError(
        "charge.bad_schedule",
        "A pick-up schedule needs a kind: daily, weekdays, every_n_days or dates.",
    )


def count_pickups(
    schedule: Mapping, year: int, month: int, start: date | None = None, end: date | None = None
) -> int:
    """Pick-ups of a schedule in a month, optionally only within ``start``..``end`` (inclusive).

    Schedules (dicts):

    * ``{"kind": "daily"}`` — every day;
    * ``{"kind": "weekdays", "weekdays": [1, 4]}`` — ISO weekdays (1 = Monday … 7 = Sunday);
    * ``{"kind": "every_n_days", "every": 3, "from": "2025-01-02"}`` — that date and every
      N-th day after it (none before it);
    * ``{"kind": "dates", "dates": ["2025-05-05", ...]}`` — explicit dates (duplicates count once).
    """
    if not isinstance(schedule, Mapping):
        raise ChargeError("charge.bad_schedule", "A pick-up schedule must be an object.")
    first, last, _dim = _month_bounds(date(year, month, 1))
    s = max(first, start) if start else first
    e = min(last, end) if end else last
    if s > e:
        return 0
    span = (e - s).days + 1
    kind = _schedule_kind(schedule)
    if kind == "daily":
        return span
    if kind == "weekdays":
        raw = schedule.get("weekdays")
        if not raw:
            raise ChargeError("charge.bad_schedule", "A weekdays schedule needs a weekdays list.")
        days = {_int(w, "weekdays") for w in raw}
        if not days <= set(range(1, 8)):
            raise ChargeError(
                "charge.bad_schedule", "Weekdays are ISO numbers 1 (Monday) to 7 (Sunday)."
            )
        full_weeks, rest = divmod(span, 7)
        count = full_weeks * len(days)
        wd = s.isoweekday()
        for i in range(rest):
            if (wd - 1 + i) % 7 + 1 in days:
                count += 1
        return count
    if kind == "every_n_days":
        every = _int(schedule.get("every"), "every")
        if every < 1:
            raise ChargeError("charge.bad_schedule", "every_n_days needs every >= 1.")
        origin = _date(schedule.get("from"), "from")
        lo = max(s, origin)
        if lo > e:
            return 0
        offset = (lo - origin).days
        first_k = -(-offset // every)  # ceil
        first_day = origin + timedelta(days=first_k * every)
        if first_day > e:
            return 0
        return (e - first_day).days // every + 1
    if kind == "dates":
        dates = {_date(d, "dates") for d in schedule.get("dates") or ()}
        return sum(1 for d in dates if s <= d <= e)
    raise ChargeError(
        "charge.bad_schedule",
        f"Unknown pick-up schedule kind {kind!r}; use daily, weekdays, every_n_days or dates.",
        kind=str(kind),
    )


# ---------------------------------------------------------------------------------------------
# results
# ---------------------------------------------------------------------------------------------


@dataclass
class Adjustment:
    """A recalculation line inside a month's charge (e.g. temporary absence), rounded once."""

    code: str
    amount: Decimal
    inputs: dict
    explanation: dict
    exact: Fraction = field(repr=False, default=Fraction(0))

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "amount": self.amount,
            "inputs": self.inputs,
            "explanation": self.explanation,
        }


@dataclass
class ChargeResult:
    """One monthly charge line with everything used to compute it (расшифровка).

    ``amount`` is the rounded charge line before adjustments (net for ``vat_mode == "excluded"``,
    VAT-inclusive otherwise); ``net``/``vat``/``total`` include the adjustments. ``explanation``
    is a list of ``{"code", "text", "params"}`` entries in calculation order.
    """

    id: Any
    method: str
    consumer: str
    period: date
    service_date: date
    unit: str
    quantity: Decimal
    quantity_full_month: Decimal
    tariff: Decimal
    vat_mode: str
    vat_rate: Decimal | None
    days_in_service: int
    days_in_month: int
    inputs: dict
    amount: Decimal
    adjustments: list[Adjustment]
    net: Decimal
    vat: Decimal
    total: Decimal
    explanation: list[dict]
    exact: Fraction = field(repr=False, default=Fraction(0))

    def as_dict(self) -> dict:
        """Plain data (Decimals and dates kept; the CLI turns them into strings)."""
        return {
            "id": self.id,
            "method": self.method,
            "consumer": self.consumer,
            "period": self.period.strftime("%Y-%m"),
            "service_date": self.service_date,
            "unit": self.unit,
            "quantity": self.quantity,
            "quantity_full_month": self.quantity_full_month,
            "tariff": self.tariff,
            "vat_mode": self.vat_mode,
            "vat_rate": self.vat_rate,
            "days_in_service": self.days_in_service,
            "days_in_month": self.days_in_month,
            "inputs": self.inputs,
            "amount": self.amount,
            "adjustments": [a.as_dict() for a in self.adjustments],
            "net": self.net,
            "vat": self.vat,
            "total": self.total,
            "explanation": self.explanation,
        }


class BatchResult(NamedTuple):
    """One row of :func:`compute_batch`; ``error_code`` is set (and amounts ``None``) on error."""

    id: Any
    total: Decimal | None
    net: Decimal | None
    vat: Decimal | None
    vat_rate: Decimal | None
    error_code: str | None = None
    error_message: str | None = None
    result: ChargeResult | None = None


# ---------------------------------------------------------------------------------------------
# the calculation
# ---------------------------------------------------------------------------------------------


def _vat_split(amount: Decimal, vat_mode: str, rate: Decimal | None):
    """(net, vat, total) of a rounded line amount."""
    if vat_mode == VAT_NOT_SUBJECT or rate is None:
        return amount, Decimal("0.00"), amount
    r = Fraction(rate)
    if vat_mode == VAT_INCLUDED:
        vat = _round_fraction(Fraction(amount) * r / (100 + r))
        return amount - vat, vat, amount
    vat = _round_fraction(Fraction(amount) * r / 100)
    return amount, vat, amount + vat


@dataclass(frozen=True, slots=True)
class _Month:
    """The month of a charge line and its service window, as every method needs them."""

    first: date
    last: date
    dim: int
    start: date | None
    end: date | None
    unit: str
    settings: ChargeSettings


@dataclass(slots=True)
class _Quantity:
    """What a method computes: the full-month quantity, the inputs it used and its notes."""

    full: Fraction
    used: dict
    notes: list
    per_person_month: Fraction | None = None  # N / 12 of a charge by persons (absences)


def _by_persons(inputs: Mapping, month: _Month, method: str) -> _Quantity:
    """Formula 9(1): n × N / 12 (n = residents, or the owners when nobody lives there)."""
    norm = _nonneg(inputs.get("norm"), "norm")
    used: dict[str, Any] = {"norm": norm}
    notes = []
    basis = method
    if method == "residents":
        n = _count(inputs.get("residents"), "residents")
        used["residents"] = n
        if n == 0 and month.settings.owners_when_nobody_resident and inputs.get("owners"):
            n = _count(inputs.get("owners"), "owners")
            used["owners"] = n
            basis = "owners"
            notes.append(_note("basis.owners", owners=n))
    else:
        n = _count(inputs.get("owners"), "owners")
        used["owners"] = n
    per_person_month = Fraction(norm) / 12
    full = n * per_person_month
    notes.append(
        _note(
            f"formula.{basis}",
            n=n,
            norm=norm,
            volume=_num(full),
            unit=month.unit,
            per_person=_num(per_person_month),
        )
    )
    return _Quantity(full, used, notes, per_person_month)


def _residents(inputs: Mapping, month: _Month) -> _Quantity:
    return _by_persons(inputs, month, "residents")


def _owners(inputs: Mapping, month: _Month) -> _Quantity:
    return _by_persons(inputs, month, "owners")


def _area(inputs: Mapping, month: _Month) -> _Quantity:
    """Formula 9(2): S × N_S / 12."""
    area = _nonneg(inputs.get("area"), "area")
    norm = _nonneg(inputs.get("norm"), "norm")
    full = Fraction(area) * Fraction(norm) / 12
    note = _note("formula.area", area=area, norm=norm, volume=_num(full), unit=month.unit)
    return _Quantity(full, {"area": area, "norm": norm}, [note])


def _norm_units(inputs: Mapping, month: _Month) -> _Quantity:
    """Legal entities by norm: Σ R_k × N_k / 12 over the calculation units."""
    raw_units = inputs.get("units")
    if not raw_units:
        raise ChargeError(
            "charge.missing_input",
            "Input units (calculation units) is required.",
            field="units",
        )
    full = Fraction(0)
    units_used = []
    for i, item in _objects(raw_units, "units"):
        r_k = _nonneg(item.get("units"), f"units[{i}].units")
        n_k = _nonneg(item.get("norm"), f"units[{i}].norm")
        category = str(item.get("category") or "")
        full += Fraction(r_k) * Fraction(n_k) / 12
        units_used.append({"category": category, "units": r_k, "norm": n_k})
    note = _note("formula.norm_units", units=units_used, volume=_num(full), unit=month.unit)
    return _Quantity(full, {"units": units_used}, [note])


def _containers(inputs: Mapping, month: _Month) -> _Quantity:
    """Σ count × volume × pick-ups (actual, or counted from the schedule)."""
    raw = inputs.get("containers")
    if not raw:
        raise ChargeError(
            "charge.missing_input", "Input containers is required.", field="containers"
        )
    full = Fraction(0)
    used_c = []
    for i, item in _objects(raw, "containers"):
        count = _count(item.get("count", 1), f"containers[{i}].count")
        volume = _nonneg(item.get("volume"), f"containers[{i}].volume")
        if item.get("pickups") not in (None, ""):
            pickups = _count(item.get("pickups"), f"containers[{i}].pickups")
            source = "actual"
        elif item.get("schedule"):
            first = month.first
            pickups = count_pickups(
                item["schedule"], first.year, first.month, month.start, month.end
            )
            source = "schedule"
        else:
            raise ChargeError(
                "charge.missing_input",
                f"containers[{i}] needs pickups or a schedule.",
                field=f"containers[{i}].pickups",
            )
        full += count * Fraction(volume) * pickups
        entry = {"count": count, "volume": volume, "pickups": pickups, "source": source}
        if source == "schedule":
            entry["schedule"] = dict(item["schedule"])
        used_c.append(entry)
    note = _note("formula.containers", containers=used_c, volume=_num(full), unit=month.unit)
    return _Quantity(full, {"containers": used_c}, [note])


def _fixed_volume(inputs: Mapping, month: _Month) -> _Quantity:
    """The contract's agreed volume: monthly, or annual / 12."""
    if inputs.get("monthly_volume") not in (None, ""):
        mv = _nonneg(inputs.get("monthly_volume"), "monthly_volume")
        note = _note("formula.fixed_volume", volume=mv, unit=month.unit)
        return _Quantity(Fraction(mv), {"monthly_volume": mv}, [note])
    av = _nonneg(inputs.get("annual_volume"), "annual_volume")
    full = Fraction(av) / 12
    note = _note("formula.fixed_volume.annual", annual=av, volume=_num(full), unit=month.unit)
    return _Quantity(full, {"annual_volume": av}, [note])


def _measured_volume(inputs: Mapping, month: _Month) -> _Quantity:
    v = _nonneg(inputs.get("volume"), "volume")
    note = _note("formula.measured_volume", volume=v, unit=month.unit)
    return _Quantity(Fraction(v), {"volume": v}, [note])


def _measured_mass(inputs: Mapping, month: _Month) -> _Quantity:
    m = _nonneg(inputs.get("mass"), "mass")
    note = _note("formula.measured_mass", volume=m, unit="t")
    return _Quantity(Fraction(m), {"mass": m}, [note])


class Method(NamedTuple):
    """A calculation method: its default consumer, whether a partial month is pro rata, and
    the function computing its full-month quantity (``(inputs, month) -> _Quantity``)."""

    consumer: str
    pro_rata: bool
    quantity: Callable[[Mapping, _Month], _Quantity]


#: method -> how it is computed (see the module docstring; add a method here)
METHODS: dict[str, Method] = {
    "residents": Method(CONSUMER_INDIVIDUAL, True, _residents),
    "area": Method(CONSUMER_INDIVIDUAL, True, _area),
    "owners": Method(CONSUMER_INDIVIDUAL, True, _owners),
    "norm_units": Method(CONSUMER_LEGAL, True, _norm_units),
    "containers": Method(CONSUMER_LEGAL, False, _containers),
    "fixed_volume": Method(CONSUMER_LEGAL, True, _fixed_volume),
    "measured_volume": Method(CONSUMER_LEGAL, False, _measured_volume),
    "measured_mass": Method(CONSUMER_LEGAL, False, _measured_mass),
}
#: methods billed pro rata by calendar days for a partial month
PRO_RATA_METHODS = frozenset(name for name, m in METHODS.items() if m.pro_rata)


def _check_kind(inputs: Mapping) -> tuple[str, str, str]:
    """``(method, consumer, vat_mode)`` of a case, checked."""
    method = inputs.get("method") or "residents"
    if method not in METHODS:
        raise ChargeError(
            "charge.unknown_method",
            f"Unknown calculation method {method!r}; use one of: {', '.join(METHODS)}.",
            method=str(method),
        )
    consumer = inputs.get("consumer") or METHODS[method].consumer
    if consumer not in CONSUMERS:
        raise ChargeError(
            "charge.bad_consumer",
            f"Consumer must be 'individual' or 'legal', not {consumer!r}.",
            consumer=str(consumer),
        )
    vat_mode = inputs.get("vat_mode") or (
        VAT_INCLUDED if consumer == CONSUMER_INDIVIDUAL else VAT_EXCLUDED
    )
    if vat_mode not in VAT_MODES:
        raise ChargeError(
            "charge.bad_vat_mode",
            f"vat_mode must be one of {', '.join(VAT_MODES)}, not {vat_mode!r}.",
            vat_mode=str(vat_mode),
        )
    if consumer == CONSUMER_INDIVIDUAL and vat_mode == VAT_EXCLUDED:
        raise ChargeError(
            "charge.vat_mode_individual",
            "The population tariff is final: use vat_mode 'included' or 'not_subject' for an "
            "individual.",
        )
    return method, consumer, vat_mode


def _month_of(inputs: Mapping, method: str, settings: ChargeSettings) -> _Month:
    """The period, the service window inside it and the unit of a case, checked."""
    first, last, dim = _month_bounds(_period(inputs.get("period")))
    start = _date(inputs["service_start"], "service_start") if inputs.get("service_start") else None
    end = _date(inputs["service_end"], "service_end") if inputs.get("service_end") else None
    if start and end and start > end:
        raise ChargeError(
            "charge.bad_service_dates", "service_start is after service_end.", field="service_end"
        )
    if (start and start > last) or (end and end < first):
        raise ChargeError(
            "charge.service_outside_period",
            f"The service dates do not overlap the period {first:%Y-%m}.",
            period=first.strftime("%Y-%m"),
        )
    unit = "t" if method == "measured_mass" else (inputs.get("unit") or "m3")
    if unit not in ("m3", "t"):
        raise ChargeError("charge.bad_unit", "unit must be 'm3' or 't'.", field="unit")
    return _Month(first, last, dim, start, end, unit, settings)


def _vat_notes(vat_mode: str, vat_rate, line_total, net, vat, total) -> dict:
    if vat_mode == VAT_INCLUDED:
        return _note("vat.included", vat_rate=vat_rate, total=line_total, vat=vat, net=net)
    if vat_mode == VAT_EXCLUDED:
        return _note("vat.excluded", vat_rate=vat_rate, net=net, vat=vat, total=total)
    return _note("vat.not_subject")


def compute_charge(inputs: Mapping, settings: ChargeSettings | None = None) -> ChargeResult:
    """Compute one monthly charge line from an input dict (see the module docstring).

    The method's function (:data:`METHODS`) gives the full-month quantity; a partial month of a
    pro-rata method takes its share of days; the amount is quantity × tariff rounded once; a
    temporary absence adjusts a charge by residents; VAT is split out of the line last.
    Raises :class:`ChargeError` (a :class:`CoreError`) with a stable code on invalid input.
    """
    if not isinstance(inputs, Mapping):
        raise ChargeError("charge.bad_input", "A charge case must be an object (dict).")
    if settings is None or inputs.get("settings"):
        settings = ChargeSettings.from_dict(inputs.get("settings"), base=settings)
    method, consumer, vat_mode = _check_kind(inputs)
    month = _month_of(inputs, method, settings)
    first, last, dim, start, end, unit = (
        month.first,
        month.last,
        month.dim,
        month.start,
        month.end,
        month.unit,
    )
    ds = days_in_service(
        first.year, first.month, start, end, settings.count_first_day, settings.count_last_day
    )
    tariff = _nonneg(inputs.get("tariff"), "tariff")
    if inputs.get("vat_rate") not in (None, ""):
        vat_rate = _nonneg(inputs.get("vat_rate"), "vat_rate")
    else:
        vat_rate = vat_rate_on(last, settings.vat_table)
    if vat_mode == VAT_NOT_SUBJECT:
        vat_rate = None

    q = METHODS[method].quantity(inputs, month)
    used, explanation, q_full = q.used, q.notes, q.full
    if METHODS[method].pro_rata and ds != dim:
        quantity = q_full * ds / dim
        explanation.append(
            _note(
                "partial_month",
                days_in_service=ds,
                days_in_month=dim,
                volume=_num(quantity),
                unit=unit,
            )
        )
    else:
        quantity = q_full
    exact = quantity * Fraction(tariff)
    amount = _round_fraction(exact)
    explanation.append(
        _note(
            "amount",
            volume=_num(quantity),
            unit=unit,
            tariff=tariff,
            exact=_num(exact),
            amount=amount,
        )
    )

    adjustments: list[Adjustment] = []
    absences = inputs.get("absences")
    if absences:
        if method != "residents" or q.per_person_month is None or "owners" in used:
            raise ChargeError(
                "charge.absence_not_applicable",
                "A temporary-absence recalculation applies only to a charge by residents.",
            )
        adjustments.append(
            _absence_adjustment(
                absences, used["residents"], q.per_person_month, tariff, first, start, end, settings
            )
        )
        exact += adjustments[-1].exact

    line_total = amount + sum((a.amount for a in adjustments), Decimal("0.00"))
    net, vat, total = _vat_split(line_total, vat_mode, vat_rate)
    explanation.append(_vat_notes(vat_mode, vat_rate, line_total, net, vat, total))

    used.update(
        tariff=tariff,
        unit=unit,
        vat_mode=vat_mode,
        vat_rate=vat_rate,
        service_start=start,
        service_end=end,
    )
    return ChargeResult(
        id=inputs.get("id"),
        method=method,
        consumer=consumer,
        period=first,
        service_date=last,
        unit=unit,
        quantity=_show(quantity),
        quantity_full_month=_show(q_full),
        tariff=tariff,
        vat_mode=vat_mode,
        vat_rate=vat_rate,
        days_in_service=ds,
        days_in_month=dim,
        inputs=used,
        amount=amount,
        adjustments=adjustments,
        net=net,
        vat=vat,
        total=total,
        explanation=explanation,
        exact=exact,
    )


def absence_full_days(departure: date, arrival: date) -> int:
    """Full calendar days of an absence: the days of departure and of arrival are not counted."""
    return max((arrival - departure).days - 1, 0)


def _absence_adjustment(
    absences, residents: int, per_person_month: Fraction, tariff: Decimal, first, start, end, st
) -> Adjustment:
    _first, last, dim = _month_bounds(first)
    lo = max(first, start) if start else first
    hi = min(last, end) if end else last
    exact = Fraction(0)
    rows = []
    shown = []
    for i, item in _objects(absences, "absences", "charge.bad_absence"):
        dep = _date(item.get("departure"), f"absences[{i}].departure")
        arr = _date(item.get("arrival"), f"absences[{i}].arrival")
        if arr <= dep:
            raise ChargeError(
                "charge.bad_absence",
                f"absences[{i}]: arrival must be after departure.",
                field=f"absences[{i}]",
            )
        persons = _count(item.get("persons", 1), f"absences[{i}].persons")
        if persons < 1 or persons > residents:
            raise ChargeError(
                "charge.absence_persons",
                f"absences[{i}]: persons must be between 1 and the residents ({residents}).",
                field=f"absences[{i}].persons",
            )
        full = absence_full_days(dep, arr)
        a = max(dep + timedelta(days=1), lo)
        b = min(arr - timedelta(days=1), hi)
        in_month = (b - a).days + 1 if a <= b else 0
        counted = full > st.absence_min_full_days
        delta = -persons * per_person_month * Fraction(tariff) * in_month / dim if counted else 0
        exact += delta
        rows.append(
            {
                "departure": dep,
                "arrival": arr,
                "persons": persons,
                "full_days": full,
                "full_days_in_month": in_month,
                "counted": counted,
            }
        )
        shown.append(
            dict(
                rows[-1],
                in_month=in_month,
                per_person=_num(per_person_month),
                tariff=tariff,
                days_in_month=dim,
                min_full_days=st.absence_min_full_days,
            )
        )
    amount = _round_fraction(exact)
    return Adjustment(
        code="absence",
        amount=amount,
        inputs={"absences": rows, "days_in_month": dim},
        explanation=_note("adjustment.absence", rows=shown, exact=_num(exact), amount=amount),
        exact=exact,
    )


def document_totals(results: Iterable[ChargeResult]) -> dict:
    """Net, VAT and total of a document: sums of the per-line rounded values."""
    net = vat = total = Decimal("0.00")
    for r in results:
        net += r.net
        vat += r.vat
        total += r.total
    return {"net": net, "vat": vat, "total": total}


# ---------------------------------------------------------------------------------------------
# recalculation of a past period
# ---------------------------------------------------------------------------------------------


@dataclass
class RecalcResult:
    """Difference between what was charged (``old``) and what should have been (``new``).

    ``net``/``vat``/``total`` are the signed differences. ``rounding_difference`` is
    ``(new.total − old.total) − total``: non-zero (±0.01) only in ``exact`` mode, when rounding the
    exact difference once differs from the difference of the two rounded lines.
    """

    period: date
    mode: str
    old: ChargeResult
    new: ChargeResult
    net: Decimal
    vat: Decimal
    total: Decimal
    rounding_difference: Decimal
    explanation: list[dict]

    def as_dict(self) -> dict:
        return {
            "period": self.period.strftime("%Y-%m"),
            "mode": self.mode,
            "old": self.old.as_dict(),
            "new": self.new.as_dict(),
            "net": self.net,
            "vat": self.vat,
            "total": self.total,
            "rounding_difference": self.rounding_difference,
            "explanation": self.explanation,
        }


def recalculate(
    old_inputs: Mapping, new_inputs: Mapping, settings: ChargeSettings | None = None
) -> RecalcResult:
    """Recalculate a past period: charge ``new_inputs`` instead of ``old_inputs``.

    Modes (``settings.recalc_mode``):

    * ``"exact"`` (default for individuals, law brief §1: "a recalculation is computed from
      unrounded inputs and rounded once"): ``total = round(exact_new − exact_old)``; the VAT part is
      then taken from that rounded difference like any line. It may differ by one kopeck from
      ``new.total − old.total``; the difference is reported in ``rounding_difference``.
    * ``"document"`` (default for legal entities): the differences of the rounded document values
      (net, VAT, total) — what a корректировочный счёт-фактура / УКД shows as "increase/decrease".

    Both cases must be for the same period, consumer kind and VAT mode.
    """
    st = settings or ChargeSettings.from_dict(new_inputs.get("settings"))
    old = compute_charge(old_inputs, st)
    new = compute_charge(new_inputs, st)
    if old.period != new.period:
        raise ChargeError(
            "charge.recalc_period_mismatch",
            f"A recalculation compares the same period: {old.period:%Y-%m} vs {new.period:%Y-%m}.",
        )
    if old.consumer != new.consumer or old.vat_mode != new.vat_mode:
        raise ChargeError(
            "charge.recalc_kind_mismatch",
            "A recalculation compares cases of the same consumer kind and VAT mode.",
        )
    mode = st.recalc_mode or ("exact" if new.consumer == CONSUMER_INDIVIDUAL else "document")
    if mode == "document":
        net, vat, total = new.net - old.net, new.vat - old.vat, new.total - old.total
        first = _note(
            "recalc.document",
            mode=mode,
            new_net=new.net,
            old_net=old.net,
            net=net,
            new_vat=new.vat,
            old_vat=old.vat,
            vat=vat,
            new_total=new.total,
            old_total=old.total,
            total=total,
        )
    else:
        delta = _round_fraction(new.exact - old.exact)
        net, vat, total = _vat_split(delta, new.vat_mode, new.vat_rate)
        first = _note(
            "recalc.exact",
            mode=mode,
            new_exact=_num(new.exact),
            old_exact=_num(old.exact),
            diff_exact=_num(new.exact - old.exact),
            delta=delta,
        )
    rounding_difference = (new.total - old.total) - total
    explanation = [first]
    if rounding_difference:
        explanation.append(
            _note(
                "recalc.rounding_difference",
                rounded=new.total - old.total,
                rounding_difference=rounding_difference,
            )
        )
    return RecalcResult(
        period=new.period,
        mode=mode,
        old=old,
        new=new,
        net=net,
        vat=vat,
        total=total,
        rounding_difference=rounding_difference,
        explanation=explanation,
    )


# ---------------------------------------------------------------------------------------------
# batch
# ---------------------------------------------------------------------------------------------

_FAST_KEYS = frozenset(
    {"id", "method", "consumer", "period", "residents", "norm", "tariff", "vat_mode", "owners"}
)


def compute_batch(
    rows: Iterable[Mapping], settings: ChargeSettings | None = None, detail: bool = False
) -> Iterator[BatchResult]:
    """Compute many charge rows; yields one :class:`BatchResult` per row, in order.

    A bad row yields ``BatchResult(id, None, None, None, None, error_code, error_message)`` and the
    batch goes on. Plain full-month ``residents`` rows (keys among id, method, consumer, period,
    residents, norm, tariff, vat_mode, owners; ``residents`` an ``int`` > 0) take a fast integer
    path with ``n × N × T`` cached per (norm, tariff) pair; every other row goes through
    :func:`compute_charge`. Both give the same amounts. ``settings`` apply to every row; a row's
    own ``settings`` key overrides them for that row. With ``detail=True`` every row goes through
    :func:`compute_charge` and ``result`` holds the full :class:`ChargeResult`.
    """
    st = settings or ChargeSettings()
    pair_cache: dict = {}
    period_cache: dict = {}
    fast_keys = _FAST_KEYS
    scaleb = Decimal.scaleb
    for row in rows:
        try:
            get = row.get
            n = get("residents")
            if (
                not detail
                and type(n) is int
                and n > 0
                and get("method", "residents") == "residents"
                and get("consumer", CONSUMER_INDIVIDUAL) == CONSUMER_INDIVIDUAL
                and row.keys() <= fast_keys
            ):
                period = get("period")
                pinfo = period_cache.get(period)
                if pinfo is None:
                    pinfo = period_cache[period] = _period_info(period, st)
                vat_rate, vat_num, vat_den = pinfo
                key = (get("norm"), get("tariff"))
                pair = pair_cache.get(key)
                if pair is None:
                    pair = pair_cache[key] = _pair_info(key)
                num, den = pair
                # kopecks = round(n × N × T × 100 / 12), exact integers, half up
                den2 = den * 12
                total_k = (2 * n * num + den2) // (2 * den2)
                mode = get("vat_mode") or VAT_INCLUDED
                total = scaleb(Decimal(total_k), -2)
                if mode == VAT_INCLUDED:
                    vat_k = (2 * total_k * vat_num + vat_den) // (2 * vat_den)
                    yield BatchResult(
                        get("id"),
                        total,
                        scaleb(Decimal(total_k - vat_k), -2),
                        scaleb(Decimal(vat_k), -2),
                        vat_rate,
                    )
                    continue
                if mode == VAT_NOT_SUBJECT:
                    yield BatchResult(get("id"), total, total, Decimal("0.00"), None)
                    continue
            result = compute_charge(row, st)
            yield BatchResult(
                result.id,
                result.total,
                result.net,
                result.vat,
                result.vat_rate,
                None,
                None,
                result if detail else None,
            )
        except CoreError as exc:
            yield BatchResult(_row_id(row), None, None, None, None, exc.code, exc.message)
        except Exception as exc:  # a malformed row must not stop the batch
            yield BatchResult(
                _row_id(row), None, None, None, None, "charge.bad_input", f"Invalid row: {exc}"
            )


def _row_id(row):
    try:
        return row.get("id")
    except Exception:
        return None


def _period_info(period, st: ChargeSettings):
    first, last, _dim = _month_bounds(_period(period))
    rate = vat_rate_on(last, st.vat_table)
    r = Fraction(rate)
    # vat = total × r / (100 + r) = total × a / (100 b + a) with r = a / b
    return rate, r.numerator, 100 * r.denominator + r.numerator


def _pair_info(key):
    norm = _nonneg(key[0], "norm")
    tariff = _nonneg(key[1], "tariff")
    f = Fraction(norm) * Fraction(tariff) * 100  # kopecks per person per year
    return f.numerator, f.denominator
