from collections import defaultdict
from decimal import Decimal

from odoo import api, fields, models
from odoo.tools import SQL

from mobill_tko_core.allocation import allocate_batch


class TkoPaymentAllocation(models.Model):
    _name = "tko.payment.allocation"
    _description = "Allocation of a payment to a period"
    _order = "payment_id, period_date"

    payment_id = fields.Many2one("tko.payment", required=True, ondelete="cascade", index=True)
    account_id = fields.Many2one("tko.account", "Personal account", index=True)
    contract_id = fields.Many2one("tko.contract", index=True)
    company_id = fields.Many2one("res.company", required=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    period_id = fields.Many2one(
        "tko.billing.period", "Period paid", help="Empty: an advance (overpayment)."
    )
    period_date = fields.Date(related="period_id.date_start", store=True)
    date_paid = fields.Date(related="payment_id.date_paid", store=True)
    amount = fields.Monetary(required=True)

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
        left is an advance.
        """
        for key, records in (("account_id", accounts), ("contract_id", contracts)):
            if not records:
                continue
            ids = records.ids
            self.search([(key, "in", ids)]).unlink()
            debts = self._debts(key, ids)
            payments = self.env["tko.payment"].search(
                [(key, "in", ids), ("state", "=", "posted")], order="date_paid, id"
            )
            if not payments:
                continue
            period_ids = {}
            debt_map = {}
            for rid, rows in debts.items():
                debt_map[rid] = [(day, Decimal(amount)) for day, _pid, amount in rows]
                for day, pid, _amount in rows:
                    period_ids[day] = pid
            batch = allocate_batch(
                [
                    (
                        p[key].id,
                        Decimal(str(p.amount)),
                        p.target_period_id.date_start if p.target_period_id else None,
                    )
                    for p in payments
                ],
                debt_map,
            )
            vals = []
            for index, rid, day, amount in batch.lines:
                payment = payments[index]
                vals.append(
                    {
                        "payment_id": payment.id,
                        key: rid,
                        "company_id": payment.company_id.id,
                        "period_id": period_ids.get(day) if day else False,
                        "amount": float(amount),
                    }
                )
            self.create(vals)
