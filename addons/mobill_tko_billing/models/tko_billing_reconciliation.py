from odoo import fields, models, tools


class TkoBillingReconciliation(models.Model):
    """Ledger against accounting, per period and tariff zone (individuals) or contract (legal
    entities): the charges of the ledger and the posted entries must agree to the kopeck."""

    _name = "tko.billing.reconciliation"
    _description = "Reconciliation of charges and accounting"
    _auto = False
    _order = "period_date desc, consumer, zone_id, contract_id"

    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    period_id = fields.Many2one("tko.billing.period", "Period", readonly=True)
    period_date = fields.Date("Month", readonly=True)
    consumer = fields.Selection(
        [("individual", "Individuals"), ("legal", "Legal entities")], readonly=True
    )
    zone_id = fields.Many2one("tko.tariff.zone", "Tariff zone", readonly=True)
    contract_id = fields.Many2one("tko.contract", "Contract", readonly=True)
    ledger_total = fields.Monetary("Ledger", readonly=True)
    ledger_vat = fields.Monetary("Ledger VAT", readonly=True)
    unposted_total = fields.Monetary("Not posted", readonly=True)
    move_total = fields.Monetary("Accounting (receivable)", readonly=True)
    move_vat = fields.Monetary("Accounting VAT (68.02)", readonly=True)
    difference = fields.Monetary(readonly=True)
    vat_difference = fields.Monetary("VAT difference", readonly=True)
    agrees = fields.Boolean(readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            """
            CREATE VIEW tko_billing_reconciliation AS
            WITH ledger AS (
                SELECT c.company_id, c.period_id, c.consumer,
                       CASE WHEN c.consumer = 'individual' THEN c.zone_id END AS zone_id,
                       CASE WHEN c.consumer = 'legal' THEN c.contract_id END AS contract_id,
                       sum(c.amount_total) AS ledger_total, sum(c.amount_vat) AS ledger_vat,
                       sum(c.amount_total) FILTER (WHERE c.state = 'draft') AS unposted_total,
                       0::numeric AS move_total, 0::numeric AS move_vat
                  FROM tko_charge c
                 GROUP BY 1, 2, 3, 4, 5
            ), accounting AS (
                SELECT m.company_id, m.tko_period_id AS period_id, m.tko_consumer AS consumer,
                       m.tko_zone_id AS zone_id, m.tko_contract_id AS contract_id,
                       0::numeric, 0::numeric, 0::numeric,
                       sum(CASE WHEN a.account_type = 'asset_receivable'
                                THEN l.balance ELSE 0 END)::numeric AS move_total,
                       -sum(CASE WHEN l.account_id = co.tko_vat_account_id
                                 THEN l.balance ELSE 0 END)::numeric AS move_vat
                  FROM account_move_line l
                  JOIN account_move m ON m.id = l.move_id
                  JOIN account_account a ON a.id = l.account_id
                  JOIN res_company co ON co.id = m.company_id
                 WHERE m.state = 'posted' AND m.tko_period_id IS NOT NULL
                 GROUP BY 1, 2, 3, 4, 5
            ), joined AS (
                SELECT * FROM ledger UNION ALL SELECT * FROM accounting
            )
            SELECT row_number() OVER (ORDER BY j.period_id, j.consumer, j.zone_id,
                                      j.contract_id) AS id,
                   j.company_id, j.period_id, p.date_start AS period_date, j.consumer,
                   j.zone_id, j.contract_id,
                   sum(j.ledger_total) AS ledger_total, sum(j.ledger_vat) AS ledger_vat,
                   COALESCE(sum(j.unposted_total), 0) AS unposted_total,
                   sum(j.move_total) AS move_total, sum(j.move_vat) AS move_vat,
                   sum(j.ledger_total) - sum(j.move_total) AS difference,
                   sum(j.ledger_vat) - sum(j.move_vat) AS vat_difference,
                   (sum(j.ledger_total) = sum(j.move_total)
                    AND sum(j.ledger_vat) = sum(j.move_vat)) AS agrees
              FROM joined j JOIN tko_billing_period p ON p.id = j.period_id
             GROUP BY j.company_id, j.period_id, p.date_start, j.consumer, j.zone_id,
                      j.contract_id
            """
        )
