"""Validators of Russian requisites and builders of valid numbers.

Every ``validate_*`` function takes the value as typed by a user, removes whitespace (also
non-breaking spaces), checks it and returns the normalised string, or raises
:class:`~mobill_tko_core.errors.RequisiteError` with a stable code:

* ``<field>_empty`` — nothing was given (``None``, ``False`` as Odoo sends it, or blanks);
* ``<field>_not_digits`` — characters other than digits;
* ``<field>_length`` — wrong number of digits;
* ``<field>_checksum`` — the control digit(s) do not match;
* a few field-specific codes (``kpp_format``, ``ogrn_sign``, ``bik_country``,
  ``corr_account_prefix``, ``corr_account_bik_mismatch``).

Fields: ``inn``, ``kpp``, ``ogrn``, ``snils``, ``bik``, ``bank_account``, ``corr_account``,
``passport_series``, ``passport_number``, ``personal_account`` (the product's own лицевой счёт).

Algorithms (all public and long-standing):

* ИНН (ФНС): 10 digits for an organisation, 12 for a person. Control digit of the 10-digit
  number: sum of the first 9 digits times (2, 4, 10, 3, 5, 9, 4, 6, 8), mod 11, mod 10. The
  12-digit number has two: digit 11 from the first 10 digits with weights
  (7, 2, 4, 10, 3, 5, 9, 4, 6, 8), digit 12 from the first 11 digits with weights
  (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8), each mod 11, mod 10.
* ОГРН: 13 digits, last = (first 12 as a number mod 11) mod 10; ОГРНИП: 15 digits,
  last = (first 14 mod 13) mod 10. The first digit (признак) is 1 or 5 for an ОГРН and 3 for an
  ОГРНИП; other first digits are ГРН of later register entries, not an ОГРН.
* СНИЛС (ПФР/СФР): 11 digits, the last two a control number: s = Σ digit_i × (9 … 1) over the
  first 9 digits; s < 100 → s; s = 100 or 101 → 00; s > 101 → s mod 101 (100 → 00). Numbers up to
  001-001-998 were issued before the control number existed and are not checked.
* БИК: 9 digits, "04" (Russia) first.
* Bank account control key (Bank of Russia, «Порядок расчета контрольного ключа в номере
  лицевого счета», 08.09.1997 N 515): 23 digits = a 3-digit prefix + the 20 digits of the account;
  weights 7, 1, 3 repeated; the sum of the products must end in 0. The prefix is

  - the last 3 digits of the БИК when the account is in a credit organisation
    (БИК digits 7–9 from 050 to 999);
  - "0" + БИК digits 5–6 (the conditional number of the settlement centre, РКЦ) when the account
    is in a division of the Bank of Russia (БИК digits 7–9 from 000 to 049, reserved for the Bank
    of Russia's own divisions), and always for a correspondent account 30101…, which is opened in
    the РКЦ.

  The last 3 digits of a correspondent account repeat БИК digits 7–9.
* Passport of a citizen of Russia: series 4 digits, number 6 digits (no check digit).
* Лицевой счёт of this product: digits, the last one a Luhn (mod 10) check digit over the rest,
  so that one mistyped digit and most swaps of neighbouring digits are caught.
"""

from __future__ import annotations

import re

from mobill_tko_core.errors import RequisiteError

_SPACES = re.compile(r"\s+")

_LABELS = {
    "inn": "INN",
    "kpp": "KPP",
    "ogrn": "OGRN",
    "snils": "SNILS",
    "bik": "BIK",
    "bank_account": "Bank account number",
    "corr_account": "Correspondent account number",
    "passport_series": "Passport series",
    "passport_number": "Passport number",
    "personal_account": "Personal account number",
}

INN_WEIGHTS_10 = (2, 4, 10, 3, 5, 9, 4, 6, 8)
INN_WEIGHTS_12_FIRST = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
INN_WEIGHTS_12_SECOND = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
BANK_KEY_WEIGHTS = ((7, 1, 3) * 8)[:23]  # over the 3-digit prefix + 20 account digits
SNILS_CHECKED_FROM = 1001998  # numbers 001-001-998 and below carry no valid control number
PERSONAL_ACCOUNT_MAX_LENGTH = 30


# --------------------------------------------------------------------------- helpers


