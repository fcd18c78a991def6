from odoo import _, models
from odoo.addons.mobill_tko_base.tools.access import READER, check_group, check_rights
from odoo.tools.misc import format_date

COLUMNS = [
    ("name", 18),
    ("partner_id", 36),
    ("consumer_kind", 20),
    ("address_id", 48),
    ("district_id", 24),
    ("settlement_id", 24),
    ("management_company_id", 28),
    ("charged", 14),
    ("paid", 14),
    ("penalty_charged", 14),
    ("debt", 14),
    ("overdue_debt", 14),
    ("oldest_period", 12),
    ("overdue_days", 10),
    ("months_in_debt", 10),
    ("last_payment_date", 12),
    ("penalty_calc", 14),
    ("last_notice_date", 12),
    ("claim_stage", 18),
]
MONEY = {"charged", "paid", "penalty_charged", "debt", "overdue_debt", "penalty_calc"}


class TkoDebtorXlsx(models.AbstractModel):
    """The debtors' registry (the selected or filtered rows) as an XLSX workbook."""

    _name = "report.mobill_tko_claims.tko_debtor_xlsx"
    _inherit = "report.report_xlsx.abstract"
    _description = "Debtors' registry (XLSX)"

    def generate_xlsx_report(self, workbook, data, debtors):
        """Texts go in as string cells (``write_string``), never as formulas: a consumer named
        ``=HYPERLINK(…)`` stays a name (mobill_tko_core.spreadsheet)."""
        check_group(self.env, READER)
        check_rights(debtors)
        sheet = workbook.add_worksheet(_("Debtors"))
        bold = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
        money = workbook.add_format({"num_format": "#,##0.00"})
        day = workbook.add_format({"num_format": "dd.mm.yyyy"})
        month = workbook.add_format({"num_format": "mm.yyyy"})
        fields_ = debtors._fields
        as_of = debtors[:1].as_of
        sheet.write_string(
            0,
            0,
            _(
                "Debtors' registry as of %(date)s",
                date=format_date(self.env, as_of) if as_of else "",
            ),
            bold,
        )
        for col, (name, width) in enumerate(COLUMNS):
            sheet.set_column(col, col, width)
            sheet.write_string(2, col, fields_[name]._description_string(self.env), bold)
        selections = {
            name: dict(fields_[name]._description_selection(self.env))
            for name, _w in COLUMNS
            if fields_[name].type == "selection"
        }
        row = 3
        for debtor in debtors:
            for col, (name, _w) in enumerate(COLUMNS):
                value = debtor[name]
                field = fields_[name]
                if field.type == "many2one":
                    sheet.write_string(row, col, value.display_name or "")
                elif field.type == "selection":
                    sheet.write_string(row, col, selections[name].get(value, "") if value else "")
                elif field.type == "char":
                    sheet.write_string(row, col, value or "")
                elif field.type == "date":
                    if value:
                        sheet.write_datetime(
                            row, col, value, month if name == "oldest_period" else day
                        )
                elif name in MONEY:
                    sheet.write_number(row, col, value or 0.0, money)
                else:
                    sheet.write_number(row, col, value or 0)
            row += 1
        sheet.write_string(row, 0, _("Total"), bold)
        for col, (name, _w) in enumerate(COLUMNS):
            if name in MONEY:
                sheet.write_number(row, col, sum(debtors.mapped(name)), money)
        sheet.freeze_panes(3, 2)
        sheet.autofilter(2, 0, max(row - 1, 2), len(COLUMNS) - 1)
