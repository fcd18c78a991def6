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
        action = self.env.ref("mobill_tko_billing.action_report_charge_breakdown").report_action(
            self.account_ids,
            # the web client drops the record ids from the report URL when the action has data
            # (``/report/pdf/<report>?options=<data>``): the accounts travel in the data too
            data={"period_id": self.period_id.id, "account_ids": self.account_ids.ids},
        )
        # the dialog closes once the PDF is downloaded
        action["close_on_report_download"] = True
        return action
