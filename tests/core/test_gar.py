import dataclasses
import io
import tracemalloc
import zipfile
from datetime import date
from pathlib import Path

import pytest

from mobill_tko_core.demo.gar_sample import DEMO_REGION_CODE, build_demo_extract, demo_extract
from mobill_tko_core.errors import CoreError, GarError
from mobill_tko_core.gar import (
    OPEN_END,
    OPEN_START,
    GarAddrObject,
    GarApartment,
    GarHierarchyLink,
    GarHouse,
    GarRoom,
    apartment_display_name,
    find_extract_files,
    house_display_name,
    iter_addr_objects,
    iter_apartments,
    iter_hierarchy,
    iter_houses,
    iter_object_levels,
    iter_rooms,
    level_name,
    read_extract,
    room_display_name,
    write_sample_extract,
)


@pytest.fixture
def demo_folder(tmp_path) -> Path:
    folder = tmp_path / "gar"
    build_demo_extract(folder)
    return folder


def zip_folder(folder: Path, target: Path, rename=lambda name: name) -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(folder.rglob("*")):
            if not file.is_file():
                continue
            archive.write(file, rename(file.relative_to(folder).as_posix()))
    return target


def as_written(record):
    """The record as it reads back: missing dates are written as ГАР's 1900-01-01 / 2079-06-06."""
    return dataclasses.replace(
        record, startdate=record.startdate or OPEN_START, enddate=record.enddate or OPEN_END
    )


# ---------------------------------------------------------------- the demo extract


def test_demo_extract_files(demo_folder):
    files = find_extract_files(demo_folder)
    assert set(files) == {
        "addr_obj",
        "houses",
        "apartments",
        "rooms",
        "mun_hierarchy",
        "adm_hierarchy",
        "object_levels",
    }
    assert files["houses"].region == DEMO_REGION_CODE
    assert files["houses"].extract_date == date(2024, 1, 1)
    assert files["houses"].name.startswith("AS_HOUSES_20240101_")
    assert files["object_levels"].region is None
    levels = list(iter_object_levels(files["object_levels"]))
    assert {level.level: level.name for level in levels}[8] == "Элемент улично-дорожной сети"


def test_demo_extract_is_deterministic(tmp_path):
    first = build_demo_extract(tmp_path / "a")
    second = build_demo_extract(tmp_path / "b")
    assert [p.name for p in first] == [p.name for p in second]
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes()


def test_read_extract_round_trip_and_order(demo_folder):
    expected = demo_extract()
    records = list(read_extract(demo_folder))
    kinds = [type(record) for record in records]
    order = [GarAddrObject, GarHouse, GarApartment, GarRoom, GarHierarchyLink]
    # import order: each kind in one block, in this order
    assert kinds == sorted(kinds, key=order.index)
    by_kind = {kind: [r for r in records if type(r) is kind] for kind in order}
    assert by_kind[GarAddrObject] == [as_written(r) for r in expected.addr_objects]
    assert by_kind[GarHouse] == [as_written(r) for r in expected.houses]
    assert by_kind[GarApartment] == [as_written(r) for r in expected.apartments]
    assert by_kind[GarRoom] == [as_written(r) for r in expected.rooms]
    assert by_kind[GarHierarchyLink] == [as_written(r) for r in expected.mun_hierarchy]


def test_municipal_hierarchy_is_consistent(demo_folder):
    objects = {}
    linked = set()
    for record in read_extract(demo_folder, "mun"):
        if isinstance(record, GarHierarchyLink):
            # every link refers to objects already yielded
            assert record.objectid in objects
            ids = record.path_ids
            assert ids[-1] == record.objectid
            if record.parentobjid is None:
                assert len(ids) == 1
                assert objects[record.objectid].level == 1
            else:
                assert ids[-2] == record.parentobjid
                assert record.parentobjid in objects
                assert record.oktmo.startswith("98")  # inherited down to houses and flats
            linked.add(record.objectid)
        else:
            objects[record.objectid] = record
    levels = {
        obj.level
        for obj in objects.values()
        if isinstance(obj, GarAddrObject) and obj.objectid in linked
    }
    assert levels == {1, 3, 4, 5, 6, 7, 8}  # the административный район (2) is ADM only
    assert {obj.objectid for obj in objects.values()} - linked == {
        obj.objectid for obj in objects.values() if getattr(obj, "level", 0) == 2
    }


