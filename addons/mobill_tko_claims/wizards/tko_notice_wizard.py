from odoo import _, fields, models
from odoo.addons.mobill_tko_base.tools.access import LAWYER, check_rights
from odoo.exceptions import UserError

from ..models.tko_notice import CHANNELS, NOTICE_KINDS
from ..models.tko_notice_rule import default_sms


class TkoNoticeWizard(models.TransientModel):
    """Notices to selected debtors by hand."""

    _name = "tko.notice.wizard"
    _description = "Send notices"

    debtor_ids = fields.Many2many("tko.debtor", string="Debtors")
    kind = fields.Selection(NOTICE_KINDS, required=True, default="notice")
    channel = fields.Selection(CHANNELS, required=True, default="email")
    subject = fields.Char(default=lambda self: _("Debt for waste management services"))
    body = fields.Text("Text", default=lambda self: default_sms(self.env), required=True)
    call_user_id = fields.Many2one("res.users", "Operator to call")
    provider_id = fields.Many2one("tko.sms.provider", "SMS gateway")
    send = fields.Boolean("Send at once", default=True)

    def action_create(self):
        self.ensure_one()
        if not self.debtor_ids:
            raise UserError(_("Choose the debtors first."))
        self.debtor_ids._check_debtor_access(LAWYER)
        check_rights(self.provider_id)
        notices = self.debtor_ids._make_notices(
            kind=self.kind,
            channel=self.channel,
            subject=self.subject,
            body_template=self.body,
            call_user=self.call_user_id,
            provider=self.provider_id,
            send=self.send,
        )
        return {
            "type": "ir.actions.act_window",
            "name": _("Notices"),
            "res_model": "tko.notice",
            "view_mode": "tree,form",
            "domain": [("id", "in", notices.ids)],
        }
