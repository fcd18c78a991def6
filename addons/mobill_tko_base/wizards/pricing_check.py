from odoo import api, fields, models


class TkoPricingCheck(models.TransientModel):
    """Screen: which tariff, norms and VAT apply to this object on this date."""

    _name = "tko.pricing.check"
    _description = "Tariff and norm check"

    object_id = fields.Many2one("tko.object", required=True)
    contract_id = fields.Many2one("tko.contract")
    date = fields.Date(required=True, default=fields.Date.context_today)
    zone_id = fields.Many2one("tko.tariff.zone", compute="_compute_terms")
    consumer_group = fields.Selection(
        [("population", "Population"), ("other", "Other consumers")], compute="_compute_terms"
    )
    tariff_id = fields.Many2one("tko.tariff", compute="_compute_terms")
    tariff_price = fields.Float(related="tariff_id.price")
    tariff_vat_mode = fields.Selection(related="tariff_id.vat_mode")
    vat_rate = fields.Float("VAT rate, %", compute="_compute_terms")
    norm_ids = fields.Many2many("tko.norm", compute="_compute_terms", string="Norms in force")
    characteristics = fields.Text(compute="_compute_terms")

    @api.depends("object_id", "contract_id", "date")
    def _compute_terms(self):
        pricing = self.env["tko.pricing"]
        for rec in self:
            if not (rec.object_id and rec.date):
                rec.update(
                    {
                        "zone_id": False,
                        "consumer_group": False,
                        "tariff_id": False,
                        "vat_rate": 0.0,
                        "norm_ids": False,
                        "characteristics": False,
                    }
                )
                continue
            # the object and contract are the client's choice: only those the user may read
            rec.object_id._check_read_characteristics()
            rec.contract_id.check_access_rights("read")
            rec.contract_id.check_access_rule("read")
            terms = pricing._terms(rec.object_id, rec.date, contract=rec.contract_id or None)
            rec.zone_id = terms["zone"]
            rec.consumer_group = terms["consumer_group"]
            rec.tariff_id = terms["tariff"]
            rec.vat_rate = terms["vat_rate"]
            rec.norm_ids = (
                self.env["tko.norm"].union(*terms["norms"].values()) if terms["norms"] else False
            )
            values = rec.object_id._characteristics_at(rec.date).get(rec.object_id.id, {})
            labels = dict(
                self.env["tko.object.characteristic"]
                ._fields["kind"]
                ._description_selection(self.env)
            )
            lines = []
            for key, value in sorted(values.items()):
                if key == "containers":
                    for c in value:
                        lines.append(f"{labels['containers']}: {c['count']} × {c['volume']:g} m³")
                else:
                    kind, _sep, code = key.partition(":")
                    lines.append(f"{labels.get(kind, kind)}{' ' + code if code else ''}: {value:g}")
            rec.characteristics = "\n".join(lines)
