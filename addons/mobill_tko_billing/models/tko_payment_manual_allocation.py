# A separate file on purpose: manual allocation is its own ledger operation on the payment.
# pylint: disable=consider-merging-classes-inherited
from odoo import _, api, fields, models
from odoo.addons.mobill_tko_base.tools.access import ACCOUNTANT, check_action
from odoo.exceptions import ValidationError


class TkoPayment(models.Model):
    """Manual allocation of payments, a ledger operation: a payment received from outside
    that names no known personal account or contract waits unallocated (draft, no target)
    until an accountant allocates it by hand; a posted payment put on the wrong account is
    moved by hand (``tko.payment.allocate.wizard``, history in ``tko.payment.reallocation``).

    Which payments may wait is :meth:`_tko_may_wait_unallocated` (none entered by staff; the
    integrations add imported payments)."""

    _inherit = "tko.payment"

    reallocation_ids = fields.One2many(
        "tko.payment.reallocation", "payment_id", "Moves by hand", readonly=True
    )
    is_unallocated = fields.Boolean(
        "Unallocated", compute="_compute_is_unallocated", store=True, index=True
    )

    def _tko_may_wait_unallocated(self):
        """The payments of ``self`` that may wait without a personal account or contract: a
        module that receives payments from outside extends it (and the compute's depends)."""
        return self.browse()

    @api.depends("account_id", "contract_id")
    def _compute_is_unallocated(self):
        may_wait = self._tko_may_wait_unallocated()
        for rec in self:
            rec.is_unallocated = rec in may_wait and not (rec.account_id or rec.contract_id)

    @api.constrains("account_id", "contract_id", "amount")
    def _check_target(self):
        waiting = self._tko_may_wait_unallocated().filtered(
            lambda p: not p.account_id and not p.contract_id and p.state != "posted"
        )
        for rec in waiting:
            if rec.amount <= 0:
                raise ValidationError(_("A payment amount must be positive."))
        return super(TkoPayment, self - waiting)._check_target()

    def action_post(self):
        if any(p.is_unallocated for p in self):
            raise ValidationError(
                _("Allocate the payment to a personal account or a contract before posting.")
            )
        return super().action_post()

    def action_open_allocate_wizard(self):
        check_action(self, ACCOUNTANT, "write")
        return {
            "type": "ir.actions.act_window",
            "name": _("Move to another account")
            if all(p.state == "posted" for p in self)
            else _("Allocate by hand"),
            "res_model": "tko.payment.allocate.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_payment_ids": [fields.Command.set(self.ids)]},
        }
