"""The print-centre export of monthly receipts (ЕПД): data file, PDF packs and manifest.

Every month the operator sends each print centre (типография, configured per district or
zone) the receipts of its accounts: a **data file** the print centre prints from, **PDF
packs** of at most N receipts in delivery-route order, and a **manifest** (counts, totals to
pay, sizes and sha256 of every file). The receipt content follows ПП РФ № 354 п. 69 and the
sample payment document of приказ Минстроя России № 43/пр; the QR code on it is the
ГОСТ Р 56042-2014 payment string (:mod:`.payment_qr`). This module only lays out rows that
``mobill_tko_core.receipts.flat`` has already built: one ``dict[str, str]`` per receipt with
the keys of :data:`ROW_KEYS` (amounts «1234.50», dates dd.mm.yyyy, period YYYY-MM, ``route``
a sortable text key, "" when unknown).

There is no public standard for the data file: every print centre's contract names its own
layout, so a :class:`PrintProfile` describes it (CSV or XML, encoding, separator, decimal
mark, line ending, header row, ordered columns, XML tag names, file name pattern, pack size).
Profiles are plain data (:meth:`PrintProfile.to_dict` / :meth:`PrintProfile.from_dict`).

- :func:`write_data_file` / :func:`read_data_file`: the data file and its reader (round trip;
  the reader also checks what a print centre sends back); :func:`iter_data_file`: the same
  bytes in pieces, for a million receipts written to disk.
- :func:`sort_rows`, :func:`house_of`, :func:`packs`: route order and the cut into packs that
  never split a house.
- :func:`manifest`, :func:`manifest_text`, :func:`manifest_files`: the manifest.

Everything is deterministic: the same rows and profile give the same bytes (no timestamps).
Problems are :class:`~mobill_tko_core.formats.FormatError` with a stable code and params;
row problems are all listed together (``params["errors"]``) and then nothing is written.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import operator
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal

from mobill_tko_core.formats import (
    FormatError,
    LineError,
    ParseResult,
    check_encoding,
    fingerprint,
    known_keys_only,
)
from mobill_tko_core.formats.registry import (
    check_profile_basics,
    choice_problem,
    format_period,
    parse_period,
    problem,
)
from mobill_tko_core.money import ZERO, round_money, to_decimal
from mobill_tko_core.receipts import FLAT_KEYS

__all__ = [
    "AMOUNT_KEYS",
    "DEFAULT_PRINT_PROFILE",
    "ROW_KEYS",
    "PrintDataResult",
    "PrintProfile",
    "file_name",
    "house_of",
    "iter_data_file",
    "manifest",
    "manifest_files",
    "manifest_text",
    "packs",
    "read_data_file",
    "sort_rows",
    "total_to_pay",
    "write_data_file",
]

#: The keys of a receipt row (``mobill_tko_core.receipts.flat``): the contract of the two sides.
ROW_KEYS = FLAT_KEYS
#: Characters an 8-bit encoding lacks, written as their plain forms there (units «м³», «м²»; a
#: minus sign; the narrow and no-break spaces of formatted numbers)
PLAIN_TEXT = str.maketrans(
    {"³": "3", "²": "2", "\u2212": "-", "\u00a0": " ", "\u2009": " ", "\u202f": " "}
)
#: Numbers written with the profile's decimal mark (the rows hold them with «.»).
AMOUNT_KEYS = frozenset(
    "quantity tariff charged recalculation benefits opening_balance paid penalties "
    "total_to_pay".split()
)
FILE_FORMATS = ("csv", "xml")
LINE_ENDINGS = {"CRLF": "\r\n", "LF": "\n"}
QUOTING = ("quote", "refuse")
#: XML encoding names of Python's codecs (the declaration must name what the bytes are).
_XML_ENCODINGS = {"cp1251": "windows-1251", "utf-8": "UTF-8", "koi8-r": "KOI8-R"}
_XML_NAME = re.compile(r"^[^\W\d][\w.-]*$")
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")
_PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_FILENAME_BAD = re.compile(r'[\\/:*?"<>|\x00-\x1f]')
_QUOTE = '"'


@dataclass(frozen=True)
class PrintProfile:
    """The data-file layout of one print centre (типография), from its contract.

    ``columns``: ordered pairs (column header or XML tag, row key of :data:`ROW_KEYS`).
    ``period_format``: how the ``period`` column is written (MMYYYY, MM.YYYY, MMYY).
    ``line_ending``: ``CRLF`` or ``LF``. ``quoting``: a CSV value holding the separator, a
    quote or a line break is quoted (``quote``, RFC 4180) or refused (``refuse``: for print
    centres whose software does not read quotes). ``filename_pattern``: Python format with
    ``code`` (the print centre's code), ``period`` (YYYY-MM), ``part`` (1-based number) and
    ``ext`` (csv, xml, pdf). ``pack_size``: receipts per PDF pack. ``manifest_text``: also
    send the manifest as plain text.
    """

    name: str
    file_format: str = "csv"
    encoding: str = "cp1251"
    separator: str = ";"
    decimal_mark: str = "."
    period_format: str = "MM.YYYY"
    line_ending: str = "CRLF"
    header: bool = True
    quoting: str = "quote"
    columns: tuple[tuple[str, str], ...] = tuple((key, key) for key in ROW_KEYS)
    xml_root: str = "receipts"
    xml_record: str = "receipt"
    filename_pattern: str = "{code}_{period}_{part:03d}.{ext}"
    pack_size: int = 500
    manifest_text: bool = False

    def __post_init__(self):
        problems = self.check()
        if problems:
            raise FormatError(
                "formats.print_centre.bad_profile",
                f"Print centre profile «{self.name}» is wrong: "
                f"{'; '.join(p.message for p in problems)}.",
                profile=self.name,
                problems=problems,
            )

    def check(self) -> list[LineError]:
        """Every problem of the profile (codes ``formats.profile.*``, ``…print_centre.*``)."""
        problems = check_profile_basics(self)
        if len(self.separator) > 1 or self.separator == _QUOTE:
            problems.append(
                problem(
                    "formats.print_centre.bad_separator",
                    f"the separator «{self.separator}» must be one character other than "
                    "a quote or a line break",
                    value=self.separator,
                )
            )
        problems += choice_problem(
            "formats.print_centre.bad_file_format",
            "the file format",
            self.file_format,
            FILE_FORMATS,
        )
        problems += choice_problem(
            "formats.print_centre.bad_line_ending",
            "the line ending",
            self.line_ending,
            tuple(LINE_ENDINGS),
        )
        problems += choice_problem(
            "formats.print_centre.bad_quoting", "the quoting", self.quoting, QUOTING
        )
        problems += self._column_problems()
        if self.file_format == "xml":
            for tag in (self.xml_root, self.xml_record):
                problems += _tag_problems(tag)
        problems += self._pattern_problems()
        if (
            not isinstance(self.pack_size, int)
            or isinstance(self.pack_size, bool)
            or self.pack_size < 1
        ):
            problems.append(
                problem(
                    "formats.print_centre.bad_pack_size",
                    f"the pack size must be a whole number of 1 or more, not {self.pack_size!r}",
                    value=self.pack_size,
                )
            )
        return problems

    def _column_problems(self) -> list[LineError]:
        if not self.columns:
            return [problem("formats.profile.no_columns", "the profile has no columns")]
        problems, seen = [], set()
        try:
            encoding = check_encoding(self.encoding)
        except FormatError:
            encoding = None  # reported by the basics
        for header, key in self.columns:
            if key not in ROW_KEYS:
                problems.append(
                    problem(
                        "formats.print_centre.unknown_key",
                        f"«{key}» is not a field of a receipt",
                        key=key,
                    )
                )
            if header in seen:
                problems.append(
                    problem(
                        "formats.print_centre.duplicate_header",
                        f"the column «{header}» is named twice",
                        header=header,
                    )
                )
            seen.add(header)
            if self.file_format == "xml":
                problems += _tag_problems(header)
            elif not header or any(c in header for c in (self.separator, _QUOTE, "\r", "\n")):
                problems.append(
                    problem(
                        "formats.print_centre.bad_header",
                        f"the column header «{header}» is empty or holds the separator, "
                        "a quote or a line break",
                        header=header,
                    )
                )
            if encoding and not _encodable(header, encoding):
                problems.append(
                    problem(
                        "formats.print_centre.header_unencodable",
                        f"the column header «{header}» cannot be written in {encoding}",
                        header=header,
                        encoding=encoding,
                    )
                )
        return problems

    def _pattern_problems(self) -> list[LineError]:
        if not self.filename_pattern:
            return [
                problem("formats.profile.no_filename_pattern", "the file name pattern is empty")
            ]
        samples = [(1, self.file_format), (1, "pdf"), (2, "pdf"), (0, "manifest.json")]
        try:
            names = {
                self.filename_pattern.format(code="K", period="2025-01", part=part, ext=ext)
                for part, ext in samples
            }
        except (KeyError, IndexError, ValueError, TypeError, AttributeError):
            return [
                problem(
                    "formats.print_centre.bad_filename_pattern",
                    f"the file name pattern «{self.filename_pattern}» cannot be filled "
                    "(it may name code, period, part and ext)",
                    pattern=self.filename_pattern,
                )
            ]
        if len(names) < len(samples):
            return [
                problem(
                    "formats.print_centre.filename_not_unique",
                    f"the file name pattern «{self.filename_pattern}» gives two files the same "
                    "name: it must use the part number and the extension (part, ext)",
                    pattern=self.filename_pattern,
                )
            ]
        return []

    @property
    def eol(self) -> str:
        """The line ending's characters."""
        return LINE_ENDINGS[self.line_ending]

    def to_dict(self) -> dict:
        """A JSON-friendly dict (to store the profile in a table); columns as lists."""
        data = asdict(self)
        data["columns"] = [list(pair) for pair in self.columns]
        return data

    @classmethod
    def from_dict(cls, data: Mapping) -> PrintProfile:
        """The profile of :meth:`to_dict`'s dict; an unknown key is refused."""
        values = known_keys_only(
            cls, data, "formats.print_centre.bad_profile", "print centre profile"
        )
        if "columns" in values:
            values["columns"] = tuple((str(h), str(k)) for h, k in values["columns"] or ())
        return cls(**values)


def _tag_problems(tag: str) -> list[LineError]:
    if _XML_NAME.match(tag or "") and ":" not in tag:
        return []
    return [
        problem(
            "formats.print_centre.bad_tag",
            f"«{tag}» cannot be an XML tag name",
            tag=tag,
        )
    ]


def _encodable(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


#: CSV, cp1251, «;», «.», CRLF, a header row, every field under its own name, packs of 500.
DEFAULT_PRINT_PROFILE = PrintProfile(name="default")


# -- order, houses and packs -----------------------------------------------------------------


def _order(row: Mapping) -> tuple[str, str]:
    return (row.get("route") or "", row.get("account") or "")


def sort_rows(rows: Iterable[Mapping]) -> list[Mapping]:
    """The rows in delivery order: by ``route``, then ``account`` (as text; stable)."""
    return sorted(rows, key=_order)


#: The apartment part of an address: its end from a word naming a flat, room, office or
#: premises («, кв. 5», «кв 5а», «ком. 3», «комн 2», «пом. 1Н», «оф. 12») after a comma or blank.
_APARTMENT = re.compile(
    r"(?:,\s*|\s+)(?:кв|квартира|ком|комн|комната|пом|помещение|оф|офис)\b\.?[^,]*$"
)


def house_of(row: Mapping) -> str:
    """The house a receipt is delivered to, for cutting packs (postmen carry whole houses).

    The rule: the row's ``address`` lower-cased, blanks collapsed, without its apartment part
    (from a word кв, квартира, ком, комн, комната, пом, помещение, оф or офис, with or without
    a dot, after a comma or a blank, to the end when no comma follows). «ул Ленина, д 1, кв 5»
    and «ул Ленина, д. 1, кв. 7» are not the same house text, so write addresses one way
    (``receipts`` does). A row without an address is a house of its own (its ``route`` key,
    then its account). Only consecutive rows in route order make one house.
    """
    address = " ".join(str(row.get("address") or "").lower().split())
    if not address:
        return "\x00" + (row.get("route") or "") + "\x00" + (row.get("account") or "")
    return _APARTMENT.sub("", address).strip()


def packs(rows: Iterable[Mapping], size: int) -> list[list[Mapping]]:
    """The rows in route order (:func:`sort_rows`) cut into packs of at most ``size``.

    A house (:func:`house_of`, consecutive rows) is never split between packs unless it alone
    has more than ``size`` receipts: then it starts a new pack and is cut into packs of
    ``size``, the last one left open for the next houses. Every row is in exactly one pack,
    in route order.
    """
    if not isinstance(size, int) or isinstance(size, bool) or size < 1:
        raise FormatError(
            "formats.print_centre.bad_pack_size",
            f"The pack size must be a whole number of 1 or more, not {size!r}.",
            value=size,
        )
    result: list[list[Mapping]] = []
    current: list[Mapping] = []
    for house in _houses(sort_rows(rows)):
        if len(current) + len(house) <= size:
            current += house
            continue
        if current:
            result.append(current)
        while len(house) > size:
            result.append(house[:size])
            house = house[size:]
        current = house
    if current:
        result.append(current)
    return result


def _houses(ordered: list[Mapping]) -> Iterable[list[Mapping]]:
    group: list[Mapping] = []
    last = None
    for row in ordered:
        house = house_of(row)
        if group and house != last:
            yield group
            group = []
        group.append(row)
        last = house
    if group:
        yield group


def total_to_pay(rows: Iterable[Mapping]) -> Decimal:
    """The sum of the rows' ``total_to_pay`` in roubles, to kopecks ("" counts as 0)."""
    return round_money(sum((to_decimal(r.get("total_to_pay") or "0") for r in rows), ZERO))


# -- file names ------------------------------------------------------------------------------


def _check_period(period: str) -> str:
    if not isinstance(period, str) or not _PERIOD.match(period):
        raise FormatError(
            "formats.print_centre.bad_period",
            f"The period «{period}» is not written YYYY-MM.",
            period=str(period),
        )
    return period


def file_name(profile: PrintProfile, centre_code: str, period: str, part: int = 1, ext=None) -> str:
    """The name of a file of the export: ``profile.filename_pattern`` filled with the print
    centre's ``code``, the ``period`` (YYYY-MM), the ``part`` and ``ext`` (default: the data
    file's format; ``pdf`` for a pack)."""
    _check_period(period)
    name = profile.filename_pattern.format(
        code=centre_code, period=period, part=int(part), ext=ext or profile.file_format
    )
    if not centre_code or _FILENAME_BAD.search(name):
        raise FormatError(
            "formats.print_centre.bad_filename",
            f"The file name «{name}» is empty or holds a character a file name cannot have.",
            filename=name,
            centre=centre_code,
        )
    return name


# -- the data file ---------------------------------------------------------------------------


def write_data_file(
    rows: Iterable[Mapping], profile: PrintProfile, *, centre_code: str, period: str
) -> bytes:
    """The data file of a print centre: the rows in route order (:func:`sort_rows`).

    CSV: an optional header row, then one line per receipt, values in the profile's columns;
    a value holding the separator, a quote or a line break is quoted (RFC 4180) or refused,
    as the profile says. XML: the declaration naming the encoding, then
    ``<root centre=… period=… count=…>`` with one record element per receipt and one child
    per column, text escaped. Numbers (:data:`AMOUNT_KEYS`) take the profile's decimal mark,
    the period its period format; a missing key is written empty.

    Every row is checked before anything is written: a value the encoding cannot hold (the
    account, the field and the character are named), a value the profile refuses, a bad
    period. All are reported together in one ``formats.print_centre.bad_rows`` error
    (``params["errors"]``, ``line`` being the receipt's number in the file).
    """
    _check_period(period)
    ordered = sort_rows(rows)
    data, errors = _chunk(ordered, profile, centre_code, period, 0, len(ordered))
    if errors:
        raise _rows_error(errors)
    return data


def iter_data_file(
    rows: Iterable[Mapping],
    profile: PrintProfile,
    *,
    centre_code: str,
    period: str,
    chunk: int = 10_000,
) -> Iterator[bytes]:
    """The bytes of :func:`write_data_file` in pieces of ``chunk`` receipts, to write a file
    of a million receipts to disk with bounded memory (the rows themselves stay in memory).

    Every row is checked first, in a pass that keeps no text: when one is wrong the same
    ``formats.print_centre.bad_rows`` error is raised by this call and nothing is yielded.
    The text is then built again piece by piece as it is read, so it takes about twice the
    time of :func:`write_data_file`. ``b"".join(iter_data_file(…))`` is its bytes.
    """
    _check_period(period)
    ordered = sort_rows(rows)
    count = len(ordered)
    bounds = [(start, min(start + chunk, count)) for start in range(0, count, chunk)] or [(0, 0)]
    errors: list[LineError] = []
    for start, stop in bounds:
        errors += _chunk(ordered, profile, centre_code, period, start, stop)[1]
    if errors:
        raise _rows_error(errors)
    return (_chunk(ordered, profile, centre_code, period, *bound)[0] for bound in bounds)


def _chunk(ordered, profile: PrintProfile, centre_code: str, period: str, start: int, stop: int):
    """(bytes, problems) of the receipts ``ordered[start:stop]`` (numbered from ``start + 1``);
    the first piece carries the header row or the XML declaration, the last the closing tag."""
    cells = _cells(profile)
    if profile.file_format == "xml":
        text, errors = _xml_text(ordered, profile, cells, (centre_code, period), (start, stop))
    else:
        text, errors = _csv_text(ordered, profile, cells, (start, stop))
    if not errors:
        try:
            return text.encode(profile.encoding), errors
        except UnicodeEncodeError:
            try:  # «м³» is written «м3» where the encoding has no superscripts (cp1251)
                return text.translate(PLAIN_TEXT).encode(profile.encoding), errors
            except UnicodeEncodeError:
                pass
    # report every problem at once: the refused rows were left out of the text
    errors = sorted(errors + _unencodable(ordered, profile, cells, start, stop), key=_line)
    if not errors:  # the root's attributes: the print centre's code
        raise FormatError(
            "formats.print_centre.unencodable_code",
            f"The print centre code «{centre_code}» cannot be written in {profile.encoding}.",
            centre=centre_code,
            encoding=profile.encoding,
        )
    return None, errors


def _line(error: LineError) -> int:
    return error.line


def _rows_error(errors: list[LineError]) -> FormatError:
    count = len({e.line for e in errors})
    return FormatError(
        "formats.print_centre.bad_rows",
        f"{count} receipts cannot be written to the print centre's file.",
        count=count,
        errors=errors,
    )


def _cells(profile: PrintProfile) -> Callable[[Mapping], list[str]]:
    """The function giving the cell texts of a row, in the profile's columns."""
    keys = [key for _header, key in profile.columns]
    getter = operator.itemgetter(*keys)
    mark, period_format = profile.decimal_mark, profile.period_format
    changes = [
        (index, functools.partial(_period_cell, period_format=period_format))
        for index, key in enumerate(keys)
        if key == "period"
    ]
    if mark != ".":
        changes += [
            (index, lambda value: value.replace(".", mark))
            for index, key in enumerate(keys)
            if key in AMOUNT_KEYS
        ]

    def values_of(row: Mapping) -> list[str]:
        try:
            values = list(getter(row)) if len(keys) > 1 else [getter(row)]
        except KeyError:  # a key the row does not have is written empty
            values = [row.get(key) for key in keys]
        if None in values:
            values = [value or "" for value in values]
        for index, change in changes:
            values[index] = change(values[index])
        return values

    return values_of


def _period_cell(value: str, period_format: str) -> str:
    m = _PERIOD.match(value)
    if not m:
        return value if not value else f"\x00{value}"  # refused by _row_problems
    return format_period(date(int(m.group(1)), int(m.group(2)), 1), period_format)


def _row_problems(number: int, row: Mapping, values: list[str], profile: PrintProfile):
    """The problems of one row's cell texts, other than the encoding."""
    errors = []
    account = row.get("account") or ""
    for (_header, key), value in zip(profile.columns, values, strict=True):
        if key == "period" and value.startswith("\x00"):
            errors.append(
                LineError(
                    number,
                    key,
                    "formats.print_centre.bad_row_period",
                    f"The period «{value[1:]}» of account {account} is not written YYYY-MM.",
                    {"account": account, "value": value[1:]},
                )
            )
            continue
        if profile.file_format == "xml":
            bad = _XML_FORBIDDEN.search(value)
            if bad:
                code = f"U+{ord(bad.group()):04X}"
                errors.append(
                    LineError(
                        number,
                        key,
                        "formats.print_centre.xml_forbidden_char",
                        f"The {key} of account {account} holds {code}, which XML cannot hold.",
                        {"account": account, "field": key, "codepoint": code},
                    )
                )
        elif profile.quoting == "refuse" and _needs_quotes(value, profile.separator):
            errors.append(
                LineError(
                    number,
                    key,
                    "formats.print_centre.needs_quoting",
                    f"The {key} of account {account} holds the separator «{profile.separator}», "
                    "a quote or a line break.",
                    {"account": account, "field": key, "separator": profile.separator},
                )
            )
    return errors


def _needs_quotes(value: str, separator: str) -> bool:
    return separator in value or _QUOTE in value or "\n" in value or "\r" in value


def _csv_text(ordered: list[Mapping], profile: PrintProfile, cells, bounds) -> tuple[str, list]:
    start, stop = bounds
    sep, eol = profile.separator, profile.eol
    width = len(profile.columns) - 1
    out = [sep.join(h for h, _k in profile.columns) + eol] if profile.header and not start else []
    errors: list[LineError] = []
    for number, row in enumerate(ordered[start:stop], start=start + 1):
        values = cells(row)
        line = sep.join(values)
        if line.count(sep) == width and not any(c in line for c in '"\r\n\x00'):
            out.append(line + eol)  # the common case: nothing to quote or refuse
            continue
        found = _row_problems(number, row, values, profile)
        if found:
            errors += found
            continue
        out.append(sep.join(_quoted(v, sep) for v in values) + eol)
    return "".join(out), errors


def _quoted(value: str, separator: str) -> str:
    if not _needs_quotes(value, separator):
        return value
    return _QUOTE + value.replace(_QUOTE, _QUOTE * 2) + _QUOTE


def _escape(value: str) -> str:
    return (
        value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    )


def _attribute(value: str) -> str:
    return _escape(value).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")


def _xml_encoding(encoding: str) -> str:
    name = check_encoding(encoding)
    return _XML_ENCODINGS.get(name, name)


def _xml_text(ordered, profile: PrintProfile, cells, export, bounds):
    (centre_code, period), (start, stop) = export, bounds
    eol = profile.eol
    tags = [tag for tag, _key in profile.columns]
    out = []
    if not start:
        out += [
            f'<?xml version="1.0" encoding="{_xml_encoding(profile.encoding)}"?>{eol}',
            f'<{profile.xml_root} centre="{_attribute(centre_code)}" period="{period}" '
            f'count="{len(ordered)}">{eol}',
        ]
    errors: list[LineError] = []
    record_open, record_close = f"  <{profile.xml_record}>{eol}", f"  </{profile.xml_record}>{eol}"
    opens = [f"    <{tag}>" for tag in tags]
    closes = [f"</{tag}>{eol}" for tag in tags]
    empties = [f"    <{tag}/>{eol}" for tag in tags]
    columns = range(len(tags))
    for number, row in enumerate(ordered[start:stop], start=start + 1):
        values = cells(row)
        joined = "".join(values)
        if "\x00" in joined or _XML_FORBIDDEN.search(joined):
            errors += _row_problems(number, row, values, profile)
            continue
        if any(c in joined for c in "&<>\r"):
            values = [_escape(v) for v in values]
        out.append(record_open)
        out += [opens[i] + values[i] + closes[i] if values[i] else empties[i] for i in columns]
        out.append(record_close)
    if stop >= len(ordered):
        out.append(f"</{profile.xml_root}>{eol}")
    return "".join(out), errors


def _unencodable(ordered, profile: PrintProfile, cells, start, stop) -> list[LineError]:
    """Every value of ``ordered[start:stop]`` the encoding cannot hold (one error per value)."""
    encoding = check_encoding(profile.encoding)
    errors = []
    for number, row in enumerate(ordered[start:stop], start=start + 1):
        account = row.get("account") or ""
        for (_header, key), value in zip(profile.columns, cells(row), strict=True):
            try:
                value.translate(PLAIN_TEXT).encode(encoding)
            except UnicodeEncodeError as exc:
                bad = exc.object[exc.start]
                errors.append(
                    LineError(
                        number,
                        key,
                        "formats.print_centre.unencodable",
                        f"The {key} of account {account} holds «{bad}» (U+{ord(bad):04X}), "
                        f"which cannot be written in {encoding}.",
                        {
                            "account": account,
                            "field": key,
                            "character": bad,
                            "codepoint": f"U+{ord(bad):04X}",
                            "encoding": encoding,
                        },
                    )
                )
    return errors


# -- reading it back -------------------------------------------------------------------------


@dataclass
class PrintDataResult(ParseResult):
    """What :func:`read_data_file` returns: ``records`` are rows (``dict[str, str]``, the
    profile's keys, numbers with «.» and the period YYYY-MM again); ``totals``: ``count`` and
    ``total_to_pay`` (Decimal); for XML also the root's ``centre`` and ``period``."""

    profile: str = ""
    centre: str = ""
    period: str = ""


def read_data_file(data: bytes, profile: PrintProfile) -> PrintDataResult:
    """Read a data file written in ``profile`` (or sent back by the print centre).

    Every bad line or record is reported (``errors``), the good ones kept. A file that cannot
    be decoded or parsed at all raises ``formats.print_centre.unreadable``.
    """
    result = PrintDataResult(
        fingerprint=fingerprint(data),
        encoding=check_encoding(profile.encoding),
        profile=profile.name,
    )
    if profile.file_format == "xml":
        _read_xml(bytes(data), profile, result)
    else:
        _read_csv(bytes(data), profile, result)
    result.totals = {
        "count": len(result.records),
        "total_to_pay": total_to_pay(result.records),
    }
    return result


def _unreadable(profile: PrintProfile, error) -> FormatError:
    return FormatError(
        "formats.print_centre.unreadable",
        f"The file cannot be read as {profile.file_format} in {profile.encoding}: {error}.",
        format=profile.file_format,
        encoding=profile.encoding,
        error=str(error),
    )


def _row_of(values: Sequence[str], profile: PrintProfile, number: int, errors: list) -> dict:
    row = {}
    mark = profile.decimal_mark
    for (_header, key), value in zip(profile.columns, values, strict=True):
        if key == "period" and value:
            first = parse_period(value, profile.period_format)
            if first is None:
                errors.append(
                    LineError(
                        number,
                        key,
                        "formats.print_centre.bad_row_period",
                        f"«{value}» is not a period.",
                        {"account": row.get("account", ""), "value": value},
                    )
                )
            else:
                value = f"{first:%Y-%m}"
        elif key in AMOUNT_KEYS and value:
            value = value.replace(mark, ".")
            if not _NUMBER.match(value):
                errors.append(
                    LineError(
                        number,
                        key,
                        "formats.print_centre.bad_number",
                        f"The {key} «{value}» is not a number.",
                        {"field": key, "value": value},
                    )
                )
        row[key] = value
    return row


def _read_csv(data: bytes, profile: PrintProfile, result: PrintDataResult) -> None:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode(profile.encoding)
    except UnicodeDecodeError as exc:
        raise _unreadable(profile, exc) from exc
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=profile.separator, quotechar='"')
    width = len(profile.columns)
    headers = [h for h, _k in profile.columns]
    for index, values in enumerate(reader):
        number = reader.line_num
        if index == 0 and profile.header:
            if values != headers:
                result.errors.append(
                    LineError(
                        number,
                        None,
                        "formats.print_centre.wrong_header",
                        "The header row is not the profile's columns.",
                        {"expected": profile.separator.join(headers)},
                    )
                )
            continue
        if len(values) != width:
            result.errors.append(
                LineError(
                    number,
                    None,
                    "formats.print_centre.wrong_width",
                    f"The line has {len(values)} columns, the profile has {width}.",
                    {"columns": len(values), "expected": width},
                )
            )
            continue
        before = len(result.errors)
        row = _row_of(values, profile, number, result.errors)
        if len(result.errors) == before:
            result.records.append(row)


def _read_xml(data: bytes, profile: PrintProfile, result: PrintDataResult) -> None:
    try:
        root = ET.fromstring(data)  # expat: no external entities are fetched
    except (ET.ParseError, LookupError, ValueError) as exc:
        raise _unreadable(profile, exc) from exc
    if root.tag != profile.xml_root:
        raise FormatError(
            "formats.print_centre.wrong_root",
            f"The file's root element is «{root.tag}», the profile's is «{profile.xml_root}».",
            tag=root.tag,
            expected=profile.xml_root,
        )
    result.centre = root.get("centre", "")
    result.period = root.get("period", "")
    for number, record in enumerate(root, start=1):
        if record.tag != profile.xml_record:
            result.errors.append(
                LineError(
                    number,
                    None,
                    "formats.print_centre.wrong_tag",
                    f"Element «{record.tag}» is not a «{profile.xml_record}».",
                    {"tag": record.tag, "expected": profile.xml_record},
                )
            )
            continue
        before = len(result.errors)
        values, missing = [], []
        for tag, _key in profile.columns:
            child = record.find(tag)
            if child is None:
                missing.append(tag)
            values.append("" if child is None else child.text or "")
        for tag in missing:
            result.errors.append(
                LineError(
                    number,
                    tag,
                    "formats.print_centre.missing_tag",
                    f"The receipt has no «{tag}».",
                    {"tag": tag},
                )
            )
        row = _row_of(values, profile, number, result.errors)
        if len(result.errors) == before:
            result.records.append(row)


# -- the manifest ----------------------------------------------------------------------------


def _entries(files: Iterable[tuple[str, bytes, int, object]]) -> tuple[list[dict], dict]:
    entries, seen = [], set()
    count, size, total = 0, 0, ZERO
    for name, data, receipts, amount in files:
        if name in seen:
            raise FormatError(
                "formats.print_centre.duplicate_file",
                f"The file «{name}» is listed twice in the manifest.",
                name=name,
            )
        seen.add(name)
        amount = round_money(to_decimal(amount))
        entries.append(
            {
                "name": name,
                "size": len(data),
                "sha256": fingerprint(data),
                "receipts": int(receipts),
                "total": f"{amount:.2f}",
            }
        )
        count += int(receipts)
        size += len(data)
        total += amount
    totals = {"files": len(entries), "size": size, "receipts": count, "total": f"{total:.2f}"}
    return entries, totals


def manifest(
    centre_code: str, period: str, files: Iterable[tuple[str, bytes, int, object]]
) -> bytes:
    """The manifest of an export as JSON (UTF-8, sorted keys, indented, a final line break).

    ``files``: (name, bytes, receipts in it, sum of their total to pay) in the order they are
    listed. Per file: name, size, sha256, receipts, total («1234.50»); ``totals``: files, size,
    receipts and total over all files, the exact sums of the parts (Decimal, kopecks).
    """
    _check_period(period)
    entries, totals = _entries(files)
    data = {"centre": centre_code, "period": period, "files": entries, "totals": totals}
    return (json.dumps(data, ensure_ascii=False, sort_keys=True, indent=2) + "\n").encode()


def manifest_text(
    centre_code: str,
    period: str,
    files: Iterable[tuple[str, bytes, int, object]],
    eol: str = "\r\n",
) -> bytes:
    """The same manifest as plain text (UTF-8), one ``;``-separated line per file:
    ``name;size;sha256;receipts;total``, after a ``#centre;period`` line and before a
    ``=files;size;receipts;total`` line of totals."""
    _check_period(period)
    entries, totals = _entries(files)
    lines = [f"#{centre_code};{period}"]
    lines += [
        f"{e['name']};{e['size']};{e['sha256']};{e['receipts']};{e['total']}" for e in entries
    ]
    lines.append(f"={totals['files']};{totals['size']};{totals['receipts']};{totals['total']}")
    return "".join(line + eol for line in lines).encode()


def manifest_files(
    profile: PrintProfile,
    centre_code: str,
    period: str,
    files: Sequence[tuple[str, bytes, int, object]],
) -> list[tuple[str, bytes]]:
    """(name, bytes) of the manifest(s) the profile asks for: JSON always, plain text when
    ``profile.manifest_text``; named by the profile's pattern with part 0 and ext
    ``manifest.json`` / ``manifest.txt``."""
    out = [
        (
            file_name(profile, centre_code, period, 0, "manifest.json"),
            manifest(centre_code, period, files),
        )
    ]
    if profile.manifest_text:
        out.append(
            (
                file_name(profile, centre_code, period, 0, "manifest.txt"),
                manifest_text(centre_code, period, files, profile.eol),
            )
        )
    return out
