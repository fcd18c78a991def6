from odoo import _, models

from ..tools.explain import user_date


class TkoContractCondition(models.Model):
    """A payment condition changed for a closed period: recalculate the contract."""

    _name = "tko.contract.condition"
    _inherit = ["tko.contract.condition", "tko.retroactive.mixin"]
    _tko_retroactive_fields = frozenset({"due_day", "advance", "advance_share", "date_from"})

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
