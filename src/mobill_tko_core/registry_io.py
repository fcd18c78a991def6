"""The registry exchange file: consumers with their objects, personal accounts and characteristics.

One spreadsheet layout for import and export, as CSV (``;``, decimal comma, UTF-8 with BOM or
windows-1251) or XLSX (first sheet «Потребители»). The layout is documented for the staff in
``docs/registry_layout.md``; :data:`COLUMNS` is its single source in code.

* One row = one line «consumer — object — personal account». A row may leave the account
  columns empty (an object of a legal entity without a personal account). Several rows may
  name the same object (same address and object name): its other accounts, and further
  unit categories or container types, one per row. Object-level values given on several rows
  must agree.
* Characteristics are dated: each value has its own «… с» (valid from) column.
* Headers are matched case-insensitively (ё = е, extra spaces ignored); the English keys of
  :data:`COLUMNS` are accepted as headers too. Column order is free; unknown columns are
  ignored with a warning. Row numbers are those of the spreadsheet: the header is row 1.

Reading and validating are separate steps: :func:`read_csv` / :func:`read_xlsx` /
:func:`read_file` give :class:`RawRow` text rows; :func:`validate` checks **every** row and
returns typed :class:`RegistryRecord` objects and every problem as a :class:`RowError`
(line, column header, stable code, English message). :func:`parse` does both. The writers
:func:`write_csv` / :func:`write_xlsx` produce the same layout, so that a written file reads
back into equal records.

Matching against the database (addresses, norm categories, existing consumers) is the Odoo
layer's job; this module checks what can be checked from the file alone, including the
consistency of rows that describe the same consumer or object.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from mobill_tko_core import requisites as req
from mobill_tko_core.errors import CoreError, RequisiteError
from mobill_tko_core.formats import FormatError
from mobill_tko_core.spreadsheet import csv_safe, csv_unescape, is_formula_like

__all__ = [
    "CALC_METHODS",
    "CHARACTERISTICS",
    "COLUMNS",
    "CONSUMER_FIELDS",
    "CONSUMER_KINDS",
    "OBJECT_KINDS",
    "Column",
    "ObjectGroup",
    "ParseResult",
    "RawRow",
    "ReadResult",
    "RegistryRecord",
    "RowError",
    "Schedule",
    "consumer_groups",
    "format_date",
    "format_decimal",
    "format_schedule",
    "header_of",
    "normalize_key",
    "object_groups",
    "parse",
    "parse_date",
    "parse_decimal",
    "parse_schedule",
    "read_csv",
    "read_file",
    "read_xlsx",
    "record_to_row",
    "sort_errors",
    "validate",
    "write_csv",
    "write_xlsx",
]

SHEET_NAME = "Потребители"
HELP_SHEET_NAME = "Описание"
CSV_SEPARATOR = ";"
CSV_ENCODINGS = ("utf-8-sig", "cp1251")
DATE_FORMAT = "%d.%m.%Y"


# --------------------------------------------------------------------------- the layout


@dataclass(frozen=True)
class Column:
    """One column of the layout: English key in code, Russian header in the file."""

    key: str
    header: str
    fmt: str  # the format, in Russian, for the help sheet of the XLSX
    required: str  # in Russian: «да», «нет» or the condition


COLUMNS: tuple[Column, ...] = (
    Column("consumer_kind", "Вид потребителя", "ФЛ, ИП или ЮЛ", "да"),
    Column("consumer_name", "Потребитель", "ФИО или полное наименование", "да"),
    Column("inn", "ИНН", "10 цифр (ЮЛ) или 12 цифр (ФЛ, ИП)", "для ИП и ЮЛ"),
    Column("kpp", "КПП", "9 знаков", "нет; только ЮЛ"),
    Column("ogrn", "ОГРН/ОГРНИП", "13 цифр (ЮЛ) или 15 цифр (ИП)", "нет; только ИП и ЮЛ"),
    Column("snils", "СНИЛС", "123-456-789 01", "нет; только ФЛ и ИП"),
    Column("phone", "Телефон", "текст", "нет"),
    Column("email", "Эл. почта", "имя@домен", "нет"),
    Column("legal_address", "Юридический адрес", "текст", "нет"),
    Column("postal_address", "Почтовый адрес", "текст", "нет"),
    Column("address", "Адрес объекта", "полный адрес как в адресном плане", "да, или ГУИД"),
    Column("address_guid", "ГУИД адреса", "GUID ГАР (ФИАС)", "да, или адрес"),
    Column(
        "object_kind",
        "Вид объекта",
        "квартира, жилой дом, нежилое помещение, объект организации, контейнерная площадка",
        "да",
    ),
    Column("object_name", "Объект", "текст, например «кв. 5»", "да"),
    Column(
        "account_number", "Лицевой счёт", "цифры с контрольной цифрой", "нет; пусто — присвоить"
    ),
    Column("account_date_open", "Дата открытия ЛС", "ДД.ММ.ГГГГ", "для лицевого счёта"),
    Column("account_date_close", "Дата закрытия ЛС", "ДД.ММ.ГГГГ", "нет"),
    Column("calc_method", "Способ расчёта", "по проживающим или по площади", "нет"),
    Column("residents_permanent", "Проживает постоянно", "целое число", "нет"),
    Column("residents_permanent_from", "Проживает постоянно с", "ДД.ММ.ГГГГ", "с числом"),
    Column("residents_temporary", "Проживает временно", "целое число", "нет"),
    Column("residents_temporary_from", "Проживает временно с", "ДД.ММ.ГГГГ", "с числом"),
    Column("owners", "Собственников", "целое число", "нет"),
    Column("owners_from", "Собственников с", "ДД.ММ.ГГГГ", "с числом"),
    Column("area_total", "Общая площадь, кв. м", "число, до 4 знаков после запятой", "нет"),
    Column("area_total_from", "Общая площадь с", "ДД.ММ.ГГГГ", "с площадью"),
    Column("units_category", "Категория норматива", "код категории, например OFFICE", "нет"),
    Column("units_value", "Расчётных единиц", "число, до 4 знаков после запятой", "с категорией"),
    Column("units_from", "Расчётные единицы с", "ДД.ММ.ГГГГ", "с категорией"),
    Column("container_volume", "Объём контейнера, куб. м", "число, например 1,1", "нет"),
    Column("container_count", "Количество контейнеров", "целое число", "с объёмом"),
    Column(
        "container_schedule",
        "График вывоза",
        "ежедневно; пн,ср,пт; каждые 3 дн. с ДД.ММ.ГГГГ; даты ДД.ММ.ГГГГ,ДД.ММ.ГГГГ",
        "нет",
    ),
    Column("containers_from", "Контейнеры с", "ДД.ММ.ГГГГ", "с объёмом"),
)
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
KEYS = tuple(c.key for c in COLUMNS)

CONSUMER_KINDS = {"person": "ФЛ", "entrepreneur": "ИП", "legal": "ЮЛ"}
OBJECT_KINDS = {
    "apartment": "квартира",
    "house": "жилой дом",
    "non_residential": "нежилое помещение",
    "facility": "объект организации",
    "container_site": "контейнерная площадка",
}
CALC_METHODS = {"residents": "по проживающим", "area": "по площади"}
#: The scalar characteristics: kind (as in the Odoo model) → integer-only.
CHARACTERISTICS = {
    "residents_permanent": True,
    "residents_temporary": True,
    "owners": True,
    "area_total": False,
}
#: Consumer columns that must agree on every row of one consumer.
CONSUMER_FIELDS = (
    "consumer_kind",
    "consumer_name",
    "inn",
    "kpp",
    "ogrn",
    "snils",
    "phone",
    "email",
    "legal_address",
    "postal_address",
)
WEEKDAYS = ("пн", "вт", "ср", "чт", "пт", "сб", "вс")

_ALIASES = {
    "consumer_kind": {
        **{code: code for code in CONSUMER_KINDS},
        "фл": "person",
        "физлицо": "person",
        "физ. лицо": "person",
        "физическое лицо": "person",
        "ип": "entrepreneur",
        "индивидуальный предприниматель": "entrepreneur",
        "юл": "legal",
        "юрлицо": "legal",
        "юр. лицо": "legal",
        "юридическое лицо": "legal",
        "организация": "legal",
    },
    "object_kind": {
        **{code: code for code in OBJECT_KINDS},
        **{label: code for code, label in OBJECT_KINDS.items()},
        "кв.": "apartment",
        "дом": "house",
        "частный дом": "house",
        "индивидуальный дом": "house",
        "ижс": "house",
        "нежилое": "non_residential",
        "помещение": "non_residential",
        "объект юл": "facility",
        "площадка": "container_site",
        "кп": "container_site",
    },
    "calc_method": {
        **{code: code for code in CALC_METHODS},
        **{label: code for code, label in CALC_METHODS.items()},
        "проживающие": "residents",
        "по нормативу на проживающих": "residents",
        "площадь": "area",
        "по общей площади": "area",
    },
}
_WEEKDAY_ALIASES = {
    **{name: i for i, name in enumerate(WEEKDAYS, start=1)},
    **{str(i): i for i in range(1, 8)},
    "пон": 1,
    "понедельник": 1,
    "вторник": 2,
    "среда": 3,
    "четверг": 4,
    "пятница": 5,
    "суббота": 6,
    "воскресенье": 7,
}
_SPACES = re.compile(r"\s+")
_EMAIL = re.compile(r"^[^@\s;,]+@[^@\s;,]+\.[^@\s;,]+$")
_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_EVERY = re.compile(
    r"^каждые\s+(\d+)\s*(?:дн\.?|дня|дней|день)?(?:\s*,?\s*с\s+(\S+))?$", re.IGNORECASE
)
_DATES = re.compile(r"^даты\s*:?\s*(.*)$", re.IGNORECASE)


def header_of(key: str) -> str:
    """The Russian header of a column key (the key itself when it is not a column)."""
    column = COLUMN_BY_KEY.get(key)
    return column.header if column else key


def normalize_text(value) -> str:
    """Text with runs of whitespace (also non-breaking) collapsed and the ends stripped."""
    return _SPACES.sub(" ", str(value or "").replace("\u00a0", " ")).strip()


def normalize_key(value) -> str:
    """Text for matching: normalised spaces, case-folded, ё → е."""
    return normalize_text(value).casefold().replace("ё", "е")


_HEADER_LOOKUP = {
    **{normalize_key(c.header): c.key for c in COLUMNS},
    **{normalize_key(c.key): c.key for c in COLUMNS},
}


# --------------------------------------------------------------------------- values


@dataclass(frozen=True)
class Schedule:
    """Pick-up schedule of containers, as the Odoo model keeps it.

    ``kind``: ``daily``, ``weekdays`` (``weekdays`` = ISO numbers), ``every_n_days``
    (``interval`` and an optional ``start``) or ``dates`` (``dates``).
    """

    kind: str
    weekdays: tuple[int, ...] = ()
    interval: int = 0
    start: date | None = None
    dates: tuple[date, ...] = ()


def _value_error(code: str, message: str, **params) -> CoreError:
    return CoreError(code, message, **params)


def parse_date(text: str) -> date | None:
    """``ДД.ММ.ГГГГ`` (also ``ГГГГ-ММ-ДД``); empty → None; CoreError ``date_format``."""
    text = normalize_text(text)
    if not text:
        return None
    for fmt in (DATE_FORMAT, "%Y-%m-%d"):
        try:
            value = datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        if 1900 <= value.year <= 2199:
            return value
    raise _value_error("date_format", f"“{text}” is not a date in the form DD.MM.YYYY.", value=text)


def format_date(value: date | None) -> str:
    return value.strftime(DATE_FORMAT) if value else ""


def parse_decimal(
    text: str, integer: bool = False, places: int = 4, allow_negative: bool = False
) -> Decimal | None:
    """A number with a decimal comma (a point is accepted, spaces group thousands)."""
    raw = normalize_text(text)
    if not raw:
        return None
    compact = raw.replace(" ", "")
    if "," in compact and "." in compact:
        raise _value_error("number_format", f"“{raw}” is not a number.", value=raw)
    compact = compact.replace(",", ".")
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", compact):
        raise _value_error("number_format", f"“{raw}” is not a number.", value=raw)
    try:
        value = Decimal(compact)
    except InvalidOperation as exc:  # pragma: no cover - the regex lets only numbers through
        raise _value_error("number_format", f"“{raw}” is not a number.", value=raw) from exc
    if value < 0 and not allow_negative:
        raise _value_error("number_negative", f"“{raw}” is negative.", value=raw)
    if integer and value != value.to_integral_value():
        raise _value_error("number_not_integer", f"“{raw}” is not a whole number.", value=raw)
    if integer:
        return Decimal(int(value))
    if -value.normalize().as_tuple().exponent > places:
        raise _value_error(
            "number_precision",
            f"“{raw}” has more than {places} digits after the decimal comma.",
            value=raw,
            places=places,
        )
    return value.normalize() if value else Decimal(0)


def format_decimal(value) -> str:
    """A number as the layout writes it: decimal comma, no trailing zeros, no exponent."""
    if value is None or value == "":
        return ""
    if isinstance(value, float):
        value = Decimal(repr(value))
    value = Decimal(value)
    if value == value.to_integral_value():
        return str(int(value))
    return f"{value.normalize():f}".replace(".", ",")


def parse_schedule(text: str) -> Schedule | None:
    """«ежедневно», «пн,ср,пт» (or «1,3,5»), «каждые 3 дн. с 01.02.2025», «даты 05.01.2025,…»."""
    raw = normalize_text(text)
    if not raw:
        return None
    lowered = raw.casefold()
    if lowered in ("ежедневно", "daily"):
        return Schedule("daily")
    match = _EVERY.match(raw)
    if match:
        interval = int(match.group(1))
        if interval < 1:
            raise _bad_schedule(raw)
        start = parse_date(match.group(2)) if match.group(2) else None
        return Schedule("every_n_days", interval=interval, start=start)
    match = _DATES.match(raw)
    if match:
        parts = [p for p in re.split(r"[,;\s]+", match.group(1)) if p]
        if not parts:
            raise _bad_schedule(raw)
        try:
            days = tuple(sorted({parse_date(p) for p in parts}))
        except CoreError as exc:
            raise _bad_schedule(raw) from exc
        return Schedule("dates", dates=days)
    parts = [p for p in re.split(r"[,;\s]+", lowered.replace(".", "")) if p]
    try:
        weekdays = tuple(sorted({_WEEKDAY_ALIASES[p] for p in parts}))
    except KeyError as exc:
        raise _bad_schedule(raw) from exc
    return Schedule("weekdays", weekdays=weekdays)


def _bad_schedule(raw: str) -> CoreError:
    return _value_error(
        "schedule_format",
        f"Pick-up schedule “{raw}” is not understood: write «ежедневно», weekdays such as "
        "«пн,ср,пт», «каждые 3 дн. с 01.02.2025» or «даты 05.01.2025,19.01.2025».",
        value=raw,
    )


def format_schedule(schedule: Schedule | None) -> str:
    if schedule is None:
        return ""
    if schedule.kind == "daily":
        return "ежедневно"
    if schedule.kind == "weekdays":
        return ",".join(WEEKDAYS[d - 1] for d in schedule.weekdays)
    if schedule.kind == "every_n_days":
        text = f"каждые {schedule.interval} дн."
        return f"{text} с {format_date(schedule.start)}" if schedule.start else text
    if schedule.kind == "dates":
        return "даты " + ",".join(format_date(d) for d in schedule.dates)
    raise ValueError(f"unknown schedule kind {schedule.kind!r}")


# --------------------------------------------------------------------------- rows and records


@dataclass(frozen=True)
class RowError:
    """One problem of one row: ``line`` (1 = the header, 0 = the file), the column header."""

    line: int
    column: str
    code: str
    message: str
    params: Mapping = field(default_factory=dict, compare=False)

    @property
    def field(self) -> str:
        """The column header (the name other readers of the product use)."""
        return self.column

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else "file"
        what = f" [{self.column}]" if self.column else ""
        return f"{where}{what}: {self.message} ({self.code})"


@dataclass
class RawRow:
    """A row as read: column key → text (stripped; missing columns are absent)."""

    line: int
    values: dict[str, str]

    def get(self, key: str) -> str:
        return self.values.get(key, "")


@dataclass
class RegistryRecord:
    """One valid row, typed. Empty text is ``""``, an empty date or number ``None``."""

    consumer_kind: str = ""
    consumer_name: str = ""
    inn: str = ""
    kpp: str = ""
    ogrn: str = ""
    snils: str = ""
    phone: str = ""
    email: str = ""
    legal_address: str = ""
    postal_address: str = ""
    address: str = ""
    address_guid: str = ""
    object_kind: str = ""
    object_name: str = ""
    account_number: str = ""
    account_date_open: date | None = None
    account_date_close: date | None = None
    calc_method: str = ""
    residents_permanent: Decimal | None = None
    residents_permanent_from: date | None = None
    residents_temporary: Decimal | None = None
    residents_temporary_from: date | None = None
    owners: Decimal | None = None
    owners_from: date | None = None
    area_total: Decimal | None = None
    area_total_from: date | None = None
    units_category: str = ""
    units_value: Decimal | None = None
    units_from: date | None = None
    container_volume: Decimal | None = None
    container_count: int | None = None
    container_schedule: Schedule | None = None
    containers_from: date | None = None
    line: int = field(default=0, compare=False)

    @property
    def has_account(self) -> bool:
        """True when the row describes a personal account (its opening date is given)."""
        return self.account_date_open is not None

    def characteristic(self, kind: str) -> tuple[Decimal | None, date | None]:
        return getattr(self, kind), getattr(self, f"{kind}_from")


_RECORD_FIELDS = {f.name for f in fields(RegistryRecord)} - {"line"}
assert set(KEYS) == _RECORD_FIELDS, "COLUMNS and RegistryRecord must list the same fields"


@dataclass
class ReadResult:
    """What a reader returns: the text rows, the file-level problems, the encoding."""

    rows: list[RawRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    encoding: str = ""
    columns: list[str] = field(default_factory=list)


@dataclass
class ParseResult:
    """Valid records and every problem; ``ok`` only when there is no problem at all."""

    records: list[RegistryRecord] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    encoding: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors

    def error_lines(self) -> list[int]:
        return sorted({e.line for e in self.errors})


# --------------------------------------------------------------------------- readers


def _header_errors(headers: list, line: int = 1) -> tuple[list[str | None], ReadResult]:
    """Map the header cells to column keys; report duplicates, unknown and missing columns."""
    result = ReadResult()
    keys: list[str | None] = []
    seen: set[str] = set()
    for cell in headers:
        text = normalize_text(cell)
        key = _HEADER_LOOKUP.get(normalize_key(text)) if text else None
        if key and key in seen:
            result.errors.append(
                RowError(
                    line,
                    header_of(key),
                    "duplicate_column",
                    f"Column “{header_of(key)}” appears twice.",
                    {"column": header_of(key)},
                )
            )
            key = None
        elif key:
            seen.add(key)
        elif text:
            result.warnings.append(
                RowError(
                    line,
                    text,
                    "unknown_column",
                    f"Column “{text}” is not part of the layout and is ignored.",
                    {"column": text},
                )
            )
        keys.append(key)
    for required in ("consumer_kind", "consumer_name", "object_kind", "object_name"):
        if required not in seen:
            result.errors.append(_missing_column(required, line))
    if "address" not in seen and "address_guid" not in seen:
        result.errors.append(_missing_column("address", line))
    result.columns = [k for k in keys if k]
    return keys, result


def _missing_column(key: str, line: int) -> RowError:
    return RowError(
        line,
        header_of(key),
        "missing_column",
        f"The file has no column “{header_of(key)}”.",
        {"column": header_of(key)},
    )


def _rows_from_cells(cell_rows: Iterable[tuple[int, list[str]]], result: ReadResult, keys):
    for line, cells in cell_rows:
        if not any(c.strip() for c in cells):
            continue
        values = {}
        extra = [c for i, c in enumerate(cells) if i >= len(keys) and c.strip()]
        if extra:
            result.errors.append(
                RowError(
                    line,
                    "",
                    "row_too_long",
                    f"The row has {len(cells)} cells but the header only {len(keys)}.",
                    {"cells": len(cells), "columns": len(keys)},
                )
            )
        for key, cell in zip(keys, cells, strict=False):
            if key:
                values[key] = normalize_text(cell)
        result.rows.append(RawRow(line, values))


def decode_csv(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """The text of a CSV file and its encoding: UTF-8 (with or without BOM), else windows-1251."""
    raw = bytes(data)
    candidates = [encoding] if encoding else list(CSV_ENCODINGS)
    if raw.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]  # a byte order mark settles it, whatever was chosen
    for name in candidates:
        try:
            codec = codecs.lookup(name).name
        except LookupError as exc:
            raise FormatError(
                "registry_io.unknown_encoding", f"Unknown text encoding: {name!r}.", encoding=name
            ) from exc
        try:
            text = raw.decode("utf-8-sig" if codec == "utf-8" else codec)
        except UnicodeDecodeError:
            continue
        return text, "utf-8-sig" if codec in ("utf-8", "utf-8-sig") else codec
    raise FormatError(
        "registry_io.bad_encoding",
        "The file is neither UTF-8 nor windows-1251 text.",
        encoding=encoding or "",
    )


def read_csv(data: bytes, encoding: str | None = None) -> ReadResult:
    """Read a CSV file of the layout: ``;`` (or, when the header has none, tab or comma)."""
    text, used = decode_csv(data, encoding)
    lines = text.splitlines()
    first = next((ln for ln in lines if ln.strip()), "")
    if not first:
        raise FormatError("registry_io.empty", "The file is empty.")
    separator = CSV_SEPARATOR
    if CSV_SEPARATOR not in first:
        separator = "\t" if "\t" in first else ("," if "," in first else CSV_SEPARATOR)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, quotechar='"')
    try:
        records = list(reader)
    except csv.Error as exc:
        raise FormatError(
            "registry_io.bad_csv", f"The CSV file cannot be read: {exc}.", reason=str(exc)
        ) from exc
    # the writer protects formula-like texts with an apostrophe (csv_safe): take it off again
    records = [[csv_unescape(cell) for cell in row] for row in records]
    return _read_table([(i, r) for i, r in enumerate(records, start=1)], used)


def _read_table(numbered: list[tuple[int, list[str]]], encoding: str) -> ReadResult:
    numbered = [(i, [("" if c is None else str(c)) for c in r]) for i, r in numbered]
    start = next((k for k, (_i, r) in enumerate(numbered) if any(c.strip() for c in r)), None)
    if start is None:
        raise FormatError("registry_io.empty", "The file is empty.")
    header_line, header = numbered[start]
    keys, result = _header_errors(header, header_line)
    result.encoding = encoding
    _rows_from_cells(numbered[start + 1 :], result, keys)
    if not result.rows:
        result.errors.append(RowError(0, "", "no_rows", "The file has a header but no rows.", {}))
    return result


def _cell_text(value) -> str:
    """An XLSX cell as the text the CSV would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime):
        return format_date(value.date())
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float | Decimal):
        return format_decimal(value)
    return str(value)


