from datetime import date

from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestUi(HttpCase):
    # a clerk's screen: Odoo's default "1366x768" reaches this Chromium without effect (it wants
    # a comma) and the tour would run in an 800 px window that folds the top bar's menus
    browser_size = "1440,900"

    def test_create_consumer_tour(self):
        """Browser test: an operator creates a consumer through the menus in headless Chromium."""
        self.start_tour("/web", "mobill_tko_base_open_app", login="admin")
        consumer = self.env["res.partner"].search([("name", "=", "Тестова Анна Сергеевна")])
        self.assertEqual(len(consumer), 1)
        self.assertTrue(consumer.is_tko_consumer)
        self.assertEqual(consumer.tko_kind, "person")
        self.assertEqual(consumer.vat, "500100732259")

    def test_find_by_address_and_change_residents_tour(self):
        """Browser test: the operator finds a consumer by an address fragment, opens the
        account and its object, and enters the residents from 01.03.2026."""
        env = self.env
        env["res.lang"]._activate_lang("ru_RU")
        operator = env.ref("mobill_tko_base.user_demo_operator")
        operator.lang = "ru_RU"
        Address = env["tko.address"]
        town = Address.create({"name": "Турград", "type_name": "г.", "level": "locality"})
        street = Address.create(
            {"name": "Туровская", "type_name": "ул.", "level": "street", "parent_id": town.id}
        )
        house = Address.create(
            {"name": "7", "type_name": "д.", "level": "house", "parent_id": street.id}
        )
        flats = {
            number: Address.create(
                {"name": number, "type_name": "кв.", "level": "premises", "parent_id": house.id}
            )
            for number in ("3", "13")
        }
        consumers = {}
        for number, name in (("3", "Туров Тимур"), ("13", "Соседова Тамара")):
            partner = env["res.partner"].create(
                {"name": name, "is_tko_consumer": True, "tko_kind": "person"}
            )
            obj = env["tko.object"].create(
                {
                    "name": f"кв. {number}",
                    "kind": "apartment",
                    "address_id": flats[number].id,
                    "partner_id": partner.id,
                }
            )
            env["tko.object.characteristic"].create(
                {
                    "object_id": obj.id,
                    "kind": "residents_permanent",
                    "value": 2,
                    "date_from": "2025-01-01",
                }
            )
            env["tko.account"].create(
                {"partner_id": partner.id, "object_id": obj.id, "date_open": "2025-01-01"}
            )
            consumers[number] = obj
        self.start_tour("/web", "mobill_tko_base_residents_from_date", login="operator")
        versions = consumers["3"].characteristic_ids.filtered(
            lambda c: c.kind == "residents_permanent"
        )
        new = versions.filtered(lambda c: c.date_from == date(2026, 3, 1))
        old = versions - new
        self.assertEqual(len(new), 1, "the new version from 01.03.2026")
        self.assertEqual(new.value, 4)
        self.assertFalse(new.date_to)
        self.assertEqual(new.create_uid, operator)
        self.assertEqual(old.date_from, date(2025, 1, 1))
        self.assertEqual(old.date_to, date(2026, 2, 28), "the old one closed the day before")
        self.assertEqual(
            len(consumers["13"].characteristic_ids), 1, "the neighbour's flat is not touched"
        )
