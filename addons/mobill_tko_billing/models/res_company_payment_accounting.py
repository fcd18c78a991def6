from datetime import timedelta

# Payment accounting settings, kept apart from the billing settings of res_company.py.
# pylint: disable=consider-merging-classes-inherited
from odoo import _, api, fields, models
from odoo.exceptions import UserError

#: payment channels with a journal of their own (offset and other payments are not money)
PAYMENT_CHANNELS = ("bank", "cash", "post", "online", "agent")
#: channels whose money is in transit (post offices, payment agents) until it reaches the bank
TRANSIT_CHANNELS = ("post", "agent")
#: the transit account of the OCA chart of accounts of Russia (l10n_ru)
TRANSIT_ACCOUNT_CODE = "57.03"

_JOURNAL_HELP = (
    "Journal of the payments of this channel: contract payments are registered in it and "
    "reconciled with the invoices; individuals' payments go to it as one entry per day. Its "
    "default account is debited."
)


class ResCompany(models.Model):
    _inherit = "res.company"

    tko_pay_journal_bank_id = fields.Many2one(
        "account.journal",
        "Journal of bank payments",
        domain="[('type', 'in', ('bank', 'cash')), ('company_id', '=', id)]",
        help=_JOURNAL_HELP,
    )
    tko_pay_journal_cash_id = fields.Many2one(
        "account.journal",
        "Journal of the cash desk",
        domain="[('type', 'in', ('bank', 'cash')), ('company_id', '=', id)]",
        help=_JOURNAL_HELP,
    )
    tko_pay_journal_post_id = fields.Many2one(
        "account.journal",
        "Journal of post office payments",
        domain="[('type', 'in', ('bank', 'cash')), ('company_id', '=', id)]",
        help=_JOURNAL_HELP,
    )
    tko_pay_journal_online_id = fields.Many2one(
        "account.journal",
        "Journal of online payments",
        domain="[('type', 'in', ('bank', 'cash')), ('company_id', '=', id)]",
        help=_JOURNAL_HELP,
    )
    tko_pay_journal_agent_id = fields.Many2one(
        "account.journal",
        "Journal of payment agents",
        domain="[('type', 'in', ('bank', 'cash')), ('company_id', '=', id)]",
        help=_JOURNAL_HELP,
    )
    tko_transit_account_id = fields.Many2one(
        "account.account",
        "Transit account",
        domain="[('company_id', '=', id)]",
        help="Money accepted by post offices and payment agents, not yet on the bank account "
        "(57.03). The journal of transit payments created on setup debits it.",
    )
    tko_pay_auto_post = fields.Boolean(
        "Post individuals' payments every night",
        default=True,
        help="A scheduled action posts the payments of individuals up to the current day "
        "to accounting, one entry per day and channel.",
    )

    def _tko_billing_setup(self):
        result = super()._tko_billing_setup()
        for company in self:
            if company.chart_template:
                company._tko_payment_accounting_setup()
        return result

    @api.model
    def _tko_payment_accounting_setup_all(self):
        """On install and update: the payment journals of every company with a chart."""
        for company in self.sudo().search([("chart_template", "!=", False)]):
            company._tko_payment_accounting_setup()
        return True

    def _tko_payment_accounting_setup(self):
        """Journals of the payment channels and the transit account, where not set yet."""
        self.ensure_one()
        Journal = self.env["account.journal"].sudo()
        vals = {}
        if not self.tko_transit_account_id:
            transit = (
                self.env["account.account"]
                .sudo()
                .search(
                    [("company_id", "=", self.id), ("code", "=", TRANSIT_ACCOUNT_CODE)], limit=1
                )
            )
            if transit:
                vals["tko_transit_account_id"] = transit.id
        transit = self.env["account.account"].browse(
            vals.get("tko_transit_account_id") or self.tko_transit_account_id.id
        )
        bank = Journal.search(
            [("company_id", "=", self.id), ("type", "=", "bank"), ("code", "!=", "TKOTR")],
            order="sequence, id",
            limit=1,
        )
        cash = Journal.search(
            [("company_id", "=", self.id), ("type", "=", "cash")], order="sequence, id", limit=1
        )
        transit_journal = Journal
        if transit and not (self.tko_pay_journal_post_id and self.tko_pay_journal_agent_id):
            transit_journal = Journal.search(
                [("company_id", "=", self.id), ("code", "=", "TKOTR")], limit=1
            ) or Journal.create(
                {
                    "name": _("ТКО: payments in transit (post, agents)"),
                    "code": "TKOTR",
                    "type": "bank",
                    "company_id": self.id,
                    "default_account_id": transit.id,
                }
            )
        defaults = {
            "tko_pay_journal_bank_id": bank,
            "tko_pay_journal_online_id": bank,
            "tko_pay_journal_cash_id": cash or bank,
            "tko_pay_journal_post_id": transit_journal or bank,
            "tko_pay_journal_agent_id": transit_journal or bank,
        }
        for field, journal in defaults.items():
            if not self[field] and journal:
                vals[field] = journal.id
        if vals:
            self.sudo().write(vals)
        for journal in self._tko_payment_journals().values():
            self._tko_payment_direct_account(journal)

    def _tko_payment_direct_account(self, journal):
        """Receipts of the journal debit its own account (51, 50.01, 57.03) at once.

        Payments are booked from the bank statement or the registry that already proves the
        money arrived, so they skip Odoo's "outstanding receipts" account.
        """
        lines = journal.sudo().inbound_payment_method_line_ids.filtered(
            lambda line: not line.payment_account_id
        )
        if lines and journal.default_account_id:
            lines.write({"payment_account_id": journal.default_account_id.id})

    def _tko_payment_journals(self):
        """``{channel: journal}`` of the channels that have one."""
        self.ensure_one()
        return {
            channel: self[f"tko_pay_journal_{channel}_id"]
            for channel in PAYMENT_CHANNELS
            if self[f"tko_pay_journal_{channel}_id"]
        }

    def _tko_accounting_date(self, day):
        """The date to book ``day``'s payments on: the day itself, or the first open day after
        the accounting lock date (a late statement must not stop the posting)."""
        self.ensure_one()
        lock = self._get_user_fiscal_lock_date()
        return day if day > lock else lock + timedelta(days=1)

    def _tko_payment_journal(self, channel):
        """The journal of a payment channel, or a clear error."""
        self.ensure_one()
        journal = self._tko_payment_journals().get(channel)
        if not journal:
            self._tko_billing_setup()
            journal = self._tko_payment_journals().get(channel)
        if not journal or not journal.default_account_id:
            channels = self.env["tko.payment"]._fields["channel"]
            label = dict(channels._description_selection(self.env))
            raise UserError(
                _(
                    "Payments of the channel «%(channel)s» cannot be posted to accounting: set "
                    "its journal (with a default account) in the billing settings of "
                    "%(company)s.",
                    channel=label.get(channel, channel),
                    company=self.name,
                )
            )
        return journal
