from odoo import _, api, fields, models
from odoo.addons.mobill_tko_base.tools import trusted
from odoo.addons.mobill_tko_base.tools.access import LAWYER, READER, check_group, check_rights
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, drop_view_if_exists

from .tko_claim import STAGES

CONSUMER_KINDS = [
    ("person", "Individual"),
    ("entrepreneur", "Individual entrepreneur"),
    ("legal", "Legal entity"),
]

# One row per personal account and per contract that owes something, on the refresh day.
# What is unpaid of each month is the ledger's allocation of the payments read by the core's
# rule (mobill_tko_core.allocation.unpaid_by_period): the allocation lines naming a month pay
# it up to its charge (principal first: the rest of such a line paid penalties), the advances
# (lines without a month) pay the oldest months left; a test compares this SQL with the core.
DEBTOR_QUERY = """
WITH months AS (
    SELECT COALESCE(c.account_id * 2, c.contract_id * 2 + 1) AS key, c.company_id,
           p.date_start AS period,
           COALESCE(sum(c.amount_total) FILTER (WHERE c.kind <> 'penalty'), 0) AS principal,
           COALESCE(sum(c.amount_total) FILTER (WHERE c.kind = 'penalty'), 0) AS penalty
      FROM tko_charge c JOIN tko_billing_period p ON p.id = c.period_id
     WHERE c.date <= CURRENT_DATE
       AND (c.account_id IS NOT NULL OR c.contract_id IS NOT NULL)
     GROUP BY 1, c.company_id, p.date_start),
dues AS (
    SELECT m.*, {due_date} AS due_date
      FROM months m JOIN res_company co ON co.id = m.company_id{condition_join}),
alloc AS (
    SELECT COALESCE(a.account_id * 2, a.contract_id * 2 + 1) AS key, a.period_date AS period,
           sum(a.amount) AS amount
      FROM tko_payment_allocation a JOIN tko_payment pay ON pay.id = a.payment_id
     WHERE pay.state = 'posted' AND a.date_paid <= CURRENT_DATE
     GROUP BY 1, 2),
opened AS (
    SELECT d.*, GREATEST(0, d.principal - COALESCE(al.amount, 0)) AS open_amount,
           COALESCE(adv.amount, 0) AS advance
      FROM dues d
      LEFT JOIN alloc al ON al.key = d.key AND al.period = d.period
      LEFT JOIN alloc adv ON adv.key = d.key AND adv.period IS NULL),
unpaid AS (
    SELECT o.*,
           GREATEST(0, LEAST(o.open_amount,
                             sum(o.open_amount) OVER (PARTITION BY o.key ORDER BY o.period)
                             - o.advance)) AS unpaid
      FROM opened o),
paid AS (
    SELECT COALESCE(account_id * 2, contract_id * 2 + 1) AS key, sum(amount) AS paid,
           max(date_paid) AS last_paid
      FROM tko_payment
     WHERE state = 'posted' AND date_paid <= CURRENT_DATE
     GROUP BY 1),
totals AS (
    SELECT u.key, min(u.company_id) AS company_id,
           sum(u.principal) AS charged, sum(u.penalty) AS penalty_charged,
           COALESCE(max(pd.paid), 0) AS paid, max(pd.last_paid) AS last_payment_date,
           sum(u.unpaid) AS principal_debt,
           min(u.period) FILTER (WHERE u.unpaid > 0) AS oldest_period,
           min(u.due_date) FILTER (WHERE u.unpaid > 0) AS oldest_due_date,
           count(*) FILTER (WHERE u.unpaid > 0) AS months_in_debt,
           COALESCE(sum(u.unpaid) FILTER (WHERE u.due_date < CURRENT_DATE), 0) AS overdue_debt
      FROM unpaid u LEFT JOIN paid pd ON pd.key = u.key
     GROUP BY u.key),
targets AS (
    SELECT t.*, a.id AS account_id, NULL::integer AS contract_id, a.name AS number,
           a.partner_id, a.address_id, a.zone_id, a.management_company_id
      FROM totals t JOIN tko_account a ON a.id * 2 = t.key
     WHERE (t.key & 1) = 0
    UNION ALL
    SELECT t.*, NULL, k.id, k.name, k.partner_id, obj.address_id, obj.zone_id,
           obj.management_company_id
      FROM totals t JOIN tko_contract k ON k.id * 2 + 1 = t.key
      LEFT JOIN LATERAL (
            SELECT o.address_id, o.zone_id, o.management_company_id
              FROM tko_contract_line l JOIN tko_object o ON o.id = l.object_id
             WHERE l.contract_id = k.id ORDER BY l.id LIMIT 1) obj ON TRUE
     WHERE (t.key & 1) = 1),
pens AS (
    SELECT COALESCE(account_id * 2, contract_id * 2 + 1) AS key, total, calc_date
      FROM tko_penalty),
notices AS (
    SELECT COALESCE(account_id * 2, contract_id * 2 + 1) AS key, count(*) AS notices,
           max(date_sent)::date AS last_notice
      FROM tko_notice
     WHERE state IN ('sent', 'done', 'queued')
       AND (account_id IS NOT NULL OR contract_id IS NOT NULL)
     GROUP BY 1),
claims AS (
    SELECT DISTINCT ON (key) key, id, stage
      FROM (SELECT COALESCE(account_id * 2, contract_id * 2 + 1) AS key, id, stage,
                   date_prepared
              FROM tko_claim) c
     ORDER BY key, date_prepared DESC NULLS LAST, id DESC)
SELECT tg.key AS id, tg.number AS name, tg.account_id, tg.contract_id,
       tg.partner_id, rp.tko_kind AS consumer_kind, tg.company_id,
       tg.address_id, dist.id AS district_id, sett.id AS settlement_id, tg.zone_id,
       tg.management_company_id,
       tg.charged, tg.penalty_charged, tg.paid,
       tg.charged + tg.penalty_charged - tg.paid AS debt,
       tg.principal_debt, tg.overdue_debt,
       tg.oldest_period, tg.oldest_due_date,
       GREATEST(0, CURRENT_DATE - tg.oldest_due_date) AS overdue_days,
       tg.months_in_debt, tg.last_payment_date,
       pens.total AS penalty_calc, pens.calc_date AS penalty_calc_date,
       notices.last_notice AS last_notice_date, COALESCE(notices.notices, 0) AS notice_count,
       claims.stage AS claim_stage, claims.id AS last_claim_id,
       CURRENT_DATE AS as_of
  FROM targets tg
  JOIN res_partner rp ON rp.id = tg.partner_id
  LEFT JOIN tko_address ad ON ad.id = tg.address_id
  LEFT JOIN LATERAL (
        SELECT anc.id FROM tko_address anc
         WHERE anc.id = ANY(string_to_array(rtrim(ad.parent_path, '/'), '/')::integer[])
           AND anc.level = 'district'
         ORDER BY length(anc.parent_path) DESC LIMIT 1) dist ON TRUE
  LEFT JOIN LATERAL (
        SELECT anc.id FROM tko_address anc
         WHERE anc.id = ANY(string_to_array(rtrim(ad.parent_path, '/'), '/')::integer[])
           AND anc.level = 'locality'
         ORDER BY length(anc.parent_path) DESC LIMIT 1) sett ON TRUE
  LEFT JOIN pens ON pens.key = tg.key
  LEFT JOIN notices ON notices.key = tg.key
  LEFT JOIN claims ON claims.key = tg.key
 WHERE tg.charged + tg.penalty_charged - tg.paid > 0
"""


