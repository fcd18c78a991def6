import csv
import io
import zipfile
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from mobill_tko_core import registry_io as rio
from mobill_tko_core import requisites as req
from mobill_tko_core.formats import FormatError
from mobill_tko_core.registry_io import COLUMNS, RegistryRecord, Schedule

ROOT = Path(__file__).resolve().parents[2]
ADDRESS = "обл. Калужская, г. Калуга, ул. Ленина, д. 1"
PERSON_INN = req.make_inn("5001234567")
PERSON_SNILS = req.make_snils("112233445")
LEGAL_INN = req.make_inn("500765432")
LEGAL_OGRN = req.make_ogrn("102500000001")
IP_INN = req.make_inn("5009876543")
IP_OGRN = req.make_ogrn("30450000000001")
ACCOUNT_1 = req.account_number_with_check_digit("100001")
ACCOUNT_2 = req.account_number_with_check_digit("100002")
GUID = "0c5b2444-70a0-4932-980c-b4dc0d3f02b5"


def person(**values) -> RegistryRecord:
    base = RegistryRecord(
        consumer_kind="person",
        consumer_name="Иванов Иван Иванович",
        inn=PERSON_INN,
        snils=PERSON_SNILS,
        phone="+7 900 123-45-67",
        email="ivanov@example.ru",
        postal_address="248000, г. Калуга, ул. Ленина, д. 1, кв. 5",
        address=f"{ADDRESS}, кв. 5",
        object_kind="apartment",
        object_name="кв. 5",
        account_number=ACCOUNT_1,
        account_date_open=date(2024, 1, 1),
        calc_method="residents",
        residents_permanent=Decimal(3),
        residents_permanent_from=date(2024, 1, 1),
        residents_temporary=Decimal(1),
        residents_temporary_from=date(2024, 6, 1),
        owners=Decimal(2),
        owners_from=date(2024, 1, 1),
        area_total=Decimal("54.3"),
        area_total_from=date(2024, 1, 1),
    )
    return replace(base, **values)


def legal(**values) -> RegistryRecord:
    base = RegistryRecord(
        consumer_kind="legal",
        consumer_name="ООО «Ромашка»",
        inn=LEGAL_INN,
        kpp="400101001",
        ogrn=LEGAL_OGRN,
        phone="84842000000",
        email="office@romashka.ru",
        legal_address="248000, г. Калуга, ул. Мира, д. 3",
        address_guid=GUID,
        object_kind="facility",
        object_name="Магазин «Ромашка»",
        units_category="SHOP_FOOD",
        units_value=Decimal("120.5"),
        units_from=date(2024, 3, 1),
        container_volume=Decimal("1.1"),
        container_count=2,
        container_schedule=Schedule("weekdays", weekdays=(1, 3, 5)),
        containers_from=date(2024, 3, 1),
    )
    return replace(base, **values)


def sample() -> list[RegistryRecord]:
    return [
        person(),
        legal(),
        # the same shop: a second norm category and a second container type, no other values
        legal(
            units_category="OFFICE",
            units_value=Decimal(4),
            container_volume=Decimal("8"),
            container_count=1,
            container_schedule=Schedule("every_n_days", interval=3, start=date(2024, 3, 2)),
        ),
        RegistryRecord(
            consumer_kind="entrepreneur",
            consumer_name="ИП Петров Пётр Петрович",
            inn=IP_INN,
            ogrn=IP_OGRN,
            address=f"{ADDRESS}, пом. 2",
            object_kind="non_residential",
            object_name="пом. 2",
            account_number=ACCOUNT_2,
            account_date_open=date(2023, 5, 10),
            account_date_close=date(2024, 12, 31),
            calc_method="area",
            area_total=Decimal("18.0042"),
            area_total_from=date(2023, 5, 10),
            container_volume=Decimal("0.75"),
            container_count=1,
            container_schedule=Schedule("dates", dates=(date(2024, 1, 5), date(2024, 1, 19))),
            containers_from=date(2023, 5, 10),
        ),
        RegistryRecord(
            consumer_kind="person",
            consumer_name="Сидорова Анна Сергеевна",
            address=ADDRESS,
            object_kind="house",
            object_name="Жилой дом",
            account_date_open=date(2025, 2, 1),  # no number: the system assigns one
            calc_method="residents",
            residents_permanent=Decimal(0),
            residents_permanent_from=date(2025, 2, 1),
            container_volume=Decimal("0.75"),
            container_count=1,
            container_schedule=Schedule("daily"),
            containers_from=date(2025, 2, 1),
        ),
    ]


