"""A deterministic, fictional region of a regional operator of solid municipal waste (ТКО).

«Приречная область» (region code 98, fictional and used by no real region) is served by the
regional operator ООО «ЭкоРегион». :func:`generate` plans the region from three numbers — how many
personal accounts, how many contracts with legal entities and entrepreneurs, and the seed — and
:meth:`Region.records` streams its registry records, so that the product's demo (500 accounts,
30 contracts) and the benchmarks (a million accounts) come from the same code.

What the region holds:

* the operator's requisites (:class:`Operator`) and banks with real-looking, valid БИК and
  correspondent accounts (:data:`BANKS`);
* two tariff zones, the tariffs of 2024, 2025 and 2026 for the population (VAT included) and for
  other consumers (VAT on top), and the norms of accumulation of every seeded norm category per
  zone;
* the address plan: the region → municipal districts (the city okrug of the capital and rural
  districts) → settlements (a city, district centres, villages; each carries its tariff zone) →
  streets → houses (apartment buildings, МКД, and individual houses) → premises (flats and
  non-residential premises);
* management companies (УК, ТСЖ) that manage most apartment buildings;
* individuals with personal accounts on flats and houses, with dated characteristics (permanent
  and temporary residents, owners, total area) and some history (residents changed in mid-2025,
  a new owner with a new account);
* legal entities and entrepreneurs with contracts: by norm (shops, offices, schools,
  kindergartens, cafés, hotels, clinics — the seeded category codes), by containers (container
  sites, 0.75 / 1.1 / 8 m³ containers, pick-ups on weekdays) and by a fixed monthly limit, with
  their payment conditions and bank accounts.

Every record carries a local integer ``id`` numbered from 1 per record type, and references other
records by these ids. :meth:`Region.records` yields records so that every reference points to a
record yielded earlier (a parent address before its children, an object before its
characteristics…); loaders map local ids to database ids (a dictionary in the Odoo loader, a
constant offset in the bulk loader). Derived values that the ORM computes itself are given too
(``full_name``, effective ``zone_id``, ``management_company_id`` of objects and accounts), so a
bulk loader can write them directly.

Everything is deterministic: the plan and the records come from :class:`random.Random` seeded
with the seed, and requisites (ИНН, ОГРН, СНИЛС, accounts) are built from counters scrambled by a
bijection, so they are unique and valid. Nothing here depends on today's date. No Odoo inside.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

from mobill_tko_core import requisites as req

DEFAULT_SEED = 2025
DEMO_ACCOUNTS = 500
DEMO_CONTRACTS = 30
REGION_CODE = "98"  # fictional: no Russian region uses it (also in ИНН, КПП, ОГРН, passports)
OPERATOR_START = date(2019, 1, 1)  # the reform: the regional operator began on 01.01.2019
ACCOUNT_SEQUENCE_PREFIX = "10"  # as the ir.sequence "tko.account" (prefix 10, padding 8)
ACCOUNT_SEQUENCE_PADDING = 8
CONTRACT_NUMBER_PREFIX = "ТКО"

# Norm categories seeded by mobill_tko_base (data/tko_reference_data.xml), by code.
POPULATION_CATEGORIES = ("POP_MKD", "POP_IJS", "POP_AREA")
OTHER_CATEGORIES = (
    "SHOP_FOOD",
    "SHOP_GOODS",
    "OFFICE",
    "SCHOOL",
    "KINDERGARTEN",
    "CAFE",
    "HOTEL",
    "CLINIC",
)
# Levels of the address plan whose type follows the name in a full address (as tko.address).
TYPE_AFTER_NAME_LEVELS = frozenset({"region", "district", "settlement_mo"})
CONTAINER_VOLUMES = (0.75, 1.1, 8.0)  # seeded container types used here, by nominal volume


# =========================================================================== records


@dataclass(frozen=True, slots=True)
class Bank:
    bic: str
    name: str
    corr_account: str
    city: str


@dataclass(frozen=True, slots=True)
class Operator:
    """The regional operator (the Odoo company)."""

    name: str
    inn: str
    kpp: str
    ogrn: str
    street: str
    city: str
    zip: str
    phone: str
    email: str
    website: str
    director_name: str
    legal_address: str
    bank_bic: str
    bank_account: str


@dataclass(frozen=True, slots=True)
class Zone:
    id: int
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class Tariff:
    zone_id: int
    consumer_group: str  # population | other
    price: float  # rub/m³
    vat_mode: str  # included | excluded
    date_from: date
    date_to: date | None
    name: str


@dataclass(frozen=True, slots=True)
class Norm:
    category: str  # norm category code
    zone_id: int
    value: float  # m³ per unit per year
    date_from: date
    date_to: date | None
    document: str


@dataclass(frozen=True, slots=True)
class Partner:
    """An individual, an entrepreneur, a legal entity or a management company."""

    id: int
    kind: str  # person | entrepreneur | legal
    name: str
    is_company: bool = False
    is_tko_consumer: bool = True
    is_management_company: bool = False
    management_kind: str | None = None  # uk | tsj | jsk
    vat: str | None = None  # ИНН
    kpp: str | None = None
    ogrn: str | None = None
    snils: str | None = None
    phone: str | None = None
    mobile: str | None = None
    email: str | None = None
    street: str | None = None
    city: str | None = None
    zip: str | None = None
    legal_address: str | None = None
    director_name: str | None = None
    birthdate: date | None = None
    passport_series: str | None = None
    passport_number: str | None = None
    passport_issued_by: str | None = None
    passport_date: date | None = None


@dataclass(frozen=True, slots=True)
class Address:
    """An element of the address plan; ``ancestors`` are the ids from the region down."""

    id: int
    parent_id: int | None
    ancestors: tuple[int, ...]
    level: str  # region | district | locality | street | house | premises
    type_name: str
    name: str
    full_name: str
    zone_id: int | None  # effective zone (own or inherited)
    tariff_zone_id: int | None = None  # own zone (set on settlements)
    postal_code: str | None = None
    house_kind: str | None = None  # mkd | private | other
    premises_kind: str | None = None  # apartment | non_residential
    management_company_id: int | None = None  # partner id, on apartment buildings


@dataclass(frozen=True, slots=True)
class ConsumerObject:
    """tko.object: a flat, a house, a facility or a container site."""

    id: int
    kind: str  # apartment | house | non_residential | facility | container_site
    name: str
    address_id: int
    partner_id: int | None
    zone_id: int | None
    management_company_id: int | None


@dataclass(frozen=True, slots=True)
class Characteristic:
    """One dated version of one characteristic of an object.

    ``version`` numbers the versions of one chain (object, kind, category, site) from 0;
    ``closed_by_next`` says that ``date_to`` is the day before the next version begins (the ORM
    sets it by itself when the next version is created).
    """

    id: int
    object_id: int
    kind: (
        str  # residents_permanent | residents_temporary | owners | area_total | units | containers
    )
    date_from: date
    date_to: date | None = None
    value: float | None = None
    norm_category: str | None = None  # code, for units
    container_volume: float | None = None  # nominal volume of a seeded container type
    container_count: int | None = None
    container_site_id: int | None = None  # ConsumerObject id of kind container_site
    schedule_kind: str | None = None
    schedule_weekdays: str | None = None  # ISO weekdays, "1,3,5"
    version: int = 0
    closed_by_next: bool = False


@dataclass(frozen=True, slots=True)
class Account:
    """A personal account of an individual; address, zone, company repeat the object's."""

    id: int
    number: str
    partner_id: int
    object_id: int
    address_id: int
    zone_id: int | None
    management_company_id: int | None
    date_open: date
    date_close: date | None
    calc_method: str  # residents | area