def _error(field: str, kind: str, message: str, **params) -> RequisiteError:
    return RequisiteError(f"{field}_{kind}", message, field=field, **params)


def _clean(value, field: str, extra_separators: str = "") -> str:
    """Text of a requisite without whitespace (and the given separators); rejects nothing else."""
    label = _LABELS[field]
    if value is None or value is False:
        raise _error(field, "empty", f"{label} is empty")
    if not isinstance(value, str):
        # Integers lose leading zeros (INN 0274…), so the caller must pass text.
        raise TypeError(f"{label} must be given as text, not {type(value).__name__}")
    text = _SPACES.sub("", value)
    for separator in extra_separators:
        text = text.replace(separator, "")
    if not text:
        raise _error(field, "empty", f"{label} is empty")
    return text


def _digits(
    value,
    field: str,
    lengths: tuple[int, ...],
    extra_separators: str = "",
    length_message: str | None = None,
    expected: str | None = None,
) -> str:
    label = _LABELS[field]
    text = _clean(value, field, extra_separators)
    if not (text.isascii() and text.isdigit()):
        raise _error(field, "not_digits", f"{label} must contain digits only", value=text)
    if len(text) not in lengths:
        expected = expected or " or ".join(str(length) for length in lengths)
        raise _error(
            field,
            "length",
            length_message or f"{label} must have {expected} digits",
            value=text,
            length=len(text),
            expected=expected,
        )
    return text


def _weighted_sum(digits: str, weights) -> int:
    return sum(int(digit) * weight for digit, weight in zip(digits, weights, strict=True))


def _require_digits(value: str, what: str, lengths: tuple[int, ...]) -> str:
    """Check the argument of a ``make_*`` builder (a programming error, hence ValueError)."""
    if not isinstance(value, str) or not (value.isascii() and value.isdigit()):
        raise ValueError(f"{what} must be a string of digits, got {value!r}")
    if len(value) not in lengths:
        raise ValueError(f"{what} must have {' or '.join(map(str, lengths))} digits")
    return value


# --------------------------------------------------------------------------- ИНН


def _inn_check_digits(first: str) -> str:
    """Control digit(s) of an INN given all digits before them (9 → 1 digit, 10 → 2 digits)."""
    if len(first) == 9:
        return str(_weighted_sum(first, INN_WEIGHTS_10) % 11 % 10)
    eleventh = str(_weighted_sum(first, INN_WEIGHTS_12_FIRST) % 11 % 10)
    twelfth = str(_weighted_sum(first + eleventh, INN_WEIGHTS_12_SECOND) % 11 % 10)
    return eleventh + twelfth


def validate_inn(value, kind: str | None = None) -> str:
    """ИНН: 10 digits (``kind='legal'``), 12 digits (``kind='person'``) or either (``None``)."""
    lengths = {None: (10, 12), "legal": (10,), "person": (12,)}.get(kind)
    if lengths is None:
        raise ValueError(f"unknown INN kind {kind!r}")
    message = {
        "legal": "INN of an organisation must have 10 digits",
        "person": "INN of a person or an entrepreneur must have 12 digits",
    }.get(kind)
    text = _digits(value, "inn", lengths, length_message=message)
    body = 9 if len(text) == 10 else 10
    if text[body:] != _inn_check_digits(text[:body]):
        raise _error("inn", "checksum", "INN check digit is wrong", value=text)
    return text


def make_inn(prefix_digits: str) -> str:
    """A valid ИНН from its first digits: 9 digits → 10-digit INN, 10 digits → 12-digit INN."""
    _require_digits(prefix_digits, "INN prefix", (9, 10))
    return prefix_digits + _inn_check_digits(prefix_digits)


# --------------------------------------------------------------------------- КПП

_KPP_PATTERN = re.compile(r"\d{4}[0-9A-Z]{2}\d{3}")


def validate_kpp(value) -> str:
    """КПП: 4 digits (tax office), 2 characters 0-9/A-Z (reason), 3 digits; returned upper case."""
    text = _clean(value, "kpp").upper()
    if len(text) != 9:
        raise _error(
            "kpp",
            "length",
            "KPP must have 9 characters",
            value=text,
            length=len(text),
            expected="9",
        )
    if not (text.isascii() and _KPP_PATTERN.fullmatch(text)):
        raise _error(
            "kpp",
            "format",
            "KPP must be 4 digits, 2 digits or Latin capital letters, then 3 digits",
            value=text,
        )
    return text