def numbered(records):
    return [replace(r, line=i) for i, r in enumerate(records, start=2)]


def csv_text(*rows: str, header: str | None = None) -> bytes:
    header = header if header is not None else ";".join(c.header for c in COLUMNS)
    return ("\r\n".join([header, *rows]) + "\r\n").encode("utf-8-sig")


def row(record: RegistryRecord | None = None, **cells: str) -> str:
    """One CSV line of the layout: the record's cells with some replaced (by column key)."""
    values = rio.record_to_row(record or person())
    values.update(cells)
    return ";".join(values[c.key] for c in COLUMNS)


def codes(result):
    return [(e.line, e.column, e.code) for e in result.errors]


# --------------------------------------------------------------------------- round trips


def test_csv_round_trip_is_identical():
    records = sample()
    data = rio.write_csv(records)
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, as Excel wants it
    result = rio.parse(data)
    assert result.ok, result.errors
    assert result.encoding == "utf-8-sig"
    assert result.records == records
    assert [r.line for r in result.records] == [2, 3, 4, 5, 6]
    # and writing the records read gives the same bytes again
    assert rio.write_csv(result.records) == data


def test_csv_windows_1251_round_trip():
    records = sample()
    data = rio.write_csv(records, encoding="cp1251")
    assert not data.startswith(b"\xef\xbb\xbf")
    assert "Лицевой счёт".encode("cp1251") in data
    result = rio.parse(data)  # recognised without being told
    assert result.ok, result.errors
    assert result.encoding == "cp1251"
    assert result.records == records
    assert rio.parse(data, encoding="windows-1251").records == records
    # a UTF-8 file with BOM is read as UTF-8 even when windows-1251 was chosen
    assert rio.parse(rio.write_csv(records), encoding="cp1251").records == records


def test_csv_utf8_without_bom_is_read():
    data = rio.write_csv(sample())[3:]
    result = rio.parse(data)
    assert result.ok and result.records == sample()


def test_csv_layout_text():
    text = rio.write_csv([sample()[1]]).decode("utf-8-sig")
    header, line = text.split("\r\n")[:2]
    assert header.split(";")[:3] == ["Вид потребителя", "Потребитель", "ИНН"]
    cells = dict(zip([c.key for c in COLUMNS], line.split(";"), strict=True))
    assert cells["consumer_kind"] == "ЮЛ"
    assert cells["object_kind"] == "объект организации"
    assert cells["units_value"] == "120,5"  # decimal comma
    assert cells["units_from"] == "01.03.2024"
    assert cells["container_volume"] == "1,1"
    assert cells["container_schedule"] == "пн,ср,пт"
    assert text.endswith("\r\n")


def test_cp1251_writer_reports_a_character_it_cannot_hold():
    with pytest.raises(FormatError) as info:
        rio.write_csv(
            [person(), person(consumer_name="Ivanov ✓", account_number=ACCOUNT_2)], "cp1251"
        )
    assert info.value.code == "registry_io.not_encodable"
    assert info.value.params["line"] == 3


def test_xlsx_round_trip():
    records = sample()
    data = rio.write_xlsx(records)
    assert data[:4] == b"PK\x03\x04"
    result = rio.parse(data, "registry.xlsx")
    assert result.ok, result.errors
    assert result.encoding == "xlsx"
    assert result.records == records
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Потребители", "Описание"]
    sheet = book["Потребители"]
    assert [c.value for c in sheet[1]] == [c.header for c in COLUMNS]
    by_key = {c.key: i for i, c in enumerate(COLUMNS)}
    cells = sheet[2]
    assert cells[by_key["inn"]].value == PERSON_INN  # text: leading zeros survive
    assert cells[by_key["residents_permanent"]].value == 3  # a number
    assert cells[by_key["area_total"]].value == pytest.approx(54.3)
    assert isinstance(cells[by_key["account_date_open"]].value, datetime)
    # XLSX and CSV of the same records read the same
    assert rio.parse(rio.write_csv(records)).records == result.records