@dataclass(frozen=True, slots=True)
class Contract:
    id: int
    number: str
    partner_id: int
    date_signed: date | None
    date_start: date
    date_end: date | None
    state: str  # draft | active | terminated


@dataclass(frozen=True, slots=True)
class ContractLine:
    id: int
    contract_id: int
    object_id: int
    scheme: str  # norm | containers | limit
    date_from: date
    date_to: date | None
    norm_category: str | None = None
    limit_volume: float | None = None  # m³ per month


@dataclass(frozen=True, slots=True)
class ContractCondition:
    id: int
    contract_id: int
    date_from: date
    date_to: date | None
    due_day: int
    advance: bool
    advance_share: float | None
    advance_due_day: int


@dataclass(frozen=True, slots=True)
class BankAccount:
    id: int
    partner_id: int
    bank_bic: str
    acc_number: str


Record = (
    Partner
    | Address
    | ConsumerObject
    | Characteristic
    | Account
    | Contract
    | ContractLine
    | ContractCondition
    | BankAccount
)


# =========================================================================== reference data

# Real, public БИК and correspondent accounts of large banks, and two regional banks of the
# fictional region. All pass the Bank of Russia's control-key check.
BANKS = (
    Bank("049805601", "Приреченское отделение № 8598 ПАО Сбербанк", "", "г. Приреченск"),
    Bank("049805712", "АО «Приреченский региональный банк»", "", "г. Приреченск"),
    Bank("044525187", "Банк ВТБ (ПАО)", "30101810700000000187", "г. Москва"),
    Bank("044525593", "АО «Альфа-Банк»", "30101810200000000593", "г. Москва"),
    Bank("044525974", "АО «ТБанк»", "30101810145250000974", "г. Москва"),
)
BANKS = tuple(
    Bank(b.bic, b.name, b.corr_account or req.make_correspondent_account(b.bic), b.city)
    for b in BANKS
)

ZONES = (
    Zone(1, "1", "Зона «Центральная»"),
    Zone(2, "2", "Зона «Лесная»"),
)

# rub/m³ without VAT for other consumers; the population pays the same with VAT (20 % in 2024
# and 2025, 22 % from 2026 — ФЗ № 425-ФЗ). Three years, so that the demo's two years of history
# (scripts/demo_history.py) are all priced.
TARIFF_YEARS = (2024, 2025, 2026)
_TARIFFS_NET = {
    1: {2024: 571.24, 2025: 612.45, 2026: 668.37},
    2: {2024: 654.02, 2025: 701.18, 2026: 765.33},
}
_TARIFF_ORDERS = {
    2024: "Приказ Комитета по тарифам Приречной области от 20.12.2023 № 198-т",
    2025: "Приказ Комитета по тарифам Приречной области от 18.12.2024 № 245-т",
    2026: "Приказ Комитета по тарифам Приречной области от 19.12.2025 № 312-т",
}
_VAT = {2024: 0.20, 2025: 0.20, 2026: 0.22}

# m³ per unit per year, zone 1 / zone 2.
NORM_VALUES = {
    "POP_MKD": (1.56, 1.72),
    "POP_IJS": (1.98, 2.20),
    "POP_AREA": (0.062, 0.071),
    "SHOP_FOOD": (0.80, 0.86),
    "SHOP_GOODS": (0.42, 0.45),
    "OFFICE": (1.12, 1.20),
    "SCHOOL": (0.17, 0.19),
    "KINDERGARTEN": (0.45, 0.50),
    "CAFE": (1.97, 2.10),
    "HOTEL": (1.60, 1.75),
    "CLINIC": (0.35, 0.38),
    "GARAGE": (0.62, 0.66),
}
NORM_DOCUMENT = "Приказ министерства ЖКХ Приречной области от 27.11.2018 № 112-н"


def _operator() -> Operator:
    bank = BANKS[0]
    street = "ул. Промышленная, д. 7"
    city = "г. Приреченск"
    zip_code = "980010"
    return Operator(
        name="ООО «ЭкоРегион»",
        inn=req.make_inn("980104512"),
        kpp="980101001",
        ogrn=req.make_ogrn("118980100451"),
        street=street,
        city=city,
        zip=zip_code,
        phone="+7 (8520) 45-67-89",
        email="info@ekoregion.example.ru",
        website="https://ekoregion.example.ru",
        director_name="Соколов Андрей Викторович",
        legal_address=f"{zip_code}, Приречная обл., {city}, {street}",
        bank_bic=bank.bic,
        bank_account=req.make_bank_account(bank.bic, "4070281076" + "000012345"),
    )


def _tariffs() -> list[Tariff]:
    tariffs = []
    for zone in ZONES:
        for year in TARIFF_YEARS:
            net = _TARIFFS_NET[zone.id][year]
            date_to = date(year, 12, 31) if year != TARIFF_YEARS[-1] else None
            start = date(year, 1, 1)
            name = _TARIFF_ORDERS[year]
            gross = round(net * (1 + _VAT[year]) + 1e-9, 2)
            tariffs.append(Tariff(zone.id, "population", gross, "included", start, date_to, name))
            tariffs.append(Tariff(zone.id, "other", net, "excluded", start, date_to, name))
    return tariffs


def _norms() -> list[Norm]:
    return [
        Norm(code, zone.id, NORM_VALUES[code][zone.id - 1], OPERATOR_START, None, NORM_DOCUMENT)
        for code in (*POPULATION_CATEGORIES, *OTHER_CATEGORIES)
        for zone in ZONES
    ]


# =========================================================================== names

