from odoo import api, models
from odoo.addons.mobill_tko_base.tools.access import check_rights


class ReportChargeBreakdown(models.AbstractModel):
    _name = "report.mobill_tko_billing.report_charge_breakdown"
    _description = "Charge breakdown report"

    @api.model
    def _get_report_values(self, docids, data=None):
        accounts = self.env["tko.account"].browse(docids)
        Period = self.env["tko.billing.period"]
        period = Period.browse((data or {}).get("period_id")) if data else Period
        if not period:
            period = Period._open_period(raise_if_none=False) or Period.search([], limit=1)
        # the breakdown sums the ledger in SQL: only of accounts and a period the caller sees
        check_rights(accounts)
        check_rights(period)
        Account = self.env["tko.account"]
        return {
            "doc_ids": docids,
            "doc_model": "tko.account",
            "docs": accounts,
            "period": period,
            "breakdown": {a.id: Account._tko_breakdown(a, period) for a in accounts},
        }