def read_xlsx(data: bytes) -> ReadResult:
    """Read the sheet «Потребители» (or the first sheet) of an XLSX workbook; row 1 = header."""
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(io.BytesIO(bytes(data)), read_only=True, data_only=True)
    except (
        InvalidFileException,
        zipfile.BadZipFile,
        OSError,
        KeyError,
        ValueError,
        TypeError,
    ) as exc:
        raise FormatError(
            "registry_io.bad_xlsx", f"The XLSX file cannot be read: {exc}.", reason=str(exc)
        ) from exc
    try:
        sheet = book[SHEET_NAME] if SHEET_NAME in book.sheetnames else book.worksheets[0]
        numbered = [
            (i, [_cell_text(v) for v in row])
            for i, row in enumerate(sheet.iter_rows(values_only=True), start=1)
        ]
    finally:
        book.close()
    return _read_table(numbered, "xlsx")


def read_file(data: bytes, filename: str | None = None, encoding: str | None = None):
    """Read a CSV or an XLSX file (recognised by its content, the name is a hint only)."""
    raw = bytes(data or b"")
    if not raw.strip():
        raise FormatError("registry_io.empty", "The file is empty.")
    if raw[:4] == b"PK\x03\x04" or (filename or "").lower().endswith((".xlsx", ".xlsm")):
        return read_xlsx(raw)
    return read_csv(raw, encoding)


