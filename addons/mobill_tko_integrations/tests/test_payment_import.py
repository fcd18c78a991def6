import base64
from datetime import date, time
from decimal import Decimal

from odoo.addons.mobill_tko_billing.tests.common import BillingCase
from odoo.exceptions import AccessError
from odoo.tests import tagged

from mobill_tko_core.formats import onec_bank, registry
from mobill_tko_core.formats.onec_bank import BankDocument, BankParty
from mobill_tko_core.formats.registry import RegistryPayment

OWN = "40702810900000000001"
PAYER_ACC = "40702810500000000777"


class PaymentImportCase(BillingCase):
    """Fixtures and file builders for the payment import tests."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.partner.bank"].create(
            {"acc_number": OWN, "partner_id": cls.env.company.partner_id.id}
        )
        cls.sber = cls.env.ref("mobill_tko_integrations.registry_profile_sberbank")
        cls.Import = cls.env["tko.payment.import"]

    def _import(self, data, file_format="registry", name="file"):
        rec = self.Import.create(
            {
                "name": name,
                "file": base64.b64encode(data),
                "file_format": file_format,
                "profile_id": self.sber.id,
            }
        )
        rec.action_check()
        rec.action_import()
        return rec

    def _registry(self, lines, **kw):
        payments = [
            RegistryPayment(
                account=acc,
                amount=Decimal(amount),
                payer="Иванов И.И.",
                address="ул. Тестовая, 1",
                period=date(2025, 5, 1),
                paid_date=date(2025, 5, 10),
                paid_time=time(10, 0, 0),
                operation_id=op,
                commission=Decimal("0.00"),
                transfer_amount=Decimal(amount),
                branch="8611",
                cashier="1",
            )
            for acc, amount, op in lines
        ]
        return registry.write_registry(
            payments, order_number=kw.get("order", "555"), order_date=date(2025, 5, 11)
        )

    def _statement(self, docs):
        return onec_bank.write_statement(
            docs, accounts=OWN, date_from=date(2025, 5, 1), date_to=date(2025, 5, 31)
        )

    def _doc(self, number, amount, purpose, payer_inn="7701000001", payee=OWN):
        return BankDocument(
            kind="Платежное поручение",
            number=number,
            date=date(2025, 5, 12),
            amount=Decimal(amount),
            payer=BankParty(name='ООО "Ромашка"', inn=payer_inn, account=PAYER_ACC),
            payee=BankParty(name="Регоператор", inn="7702000002", account=payee),
            purpose=purpose,
            received=date(2025, 5, 13),
            payment_type="01",
        )


@tagged("post_install", "-at_install")
class TestPaymentImport(PaymentImportCase):
    def test_registry_import_lands_on_accounts_and_once(self):
        data = self._registry(
            [(self.acc1.name, "300.00", "op1"), (self.acc2.name, "150.50", "op2")]
        )
        imp = self._import(data)
        self.assertEqual(imp.state, "done")
        self.assertEqual(imp.booked_count, 2)
        self.assertEqual(imp.unallocated_count, 0)
        pay1 = imp.payment_ids.filtered(lambda p: p.account_id == self.acc1)
        self.assertEqual(pay1.amount, 300.0)
        self.assertEqual(pay1.state, "posted")
        self.assertEqual(pay1.source, "import")
        self.assertEqual(pay1.import_bank, "Sberbank (standard)")
        self.assertEqual(imp.bank, "Sberbank (standard)")
        self.assertEqual(pay1.import_registry_number, "555")
        self.assertEqual(pay1.date_paid, date(2025, 5, 10))
        self.assertTrue(pay1.import_line)
        self.assertTrue(pay1.allocation_ids)
        self.assertEqual(
            imp.payment_ids.filtered(lambda p: p.account_id == self.acc2).amount, 150.5
        )
        # the same file again books nothing
        again = self._import(data, name="again")
        self.assertEqual(again.state, "rejected")
        self.assertEqual(again.duplicate_of_id, imp)
        self.assertFalse(again.payment_ids)
        self.assertIn("file_already_imported", again.error_ids.mapped("code"))
        # the same payment in another file (another order number) is not booked twice
        other = self._registry(
            [(self.acc1.name, "300.00", "op1"), (self.acc3.name, "99.00", "op3")], order="556"
        )
        third = self._import(other, name="other")
        self.assertEqual(third.state, "done")
        self.assertEqual(third.booked_count, 1)
        self.assertEqual(third.skipped_count, 1)
        self.assertEqual(third.payment_ids.account_id, self.acc3)

    def test_onec_statement_cp1251(self):
        docs = [
            self._doc("101", "500.00", f"Оплата за вывоз ТКО л/с {self.acc1.name} за май 2025"),
            self._doc("102", "1200.00", f"Оплата по договору № {self.contract.name}"),
            self._doc("103", "70.00", "Оплата без реквизитов"),
            # an outgoing payment of ours and a payment to a foreign account are left out
            self._doc("104", "10.00", f"л/с {self.acc2.name}", payee="40702810000000000999"),
        ]
        data = self._statement(docs)
        self.assertIn("Кодировка=Windows".encode("cp1251"), data)
        imp = self._import(data, file_format="onec")
        self.assertEqual(imp.state, "done", imp.error_ids.mapped("message"))
        self.assertEqual(imp.booked_count, 3)
        self.assertEqual(imp.unallocated_count, 1)
        by_ref = {p.reference: p for p in imp.payment_ids}
        self.assertEqual(by_ref["101"].account_id, self.acc1)
        self.assertEqual(by_ref["101"].state, "posted")
        self.assertEqual(by_ref["101"].date_booked, date(2025, 5, 13))
        self.assertEqual(by_ref["102"].contract_id, self.contract)
        lost = by_ref["103"]
        self.assertTrue(lost.is_unallocated)
        self.assertEqual(lost.state, "draft")
        queue = self.env["tko.payment"].search([("is_unallocated", "=", True)])
        self.assertIn(lost, queue)
        # allocated by hand, with the history in the chatter
        wizard = (
            self.env["tko.payment.allocate.wizard"]
            .with_context(default_payment_ids=lost.ids)
            .create({"account_id": self.acc3.id, "note": "Phoned the payer"})
        )
        wizard.action_allocate()
        self.assertEqual(lost.account_id, self.acc3)
        self.assertEqual(lost.state, "posted")
        self.assertFalse(lost.is_unallocated)
        self.assertTrue(
            any("Allocated by hand" in (m.body or "") for m in lost.message_ids),
            lost.message_ids.mapped("body"),
        )
        # the same payment in another statement is not booked twice
        again = self._import(self._statement(docs[:1] + [self._doc("105", "5.00", "x")]), "onec")
        self.assertEqual(again.booked_count, 1)
        self.assertEqual(again.skipped_count, 1)

    def test_malformed_file_books_nothing(self):
        data = self._registry(
            [(self.acc1.name, "300.00", "op1"), (self.acc2.name, "150.50", "op2")]
        ).decode("cp1251")
        lines = data.split("\r\n")
        lines[0] = lines[0].replace("300.00", "3OO.00")
        lines[1] = lines[1].replace("10-05-2025", "32-13-2025")
        data = "\r\n".join(lines).encode("cp1251")
        count = self.env["tko.payment"].search_count([])
        imp = self.Import.create(
            {"name": "bad", "file": base64.b64encode(data), "profile_id": self.sber.id}
        )
        imp.action_check()
        self.assertEqual(imp.state, "rejected")
        self.assertEqual(self.env["tko.payment"].search_count([]), count)
        imp.action_import()
        self.assertEqual(imp.state, "rejected")
        self.assertEqual(self.env["tko.payment"].search_count([]), count)
        errors = imp.error_ids.filtered(lambda e: e.severity == "error")
        self.assertIn(1, errors.mapped("line"))
        self.assertIn(2, errors.mapped("line"))
        self.assertIn("amount", errors.mapped("field_name"))
        self.assertIn("Amount", errors.mapped("field_label"))
        self.assertIn("paid_date", errors.mapped("field_name"))

    def test_registry_by_email(self):
        self.sber.mail_senders = "bank@sberbank.example"
        data = self._registry([(self.acc2.name, "42.00", "mail1")])
        payload = base64.b64encode(data).decode()
        raw = (
            "From: bank@sberbank.example\r\n"
            "To: payment-registries@example.com\r\n"
            "Subject: Реестр платежей\r\n"
            "Message-ID: <registry-mail-1@sberbank.example>\r\n"
            "MIME-Version: 1.0\r\n"
            'Content-Type: multipart/mixed; boundary="XX"\r\n\r\n'
            "--XX\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nРеестр\r\n"
            "--XX\r\nContent-Type: application/octet-stream\r\n"
            'Content-Disposition: attachment; filename="reestr.txt"\r\n'
            "Content-Transfer-Encoding: base64\r\n\r\n" + payload + "\r\n--XX--\r\n"
        )
        self.env["mail.thread"].message_process("tko.payment.import", raw)
        imp = self.Import.search([("file_name", "=", "reestr.txt")])
        self.assertEqual(len(imp), 1)
        self.assertEqual(imp.state, "done", imp.error_ids.mapped("message"))
        self.assertEqual(imp.payment_ids.account_id, self.acc2)
        self.assertEqual(imp.payment_ids.amount, 42.0)

    def test_builtin_profiles_match_core(self):
        self.assertEqual(self.sber._to_profile(), registry.SBERBANK_STANDARD)
        generic = self.env.ref("mobill_tko_integrations.registry_profile_generic_csv")
        self.assertEqual(generic._to_profile(), registry.GENERIC_CSV)

    def test_accountant_imports_readonly_reads(self):
        groups = self.env.ref("mobill_tko_base.group_tko_accountant")
        accountant = self.env["res.users"].create(
            {
                "name": "Accountant",
                "login": "integ_accountant",
                "groups_id": [(6, 0, groups.ids)],
            }
        )
        reader = self.env["res.users"].create(
            {
                "name": "Reader",
                "login": "integ_reader",
                "groups_id": [(6, 0, self.env.ref("mobill_tko_base.group_tko_readonly").ids)],
            }
        )
        data = self._registry([(self.acc3.name, "10.00", "acc1")])
        imp = (
            self.env["tko.payment.import"]
            .with_user(accountant)
            .create({"name": "by accountant", "file": base64.b64encode(data)})
        )
        imp.action_import()
        self.assertEqual(imp.state, "done")
        self.assertEqual(imp.payment_ids.account_id, self.acc3)
        as_reader = imp.with_user(reader)
        self.assertEqual(as_reader.booked_count, 1)
        with self.assertRaises(AccessError):
            as_reader.write({"name": "changed"})

    def test_onec_by_payer_inn_and_generic_csv(self):
        self.contract.partner_id.vat = "7701234560"
        doc = self._doc("201", "800.00", "Оплата за услуги", payer_inn="7701234560")
        imp = self._import(self._statement([doc]), file_format="onec")
        self.assertEqual(imp.state, "done", imp.error_ids.mapped("message"))
        self.assertEqual(imp.payment_ids.contract_id, self.contract)
        generic = self.env.ref("mobill_tko_integrations.registry_profile_generic_csv")
        data = registry.write_registry(
            [
                RegistryPayment(
                    account=self.acc_village.name,
                    amount=Decimal("12.34"),
                    paid_date=date(2025, 5, 3),
                    operation_id="g1",
                )
            ],
            generic._to_profile(),
        )
        csv_import = self.Import.create(
            {"name": "csv", "file": base64.b64encode(data), "profile_id": generic.id}
        )
        csv_import.action_import()
        self.assertEqual(csv_import.state, "done", csv_import.error_ids.mapped("message"))
        self.assertEqual(csv_import.payment_ids.account_id, self.acc_village)
        self.assertEqual(csv_import.payment_ids.import_bank, "Generic CSV")
