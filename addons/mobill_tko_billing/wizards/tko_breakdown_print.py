from odoo import api, fields, models
from odoo.addons.mobill_tko_base.tools.access import check_rights


class TkoBreakdownPrint(models.TransientModel):
    """Choose the period of the printed charge breakdown (расшифровка) of accounts."""

    _name = "tko.breakdown.print"
    _description = "Print the charge breakdown"

    account_ids = fields.Many2many("tko.account", string="Personal accounts", required=True)
    period_id = fields.Many2one(
        "tko.billing.period",
        required=True,
        default=lambda self: self._default_period(),
    )

    @api.model
    def _default_period(self):
        Period = self.env["tko.billing.period"]
        return Period._open_period(raise_if_none=False) or Period.search([], limit=1)

    def action_print(self):
        self.ensure_one()
        check_rights(self.account_ids)
        check_rights(self.period_id)
        return self.env.ref("mobill_tko_billing.action_report_charge_breakdown").report_action(
            self.account_ids, data={"period_id": self.period_id.id}
        )
