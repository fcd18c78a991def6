"""Explanation notes of the calculations, as text in the reader's language.

The calculations (``charges``) explain every step as a *note*: a code and its parameters,
the numbers kept as numbers (``{"code": "amount", "params": {"volume": ..., "tariff": ...}}``).
:func:`render` turns a note into text for a language: a template per code (Russian, with an
English fallback for any other language) and the numbers, dates and units written the way that
language writes them — in Russian ``1 234,56`` (decimal comma, non-breaking space between
thousands), ``≈0,166667`` for a value that does not terminate, dates ``07.12.2026``, periods
``12.2026``, units ``м³``/``т``. This is the one place explanations are formatted: the
interface passes the user's language and prints what comes back.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction

__all__ = [
    "CODES",
    "TEMPLATES",
    "Approx",
    "format_date",
    "format_number",
    "note",
    "number",
    "render",
]

NBSP = "\u00a0"
MINUS = "\u2212"
_PLACES = 6
_Q6 = Decimal("0.000001")

#: parameters that are money (always two places)
MONEY = frozenset(
    {
        "amount",
        "net",
        "vat",
        "total",
        "old",
        "new",
        "before",
        "diff",
        "now",
        "stored",
        "new_net",
        "old_net",
        "new_vat",
        "old_vat",
        "new_total",
        "old_total",
        "rounded",
        "rounding_difference",
        "delta",
    }
)
#: parameters that are dates (``date`` or ISO text)
DATES = frozenset({"departure", "arrival", "date", "date_from", "date_to"})
#: parameters that are periods (``date`` of the month, ``YYYY-MM`` or already ``MM.YYYY``)
PERIODS = frozenset({"period", "booked"})
UNITS = {
    "ru": {"m3": "м³", "t": "т"},
    "en": {"m3": "m³", "t": "t"},
}
CURRENCY = {"ru": "руб.", "en": "RUB"}


class Approx(Decimal):
    """A value that does not terminate, rounded to six places for display ("≈")."""

    __slots__ = ()


def _terminates(value: Fraction) -> bool:
    den = value.denominator
    for p in (2, 5):
        while den % p == 0:
            den //= p
    return den == 1


def number(value):
    """An exact value (``Fraction``) as a note parameter: a ``Decimal``, or :class:`Approx`
    (six places) when it does not terminate within six places. Other values pass through."""
    if not isinstance(value, Fraction):
        return value
    shown = Decimal(value.numerator) / Decimal(value.denominator)
    if not _terminates(value) or shown.as_tuple().exponent < -_PLACES:
        return Approx(shown.quantize(_Q6))
    return shown.normalize() if shown == shown.to_integral_value() else shown


def _lang(lang: str | None) -> str:
    return "ru" if (lang or "").lower().startswith("ru") else "en"


def _group(digits: str, sep: str) -> str:
    if len(digits) <= 3:
        return digits
    head = len(digits) % 3 or 3
    return digits[:head] + "".join(sep + digits[i : i + 3] for i in range(head, len(digits), 3))


def format_number(value, lang: str | None = "en_US", places: int | None = None) -> str:
    """A number as text in a language.

    ``places``: fixed decimal places (money: 2); otherwise exact with the trailing zeros
    dropped. A ``float`` (read from a database field) is taken by its shortest text.
    Russian: decimal comma, non-breaking space between thousands, minus sign "−"; English
    (the core's own texts): a decimal point and no grouping.
    """
    if value is None or value is False or value == "":
        return ""
    approx = False
    if isinstance(value, Fraction):
        value = number(value)
    if isinstance(value, Approx):
        approx = True
        value = Decimal(value)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        value = Decimal(repr(value))
    if isinstance(value, str):
        try:
            value = Decimal(value)
        except ArithmeticError:
            return value
    if isinstance(value, int):
        value = Decimal(value)
    if not isinstance(value, Decimal):
        return str(value)
    if places is not None:
        value = value.quantize(Decimal(1).scaleb(-places))
    elif not approx:
        value = value.normalize()
        if value == value.to_integral_value():
            value = value.quantize(Decimal(1))
    text = format(abs(value), "f")
    whole, _sep, frac = text.partition(".")
    ru = _lang(lang) == "ru"
    if ru:
        text = _group(whole, NBSP) + ("," + frac if frac else "")
    sign = (MINUS if ru else "-") if value < 0 else ""
    return ("≈" if approx else "") + sign + text


def format_date(value, lang: str | None = "en_US") -> str:
    """A date as ``dd.mm.yyyy`` (Russian) or ISO (English); ISO text is read first."""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        return "" if value in (None, False) else str(value)
    return value.strftime("%d.%m.%Y") if _lang(lang) == "ru" else value.isoformat()


def format_period(value, lang: str | None = "en_US") -> str:
    """A month as ``MM.YYYY`` (Russian) or ``YYYY-MM`` (English)."""
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", value):
        value = date(int(value[:4]), int(value[5:7]), 1)
    if isinstance(value, date):
        return value.strftime("%m.%Y") if _lang(lang) == "ru" else value.strftime("%Y-%m")
    return "" if value in (None, False) else str(value)


# ---------------------------------------------------------------------------------------------
# templates: {code: text}; ``{name}`` is a parameter written for the language
# ---------------------------------------------------------------------------------------------

TEMPLATES: dict[str, dict[str, str]] = {
    "en": {
        "basis.owners": "Nobody resident: billed by the number of owners ({owners}) "
        "(ПП 354 п. 148(36)).",
        "formula.residents": "Volume = n × N / 12 = {n} × {norm} / 12 = {volume} {unit} per month "
        "(ПП 354 formula 9(1); N / 12 = {per_person} per person).",
        "formula.owners": "Volume = n × N / 12 = {n} × {norm} / 12 = {volume} {unit} per month "
        "(ПП 354 formula 9(1), owners; N / 12 = {per_person} per person).",
        "formula.area": "Volume = S × N_S / 12 = {area} × {norm} / 12 = {volume} {unit} per month "
        "(ПП 354 formula 9(2)).",
        "formula.norm_units": "Volume = Σ R × N / 12 = ({terms}) / 12 = {volume} {unit} per month "
        "(ПП 505/671, by norm per calculation unit).",
        "formula.norm_units.term": "{units} × {norm}",
        "formula.norm_units.term_category": "{units} × {norm} ({category})",
        "formula.containers": "Volume = Σ count × volume × pick-ups = {terms} = {volume} {unit} "
        "(ПП 505/671, by containers; pick-ups within the service dates).",
        "formula.containers.term": "{count} × {volume} × {pickups}",
        "formula.fixed_volume": "Agreed volume {volume} {unit} per month (contract limit).",
        "formula.fixed_volume.annual": "Agreed volume = annual {annual} / 12 = {volume} {unit} per "
        "month (contract limit).",
        "formula.measured_volume": "Measured volume {volume} {unit}.",
        "formula.measured_mass": "Measured mass {volume} {unit}.",
        "partial_month": "Partial month: {days_in_service} of {days_in_month} days of service, "
        "volume × {days_in_service} / {days_in_month} = {volume} {unit}.",
        "amount": "Amount = {volume} {unit} × {tariff} = {exact} → {amount} "
        "(rounded once, half up).",
        "vat.included": "VAT {vat_rate} % included: {total} × {vat_rate} / (100 + {vat_rate}) = "
        "{vat}; net {net}.",
        "vat.excluded": "VAT {vat_rate} %: {net} × {vat_rate} / 100 = {vat}; total {total}.",
        "vat.not_subject": "Not subject to VAT (НДС не облагается).",
        "adjustment.absence": "Temporary absence (ПП 354 п. 148(44); days of departure and "
        "arrival not counted): {rows}; ΔP = {exact} → {amount} (rounded once).",
        "adjustment.absence.row": "{persons} person(s) absent {departure}–{arrival}: {full_days} "
        "full days, {in_month} in this month: −{persons} × {per_person} × {tariff} × {in_month} / "
        "{days_in_month}",
        "adjustment.absence.row_short": "{persons} person(s) absent {departure}–{arrival}: "
        "{full_days} full days, not more than {min_full_days}: no recalculation",
        "recalc.document": "Difference of the document values: net {new_net} − {old_net} = {net}, "
        "VAT {new_vat} − {old_vat} = {vat}, total {new_total} − {old_total} = {total}.",
        "recalc.exact": "Exact difference {new_exact} − {old_exact} = {diff_exact} → {delta} "
        "(rounded once).",
        "recalc.rounding_difference": "The difference of the rounded charges ({rounded}) differs "
        "from the recalculation by {rounding_difference}.",
        # lines of the ledger, explained from what they keep
        "line.recalc": "Recalculation of {period} booked in {booked}. Basis: {basis}.",
        "line.recalc.summary": "Charged for {period}: {old}; corrections booked before: {before}; "
        "recomputed now: {new}; difference booked: {diff} ({mode}).",
        "line.recalc.mode.exact": "exact difference rounded once",
        "line.recalc.mode.document": "difference of the document values",
        "line.recalc.before": "Before: {text}",
        "line.recalc.now": "Now: {text}",
        "line.absence.row": "{persons} person(s) absent from {departure} to {arrival}: {full_days} "
        "full days, {in_month} of them in this month (the days of departure and arrival are not "
        "counted; more than {min_full_days} full days are recalculated).",
        "line.absence": "Recalculation for temporary absence (ПП 354 п. 148(44)): {amount}.",
        "line.mismatch": "Warning: recomputing gives {now}, the line holds {stored}.",
    },
    "ru": {
        "basis.owners": "Никто не проживает: начисление по числу собственников ({owners}) "
        "(ПП 354 п. 148(36)).",
        "formula.residents": "Объём = n × N / 12 = {n} × {norm} / 12 = {volume} {unit} в месяц "
        "(ПП 354, формула 9(1): n — число проживающих, N — норматив на человека в год; "
        "N / 12 = {per_person} на человека).",
        "formula.owners": "Объём = n × N / 12 = {n} × {norm} / 12 = {volume} {unit} в месяц "
        "(ПП 354, формула 9(1): n — число собственников, N — норматив на человека в год; "
        "N / 12 = {per_person} на человека).",
        "formula.area": "Объём = S × N / 12 = {area} × {norm} / 12 = {volume} {unit} в месяц "
        "(ПП 354, формула 9(2): S — общая площадь, N — норматив на 1 м² в год).",
        "formula.norm_units": "Объём = Σ R × N / 12 = ({terms}) / 12 = {volume} {unit} в месяц "
        "(ПП 505/671, по нормативу на расчётную единицу).",
        "formula.norm_units.term": "{units} × {norm}",
        "formula.norm_units.term_category": "{units} × {norm} ({category})",
        "formula.containers": "Объём = Σ контейнеры × объём × вывозы = {terms} = {volume} {unit} "
        "(ПП 505/671, по количеству и объёму контейнеров; вывозы по графику в пределах дат "
        "оказания услуги).",
        "formula.containers.term": "{count} × {volume} × {pickups}",
        "formula.fixed_volume": "Согласованный объём по договору: {volume} {unit} в месяц.",
        "formula.fixed_volume.annual": "Согласованный объём по договору = годовой {annual} / 12 = "
        "{volume} {unit} в месяц.",
        "formula.measured_volume": "Измеренный объём за месяц: {volume} {unit}.",
        "formula.measured_mass": "Измеренная масса за месяц: {volume} {unit}.",
        "partial_month": "Неполный месяц: услуга оказывалась {days_in_service} из "
        "{days_in_month} дн., объём × {days_in_service} / {days_in_month} = {volume} {unit}.",
        "amount": "Сумма = {volume} {unit} × {tariff} {currency} (тариф) = {exact} → {amount} "
        "{currency} (округление один раз до копейки, половина вверх).",
        "vat.included": "НДС {vat_rate} % в том числе: {total} × {vat_rate} / (100 + {vat_rate}) "
        "= {vat} {currency}; без НДС {net} {currency}.",
        "vat.excluded": "НДС {vat_rate} % сверх суммы: {net} × {vat_rate} / 100 = {vat} "
        "{currency}; всего {total} {currency}.",
        "vat.not_subject": "НДС не облагается.",
        "adjustment.absence": "Временное отсутствие (ПП 354 п. 148(44); дни отъезда и приезда не "
        "считаются): {rows}; ΔP = {exact} → {amount} {currency} (округление один раз).",
        "adjustment.absence.row": "{persons} чел. отсутствовали с {departure} по {arrival}: "
        "полных дней {full_days}, из них в этом месяце {in_month}: −{persons} × {per_person} × "
        "{tariff} × {in_month} / {days_in_month}",
        "adjustment.absence.row_short": "{persons} чел. отсутствовали с {departure} по "
        "{arrival}: полных дней {full_days}, не более {min_full_days} — перерасчёт не делается",
        "recalc.document": "Разница значений документов: без НДС {new_net} − {old_net} = {net}, "
        "НДС {new_vat} − {old_vat} = {vat}, всего {new_total} − {old_total} = {total} "
        "{currency}.",
        "recalc.exact": "Точная разница {new_exact} − {old_exact} = {diff_exact} → {delta} "
        "{currency} (округление один раз).",
        "recalc.rounding_difference": "Разница округлённых начислений ({rounded} {currency}) "
        "отличается от перерасчёта на {rounding_difference} {currency}.",
        "line.recalc": "Перерасчёт за {period}, проведён в периоде {booked}. Основание: {basis}.",
        "line.recalc.summary": "Начислено за {period}: {old} {currency}; ранее проведённые "
        "корректировки: {before} {currency}; пересчитано сейчас: {new} {currency}; проведена "
        "разница: {diff} {currency} ({mode}).",
        "line.recalc.mode.exact": "точная разница, округлённая один раз",
        "line.recalc.mode.document": "разница значений документов",
        "line.recalc.before": "Было: {text}",
        "line.recalc.now": "Стало: {text}",
        "line.absence.row": "{persons} чел. отсутствовали с {departure} по {arrival}: полных "
        "дней {full_days}, из них в этом месяце {in_month} (дни отъезда и приезда не считаются; "
        "перерасчёт делается при отсутствии более {min_full_days} полных дней).",
        "line.absence": "Перерасчёт за временное отсутствие (ПП 354 п. 148(44)): {amount} "
        "{currency}.",
        "line.mismatch": "Внимание: пересчёт даёт {now} {currency}, в строке записано {stored} "
        "{currency}.",
    },
}

#: every code a note may have (the English templates are the reference)
CODES = tuple(TEMPLATES["en"])


def note(code: str, **params) -> dict:
    """A note of ``code``: its parameters and its English text (the core's own language)."""
    result = {"code": code, "text": "", "params": params}
    result["text"] = render(result, "en_US")
    return result


def _value(name: str, value, lang: str) -> str:
    if name in MONEY:
        return format_number(value, lang, places=2)
    if name in DATES:
        return format_date(value, lang)
    if name in PERIODS:
        return format_period(value, lang)
    if name == "unit":
        return UNITS[_lang(lang)].get(value, str(value or ""))
    if isinstance(value, (date, datetime)):
        return format_date(value, lang)
    if isinstance(value, (Decimal, Fraction, int, float)) and not isinstance(value, bool):
        return format_number(value, lang)
    return "" if value is None else str(value)


def _sub(code: str, params: Mapping, lang: str, currency: str | None) -> str:
    return render({"code": code, "params": params}, lang, currency)


def _derived(code: str, params: Mapping, lang: str, currency: str | None) -> dict:
    """Parameters made of other notes (the terms of a sum, the rows of an absence)."""
    extra = {}
    if code == "formula.norm_units":
        extra["terms"] = " + ".join(
            _sub(
                "formula.norm_units.term_category"
                if u.get("category")
                else "formula.norm_units.term",
                u,
                lang,
                currency,
            )
            for u in params.get("units") or []
        )
    elif code == "formula.containers":
        extra["terms"] = " + ".join(
            _sub("formula.containers.term", c, lang, currency)
            for c in params.get("containers") or []
        )
    elif code == "adjustment.absence":
        extra["rows"] = "; ".join(
            _sub(
                "adjustment.absence.row" if row.get("counted") else "adjustment.absence.row_short",
                row,
                lang,
                currency,
            )
            for row in params.get("rows") or []
        )
    elif code == "line.recalc.summary" and params.get("mode") in ("exact", "document"):
        extra["mode"] = _sub(f"line.recalc.mode.{params['mode']}", {}, lang, currency)
    return extra


def render(item: Mapping, lang: str | None = "ru_RU", currency: str | None = None) -> str:
    """The text of a note in ``lang`` (Russian for ``ru*``, English otherwise).

    ``currency``: the symbol written after the amounts in Russian (default "руб."). A note of
    a code without a template shows its own ``text``.
    """
    key = _lang(lang)
    code = item.get("code")
    template = TEMPLATES[key].get(code) or TEMPLATES["en"].get(code)
    if template is None:
        return str(item.get("text") or "")
    params = dict(item.get("params") or {})
    values = {name: _value(name, value, lang) for name, value in params.items()}
    values.update(_derived(code, params, lang, currency))
    values.setdefault("currency", currency or CURRENCY[key])
    text = template.format_map(_Missing(values))
    if values["currency"].endswith("."):  # "руб." at the end of a sentence
        text = text.replace(values["currency"] + ".", values["currency"])
    return text


class _Missing(dict):
    """Format values; a parameter the note lacks shows empty rather than failing."""

    def __missing__(self, key):
        return ""
