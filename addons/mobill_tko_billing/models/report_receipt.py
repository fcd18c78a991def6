import base64
import io
from decimal import Decimal

import qrcode
from odoo import _, api, models
from odoo.addons.mobill_tko_base.tools import core_error_message
from odoo.addons.mobill_tko_base.tools.access import check_rights
from odoo.exceptions import UserError

from mobill_tko_core.formats import FormatError
from mobill_tko_core.formats.payment_qr import payment_bytes

#: the receipt is a Russian statutory form (ПП 354 п. 69): its words are Russian whatever the
#: user's language, so they live here and in the template (``t-translation="off"``)
MONTHS = (
    "январь",
    "февраль",
    "март",
    "апрель",
    "май",
    "июнь",
    "июль",
    "август",
    "сентябрь",
    "октябрь",
    "ноябрь",
    "декабрь",
)
BASES = {
    "residents": "по числу проживающих",
    "owners": "по числу собственников",
    "area": "по площади помещения",
}
UNITS = {"residents": "чел.", "owners": "чел.", "area": "м²"}


def _number(value, places=2):
    """«1 234,56»: a no-break space between thousands, a comma before the kopecks."""
    value = Decimal(value or 0)
    text = f"{value:,.{places}f}" if places is not None else f"{value.normalize():,f}"
    return text.replace(",", "\u00a0").replace(".", ",")


def money(value):
    """«1 234,56 руб.»"""
    return f"{_number(value)}\u00a0руб."


def plain(value):
    """A quantity, norm or tariff as given: «1,56», «3», «557,76»."""
    value = Decimal(value or 0)
    if value == value.to_integral_value():
        return _number(value, 0)
    return _number(value, None)


def day(value):
    return value.strftime("%d.%m.%Y") if value else ""


def month(value):
    return f"{MONTHS[value.month - 1]} {value.year}" if value else ""


def qr_data_uri(text):
    """The PNG of the QR symbol of a ГОСТ Р 56042 payment string, as a data URI: the symbol
    holds the string's bytes in the encoding its ``ST0001x`` block declares (2: UTF-8)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=8, border=4)
    code.add_data(payment_bytes(text), optimize=0)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image(fill_color="black", back_color="white").save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


class ReportReceipt(models.AbstractModel):
    _name = "report.mobill_tko_billing.report_receipt"
    _description = "Receipt report"

    @api.model
    def _get_report_values(self, docids, data=None):
        receipts = self.env["tko.receipt"].browse(docids)
        if not receipts:
            raise UserError(_("Choose the receipts to print."))
        # the snapshot is read as it is: only of receipts the caller may read
        check_rights(receipts)
        # a batch goes to the postman in delivery-route order
        receipts = receipts.sorted(lambda r: (r.route or "", r.account_id.name or "", r.id))
        cores, qrs = {}, {}
        for rec in receipts:
            cores[rec.id] = rec._receipt()
            try:
                qrs[rec.id] = qr_data_uri(rec.payment_string or cores[rec.id].qr)
            except FormatError as error:
                raise UserError(core_error_message(error, self.env)) from error
        return {
            "doc_ids": receipts.ids,
            "doc_model": "tko.receipt",
            "docs": receipts,
            "cores": cores,
            "qrs": qrs,
            "money": money,
            "plain": plain,
            "day": day,
            "month": month,
            "bases": BASES,
            "units": UNITS,
        }