# --------------------------------------------------------------------------- validation


class _RowChecker:
    """Parses one row into a record and collects its problems."""

    def __init__(self, row: RawRow):
        self.row = row
        self.errors: list[RowError] = []

    def error(self, key: str, code: str, message: str, **params):
        self.errors.append(RowError(self.row.line, header_of(key), code, message, params))

    def text(self, key: str) -> str:
        return normalize_text(self.row.get(key))

    def required(self, key: str) -> str:
        value = self.text(key)
        if not value:
            self.error(
                key,
                "required",
                f"“{header_of(key)}” is required.",
                column=header_of(key),
            )
        return value

    def choice(self, key: str, labels: Mapping[str, str]) -> str:
        value = self.text(key)
        if not value:
            return ""
        code = _ALIASES[key].get(normalize_key(value))
        if code is None:
            allowed = ", ".join(labels.values())
            self.error(
                key,
                f"{key}_unknown",
                f"“{value}” is not a known value; use one of: {allowed}.",
                value=value,
                allowed=allowed,
            )
            return ""
        return code

    def date(self, key: str) -> date | None:
        try:
            return parse_date(self.row.get(key))
        except CoreError as exc:
            self.error(key, exc.code, exc.message, **exc.params)
            return None

    def number(self, key: str, integer: bool = False, places: int = 4) -> Decimal | None:
        try:
            return parse_decimal(self.row.get(key), integer=integer, places=places)
        except CoreError as exc:
            self.error(key, exc.code, exc.message, **exc.params)
            return None

    def requisite(self, key: str, validator: Callable[[str], str]) -> str:
        value = self.text(key)
        if not value:
            return ""
        try:
            return validator(value)
        except RequisiteError as exc:
            self.error(key, exc.code, exc.message, **exc.params)
            return value

    def together(self, keys: tuple[str, ...], given: Mapping[str, bool]) -> bool:
        """All of ``keys`` given, or none; reports each missing one. True when all are given."""
        present = [k for k in keys if given[k]]
        if not present:
            return False
        for key in keys:
            if not given[key]:
                other = header_of(present[0])
                self.error(
                    key,
                    "incomplete",
                    f"“{header_of(key)}” is required when “{other}” is given.",
                    column=header_of(key),
                    other=other,
                )
        return len(present) == len(keys)

    def not_for_kind(self, key: str, kind: str):
        self.error(
            key,
            "not_for_kind",
            f"“{header_of(key)}” is not filled for a consumer of kind {CONSUMER_KINDS[kind]}.",
            column=header_of(key),
            kind=CONSUMER_KINDS[kind],
        )

    # -- the row

    def parse(self) -> RegistryRecord:
        rec = RegistryRecord(line=self.row.line)
        rec.consumer_kind = kind = self.choice("consumer_kind", CONSUMER_KINDS)
        if not self.text("consumer_kind"):
            self.required("consumer_kind")
        rec.consumer_name = self.required("consumer_name")
        self._requisites(rec, kind)
        rec.phone = self.text("phone")
        rec.email = self.text("email")
        if rec.email and not _EMAIL.match(rec.email):
            self.error(
                "email", "email_format", f"“{rec.email}” is not an e-mail address.", value=rec.email
            )
        rec.legal_address = self.text("legal_address")
        rec.postal_address = self.text("postal_address")
        rec.address = self.text("address")
        rec.address_guid = self.text("address_guid").lower()
        if not rec.address and not rec.address_guid:
            self.error(
                "address",
                "address_empty",
                "Give the address of the object or its ГАР GUID.",
            )
        if rec.address_guid and not _GUID.match(rec.address_guid):
            self.error(
                "address_guid",
                "address_guid_format",
                f"“{rec.address_guid}” is not a GUID (32 hexadecimal digits in 5 groups).",
                value=rec.address_guid,
            )
        rec.object_kind = self.choice("object_kind", OBJECT_KINDS)
        if not self.text("object_kind"):
            self.required("object_kind")
        rec.object_name = self.required("object_name")
        self._account(rec)
        self._characteristics(rec)
        return rec

    def _requisites(self, rec: RegistryRecord, kind: str):
        inn_kind = {"legal": "legal", "person": "person", "entrepreneur": "person"}.get(kind)
        rec.inn = self.requisite("inn", lambda v: req.validate_inn(v, inn_kind))
        if kind in ("legal", "entrepreneur") and not rec.inn:
            self.error(
                "inn",
                "inn_required",
                f"ИНН is required for a consumer of kind {CONSUMER_KINDS[kind]}.",
                kind=CONSUMER_KINDS[kind],
            )
        rec.kpp = self.requisite("kpp", req.validate_kpp)
        if rec.kpp and kind in ("person", "entrepreneur"):
            self.not_for_kind("kpp", kind)
        ogrn_kind = {"legal": "legal", "entrepreneur": "entrepreneur"}.get(kind)
        rec.ogrn = self.requisite("ogrn", lambda v: req.validate_ogrn(v, ogrn_kind))
        if rec.ogrn and kind == "person":
            self.not_for_kind("ogrn", kind)
        rec.snils = self.requisite("snils", req.validate_snils)
        if rec.snils and kind == "legal":
            self.not_for_kind("snils", kind)

    def _account(self, rec: RegistryRecord):
        rec.account_number = self.requisite("account_number", req.validate_account_number)
        rec.account_date_open = self.date("account_date_open")
        rec.account_date_close = self.date("account_date_close")
        rec.calc_method = self.choice("calc_method", CALC_METHODS)
        given = [k for k in ("account_number", "account_date_close", "calc_method") if self.text(k)]
        if given and not self.text("account_date_open"):
            self.error(
                "account_date_open",
                "incomplete",
                f"“{header_of('account_date_open')}” is required when “{header_of(given[0])}” "
                "is given.",
                column=header_of("account_date_open"),
                other=header_of(given[0]),
            )
        if (
            rec.account_date_open
            and rec.account_date_close
            and rec.account_date_close < rec.account_date_open
        ):
            self.error(
                "account_date_close",
                "account_dates_order",
                "The account closes before it opens.",
                open=format_date(rec.account_date_open),
                close=format_date(rec.account_date_close),
            )

    def _characteristics(self, rec: RegistryRecord):
        for kind, integer in CHARACTERISTICS.items():
            from_key = f"{kind}_from"
            value = self.number(kind, integer=integer)
            since = self.date(from_key)
            given = {kind: bool(self.text(kind)), from_key: bool(self.text(from_key))}
            if self.together((kind, from_key), given):
                setattr(rec, kind, value)
                setattr(rec, from_key, since)
        # units of a norm category
        keys = ("units_category", "units_value", "units_from")
        category = self.text("units_category")
        value = self.number("units_value")
        since = self.date("units_from")
        if self.together(keys, {k: bool(self.text(k)) for k in keys}):
            rec.units_category, rec.units_value, rec.units_from = category, value, since
        # containers
        volume = self.number("container_volume", places=3)
        count = self.number("container_count", integer=True)
        since = self.date("containers_from")
        schedule = None
        try:
            schedule = parse_schedule(self.row.get("container_schedule"))
        except CoreError as exc:
            self.error("container_schedule", exc.code, exc.message, **exc.params)
        keys = ("container_volume", "container_count", "containers_from")
        given = {k: bool(self.text(k)) for k in keys}
        if self.text("container_schedule") and not any(given.values()):
            self.error(
                "container_volume",
                "incomplete",
                f"“{header_of('container_volume')}” is required when "
                f"“{header_of('container_schedule')}” is given.",
                column=header_of("container_volume"),
                other=header_of("container_schedule"),
            )
        if self.together(keys, given):
            if volume is not None and volume <= 0:
                self.error(
                    "container_volume",
                    "number_not_positive",
                    f"“{format_decimal(volume)}” must be greater than zero.",
                    value=format_decimal(volume),
                )
            rec.container_volume = volume
            rec.container_count = int(count) if count is not None else None
            rec.container_schedule = schedule
            rec.containers_from = since


