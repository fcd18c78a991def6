from datetime import timedelta

from odoo.addons.mobill_tko_claims.tests.common import DemoHistoryCase
from odoo.tests import tagged

MONTHS = 3
ACCOUNTS = 60
CONTRACTS = 10


@tagged("post_install", "-at_install")
class TestDemoExchange(DemoHistoryCase):
    """The demo history's exchange of the week on a short history (3 months, 60 accounts,
    10 contracts): registries and a 1C statement imported once through the import engine,
    the rejected file with its line, the registries' payment orders, cash desk receipts and
    the debt registry exports."""

    months, accounts, contracts = MONTHS, ACCOUNTS, CONTRACTS

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.accountant = cls.env.ref("mobill_tko_base.user_demo_accountant")

    def test_registries_imported_once_and_the_rejected_file(self):
        imports = self.of_company("tko.payment.import")
        self.assertEqual(len(imports), self.summary["payment_imports"])
        registries = imports.filtered(lambda i: i.file_format == "registry")
        done = registries.filtered(lambda i: i.state == "done")
        rejected = registries - done
        self.assertEqual(len(done), 2)
        self.assertEqual(len(rejected), 1)
        self.assertEqual(self.summary["imports_rejected"], 1)
        # the rejected file: its bad line reported in Russian, nothing booked
        self.assertEqual(rejected.state, "rejected")
        self.assertFalse(rejected.payment_ids)
        errors = rejected.error_ids.filtered(lambda e: e.severity == "error")
        self.assertEqual(errors.mapped("field_name"), ["amount"])
        # the amount with the letter O is named (in the user's language)
        self.assertRegex(" ".join(errors.mapped("message")), r"«[\d.]*O[\d.O]*»")
        # the corrected file is the same registry: its payments are booked once
        again = done.filtered(lambda i: i.registry_number == rejected.registry_number)
        self.assertEqual(len(again), 1)
        self.assertEqual(again.booked_count, again.line_count)
        self.assertEqual(again.skipped_count, 0)
        payments = done.payment_ids
        self.assertEqual(len(payments), sum(done.mapped("line_count")))
        self.assertEqual(set(payments.mapped("state")), {"posted"})
        self.assertEqual(set(payments.mapped("source")), {"import"})
        self.assertTrue(all(payments.mapped("account_id")))
        self.assertEqual(len(payments.mapped("import_key")), len(payments))
        self.assertEqual(done.create_uid, self.accountant)
        for rec in done:
            self.assertAlmostEqual(rec.booked_amount, rec.amount_total, places=2)
            self.assertEqual(rec.order_state, "matched")

    def test_statement_of_legal_entities_and_orders(self):
        statement = self.of_company("tko.payment.import", [("file_format", "=", "onec")])
        self.assertEqual(len(statement), 1)
        self.assertEqual(statement.state, "done", statement.error_ids.mapped("message"))
        self.assertTrue(statement.payment_ids)
        # one payment names nothing the register knows: it waits for allocation by hand
        unknown = statement.payment_ids.filtered("is_unallocated")
        self.assertEqual(len(unknown), 1)
        self.assertEqual(self.summary["unallocated"], 1)
        self.assertEqual((unknown.state, unknown.amount), ("draft", 12400.0))
        self.assertFalse(unknown.account_id or unknown.contract_id)
        self.assertIn(unknown, self.of_company("tko.payment", [("is_unallocated", "=", True)]))
        known = statement.payment_ids - unknown
        self.assertTrue(all(known.mapped("contract_id")))
        self.assertEqual(set(known.mapped("state")), {"posted"})
        orders = statement.statement_order_ids
        self.assertEqual(len(orders), self.summary["registry_orders"])
        self.assertEqual(sorted(orders.mapped("state")), ["matched", "matched", "unmatched"])
        for order in orders.filtered(lambda o: o.state == "matched"):
            self.assertEqual(order.registry_import_id.registry_number, order.number)
            self.assertFalse(order.difference)
        # the money of the registries is not booked a second time as payments
        self.assertFalse(
            statement.payment_ids.filtered(lambda p: p.amount in orders.mapped("amount"))
        )

    def test_payment_agent_posted_through_the_api(self):
        agent = self.env.ref("mobill_tko_integrations.demo_payment_agent")
        imports = agent.import_ids
        self.assertEqual(len(imports), 1)
        self.assertEqual(
            (imports.source, imports.file_format, imports.state), ("api", "agent_json", "done")
        )
        self.assertEqual(imports.booked_count, imports.line_count)
        self.assertEqual(set(imports.payment_ids.mapped("channel")), {"agent"})
        self.assertTrue(all(imports.payment_ids.mapped("account_id")))
        self.assertTrue(agent.token_hint and agent.last_call)
        self.assertEqual(agent.booked_count, len(imports.payment_ids))

    def test_payments_booked_once_with_the_history(self):
        payments = self.of_company("tko.payment")
        self.assertEqual(len(payments), self.summary["payments"])
        # all posted but the one the accountant must allocate by hand
        self.assertEqual(
            payments.filtered(lambda p: p.state != "posted").mapped("amount"), [12400.0]
        )
        payments = payments.filtered(lambda p: p.state == "posted")
        allocated = sum(payments.allocation_ids.mapped("amount"))
        self.assertAlmostEqual(allocated, sum(payments.mapped("amount")), places=2)
        imported = payments.filtered("import_id")
        self.assertEqual(len(imported), self.summary["imported_payments"] - 1)
        self.assertTrue(imported)
        # one payment per payer and this week: the history's payments are not doubled
        keys = imported.mapped(lambda p: (p.account_id.id, p.contract_id.id))
        self.assertEqual(len(set(keys)), len(keys))
        self.assertTrue(all(p.date_paid >= self.today - timedelta(days=31) for p in imported))
        rows = self.of_company("tko.payment.reconciliation")
        self.assertEqual(rows.filtered(lambda r: not r.agrees), rows.browse())
        self.assertFalse(any(rows.mapped("unposted_total")), "every payment is posted")

    def test_cash_desk_receipts(self):
        cash = self.of_company("tko.payment", [("channel", "=", "cash")])
        self.assertGreaterEqual(len(cash), 2)
        self.assertEqual(set(cash.mapped("date_paid")), {self.today})
        receipts = cash.fiscal_receipt_ids
        self.assertEqual(len(receipts), len(cash))
        done = receipts.filtered(lambda r: r.state == "done")
        failed = receipts.filtered(lambda r: r.state == "failed")
        self.assertEqual(len(failed), 1)
        self.assertEqual(len(done), len(cash) - 1)
        self.assertEqual(self.summary["receipts_issued"], len(done))
        self.assertEqual(self.summary["receipts_failed"], 1)
        for receipt in done:
            self.assertTrue(receipt.fiscal_document_number and receipt.fiscal_document_attribute)
            self.assertEqual(receipt.payment_id.fiscal_state, "done")
        self.assertIn("Ошибка ККТ", failed.last_error)
        self.assertEqual(failed.payment_id.fiscal_state, "failed")
        # the register keeps the demo's address of the fake service
        register = self.env.ref("mobill_tko_integrations.demo_fiscal_register")
        self.assertEqual(register.api_url, "http://127.0.0.1:18080/possystem/v5")
        self.assertEqual(set(receipts.register_id.ids), {register.id})

    def test_debt_registry_exports(self):
        exports = self.of_company("tko.debt.registry.export")
        self.assertEqual(len(exports), self.summary["debt_exports"])
        self.assertTrue(exports)
        self.assertEqual(set(exports.mapped("state")), {"done"})
        self.assertEqual(max(exports.mapped("date_at")), self.today)
        for export in exports:
            self.assertGreater(export.row_count, 0)
            self.assertTrue(export.attachment_id.raw)
            self.assertEqual(export.exported_by, self.accountant)

    def test_second_load_adds_nothing(self):
        counts = {
            model: self.env[model].search_count([])
            for model in ("tko.payment.import", "tko.fiscal.receipt", "tko.debt.registry.export")
        }
        self.assertIsNone(self.env["tko.demo.history"]._load_demo_history(months=MONTHS))
        for model, count in counts.items():
            self.assertEqual(self.env[model].search_count([]), count, model)
