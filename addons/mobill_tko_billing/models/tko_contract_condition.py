from odoo import _, api, models

from ..tools.explain import user_date


class TkoContractCondition(models.Model):
    """A payment condition changed for a closed period: recalculate the contract."""

    _inherit = "tko.contract.condition"

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        for rec in records:
            rec._tko_retroactive(rec.date_from)
        return records

    def write(self, vals):
        old = {rec.id: rec.date_from for rec in self}
        result = super().write(vals)
        if {"due_day", "advance", "advance_share", "date_from"} & set(vals):
            for rec in self:
                rec._tko_retroactive(min(d for d in (old.get(rec.id), rec.date_from) if d))
        return result

    def _tko_retroactive(self, date_from):
        self.ensure_one()
        reason = _(
            "Contract %(contract)s: payment conditions from %(date)s",
            contract=self.contract_id.name,
            date=user_date(self.env, self.date_from),
        )
        self.env["tko.recalculation"]._from_change(
            self.contract_id.company_id,
            date_from,
            "condition",
            self,
            reason,
            contract_ids=self.contract_id.ids,
        )
