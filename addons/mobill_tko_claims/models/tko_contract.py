from odoo import _, fields, models


class TkoContract(models.Model):
    _inherit = "tko.contract"

    tko_penalty_id = fields.Many2one(
        "tko.penalty", "Penalty calculation", compute="_compute_tko_claims_info"
    )
    tko_penalty_total = fields.Monetary(
        "Penalty", currency_field="currency_id", compute="_compute_tko_claims_info"
    )
    tko_claim_count = fields.Integer("Claims", compute="_compute_tko_claims_info")
    tko_notice_count = fields.Integer("Notices", compute="_compute_tko_claims_info")
    tko_letter_count = fields.Integer("Letters", compute="_compute_tko_claims_info")

    def _compute_tko_claims_info(self):
        penalties = {
            p.contract_id.id: p
            for p in self.env["tko.penalty"].search([("contract_id", "in", self.ids)])
        }
        counts = {}
        for model in ("tko.claim", "tko.notice", "tko.letter"):
            data = self.env[model]._read_group(
                [("contract_id", "in", self.ids)], ["contract_id"], ["__count"]
            )
            counts[model] = {account.id: count for account, count in data}
        for rec in self:
            penalty = penalties.get(rec.id, self.env["tko.penalty"])
            rec.tko_penalty_id = penalty
            rec.tko_penalty_total = penalty.total
            rec.tko_claim_count = counts["tko.claim"].get(rec.id, 0)
            rec.tko_notice_count = counts["tko.notice"].get(rec.id, 0)
            rec.tko_letter_count = counts["tko.letter"].get(rec.id, 0)

    def action_tko_penalty_wizard(self):
        return {
            "type": "ir.actions.act_window",
            "name": _("Calculate penalties"),
            "res_model": "tko.penalty.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_contract_ids": self.ids},
        }

    def action_tko_open_penalty(self):
        self.ensure_one()
        if not self.tko_penalty_id:
            return self.action_tko_penalty_wizard()
        return {
            "type": "ir.actions.act_window",
            "res_model": "tko.penalty",
            "res_id": self.tko_penalty_id.id,
            "view_mode": "form",
        }

    def _tko_open_related(self, model, name):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": model,
            "view_mode": "tree,form",
            "domain": [("contract_id", "=", self.id)],
            "context": {"default_contract_id": self.id, "default_partner_id": self.partner_id.id},
        }

    def action_tko_view_claims(self):
        return self._tko_open_related("tko.claim", _("Claims"))

    def action_tko_view_notices(self):
        return self._tko_open_related("tko.notice", _("Notices"))

    def action_tko_view_letters(self):
        return self._tko_open_related("tko.letter", _("Correspondence"))
