from odoo import _, fields, models
from odoo.addons.mobill_tko_base.tools.access import LAWYER, check_rights
from odoo.exceptions import UserError

from ..models.tko_claim import CLAIM_KINDS


class TkoClaimWizard(models.TransientModel):
    """Claims (or court applications) for selected debtors, with debt and penalty computed."""

    _name = "tko.claim.wizard"
    _description = "Prepare claims"

    debtor_ids = fields.Many2many("tko.debtor", string="Debtors")
    kind = fields.Selection(CLAIM_KINDS, required=True, default="claim")
    template_id = fields.Many2one("tko.claim.template", domain="[('kind', '=', kind)]")
    calc_date = fields.Date("Debt and penalty on", required=True, default=fields.Date.context_today)
    user_id = fields.Many2one("res.users", "Responsible", default=lambda self: self.env.user)

    def action_create(self):
        self.ensure_one()
        if not self.debtor_ids:
            raise UserError(_("Choose the debtors first."))
        self.debtor_ids._check_debtor_access(LAWYER)
        check_rights(self.template_id)
        # refused before any number is taken: nothing overdue, no claim
        for model in ("tko.account", "tko.contract"):
            targets = self.debtor_ids._targets(model)
            if targets:
                self.env["tko.claim"]._check_overdue(targets, self.calc_date)
        claims = self.env["tko.claim"].create(
            [
                {
                    "kind": self.kind,
                    "template_id": self.template_id.id,
                    "partner_id": debtor.partner_id.id,
                    "account_id": debtor.account_id.id,
                    "contract_id": debtor.contract_id.id,
                    "company_id": debtor.company_id.id,
                    "calc_date": self.calc_date,
                    "user_id": self.user_id.id,
                }
                for debtor in self.debtor_ids
            ]
        )
        claims.action_compute()
        return {
            "type": "ir.actions.act_window",
            "name": _("Claims"),
            "res_model": "tko.claim",
            "view_mode": "tree,form",
            "domain": [("id", "in", claims.ids)],
        }
