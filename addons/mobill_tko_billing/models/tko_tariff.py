from odoo import _, models

from ..tools.explain import user_date, user_number


class TkoTariff(models.Model):
    """A tariff created or changed for a closed period starts a recalculation of its zone."""

    _name = "tko.tariff"
    _inherit = ["tko.tariff", "tko.retroactive.mixin"]

    _tko_retroactive_fields = frozenset(
        {"price", "vat_mode", "date_from", "date_to", "zone_id", "consumer_group", "uom"}
    )

    def _tko_retroactive(self, date_from):
        self.ensure_one()
        reason = _(
            "Tariff %(name)s: %(price)s from %(date)s",
            name=self.name or self.zone_id.name or "",
            price=user_number(self.env, self.price, 2),
            date=user_date(self.env, self.date_from),
        )
        Recalc = self.env["tko.recalculation"]
        if self.contract_id:
            Recalc._from_change(
                self.company_id,
                date_from,
                "tariff",
                self,
                reason,
                contract_ids=self.contract_id.ids,
            )
            return
        kind = "individual" if self.consumer_group == "population" else "legal"
        scope = {"consumer_kind": kind}
        if self.zone_id:
            scope["zone_id"] = self.zone_id.id
        Recalc._from_change(self.company_id, date_from, "tariff", self, reason, **scope)
