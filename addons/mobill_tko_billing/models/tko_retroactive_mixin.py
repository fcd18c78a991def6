from odoo import api, models


class TkoRetroactiveMixin(models.AbstractModel):
    """A dated record that prices a period (tariff, norm, object characteristic, contract line,
    payment condition) created or changed for a closed period starts a recalculation from the
    earliest date concerned.

    The model names the fields that matter in ``_tko_retroactive_fields``, says what to
    recalculate in ``_tko_retroactive`` and, when its first day concerned is not the earlier of
    the old and the new ``date_from``, overrides ``_tko_retroactive_start``.
    """

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
        watched = bool(self._tko_retroactive_fields & set(vals))
        old = {rec.id: (rec.date_from, rec.date_to) for rec in self} if watched else {}
        result = super().write(vals)
        if watched and not self._tko_retroactive_skip():
            for rec in self:
                start = rec._tko_retroactive_start(*old[rec.id], vals)
                if start:
                    rec._tko_retroactive(start)
        return result

    def _tko_retroactive_start(self, old_from, old_to, vals):
        """The first day a change reaches: the earlier of the old and the new start."""
        self.ensure_one()
        return min((d for d in (old_from, self.date_from) if d), default=None)

    def _tko_retroactive_skip(self):
        """True when a change needs no recalculation (e.g. the engine closing a version)."""
        return False

    def _tko_retroactive(self, date_from):
        raise NotImplementedError
