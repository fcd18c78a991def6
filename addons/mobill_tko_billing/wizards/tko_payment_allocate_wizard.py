from odoo import _, fields, models
from odoo.addons.mobill_tko_base.tools.access import ACCOUNTANT, check_action, check_rights
from odoo.exceptions import UserError


class TkoPaymentAllocateWizard(models.TransientModel):
    """Allocate unrecognised imported payments to a personal account or a contract by hand, or
    move posted payments to another one (with the reason, kept in the history)."""

    _name = "tko.payment.allocate.wizard"
    _description = "Allocate payments by hand"

    payment_ids = fields.Many2many("tko.payment", string="Payments", required=True)
    account_id = fields.Many2one("tko.account", "Personal account")
    contract_id = fields.Many2one("tko.contract")
    note = fields.Char("Reason")

    def action_allocate(self):
        self.ensure_one()
        check_action(self, ACCOUNTANT, "write")
        check_rights(self.payment_ids, "write")
        check_rights(self.account_id | self.env["tko.account"], "read")
        check_rights(self.contract_id | self.env["tko.contract"], "read")
        if bool(self.account_id) == bool(self.contract_id):
            raise UserError(_("Choose either a personal account or a contract."))
        payments = self.payment_ids
        waiting = payments.filtered(lambda p: p.state == "draft" and p.is_unallocated)
        posted = payments.filtered(lambda p: p.state == "posted")
        if payments - waiting - posted:
            raise UserError(
                _(
                    "Only unallocated payments and posted payments can be allocated by hand; "
                    "cancelled payments and drafts entered by staff cannot."
                )
            )
        if posted and not self.note:
            raise UserError(_("Give the reason for moving a posted payment."))
        target = self.account_id or self.contract_id
        foreign = payments.filtered(
            lambda p: target.company_id and p.company_id != target.company_id
        )
        if foreign:
            raise UserError(
                _(
                    "%(target)s belongs to %(company)s; the payments %(payments)s belong to "
                    "another company. A payment stays in the company that received it.",
                    target=target.display_name,
                    company=target.company_id.name,
                    payments=", ".join(foreign.mapped("name")),
                )
            )
        if posted:
            self._reallocate_posted(posted, target)
        if waiting:
            waiting.write(self._target_vals(target))
            for payment in waiting:
                payment._message_log(
                    body=_(
                        "Allocated by hand to %(target)s by %(user)s (was unallocated). %(note)s",
                        target=target.display_name,
                        user=self.env.user.name,
                        note=self.note or "",
                    )
                )
            waiting.action_post()
        return {"type": "ir.actions.act_window_close"}

    def _target_vals(self, target):
        return {
            "account_id": self.account_id.id or False,
            "contract_id": self.contract_id.id or False,
            "partner_id": target.partner_id.id or False,
        }

    def _reallocate_posted(self, payments, target):
        """Move posted payments: each goes through cancel and post again (the debts of both
        the old and the new account are allocated again, accounting is reversed and booked
        again) and the move is kept in ``tko.payment.reallocation``."""
        History = self.env["tko.payment.reallocation"]
        for payment in payments:
            if payment.account_id == self.account_id and payment.contract_id == self.contract_id:
                continue
            History.create(
                {
                    "payment_id": payment.id,
                    "from_account_id": payment.account_id.id,
                    "from_contract_id": payment.contract_id.id,
                    "to_account_id": self.account_id.id,
                    "to_contract_id": self.contract_id.id,
                    "reason": self.note,
                }
            )
            old = payment.account_id or payment.contract_id
            moving = payment.with_context(tko_payment_reallocation=True)
            moving.action_cancel()
            moving.action_draft()
            moving.write(self._target_vals(target))
            moving.action_post()
            payment._message_log(
                body=_(
                    "Moved by hand from %(old)s to %(target)s by %(user)s. Reason: %(note)s",
                    old=old.display_name,
                    target=target.display_name,
                    user=self.env.user.name,
                    note=self.note,
                )
            )