# --------------------------------------------------------------------------- ОГРН / ОГРНИП


def _ogrn_check_digit(first: str) -> str:
    modulus = 11 if len(first) == 12 else 13
    return str(int(first) % modulus % 10)


def validate_ogrn(value, kind: str | None = None) -> str:
    """ОГРН (13 digits, ``kind='legal'``) or ОГРНИП (15 digits, ``kind='entrepreneur'``)."""
    lengths = {None: (13, 15), "legal": (13,), "entrepreneur": (15,)}.get(kind)
    if lengths is None:
        raise ValueError(f"unknown OGRN kind {kind!r}")
    message = {
        "legal": "OGRN of an organisation must have 13 digits",
        "entrepreneur": "OGRNIP of an entrepreneur must have 15 digits",
    }.get(kind)
    text = _digits(value, "ogrn", lengths, length_message=message)
    if len(text) == 13 and text[0] not in "15":
        raise _error("ogrn", "sign", "OGRN of an organisation must begin with 1 or 5", value=text)
    if len(text) == 15 and text[0] != "3":
        raise _error("ogrn", "sign", "OGRNIP of an entrepreneur must begin with 3", value=text)
    if text[-1] != _ogrn_check_digit(text[:-1]):
        raise _error("ogrn", "checksum", "OGRN check digit is wrong", value=text)
    return text


def make_ogrn(prefix_digits: str) -> str:
    """A valid ОГРН (12 digits given → 13) or ОГРНИП (14 digits given → 15)."""
    _require_digits(prefix_digits, "OGRN prefix", (12, 14))
    return prefix_digits + _ogrn_check_digit(prefix_digits)


# --------------------------------------------------------------------------- СНИЛС


def _snils_control(first9: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first9, range(9, 0, -1), strict=True))
    if total < 100:
        control = total
    elif total in (100, 101):
        control = 0
    else:
        control = total % 101
        if control == 100:
            control = 0
    return f"{control:02d}"


def validate_snils(value) -> str:
    """СНИЛС: 11 digits; "123-456-789 01" is accepted; returns the 11 digits."""
    text = _digits(value, "snils", (11,), extra_separators="-")
    if int(text[:9]) > SNILS_CHECKED_FROM and text[9:] != _snils_control(text[:9]):
        raise _error("snils", "checksum", "SNILS control number is wrong", value=text)
    return text


def format_snils(value) -> str:
    """СНИЛС in the printed form "123-456-789 01" (validated first)."""
    text = validate_snils(value)
    return f"{text[:3]}-{text[3:6]}-{text[6:9]} {text[9:]}"


def make_snils(first9: str) -> str:
    """A valid СНИЛС (11 digits) from its first 9 digits (must be above 001-001-998)."""
    _require_digits(first9, "SNILS number", (9,))
    if int(first9) <= SNILS_CHECKED_FROM:
        raise ValueError("SNILS numbers up to 001-001-998 have no control number")
    return first9 + _snils_control(first9)


# --------------------------------------------------------------------------- БИК and accounts


def validate_bik(value) -> str:
    """БИК: 9 digits beginning with 04 (Russia)."""
    text = _digits(value, "bik", (9,))
    if not text.startswith("04"):
        raise _error("bik", "country", "BIK must begin with 04", value=text)
    return text


def is_bank_of_russia_division(bik: str) -> bool:
    """True when БИК digits 7–9 are 000–049, the range of the Bank of Russia's own divisions."""
    return int(bik[6:9]) < 50


def _bank_key_ok(prefix: str, account: str) -> bool:
    return _weighted_sum(prefix + account, BANK_KEY_WEIGHTS) % 10 == 0


def _bank_key(prefix: str, account: str) -> str:
    """The control key (9th digit) that makes ``account`` valid with the given 3-digit prefix."""
    zeroed = account[:8] + "0" + account[9:]
    remainder = _weighted_sum(prefix + zeroed, BANK_KEY_WEIGHTS) % 10
    # The key is digit 12 of the 23, weight 3; 3 × 3 = 9 ≡ -1 (mod 10), so key = 3 × remainder
    # (mod 10) makes the total end in 0 — the Bank of Russia's "low digit of the sum times 3".
    return str(remainder * 3 % 10)


