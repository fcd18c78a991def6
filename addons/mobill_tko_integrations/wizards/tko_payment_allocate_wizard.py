from odoo import _, api, fields, models
from odoo.exceptions import UserError


class TkoPaymentAllocateWizard(models.TransientModel):
    """Allocate unrecognised imported payments to a personal account or a contract by hand."""

    _name = "tko.payment.allocate.wizard"
    _description = "Allocate payments by hand"

    payment_ids = fields.Many2many("tko.payment", string="Payments", required=True)
    account_id = fields.Many2one("tko.account", "Personal account")
    contract_id = fields.Many2one("tko.contract")
    note = fields.Char("Reason")

    @api.onchange("account_id")
    def _onchange_account(self):
        if self.account_id:
            self.contract_id = False

    def action_allocate(self):
        self.ensure_one()
        if bool(self.account_id) == bool(self.contract_id):
            raise UserError(_("Choose either a personal account or a contract."))
        payments = self.payment_ids
        if any(p.state != "draft" or not p.is_unallocated for p in payments):
            raise UserError(_("Only unallocated draft payments can be allocated by hand."))
        target = self.account_id or self.contract_id
        payments.write(
            {
                "account_id": self.account_id.id or False,
                "contract_id": self.contract_id.id or False,
                "partner_id": target.partner_id.id or False,
            }
        )
        for payment in payments:
            payment._message_log(
                body=_(
                    "Allocated by hand to %(target)s by %(user)s (was unallocated). %(note)s",
                    target=target.display_name,
                    user=self.env.user.name,
                    note=self.note or "",
                )
            )
        payments.action_post()
        return {"type": "ir.actions.act_window_close"}
