"""Streaming reader (and a small writer) of a ГАР (ФИАС) XML extract for one region.

The ФНС publishes the Государственный адресный реестр as ``gar_xml.zip``: reference tables at the
root (``AS_OBJECT_LEVELS_…``, ``AS_HOUSE_TYPES_…``) and one folder per region (``01`` … ``99``)
holding ``AS_<TABLE>_<YYYYMMDD>_<guid>.XML``. Each file is UTF-8 XML, one empty element per
record, every value in an upper-case attribute::

    <ADDRESSOBJECTS><OBJECT ID="…" OBJECTID="1318671" OBJECTGUID="…" NAME="1 Мая" TYPENAME="пер"
        LEVEL="8" … STARTDATE="1900-01-01" ENDDATE="2079-06-06" ISACTUAL="1" ISACTIVE="1"/>…

Tables read here (file prefix → root / record element → record class):

* ``AS_ADDR_OBJ`` → ``ADDRESSOBJECTS/OBJECT`` → :class:`GarAddrObject` (regions … streets);
* ``AS_HOUSES`` → ``HOUSES/HOUSE`` → :class:`GarHouse`;
* ``AS_APARTMENTS`` → ``APARTMENTS/APARTMENT`` → :class:`GarApartment` (optional);
* ``AS_ROOMS`` → ``ROOMS/ROOM`` → :class:`GarRoom` (optional; rooms of communal flats);
* ``AS_MUN_HIERARCHY`` / ``AS_ADM_HIERARCHY`` → ``ITEMS/ITEM`` → :class:`GarHierarchyLink`;
* ``AS_OBJECT_LEVELS`` → ``OBJECTLEVELS/OBJECTLEVEL`` → :class:`GarObjectLevel` (optional).

``_PARAMS``, ``_DIVISION``, ``_TYPES``, steads, car places and the other tables are ignored.

Versions: a record is one version of an object. The current version has ``ISACTUAL=1`` and
``ISACTIVE=1`` (hierarchy rows: ``ISACTIVE=1``); the reader returns every record with its flags
(``current_only=True`` filters). ``ENDDATE`` 2079-06-06 is ГАР's "no end".

Memory: files are read with :func:`xml.etree.ElementTree.iterparse`, and every record is
dropped from the tree as soon as it has been converted, so a whole region (hundreds of MB) is
read in constant memory.

Errors are :class:`~mobill_tko_core.errors.GarError` with codes ``gar_path_not_found``,
``gar_not_extract``, ``gar_file_missing``, ``gar_duplicate_file``, ``gar_several_regions``,
``gar_malformed`` (not well-formed XML; params ``file``, ``line``, ``column``),
``gar_wrong_table`` (the file holds another table) and ``gar_bad_value`` (an attribute is
missing or not a number/date/flag; params ``file``, ``record``, ``attribute``, ``value``).
"""

from __future__ import annotations

import contextlib
import os
import re
import uuid
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, fields
from datetime import date
from pathlib import Path
from typing import IO
from xml.etree import ElementTree
from xml.sax.saxutils import escape

from mobill_tko_core.errors import GarError

# --------------------------------------------------------------------------- reference data

#: AS_OBJECT_LEVELS (names as published by the ФНС).
LEVEL_NAMES = {
    1: "Субъект РФ",
    2: "Административный район",
    3: "Муниципальный район",
    4: "Сельское/городское поселение",
    5: "Город",
    6: "Населенный пункт",
    7: "Элемент планировочной структуры",
    8: "Элемент улично-дорожной сети",
    9: "Земельный участок",
    10: "Здание (сооружение)",
    11: "Помещение",
    12: "Помещения в пределах помещения",
    13: "Уровень автономного округа (устаревшее)",
    14: "Уровень внутригородской территории (устаревшее)",
    15: "Уровень дополнительных территорий (устаревшее)",
    16: "Уровень объектов на дополнительных территориях (устаревшее)",
    17: "Машино-место",
}

#: AS_HOUSE_TYPES → SHORTNAME (HOUSETYPE of a house). Types 1, 3, 9, 11–14 are closed in the
#: reference (ENDDATE 2015) but still occur in old records.
HOUSE_TYPE_SHORT = {
    1: "влд.",
    2: "д.",
    3: "двлд.",
    4: "г-ж",
    5: "зд.",
    6: "шахта",
    7: "стр.",
    8: "соор.",
    9: "литера",
    10: "к.",
    11: "подв.",
    12: "кот.",
    13: "п-б",
    14: "ОНС",
}

