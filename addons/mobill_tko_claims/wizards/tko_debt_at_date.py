from decimal import Decimal

from odoo import _, api, fields, models
from odoo.addons.mobill_tko_base.tools.access import (
    READER,
    check_companies,
    check_group,
    check_rights,
)
from odoo.tools.misc import format_date

from mobill_tko_core.allocation import unpaid_by_period

from ..models.tko_debtor import CONSUMER_KINDS


class TkoDebtAtDate(models.TransientModel):
    """Debt on any date of accounts or contracts, chosen one by one or by plain filters (kind
    of consumer, district or settlement, smallest debt, days overdue)."""

    _name = "tko.debt.at.date"
    _description = "Debt on a date"

    date = fields.Date("On", required=True, default=fields.Date.context_today)
    target = fields.Selection(
        [("accounts", "Personal accounts (individuals)"), ("contracts", "Contracts")],
        "Count by",
        required=True,
        default="accounts",
    )
    account_ids = fields.Many2many(
        "tko.account", string="Only these accounts", help="Empty: every account of the filters."
    )
    contract_ids = fields.Many2many(
        "tko.contract", string="Only these contracts", help="Empty: every contract of the filters."
    )
    partner_id = fields.Many2one("res.partner", "Consumer", domain=[("is_tko_consumer", "=", True)])
    consumer_kind = fields.Selection(CONSUMER_KINDS, help="Empty: every kind of consumer.")
    district_id = fields.Many2one("tko.address", "District", domain=[("level", "=", "district")])
    settlement_id = fields.Many2one(
        "tko.address", "Settlement", domain=[("level", "=", "locality")]
    )
    currency_id = fields.Many2one("res.currency", default=lambda self: self.env.company.currency_id)
    min_debt = fields.Monetary(
        "Debt at least", currency_field="currency_id", help="Empty: any debt above zero."
    )
    min_overdue_days = fields.Integer(
        "Overdue at least, days",
        help="Days since the due date of the oldest unpaid month, on the chosen date.",
    )
    debtors_only = fields.Boolean(
        "Only those who owe", default=True, help="Leave out accounts with no debt or overpaid."
    )
    line_ids = fields.One2many("tko.debt.at.date.line", "wizard_id", "Debts", readonly=True)
    computed = fields.Boolean(readonly=True)
    line_count = fields.Integer("Found", compute="_compute_totals")
    total_debt = fields.Monetary("Debt", compute="_compute_totals", currency_field="currency_id")
    total_overdue = fields.Monetary(
        "Overdue", compute="_compute_totals", currency_field="currency_id"
    )
    total_penalty = fields.Monetary(
        "Penalties charged", compute="_compute_totals", currency_field="currency_id"
    )

    @api.depends("line_ids.debt", "line_ids.penalty", "line_ids.overdue_debt")
    def _compute_totals(self):
        for rec in self:
            rec.line_count = len(rec.line_ids)
            rec.total_debt = sum(rec.line_ids.mapped("debt"))
            rec.total_overdue = sum(rec.line_ids.mapped("overdue_debt"))
            rec.total_penalty = sum(rec.line_ids.mapped("penalty"))

    @api.onchange("district_id")
    def _onchange_district_id(self):
        if (
            self.settlement_id
            and self.district_id
            and not self.settlement_id.parent_path.startswith(self.district_id.parent_path)
        ):
            self.settlement_id = False

    def _domain(self):
        """Search domain of the accounts or contracts of the filters."""
        self.ensure_one()
        accounts = self.target == "accounts"
        domain = [("company_id", "in", self.env.companies.ids)]
        if self.partner_id:
            domain.append(("partner_id", "=", self.partner_id.id))
        if self.consumer_kind:
            domain.append(("partner_id.tko_kind", "=", self.consumer_kind))
        place = self.settlement_id or self.district_id
        if place:
            path = "address_id" if accounts else "line_ids.object_id.address_id"
            domain.append((f"{path}.parent_path", "=like", f"{place.parent_path}%"))
        return domain

    def _records(self):
        self.ensure_one()
        model = "tko.account" if self.target == "accounts" else "tko.contract"
        chosen = self.account_ids if self.target == "accounts" else self.contract_ids
        if chosen:
            return chosen.filtered_domain(self._domain())
        return self.env[model].search(self._domain())

    def _overdue(self, records):
        """``{id: (overdue amount, oldest due date of the unpaid months)}`` on the wizard's date:
        the months and their due dates are the penalty's own reading of the ledger
        (``tko.penalty._read_inputs``), what is unpaid of each the ledger's allocation of the
        payments made by that date, read by the core's rule
        (:func:`mobill_tko_core.allocation.unpaid_by_period`), as the debtors' registry does."""
        penalty = self.env["tko.penalty"]
        result = {}
        for company in records.company_id:
            own = records.filtered(lambda r, c=company: r.company_id == c)
            debts, payments, _opt_outs = penalty._read_inputs(
                records._name, own.ids, self.date, company
            )
            for rid, months in debts.items():
                due_of = {period: due for period, _amount, due in months}
                unpaid = unpaid_by_period(
                    [(period, amount) for period, amount, _due in months],
                    [(period, amount) for _day, amount, period in payments.get(rid, ())],
                )
                overdue = sum(
                    (amount for period, amount in unpaid if due_of[period] < self.date),
                    Decimal(0),
                )
                oldest_due = due_of[unpaid[0][0]] if unpaid else False
                result[rid] = (float(overdue), oldest_due)
        return result

    def _line_values(self, records):
        debts = self.env["tko.debtor"]._debt_at(records._name, records.ids, self.date)
        overdue = self._overdue(records)
        field = "account_id" if records._name == "tko.account" else "contract_id"
        values = []
        for rec in records:
            debt = debts.get(rec.id)
            if not debt:
                continue
            overdue_debt, oldest_due = overdue.get(rec.id, (0.0, False))
            days = (self.date - oldest_due).days if oldest_due and oldest_due < self.date else 0
            if self.debtors_only and debt["debt"] <= 0:
                continue
            if self.min_debt and debt["debt"] < self.min_debt:
                continue
            if self.min_overdue_days and days < self.min_overdue_days:
                continue
            address = (
                rec.address_id if field == "account_id" else rec.line_ids[:1].object_id.address_id
            )
            values.append(
                {
                    "wizard_id": self.id,
                    field: rec.id,
                    "partner_id": rec.partner_id.id,
                    "address_id": address.id,
                    "charged": debt["charged"],
                    "penalty": debt["penalty"],
                    "paid": debt["paid"],
                    "debt": debt["debt"],
                    "overdue_debt": min(overdue_debt, max(debt["debt"], 0.0)),
                    "oldest_due_date": oldest_due,
                    "overdue_days": days,
                }
            )
        return values

    def action_compute(self):
        self.ensure_one()
        check_group(self.env, READER)
        # the chosen ids are the client's: the ledger is read with SQL for the ones it may see
        records = check_companies(check_rights(self._records()))
        self.line_ids.unlink()
        self.env["tko.debt.at.date.line"].create(self._line_values(records))
        self.computed = True
        return {
            "type": "ir.actions.act_window",
            "name": _("Debt on %(date)s", date=format_date(self.env, self.date)),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "context": {"dialog_size": "extra-large"},
        }