def test_administrative_hierarchy(demo_folder):
    links = [r for r in read_extract(demo_folder, "adm") if isinstance(r, GarHierarchyLink)]
    objects = {o.objectid: o for o in demo_extract().addr_objects}
    linked_levels = {objects[link.objectid].level for link in links if link.objectid in objects}
    assert 2 in linked_levels  # административный район
    assert not linked_levels & {3, 4}  # municipal units are not in the ADM hierarchy
    assert all(link.oktmo is None for link in links)
    with pytest.raises(ValueError):
        list(read_extract(demo_folder, "postal"))


def test_not_current_records_are_reported_with_flags(demo_folder):
    records = list(read_extract(demo_folder))
    old_name = [r for r in records if isinstance(r, GarAddrObject) and r.name == "Советская"]
    assert len(old_name) == 1
    assert old_name[0].isactual is False and old_name[0].isactive is True
    assert old_name[0].enddate == date(2014, 1, 1)
    assert not old_name[0].is_current
    demolished = [r for r in records if isinstance(r, GarHouse) and not r.isactive]
    assert len(demolished) == 1
    assert demolished[0].housenum == "6"
    links = [r for r in records if isinstance(r, GarHierarchyLink) and not r.isactive]
    assert [link.objectid for link in links] == [demolished[0].objectid]

    current = list(read_extract(demo_folder, current_only=True))
    assert all(r.is_current for r in current)
    assert len(records) - len(current) == 3
    assert not [r for r in current if getattr(r, "name", None) == "Советская"]
    assert [r.name for r in current if getattr(r, "name", None) == "Садовая"] == ["Садовая"]


# ---------------------------------------------------------------- zip and file finding


def test_zip_input_gives_the_same_records(demo_folder, tmp_path):
    archive = zip_folder(demo_folder, tmp_path / "gar_xml.zip")
    assert list(read_extract(archive)) == list(read_extract(demo_folder))
    files = find_extract_files(archive)
    assert files["houses"].member == f"{DEMO_REGION_CODE}/{files['houses'].name}"
    with files["houses"].open() as stream:
        assert len(list(iter_houses(stream))) == len(demo_extract().houses)


def test_file_names_are_matched_case_insensitively_and_params_ignored(demo_folder, tmp_path):
    flat = tmp_path / "flat"
    flat.mkdir()
    for file in demo_folder.rglob("*.XML"):
        lower = file.name.lower()  # as_houses_20240101_….xml
        (flat / lower).write_bytes(file.read_bytes())
    # tables that must be ignored
    houses = next(flat.glob("as_houses_*"))
    for name in (
        "AS_HOUSES_PARAMS_20240101_0f7a.XML",
        "AS_ADDR_OBJ_PARAMS_20240101_0f7a.XML",
        "AS_ADDR_OBJ_DIVISION_20240101_0f7a.XML",
        "AS_HOUSE_TYPES_20240101_0f7a.XML",
        "README.txt",
    ):
        (flat / name).write_bytes(b"<not-read/>")
    files = find_extract_files(flat)
    assert files["houses"].name == houses.name
    assert files["houses"].region is None
    assert len(list(read_extract(flat))) == len(list(read_extract(demo_folder)))

    archive = zip_folder(flat, tmp_path / "flat.zip")
    with zipfile.ZipFile(archive, "a") as zf:
        for name in ("AS_ROOMS_PARAMS_20240101_0f7a.XML", "sub/as_apartments_params_20240101.xml"):
            zf.writestr(name, "<not-read/>")
        zf.writestr("__MACOSX/._AS_HOUSES_20240101_0f7a.XML", "junk")
    assert set(find_extract_files(archive)) == set(files)


def test_several_regions_need_a_choice(demo_folder, tmp_path):
    archive = zip_folder(demo_folder, tmp_path / "two.zip")
    with zipfile.ZipFile(archive, "a") as zf:
        for file in (demo_folder / DEMO_REGION_CODE).glob("*.XML"):
            zf.write(file, f"40/{file.name}")
    with pytest.raises(GarError) as info:
        find_extract_files(archive)
    assert info.value.code == "gar_several_regions"
    assert info.value.params["regions"] == ["40", "98"]
    files = find_extract_files(archive, region="40")
    assert files["houses"].member.startswith("40/")
    assert "object_levels" in files  # the root reference table is kept
    assert len(list(read_extract(archive, region="40"))) == len(list(read_extract(demo_folder)))


