from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

#: default accounts of the OCA chart of accounts of Russia (l10n_ru), by code
DEFAULT_ACCOUNTS = {
    "tko_receivable_account_id": "62.01",
    "tko_revenue_account_id": "90.01.1",
    "tko_vat_expense_account_id": "90.03",
    "tko_vat_account_id": "68.02",
}


class ResCompany(models.Model):
    _inherit = "res.company"

    tko_receivable_account_id = fields.Many2one(
        "account.account",
        "Receivable from individuals",
        help="Debit of the aggregated entries of individuals' charges (62.01).",
    )
    tko_revenue_account_id = fields.Many2one(
        "account.account",
        "Revenue",
        help="Revenue of ТКО handling, VAT included for individuals (90.01.1); also the "
        "income account of the invoice lines of legal entities.",
    )
    tko_vat_expense_account_id = fields.Many2one(
        "account.account", "VAT charged on sales", help="Debit of the VAT of sales (90.03)."
    )
    tko_vat_account_id = fields.Many2one(
        "account.account",
        "VAT payable",
        help="Credit of the VAT of sales (68.02); the account of the VAT taxes of the invoices.",
    )
    tko_population_journal_id = fields.Many2one(
        "account.journal",
        "Journal of individuals' charges",
        help="Aggregated entries of individuals, one per period and tariff zone.",
    )
    tko_invoice_journal_id = fields.Many2one(
        "account.journal", "Journal of invoices", help="Customer invoices of legal entities."
    )
    tko_product_id = fields.Many2one(
        "product.product", "Service", help="The service on the invoices of legal entities."
    )
    # the due date of a month's charge (mobill_tko_core.due_dates): a contract's payment
    # condition may set its own day
    tko_due_day = fields.Integer(
        "Due day",
        default=10,
        help="Day of the month after the billed month by which a charge is due, when the "
        "contract's payment condition does not set its own (ЖК РФ ст. 155 ч. 1: the 10th).",
    )
    tko_due_months_after = fields.Integer(
        "Due month offset",
        default=1,
        help="The charge is due in this month after the billed month (1: the next month).",
    )
    tko_billing_partitions = fields.Integer(
        "Parallel parts of a mass run",
        default=2,
        help="A mass charge run is split into this many parts that run as parallel jobs "
        "(one per CPU core of the job workers is a good value).",
    )
    tko_billing_chunk_size = fields.Integer(
        "Accounts per chunk",
        default=20000,
        help="Each part commits after this many accounts: bounded memory and transactions.",
    )
    tko_recalc_auto_book = fields.Boolean(
        "Book retroactive recalculations at once",
        help="A retroactive change of a characteristic, a tariff, a norm or a contract books "
        "its recalculation immediately instead of leaving it to be booked.",
    )
    tko_norm_category_apartment_id = fields.Many2one(
        "tko.norm.category",
        "Norm of apartments",
        default=lambda self: self.env.ref(
            "mobill_tko_base.norm_category_mkd", raise_if_not_found=False
        ),
        help="The norm per resident of apartments (and other dwellings).",
    )
    tko_norm_category_house_id = fields.Many2one(
        "tko.norm.category",
        "Norm of individual houses",
        default=lambda self: self.env.ref(
            "mobill_tko_base.norm_category_private", raise_if_not_found=False
        ),
    )
    tko_norm_category_area_id = fields.Many2one(
        "tko.norm.category",
        "Norm per m²",
        default=lambda self: self.env.ref(
            "mobill_tko_base.norm_category_area", raise_if_not_found=False
        ),
    )

    @api.constrains("tko_due_day", "tko_due_months_after")
    def _check_tko_due_date(self):
        for rec in self:
            if not 1 <= rec.tko_due_day <= 31:
                raise ValidationError(_("The due day must be between 1 and 31."))
            if rec.tko_due_months_after < 0:
                raise ValidationError(_("The due month offset cannot be negative."))

    def _tko_billing_setup(self):
        """Accounts, journals, VAT taxes and the service for billing, where not set yet."""
        for company in self:
            Account = self.env["account.account"].sudo()
            vals = {}
            for field, code in DEFAULT_ACCOUNTS.items():
                if not company[field]:
                    account = Account.search(
                        [("company_id", "=", company.id), ("code", "=", code)], limit=1
                    )
                    if account:
                        vals[field] = account.id
            Journal = self.env["account.journal"].sudo()
            if not company.tko_population_journal_id:
                journal = Journal.search(
                    [("company_id", "=", company.id), ("code", "=", "TKOP")], limit=1
                ) or Journal.create(
                    {
                        "name": _("ТКО: charges of individuals"),
                        "code": "TKOP",
                        "type": "general",
                        "company_id": company.id,
                    }
                )
                vals["tko_population_journal_id"] = journal.id
            if not company.tko_invoice_journal_id:
                journal = Journal.search(
                    [("company_id", "=", company.id), ("type", "=", "sale")], limit=1
                )
                if journal:
                    vals["tko_invoice_journal_id"] = journal.id
            if not company.tko_product_id:
                product = (
                    self.env["product.product"]
                    .sudo()
                    .create(
                        {
                            "name": _("ТКО handling services"),
                            "type": "service",
                            "sale_ok": True,
                            "purchase_ok": False,
                            "taxes_id": [fields.Command.clear()],
                            "company_id": company.id,
                        }
                    )
                )
                vals["tko_product_id"] = product.id
            if vals:
                company.sudo().write(vals)
            if company.tko_vat_account_id:
                for rate in (20, 22):
                    for included in (False, True):
                        company._tko_vat_tax(rate, included)

    def _tko_check_accounting(self):
        self.ensure_one()
        self._tko_billing_setup()
        missing = [
            self._fields[f].string
            for f in (
                "tko_receivable_account_id",
                "tko_revenue_account_id",
                "tko_vat_expense_account_id",
                "tko_vat_account_id",
                "tko_population_journal_id",
                "tko_invoice_journal_id",
            )
            if not self[f]
        ]
        if missing:
            raise UserError(
                _(
                    "Set the billing accounts of %(company)s first (Settings › Companies › "
                    "MoBill-TKO billing): %(missing)s.",
                    company=self.name,
                    missing=", ".join(missing),
                )
            )

    def _tko_vat_tax(self, rate, included):
        """The sale VAT tax of ``rate`` % (included in the price or on top), on 68.02.

        Created for the company when missing: VAT is by the service date, so each rate in
        force (20 % to 31.12.2025, 22 % from 01.01.2026) has its tax.
        """
        self.ensure_one()
        Tax = self.env["account.tax"].sudo().with_context(active_test=False)
        rate = float(rate)
        tax = Tax.search(
            [
                ("company_id", "=", self.id),
                ("type_tax_use", "=", "sale"),
                ("amount_type", "=", "percent"),
                ("amount", "=", rate),
                ("price_include", "=", included),
                ("invoice_repartition_line_ids.account_id", "=", self.tko_vat_account_id.id),
            ],
            limit=1,
        )
        if tax:
            if not tax.active:
                tax.active = True
            return tax
        label = f"{rate:g}"
        Group = self.env["account.tax.group"].sudo()
        group = Group.search(
            [("company_id", "=", self.id), ("name", "in", [f"VAT {label}%", f"НДС {label}%"])],
            limit=1,
        ) or Group.create(
            {
                "name": f"VAT {label}%",
                "company_id": self.id,
                "country_id": self.account_fiscal_country_id.id or self.country_id.id,
            }
        )
        repartition = [
            fields.Command.create({"repartition_type": "base"}),
            fields.Command.create(
                {"repartition_type": "tax", "account_id": self.tko_vat_account_id.id}
            ),
        ]
        name = (
            _("VAT %(rate)s%% included (ТКО)", rate=label)
            if included
            else _("VAT %(rate)s%% (ТКО)", rate=label)
        )
        return Tax.create(
            {
                "name": name,
                "amount": rate,
                "amount_type": "percent",
                "type_tax_use": "sale",
                "price_include": included,
                "include_base_amount": False,
                "tax_group_id": group.id,
                "company_id": self.id,
                "country_id": self.account_fiscal_country_id.id or self.country_id.id,
                "invoice_repartition_line_ids": repartition,
                "refund_repartition_line_ids": [
                    fields.Command.create({"repartition_type": "base"}),
                    fields.Command.create(
                        {"repartition_type": "tax", "account_id": self.tko_vat_account_id.id}
                    ),
                ],
            }
        )
