from odoo import _, api, models

from ..tools.explain import user_date, user_number


class TkoNorm(models.Model):
    """A norm created or changed for a closed period starts a recalculation of its zone."""

    _name = "tko.norm"
    _inherit = ["tko.norm", "tko.retroactive.mixin"]

    _tko_retroactive_fields = frozenset(
        {"value", "date_from", "date_to", "zone_id", "category_id", "uom"}
    )

    @api.depends("category_id", "value", "uom", "date_from")
    @api.depends_context("lang")
    def _compute_display_name(self):
        units = dict(self._fields["uom"]._description_selection(self.env))
        for rec in self:
            rec.display_name = _(
                "Norm %(category)s %(value)s %(unit)s per year from %(date)s",
                category=rec.category_id.name or "",
                value=user_number(self.env, rec.value),
                unit=units.get(rec.uom, ""),
                date=user_date(self.env, rec.date_from),
            )

    def _tko_retroactive(self, date_from):
        self.ensure_one()
        reason = _(
            "Norm %(category)s: %(value)s from %(date)s",
            category=self.category_id.name,
            value=user_number(self.env, self.value),
            date=user_date(self.env, self.date_from),
        )
        kind = "individual" if self.category_id.consumer_group == "population" else "legal"
        scope = {"consumer_kind": kind}
        if self.zone_id:
            scope["zone_id"] = self.zone_id.id
        self.env["tko.recalculation"]._from_change(
            self.company_id, date_from, "norm", self, reason, **scope
        )
