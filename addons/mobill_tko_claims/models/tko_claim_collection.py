from odoo import _, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL, drop_view_if_exists

COLLECTION_QUERY = """
WITH actions AS (
    SELECT n.id * 3 AS id, 'notice' AS action, n.id AS notice_id, NULL::integer AS claim_id,
           n.date_sent::date AS date, n.partner_id, n.account_id, n.contract_id, n.company_id,
           n.district_id, n.debt_amount AS debt, n.channel AS detail
      FROM tko_notice n
     WHERE n.state IN ('sent', 'done', 'queued') AND n.date_sent IS NOT NULL
    UNION ALL
    SELECT c.id * 3 + 1, CASE WHEN c.kind = 'claim' THEN 'claim' ELSE 'lawsuit' END, NULL, c.id,
           CASE WHEN c.kind = 'claim' THEN COALESCE(c.date_sent, c.date_prepared)
                ELSE COALESCE(c.date_filed, c.date_sent, c.date_prepared) END,
           c.partner_id, c.account_id, c.contract_id, c.company_id, c.district_id,
           c.total_amount, c.kind
      FROM tko_claim c
),
ordered AS (
    SELECT a.*, LEAD(a.date) OVER (
               PARTITION BY a.account_id, a.contract_id ORDER BY a.date, a.id) AS next_date
      FROM actions a
     WHERE a.date IS NOT NULL
)
SELECT o.*, COALESCE(pay.paid_after, 0) AS paid_after, COALESCE(pay.paid_30, 0) AS paid_30,
       COALESCE(pay.paid_90, 0) AS paid_90
  FROM ordered o
  LEFT JOIN LATERAL (
        SELECT sum(p.amount) FILTER (WHERE o.next_date IS NULL OR p.date_paid < o.next_date)
                   AS paid_after,
               sum(p.amount) FILTER (WHERE p.date_paid < o.date + 30) AS paid_30,
               sum(p.amount) FILTER (WHERE p.date_paid < o.date + 90) AS paid_90
          FROM (SELECT amount, date_paid FROM tko_payment
                 WHERE account_id = o.account_id AND state = 'posted' AND date_paid >= o.date
                UNION ALL
                SELECT amount, date_paid FROM tko_payment
                 WHERE contract_id = o.contract_id AND o.account_id IS NULL
                   AND state = 'posted' AND date_paid >= o.date) p) pay ON TRUE
"""


class TkoClaimCollection(models.Model):
    """Money collected after each action of claims work: payments of the debtor's account or
    contract from the day of a notice, a claim or a court application until the next action
    (and within 30 and 90 days)."""

    _name = "tko.claim.collection"
    _description = "Collection after claims actions"
    _auto = False
    _order = "date desc, id desc"

    action = fields.Selection(
        [("notice", "Notice"), ("claim", "Claim"), ("lawsuit", "Court application")],
        readonly=True,
    )
    notice_id = fields.Many2one("tko.notice", readonly=True)
    claim_id = fields.Many2one("tko.claim", readonly=True)
    date = fields.Date(readonly=True)
    next_date = fields.Date("Next action", readonly=True)
    partner_id = fields.Many2one("res.partner", "Consumer", readonly=True)
    account_id = fields.Many2one("tko.account", "Personal account", readonly=True)
    contract_id = fields.Many2one("tko.contract", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    district_id = fields.Many2one("tko.address", "District", readonly=True)
    detail = fields.Char("Channel or kind", readonly=True)
    debt = fields.Monetary("Debt at the action", currency_field="currency_id", readonly=True)
    paid_after = fields.Monetary(
        "Paid until the next action", currency_field="currency_id", readonly=True
    )
    paid_30 = fields.Monetary("Paid within 30 days", currency_field="currency_id", readonly=True)
    paid_90 = fields.Monetary("Paid within 90 days", currency_field="currency_id", readonly=True)

    def init(self):
        # called by the registry (as superuser) when the module loads; never by a client
        if not self.env.su:
            raise AccessError(_("The collection report is set up by the system only."))
        drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                "CREATE OR REPLACE VIEW %s AS (%s)",
                SQL.identifier(self._table),
                SQL(COLLECTION_QUERY),
            )
        )
