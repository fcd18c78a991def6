import base64
import io

import openpyxl
import psycopg2
from odoo import Command
from odoo.addons.mobill_tko_base.tools import trusted
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from mobill_tko_core.spreadsheet import is_formula_like

from .common import BillingCase

ACCOUNTANT = "mobill_tko_base.group_tko_accountant"
READONLY = "mobill_tko_base.group_tko_readonly"
ADMIN = "mobill_tko_base.group_tko_admin"


@tagged("post_install", "-at_install")
class TestSecurity(BillingCase):
    def test_accountant_runs_posts_and_closes_readonly_only_reads(self):
        accountant = new_test_user(self.env, "bill_accountant", groups=ACCOUNTANT)
        reader = new_test_user(self.env, "bill_reader", groups=READONLY)
        period = (
            self.env["tko.billing.period"]
            .with_user(accountant)
            .create({"date_start": "2025-05-01"})
        )
        run = (
            self.env["tko.charge.run"]
            .with_user(accountant)
            .create({"period_id": period.id, "scope": "all", "address_id": self.town.id})
        )
        run.action_run_now()
        self.assertEqual(run.state, "done")
        period.with_user(accountant).action_post()
        rows = self.recon(period)
        self.assertTrue(rows and all(rows.mapped("agrees")))
        period.with_user(accountant).action_close()
        self.assertEqual(period.state, "closed")
        # the read-only manager sees the ledger and the explanation, changes nothing
        line = self.lines(period, self.acc1).with_user(reader)
        self.assertIn("217.53", str(line.explanation_html))
        self.assertTrue(self.env["tko.billing.reconciliation"].with_user(reader).search([]))
        with self.assertRaises(AccessError):
            self.env["tko.charge.run"].with_user(reader).create({"period_id": period.id})
        with self.assertRaises(AccessError):
            self.env["tko.billing.period"].with_user(reader).create({"date_start": "2025-06-01"})
        with self.assertRaises(AccessError):
            self.env["tko.payment"].with_user(reader).create(
                {"account_id": self.acc1.id, "amount": 10}
            )

    def test_other_company_sees_nothing(self):
        period = self.period("2025-05-01")
        self.run_town(period)
        other = self.env["res.company"].create({"name": "Другой оператор"})
        user = new_test_user(
            self.env,
            "bill_other",
            groups="mobill_tko_base.group_tko_readonly",
            company_id=other.id,
            company_ids=[(6, 0, other.ids)],
        )
        self.assertFalse(self.env["tko.charge"].with_user(user).search([]))
        self.assertFalse(self.env["tko.billing.period"].with_user(user).search([]))
        self.assertFalse(self.env["tko.charge.run"].with_user(user).search([]))


