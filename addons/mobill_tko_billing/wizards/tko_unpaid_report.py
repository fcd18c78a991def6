import base64
import io
from decimal import Decimal

import xlsxwriter
from odoo import _, fields, models
from odoo.addons.mobill_tko_base.tools.access import check_rights
from odoo.tools import SQL
from psycopg2.extras import execute_values

from mobill_tko_core.money import round_money


class TkoUnpaidReport(models.TransientModel):
    """Unpaid charges and documents on a date: per personal account or contract and period
    what was charged, what the posted payments paid by that date covered (their allocation),
    what is due and for how many days it is overdue; plus the posted customer invoices of
    contracts not paid in full. Computed for all accounts and contracts at once in SQL."""

    _name = "tko.unpaid.report"
    _description = "Unpaid charges and documents"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    date_at = fields.Date(
        "On",
        required=True,
        default=fields.Date.context_today,
        help="Charges booked and payments made up to this date (inclusive).",
    )
    consumer = fields.Selection(
        [("individual", "Individuals (personal accounts)"), ("legal", "Contracts")],
        "Consumers",
        help="Empty: both.",
    )
    zone_ids = fields.Many2many(
        "tko.tariff.zone", string="Tariff zones", help="Empty: all.", check_company=True
    )
    min_amount = fields.Monetary(
        "Minimum amount due", help="Lines owing less are left out; 0: no limit."
    )
    overdue_days = fields.Integer(
        "Overdue more than, days", help="Only lines overdue more than this; 0: every unpaid line."
    )
    include_documents = fields.Boolean(
        "Unpaid invoices", default=True, help="Also list the posted invoices not paid in full."
    )
    line_ids = fields.One2many("tko.unpaid.report.line", "report_id", "Lines")
    line_count = fields.Integer(readonly=True)
    amount_due = fields.Monetary("Total due", readonly=True)
    amount_documents = fields.Monetary("Unpaid invoices total", readonly=True)
    computed = fields.Boolean(readonly=True)
    xlsx_file = fields.Binary("XLSX", readonly=True, attachment=False)
    xlsx_name = fields.Char(readonly=True)

    # ------------------------------------------------------------------ selection
    def _selected(self, key):
        """``{id: (partner id, zone id)}`` of the accounts or contracts the filters keep."""
        self.ensure_one()
        for model in ("tko.account", "tko.contract", "tko.contract.line", "tko.object"):
            self.env[model].flush_model()
        zones = self.zone_ids.ids
        if key == "account_id":
            query = SQL(
                """SELECT a.id, a.partner_id, a.zone_id FROM tko_account a
                    WHERE a.company_id = %(company)s
                      AND (%(no_zone)s OR a.zone_id = ANY(%(zones)s))""",
                company=self.company_id.id,
                no_zone=not zones,
                zones=zones,
            )
        else:
            query = SQL(
                """SELECT c.id, c.partner_id, z.zone_id FROM tko_contract c
                LEFT JOIN LATERAL (
                        SELECT min(o.zone_id) AS zone_id FROM tko_contract_line l
                          JOIN tko_object o ON o.id = l.object_id
                         WHERE l.contract_id = c.id
                     ) z ON TRUE
                    WHERE c.company_id = %(company)s AND c.state != 'draft'
                      AND (%(no_zone)s OR z.zone_id = ANY(%(zones)s))""",
                company=self.company_id.id,
                no_zone=not zones,
                zones=zones,
            )
        self.env.cr.execute(query)
        return {rid: (partner, zone) for rid, partner, zone in self.env.cr.fetchall()}

    def _charge_rows(self):
        """Tuples of the unpaid periods, ready to insert."""
        self.ensure_one()
        Payment = self.env["tko.payment"]
        minimum = round_money(Decimal(str(self.min_amount or 0)))
        rows = []
        keys = []
        if self.consumer != "legal":
            keys.append("account_id")
        if self.consumer != "individual":
            keys.append("contract_id")
        for key in keys:
            selected = self._selected(key)
            if not selected:
                continue
            balances = Payment._tko_balance_by_period(key, list(selected), self.date_at)
            due_date_of = self.env["tko.due.date"]._getter(
                self.company_id, list(balances) if key == "contract_id" else ()
            )
            for rid, periods in balances.items():
                partner, zone = selected[rid]
                for p in periods:
                    due = round_money(p["due"])
                    if due <= 0 or (minimum > 0 and due < minimum):
                        continue
                    due_date = due_date_of(p["date_start"], rid if key == "contract_id" else None)
                    days = max((self.date_at - due_date).days, 0)
                    if self.overdue_days and days <= self.overdue_days:
                        continue
                    rows.append(
                        (
                            "charge",
                            rid if key == "account_id" else None,
                            rid if key == "contract_id" else None,
                            partner,
                            zone,
                            p["period_id"],
                            p["date_start"],
                            None,
                            p["charged"],
                            p["paid"],
                            due,
                            due_date,
                            days,
                        )
                    )
        return rows

    def _document_rows(self):
        """Tuples of the posted customer invoices of contracts with something left to pay."""
        self.ensure_one()
        if not self.include_documents or self.consumer == "individual":
            return []
        self.env["account.move"].flush_model()
        self.env["account.move.line"].flush_model()
        self.env["account.partial.reconcile"].flush_model()
        zones = self.zone_ids.ids
        self.env.cr.execute(
            SQL(
                """
                WITH paid AS (
                    -- what was matched to the invoices' receivable lines by the report's date
                    SELECT l.move_id, sum(pr.amount) AS amount
                      FROM account_move_line l
                      JOIN account_account a
                        ON a.id = l.account_id AND a.account_type = 'asset_receivable'
                      JOIN account_partial_reconcile pr ON pr.debit_move_id = l.id
                     WHERE l.company_id = %(company)s
                       AND pr.max_date <= %(date)s
                     GROUP BY l.move_id
                ), due AS (
                    SELECT m.*, m.amount_total_signed - COALESCE(paid.amount, 0) AS residual_at
                      FROM account_move m
                 LEFT JOIN paid ON paid.move_id = m.id
                     WHERE m.company_id = %(company)s AND m.move_type = 'out_invoice'
                       AND m.state = 'posted' AND m.tko_contract_id IS NOT NULL
                       AND m.invoice_date <= %(date)s
                )
                SELECT m.tko_contract_id, m.partner_id, m.tko_zone_id, m.tko_period_id,
                       bp.date_start, m.id, m.amount_total_signed, m.residual_at,
                       COALESCE(m.invoice_date_due, m.invoice_date)
                  FROM due m
             LEFT JOIN tko_billing_period bp ON bp.id = m.tko_period_id
                 WHERE m.residual_at > 0
                   AND (%(no_zone)s OR m.tko_zone_id = ANY(%(zones)s))
                   AND m.residual_at >= %(minimum)s
                 ORDER BY m.invoice_date_due, m.id
                """,
                company=self.company_id.id,
                date=self.date_at,
                no_zone=not zones,
                zones=zones,
                minimum=self.min_amount or 0,
            )
        )
        rows = []
        for (
            contract,
            partner,
            zone,
            period,
            start,
            move,
            total,
            residual,
            due_date,
        ) in self.env.cr.fetchall():
            days = max((self.date_at - due_date).days, 0) if due_date else 0
            if self.overdue_days and days <= self.overdue_days:
                continue
            paid = Decimal(str(total)) - Decimal(str(residual))
            rows.append(
                (
                    "document",
                    None,
                    contract,
                    partner,
                    zone,
                    period,
                    start,
                    move,
                    total,
                    paid,
                    residual,
                    due_date,
                    days,
                )
            )
        return rows

    # ------------------------------------------------------------------ actions
    def _compute_lines(self):
        self.ensure_one()
        for model in ("tko.charge", "tko.payment", "tko.payment.allocation", "tko.account"):
            self.env[model].flush_model()
        self.env.cr.execute("DELETE FROM tko_unpaid_report_line WHERE report_id = %s", [self.id])
        charges = self._charge_rows()
        documents = self._document_rows()
        uid, now = self.env.uid, fields.Datetime.now()
        execute_values(
            self.env.cr._obj,
            """INSERT INTO tko_unpaid_report_line
                   (report_id, company_id, kind, account_id, contract_id, partner_id, zone_id,
                    period_id, period_date, move_id, charged, paid, due, due_date, days_overdue,
                    create_uid, create_date, write_uid, write_date)
               VALUES %s""",
            [
                (self.id, self.company_id.id, *row, uid, now, uid, now)
                for row in charges + documents
            ],
            page_size=5000,
        )
        self.invalidate_recordset()
        self.env["tko.unpaid.report.line"].invalidate_model()
        self.write(
            {
                "computed": True,
                "line_count": len(charges) + len(documents),
                "amount_due": float(sum((Decimal(str(r[10])) for r in charges), Decimal())),
                "amount_documents": float(sum((Decimal(str(r[10])) for r in documents), Decimal())),
                "xlsx_file": False,
            }
        )

    def action_show(self):
        """Compute and show the lines on screen, with totals."""
        self.ensure_one()
        check_rights(self, "write")
        self._compute_lines()
        return {
            "type": "ir.actions.act_window",
            "name": _("Unpaid on %s", self.date_at.strftime("%d.%m.%Y")),
            "res_model": "tko.unpaid.report.line",
            "view_mode": "tree,pivot",
            "domain": [("report_id", "=", self.id)],
            "context": {"search_default_by_kind": 1, "create": False},
        }

    def action_export_xlsx(self):
        """Compute and download the lines as an XLSX workbook."""
        self.ensure_one()
        check_rights(self, "write")
        self._compute_lines()
        self.write(
            {
                "xlsx_file": base64.b64encode(self._xlsx()),
                "xlsx_name": _("unpaid_%s.xlsx", self.date_at.strftime("%Y-%m-%d")),
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{self._name}/{self.id}/xlsx_file/{self.xlsx_name}?download=true",
            "target": "self",
        }

    @staticmethod
    def _write_text(sheet, row, col, value):
        """A text cell. ``write_string`` stores every text as a string, so a formula-like one
        (:func:`mobill_tko_core.spreadsheet.is_formula_like`) is shown, never run."""
        if value:
            sheet.write_string(row, col, value)

    def _xlsx(self):
        self.ensure_one()
        self.env.cr.execute(
            """
            SELECT l.kind, COALESCE(a.name, c.name, ''), COALESCE(p.name, ''),
                   COALESCE(z.name, ''), l.period_date,
                   COALESCE(m.name, ''), l.charged, l.paid, l.due, l.due_date, l.days_overdue
              FROM tko_unpaid_report_line l
         LEFT JOIN tko_account a ON a.id = l.account_id
         LEFT JOIN tko_contract c ON c.id = l.contract_id
         LEFT JOIN res_partner p ON p.id = l.partner_id
         LEFT JOIN tko_tariff_zone z ON z.id = l.zone_id
         LEFT JOIN account_move m ON m.id = l.move_id
             WHERE l.report_id = %s
             ORDER BY l.kind, 2, l.period_date, l.id
            """,
            [self.id],
        )
        rows = self.env.cr.fetchall()
        kinds = dict(
            self.env["tko.unpaid.report.line"]._fields["kind"]._description_selection(self.env)
        )
        out = io.BytesIO()
        book = xlsxwriter.Workbook(out, {"in_memory": True})
        bold = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
        money = book.add_format({"num_format": "#,##0.00"})
        money_bold = book.add_format({"num_format": "#,##0.00", "bold": True})
        day = book.add_format({"num_format": "dd.mm.yyyy"})
        month = book.add_format({"num_format": "mm.yyyy"})
        sheet = book.add_worksheet(_("Unpaid"))
        sheet.write_string(
            0, 0, _("Unpaid charges and documents on %s", self.date_at.strftime("%d.%m.%Y")), bold
        )
        head = [
            (_("What"), 14),
            (_("Account / contract"), 18),
            (_("Consumer"), 36),
            (_("Tariff zone"), 20),
            (_("Period"), 10),
            (_("Invoice"), 18),
            (_("Charged"), 14),
            (_("Paid"), 14),
            (_("Due"), 14),
            (_("Due date"), 11),
            (_("Days overdue"), 10),
        ]
        for col, (title, width) in enumerate(head):
            sheet.set_column(col, col, width)
            sheet.write_string(2, col, title, bold)
        row = 3
        for kind, target, partner, zone, period, move, charged, paid, due, due_date, days in rows:
            # names come from consumers: always text cells, never formulas (a payer may be
            # called "=HYPERLINK(...)"; see mobill_tko_core.spreadsheet)
            self._write_text(sheet, row, 0, kinds.get(kind, kind))
            self._write_text(sheet, row, 1, target)
            self._write_text(sheet, row, 2, partner)
            self._write_text(sheet, row, 3, zone)
            if period:
                sheet.write_datetime(row, 4, period, month)
            self._write_text(sheet, row, 5, move)
            sheet.write_number(row, 6, float(charged or 0), money)
            sheet.write_number(row, 7, float(paid or 0), money)
            sheet.write_number(row, 8, float(due or 0), money)
            if due_date:
                sheet.write_datetime(row, 9, due_date, day)
            sheet.write_number(row, 10, days or 0)
            row += 1
        sheet.write_string(row, 0, _("Total"), bold)
        sheet.write_number(row, 8, float(sum((r[8] or 0) for r in rows)), money_bold)
        sheet.freeze_panes(3, 0)
        sheet.autofilter(2, 0, max(row - 1, 2), len(head) - 1)
        book.close()
        return out.getvalue()
