from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools.translate import _lt


class TkoContractCondition(models.Model):
    """Payment terms of a contract, valid for a period (the history is kept)."""

    _name = "tko.contract.condition"
    _description = "Payment conditions of a contract (dated)"
    _check_company_auto = True
    _inherit = ["mail.thread", "tko.dated.mixin"]
    _order = "contract_id, date_from desc"
    _dated_keys = ["contract_id"]
    _dated_label = _lt("payment condition")

    date_from = fields.Date(tracking=True)
    date_to = fields.Date(tracking=True)

    contract_id = fields.Many2one(
        "tko.contract", required=True, index=True, ondelete="cascade", check_company=True
    )
    company_id = fields.Many2one(related="contract_id.company_id", store=True, index=True)
    due_day = fields.Integer(
        "Payment due day",
        default=10,
        required=True,
        tracking=True,
        help="Day of the month after the billed month by which the charge is due.",
    )
    advance = fields.Boolean("Advance payments", tracking=True)
    advance_share = fields.Float("Advance share, %", digits=(5, 2), tracking=True)
    advance_due_day = fields.Integer("Advance due day", default=18, tracking=True)

    @api.constrains("due_day", "advance", "advance_share", "advance_due_day")
    def _check_values(self):
        for rec in self:
            if not 1 <= rec.due_day <= 31 or (rec.advance and not 1 <= rec.advance_due_day <= 31):
                raise ValidationError(_("A due day must be between 1 and 31."))
            if rec.advance and not 0 < rec.advance_share <= 100:
                raise ValidationError(_("The advance share must be above 0 % and at most 100 %."))