#: AS_ADDHOUSE_TYPES → SHORTNAME (ADDTYPE1 / ADDTYPE2 of a house).
ADDHOUSE_TYPE_SHORT = {1: "к.", 2: "стр.", 3: "соор.", 4: "литера"}

#: AS_APARTMENT_TYPES → SHORTNAME (APARTTYPE of an apartment).
APARTMENT_TYPE_SHORT = {
    1: "помещ.",
    2: "кв.",
    3: "офис",
    4: "ком.",
    5: "раб.уч.",
    6: "скл.",
    7: "торг. зал",
    8: "цех",
    9: "пав.",
    10: "подв.",
    11: "кот.",
    12: "п-б",
    13: "г-ж",
}

#: AS_ROOM_TYPES → SHORTNAME (ROOMTYPE of a room; 0 = "не определено").
ROOM_TYPE_SHORT = {1: "ком.", 2: "помещ."}

OPEN_END = date(2079, 6, 6)  # ENDDATE of a version that has not ended
OPEN_START = date(1900, 1, 1)  # STARTDATE used by ГАР for "since ever"

# --------------------------------------------------------------------------- records


class _Versioned:
    """A ГАР record with ISACTUAL/ISACTIVE flags: current when it is both."""

    __slots__ = ()

    @property
    def is_current(self) -> bool:
        return self.isactual and self.isactive


@dataclass(frozen=True, slots=True)
class GarAddrObject(_Versioned):
    """AS_ADDR_OBJ/OBJECT: a region, district, settlement, planning element or street."""

    objectid: int
    objectguid: str
    name: str
    typename: str
    level: int
    isactual: bool
    isactive: bool
    startdate: date | None = None
    enddate: date | None = None


@dataclass(frozen=True, slots=True)
class GarHouse(_Versioned):
    """AS_HOUSES/HOUSE: a building; its number is HOUSENUM + ADDNUM1 + ADDNUM2 with types."""

    objectid: int
    objectguid: str
    housenum: str | None
    addnum1: str | None
    addnum2: str | None
    housetype: int | None
    addtype1: int | None
    addtype2: int | None
    isactual: bool
    isactive: bool
    startdate: date | None = None
    enddate: date | None = None


@dataclass(frozen=True, slots=True)
class GarApartment(_Versioned):
    """AS_APARTMENTS/APARTMENT: a premises (flat, office…) in a building."""

    objectid: int
    objectguid: str
    number: str
    aparttype: int | None
    isactual: bool
    isactive: bool
    startdate: date | None = None
    enddate: date | None = None


@dataclass(frozen=True, slots=True)
class GarRoom(_Versioned):
    """AS_ROOMS/ROOM: a room within premises (e.g. a room of a communal flat)."""

    objectid: int
    objectguid: str
    number: str
    roomtype: int | None
    isactual: bool
    isactive: bool
    startdate: date | None = None
    enddate: date | None = None


@dataclass(frozen=True, slots=True)
class GarHierarchyLink:
    """AS_MUN_HIERARCHY / AS_ADM_HIERARCHY ITEM: the parent of an object in one hierarchy.

    ``path`` is the dot-separated OBJECTIDs from the region down to the object itself;
    ``parentobjid`` is ``None`` for the region. ``oktmo`` is given in the municipal hierarchy.
    """

    objectid: int
    parentobjid: int | None
    isactive: bool
    path: str
    oktmo: str | None = None
    startdate: date | None = None
    enddate: date | None = None

    @property
    def is_current(self) -> bool:
        return self.isactive

    @property
    def path_ids(self) -> tuple[int, ...]:
        return tuple(int(part) for part in self.path.split(".") if part)


@dataclass(frozen=True, slots=True)
class GarObjectLevel:
    """AS_OBJECT_LEVELS/OBJECTLEVEL."""

    level: int
    name: str
    isactive: bool


GarRecord = GarAddrObject | GarHouse | GarApartment | GarRoom | GarHierarchyLink


# --------------------------------------------------------------------------- display helpers


