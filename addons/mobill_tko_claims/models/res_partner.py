import datetime as dt

from odoo import _, fields, models
from odoo.addons.mobill_tko_base.tools.access import OPERATOR, check_group, check_rights


class ResPartner(models.Model):
    _inherit = "res.partner"

    tko_pp497_opt_out = fields.Boolean(
        "Refused the ПП 497 moratorium",
        tracking=True,
        help="The consumer published a refusal of the 2022 bankruptcy moratorium: penalties "
        "accrue on its debts from 01.04.2022 to 01.10.2022 too.",
    )
    tko_claim_ids = fields.One2many("tko.claim", "partner_id", "Claims")
    tko_notice_ids = fields.One2many("tko.notice", "partner_id", "Notices")
    tko_letter_ids = fields.One2many("tko.letter", "partner_id", "Letters")

    def action_tko_new_appeal(self):
        """Open a new incoming letter (an appeal) of this consumer, with its answer deadline."""
        self.ensure_one()
        check_group(self.env, OPERATOR)
        check_rights(self)
        check_rights(self.env["tko.letter"], "create")
        account = self.tko_account_ids[:1]
        today = fields.Date.context_today(self)
        return {
            "type": "ir.actions.act_window",
            "name": _("New appeal"),
            "res_model": "tko.letter",
            "view_mode": "form",
            "target": "current",
            "context": {
                "default_partner_id": self.id,
                "default_direction": "in",
                "default_kind": "request",
                "default_account_id": account.id,
                "default_answer_deadline": today
                + dt.timedelta(days=self.env.company.tko_appeal_answer_days),
            },
        }
