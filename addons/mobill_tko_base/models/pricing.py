from odoo import api, models
from odoo.osv import expression


class TkoPricing(models.AbstractModel):
    """The one place that answers which tariff, norms and VAT apply to an object on a date.

    Server code only (private methods): the callers have checked the objects they price.
    """

    _name = "tko.pricing"
    _description = "Tariff, norm and VAT in force"

    @api.model
    def _consumer_group(self, obj, contract=None):
        """Population for individuals' dwellings, other consumers for contracts and the rest."""
        if contract or obj.kind not in ("apartment", "house"):
            return "other"
        return "population"

    @api.model
    def _tariff_at(self, obj, date, contract=None, consumer_group=None, uom="m3"):
        """The contract's individual tariff in force, else the zone's tariff of the group."""
        Tariff = self.env["tko.tariff"]
        dated = Tariff._dated_domain(date)
        if contract:
            individual = Tariff.search(
                expression.AND([dated, [("contract_id", "=", contract.id), ("uom", "=", uom)]]),
                limit=1,
            )
            if individual:
                return individual
        group = consumer_group or self._consumer_group(obj, contract)
        return Tariff.search(
            expression.AND(
                [
                    dated,
                    [
                        ("contract_id", "=", False),
                        ("zone_id", "=", obj.zone_id.id),
                        ("consumer_group", "=", group),
                        ("uom", "=", uom),
                        ("company_id", "=", obj.company_id.id),
                    ],
                ]
            ),
            limit=1,
        )

    @api.model
    def _norm_at(self, category, zone, date, company, uom="m3"):
        """The zone's norm of the category in force, else the norm valid in every zone."""
        Norm = self.env["tko.norm"]
        domain = expression.AND(
            [
                Norm._dated_domain(date),
                [
                    ("category_id", "=", category.id),
                    ("uom", "=", uom),
                    ("company_id", "=", company.id),
                    ("zone_id", "in", [zone.id, False] if zone else [False]),
                ],
            ]
        )
        norms = Norm.search(domain)
        return norms.filtered("zone_id")[:1] or norms[:1]

    @api.model
    def _vat_rate_at(self, date, company=None):
        """VAT rate in percent on ``date``: the company's own table first, else the shared one."""
        company = company or self.env.company
        Vat = self.env["tko.vat.rate"].sudo()
        rates = Vat.search(
            expression.AND([Vat._dated_domain(date), [("company_id", "in", [company.id, False])]])
        )
        rate = rates.filtered("company_id")[:1] or rates[:1]
        return rate.rate if rate else 0.0

    @api.model
    def _terms(self, obj, date, contract=None, categories=None):
        """Everything that prices ``obj`` on ``date``: zone, group, tariff, norms, VAT."""
        group = self._consumer_group(obj, contract)
        if categories is None:
            categories = self.env["tko.norm.category"].search([("consumer_group", "=", group)])
        return {
            "zone": obj.zone_id,
            "consumer_group": group,
            "tariff": self._tariff_at(obj, date, contract=contract, consumer_group=group),
            "norms": {
                category: self._norm_at(category, obj.zone_id, date, obj.company_id)
                for category in categories
            },
            "vat_rate": self._vat_rate_at(date, obj.company_id),
        }