def level_name(level: int) -> str:
    """Name of a ГАР level (AS_OBJECT_LEVELS), e.g. 8 → "Элемент улично-дорожной сети"."""
    return LEVEL_NAMES.get(level, f"Уровень {level}")


def _numbered(abbreviation: str | None, number: str | None) -> str:
    if not number:
        return ""
    return f"{abbreviation} {number}" if abbreviation else number


def house_display_name(house: GarHouse) -> str:
    """The house number as printed: "д. 5 к. 2 стр. 1".

    Abbreviations are the SHORTNAMEs of AS_HOUSE_TYPES / AS_ADDHOUSE_TYPES (корпус is "к."
    there). A number with an unknown or missing type code is shown without an abbreviation.
    """
    parts = (
        _numbered(HOUSE_TYPE_SHORT.get(house.housetype), house.housenum),
        _numbered(ADDHOUSE_TYPE_SHORT.get(house.addtype1), house.addnum1),
        _numbered(ADDHOUSE_TYPE_SHORT.get(house.addtype2), house.addnum2),
    )
    return " ".join(part for part in parts if part)


def apartment_display_name(apartment: GarApartment) -> str:
    """The premises number as printed: "кв. 12", "помещ. 3", "офис 101"."""
    return _numbered(APARTMENT_TYPE_SHORT.get(apartment.aparttype), apartment.number)


def room_display_name(room: GarRoom) -> str:
    """The room number as printed: "ком. 2"."""
    return _numbered(ROOM_TYPE_SHORT.get(room.roomtype), room.number)


# --------------------------------------------------------------------------- attribute parsing


class _BadValue(Exception):
    def __init__(self, attribute: str, value: str | None):
        super().__init__(attribute)
        self.attribute = attribute
        self.value = value


def _int(attrs: dict, key: str) -> int:
    value = attrs.get(key)
    try:
        return int(value)
    except (TypeError, ValueError):
        raise _BadValue(key, value) from None


def _opt_int(attrs: dict, key: str) -> int | None:
    value = attrs.get(key)
    if value is None or value == "":
        return None
    return _int(attrs, key)


def _str(attrs: dict, key: str) -> str:
    value = attrs.get(key)
    if value is None:
        raise _BadValue(key, value)
    return value


def _opt_str(attrs: dict, key: str) -> str | None:
    return attrs.get(key) or None


_TRUE = frozenset({"1", "true", "True", "TRUE"})
_FALSE = frozenset({"0", "false", "False", "FALSE"})


def _bool(attrs: dict, key: str) -> bool:
    value = attrs.get(key)
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise _BadValue(key, value)


def _opt_date(attrs: dict, key: str) -> date | None:
    value = attrs.get(key)
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise _BadValue(key, value) from None


def _text(attrs: dict, key: str) -> str:
    return attrs.get(key, "")


def _parent(attrs: dict, key: str) -> int | None:
    return _opt_int(attrs, key) or None  # 0: no parent


#: the reader of an attribute by the type of the record's field
_READERS = {
    "int": _int,
    "int | None": _opt_int,
    "str": _str,
    "str | None": _opt_str,
    "bool": _bool,
    "date | None": _opt_date,
}


def _converter(cls, **special) -> Callable[[dict], object]:
    """The converter of one XML record's attributes into ``cls``: every field is read from the
    attribute of its name in capitals (``objectid`` ← ``OBJECTID``) by the reader of its type;
    ``special`` names a field's own reader."""
    plan = [(f.name.upper(), special.get(f.name) or _READERS[str(f.type)]) for f in fields(cls)]

    def convert(attrs: dict):
        return cls(*[read(attrs, key) for key, read in plan])

    return convert


_addr_object = _converter(GarAddrObject, typename=_text)
_house = _converter(GarHouse)
_apartment = _converter(GarApartment)
_room = _converter(GarRoom)
_hierarchy_link = _converter(GarHierarchyLink, parentobjid=_parent, path=_text)
_object_level = _converter(GarObjectLevel)


@dataclass(frozen=True)
class _Table:
    key: str
    prefix: str
    root: str
    record: str
    convert: Callable[[dict], object]


