"""The print-centre data file, packs and manifest (``formats.print_centre``).

Timing of 100,000 rows (not a test): ``python3 tests/core/test_fmt_print_centre.py``.
"""

import itertools
import json
import random
import time
from decimal import Decimal

import pytest

from mobill_tko_core.formats import FormatError
from mobill_tko_core.formats.print_centre import (
    DEFAULT_PRINT_PROFILE,
    ROW_KEYS,
    PrintProfile,
    file_name,
    house_of,
    iter_data_file,
    manifest,
    manifest_files,
    manifest_text,
    packs,
    read_data_file,
    sort_rows,
    total_to_pay,
    write_data_file,
)

COLUMNS = (
    ("ЛС", "account"),
    ("Период", "period"),
    ("ФИО", "payer_name"),
    ("Адрес", "address"),
    ("Начислено", "charged"),
    ("КОплате", "total_to_pay"),
)


def row(account, route, address="", total="100.00", **values):
    data = dict.fromkeys(ROW_KEYS, "")
    data.update(
        account=account,
        route=route,
        address=address,
        period="2025-02",
        payer_name=f"Плательщик {account}",
        charged=total,
        total_to_pay=total,
    )
    data.update(values)
    return data


def sample():
    return [
        row("1003", "0002|0010", "г Калуга, ул Мира, д 10, кв 2", "1250.50"),
        row(
            "1001",
            "0001|0001",
            "г Калуга, ул Ленина, д 1",
            "99.90",
            payer_name="ООО «Ромашка»; склад",
        ),
        row("1002", "0001|0002", "г Калуга, ул Ленина, д 2", "0.00", payer_name='Иванов "младший"'),
    ]


def csv_profile(**changes):
    return PrintProfile(name="typo_kaluga", columns=COLUMNS, **changes)


def problem_codes(exc_info):
    return [p.code for p in exc_info.value.params["problems"]]


# -- the profile -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"name": ""}, "formats.profile.no_name"),
        ({"separator": ""}, "formats.profile.bad_separator"),
        ({"separator": '"'}, "formats.print_centre.bad_separator"),
        ({"separator": ";;"}, "formats.print_centre.bad_separator"),
        ({"decimal_mark": "-"}, "formats.profile.bad_decimal_mark"),
        ({"period_format": "YYYY"}, "formats.profile.bad_period_format"),
        ({"encoding": "no-such-codec"}, "formats.unknown_encoding"),
        ({"file_format": "json"}, "formats.print_centre.bad_file_format"),
        ({"line_ending": "\r\n"}, "formats.print_centre.bad_line_ending"),
        ({"quoting": "escape"}, "formats.print_centre.bad_quoting"),
        ({"columns": ()}, "formats.profile.no_columns"),
        ({"columns": (("Долг", "debt"),)}, "formats.print_centre.unknown_key"),
        ({"columns": (("ЛС", "account"), ("ЛС", "els"))}, "formats.print_centre.duplicate_header"),
        ({"columns": (("ЛС;номер", "account"),)}, "formats.print_centre.bad_header"),
        ({"columns": (("", "account"),)}, "formats.print_centre.bad_header"),
        ({"columns": (("ЛС ☃", "account"),)}, "formats.print_centre.header_unencodable"),
        (
            {"file_format": "xml", "columns": (("К оплате", "total_to_pay"),)},
            "formats.print_centre.bad_tag",
        ),
        ({"file_format": "xml", "xml_root": "1root"}, "formats.print_centre.bad_tag"),
        ({"file_format": "xml", "xml_record": "a:b"}, "formats.print_centre.bad_tag"),
        ({"filename_pattern": ""}, "formats.profile.no_filename_pattern"),
        ({"filename_pattern": "{code}_{month}.csv"}, "formats.print_centre.bad_filename_pattern"),
        ({"filename_pattern": "{part:%Y}.csv"}, "formats.print_centre.bad_filename_pattern"),
        ({"filename_pattern": "{code}_{period}.{ext}"}, "formats.print_centre.filename_not_unique"),
        ({"filename_pattern": "{code}_{part}.csv"}, "formats.print_centre.filename_not_unique"),
        ({"pack_size": 0}, "formats.print_centre.bad_pack_size"),
        ({"pack_size": True}, "formats.print_centre.bad_pack_size"),
        ({"pack_size": "500"}, "formats.print_centre.bad_pack_size"),
    ],
)
def test_each_profile_problem_has_its_code(changes, code):
    values = {"name": "p", **changes}
    with pytest.raises(FormatError) as exc:
        PrintProfile(**values)
    assert exc.value.code == "formats.print_centre.bad_profile"
    assert exc.value.params["profile"] == values["name"]
    assert code in problem_codes(exc)


