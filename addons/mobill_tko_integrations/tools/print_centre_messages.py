"""Templates by code of the print-centre file's core errors
(``mobill_tko_core.formats.print_centre``) and the labels of the receipt row's fields they name
(the keys of ``mobill_tko_core.receipts.flat``)."""

from odoo.addons.mobill_tko_base.tools import register_core_messages
from odoo.tools.translate import _lt

PRINT_CENTRE_TEMPLATES = {
    "formats.print_centre.bad_profile": _lt(
        "Print centre profile %(profile)s is wrong: %(problems)s."
    ),
    "formats.print_centre.bad_separator": _lt(
        "the separator «%(value)s» must be one character other than a quote or a line break"
    ),
    "formats.print_centre.bad_file_format": _lt(
        "the file format “%(value)s” is not one of %(allowed)s"
    ),
    "formats.print_centre.bad_line_ending": _lt(
        "the line ending “%(value)s” is not one of %(allowed)s"
    ),
    "formats.print_centre.bad_quoting": _lt("the quoting “%(value)s” is not one of %(allowed)s"),
    "formats.print_centre.unknown_key": _lt("“%(key)s” is not a field of a receipt"),
    "formats.print_centre.duplicate_header": _lt("the column “%(header)s” is named twice"),
    "formats.print_centre.bad_header": _lt(
        "the column header “%(header)s” is empty or holds the separator, a quote or a line break"
    ),
    "formats.print_centre.header_unencodable": _lt(
        "the column header “%(header)s” cannot be written in %(encoding)s"
    ),
    "formats.print_centre.bad_tag": _lt("“%(tag)s” cannot be an XML tag name"),
    "formats.print_centre.bad_filename_pattern": _lt(
        "the file name pattern “%(pattern)s” cannot be filled (it may name code, period, "
        "part and ext)"
    ),
    "formats.print_centre.filename_not_unique": _lt(
        "the file name pattern “%(pattern)s” gives two files the same name: it must use the "
        "part number and the extension (part, ext)"
    ),
    "formats.print_centre.bad_pack_size": _lt(
        "the pack size must be a whole number of 1 or more, not %(value)s"
    ),
    "formats.print_centre.bad_period": _lt("The period “%(period)s” is not written YYYY-MM."),
    "formats.print_centre.bad_filename": _lt(
        "The file name “%(filename)s” is empty or holds a character a file name cannot have "
        "(print centre code “%(centre)s”)."
    ),
    "formats.print_centre.unencodable_code": _lt(
        "The print centre code “%(centre)s” cannot be written in %(encoding)s."
    ),
    "formats.print_centre.bad_rows": _lt(
        "%(count)s receipts cannot be written to the print centre's file."
    ),
    "formats.print_centre.unencodable": _lt(
        "The %(field)s of account %(account)s holds “%(character)s” (%(codepoint)s), which "
        "cannot be written in %(encoding)s."
    ),
    "formats.print_centre.needs_quoting": _lt(
        "The %(field)s of account %(account)s holds the separator “%(separator)s”, a quote "
        "or a line break."
    ),
    "formats.print_centre.xml_forbidden_char": _lt(
        "The %(field)s of account %(account)s holds %(codepoint)s, which XML cannot hold."
    ),
    "formats.print_centre.bad_row_period": _lt(
        "The period “%(value)s” of account %(account)s is not a period."
    ),
    "formats.print_centre.unreadable": _lt(
        "The file cannot be read as %(format)s in %(encoding)s: %(error)s."
    ),
    "formats.print_centre.wrong_root": _lt(
        "The file's root element is “%(tag)s”, the profile's is “%(expected)s”."
    ),
    "formats.print_centre.wrong_tag": _lt("Element “%(tag)s” is not a “%(expected)s”."),
    "formats.print_centre.missing_tag": _lt("The receipt has no “%(tag)s”."),
    "formats.print_centre.wrong_header": _lt(
        "The header row is not the profile's columns (%(expected)s)."
    ),
    "formats.print_centre.wrong_width": _lt(
        "The line has %(columns)s columns, the profile has %(expected)s."
    ),
    "formats.print_centre.duplicate_file": _lt(
        "The file “%(name)s” is listed twice in the manifest."
    ),
    "formats.print_centre.bad_number": _lt("The %(field)s “%(value)s” is not a number."),
}

#: labels of the receipt row's keys that no other add-on labels already
RECEIPT_ROW_LABELS = {
    "els": _lt("Single personal account (ЕЛС)"),
    "ipd": _lt("Payment document ID (ИПД)"),
    "payer_name": _lt("Payer"),
    "postcode": _lt("Postcode"),
    "route": _lt("Delivery route"),
    "zone": _lt("Zone"),
    "district": _lt("District"),
    "management_company": _lt("Management company"),
    "payee_inn": _lt("Payee's INN"),
    "payee_kpp": _lt("Payee's KPP"),
    "bic": _lt("BIC"),
    "payee_account": _lt("Payee's bank account"),
    "basis": _lt("Basis of the charge"),
    "quantity": _lt("Volume"),
    "unit": _lt("Unit"),
    "tariff": _lt("Tariff"),
    "recalculation": _lt("Recalculation"),
    "opening_balance": _lt("Debt or advance at the start"),
    "last_payment_date": _lt("Date of the last payment"),
    "total_to_pay": _lt("Total to pay"),
    "due_date": _lt("Due date"),
    "correction": _lt("Correction"),
    "qr": _lt("Payment QR code"),
}

register_core_messages(PRINT_CENTRE_TEMPLATES, RECEIPT_ROW_LABELS)
