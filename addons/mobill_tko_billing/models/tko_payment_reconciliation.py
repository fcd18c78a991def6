from odoo import fields, models, tools

from .tko_payment import CHANNELS


class TkoPaymentReconciliation(models.Model):
    """Payments of the ledger against accounting, per day and channel, to the kopeck.

    Ledger: the posted payments on the day they were booked; a payment of an individual that
    reached accounting and was cancelled later counts on the day booked and back out on the
    day cancelled (as accounting sees it). Accounting: the credit of the receivable in the
    aggregated entries of individuals and in the customer payments of contracts.
    """

    _name = "tko.payment.reconciliation"
    _description = "Reconciliation of payments and accounting"
    _auto = False
    _order = "date desc, channel, consumer"

    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Date("Day booked", readonly=True)
    channel = fields.Selection(CHANNELS, readonly=True)
    consumer = fields.Selection(
        [("individual", "Individuals"), ("legal", "Legal entities")], readonly=True
    )
    ledger_total = fields.Monetary("Ledger", readonly=True)
    unposted_total = fields.Monetary(
        "Not in accounting yet",
        readonly=True,
        help="Posted payments not yet in accounting (negative: cancellations to reverse).",
    )
    move_total = fields.Monetary("Accounting (receivable credited)", readonly=True)
    difference = fields.Monetary(readonly=True)
    agrees = fields.Boolean(readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            """
            CREATE VIEW tko_payment_reconciliation AS
            WITH pay AS (
                SELECT p.*, COALESCE(p.accounting_cancel_date, p.write_date::date) AS cancel_day,
                       CASE WHEN p.contract_id IS NULL THEN 'individual' ELSE 'legal' END
                           AS consumer
                  FROM tko_payment p
                 WHERE p.account_id IS NOT NULL OR p.contract_id IS NOT NULL
            ), joined AS (
                SELECT company_id, date_booked AS date, channel, consumer,
                       amount AS ledger_total,
                       CASE WHEN consumer = 'individual' AND (accounting_move_id IS NULL
                                 OR accounting_reversal_move_id IS NOT NULL) THEN amount
                            WHEN consumer = 'legal' AND NOT EXISTS (
                                 SELECT 1 FROM account_payment ap
                                   JOIN account_move am ON am.id = ap.move_id
                                  WHERE ap.id = pay.account_payment_id
                                    AND am.state = 'posted') THEN amount
                            ELSE 0 END AS unposted_total,
                       0::numeric AS move_total
                  FROM pay WHERE state = 'posted'
                UNION ALL
                SELECT company_id, date_booked, channel, consumer, amount, 0, 0
                  FROM pay WHERE state <> 'posted' AND consumer = 'individual'
                   AND accounting_move_id IS NOT NULL
                UNION ALL
                SELECT company_id, cancel_day, channel, consumer, -amount,
                       CASE WHEN accounting_reversal_move_id IS NULL THEN -amount ELSE 0 END,
                       0
                  FROM pay WHERE state <> 'posted' AND consumer = 'individual'
                   AND accounting_move_id IS NOT NULL
                UNION ALL
                SELECT m.company_id, m.date, pp.channel, 'individual', 0, 0,
                       -sum(l.balance)::numeric
                  FROM tko_payment_posting pp
                  JOIN account_move m ON m.id = pp.move_id AND m.state = 'posted'
                  JOIN account_move_line l ON l.move_id = m.id
                  JOIN account_account a ON a.id = l.account_id
                 WHERE a.account_type = 'asset_receivable'
                 GROUP BY 1, 2, 3
                UNION ALL
                SELECT m.company_id, m.date, p.channel, 'legal', 0, 0, -sum(l.balance)::numeric
                  FROM tko_payment p
                  JOIN account_payment ap ON ap.id = p.account_payment_id
                  JOIN account_move m ON m.id = ap.move_id AND m.state = 'posted'
                  JOIN account_move_line l ON l.move_id = m.id
                  JOIN account_account a ON a.id = l.account_id
                 WHERE a.account_type = 'asset_receivable'
                 GROUP BY 1, 2, 3
            )
            SELECT row_number() OVER (ORDER BY j.company_id, j.date, j.channel, j.consumer)
                       AS id,
                   j.company_id, j.date, j.channel, j.consumer,
                   sum(j.ledger_total) AS ledger_total,
                   sum(j.unposted_total) AS unposted_total,
                   sum(j.move_total) AS move_total,
                   sum(j.ledger_total) - sum(j.move_total) AS difference,
                   sum(j.ledger_total) = sum(j.move_total) AS agrees
              FROM joined j
             GROUP BY j.company_id, j.date, j.channel, j.consumer
            """
        )
