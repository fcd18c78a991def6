from odoo import _, api, models
from odoo.addons.mobill_tko_base.tools.access import check_rights
from odoo.exceptions import UserError


class ReportChargeBreakdown(models.AbstractModel):
    _name = "report.mobill_tko_billing.report_charge_breakdown"
    _description = "Charge breakdown report"

    @api.model
    def _get_report_values(self, docids, data=None):
        # printed from the wizard, the ids come in ``data`` (the URL of a report with data has
        # no ids); printed from the account's Print menu, in ``docids``
        docids = docids or [int(i) for i in (data or {}).get("account_ids") or []]
        accounts = self.env["tko.account"].browse(docids)
        if not accounts:
            # never an empty page: say what is missing
            raise UserError(_("Choose the personal accounts whose breakdown to print."))
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
