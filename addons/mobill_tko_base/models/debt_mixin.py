from odoo import fields, models


class TkoDebtMixin(models.AbstractModel):
    """Current debt of a personal account or a contract.

    ``_tko_debt_at(date)`` answers ``{record id: debt}`` on any date; the registry knows no
    charges, so it answers nothing (debt 0). The billing module overrides it from its ledger.
    """

    _name = "tko.debt.mixin"
    _description = "Debt of an account or a contract"

    company_id = fields.Many2one("res.company")
    currency_id = fields.Many2one(related="company_id.currency_id")
    debt = fields.Monetary("Current debt", compute="_compute_debt", currency_field="currency_id")
    overpayment = fields.Monetary(
        compute="_compute_debt",
        currency_field="currency_id",
        help="Paid beyond the charges: it pays the next charges.",
    )

    def _compute_debt(self):
        debts = self._tko_debt_at(fields.Date.context_today(self))
        for rec in self:
            rec.debt = debts.get(rec.id, 0.0)
            rec.overpayment = max(-rec.debt, 0.0)

    def _tko_debt_at(self, date):
        """``{record id: debt}`` on ``date``: nothing is owed until charges exist."""
        return {}
