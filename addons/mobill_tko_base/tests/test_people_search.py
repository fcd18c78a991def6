from datetime import date

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestPeopleSearch(TransactionCase):
    """One search for people: Consumers menu, Personal accounts list, quick search."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        Address = cls.env["tko.address"]
        town = Address.create({"name": "Поисково", "type_name": "г.", "level": "locality"})
        street = Address.create(
            {"name": "Следственная", "type_name": "ул.", "level": "street", "parent_id": town.id}
        )
        house_1 = Address.create(
            {"name": "1", "type_name": "д.", "level": "house", "parent_id": street.id}
        )
        house_11 = Address.create(
            {"name": "11", "type_name": "д.", "level": "house", "parent_id": street.id}
        )

        def flat(house, number):
            return Address.create(
                {"name": number, "type_name": "кв.", "level": "premises", "parent_id": house.id}
            )

        Partner = cls.env["res.partner"]
        cls.owner = Partner.create(
            {
                "name": "Сыскова Анна Петровна",
                "is_tko_consumer": True,
                "tko_kind": "person",
                "vat": "500100732259",
                "phone": "+7 (912) 345-67-89",
                "email": "syskova@example.ru",
            }
        )
        cls.neighbour = Partner.create(
            {"name": "Соседов Олег", "is_tko_consumer": True, "tko_kind": "person"}
        )
        cls.other_house = Partner.create(
            {"name": "Другой Дом", "is_tko_consumer": True, "tko_kind": "person"}
        )
        cls.legal = Partner.create(
            {"name": "ООО «Поисковик»", "is_tko_consumer": True, "tko_kind": "legal"}
        )

        def account(partner, address):
            obj = cls.env["tko.object"].create(
                {
                    "name": address.name,
                    "kind": "apartment",
                    "address_id": address.id,
                    "partner_id": partner.id,
                }
            )
            return cls.env["tko.account"].create(
                {"partner_id": partner.id, "object_id": obj.id, "date_open": "2025-01-01"}
            )

        cls.account = account(cls.owner, flat(house_1, "5"))
        cls.account_15 = account(cls.neighbour, flat(house_1, "15"))
        cls.account_11 = account(cls.other_house, flat(house_11, "5"))
        facility = cls.env["tko.object"].create(
            {
                "name": "Склад",
                "kind": "facility",
                "address_id": flat(house_11, "40").id,
                "partner_id": cls.legal.id,
            }
        )
        category = cls.env["tko.norm.category"].create(
            {"name": "Склады (поиск)", "code": "search_store", "basis": "unit"}
        )
        cls.contract = cls.env["tko.contract"].create(
            {
                "name": "ПОИСК-77/2025",
                "partner_id": cls.legal.id,
                "date_start": "2025-01-01",
                "line_ids": [
                    Command.create(
                        {
                            "object_id": facility.id,
                            "scheme": "norm",
                            "norm_category_id": category.id,
                            "date_from": "2025-01-01",
                        }
                    )
                ],
            }
        )
        cls.operator = new_test_user(
            cls.env, "search_operator", groups="base.group_user,mobill_tko_base.group_tko_operator"
        )
        cls.portal = new_test_user(cls.env, "search_portal", groups="base.group_portal")
        cls.company_b = cls.env["res.company"].create({"name": "Чужой оператор (поиск)"})
        cls.stranger = new_test_user(
            cls.env,
            "search_stranger",
            groups="base.group_user,mobill_tko_base.group_tko_admin",
            company_id=cls.company_b.id,
            company_ids=[Command.set(cls.company_b.ids)],
        )

    def _consumers(self, text, user=None):
        Partner = self.env["res.partner"].with_user(user or self.operator)
        return Partner.search([("is_tko_consumer", "=", True), ("tko_search", "ilike", text)])

    def test_consumers_menu_finds_by_every_key(self):
        for text in (
            "Сыскова",
            self.account.name,
            "500100732259",
            "89123456789",
            "+7 912 345 67 89",
            "syskova@example.ru",
            "Следственная, д. 1, кв. 5",
            "Следственная 1 5",
            "ул. Следственная, д.1, кв.5",
        ):
            with self.subTest(text=text):
                self.assertEqual(self._consumers(text), self.owner)

    def test_address_fragment_is_exact_about_house_and_flat(self):
        self.assertEqual(
            self._consumers("Следственная 1"),
            self.owner | self.neighbour,
            "the house and its flats",
        )
        self.assertEqual(self._consumers("Следственная 11 5"), self.other_house)
        self.assertEqual(self._consumers("Следственная 1 15"), self.neighbour)
        self.assertFalse(self._consumers("Следственная 2 5"))

    def test_contract_number_and_object_address_find_the_legal_entity(self):
        self.assertEqual(self._consumers("ПОИСК-77"), self.legal)
        self.assertEqual(self._consumers("Следственная 11 40"), self.legal)

    def test_accounts_list_finds_by_number_owner_and_address(self):
        Account = self.env["tko.account"].with_user(self.operator)
        for text in (self.account.name, "Сыскова", "500100732259", "Следственная, д. 1, кв. 5"):
            with self.subTest(text=text):
                self.assertEqual(Account.search([("tko_search", "ilike", text)]), self.account)
        Contract = self.env["tko.contract"].with_user(self.operator)
        for text in ("ПОИСК-77", "Поисковик", "Следственная 11 40"):
            with self.subTest(text=text):
                self.assertEqual(Contract.search([("tko_search", "ilike", text)]), self.contract)

    def test_quick_search_groups_consumers_accounts_contracts(self):
        company = self.company.with_user(self.operator)
        groups = {g["key"]: g for g in company.tko_people_search("Следственная 1 5")["groups"]}
        self.assertEqual([r["id"] for r in groups["consumers"]["records"]], self.owner.ids)
        self.assertEqual([r["id"] for r in groups["accounts"]["records"]], self.account.ids)
        self.assertNotIn("contracts", groups)
        self.assertEqual(
            groups["consumers"]["view_id"],
            self.env.ref("mobill_tko_base.res_partner_view_form_tko").id,
        )
        groups = {g["key"]: g for g in company.tko_people_search("ПОИСК-77")["groups"]}
        self.assertEqual([r["id"] for r in groups["contracts"]["records"]], self.contract.ids)
        self.assertEqual(company.tko_people_search("П"), {"groups": []}, "too short")

    def test_quick_search_refuses_portal_and_other_company(self):
        for user in (self.portal, self.stranger):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.company.with_user(user).tko_people_search("Сыскова")
        # the other company's administrator searching his own company finds none of ours
        mine = self.company_b.with_user(self.stranger).with_context(
            allowed_company_ids=self.company_b.ids
        )
        self.assertEqual(mine.tko_people_search("Сыскова"), {"groups": []})
        self.assertEqual(mine.tko_people_search(self.account.name), {"groups": []})
        stranger_env = self.env(
            user=self.stranger, context={"allowed_company_ids": self.company_b.ids}
        )
        self.assertFalse(
            stranger_env["res.partner"].search([("tko_search", "ilike", "Следственная 1 5")])
        )

    def test_consumers_form_is_our_own(self):
        action = self.env.ref("mobill_tko_base.res_partner_action_tko_consumers")
        form = self.env.ref("mobill_tko_base.res_partner_view_form_tko")
        self.assertIn((form.id, "form"), [(v.view_id.id, v.view_mode) for v in action.view_ids])
        self.assertEqual(form.mode, "primary")
        self.assertFalse(form.inherit_id, "not Odoo's contact form with sales and purchases")
        self.assertEqual(self.owner.get_formview_id(), form.id, "links open the consumer form")
        self.assertNotEqual(self.operator.partner_id.get_formview_id(), form.id)
        reader = new_test_user(
            self.env, "search_reader", groups="base.group_user,mobill_tko_base.group_tko_readonly"
        )
        arch = self.env["res.partner"].with_user(reader).get_view(form.id)["arch"]
        for name in ("tko_kind", "vat", "legal_address", "tko_account_ids", "tko_debt_total"):
            self.assertIn(f'name="{name}"', arch)
        for name in ("function", "website", "title", "category_id", "user_id"):
            self.assertNotIn(f'name="{name}"', arch)
        self.assertNotIn("passport_number", arch, "passport data for the personal-data group")


@tagged("post_install", "-at_install")
class TestRussianChatter(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("ru_RU")
        cls.env["ir.module.module"]._load_module_terms(["mobill_tko_base"], ["ru_RU"])
        cls.operator = new_test_user(
            cls.env, "chatter_operator", groups="base.group_user,mobill_tko_base.group_tko_operator"
        )
        cls.operator.lang = "ru_RU"

    def test_characteristic_change_in_russian_by_its_author(self):
        env = self.env(user=self.operator, context={"lang": "ru_RU"})
        partner = env["res.partner"].create(
            {"name": "Чатова Ирина", "is_tko_consumer": True, "tko_kind": "person"}
        )
        created = partner.message_ids.filtered(lambda m: m.message_type == "notification")
        self.assertIn("Потребитель создан", created[-1:].body)
        obj = env["tko.object"].create({"name": "кв. 3", "kind": "apartment"})
        env["tko.object.characteristic"].create(
            {
                "object_id": obj.id,
                "kind": "area_total",
                "value": 46.9,
                "date_from": date(2023, 2, 1),
            }
        )
        message = obj.message_ids.filtered(lambda m: "46" in (m.body or ""))
        self.assertEqual(len(message), 1)
        self.assertIn("Общая площадь, м²: 46,90 с 01.02.2023", message.body)
        self.assertEqual(message.author_id, self.operator.partner_id)

    def test_message_follows_the_users_language_without_context(self):
        env = self.env(user=self.operator, context={})
        obj = env["tko.object"].create({"name": "кв. 4", "kind": "apartment"})
        env["tko.object.characteristic"].create(
            {
                "object_id": obj.id,
                "kind": "residents_permanent",
                "value": 3,
                "date_from": date(2024, 12, 1),
            }
        )
        self.assertIn("Постоянно проживающие: 3 с 01.12.2024", obj.message_ids[0].body)
