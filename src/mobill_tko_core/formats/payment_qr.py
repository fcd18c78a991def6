"""Payment string of ГОСТ Р 56042-2014 (the QR code on a payment document, ЕПД).

``ST0001`` + the encoding digit (1 = windows-1251, 2 = UTF-8, 3 = KOI8-R), then ``Key=Value``
fields joined by a separator, normally ``|``. The mandatory block comes first and in this order:
``Name``, ``PersonalAcc``, ``BankName``, ``BIC``, ``CorrespAcc``; it takes at most 300 bytes.
``Sum`` is in kopecks. ``PersAcc`` is the payer's personal account (лицевой счёт) and
``PaymPeriod`` the period paid, written ``MMYYYY`` here (the GOST fixes no format).

:func:`build_payment_string` checks every field and reports all problems in one
:class:`FormatError`; :func:`payment_bytes` encodes the string in its declared encoding (what
the QR symbol must hold); :func:`parse_payment_string` reads one back.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from mobill_tko_core.formats import FormatError
from mobill_tko_core.money import from_kopecks, to_kopecks

__all__ = [
    "ENCODINGS",
    "REQUIRED_FIELDS",
    "PaymentString",
    "build_payment_string",
    "parse_payment_string",
    "payment_bytes",
]

SERVICE_TAG = "ST0001"
#: Encoding digit -> Python codec.
ENCODINGS = {1: "cp1251", 2: "utf-8", 3: "koi8_r"}
REQUIRED_FIELDS = ("Name", "PersonalAcc", "BankName", "BIC", "CorrespAcc")
#: Separators to use when a value holds ``|`` (the order QRCoder uses).
ALTERNATIVE_SEPARATORS = "|#;:^_~{}!$%&()*+,/@"
MANDATORY_BLOCK_LIMIT = 300

_ACCOUNT_RE = re.compile(r"^[1-9]\d{4}[0-9ABCEHKMPTX]\d{14}$")
#: field -> (regex the value must match, what it must be)
_RULES = {
    "Name": (re.compile(r"^.{1,160}$"), "1 to 160 characters"),
    "PersonalAcc": (_ACCOUNT_RE, "a 20-character bank account"),
    "BankName": (re.compile(r"^.{1,45}$"), "1 to 45 characters"),
    "BIC": (re.compile(r"^\d{9}$"), "9 digits"),
    "CorrespAcc": (re.compile(r"^(?:0|[1-9]\d{4}[0-9ABCEHKMPTX]\d{14})$"), "a 20-digit account"),
    "Sum": (re.compile(r"^\d{1,18}$"), "kopecks, up to 18 digits"),
    "Purpose": (re.compile(r"^.{1,160}$"), "up to 160 characters"),
    "PayeeINN": (re.compile(r"^(?:\d{10}|\d{12})$"), "10 or 12 digits"),
    "PayerINN": (re.compile(r"^(?:\d{10}|\d{12})$"), "10 or 12 digits"),
    "KPP": (re.compile(r"^(?:0|\d{4}[0-9A-Z]{2}\d{3})$"), "9 characters"),
    "CBC": (re.compile(r"^\d{20}$"), "20 digits"),
    "OKTMO": (re.compile(r"^\d{8}(?:\d{3})?$"), "8 or 11 digits"),
    "DrawerStatus": (re.compile(r"^\d{2}$"), "2 digits"),
    "PaymPeriod": (re.compile(r"^(?:0[1-9]|1[0-2])\d{4}$"), "MMYYYY"),
    "TechCode": (re.compile(r"^\d{2}$"), "2 digits"),
}
_KEY_RE = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")


@dataclass
class PaymentString:
    """A parsed (or built) payment string. ``fields`` keep their order."""

    encoding: int
    separator: str
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def amount(self) -> Decimal | None:
        """``Sum`` in roubles."""
        value = self.fields.get("Sum")
        return from_kopecks(int(value)) if value else None

    @property
    def period(self) -> date | None:
        """``PaymPeriod`` (MMYYYY) as the first day of the month."""
        value = self.fields.get("PaymPeriod", "")
        if re.fullmatch(r"(0[1-9]|1[0-2])\d{4}", value):
            return date(int(value[2:]), int(value[:2]), 1)
        return None

    @property
    def text(self) -> str:
        body = self.separator.join(f"{k}={v}" for k, v in self.fields.items())
        return f"{SERVICE_TAG}{self.encoding}{self.separator}{body}"


def _value_text(key: str, value) -> str:
    if key == "Sum":
        if isinstance(value, Decimal):
            return str(to_kopecks(value))  # roubles
        return str(value).strip()  # int or digits: kopecks
    if isinstance(value, date):
        return value.strftime("%m%Y") if key == "PaymPeriod" else value.strftime("%d.%m.%Y")
    return " ".join(str(value).split())


def build_payment_string(
    fields: Mapping[str, object],
    *,
    encoding: int = 2,
    separator: str | None = "|",
) -> str:
    """The payment string of ``fields`` (``Key`` -> value, in the order to write).

    The mandatory fields are put first, in the GOST order. ``Sum`` takes a ``Decimal`` in
    roubles or an ``int`` (or digit string) in kopecks; ``PaymPeriod`` a date or ``MMYYYY``;
    other dates are written dd.mm.yyyy. Empty values are left out. A value holding the
    separator is an error, unless ``separator`` is None: then the first of
    :data:`ALTERNATIVE_SEPARATORS` that no value holds is used.
    Raises :class:`FormatError` (``formats.qr.invalid``, ``params["problems"]``) listing every
    problem.
    """
    if encoding not in ENCODINGS:
        raise FormatError(
            "formats.qr.bad_encoding",
            f"The encoding digit must be 1 (windows-1251), 2 (UTF-8) or 3 (KOI8-R), "
            f"not {encoding}.",
            encoding=encoding,
        )
    codec = ENCODINGS[encoding]
    values: dict[str, str] = {}
    for key in (*REQUIRED_FIELDS, *(k for k in fields if k not in REQUIRED_FIELDS)):
        raw = fields.get(key)
        if raw is None or raw == "":
            continue
        values[key] = _value_text(key, raw)
    problems: list[tuple[str, str, str]] = []
    for key in REQUIRED_FIELDS:
        if not values.get(key):
            problems.append((key, "missing_field", f"{key} is required."))
    for key, value in values.items():
        if not _KEY_RE.match(key):
            problems.append((key, "bad_key", f"«{key}» is not a field name."))
        rule = _RULES.get(key)
        if rule and not rule[0].match(value):
            problems.append((key, "bad_value", f"{key}={value} must be {rule[1]}."))
        try:
            value.encode(codec)
        except UnicodeEncodeError:
            problems.append((key, "unencodable", f"{key} cannot be written in {codec}."))
    if separator is None:
        separator = next(
            (s for s in ALTERNATIVE_SEPARATORS if not any(s in v for v in values.values())), ""
        )
        if not separator:
            problems.append(("", "no_separator", "Every possible separator occurs in a value."))
    else:
        problems += [
            (k, "separator_in_value", f"{k} holds the separator «{separator}».")
            for k, v in values.items()
            if separator in v
        ]
    if not problems:
        mandatory = separator.join(f"{k}={values[k]}" for k in REQUIRED_FIELDS)
        size = len((separator + mandatory).encode(codec))
        if size > MANDATORY_BLOCK_LIMIT:
            problems.append(
                ("", "too_long", f"The mandatory block takes {size} bytes, the limit is 300.")
            )
    if problems:
        raise FormatError(
            "formats.qr.invalid",
            "The payment string is wrong: " + "; ".join(p[2] for p in problems),
            problems=problems,
        )
    return PaymentString(encoding, separator, values).text


def payment_bytes(text: str) -> bytes:
    """The bytes of a payment string in the encoding its service block declares."""
    if not text.startswith(SERVICE_TAG) or len(text) < 8 or not text[6].isdigit():
        raise FormatError("formats.qr.not_a_payment", "This is not a ГОСТ Р 56042 payment string.")
    codec = ENCODINGS.get(int(text[6]))
    if codec is None:
        raise FormatError("formats.qr.bad_encoding", f"Unknown encoding digit {text[6]}.")
    return text.encode(codec)


def parse_payment_string(data: bytes | str) -> PaymentString:
    """Read a payment string (the QR symbol's bytes, or text). Checks the service block and that
    the mandatory fields come first, in order; keeps unknown fields."""
    if isinstance(data, bytes | bytearray):
        head = bytes(data[:8]).decode("ascii", "replace")
    else:
        head = data[:8]
    if not head.startswith(SERVICE_TAG) or len(head) < 8 or not head[6].isdigit():
        raise FormatError("formats.qr.not_a_payment", "This is not a ГОСТ Р 56042 payment string.")
    encoding = int(head[6])
    if encoding not in ENCODINGS:
        raise FormatError("formats.qr.bad_encoding", f"Unknown encoding digit {encoding}.")
    if isinstance(data, bytes | bytearray):
        try:
            text = bytes(data).decode(ENCODINGS[encoding])
        except UnicodeDecodeError as exc:
            raise FormatError(
                "formats.qr.bad_bytes",
                f"The payment string is not valid {ENCODINGS[encoding]} text.",
            ) from exc
    else:
        text = data
    separator = text[7]
    result = PaymentString(encoding, separator)
    problems: list[str] = []
    for part in text[8:].split(separator):
        if not part:
            continue  # a trailing separator is allowed
        key, eq, value = part.partition("=")
        if not eq or not _KEY_RE.match(key):
            problems.append(f"«{part[:40]}» is not Key=Value")
            continue
        result.fields[key] = value
    if tuple(result.fields)[: len(REQUIRED_FIELDS)] != REQUIRED_FIELDS:
        problems.append(f"the string must start with {', '.join(REQUIRED_FIELDS)} in this order")
    if problems:
        raise FormatError(
            "formats.qr.invalid",
            "The payment string is wrong: " + "; ".join(problems) + ".",
            problems=problems,
        )
    return result
