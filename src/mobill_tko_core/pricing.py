"""Which tariff, norm and VAT rate apply: the one rule of the operator's price book.

The Odoo side reads the tariffs, norms and VAT rates of a company valid in a date window with
one SQL reader (``tko.pricing._price_book``) and hands the rows to :func:`book_from_rows`; the
mass charge engine asks this module per account or contract line, ``tko.pricing`` per object
and date (the "tariff and norms on a date" screen). Both get the same answer because there is
one rule:

Tariff (:func:`tariff_for`)
    the contract's own (individual) tariff of the unit in force, else the tariff of the object's
    zone for the consumer group and the unit (the group: :func:`consumer_group_for`).
Norm (:func:`norm_for`)
    the norm of the category in the object's zone in force, else the norm of the category valid
    in every zone (a norm without a zone); the category of a personal account:
    :func:`norm_category_for`.
VAT (:func:`vat_rate_at`)
    the company's own VAT rate in force on the day, else the shared one, else the rate of the law
    (:data:`~mobill_tko_core.charges.DEFAULT_VAT_TABLE`).

Versions are tuples in the shape :mod:`mobill_tko_core.billing` cuts months with: a tariff
``(date_from, date_to, price, vat_mode, id)`` (``vat_mode`` in the core's terms), a norm
``(date_from, date_to, value, id)``; ``date_to`` ``None`` is an open end. "In force on a
segment" means valid on each of its days.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from mobill_tko_core.charges import DEFAULT_VAT_TABLE, vat_rate_on

__all__ = [
    "DWELLINGS",
    "OTHER",
    "POPULATION",
    "TARIFF_VAT_MODES",
    "NormCategories",
    "PriceBook",
    "book_from_rows",
    "choose_norm",
    "choose_tariff",
    "consumer_group_for",
    "in_force",
    "norm_category_for",
    "norm_for",
    "norm_versions",
    "tariff_for",
    "tariff_versions",
    "vat_rate_at",
]

POPULATION = "population"
OTHER = "other"
#: object kinds whose occupants are the population (ПП 354)
DWELLINGS = frozenset({"apartment", "house"})
#: tko.tariff.vat_mode -> core vat_mode
TARIFF_VAT_MODES = {"included": "included", "excluded": "excluded", "exempt": "not_subject"}


@dataclass(frozen=True, slots=True)
class NormCategories:
    """The company's norm categories of personal accounts (ids; ``None``: not set)."""

    apartment: int | None = None
    house: int | None = None
    area: int | None = None


@dataclass(frozen=True, slots=True)
class PriceBook:
    """Tariffs, norms and VAT rates of one company valid in a date window, indexed.

    ``tariffs``: ``(zone, consumer group, uom)`` → versions of the zone's tariffs;
    ``own_tariffs``: ``(contract, uom)`` → the contract's individual tariff versions;
    ``norms``: ``(category, zone or None, uom)`` → norm versions; ``vat``: ``(date_from,
    date_to, rate, own)`` rows (``own``: the company's own rate, else shared); ``codes``: norm
    category id → code. Versions are sorted by ``date_from``.
    """

    tariffs: Mapping[tuple, tuple] = field(default_factory=dict)
    own_tariffs: Mapping[tuple, tuple] = field(default_factory=dict)
    norms: Mapping[tuple, tuple] = field(default_factory=dict)
    vat: tuple = ()
    categories: NormCategories = field(default_factory=NormCategories)
    codes: Mapping[int, str] = field(default_factory=dict)


