from odoo import fields, models
from odoo.addons.mobill_tko_base.tools.access import (
    ADMIN,
    check_companies,
    check_group,
    check_rights,
)


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    tko_penalty_payment_day_included = fields.Boolean(
        related="company_id.tko_penalty_payment_day_included", readonly=False
    )
    tko_penalty_rate_basis_individual = fields.Selection(
        related="company_id.tko_penalty_rate_basis_individual", readonly=False
    )
    tko_penalty_rate_basis_legal = fields.Selection(
        related="company_id.tko_penalty_rate_basis_legal", readonly=False
    )
    tko_due_day = fields.Integer(related="company_id.tko_due_day", readonly=False)
    tko_due_months_after = fields.Integer(related="company_id.tko_due_months_after", readonly=False)
    tko_penalty_obligation_date = fields.Selection(
        related="company_id.tko_penalty_obligation_date", readonly=False
    )
    tko_penalty_pp424_legal = fields.Boolean(
        related="company_id.tko_penalty_pp424_legal", readonly=False
    )
    tko_penalty_min_amount = fields.Monetary(
        related="company_id.tko_penalty_min_amount", readonly=False
    )
    tko_rate_wsdl_url = fields.Char(related="company_id.tko_rate_wsdl_url", readonly=False)
    tko_rate_timeout = fields.Integer(related="company_id.tko_rate_timeout", readonly=False)
    tko_rate_refresh_state = fields.Selection(related="company_id.tko_rate_refresh_state")
    tko_rate_refresh_date = fields.Datetime(related="company_id.tko_rate_refresh_date")
    tko_rate_last_success = fields.Datetime(related="company_id.tko_rate_last_success")
    tko_rate_refresh_message = fields.Text(related="company_id.tko_rate_refresh_message")
    tko_notice_call_user_id = fields.Many2one(
        related="company_id.tko_notice_call_user_id", readonly=False
    )
    tko_sms_provider_id = fields.Many2one(related="company_id.tko_sms_provider_id", readonly=False)
    tko_letter_reminder_days = fields.Integer(
        related="company_id.tko_letter_reminder_days", readonly=False
    )
    tko_appeal_answer_days = fields.Integer(
        related="company_id.tko_appeal_answer_days", readonly=False
    )

    def action_tko_refresh_rates(self):
        self.ensure_one()
        check_group(self.env, ADMIN)
        check_rights(self, "write")
        check_companies(self)
        self.env["tko.rate"]._refresh_from_cbr(self.company_id)
        return {"type": "ir.actions.client", "tag": "reload"}
