import random

import pytest

from mobill_tko_core.errors import CoreError, RequisiteError
from mobill_tko_core.requisites import (
    account_number_with_check_digit,
    bank_account_key_prefix,
    format_snils,
    make_bank_account,
    make_correspondent_account,
    make_inn,
    make_ogrn,
    make_snils,
    validate_account_number,
    validate_bank_account,
    validate_bik,
    validate_correspondent_account,
    validate_inn,
    validate_kpp,
    validate_ogrn,
    validate_passport,
    validate_snils,
)


def code_of(func, *args, **kwargs) -> str:
    with pytest.raises(RequisiteError) as info:
        func(*args, **kwargs)
    return info.value.code


# ---------------------------------------------------------------- errors


def test_core_error_carries_code_params_and_message():
    error = RequisiteError("inn_length", "INN must have 10 or 12 digits", value="123")
    assert isinstance(error, CoreError)
    assert isinstance(error, ValueError)
    assert str(error) == "INN must have 10 or 12 digits"
    assert error.message == "INN must have 10 or 12 digits"
    assert error.code == "inn_length"
    assert error.params == {"value": "123"}


def test_error_message_is_plain_english():
    with pytest.raises(RequisiteError) as info:
        validate_inn("12345")
    assert str(info.value) == "INN must have 10 or 12 digits"
    assert info.value.params == {
        "field": "inn",
        "value": "12345",
        "length": 5,
        "expected": "10 or 12",
    }
    with pytest.raises(RequisiteError) as info:
        validate_account_number("1")
    assert str(info.value) == "Personal account number must have 2 to 30 digits"
    assert info.value.params["expected"] == "2 to 30"
    with pytest.raises(RequisiteError) as info:
        validate_inn("7707083894")
    assert str(info.value) == "INN check digit is wrong"


# ---------------------------------------------------------------- INN


@pytest.mark.parametrize(
    "value, expected",
    [
        ("7707083893", "7707083893"),  # ПАО Сбербанк
        ("500100732259", "500100732259"),  # a valid 12-digit INN
        (" 7707 083893 ", "7707083893"),
        ("7707\u00a0083893", "7707083893"),
    ],
)
def test_inn_valid(value, expected):
    assert validate_inn(value) == expected


def test_inn_kind_restricts_length():
    assert validate_inn("7707083893", kind="legal") == "7707083893"
    assert validate_inn("500100732259", kind="person") == "500100732259"
    assert code_of(validate_inn, "500100732259", kind="legal") == "inn_length"
    assert code_of(validate_inn, "7707083893", kind="person") == "inn_length"
    with pytest.raises(RequisiteError, match="organisation must have 10 digits"):
        validate_inn("500100732259", kind="legal")
    with pytest.raises(ValueError, match="unknown INN kind"):
        validate_inn("7707083893", kind="company")


@pytest.mark.parametrize(
    "value, code",
    [
        ("7707083894", "inn_checksum"),
        ("500100732258", "inn_checksum"),  # second control digit wrong
        ("500100732169", "inn_checksum"),  # first control digit wrong
        ("770708389", "inn_length"),
        ("77070838931", "inn_length"),
        ("770708389A", "inn_not_digits"),
        ("7707-083893", "inn_not_digits"),
        ("７７０７０８３８９３", "inn_not_digits"),  # full-width digits are not accepted
        ("", "inn_empty"),
        ("   ", "inn_empty"),
        (None, "inn_empty"),
        (False, "inn_empty"),
    ],
)
def test_inn_invalid(value, code):
    assert code_of(validate_inn, value) == code


def test_inn_rejects_integers():
    with pytest.raises(TypeError):
        validate_inn(7707083893)


# ---------------------------------------------------------------- KPP


def test_kpp():
    assert validate_kpp("773601001") == "773601001"  # Сбербанк
    assert validate_kpp("7736 01 001") == "773601001"
    assert validate_kpp("7736ab001") == "7736AB001"
    assert code_of(validate_kpp, "77360100") == "kpp_length"
    assert code_of(validate_kpp, "7736010011") == "kpp_length"
    assert code_of(validate_kpp, "A73601001") == "kpp_format"
    assert code_of(validate_kpp, "773601A01") == "kpp_format"
    assert code_of(validate_kpp, "7736ЖЖ001") == "kpp_format"  # Cyrillic letters
    assert code_of(validate_kpp, "") == "kpp_empty"


# ---------------------------------------------------------------- OGRN


def test_ogrn_valid():
    assert validate_ogrn("1027700132195") == "1027700132195"  # Сбербанк
    assert validate_ogrn("304500116000157") == "304500116000157"  # an ОГРНИП
    assert validate_ogrn("1027700132195", kind="legal") == "1027700132195"
    assert validate_ogrn("304500116000157", kind="entrepreneur") == "304500116000157"


