"""Translate the functional core's errors (stable codes, English text) for Odoo users."""

from odoo.exceptions import UserError, ValidationError
from odoo.tools.translate import _lt, code_translations

FIELD_LABELS = {
    "inn": _lt("INN"),
    "kpp": _lt("KPP"),
    "ogrn": _lt("OGRN"),
    "snils": _lt("SNILS"),
    "bik": _lt("BIK"),
    "bank_account": _lt("Bank account number"),
    "corr_account": _lt("Correspondent account number"),
    "passport_series": _lt("Passport series"),
    "passport_number": _lt("Passport number"),
    "personal_account": _lt("Personal account number"),
}

# Templates by the kind of problem (the part of the code after the field name).
KIND_TEMPLATES = {
    "empty": _lt("%(label)s is empty."),
    "not_digits": _lt("%(label)s must contain digits only (got “%(value)s”)."),
    "length": _lt("%(label)s “%(value)s” has %(length)s digits; %(expected)s expected."),
    "checksum": _lt(
        "%(label)s “%(value)s” is wrong: its check digit does not match. Check the number "
        "against the document."
    ),
}

# Whole codes with a message of their own.
CODE_TEMPLATES = {
    "kpp_format": _lt("KPP “%(value)s” must be 4 digits, 2 digits or capital letters, 3 digits."),
    "ogrn_sign": _lt(
        "OGRN “%(value)s” is not a registration number of this kind of consumer (an "
        "organisation's begins with 1 or 5, an entrepreneur's with 3)."
    ),
    "bik_country": _lt("BIK “%(value)s” must begin with 04."),
    "bank_account_checksum": _lt(
        "Bank account “%(value)s” does not match BIK %(bik)s (the control key is wrong). "
        "Check the account number and the bank."
    ),
    "corr_account_prefix": _lt("Correspondent account “%(value)s” must begin with 30101."),
    "corr_account_bik_mismatch": _lt(
        "Correspondent account “%(value)s” does not belong to the bank with BIK %(bik)s."
    ),
}


def _translate(env, lazy) -> str:
    """A lazy term of this module in the language of ``env`` (the caller has no ``self``)."""
    source = lazy._source
    lang = env.lang if env is not None else None
    if not lang or lang == "en_US":
        return source
    return code_translations.get_python_translations("mobill_tko_base", lang).get(source, source)


def core_error_message(error, env=None) -> str:
    """The message of a :class:`mobill_tko_core.errors.CoreError` in the language of ``env``."""
    params = {
        k: (", ".join(map(str, v)) if isinstance(v, tuple | list) else v)
        for k, v in getattr(error, "params", {}).items()
    }
    code = getattr(error, "code", "")
    params.setdefault("value", "")
    params.setdefault("bik", "")
    template = CODE_TEMPLATES.get(code)
    if template is None:
        field, _sep, kind = code.partition("_") if code else ("", "", "")
        for known in FIELD_LABELS:
            if code.startswith(known + "_"):
                field, kind = known, code[len(known) + 1 :]
                break
        template = KIND_TEMPLATES.get(kind)
        if template is None or field not in FIELD_LABELS:
            return str(error)
        params["label"] = _translate(env, FIELD_LABELS[field])
    try:
        return _translate(env, template) % params
    except (KeyError, TypeError, ValueError):
        return str(error)


def raise_user_error(env, error, validation=True):
    """Raise the Odoo exception that shows a core error to the user, in the user's language."""
    exc = ValidationError if validation else UserError
    raise exc(core_error_message(error, env)) from error
