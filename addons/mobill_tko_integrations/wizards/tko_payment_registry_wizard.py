from collections import defaultdict
from decimal import Decimal

from odoo import _, api, fields, models
from odoo.addons.mobill_tko_base.tools.access import check_rights
from odoo.addons.mobill_tko_billing.models.tko_payment import CHANNELS
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, formatLang

SOURCES = [
    ("manual", "Entered by staff"),
    ("upload", "Uploaded file"),
    ("mail", "E-mail"),
    ("sftp", "SFTP folder"),
    ("api", "HTTP API"),
]


class TkoPaymentRegistryWizard(models.TransientModel):
    """The registry of payments of a period: every payment with its source, totals per day,
    channel and file, and each registry file against the bank's payment order that carried
    its money. On screen, as PDF or as XLSX."""

    _name = "tko.payment.registry.wizard"
    _description = "Registry of payments"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    date_kind = fields.Selection(
        [("date_paid", "Date paid by the consumer"), ("date_booked", "Date booked")],
        "Dates are",
        required=True,
        default="date_booked",
        help="Control of incoming money goes by the date booked (the bank statement's date); "
        "debts go by the date the consumer paid.",
    )
    date_from = fields.Date(
        "From",
        required=True,
        default=lambda self: fields.Date.start_of(fields.Date.today(), "month"),
    )
    date_to = fields.Date("To", required=True, default=fields.Date.context_today)
    channel = fields.Selection(CHANNELS, help="Empty: every channel.")
    source = fields.Selection(SOURCES, "Received", help="Empty: every source.")
    import_ids = fields.Many2many(
        "tko.payment.import",
        string="Files",
        check_company=True,
        domain="[('company_id', '=', company_id), ('state', '=', 'done')]",
        help="Only the payments of these imported files; empty: all.",
    )
    include_draft = fields.Boolean(
        "Include unposted payments",
        default=True,
        help="Also list the payments not posted yet (for example waiting for manual "
        "allocation): the money has arrived all the same. Cancelled ones are never listed.",
    )

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for rec in self:
            if rec.date_from > rec.date_to:
                raise UserError(_("The start of the period is after its end."))

    # ------------------------------------------------------------------ data
    def _where(self):
        self.ensure_one()
        self._check_company_allowed()
        column = SQL.identifier("p", self.date_kind)
        where = [
            SQL("p.company_id = %s", self.company_id.id),
            SQL("%s BETWEEN %s AND %s", column, self.date_from, self.date_to),
            SQL("p.state != 'cancelled'"),
        ]
        if not self.include_draft:
            where.append(SQL("p.state = 'posted'"))
        if self.channel:
            where.append(SQL("p.channel = %s", self.channel))
        if self.source == "manual":
            where.append(SQL("p.import_id IS NULL"))
        elif self.source:
            where.append(SQL("i.source = %s", self.source))
        if self.import_ids:
            where.append(SQL("p.import_id = ANY(%s)", self.import_ids.ids))
        return SQL(" AND ").join(where)

    def _domain(self):
        """The same selection as :meth:`_where`, as a domain on ``tko.payment``."""
        self.ensure_one()
        domain = [
            ("company_id", "=", self.company_id.id),
            (self.date_kind, ">=", self.date_from),
            (self.date_kind, "<=", self.date_to),
            ("state", "!=", "cancelled"),
        ]
        if not self.include_draft:
            domain.append(("state", "=", "posted"))
        if self.channel:
            domain.append(("channel", "=", self.channel))
        if self.source == "manual":
            domain.append(("import_id", "=", False))
        elif self.source:
            domain.append(("import_id.source", "=", self.source))
        if self.import_ids:
            domain.append(("import_id", "in", self.import_ids.ids))
        return domain

    def _payment_lines(self):
        """Every payment of the registry as a dict, in one SQL query."""
        self.ensure_one()
        for model in ("tko.payment", "tko.payment.import", "tko.account", "tko.contract"):
            self.env[model].flush_model()
        column = SQL.identifier("p", self.date_kind)
        self.env.cr.execute(
            SQL(
                """
                SELECT p.id, p.name, p.date_paid, p.date_booked,
                       COALESCE(a.name, c.name, ''),
                       COALESCE(NULLIF(p.import_payer, ''), pa.name, ''),
                       p.amount::text, p.channel, p.state, p.import_id,
                       COALESCE(NULLIF(i.file_name, ''), i.name, ''), p.import_line,
                       COALESCE(p.import_registry_number, p.reference, '')
                  FROM tko_payment p
             LEFT JOIN tko_account a ON a.id = p.account_id
             LEFT JOIN tko_contract c ON c.id = p.contract_id
             LEFT JOIN res_partner pa ON pa.id = p.partner_id
             LEFT JOIN tko_payment_import i ON i.id = p.import_id
                 WHERE %(where)s
                 ORDER BY %(column)s, p.channel, p.import_id NULLS FIRST, p.import_line, p.id
                """,
                where=self._where(),
                column=column,
            )
        )
        keys = (
            "id",
            "number",
            "date_paid",
            "date_booked",
            "target",
            "payer",
            "amount",
            "channel",
            "state",
            "import_id",
            "file",
            "line",
            "document",
        )
        lines = [dict(zip(keys, row, strict=True)) for row in self.env.cr.fetchall()]
        for line in lines:
            line["amount"] = Decimal(line["amount"])
        return lines

    def _orders(self, import_ids):
        """``{import id: payment order values}`` of the registry files: the bank's payment
        order that carried the file's money (``tko.payment.order``), when it is known."""
        Import = self.env["tko.payment.import"]
        if "order_id" not in Import._fields or not import_ids:
            return {}
        result = {}
        for imp in Import.browse(import_ids):
            order = imp.order_id
            if order:
                result[imp.id] = {
                    "number": order.number or "",
                    "date": order.date,
                    "amount": Decimal(str(order.amount)),
                    "state": dict(order._fields["state"]._description_selection(self.env)).get(
                        order.state, ""
                    ),
                }
        return result

    def _report_data(self):
        """Everything the PDF and the XLSX show: the lines, the totals per day, per channel
        and per file, and each file against its payment order."""
        self.ensure_one()
        lines = self._payment_lines()
        channels = dict(self.env["tko.payment"]._fields["channel"]._description_selection(self.env))
        states = dict(self.env["tko.payment"]._fields["state"]._description_selection(self.env))
        by_day = defaultdict(lambda: [0, Decimal()])
        by_channel = defaultdict(lambda: [0, Decimal()])
        by_day_channel = defaultdict(lambda: [0, Decimal()])
        by_file = defaultdict(lambda: [0, Decimal()])
        total = Decimal()
        for line in lines:
            day = line[self.date_kind]
            line["channel_name"] = channels.get(line["channel"], line["channel"])
            line["state_name"] = states.get(line["state"], line["state"])
            for bucket, key in (
                (by_day, day),
                (by_channel, line["channel_name"]),
                (by_day_channel, (day, line["channel_name"])),
                (by_file, line["import_id"] or 0),
            ):
                bucket[key][0] += 1
                bucket[key][1] += line["amount"]
            total += line["amount"]
        import_ids = [k for k in by_file if k]
        imports = self.env["tko.payment.import"].browse(import_ids)
        orders = self._orders(import_ids)
        files = []
        for imp in imports.sorted(lambda i: (i.create_date, i.id)):
            count, amount = by_file[imp.id]
            file_total = Decimal(str(imp.amount_total)) if imp.amount_total else amount
            # what the bank's order should carry: the file's total less the bank's commission
            expected = file_total
            if imp.order_expected:
                expected = Decimal(str(imp.order_expected))
            order = orders.get(imp.id)
            # only a bank registry is carried by one payment order of the bank
            is_registry = imp.file_format == "registry"
            if not is_registry:
                expected = None
            files.append(
                {
                    "id": imp.id,
                    "is_registry": is_registry,
                    "name": imp.file_name or imp.name,
                    "registry_number": imp.registry_number or "",
                    "count": count,
                    "amount": amount,
                    "file_total": file_total,
                    "expected": expected,
                    "order_number": order["number"] if order else "",
                    "order_date": order["date"] if order else None,
                    "order_amount": order["amount"] if order else None,
                    "order_state": order["state"] if order else "",
                    "difference": (order["amount"] - expected) if order and is_registry else None,
                }
            )
        if by_file.get(0):
            count, amount = by_file[0]
            files.append(
                {
                    "id": 0,
                    "is_registry": False,
                    "name": _("Entered by staff"),
                    "registry_number": "",
                    "count": count,
                    "amount": amount,
                    "file_total": None,
                    "expected": None,
                    "order_number": "",
                    "order_date": None,
                    "order_amount": None,
                    "order_state": "",
                    "difference": None,
                }
            )
        return {
            "lines": lines,
            "by_day": sorted(by_day.items()),
            "by_channel": sorted(by_channel.items()),
            "by_day_channel": sorted(by_day_channel.items()),
            "files": files,
            "count": len(lines),
            "total": total,
            "title": self._title(),
        }

    def _fmt(self, value):
        """An amount as the reader's language writes it («1 234,56» in Russian)."""
        return formatLang(self.env, float(value or 0), digits=2)

    def _title(self):
        self.ensure_one()
        kind = dict(self._fields["date_kind"]._description_selection(self.env))[self.date_kind]
        parts = [
            _(
                "Registry of payments from %(start)s to %(end)s (%(kind)s)",
                start=self.date_from.strftime("%d.%m.%Y"),
                end=self.date_to.strftime("%d.%m.%Y"),
                kind=kind.lower(),
            )
        ]
        if self.channel:
            parts.append(
                dict(self._fields["channel"]._description_selection(self.env))[self.channel]
            )
        if self.source:
            parts.append(dict(self._fields["source"]._description_selection(self.env))[self.source])
        if self.import_ids:
            parts.append(", ".join(self.import_ids.mapped(lambda i: i.file_name or i.name)))
        return "; ".join(parts)

    # ------------------------------------------------------------------ actions
    def _check_company_allowed(self):
        """The report reads payments with SQL: only of a company the caller works in."""
        check_rights(self, "read")
        if not self.env.su and self.company_id not in self.env.companies:
            raise AccessError(_("You may not report on the payments of another company."))
        check_rights(self.import_ids, "read")

    def action_show(self):
        """The payments on screen, grouped by day, channel and file, with totals."""
        self.ensure_one()
        self._check_company_allowed()
        day = f"{self.date_kind}:day"
        return {
            "type": "ir.actions.act_window",
            "name": self._title(),
            "res_model": "tko.payment",
            "view_mode": "tree,form",
            "views": [
                (self.env.ref("mobill_tko_integrations.tko_payment_view_tree_registry").id, "tree"),
                (False, "form"),
            ],
            "domain": self._domain(),
            "context": {"group_by": [day, "channel", "import_id"], "create": False},
        }

    def action_print_pdf(self):
        self.ensure_one()
        self._check_company_allowed()
        return self.env.ref("mobill_tko_integrations.action_report_payment_registry").report_action(
            self, config=False
        )

    def action_export_xlsx(self):
        self.ensure_one()
        self._check_company_allowed()
        return self.env.ref(
            "mobill_tko_integrations.action_report_payment_registry_xlsx"
        ).report_action(self)
