"""Templates by code of the core's payment formats and cash receipts (one translation path).

The readers and writers of ``mobill_tko_core.formats`` (bank registries, 1C statements,
agents' JSON, debt registries, the payment QR string) and ``mobill_tko_core.fiscal.atol``
report problems with a stable code and the values the message is built from; these templates
are registered with the add-on base's ``core_message``, which renders them in the user's
language. A ``field`` value is shown with its label below.
"""

from odoo.addons.mobill_tko_base.tools import register_core_messages
from odoo.tools.translate import _lt

# the fields of a registry line (``formats.registry``), of an agent's payment and of a debt
# registry row, by their names in the core; 1C fields (Сумма, Дата, …) are shown as they are
FIELD_LABELS = {
    "account": _lt("Personal account"),
    "amount": _lt("Amount"),
    "paid_date": _lt("Date paid"),
    "paid_time": _lt("Time paid"),
    "paid_at": _lt("Date paid"),
    "period": _lt("Period"),
    "payer": _lt("Payer"),
    "address": _lt("Address"),
    "operation_id": _lt("Operation number"),
    "commission": _lt("Commission"),
    "transfer_amount": _lt("Sum to transfer"),
    "branch": _lt("Bank branch"),
    "cashier": _lt("Cashier"),
    "order_number": _lt("Payment order number"),
    "order_date": _lt("Payment order date"),
    "count": _lt("Number of payments"),
    "total": _lt("Total"),
    "transfer_total": _lt("Total to transfer"),
    "commission_total": _lt("Total commission"),
    "contract": _lt("Contract"),
    "id": _lt("Payment id"),
    "purpose": _lt("Purpose of payment"),
}

# line problems shared by the text formats (registry, 1C statement, debt registry)
LINE_TEMPLATES = {
    "bad_encoding": _lt("The line is not valid %(encoding)s text."),
    "missing_field": _lt("%(field)s is missing or empty."),
    "bad_amount": _lt(
        "«%(value)s» is not a valid amount (a positive number with at most two decimals)."
    ),
    "bad_date": _lt("«%(value)s» is not a date written %(format)s."),
    "bad_time": _lt("«%(value)s» is not a time written %(format)s."),
    "bad_period": _lt("«%(value)s» is not a period (MMYYYY, MM.YYYY)."),
    "bad_value": _lt("The account «%(value)s» holds a blank or the separator «%(separator)s»."),
    "unencodable": _lt("«%(character)s» cannot be written in %(encoding)s."),
    # bank registries
    "too_few_columns": _lt("The line has %(columns)s columns, the profile needs %(expected)s."),
    "commission_mismatch": _lt(
        "The amount %(amount)s is not the sum to transfer %(transfer)s plus the commission "
        "%(commission)s."
    ),
    "bad_trailer": _lt("The trailer's %(field)s is missing or wrong: «%(value)s»."),
    "duplicate_payment": _lt(
        "Operation %(operation)s for account %(account)s is at line %(other_line)s already; it "
        "is booked once."
    ),
    "duplicate_trailer": _lt("A second trailer (the first is at line %(other_line)s)."),
    "data_after_trailer": _lt("A line after the trailer (line %(other_line)s)."),
    "empty_file": _lt("The registry has no payment lines."),
    "trailer_missing": _lt("The registry has no trailer line; it may be cut short."),
    "trailer_count_mismatch": _lt(
        "The trailer says %(declared)s payments, the file has %(counted)s."
    ),
    "trailer_not_checked": _lt("The trailer sums were not checked: some amounts cannot be read."),
    "trailer_sum_mismatch": _lt(
        "The trailer's %(field)s is %(declared)s, the lines sum to %(counted)s."
    ),
    # 1C bank statements
    "encoding_mismatch": _lt(
        "The file declares Кодировка=%(declared)s but its bytes are %(actual)s; it is read as "
        "%(actual)s."
    ),
    "bad_account": _lt("«%(value)s» does not look like an account number (20 digits)."),
    "bad_bik": _lt("«%(value)s» does not look like a BIK (9 digits)."),
    "bad_inn": _lt("«%(value)s» does not look like an INN (10 or 12 digits)."),
    "bad_kpp": _lt("«%(value)s» does not look like a KPP (9 characters)."),
    "balance_mismatch": _lt(
        "НачальныйОстаток %(opening)s + ВсегоПоступило %(total_in)s - ВсегоСписано "
        "%(total_out)s is %(computed)s, not КонечныйОстаток %(closing)s."
    ),
    "unterminated_section": _lt("The section opened here has no %(end)s; it is rejected."),
    "data_after_end": _lt("Text after %(end)s (line %(end_line)s)."),
    "unexpected_end": _lt("%(end)s without its section start."),
    "bad_line": _lt("Expected «Key=Value», got «%(text)s»."),
    "duplicate_field": _lt("%(field)s is repeated; the last value is used."),
    "field_outside_section": _lt("%(field)s stands outside any section."),
    "missing_end_of_file": _lt("The file does not end with %(end)s."),
    "duplicate_document": _lt(
        "The same document (Номер %(number)s, Дата %(date)s, Сумма %(amount)s) is at line "
        "%(other_line)s already; it is booked once."
    ),
    "totals_not_checked": _lt(
        "The turnovers were not checked: some document amounts cannot be read."
    ),
    "total_mismatch": _lt(
        "%(field)s=%(declared)s for account %(account)s, but the documents of the file sum to "
        "%(counted)s."
    ),
}

