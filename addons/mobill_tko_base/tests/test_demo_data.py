from itertools import pairwise

from odoo.tests import TransactionCase, tagged

from mobill_tko_core import requisites as req
from mobill_tko_core.demo import region as demo_region


@tagged("post_install", "-at_install")
class TestDemoData(TransactionCase):
    """The demo region is in a database installed with demo data, and loads only once."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.region_root = cls.env.ref(
            "mobill_tko_base.demo_address_region", raise_if_not_found=False
        )
        if not cls.region_root:
            cls.skipTest(cls, "the database was installed without demo data")
        cls.company = cls.env.ref("base.main_company")
        cls.region = demo_region.generate()

    def test_operator_company(self):
        company = self.company
        self.assertEqual(company.name, "ООО «ЭкоРегион»")
        self.assertEqual(company.currency_id, self.env.ref("base.RUB"))
        self.assertEqual(company.country_id, self.env.ref("base.ru"))
        req.validate_inn(company.vat, "legal")
        req.validate_ogrn(company.company_registry, "legal")
        req.validate_kpp(company.partner_id.kpp)
        self.assertTrue(company.partner_id.bank_ids)

    def test_zones_settlements_tariffs_norms(self):
        zones = self.env["tko.tariff.zone"].search([("company_id", "=", self.company.id)])
        self.assertGreaterEqual(len(zones), 2)
        demo_zones = self.env.ref("mobill_tko_base.demo_zone_1") | self.env.ref(
            "mobill_tko_base.demo_zone_2"
        )
        Address = self.env["tko.address"]
        region_tree = [("id", "child_of", self.region_root.id)]
        settlements = Address.search([*region_tree, ("level", "=", "locality")])
        self.assertGreaterEqual(len(settlements), 10)
        self.assertEqual(settlements.tariff_zone_id, demo_zones)
        for zone in demo_zones:
            self.assertGreaterEqual(
                len(settlements.filtered(lambda s, z=zone: s.tariff_zone_id == z)), 2
            )
        self.assertGreaterEqual(Address.search_count([*region_tree, ("level", "=", "district")]), 2)
        Tariff = self.env["tko.tariff"]
        for zone in demo_zones:
            for group, vat_mode in (("population", "included"), ("other", "excluded")):
                tariffs = Tariff.search(
                    [("zone_id", "=", zone.id), ("consumer_group", "=", group)], order="date_from"
                )
                self.assertEqual([t.date_from.year for t in tariffs], [2024, 2025, 2026])
                self.assertEqual(tariffs.mapped("price"), sorted(tariffs.mapped("price")))
                self.assertEqual(set(tariffs.mapped("vat_mode")), {vat_mode})
        Norm = self.env["tko.norm"]
        for code in ("POP_MKD", "POP_IJS", *demo_region.OTHER_CATEGORIES):
            self.assertEqual(
                Norm.search_count(
                    [("category_id.code", "=", code), ("zone_id", "in", demo_zones.ids)]
                ),
                2,
                code,
            )
        # the address plan is the generator's: full names computed by the ORM match
        expected = {
            a.full_name
            for a in self.region.iter_records(demo_region.Address)
            if a.level != "premises"
        }
        actual = set(
            Address.search([*region_tree, ("level", "!=", "premises")]).mapped("full_name")
        )
        self.assertEqual(actual, expected)

    def test_personal_accounts(self):
        accounts = self.env["tko.account"].search([("address_id", "child_of", self.region_root.id)])
        self.assertGreaterEqual(len(accounts), 500)
        self.assertFalse(accounts.filtered(lambda a: not a.object_id))
        objects = accounts.object_id
        self.assertEqual(set(objects.mapped("kind")), {"apartment", "house"})
        kinds_by_object = {}
        for char in objects.characteristic_ids:
            kinds_by_object.setdefault(char.object_id.id, set()).add(char.kind)
        for obj in objects:
            self.assertLessEqual(
                {"residents_permanent", "owners", "area_total"}, kinds_by_object.get(obj.id, set())
            )
        self.assertTrue(accounts.filtered("zone_id") == accounts)
        self.assertTrue(accounts.filtered(lambda a: a.state == "closed"))
        persons = accounts.partner_id
        self.assertEqual(set(persons.mapped("tko_kind")), {"person"})
        for person in persons.filtered("snils")[:50]:
            req.validate_snils(person.snils)
        self.assertTrue(persons.filtered("vat"))

    def test_history_of_residents_closed_by_the_model(self):
        chars = self.env["tko.object.characteristic"].search(
            [
                ("object_id.address_id", "child_of", self.region_root.id),
                ("kind", "=", "residents_permanent"),
            ],
            order="object_id, date_from",
        )
        chains = {}
        for char in chars:
            chains.setdefault(char.object_id.id, []).append(char)
        changed = [versions for versions in chains.values() if len(versions) > 1]
        self.assertGreaterEqual(len(changed), 10)
        for versions in changed:
            for before, after in pairwise(versions):
                # the model closed the previous version the day before the next one
                self.assertEqual((after.date_from - before.date_to).days, 1)
            self.assertFalse(versions[-1].date_to)
            self.assertEqual(versions[-1].date_from.year, 2025)

    def test_legal_entities_and_contracts(self):
        contracts = self.env["tko.contract"].search(
            [("line_ids.object_id.address_id", "child_of", self.region_root.id)]
        )
        self.assertGreaterEqual(len(contracts), 30)
        partners = contracts.partner_id
        self.assertGreaterEqual(len(partners), 30)
        self.assertEqual(set(partners.mapped("tko_kind")), {"legal", "entrepreneur"})
        for partner in partners:
            kind = "legal" if partner.tko_kind == "legal" else "person"
            req.validate_inn(partner.vat, kind)
            req.validate_ogrn(partner.ogrn, partner.tko_kind)
            self.assertTrue(partner.bank_ids)
            for bank_account in partner.bank_ids:
                req.validate_bank_account(bank_account.acc_number, bank_account.bank_id.bic)
        lines = contracts.line_ids
        self.assertEqual(set(lines.mapped("scheme")), {"norm", "containers", "limit"})
        self.assertLessEqual(
            set(demo_region.OTHER_CATEGORIES),
            set(lines.filtered(lambda x: x.scheme == "norm").norm_category_id.mapped("code")),
        )
        containers = lines.filtered(lambda x: x.scheme == "containers").object_id.characteristic_ids
        containers = containers.filtered(lambda c: c.kind == "containers")
        self.assertTrue(containers)
        self.assertTrue(all(c.container_site_id.kind == "container_site" for c in containers))
        self.assertTrue(
            all(c.schedule_kind == "weekdays" and c.schedule_weekdays for c in containers)
        )
        self.assertTrue(containers.container_type_id)
        self.assertTrue(all(contract.condition_ids for contract in contracts))
        for key in ("norm", "containers", "limit"):
            self.assertIn(self.env.ref(f"mobill_tko_base.demo_contract_{key}"), contracts)
        # new contracts are numbered after the demo ones
        new = self.env["tko.contract"].create({"partner_id": partners[0].id})
        self.assertNotIn(new.name, contracts.mapped("name"))

    def test_management_company_with_houses(self):
        company = self.env.ref("mobill_tko_base.demo_management_company")
        self.assertTrue(company.is_management_company)
        self.assertEqual(company.management_kind, "uk")
        houses = company.managed_house_ids
        self.assertGreaterEqual(len(houses), 3)
        self.assertEqual(set(houses.mapped("house_kind")), {"mkd"})
        flats = self.env["tko.object"].search([("management_company_id", "=", company.id)])
        self.assertTrue(flats)
        self.assertTrue(
            self.env["tko.account"].search_count([("management_company_id", "=", company.id)])
        )

    def test_loading_again_creates_nothing(self):
        models = [
            "res.partner",
            "tko.address",
            "tko.object",
            "tko.object.characteristic",
            "tko.account",
            "tko.contract",
            "tko.tariff",
            "tko.norm",
            "tko.tariff.zone",
            "res.bank",
            "res.partner.bank",
        ]
        before = {
            model: self.env[model].with_context(active_test=False).search_count([])
            for model in models
        }
        self.assertFalse(self.env["tko.demo.loader"]._load_demo_region())
        after = {
            model: self.env[model].with_context(active_test=False).search_count([])
            for model in models
        }
        self.assertEqual(after, before)
