from collections import Counter, defaultdict
from datetime import date, timedelta
from itertools import pairwise
from types import GeneratorType

import pytest

from mobill_tko_core import requisites as req
from mobill_tko_core.demo import region as dr


@pytest.fixture(scope="module")
def region():
    return dr.generate()


@pytest.fixture(scope="module")
def records(region):
    return list(region.records())


def of_type(records, cls):
    return [r for r in records if isinstance(r, cls)]


def test_records_are_streamed_not_listed(region):
    stream = region.records()
    assert isinstance(stream, GeneratorType)
    assert iter(stream) is stream
    first = next(stream)
    assert isinstance(first, dr.Partner) and first.is_management_company


def test_same_seed_same_records(records):
    again = list(dr.generate().records())
    assert again == records
    other = list(dr.generate(seed=7).records())
    assert other != records


def test_demo_counts(region, records):
    counts = Counter(type(r) for r in records)
    assert counts[dr.Account] == dr.DEMO_ACCOUNTS == 500
    assert counts[dr.Contract] == dr.DEMO_CONTRACTS == 30
    consumers = [p for p in of_type(records, dr.Partner) if p.kind != "person"]
    legal_consumers = [p for p in consumers if p.is_tko_consumer]
    assert len(legal_consumers) == 30
    assert {p.kind for p in legal_consumers} == {"legal", "entrepreneur"}
    assert len(region.zones) == 2
    assert len(region.districts) >= 2
    assert len(region.settlements) >= 10
    assert {zone for _t, _n, zone in region.settlements} == {1, 2}
    for zone in (1, 2):
        assert sum(1 for *_x, z in region.settlements if z == zone) >= 2
    addresses = of_type(records, dr.Address)
    levels = Counter(a.level for a in addresses)
    assert levels["region"] == 1
    assert levels["district"] == len(region.districts)
    assert levels["locality"] == len(region.settlements)
    assert levels["street"] > 10 and levels["house"] > 50 and levels["premises"] > 200
    kinds = Counter(o.kind for o in of_type(records, dr.ConsumerObject))
    assert kinds["apartment"] > 200 and kinds["house"] > 50
    assert kinds["container_site"] >= 1


def test_accounts_are_on_flats_and_houses_with_characteristics(records):
    objects = {o.id: o for o in of_type(records, dr.ConsumerObject)}
    by_object = defaultdict(set)
    for char in of_type(records, dr.Characteristic):
        by_object[char.object_id].add(char.kind)
    accounts = of_type(records, dr.Account)
    numbers = [a.number for a in accounts]
    assert len(set(numbers)) == len(numbers)
    for account in accounts:
        obj = objects[account.object_id]
        assert obj.kind in ("apartment", "house")
        assert {"residents_permanent", "owners", "area_total"} <= by_object[obj.id]
        assert account.address_id == obj.address_id and account.zone_id == obj.zone_id
        req.validate_account_number(account.number)
    assert numbers[0] == req.account_number_with_check_digit("1000000001")
    assert any(a.date_close for a in accounts), "an owner changed: the old account is closed"
    assert {a.calc_method for a in accounts} == {"residents", "area"}


def test_management_company_manages_apartment_buildings(region, records):
    companies = {p.id for p in region.management_companies}
    assert companies and all(p.is_management_company for p in region.management_companies)
    houses = [a for a in of_type(records, dr.Address) if a.house_kind == "mkd"]
    managed = Counter(h.management_company_id for h in houses if h.management_company_id)
    assert set(managed) <= companies
    assert max(managed.values()) >= 3
    flats = [o for o in of_type(records, dr.ConsumerObject) if o.kind == "apartment"]
    assert any(o.management_company_id for o in flats)


