from odoo import _, fields, models
from odoo.addons.mobill_tko_base.tools.access import LAWYER, check_group, check_rights
from odoo.exceptions import UserError


class TkoPenaltyWizard(models.TransientModel):
    """Calculate the penalties of one or a few accounts or contracts now, with the breakdown."""

    _name = "tko.penalty.wizard"
    _description = "Calculate penalties"

    calc_date = fields.Date("Calculate on", required=True, default=fields.Date.context_today)
    account_ids = fields.Many2many("tko.account", string="Personal accounts")
    contract_ids = fields.Many2many("tko.contract", string="Contracts")
    book = fields.Boolean(
        "Book in the ledger",
        default=True,
        help="Book the change of the penalty as a penalty line of the open billing period.",
    )

    def action_calculate(self):
        self.ensure_one()
        if not self.account_ids and not self.contract_ids:
            raise UserError(_("Choose the accounts or contracts to calculate."))
        check_group(self.env, LAWYER)
        check_rights(self.account_ids)
        check_rights(self.contract_ids)
        penalties = self.env["tko.penalty"]
        for records in (self.account_ids, self.contract_ids):
            if records:
                penalties |= penalties._calculate(records, self.calc_date, book=self.book)
        action = {
            "type": "ir.actions.act_window",
            "name": _("Penalties"),
            "res_model": "tko.penalty",
        }
        if len(penalties) == 1:
            action.update(view_mode="form", res_id=penalties.id)
        else:
            action.update(view_mode="tree,form", domain=[("id", "in", penalties.ids)])
        return action