@pytest.mark.parametrize(
    "value, kind, code",
    [
        ("1027700132196", None, "ogrn_checksum"),
        ("304500116000158", None, "ogrn_checksum"),
        ("102770013219", None, "ogrn_length"),
        ("10277001321955", None, "ogrn_length"),
        ("102770013219O", None, "ogrn_not_digits"),
        ("304500116000157", "legal", "ogrn_length"),
        ("1027700132195", "entrepreneur", "ogrn_length"),
        ("3027700132197", None, "ogrn_sign"),  # 13 digits must begin with 1 or 5
        ("104500116000155", None, "ogrn_sign"),  # 15 digits must begin with 3
        ("", None, "ogrn_empty"),
    ],
)
def test_ogrn_invalid(value, kind, code):
    assert code_of(validate_ogrn, value, kind=kind) == code


# ---------------------------------------------------------------- SNILS


def test_snils():
    assert validate_snils("112-233-445 95") == "11223344595"
    assert validate_snils("11223344595") == "11223344595"
    assert format_snils("11223344595") == "112-233-445 95"
    # numbers up to 001-001-998 are not checked
    assert validate_snils("001-001-998 77") == "00100199877"
    assert code_of(validate_snils, "001-001-999 77") == "snils_checksum"
    assert code_of(validate_snils, "112-233-445 96") == "snils_checksum"
    assert code_of(validate_snils, "112-233-445 9") == "snils_length"
    assert code_of(validate_snils, "112_233_445 95") == "snils_not_digits"
    assert code_of(validate_snils, "--") == "snils_empty"


@pytest.mark.parametrize(
    "first9, control",
    [
        ("112233445", "95"),  # sum 95 < 100: the sum itself
        ("920000003", "00"),  # 81 + 16 + 3 = 100 → 00
        ("920000004", "00"),  # 101 → 00
        ("555555555", "23"),  # 5 × 45 = 225; 225 mod 101 = 23
        ("996100000", "00"),  # 81 + 72 + 42 + 6 = 201; 201 mod 101 = 100 → 00
    ],
)
def test_snils_control_branches(first9, control):
    snils = first9 + control
    assert make_snils(first9) == snils
    assert validate_snils(snils) == snils
    wrong = first9 + ("01" if control == "00" else "00")
    assert code_of(validate_snils, wrong) == "snils_checksum"


# ---------------------------------------------------------------- BIK and accounts

SBER_BIK = "044525225"


def test_bik():
    assert validate_bik(SBER_BIK) == SBER_BIK
    assert validate_bik(" 0445 25225") == SBER_BIK
    assert code_of(validate_bik, "04452522") == "bik_length"
    assert code_of(validate_bik, "04452522X") == "bik_not_digits"
    assert code_of(validate_bik, "144525225") == "bik_country"


def test_bank_account_of_credit_organisation():
    # prefix = last 3 BIK digits
    assert bank_account_key_prefix(SBER_BIK) == "225"
    assert validate_bank_account("40702810938000000001", SBER_BIK) == "40702810938000000001"
    assert code_of(validate_bank_account, "40702810138000000001", SBER_BIK) == (
        "bank_account_checksum"
    )
    # the same account does not fit another bank
    assert code_of(validate_bank_account, "40702810938000000001", "044525974") == (
        "bank_account_checksum"
    )
    assert code_of(validate_bank_account, "4070281093800000000", SBER_BIK) == (
        "bank_account_length"
    )
    assert code_of(validate_bank_account, "4070281093800000000Z", SBER_BIK) == (
        "bank_account_not_digits"
    )
    assert code_of(validate_bank_account, "40702810938000000001", "0445252") == "bik_length"


def test_bank_account_in_a_bank_of_russia_division():
    # BIK digits 7-9 below 050: a division of the Bank of Russia; prefix "0" + BIK digits 5-6.
    # 40101810045250010041 at 044525000 is the well-known pre-2021 account of the Moscow tax
    # revenue at ГУ Банка России по ЦФО.
    assert bank_account_key_prefix("044525000") == "025"
    assert validate_bank_account("40101810045250010041", "044525000") == "40101810045250010041"
    assert code_of(validate_bank_account, "40101810145250010041", "044525000") == (
        "bank_account_checksum"
    )


