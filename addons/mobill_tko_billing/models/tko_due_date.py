from collections import defaultdict

from odoo import api, fields, models

from mobill_tko_core import due_dates

# The day of the contract's payment condition in force at the end of the billed month
# ``{period_end}``, for the contract ``{contract}`` (SQL expressions; NULL for an account).
# ``{guard}``: an expression of the outer row only, false for rows that are no contract (the
# planner checks it once per row, before any index is read).
CONDITION_DUE_DAY_SQL = """
    LEFT JOIN LATERAL (
        SELECT cc.due_day FROM tko_contract_condition cc
         WHERE {guard} AND cc.contract_id = {contract} AND cc.date_from <= {period_end}
           AND (cc.date_to IS NULL OR cc.date_to >= {period_end})
         ORDER BY cc.date_from DESC LIMIT 1) {alias} ON TRUE"""


class TkoDueDate(models.AbstractModel):
    """The due date of a month's charge in the Odoo models: the rule is
    :mod:`mobill_tko_core.due_dates`; this model feeds it the contract's payment condition and
    the company's settings, for one charge (invoices) or many (reports), and gives set-based
    SQL the same rule (:meth:`_sql`, the PostgreSQL function ``tko_due_date`` it installs)."""

    _name = "tko.due.date"
    _description = "Due date of charges"

    def init(self):
        self.env.cr.execute(due_dates.SQL_FUNCTION)

    @api.model
    def _getter(self, company, contract_ids=()):
        """A function ``due(period_start, contract_id=None) -> date`` for ``company``, with the
        payment conditions of ``contract_ids`` read once."""
        conditions = defaultdict(list)
        if contract_ids:
            self.env["tko.contract.condition"].flush_model(
                ["contract_id", "date_from", "date_to", "due_day"]
            )
            self.env.cr.execute(
                """SELECT contract_id, date_from, date_to, due_day FROM tko_contract_condition
                    WHERE contract_id = ANY(%s) ORDER BY contract_id, date_from""",
                [list(contract_ids)],
            )
            for contract_id, start, end, day in self.env.cr.fetchall():
                conditions[contract_id].append((start, end, day))
        company_day, months_after = company.tko_due_day, company.tko_due_months_after

        def due(period_start, contract_id=None):
            period_end = fields.Date.end_of(period_start, "month")
            condition_day = None
            for start, end, day in conditions.get(contract_id, ()):
                if start <= period_end and (not end or end >= period_end):
                    condition_day = day
            day = due_dates.payer_due_day(condition_day, company_day)
            return due_dates.due_date_for(period_start, day, months_after)

        return due

    @api.model
    def _sql(self, period, condition_day, company):
        """SQL of the due date of the charge of the month ``period`` (an SQL date), with
        ``condition_day`` the day of the payer's condition (see :data:`CONDITION_DUE_DAY_SQL`;
        NULL for an account) and ``company`` the alias of its res_company row. The settings
        and conditions pending in the ORM are written first: the query reads the tables."""
        self.env["res.company"].flush_model(["tko_due_day", "tko_due_months_after"])
        self.env["tko.contract.condition"].flush_model(
            ["contract_id", "date_from", "date_to", "due_day"]
        )
        return due_dates.due_date_sql(
            period, condition_day, f"{company}.tko_due_day", f"{company}.tko_due_months_after"
        )

    @api.model
    def _sql_condition_join(self, contract, period_end, alias="due_cond", guard="TRUE"):
        """``LEFT JOIN LATERAL`` of the due day of ``contract``'s condition in force on
        ``period_end`` (SQL expressions), as ``<alias>.due_day``; only where ``guard``."""
        return CONDITION_DUE_DAY_SQL.format(
            contract=contract, period_end=period_end, alias=alias, guard=guard
        )
