from odoo import _, fields, models
from odoo.addons.mobill_tko_base.tools.access import check_action, check_rights


class TkoContract(models.Model):
    """Contract: debt from the ledger, charges, invoices, calculation and invoicing."""

    _inherit = "tko.contract"

    tko_charge_ids = fields.One2many("tko.charge", "contract_id", "Charges")
    tko_payment_ids = fields.One2many("tko.payment", "contract_id", "Payments")
    tko_move_ids = fields.One2many("account.move", "tko_contract_id", "Invoices")
    tko_advance_invoice_ids = fields.One2many(
        "tko.advance.invoice", "contract_id", "Advance invoices"
    )
    tko_measurement_ids = fields.One2many("tko.measurement", "contract_id", "Measurements")
    tko_invoice_count = fields.Integer(compute="_compute_tko_counts")
    tko_charge_count = fields.Integer("Charge lines", compute="_compute_tko_counts")

    def _compute_tko_counts(self):
        moves = dict(
            self.env["account.move"]
            .sudo()
            ._read_group([("tko_contract_id", "in", self.ids)], ["tko_contract_id"], ["__count"])
        )
        charges = dict(
            self.env["tko.charge"]._read_group(
                [("contract_id", "in", self.ids)], ["contract_id"], ["__count"]
            )
        )
        for rec in self:
            rec.tko_invoice_count = moves.get(rec, 0)
            rec.tko_charge_count = charges.get(rec, 0)

    def _tko_debt_at(self, date):
        return self.env["tko.payment"]._tko_balance("contract_id", self.ids, date)

    def tko_balance_by_period(self, date=None):
        """See :meth:`tko.account.tko_balance_by_period`."""
        check_rights(self, "read")
        return self.env["tko.payment"]._tko_balance_by_period(
            "contract_id", self.ids, date, companies=self.env.companies
        )

    def action_tko_calculate(self):
        """Individual calculation: a charge run of these contracts in the open period."""
        check_action(self, operation="read")
        return self.env["tko.charge.run"]._start_individual(self, "contracts", "contract_ids")

    def action_tko_invoice(self):
        """Invoice the contract's charges of the open period (individually)."""
        check_action(self, operation="read")
        period = self.env["tko.billing.period"]._open_period(self.company_id[:1] or None)
        period._lock_exclusive()
        period._check_no_active_run()
        self.env["tko.billing.accounting"]._post_period(period, contracts=self)
        return self.action_tko_view_invoices()

    def action_tko_advance_invoice(self):
        check_action(self, operation="read")
        period = self.env["tko.billing.period"]._open_period(self.company_id[:1] or None)
        invoices = self.env["tko.advance.invoice"]._create_for_period(period, contracts=self)
        return {
            "type": "ir.actions.act_window",
            "name": _("Advance invoices"),
            "res_model": "tko.advance.invoice",
            "view_mode": "tree,form",
            "domain": [("id", "in", invoices.ids)],
        }

    def action_tko_view_invoices(self):
        self.ensure_one()
        check_rights(self)
        return {
            "type": "ir.actions.act_window",
            "name": _("Invoices"),
            "res_model": "account.move",
            "view_mode": "tree,form",
            "domain": [("tko_contract_id", "=", self.id)],
        }

    def action_tko_view_charges(self):
        self.ensure_one()
        check_rights(self)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "mobill_tko_billing.tko_charge_action"
        )
        action["domain"] = [("contract_id", "=", self.id)]
        action["context"] = {"search_default_group_period": 1}
        return action
