from collections import defaultdict
from decimal import Decimal

from odoo import api, fields, models
from odoo.addons.mobill_tko_base.tools import raise_user_error
from odoo.tools import SQL, split_every

from mobill_tko_core.allocation import AllocationError, allocate_batch

from ..tools.copy_writer import CopyBuffer


class TkoPaymentAllocation(models.Model):
    _name = "tko.payment.allocation"
    _description = "Allocation of a payment to a period"
    _check_company_auto = True
    _order = "payment_id, period_date"

    payment_id = fields.Many2one(
        "tko.payment", required=True, ondelete="cascade", index=True, check_company=True
    )
    account_id = fields.Many2one("tko.account", "Personal account", index=True, check_company=True)
    contract_id = fields.Many2one("tko.contract", index=True, check_company=True)
    company_id = fields.Many2one("res.company", required=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    period_id = fields.Many2one(
        "tko.billing.period",
        "Period paid",
        help="Empty: an advance (overpayment).",
        check_company=True,
    )
    period_date = fields.Date(related="period_id.date_start", store=True)
    date_paid = fields.Date(related="payment_id.date_paid", store=True)
    amount = fields.Monetary(required=True)
    is_advance = fields.Boolean(
        "Advance",
        compute="_compute_is_advance",
        help="Paid beyond the debts: an advance (overpayment) for the next periods.",
    )

    @api.depends("period_id")
    def _compute_is_advance(self):
        for rec in self:
            rec.is_advance = not rec.period_id

    @api.model
    def _debts(self, key, ids):
        """``{id: [(period date, period id, charged)]}`` from the ledger (booking periods)."""
        self.env["tko.charge"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT c.%(key)s, p.date_start, p.id, sum(c.amount_total)::text
                  FROM tko_charge c JOIN tko_billing_period p ON p.id = c.period_id
                 WHERE c.%(key)s = ANY(%(ids)s)
                 GROUP BY c.%(key)s, p.date_start, p.id
                """,
                key=SQL.identifier(key),
                ids=list(ids),
            )
        )
        debts = defaultdict(list)
        for rid, day, pid, amount in self.env.cr.fetchall():
            debts[rid].append((day, pid, amount))
        return debts

    @api.model
    def _reallocate(self, accounts=None, contracts=None):
        """Rebuild the allocation lines of the posted payments of these accounts/contracts.

        Payments are applied in the order they were paid; each sees the debts the earlier
        ones left (``allocate_batch``): a named period first, then the oldest debt; what is
        left is an advance. Set-based: the debts and payments of up to 20,000 accounts are read
        with one query each, allocated by the core and written with ``execute_values``.
        """
        self.env["tko.payment"].flush_model()
        self.flush_model()
        for key, records in (("account_id", accounts), ("contract_id", contracts)):
            if not records:
                continue
            for chunk in split_every(20_000, records.ids):
                self._reallocate_chunk(key, list(chunk))
        self.invalidate_model()
        return True

    @api.model
    def _reallocate_chunk(self, key, ids):
        cr = self.env.cr
        # Two transactions allocating payments of the same account at once would each see only
        # their own payment and pay the same debt twice. Touching the accounts' rows makes the
        # second wait for the first and then fail with a serialization error: Odoo retries the
        # request (queue_job the job) on a fresh snapshot that sees the first one's payments.
        table = "tko_account" if key == "account_id" else "tko_contract"
        cr.execute(
            SQL("UPDATE %s SET id = id WHERE id = ANY(%s)", SQL.identifier(table), sorted(ids))
        )
        cr.execute(
            SQL("DELETE FROM tko_payment_allocation WHERE %s = ANY(%s)", SQL.identifier(key), ids)
        )
        debts = self._debts(key, ids)
        cr.execute(
            SQL(
                """
                SELECT p.id, p.%(key)s, p.amount::text, tp.date_start, p.company_id, p.date_paid
                  FROM tko_payment p
             LEFT JOIN tko_billing_period tp ON tp.id = p.target_period_id
                 WHERE p.%(key)s = ANY(%(ids)s) AND p.state = 'posted'
                 ORDER BY p.date_paid, p.id
                """,
                key=SQL.identifier(key),
                ids=ids,
            )
        )
        payments = cr.fetchall()
        if not payments:
            return
        period_ids = {}
        debt_map = {}
        for rid, rows in debts.items():
            debt_map[rid] = [(day, Decimal(amount)) for day, _pid, amount in rows]
            for day, pid, _amount in rows:
                period_ids[day] = pid
        try:
            batch = allocate_batch(
                [(rid, Decimal(amount), target) for _id, rid, amount, target, _c, _d in payments],
                debt_map,
            )
        except AllocationError as error:
            raise_user_error(self.env, error, validation=False)
        uid, now = self.env.uid, fields.Datetime.now()
        buffer = CopyBuffer(
            "tko_payment_allocation",
            (
                "payment_id",
                key,
                "company_id",
                "period_id",
                "period_date",
                "date_paid",
                "amount",
                "create_uid",
                "create_date",
                "write_uid",
                "write_date",
            ),
        )
        for index, rid, day, amount in batch.lines:
            payment_id, _rid, _amount, _target, company_id, date_paid = payments[index]
            buffer.add(
                (
                    payment_id,
                    rid,
                    company_id,
                    period_ids.get(day) if day else None,
                    day,
                    date_paid,
                    amount,
                    uid,
                    now,
                    uid,
                    now,
                )
            )
        buffer.flush(cr)
