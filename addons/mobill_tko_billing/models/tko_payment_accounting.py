import logging
from collections import defaultdict

from odoo import _, api, fields, models
from odoo.addons.mobill_tko_base.tools import trusted
from odoo.addons.mobill_tko_base.tools.access import check_action, check_rights
from odoo.exceptions import UserError
from odoo.tools import SQL, create_index

from .res_company_payment_accounting import PAYMENT_CHANNELS

_logger = logging.getLogger(__name__)

#: who sees the links to accounting records (others see the accounting status only)
ACCOUNTING_GROUPS = "account.group_account_readonly,account.group_account_invoice"

ACCOUNTING_STATES = [
    ("none", "Not for accounting"),
    ("pending", "To post"),
    ("posted", "In accounting"),
    ("reversal_pending", "To reverse"),
    ("reversed", "Reversed"),
]


class TkoPayment(models.Model):
    """Payments in accounting.

    A contract payment (legal entity) becomes a standard customer payment of the channel's
    journal when it is posted, reconciled with the contract's open invoices: the invoice of the
    period it names first, then the oldest. Payments of personal accounts (individuals) go to
    accounting in bulk (:meth:`tko.payment.posting._post_individuals`): one entry per day and
    channel, linked here by SQL; a cancelled one is reversed in the next entry.
    """

    _inherit = "tko.payment"

    account_payment_id = fields.Many2one(
        "account.payment",
        "Accounting payment",
        groups=ACCOUNTING_GROUPS,
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The customer payment in accounting of this contract payment.",
    )
    accounting_move_id = fields.Many2one(
        "account.move",
        "Accounting entry",
        groups=ACCOUNTING_GROUPS,
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The entry of the day and channel that brought this payment to accounting.",
    )
    accounting_reversal_move_id = fields.Many2one(
        "account.move",
        "Reversal entry",
        groups=ACCOUNTING_GROUPS,
        readonly=True,
        copy=False,
        help="The entry that took this payment back out of accounting after it was cancelled.",
    )
    accounting_cancel_date = fields.Date(
        "Cancelled on",
        readonly=True,
        copy=False,
        help="The day the payment was cancelled: the day its reversal is dated in accounting.",
    )
    accounting_state = fields.Selection(
        ACCOUNTING_STATES,
        "Accounting",
        compute="_compute_accounting_state",
        search="_search_accounting_state",
        help="Where the payment stands in accounting: contract payments are registered when "
        "posted; payments of personal accounts go there with the daily posting.",
    )
    tko_invoice_ids = fields.Many2many(
        "account.move",
        string="Invoices paid",
        compute="_compute_tko_invoice_ids",
        groups=ACCOUNTING_GROUPS,
        help="The contract's invoices this payment is reconciled with.",
    )
    tko_invoice_count = fields.Integer(
        "Number of invoices paid", compute="_compute_tko_invoice_ids"
    )
    tko_unreconciled_amount = fields.Monetary(
        "Not matched to invoices",
        compute="_compute_tko_invoice_ids",
        help="The part of the payment not yet matched to an invoice (an advance).",
    )

    def init(self):
        result = super().init()
        # the two questions the daily posting asks, answered from small partial indexes
        create_index(
            self.env.cr,
            "tko_payment_accounting_todo_idx",
            self._table,
            ["company_id", "date_booked"],
            where="account_id IS NOT NULL AND state = 'posted' AND "
            "(accounting_move_id IS NULL OR accounting_reversal_move_id IS NOT NULL)",
        )
        create_index(
            self.env.cr,
            "tko_payment_accounting_reversal_idx",
            self._table,
            ["company_id"],
            where="accounting_move_id IS NOT NULL AND accounting_reversal_move_id IS NULL "
            "AND (state <> 'posted' OR account_id IS NULL)",
        )
        return result

    @api.depends(
        "state",
        "contract_id",
        "account_payment_id.state",
        "accounting_move_id",
        "accounting_reversal_move_id",
    )
    def _compute_accounting_state(self):
        for rec in self:
            apay = rec.sudo().account_payment_id
            if rec.contract_id:
                if apay.state == "posted":
                    state = "posted"
                elif apay:
                    state = "reversed"
                else:
                    state = "pending" if rec.state == "posted" else "none"
            elif rec.state == "posted":
                accounted = rec.accounting_move_id and not rec.accounting_reversal_move_id
                state = "posted" if accounted else "pending"
            elif rec.accounting_move_id:
                state = "reversed" if rec.accounting_reversal_move_id else "reversal_pending"
            else:
                state = "none"
            rec.accounting_state = state

    def _search_accounting_state(self, operator, value):
        """Only the small sets staff look for: payments waiting for accounting."""
        values = {value} if operator == "=" else set(value) if operator == "in" else None
        if not values or not values <= {"pending", "reversal_pending"}:
            raise UserError(_("Search payments by accounting status «To post» or «To reverse»."))
        self.flush_model()
        self.env["account.payment"].flush_model(["move_id"])
        self.env["account.move"].flush_model(["state"])
        self.env.cr.execute(
            SQL(
                """
                SELECT p.id FROM tko_payment p
                 WHERE (%(pending)s AND p.state = 'posted' AND (
                           (p.account_id IS NOT NULL AND (p.accounting_move_id IS NULL
                                OR p.accounting_reversal_move_id IS NOT NULL))
                        OR (p.contract_id IS NOT NULL AND NOT EXISTS (
                                SELECT 1 FROM account_payment ap
                                  JOIN account_move m ON m.id = ap.move_id
                                 WHERE ap.id = p.account_payment_id AND m.state = 'posted'))))
                    OR (%(reverse)s AND p.accounting_move_id IS NOT NULL
                        AND p.accounting_reversal_move_id IS NULL
                        AND (p.state <> 'posted' OR p.account_id IS NULL))
                """,
                pending="pending" in values,
                reverse="reversal_pending" in values,
            )
        )
        return [("id", "in", [row[0] for row in self.env.cr.fetchall()])]

    @api.depends("account_payment_id.reconciled_invoice_ids", "account_payment_id.state")
    def _compute_tko_invoice_ids(self):
        for rec in self:
            apay = rec.sudo().account_payment_id
            posted = apay.state == "posted"
            invoices = apay.reconciled_invoice_ids if posted else apay.move_id.browse()
            rec.tko_invoice_ids = invoices
            rec.tko_invoice_count = len(invoices)
            lines = apay.move_id.line_ids.filtered(
                lambda line: line.account_id.account_type == "asset_receivable"
            )
            rec.tko_unreconciled_amount = -sum(lines.mapped("amount_residual")) if posted else 0

    # ------------------------------------------------------------------ life cycle
    def action_post(self):
        result = super().action_post()
        self.filtered(
            lambda p: p.state == "posted"
            and p.contract_id
            and p.sudo().account_payment_id.state != "posted"
        )._tko_post_contract_payments()
        return result

    def action_cancel(self):
        contract_payments = self.filtered(lambda p: p.sudo().account_payment_id.state == "posted")
        result = super().action_cancel()
        today = fields.Date.context_today(self)
        trusted(self.filtered(lambda p: p.state == "cancelled")).write(
            {"accounting_cancel_date": today}
        )
        contract_payments._tko_cancel_contract_payments()
        return result

    # ------------------------------------------------------------------ contracts
    def _tko_post_contract_payments(self):
        """A posted customer payment in the channel's journal per contract payment, reconciled
        with the contract's open invoices."""
        AccountPayment = self.env["account.payment"].sudo()
        by_company = defaultdict(list)
        for rec in self:
            company = rec.company_id.sudo()
            if not company.chart_template:
                continue
            if rec.channel not in PAYMENT_CHANNELS:
                rec._message_log(
                    body=_(
                        "Not posted to accounting: payments of this channel are offsets or "
                        "other non-cash settlements; post them to accounting by hand."
                    )
                )
                continue
            journal = company._tko_payment_journal(rec.channel)
            partner = rec.contract_id.partner_id.commercial_partner_id
            method_line = journal.inbound_payment_method_line_ids[:1]
            by_company[company].append(
                (
                    rec,
                    {
                        "payment_type": "inbound",
                        "partner_type": "customer",
                        "partner_id": partner.id,
                        "amount": rec.amount,
                        "currency_id": rec.currency_id.id,
                        "date": company._tko_accounting_date(rec.date_booked),
                        "journal_id": journal.id,
                        "payment_method_line_id": method_line.id,
                        "ref": rec.reference or rec.name,
                        "payment_reference": rec.name,
                        "company_id": company.id,
                    },
                )
            )
        for company, items in by_company.items():
            # created and posted together (one batch of accounting entries), then each
            # matched with its contract's invoices in the payments' order
            apays = AccountPayment.with_company(company).create([vals for __, vals in items])
            apays.action_post()
            for (rec, __), apay in zip(items, apays, strict=True):
                rec.sudo().account_payment_id = apay
            self.browse([rec.id for rec, __ in items])._tko_reconcile_invoices()

    def _tko_reconcile_invoices(self):
        """Match the open part of each contract payment to the contract's open invoices: the
        invoice of the period named in the payment first, then the oldest."""
        MoveLine = self.env["account.move.line"].sudo()
        for rec in self:
            apay = rec.sudo().account_payment_id
            if apay.state != "posted":
                continue
            line = apay.move_id.line_ids.filtered(
                lambda ln: ln.account_id.account_type == "asset_receivable" and not ln.reconciled
            )
            if not line:
                continue
            open_lines = MoveLine.search(
                [
                    ("company_id", "=", rec.company_id.id),
                    ("move_id.tko_contract_id", "=", rec.contract_id.id),
                    ("move_id.move_type", "=", "out_invoice"),
                    ("parent_state", "=", "posted"),
                    ("account_id", "=", line.account_id.id),
                    ("reconciled", "=", False),
                    ("amount_residual", ">", 0),
                ]
            )
            open_lines = open_lines.sorted(
                lambda ln, target=rec.target_period_id: (
                    not (target and ln.move_id.tko_period_id == target),
                    ln.date_maturity or ln.date,
                    ln.date,
                    ln.id,
                )
            )
            for inv_line in open_lines:
                if line.reconciled:
                    break
                (line | inv_line).reconcile()

    def _tko_cancel_contract_payments(self):
        """Unreconcile and cancel the customer payments (reversed when the date is locked)."""
        for rec in self:
            apay = rec.sudo().account_payment_id
            if apay.state != "posted":
                continue
            move = apay.move_id
            move.line_ids.remove_move_reconcile()
            lock = rec.company_id.sudo()._get_user_fiscal_lock_date()
            if move.date <= lock:
                today = fields.Date.context_today(self)
                move._reverse_moves(
                    [
                        {
                            "date": today,
                            "ref": _("Cancelled payment %(name)s", name=rec.name),
                        }
                    ],
                    cancel=True,
                )
            else:
                apay.action_draft()
                apay.action_cancel()
            rec._message_log(
                body=_(
                    "The accounting payment %(payment)s was cancelled and unreconciled.",
                    payment=apay.name,
                )
            )

    def action_tko_reconcile_invoices(self):
        """Button: match the contract payments' open parts to invoices issued since.

        The matching itself runs as superuser (accounting records): billing accountants only,
        on payments they may change."""
        check_action(self)
        self.filtered("contract_id")._tko_reconcile_invoices()
        return True

    # ------------------------------------------------------------------ navigation
    def action_tko_open_accounting(self):
        self.ensure_one()
        check_rights(self)
        rec = self.sudo()
        if rec.account_payment_id:
            return {
                "type": "ir.actions.act_window",
                "res_model": "account.payment",
                "res_id": rec.account_payment_id.id,
                "view_mode": "form",
                "views": [(False, "form")],
            }
        moves = rec.accounting_move_id | rec.accounting_reversal_move_id
        return {
            "type": "ir.actions.act_window",
            "name": _("Accounting entries"),
            "res_model": "account.move",
            "domain": [("id", "in", moves.ids)],
            "view_mode": "tree,form",
        }

    def action_tko_open_invoices(self):
        self.ensure_one()
        check_rights(self)
        return {
            "type": "ir.actions.act_window",
            "name": _("Invoices paid"),
            "res_model": "account.move",
            "domain": [("id", "in", self.sudo().tko_invoice_ids.ids)],
            "view_mode": "tree,form",
        }

    @api.model
    def _tko_accounting_pending(self, company, date_to=None):
        """``(count, amount)`` of individuals' payments waiting for accounting (for forms)."""
        self.flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT count(*), COALESCE(sum(amount), 0) FROM tko_payment
                 WHERE company_id = %(company)s AND account_id IS NOT NULL
                   AND state = 'posted'
                   AND (accounting_move_id IS NULL OR accounting_reversal_move_id IS NOT NULL)
                   AND (%(date)s::date IS NULL OR date_booked <= %(date)s)
                """,
                company=company.id,
                date=date_to,
            )
        )
        return self.env.cr.fetchone()
