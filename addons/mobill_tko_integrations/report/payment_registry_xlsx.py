from odoo import _, models


def _text(sheet, row, col, value, cell_format=None):
    """A text cell, always a string cell (``write_string``): ``sheet.write`` would take a text
    starting with ``=`` for a formula (a payer named ``=HYPERLINK(…)`` would run in Excel) and
    an address for a link. This is the XLSX side of the one rule of
    :mod:`mobill_tko_core.spreadsheet` (a formula-like text is written as text)."""
    text = "" if value is None or value is False else str(value)
    if text:
        sheet.write_string(row, col, text, cell_format)
    elif cell_format is not None:
        sheet.write_blank(row, col, None, cell_format)


class TkoPaymentRegistryXlsx(models.AbstractModel):
    """The registry of payments as an XLSX workbook: the payments, the totals per day and
    channel, and the files against the bank's payment orders."""

    _name = "report.mobill_tko_integrations.payment_registry_xlsx"
    _inherit = "report.report_xlsx.abstract"
    _description = "Registry of payments (XLSX)"

    def generate_xlsx_report(self, workbook, data, wizards):
        for wizard in wizards:
            wizard._check_company_allowed()
            self._write(workbook, wizard._report_data())

    def _write(self, workbook, data):
        bold = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
        money = workbook.add_format({"num_format": "#,##0.00"})
        money_bold = workbook.add_format({"num_format": "#,##0.00", "bold": True})
        day = workbook.add_format({"num_format": "dd.mm.yyyy"})

        sheet = workbook.add_worksheet(_("Payments"))
        _text(sheet, 0, 0, data["title"], bold)
        head = [
            (_("No."), 6),
            (_("Payment"), 14),
            (_("Paid on"), 11),
            (_("Booked on"), 11),
            (_("Account / contract"), 16),
            (_("Payer"), 32),
            (_("Channel"), 16),
            (_("File"), 30),
            (_("Line"), 7),
            (_("Document"), 12),
            (_("Amount"), 14),
            (_("State"), 12),
        ]
        for col, (title, width) in enumerate(head):
            sheet.set_column(col, col, width)
            _text(sheet, 2, col, title, bold)
        row = 3
        for number, line in enumerate(data["lines"], start=1):
            sheet.write_number(row, 0, number)
            _text(sheet, row, 1, line["number"])
            sheet.write_datetime(row, 2, line["date_paid"], day)
            sheet.write_datetime(row, 3, line["date_booked"], day)
            _text(sheet, row, 4, line["target"] or _("(unallocated)"))
            _text(sheet, row, 5, line["payer"])
            _text(sheet, row, 6, line["channel_name"])
            _text(sheet, row, 7, line["file"])
            if line["line"]:
                sheet.write_number(row, 8, line["line"])
            _text(sheet, row, 9, line["document"])
            sheet.write_number(row, 10, float(line["amount"]), money)
            _text(sheet, row, 11, line["state_name"])
            row += 1
        _text(sheet, row, 0, _("Total"), bold)
        sheet.write_number(row, 10, float(data["total"]), money_bold)
        sheet.freeze_panes(3, 0)
        sheet.autofilter(2, 0, max(row - 1, 2), len(head) - 1)

        sheet = workbook.add_worksheet(_("Totals"))
        sheet.set_column(0, 0, 14)
        sheet.set_column(1, 1, 24)
        sheet.set_column(2, 3, 14)
        for col, title in enumerate((_("Day"), _("Channel"), _("Payments"), _("Amount"))):
            _text(sheet, 0, col, title, bold)
        row = 1
        for (when, channel), (count, amount) in data["by_day_channel"]:
            sheet.write_datetime(row, 0, when, day)
            _text(sheet, row, 1, channel)
            sheet.write_number(row, 2, count)
            sheet.write_number(row, 3, float(amount), money)
            row += 1
        row += 1
        _text(sheet, row, 0, _("Per day"), bold)
        row += 1
        for when, (count, amount) in data["by_day"]:
            sheet.write_datetime(row, 0, when, day)
            sheet.write_number(row, 2, count)
            sheet.write_number(row, 3, float(amount), money)
            row += 1
        row += 1
        _text(sheet, row, 0, _("Per channel"), bold)
        row += 1
        for channel, (count, amount) in data["by_channel"]:
            _text(sheet, row, 1, channel)
            sheet.write_number(row, 2, count)
            sheet.write_number(row, 3, float(amount), money)
            row += 1
        _text(sheet, row, 0, _("Total"), bold)
        sheet.write_number(row, 2, data["count"])
        sheet.write_number(row, 3, float(data["total"]), money_bold)

        sheet = workbook.add_worksheet(_("Files and orders"))
        head = [
            (_("File"), 32),
            (_("Registry No."), 12),
            (_("Payments"), 10),
            (_("In this report"), 14),
            (_("File total"), 14),
            (_("Expected in the order"), 14),
            (_("Payment order"), 14),
            (_("Order date"), 11),
            (_("Order amount"), 14),
            (_("Difference (order − expected)"), 14),
            (_("Check"), 14),
        ]
        for col, (title, width) in enumerate(head):
            sheet.set_column(col, col, width)
            _text(sheet, 0, col, title, bold)
        for row, f in enumerate(data["files"], start=1):
            _text(sheet, row, 0, f["name"])
            _text(sheet, row, 1, f["registry_number"])
            sheet.write_number(row, 2, f["count"])
            sheet.write_number(row, 3, float(f["amount"]), money)
            if f["file_total"] is not None:
                sheet.write_number(row, 4, float(f["file_total"]), money)
            if f["expected"] is not None:
                sheet.write_number(row, 5, float(f["expected"]), money)
            _text(sheet, row, 6, f["order_number"])
            if f["order_date"]:
                sheet.write_datetime(row, 7, f["order_date"], day)
            if f["order_amount"] is not None:
                sheet.write_number(row, 8, float(f["order_amount"]), money)
                sheet.write_number(row, 9, float(f["difference"]), money)
            _text(sheet, row, 10, f["order_state"])
