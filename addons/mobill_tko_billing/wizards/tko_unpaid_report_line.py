from odoo import _, fields, models
from odoo.addons.mobill_tko_base.tools.access import check_rights
from odoo.exceptions import UserError


class TkoUnpaidReportLine(models.TransientModel):
    """One unpaid period of an account or contract, or one unpaid invoice."""

    _name = "tko.unpaid.report.line"
    _description = "Unpaid charge or document"
    _check_company_auto = True
    _order = "kind, partner_id, period_date, id"

    report_id = fields.Many2one(
        "tko.unpaid.report", required=True, ondelete="cascade", index=True, check_company=True
    )
    company_id = fields.Many2one("res.company", required=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    kind = fields.Selection(
        [("charge", "Unpaid charges"), ("document", "Unpaid invoices")], "What", required=True
    )
    account_id = fields.Many2one("tko.account", "Personal account", check_company=True)
    contract_id = fields.Many2one("tko.contract", "Contract", check_company=True)
    partner_id = fields.Many2one("res.partner", "Consumer")
    zone_id = fields.Many2one("tko.tariff.zone", "Tariff zone", check_company=True)
    period_id = fields.Many2one("tko.billing.period", "Period", check_company=True)
    period_date = fields.Date("Month")
    move_id = fields.Many2one("account.move", "Invoice", check_company=True)
    charged = fields.Monetary(help="Charged for the period (invoice: its total).")
    paid = fields.Monetary(help="Covered by posted payments made by the report's date.")
    due = fields.Monetary(help="Still to pay.")
    due_date = fields.Date("Due date")
    days_overdue = fields.Integer("Days overdue", group_operator="max")

    def action_open_source(self):
        self.ensure_one()
        check_rights(self)
        record = self.move_id or self.account_id or self.contract_id
        if not record:
            raise UserError(_("Nothing to open."))
        return {
            "type": "ir.actions.act_window",
            "res_model": record._name,
            "res_id": record.id,
            "view_mode": "form",
        }
