from odoo import api, models


class TkoRetroactiveMixin(models.AbstractModel):
    """A dated price record (tariff, norm) created or changed for a closed period starts a
    recalculation from the earliest date concerned. The model names the fields that matter in
    ``_tko_retroactive_fields`` and says what to recalculate in ``_tko_retroactive``."""

    _name = "tko.retroactive.mixin"
    _description = "Recalculation on retroactive changes"

    _tko_retroactive_fields = frozenset()

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        for rec in records:
            rec._tko_retroactive(rec.date_from)
        return records

    def write(self, vals):
        old = {rec.id: rec.date_from for rec in self}
        result = super().write(vals)
        if self._tko_retroactive_fields & set(vals):
            for rec in self:
                rec._tko_retroactive(min(d for d in (old.get(rec.id), rec.date_from) if d))
        return result

    def _tko_retroactive(self, date_from):
        raise NotImplementedError
