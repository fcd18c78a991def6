"""One translation path for every message of the functional core.

The core reports problems with a stable ``code`` and the ``params`` its English message is
built from (:class:`~mobill_tko_core.errors.CoreError`, the file readers' ``LineError``, the
registry import's ``RowError``). Each add-on contributes its own dict of ``_lt`` templates by
code with :func:`register`; :func:`core_message` renders any of them in the user's language,
looked up by code: the core's English wording never matters. Field codes of line errors have
labels by code too (:func:`field_label`). A ``field`` parameter is shown with its label; a list
of errors (the ``problems`` of a profile check) is shown as their messages joined by «; ».
"""

from datetime import date
from decimal import Decimal

from odoo.exceptions import UserError, ValidationError
from odoo.tools.translate import _lt, code_translations

#: code → ``_lt`` template, filled by every add-on with :func:`register`
TEMPLATES = {}
#: field code of a line error or a requisite → ``_lt`` label
FIELD_LABELS = {}


def register(templates=None, field_labels=None):
    """Add an add-on's templates (code → ``_lt``) and field labels (field code → ``_lt``)."""
    TEMPLATES.update(templates or {})
    FIELD_LABELS.update(field_labels or {})


def _in_language(env, lazy) -> str:
    """``lazy`` (an ``_lt`` of any add-on) in the language of ``env``."""
    lang = env.lang if env is not None else None
    if not lang or lang == "en_US":
        return lazy._source
    terms = code_translations.get_python_translations(lazy._module, lang)
    return terms.get(lazy._source, lazy._source)


def field_label(env, name):
    """The label of a core field code in the language of ``env`` (the name itself if unknown)."""
    lazy = FIELD_LABELS.get(name or "")
    return name if lazy is None else _in_language(env, lazy)


