"""Russian (and any other language) for the messages of the core's file readers and writers.

The core (``mobill_tko_core.formats``) reports line problems in English with stable codes.
Each message below is matched by a regular expression and rebuilt from a translatable
template with the values it carried. Generated from the core's message texts; a message
that matches none is shown as it is.
"""

import re

from odoo.tools.translate import _lt, code_translations

MODULE = "mobill_tko_integrations"

PATTERNS = [
    (
        re.compile(
            '«(?P<v1>.+?)» is not an amount in roubles \\(like "1250\\.50": a dot, at most two decimals, no sign\\)\\.'
        ),
        _lt(
            '«%(v1)s» is not an amount in roubles (like "1250.50": a dot, at most two decimals, no sign).'
        ),
    ),
    (
        re.compile(
            r"This is not a 1C bank exchange file: the first line must be «1CClientBankExchange»\."
        ),
        _lt("This is not a 1C bank exchange file: the first line must be «1CClientBankExchange»."),
    ),
    (
        re.compile(
            r"The same document \(Номер (?P<v1>.+?), Дата (?P<v2>.+?), Сумма (?P<v3>.+?)\) is at line (?P<v4>.+?) already; it is booked once\."
        ),
        _lt(
            "The same document (Номер %(v1)s, Дата %(v2)s, Сумма %(v3)s) is at line %(v4)s already; it is booked once."
        ),
    ),
    (
        re.compile(
            r"НачальныйОстаток (?P<v1>.+?) \+ ВсегоПоступило (?P<v2>.+?) \- ВсегоСписано (?P<v3>.+?) is (?P<v4>.+?), not КонечныйОстаток (?P<v5>.+?)\."
        ),
        _lt(
            "НачальныйОстаток %(v1)s + ВсегоПоступило %(v2)s - ВсегоСписано %(v3)s is %(v4)s, not КонечныйОстаток %(v5)s."
        ),
    ),
    (
        re.compile(
            'The body must be a JSON list of payments or an object with a "payments" list\\.'
        ),
        _lt('The body must be a JSON list of payments or an object with a "payments" list.'),
    ),
    (
        re.compile(
            r"«(?P<v1>.+?)» is not a date \(2025\-02\-04\) or a date and time \(2025\-02\-04T10:15:42\+03:00\)\."
        ),
        _lt("«%(v1)s» is not a date (2025-02-04) or a date and time (2025-02-04T10:15:42+03:00)."),
    ),
    (
        re.compile(r"The payment names both a personal account and a contract: give one of them\."),
        _lt("The payment names both a personal account and a contract: give one of them."),
    ),
    (
        re.compile(
            r"Unknown encoding «(?P<v1>.+?)» in the field Кодировка \(expected Windows or DOS\)\."
        ),
        _lt("Unknown encoding «%(v1)s» in the field Кодировка (expected Windows or DOS)."),
    ),
    (
        re.compile(r"The turnovers were not checked: some document amounts cannot be read\."),
        _lt("The turnovers were not checked: some document amounts cannot be read."),
    ),
    (
        re.compile(
            r"(?P<v1>.+?) payments in one request; send at most (?P<v2>.+?) \(or post a registry file\)\."
        ),
        _lt("%(v1)s payments in one request; send at most %(v2)s (or post a registry file)."),
    ),
    (
        re.compile(
            r"The file declares Кодировка=(?P<v1>.+?) but its bytes are (?P<v2>.+?); it is read as (?P<v3>.+?)\."
        ),
        _lt("The file declares Кодировка=%(v1)s but its bytes are %(v2)s; it is read as %(v3)s."),
    ),
    (
        re.compile(r"The trailer sums were not checked: some amounts cannot be read\."),
        _lt("The trailer sums were not checked: some amounts cannot be read."),
    ),
    (
        re.compile(
            r"Operation (?P<v1>.+?) for account (?P<v2>.+?) is at line (?P<v3>.+?) already; it is booked once\."
        ),
        _lt("Operation %(v1)s for account %(v2)s is at line %(v3)s already; it is booked once."),
    ),
    (
        re.compile(
            r"The amount (?P<v1>.+?) is not the sum to transfer (?P<v2>.+?) plus the commission (?P<v3>.+?)\."
        ),
        _lt("The amount %(v1)s is not the sum to transfer %(v2)s plus the commission %(v3)s."),
    ),
    (
        re.compile(r"The payment names neither a personal account nor a contract\."),
        _lt("The payment names neither a personal account nor a contract."),
    ),
    (
        re.compile(r"The zip archive holds (?P<v1>.+?) files; a registry archive holds one\."),
        _lt("The zip archive holds %(v1)s files; a registry archive holds one."),
    ),
    (
        re.compile(r"The file name «(?P<v1>.+?)» holds a character a file name cannot have\."),
        _lt("The file name «%(v1)s» holds a character a file name cannot have."),
    ),
    (
        re.compile(
            r"(?P<v1>.+?)=(?P<v2>.+?) is not an amount \(digits, a dot and at most 2 decimals\)\."
        ),
        _lt("%(v1)s=%(v2)s is not an amount (digits, a dot and at most 2 decimals)."),
    ),
    (
        re.compile(r"The registry has no trailer line; it may be cut short\."),
        _lt("The registry has no trailer line; it may be cut short."),
    ),
    (
        re.compile(r"A 1C file is written in Windows or DOS encoding, not (?P<v1>.+?)\."),
        _lt("A 1C file is written in Windows or DOS encoding, not %(v1)s."),
    ),
    (
        re.compile(
            r"(?P<v1>.+?)=(?P<v2>.+?) for account (?P<v3>.+?), but the documents of the file sum to (?P<v4>.+?)\."
        ),
        _lt("%(v1)s=%(v2)s for account %(v3)s, but the documents of the file sum to %(v4)s."),
    ),
    (
        re.compile(r"The file name needs the period to pay; give period=\."),
        _lt("The file name needs the period to pay; give period=."),
    ),
    (
        re.compile(
            r"The character «(?P<v1>.+?)» cannot be written in (?P<v2>.+?) encoding \((?P<v3>.+?)\)\."
        ),
        _lt("The character «%(v1)s» cannot be written in %(v2)s encoding (%(v3)s)."),
    ),
    (
        re.compile(r"The payment has no id \(the agent's payment number\)\."),
        _lt("The payment has no id (the agent's payment number)."),
    ),
    (
        re.compile(
            r"(?P<v1>.+?) rows of the debt registry are wrong; first: row (?P<v2>.+?): (?P<v3>.+?)"
        ),
        _lt("%(v1)s rows of the debt registry are wrong; first: row %(v2)s: %(v3)s"),
    ),
    (
        re.compile(r"Payment id (?P<v1>.+?) is used at item (?P<v2>.+?) for another payment\."),
        _lt("Payment id %(v1)s is used at item %(v2)s for another payment."),
    ),
    (
        re.compile(r"The section opened here has no (?P<v1>.+?); it is rejected\."),
        _lt("The section opened here has no %(v1)s; it is rejected."),
    ),
    (
        re.compile(r"Payment (?P<v1>.+?) is at item (?P<v2>.+?) already; it is booked once\."),
        _lt("Payment %(v1)s is at item %(v2)s already; it is booked once."),
    ),
    (
        re.compile(r"«(?P<v1>.+?)» is not a month \(2025\-01, 01\.2025 or 012025\)\."),
        _lt("«%(v1)s» is not a month (2025-01, 01.2025 or 012025)."),
    ),
    (
        re.compile(r"The amount (?P<v1>.+?) is more than one payment can be \((?P<v2>.+?)\)\."),
        _lt("The amount %(v1)s is more than one payment can be (%(v2)s)."),
    ),
    (
        re.compile(r"The account «(?P<v1>.+?)» has a blank or the separator «(?P<v2>.+?)»\."),
        _lt("The account «%(v1)s» has a blank or the separator «%(v2)s»."),
    ),
    (
        re.compile(r"The header or trailer cannot be written in (?P<v1>.+?)\."),
        _lt("The header or trailer cannot be written in %(v1)s."),
    ),
    (
        re.compile(r"The line has (?P<v1>.+?) columns, the profile needs (?P<v2>.+?)\."),
        _lt("The line has %(v1)s columns, the profile needs %(v2)s."),
    ),
    (
        re.compile(r"The trailer says (?P<v1>.+?) payments, the file has (?P<v2>.+?)\."),
        _lt("The trailer says %(v1)s payments, the file has %(v2)s."),
    ),
    (
        re.compile(r"The payment id is longer than (?P<v1>.+?) characters\."),
        _lt("The payment id is longer than %(v1)s characters."),
    ),
    (
        re.compile(r"A second trailer \(the first is at line (?P<v1>.+?)\)\."),
        _lt("A second trailer (the first is at line %(v1)s)."),
    ),
    (
        re.compile(r"The character «(?P<v1>.+?)» cannot be written in (?P<v2>.+?)\."),
        _lt("The character «%(v1)s» cannot be written in %(v2)s."),
    ),
    (
        re.compile(r"The payment has no date paid \(paid_at\)\."),
        _lt("The payment has no date paid (paid_at)."),
    ),
    (
        re.compile(r"The trailer's (?P<v1>.+?) is (?P<v2>.+?), the lines sum to (?P<v3>.+?)\."),
        _lt("The trailer's %(v1)s is %(v2)s, the lines sum to %(v3)s."),
    ),
    (
        re.compile(r"ВремяСоздания=(?P<v1>.+?) is not a time hh:mm:ss\."),
        _lt("ВремяСоздания=%(v1)s is not a time hh:mm:ss."),
    ),
    (
        re.compile(r"The personal account number is empty\."),
        _lt("The personal account number is empty."),
    ),
    (
        re.compile(r"«(?P<v1>.+?)» is not a period \(MMYYYY, MM\.YYYY\)\."),
        _lt("«%(v1)s» is not a period (MMYYYY, MM.YYYY)."),
    ),
    (
        re.compile(r"(?P<v1>.+?) is repeated; the last value is used\."),
        _lt("%(v1)s is repeated; the last value is used."),
    ),
    (
        re.compile(r"The amount must be greater than zero\."),
        _lt("The amount must be greater than zero."),
    ),
    (
        re.compile(r"The payment is dated (?P<v1>.+?), in the future\."),
        _lt("The payment is dated %(v1)s, in the future."),
    ),
    (
        re.compile(r"The field Номер is missing or empty\."),
        _lt("The field Номер is missing or empty."),
    ),
    (
        re.compile(r"The account section has no РасчСчет\."),
        _lt("The account section has no РасчСчет."),
    ),
    (
        re.compile(r"Debt registry profile «(?P<v1>.+?)» is wrong: (?P<v2>.+?)\."),
        _lt("Debt registry profile «%(v1)s» is wrong: %(v2)s."),
    ),
    (
        re.compile(r"The (?P<v1>.+?) template «(?P<v2>.+?)» cannot be filled: (?P<v3>.+?)\."),
        _lt("The %(v1)s template «%(v2)s» cannot be filled: %(v3)s."),
    ),
    (
        re.compile(r"The amount must be positive, not (?P<v1>.+?)\."),
        _lt("The amount must be positive, not %(v1)s."),
    ),
    (
        re.compile(r"The registry has no payment lines\."),
        _lt("The registry has no payment lines."),
    ),
    (
        re.compile(r"The (?P<v1>.+?) number must be a JSON string\."),
        _lt("The %(v1)s number must be a JSON string."),
    ),
    (
        re.compile(r"A value holds the separator «(?P<v1>.+?)»: (?P<v2>.+?)\."),
        _lt("A value holds the separator «%(v1)s»: %(v2)s."),
    ),
    (
        re.compile(r"A line after the trailer \(line (?P<v1>.+?)\)\."),
        _lt("A line after the trailer (line %(v1)s)."),
    ),
    (
        re.compile(r"The payment is not a JSON object\."),
        _lt("The payment is not a JSON object."),
    ),
    (
        re.compile(r"Cannot write the debt registry: (?P<v1>.+?)\."),
        _lt("Cannot write the debt registry: %(v1)s."),
    ),
    (
        re.compile(r"The (?P<v1>.+?) is longer than (?P<v2>.+?) characters\."),
        _lt("The %(v1)s is longer than %(v2)s characters."),
    ),
    (
        re.compile(r"Registry profile «(?P<v1>.+?)» is wrong: (?P<v2>.+?)\."),
        _lt("Registry profile «%(v1)s» is wrong: %(v2)s."),
    ),
    (
        re.compile(r"The field (?P<v1>.+?) is missing or empty\."),
        _lt("The field %(v1)s is missing or empty."),
    ),
    (
        re.compile(r"The payment agent is not known\."),
        _lt("The payment agent is not known."),
    ),
    (
        re.compile(r"The list of payments is empty\."),
        _lt("The list of payments is empty."),
    ),
    (
        re.compile(r"A value holds a line break: (?P<v1>.+?)\."),
        _lt("A value holds a line break: %(v1)s."),
    ),
    (
        re.compile(r"Expected «Key=Value», got «(?P<v1>.+?)»\."),
        _lt("Expected «Key=Value», got «%(v1)s»."),
    ),
    (
        re.compile(r"The body is not valid JSON: (?P<v1>.+?)\."),
        _lt("The body is not valid JSON: %(v1)s."),
    ),
    (
        re.compile(r"The file does not end with (?P<v1>.+?)\."),
        _lt("The file does not end with %(v1)s."),
    ),
    (
        re.compile(r"(?P<v1>.+?) stands outside any section\."),
        _lt("%(v1)s stands outside any section."),
    ),
    (
        re.compile(r"The line is not valid (?P<v1>.+?) text\."),
        _lt("The line is not valid %(v1)s text."),
    ),
    (
        re.compile(r"The zip archive is damaged\."),
        _lt("The zip archive is damaged."),
    ),
    (
        re.compile(r"(?P<v1>.+?)=(?P<v2>.+?) is not a date dd\.mm\.yyyy\."),
        _lt("%(v1)s=%(v2)s is not a date dd.mm.yyyy."),
    ),
    (
        re.compile(r"The document kind is empty\."),
        _lt("The document kind is empty."),
    ),
    (
        re.compile(r"РасчСчет=(?P<v1>.+?) is not 20 digits\."),
        _lt("РасчСчет=%(v1)s is not 20 digits."),
    ),
    (
        re.compile(r"(?P<v1>.+?) without its section start\."),
        _lt("%(v1)s without its section start."),
    ),
    (
        re.compile(r"Unknown field\(s\) ignored: (?P<v1>.+?)\."),
        _lt("Unknown field(s) ignored: %(v1)s."),
    ),
    (
        re.compile(r"The (?P<v1>.+?) must be a JSON string\."),
        _lt("The %(v1)s must be a JSON string."),
    ),
    (
        re.compile(r"The body is not UTF\-8 text\."),
        _lt("The body is not UTF-8 text."),
    ),
    (
        re.compile(r"The payment has no amount\."),
        _lt("The payment has no amount."),
    ),
    (
        re.compile(r"Not a debt check answer: (?P<v1>.+?)\."),
        _lt("Not a debt check answer: %(v1)s."),
    ),
    (
        re.compile(r"(?P<v1>.+?)=(?P<v2>.+?) does not look right \((?P<v3>.+?)\)\."),
        _lt("%(v1)s=%(v2)s does not look right (%(v3)s)."),
    ),
    (
        re.compile(r"«(?P<v1>.+?)» cannot be written in (?P<v2>.+?)\."),
        _lt("«%(v1)s» cannot be written in %(v2)s."),
    ),
    (
        re.compile(r"The (?P<v1>.+?) number is too long\."),
        _lt("The %(v1)s number is too long."),
    ),
    (
        re.compile(r"Unknown text encoding: (?P<v1>.+?)\."),
        _lt("Unknown text encoding: %(v1)s."),
    ),
    (
        re.compile(r"The account is empty\."),
        _lt("The account is empty."),
    ),
    (
        re.compile(r"«(?P<v1>.+?)» is not an amount\."),
        _lt("«%(v1)s» is not an amount."),
    ),
    (
        re.compile(r"The trailer has no (?P<v1>.+?)\."),
        _lt("The trailer has no %(v1)s."),
    ),
    (
        re.compile(r"Text after (?P<v1>.+?) \(line (?P<v2>.+?)\)\."),
        _lt("Text after %(v1)s (line %(v2)s)."),
    ),
    (
        re.compile(r"«(?P<v1>.+?)» is not written (?P<v2>.+?)\."),
        _lt("«%(v1)s» is not written %(v2)s."),
    ),
    (
        re.compile(r"The header has no (?P<v1>.+?)\."),
        _lt("The header has no %(v1)s."),
    ),
    (
        re.compile(r"«(?P<v1>.+?)» is not a count\."),
        _lt("«%(v1)s» is not a count."),
    ),
    (
        re.compile(r"No period to pay\."),
        _lt("No period to pay."),
    ),
    (
        re.compile(r"Unknown (?P<v1>.+?) keys: (?P<v2>.+?)\."),
        _lt("Unknown %(v1)s keys: %(v2)s."),
    ),
    (
        re.compile(r"The (?P<v1>.+?) is empty\."),
        _lt("The %(v1)s is empty."),
    ),
    (
        re.compile(r"(?P<v1>.+?) is no amount\."),
        _lt("%(v1)s is no amount."),
    ),
]


def _in_language(env, lazy):
    """A lazy term of this module in the language of ``env`` (the caller has no ``self``)."""
    lang = env.lang if env is not None else None
    if not lang or lang == "en_US":
        return lazy._source
    terms = code_translations.get_python_translations(MODULE, lang)
    return terms.get(lazy._source, lazy._source)


def translate_message(env, message):
    """``message`` of the core in the language of ``env`` (unchanged when unknown)."""
    if not message:
        return message
    for regex, lazy in PATTERNS:
        found = regex.fullmatch(message)
        if found:
            try:
                return _in_language(env, lazy) % found.groupdict()
            except (KeyError, TypeError, ValueError):
                return message
    return message


# the fields of a registry line (``formats.registry``) and of an agent's payment, by their
# names in the core; 1C fields (Сумма, Дата, …) are shown as they are
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


def translate_field(env, name):
    """The label of a core field name in the language of ``env`` (unchanged when unknown)."""
    lazy = FIELD_LABELS.get(name or "")
    return name if lazy is None else _in_language(env, lazy)
