from odoo import _, api, fields, models

WATCHED = {"value", "date_from", "date_to", "zone_id", "category_id", "uom"}


class TkoNorm(models.Model):
    """A norm created or changed for a closed period starts a recalculation of its zone."""

    _inherit = "tko.norm"

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        for rec in records:
            rec._tko_retroactive(rec.date_from)
        return records

    def write(self, vals):
        old = {rec.id: rec.date_from for rec in self}
        result = super().write(vals)
        if WATCHED & set(vals):
            for rec in self:
                rec._tko_retroactive(min(d for d in (old.get(rec.id), rec.date_from) if d))
        return result

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
