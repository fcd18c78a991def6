# A separate file on purpose: fiscal receipts are their own feature of the payment.
# pylint: disable=consider-merging-classes-inherited
from odoo import _, api, fields, models
from odoo.addons.mobill_tko_base.tools.access import ACCOUNTANT, check_action
from odoo.exceptions import UserError

#: Channels where the operator accepts the money itself; banks, the post and payment agents
#: issue their own receipts (formats.md §7).
FISCAL_CHANNELS = ("cash", "online")

FISCAL_STATES = [
    ("none", "No receipt"),
    ("to_send", "Receipt to send"),
    ("waiting", "Receipt sent, waiting"),
    ("done", "Receipt issued"),
    ("failed", "Receipt failed"),
    ("error", "Receipt needs attention"),
    ("refund_pending", "Refund receipt pending"),
    ("refunded", "Refund receipt issued"),
]


class TkoPayment(models.Model):
    """Fiscal receipts (54-ФЗ) of the payments the operator accepts itself: sent when a payment
    of a fiscalised channel is posted (or by the “Send receipt” button), refunded when it is
    cancelled."""

    _inherit = "tko.payment"

    fiscal_receipt_ids = fields.One2many("tko.fiscal.receipt", "payment_id", "Fiscal receipts")
    fiscal_state = fields.Selection(
        FISCAL_STATES,
        "Fiscal receipt",
        compute="_compute_fiscal_state",
        store=True,
        index=True,
        help="State of the 54-ФЗ receipt of this payment at the cloud cash register.",
    )
    fiscal_receipt_count = fields.Integer(compute="_compute_fiscal_receipt_count")

    @api.depends("fiscal_receipt_ids.state", "fiscal_receipt_ids.kind")
    def _compute_fiscal_state(self):
        for pay in self:
            receipts = pay.fiscal_receipt_ids.filtered(lambda r: r.state != "cancelled")
            last = receipts.sorted("id")[-1:]
            if not last:
                pay.fiscal_state = "none"
            elif last.kind == "sell":
                pay.fiscal_state = last.state
            elif last.state == "done":
                pay.fiscal_state = "refunded"
            elif last.state in ("failed", "error"):
                pay.fiscal_state = "error"
            else:
                pay.fiscal_state = "refund_pending"

    @api.depends("fiscal_receipt_ids")
    def _compute_fiscal_receipt_count(self):
        for pay in self:
            pay.fiscal_receipt_count = len(pay.fiscal_receipt_ids)

    def action_post(self):
        result = super().action_post()
        if not self.env.context.get("tko_payment_reallocation"):
            self._tko_fiscal_issue("sell", automatic=True)
        return result

    def action_cancel(self):
        # moving a payment to another account by hand (cancel, re-target, post) is no new
        # settlement with the consumer: its receipt stays as it is, neither refunded nor
        # issued again
        posted = self.filtered(lambda p: p.state == "posted")
        result = super().action_cancel()
        if not self.env.context.get("tko_payment_reallocation"):
            posted._tko_fiscal_issue("sell_refund", automatic=True)
        return result

    def _tko_fiscal_issue(self, kind, automatic=False):
        """Make the receipts of ``kind`` for the payments of fiscalised channels and return them.

        ``automatic`` (posting, cancelling): a sale receipt only where the register sends
        automatically, sent in the background; a refund whenever a sale receipt was made (the
        scheduled action sends every receipt to send)."""
        Receipt = self.env["tko.fiscal.receipt"]
        receipts = Receipt
        candidates = self.filtered(lambda p: p.channel in FISCAL_CHANNELS)
        if kind == "sell":
            candidates = candidates.filtered(lambda p: p.state == "posted")
        else:
            candidates = candidates.filtered(lambda p: p.sudo().fiscal_receipt_ids)
        Register = self.env["tko.fiscal.register"]
        for pay in candidates:
            register = Register._for_payment(pay)
            if kind == "sell" and (not register or (automatic and not register.auto_send)):
                continue
            receipts |= Receipt._tko_for_payment(pay, register, kind)
        if automatic:
            receipts.filtered(lambda r: r.register_id.sudo().auto_send)._send_later()
        return receipts

    def action_send_fiscal_receipt(self):
        """Send the receipt now (by hand): made if needed, never twice."""
        check_action(self, ACCOUNTANT, "write")
        for pay in self:
            if pay.state != "posted":
                raise UserError(_("Post the payment before sending its receipt."))
            if pay.channel not in FISCAL_CHANNELS:
                raise UserError(
                    _(
                        "Payments of the channel “%(channel)s” get their receipt from the bank "
                        "or the payment agent, not from the operator.",
                        channel=dict(self._fields["channel"]._description_selection(self.env))[
                            pay.channel
                        ],
                    )
                )
            if not self.env["tko.fiscal.register"]._for_payment(pay):
                raise UserError(
                    _(
                        "No active cash register of %(company)s issues receipts for this "
                        "channel: set one up in Payments > Cash registers (54-ФЗ).",
                        company=pay.company_id.name,
                    )
                )
        receipts = self._tko_fiscal_issue("sell")
        for receipt in receipts:
            if receipt.state == "error":
                receipt.action_send_now()
            elif receipt.state == "failed":
                receipt.action_retry()
        receipts.filtered(lambda r: r.state == "to_send")._send()
        return True