def test_every_problem_of_a_profile_is_listed_at_once():
    with pytest.raises(FormatError) as exc:
        PrintProfile(
            name="",
            file_format="xml",
            decimal_mark="x",
            columns=(("К оплате", "debt"),),
            pack_size=-1,
        )
    assert problem_codes(exc) == [
        "formats.profile.no_name",
        "formats.profile.bad_decimal_mark",
        "formats.print_centre.unknown_key",
        "formats.print_centre.bad_tag",
        "formats.print_centre.bad_pack_size",
    ]
    [unknown] = [p for p in exc.value.params["problems"] if p.code.endswith("unknown_key")]
    assert unknown.params == {"key": "debt"}


def test_default_profile_and_dict_round_trip():
    assert DEFAULT_PRINT_PROFILE.check() == []
    assert [key for _h, key in DEFAULT_PRINT_PROFILE.columns] == list(ROW_KEYS)
    assert (DEFAULT_PRINT_PROFILE.encoding, DEFAULT_PRINT_PROFILE.line_ending) == ("cp1251", "CRLF")
    assert DEFAULT_PRINT_PROFILE.pack_size == 500
    profile = csv_profile(file_format="xml", decimal_mark=",", manifest_text=True)
    stored = json.loads(json.dumps(profile.to_dict()))
    assert PrintProfile.from_dict(stored) == profile


def test_from_dict_refuses_unknown_keys():
    data = {**csv_profile().to_dict(), "delimiter": ",", "colums": []}
    with pytest.raises(FormatError) as exc:
        PrintProfile.from_dict(data)
    assert exc.value.code == "formats.print_centre.bad_profile"
    assert exc.value.params["keys"] == ["colums", "delimiter"]


# -- the data file ---------------------------------------------------------------------------


def test_csv_bytes_in_route_order_with_quoting():
    data = write_data_file(sample(), csv_profile(), centre_code="K01", period="2025-02")
    assert data == (
        "ЛС;Период;ФИО;Адрес;Начислено;КОплате\r\n"
        '1001;02.2025;"ООО «Ромашка»; склад";г Калуга, ул Ленина, д 1;99.90;99.90\r\n'
        '1002;02.2025;"Иванов ""младший""";г Калуга, ул Ленина, д 2;0.00;0.00\r\n'
        "1003;02.2025;Плательщик 1003;г Калуга, ул Мира, д 10, кв 2;1250.50;1250.50\r\n"
    ).encode("cp1251")


def test_csv_utf8_comma_lf_no_header():
    profile = csv_profile(
        encoding="utf-8",
        separator=",",
        decimal_mark=",",
        line_ending="LF",
        header=False,
        period_format="MMYYYY",
    )
    data = write_data_file(sample()[:1], profile, centre_code="K01", period="2025-02")
    assert data.decode("utf-8") == (
        '1003,022025,Плательщик 1003,"г Калуга, ул Мира, д 10, кв 2","1250,50","1250,50"\n'
    )


def test_missing_keys_and_none_are_written_empty():
    profile = csv_profile(header=False, decimal_mark=",")
    rows = [{"account": "7", "route": "1", "charged": None, "total_to_pay": "5.10"}]
    data = write_data_file(rows, profile, centre_code="K01", period="2025-02")
    assert data == b"7;;;;;5,10\r\n"
    single = PrintProfile(name="one", columns=(("ЛС", "account"),), header=False)
    data = write_data_file(sample(), single, centre_code="K01", period="2025-02")
    assert data == b"1001\r\n1002\r\n1003\r\n"


