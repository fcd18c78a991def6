"""File formats of the product: readers and writers, pure Python, no Odoo.

Modules:

- :mod:`.onec_bank`: 1CClientBankExchange bank statements (read and write).
- :mod:`.registry`: bank registries of payments from individuals (read and write, per profile).
- :mod:`.debt_registry`: the debt registry exported to banks and payment apps.
- :mod:`.payment_qr`: the payment string of ГОСТ Р 56042-2014 (build and parse).
- :mod:`.agent_json`: the JSON list of payments of the payment agents' API.
- :mod:`.cbr_dailyinfo`: the Bank of Russia's key rates (web service DailyInfo, KeyRateXML).
- :mod:`.print_centre`: the receipts' data file for a print centre, its packs and manifest.

Every reader follows one rule: it validates the whole file and reports **every** bad line as a
:class:`LineError` (line number, field, stable code, English message) instead of stopping at the
first one. It returns a result object with ``records`` (the good lines), ``errors``, ``warnings``,
``totals`` and ``fingerprint`` (sha256 of the raw bytes, to recognise a file imported before);
``ok`` is False as soon as there is one error, and then nothing of the file should be booked.
A reader raises :class:`FormatError` only when the file cannot be read at all (not the format,
unknown encoding).
"""

from __future__ import annotations

import codecs
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields

from mobill_tko_core.errors import CoreError

__all__ = [
    "FormatError",
    "LineError",
    "ParseResult",
    "check_encoding",
    "decode_lines",
    "fingerprint",
    "stable_hash",
]


class FormatError(CoreError):
    """A file cannot be read or written at all (not the format, unknown encoding, bad profile)."""


@dataclass(frozen=True)
class LineError:
    """One problem of one line. ``line`` is 1-based; 0 means the file as a whole.

    ``code`` is stable and ``params`` holds the values the message is built from: the Odoo
    layer translates by the code and fills its template with the params. ``message`` is the
    English text for the command line and the logs.
    """

    line: int
    field: str | None
    code: str
    message: str
    params: Mapping = field(default_factory=dict, compare=False, hash=False)

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else "file"
        what = f" [{self.field}]" if self.field else ""
        return f"{where}{what}: {self.message} ({self.code})"


@dataclass
class ParseResult:
    """What every reader returns; readers extend it with their header and trailer data."""

    records: list = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)
    warnings: list[LineError] = field(default_factory=list)
    totals: dict = field(default_factory=dict)
    fingerprint: str = ""
    encoding: str = ""

    @property
    def ok(self) -> bool:
        """True when the file has no error: only then may its records be booked."""
        return not self.errors

    def error_lines(self) -> list[int]:
        """The distinct line numbers with an error, ascending."""
        return sorted({e.line for e in self.errors})


def known_keys_only(cls, data, code: str, what: str) -> dict:
    """A copy of ``data`` for ``cls(**…)``; a key that is not a field of ``cls`` is an error.

    Profiles stored in a table come back through this, so a typo never passes silently.
    """
    unknown = sorted(set(data) - {f.name for f in fields(cls)})
    if unknown:
        keys = ", ".join(unknown)
        raise FormatError(
            code,
            f"Unknown {what} keys: {keys}.",
            profile=data.get("name") or "",
            keys=unknown,
            problems=[
                LineError(
                    0,
                    None,
                    "formats.profile.unknown_keys",
                    f"unknown keys {keys}",
                    {"keys": unknown},
                )
            ],
        )
    return dict(data)


def fingerprint(data: bytes) -> str:
    """sha256 (hex) of the raw bytes of a file: the same file imported twice has the same one."""
    return hashlib.sha256(bytes(data)).hexdigest()


def stable_hash(*parts) -> str:
    """A short stable hash of some values (``None`` and ``""`` are the same), for record keys."""
    text = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def check_encoding(name: str, code: str = "formats.unknown_encoding") -> str:
    """The canonical Python codec name of ``name``; FormatError when Python does not know it."""
    try:
        return codecs.lookup(name).name
    except (LookupError, TypeError) as exc:
        raise FormatError(code, f"Unknown text encoding: {name!r}.", encoding=str(name)) from exc


def decode_lines(data: bytes, encoding: str) -> tuple[list[str], list[LineError]]:
    """Split raw bytes into text lines (without CR/LF) and decode each one.

    A UTF-8 byte order mark is dropped. A line that does not decode is reported as a
    ``bad_encoding`` error and kept with replacement characters, so the other lines are
    still read and numbered right.
    """
    encoding = check_encoding(encoding)
    raw = bytes(data)
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
    parts = raw.split(b"\n")
    if parts and parts[-1] == b"":
        parts.pop()
    lines: list[str] = []
    errors: list[LineError] = []
    for number, part in enumerate(parts, start=1):
        part = part.rstrip(b"\r")
        try:
            lines.append(part.decode(encoding))
        except UnicodeDecodeError:
            lines.append(part.decode(encoding, errors="replace"))
            errors.append(
                LineError(
                    number,
                    None,
                    "bad_encoding",
                    f"The line is not valid {encoding} text.",
                    {"encoding": encoding},
                )
            )
    return lines, errors
