from decimal import ROUND_HALF_UP, Decimal

from odoo import _, api, fields, models
from odoo.addons.mobill_tko_base.tools import trusted
from odoo.addons.mobill_tko_base.tools.access import check_action
from odoo.exceptions import UserError
from odoo.tools import SQL

#: fields only the invoice's actions write
PROTECTED_FIELDS = ("state",)


class TkoAdvanceInvoice(models.Model):
    """An invoice for an advance payment (счёт на оплату аванса) of a legal entity.

    Issued where the contract's payment condition in force asks for advances: the share of
    the contract's charges of the previous period (of the current one when there is none),
    due by the advance due day of the billed month. A request for payment, not a sale: it
    books nothing; the sale is the invoice of the period (account.move) and the consumer's
    payments reduce its debt as usual.
    """

    _name = "tko.advance.invoice"
    _description = "Advance invoice"
    _check_company_auto = True
    _inherit = ["mail.thread", "tko.protected.fields.mixin"]
    _tko_protected_fields = PROTECTED_FIELDS
    _order = "date desc, id desc"

    name = fields.Char(required=True, copy=False, readonly=True, default=lambda self: _("New"))
    contract_id = fields.Many2one(
        "tko.contract", required=True, index=True, tracking=True, check_company=True
    )
    partner_id = fields.Many2one(related="contract_id.partner_id", store=True)
    period_id = fields.Many2one(
        "tko.billing.period", required=True, index=True, tracking=True, check_company=True
    )
    company_id = fields.Many2one(related="period_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Date(required=True, default=fields.Date.context_today, tracking=True)
    date_due = fields.Date("Due on", tracking=True)
    share = fields.Float("Share, %", digits=(5, 2), tracking=True)
    basis_amount = fields.Monetary("Basis", help="The charges the share is taken of.")
    basis_period_id = fields.Many2one("tko.billing.period", "Basis period", check_company=True)
    amount = fields.Monetary(required=True, tracking=True)
    vat_amount = fields.Monetary("VAT included")
    state = fields.Selection(
        [("draft", "Draft"), ("issued", "Issued"), ("cancelled", "Cancelled")],
        default="draft",
        required=True,
        tracking=True,
    )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if not vals.get("name") or vals["name"] == _("New"):
                vals["name"] = self.env["ir.sequence"].next_by_code("tko.advance.invoice") or "/"
        return super().create(vals_list)

    def action_issue(self):
        check_action(self)
        trusted(self.filtered(lambda r: r.state == "draft")).write({"state": "issued"})
        return True

    def action_cancel(self):
        check_action(self)
        trusted(self).write({"state": "cancelled"})
        return True

    @api.model
    def _create_for_period(self, period, contracts=None):
        """Advance invoices of the period for the contracts whose conditions ask for them."""
        if contracts is None:
            contracts = self.env["tko.contract"].search(
                [
                    ("company_id", "=", period.company_id.id),
                    ("state", "=", "active"),
                    ("date_start", "<=", period.date_end),
                    "|",
                    ("date_end", "=", False),
                    ("date_end", ">=", period.date_start),
                ]
            )
        previous = self.env["tko.billing.period"].search(
            [
                ("company_id", "=", period.company_id.id),
                ("date_start", "<", period.date_start),
            ],
            order="date_start desc",
            limit=1,
        )
        created = self.browse()
        for contract in contracts:
            condition = contract.conditions_at(period.date_start)
            if not condition.advance or not condition.advance_share:
                continue
            existing = self.search(
                [
                    ("contract_id", "=", contract.id),
                    ("period_id", "=", period.id),
                    ("state", "!=", "cancelled"),
                ]
            )
            if existing.filtered(lambda r: r.state == "issued"):
                continue
            existing.unlink()
            basis_period = previous
            total, vat = self._charged(contract, previous) if previous else (None, None)
            if not total:
                basis_period = period
                total, vat = self._charged(contract, period)
            if not total:
                continue
            share = Decimal(str(condition.advance_share))
            amount = (total * share / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            vat_amount = (vat * share / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            last = fields.Date.end_of(period.date_start, "month").day
            due = period.date_start.replace(day=min(condition.advance_due_day or 18, last))
            created |= self.create(
                {
                    "contract_id": contract.id,
                    "period_id": period.id,
                    "date": fields.Date.context_today(self),
                    "date_due": due,
                    "share": condition.advance_share,
                    "basis_amount": float(total),
                    "basis_period_id": basis_period.id,
                    "amount": float(amount),
                    "vat_amount": float(vat_amount),
                }
            )
        if not created and contracts and len(contracts) == 1:
            raise UserError(
                _(
                    "Contract %(contract)s needs no advance invoice for %(period)s (no advance "
                    "in its conditions, or nothing charged yet).",
                    contract=contracts.name,
                    period=period.name,
                )
            )
        return created

    @api.model
    def _charged(self, contract, period):
        self.env["tko.charge"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT COALESCE(sum(amount_total), 0)::text, COALESCE(sum(amount_vat), 0)::text
                  FROM tko_charge WHERE contract_id = %s AND period_id = %s AND kind = 'charge'
                """,
                contract.id,
                period.id,
            )
        )
        total, vat = self.env.cr.fetchone()
        return Decimal(total), Decimal(vat)