def test_xml_bytes():
    profile = csv_profile(file_format="xml", xml_root="Квитанции", xml_record="Квитанция")
    rows = sample()[1:]
    rows[0]["address"] = "д 1 <корп. 2> & двор"
    data = write_data_file(rows, profile, centre_code="K01", period="2025-02")
    expected = (
        '<?xml version="1.0" encoding="windows-1251"?>\r\n'
        '<Квитанции centre="K01" period="2025-02" count="2">\r\n'
        "  <Квитанция>\r\n"
        "    <ЛС>1001</ЛС>\r\n"
        "    <Период>02.2025</Период>\r\n"
        "    <ФИО>ООО «Ромашка»; склад</ФИО>\r\n"
        "    <Адрес>д 1 &lt;корп. 2&gt; &amp; двор</Адрес>\r\n"
        "    <Начислено>99.90</Начислено>\r\n"
        "    <КОплате>99.90</КОплате>\r\n"
        "  </Квитанция>\r\n"
        "  <Квитанция>\r\n"
        "    <ЛС>1002</ЛС>\r\n"
        "    <Период>02.2025</Период>\r\n"
        '    <ФИО>Иванов "младший"</ФИО>\r\n'
        "    <Адрес>г Калуга, ул Ленина, д 2</Адрес>\r\n"
        "    <Начислено>0.00</Начислено>\r\n"
        "    <КОплате>0.00</КОплате>\r\n"
        "  </Квитанция>\r\n"
        "</Квитанции>\r\n"
    )
    assert data == expected.encode("cp1251")
    empty = write_data_file(
        [row("1", "1", payer_name="")], profile, centre_code="K01", period="2025-02"
    )
    assert b"    <\xd4\xc8\xce/>\r\n" in empty  # <ФИО/>


def test_unencodable_characters_are_all_named_and_nothing_is_written():
    rows = sample()
    rows[0]["payer_name"] = "Łukasz Nowak"
    rows[2]["address"] = "ул Ленина ☃"
    rows[2]["payer_name"] = "Zoe ✓"
    with pytest.raises(FormatError) as exc:
        write_data_file(rows, csv_profile(), centre_code="K01", period="2025-02")
    assert exc.value.code == "formats.print_centre.bad_rows"
    assert exc.value.params["count"] == 2
    found = [
        (e.line, e.code, e.params["account"], e.params["field"], e.params["character"])
        for e in exc.value.params["errors"]
    ]
    assert found == [
        (2, "formats.print_centre.unencodable", "1002", "payer_name", "✓"),
        (2, "formats.print_centre.unencodable", "1002", "address", "☃"),
        (3, "formats.print_centre.unencodable", "1003", "payer_name", "Ł"),
    ]
    assert exc.value.params["errors"][0].params["encoding"] == "cp1251"
    assert exc.value.params["errors"][0].params["codepoint"] == "U+2713"
    # the same rows go in UTF-8
    data = write_data_file(rows, csv_profile(encoding="utf-8"), centre_code="K01", period="2025-02")
    assert "Łukasz" in data.decode("utf-8")


def test_units_and_spaces_an_8_bit_encoding_lacks_are_written_plain():
    """The receipts' units «м³», «м²» (and a minus, no-break spaces) have no place in cp1251:
    they are written «м3», «м2»; UTF-8 keeps them."""
    columns = (("ЛС", "account"), ("Ед", "unit"), ("Основание", "basis"), ("ФИО", "payer_name"))
    profile = PrintProfile(name="typo_kaluga", columns=columns)
    rows = [row("1", "1", unit="м³", basis="площадь, м²", payer_name="Иванов\u00a0И.\u2212И.")]
    data = write_data_file(rows, profile, centre_code="K01", period="2025-02").decode("cp1251")
    assert "1;м3;площадь, м2;Иванов И.-И." in data
    text = write_data_file(
        rows,
        PrintProfile(name="typo_kaluga", columns=columns, encoding="utf-8"),
        centre_code="K01",
        period="2025-02",
    ).decode("utf-8")
    assert "м³" in text and "м²" in text
    rows[0]["payer_name"] = "Zoe ✓ м³"
    with pytest.raises(FormatError) as exc:
        write_data_file(rows, profile, centre_code="K01", period="2025-02")
    assert [e.params["character"] for e in exc.value.params["errors"]] == ["✓"]