def address_key(record: RegistryRecord):
    """The object address as the file gives it: the GUID, else the normalised full text."""
    if record.address_guid:
        return ("guid", record.address_guid.lower())
    return ("text", normalize_key(record.address))


@dataclass
class ObjectGroup:
    """All rows of one object, with the object-level values merged (first row wins)."""

    key: tuple
    records: list[RegistryRecord]
    characteristics: dict[str, tuple[Decimal, date, int]] = field(default_factory=dict)
    units: dict[str, tuple[Decimal, date, int]] = field(default_factory=dict)
    containers: dict[Decimal, tuple[int, Schedule | None, date, int]] = field(default_factory=dict)

    @property
    def first(self) -> RegistryRecord:
        return self.records[0]

    @property
    def last(self) -> RegistryRecord:
        return self.records[-1]


def _conflict(rec: RegistryRecord, key: str, code: str, message: str, **params) -> RowError:
    return RowError(rec.line, header_of(key), code, message, params)


def object_groups(
    records: Iterable[RegistryRecord], key: Callable[[RegistryRecord], object] | None = None
) -> tuple[list[ObjectGroup], list[RowError]]:
    """Group the rows by object and merge their object-level values; report disagreements.

    ``key(record)`` identifies the object's address (default: :func:`address_key`; the Odoo
    layer passes the resolved address). Rows of one object must agree on its kind, on every
    scalar characteristic and date, on the units of one category and on the containers of one
    volume (a value left empty on a row does not disagree).
    """
    key = key or address_key
    groups: dict[tuple, ObjectGroup] = {}
    errors: list[RowError] = []
    for rec in records:
        gkey = (key(rec), normalize_key(rec.object_name))
        group = groups.get(gkey)
        if group is None:
            group = groups[gkey] = ObjectGroup(gkey, [])
        elif rec.object_kind and rec.object_kind != group.first.object_kind:
            errors.append(
                _conflict(
                    rec,
                    "object_kind",
                    "object_conflict",
                    f"The object is of another kind on line {group.first.line}.",
                    other_line=group.first.line,
                )
            )
        group.records.append(rec)
        for kind in CHARACTERISTICS:
            value, since = rec.characteristic(kind)
            if value is None:
                continue
            seen = group.characteristics.get(kind)
            if seen is None:
                group.characteristics[kind] = (value, since, rec.line)
            elif (seen[0], seen[1]) != (value, since):
                errors.append(_characteristic_conflict(rec, kind, seen[2]))
        if rec.units_category:
            code = rec.units_category
            seen = group.units.get(code)
            if seen is None:
                group.units[code] = (rec.units_value, rec.units_from, rec.line)
            elif (seen[0], seen[1]) != (rec.units_value, rec.units_from):
                errors.append(_characteristic_conflict(rec, "units_value", seen[2]))
        if rec.container_volume is not None:
            seen = group.containers.get(rec.container_volume)
            mine = (rec.container_count, rec.container_schedule, rec.containers_from)
            if seen is None:
                group.containers[rec.container_volume] = (*mine, rec.line)
            elif seen[:3] != mine:
                errors.append(_characteristic_conflict(rec, "container_count", seen[3]))
    return list(groups.values()), errors


