"""Templates by code of the monthly receipt's core errors
(``mobill_tko_core.receipts.ReceiptError``), shown when a receipt is built or read back, and the
labels of the receipt fields they name."""

from odoo.addons.mobill_tko_base.tools import register_core_messages
from odoo.tools.translate import _lt

RECEIPT_TEMPLATES = {
    "receipt.no_account": _lt("The receipt has no personal account number."),
    "receipt.bad_period": _lt("The period «%(value)s» of the receipt is not a date."),
    "receipt.bad_correction_number": _lt(
        "The correction number %(value)s of the receipt is negative."
    ),
    "receipt.correction_without_reason": _lt(
        "Reissue No. %(number)s of the receipt has no reason: give the reason of the correction."
    ),
    "receipt.bad_basis": _lt(
        "Line %(line)s of the receipt: the basis «%(value)s» must be one of %(allowed)s."
    ),
    "receipt.negative_amount": _lt(
        "The amount «%(field)s» of the receipt must not be negative: %(value)s."
    ),
    "receipt.line_total_mismatch": _lt(
        "Line %(line)s of the receipt: the total %(total)s is not charged + recalculation − "
        "benefits = %(expected)s."
    ),
    "receipt.recalculation_without_reason": _lt(
        "The recalculation for the period of %(period)s (%(amount)s) has no reason; the receipt "
        "must show the basis of every recalculation."
    ),
    "receipt.recalculation_mismatch": _lt(
        "The recalculations listed add up to %(listed)s, but the service lines show %(lines)s."
    ),
    "receipt.paid_without_date": _lt(
        "Payments of %(paid)s were made in the period, but the date of the last payment is unknown."
    ),
    "receipt.payee_incomplete": _lt(
        "The operator's requisites lack %(field)s: the payment QR code of the receipt needs it."
    ),
    "receipt.bad_payee": _lt(
        "The operator's %(field)s «%(value)s» on the receipt is wrong: %(problems)s"
    ),
    "receipt.bad_qr": _lt("The payment QR code of the receipt cannot be made: %(problems)s."),
    "receipt.qr.missing_field": _lt("%(field)s is required in the payment QR code."),
    "receipt.qr.bad_key": _lt("«%(field)s» is not a field name of the payment QR code."),
    "receipt.qr.bad_value": _lt("%(field)s «%(value)s» does not fit the ГОСТ Р 56042 rules."),
    "receipt.qr.unencodable": _lt(
        "%(field)s «%(value)s» cannot be written in the %(encoding)s encoding of the QR code."
    ),
    "receipt.qr.separator_in_value": _lt(
        "%(field)s «%(value)s» holds the separator of the QR code."
    ),
    "receipt.qr.no_separator": _lt("Every possible separator occurs in the values of the QR code."),
    "receipt.qr.too_long": _lt("The payee's requisites take more than 300 bytes in the QR code."),
    "receipt.bad_qr_encoding": _lt(
        "The QR code encoding must be one of %(allowed)s, not %(value)s."
    ),
    "receipt.bad_settings": _lt("The receipt settings are wrong: %(problems)s."),
    "receipt.settings.bad_penalties": _lt(
        "the way penalties are shown must be one of %(allowed)s, not «%(value)s»"
    ),
    "receipt.settings.bad_encoding": _lt(
        "the QR code encoding must be one of %(allowed)s (1 windows-1251, 2 UTF-8, 3 KOI8-R), "
        "not %(value)s"
    ),
    "receipt.settings.bad_due_day": _lt("the due day must be from 1 to 31, not %(value)s"),
    "receipt.settings.bad_months_after": _lt(
        "the due date may be 0 to 12 months after the billed month, not %(value)s"
    ),
    "receipt.settings.bad_purpose": _lt(
        "the purpose of payment «%(value)s» may use only {period} and {account}"
    ),
    "receipt.json_unknown_keys": _lt(
        "The stored receipt has fields this version does not know: %(keys)s."
    ),
    "receipt.json_schema": _lt(
        "The stored receipt has layout version %(schema)s; this version reads version %(expected)s."
    ),
}

RECEIPT_FIELD_LABELS = {
    "charged": _lt("Charged"),
    "benefits": _lt("Benefits"),
    "paid": _lt("Paid"),
    "penalties": _lt("Penalties"),
    "payee_name": _lt("Payee's name"),
    "bank_name": _lt("Bank name"),
}

register_core_messages(RECEIPT_TEMPLATES, RECEIPT_FIELD_LABELS)