# agents' JSON payments (``formats.agent_json``)
AGENT_TEMPLATES = {
    "agent_json.not_an_object": _lt("The payment is not a JSON object."),
    "agent_json.unknown_field": _lt("Unknown field(s) ignored: %(fields)s."),
    "agent_json.no_id": _lt("The payment has no id (the agent's payment number)."),
    "agent_json.bad_id": _lt("The payment id is longer than %(max)s characters."),
    "agent_json.bad_number": _lt(
        "The %(field)s number must be a JSON string of at most %(max)s characters."
    ),
    "agent_json.no_target": _lt("The payment names neither a personal account nor a contract."),
    "agent_json.two_targets": _lt(
        "The payment names both a personal account and a contract: give one of them."
    ),
    "agent_json.no_amount": _lt("The payment has no amount."),
    "agent_json.bad_amount": _lt(
        "«%(value)s» is not a valid amount: roubles with a dot, at most two decimals, greater "
        "than zero and at most %(max)s."
    ),
    "agent_json.no_date": _lt("The payment has no date paid (paid_at)."),
    "agent_json.bad_date": _lt(
        "«%(value)s» is not a date (2025-02-04) or a date and time (2025-02-04T10:15:42+03:00)."
    ),
    "agent_json.future_date": _lt("The payment is dated %(date)s, in the future."),
    "agent_json.bad_period": _lt("«%(value)s» is not a month (2025-01, 01.2025 or 012025)."),
    "agent_json.bad_text": _lt("%(field)s must be a JSON string of at most %(max)s characters."),
    "agent_json.duplicate_payment": _lt(
        "Payment %(id)s is at item %(other_line)s already; it is booked once."
    ),
    "agent_json.id_reused": _lt(
        "Payment id %(id)s is used at item %(other_line)s for another payment."
    ),
    "agent_json.no_agent": _lt("The payment agent is not known."),
    "agent_json.not_utf8": _lt("The body is not UTF-8 text."),
    "agent_json.not_json": _lt("The body is not valid JSON: %(detail)s."),
    "agent_json.no_payments": _lt(
        'The body must be a JSON list of payments or an object with a "payments" list.'
    ),
    "agent_json.empty": _lt("The list of payments is empty."),
    "agent_json.too_many": _lt(
        "%(count)s payments in one request; send at most %(max)s (or post a registry file)."
    ),
    "agent_json.bad_debt_answer": _lt("The answer is not a debt check answer."),
}

