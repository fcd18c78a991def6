from odoo import _, api, fields, models
from odoo.addons.mobill_tko_base.tools.access import ACCOUNTANT, check_action
from odoo.exceptions import ValidationError


class TkoPayment(models.Model):
    """Imported payments keep their source; an unrecognised one waits in the queue
    (no account and no contract, draft) until it is allocated by hand."""

    _inherit = "tko.payment"
    _check_company_auto = True

    source = fields.Selection(
        selection_add=[("import", "Imported file")], ondelete={"import": "set default"}
    )
    import_id = fields.Many2one(
        "tko.payment.import", "Imported from", index=True, readonly=True, check_company=True
    )
    import_line = fields.Integer("Line in the file", readonly=True)
    import_bank = fields.Char("Bank / source", readonly=True)
    import_registry_number = fields.Char("Registry / order number", readonly=True)
    import_key = fields.Char(
        "Idempotency key",
        readonly=True,
        copy=False,
        help="The same payment read from another file has the same key and is booked once.",
    )
    import_payer = fields.Char("Payer in the file", readonly=True)
    import_account_number = fields.Char("Account number in the file", readonly=True)
    reallocation_ids = fields.One2many(
        "tko.payment.reallocation", "payment_id", "Moves by hand", readonly=True
    )
    is_unallocated = fields.Boolean(
        "Unallocated", compute="_compute_is_unallocated", store=True, index=True
    )

    _sql_constraints = [
        (
            "import_key_company_uniq",
            "unique(company_id, import_key)",
            "This payment has been imported already.",
        )
    ]

    @api.depends("account_id", "contract_id", "import_id")
    def _compute_is_unallocated(self):
        for rec in self:
            rec.is_unallocated = bool(rec.import_id) and not (rec.account_id or rec.contract_id)

    @api.constrains("account_id", "contract_id", "amount")
    def _check_target(self):
        waiting = self.filtered(
            lambda p: p.import_id and not p.account_id and not p.contract_id and p.state != "posted"
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