def _rkc_prefix(bik: str) -> str:
    return "0" + bik[4:6]


def bank_account_key_prefix(bik: str) -> str:
    """The 3-digit prefix of the control-key computation for a settlement account at ``bik``."""
    bik = validate_bik(bik)
    return _rkc_prefix(bik) if is_bank_of_russia_division(bik) else bik[6:9]


def validate_bank_account(account, bik) -> str:
    """Settlement (расчётный) account, 20 digits, checked against the БИК by the control key.

    The БИК is validated too (its errors carry ``bik_*`` codes). See the module docstring for the
    two prefixes: last 3 БИК digits for a credit organisation, "0" + БИК digits 5–6 for an
    account in a division of the Bank of Russia.
    """
    prefix = bank_account_key_prefix(bik)
    text = _digits(account, "bank_account", (20,))
    if not _bank_key_ok(prefix, text):
        raise _error(
            "bank_account",
            "checksum",
            "Bank account number does not match the BIK (the control key is wrong)",
            value=text,
            bik=_clean(bik, "bik"),
        )
    return text


def validate_correspondent_account(account, bik) -> str:
    """Correspondent account of a bank: 20 digits, 30101…, key with prefix "0" + БИК digits 5–6."""
    bik_text = validate_bik(bik)
    text = _digits(account, "corr_account", (20,))
    if not text.startswith("30101"):
        raise _error(
            "corr_account", "prefix", "Correspondent account must begin with 30101", value=text
        )
    if text[-3:] != bik_text[-3:]:
        raise _error(
            "corr_account",
            "bik_mismatch",
            "The correspondent account must end with the same 3 digits as the BIK",
            value=text,
            bik=bik_text,
        )
    if not _bank_key_ok(_rkc_prefix(bik_text), text):
        raise _error(
            "corr_account",
            "checksum",
            "Correspondent account does not match the BIK (the control key is wrong)",
            value=text,
            bik=bik_text,
        )
    return text


def make_bank_account(bik: str, base19: str) -> str:
    """A valid settlement account at ``bik``: the 19 digits are the account without its key.

    ``base19`` = account digits 1–8 (balance account and currency, e.g. "40702810") followed by
    digits 10–20; the control key is computed and inserted as the 9th digit.
    """
    _require_digits(base19, "account base", (19,))
    prefix = bank_account_key_prefix(bik)
    account = base19[:8] + "0" + base19[8:]
    return account[:8] + _bank_key(prefix, account) + account[9:]


def make_correspondent_account(bik: str, middle8: str = "00000000") -> str:
    """A valid correspondent account 30101810K<middle8><last 3 БИК digits> for ``bik``."""
    bik = validate_bik(bik)
    _require_digits(middle8, "correspondent account middle part", (8,))
    account = "301018100" + middle8 + bik[6:9]
    return account[:8] + _bank_key(_rkc_prefix(bik), account) + account[9:]


# --------------------------------------------------------------------------- passport


def validate_passport(series, number) -> tuple[str, str]:
    """Passport of a citizen of Russia: series 4 digits ("45 08" accepted), number 6 digits."""
    return _digits(series, "passport_series", (4,)), _digits(number, "passport_number", (6,))


# --------------------------------------------------------------------------- лицевой счёт


def _luhn_check_digit(base: str) -> str:
    """Luhn digit for ``base``: from the right, double every other digit starting with the last."""
    total = 0
    for position, char in enumerate(reversed(base)):
        digit = int(char)
        if position % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return str((10 - total % 10) % 10)


def account_number_with_check_digit(base: str) -> str:
    """The product's personal-account number: ``base`` digits + a Luhn check digit."""
    _require_digits(base, "personal account base", tuple(range(1, PERSONAL_ACCOUNT_MAX_LENGTH)))
    return base + _luhn_check_digit(base)


def validate_account_number(value) -> str:
    """A personal-account number of this product (digits, last one a Luhn check digit)."""
    text = _digits(
        value,
        "personal_account",
        tuple(range(2, PERSONAL_ACCOUNT_MAX_LENGTH + 1)),
        expected=f"2 to {PERSONAL_ACCOUNT_MAX_LENGTH}",
    )
    if text[-1] != _luhn_check_digit(text[:-1]):
        raise _error(
            "personal_account",
            "checksum",
            "Personal account number check digit is wrong",
            value=text,
        )
    return text