_MALE_FIRST = (
    "Александр Алексей Андрей Антон Артём Борис Вадим Валерий Василий Виктор Виталий Владимир "
    "Владислав Геннадий Георгий Григорий Денис Дмитрий Евгений Егор Иван Игорь Илья Кирилл "
    "Константин Леонид Максим Михаил Никита Николай Олег Павел Пётр Роман Руслан Сергей "
    "Станислав Степан Юрий Ярослав"
).split()
_FEMALE_FIRST = (
    "Александра Алёна Алина Анастасия Анна Валентина Вера Виктория Галина Дарья Евгения "
    "Екатерина Елена Елизавета Жанна Зоя Инна Ирина Кристина Ксения Лариса Людмила Любовь "
    "Маргарита Марина Мария Надежда Наталья Нина Оксана Ольга Полина Светлана Софья Тамара "
    "Татьяна Ульяна Юлия Яна"
).split()
_PATRONYMICS = (
    "Александрович Алексеевич Андреевич Антонович Борисович Вадимович Валерьевич Васильевич "
    "Викторович Витальевич Владимирович Геннадьевич Георгиевич Григорьевич Денисович "
    "Дмитриевич Евгеньевич Егорович Иванович Игоревич Ильич Кириллович Константинович "
    "Леонидович Максимович Михайлович Николаевич Олегович Павлович Петрович Романович "
    "Сергеевич Станиславович Степанович Юрьевич Ярославович"
).split()
_SURNAMES = (
    "Иванов Смирнов Кузнецов Попов Васильев Петров Соколов Михайлов Новиков Фёдоров Морозов "
    "Волков Алексеев Лебедев Семёнов Егоров Павлов Козлов Степанов Николаев Орлов Андреев "
    "Макаров Никитин Захаров Зайцев Соловьёв Борисов Яковлев Григорьев Романов Воробьёв Сергеев "
    "Кузьмин Фролов Александров Дмитриев Королёв Гусев Киселёв Ильин Максимов Поляков Сорокин "
    "Виноградов Ковалёв Белов Медведев Антонов Тарасов Жуков Баранов Филиппов Комаров Давыдов "
    "Беляев Герасимов Богданов Осипов Сидоров Матвеев Титов Марков Миронов Крылов Куликов "
    "Карпов Власов Мельников Денисов Гаврилов Тихонов Казаков Афанасьев Данилов Савельев "
    "Тимофеев Фомин Чернов Абрамов Мартынов Ефимов Федотов Щербаков Назаров Калинин Исаев "
    "Быков Маслов Родионов Коновалов Лазарев Воронин Климов Филатов Пономарёв Голубев "
    "Кудрявцев Прохоров Наумов Потапов Журавлёв Овчинников Трофимов Леонов Соболев Ермаков "
    "Колесников Гончаров Емельянов Никифоров Грачёв Котов Гришин Ефремов Архипов Громов "
    "Кириллов Малышев Панов Моисеев Румянцев Акимов Кондратьев Бирюков Горбунов Анисимов "
    "Ерёмин Галкин Лукьянов Михеев Скворцов Юдин Белоусов Нестеров Симонов Князев Цветков "
    "Шевченко Ткаченко Бондаренко Кравченко Вишневский Ковальский Белых Черных Седых"
).split()

_TRANSLIT = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        "a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh sch - y - e yu ya".split(),
        strict=True,
    )
)


def translit(text: str) -> str:
    """Latin letters for a Russian word (for e-mail addresses)."""
    out = []
    for char in text.lower():
        if char in _TRANSLIT:
            latin = _TRANSLIT[char]
            out.append("" if latin == "-" else latin)
        elif char.isascii() and char.isalnum():
            out.append(char)
    return "".join(out)


def _female_surname(surname: str) -> str:
    if surname.endswith(("ов", "ев", "ёв", "ин", "ын")):
        return surname + "а"
    if surname.endswith("ский"):
        return surname[:-2] + "ая"
    return surname  # Шевченко, Белых: the same for women


def _female_patronymic(patronymic: str) -> str:
    if patronymic == "Ильич":
        return "Ильинична"
    return patronymic[:-2] + "на"  # -ович → -овна, -евич → -евна


# Streets: adjectives (ул. Садовая; more of them: 2-я Садовая) and genitives (ул. Ленина; more:
# пер. 1-й Ленина).
_STREET_ADJ = (
    "Советская Молодёжная Школьная Садовая Центральная Лесная Полевая Набережная Октябрьская "
    "Первомайская Заводская Комсомольская Пролетарская Северная Южная Восточная Западная Новая "
    "Зелёная Рабочая Трудовая Луговая Речная Озёрная Берёзовая Сосновая Рябиновая Весенняя "
    "Солнечная Юбилейная Парковая Вокзальная Станционная Клубная Колхозная Промышленная"
).split()
_STREET_GEN = (
    "Ленина Мира Гагарина Пушкина Кирова Строителей Победы Чехова Лермонтова Горького Калинина "
    "Чапаева Суворова Кутузова Жукова Титова Королёва Маяковского Некрасова Толстого Тургенева "
    "Есенина Свердлова Фрунзе Энергетиков Мелиораторов Дружбы Космонавтов"
).split()

_CAPITAL = ("г.", "Приреченск", "город Приреченск")  # type, settlement, city okrug
# District centres (type, name) and the district's own name.
_DISTRICTS = (
    ("пгт", "Заречный", "Заречный"),
    ("г.", "Лесогорск", "Лесогорский"),
    ("г.", "Старореченск", "Старореченский"),
    ("пгт", "Ключевой", "Ключевской"),
    ("г.", "Краснодольск", "Краснодольский"),
    ("г.", "Верхнедольск", "Верхнедольский"),
    ("пгт", "Сосновка", "Сосновский"),
    ("г.", "Новоключинск", "Новоключинский"),
    ("г.", "Светлоярск", "Светлоярский"),
    ("пгт", "Каменский", "Каменский"),
    ("г.", "Ольховск", "Ольховский"),
    ("г.", "Дубравинск", "Дубравинский"),
    ("пгт", "Озёрный", "Озёрный"),
    ("г.", "Кедрогорск", "Кедрогорский"),
    ("г.", "Нижнеречинск", "Нижнеречинский"),
    ("пгт", "Боровой", "Боровской"),
    ("г.", "Ясноборск", "Ясноборский"),
    ("г.", "Ивнянск", "Ивнянский"),
    ("пгт", "Рудный", "Рудненский"),
    ("г.", "Липецкое Поле", "Полевской"),
    ("г.", "Медвежинск", "Медвежинский"),
    ("пгт", "Таёжный", "Таёжный"),
    ("г.", "Зеленодольск-на-Реке", "Зеленодольский"),
    ("г.", "Малоярск", "Малоярский"),
    ("пгт", "Светлый Яр", "Светлоярский сельский"),
    ("г.", "Гороховец-Приреченский", "Гороховецкий"),
    ("г.", "Сереброярск", "Сереброярский"),
    ("пгт", "Восточный", "Восточный"),
    ("г.", "Камышинск", "Камышинский"),
    ("г.", "Белоключинск", "Белоключинский"),
)
_VILLAGES = (
    ("с.", "Луговое"),
    ("д.", "Берёзовка"),
    ("с.", "Покровское"),
    ("д.", "Ольховка"),
    ("с.", "Никольское"),
    ("д.", "Ключи"),
    ("п.", "Кедровый"),
    ("с.", "Знаменское"),
    ("д.", "Ивановка"),
    ("с.", "Троицкое"),
    ("д.", "Петровка"),
    ("с.", "Успенское"),
    ("д.", "Липовка"),
    ("с.", "Воскресенское"),
    ("д.", "Дубровка"),
    ("с.", "Михайловское"),
    ("д.", "Осиновка"),
    ("с.", "Спасское"),
    ("д.", "Каменка"),
    ("с.", "Ильинское"),
    ("д.", "Малиновка"),
    ("п.", "Лесной"),
    ("д.", "Марьино"),
    ("с.", "Богородское"),
    ("д.", "Горки"),
    ("п.", "Светлый"),
    ("д.", "Выселки"),
    ("с.", "Архангельское"),
    ("д.", "Сосновка"),
    ("с.", "Красное"),
)

_BRANDS = (
    "Колос Радуга Надежда Берёзка Весна Уют Огонёк Меридиан Северянка Каскад Лидер Исток Альянс "
    "Гранит Вектор Сфера Престиж Виктория Магнолия Фортуна Рассвет Заря Восход Стимул Паритет "
    "Импульс Ладья Ярмарка Родник Дубрава Приречье Волна Орбита Мечта Гармония Олимп Атлант "
    "Визит Континент Кристалл"
).split()

