from decimal import Decimal

from odoo import _, api, fields, models
from odoo.addons.mobill_tko_base.tools import check_protected_write, trusted
from odoo.addons.mobill_tko_base.tools.access import check_action
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from mobill_tko_core.allocation import unpaid_by_period

#: fields only the payment's actions write (posting, cancelling, accounting)
PROTECTED_FIELDS = ("state", "accounting_cancel_date")

CHANNELS = [
    ("bank", "Bank transfer"),
    ("cash", "Cash desk"),
    ("post", "Post office"),
    ("online", "Online (acquiring, СБП)"),
    ("agent", "Payment agent"),
    ("offset", "Offset"),
    ("other", "Other"),
]


class TkoPayment(models.Model):
    """A payment of a consumer for a personal account or a contract.

    ``date_paid`` is the day the consumer paid (debt and penalties count from it),
    ``date_booked`` the day the operator received and booked it. Posting allocates it to the
    debts by period, oldest first (:func:`mobill_tko_core.allocation.allocate_payment`), unless
    it names the period it pays. Imports (bank statements, registries) create payments here.
    """

    _name = "tko.payment"
    _description = "Payment"
    _check_company_auto = True
    _inherit = ["mail.thread"]
    _order = "date_paid desc, id desc"

    name = fields.Char(required=True, copy=False, readonly=True, default=lambda self: _("New"))
    account_id = fields.Many2one(
        "tko.account", "Personal account", index=True, tracking=True, check_company=True
    )
    contract_id = fields.Many2one("tko.contract", index=True, tracking=True, check_company=True)
    partner_id = fields.Many2one("res.partner", "Payer", index=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    amount = fields.Monetary(required=True, tracking=True)
    date_paid = fields.Date(
        "Paid on", required=True, default=fields.Date.context_today, tracking=True, index=True
    )
    date_booked = fields.Date(
        "Booked on", required=True, default=fields.Date.context_today, tracking=True
    )
    channel = fields.Selection(CHANNELS, required=True, default="bank", tracking=True)
    state = fields.Selection(
        [("draft", "Draft"), ("posted", "Posted"), ("cancelled", "Cancelled")],
        default="draft",
        required=True,
        tracking=True,
        index=True,
    )
    target_period_id = fields.Many2one(
        "tko.billing.period",
        "Pays period",
        tracking=True,
        help="The period named in the payment purpose; it is paid first.",
        check_company=True,
    )
    reference = fields.Char("Payment document", tracking=True, help="Number of the bank document.")
    purpose = fields.Text("Purpose of payment")
    source = fields.Selection(
        [("manual", "Entered by staff")], default="manual", required=True, readonly=True
    )
    allocation_ids = fields.One2many("tko.payment.allocation", "payment_id", "Allocation")

    @api.constrains("account_id", "contract_id", "amount")
    def _check_target(self):
        for rec in self:
            if bool(rec.account_id) == bool(rec.contract_id):
                raise ValidationError(
                    _("A payment is for either a personal account or a contract.")
                )
            if rec.amount <= 0:
                raise ValidationError(_("A payment amount must be positive."))

    @api.onchange("account_id", "contract_id")
    def _onchange_payer(self):
        partner = self.account_id.partner_id or self.contract_id.partner_id
        if partner:
            self.partner_id = partner

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("state", "draft") != "draft":
                check_protected_write(self, vals, PROTECTED_FIELDS)
            if not vals.get("name") or vals["name"] == _("New"):
                # numbered in the year the payment is booked (a late-registered payment of
                # December keeps its year's number)
                day = vals.get("date_booked") or vals.get("date_paid")
                vals["name"] = (
                    self.env["ir.sequence"]
                    .with_context(ir_sequence_date=day)
                    .next_by_code("tko.payment")
                    or "/"
                )
            if not vals.get("partner_id"):
                if vals.get("account_id"):
                    vals["partner_id"] = (
                        self.env["tko.account"].browse(vals["account_id"]).partner_id.id
                    )
                elif vals.get("contract_id"):
                    vals["partner_id"] = (
                        self.env["tko.contract"].browse(vals["contract_id"]).partner_id.id
                    )
        return super().create(vals_list)

    def write(self, vals):
        check_protected_write(self, vals, PROTECTED_FIELDS)
        locked = {
            "amount",
            "date_paid",
            "date_booked",
            "account_id",
            "contract_id",
            "partner_id",
            "company_id",
            "channel",
            "target_period_id",
        }
        if locked & set(vals) and any(rec.state == "posted" for rec in self):
            raise UserError(_("A posted payment cannot be changed: cancel it first."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_posted(self):
        if any(rec.state == "posted" for rec in self):
            raise UserError(_("A posted payment cannot be deleted: cancel it."))

    def action_post(self):
        check_action(self)
        trusted(self.filtered(lambda p: p.state == "draft")).write({"state": "posted"})
        self._reallocate()
        return True

    def action_cancel(self):
        check_action(self)
        trusted(self).write({"state": "cancelled"})
        self._reallocate()
        return True

    def action_draft(self):
        check_action(self)
        trusted(self.filtered(lambda p: p.state == "cancelled")).write({"state": "draft"})
        return True

    def _reallocate(self):
        """Allocate again every posted payment of the accounts and contracts concerned."""
        self.env["tko.payment.allocation"]._reallocate(
            accounts=self.account_id, contracts=self.contract_id
        )

    # ------------------------------------------------------------------ balances
    @api.model
    def _tko_balance(self, key, ids, date):
        """``{id: charges accrued on or before date − payments paid on or before date}``.

        ``key``: ``account_id`` or ``contract_id``. Charges count from their accounting date
        (the last day of the period they are booked in), payments from the day the consumer
        paid. Amounts are summed as numeric in SQL.
        """
        if key not in ("account_id", "contract_id") or not ids:
            return {}
        self.env["tko.charge"].flush_model()
        self.flush_model()
        self.env.cr.execute(
            SQL(
                """
                WITH ch AS (
                    SELECT %(key)s AS rid, sum(amount_total) AS amount FROM tko_charge
                     WHERE %(key)s = ANY(%(ids)s) AND date <= %(date)s GROUP BY 1
                ), pay AS (
                    SELECT %(key)s AS rid, sum(amount) AS amount FROM tko_payment
                     WHERE %(key)s = ANY(%(ids)s) AND state = 'posted'
                       AND date_paid <= %(date)s GROUP BY 1
                )
                SELECT COALESCE(ch.rid, pay.rid),
                       COALESCE(ch.amount, 0) - COALESCE(pay.amount, 0)
                  FROM ch FULL JOIN pay ON pay.rid = ch.rid
                """,
                key=SQL.identifier(key),
                ids=list(ids),
                date=date,
            )
        )
        return {rid: float(amount) for rid, amount in self.env.cr.fetchall()}

    @api.model
    def _tko_balance_by_period(self, key, ids, date=None, companies=None):
        """``{id: [{"period_id", "date_start", "charged", "paid", "due"}]}`` in period order;
        ``due`` what is unpaid of the period by the core's reading of the ledger
        (:func:`mobill_tko_core.allocation.unpaid_by_period`: the allocation of the posted
        payments paid on or before ``date`` to the period, then their advances to the oldest
        periods), ``paid`` the rest of the period's charge.

        ``companies``: when given, only the charges and payments of these companies are read
        (callers serving a user pass ``self.env.companies``)."""
        if key not in ("account_id", "contract_id") or not ids:
            return {}
        company_ids = list(companies.ids) if companies is not None else None
        self.env["tko.charge"].flush_model()
        self.env["tko.payment.allocation"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                WITH ch AS (
                    SELECT c.%(key)s AS rid, c.period_id, sum(c.amount_total) AS charged
                      FROM tko_charge c
                     WHERE c.%(key)s = ANY(%(ids)s)
                       AND (%(date)s::date IS NULL OR c.date <= %(date)s)
                       AND (%(all)s OR c.company_id = ANY(%(companies)s))
                     GROUP BY 1, 2
                ), al AS (
                    SELECT a.%(key)s AS rid, a.period_id, sum(a.amount) AS paid
                      FROM tko_payment_allocation a
                      JOIN tko_payment p ON p.id = a.payment_id AND p.state = 'posted'
                     WHERE a.%(key)s = ANY(%(ids)s)
                       AND (%(date)s::date IS NULL OR p.date_paid <= %(date)s)
                       AND (%(all)s OR p.company_id = ANY(%(companies)s))
                     GROUP BY 1, 2
                )
                SELECT ch.rid, ch.period_id, p.date_start, ch.charged::text,
                       COALESCE(al.paid, 0)::text, COALESCE(adv.paid, 0)::text
                  FROM ch JOIN tko_billing_period p ON p.id = ch.period_id
             LEFT JOIN al ON al.rid = ch.rid AND al.period_id = ch.period_id
             LEFT JOIN al adv ON adv.rid = ch.rid AND adv.period_id IS NULL
                 ORDER BY ch.rid, p.date_start
                """,
                key=SQL.identifier(key),
                ids=list(ids),
                date=date,
                all=company_ids is None,
                companies=company_ids or [],
            )
        )
        rows = {}
        for rid, period_id, start, charged, paid, advance in self.env.cr.fetchall():
            rows.setdefault(rid, ([], Decimal(advance)))[0].append(
                (period_id, start, Decimal(charged), Decimal(paid))
            )
        result = {}
        for rid, (periods, advance) in rows.items():
            unpaid = dict(
                unpaid_by_period(
                    [(start, charged) for _pid, start, charged, _paid in periods],
                    [(start, paid) for _pid, start, _charged, paid in periods] + [(None, advance)],
                )
            )
            result[rid] = [
                {
                    "period_id": period_id,
                    "date_start": start,
                    "charged": charged,
                    "paid": charged - unpaid.get(start, min(charged, Decimal(0))),
                    "due": unpaid.get(start, min(charged, Decimal(0))),
                }
                for period_id, start, charged, _paid in periods
            ]
        return result