TABLES = {
    table.key: table
    for table in (
        _Table("addr_obj", "AS_ADDR_OBJ", "ADDRESSOBJECTS", "OBJECT", _addr_object),
        _Table("houses", "AS_HOUSES", "HOUSES", "HOUSE", _house),
        _Table("apartments", "AS_APARTMENTS", "APARTMENTS", "APARTMENT", _apartment),
        _Table("rooms", "AS_ROOMS", "ROOMS", "ROOM", _room),
        _Table("adm_hierarchy", "AS_ADM_HIERARCHY", "ITEMS", "ITEM", _hierarchy_link),
        _Table("mun_hierarchy", "AS_MUN_HIERARCHY", "ITEMS", "ITEM", _hierarchy_link),
        _Table("object_levels", "AS_OBJECT_LEVELS", "OBJECTLEVELS", "OBJECTLEVEL", _object_level),
    )
}

# --------------------------------------------------------------------------- streaming


@dataclass(frozen=True)
class GarExtractFile:
    """One table file of an extract, in a folder (``member`` is None) or inside a zip."""

    table: str  # a key of TABLES: "addr_obj", "houses", "mun_hierarchy", …
    name: str  # the file name, e.g. "AS_HOUSES_20240101_<guid>.XML"
    path: Path  # the file itself, or the zip archive holding it
    member: str | None = None  # the name inside the zip
    region: str | None = None  # the region folder ("40"), None for root reference tables
    extract_date: date | None = None

    @contextlib.contextmanager
    def open(self) -> Iterator[IO[bytes]]:
        """Open the file for binary reading (streams from the zip without unpacking it)."""
        if self.member is None:
            with self.path.open("rb") as stream:
                yield stream
        else:
            with zipfile.ZipFile(self.path) as archive, archive.open(self.member) as stream:
                yield stream


@contextlib.contextmanager
def _opened(source, name: str | None) -> Iterator[tuple[IO, str]]:
    if isinstance(source, GarExtractFile):
        with source.open() as stream:
            yield stream, name or source.name
    elif isinstance(source, str | os.PathLike):
        path = Path(source)
        try:
            stream = path.open("rb")
        except FileNotFoundError:
            raise GarError(
                "gar_path_not_found", f"File {path} does not exist", path=str(path)
            ) from None
        with stream:
            yield stream, name or path.name
    else:
        yield source, name or Path(str(getattr(source, "name", "") or "stream")).name


def _tag(element) -> str:
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if "}" in tag else tag


def _iter_table(source, table: _Table, name: str | None) -> Iterator:
    with _opened(source, name) as (stream, display_name):
        events = ElementTree.iterparse(stream, events=("start", "end"))
        root = None
        depth = 0
        count = 0
        while True:
            try:
                event, element = next(events)
            except StopIteration:
                break
            except ElementTree.ParseError as exc:
                line, column = exc.position
                raise GarError(
                    "gar_malformed",
                    f"The ГАР file {display_name} is damaged or is not XML "
                    f"(line {line}, column {column})",
                    file=display_name,
                    line=line,
                    column=column,
                    detail=str(exc),
                ) from exc
            if event == "start":
                depth += 1
                if root is None:
                    root = element
                    if _tag(root) != table.root:
                        raise GarError(
                            "gar_wrong_table",
                            f"The ГАР file {display_name} does not hold the table "
                            f"{table.prefix} (its root element is {_tag(root)}, "
                            f"expected {table.root})",
                            file=display_name,
                            expected=table.root,
                            found=_tag(root),
                        )
                continue
            depth -= 1
            if depth != 1:
                continue
            if _tag(element) == table.record:
                count += 1
                try:
                    record = table.convert(element.attrib)
                except _BadValue as bad:
                    raise GarError(
                        "gar_bad_value",
                        f"Record {count} of the ГАР file {display_name} has a wrong "
                        f"{bad.attribute} value: {bad.value!r}",
                        file=display_name,
                        record=count,
                        attribute=bad.attribute,
                        value=bad.value,
                    ) from None
                yield record
            root.clear()  # drop the finished record so memory stays constant


def iter_addr_objects(fileobj, *, name: str | None = None) -> Iterator[GarAddrObject]:
    """Records of an AS_ADDR_OBJ file (a path, a binary file object or a GarExtractFile)."""
    return _iter_table(fileobj, TABLES["addr_obj"], name)


def iter_houses(fileobj, *, name: str | None = None) -> Iterator[GarHouse]:
    """Records of an AS_HOUSES file."""
    return _iter_table(fileobj, TABLES["houses"], name)