_MANAGEMENT_COMPANIES = (
    ("uk", "ООО «УК «Жилкомсервис»"),
    ("uk", "ООО «Управляющая компания «Уютный дом»"),
    ("uk", "АО «Приреченская управляющая компания»"),
    ("uk", "ООО «УК «Комфорт»"),
    ("uk", "ООО «УК «Домовой»"),
)
_HOMEOWNERS = (
    ("tsj", "ТСЖ «Юбилейный»"),
    ("tsj", "ТСЖ «Наш дом»"),
    ("jsk", "ЖСК «Строитель»"),
    ("tsj", "ТСЖ «Северное сияние»"),
)

# Contracts by norm: per category — object kind, object name, units range, name templates
# (``{b}`` a brand, ``{n}`` a number), share of entrepreneurs, bank balance account of a legal
# entity.
_NORM_PROFILES = {
    "SHOP_FOOD": (
        "non_residential",
        "Магазин продовольственных товаров",
        (20, 400),
        ("ООО «{b}»", "ООО «Продукты «{b}»", "ООО «Торговый дом «{b}»"),
        0.4,
        "40702810",
    ),
    "SHOP_GOODS": (
        "non_residential",
        "Магазин непродовольственных товаров",
        (30, 600),
        ("ООО «{b}»", "ООО «Хозтовары «{b}»", "ООО «Стройматериалы «{b}»"),
        0.5,
        "40702810",
    ),
    "OFFICE": (
        "non_residential",
        "Офис",
        (3, 80),
        ("ООО «{b}-Консалт»", "АО «{b}»", "ООО «Юридическая фирма «{b}»"),
        0.2,
        "40702810",
    ),
    "SCHOOL": (
        "facility",
        "Здание школы",
        (150, 1200),
        ("МБОУ «СОШ № {n}»", "МБОУ «Гимназия № {n}»"),
        0.0,
        "40703810",
    ),
    "KINDERGARTEN": (
        "facility",
        "Здание детского сада",
        (40, 280),
        ("МБДОУ «Детский сад № {n} «{b}»",),
        0.0,
        "40703810",
    ),
    "CAFE": (
        "non_residential",
        "Кафе",
        (16, 120),
        ("ООО «Кафе «{b}»", "ООО «Ресторан «{b}»"),
        0.45,
        "40702810",
    ),
    "HOTEL": (
        "facility",
        "Гостиница",
        (10, 150),
        ("ООО «Гостиница «{b}»", "ООО «Отель «{b}»"),
        0.1,
        "40702810",
    ),
    "CLINIC": (
        "facility",
        "Медицинский центр",
        (50, 500),
        ("ООО «Медицинский центр «{b}»", "ООО «Стоматология «{b}»"),
        0.1,
        "40702810",
    ),
}
_CONTAINER_PROFILES = (
    ("Торговый центр", "ООО «Торговый центр «{b}»"),
    ("Производственная база", "ООО «Строительная компания «{b}»"),
    ("Автосервис", "ООО «Автоцентр «{b}»"),
    ("Склад", "ООО «Логистика «{b}»"),
    ("Рынок", "ООО «Рынок «{b}»"),
    ("Автозаправочная станция", "ООО «Топливная компания «{b}»"),
)
_LIMIT_PROFILES = (
    ("Производственный цех", "АО «Приреченский завод ЖБИ «{b}»"),
    ("Животноводческий комплекс", "ООО «Агрофирма «{b}»"),
    ("Лесопильный цех", "ООО «Лесопромышленная компания «{b}»"),
)
_SCHEDULES = ("1,3,5", "2,4,6", "1,4", "1,2,3,4,5", "1,2,3,4,5,6,7", "3")

# МКД: (floors, entrances range, flats per floor range)
_MKD_TYPES = ((2, (1, 3), (2, 4)), (5, (2, 6), (3, 4)), (9, (1, 6), (4, 4)), (16, (1, 3), (4, 6)))
_MKD_TYPE_WEIGHTS = (15, 45, 30, 10)

# Shares (of all accounts) of the capital, district centres and villages; share of flats in
# apartment buildings among the accounts of each.
_SHARE_CAPITAL, _SHARE_CENTRES = 0.45, 0.30
_MKD_SHARE = {"capital": 0.85, "centre": 0.55, "village": 0.04}

RESIDENTS_CHANGE_SHARE = 0.10  # flats and houses whose residents changed in mid-2025
OWNER_CHANGE_SHARE = 0.02  # objects that changed owner: the old account closed, a new one opened
TEMPORARY_RESIDENTS_SHARE = 0.05
AREA_METHOD_SHARE = 0.03


# =========================================================================== plan


@dataclass(slots=True)
class _Locality:
    district: int  # index in Region.districts
    kind: str  # capital | centre | village
    type_name: str
    name: str
    zone_id: int
    postal_code: str
    accounts: int = 0
    contracts: int = 0


@dataclass(slots=True)
class _District:
    type_name: str
    name: str
    phone_code: str
    localities: list[int] = field(default_factory=list)


def address_own_name(level: str, type_name: str | None, name: str) -> str:
    """An element's part of a full address, as ``tko.address`` writes it.

    Russian usage puts the type after the name of a region or a district ("Приречная обл.",
    "Заречный м.р-н") and before the others ("г. Приреченск", "ул. Ленина", "д. 5").
    """
    parts = (name, type_name) if level in TYPE_AFTER_NAME_LEVELS else (type_name, name)
    return " ".join(part for part in parts if part)


