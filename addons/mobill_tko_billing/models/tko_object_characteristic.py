from datetime import timedelta

from odoo import _, api, fields, models
from odoo.addons.mobill_tko_base.tools import is_trusted


class TkoObjectCharacteristic(models.Model):
    """A version that reaches into a closed period starts a recalculation of its accounts."""

    _inherit = "tko.object.characteristic"

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        for rec in records:
            rec._tko_retroactive(rec.date_from)
        return records

    def write(self, vals):
        old = {rec.id: rec.date_to for rec in self} if "date_to" in vals else {}
        result = super().write(vals)
        closing = self.env.context.get("tko_close_version") and is_trusted(self)
        if "date_to" in vals and not closing:
            for rec in self:
                ends = [d for d in (old.get(rec.id), rec.date_to) if d]
                if ends:
                    rec._tko_retroactive(min(ends) + timedelta(days=1))
        return result

    def _tko_retroactive(self, date_from):
        self.ensure_one()
        obj = self.object_id
        labels = dict(self._fields["kind"]._description_selection(self.env))
        reason = _(
            "%(kind)s of %(object)s: %(value)s from %(date)s",
            kind=labels.get(self.kind, self.kind),
            object=obj.display_name,
            value=self.display_value,
            date=fields.Date.to_string(self.date_from),
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
