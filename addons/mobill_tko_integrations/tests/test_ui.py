import base64
from datetime import date, time
from decimal import Decimal

from odoo.tests import HttpCase, tagged

from mobill_tko_core.formats import registry
from mobill_tko_core.formats.registry import RegistryPayment


@tagged("post_install", "-at_install")
class TestImportTour(HttpCase):
    """The accountant's first-day task in headless Chromium: import a bank registry."""

    # a clerk's screen: Odoo's default "1366x768" reaches this Chromium without effect (it wants
    # a comma) and the tour would run in an 800 px window that folds the top bar's menus
    browser_size = "1440,900"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the interface in Russian, as the staff see it (numbers «450,50», the bank's name)
        cls.env["res.lang"]._activate_lang("ru_RU")
        cls.env["ir.module.module"].search(
            [("name", "in", ("mobill_tko_base", "mobill_tko_billing", "mobill_tko_integrations"))]
        )._update_translations(["ru_RU"])
        cls.accountant = cls.env.ref("mobill_tko_base.user_demo_accountant")
        cls.accountant.write({"lang": "ru_RU", "tz": "Europe/Moscow"})
        partner = cls.env["res.partner"].create(
            {"name": "Тур Платёжный", "is_tko_consumer": True, "tko_kind": "person"}
        )
        street = cls.env["tko.address"].create(
            {"name": "Платёжная", "type_name": "ул.", "level": "street"}
        )
        cls.accounts = cls.env["tko.account"]
        for number in ("1", "2"):
            obj = cls.env["tko.object"].create(
                {
                    "name": f"д. {number}",
                    "kind": "house",
                    "address_id": street.id,
                    "partner_id": partner.id,
                }
            )
            cls.accounts |= cls.env["tko.account"].create(
                {"partner_id": partner.id, "object_id": obj.id}
            )
        cls.data = registry.write_registry(
            [
                RegistryPayment(
                    account=account.name,
                    amount=Decimal(amount),
                    payer="Тур Платёжный",
                    address="ул. Платёжная",
                    period=date(2026, 11, 1),
                    paid_date=date(2026, 11, 10),
                    paid_time=time(10, index, 0),
                    operation_id=f"tour{index}",
                    commission=Decimal("0.00"),
                    transfer_amount=Decimal(amount),
                    branch="8611",
                    cashier="1",
                )
                for index, (account, amount) in enumerate(
                    zip(cls.accounts, ("300.00", "150.50"), strict=True)
                )
            ],
            order_number="7001",
            order_date=date(2026, 11, 11),
        )
        # the file as the bank's e-mail left it: the tour uploads it into the import's form
        cls.env["ir.attachment"].with_user(cls.accountant).create(
            {"name": "tour_registry.txt", "raw": cls.data, "mimetype": "text/plain"}
        )
        # loading the translations drops the routing map: build it again here, not during the
        # browser's first request (a slow machine then times out the browser's spare connection)
        cls.env["ir.http"].routing_map()

    def test_accountant_imports_a_registry(self):
        """Payments › Payment imports › New: upload, check, import, see the payments."""
        self.start_tour("/web", "mobill_tko_integrations_import_tour", login="accountant")
        imports = self.env["tko.payment.import"].search([("file_name", "=", "tour_registry.txt")])
        self.assertEqual(len(imports), 1)
        self.assertEqual(imports.state, "done")
        self.assertEqual(imports.create_uid, self.accountant)
        self.assertEqual(imports.booked_count, 2)
        payments = self.env["tko.payment"].search([("import_id", "=", imports.id)])
        self.assertEqual(payments.account_id, self.accounts)
        self.assertEqual(sorted(payments.mapped("amount")), [150.5, 300.0])
        self.assertEqual(set(payments.mapped("state")), {"posted"})
        # the same file a second time books nothing
        again = (
            self.env["tko.payment.import"]
            .with_user(self.accountant)
            .create({"name": "again", "file": base64.b64encode(self.data)})
        )
        again.action_check()
        again.action_import()
        self.assertEqual(again.state, "rejected")
        self.assertEqual(again.booked_count, 0)
        self.assertEqual(again.duplicate_of_id, imports)
        self.assertEqual(self.env["tko.payment"].search_count([("import_id", "=", again.id)]), 0)
        self.assertEqual(
            self.env["tko.payment"].search_count([("account_id", "in", self.accounts.ids)]), 2
        )