class TkoDebtor(models.Model):
    """Registry of debtors: every personal account and contract with a debt, with the age of
    the debt, where it is and what was done about it. A materialized view refreshed by a
    scheduled action, after mass penalty runs and by the button *Refresh*; saved filters and
    grouping work as on any list; export to XLSX."""

    _name = "tko.debtor"
    _description = "Debtor"
    _auto = False
    _order = "debt desc, id"

    name = fields.Char("Account or contract", readonly=True)
    account_id = fields.Many2one("tko.account", "Personal account", readonly=True)
    contract_id = fields.Many2one("tko.contract", readonly=True)
    partner_id = fields.Many2one("res.partner", "Consumer", readonly=True)
    consumer_kind = fields.Selection(CONSUMER_KINDS, readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    address_id = fields.Many2one("tko.address", "Address", readonly=True)
    district_id = fields.Many2one("tko.address", "District", readonly=True)
    settlement_id = fields.Many2one("tko.address", "Settlement", readonly=True)
    zone_id = fields.Many2one("tko.tariff.zone", "Tariff zone", readonly=True)
    management_company_id = fields.Many2one("res.partner", "Management company", readonly=True)
    charged = fields.Monetary(currency_field="currency_id", readonly=True)
    penalty_charged = fields.Monetary(
        "Penalties charged", currency_field="currency_id", readonly=True
    )
    paid = fields.Monetary(currency_field="currency_id", readonly=True)
    debt = fields.Monetary(currency_field="currency_id", readonly=True)
    principal_debt = fields.Monetary(
        "Debt for services", currency_field="currency_id", readonly=True
    )
    overdue_debt = fields.Monetary("Overdue", currency_field="currency_id", readonly=True)
    oldest_period = fields.Date("Unpaid since month", readonly=True)
    oldest_due_date = fields.Date("Overdue since", readonly=True)
    overdue_days = fields.Integer("Days overdue", readonly=True)
    months_in_debt = fields.Integer("Months unpaid", readonly=True)
    last_payment_date = fields.Date("Last payment", readonly=True)
    penalty_calc = fields.Monetary(
        "Penalty (last calculation)", currency_field="currency_id", readonly=True
    )
    penalty_calc_date = fields.Date("Penalty calculated on", readonly=True)
    last_notice_date = fields.Date("Last notice", readonly=True)
    notice_count = fields.Integer("Notices", readonly=True)
    claim_stage = fields.Selection(STAGES, "Claim stage", readonly=True)
    last_claim_id = fields.Many2one("tko.claim", "Last claim", readonly=True)
    as_of = fields.Date("Registry as of", readonly=True)

    @api.model
    def _debtor_query(self):
        """The registry's query, with the due dates of :class:`tko.due.date` (contracts: their
        payment condition in force at the month's end, else the company's day)."""
        Due = self.env["tko.due.date"]
        return DEBTOR_QUERY.format(
            due_date=Due._sql("m.period", "due_cond.due_day", "co"),
            condition_join=Due._sql_condition_join(
                "(m.key - 1) / 2",
                "(m.period + interval '1 month' - interval '1 day')::date",
                guard="(m.key & 1) = 1",
            ),
        )

    def init(self):
        # called by the registry (as superuser) when the module loads; never by a client
        if not self.env.su:
            raise AccessError(_("The debtors' registry is rebuilt by the system only."))
        drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                "CREATE MATERIALIZED VIEW %s AS (%s) WITH NO DATA",
                SQL.identifier(self._table),
                SQL(self._debtor_query()),
            )
        )
        self.env.cr.execute(SQL("CREATE UNIQUE INDEX ON %s (id)", SQL.identifier(self._table)))
        self.env.cr.execute(
            SQL("CREATE INDEX ON %s (company_id, debt)", SQL.identifier(self._table))
        )
        self._refresh()

    @api.model
    def _refresh(self):
        """Rebuild the registry from the ledger as of today."""
        # the view reads the ledger, the allocation, addresses, partners, penalties, notices
        # and claims: everything pending in the ORM must be in the tables first
        self.env.flush_all()
        cr = self.env.cr
        cr.execute("SELECT ispopulated FROM pg_matviews WHERE matviewname = %s", (self._table,))
        populated = (cr.fetchone() or [False])[0]
        # concurrently: the registry stays readable while it is rebuilt (needs the unique index
        # and a populated view)
        cr.execute(
            SQL(
                "REFRESH MATERIALIZED VIEW %s %s",
                SQL("CONCURRENTLY") if populated else SQL(""),
                SQL.identifier(self._table),
            )
        )
        self.invalidate_model()
        return True

    @api.model
    def _cron_refresh(self):
        self._refresh()

    def action_refresh(self):
        check_group(self.env, READER)
        check_rights(self)  # the registry of the caller's companies, called from his rows
        self._refresh()
        return {"type": "ir.actions.client", "tag": "reload"}

    # ------------------------------------------------------------------ helpers for others
    @api.model
    def _debt_at(self, model, ids, date):
        """``{id: {charged, penalty, paid, debt}}`` of accounts (``tko.account``) or contracts
        on ``date``, as the ledger counts it (``_tko_debt_at``): charges by their accounting
        date (the last day of their period), payments by the day they were paid. Only the
        ledger of the caller's companies counts; the caller checks the rights on ``ids``."""
        col = {"tko.account": "account_id", "tko.contract": "contract_id"}[model]
        if not ids:
            return {}
        for name in ("tko.charge", "tko.payment"):
            self.env[name].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT t.id,
                       COALESCE((SELECT sum(c.amount_total) FROM tko_charge c
                                  WHERE c.%(col)s = t.id AND c.kind <> 'penalty'
                                    AND c.company_id = ANY(%(companies)s)
                                    AND c.date <= %(date)s), 0),
                       COALESCE((SELECT sum(c.amount_total) FROM tko_charge c
                                  WHERE c.%(col)s = t.id AND c.kind = 'penalty'
                                    AND c.company_id = ANY(%(companies)s)
                                    AND c.date <= %(date)s), 0),
                       COALESCE((SELECT sum(pay.amount) FROM tko_payment pay
                                  WHERE pay.%(col)s = t.id AND pay.state = 'posted'
                                    AND pay.company_id = ANY(%(companies)s)
                                    AND pay.date_paid <= %(date)s), 0)
                  FROM unnest(%(ids)s::integer[]) AS t(id)
                """,
                col=SQL.identifier(col),
                ids=list(ids),
                date=date,
                companies=self.env.companies.ids,
            )
        )
        return {
            rid: {
                "charged": float(charged),
                "penalty": float(penalty),
                "paid": float(paid),
                "debt": float(charged + penalty - paid),
            }
            for rid, charged, penalty, paid in self.env.cr.fetchall()
        }

    @api.model
    def _district_of(self, account, contract):
        address = account.address_id
        if not address and contract:
            address = contract.line_ids[:1].object_id.address_id
        while address and address.level not in ("district", "region"):
            address = address.parent_id
        return address if address and address.level == "district" else False

    @api.model
    def _payments_since(self, items):
        """``{key: paid}`` for ``[(key, account_id, contract_id, date, company_id)]``: posted
        payments of the account or contract in that company paid on or after the date."""
        items = [i for i in items if i[3] and (i[1] or i[2])]
        if not items:
            return {}
        self.env["tko.payment"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT i.key, COALESCE(sum(p.amount), 0)
                  FROM unnest(%s::integer[], %s::integer[], %s::integer[], %s::date[],
                              %s::integer[])
                       AS i(key, account_id, contract_id, since, company_id)
                  LEFT JOIN tko_payment p
                    ON p.state = 'posted' AND p.date_paid >= i.since
                   AND p.company_id = i.company_id
                   AND (p.account_id = i.account_id OR p.contract_id = i.contract_id)
                 GROUP BY i.key
                """,
                [i[0] for i in items],
                [i[1] or None for i in items],
                [i[2] or None for i in items],
                [i[3] for i in items],
                [i[4] for i in items],
            )
        )
        return {key: float(amount) for key, amount in self.env.cr.fetchall()}

    def _make_notices(
        self,
        kind,
        channel,
        subject,
        body_template,
        rule=None,
        call_user=None,
        provider=None,
        send=True,
    ):
        """A notice per debtor (texts rendered on each notice), sent at once when ``send``."""
        values = []
        for debtor in self:
            values.append(
                {
                    "kind": kind,
                    "channel": channel,
                    "partner_id": debtor.partner_id.id,
                    "account_id": debtor.account_id.id,
                    "contract_id": debtor.contract_id.id,
                    "company_id": debtor.company_id.id,
                    "debt_date": debtor.as_of or fields.Date.context_today(self),
                    "debt_amount": debtor.debt,
                    "penalty_amount": debtor.penalty_calc,
                    "subject": subject,
                    "rule_id": rule.id if rule else False,
                    "call_user_id": call_user.id if call_user else False,
                    "provider_id": provider.id if provider else False,
                }
            )
        # rule_id is the system's: it tells which debtors a rule has already notified
        notices = trusted(self.env["tko.notice"]).create(values)
        texts = notices._render_text(body_template, notices)
        for notice in notices:
            notice.body = texts.get(notice.id, "")
        if send:
            notices._send()
        return notices.with_env(self.env)

    # ------------------------------------------------------------------ actions
    def _targets(self, model):
        field = "account_id" if model == "tko.account" else "contract_id"
        return self.mapped(field)

    def _check_debtor_access(self, *groups):
        """The caller sees these debtors and their accounts or contracts, and is in ``groups``."""
        check_group(self.env, *(groups or (READER,)))
        check_rights(self)
        for model in ("tko.account", "tko.contract"):
            check_rights(self._targets(model))
        return self

    def action_calculate_penalties(self):
        """Penalties of the selected debtors on today, breakdown kept, booked."""
        self._check_debtor_access(LAWYER)
        today = fields.Date.context_today(self)
        for model in ("tko.account", "tko.contract"):
            records = self._targets(model)
            if records:
                self.env["tko.penalty"]._calculate(records, today, book=True)
        self._refresh()
        return {"type": "ir.actions.client", "tag": "reload"}

    def action_notice_wizard(self):
        self._check_debtor_access(LAWYER)
        return {
            "type": "ir.actions.act_window",
            "name": _("Send notices"),
            "res_model": "tko.notice.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_debtor_ids": self.ids},
        }

    def action_claim_wizard(self):
        self._check_debtor_access(LAWYER)
        return {
            "type": "ir.actions.act_window",
            "name": _("Prepare claims"),
            "res_model": "tko.claim.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_debtor_ids": self.ids, "dialog_size": "extra-large"},
        }

    def action_export_xlsx(self):
        self._check_debtor_access()
        if not self:
            raise UserError(_("Select the debtors to export."))
        return self.env.ref("mobill_tko_claims.action_report_tko_debtor_xlsx").report_action(
            self, config=False
        )

    def action_open_target(self):
        self.ensure_one()
        self._check_debtor_access()
        target = self.account_id or self.contract_id
        return {
            "type": "ir.actions.act_window",
            "res_model": target._name,
            "res_id": target.id,
            "view_mode": "form",
        }
