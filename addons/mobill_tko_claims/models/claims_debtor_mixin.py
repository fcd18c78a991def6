from odoo import _, fields, models
from odoo.addons.mobill_tko_base.tools.access import LAWYER, READER, check_group, check_rights


class TkoClaimsDebtorMixin(models.AbstractModel):
    """Penalty, claims, notices and letters of a debtor: a personal account or a contract.

    ``_tko_claims_link`` names the field of tko.penalty, tko.claim, tko.notice and tko.letter
    that points to the debtor (``account_id`` or ``contract_id``). The model defines
    ``tko_penalty_total`` itself (a Monetary field needs the model's own ``currency_id``).
    """

    _name = "tko.claims.debtor.mixin"
    _description = "Claims work of an account or a contract"
    _tko_claims_link = "account_id"

    tko_penalty_id = fields.Many2one(
        "tko.penalty", "Penalty calculation", compute="_compute_tko_claims_info"
    )
    tko_claim_count = fields.Integer("Claims", compute="_compute_tko_claims_info")
    tko_notice_count = fields.Integer("Notices", compute="_compute_tko_claims_info")
    tko_letter_count = fields.Integer("Letters", compute="_compute_tko_claims_info")

    def _compute_tko_claims_info(self):
        link = self._tko_claims_link
        penalties = {
            p[link].id: p for p in self.env["tko.penalty"].search([(link, "in", self.ids)])
        }
        counts = {}
        for model in ("tko.claim", "tko.notice", "tko.letter"):
            data = self.env[model]._read_group([(link, "in", self.ids)], [link], ["__count"])
            counts[model] = {record.id: count for record, count in data}
        for rec in self:
            penalty = penalties.get(rec.id, self.env["tko.penalty"])
            rec.tko_penalty_id = penalty
            rec.tko_penalty_total = penalty.total
            rec.tko_claim_count = counts["tko.claim"].get(rec.id, 0)
            rec.tko_notice_count = counts["tko.notice"].get(rec.id, 0)
            rec.tko_letter_count = counts["tko.letter"].get(rec.id, 0)

    def _tko_check_claims_access(self, *groups):
        """The caller sees these accounts or contracts and is in one of ``groups``."""
        check_group(self.env, *(groups or (READER,)))
        return check_rights(self)

    def action_tko_penalty_wizard(self):
        self._tko_check_claims_access(LAWYER)
        return {
            "type": "ir.actions.act_window",
            "name": _("Calculate penalties"),
            "res_model": "tko.penalty.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {f"default_{self._tko_claims_link}s": self.ids},
        }

    def action_tko_open_penalty(self):
        self.ensure_one()
        self._tko_check_claims_access()
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
        self._tko_check_claims_access()
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": model,
            "view_mode": "tree,form",
            "domain": [(self._tko_claims_link, "=", self.id)],
            "context": {
                f"default_{self._tko_claims_link}": self.id,
                "default_partner_id": self.partner_id.id,
            },
        }

    def action_tko_view_claims(self):
        return self._tko_open_related("tko.claim", _("Claims"))

    def action_tko_view_notices(self):
        return self._tko_open_related("tko.notice", _("Notices"))

    def action_tko_view_letters(self):
        return self._tko_open_related("tko.letter", _("Correspondence"))