def test_every_requisite_is_valid_and_unique(region, records):
    partners = of_type(records, dr.Partner)
    seen = Counter()
    for p in partners:
        if p.kind == "person":
            if p.vat:
                req.validate_inn(p.vat, "person")
            if p.passport_series:
                req.validate_passport(p.passport_series, p.passport_number)
            assert len(p.name.split()) == 3
        elif p.kind == "entrepreneur":
            req.validate_inn(p.vat, "person")
            req.validate_ogrn(p.ogrn, "entrepreneur")
            assert not p.kpp and p.name.startswith("ИП ")
        else:
            req.validate_inn(p.vat, "legal")
            req.validate_kpp(p.kpp)
            req.validate_ogrn(p.ogrn, "legal")
            assert p.kpp[:4] == p.vat[:4]
        if p.snils:
            req.validate_snils(p.snils)
        for value in (p.vat, p.snils, p.ogrn):
            if value:
                seen[value] += 1
    assert sum(1 for p in partners if p.kind == "person" and p.vat) > 50
    assert sum(1 for p in partners if p.snils) > 300
    assert not [value for value, count in seen.items() if count > 1]
    banks = {b.bic: b for b in region.banks}
    for bank in region.banks:
        req.validate_bik(bank.bic)
        req.validate_correspondent_account(bank.corr_account, bank.bic)
    bank_accounts = of_type(records, dr.BankAccount)
    assert len(bank_accounts) == 30
    for account in bank_accounts:
        req.validate_bank_account(account.acc_number, banks[account.bank_bic].bic)
    operator = region.operator
    req.validate_inn(operator.inn, "legal")
    req.validate_kpp(operator.kpp)
    req.validate_ogrn(operator.ogrn, "legal")
    req.validate_bank_account(operator.bank_account, operator.bank_bic)


def test_contracts_by_norm_containers_and_limit(records):
    lines = of_type(records, dr.ContractLine)
    schemes = Counter(line.scheme for line in lines)
    assert schemes["norm"] >= 15 and schemes["containers"] >= 5 and schemes["limit"] >= 1
    assert {line.norm_category for line in lines if line.scheme == "norm"} == set(
        dr.OTHER_CATEGORIES
    )
    assert all(line.limit_volume > 0 for line in lines if line.scheme == "limit")
    contracts = of_type(records, dr.Contract)
    assert {line.contract_id for line in lines} == {c.id for c in contracts}
    assert {c.id for c in contracts} == {
        c.contract_id for c in of_type(records, dr.ContractCondition)
    }
    assert len({c.number for c in contracts}) == len(contracts)
    chars = of_type(records, dr.Characteristic)
    containers = [c for c in chars if c.kind == "containers"]
    assert {c.container_volume for c in containers} <= set(dr.CONTAINER_VOLUMES)
    assert len({c.container_volume for c in containers}) >= 2
    objects = {o.id: o for o in of_type(records, dr.ConsumerObject)}
    for char in containers:
        assert objects[char.container_site_id].kind == "container_site"
        assert char.schedule_kind == "weekdays" and char.container_count >= 1
        days = [int(day) for day in char.schedule_weekdays.split(",")]
        assert days == sorted(set(days)) and all(1 <= day <= 7 for day in days)
    units = {c.object_id: c for c in chars if c.kind == "units"}
    for line in lines:
        if line.scheme == "norm":
            assert units[line.object_id].norm_category == line.norm_category


def test_references_point_to_earlier_records(records):
    seen = defaultdict(set)
    refs = {
        dr.Address: [("parent_id", dr.Address), ("management_company_id", dr.Partner)],
        dr.ConsumerObject: [
            ("address_id", dr.Address),
            ("partner_id", dr.Partner),
            ("management_company_id", dr.Partner),
        ],
        dr.Characteristic: [
            ("object_id", dr.ConsumerObject),
            ("container_site_id", dr.ConsumerObject),
        ],
        dr.Account: [("partner_id", dr.Partner), ("object_id", dr.ConsumerObject)],
        dr.Contract: [("partner_id", dr.Partner)],
        dr.ContractLine: [("contract_id", dr.Contract), ("object_id", dr.ConsumerObject)],
        dr.ContractCondition: [("contract_id", dr.Contract)],
        dr.BankAccount: [("partner_id", dr.Partner)],
    }
    for record in records:
        for field_name, target in refs.get(type(record), ()):
            value = getattr(record, field_name)
            assert value is None or value in seen[target], (record, field_name)
        assert record.id not in seen[type(record)]
        seen[type(record)].add(record.id)
    for cls, ids in seen.items():
        assert ids == set(range(1, len(ids) + 1)), cls


def test_addresses_have_full_name_zone_and_ancestors(records):
    addresses = {a.id: a for a in of_type(records, dr.Address)}
    for address in addresses.values():
        own = dr.address_own_name(address.level, address.type_name, address.name)
        if address.parent_id is None:
            assert address.full_name == own and address.ancestors == ()
            continue
        parent = addresses[address.parent_id]
        assert address.full_name == f"{parent.full_name}, {own}"
        assert address.ancestors == (*parent.ancestors, parent.id)
        assert address.zone_id == (address.tariff_zone_id or parent.zone_id)
        if address.level in ("street", "house", "premises"):
            assert address.zone_id in (1, 2)
    localities = [a for a in addresses.values() if a.level == "locality"]
    assert all(a.tariff_zone_id for a in localities)