def _param_text(env, key, value):
    if key == "field":
        return field_label(env, value) or ""
    if isinstance(value, list | tuple) and value and all(hasattr(v, "code") for v in value):
        # the problems of one check (a profile's), each a core error of its own
        return "; ".join(core_error_message(v, env) for v in value)
    if isinstance(value, tuple | list | set | frozenset):
        return ", ".join(str(v) for v in value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    return "" if value is None else value


def core_message(env, code, params=None, fallback=""):
    """The message of core ``code`` with ``params`` in the language of ``env``.

    ``fallback`` (the core's English message) is returned only when no add-on has a template
    for the code; a test makes sure that every code the core raises has one.
    """
    template = TEMPLATES.get(code or "")
    if template is None:
        return fallback
    values = {key: _param_text(env, key, value) for key, value in (params or {}).items()}
    try:
        return _in_language(env, template) % values
    except (KeyError, TypeError, ValueError):
        return fallback


def core_error_message(error, env=None) -> str:
    """The message of a core error (``CoreError``, ``LineError``, ``RowError``) for ``env``.

    A line error the Odoo side made itself (``params["translated"]``) is already translated.
    """
    params = getattr(error, "params", None) or {}
    if params.get("translated"):
        return error.message
    return core_message(env, getattr(error, "code", ""), params, str(error.message))


def raise_user_error(env, error, validation=True):
    """Raise the Odoo exception that shows a core error to the user, in the user's language."""
    exc = ValidationError if validation else UserError
    raise exc(core_error_message(error, env)) from error


# ---------------------------------------------------------------------------- requisites
REQUISITE_LABELS = {
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

# the same problem of every requisite: ``<field>_<kind>``
_KIND_TEMPLATES = {
    "empty": _lt("%(field)s is empty."),
    "not_digits": _lt("%(field)s must contain digits only (got “%(value)s”)."),
    "length": _lt("%(field)s “%(value)s” has %(length)s digits; %(expected)s expected."),
    "checksum": _lt(
        "%(field)s “%(value)s” is wrong: its check digit does not match. Check the number "
        "against the document."
    ),
}

REQUISITE_TEMPLATES = {
    f"{field}_{kind}": template
    for field in REQUISITE_LABELS
    for kind, template in _KIND_TEMPLATES.items()
} | {
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

register(REQUISITE_TEMPLATES, REQUISITE_LABELS)


# ------------------------------------------------------- import of consumers (registry_io)
REGISTRY_IO_TEMPLATES = {
    "required": _lt("“%(column)s” is required."),
    "consumer_kind_unknown": _lt(
        "“%(value)s” is not a known consumer kind; use one of: %(allowed)s."
    ),
    "object_kind_unknown": _lt("“%(value)s” is not a known object kind; use one of: %(allowed)s."),
    "calc_method_unknown": _lt(
        "“%(value)s” is not a known calculation method; use one of: %(allowed)s."
    ),
    "inn_required": _lt("INN is required for a consumer of kind %(kind)s."),
    "not_for_kind": _lt("“%(column)s” is not filled for a consumer of kind %(kind)s."),
    "email_format": _lt("“%(value)s” is not an e-mail address."),
    "address_empty": _lt("Give the address of the object or its ГАР GUID."),
    "address_guid_format": _lt(
        "“%(value)s” is not a GUID (32 hexadecimal digits in 5 groups, e.g. "
        "0c5b2444-70a0-4932-980c-b4dc0d3f02b5)."
    ),
    "incomplete": _lt("“%(column)s” is required when “%(other)s” is given."),
    "account_dates_order": _lt("The account closes (%(close)s) before it opens (%(open)s)."),
    "date_format": _lt("“%(value)s” is not a date in the form DD.MM.YYYY."),
    "number_format": _lt("“%(value)s” is not a number."),
    "number_negative": _lt("“%(value)s” is negative."),
    "number_not_integer": _lt("“%(value)s” is not a whole number."),
    "number_precision": _lt("“%(value)s” has more than %(places)s digits after the decimal comma."),
    "number_not_positive": _lt("“%(value)s” must be greater than zero."),
    "schedule_format": _lt(
        "Pick-up schedule “%(value)s” is not understood: write «ежедневно», weekdays such as "
        "«пн,ср,пт», «каждые 3 дн. с 01.02.2025» or «даты 05.01.2025,19.01.2025»."
    ),
    "account_number_duplicate": _lt(
        "Personal account %(value)s is already on line %(other_line)s."
    ),
    "account_duplicate": _lt(
        "Line %(other_line)s already opens an account of this consumer for this object on this "
        "date."
    ),
    "object_conflict": _lt("The same object is of another kind on line %(other_line)s."),
    "characteristic_conflict": _lt(
        "The same object has another value or date of “%(column)s” on line %(other_line)s."
    ),
    "consumer_conflict": _lt(
        "The same consumer has “%(value)s” in “%(column)s” on line %(other_line)s."
    ),
    "missing_column": _lt("The file has no column “%(column)s”."),
    "duplicate_column": _lt("Column “%(column)s” appears twice."),
    "unknown_column": _lt("Column “%(column)s” is not part of the layout and is ignored."),
    "row_too_long": _lt("The row has %(cells)s cells but the header only %(columns)s."),
    "no_rows": _lt("The file has a header but no rows."),
    "registry_io.empty": _lt("The file is empty."),
    "registry_io.bad_xlsx": _lt("The file cannot be read as an XLSX workbook."),
    "registry_io.bad_csv": _lt("The file cannot be read as CSV: %(reason)s."),
    "registry_io.bad_encoding": _lt(
        "The file is neither UTF-8 nor windows-1251 text; save it as CSV (UTF-8) or XLSX."
    ),
    "registry_io.unknown_encoding": _lt("Unknown text encoding: %(encoding)s."),
    "registry_io.not_encodable": _lt(
        "Line %(line)s has the character “%(char)s” that %(encoding)s cannot hold; export in "
        "UTF-8 instead."
    ),
}

register(REGISTRY_IO_TEMPLATES)
