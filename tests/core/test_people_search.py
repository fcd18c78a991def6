import re

import pytest

from mobill_tko_core.people_search import (
    AddressQuery,
    address_patterns,
    like_escape,
    parse_address,
    parse_people_query,
    phone_pattern,
)


def found(patterns, address: str, level: str) -> bool:
    return any(ilike(p, address) and lvl in (None, level) for p, lvl in patterns)


def ilike(pattern: str, text: str) -> bool:
    """PostgreSQL's ILIKE with the default escape, for checking the patterns here."""
    regex = ""
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 1
            regex += re.escape(pattern[i])
        elif char == "%":
            regex += ".*"
        elif char == "_":
            regex += "."
        else:
            regex += re.escape(char)
        i += 1
    return re.fullmatch(regex, text, re.IGNORECASE | re.DOTALL) is not None


FLAT_5 = "Энская обл., г. Энск, ул. Пушкина, д. 1, кв. 5"


@pytest.mark.parametrize(
    "text",
    [
        "Пушкина, д. 1, кв. 5",
        "Пушкина 1 5",
        "ул. Пушкина, д.1, кв.5",
        "улица Пушкина дом 1 квартира 5",
        "  пушкина,1,5 ",
    ],
)
def test_address_forms_read_the_same(text):
    query = parse_address(text)
    assert (query.words[0].lower(), query.house, query.flat) == ("пушкина", "1", "5")
    assert len(query.words) == 1


def test_house_letter_joins_the_number():
    assert parse_address("Ленина 12 а").house == "12а"
    assert parse_address("Ленина д. 12А кв 3") == AddressQuery(("Ленина",), "12а", "3")


def test_flat_marker_without_house():
    assert parse_address("кв. 7") == AddressQuery((), "", "7")


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        (FLAT_5, True),
        ("Энская обл., г. Энск, ул. Пушкина, д. 1, кв. 15", False),
        ("Энская обл., г. Энск, ул. Пушкина, д. 1, кв. 51", False),
        ("Энская обл., г. Энск, ул. Пушкина, д. 11, кв. 5", False),
        ("Энская обл., г. Энск, ул. Пушкина, д. 21, кв. 5", False),
        ("Энская обл., г. Энск, ул. Лермонтова, д. 1, кв. 5", False),
    ],
)
def test_flat_pattern_matches_that_flat_only(address, expected):
    patterns = address_patterns(parse_address("Пушкина, д. 1, кв. 5"))
    assert found(patterns, address, "premises") is expected


def test_house_pattern_finds_the_house_and_its_flats_not_other_houses():
    patterns = address_patterns(parse_address("Пушкина 1"))
    assert found(patterns, "г. Энск, ул. Пушкина, д. 1", "house")
    assert found(patterns, FLAT_5, "premises")
    assert not found(patterns, "г. Энск, ул. Пушкина, д. 12, кв. 1", "premises")
    assert not found(patterns, "г. Энск, ул. Пушкина, д. 31", "house")
    assert not found(patterns, "г. Энск, ул. Пушкина, д. 12", "house")


def test_words_only():
    assert address_patterns(parse_address("ул. Пушкина")) == [("%Пушкина%", None)]
    assert address_patterns(AddressQuery()) == []


def test_like_escape():
    assert like_escape("50%_a\\b") == "50\\%\\_a\\\\b"


def test_wildcards_typed_are_literals():
    patterns = address_patterns(AddressQuery(("a_b",), "", ""))
    assert patterns == [("%a\\_b%", None)]
    assert not ilike(patterns[0][0], "axb")


def test_number_is_not_an_address():
    query = parse_people_query("10000000058")
    assert query.digits == "10000000058"
    assert not query.address
    assert not query.is_email


def test_phone_with_punctuation():
    query = parse_people_query("+7 (900) 123-45-67")
    assert query.is_phone
    assert query.digits == "79001234567"
    assert ilike(phone_pattern(query.digits), "8 900 123 45 67")
    assert not ilike(phone_pattern(query.digits), "8 900 123 45 68")


def test_email():
    query = parse_people_query("ivanov@mail.ru")
    assert query.is_email
    assert not query.address
    assert not query.digits


def test_name_is_also_an_address_word():
    query = parse_people_query("Иванов  Иван")
    assert query.text == "Иванов Иван"
    assert query.address.words == ("Иванов", "Иван")
    assert not query.digits


def test_empty():
    assert parse_people_query("   ") == parse_people_query("")
    assert not parse_people_query("").address
