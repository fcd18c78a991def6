from odoo import api, models
from odoo.tools import SQL

from mobill_tko_core import pricing as core_pricing


class TkoPricing(models.AbstractModel):
    """Which tariff, norms and VAT apply to an object on a date.

    The rule is :mod:`mobill_tko_core.pricing`; this model reads the price book it works on
    (:meth:`_price_book`, the one SQL reader, also used by the charge engine for a whole month)
    and turns the versions it chooses into records. Server code only (private methods): the
    callers have checked the objects they price.
    """

    _name = "tko.pricing"
    _description = "Tariff, norm and VAT in force"

    @api.model
    def _price_book(self, company, first, last):
        """The company's tariffs, norms and VAT rates valid in ``first``..``last`` (a book)."""
        for model in ("tko.tariff", "tko.norm", "tko.vat.rate", "tko.norm.category"):
            self.env[model].flush_model()
        tariffs = self._dated_rows(
            "tko_tariff",
            "id, zone_id, consumer_group, uom, contract_id, price::text, vat_mode, date_from,"
            " date_to",
            company,
            first,
            last,
        )
        norms = self._dated_rows(
            "tko_norm",
            "id, category_id, zone_id, uom, value::text, date_from, date_to",
            company,
            first,
            last,
        )
        rates = self._dated_rows(
            "tko_vat_rate", "date_from, date_to, rate::text, company_id", company, first, last, True
        )
        cr = self.env.cr
        cr.execute(SQL("SELECT id, code FROM tko_norm_category"))
        codes = dict(cr.fetchall())
        categories = self._norm_categories(company)
        return core_pricing.book_from_rows(tariffs, norms, rates, categories, codes)

    @api.model
    def _dated_rows(self, table, columns, company, first, last, shared=False):
        """``columns`` of the company's versions in ``table`` valid on a day of the window
        (``shared``: and those of every company, without ``company_id``)."""
        owner = (
            SQL("(company_id = %s OR company_id IS NULL)", company.id)
            if shared
            else SQL("company_id = %s", company.id)
        )
        self.env.cr.execute(
            SQL(
                """
                SELECT %s FROM %s
                 WHERE %s AND date_from <= %s AND (date_to IS NULL OR date_to >= %s)
                """,
                SQL(columns),
                SQL.identifier(table),
                owner,
                last,
                first,
            )
        )
        return self.env.cr.fetchall()

    @api.model
    def _norm_categories(self, company):
        """The company's norm categories of personal accounts (apartment, house, area): fields
        the billing add-on adds to the company; none without it."""
        ids = {
            key: company[name].id or None
            for key, name in (
                ("apartment", "tko_norm_category_apartment_id"),
                ("house", "tko_norm_category_house_id"),
                ("area", "tko_norm_category_area_id"),
            )
            if name in company._fields
        }
        return core_pricing.NormCategories(**ids)

    @api.model
    def _consumer_group(self, obj, contract=None):
        """Population for individuals' dwellings, other consumers for contracts and the rest."""
        return core_pricing.consumer_group_for(obj.kind, contract=bool(contract))

    @api.model
    def _norm_category(self, obj, method):
        """The norm category of a personal account on ``obj`` charged by ``method``."""
        categories = self._norm_categories(obj.company_id)
        category = core_pricing.norm_category_for(categories, method, obj.kind)
        return self.env["tko.norm.category"].browse(category)

    @api.model
    def _tariff_at(self, obj, date, contract=None, consumer_group=None, uom="m3", book=None):
        """The contract's individual tariff in force, else the zone's tariff of the group."""
        book = book or self._price_book(obj.company_id, date, date)
        group = consumer_group or self._consumer_group(obj, contract)
        version = core_pricing.tariff_for(
            book, date, obj.zone_id.id, group, uom, contract.id if contract else None
        )
        return self.env["tko.tariff"].browse(version[4] if version else [])

    @api.model
    def _norm_at(self, category, zone, date, company, uom="m3", book=None):
        """The zone's norm of the category in force, else the norm valid in every zone."""
        book = book or self._price_book(company, date, date)
        version = core_pricing.norm_for(book, category.id, zone.id if zone else None, date, uom)
        return self.env["tko.norm"].browse(version[3] if version else [])

    @api.model
    def _vat_rate_at(self, date, company=None, book=None):
        """VAT rate in percent on ``date``: the company's own, else the shared, else the law's."""
        company = company or self.env.company
        book = book or self._price_book(company, date, date)
        return float(core_pricing.vat_rate_at(book, date))

    @api.model
    def _terms(self, obj, date, contract=None, categories=None):
        """Everything that prices ``obj`` on ``date``: zone, group, tariff, norms, VAT."""
        group = self._consumer_group(obj, contract)
        if categories is None:
            categories = self.env["tko.norm.category"].search([("consumer_group", "=", group)])
        book = self._price_book(obj.company_id, date, date)
        return {
            "zone": obj.zone_id,
            "consumer_group": group,
            "tariff": self._tariff_at(
                obj, date, contract=contract, consumer_group=group, book=book
            ),
            "norms": {
                category: self._norm_at(category, obj.zone_id, date, obj.company_id, book=book)
                for category in categories
            },
            "vat_rate": self._vat_rate_at(date, obj.company_id, book=book),
        }