def _characteristic_conflict(rec: RegistryRecord, key: str, other_line: int) -> RowError:
    return _conflict(
        rec,
        key,
        "characteristic_conflict",
        f"The object has another value or date of “{header_of(key)}” on line {other_line}.",
        column=header_of(key),
        other_line=other_line,
    )


def consumer_groups(
    records: Iterable[RegistryRecord], key: Callable[[RegistryRecord], object] | None = None
) -> tuple[list[list[RegistryRecord]], list[RowError]]:
    """Group the rows by consumer; report rows of one consumer that disagree.

    Rows are one consumer when they share an ИНН (with the same КПП) or a СНИЛС; rows with
    neither are one consumer when kind and name are the same and so is the postal address
    (or, without one, the object's address, ``key(record)``: default :func:`address_key`).
    """
    key = key or address_key
    records = list(records)
    parent = list(range(len(records)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[tuple, int] = {}
    for i, rec in enumerate(records):
        for ident in consumer_identities(rec, key):
            if ident in owner:
                parent[find(i)] = find(owner[ident])
            else:
                owner[ident] = i
    grouped: dict[int, list[RegistryRecord]] = {}
    for i, rec in enumerate(records):
        grouped.setdefault(find(i), []).append(rec)
    errors: list[RowError] = []
    for group in grouped.values():
        for name in CONSUMER_FIELDS:
            first = None
            for rec in group:
                value = getattr(rec, name)
                if not value:
                    continue
                if first is None:
                    first = rec
                elif normalize_key(value) != normalize_key(getattr(first, name)):
                    errors.append(
                        _conflict(
                            rec,
                            name,
                            "consumer_conflict",
                            f"The same consumer has “{getattr(first, name)}” in "
                            f"“{header_of(name)}” on line {first.line}.",
                            column=header_of(name),
                            value=getattr(first, name),
                            other_line=first.line,
                        )
                    )
    return list(grouped.values()), errors


def consumer_identities(rec: RegistryRecord, key: Callable[[RegistryRecord], object]) -> list:
    """The keys that identify a row's consumer (see :func:`consumer_groups`)."""
    idents = []
    if rec.inn:
        idents.append(("inn", rec.inn, rec.kpp))
    if rec.snils:
        idents.append(("snils", rec.snils))
    if not idents:
        where = ("postal", normalize_key(rec.postal_address)) if rec.postal_address else key(rec)
        idents.append(("name", rec.consumer_kind, normalize_key(rec.consumer_name), where))
    return idents


def _cross_row_errors(records: list[RegistryRecord]) -> list[RowError]:
    errors: list[RowError] = []
    numbers: dict[str, int] = {}
    for rec in records:
        if rec.account_number:
            if rec.account_number in numbers:
                errors.append(
                    _conflict(
                        rec,
                        "account_number",
                        "account_number_duplicate",
                        f"Personal account {rec.account_number} is already on line "
                        f"{numbers[rec.account_number]}.",
                        value=rec.account_number,
                        other_line=numbers[rec.account_number],
                    )
                )
            else:
                numbers[rec.account_number] = rec.line
    _groups, object_errors = object_groups(records)
    consumers, consumer_errors = consumer_groups(records)
    errors += object_errors + consumer_errors
    # two rows asking for a new account of the same consumer on the same object
    for group in consumers:
        wanted: dict[tuple, int] = {}
        for rec in group:
            if rec.has_account and not rec.account_number:
                okey = (address_key(rec), normalize_key(rec.object_name), rec.account_date_open)
                if okey in wanted:
                    errors.append(
                        _conflict(
                            rec,
                            "account_number",
                            "account_duplicate",
                            f"Line {wanted[okey]} already opens an account of this consumer "
                            "for this object on this date.",
                            other_line=wanted[okey],
                        )
                    )
                else:
                    wanted[okey] = rec.line
    return errors


_COLUMN_ORDER = {c.header: i for i, c in enumerate(COLUMNS)}


def sort_errors(errors: Iterable[RowError]) -> list[RowError]:
    """Errors by line, then in the order of the layout's columns; duplicates dropped."""
    unique = list(dict.fromkeys(errors))
    return sorted(unique, key=lambda e: (e.line, _COLUMN_ORDER.get(e.column, -1)))


def validate(rows: Iterable[RawRow]) -> ParseResult:
    """Check every row (and the rows against each other); never stops at the first problem.

    Returns the records of all rows (a bad row's bad values are left empty) and every error.
    Nothing of a file with an error may be booked.
    """
    result = ParseResult()
    for row in rows:
        checker = _RowChecker(row)
        result.records.append(checker.parse())
        result.errors.extend(checker.errors)
    bad = {e.line for e in result.errors}
    result.errors.extend(_cross_row_errors([r for r in result.records if r.line not in bad]))
    result.errors = sort_errors(result.errors)
    return result


def parse(data: bytes, filename: str | None = None, encoding: str | None = None) -> ParseResult:
    """Read a CSV or XLSX file and validate it: file-level and row problems together."""
    read = read_file(data, filename, encoding)
    header_broken = any(e.code in ("missing_column", "duplicate_column") for e in read.errors)
    # with a broken header every row would repeat the same problem: report the header only
    result = ParseResult() if header_broken else validate(read.rows)
    result.errors = sort_errors(read.errors + result.errors)
    result.warnings = read.warnings
    result.encoding = read.encoding
    return result


# --------------------------------------------------------------------------- writers


def record_to_row(record: RegistryRecord) -> dict[str, str]:
    """The texts of a record's cells, as the CSV writer writes them."""
    row = {}
    for key in KEYS:
        value = getattr(record, key)
        if key == "consumer_kind":
            text = CONSUMER_KINDS.get(value, value)
        elif key == "object_kind":
            text = OBJECT_KINDS.get(value, value)
        elif key == "calc_method":
            text = CALC_METHODS.get(value, value)
        elif key == "snils" and value:
            try:
                text = req.format_snils(value)
            except RequisiteError:
                text = value
        elif key == "container_schedule":
            text = format_schedule(value)
        elif isinstance(value, date):
            text = format_date(value)
        elif isinstance(value, Decimal | int | float) and not isinstance(value, bool):
            text = format_decimal(value)
        else:
            text = "" if value is None else str(value)
        row[key] = text
    return row


def write_csv(records: Iterable[RegistryRecord], encoding: str = "utf-8-sig") -> bytes:
    """The CSV file of the layout: header + one line per record, ``;``, CRLF.

    ``encoding``: ``utf-8-sig`` (UTF-8 with BOM, the default) or ``cp1251``; a character the
    encoding cannot hold raises FormatError ``registry_io.not_encodable`` with the line.
    A text a spreadsheet would run as a formula (``=HYPERLINK(…)``) is written with a leading
    apostrophe (:func:`~mobill_tko_core.spreadsheet.csv_safe`); :func:`read_csv` takes it off.
    """
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=CSV_SEPARATOR, lineterminator="\r\n")
    writer.writerow([c.header for c in COLUMNS])
    lines = [[c.header for c in COLUMNS]]
    for record in records:
        row = record_to_row(record)
        cells = [csv_safe(row[k]) for k in KEYS]
        writer.writerow(cells)
        lines.append(cells)
    text = buffer.getvalue()
    try:
        codec = codecs.lookup(encoding).name
    except LookupError as exc:
        raise FormatError(
            "registry_io.unknown_encoding",
            f"Unknown text encoding: {encoding!r}.",
            encoding=encoding,
        ) from exc
    try:
        return text.encode(encoding)
    except UnicodeEncodeError as exc:
        line = next(
            (
                i
                for i, cells in enumerate(lines, start=1)
                if exc.object[exc.start] in "".join(cells)
            ),
            0,
        )
        raise FormatError(
            "registry_io.not_encodable",
            f"Line {line} has the character “{exc.object[exc.start]}” that {codec} cannot hold; "
            "write the file in UTF-8.",
            line=line,
            char=exc.object[exc.start],
            encoding=codec,
        ) from exc


_XLSX_NUMBERS = {
    "residents_permanent",
    "residents_temporary",
    "owners",
    "area_total",
    "units_value",
    "container_volume",
    "container_count",
}


def _xlsx_value(key: str, record: RegistryRecord, text: str):
    value = getattr(record, key)
    if key in _XLSX_NUMBERS and value is not None:
        value = Decimal(value)
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, date):
        return value
    return text or None