def test_refused_quoting_and_bad_periods_are_listed_with_encoding_problems():
    rows = sample()
    rows[0]["period"] = "02.2025"
    rows[2]["address"] = "кв ☃"
    with pytest.raises(FormatError) as exc:
        write_data_file(rows, csv_profile(quoting="refuse"), centre_code="K01", period="2025-02")
    found = [(e.line, e.code, e.params["account"]) for e in exc.value.params["errors"]]
    assert found == [
        (1, "formats.print_centre.needs_quoting", "1001"),
        (2, "formats.print_centre.needs_quoting", "1002"),
        (2, "formats.print_centre.unencodable", "1002"),
        (3, "formats.print_centre.bad_row_period", "1003"),
    ]
    assert exc.value.params["errors"][0].params == {
        "account": "1001",
        "field": "payer_name",
        "separator": ";",
    }
    assert exc.value.params["errors"][3].params == {"account": "1003", "value": "02.2025"}


def test_xml_refuses_control_characters():
    rows = sample()
    rows[0]["payer_name"] = "Иванов\x01"
    profile = csv_profile(file_format="xml")
    with pytest.raises(FormatError) as exc:
        write_data_file(rows, profile, centre_code="K01", period="2025-02")
    [error] = exc.value.params["errors"]
    assert error.code == "formats.print_centre.xml_forbidden_char"
    assert error.params == {"account": "1003", "field": "payer_name", "codepoint": "U+0001"}


def test_bad_period_and_centre_code():
    with pytest.raises(FormatError) as exc:
        write_data_file(sample(), csv_profile(), centre_code="K01", period="02.2025")
    assert (exc.value.code, exc.value.params) == (
        "formats.print_centre.bad_period",
        {"period": "02.2025"},
    )
    with pytest.raises(FormatError) as exc:
        write_data_file(
            sample(), csv_profile(file_format="xml"), centre_code="Т☃", period="2025-02"
        )
    assert exc.value.code == "formats.print_centre.unencodable_code"


def test_route_order_then_account():
    rows = [row("5", "0002"), row("9", "0001"), row("1", "0003"), row("3", "0001"), row("2", "")]
    assert [r["account"] for r in sort_rows(rows)] == ["2", "3", "9", "5", "1"]
    data = write_data_file(rows, csv_profile(header=False), centre_code="K01", period="2025-02")
    assert [line.split(b";")[0] for line in data.splitlines()] == [b"2", b"3", b"9", b"5", b"1"]