def test_duplicate_and_missing_files(demo_folder):
    region = demo_folder / DEMO_REGION_CODE
    houses = next(region.glob("AS_HOUSES_*"))
    copy = region / "AS_HOUSES_20240201_0000.XML"
    copy.write_bytes(houses.read_bytes())
    with pytest.raises(GarError) as info:
        find_extract_files(demo_folder)
    assert info.value.code == "gar_duplicate_file"
    assert copy.name in str(info.value)
    copy.unlink()
    houses.unlink()
    with pytest.raises(GarError) as info:
        list(read_extract(demo_folder))
    assert info.value.code == "gar_file_missing"
    assert str(info.value) == "The ГАР extract has no AS_HOUSES_… file"


def test_only_the_chosen_hierarchy_is_required(demo_folder):
    next((demo_folder / DEMO_REGION_CODE).glob("AS_ADM_HIERARCHY_*")).unlink()
    assert list(read_extract(demo_folder, "mun"))
    with pytest.raises(GarError) as info:
        list(read_extract(demo_folder, "adm"))
    assert info.value.code == "gar_file_missing"


def test_bad_paths(tmp_path):
    with pytest.raises(GarError) as info:
        find_extract_files(tmp_path / "nowhere")
    assert info.value.code == "gar_path_not_found"
    text = tmp_path / "gar.txt"
    text.write_text("not a zip")
    with pytest.raises(GarError) as info:
        find_extract_files(text)
    assert info.value.code == "gar_not_extract"
    with pytest.raises(GarError) as info:
        list(iter_houses(tmp_path / "AS_HOUSES_20240101_x.XML"))
    assert info.value.code == "gar_path_not_found"


# ---------------------------------------------------------------- the published format

PUBLISHED_HOUSES = """\ufeff<?xml version="1.0" encoding="utf-8"?>
<HOUSES>
    <HOUSE
            ID="50188048"
            OBJECTID="82947269"
            OBJECTGUID="5d000166-0bfa-469a-907b-c6a5d22b324a"
            CHANGEID="123210629"
            HOUSENUM="19"
            HOUSETYPE="2"
            OPERTYPEID="10"
            PREVID="0"
            NEXTID="50188316"
            UPDATEDATE="2019-07-10"
            STARTDATE="2013-10-21"
            ENDDATE="2014-01-04"
            ISACTUAL="0"
            ISACTIVE="0"
    /><HOUSE ID="50188316" OBJECTID="82947269" OBJECTGUID="5d000166-0bfa-469a-907b-c6a5d22b324a"
    CHANGEID="123210630" HOUSENUM="19" ADDNUM1="2" ADDNUM2="А" HOUSETYPE="2" ADDTYPE1="1"
    ADDTYPE2="4" OPERTYPEID="20" PREVID="50188048" NEXTID="0" UPDATEDATE="2019-07-10"
    STARTDATE="2014-01-04" ENDDATE="2079-06-06" ISACTUAL="1" ISACTIVE="1" />
</HOUSES>"""


def test_published_house_records_from_a_stream():
    stream = io.BytesIO(PUBLISHED_HOUSES.encode("utf-8"))
    old, new = iter_houses(stream, name="AS_HOUSES_20231030_8843.XML")
    assert old == GarHouse(
        82947269,
        "5d000166-0bfa-469a-907b-c6a5d22b324a",
        "19",
        None,
        None,
        2,
        None,
        None,
        isactual=False,
        isactive=False,
        startdate=date(2013, 10, 21),
        enddate=date(2014, 1, 4),
    )
    assert new.is_current and new.enddate == OPEN_END
    assert house_display_name(new) == "д. 19 к. 2 литера А"