# files that cannot be read or written at all
FILE_TEMPLATES = {
    "formats.unknown_encoding": _lt("Unknown text encoding: %(encoding)s."),
    "formats.onec.not_a_statement": _lt(
        "This is not a 1C bank exchange file: the first line must be «1CClientBankExchange»."
    ),
    "formats.onec.unknown_encoding": _lt(
        "Unknown encoding «%(encoding)s» (a 1C file is in Windows or DOS encoding)."
    ),
    "formats.onec.unencodable": _lt(
        "The character «%(character)s» cannot be written in the encoding of a 1C file."
    ),
    "formats.registry.bad_profile": _lt("Registry profile %(profile)s is wrong: %(problems)s."),
    "formats.registry.bad_value": _lt(
        "The value «%(value)s» holds a line break or the separator of the registry."
    ),
    "formats.registry.bad_zip": _lt("The zip archive is damaged."),
    "formats.registry.unencodable": _lt(
        "The character «%(character)s» cannot be written in the encoding of the registry."
    ),
    "formats.registry.zip_encrypted": _lt(
        "The zip archive is protected by a password; send the registry unprotected."
    ),
    "formats.registry.zip_members": _lt(
        "The zip archive holds %(count)s files; a registry archive holds one."
    ),
    "formats.registry.zip_too_large": _lt(
        "The zip archive unpacks to more than %(limit)s bytes, more than is accepted."
    ),
    "formats.debt_registry.bad_profile": _lt(
        "Debt registry profile %(profile)s is wrong: %(problems)s."
    ),
    "formats.debt_registry.bad_inn": _lt("INN “%(inn)s” is not 10 or 12 digits"),
    "formats.debt_registry.bad_account": _lt("account “%(account)s” is not 20 digits"),
    "formats.debt_registry.bad_seq": _lt("sequence number %(seq)s is not between 1 and 999"),
    # the problems of a profile check (``params["problems"]`` of ``…bad_profile``)
    "formats.profile.no_name": _lt("the profile has no code"),
    "formats.profile.unknown_keys": _lt("unknown settings: %(keys)s"),
    "formats.profile.bad_separator": _lt(
        "the separator must be one character other than a line break"
    ),
    "formats.profile.bad_decimal_mark": _lt("the decimal mark must be «.» or «,», not «%(value)s»"),
    "formats.profile.bad_period_format": _lt(
        "the period format “%(value)s” is not one of %(allowed)s"
    ),
    "formats.profile.missing_column": _lt("the column map has no column “%(column)s”"),
    "formats.profile.bad_column": _lt(
        "the column number of “%(column)s” must be a whole number, 0 or more"
    ),
    "formats.profile.unknown_trailer_fields": _lt("unknown trailer fields: %(fields)s"),
    "formats.profile.bad_trailer_regex": _lt(
        "the trailer pattern is not a valid regular expression (%(error)s)"
    ),
    "formats.profile.no_trailer_pattern": _lt(
        "a required trailer needs a trailer prefix or a trailer pattern"
    ),
    "formats.profile.negative_skip": _lt(
        "the number of header lines to skip cannot be negative (%(value)s)"
    ),
    "formats.profile.no_columns": _lt("the profile has no columns"),
    "formats.profile.bad_non_positive": _lt(
        "the handling of zero or negative debts “%(value)s” is not one of %(allowed)s"
    ),
    "formats.profile.no_filename_pattern": _lt("the file name pattern is empty"),
    "formats.debt_registry.bad_requisites": _lt("Cannot write the debt registry: %(problems)s."),
    "formats.debt_registry.bad_rows": _lt("%(count)s rows of the debt registry are wrong."),
    "formats.debt_registry.bad_template": _lt(
        "The template «%(template)s» of the profile cannot be filled."
    ),
    "formats.debt_registry.no_period": _lt(
        "The file name needs the period to pay: choose the period."
    ),
    "formats.debt_registry.bad_filename": _lt(
        "The file name «%(filename)s» holds a character a file name cannot have."
    ),
    "formats.debt_registry.unencodable": _lt(
        "The header or trailer cannot be written in %(encoding)s."
    ),
    "formats.qr.bad_bytes": _lt("The payment string is not valid text of its encoding."),
    "formats.qr.bad_encoding": _lt("Unknown encoding of the payment string."),
    "formats.qr.invalid": _lt("The payment string cannot be built from these requisites."),
    "formats.qr.not_a_payment": _lt("This is not a ГОСТ Р 56042 payment string."),
}

register_core_messages(LINE_TEMPLATES | AGENT_TEMPLATES | FILE_TEMPLATES, FIELD_LABELS)