def write_xlsx(records: Iterable[RegistryRecord]) -> bytes:
    """The XLSX workbook of the layout: sheet «Потребители» (header in row 1) and «Описание».

    Numbers are written as numbers, dates as dates (ДД.ММ.ГГГГ), identifiers as text so that
    leading zeros stay. A text a spreadsheet would run as a formula (``=HYPERLINK(…)``) is
    stored as a string cell, never as a formula.
    """
    import openpyxl
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = SHEET_NAME
    sheet.append([c.header for c in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = [len(c.header) for c in COLUMNS]
    for record in records:
        row = record_to_row(record)
        values = [_xlsx_value(k, record, row[k]) for k in KEYS]
        sheet.append(values)
        for i, value in enumerate(values):
            if isinstance(value, date):
                sheet.cell(sheet.max_row, i + 1).number_format = "DD.MM.YYYY"
            elif isinstance(value, str):
                cell = sheet.cell(sheet.max_row, i + 1)
                cell.number_format = "@"
                if is_formula_like(value):
                    cell.data_type = "s"  # openpyxl took a leading "=" for a formula
            widths[i] = max(widths[i], len(row[KEYS[i]]))
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = min(max(width + 2, 8), 60)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{max(sheet.max_row, 1)}"
    help_sheet = book.create_sheet(HELP_SHEET_NAME)
    help_sheet.append(["Колонка", "Формат", "Обязательна"])
    for cell in help_sheet[1]:
        cell.font = Font(bold=True)
    for column in COLUMNS:
        help_sheet.append([column.header, column.fmt, column.required])
    for letter, width in (("A", 30), ("B", 70), ("C", 25)):
        help_sheet.column_dimensions[letter].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
