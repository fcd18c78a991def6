from odoo import _, api, fields, models

WATCHED = {"price", "vat_mode", "date_from", "date_to", "zone_id", "consumer_group", "uom"}


class TkoTariff(models.Model):
    """A tariff created or changed for a closed period starts a recalculation of its zone."""

    _inherit = "tko.tariff"

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
            "Tariff %(name)s: %(price)s from %(date)s",
            name=self.name or self.zone_id.name or "",
            price=self.price,
            date=fields.Date.to_string(self.date_from),
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
        if self.zone_id:
            Recalc._from_change(
                self.company_id,
                date_from,
                "tariff",
                self,
                reason,
                zone_id=self.zone_id.id,
                consumer_kind=kind,
            )
        else:
            Recalc._from_change(
                self.company_id, date_from, "tariff", self, reason, consumer_kind=kind
            )