def iter_apartments(fileobj, *, name: str | None = None) -> Iterator[GarApartment]:
    """Records of an AS_APARTMENTS file."""
    return _iter_table(fileobj, TABLES["apartments"], name)


def iter_rooms(fileobj, *, name: str | None = None) -> Iterator[GarRoom]:
    """Records of an AS_ROOMS file."""
    return _iter_table(fileobj, TABLES["rooms"], name)


def iter_hierarchy(fileobj, *, name: str | None = None) -> Iterator[GarHierarchyLink]:
    """Records of an AS_MUN_HIERARCHY or AS_ADM_HIERARCHY file (same ITEMS/ITEM layout)."""
    return _iter_table(fileobj, TABLES["mun_hierarchy"], name)


def iter_object_levels(fileobj, *, name: str | None = None) -> Iterator[GarObjectLevel]:
    """Records of an AS_OBJECT_LEVELS file."""
    return _iter_table(fileobj, TABLES["object_levels"], name)


# --------------------------------------------------------------------------- finding the files

_FILE_NAME = re.compile(
    r"AS_(ADDR_OBJ|HOUSES|APARTMENTS|ROOMS|ADM_HIERARCHY|MUN_HIERARCHY|OBJECT_LEVELS)"
    r"_(\d{8})(?:_[^/\\]*)?\.XML",
    re.IGNORECASE,
)
_TABLE_BY_PREFIX = {table.prefix: table.key for table in TABLES.values()}
_REGION_FOLDER = re.compile(r"\d{2}")


def _classify(file_name: str, folder: str) -> tuple[str, str | None, date | None] | None:
    """(table key, region, date) of a file name, or None when it is not a table read here."""
    match = _FILE_NAME.fullmatch(file_name)
    if match is None or "_PARAMS" in file_name.upper():
        return None
    table = _TABLE_BY_PREFIX["AS_" + match.group(1).upper()]
    digits = match.group(2)
    try:
        extract_date = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        extract_date = None
    region = folder if _REGION_FOLDER.fullmatch(folder) else None
    if table == "object_levels":
        region = None
    return table, region, extract_date


def _scan(path: Path) -> list[GarExtractFile]:
    found = []
    if path.is_dir():
        for file in sorted(path.rglob("*")):
            if not file.is_file():
                continue
            info = _classify(file.name, file.parent.name)
            if info:
                table, region, extract_date = info
                found.append(GarExtractFile(table, file.name, file, None, region, extract_date))
        return found
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            members = sorted(archive.namelist())
        for member in members:
            if member.endswith("/"):
                continue
            parts = member.replace("\\", "/").split("/")
            info = _classify(parts[-1], parts[-2] if len(parts) > 1 else "")
            if info:
                table, region, extract_date = info
                found.append(GarExtractFile(table, parts[-1], path, member, region, extract_date))
        return found
    raise GarError(
        "gar_not_extract",
        f"{path.name} is neither a folder nor a zip archive of a ГАР extract",
        path=str(path),
    )


def find_extract_files(path, region: str | None = None) -> dict[str, GarExtractFile]:
    """The table files of a ГАР extract in a folder (searched recursively) or a zip archive.

    Names are matched case-insensitively by prefix (``AS_HOUSES_<YYYYMMDD>_….XML``);
    ``_PARAMS``, ``_DIVISION``, ``_TYPES`` and other tables are ignored. Returns a dict keyed by
    table ("addr_obj", "houses", "apartments", "rooms", "adm_hierarchy", "mun_hierarchy",
    "object_levels"); tables not found are absent. ``region`` ("40") picks one region folder of
    an archive holding several; files outside any region folder are always considered.
    """
    path = Path(path)
    if not path.exists():
        raise GarError("gar_path_not_found", f"{path} does not exist", path=str(path))
    candidates = _scan(path)
    if region is not None:
        candidates = [item for item in candidates if item.region in (region, None)]
    by_table: dict[str, list[GarExtractFile]] = {}
    for item in candidates:
        by_table.setdefault(item.table, []).append(item)
    result = {}
    for table, items in by_table.items():
        if len(items) > 1:
            regions = sorted({item.region for item in items if item.region})
            if len(regions) > 1:
                listed = ", ".join(regions)
                raise GarError(
                    "gar_several_regions",
                    f"The ГАР extract holds several regions ({listed}); choose one region",
                    regions=regions,
                )
            names = ", ".join(item.name for item in items)
            raise GarError(
                "gar_duplicate_file",
                f"The ГАР extract holds more than one {TABLES[table].prefix} file: {names}",
                table=table,
                files=[item.name for item in items],
            )
        result[table] = items[0]
    return result


