from odoo import _, fields, models
from odoo.addons.mobill_tko_base.tools.access import check_action, check_rights
from odoo.exceptions import UserError


class TkoBillingPeriod(models.Model):
    """The receipts of a period: the «Issue receipts» action and the check of their registry
    against the ledger (Σ charged + recalculated on the receipts = Σ charges of individuals)."""

    _inherit = "tko.billing.period"

    receipt_run_ids = fields.One2many("tko.receipt.run", "period_id", "Receipt runs")
    receipt_count = fields.Integer("Receipts issued", compute="_compute_receipt_totals")
    receipt_amount = fields.Monetary(
        "Charged on receipts",
        compute="_compute_receipt_totals",
        help="Charged plus recalculated on the issued receipts of the period.",
    )
    receipt_ledger_amount = fields.Monetary(
        "Charged to individuals",
        compute="_compute_receipt_totals",
        help="The charges of individuals booked in the period (ledger).",
    )
    receipts_agree = fields.Boolean(
        "Receipts agree with the ledger", compute="_compute_receipt_totals"
    )

    def _compute_receipt_totals(self):
        totals = self.env["tko.receipt"]._ledger_totals(self.ids)
        for rec in self:
            count, amount, ledger = totals.get(rec.id, (0, 0, 0))
            rec.receipt_count = count
            rec.receipt_amount = float(amount)
            rec.receipt_ledger_amount = float(ledger)
            rec.receipts_agree = bool(count) and amount == ledger

    def _check_receipts_ready(self):
        """Receipts are issued once the period's charges are calculated and posted."""
        for rec in self:
            if not rec.charge_count:
                raise UserError(
                    _("Period %(name)s has no charges: run the charges first.", name=rec.name)
                )
            if rec.unposted_count:
                raise UserError(
                    _(
                        "Period %(name)s has %(count)s charge lines not in accounting yet: post "
                        "them before issuing receipts.",
                        name=rec.name,
                        count=rec.unposted_count,
                    )
                )

    def action_issue_receipts(self):
        """A new receipt run of the period, in its form (button «Issue receipts»)."""
        return self._open_receipt_run()

    def _open_receipt_run(self, accounts=None):
        """A receipt run of the period (a reissue of ``accounts`` when given), in its form."""
        self.ensure_one()
        check_action(self, operation="read")
        self._check_receipts_ready()
        vals = {"period_id": self.id, "company_id": self.company_id.id}
        if accounts:
            vals.update(reissue=True, account_ids=[fields.Command.set(accounts.ids)])
        run = self.env["tko.receipt.run"].create(vals)
        return {
            "type": "ir.actions.act_window",
            "name": _("Issue receipts"),
            "res_model": "tko.receipt.run",
            "res_id": run.id,
            "view_mode": "form",
            "target": "current",
        }

    def action_view_receipts(self):
        self.ensure_one()
        check_rights(self)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "mobill_tko_billing.tko_receipt_registry_action"
        )
        action["domain"] = [("period_id", "=", self.id)]
        return action
