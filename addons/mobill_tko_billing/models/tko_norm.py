from odoo import _, fields, models


class TkoNorm(models.Model):
    """A norm created or changed for a closed period starts a recalculation of its zone."""

    _name = "tko.norm"
    _inherit = ["tko.norm", "tko.retroactive.mixin"]

    _tko_retroactive_fields = frozenset(
        {"value", "date_from", "date_to", "zone_id", "category_id", "uom"}
    )

    def _tko_retroactive(self, date_from):
        self.ensure_one()
        reason = _(
            "Norm %(category)s: %(value)s from %(date)s",
            category=self.category_id.name,
            value=self.value,
            date=fields.Date.to_string(self.date_from),
        )
        kind = "individual" if self.category_id.consumer_group == "population" else "legal"
        scope = {"consumer_kind": kind}
        if self.zone_id:
            scope["zone_id"] = self.zone_id.id
        self.env["tko.recalculation"]._from_change(
            self.company_id, date_from, "norm", self, reason, **scope
        )
