"""A small, consistent ГАР extract of a fictional region, for tests and the product's demo.

«Энская область» has the structure of a real regional extract:

* municipal hierarchy (AS_MUN_HIERARCHY, with ОКТМО): the region → the городской округ «город
  Энск» → the city Энск → streets (one in the микрорайон «Северный») → houses → premises; and
  the муниципальный район «Заречный» → the городское поселение «Заречное» (пгт Заречный) and the
  сельское поселение «Луговское» (с Луговое, д Берёзовка) → streets → houses → premises;
* administrative hierarchy (AS_ADM_HIERARCHY): the region → г Энск and the административный
  район «Заречный» → the same settlements, streets, houses and premises.

Some records are deliberately not current, as in a real extract: the old name of ул Садовая
(«Советская», ISACTUAL=0) and a demolished house (ISACTIVE=0) with its hierarchy link.

Everything is deterministic: OBJECTIDs are numbered from :data:`FIRST_OBJECTID` in building order
and OBJECTGUIDs are UUID5 of the OBJECTID, so two runs give identical files. The region code
"98" and the ОКТМО codes (98…) are fictional and are not used by a real region.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from mobill_tko_core.gar import (
    GarAddrObject,
    GarApartment,
    GarHierarchyLink,
    GarHouse,
    GarRoom,
    write_sample_extract,
)

DEMO_REGION_CODE = "98"
DEMO_EXTRACT_DATE = date(2024, 1, 1)
FIRST_OBJECTID = 98_000_001
_GUID_NAMESPACE = uuid.UUID("0f0c7c1e-6b3a-5d2e-9a57-6d6f62696c6c")

HOUSE = 2  # AS_HOUSE_TYPES: Дом
BUILDING = 5  # AS_HOUSE_TYPES: Здание
KORPUS = 1  # AS_ADDHOUSE_TYPES: Корпус
STROENIE = 2  # AS_ADDHOUSE_TYPES: Строение
FLAT = 2  # AS_APARTMENT_TYPES: Квартира
PREMISES = 1  # AS_APARTMENT_TYPES: Помещение
OFFICE = 3  # AS_APARTMENT_TYPES: Офис
ROOM = 1  # AS_ROOM_TYPES: Комната


@dataclass
class DemoExtract:
    """The records of the demo extract, as written to the files."""

    addr_objects: list[GarAddrObject] = field(default_factory=list)
    houses: list[GarHouse] = field(default_factory=list)
    apartments: list[GarApartment] = field(default_factory=list)
    rooms: list[GarRoom] = field(default_factory=list)
    mun_hierarchy: list[GarHierarchyLink] = field(default_factory=list)
    adm_hierarchy: list[GarHierarchyLink] = field(default_factory=list)


class _Builder:
    def __init__(self):
        self.extract = DemoExtract()
        self._next_id = FIRST_OBJECTID
        self._mun_paths: dict[int, str] = {}
        self._adm_paths: dict[int, str] = {}
        self._oktmo: dict[int, str] = {}

    def _new_id(self) -> tuple[int, str]:
        objectid = self._next_id
        self._next_id += 1
        return objectid, str(uuid.uuid5(_GUID_NAMESPACE, f"gar-demo:{objectid}"))

    def _link(self, objectid, mun_parent, adm_parent, oktmo=None, isactive=True):
        """Add the object under its parents; ``None`` keeps it out of that hierarchy."""
        if mun_parent is not False:
            oktmo = oktmo or self._oktmo.get(mun_parent)
            if oktmo:
                self._oktmo[objectid] = oktmo
            path = self._path(self._mun_paths, mun_parent, objectid)
            self.extract.mun_hierarchy.append(
                GarHierarchyLink(objectid, mun_parent, isactive, path, oktmo=oktmo)
            )
        if adm_parent is not False:
            path = self._path(self._adm_paths, adm_parent, objectid)
            self.extract.adm_hierarchy.append(
                GarHierarchyLink(objectid, adm_parent, isactive, path)
            )

    @staticmethod
    def _path(paths: dict[int, str], parent: int | None, objectid: int) -> str:
        path = f"{paths[parent]}.{objectid}" if parent else str(objectid)
        paths[objectid] = path
        return path

    def addr(self, name, typename, level, mun_parent=False, adm_parent=False, oktmo=None) -> int:
        objectid, guid = self._new_id()
        self.extract.addr_objects.append(
            GarAddrObject(objectid, guid, name, typename, level, True, True, date(2014, 1, 1))
        )
        self._link(objectid, mun_parent, adm_parent, oktmo)
        return objectid

    def house(self, street, number, korpus=None, stroenie=None, housetype=HOUSE, active=True):
        objectid, guid = self._new_id()
        addnum1, addtype1, addnum2, addtype2 = None, None, None, None
        if korpus:
            addnum1, addtype1 = korpus, KORPUS
        if stroenie:
            if addnum1 is None:
                addnum1, addtype1 = stroenie, STROENIE
            else:
                addnum2, addtype2 = stroenie, STROENIE
        self.extract.houses.append(
            GarHouse(
                objectid,
                guid,
                number,
                addnum1,
                addnum2,
                housetype,
                addtype1,
                addtype2,
                isactual=True,
                isactive=active,
                startdate=date(2015, 3, 1),
                enddate=None if active else date(2023, 6, 1),
            )
        )
        self._link(objectid, street, street, isactive=active)
        return objectid

    def apartment(self, house, number, aparttype=FLAT) -> int:
        objectid, guid = self._new_id()
        self.extract.apartments.append(
            GarApartment(objectid, guid, str(number), aparttype, True, True, date(2016, 5, 1))
        )
        self._link(objectid, house, house)
        return objectid

    def room(self, apartment, number) -> int:
        objectid, guid = self._new_id()
        self.extract.rooms.append(GarRoom(objectid, guid, str(number), ROOM, True, True))
        self._link(objectid, apartment, apartment)
        return objectid

    def flats(self, house, count: int) -> list[int]:
        return [self.apartment(house, number) for number in range(1, count + 1)]


def demo_extract() -> DemoExtract:
    """The records of «Энская область» (see the module docstring)."""
    b = _Builder()
    region = b.addr("Энская", "обл", 1, None, None)

    # -- municipal units (MUN only) and the administrative district (ADM only)
    city_okrug = b.addr("город Энск", "г.о.", 3, region, False, oktmo="98701000")
    mun_district = b.addr("Заречный", "м.р-н", 3, region, False, oktmo="98620000")
    urban_settlement = b.addr("Заречное", "г.п.", 4, mun_district, False, oktmo="98620151")
    rural_settlement = b.addr("Луговское", "с.п.", 4, mun_district, False, oktmo="98620420")
    adm_district = b.addr("Заречный", "р-н", 2, False, region)

    # -- settlements (both hierarchies)
    ensk = b.addr("Энск", "г", 5, city_okrug, region, oktmo="98701000001")
    zarechny = b.addr("Заречный", "пгт", 6, urban_settlement, adm_district, oktmo="98620151051")
    lugovoe = b.addr("Луговое", "с", 6, rural_settlement, adm_district, oktmo="98620420101")
    berezovka = b.addr("Берёзовка", "д", 6, rural_settlement, adm_district, oktmo="98620420106")

    # -- Энск
    lenina = b.addr("Ленина", "ул", 8, ensk, ensk)
    mira = b.addr("Мира", "пр-кт", 8, ensk, ensk)
    sadovaya = b.addr("Садовая", "ул", 8, ensk, ensk)
    # the street's former name: an older version of the same object, no longer actual
    current = b.extract.addr_objects[-1]
    b.extract.addr_objects.append(
        GarAddrObject(
            current.objectid,
            current.objectguid,
            "Советская",
            "ул",
            8,
            isactual=False,
            isactive=True,
            startdate=date(1900, 1, 1),
            enddate=date(2014, 1, 1),
        )
    )
    severny = b.addr("Северный", "мкр", 7, ensk, ensk)
    severnaya = b.addr("Северная", "ул", 8, severny, severny)

    house = b.house(lenina, "1")
    b.flats(house, 12)
    b.apartment(house, 1, PREMISES)  # a shop on the ground floor
    house = b.house(lenina, "3")
    communal = b.flats(house, 8)[4]  # кв. 5 is a communal flat of three rooms
    for number in (1, 2, 3):
        b.room(communal, number)
    house = b.house(lenina, "5", korpus="2")
    b.flats(house, 6)
    b.apartment(house, 101, OFFICE)
    b.house(lenina, "7", stroenie="1", housetype=BUILDING)  # a warehouse, no premises
    house = b.house(mira, "10")
    b.flats(house, 16)
    house = b.house(mira, "12", korpus="1", stroenie="2")
    b.flats(house, 4)
    b.house(mira, "14")
    b.house(sadovaya, "2")
    b.house(sadovaya, "4")
    b.house(sadovaya, "6", active=False)  # demolished
    house = b.house(severnaya, "2")
    b.flats(house, 10)
    b.house(severnaya, "4")

    # -- пгт Заречный
    tsentralnaya = b.addr("Центральная", "ул", 8, zarechny, zarechny)
    shkolnaya = b.addr("Школьная", "ул", 8, zarechny, zarechny)
    house = b.house(tsentralnaya, "1")
    b.flats(house, 8)
    b.house(tsentralnaya, "2")
    b.house(tsentralnaya, "3")
    b.house(shkolnaya, "4", housetype=BUILDING)  # the school
    b.house(shkolnaya, "6")

    # -- с Луговое and д Берёзовка: private houses
    polevaya = b.addr("Полевая", "ул", 8, lugovoe, lugovoe)
    for number in ("1", "2", "3", "5"):
        b.house(polevaya, number)
    lesnaya = b.addr("Лесная", "ул", 8, berezovka, berezovka)
    for number in ("1", "3", "5"):
        b.house(lesnaya, number)
    return b.extract


def build_demo_extract(folder, region_code: str = DEMO_REGION_CODE) -> list[Path]:
    """Write the demo extract into ``folder`` (region files in ``folder/<region_code>``)."""
    extract = demo_extract()
    return write_sample_extract(
        folder,
        region_code,
        addr_objects=extract.addr_objects,
        houses=extract.houses,
        apartments=extract.apartments,
        rooms=extract.rooms,
        mun_hierarchy=extract.mun_hierarchy,
        adm_hierarchy=extract.adm_hierarchy,
        extract_date=DEMO_EXTRACT_DATE,
    )