def test_published_records_of_other_tables():
    objects = io.BytesIO(
        b'<?xml version="1.0" encoding="utf-8"?>\n<ADDRESSOBJECTS><OBJECT ID="1632229" '
        b'OBJECTID="1320664" OBJECTGUID="23ecc9e2-ee7b-4ab1-93a0-526479c2694e" '
        b'CHANGEID="3618602" NAME="\xd0\x91\xd0\xb5\xd0\xbb\xd0\xb0\xd1\x8f" TYPENAME="ul" '
        b'LEVEL="8" OPERTYPEID="10" PREVID="0" NEXTID="0" UPDATEDATE="2017-11-15" '
        b'STARTDATE="2017-05-31" ENDDATE="2079-06-06" ISACTUAL="1" ISACTIVE="1" />'
        b"</ADDRESSOBJECTS>"
    )
    (obj,) = iter_addr_objects(objects)
    assert (obj.objectid, obj.name, obj.level, obj.startdate) == (
        1320664,
        "Белая",
        8,
        date(2017, 5, 31),
    )
    items = io.BytesIO(
        b'<ITEMS><ITEM ID="111965448" OBJECTID="100263587" PARENTOBJID="100248451" '
        b'CHANGEID="177353145" OKTMO="71701000001" PREVID="0" NEXTID="0" '
        b'UPDATEDATE="2021-02-11" STARTDATE="2021-02-11" ENDDATE="2079-06-06" ISACTIVE="1" '
        b'PATH="1305522.95250228.1308003.1310044.100248451.100263587" /></ITEMS>'
    )
    (link,) = iter_hierarchy(items)
    assert link.parentobjid == 100248451 and link.oktmo == "71701000001"
    assert link.path_ids == (1305522, 95250228, 1308003, 1310044, 100248451, 100263587)
    apartments = io.BytesIO(
        b'<APARTMENTS><APARTMENT ID="17791460" OBJECTID="30820037" '
        b'OBJECTGUID="9f63388a-add4-418c-9e34-03ae6f5ccd6a" CHANGEID="47172662" NUMBER="66" '
        b'APARTTYPE="2" OPERTYPEID="10" PREVID="0" NEXTID="0" UPDATEDATE="2018-08-31" '
        b'STARTDATE="2018-08-31" ENDDATE="2079-06-06" ISACTUAL="1" ISACTIVE="1" /></APARTMENTS>'
    )
    (apartment,) = iter_apartments(apartments)
    assert apartment_display_name(apartment) == "кв. 66"
    rooms = io.BytesIO(
        b'<ROOMS><ROOM ID="8313" OBJECTID="3308608" OBJECTGUID="0ba2d5fc" NUMBER="2" '
        b'ROOMTYPE="0" ISACTUAL="1" ISACTIVE="1" /></ROOMS>'
    )
    (room,) = iter_rooms(rooms)
    assert room.roomtype == 0 and room_display_name(room) == "2"


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "content",
    [
        b'<?xml version="1.0" encoding="utf-8"?>\n<HOUSES>\n<HOUSE OBJECTID="1" ',  # truncated
        b"<HOUSES><HOUSE OBJECTID=1 /></HOUSES>",  # unquoted attribute
        b"",  # empty file
        b"PK\x03\x04 this is a zip, not XML",
    ],
)
def test_malformed_xml(tmp_path, content):
    path = tmp_path / "AS_HOUSES_20240101_bad.XML"
    path.write_bytes(content)
    with pytest.raises(GarError) as info:
        list(iter_houses(path))
    error = info.value
    assert isinstance(error, CoreError)
    assert error.code == "gar_malformed"
    assert error.params["file"] == path.name
    assert path.name in str(error)
    assert error.params["line"] >= 1


def test_malformed_xml_inside_a_zip_after_good_records(demo_folder, tmp_path):
    region = demo_folder / DEMO_REGION_CODE
    houses = next(region.glob("AS_HOUSES_*"))
    houses.write_bytes(houses.read_bytes()[:-200])  # cut in the middle of a record
    archive = zip_folder(demo_folder, tmp_path / "bad.zip")
    seen = []
    with pytest.raises(GarError) as info:
        for record in read_extract(archive):
            seen.append(record)
    assert info.value.code == "gar_malformed"
    assert info.value.params["file"] == houses.name
    assert any(isinstance(r, GarHouse) for r in seen)  # records before the damage were read