def test_correspondent_account():
    known = {
        "044525225": "30101810400000000225",  # Сбербанк
        "044525974": "30101810145250000974",  # Т-Банк
        "044525593": "30101810200000000593",  # Альфа-Банк
        "044525187": "30101810700000000187",  # ВТБ
    }
    for bik, account in known.items():
        assert validate_correspondent_account(account, bik) == account
    # the Bank of Russia's own worked example: 30101810K00000000746 in the РКЦ 049805000 → K = 8
    assert validate_correspondent_account("30101810800000000746", "049805746")
    assert code_of(validate_correspondent_account, "30101810500000000225", SBER_BIK) == (
        "corr_account_checksum"
    )
    assert code_of(validate_correspondent_account, "40702810938000000001", SBER_BIK) == (
        "corr_account_prefix"
    )
    assert code_of(validate_correspondent_account, "30101810400000000974", SBER_BIK) == (
        "corr_account_bik_mismatch"
    )
    assert code_of(validate_correspondent_account, "3010181040000000022", SBER_BIK) == (
        "corr_account_length"
    )
    assert code_of(validate_correspondent_account, "3010181040000000022O", SBER_BIK) == (
        "corr_account_not_digits"
    )


# ---------------------------------------------------------------- passport


def test_passport():
    assert validate_passport("45 08", "123456") == ("4508", "123456")
    assert code_of(validate_passport, "450", "123456") == "passport_series_length"
    assert code_of(validate_passport, "45O8", "123456") == "passport_series_not_digits"
    assert code_of(validate_passport, "4508", "12345") == "passport_number_length"
    assert code_of(validate_passport, "4508", "12345Б") == "passport_number_not_digits"
    assert code_of(validate_passport, "4508", None) == "passport_number_empty"


# ---------------------------------------------------------------- personal account (Luhn)


def test_personal_account_luhn():
    assert account_number_with_check_digit("7992739871") == "79927398713"  # textbook example
    assert validate_account_number("79927398713") == "79927398713"
    assert validate_account_number("7992 7398 713") == "79927398713"
    assert code_of(validate_account_number, "79927398710") == "personal_account_checksum"
    # swapping two neighbouring digits is caught
    assert code_of(validate_account_number, "97927398713") == "personal_account_checksum"
    assert code_of(validate_account_number, "7") == "personal_account_length"
    assert code_of(validate_account_number, "7" * 31) == "personal_account_length"
    assert code_of(validate_account_number, "ЛС-123") == "personal_account_not_digits"
    with pytest.raises(ValueError):
        account_number_with_check_digit("12a")


# ---------------------------------------------------------------- builders round-trip


def test_builders_round_trip():
    rnd = random.Random(20240101)
    for _ in range(300):
        digits = "".join(rnd.choice("0123456789") for _ in range(20))
        inn10 = make_inn(digits[:9])
        inn12 = make_inn(digits[:10])
        assert validate_inn(inn10, kind="legal") == inn10
        assert validate_inn(inn12, kind="person") == inn12
        ogrn = make_ogrn(rnd.choice("15") + digits[:11])
        ogrnip = make_ogrn("3" + digits[:13])
        assert validate_ogrn(ogrn, kind="legal") == ogrn
        assert validate_ogrn(ogrnip, kind="entrepreneur") == ogrnip
        snils = make_snils(str(rnd.randint(1001999, 999999999)).zfill(9))
        assert validate_snils(format_snils(snils)) == snils
        bik = "04" + digits[:4] + str(rnd.randint(50, 999)).zfill(3)
        account = make_bank_account(bik, "40702810" + digits[9:20])
        assert validate_bank_account(account, bik) == account
        assert account.startswith("40702810") and account[9:] == digits[9:20]
        rkc_bik = "04" + digits[:4] + "000"
        account = make_bank_account(rkc_bik, "40101810" + digits[9:20])
        assert validate_bank_account(account, rkc_bik) == account
        corr = make_correspondent_account(bik, digits[12:20])
        assert validate_correspondent_account(corr, bik) == corr
        base = digits[: rnd.randint(1, 20)]
        assert validate_account_number(account_number_with_check_digit(base))


def test_builders_match_known_numbers():
    assert make_inn("770708389") == "7707083893"
    assert make_inn("5001007322") == "500100732259"
    assert make_ogrn("102770013219") == "1027700132195"
    assert make_ogrn("30450011600015") == "304500116000157"
    assert make_snils("112233445") == "11223344595"
    assert make_bank_account(SBER_BIK, "4070281038000000001") == "40702810938000000001"
    assert make_correspondent_account(SBER_BIK) == "30101810400000000225"


def test_builders_reject_bad_input():
    with pytest.raises(ValueError):
        make_inn("12345")
    with pytest.raises(ValueError):
        make_ogrn("1234567890123")
    with pytest.raises(ValueError):
        make_snils("001001998")  # too low to carry a control number
    with pytest.raises(ValueError):
        make_bank_account(SBER_BIK, "407028103800000000")
