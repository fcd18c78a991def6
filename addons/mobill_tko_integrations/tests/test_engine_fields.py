"""What the system records (states, the bank's and the cash register's data, export results)
cannot be written by a client, even one with the write right on the model."""

import base64

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .test_payment_import import PaymentImportCase


@tagged("post_install", "-at_install")
class TestEngineFields(PaymentImportCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.accountant = new_test_user(
            cls.env, "engine_accountant", groups="mobill_tko_base.group_tko_accountant"
        )
        statement = cls.Import.create(
            {"name": "st", "file": base64.b64encode(b"x"), "file_format": "onec"}
        )
        cls.order = cls.env["tko.payment.order"].create(
            {
                "import_id": statement.id,
                "company_id": cls.company.id,
                "number": "1001",
                "date": "2025-05-12",
                "amount": 100.0,
                "key": "order-1001",
            }
        )
        register = cls.env["tko.fiscal.register"].create(
            {
                "name": "Касса",
                "company_id": cls.company.id,
                "api_url": "http://127.0.0.1:9/possystem/v5",
                "login": "l",
                "password": "p",
                "group_code": "g",
                "sno": "osn",
                "payment_address": "https://ro.example.ru",
            }
        )
        payment = cls.env["tko.payment"].create(
            {"account_id": cls.acc1.id, "amount": 500.0, "channel": "cash"}
        )
        cls.receipt = cls.env["tko.fiscal.receipt"].create(
            {
                "payment_id": payment.id,
                "register_id": register.id,
                "amount": 500.0,
                "external_id": "tko-test-1",
            }
        )
        profile = cls.env.ref("mobill_tko_integrations.debt_registry_profile_sberbank")
        cls.export = cls.env["tko.debt.registry.export"].create(
            {"profile_id": profile.id, "date_at": "2025-05-31", "period": "2025-05-01"}
        )

    def test_clients_cannot_write_what_the_system_records(self):
        cases = [
            (self.order, {"state": "matched"}),
            (self.order, {"amount": 1.0}),
            (self.receipt, {"state": "done"}),
            (self.receipt, {"fiscal_document_number": "1"}),
            (self.export, {"state": "done"}),
            (self.export, {"row_count": 1}),
        ]
        for record, vals in cases:
            with self.subTest(model=record._name, vals=vals), self.assertRaises(AccessError):
                record.with_user(self.accountant).write(vals)
        # what a client may change stays writable
        self.export.with_user(self.accountant).write({"date_at": "2025-05-30"})
        with self.assertRaises(AccessError):
            self.env["tko.fiscal.receipt"].with_user(self.accountant).create(
                {
                    "payment_id": self.receipt.payment_id.id,
                    "register_id": self.receipt.register_id.id,
                    "amount": 1.0,
                    "state": "done",
                }
            )