def _largest_remainder(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` into integers proportional to ``weights`` (summing exactly to total)."""
    if total <= 0 or not weights:
        return [0] * len(weights)
    weight_sum = sum(weights)
    raw = [total * w / weight_sum for w in weights]
    parts = [int(x) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: (parts[i] - raw[i], i))
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


@dataclass
class Region:
    """A planned region: reference data as lists, the registry streamed by :meth:`records`."""

    seed: int
    accounts: int
    contracts: int
    operator: Operator
    banks: tuple[Bank, ...]
    zones: tuple[Zone, ...]
    tariffs: list[Tariff]
    norms: list[Norm]
    management_companies: list[Partner]
    districts: list[_District]
    localities: list[_Locality]

    # -------------------------------------------------------------- summary of the plan
    @property
    def settlements(self) -> list[tuple[str, str, int]]:
        """(type, name, zone id) of every settlement."""
        return [(loc.type_name, loc.name, loc.zone_id) for loc in self.localities]

    def records(self) -> Iterator[Record]:
        """Stream every registry record, each after the records it references.

        A new pass gives the same records again. Management companies come first, then, per
        settlement: its addresses, individuals with their objects, characteristics and accounts,
        then its legal entities with their objects, contracts, lines, conditions and bank
        accounts.
        """
        return _Builder(self).run()

    def iter_records(self, *types: type) -> Iterator[Record]:
        """The records of the given types only (a full pass over :meth:`records`)."""
        return (record for record in self.records() if isinstance(record, types))


def generate(
    accounts: int = DEMO_ACCOUNTS, contracts: int = DEMO_CONTRACTS, seed: int = DEFAULT_SEED
) -> Region:
    """Plan a region with ``accounts`` personal accounts and ``contracts`` contracts.

    Cheap: the settlements and their quotas are planned here; the records are generated when
    :meth:`Region.records` is iterated.
    """
    if accounts < 0 or contracts < 0:
        raise ValueError("accounts and contracts must not be negative")
    rng = random.Random(f"{seed}:plan")
    rural = max(2, round(accounts / 40_000))
    villages_per_district = max(4, min(14, round(accounts / 12_000)))

    districts = [_District("г.о.", _CAPITAL[2], "8520")]
    localities = [_Locality(0, "capital", _CAPITAL[0], _CAPITAL[1], 1, "980000")]
    districts[0].localities.append(0)
    zone_one_districts = (rural + 1) // 2
    for d in range(1, rural + 1):
        type_name, centre, district_name = _DISTRICTS[(d - 1) % len(_DISTRICTS)]
        if d > len(_DISTRICTS):
            centre = f"{centre}-{(d - 1) // len(_DISTRICTS) + 1}"
            district_name = f"{district_name}-{(d - 1) // len(_DISTRICTS) + 1}"
        zone = 1 if d <= zone_one_districts else 2
        district = _District("м.р-н", district_name, f"85{20 + d:02d}")
        districts.append(district)
        postal = f"98{d:02d}00"
        district.localities.append(len(localities))
        localities.append(_Locality(d, "centre", type_name, centre, zone, postal))
        for v, (vtype, vname) in enumerate(rng.sample(_VILLAGES, villages_per_district), 1):
            district.localities.append(len(localities))
            localities.append(_Locality(d, "village", vtype, vname, zone, f"98{d:02d}{v:02d}"))

    # accounts: the capital, district centres and villages by shares, then random weights
    weights = []
    centres = sum(1 for loc in localities if loc.kind == "centre")
    villages = sum(1 for loc in localities if loc.kind == "village")
    for loc in localities:
        if loc.kind == "capital":
            weights.append(_SHARE_CAPITAL)
        elif loc.kind == "centre":
            weights.append(_SHARE_CENTRES / centres * rng.uniform(0.6, 1.4))
        else:
            weights.append((1 - _SHARE_CAPITAL - _SHARE_CENTRES) / villages * rng.uniform(0.4, 1.6))
    for loc, quota in zip(localities, _largest_remainder(accounts, weights), strict=True):
        loc.accounts = quota
    contract_weights = [
        w * (1.3 if loc.kind != "village" else 0.6) + 1e-6
        for w, loc in zip(weights, localities, strict=True)
    ]
    for loc, quota in zip(localities, _largest_remainder(contracts, contract_weights), strict=True):
        loc.contracts = quota

    numbers = _Numbers()
    management = []
    n_uk = max(1, accounts // 20_000)
    n_home = max(1, accounts // 50_000)
    for i in range(n_uk + n_home):
        kind, name = (
            _MANAGEMENT_COMPANIES[i % len(_MANAGEMENT_COMPANIES)]
            if i < n_uk
            else _HOMEOWNERS[(i - n_uk) % len(_HOMEOWNERS)]
        )
        if i >= len(_MANAGEMENT_COMPANIES) and i < n_uk:
            name = f"{name[:-1]}-{i // len(_MANAGEMENT_COMPANIES) + 1}»"
        inn, kpp = numbers.inn_legal()
        office = f"ул. {_STREET_GEN[i % len(_STREET_GEN)]}, д. {1 + i % 40}"
        management.append(
            Partner(
                id=i + 1,
                kind="legal",
                name=name,
                is_company=True,
                is_tko_consumer=False,
                is_management_company=True,
                management_kind=kind,
                vat=inn,
                kpp=kpp,
                ogrn=numbers.ogrn(2008 + i % 15),
                phone=f"+7 (8520) {20 + i % 70:02d}-{10 + i % 80:02d}-{i % 97:02d}",
                email=f"uk{i + 1}@example.ru",
                city="г. Приреченск",
                street=office,
                zip="980001",
                legal_address=f"980001, Приречная обл., г. Приреченск, {office}",
                director_name=_full_name(rng, rng.random() < 0.5),
            )
        )
    return Region(
        seed=seed,
        accounts=accounts,
        contracts=contracts,
        operator=_operator(),
        banks=BANKS,
        zones=ZONES,
        tariffs=_tariffs(),
        norms=_norms(),
        management_companies=management,
        districts=districts,
        localities=localities,
    )


def _full_name(rng: random.Random, female: bool) -> str:
    surname = rng.choice(_SURNAMES)
    patronymic = rng.choice(_PATRONYMICS)
    if female:
        return (
            f"{_female_surname(surname)} {rng.choice(_FEMALE_FIRST)} "
            f"{_female_patronymic(patronymic)}"
        )
    return f"{surname} {rng.choice(_MALE_FIRST)} {patronymic}"


# =========================================================================== requisites


class _Numbers:
    """Unique valid requisites from counters: ``k = (n × 7919 + c) mod M`` is a bijection."""

    def __init__(self, start: int = 0):
        self.n = {"inn12": start, "inn10": start, "ogrn": start, "ogrnip": start, "snils": start}
        self.n["bank"] = start
        self.n["passport"] = start

    def _next(self, kind: str, modulus: int, shift: int) -> int:
        self.n[kind] += 1
        if self.n[kind] >= modulus:
            raise OverflowError(f"too many {kind} numbers for a unique sequence")
        return (self.n[kind] * 7919 + shift) % modulus

    def inn_person(self) -> str:
        k = self._next("inn12", 40_000_000, 1_234_567)
        return req.make_inn(f"{REGION_CODE}{1 + k // 1_000_000:02d}{k % 1_000_000:06d}")

    def inn_legal(self) -> tuple[str, str]:
        k = self._next("inn10", 4_000_000, 54_321)
        office = f"{REGION_CODE}{1 + k // 100_000:02d}"
        return req.make_inn(f"{office}{k % 100_000:05d}"), f"{office}01001"

    def ogrn(self, year: int) -> str:
        k = self._next("ogrn", 4_000_000, 777)
        return req.make_ogrn(
            f"1{year % 100:02d}{REGION_CODE}{1 + k // 100_000:02d}{k % 100_000:05d}"
        )

    def ogrnip(self, year: int) -> str:
        k = self._next("ogrnip", 1_000_000_000, 999)
        return req.make_ogrn(f"3{year % 100:02d}{REGION_CODE}{k:09d}")

    def snils(self) -> str:
        k = 100_000_000 + self._next("snils", 899_000_000, 4_242)
        return req.make_snils(f"{k:09d}")

    def bank_serial(self) -> int:
        return self._next("bank", 10_000_000, 31_337)

    def passport_number(self) -> str:
        return f"{100_000 + self._next('passport', 900_000, 4_711):06d}"


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    return date(day.year + month // 12, month % 12 + 1, 1)


def _month_between(rng: random.Random, first: date, last: date) -> date:
    """The first day of a random month from ``first`` to ``last`` (both first days of months)."""
    span = (last.year - first.year) * 12 + last.month - first.month
    return _add_months(first, rng.randint(0, span))


# =========================================================================== the stream


class _Builder:
    """One pass over the region: yields the records in dependency order."""

    def __init__(self, region: Region):
        self.region = region
        self.rng = random.Random(f"{region.seed}:records")
        # management companies used the first legal numbers; persons and consumers follow
        self.numbers = _Numbers()
        for _ in region.management_companies:
            self.numbers.inn_legal()
            self.numbers.ogrn(2008)
        self.ids = {
            "partner": len(region.management_companies),
            "address": 0,
            "object": 0,
            "characteristic": 0,
            "account": 0,
            "contract": 0,
            "line": 0,
            "condition": 0,
            "bank_account": 0,
        }
        self.contract_index = 0
        self.norm_index = 0
        self.school_numbers: dict[int, int] = {}
        uk = [p.id for p in region.management_companies if p.management_kind == "uk"]
        home = [p.id for p in region.management_companies if p.management_kind != "uk"]
        self.uk_ids, self.home_ids = uk, home

    def _id(self, kind: str) -> int:
        self.ids[kind] += 1
        return self.ids[kind]

    def _address(self, parent: Address | None, level: str, type_name: str, name: str, **kw):
        own = address_own_name(level, type_name, name)
        if parent is None:
            ancestors, full_name, zone = (), own, kw.get("tariff_zone_id")
        else:
            ancestors = (*parent.ancestors, parent.id)
            full_name = f"{parent.full_name}, {own}"
            zone = kw.get("tariff_zone_id") or parent.zone_id
        return Address(
            id=self._id("address"),
            parent_id=parent.id if parent else None,
            ancestors=ancestors,
            level=level,
            type_name=type_name,
            name=name,
            full_name=full_name,
            zone_id=zone,
            **kw,
        )

    # -------------------------------------------------------------- run
    def run(self) -> Iterator[Record]:
        region = self.region
        yield from region.management_companies
        root = self._address(None, "region", "обл.", "Приречная", postal_code="980000")
        yield root
        for district in region.districts:
            district_address = self._address(root, "district", district.type_name, district.name)
            yield district_address
            for index in district.localities:
                loc = region.localities[index]
                yield from self._locality(loc, district, district_address)

    def _locality(self, loc: _Locality, district: _District, parent: Address):
        rng = self.rng
        address = self._address(
            parent,
            "locality",
            loc.type_name,
            loc.name,
            tariff_zone_id=loc.zone_id,
            postal_code=loc.postal_code,
        )
        yield address
        state = _LocalityState(loc, district, address)
        mkd_quota = round(loc.accounts * _MKD_SHARE[loc.kind])
        private_quota = loc.accounts - mkd_quota
        # apartment buildings
        while mkd_quota > 0:
            street = self._new_street(state)
            yield street
            for _ in range(rng.randint(3, 18)):
                if mkd_quota <= 0:
                    break
                floors, entrances, per_floor = _MKD_TYPES[
                    rng.choices(range(len(_MKD_TYPES)), _MKD_TYPE_WEIGHTS)[0]
                ]
                flats = floors * rng.randint(*entrances) * rng.randint(*per_floor)
                if mkd_quota - flats < 8:
                    flats = mkd_quota  # the last building takes the rest
                used = yield from self._mkd(state, street, flats)
                mkd_quota -= used
        # individual houses
        while private_quota > 0:
            street = self._new_street(state)
            yield street
            for _ in range(rng.randint(12, 60)):
                if private_quota <= 0:
                    break
                used = yield from self._private_house(state, street, private_quota)
                private_quota -= used
        # legal entities and entrepreneurs
        for _ in range(loc.contracts):
            yield from self._contract(state)

    def _new_street(self, state: _LocalityState) -> Address:
        index = len(state.streets)
        adj = len(_STREET_ADJ)
        names = adj + len(_STREET_GEN)  # 64: coprime with 7, so every round uses every name once
        round_, k = index // names, (index * 7 + state.street_shift) % names
        if k < adj:
            base = _STREET_ADJ[k]
            type_name, name = "ул.", base if round_ == 0 else f"{round_ + 1}-я {base}"
        else:
            base = _STREET_GEN[k - adj]
            if round_ == 0:
                type_name, name = ("пр-кт" if base in ("Мира", "Победы") else "ул."), base
            else:
                type_name, name = "пер.", f"{round_}-й {base}"
        street = self._address(state.address, "street", type_name, name)
        state.streets.append([street, 0])
        return street

    def _house_number(self, state: _LocalityState, street_index: int) -> str:
        entry = state.streets[street_index]
        entry[1] += 1
        number = str(entry[1])
        if self.rng.random() < 0.04:
            number += "А"
        return number

    def _house_date(self) -> date:
        rng = self.rng
        if rng.random() < 0.85:
            return OPERATOR_START
        return _month_between(rng, date(2019, 2, 1), date(2025, 10, 1))

    def _management_company(self) -> int | None:
        rng = self.rng
        roll = rng.random()
        if roll < 0.85:
            return rng.choice(self.uk_ids)
        if roll < 0.95:
            return rng.choice(self.home_ids)
        return None  # direct management by the owners

    def _mkd(self, state: _LocalityState, street: Address, flats: int):
        rng = self.rng
        number = self._house_number(state, len(state.streets) - 1)
        house = self._address(
            street,
            "house",
            "д.",
            number,
            postal_code=state.postal_code(),
            house_kind="mkd",
            management_company_id=self._management_company(),
        )
        yield house
        state.mkd_houses.append([house, 0])
        since = self._house_date()
        used = 0
        flat = 0
        while used < flats:
            flat += 1
            premises = self._address(house, "premises", "кв.", str(flat), premises_kind="apartment")
            yield premises
            two = (
                flats - used >= 2 and since < date(2024, 1, 1) and rng.random() < OWNER_CHANGE_SHARE
            )
            used += 2 if two else 1
            yield from self._dwelling(
                state, premises, house, "apartment", f"Квартира № {flat}", since, two
            )
        return used

    def _private_house(self, state: _LocalityState, street: Address, quota: int):
        rng = self.rng
        number = self._house_number(state, len(state.streets) - 1)
        house = self._address(
            street, "house", "д.", number, postal_code=state.postal_code(), house_kind="private"
        )
        yield house
        since = self._house_date()
        two = quota >= 2 and since < date(2024, 1, 1) and rng.random() < OWNER_CHANGE_SHARE
        yield from self._dwelling(
            state, house, house, "house", "Индивидуальный жилой дом", since, two
        )
        return 2 if two else 1

    # -------------------------------------------------------------- individuals
    def _person(self, state: _LocalityState, address: Address, house: Address, born_before: int):
        rng = self.rng
        numbers = self.numbers
        female = rng.random() < 0.54
        surname = rng.choice(_SURNAMES)
        first = rng.choice(_FEMALE_FIRST if female else _MALE_FIRST)
        patronymic = rng.choice(_PATRONYMICS)
        if female:
            surname, patronymic = _female_surname(surname), _female_patronymic(patronymic)
        birth_year = rng.randint(1936, min(born_before, 2006))
        birthdate = date(birth_year, rng.randint(1, 12), rng.randint(1, 28))
        passport = {}
        if rng.random() < 0.5:
            age = 45 if birth_year + 45 <= 2024 else 20 if birth_year + 20 <= 2024 else 14
            issued = birthdate.replace(year=birth_year + age) + timedelta(days=rng.randint(3, 60))
            authority = (
                "УМВД России по Приречной области"
                if issued.year >= 2017
                else "Отделом УФМС России по Приречной области"
            )
            passport = {
                "passport_series": f"{REGION_CODE}{issued.year % 100:02d}",
                "passport_number": numbers.passport_number(),
                "passport_issued_by": authority,
                "passport_date": issued,
            }
        email = None
        if rng.random() < 0.25:
            email = f"{translit(surname)}.{translit(first)[:1]}{rng.randint(1, 99)}@example.ru"
        street_part = address.full_name[len(state.address.full_name) + 2 :]
        return Partner(
            id=self._id("partner"),
            kind="person",
            name=f"{surname} {first} {patronymic}",
            vat=numbers.inn_person() if rng.random() < 0.35 else None,
            snils=numbers.snils() if rng.random() < 0.75 else None,
            mobile=(
                f"+7 9{rng.randint(0, 99):02d} {rng.randint(100, 999)}-"
                f"{rng.randint(10, 99)}-{rng.randint(10, 99)}"
                if rng.random() < 0.8
                else None
            ),
            email=email,
            street=street_part,
            city=f"{state.locality.type_name} {state.locality.name}",
            zip=house.postal_code,
            birthdate=birthdate,
            **passport,
        )

    def _dwelling(self, state, address, house, kind, name, since, owner_change):
        """A flat or a house: owner(s), the object, its characteristics and account(s)."""
        rng = self.rng
        person = self._person(state, address, house, 2006)
        yield person
        obj = ConsumerObject(
            id=self._id("object"),
            kind=kind,
            name=name,
            address_id=address.id,
            partner_id=person.id,
            zone_id=address.zone_id,
            management_company_id=house.management_company_id,
        )
        yield obj
        # characteristics
        residents = rng.choices((0, 1, 2, 3, 4, 5), (8, 25, 30, 20, 12, 5))[0]
        if kind == "house":
            residents = rng.choices((0, 1, 2, 3, 4, 5, 6), (5, 15, 30, 22, 16, 8, 4))[0]
        owners = rng.choices((1, 2, 3), (60, 30, 10))[0]
        area = round(rng.uniform(28, 95) if kind == "apartment" else rng.uniform(45, 180), 1)
        change = since < date(2025, 5, 1) and rng.random() < RESIDENTS_CHANGE_SHARE
        if change:
            changed_on = date(2025, rng.randint(5, 8), 1)
            yield self._char(
                obj,
                "residents_permanent",
                since,
                residents,
                closed_by_next=True,
                date_to=changed_on - timedelta(days=1),
            )
            new = max(0, residents + rng.choice((-2, -1, 1, 2)))
            yield self._char(obj, "residents_permanent", changed_on, new, version=1)
        else:
            yield self._char(obj, "residents_permanent", since, residents)
        yield self._char(obj, "owners", since, owners)
        yield self._char(obj, "area_total", since, area)
        if rng.random() < TEMPORARY_RESIDENTS_SHARE:
            start = max(since, _month_between(rng, date(2024, 9, 1), date(2025, 10, 1)))
            end = _add_months(start, rng.randint(3, 9)) - timedelta(days=1)
            yield self._char(obj, "residents_temporary", start, rng.randint(1, 2), date_to=end)
        # account(s)
        method = "area" if rng.random() < AREA_METHOD_SHARE else "residents"
        if owner_change:
            changed_on = _month_between(rng, max(since, date(2024, 1, 1)), date(2025, 10, 1))
            if changed_on <= since:
                changed_on = _add_months(since, 1)
            yield self._account(person, obj, address, since, changed_on - timedelta(days=1), method)
            buyer = self._person(state, address, house, 2004)
            yield buyer
            yield self._account(buyer, obj, address, changed_on, None, method)
        else:
            yield self._account(person, obj, address, since, None, method)

    def _char(self, obj, kind, date_from, value=None, **kw) -> Characteristic:
        return Characteristic(
            id=self._id("characteristic"),
            object_id=obj.id,
            kind=kind,
            date_from=date_from,
            value=float(value) if value is not None else None,
            **kw,
        )

    def _account(self, person, obj, address, date_open, date_close, method) -> Account:
        number = self._id("account")
        base = f"{ACCOUNT_SEQUENCE_PREFIX}{number:0{ACCOUNT_SEQUENCE_PADDING}d}"
        return Account(
            id=number,
            number=req.account_number_with_check_digit(base),
            partner_id=person.id,
            object_id=obj.id,
            address_id=address.id,
            zone_id=obj.zone_id,
            management_company_id=obj.management_company_id,
            date_open=date_open,
            date_close=date_close,
            calc_method=method,
        )

    # -------------------------------------------------------------- legal entities
    def _premises_or_building(self, state: _LocalityState, kind: str):
        """An address for a facility: non-residential premises in an МКД, or a new building."""
        rng = self.rng
        if kind == "non_residential" and state.mkd_houses:
            entry = rng.choice(state.mkd_houses)
            entry[1] += 1
            house = entry[0]
            premises = self._address(
                house, "premises", "пом.", str(entry[1]), premises_kind="non_residential"
            )
            return [premises], premises, house
        if not state.streets:
            street = self._new_street(state)
            new = [street]
            index = 0
        else:
            new = []
            index = rng.randrange(len(state.streets))
            street = state.streets[index][0]
        number = self._house_number(state, index)
        building = self._address(
            street, "house", "д.", number, postal_code=state.postal_code(), house_kind="other"
        )
        new.append(building)
        return new, building, building

    def _contract(self, state: _LocalityState):
        rng = self.rng
        numbers = self.numbers
        j = self.contract_index
        self.contract_index += 1
        if j % 20 == 19:
            scheme = "limit"
            object_name, template = rng.choice(_LIMIT_PROFILES)
            object_kind, ip_share, balance = "facility", 0.0, "40702810"
            category = None
        elif j % 3 == 1:
            scheme = "containers"
            object_name, template = rng.choice(_CONTAINER_PROFILES)
            object_kind, ip_share, balance = "facility", 0.15, "40702810"
            category = None
        else:
            scheme = "norm"
            category = OTHER_CATEGORIES[self.norm_index % len(OTHER_CATEGORIES)]
            self.norm_index += 1
            object_kind, object_name, _units, templates, ip_share, balance = _NORM_PROFILES[
                category
            ]
            template = rng.choice(templates)
        entrepreneur = rng.random() < ip_share
        brand = rng.choice(_BRANDS)
        district_key = state.locality.district
        self.school_numbers[district_key] = self.school_numbers.get(district_key, 0) + 1
        registered = rng.randint(2003, 2022)
        director = _full_name(rng, rng.random() < 0.45)
        phone_code = state.district.phone_code
        phone = (
            f"+7 ({phone_code}) {rng.randint(20, 79)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}"
        )
        # the place of the first object is also the legal address
        new_addresses, obj_address, house = self._premises_or_building(state, object_kind)
        yield from new_addresses
        if obj_address.level == "house":
            object_kind = "facility"  # a building of its own (a village without МКД)
        street_part = obj_address.full_name[len(state.address.full_name) + 2 :]
        city = f"{state.locality.type_name} {state.locality.name}"
        legal_address = f"{house.postal_code}, Приречная обл., {city}, {street_part}"
        if entrepreneur:
            name = f"ИП {director}"
            partner = Partner(
                id=self._id("partner"),
                kind="entrepreneur",
                name=name,
                vat=numbers.inn_person(),
                ogrn=numbers.ogrnip(registered),
                mobile=f"+7 9{rng.randint(0, 99):02d} {rng.randint(100, 999)}-"
                f"{rng.randint(10, 99)}-{rng.randint(10, 99)}",
                email=f"ip.{translit(director.split()[0])}{j + 1}@example.ru",
                street=street_part,
                city=city,
                zip=house.postal_code,
                legal_address=legal_address,
                director_name=director,
            )
            balance = "40802810"
        else:
            name = template.format(b=brand, n=self.school_numbers[district_key])
            inn, kpp = numbers.inn_legal()
            partner = Partner(
                id=self._id("partner"),
                kind="legal",
                name=name,
                is_company=True,
                vat=inn,
                kpp=kpp,
                ogrn=numbers.ogrn(registered),
                phone=phone,
                email=f"{translit(brand)}-{j + 1}@example.ru",
                street=street_part,
                city=city,
                zip=house.postal_code,
                legal_address=legal_address,
                director_name=director,
            )
        yield partner
        bank = BANKS[rng.choices(range(len(BANKS)), (35, 20, 20, 15, 10))[0]]
        base19 = f"{balance}{rng.randint(1000, 9999)}{numbers.bank_serial():07d}"
        yield BankAccount(
            id=self._id("bank_account"),
            partner_id=partner.id,
            bank_bic=bank.bic,
            acc_number=req.make_bank_account(bank.bic, base19),
        )
        # the contract and its dates
        if j % 30 == 28:
            state_name, start, signed, end = "draft", date(2026, 12, 1), None, None
        else:
            start = (
                OPERATOR_START
                if rng.random() < 0.4
                else _month_between(rng, date(2019, 2, 1), date(2025, 6, 1))
            )
            signed = start - timedelta(days=rng.randint(3, 25))
            state_name, end = "active", None
            if j % 30 == 29 and start < date(2025, 6, 1):
                state_name, end = "terminated", date(2025, 6, 30)
        contract = Contract(
            id=self._id("contract"),
            number=f"{CONTRACT_NUMBER_PREFIX}-{start.year}-{j + 1:05d}",
            partner_id=partner.id,
            date_signed=signed,
            date_start=start,
            date_end=end,
            state=state_name,
        )
        # objects of the contract: one, sometimes two of the same kind
        places = [(obj_address, house)]
        if j % 7 == 3:
            new_addresses, second, second_house = self._premises_or_building(state, object_kind)
            yield from new_addresses
            places.append((second, second_house))
        lines = []
        for index, (place, place_house) in enumerate(places):
            obj = ConsumerObject(
                id=self._id("object"),
                kind=object_kind,
                name=object_name if index == 0 else f"{object_name} № {index + 1}",
                address_id=place.id,
                partner_id=partner.id,
                zone_id=place.zone_id,
                management_company_id=place_house.management_company_id,
            )
            yield obj
            label = place.full_name[len(state.address.full_name) + 2 :]
            yield from self._contract_characteristics(
                obj, place, label, scheme, category, start, end
            )
            lines.append(
                ContractLine(
                    id=self._id("line"),
                    contract_id=contract.id,
                    object_id=obj.id,
                    scheme=scheme,
                    date_from=start,
                    date_to=end,
                    norm_category=category,
                    limit_volume=(round(rng.uniform(8, 60) * 2) / 2 if scheme == "limit" else None),
                )
            )
        yield contract
        yield from lines
        # payment conditions: the 10th of the next month mostly; some changed in 09.2025
        due = rng.choices((10, 15, 25), (70, 20, 10))[0]
        advance = rng.random() < 0.2
        share = rng.choice((30.0, 50.0)) if advance else None
        change = start < date(2025, 9, 1) and end is None and rng.random() < 0.1
        first_to = date(2025, 8, 31) if change else end
        yield ContractCondition(
            self._id("condition"), contract.id, start, first_to, due, advance, share, 18
        )
        if change:
            yield ContractCondition(
                self._id("condition"), contract.id, date(2025, 9, 1), end, 15, advance, share, 18
            )

    def _contract_characteristics(self, obj, place, label, scheme, category, start, end):
        rng = self.rng
        if scheme == "norm":
            low, high = _NORM_PROFILES[category][2]
            units = rng.randint(low, high)
            if start < date(2025, 9, 1) and end is None and rng.random() < 0.2:
                changed = date(2025, 9, 1)
                yield self._char(
                    obj,
                    "units",
                    start,
                    units,
                    norm_category=category,
                    date_to=changed - timedelta(days=1),
                    closed_by_next=True,
                )
                new = max(low, round(units * rng.uniform(0.7, 1.4)))
                yield self._char(obj, "units", changed, new, norm_category=category, version=1)
            else:
                yield self._char(obj, "units", start, units, norm_category=category, date_to=end)
        elif scheme == "containers":
            site = ConsumerObject(
                id=self._id("object"),
                kind="container_site",
                name=f"Контейнерная площадка, {label}",
                address_id=place.id,
                partner_id=obj.partner_id if rng.random() < 0.5 else None,
                zone_id=place.zone_id,
                management_company_id=obj.management_company_id,
            )
            yield site
            volume = rng.choices(CONTAINER_VOLUMES, (30, 50, 20))[0]
            count = rng.randint(1, 2) if volume == 8.0 else rng.randint(1, 4)
            weekdays = rng.choice(_SCHEDULES)
            common = {
                "container_volume": volume,
                "container_site_id": site.id,
                "schedule_kind": "weekdays",
            }
            if start < date(2025, 7, 1) and end is None and rng.random() < 0.15:
                changed = date(2025, 7, 1)
                yield Characteristic(
                    self._id("characteristic"),
                    obj.id,
                    "containers",
                    start,
                    changed - timedelta(days=1),
                    container_count=count,
                    schedule_weekdays=weekdays,
                    closed_by_next=True,
                    **common,
                )
                yield Characteristic(
                    self._id("characteristic"),
                    obj.id,
                    "containers",
                    changed,
                    None,
                    container_count=count + 1,
                    schedule_weekdays=weekdays,
                    version=1,
                    **common,
                )
            else:
                yield Characteristic(
                    self._id("characteristic"),
                    obj.id,
                    "containers",
                    start,
                    end,
                    container_count=count,
                    schedule_weekdays=weekdays,
                    **common,
                )
        else:  # limit: the area of the facility is known, the volume is agreed
            yield self._char(obj, "area_total", start, round(rng.uniform(300, 5000)), date_to=end)


class _LocalityState:
    """What a settlement's legal entities need: its streets and apartment buildings."""

    __slots__ = ("address", "district", "locality", "mkd_houses", "street_shift", "streets")

    def __init__(self, locality: _Locality, district: _District, address: Address):
        self.locality = locality
        self.district = district
        self.address = address
        self.streets: list[list] = []  # [street address, last house number]
        self.mkd_houses: list[list] = []  # [house address, last non-residential premises]
        self.street_shift = (address.id * 13) % (len(_STREET_ADJ) + len(_STREET_GEN))

    def postal_code(self) -> str:
        if self.locality.kind == "capital":
            return f"9800{1 + len(self.streets) % 60:02d}"
        return self.locality.postal_code
