from decimal import Decimal

from odoo import _, api, fields, models
from odoo.addons.mobill_tko_base.tools.access import check_rights
from odoo.tools import SQL

from .tko_payment import CHANNELS

ZERO = Decimal("0.00")


class TkoPaymentPosting(models.Model):
    """One aggregated accounting entry of individuals' payments: a day and a channel.

    Dt the channel's account (51 bank, 50.01 cash desk, 57.03 in transit) Ct the receivable
    of the charges of individuals (62.01) for the payments posted in the ledger and not yet
    in accounting; payments cancelled after they reached accounting come back as reversing
    lines (Dt 62.01 Ct the channel's account) of the entry of the day they were cancelled.
    Posted entries are never rewritten: each run adds new ones.
    """

    _name = "tko.payment.posting"
    _description = "Payments of individuals posted to accounting"
    _check_company_auto = True
    _order = "date desc, id desc"

    name = fields.Char(required=True, readonly=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Date("Day booked", required=True, readonly=True, index=True)
    channel = fields.Selection(CHANNELS, required=True, readonly=True)
    journal_id = fields.Many2one("account.journal", readonly=True, check_company=True)
    move_id = fields.Many2one(
        "account.move", "Accounting entry", readonly=True, index=True, check_company=True
    )
    move_state = fields.Selection(related="move_id.state", string="Entry status")
    amount_posted = fields.Monetary("Payments", readonly=True)
    payment_count = fields.Integer("Number of payments", readonly=True)
    amount_reversed = fields.Monetary("Cancelled payments reversed", readonly=True)
    reversal_count = fields.Integer("Number of reversals", readonly=True)
    amount_net = fields.Monetary("Net", readonly=True)

    def action_view_payments(self):
        self.ensure_one()
        check_rights(self)
        return {
            "type": "ir.actions.act_window",
            "name": _("Payments"),
            "res_model": "tko.payment",
            "view_mode": "tree,form",
            "domain": [("id", "in", self._payment_ids())],
        }

    def _payment_ids(self):
        """Ids of the payments this entry posted or reversed (staff need no accounting rights
        to see them)."""
        move = self.sudo().move_id
        if not move:
            return []
        self.env["tko.payment"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT id FROM tko_payment
                 WHERE accounting_move_id = %(move)s OR accounting_reversal_move_id = %(move)s
                """,
                move=move.id,
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    # ------------------------------------------------------------------ posting
    @api.model
    def _post_individuals(self, company, date_to):
        """Post every payment of individuals not yet in accounting, booked on or before
        ``date_to``, and reverse those cancelled since. Set-based: SQL sums per day and
        channel, one entry per group, one UPDATE per group. Returns the new postings and
        ``{channel: count}`` of payments left for lack of a journal."""
        company.ensure_one()
        company = company.sudo()  # journals and accounts: staff need no accounting rights
        company._tko_check_accounting()
        journals = company._tko_payment_journals()
        for channel in list(journals):
            if not journals[channel].default_account_id:
                del journals[channel]
        channels = list(journals)
        Payment = self.env["tko.payment"]
        Payment.flush_model()
        cr = self.env.cr
        # lock the payments concerned, then sum them: nothing posted twice by parallel runs
        cr.execute(
            SQL(
                """
                WITH todo AS (
                    SELECT id FROM tko_payment
                     WHERE company_id = %(company)s AND account_id IS NOT NULL
                       AND state = 'posted'
                       AND (accounting_move_id IS NULL
                            OR accounting_reversal_move_id IS NOT NULL)
                       AND date_booked <= %(date)s AND channel = ANY(%(channels)s)
                       FOR UPDATE
                )
                SELECT p.date_booked, p.channel, sum(p.amount)::text, array_agg(p.id)
                  FROM tko_payment p JOIN todo ON todo.id = p.id
                 GROUP BY 1, 2
                """,
                company=company.id,
                date=date_to,
                channels=channels,
            )
        )
        groups = {}
        for day, channel, total, ids in cr.fetchall():
            groups[(day, channel)] = {"new": (Decimal(total), ids), "rev": (ZERO, [])}
        cr.execute(
            SQL(
                """
                WITH todo AS (
                    SELECT id FROM tko_payment
                     WHERE company_id = %(company)s AND accounting_move_id IS NOT NULL
                       AND accounting_reversal_move_id IS NULL
                       -- cancelled, or moved by hand from a personal account to a contract
                       AND (state <> 'posted' OR account_id IS NULL)
                       AND COALESCE(accounting_cancel_date, write_date::date) <= %(date)s
                       AND channel = ANY(%(channels)s)
                       FOR UPDATE
                )
                SELECT COALESCE(p.accounting_cancel_date, p.write_date::date), p.channel,
                       sum(p.amount)::text, array_agg(p.id)
                  FROM tko_payment p JOIN todo ON todo.id = p.id
                 GROUP BY 1, 2
                """,
                company=company.id,
                date=date_to,
                channels=channels,
            )
        )
        for day, channel, total, ids in cr.fetchall():
            group = groups.setdefault((day, channel), {"new": (ZERO, [])})
            group["rev"] = (Decimal(total), ids)
        postings = self.browse()
        labels = dict(CHANNELS)
        for (day, channel), group in sorted(groups.items()):
            (posted, new_ids), (reversed_, rev_ids) = group["new"], group["rev"]
            journal = journals[channel]
            move = self._create_entry(company, journal, day, channel, posted, reversed_)
            if new_ids:
                cr.execute(
                    SQL(
                        """
                        UPDATE tko_payment SET accounting_move_id = %s,
                               accounting_reversal_move_id = NULL
                         WHERE id = ANY(%s)
                        """,
                        move.id,
                        new_ids,
                    )
                )
            if rev_ids:
                cr.execute(
                    SQL(
                        """
                        UPDATE tko_payment SET accounting_reversal_move_id = %s,
                               accounting_cancel_date = COALESCE(accounting_cancel_date,
                                                                 write_date::date)
                         WHERE id = ANY(%s)
                        """,
                        move.id,
                        rev_ids,
                    )
                )
            postings |= self.create(
                {
                    "name": _(
                        "Payments of individuals %(date)s, %(channel)s",
                        date=day.strftime("%d.%m.%Y"),
                        channel=labels.get(channel, channel),
                    ),
                    "company_id": company.id,
                    "date": day,
                    "channel": channel,
                    "journal_id": journal.id,
                    "move_id": move.id,
                    "amount_posted": float(posted),
                    "payment_count": len(new_ids),
                    "amount_reversed": float(reversed_),
                    "reversal_count": len(rev_ids),
                    "amount_net": float(posted - reversed_),
                }
            )
        Payment.invalidate_model()  # the links, and what is computed from them
        self.env["tko.payment.reconciliation"].invalidate_model()
        cr.execute(
            SQL(
                """
                SELECT channel, count(*) FROM tko_payment
                 WHERE company_id = %(company)s AND account_id IS NOT NULL
                   AND state = 'posted' AND accounting_move_id IS NULL
                   AND date_booked <= %(date)s AND NOT channel = ANY(%(channels)s)
                 GROUP BY 1
                """,
                company=company.id,
                date=date_to,
                channels=channels,
            )
        )
        return postings, dict(cr.fetchall())

    @api.model
    def _create_entry(self, company, journal, day, channel, posted, reversed_):
        label_channel = dict(CHANNELS).get(channel, channel)
        date_label = day.strftime("%d.%m.%Y")
        cash = journal.default_account_id
        receivable = company.tko_receivable_account_id
        lines = []
        if posted:
            label = _(
                "Payments of individuals %(date)s, %(channel)s",
                date=date_label,
                channel=label_channel,
            )
            lines += [
                (label, cash, posted, ZERO),
                (label, receivable, ZERO, posted),
            ]
        if reversed_:
            label = _(
                "Cancelled payments of individuals reversed %(date)s, %(channel)s",
                date=date_label,
                channel=label_channel,
            )
            lines += [
                (label, receivable, reversed_, ZERO),
                (label, cash, ZERO, reversed_),
            ]
        move = (
            self.env["account.move"]
            .sudo()
            .with_company(company)
            .create(
                {
                    "move_type": "entry",
                    "journal_id": journal.id,
                    "date": company._tko_accounting_date(day),
                    "ref": _(
                        "ТКО payments of individuals %(date)s, %(channel)s",
                        date=date_label,
                        channel=label_channel,
                    ),
                    "company_id": company.id,
                    "line_ids": [
                        fields.Command.create(
                            {
                                "name": name,
                                "account_id": account.id,
                                "debit": float(debit),
                                "credit": float(credit),
                            }
                        )
                        for name, account, debit, credit in lines
                    ],
                }
            )
        )
        move.action_post()
        return move

    @api.model
    def _cron_post(self):
        """Nightly: post the payments of individuals up to today, one queue job per company
        (a company whose settings are incomplete does not hold up the others)."""
        today = fields.Date.context_today(self)
        companies = self.env["res.company"].search(
            [("tko_pay_auto_post", "=", True), ("chart_template", "!=", False)]
        )
        for company in companies:
            self.with_delay(
                description=_("Post payments to accounting: %(company)s", company=company.name)
            )._job_post(company.id, fields.Date.to_string(today))
        return True

    @api.model
    def _job_post(self, company_id, date_to):
        """Queue job of the posting button."""
        company = self.env["res.company"].browse(company_id)
        postings, _skipped = self.with_company(company)._post_individuals(
            company, fields.Date.to_date(date_to)
        )
        return _("%(count)s entries posted.", count=len(postings))
