import base64
from datetime import date
from decimal import Decimal

from odoo import fields
from odoo.addons.mobill_tko_billing.tests.common import BillingCase
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from mobill_tko_core.formats.debt_registry import period_to_pay

INN = "4000000001"
OWN = "40702810900000001234"


@tagged("post_install", "-at_install")
class TestDebtRegistry(BillingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.vat = INN
        cls.bank = cls.env["res.partner.bank"].create(
            {"acc_number": OWN, "partner_id": cls.company.partner_id.id}
        )
        cls.sber = cls.env.ref("mobill_tko_integrations.debt_registry_profile_sberbank")
        # only our test town: the database may hold demo accounts too
        cls.sber.write(
            {
                "address_ids": [(6, 0, cls.town.ids)],
                "company_id": cls.company.id,
                "bank_account_id": cls.bank.id,
            }
        )
        cls.Export = cls.env["tko.debt.registry.export"]

    def _ledger(self):
        april = self.period("2025-04-01")
        self.run_town(april)
        may = self.period("2025-05-01")
        self.run_town(may)
        Payment = self.env["tko.payment"]
        Payment.create(
            {"account_id": self.acc1.id, "amount": 300, "date_paid": "2025-05-10"}
        ).action_post()
        Payment.create(
            {"account_id": self.acc2.id, "amount": 1000, "date_paid": "2025-05-15"}
        ).action_post()
        return may

    def _export(self, profile, day="2025-05-31", **vals):
        export = self.Export.create(
            {"profile_id": profile.id, "date_at": day, "period": "2025-05-01", **vals}
        )
        export.action_export()
        return export

    @staticmethod
    def _text(export, encoding="cp1251"):
        return base64.b64decode(export.file).decode(encoding)

    def test_sberbank_registry_lists_amounts_due(self):
        self._ledger()
        debt3 = Decimal(str(self.acc3._tko_debt_at(date(2025, 5, 31))[self.acc3.id]))
        export = self._export(self.sber)
        self.assertEqual(export.state, "done", export.error_message)
        self.assertEqual(export.name, f"{INN}_{OWN}_001_0525.txt")
        self.assertEqual(export.attachment_id.name, export.name)
        lines = self._text(export).split("\r\n")
        self.assertEqual(lines[-1], "")
        rows = {line.split(";")[0]: line.split(";") for line in lines[:-1]}
        # the three flats of the town (and only them); 2 × 217.53 − 300 = 135.06
        self.assertEqual(set(rows), set(self.town_accounts.mapped("name")))
        self.assertEqual(rows[self.acc1.name][3], "052025")
        self.assertEqual(rows[self.acc1.name][4], "135.06")
        self.assertEqual(rows[self.acc1.name][1], self.acc1.partner_id.name)
        self.assertIn("Ленина", rows[self.acc1.name][2])
        self.assertEqual(rows[self.acc2.name][4], "0.00")  # paid in advance
        self.assertEqual(rows[self.acc3.name][4], f"{debt3:.2f}")
        self.assertEqual(export.row_count, 3)
        self.assertAlmostEqual(export.amount_total, float(Decimal("135.06") + debt3))
        self.assertEqual(export.exported_by, self.env.user)
        self.assertIn(export.attachment_id, export.message_ids.attachment_ids)
        # the next file of the same period gets the next number; the first stays
        second = self._export(self.sber)
        self.assertEqual(second.seq, 2)
        self.assertTrue(second.name.startswith(f"{INN}_{OWN}_002_"))
        # debt counted earlier: before the payment of acc1 (10 May) April alone is due
        early = self._export(self.sber, day="2025-05-09")
        rows = {r.split(";")[0]: r.split(";") for r in self._text(early).split("\r\n")[:-1]}
        self.assertEqual(rows[self.acc1.name][4], "217.53")

    def test_custom_profile_skips_advances_lists_contracts_and_mails(self):
        may = self._ledger()
        self.charge_run(may, scope="contracts", contract_ids=[(6, 0, self.contract.ids)])
        profile = self.env["tko.debt.registry.profile"].create(
            {
                "name": "Bank X",
                "code": "bank_x",
                "encoding": "utf-8",
                "separator": "|",
                "decimal_mark": ",",
                "columns": "account, amount, period",
                "period_format": "MM.YYYY",
                "header": "#{inn}|{date:%d.%m.%Y}",
                "trailer": "={count}|{total}",
                "filename_pattern": "debts_{period:%Y%m}_{seq:02d}.txt",
                "line_ending": "lf",
                "non_positive": "skip",
                "include_accounts": True,
                "include_contracts": True,
                "address_ids": [(6, 0, self.town.ids)],
                "min_amount": 140,
                "delivery": "email",
                "email_to": "registry@bank.example",
            }
        )
        export = self._export(profile)
        self.assertEqual(export.state, "done", export.error_message)
        self.assertEqual(export.name, "debts_202505_01.txt")
        lines = self._text(export, "utf-8").split("\n")
        self.assertEqual(lines[0], f"#{INN}|31.05.2025")
        self.assertEqual(lines[-1], "")
        body = lines[1:-2]
        day = date(2025, 5, 31)
        expected = []
        for records in (self.town_accounts, self.contracts):
            debts = records._tko_debt_at(day)
            for rec in records.sorted("name"):
                due = Decimal(str(debts.get(rec.id, 0))).quantize(Decimal("0.01"))
                if due >= 140:
                    expected.append(f"{rec.name}|{due}|05.2025".replace(".", ",", 1))
        # acc1 owes 135.06 (< 140: left out), acc2 paid in advance (skipped), acc3 145.02
        self.assertNotIn(self.acc1.name, "".join(body))
        self.assertNotIn(self.acc2.name, "".join(body))
        self.assertIn(f"{self.acc3.name}|145,02|05.2025", body)
        self.assertEqual(body, expected)
        self.assertTrue(any(line.startswith(self.contract.name) for line in body))
        total = sum(Decimal(line.split("|")[1].replace(",", ".")) for line in body)
        self.assertEqual(lines[-2], f"={len(body)}|{total}".replace(".", ","))
        self.assertEqual(export.skipped_count, 2)
        mail = export.mail_id
        self.assertTrue(mail)
        self.assertEqual(mail.email_to, "registry@bank.example")
        self.assertEqual(mail.attachment_ids, export.attachment_id)

    def test_export_is_set_based(self):
        self._ledger()
        cr = self.env.cr
        before = cr.sql_log_count
        self._export(self.sber)
        few = cr.sql_log_count - before
        for n in range(15):
            self._account(f"кв. {10 + n}", self.house, 1)
        before = cr.sql_log_count
        export = self._export(self.sber)
        many = cr.sql_log_count - before
        self.assertEqual(export.row_count, 18)
        # the same queries whatever the number of accounts (no query per account)
        self.assertLessEqual(many, few + 2, (few, many))

    def test_problems_are_stated_on_the_export(self):
        self._ledger()
        self.company.vat = False
        export = self._export(self.sber)
        self.assertEqual(export.state, "failed")
        self.assertIn("INN", export.error_message)
        self.assertFalse(export.attachment_id)
        self.company.vat = INN
        # a payer name that cp1251 cannot hold: the row is named
        self.acc1.partner_id.name = "Житель ✓"
        export.action_reset()
        export.action_export()
        self.assertEqual(export.state, "failed")
        self.assertIn(self.acc1.name, export.error_message)
        self.assertIn("✓", export.error_message)

    def test_profile_constraints(self):
        with self.assertRaises(ValidationError):
            self.sber.write({"columns": "account,amount,colour"})
        with self.assertRaises(ValidationError):
            self.sber.write({"separator": "\n"})
        with self.assertRaises(ValidationError):
            self.sber.write({"schedule": "monthly", "schedule_day": 40})
        with self.assertRaises(ValidationError):
            self.sber.write({"delivery": "email", "email_to": False})
        with self.assertRaises(ValidationError):
            self.sber.write({"include_accounts": False, "include_contracts": False})
        with self.assertRaises(ValidationError):
            self.sber.write({"filename_pattern": ""})
        profile = self.sber._to_profile()
        self.assertEqual(profile.columns, ["account", "payer", "address", "period", "amount"])
        self.assertEqual(profile.encoding, "cp1251")

    def test_export_now_and_schedule(self):
        self._ledger()
        action = self.sber.action_export_now()
        export = self.Export.browse(action["res_id"])
        self.assertEqual(export.state, "done", export.error_message)
        today = fields.Date.context_today(self.sber)
        self.assertEqual(export.date_at, today)
        self.assertEqual(export.period, period_to_pay(today, 1))
        # scheduled: daily profiles once a day, by-hand ones never
        Profile = self.env["tko.debt.registry.profile"]
        daily = self.sber.copy({"name": "Daily", "schedule": "daily"})
        count = self.Export.search_count([])
        Profile._cron_export_scheduled()
        made = self.Export.search([("profile_id", "=", daily.id)])
        self.assertEqual(len(made), 1)
        self.assertEqual(made.state, "done", made.error_message)
        self.assertEqual(self.Export.search_count([]), count + 1)  # not the manual profile
        Profile._cron_export_scheduled()
        self.assertEqual(self.Export.search_count([]), count + 1)  # not twice a day
