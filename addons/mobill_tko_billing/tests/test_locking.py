import psycopg2
from odoo.addons.mobill_tko_base.tools import trusted
from odoo.exceptions import UserError, ValidationError
from odoo.sql_db import db_connect
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from ..models.tko_billing_period import LOCK_NAMESPACE
from .common import BillingCase


@tagged("post_install", "-at_install")
class TestLocking(BillingCase):
    def test_closed_period_rejects_changes(self):
        april = self.period("2025-04-01")
        self.run_town(april)
        with self.assertRaises(UserError):
            april.action_close()  # charges not in accounting yet
        april.action_post()
        april.action_close()
        self.assertEqual(april.state, "closed")
        line = self.lines(april, self.acc1)
        with self.assertRaises(UserError):
            trusted(line).write({"amount_total": 1})
        with self.assertRaises(UserError):
            trusted(line).unlink()
        with self.assertRaises(UserError):
            self.env["tko.charge.run"].create({"period_id": april.id}).action_run_now()
        # the database refuses too, whatever writes
        with self.assertRaises(psycopg2.Error), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            self.env.cr.execute("DELETE FROM tko_charge WHERE id = %s", [line.id])
        with self.assertRaises(psycopg2.Error), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            self.env.cr.execute("UPDATE tko_charge SET amount_total = 0 WHERE id = %s", [line.id])
        # the period's entries cannot be cancelled either
        with self.assertRaises(UserError):
            line.move_id.button_draft()
        # a second period cannot be opened before a closed one, nor two at once
        may = self.period("2025-05-01", close_open=False)
        with self.assertRaises(ValidationError):
            self.env["tko.billing.period"].create({"date_start": "2025-06-01"})
        may.action_post()
        may.action_close()
        with self.assertRaises(ValidationError):
            self.env["tko.billing.period"].create({"date_start": "2025-03-01"})

    def test_users_cannot_write_ledger_lines(self):
        period = self.period("2025-05-01")
        self.run_town(period)
        accountant = new_test_user(
            self.env, "lock_accountant", groups="mobill_tko_base.group_tko_accountant"
        )
        line = self.lines(period, self.acc1).with_user(accountant)
        with self.assertRaises(UserError):
            line.write({"amount_total": 1})
        with self.assertRaises(UserError):
            line.unlink()

    def test_second_run_on_a_period_is_rejected(self):
        period = self.period("2025-05-01")
        first = self.env["tko.charge.run"].create({"period_id": period.id})
        first.action_start()
        self.assertEqual(first.state, "queued")
        second = self.env["tko.charge.run"].create({"period_id": period.id})
        with self.assertRaisesRegex(UserError, first.name):
            second.action_run_now()
        with self.assertRaises(UserError):
            second.action_start()
        with self.assertRaises(UserError):
            period.action_close()
        first.action_cancel()
        self.run_town(period)  # possible again once the first is cancelled

    def test_concurrent_transaction_holding_the_period_is_rejected(self):
        """Another transaction (another worker) holds the period: fail at once, clearly."""
        period = self.period("2025-05-01")
        run = self.env["tko.charge.run"].create({"period_id": period.id})
        other = db_connect(self.env.cr.dbname).cursor()
        try:
            other.execute("SELECT pg_advisory_lock(%s, %s)", [LOCK_NAMESPACE, period.id])
            with self.assertRaisesRegex(UserError, "another charge run"):
                run.action_run_now()
            with self.assertRaises(UserError):
                period.action_close()
        finally:
            other.execute("SELECT pg_advisory_unlock_all()")
            other.close()
        self.assertEqual(run.state, "draft")
        run.action_run_now()
        self.assertEqual(run.state, "done")