def validate_extract(
    path, hierarchy: str = "mun", region: str | None = None
) -> dict[str, GarExtractFile]:
    """The files of an extract (:func:`find_extract_files`), checked without reading them: the
    address objects, houses and the chosen hierarchy's links are there (else
    ``gar_file_missing``). Lists the folder or the zip's directory only, so it is instant even
    for a whole country."""
    if hierarchy not in ("mun", "adm"):
        raise ValueError(f"hierarchy must be 'mun' or 'adm', not {hierarchy!r}")
    files = find_extract_files(path, region)
    for required in ("addr_obj", "houses", f"{hierarchy}_hierarchy"):
        if required not in files:
            prefix = TABLES[required].prefix
            raise GarError(
                "gar_file_missing",
                f"The ГАР extract has no {prefix}_… file",
                table=required,
                prefix=prefix,
            )
    return files


def read_extract(
    path,
    hierarchy: str = "mun",
    *,
    region: str | None = None,
    current_only: bool = False,
) -> Iterator[GarRecord]:
    """All records of a regional extract in import order.

    Address objects, then houses, then apartments and rooms (when the files are there), then
    the links of the chosen hierarchy (``"mun"`` — municipal, with ОКТМО; ``"adm"`` —
    administrative). Every object is yielded before any link refers to it. With
    ``current_only`` only current versions (ISACTUAL and ISACTIVE; links: ISACTIVE) are given.
    """
    files = validate_extract(path, hierarchy, region)
    hierarchy_table = f"{hierarchy}_hierarchy"
    for table in ("addr_obj", "houses", "apartments", "rooms", hierarchy_table):
        if table not in files:
            continue
        for record in _iter_table(files[table], TABLES[table], None):
            if not current_only or record.is_current:
                yield record


# --------------------------------------------------------------------------- writing samples

_NAMESPACE = uuid.UUID("5b1b3f0e-8a4e-5c0a-9f3e-6d6f62696c6c")  # fixed: deterministic file GUIDs