def test_xlsx_typed_cells_entered_by_hand():
    """Excel turns numbers, dates and INN into typed cells; the reader takes them as text."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Лист1"
    header = ["Вид потребителя", "Потребитель", "ИНН", "Адрес объекта", "Вид объекта"]
    header += ["Объект", "Общая площадь, кв. м", "Общая площадь с"]
    sheet.append(header)
    shop = ["ЮЛ", "ООО «Ромашка»", int(LEGAL_INN), ADDRESS, "объект организации", "Склад"]
    sheet.append([*shop, 120.25, datetime(2024, 3, 1)])
    sheet.append([None] * 8)  # empty rows are skipped
    sheet.append(["ФЛ", "Иванов", None, ADDRESS, "жилой дом", "Дом", 3, "01.02.2024"])
    out = io.BytesIO()
    book.save(out)
    result = rio.parse(out.getvalue())
    assert result.ok, result.errors
    first, second = result.records
    assert first.inn == LEGAL_INN
    assert first.area_total == Decimal("120.25")
    assert first.area_total_from == date(2024, 3, 1)
    assert (second.line, second.area_total, second.area_total_from) == (4, 3, date(2024, 2, 1))


def test_bad_xlsx_is_a_format_error():
    with pytest.raises(FormatError) as info:
        rio.parse(b"PK\x03\x04 definitely not a workbook")
    assert info.value.code == "registry_io.bad_xlsx"


# --------------------------------------------------------------------------- reading


def test_headers_are_matched_loosely_and_in_any_order():
    header = (
        "  ОБЪЕКТ ;вид объекта;Адрес  объекта;потребитель;Вид потребителя;Лицевой счет;"
        "Дата открытия ЛС;inn;Примечание"
    )
    line = (
        f"кв. 5;квартира;{ADDRESS}, кв. 5;Иванов Иван Иванович;фл;{ACCOUNT_1};2024-01-01;"
        f"{PERSON_INN};звонить вечером"
    )
    result = rio.parse(csv_text(line, header=header))
    assert result.ok, result.errors
    rec = result.records[0]
    assert (rec.consumer_kind, rec.object_kind, rec.account_number) == (
        "person",
        "apartment",
        ACCOUNT_1,
    )
    assert rec.account_date_open == date(2024, 1, 1)
    assert rec.inn == PERSON_INN
    assert [(w.code, w.column) for w in result.warnings] == [("unknown_column", "Примечание")]


def test_missing_and_duplicate_columns():
    result = rio.parse(
        csv_text("ФЛ;Иванов;Иванов", header="Вид потребителя;Потребитель;Потребитель")
    )
    assert ("missing_column", "Вид объекта") in [(e.code, e.column) for e in result.errors]
    assert ("missing_column", "Объект") in [(e.code, e.column) for e in result.errors]
    assert ("missing_column", "Адрес объекта") in [(e.code, e.column) for e in result.errors]
    assert (1, "Потребитель", "duplicate_column") in codes(result)
    assert all(e.line == 1 for e in result.errors)  # a broken header: the rows are not checked


def test_empty_file_and_header_only():
    with pytest.raises(FormatError) as info:
        rio.parse(b"\xef\xbb\xbf \r\n")
    assert info.value.code == "registry_io.empty"
    result = rio.parse(csv_text())
    assert codes(result) == [(0, "", "no_rows")]


def test_comma_or_tab_separated_file_is_read_when_the_header_has_no_semicolon():
    header = "\t".join(
        [
            "Вид потребителя",
            "Потребитель",
            "Адрес объекта",
            "Вид объекта",
            "Объект",
            "Общая площадь, кв. м",
            "Общая площадь с",
        ]
    )
    line = f"ФЛ\tИванов\t{ADDRESS}\tжилой дом\tДом\t54.3\t01.02.2024"
    result = rio.parse(csv_text(line, header=header))
    assert result.ok, result.errors
    assert result.records[0].area_total == Decimal("54.3")


def test_row_longer_than_the_header_and_blank_rows():
    data = csv_text("", row() + ";лишнее", ";;;")
    result = rio.parse(data)
    assert codes(result) == [(3, "", "row_too_long")]


def test_quoted_cells_with_the_separator():
    record = person(consumer_name="Иванов; Иван", postal_address='ул. "Мира"; д. 1')
    data = rio.write_csv([record])
    assert rio.parse(data).records == [record]


# --------------------------------------------------------------------------- values


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ежедневно", Schedule("daily")),
        ("Пн, Ср, Пт", Schedule("weekdays", weekdays=(1, 3, 5))),
        ("1,3,5", Schedule("weekdays", weekdays=(1, 3, 5))),
        ("пятница понедельник", Schedule("weekdays", weekdays=(1, 5))),
        ("каждые 3 дн. с 01.02.2025", Schedule("every_n_days", interval=3, start=date(2025, 2, 1))),
        ("каждые 2 дня", Schedule("every_n_days", interval=2)),
        (
            "даты: 19.01.2025, 05.01.2025",
            Schedule("dates", dates=(date(2025, 1, 5), date(2025, 1, 19))),
        ),
        ("", None),
    ],
)
def test_parse_schedule(text, expected):
    assert rio.parse_schedule(text) == expected
    if expected:
        assert rio.parse_schedule(rio.format_schedule(expected)) == expected


def test_format_schedule():
    assert rio.format_schedule(Schedule("weekdays", weekdays=(2, 4))) == "вт,чт"
    assert rio.format_schedule(Schedule("every_n_days", interval=7)) == "каждые 7 дн."
    assert rio.format_schedule(Schedule("dates", dates=(date(2025, 1, 5),))) == "даты 05.01.2025"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("54,3", Decimal("54.3")),
        ("1 234,50", Decimal("1234.5")),
        ("7.25", Decimal("7.25")),
        ("", None),
    ],
)
def test_parse_decimal(text, expected):
    assert rio.parse_decimal(text) == expected


def test_format_decimal():
    assert rio.format_decimal(Decimal("120.500")) == "120,5"
    assert rio.format_decimal(Decimal("1.2E+2")) == "120"
    assert rio.format_decimal(3.0) == "3"
    assert rio.format_decimal(None) == ""


# --------------------------------------------------------------------------- validation rules


def _one_error(**cells):
    result = rio.parse(csv_text(row(**cells)))
    return [(e.column, e.code) for e in result.errors]


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        ({"consumer_kind": ""}, [("Вид потребителя", "required")]),
        ({"consumer_kind": "гражданин"}, [("Вид потребителя", "consumer_kind_unknown")]),
        ({"consumer_name": " "}, [("Потребитель", "required")]),
        ({"inn": PERSON_INN[:-1] + str((int(PERSON_INN[-1]) + 1) % 10)}, [("ИНН", "inn_checksum")]),
        ({"inn": "12345"}, [("ИНН", "inn_length")]),
        ({"inn": LEGAL_INN}, [("ИНН", "inn_length")]),  # a 10-digit INN for a person
        ({"inn": "50012345675A"}, [("ИНН", "inn_not_digits")]),
        ({"kpp": "400101001"}, [("КПП", "not_for_kind")]),
        ({"ogrn": IP_OGRN}, [("ОГРН/ОГРНИП", "not_for_kind")]),
        ({"snils": "112-233-445 00"}, [("СНИЛС", "snils_checksum")]),
        ({"email": "ivanov.example.ru"}, [("Эл. почта", "email_format")]),
        ({"address": ""}, [("Адрес объекта", "address_empty")]),
        ({"address_guid": "0c5b2444-70a0"}, [("ГУИД адреса", "address_guid_format")]),
        ({"object_kind": "гараж"}, [("Вид объекта", "object_kind_unknown")]),
        ({"object_name": ""}, [("Объект", "required")]),
        ({"account_number": ACCOUNT_1[:-1] + "0"}, [("Лицевой счёт", "personal_account_checksum")]),
        ({"account_date_open": ""}, [("Дата открытия ЛС", "incomplete")]),
        ({"account_date_open": "31.02.2024"}, [("Дата открытия ЛС", "date_format")]),
        ({"account_date_close": "31.12.2023"}, [("Дата закрытия ЛС", "account_dates_order")]),
        ({"calc_method": "по счётчику"}, [("Способ расчёта", "calc_method_unknown")]),
        ({"residents_permanent": "три"}, [("Проживает постоянно", "number_format")]),
        ({"residents_permanent": "2,5"}, [("Проживает постоянно", "number_not_integer")]),
        ({"owners": "-1"}, [("Собственников", "number_negative")]),
        ({"area_total": "54,12345"}, [("Общая площадь, кв. м", "number_precision")]),
        ({"residents_temporary_from": ""}, [("Проживает временно с", "incomplete")]),
        ({"area_total": ""}, [("Общая площадь, кв. м", "incomplete")]),
        (
            {"units_category": "OFFICE"},
            [("Расчётных единиц", "incomplete"), ("Расчётные единицы с", "incomplete")],
        ),
        ({"container_volume": "1,1", "container_count": "2"}, [("Контейнеры с", "incomplete")]),
        ({"container_schedule": "ежедневно"}, [("Объём контейнера, куб. м", "incomplete")]),
        (
            {"container_volume": "0", "container_count": "1", "containers_from": "01.01.2024"},
            [("Объём контейнера, куб. м", "number_not_positive")],
        ),
        (
            {
                "container_volume": "1,1",
                "container_count": "1",
                "containers_from": "01.01.2024",
                "container_schedule": "по звонку",
            },
            [("График вывоза", "schedule_format")],
        ),
    ],
)
def test_validation_rule(cells, expected):
    assert _one_error(**cells) == expected


def test_validation_rules_by_consumer_kind():
    legal_row = row(legal(), inn="")
    ip_row = row(sample()[3], ogrn=LEGAL_OGRN)
    legal_snils = row(legal(object_name="Склад"), snils=PERSON_SNILS)
    result = rio.parse(csv_text(legal_row, ip_row, legal_snils))
    assert codes(result) == [
        (2, "ИНН", "inn_required"),
        (3, "ОГРН/ОГРНИП", "ogrn_length"),
        (4, "СНИЛС", "not_for_kind"),
    ]


def test_three_bad_rows_give_three_errors_with_lines_and_columns():
    good = sample()
    lines = [
        row(good[0], inn="500123456700"),  # bad INN check digits
        row(good[1]),
        row(good[2]),
        row(good[3], account_date_open="01.13.2023"),  # no 13th month
        row(good[4], object_kind="сарай"),
    ]
    result = rio.parse(csv_text(*lines))
    assert not result.ok
    assert codes(result) == [
        (2, "ИНН", "inn_checksum"),
        (5, "Дата открытия ЛС", "date_format"),
        (6, "Вид объекта", "object_kind_unknown"),
    ]
    assert result.error_lines() == [2, 5, 6]
    message = str(result.errors[0])
    assert message.startswith("line 2 [ИНН]:") and "inn_checksum" in message
    assert len(result.records) == 5  # all rows were checked


def test_a_value_left_empty_on_a_second_row_of_an_object_does_not_disagree():
    result = rio.parse(rio.write_csv(sample()))
    groups, errors = rio.object_groups(result.records)
    assert not errors
    assert len(groups) == 4
    shop = next(g for g in groups if g.first.object_name == "Магазин «Ромашка»")
    assert set(shop.units) == {"SHOP_FOOD", "OFFICE"}
    assert set(shop.containers) == {Decimal("1.1"), Decimal("8")}


def test_cross_row_rules():
    base = person()
    lines = [
        row(base),
        row(base, account_number=ACCOUNT_1, object_name="кв. 6"),  # same number again
        row(base, account_number=ACCOUNT_2, residents_permanent="4"),  # same object, other value
        row(
            base,
            account_number="",
            account_date_open="01.01.2025",
            object_kind="жилой дом",
            object_name="кв. 7",
        ),
        row(base, account_number="", account_date_open="01.01.2025", object_name="кв. 7"),
        row(
            base,
            consumer_name="Иванов Иван Петрович",
            account_number="",
            account_date_open="",
            calc_method="",
            object_name="кв. 8",
        ),
    ]
    result = rio.parse(csv_text(*lines))
    assert codes(result) == [
        (3, "Лицевой счёт", "account_number_duplicate"),
        (4, "Проживает постоянно", "characteristic_conflict"),
        (6, "Вид объекта", "object_conflict"),
        (6, "Лицевой счёт", "account_duplicate"),
        (7, "Потребитель", "consumer_conflict"),
    ]
    assert result.errors[0].params["other_line"] == 2


def test_consumers_are_grouped_by_inn_snils_or_name_and_address():
    a = person(inn="", account_number="", account_date_open=None, calc_method="")
    b = replace(a, inn=PERSON_INN, object_name="кв. 6", address=f"{ADDRESS}, кв. 6")
    c = person(
        inn="", snils="", postal_address="", object_name="кв. 9", address=f"{ADDRESS}, кв. 9"
    )
    d = replace(c, object_name="Гараж")  # same name, same address → same consumer
    e = replace(c, address=f"{ADDRESS}, кв. 10")  # same name elsewhere → another consumer
    groups, errors = rio.consumer_groups(numbered([a, b, c, d, e]))
    assert not errors
    assert sorted(len(g) for g in groups) == [1, 2, 2]


def test_bad_rows_are_left_out_of_the_cross_row_checks():
    lines = [row(person()), row(person(), inn="1", residents_permanent="5")]
    result = rio.parse(csv_text(*lines))
    assert codes(result) == [(3, "ИНН", "inn_length")]


# --------------------------------------------------------------------------- documentation


def test_documentation_lists_every_column_and_code():
    doc = (ROOT / "docs" / "registry_layout.md").read_text(encoding="utf-8")
    for column in COLUMNS:
        assert f"| {column.header} |" in doc, column.header
    for code in (
        "inn_checksum",
        "required",
        "incomplete",
        "characteristic_conflict",
        "consumer_conflict",
        "account_number_duplicate",
        "address_not_found",
    ):
        assert f"`{code}`" in doc, code


def test_documentation_example_is_valid():
    doc = (ROOT / "docs" / "registry_layout.md").read_text(encoding="utf-8")
    example = doc.split("## Пример (CSV)")[1].split("```")[1].lstrip("\n")
    result = rio.parse(example.encode("utf-8-sig"))
    assert result.ok, result.errors
    assert [r.line for r in result.records] == [2, 3, 4]
    groups, errors = rio.object_groups(result.records)
    assert not errors and len(groups) == 2


HOSTILE_NAME = '=HYPERLINK("http://evil.example","x")'


def hostile_records() -> list[RegistryRecord]:
    return [
        person(consumer_name=HOSTILE_NAME),
        legal(consumer_name="@SUM(1+1)", postal_address="+7 street", phone="-1+1"),
    ]


def test_csv_writes_formula_like_texts_as_text_and_reads_them_back():
    records = hostile_records()
    data = rio.write_csv(records)
    text = data.decode("utf-8-sig")
    lines = text.split("\r\n")
    by_key = {c.key: i for i, c in enumerate(COLUMNS)}
    first, second = list(csv.reader(lines[1:3], delimiter=";"))
    assert first[by_key["consumer_name"]] == "'" + HOSTILE_NAME
    assert second[by_key["consumer_name"]] == "'@SUM(1+1)"
    assert second[by_key["postal_address"]] == "'+7 street"
    assert second[by_key["phone"]] == "'-1+1"
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in first + second)
    # an exported file imports back unchanged
    result = rio.parse(data)
    assert result.ok, result.errors
    assert result.records == records
    assert rio.write_csv(result.records) == data


def test_xlsx_writes_formula_like_texts_as_string_cells():
    records = hostile_records()
    data = rio.write_xlsx(records)
    by_key = {c.key: i for i, c in enumerate(COLUMNS)}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml  # no formula anywhere
    sheet = openpyxl.load_workbook(io.BytesIO(data))["Потребители"]
    name_cell = sheet[2][by_key["consumer_name"]]
    assert name_cell.value == HOSTILE_NAME
    assert name_cell.data_type == "s"
    assert sheet[3][by_key["consumer_name"]].data_type == "s"
    result = rio.parse(data, "registry.xlsx")
    assert result.ok, result.errors
    assert result.records == records
