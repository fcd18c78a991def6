from markupsafe import Markup, escape
from odoo import _, api, fields, models
from odoo.addons.mobill_tko_base.tools import core_error_message, is_trusted
from odoo.addons.mobill_tko_base.tools.access import check_rights
from odoo.exceptions import UserError
from odoo.tools import SQL
from odoo.tools.translate import _lt

from mobill_tko_core.errors import CoreError
from mobill_tko_core.receipts import from_json

STATES = [("issued", "Issued"), ("replaced", "Replaced by a reissue")]
BASIS_LABELS = {"residents": _lt("residents"), "owners": _lt("owners"), "area": _lt("area, m²")}

#: columns written by the receipt builder (execute_values), in this order
INSERT_COLUMNS = (
    "company_id",
    "period_id",
    "account_id",
    "partner_id",
    "zone_id",
    "district_id",
    "management_company_id",
    "route",
    "correction_number",
    "correction_reason",
    "state",
    "opening_balance",
    "charged",
    "recalculation",
    "benefits",
    "total_for_period",
    "paid",
    "last_payment_date",
    "penalties",
    "total_to_pay",
    "advance",
    "due_date",
    "payment_string",
    "snapshot",
    "issued_on",
    "issued_by_id",
    "run_id",
    "create_uid",
    "create_date",
    "write_uid",
    "write_date",
)


