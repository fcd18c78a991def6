import logging

from odoo import api, models

_logger = logging.getLogger(__name__)


class AccountChartTemplate(models.AbstractModel):
    _inherit = "account.chart.template"

    def _load(self, template_code, company, install_demo):
        """After a chart of accounts is loaded, set up billing for the company."""
        result = super()._load(template_code, company, install_demo)
        company = self.env["res.company"].browse(company.id if company else self.env.company.id)
        company._tko_billing_setup()
        return result

    @api.model
    def _install_demo(self, companies):
        """Skip Odoo's sample invoices and bills for companies on the chart of Russia.

        The OCA chart has no account of type "income" and its supplier account 60.01 is not of
        type "payable", so Odoo's sample vendor bills cannot be posted on it (the error would
        only clutter the log). The MoBill demo brings its own data.
        """
        if not isinstance(companies, models.BaseModel):
            companies = self.env["res.company"].browse(companies)
        russian = companies.filtered(lambda c: c.chart_template == "ru")
        if russian:
            _logger.info(
                "Accounting sample data skipped for %s (chart of accounts of Russia)",
                ", ".join(russian.mapped("name")),
            )
        others = companies - russian
        if others:
            return super()._install_demo(others)
        return None
