from datetime import timedelta

from odoo import _, api, models
from odoo.addons.mobill_tko_base.tools import is_trusted

from ..tools.explain import user_date, user_number


class TkoObjectCharacteristic(models.Model):
    """A version that reaches into a closed period starts a recalculation of its accounts."""

    _name = "tko.object.characteristic"
    _inherit = ["tko.object.characteristic", "tko.retroactive.mixin"]
    _tko_retroactive_fields = frozenset({"date_to"})

    def _tko_retroactive_skip(self):
        # the registry closing the previous version when a new one starts
        return bool(self.env.context.get("tko_close_version")) and is_trusted(self)

    def _tko_retroactive_start(self, old_from, old_to, vals):
        """A version's end moved: recalculate from the day after the earlier end."""
        ends = [d for d in (old_to, self.date_to) if d]
        return min(ends) + timedelta(days=1) if ends else None

    def _tko_value_text(self):
        """The value as the user's language writes it ("46,9", "2 × 0,75 м³")."""
        self.ensure_one()
        if self.kind == "containers":
            return _(
                "%(count)s × %(volume)s m³",
                count=self.container_count,
                volume=user_number(self.env, self.container_volume),
            )
        value = user_number(self.env, self.value)
        if self.kind == "units":
            return f"{value} {self.norm_category_id.unit_name or ''}".strip()
        return value

    @api.depends("kind", "value", "container_count", "container_volume", "date_from")
    @api.depends_context("lang")
    def _compute_display_name(self):
        labels = dict(self._fields["kind"]._description_selection(self.env))
        for rec in self:
            rec.display_name = _(
                "%(kind)s: %(value)s from %(date)s",
                kind=labels.get(rec.kind, rec.kind or ""),
                value=rec._tko_value_text(),
                date=user_date(self.env, rec.date_from),
            )

    def _tko_retroactive(self, date_from):
        self.ensure_one()
        obj = self.object_id
        labels = dict(self._fields["kind"]._description_selection(self.env))
        reason = _(
            "%(kind)s of %(object)s: %(value)s from %(date)s",
            kind=labels.get(self.kind, self.kind),
            object=obj.display_name,
            value=self._tko_value_text(),
            date=user_date(self.env, self.date_from),
        )
        Recalc = self.env["tko.recalculation"]
        accounts = self.env["tko.account"].sudo().search([("object_id", "=", obj.id)])
        if accounts:
            Recalc._from_change(
                obj.company_id,
                date_from,
                "characteristic",
                self,
                reason,
                account_ids=accounts.ids,
            )
        contracts = (
            self.env["tko.contract.line"].sudo().search([("object_id", "=", obj.id)]).contract_id
        )
        if contracts:
            Recalc._from_change(
                obj.company_id,
                date_from,
                "characteristic",
                self,
                reason,
                contract_ids=contracts.ids,
            )
