"""From registry versions to charge cases: the month split by dated versions, and differences.

The Odoo add-on ``mobill_tko_billing`` reads the registry with SQL (dated characteristics,
tariffs, norms, contract lines, absences, measurements) and hands plain tuples to the functions
here; they return the input dicts of :func:`mobill_tko_core.charges.compute_charge` (one per
segment of the month in which nothing changed) together with the versions used, so that every
charge line can name the characteristic, the tariff and the norm it was computed from.

Versions
    A version is ``(date_from, date_to, value, ref)``: valid from ``date_from`` to ``date_to``
    inclusive (``None``: open end / since ever); ``ref`` identifies the record (an id).

Segments
    :func:`split_window` cuts a service window at every date a version begins or ends inside
    it; inside a segment the set of versions in force is constant. A month without a change
    gives one segment and the plain full-month case (the fast path of
    :func:`~mobill_tko_core.charges.compute_batch`).

Recalculation
    :func:`period_difference` compares what was charged for a past period (the stored lines,
    recomputed from their inputs) with what should have been charged (recomputed from the
    registry now), minus the corrections already booked, in the mode of
    :func:`~mobill_tko_core.charges.recalculate`: ``exact`` (round the exact difference once,
    individuals) or ``document`` (difference of the rounded values, legal entities).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from typing import Any

from mobill_tko_core.charges import (
    ChargeError,
    ChargeResult,
    ChargeSettings,
    _round_fraction,
    _txt,
    _vat_split,
)
from mobill_tko_core.pricing import PriceBook, choose_norm, choose_tariff

__all__ = [
    "Case",
    "Delta",
    "PeriodContext",
    "fmt_number",
    "individual_month",
    "legal_month",
    "month_bounds",
    "period_difference",
    "result_inputs",
    "schedule_from_fields",
    "split_window",
    "stored_inputs",
    "vat_split",
]

ONE_DAY = timedelta(days=1)


@lru_cache(maxsize=256)
def month_bounds(period) -> tuple[date, date, int]:
    """First day, last day and number of days of the month of ``period`` (a date)."""
    first = period.replace(day=1)
    dim = calendar.monthrange(first.year, first.month)[1]
    return first, first.replace(day=dim), dim


@lru_cache(maxsize=256)
def _period_text(first: date) -> str:
    return first.strftime("%Y-%m")


def vat_split(amount: Decimal, vat_mode: str, rate) -> tuple[Decimal, Decimal, Decimal]:
    """``(net, vat, total)`` of a rounded line amount (VAT rounded per line, half up)."""
    return _vat_split(amount, vat_mode, None if rate is None else Decimal(rate))


def fmt_number(value) -> str:
    """A number as the explanations show it: exact, or "≈" and 6 places if it does not end."""
    return _txt(value)


def _covers(df, dt, start, end) -> bool:
    return (df is None or df <= start) and (dt is None or dt >= end)


def _overlaps(df, dt, start, end) -> bool:
    return (df is None or df <= end) and (dt is None or dt >= start)


def split_window(
    start: date, end: date, intervals: Iterable[tuple[date | None, date | None]]
) -> list[tuple[date, date]]:
    """Cut ``start``..``end`` (inclusive) where any interval begins or ends inside it.

    Returns the segments ``[(start, end), ...]`` in order; without a boundary inside, one
    segment. Intervals are ``(date_from, date_to)`` with ``None`` for an open side.
    """
    if start > end:
        return []
    cuts = set()
    for df, dt in intervals:
        if df is not None and start < df <= end:
            cuts.add(df)
        if dt is not None and start <= dt < end:
            cuts.add(dt + ONE_DAY)
    if not cuts:
        return [(start, end)]
    bounds = [start, *sorted(cuts)]
    segments = []
    for i, lo in enumerate(bounds):
        hi = bounds[i + 1] - ONE_DAY if i + 1 < len(bounds) else end
        segments.append((lo, hi))
    return segments


def _active(versions: Sequence, start: date, end: date) -> list:
    """Versions ``(df, dt, ...)`` in force on the whole segment ``start``..``end``."""
    return [v for v in versions if _covers(v[0], v[1], start, end)]


@dataclass(frozen=True, slots=True)
class PeriodContext:
    """What a charge run (or a recalculation) of one company's month needs once.

    ``book``: the tariffs, norms and VAT rates valid in the month (:mod:`mobill_tko_core.pricing`);
    ``settings``: the charge settings with the month's VAT rate; ``has_posted`` / ``has_absences``:
    whether any charge of the period is posted / any confirmed absence touches the month (cheap
    flags that spare a query per chunk in the common case).
    """

    period_id: int
    company_id: int
    first: date
    last: date
    dim: int
    period_text: str
    settings: ChargeSettings
    book: PriceBook
    has_posted: bool = False
    has_absences: bool = False


@dataclass
class Case:
    """One segment of a month to charge: the core input dict and the versions it used.

    ``inputs`` is the dict for :func:`~mobill_tko_core.charges.compute_charge`; ``fast`` says
    it has exactly the keys of the fast path of ``compute_batch``. ``refs`` maps a kind
    (``residents_permanent``, ``owners``, ``area_total``, ``units``, ``containers``, ``tariff``,
    ``norm``, ``measurements``) to the refs (ids) of the versions used. ``batch`` is the row
    to give ``compute_batch`` for a fast case: ``inputs`` itself, or — nobody resident, billed
    by the owners (п. 148(36)) — the same formula 9(1) with n = owners, which the fast path
    computes to the same amount as ``compute_charge`` of ``inputs``.
    """

    inputs: dict
    start: date
    end: date
    refs: dict = field(default_factory=dict)
    fast: bool = False
    batch: dict | None = None

    def _replace_id(self, case_id):
        self.inputs["id"] = case_id
        if self.batch is not None:
            self.batch["id"] = case_id
        return self


def _whole(value, name: str, ref=None) -> int:
    if type(value) is str:  # numeric read as text, e.g. "3.0000": the common case, no Decimal
        head, _dot, tail = value.partition(".")
        if head.isdigit() and not tail.strip("0"):
            return int(head)
    d = Decimal(value)
    if d != d.to_integral_value() or d < 0:
        raise ChargeError(
            "billing.not_whole",
            f"The number of {name} must be a whole number, not {value}.",
            field=name,
            ref=ref,
        )
    return int(d)


def _price(tariff_version, day: date):
    if tariff_version is None:
        raise ChargeError(
            "billing.no_tariff", f"No tariff is in force on {day.isoformat()}.", date=day
        )
    return tariff_version


def _norm_for(norms, norms_any, start, end, what: str):
    version = choose_norm(norms, norms_any, start, end)
    if version is None:
        raise ChargeError(
            "billing.no_norm",
            f"No norm of accumulation ({what}) is in force on {start.isoformat()}.",
            date=start,
            category=what,
        )
    return version


def _service_window(first: date, last: date, *limits) -> tuple[date, date] | None:
    """The month clipped by ``(date_from, date_to)`` pairs (None: open)."""
    start, end = first, last
    for lo, hi in limits:
        if lo is not None and lo > start:
            start = lo
        if hi is not None and hi < end:
            end = hi
    return (start, end) if start <= end else None


def _batch_row(inputs: dict) -> dict | None:
    """The fast-path row of a full-month case by residents, or ``None``."""
    if inputs["vat_mode"] == "excluded" or inputs["method"] != "residents":
        return None
    if inputs["residents"] > 0:
        return inputs
    owners = inputs.get("owners") or 0
    if owners > 0:
        row = dict(inputs, residents=owners)
        del row["owners"]
        return row
    return None


def _plain_month(
    first, last, method, date_open, date_close, characteristics, tariffs, norms, norms_any
):
    """The single full-month case when nothing changes inside the month, else ``None``.

    The common case of a mass run, decided without cutting the month: the account is open all
    month, one tariff and one norm cover it and every characteristic version does.
    """
    if (date_open is not None and date_open > first) or (
        date_close is not None and date_close < last
    ):
        return None
    if len(tariffs) != 1:
        return None
    tariff = tariffs[0]
    if not _covers(tariff[0], tariff[1], first, last):
        return None
    if norms:
        if len(norms) != 1:
            return None
        norm = norms[0]
    elif len(norms_any) == 1:
        norm = norms_any[0]
    else:
        return None
    if not _covers(norm[0], norm[1], first, last):
        return None
    refs: dict[str, list] = {"tariff": [tariff[4]], "norm": [norm[3]]}
    inputs: dict[str, Any] = {
        "id": None,
        "method": method,
        "period": _period_text(first),
        "tariff": tariff[2],
        "vat_mode": tariff[3],
        "norm": norm[2],
    }
    residents = owners = 0
    area = Decimal(0)
    for kind, value, df, dt, ref in characteristics:
        if not ((df is None or df <= first) and (dt is None or dt >= last)):
            return None
        if method == "area":
            if kind == "area_total":
                area += Decimal(value)
                refs.setdefault(kind, []).append(ref)
        elif kind == "residents_permanent" or kind == "residents_temporary":
            residents += _whole(value, "residents", ref)
            refs.setdefault(kind, []).append(ref)
        elif kind == "owners":
            owners += _whole(value, "owners", ref)
            refs.setdefault(kind, []).append(ref)
    if method == "area":
        inputs["area"] = area
        return Case(inputs, first, last, refs, False)
    inputs["residents"] = residents
    if owners:
        inputs["owners"] = owners
    batch = _batch_row(inputs)
    return Case(inputs, first, last, refs, batch is not None, batch)


def individual_month(
    period: date,
    method: str,
    date_open: date | None,
    date_close: date | None,
    characteristics: Sequence[tuple],
    tariffs: Sequence[tuple],
    norms: Sequence[tuple],
    norms_any: Sequence[tuple] = (),
    absences: Sequence[Mapping] = (),
    case_id: Any = None,
) -> list[Case]:
    """The charge cases of a personal account for the month of ``period``.

    ``method``: ``residents`` (n × N / 12 × T; the owners when nobody lives there) or ``area``.
    ``characteristics``: ``(kind, value, date_from, date_to, ref)`` of the object, kinds
    ``residents_permanent``, ``residents_temporary``, ``owners``, ``area_total``.
    ``tariffs``: ``(date_from, date_to, price, vat_mode, ref)`` of the zone's population tariff
    (``vat_mode`` in the core's terms). ``norms``: ``(date_from, date_to, value, ref)`` of the
    category in the zone, ``norms_any`` of the category valid in every zone (used where the
    zone has none). ``absences``: ``{"departure", "arrival", "persons"}`` dicts (ПП 354
    п. 148(44)). The service window is the month clipped by the account's dates; it is cut at
    every change of a characteristic, a tariff or a norm. Raises ``ChargeError`` when a tariff
    or a norm is missing or a number of persons is not whole.
    """
    first, last, _dim = month_bounds(period)
    plain = _plain_month(
        first, last, method, date_open, date_close, characteristics, tariffs, norms, norms_any
    )
    if plain is not None and not absences:
        return [plain._replace_id(case_id)]
    window = _service_window(first, last, (date_open, date_close))
    if window is None:
        return []
    start, end = window
    chars = [
        (kind, value, df, dt, ref)
        for kind, value, df, dt, ref in characteristics
        if _overlaps(df, dt, start, end)
    ]
    versions = [(c[2], c[3]) for c in chars]
    versions += [(t[0], t[1]) for t in tariffs]
    versions += [(n[0], n[1]) for n in norms]
    versions += [(n[0], n[1]) for n in norms_any]
    segments = split_window(start, end, versions)
    period_text = _period_text(first)
    cases = []
    for seg_start, seg_end in segments:
        tariff = _price(choose_tariff((), tariffs, seg_start, seg_end), seg_start)
        norm = _norm_for(
            norms, norms_any, seg_start, seg_end, "per m²" if method == "area" else "per person"
        )
        refs: dict[str, list] = {"tariff": [tariff[4]], "norm": [norm[3]]}
        inputs: dict[str, Any] = {
            "id": case_id,
            "method": method,
            "period": period_text,
            "tariff": tariff[2],
            "vat_mode": tariff[3],
            "norm": norm[2],
        }
        partial = seg_start != first or seg_end != last
        if method == "area":
            area = Decimal(0)
            for kind, value, df, dt, ref in chars:
                if kind == "area_total" and _covers(df, dt, seg_start, seg_end):
                    area += Decimal(value)
                    refs.setdefault("area_total", []).append(ref)
            inputs["area"] = area
        else:
            residents = 0
            owners = 0
            for kind, value, df, dt, ref in chars:
                if not _covers(df, dt, seg_start, seg_end):
                    continue
                if kind in ("residents_permanent", "residents_temporary"):
                    residents += _whole(value, "residents", ref)
                    refs.setdefault(kind, []).append(ref)
                elif kind == "owners":
                    owners += _whole(value, "owners", ref)
                    refs.setdefault(kind, []).append(ref)
            inputs["residents"] = residents
            if owners:
                inputs["owners"] = owners
            if absences and residents:
                inputs["absences"] = [dict(a) for a in absences]
        if partial:
            inputs["service_start"] = seg_start
            inputs["service_end"] = seg_end
        batch = None if partial or "absences" in inputs else _batch_row(inputs)
        cases.append(Case(inputs, seg_start, seg_end, refs, batch is not None, batch))
    return cases


def stored_inputs(
    period_text: str,
    method: str,
    residents,
    owners,
    norm,
    tariff,
    vat_mode: str,
    vat_rate,
    inputs: Mapping | None = None,
) -> dict:
    """The core input dict a stored charge line was computed from.

    A line cut from a month, a legal entity's line or one with an absence keeps its ``inputs``
    (JSON) and is computed from them; a plain full-month line by residents (the mass path
    writes no JSON) is rebuilt from its columns. The VAT rate stored on the line is the one
    used, so a later change of the VAT table never changes a past line.
    """
    if inputs and "method" in inputs:
        data = dict(inputs)
    else:
        data = {
            "method": method,
            "period": period_text,
            "residents": residents or 0,
            "norm": norm,
            "tariff": tariff,
            "vat_mode": vat_mode,
        }
        if owners:
            data["owners"] = owners
    if vat_mode != "not_subject" and vat_rate is not None:
        data["vat_rate"] = vat_rate
    return data


def result_inputs(result: ChargeResult) -> dict:
    """The input dict of a computed line, as :func:`stored_inputs` would give it back: what
    the line used (``compute_charge`` of it gives the same amounts), for a recalculation's
    record of the old and the new lines and their explanation."""
    inputs = {"method": result.method, "period": result.period.strftime("%Y-%m")}
    inputs.update(
        {
            k: v
            for k, v in result.inputs.items()
            if k not in ("unit", "service_start", "service_end") or v
        }
    )
    if result.consumer == "legal":
        inputs["consumer"] = "legal"
    if result.vat_rate is None:
        inputs.pop("vat_rate", None)
    if result.method == "containers":
        inputs["containers"] = [
            {"count": c["count"], "volume": c["volume"], "pickups": c["pickups"]}
            for c in inputs.get("containers", [])
        ]
    if inputs.get("absences"):
        inputs["absences"] = [
            {"departure": a["departure"], "arrival": a["arrival"], "persons": a["persons"]}
            for a in inputs["absences"]
        ]
    return inputs


def schedule_from_fields(kind, weekdays=None, interval=None, start=None, dates=None) -> dict:
    """A core pick-up schedule from the fields of a containers characteristic.

    ``weekdays`` "1,3,5"; ``dates`` "2025-05-05,2025-05-19"; ``start`` a date or ISO text.
    """
    if kind == "daily":
        return {"kind": "daily"}
    if kind == "weekdays":
        days = [int(p) for p in str(weekdays or "").replace(" ", "").split(",") if p]
        return {"kind": "weekdays", "weekdays": days}
    if kind == "every_n_days":
        origin = start.isoformat() if isinstance(start, date) else start
        return {"kind": "every_n_days", "every": interval, "from": origin}
    if kind == "dates":
        return {
            "kind": "dates",
            "dates": [p.strip() for p in str(dates or "").split(",") if p.strip()],
        }
    raise ChargeError(
        "billing.no_schedule", "A container has no pick-up schedule.", kind=str(kind or "")
    )


def legal_month(
    period: date,
    scheme: str,
    window: tuple[date | None, date | None],
    tariffs: Sequence[tuple],
    tariffs_own: Sequence[tuple] = (),
    units: Sequence[tuple] = (),
    category: str = "",
    norms: Sequence[tuple] = (),
    norms_any: Sequence[tuple] = (),
    containers: Sequence[tuple] = (),
    limit_volume=None,
    measurements: Sequence[tuple] = (),
    case_id: Any = None,
) -> list[Case]:
    """The charge cases of one object of a contract (a contract line) for the month.

    ``scheme`` (tko.contract.line): ``norm`` (units × norm, ``units`` versions
    ``(date_from, date_to, value, ref)`` of the category ``category``), ``containers``
    (``containers`` versions ``(date_from, date_to, {"count", "volume", "schedule"}, ref)``),
    ``limit`` (``limit_volume`` m³ per month), ``measured_volume`` / ``measured_mass``
    (``measurements`` ``(date, value, ref)`` of the month). ``window``: the dates of the
    contract line within the contract. ``tariffs_own``: the contract's individual tariff
    versions, used where one is in force; else ``tariffs`` (the zone's tariff for other
    consumers). Tariff versions are ``(date_from, date_to, price, vat_mode, ref)``.
    """
    first, last, _dim = month_bounds(period)
    win = _service_window(first, last, window)
    if win is None:
        return []
    start, end = win
    period_text = first.strftime("%Y-%m")

    def tariff_on(lo, hi):
        return _price(choose_tariff(tariffs_own, tariffs, lo, hi), lo)

    base = {"id": case_id, "consumer": "legal", "period": period_text}
    if scheme in ("measured_volume", "measured_mass"):
        in_window = [m for m in measurements if start <= m[0] <= end]
        if not in_window:
            raise ChargeError(
                "billing.no_measurement",
                f"No measured {'mass' if scheme == 'measured_mass' else 'volume'} is entered "
                f"for {period_text}.",
                period=period_text,
            )
        groups: dict = {}
        for day, value, ref in in_window:
            tariff = tariff_on(day, day)
            groups.setdefault(tariff[4], [tariff, Decimal(0), [], day, day])
            group = groups[tariff[4]]
            group[1] += Decimal(value)
            group[2].append(ref)
            group[3] = min(group[3], day)
            group[4] = max(group[4], day)
        cases = []
        for tariff, total, refs, lo, hi in groups.values():
            key = "mass" if scheme == "measured_mass" else "volume"
            inputs = {
                **base,
                "method": scheme,
                key: total,
                "tariff": tariff[2],
                "vat_mode": tariff[3],
            }
            if scheme == "measured_mass":
                inputs["unit"] = "t"
            cases.append(Case(inputs, lo, hi, {"tariff": [tariff[4]], "measurements": refs}))
        return cases

    versions = [(t[0], t[1]) for t in tariffs] + [(t[0], t[1]) for t in tariffs_own]
    if scheme == "norm":
        versions += [(u[0], u[1]) for u in units]
        versions += [(n[0], n[1]) for n in norms] + [(n[0], n[1]) for n in norms_any]
    elif scheme == "containers":
        versions += [(c[0], c[1]) for c in containers]
    cases = []
    for seg_start, seg_end in split_window(start, end, versions):
        tariff = tariff_on(seg_start, seg_end)
        refs: dict[str, list] = {"tariff": [tariff[4]]}
        inputs: dict[str, Any] = {**base, "tariff": tariff[2], "vat_mode": tariff[3]}
        if scheme == "norm":
            active = _active(units, seg_start, seg_end)
            if not active:
                continue  # no units of the category in this segment: nothing to charge
            norm = _norm_for(norms, norms_any, seg_start, seg_end, category)
            quantity = sum((Decimal(u[2]) for u in active), Decimal(0))
            inputs["method"] = "norm_units"
            inputs["units"] = [{"category": category, "units": quantity, "norm": norm[2]}]
            refs["units"] = [u[3] for u in active]
            refs["norm"] = [norm[3]]
        elif scheme == "containers":
            active = _active(containers, seg_start, seg_end)
            if not active:
                continue
            inputs["method"] = "containers"
            inputs["containers"] = [dict(c[2]) for c in active]
            refs["containers"] = [c[3] for c in active]
        elif scheme == "limit":
            inputs["method"] = "fixed_volume"
            inputs["monthly_volume"] = limit_volume
        else:
            raise ChargeError(
                "billing.unknown_scheme", f"Unknown calculation scheme {scheme!r}.", scheme=scheme
            )
        if seg_start != first or seg_end != last:
            inputs["service_start"] = seg_start
            inputs["service_end"] = seg_end
        cases.append(Case(inputs, seg_start, seg_end, refs))
    return cases


# ---------------------------------------------------------------------------------------------
# differences of a past period
# ---------------------------------------------------------------------------------------------


@dataclass
class Delta:
    """The correction of one past period for one VAT mode and rate: signed net, VAT, total."""

    vat_mode: str
    vat_rate: Decimal | None
    net: Decimal
    vat: Decimal
    total: Decimal
    old_total: Decimal
    new_total: Decimal
    booked_before: Decimal
    mode: str


def _key(vat_mode, vat_rate):
    return vat_mode, (None if vat_rate is None else Decimal(vat_rate).normalize())


def period_difference(
    old: Iterable[ChargeResult],
    new: Iterable[ChargeResult],
    corrections: Iterable[tuple] = (),
    mode: str = "exact",
) -> list[Delta]:
    """Corrections to book for a past period: what should have been (``new``) minus what was
    charged (``old``) minus the corrections already booked for it.

    ``corrections``: ``(vat_mode, vat_rate, net, vat, total)`` of earlier correction lines.
    ``exact``: ``round(Σ new.exact − Σ old.exact)`` − booked corrections, then VAT taken out of
    the difference like any line; ``document``: differences of the rounded net, VAT and total.
    Results are grouped by (VAT mode, rate); a zero difference gives no delta.
    """
    if mode not in ("exact", "document"):
        raise ChargeError("billing.bad_recalc_mode", f"Unknown recalculation mode {mode!r}.")
    groups: dict = {}

    def group(vat_mode, vat_rate):
        key = _key(vat_mode, vat_rate)
        if key not in groups:
            groups[key] = {
                "rate": vat_rate,
                "old_exact": Fraction(0),
                "new_exact": Fraction(0),
                "old": [Decimal("0.00")] * 3,
                "new": [Decimal("0.00")] * 3,
                "corr": [Decimal("0.00")] * 3,
            }
        return groups[key]

    for results, name in ((old, "old"), (new, "new")):
        for r in results:
            g = group(r.vat_mode, r.vat_rate)
            g[f"{name}_exact"] += r.exact
            g[name][0] += r.net
            g[name][1] += r.vat
            g[name][2] += r.total
    for vat_mode, vat_rate, net, vat, total in corrections:
        g = group(vat_mode, vat_rate)
        g["corr"][0] += Decimal(net)
        g["corr"][1] += Decimal(vat)
        g["corr"][2] += Decimal(total)
    deltas = []
    for (vat_mode, _rate), g in groups.items():
        rate = g["rate"]
        if mode == "document":
            net = g["new"][0] - g["old"][0] - g["corr"][0]
            vat = g["new"][1] - g["old"][1] - g["corr"][1]
            total = g["new"][2] - g["old"][2] - g["corr"][2]
        else:
            exact_amount = _round_fraction(g["new_exact"] - g["old_exact"])
            if vat_mode == "excluded":
                amount = exact_amount - g["corr"][0]
            else:
                amount = exact_amount - g["corr"][2]
            net, vat, total = vat_split(amount, vat_mode, rate)
        if not (net or vat or total):
            continue
        deltas.append(
            Delta(
                vat_mode,
                None if rate is None else Decimal(rate),
                net,
                vat,
                total,
                g["old"][2],
                g["new"][2],
                g["corr"][2],
                mode,
            )
        )
    return deltas
