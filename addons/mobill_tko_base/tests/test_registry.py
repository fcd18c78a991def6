from datetime import date

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from mobill_tko_core import requisites as req

from .common import RegistryCase


@tagged("post_install", "-at_install")
class TestRegistry(RegistryCase):
    # ------------------------------------------------------------------ requisites
    def test_checksums_reject_bad_numbers_with_clear_message(self):
        self.env["res.lang"]._activate_lang("ru_RU")
        self.env["ir.module.module"]._load_module_terms(["mobill_tko_base"], ["ru_RU"])
        partner = self.env["res.partner"].with_context(lang="ru_RU")
        cases = [
            ({"vat": "7707083894", "tko_kind": "legal"}, "ИНН"),
            ({"vat": "77070838", "tko_kind": "legal"}, "ИНН"),
            ({"ogrn": "1027700132196", "tko_kind": "legal"}, "ОГРН"),
            ({"snils": "112-233-445 96", "tko_kind": "person"}, "СНИЛС"),
            ({"kpp": "77AB01001", "tko_kind": "legal"}, "КПП"),
        ]
        for vals, word in cases:
            with self.subTest(vals=vals), self.assertRaises(ValidationError) as ctx:
                partner.create({"name": "Проверка", "is_tko_consumer": True, **vals})
            self.assertIn(word, str(ctx.exception), "the message names the requisite in Russian")
        # the same numbers with a valid checksum are accepted
        ok = partner.create(
            {
                "name": "ПАО Сбербанк",
                "is_tko_consumer": True,
                "tko_kind": "legal",
                "vat": "7707083893",
                "kpp": "773601001",
                "ogrn": "1027700132195",
            }
        )
        self.assertTrue(ok)

    def test_bank_account_key_checked_against_bik(self):
        bank = self.env["res.bank"].create(
            {"name": "ПАО Сбербанк", "bic": "044525225", "corr_account": "30101810400000000225"}
        )
        good = "40702810938000000001"
        self.assertEqual(req.validate_bank_account(good, "044525225"), good)
        self.env["res.partner.bank"].create(
            {"acc_number": good, "bank_id": bank.id, "partner_id": self.person.id}
        )
        with self.assertRaises(ValidationError):
            self.env["res.partner.bank"].create(
                {
                    "acc_number": "40702810938000000002",
                    "bank_id": bank.id,
                    "partner_id": self.person.id,
                }
            )
        with self.assertRaises(ValidationError):
            self.env["res.bank"].create(
                {"name": "X", "bic": "044525225", "corr_account": "30101810400000000226"}
            )

    def test_requisites_history_and_lookup_at_date(self):
        legal = self.env["res.partner"].create(
            {
                "name": "ООО «Ромашка»",
                "is_tko_consumer": True,
                "tko_kind": "legal",
                "vat": "7707083893",
                "kpp": "773601001",
                "legal_address": "г. Энск, ул. Ленина, д. 1",
            }
        )
        legal.with_context(requisites_date_from=date(2026, 3, 1)).write(
            {"name": "ООО «Ромашка-Плюс»", "legal_address": "г. Энск, ул. Мира, д. 2"}
        )
        legal.with_context(requisites_date_from=date(2026, 6, 1)).write({"kpp": "773601002"})
        history = legal.requisite_history_ids
        self.assertEqual(len(history), 3)
        self.assertEqual(set(history.mapped("create_uid")), {self.env.user})
        feb = legal.requisites_at(date(2026, 2, 15))
        self.assertEqual(feb["name"], "ООО «Ромашка»")
        self.assertEqual(feb["legal_address"], "г. Энск, ул. Ленина, д. 1")
        self.assertEqual(feb["kpp"], "773601001")
        march = legal.requisites_at(date(2026, 3, 20))
        self.assertEqual(march["name"], "ООО «Ромашка-Плюс»")
        self.assertEqual(march["kpp"], "773601001")
        july = legal.requisites_at(date(2026, 7, 1))
        self.assertEqual(july["kpp"], "773601002")

    def test_requisites_wizard_applies_from_date(self):
        wizard = (
            self.env["tko.requisites.change.wizard"]
            .with_context(default_partner_id=self.person.id)
            .create({"date_from": date(2026, 4, 1), "phone": "+7 900 000-00-01"})
        )
        wizard.action_apply()
        self.assertEqual(self.person.phone, "+7 900 000-00-01")
        self.assertFalse(self.person.requisites_at(date(2026, 3, 31))["phone"])

    # ------------------------------------------------------------------ address plan
    def test_address_full_name_zone_and_search(self):
        self.assertEqual(self.flat.full_name, "Энская обл., г. Энск, ул. Ленина, д. 5, кв. 12")
        self.assertEqual(
            self.flat.zone_id, self.zone, "the zone of the settlement reaches the premises"
        )
        found = self.env["tko.address"].name_search("Ленина 5 12")
        self.assertEqual([r[0] for r in found], [self.flat.id])
        self.street.name = "Мира"
        self.assertIn("ул. Мира", self.flat.full_name)
        with self.assertRaises(ValidationError):
            self.env["tko.address"].create(
                {"name": "X", "level": "region", "parent_id": self.town.id}
            )

    # ------------------------------------------------------------------ characteristics
    def test_characteristic_versions_and_lookup_at_date(self):
        Char = self.env["tko.object.characteristic"]
        first = Char.create(
            {
                "object_id": self.obj.id,
                "kind": "residents_permanent",
                "value": 3,
                "date_from": date(2025, 1, 1),
            }
        )
        second = Char.create(
            {
                "object_id": self.obj.id,
                "kind": "residents_permanent",
                "value": 2,
                "date_from": date(2025, 7, 1),
            }
        )
        Char.create(
            {
                "object_id": self.obj.id,
                "kind": "area_total",
                "value": 54.3,
                "date_from": date(2025, 1, 1),
            }
        )
        self.assertEqual(
            first.date_to, date(2025, 6, 30), "the new version closes the previous one"
        )
        self.assertFalse(second.date_to)
        values = self.obj.characteristics_at(date(2025, 3, 1))[self.obj.id]
        self.assertEqual(values["residents_permanent"], 3)
        self.assertEqual(values["area_total"], 54.3)
        self.assertEqual(
            self.obj.characteristics_at(date(2025, 8, 1))[self.obj.id]["residents_permanent"], 2
        )
        self.assertEqual(self.obj.characteristics_at(date(2024, 12, 31)), {})
        with self.assertRaises(UserError):
            first.value = 5
        with self.assertRaises(ValidationError):
            Char.create(
                {
                    "object_id": self.obj.id,
                    "kind": "residents_permanent",
                    "value": 1,
                    "date_from": date(2025, 3, 1),
                    "date_to": date(2025, 3, 31),
                }
            )

    # ------------------------------------------------------------------ accounts and contracts
    def test_account_number_gets_check_digit(self):
        account = self.env["tko.account"].create(
            {"partner_id": self.person.id, "object_id": self.obj.id}
        )
        self.assertEqual(req.validate_account_number(account.name), account.name)
        self.assertEqual(account.debt, 0)
        with self.assertRaises(ValidationError):
            self.env["tko.account"].create(
                {
                    "name": account.name[:-1] + str((int(account.name[-1]) + 1) % 10),
                    "partner_id": self.person.id,
                    "object_id": self.obj.id,
                }
            )

    def test_contract_states_and_dated_conditions(self):
        legal = self.env["res.partner"].create(
            {"name": "ИП Петров", "is_tko_consumer": True, "tko_kind": "entrepreneur"}
        )
        shop = self.env["tko.object"].create(
            {
                "name": "Магазин",
                "kind": "non_residential",
                "address_id": self.house.id,
                "partner_id": legal.id,
            }
        )
        contract = self.env["tko.contract"].create(
            {"partner_id": legal.id, "date_start": date(2025, 1, 1)}
        )
        self.assertTrue(contract.name.startswith("ТКО-"))
        with self.assertRaises(UserError):
            contract.action_activate()
        category = self.env.ref("mobill_tko_base.norm_category_shop_food")
        contract.line_ids = [
            (
                0,
                0,
                {
                    "object_id": shop.id,
                    "scheme": "norm",
                    "norm_category_id": category.id,
                    "date_from": date(2025, 1, 1),
                },
            )
        ]
        contract.condition_ids = [
            (0, 0, {"date_from": date(2025, 1, 1), "date_to": date(2025, 12, 31), "due_day": 10}),
            (
                0,
                0,
                {
                    "date_from": date(2026, 1, 1),
                    "due_day": 15,
                    "advance": True,
                    "advance_share": 50,
                },
            ),
        ]
        contract.action_activate()
        self.assertEqual(contract.state, "active")
        self.assertEqual(contract.conditions_at(date(2025, 5, 1)).due_day, 10)
        self.assertEqual(contract.conditions_at(date(2026, 5, 1)).due_day, 15)
        contract.action_terminate()
        self.assertEqual(contract.state, "terminated")
        with self.assertRaises(UserError):
            contract.action_suspend()

    # ------------------------------------------------------------------ tariffs, norms, VAT
    def test_single_place_answers_tariff_norm_vat(self):
        pricing = self.env["tko.pricing"]
        Tariff = self.env["tko.tariff"]
        Tariff.create(
            {
                "zone_id": self.zone.id,
                "consumer_group": "population",
                "price": 557.76,
                "vat_mode": "included",
                "date_from": date(2025, 1, 1),
                "date_to": date(2025, 12, 31),
            }
        )
        t2026 = Tariff.create(
            {
                "zone_id": self.zone.id,
                "consumer_group": "population",
                "price": 600.00,
                "vat_mode": "included",
                "date_from": date(2026, 1, 1),
            }
        )
        category = self.env.ref("mobill_tko_base.norm_category_mkd")
        self.env["tko.norm"].create(
            {"category_id": category.id, "value": 1.56, "date_from": date(2020, 1, 1)}
        )
        zone_norm = self.env["tko.norm"].create(
            {
                "category_id": category.id,
                "zone_id": self.zone.id,
                "value": 1.8,
                "date_from": date(2026, 1, 1),
            }
        )
        terms_2025 = pricing._terms(self.obj, date(2025, 12, 31), categories=category)
        self.assertEqual(terms_2025["tariff"].price, 557.76)
        self.assertAlmostEqual(terms_2025["norms"][category].value, 1.56)
        self.assertEqual(terms_2025["vat_rate"], 20)
        terms_2026 = pricing._terms(self.obj, date(2026, 1, 1), categories=category)
        self.assertEqual(terms_2026["tariff"], t2026)
        self.assertEqual(terms_2026["norms"][category], zone_norm, "the zone's own norm wins")
        self.assertEqual(terms_2026["vat_rate"], 22)
        with self.assertRaises(ValidationError):
            Tariff.create(
                {
                    "zone_id": self.zone.id,
                    "consumer_group": "population",
                    "price": 1,
                    "date_from": date(2026, 6, 1),
                }
            )
        check = self.env["tko.pricing.check"].create(
            {"object_id": self.obj.id, "date": date(2026, 2, 1)}
        )
        self.assertEqual(check.tariff_id, t2026)
        self.assertEqual(check.vat_rate, 22)

    # ------------------------------------------------------------------ security
    def test_other_company_cannot_read_or_write(self):
        other = self.env["res.company"].create({"name": "Другой региональный оператор"})
        user = self.env["res.users"].create(
            {
                "name": "Оператор другой компании",
                "login": "other_op",
                "company_id": other.id,
                "company_ids": [(6, 0, [other.id])],
                "groups_id": [(6, 0, [self.env.ref("mobill_tko_base.group_tko_operator").id])],
            }
        )
        self.assertEqual(self.person.company_id, self.company, "a consumer belongs to its operator")
        account = self.env["tko.account"].create(
            {"partner_id": self.person.id, "object_id": self.obj.id}
        )
        for model, record in (
            ("res.partner", self.person),
            ("tko.object", self.obj),
            ("tko.account", account),
            ("tko.address", self.flat),
        ):
            as_other = self.env[model].with_user(user)
            self.assertFalse(as_other.search([("id", "=", record.id)]), model)
            with self.assertRaises(AccessError):
                as_other.browse(record.id).read(["display_name"])
            with self.assertRaises(AccessError):
                as_other.browse(record.id).write({"name": "Взлом"})

    def test_readonly_manager_cannot_change(self):
        user = self.env["res.users"].create(
            {
                "name": "Руководитель",
                "login": "ro_mgr",
                "groups_id": [(6, 0, [self.env.ref("mobill_tko_base.group_tko_readonly").id])],
            }
        )
        self.assertTrue(self.env["tko.object"].with_user(user).search([("id", "=", self.obj.id)]))
        with self.assertRaises(AccessError):
            self.obj.with_user(user).write({"name": "Изменено"})
        with self.assertRaises(AccessError):
            self.env["tko.tariff"].with_user(user).create(
                {"price": 1, "date_from": date(2026, 1, 1)}
            )