def test_characteristic_versions_do_not_overlap(records):
    chains = defaultdict(list)
    for char in of_type(records, dr.Characteristic):
        key = (char.object_id, char.kind, char.norm_category, char.container_site_id)
        chains[key].append(char)
    with_history = 0
    for versions in chains.values():
        assert [v.version for v in versions] == list(range(len(versions)))
        for before, after in pairwise(versions):
            with_history += 1
            assert before.closed_by_next
            assert before.date_to == after.date_from - timedelta(days=1)
        assert not versions[-1].closed_by_next
        for v in versions:
            assert v.date_to is None or v.date_to >= v.date_from
    assert with_history >= 30, "residents changed in mid-2025 for some accounts"
    residents_changes = [
        c
        for c in of_type(records, dr.Characteristic)
        if c.kind == "residents_permanent" and c.version == 1
    ]
    assert residents_changes
    assert all(date(2025, 5, 1) <= c.date_from <= date(2025, 8, 1) for c in residents_changes)


def test_tariffs_and_norms(region):
    tariffs = region.tariffs
    assert len(tariffs) == 12
    for zone in region.zones:
        for group, vat_mode in (("population", "included"), ("other", "excluded")):
            own = {
                t.date_from.year: t
                for t in tariffs
                if t.zone_id == zone.id and t.consumer_group == group
            }
            assert set(own) == {2024, 2025, 2026}
            assert own[2026].price > own[2025].price > own[2024].price
            assert {t.vat_mode for t in own.values()} == {vat_mode}
            assert own[2024].date_to == date(2024, 12, 31)
            assert own[2025].date_to == date(2025, 12, 31) and own[2026].date_to is None
        net = {
            t.date_from.year: t.price
            for t in tariffs
            if t.zone_id == zone.id and t.consumer_group == "other"
        }
        gross = {
            t.date_from.year: t.price
            for t in tariffs
            if t.zone_id == zone.id and t.consumer_group == "population"
        }
        assert gross[2024] == round(net[2024] * 1.20, 2)
        assert gross[2025] == round(net[2025] * 1.20, 2)
        assert gross[2026] == round(net[2026] * 1.22, 2)
    norms = {(n.category, n.zone_id): n.value for n in region.norms}
    for zone in (1, 2):
        for code in ("POP_MKD", "POP_IJS"):
            assert 1.56 <= norms[code, zone] <= 2.2
        for code in dr.OTHER_CATEGORIES:
            assert 0 < norms[code, zone] < 5
    assert norms["POP_MKD", 1] == 1.56  # the law brief's example E1
    assert norms["SHOP_FOOD", 1] == 0.8  # example E2


@pytest.mark.parametrize(("accounts", "contracts"), [(0, 0), (1, 1), (37, 3), (20_000, 1_000)])
def test_exact_counts_at_any_scale(accounts, contracts):
    region = dr.generate(accounts=accounts, contracts=contracts, seed=11)
    counts = Counter(type(r) for r in region.records())
    assert counts[dr.Account] == accounts
    assert counts[dr.Contract] == contracts
    assert counts[dr.BankAccount] == contracts
    assert len(region.settlements) >= 11


def test_scales_to_more_settlements():
    region = dr.generate(accounts=1_000_000, contracts=50_000)
    assert len(region.districts) >= 20
    assert len(region.settlements) >= 200
    assert sum(loc.accounts for loc in region.localities) == 1_000_000
    assert sum(loc.contracts for loc in region.localities) == 50_000
    names = [(d.type_name, d.name) for d in region.districts]
    assert len(set(names)) == len(names)


def test_full_names_read_the_russian_way(records):
    names = {}
    for address in of_type(records, dr.Address):
        names.setdefault(address.level, address.full_name)
    assert names["region"] == "Приречная обл."
    assert names["district"] == "Приречная обл., город Приреченск г.о."
    assert names["premises"].startswith(
        "Приречная обл., город Приреченск г.о., г. Приреченск, ул. "
    )
    assert ", д. " in names["premises"] and ", кв. " in names["premises"]


def test_translit():
    assert dr.translit("Щербаков") == "scherbakov"
    assert dr.translit("Соловьёв") == "solovev"
