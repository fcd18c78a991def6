from odoo import _, api, models

from ..tools.explain import user_date

WATCHED = {"object_id", "scheme", "norm_category_id", "limit_volume", "date_from", "date_to"}


class TkoContractLine(models.Model):
    """A contract object or scheme changed for a closed period: recalculate the contract."""

    _name = "tko.contract.line"
    _inherit = ["tko.contract.line", "tko.retroactive.mixin"]
    _tko_retroactive_fields = frozenset(WATCHED)

    @api.depends("contract_id", "object_id", "scheme", "date_from")
    @api.depends_context("lang")
    def _compute_display_name(self):
        schemes = dict(self._fields["scheme"]._description_selection(self.env))
        for rec in self:
            rec.display_name = _(
                "%(object)s, %(scheme)s, from %(date)s",
                object=rec.object_id.display_name or rec.contract_id.name or "",
                scheme=schemes.get(rec.scheme, rec.scheme or ""),
                date=user_date(self.env, rec.date_from),
            )

    def _tko_retroactive_start(self, old_from, old_to, vals):
        """Only the end moved: the recalculation starts where the old and the new end differ."""
        if "date_to" in vals and not ("date_from" in vals or "scheme" in vals):
            ends = [d for d in (old_to, self.date_to) if d]
            return min(ends) if ends else self.date_from
        return super()._tko_retroactive_start(old_from, old_to, vals)

    def _tko_retroactive(self, date_from):
        self.ensure_one()
        schemes = dict(self._fields["scheme"]._description_selection(self.env))
        reason = _(
            "Contract %(contract)s, %(object)s: %(scheme)s from %(date)s",
            contract=self.contract_id.name,
            object=self.object_id.display_name,
            scheme=schemes.get(self.scheme, self.scheme),
            date=user_date(self.env, self.date_from),
        )
        self.env["tko.recalculation"]._from_change(
            self.contract_id.company_id,
            date_from,
            "contract",
            self,
            reason,
            contract_ids=self.contract_id.ids,
        )
