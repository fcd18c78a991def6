"""Templates by code of the cash receipts' errors (``mobill_tko_core.fiscal.atol``).

A ``fiscal_invalid`` error lists the codes of what is wrong in ``params["problems"]``; each has
its template ``fiscal_problem.<code>`` (see ``tko.fiscal.register._error_text``).
"""

from odoo.addons.mobill_tko_base.tools import register_core_messages
from odoo.tools.translate import _lt

FISCAL_TEMPLATES = {
    "fiscal_network": _lt("The cash register service cannot be reached (network)."),
    "fiscal_server": _lt(
        "The cash register service is unavailable for now (HTTP %(http_status)s); the receipt "
        "is sent again later."
    ),
    "fiscal_auth": _lt(
        "The cash register service refused the login or password: check the settings of the "
        "cash register."
    ),
    "fiscal_token": _lt("The cash register service refused the access token."),
    "fiscal_queue": _lt("The cash register service is busy; the receipt is sent again later."),
    "fiscal_rejected_body": _lt(
        "The cash register service rejected the receipt. Its answer: %(answer)s"
    ),
    "fiscal_rejected": _lt(
        "The cash register service refused the request (HTTP %(http_status)s). Its answer: "
        "%(answer)s"
    ),
    "fiscal_bad_answer": _lt("The cash register service answered something that cannot be read."),
    "fiscal_invalid": _lt("The receipt cannot be sent: %(problems)s."),
    # the problems of ``fiscal_invalid``
    "fiscal_problem.operation": _lt("the kind of receipt is unknown"),
    "fiscal_problem.external_id": _lt("the receipt needs an identifier of at most 128 characters"),
    "fiscal_problem.amount_not_positive": _lt("the amount must be positive"),
    "fiscal_problem.amount_too_large": _lt("the amount is too large for a receipt"),
    "fiscal_problem.company_inn": _lt("the company's INN must have 10 or 12 digits"),
    "fiscal_problem.company_email": _lt(
        "the company e-mail of the cash register is missing or wrong"
    ),
    "fiscal_problem.sno": _lt("the taxation system of the cash register is not set"),
    "fiscal_problem.payment_address": _lt(
        "the payment address (site or cash desk address) is missing"
    ),
    "fiscal_problem.item_name_empty": _lt("the item name is empty"),
    "fiscal_problem.item_name_too_long": _lt("the item name is longer than 128 characters"),
    "fiscal_problem.vat_type": _lt("the VAT type of the receipt is unknown"),
    "fiscal_problem.payment_method": _lt("the payment method of the receipt is unknown"),
    "fiscal_problem.payment_object": _lt("the payment object of the receipt is unknown"),
    "fiscal_problem.payment_type": _lt("the payment type of the receipt is unknown"),
    "fiscal_problem.client_email": _lt("the customer's e-mail is not valid"),
    "fiscal_problem.client_phone": _lt("the customer's phone is not a Russian mobile number"),
    "fiscal_problem.no_contact": _lt(
        "the customer has neither an e-mail nor a phone to send the receipt to"
    ),
    "fiscal_problem.vat_mode": _lt("the VAT mode of the cash register is unknown"),
    "fiscal_problem.no_vat_rate": _lt(
        "no VAT rate is in force on the payment date: add it to the VAT rates"
    ),
    "fiscal_problem.vat_rate": _lt("the VAT rate %(rate)s %% has no receipt VAT type"),
    "fiscal_problem.settings": _lt(
        "the settings of the cash register are incomplete: API URL, login, password and group "
        "code are all needed"
    ),
}

register_core_messages(FISCAL_TEMPLATES)