@pytest.mark.parametrize("file_format", ["csv", "xml"])
def test_pieces_are_the_same_bytes(file_format):
    rows = random_rows(random.Random(3), 25)
    profile = csv_profile(file_format=file_format, encoding="utf-8")
    whole = write_data_file(rows, profile, centre_code="K01", period="2025-02")
    for chunk in (1, 7, 25, 100):
        pieces = list(
            iter_data_file(rows, profile, centre_code="K01", period="2025-02", chunk=chunk)
        )
        assert len(pieces) == -(-25 // chunk)
        assert b"".join(pieces) == whole
    assert b"".join(iter_data_file([], profile, centre_code="K01", period="2025-02")) == (
        write_data_file([], profile, centre_code="K01", period="2025-02")
    )


def test_pieces_are_checked_before_the_first_one():
    rows = sample()
    rows[0]["address"] = "☃"  # the last receipt in route order
    rows[1]["payer_name"] = "Ł"  # the first
    with pytest.raises(FormatError) as exc:
        iter_data_file(rows, csv_profile(), centre_code="K01", period="2025-02", chunk=1)
    assert [(e.line, e.params["character"]) for e in exc.value.params["errors"]] == [
        (1, "Ł"),
        (3, "☃"),
    ]


def test_same_input_gives_the_same_bytes_whatever_the_order():
    rows = sample()
    for profile in (csv_profile(), csv_profile(file_format="xml"), DEFAULT_PRINT_PROFILE):
        first = write_data_file(rows, profile, centre_code="K01", period="2025-02")
        again = write_data_file(list(reversed(rows)), profile, centre_code="K01", period="2025-02")
        assert first == again


def random_rows(rng, count):
    rows = []
    for n in range(count):
        house = rng.randint(1, 12)
        text = rng.choice(["Иванов", 'О"Нил', "a;b", "строка\r\nвторая", "", "A & <B>", "x,y"])
        rows.append(
            row(
                f"{rng.randint(1, 10**6):07d}",
                f"{house:04d}|{n:05d}",
                f"г Калуга, ул Мира, д {house}, кв {n}",
                f"{rng.randint(-10**6, 10**7) / 100:.2f}",
                payer_name=text,
                period=rng.choice(["2025-02", "2024-12", ""]),
                tariff="123.4567",
            )
        )
    return rows


@pytest.mark.parametrize("seed", range(6))
def test_round_trip(seed):
    rng = random.Random(seed)
    rows = random_rows(rng, 60)
    profile = PrintProfile(
        name="rt",
        file_format=rng.choice(["csv", "xml"]),
        encoding=rng.choice(["cp1251", "utf-8"]),
        separator=rng.choice([";", ",", "|", "\t"]),
        decimal_mark=rng.choice([".", ","]),
        period_format=rng.choice(["MMYYYY", "MM.YYYY", "MMYY"]),
        line_ending=rng.choice(["CRLF", "LF"]),
        header=rng.choice([True, False]),
    )
    data = write_data_file(rows, profile, centre_code="K01", period="2025-02")
    result = read_data_file(data, profile)
    assert result.ok, result.errors[:3]
    assert result.records == sort_rows(rows)
    assert result.totals == {"count": 60, "total_to_pay": total_to_pay(rows)}
    if profile.file_format == "xml":
        assert (result.centre, result.period) == ("K01", "2025-02")


def test_reader_reports_every_bad_line():
    profile = csv_profile(encoding="utf-8")
    text = (
        "ЛС;Период;ФИО;Адрес;Сумма;КОплате\r\n"
        "1;02.2025;А;Б;1.00;1.00\r\n"
        "2;02.2025;А;Б;1.00\r\n"
        "3;13.2025;А;Б;1.00;1.00\r\n"
        "4;02.2025;А;Б;2.50;2.50\r\n"
        "5;02.2025;А;Б;1.00;1,5\r\n"
    )
    result = read_data_file(text.encode(), profile)
    assert not result.ok
    assert [(e.line, e.code) for e in result.errors] == [
        (1, "formats.print_centre.wrong_header"),
        (3, "formats.print_centre.wrong_width"),
        (4, "formats.print_centre.bad_row_period"),
        (6, "formats.print_centre.bad_number"),
    ]
    assert result.errors[3].params == {"field": "total_to_pay", "value": "1,5"}
    assert result.errors[1].params == {"columns": 5, "expected": 6}
    assert [r["account"] for r in result.records] == ["1", "4"]
    assert result.totals["total_to_pay"] == Decimal("3.50")
    assert result.fingerprint and result.encoding == "utf-8"


def test_xml_reader_problems():
    profile = csv_profile(file_format="xml")
    with pytest.raises(FormatError) as exc:
        read_data_file(b"<receipts><receipt>", profile)
    assert exc.value.code == "formats.print_centre.unreadable"
    with pytest.raises(FormatError) as exc:
        read_data_file(b"<other/>", profile)
    assert exc.value.params == {"tag": "other", "expected": "receipts"}
    data = "<receipts><receipt><ЛС>1</ЛС></receipt><item/></receipts>".encode()
    result = read_data_file(data, profile)
    codes = [(e.line, e.code, e.field) for e in result.errors]
    assert codes[:2] == [
        (1, "formats.print_centre.missing_tag", "Период"),
        (1, "formats.print_centre.missing_tag", "ФИО"),
    ]
    assert codes[-1] == (2, "formats.print_centre.wrong_tag", None)
    assert result.records == []
    with pytest.raises(FormatError) as exc:
        read_data_file("ЛС;☃".encode(), csv_profile())
    assert exc.value.code == "formats.print_centre.unreadable"


# -- houses and packs ------------------------------------------------------------------------


def test_house_of_cuts_the_apartment_part():
    assert house_of(row("1", "r", "г Калуга, ул Мира, д 10, кв 2")) == "г калуга, ул мира, д 10"
    assert house_of(row("1", "r", "г Калуга,  ул Мира, д 10, кв. 15а")) == "г калуга, ул мира, д 10"
    assert house_of(row("1", "r", "г Калуга, ул Мира, д 10, Пом. 1Н")) == "г калуга, ул мира, д 10"
    assert house_of(row("1", "r", "г Калуга, ул Мира, д 10, комн 3")) == "г калуга, ул мира, д 10"
    assert house_of(row("1", "r", "г Калуга, ул Комсомольская, д 3")) == (
        "г калуга, ул комсомольская, д 3"
    )
    assert house_of(row("1", "r", "г Калуга, ул Мира, д 10 кв 3")) == "г калуга, ул мира, д 10"
    assert house_of(row("1", "r", "пер Офицерский, д 1")) == "пер офицерский, д 1"
    assert house_of(row("1", "r", "ул Помяловского, д 2, оф 4")) == "ул помяловского, д 2"
    assert house_of(row("1", "r1")) != house_of(row("2", "r1"))


def houses_in(pack):
    return [house_of(r) for r in pack]


def test_packs_keep_houses_whole():
    rows = []
    for house, flats in ((1, 3), (2, 2), (3, 4), (4, 1)):
        rows += [
            row(f"{house}{n}", f"{house:03d}|{n:03d}", f"ул Мира, д {house}, кв {n}")
            for n in range(flats)
        ]
    cut = packs(list(reversed(rows)), 5)
    assert [[r["account"] for r in p] for p in cut] == [
        ["10", "11", "12", "20", "21"],
        ["30", "31", "32", "33", "40"],
    ]
    cut = packs(rows, 4)
    assert [[r["account"] for r in p] for p in cut] == [
        ["10", "11", "12"],
        ["20", "21"],
        ["30", "31", "32", "33"],
        ["40"],
    ]


def test_a_house_larger_than_a_pack_is_cut_and_the_rest_fills_on():
    rows = [row(f"1{n:02d}", f"001|{n:03d}", f"ул Мира, д 1, кв {n}") for n in range(7)]
    rows += [row("200", "002|000", "ул Мира, д 2, кв 1")]
    rows += [row(f"3{n:02d}", f"003|{n:03d}", f"ул Мира, д 3, кв {n}") for n in range(3)]
    cut = packs(rows, 3)
    assert [len(p) for p in cut] == [3, 3, 2, 3]
    assert [r["account"] for r in cut[2]] == ["106", "200"]


@pytest.mark.parametrize("seed", range(10))
def test_packs_on_random_cases(seed):
    rng = random.Random(seed)
    size = rng.randint(1, 40)
    rows = []
    for house in range(rng.randint(0, 60)):
        flats = rng.choice([1, 2, 5, 20, 70])
        rows += [
            row(f"{house}-{n}", f"{house:04d}|{n:04d}", f"ул Мира, д {house}, кв {n}")
            for n in range(flats)
        ]
    rng.shuffle(rows)
    cut = packs(rows, size)
    assert [r for p in cut for r in p] == sort_rows(rows)
    assert all(0 < len(p) <= size for p in cut)
    count = {}
    for r in rows:
        count[house_of(r)] = count.get(house_of(r), 0) + 1
    for first, second in itertools.pairwise(cut):
        shared = houses_in(first)[-1]
        if shared == houses_in(second)[0]:  # split only when the house is too big
            assert count[shared] > size
    assert sum((total_to_pay(p) for p in cut), Decimal(0)) == total_to_pay(rows)


def test_pack_size_must_be_positive():
    with pytest.raises(FormatError) as exc:
        packs(sample(), 0)
    assert exc.value.code == "formats.print_centre.bad_pack_size"
    assert packs([], 5) == []


# -- file names and the manifest -------------------------------------------------------------


def test_file_names():
    profile = csv_profile()
    assert file_name(profile, "K01", "2025-02", 7) == "K01_2025-02_007.csv"
    assert file_name(profile, "K01", "2025-02", 2, "pdf") == "K01_2025-02_002.pdf"
    with pytest.raises(FormatError) as exc:
        file_name(profile, "K/01", "2025-02")
    assert exc.value.params == {"filename": "K/01_2025-02_001.csv", "centre": "K/01"}
    with pytest.raises(FormatError):
        file_name(profile, "", "2025-02")


def files_of(rows, profile, size):
    data = write_data_file(rows, profile, centre_code="K01", period="2025-02")
    files = [(file_name(profile, "K01", "2025-02"), data, len(rows), total_to_pay(rows))]
    for part, pack in enumerate(packs(rows, size), start=1):
        pdf = ("%PDF " + ",".join(r["account"] for r in pack)).encode()
        files.append(
            (file_name(profile, "K01", "2025-02", part, "pdf"), pdf, len(pack), total_to_pay(pack))
        )
    return files


def test_manifest_json():
    rows = sample()
    files = files_of(rows, csv_profile(), 2)
    data = manifest("K01", "2025-02", files)
    assert data == manifest("K01", "2025-02", list(files))
    parsed = json.loads(data)
    assert list(parsed) == sorted(parsed)
    assert parsed["totals"] == {
        "files": 3,
        "receipts": 6,
        "size": sum(len(f[1]) for f in files),
        "total": "2700.80",
    }
    first = parsed["files"][1]
    assert first["name"] == "K01_2025-02_001.pdf"
    assert first["receipts"] == 2 and first["total"] == "99.90"
    assert first["sha256"] == __import__("hashlib").sha256(files[1][1]).hexdigest()
    assert data.endswith(b"}\n")


def test_manifest_text_and_files():
    files = [("a.csv", b"abc", 2, Decimal("1.005")), ("a_001.pdf", b"", 2, "1.00")]
    text = manifest_text("K01", "2025-02", files).decode()
    assert text == (
        "#K01;2025-02\r\n"
        "a.csv;3;ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad;2;1.01\r\n"
        "a_001.pdf;0;e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855;2;1.00\r\n"
        "=2;3;4;2.01\r\n"
    )
    assert [n for n, _d in manifest_files(csv_profile(), "K01", "2025-02", files)] == [
        "K01_2025-02_000.manifest.json"
    ]
    both = manifest_files(
        csv_profile(manifest_text=True, line_ending="LF"), "K01", "2025-02", files
    )
    assert [n for n, _d in both] == [
        "K01_2025-02_000.manifest.json",
        "K01_2025-02_000.manifest.txt",
    ]
    assert both[1][1].endswith(b"=2;3;4;2.01\n")
    with pytest.raises(FormatError) as exc:
        manifest("K01", "2025-02", [*files, files[0]])
    assert exc.value.params == {"name": "a.csv"}


@pytest.mark.parametrize("seed", range(10))
def test_manifest_totals_are_the_sums_of_the_parts(seed):
    rng = random.Random(seed)
    files = [
        (
            f"f{n}.pdf",
            rng.randbytes(rng.randint(0, 50)),
            rng.randint(0, 500),
            Decimal(rng.randint(-(10**8), 10**9)) / 100,
        )
        for n in range(rng.randint(0, 30))
    ]
    parsed = json.loads(manifest("K01", "2025-02", files))
    assert Decimal(parsed["totals"]["total"]) == sum(
        (Decimal(f["total"]) for f in parsed["files"]), Decimal(0)
    )
    assert parsed["totals"]["receipts"] == sum(f["receipts"] for f in parsed["files"])
    assert parsed["totals"]["size"] == sum(f["size"] for f in parsed["files"])


if __name__ == "__main__":  # timing, not a test
    many = random_rows(random.Random(1), 100_000)
    for prof in (
        DEFAULT_PRINT_PROFILE,
        PrintProfile(name="x", file_format="xml", decimal_mark=","),
    ):
        start = time.perf_counter()
        out = write_data_file(many, prof, centre_code="K01", period="2025-02")
        took = time.perf_counter() - start
        print(f"{prof.file_format}: 100,000 rows, {len(out):,} bytes in {took:.2f} s")
    start = time.perf_counter()
    size = sum(
        len(piece)
        for piece in iter_data_file(
            many, DEFAULT_PRINT_PROFILE, centre_code="K01", period="2025-02"
        )
    )
    print(f"csv in pieces: {size:,} bytes in {time.perf_counter() - start:.2f} s")
    start = time.perf_counter()
    cut = packs(many, 500)
    print(f"packs: {len(cut)} packs in {time.perf_counter() - start:.2f} s")