def _attr(value) -> str:
    if isinstance(value, bool):
        value = int(value)
    elif isinstance(value, date):
        value = value.isoformat()
    return escape(str(value), {'"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})


def _element(tag: str, attributes: Iterable[tuple[str, object]]) -> str:
    body = " ".join(f'{key}="{_attr(value)}"' for key, value in attributes if value is not None)
    return f"<{tag} {body} />\n"


def _version(record, extract_date: date) -> list[tuple[str, object]]:
    return [
        ("OPERTYPEID", 1),
        ("PREVID", 0),
        ("NEXTID", 0),
        ("UPDATEDATE", extract_date),
        ("STARTDATE", record.startdate or OPEN_START),
        ("ENDDATE", record.enddate or OPEN_END),
    ]


def _object_attributes(record, extract_date: date, number: int, own):
    """Attributes of an address object, a house, an apartment or a room, in the XSD's order."""
    return [
        ("ID", number),
        ("OBJECTID", record.objectid),
        ("OBJECTGUID", record.objectguid),
        ("CHANGEID", number),
        *own,
        *_version(record, extract_date),
        ("ISACTUAL", record.isactual),
        ("ISACTIVE", record.isactive),
    ]


def _addr_object_attributes(obj: GarAddrObject, extract_date: date, number: int):
    own = [("NAME", obj.name), ("TYPENAME", obj.typename), ("LEVEL", obj.level)]
    return _object_attributes(obj, extract_date, number, own)


def _house_attributes(house: GarHouse, extract_date: date, number: int):
    own = [
        ("HOUSENUM", house.housenum),
        ("ADDNUM1", house.addnum1),
        ("ADDNUM2", house.addnum2),
        ("HOUSETYPE", house.housetype),
        ("ADDTYPE1", house.addtype1),
        ("ADDTYPE2", house.addtype2),
    ]
    return _object_attributes(house, extract_date, number, own)


def _apartment_attributes(apartment: GarApartment, extract_date: date, number: int):
    own = [("NUMBER", apartment.number), ("APARTTYPE", apartment.aparttype)]
    return _object_attributes(apartment, extract_date, number, own)


def _room_attributes(room: GarRoom, extract_date: date, number: int):
    own = [("NUMBER", room.number), ("ROOMTYPE", room.roomtype)]
    return _object_attributes(room, extract_date, number, own)


def _link_attributes(link: GarHierarchyLink, extract_date: date, number: int):
    return [
        ("ID", number),
        ("OBJECTID", link.objectid),
        ("PARENTOBJID", link.parentobjid),
        ("CHANGEID", number),
        ("OKTMO", link.oktmo),
        ("PREVID", 0),
        ("NEXTID", 0),
        ("UPDATEDATE", extract_date),
        ("STARTDATE", link.startdate or OPEN_START),
        ("ENDDATE", link.enddate or OPEN_END),
        ("ISACTIVE", link.isactive),
        ("PATH", link.path),
    ]


def _write_table(
    folder: Path,
    table: _Table,
    records: Iterable,
    attributes: Callable,
    region_code: str,
    extract_date: date,
) -> Path:
    guid = uuid.uuid5(_NAMESPACE, f"{region_code}/{table.prefix}/{extract_date.isoformat()}")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{table.prefix}_{extract_date:%Y%m%d}_{guid}.XML"
    with path.open("w", encoding="utf-8", newline="\n") as out:
        out.write('<?xml version="1.0" encoding="utf-8"?>\n')
        out.write(f"<{table.root}>\n")
        for number, record in enumerate(records, start=1):
            out.write(_element(table.record, attributes(record, extract_date, number)))
        out.write(f"</{table.root}>\n")
    return path


def write_sample_extract(
    folder,
    region_code: str,
    *,
    addr_objects: Iterable[GarAddrObject] = (),
    houses: Iterable[GarHouse] = (),
    apartments: Iterable[GarApartment] | None = None,
    rooms: Iterable[GarRoom] | None = None,
    mun_hierarchy: Iterable[GarHierarchyLink] = (),
    adm_hierarchy: Iterable[GarHierarchyLink] | None = None,
    extract_date: date = date(2024, 1, 1),
    object_levels: bool = True,
) -> list[Path]:
    """Write an extract in the published layout; returns the paths of the files written.

    ``folder/AS_OBJECT_LEVELS_<date>_<guid>.XML`` (when ``object_levels``) and
    ``folder/<region_code>/AS_<TABLE>_<date>_<guid>.XML`` for AS_ADDR_OBJ, AS_HOUSES and
    AS_MUN_HIERARCHY (always, possibly empty) and AS_APARTMENTS, AS_ROOMS, AS_ADM_HIERARCHY (when
    given). Records are streamed to disk, so iterables of any size can be written. File GUIDs
    are derived from region, table and date, so the same call gives the same names. Missing
    STARTDATE / ENDDATE are written as 1900-01-01 / 2079-06-06, as ГАР does.
    """
    folder = Path(folder)
    region_folder = folder / region_code
    written = []
    if object_levels:
        levels = [GarObjectLevel(level, name, True) for level, name in LEVEL_NAMES.items()]

        def level_attributes(level: GarObjectLevel, extract_date: date, number: int):
            return [
                ("LEVEL", level.level),
                ("NAME", level.name),
                ("STARTDATE", OPEN_START),
                ("ENDDATE", OPEN_END),
                ("UPDATEDATE", OPEN_START),
                ("ISACTIVE", "true" if level.isactive else "false"),
            ]

        written.append(
            _write_table(
                folder, TABLES["object_levels"], levels, level_attributes, "", extract_date
            )
        )
    tables = [
        ("addr_obj", addr_objects, _addr_object_attributes),
        ("houses", houses, _house_attributes),
        ("apartments", apartments, _apartment_attributes),
        ("rooms", rooms, _room_attributes),
        ("mun_hierarchy", mun_hierarchy, _link_attributes),
        ("adm_hierarchy", adm_hierarchy, _link_attributes),
    ]
    for key, records, attributes in tables:
        if records is None:
            continue
        written.append(
            _write_table(region_folder, TABLES[key], records, attributes, region_code, extract_date)
        )
    return written
