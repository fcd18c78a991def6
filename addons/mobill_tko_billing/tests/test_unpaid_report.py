import base64
import io
from datetime import date

import openpyxl
from odoo.tests import tagged

from .common import BillingCase


@tagged("post_install", "-at_install")
class TestUnpaidReport(BillingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Report = cls.env["tko.unpaid.report"]
        # built once for the class: April and May charged, April posted, one payment
        cls.april = cls.period("2025-04-01")
        cls.charge_run(cls.april, scope="all", consumer_kind="all", address_id=cls.town.id)
        cls.may = cls.period("2025-05-01")  # posts April: the contracts' invoices
        cls.charge_run(cls.may, scope="all", consumer_kind="all", address_id=cls.town.id)
        cls.env["tko.payment"].create(
            {"account_id": cls.acc1.id, "amount": 300, "date_paid": "2025-05-10"}
        ).action_post()

    def _lines(self, **vals):
        report = self.Report.create({"date_at": "2025-06-30", **vals})
        action = report.action_show()
        lines = self.env["tko.unpaid.report.line"].search(action["domain"])
        return report, lines

    @staticmethod
    def _by(lines, record, period=None):
        field = "account_id" if record._name == "tko.account" else "contract_id"
        return lines.filtered(
            lambda line: line[field] == record
            and line.kind == "charge"
            and (period is None or line.period_id == period)
        )

    def test_unpaid_periods_of_accounts(self):
        report, lines = self._lines(consumer="individual")
        self.assertFalse(lines.filtered("contract_id"))
        # acc1: 217.53 a month; 300 paid on 10 May covers April and 82.47 of May
        self.assertFalse(self._by(lines, self.acc1, self.april))
        may = self._by(lines, self.acc1, self.may)
        self.assertEqual(
            (self.dec(may.charged), self.dec(may.paid), self.dec(may.due)),
            (self.dec(217.53), self.dec(82.47), self.dec(135.06)),
        )
        self.assertEqual(may.due_date, date(2025, 6, 10))  # by the 10th of the next month
        self.assertEqual(may.days_overdue, 20)
        self.assertEqual(may.period_date, date(2025, 5, 1))
        self.assertEqual(may.partner_id, self.acc1.partner_id)
        self.assertEqual(may.zone_id, self.zone)
        # acc2 paid nothing: both months due, April overdue since 10 May
        april2 = self._by(lines, self.acc2, self.april)
        self.assertEqual(april2.days_overdue, 51)
        self.assertEqual(self.dec(april2.paid), 0)
        # the totals agree with the ledger's debt of every account
        debts = self.town_accounts._tko_debt_at(date(2025, 6, 30))
        self.assertAlmostEqual(
            sum(lines.filtered(lambda line: line.account_id in self.town_accounts).mapped("due")),
            sum(debts.values()),
            places=2,
        )
        self.assertEqual(report.line_count, len(lines))

    def test_at_an_earlier_date(self):
        # before the payment and before May was booked: April alone, not overdue yet
        report, lines = self._lines(date_at="2025-05-09", consumer="individual")
        april = self._by(lines, self.acc1)
        self.assertEqual(april.period_id, self.april)
        self.assertEqual(self.dec(april.due), self.dec(217.53))
        self.assertEqual(april.days_overdue, 0)

    def test_filters(self):
        _report, lines = self._lines(consumer="individual", overdue_days=25)
        self.assertEqual(set(lines.mapped("period_id")), {self.april})
        self.assertFalse(self._by(lines, self.acc1))  # April paid
        _report, lines = self._lines(consumer="individual", min_amount=100)
        self.assertFalse(self._by(lines, self.acc3))  # 72.51 a month
        self.assertTrue(self._by(lines, self.acc2))
        _report, lines = self._lines(zone_ids=[(6, 0, self.zone_other.ids)])
        self.assertFalse(lines)
        _report, lines = self._lines(consumer="legal")
        self.assertFalse(lines.filtered("account_id"))

    def test_contracts_and_unpaid_invoices(self):
        _report, lines = self._lines(consumer="legal")
        may = self._by(lines, self.contract, self.may)
        self.assertTrue(may)
        self.assertEqual(may.due_date, date(2025, 6, 15))  # the contract's due day
        self.assertEqual(may.days_overdue, 15)
        invoice = self.env["account.move"].search(
            [("tko_period_id", "=", self.april.id), ("tko_contract_id", "=", self.contract.id)]
        )
        self.assertEqual(invoice.state, "posted")
        doc = lines.filtered(lambda line: line.kind == "document" and line.move_id == invoice)
        self.assertEqual(len(doc), 1)
        self.assertAlmostEqual(doc.due, invoice.amount_residual, places=2)
        self.assertEqual(doc.due_date, invoice.invoice_date_due)
        self.assertEqual(doc.days_overdue, (date(2025, 6, 30) - invoice.invoice_date_due).days)
        self.assertEqual(doc.contract_id, self.contract)
        _report, lines = self._lines(consumer="legal", include_documents=False)
        self.assertFalse(lines.filtered(lambda line: line.kind == "document"))

    def test_invoice_paid_later_is_unpaid_at_an_earlier_date(self):
        invoice = self.env["account.move"].search(
            [("tko_period_id", "=", self.april.id), ("tko_contract_id", "=", self.contract.id)]
        )
        total = invoice.amount_total
        # the contract pays the whole invoice on 15.07.2025 (booked that day)
        self.env["tko.payment"].create(
            {
                "contract_id": self.contract.id,
                "amount": total,
                "date_paid": "2025-07-15",
                "date_booked": "2025-07-15",
            }
        ).action_post()
        self.assertEqual(invoice.payment_state, "paid")
        _report, lines = self._lines(consumer="legal")  # on 30.06.2025
        doc = lines.filtered(lambda line: line.kind == "document" and line.move_id == invoice)
        self.assertAlmostEqual(doc.due, total, places=2)
        report = self.Report.create({"date_at": "2025-07-31", "consumer": "legal"})
        later = self.env["tko.unpaid.report.line"].search(report.action_show()["domain"])
        self.assertFalse(
            later.filtered(lambda line: line.kind == "document" and line.move_id == invoice)
        )

    def test_xlsx(self):
        report = self.Report.create({"date_at": "2025-06-30", "consumer": "individual"})
        action = report.action_export_xlsx()
        self.assertIn("xlsx_file", action["url"])
        book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(report.xlsx_file)))
        sheet = book.worksheets[0]
        rows = list(sheet.iter_rows(min_row=4, values_only=True))
        self.assertEqual(len(rows), report.line_count + 1)  # and the total line
        self.assertIn(self.acc1.name, [r[1] for r in rows])
        self.assertAlmostEqual(rows[-1][8], report.amount_due, places=2)

    def test_set_based(self):
        cr = self.env.cr
        self._lines(consumer="individual")
        for n in range(10):
            self._account(f"кв. {20 + n}", self.house, 1)
        before = cr.sql_log_count
        self._lines(consumer="individual")
        few = cr.sql_log_count - before
        june = self.period("2025-06-01")
        self.charge_run(june, scope="all", address_id=self.town.id)
        before = cr.sql_log_count
        _report, lines = self._lines(consumer="individual")
        many = cr.sql_log_count - before
        self.assertGreater(len(lines.mapped("account_id")), 10)
        self.assertLessEqual(many, few + 2, (few, many))
