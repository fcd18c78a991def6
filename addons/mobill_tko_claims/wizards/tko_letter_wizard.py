import datetime as dt

from odoo import _, fields, models
from odoo.addons.mobill_tko_base.tools import trusted
from odoo.addons.mobill_tko_base.tools.access import LAWYER, OPERATOR, check_group, check_rights
from odoo.exceptions import UserError

from ..models.tko_letter import LETTER_KINDS


class TkoLetterWizard(models.TransientModel):
    """The same outgoing letter to a group of consumers: one registered letter each."""

    _name = "tko.letter.wizard"
    _description = "Letters to a group"

    partner_ids = fields.Many2many("res.partner", string="Consumers")
    debtor_ids = fields.Many2many("tko.debtor", string="Debtors")
    kind = fields.Selection(LETTER_KINDS, required=True, default="notice")
    subject = fields.Char(required=True)
    body = fields.Html("Text")
    answer_days = fields.Integer("Answer within (days)")

    def action_create(self):
        self.ensure_one()
        check_group(self.env, OPERATOR, LAWYER)
        check_rights(self.partner_ids)
        check_rights(self.debtor_ids)
        for model in ("tko.account", "tko.contract"):
            check_rights(self.debtor_ids._targets(model))
        targets = [(d.partner_id, d.account_id, d.contract_id) for d in self.debtor_ids]
        done = {t[0].id for t in targets}
        targets += [
            (p, self.env["tko.account"], self.env["tko.contract"])
            for p in self.partner_ids
            if p.id not in done
        ]
        if not targets:
            raise UserError(_("Choose the consumers or debtors first."))
        today = fields.Date.context_today(self)
        deadline = today + dt.timedelta(days=self.answer_days) if self.answer_days else False
        # registered at once: the state is the system's to set
        letters = trusted(self.env["tko.letter"]).create(
            [
                {
                    "direction": "out",
                    "kind": self.kind,
                    "partner_id": partner.id,
                    "account_id": account.id,
                    "contract_id": contract.id,
                    "subject": self.subject,
                    "body": self.body,
                    "answer_deadline": deadline,
                    "state": "registered",
                }
                for partner, account, contract in targets
            ]
        )
        return {
            "type": "ir.actions.act_window",
            "name": _("Letters"),
            "res_model": "tko.letter",
            "view_mode": "tree,form",
            "domain": [("id", "in", letters.ids)],
        }