class TkoReceipt(models.Model):
    """The issued monthly receipt (ЕПД) of one personal account for one period.

    An immutable snapshot (:mod:`mobill_tko_core.receipts`): the JSON of the core's receipt
    plus the key figures as columns for lists and the registry. Written in bulk by the receipt
    runs only; a reissue is a new receipt with the next correction number and a reason, the
    previous one is marked replaced. Nothing else is ever changed.
    """

    _name = "tko.receipt"
    _description = "Receipt"
    _check_company_auto = True
    _order = "period_id desc, route, id"
    _rec_names_search = ["account_id"]

    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    period_id = fields.Many2one(
        "tko.billing.period",
        "Period",
        required=True,
        readonly=True,
        index=True,
        ondelete="restrict",
    )
    account_id = fields.Many2one(
        "tko.account",
        "Personal account",
        required=True,
        readonly=True,
        index=True,
        ondelete="restrict",
    )
    partner_id = fields.Many2one("res.partner", "Payer", readonly=True)
    zone_id = fields.Many2one("tko.tariff.zone", "Tariff zone", readonly=True, index=True)
    district_id = fields.Many2one("tko.address", "District", readonly=True)
    management_company_id = fields.Many2one("res.partner", "Management company", readonly=True)
    route = fields.Char("Route key", readonly=True, help="Delivery-route sort key.")
    correction_number = fields.Integer(
        "Correction No.", readonly=True, help="0: the first issue; N: the N-th reissue."
    )
    correction_reason = fields.Char("Reason of the correction", readonly=True)
    state = fields.Selection(STATES, required=True, readonly=True, default="issued", index=True)
    opening_balance = fields.Monetary(
        "Opening balance", readonly=True, help="Debt (+) or advance (−) at the start."
    )
    charged = fields.Monetary(readonly=True)
    recalculation = fields.Monetary(readonly=True)
    benefits = fields.Monetary(readonly=True)
    total_for_period = fields.Monetary("Total for the period", readonly=True)
    paid = fields.Monetary("Paid in the period", readonly=True)
    last_payment_date = fields.Date("Last payment on", readonly=True)
    penalties = fields.Monetary(readonly=True)
    total_to_pay = fields.Monetary("Total to pay", readonly=True)
    advance = fields.Monetary(readonly=True)
    due_date = fields.Date("Due date", readonly=True)
    payment_string = fields.Char("Payment string", readonly=True, help="ГОСТ Р 56042 QR text.")
    snapshot = fields.Text(readonly=True, help="The receipt as the core's JSON.")
    issued_on = fields.Datetime("Issued on", readonly=True)
    issued_by_id = fields.Many2one("res.users", "Issued by", readonly=True)
    run_id = fields.Many2one("tko.receipt.run", "Issued by run", readonly=True, index=True)
    lines_html = fields.Html("Calculation", compute="_compute_lines_html", sanitize=False)

    def init(self):
        # one issued receipt per account and period, also under concurrent runs
        self.env.cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS tko_receipt_issued_uniq
                ON tko_receipt (account_id, period_id) WHERE state = 'issued'
            """
        )

    @api.depends("account_id", "period_id", "correction_number")
    def _compute_display_name(self):
        for rec in self:
            name = _(
                "Receipt %(account)s for %(period)s",
                account=rec.account_id.name or "",
                period=rec.period_id.name or "",
            )
            if rec.correction_number:
                name = _(
                    "%(name)s (correction %(number)s)", name=name, number=rec.correction_number
                )
            rec.display_name = name

    def _receipt(self):
        """The core's :class:`~mobill_tko_core.receipts.Receipt` of this record."""
        self.ensure_one()
        try:
            return from_json(self.snapshot)
        except CoreError as error:
            raise UserError(core_error_message(error, self.env)) from error

    @api.depends("snapshot")
    def _compute_lines_html(self):
        for rec in self:
            if not rec.snapshot:
                rec.lines_html = False
                continue
            receipt = rec._receipt()
            rows = []
            for line in receipt.lines:
                rows.append(
                    Markup(
                        "<tr><td>%s</td><td>%s</td><td class='text-end'>%s</td>"
                        "<td class='text-end'>%s</td><td class='text-end'>%s</td>"
                        "<td class='text-end'>%s</td><td class='text-end'>%s</td>"
                        "<td class='text-end'>%s</td><td class='text-end'>%s</td></tr>"
                    )
                    % (
                        line.service,
                        str(BASIS_LABELS.get(line.basis, line.basis)),
                        line.quantity,
                        line.norm,
                        line.tariff,
                        line.charged,
                        line.recalculation,
                        line.benefits,
                        line.total,
                    )
                )
            head = Markup(
                "<table class='table table-sm'><thead><tr><th>%s</th><th>%s</th><th>%s</th>"
                "<th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr>"
                "</thead><tbody>"
            ) % (
                _("Service"),
                _("Basis"),
                _("Quantity"),
                _("Norm"),
                _("Tariff"),
                _("Charged"),
                _("Recalculation"),
                _("Benefits"),
                _("Total"),
            )
            html = head + Markup("").join(rows) + Markup("</tbody></table>")
            if receipt.recalculations:
                items = Markup("").join(
                    Markup("<li>%s: %s — %s</li>")
                    % (r.period.strftime("%m.%Y"), r.amount, r.reason or r.code)
                    for r in receipt.recalculations
                )
                html += Markup("<p><b>%s</b></p><ul>%s</ul>") % (
                    _("Recalculations and their basis"),
                    items,
                )
            if receipt.messages:
                html += Markup("").join(Markup("<p>%s</p>") % escape(m) for m in receipt.messages)
            rec.lines_html = html

    # ------------------------------------------------------------------ immutability
    @api.model_create_multi
    def create(self, vals_list):
        if not is_trusted(self):
            raise UserError(_("Receipts are issued by the «Issue receipts» action of a period."))
        return super().create(vals_list)

    def write(self, vals):
        if not is_trusted(self) or set(vals) - {"state"}:
            raise UserError(
                _("An issued receipt cannot be changed: issue a corrected receipt instead.")
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(_("An issued receipt cannot be deleted: issue a corrected receipt."))

    # ------------------------------------------------------------------ actions
    def action_reissue(self):
        """Open a receipt run that reissues the receipts of these accounts."""
        check_rights(self)
        period = self.period_id
        if len(period) != 1:
            raise UserError(_("Reissue the receipts of one period at a time."))
        return period._open_receipt_run(accounts=self.account_id)

    @api.model
    def _ledger_totals(self, period_ids):
        """``{period_id: (receipts, Σ charged + recalculation of the issued receipts,
        Σ charges of individuals in the ledger)}`` as Decimal, summed in SQL."""
        if not period_ids:
            return {}
        self.flush_model()
        self.env["tko.charge"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                WITH r AS (
                    SELECT period_id, count(*) AS n, sum(total_for_period) AS amount
                      FROM tko_receipt WHERE state = 'issued' AND period_id = ANY(%(ids)s)
                     GROUP BY 1
                ), c AS (
                    SELECT period_id, sum(amount_total) AS amount FROM tko_charge
                     WHERE consumer = 'individual' AND period_id = ANY(%(ids)s) GROUP BY 1
                )
                SELECT p.id, COALESCE(r.n, 0), COALESCE(r.amount, 0), COALESCE(c.amount, 0)
                  FROM tko_billing_period p
             LEFT JOIN r ON r.period_id = p.id LEFT JOIN c ON c.period_id = p.id
                 WHERE p.id = ANY(%(ids)s)
                """,
                ids=list(period_ids),
            )
        )
        return {row[0]: row[1:] for row in self.env.cr.fetchall()}