def test_wrong_table_and_bad_values(tmp_path):
    with pytest.raises(GarError) as info:
        list(iter_addr_objects(io.BytesIO(PUBLISHED_HOUSES.encode()), name="x.XML"))
    assert info.value.code == "gar_wrong_table"
    assert info.value.params == {"file": "x.XML", "expected": "ADDRESSOBJECTS", "found": "HOUSES"}

    bad = PUBLISHED_HOUSES.replace('OBJECTID="82947269"', 'OBJECTID="8294x"', 1)
    with pytest.raises(GarError) as info:
        list(iter_houses(io.BytesIO(bad.encode()), name="h.XML"))
    assert info.value.code == "gar_bad_value"
    assert info.value.params["attribute"] == "OBJECTID"
    assert info.value.params["record"] == 1

    bad = PUBLISHED_HOUSES.replace('ISACTUAL="1"', 'ISACTUAL="yes"')
    with pytest.raises(GarError) as info:
        list(iter_houses(io.BytesIO(bad.encode()), name="h.XML"))
    assert info.value.params["record"] == 2
    assert "ISACTUAL" in str(info.value)

    bad = PUBLISHED_HOUSES.replace('STARTDATE="2013-10-21"', 'STARTDATE="21.10.2013"')
    with pytest.raises(GarError) as info:
        list(iter_houses(io.BytesIO(bad.encode()), name="h.XML"))
    assert info.value.params["attribute"] == "STARTDATE"


# ---------------------------------------------------------------- display helpers


def house(housenum, housetype, addnum1=None, addtype1=None, addnum2=None, addtype2=None):
    return GarHouse(1, "g", housenum, addnum1, addnum2, housetype, addtype1, addtype2, True, True)


def test_house_display_name():
    assert house_display_name(house("5", 2, "2", 1, "1", 2)) == "д. 5 к. 2 стр. 1"
    assert house_display_name(house("12А", 1)) == "влд. 12А"
    assert house_display_name(house("3", 3)) == "двлд. 3"
    assert house_display_name(house("7", 5, "1", 2)) == "зд. 7 стр. 1"
    assert house_display_name(house("9", 8, "4", 3)) == "соор. 9 соор. 4"
    assert house_display_name(house("1", None)) == "1"
    assert house_display_name(house("1", 99)) == "1"  # unknown code: number only
    assert house_display_name(house(None, None, "2", 1)) == "к. 2"


def test_apartment_display_name():
    flat = GarApartment(1, "g", "12", 2, True, True)
    assert apartment_display_name(flat) == "кв. 12"
    assert apartment_display_name(dataclasses.replace(flat, aparttype=1)) == "помещ. 12"
    assert apartment_display_name(dataclasses.replace(flat, aparttype=3)) == "офис 12"
    assert room_display_name(GarRoom(1, "g", "2", 1, True, True)) == "ком. 2"


def test_level_name():
    assert level_name(1) == "Субъект РФ"
    assert level_name(2) == "Административный район"
    assert level_name(3) == "Муниципальный район"
    assert level_name(4) == "Сельское/городское поселение"
    assert level_name(5) == "Город"
    assert level_name(6) == "Населенный пункт"
    assert level_name(7) == "Элемент планировочной структуры"
    assert level_name(8) == "Элемент улично-дорожной сети"
    assert level_name(10) == "Здание (сооружение)"
    assert level_name(11) == "Помещение"
    assert level_name(12) == "Помещения в пределах помещения"
    assert level_name(17) == "Машино-место"
    assert level_name(42) == "Уровень 42"


# ---------------------------------------------------------------- memory


def test_reading_a_large_file_keeps_memory_bounded(tmp_path):
    count = 200_000

    def houses():
        for i in range(count):
            yield GarHouse(
                10_000_000 + i,
                f"00000000-0000-4000-8000-{i:012d}",
                str(i % 300 + 1),
                str(i % 3 + 1) if i % 7 == 0 else None,
                None,
                2,
                1 if i % 7 == 0 else None,
                None,
                isactual=i % 50 != 0,
                isactive=True,
            )

    write_sample_extract(tmp_path, "77", houses=houses(), object_levels=False)
    path = next((tmp_path / "77").glob("AS_HOUSES_*"))
    assert path.stat().st_size > 40_000_000  # a real-sized file, some tens of MB

    tracemalloc.start()
    try:
        read = 0
        not_actual = 0
        for record in iter_houses(path):
            read += 1
            not_actual += not record.isactual
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert read == count
    assert not_actual == count // 50
    assert peak < 3 * 1024 * 1024, f"peak {peak} bytes"