def book_from_rows(
    tariff_rows: Iterable[Sequence] = (),
    norm_rows: Iterable[Sequence] = (),
    vat_rows: Iterable[Sequence] = (),
    categories: NormCategories | None = None,
    codes: Mapping[int, str] | None = None,
) -> PriceBook:
    """A price book from plain rows (as the SQL reader returns them).

    ``tariff_rows``: ``(id, zone, consumer_group, uom, contract, price, vat_mode, date_from,
    date_to)`` with ``vat_mode`` of ``tko.tariff`` (``included``, ``excluded``, ``exempt``);
    ``norm_rows``: ``(id, category, zone, uom, value, date_from, date_to)``; ``vat_rows``:
    ``(date_from, date_to, rate, company_id or None)``. Numbers may be text or ``Decimal``.
    """
    tariffs, own = defaultdict(list), defaultdict(list)
    for tid, zone, group, uom, contract, price, mode, df, dt in sorted(
        tariff_rows, key=lambda r: r[7]
    ):
        version = (df, dt, Decimal(price), TARIFF_VAT_MODES.get(mode, mode), tid)
        if contract:
            own[(contract, uom)].append(version)
        else:
            tariffs[(zone or None, group, uom)].append(version)
    norms = defaultdict(list)
    for nid, category, zone, uom, value, df, dt in sorted(norm_rows, key=lambda r: r[5]):
        norms[(category, zone or None, uom)].append((df, dt, Decimal(value), nid))
    vat = tuple(
        (df, dt, Decimal(rate), bool(company))
        for df, dt, rate, company in sorted(vat_rows, key=lambda r: r[0])
    )
    return PriceBook(
        {k: tuple(v) for k, v in tariffs.items()},
        {k: tuple(v) for k, v in own.items()},
        {k: tuple(v) for k, v in norms.items()},
        vat,
        categories or NormCategories(),
        dict(codes or {}),
    )


# ---------------------------------------------------------------------------------------------
# the rule
# ---------------------------------------------------------------------------------------------


def consumer_group_for(kind: str | None, contract=None, individual: bool = False) -> str:
    """The tariff's consumer group: ``other`` for a contract (legal entities and entrepreneurs),
    ``population`` for a personal account (an individual pays the population's final tariff,
    ПП 354), else by the object: ``population`` for a dwelling, ``other`` for the rest."""
    if contract:
        return OTHER
    if individual or kind in DWELLINGS:
        return POPULATION
    return OTHER


def norm_category_for(categories: NormCategories, method: str, kind: str | None) -> int | None:
    """The norm category of a personal account: per m² for a charge by area, else per person
    of a house (falling back to the apartment's category when the company set none) or of an
    apartment."""
    if method == "area":
        return categories.area
    if kind == "house":
        return categories.house or categories.apartment
    return categories.apartment


def in_force(versions: Sequence[tuple], start: date, end: date | None = None):
    """The first version valid on every day of ``start``..``end`` (``end`` None: ``start``)."""
    end = start if end is None else end
    for version in versions:
        df, dt = version[0], version[1]
        if (df is None or df <= start) and (dt is None or dt >= end):
            return version
    return None


def choose_tariff(own: Sequence[tuple], zone: Sequence[tuple], start: date, end=None):
    """The contract's own tariff in force, else the zone's (versions of :func:`tariff_versions`)."""
    return in_force(own, start, end) or in_force(zone, start, end)


def choose_norm(zone: Sequence[tuple], anywhere: Sequence[tuple], start: date, end=None):
    """The zone's norm in force, else the norm valid in every zone."""
    return in_force(zone, start, end) or in_force(anywhere, start, end)


def tariff_versions(
    book: PriceBook, zone, group: str, uom: str = "m3", contract=None
) -> tuple[tuple, tuple]:
    """``(own, zone)``: the contract's own tariff versions of the unit and the zone's of the
    group and unit, the two lists :func:`choose_tariff` chooses from."""
    own = book.own_tariffs.get((contract, uom), ()) if contract else ()
    return own, book.tariffs.get((zone or None, group, uom), ())


def norm_versions(book: PriceBook, category, zone, uom: str = "m3") -> tuple[tuple, tuple]:
    """``(zone, anywhere)``: the norm versions of the category in the zone and in every zone."""
    anywhere = book.norms.get((category, None, uom), ())
    if not zone:
        return (), anywhere
    return book.norms.get((category, zone, uom), ()), anywhere


def tariff_for(book: PriceBook, day: date, zone, group: str, uom: str = "m3", contract=None):
    """The tariff version in force on ``day`` (``None``: none)."""
    return choose_tariff(*tariff_versions(book, zone, group, uom, contract), day)


def norm_for(book: PriceBook, category, zone, day: date, uom: str = "m3"):
    """The norm version of the category in force on ``day`` (``None``: none)."""
    return choose_norm(*norm_versions(book, category, zone, uom), day)


def vat_rate_at(book: PriceBook, day: date) -> Decimal:
    """The VAT rate (percent) on ``day``: the company's own, else the shared, else the law's."""
    shared = None
    for df, dt, rate, own in book.vat:
        if (df is None or df <= day) and (dt is None or dt >= day):
            if own:
                return rate
            if shared is None:
                shared = rate
    if shared is not None:
        return shared
    return vat_rate_on(day, DEFAULT_VAT_TABLE)