@tagged("post_install", "-at_install")
class TestRefusals(BillingCase):
    """Every public method and protected field of billing refuses the users it is not for: a
    portal user, a user of another company with the same MoBill groups, and (for actions) the
    read-only manager."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other = cls.env["res.company"].create({"name": "Другой региональный оператор"})
        cls.portal = new_test_user(cls.env, "sec_portal", groups="base.group_portal")
        cls.reader = new_test_user(cls.env, "sec_reader", groups=READONLY)
        cls.accountant = new_test_user(cls.env, "sec_accountant", groups=ACCOUNTANT)
        cls.admin_user = new_test_user(cls.env, "sec_admin", groups=ADMIN)
        other_company = {"company_id": cls.other.id, "company_ids": [Command.set(cls.other.ids)]}
        cls.other_accountant = new_test_user(
            cls.env, "sec_other_acc", groups=ACCOUNTANT, **other_company
        )
        cls.other_admin = new_test_user(cls.env, "sec_other_adm", groups=ADMIN, **other_company)
        cls.outsiders = (cls.portal, cls.other_accountant, cls.other_admin)
        # April charged and closed, May charged and open: once for the class
        cls.april = cls.period("2025-04-01")
        cls.charge_run(cls.april, scope="all", consumer_kind="all", address_id=cls.town.id)
        cls.may = cls.period("2025-05-01")  # closes April
        cls.charge_run(cls.may, scope="all", consumer_kind="all", address_id=cls.town.id)

    def assertRefused(self, records, method, *args, users=None, error=AccessError):
        for user in users or self.outsiders:
            with self.subTest(user=user.login, method=method), self.assertRaises(error):
                getattr(records.with_user(user), method)(*args)

    # ------------------------------------------------------------------ balances (raw SQL)
    def test_balance_by_period_only_for_readers_of_the_record(self):
        self.assertRefused(self.acc1, "tko_balance_by_period", None)
        self.assertRefused(self.contract, "tko_balance_by_period", None)
        # the company's own read-only manager gets it
        mine = self.acc1.with_user(self.reader).tko_balance_by_period()
        self.assertEqual(len(mine[self.acc1.id]), 2)
        self.assertTrue(self.contract.with_user(self.reader).tko_balance_by_period())

    def test_balance_sql_reads_only_the_given_companies(self):
        Payment = self.env["tko.payment"]
        self.assertFalse(
            Payment._tko_balance_by_period("account_id", self.acc1.ids, None, self.other)
        )
        self.assertTrue(
            Payment._tko_balance_by_period("account_id", self.acc1.ids, None, self.company)
        )

    # ------------------------------------------------------------------ actions
    def test_actions_of_other_records_are_refused(self):
        self.assertRefused(self.acc1, "action_tko_calculate")
        self.assertRefused(self.acc1, "action_tko_view_charges")
        self.assertRefused(self.acc1, "action_tko_view_payments")
        self.assertRefused(self.acc1, "action_tko_print_breakdown")
        self.assertRefused(self.contract, "action_tko_calculate")
        self.assertRefused(self.contract, "action_tko_invoice")
        self.assertRefused(self.contract, "action_tko_advance_invoice")
        self.assertRefused(self.contract, "action_tko_view_invoices")
        self.assertRefused(self.contract, "action_tko_view_charges")
        for method in (
            "action_new_run",
            "action_post",
            "action_unpost",
            "action_close",
            "action_advance_invoices",
            "action_view_charges",
            "action_view_moves",
            "action_view_reconciliation",
        ):
            self.assertRefused(self.may, method)
        self.assertRefused(self.april, "action_open_next")
        self.assertRefused(self.april, "action_reopen")
        line = self.lines(self.may, self.acc1)
        self.assertRefused(line, "action_open_explanation")

    def test_readonly_manager_cannot_run_billing_actions(self):
        reader = [self.reader]
        self.assertRefused(self.acc1, "action_tko_calculate", users=reader)
        self.assertRefused(self.contract, "action_tko_invoice", users=reader)
        self.assertRefused(self.contract, "action_tko_advance_invoice", users=reader)
        for method in ("action_post", "action_unpost", "action_close", "action_advance_invoices"):
            self.assertRefused(self.may, method, users=reader)
        self.assertRefused(self.april, "action_open_next", users=reader)
        # reading is fine
        self.assertTrue(self.may.with_user(self.reader).action_view_reconciliation())

    def test_only_admin_of_the_company_reopens(self):
        self.may.action_post()
        self.may.action_close()
        self.assertRefused(self.may, "action_reopen", users=[self.accountant, self.reader])
        self.assertRefused(self.may, "action_reopen")  # the other company's admin too
        self.may.with_user(self.admin_user).action_reopen()
        self.assertEqual(self.may.state, "open")

    def test_reconcile_invoices_is_for_accountants_of_the_company(self):
        """The matching runs as superuser: a read-only user or another company may not."""
        payment = self.env["tko.payment"].create({"contract_id": self.contract.id, "amount": 50})
        payment.action_post()
        self.assertRefused(payment, "action_tko_reconcile_invoices")
        self.assertRefused(payment, "action_tko_reconcile_invoices", users=[self.reader])
        self.assertTrue(payment.with_user(self.accountant).action_tko_reconcile_invoices())

    def test_payment_actions(self):
        payment = self.env["tko.payment"].create({"account_id": self.acc1.id, "amount": 50})
        for method in ("action_post", "action_cancel", "action_draft"):
            self.assertRefused(payment, method)
            self.assertRefused(payment, method, users=[self.reader])
        payment.with_user(self.accountant).action_post()
        self.assertEqual(payment.state, "posted")

    def test_recalculation_absence_advance_actions(self):
        recalc = self.env["tko.recalculation"].create(
            {
                "basis_type": "document",
                "date_from": "2025-04-01",
                "scope": "accounts",
                "account_ids": [Command.set(self.acc1.ids)],
            }
        )
        for method in ("action_book", "action_cancel"):
            self.assertRefused(recalc, method)
            self.assertRefused(recalc, method, users=[self.reader])
        self.assertRefused(recalc, "action_view_lines")
        recalc.with_user(self.accountant).action_book()
        self.assertEqual(recalc.state, "done")
        absence = self.env["tko.absence"].create(
            {"account_id": self.acc2.id, "departure": "2025-04-05", "arrival": "2025-04-15"}
        )
        for method in ("action_confirm", "action_cancel", "action_draft"):
            self.assertRefused(absence, method)
            self.assertRefused(absence, method, users=[self.reader])
        absence.with_user(self.accountant).action_confirm()
        self.assertEqual(absence.state, "confirmed")
        self.assertEqual(absence.recalculation_id.state, "done")
        invoice = self.env["tko.advance.invoice"]._create_for_period(self.may, self.contract)
        for method in ("action_issue", "action_cancel"):
            self.assertRefused(invoice, method)
            self.assertRefused(invoice, method, users=[self.reader])
        invoice.with_user(self.accountant).action_issue()
        self.assertEqual(invoice.state, "issued")

    def test_posting_wizard_and_reports(self):
        Wizard = self.env["tko.payment.posting.wizard"]
        for user in (self.portal, self.reader):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                Wizard.with_user(user).create({}).action_post()
        with self.assertRaises(AccessError):
            Wizard.with_user(self.other_accountant).create({"company_id": self.company.id})
        report = self.env["tko.unpaid.report"].create({"date_at": "2025-06-30"})
        self.assertRefused(report, "action_show")
        self.assertRefused(report, "action_export_xlsx")
        report.action_show()
        self.assertRefused(report.line_ids[:1], "action_open_source")
        breakdown = self.env["tko.breakdown.print"].create(
            {"account_ids": [Command.set(self.acc1.ids)], "period_id": self.may.id}
        )
        self.assertRefused(breakdown, "action_print", users=[self.other_accountant])
        Report = self.env["report.mobill_tko_billing.report_charge_breakdown"]
        for user in self.outsiders:
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                Report.with_user(user)._get_report_values(self.acc1.ids, {"period_id": self.may.id})
        posting = self.env["tko.payment.posting"].create(
            {
                "name": "test",
                "company_id": self.company.id,
                "date": "2025-05-10",
                "channel": "bank",
            }
        )
        self.assertRefused(posting, "action_view_payments")
        # its own staff open it (an entry without a move lists no payments)
        action = posting.with_user(self.reader).action_view_payments()
        self.assertEqual(action["domain"], [("id", "in", [])])

    def test_reconciliation_reads_only_own_companies(self):
        self.may.action_post()
        Recon = self.env["tko.billing.reconciliation"]
        self.assertTrue(Recon.with_user(self.reader).search([("period_id", "=", self.may.id)]))
        self.assertFalse(Recon.with_user(self.other_accountant).search([]))
        self.assertFalse(
            self.env["tko.payment.reconciliation"].with_user(self.other_admin).search([])
        )
        with self.assertRaises(AccessError):
            Recon.with_user(self.portal).search([])

    # ------------------------------------------------------------------ protected fields
    def test_period_state_is_written_by_actions_only(self):
        self.may.action_post()
        self.may.action_close()
        may = self.may.with_user(self.accountant)
        for vals in ({"state": "open"}, {"closed_on": False}, {"closed_by_id": False}):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                may.write(vals)
        self.assertEqual(self.may.state, "closed")
        with self.assertRaises(AccessError):
            self.env["tko.billing.period"].with_user(self.accountant).create(
                {"date_start": "2025-06-01", "state": "closed"}
            )
        # the action writes it (after its own checks)
        self.may.with_user(self.admin_user).action_reopen()
        self.assertEqual(self.may.state, "open")

    def test_state_fields_of_documents_are_written_by_actions_only(self):
        payment = self.env["tko.payment"].create({"account_id": self.acc1.id, "amount": 50})
        recalc = self.env["tko.recalculation"].create(
            {"basis_type": "document", "date_from": "2025-04-01", "scope": "all"}
        )
        absence = self.env["tko.absence"].create(
            {"account_id": self.acc2.id, "departure": "2025-04-05", "arrival": "2025-04-15"}
        )
        invoice = self.env["tko.advance.invoice"]._create_for_period(self.may, self.contract)
        cases = [
            (payment, {"state": "posted"}),
            (payment, {"accounting_cancel_date": "2025-05-01"}),
            (recalc, {"state": "done"}),
            (recalc, {"period_id": self.april.id}),
            (absence, {"state": "confirmed"}),
            (absence, {"recalculation_id": recalc.id}),
            (invoice, {"state": "issued"}),
        ]
        for record, vals in cases:
            with self.subTest(model=record._name, vals=vals), self.assertRaises(AccessError):
                record.with_user(self.accountant).write(vals)
        with self.assertRaises(AccessError):
            self.env["tko.payment"].with_user(self.accountant).create(
                {"account_id": self.acc1.id, "amount": 5, "state": "posted"}
            )
        self.assertEqual(payment.state, "draft")
        self.assertEqual(absence.state, "draft")

    # ------------------------------------------------------------------ the ledger
    def test_context_flag_does_not_make_a_client_the_engine(self):
        Charge = self.env["tko.charge"].with_user(self.accountant)
        line = self.lines(self.may, self.acc1).with_user(self.accountant)
        forged = {"tko_billing_engine": True}
        with self.assertRaises(UserError):
            line.with_context(**forged).write({"amount_total": 1})
        with self.assertRaises(UserError):
            line.with_context(**forged).unlink()
        values = line.copy_data()[0]
        with self.assertRaises(UserError):
            Charge.with_context(**forged).create(values)
        # the server's own code (trusted) writes the ledger of the open period
        trusted(line).write({"note": "engine"})
        self.assertEqual(line.note, "engine")

    def test_trigger_refuses_moving_a_line_into_a_closed_period(self):
        line = self.lines(self.may, self.acc1)
        cr = self.env.cr
        self.env.flush_all()
        with self.assertRaises(psycopg2.Error), mute_logger("odoo.sql_db"), cr.savepoint():
            cr.execute(
                "UPDATE tko_charge SET period_id = %s WHERE id = %s", [self.april.id, line.id]
            )
        with self.assertRaises(psycopg2.Error), mute_logger("odoo.sql_db"), cr.savepoint():
            cr.execute(
                """INSERT INTO tko_charge (company_id, period_id, kind, state, consumer,
                                           account_id, amount_total)
                   VALUES (%s, %s, 'charge', 'draft', 'individual', %s, 1)""",
                [self.company.id, self.april.id, self.acc1.id],
            )
        # and out of it
        closed_line = self.lines(self.april, self.acc1)
        with self.assertRaises(psycopg2.Error), mute_logger("odoo.sql_db"), cr.savepoint():
            cr.execute(
                "UPDATE tko_charge SET period_id = %s WHERE id = %s", [self.may.id, closed_line.id]
            )
        # the ORM says it in words first
        with self.assertRaises(UserError):
            trusted(line).write({"period_id": self.april.id})

    # ------------------------------------------------------------------ multi-company
    def test_links_across_companies_are_refused(self):
        other_period = self.env["tko.billing.period"].create(
            {"date_start": "2025-05-01", "company_id": self.other.id}
        )
        with self.assertRaises(UserError):
            self.env["tko.payment"].create(
                {"account_id": self.acc1.id, "amount": 10, "company_id": self.other.id}
            )
        payment = self.env["tko.payment"].create({"account_id": self.acc1.id, "amount": 10})
        with self.assertRaises(UserError):
            payment.write({"target_period_id": other_period.id})
        with self.assertRaises(UserError):
            self.env["tko.advance.invoice"].create(
                {"contract_id": self.contract.id, "period_id": other_period.id, "amount": 1}
            )
        with self.assertRaises(UserError):
            self.env["tko.recalculation"].create(
                {
                    "company_id": self.other.id,
                    "date_from": "2025-04-01",
                    "scope": "accounts",
                    "account_ids": [Command.set(self.acc1.ids)],
                }
            )
        document = self.env["tko.document"].create(
            {"name": "Справка", "file": base64.b64encode(b"%PDF"), "company_id": self.other.id}
        )
        with self.assertRaises(UserError):
            self.env["tko.absence"].create(
                {
                    "account_id": self.acc2.id,
                    "departure": "2025-04-05",
                    "arrival": "2025-04-15",
                    "document_id": document.id,
                }
            )
        line = self.lines(self.may, self.acc1)
        values = dict(line.copy_data()[0], company_id=self.other.id, period_id=other_period.id)
        with self.assertRaises(UserError):
            trusted(self.env["tko.charge"]).create(values)

    # ------------------------------------------------------------------ exports
    def test_xlsx_writes_a_hostile_name_as_text(self):
        hostile = '=HYPERLINK("http://evil.example/pay","Оплатить")'
        self.assertTrue(is_formula_like(hostile))
        self.acc2.partner_id.name = hostile
        report = self.env["tko.unpaid.report"].create(
            {"date_at": "2025-06-30", "consumer": "individual"}
        )
        report.action_export_xlsx()
        book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(report.xlsx_file)))
        sheet = book.worksheets[0]
        cells = [row[2] for row in sheet.iter_rows(min_row=4) if row[2].value == hostile]
        self.assertTrue(cells, "the hostile name is in the file, as it is")
        for cell in cells:
            self.assertNotEqual(cell.data_type, "f")
            self.assertEqual(cell.data_type, "s")
            self.assertEqual(cell.value, hostile)
