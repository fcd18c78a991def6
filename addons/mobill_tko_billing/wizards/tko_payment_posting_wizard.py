from odoo import _, api, fields, models
from odoo.addons.mobill_tko_base.tools.access import check_action

from ..models.tko_payment import CHANNELS


class TkoPaymentPostingWizard(models.TransientModel):
    """The button "Post payments to accounting": individuals' payments up to a date."""

    _name = "tko.payment.posting.wizard"
    _description = "Post payments of individuals to accounting"

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    date_to = fields.Date(
        "Booked up to",
        required=True,
        default=fields.Date.context_today,
        help="Payments booked on or before this day are posted, one entry per day and channel.",
    )
    pending_count = fields.Integer("Payments waiting", compute="_compute_pending")
    pending_amount = fields.Monetary("Amount waiting", compute="_compute_pending")
    result = fields.Text(readonly=True)

    @api.depends("company_id", "date_to")
    def _compute_pending(self):
        Payment = self.env["tko.payment"]
        for wizard in self:
            count, amount = Payment._tko_accounting_pending(wizard.company_id, wizard.date_to)
            wizard.pending_count = count
            wizard.pending_amount = float(amount)

    def action_post(self):
        self.ensure_one()
        check_action(self)
        postings, skipped = (
            self.env["tko.payment.posting"]
            .with_company(self.company_id)
            ._post_individuals(self.company_id, self.date_to)
        )
        labels = dict(CHANNELS)
        lines = [
            _(
                "%(count)s accounting entries posted: %(payments)s payments, "
                "%(reversals)s reversals.",
                count=len(postings),
                payments=sum(postings.mapped("payment_count")),
                reversals=sum(postings.mapped("reversal_count")),
            )
        ]
        for channel, count in skipped.items():
            lines.append(
                _(
                    "%(count)s payments of the channel «%(channel)s» were left: the channel "
                    "has no journal in the billing settings.",
                    count=count,
                    channel=labels.get(channel, channel),
                )
            )
        self.result = "\n".join(lines)
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
        }

    def action_view_postings(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "mobill_tko_billing.tko_payment_posting_action"
        )
        return action
