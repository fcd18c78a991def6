def post_init_hook(env):
    """Accounts, journals, VAT taxes and the service for every company with a chart."""
    for company in env["res.company"].search([]):
        if company.chart_template:
            company._tko_billing_setup()
