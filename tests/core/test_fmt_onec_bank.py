import codecs
from datetime import date, datetime
from decimal import Decimal

import pytest

from mobill_tko_core.formats import FormatError
from mobill_tko_core.formats.onec_bank import (
    BankDocument,
    BankParty,
    incoming_payments,
    outgoing_payments,
    read_statement,
    write_statement,
)

OWN = "40702810900000001234"
OTHER = "40702810500000005678"

# The composed example of formats.md §1 (one incoming payment order).
SAMPLE = """1CClientBankExchange
ВерсияФормата=1.03
Кодировка={enc}
Отправитель=Бухгалтерия предприятия, редакция 3.0
Получатель=
ДатаСоздания=05.02.2025
ВремяСоздания=09:15:00
ДатаНачала=04.02.2025
ДатаКонца=04.02.2025
РасчСчет=40702810900000001234
СекцияРасчСчет
ДатаНачала=04.02.2025
ДатаКонца=04.02.2025
РасчСчет=40702810900000001234
НачальныйОстаток=100000.00
ВсегоПоступило=2400.00
ВсегоСписано=0.00
КонечныйОстаток=102400.00
КонецРасчСчет
СекцияДокумент=Платежное поручение
Номер=517
Дата=04.02.2025
Сумма=2400.00
ПлательщикСчет=40702810500000005678
Плательщик=ИНН 7701000001 ООО "Ромашка"
ПлательщикИНН=7701000001
ПлательщикКПП=770101001
Плательщик1=ООО "Ромашка"
ПлательщикРасчСчет=40702810500000005678
ПлательщикБанк1=ПАО СБЕРБАНК
ПлательщикБанк2=г. Москва
ПлательщикБИК=044525225
ПлательщикКорсчет=30101810400000000225
ПолучательСчет=40702810900000001234
ДатаПоступило=04.02.2025
Получатель=ИНН 4000000001 ООО "Региональный оператор"
ПолучательИНН=4000000001
ПолучательКПП=400001001
Получатель1=ООО "Региональный оператор"
ПолучательРасчСчет=40702810900000001234
ПолучательБанк1=ПАО СБЕРБАНК
ПолучательБанк2=г. Калуга
ПолучательБИК=042908612
ПолучательКорсчет=30101810100000000612
ВидОплаты=01
Очередность=5
НазначениеПлатежа=Оплата по договору № ТКО-123 от 01.01.2025 за январь 2025, л/с 1000123.
КонецДокумента
КонецФайла
"""


def sample(enc="Windows", codec="cp1251", text=SAMPLE) -> bytes:
    return text.format(enc=enc).replace("\n", "\r\n").encode(codec)


def replace_line(text: str, number: int, new: str) -> str:
    """``text`` with its 1-based line ``number`` replaced (helper for malformed files)."""
    lines = text.split("\n")
    lines[number - 1] = new
    return "\n".join(lines)


def line_no(text: str, start: str, after: int = 0) -> int:
    """1-based number of the first line starting with ``start`` after line ``after``."""
    for number, line in enumerate(text.split("\n"), start=1):
        if number > after and line.startswith(start):
            return number
    raise AssertionError(start)


def test_reads_windows_1251_sample():
    st = read_statement(sample())
    assert st.ok, st.errors
    assert st.warnings == []
    assert st.encoding == "cp1251"
    assert st.declared_encoding == "Windows"
    assert st.version == "1.03"
    assert st.date_from == st.date_to == date(2025, 2, 4)
    assert st.created == datetime(2025, 2, 5, 9, 15)
    assert st.accounts == [OWN]
    [bal] = st.balances
    assert (bal.opening_balance, bal.total_in, bal.total_out, bal.closing_balance) == (
        Decimal("100000.00"),
        Decimal("2400.00"),
        Decimal("0.00"),
        Decimal("102400.00"),
    )
    [doc] = st.records
    assert doc.kind == "Платежное поручение"
    assert (doc.number, doc.date, doc.amount) == ("517", date(2025, 2, 4), Decimal("2400.00"))
    assert doc.payer == BankParty(
        name='ООО "Ромашка"',
        inn="7701000001",
        kpp="770101001",
        account=OTHER,
        bank_name="ПАО СБЕРБАНК",
        bank_city="г. Москва",
        bik="044525225",
        corr_account="30101810400000000225",
    )
    assert doc.payee.account == OWN and doc.payee.inn == "4000000001"
    assert doc.received == date(2025, 2, 4) and doc.written_off is None
    assert doc.purpose.startswith("Оплата по договору № ТКО-123")
    assert doc.fields["Очередность"] == "5"
    assert doc.line == line_no(SAMPLE, "СекцияДокумент")
    assert st.totals == {"documents": 1, "rejected": 0, "amount": Decimal("2400.00")}
    assert len(st.fingerprint) == 64


def test_reads_cp866_dos_file():
    st = read_statement(sample("DOS", "cp866"))
    assert st.ok, st.errors
    assert st.encoding == "cp866"
    assert st.records[0].payer.name == 'ООО "Ромашка"'
    assert st.records[0].key == read_statement(sample()).records[0].key


def test_reads_utf8_with_bom():
    data = codecs.BOM_UTF8 + SAMPLE.format(enc="UTF-8").encode("utf-8")
    st = read_statement(data)
    assert st.ok, st.errors
    assert st.encoding == "utf-8"
    assert st.records[0].payee.name == 'ООО "Региональный оператор"'


def test_declared_windows_but_utf8_bytes_is_read_with_a_warning():
    # The classic bug of public code, the other way round: a UTF-8 file declaring Windows.
    st = read_statement(SAMPLE.format(enc="Windows").encode("utf-8"))
    assert st.ok
    assert st.encoding == "utf-8"
    assert [w.code for w in st.warnings] == ["encoding_mismatch"]
    assert len(st.records) == 1


def test_not_a_statement_and_unknown_encoding_raise():
    with pytest.raises(FormatError) as exc:
        read_statement("Номер=1\r\n".encode("cp1251"))
    assert exc.value.code == "formats.onec.not_a_statement"
    with pytest.raises(FormatError) as exc:
        read_statement(sample("KOI8", "cp1251"))
    assert exc.value.code == "formats.onec.unknown_encoding"


def test_three_bad_lines_give_three_errors_and_keep_the_good_document():
    text = SAMPLE
    # Add a second, good document; then break three lines of the first.
    start, end = line_no(text, "СекцияДокумент"), line_no(text, "КонецДокумента")
    doc_lines = text.split("\n")[start - 1 : end]
    second = "\n".join(doc_lines).replace("Номер=517", "Номер=518")
    text = text.replace("КонецФайла", second + "\nКонецФайла")
    # The account section's turnover stays right only for one document: drop the section.
    sec_start, sec_end = line_no(text, "СекцияРасчСчет"), line_no(text, "КонецРасчСчет")
    lines = text.split("\n")
    del lines[sec_start - 1 : sec_end]
    text = "\n".join(lines)
    bad_amount = line_no(text, "Сумма=")
    bad_date = line_no(text, "ДатаПоступило=")
    bad_line = line_no(text, "ВидОплаты=")
    text = replace_line(text, bad_amount, "Сумма=2 400,00")
    text = replace_line(text, bad_date, "ДатаПоступило=2025-02-04")
    text = replace_line(text, bad_line, "ВидОплаты 01")
    st = read_statement(sample(text=text))
    assert not st.ok
    assert [(e.line, e.code) for e in st.errors] == [
        (bad_amount, "bad_amount"),
        (bad_date, "bad_date"),
        (bad_line, "bad_line"),
    ]
    assert st.errors[0].field == "Сумма"
    # The good document is returned (not to be booked, since ok is False).
    assert [d.number for d in st.records] == ["518"]
    assert st.totals["rejected"] == 1


def test_unterminated_document_is_rejected():
    text = SAMPLE.replace("КонецДокумента\n", "")
    st = read_statement(sample(text=text))
    assert not st.ok
    codes = {e.code for e in st.errors}
    assert "unterminated_section" in codes
    assert st.records == []
    unterminated = next(e for e in st.errors if e.code == "unterminated_section")
    assert unterminated.line == line_no(text, "СекцияДокумент")


def test_missing_end_of_file_and_required_header_fields():
    text = SAMPLE.replace("КонецФайла\n", "").replace("ВерсияФормата=1.03\n", "")
    st = read_statement(sample(text=text))
    assert {(e.code, e.field) for e in st.errors} == {
        ("missing_end_of_file", None),
        ("missing_field", "ВерсияФормата"),
    }
    assert len(st.records) == 1


def test_section_total_mismatch_is_an_error_on_its_line():
    text = SAMPLE.replace("ВсегоПоступило=2400.00", "ВсегоПоступило=2500.00").replace(
        "КонечныйОстаток=102400.00", "КонечныйОстаток=102500.00"
    )
    st = read_statement(sample(text=text))
    [err] = st.errors
    assert err.code == "total_mismatch"
    assert err.field == "ВсегоПоступило"
    assert err.line == line_no(text, "ВсегоПоступило")


def test_balance_arithmetic_is_checked():
    text = SAMPLE.replace("КонечныйОстаток=102400.00", "КонечныйОстаток=102000.00")
    st = read_statement(sample(text=text))
    assert [(e.code, e.line) for e in st.errors] == [
        ("balance_mismatch", line_no(text, "КонечныйОстаток"))
    ]


def test_suspicious_requisites_are_warnings():
    text = SAMPLE.replace("ПлательщикБИК=044525225", "ПлательщикБИК=04452522")
    st = read_statement(sample(text=text))
    assert st.ok
    assert [(w.code, w.field) for w in st.warnings] == [("bad_bik", "ПлательщикБИК")]


def _doc(number, amount, payer_acc, payee_acc, *, received=None, written_off=None, purpose=""):
    return BankDocument(
        kind="Платежное поручение",
        number=str(number),
        date=date(2025, 2, 4),
        amount=Decimal(amount),
        payer=BankParty(name="Плательщик «Ромашка»", inn="7701000001", account=payer_acc),
        payee=BankParty(name="ООО «Региональный оператор»", inn="4000000001", account=payee_acc),
        purpose=purpose,
        received=received,
        written_off=written_off,
        payment_type="01",
        priority="5",
    )


def test_write_and_read_round_trip_in_windows_1251():
    day = date(2025, 2, 4)
    docs = [
        _doc(1, "1250.50", OTHER, OWN, received=day, purpose="л/с 1000123 за 01.2025"),
        _doc(2, "300.00", OTHER, OWN, received=day, purpose="ЛС:1000456"),
        _doc(3, "99.99", OWN, OTHER, written_off=day, purpose="Комиссия банка"),
    ]
    data = write_statement(
        docs,
        accounts=OWN,
        date_from=day,
        date_to=day,
        opening_balances={OWN: Decimal("1000.00")},
        created=datetime(2025, 2, 5, 8, 0),
    )
    assert data.startswith(b"1CClientBankExchange\r\n")
    assert "Кодировка=Windows".encode("cp1251") in data
    st = read_statement(data)
    assert st.ok, st.errors
    [bal] = st.balances
    assert bal.total_in == Decimal("1550.50") and bal.total_out == Decimal("99.99")
    assert bal.closing_balance == Decimal("2450.51")
    assert [d.number for d in st.records] == ["1", "2", "3"]
    assert st.records[0].purpose == "л/с 1000123 за 01.2025"
    assert st.records[0].payee.name == "ООО «Региональный оператор»"
    assert [d.key for d in st.records] == [d.key for d in docs]
    assert [d.number for d in incoming_payments(st)] == ["1", "2"]
    assert [d.number for d in outgoing_payments(st)] == ["3"]
    # A read statement writes back to the same documents.
    again = read_statement(write_statement(st.records, accounts=OWN, date_from=day, date_to=day))
    assert [(d.key, d.fields) for d in again.records] == [(d.key, d.fields) for d in st.records]


def test_write_in_dos_encoding():
    day = date(2025, 2, 4)
    data = write_statement(
        [_doc(1, "10", OTHER, OWN, received=day)],
        accounts=[OWN],
        date_from=day,
        date_to=day,
        encoding="DOS",
    )
    st = read_statement(data)
    assert st.ok and st.encoding == "cp866"
    # cp866 has no «»: they become straight quotes.
    assert st.records[0].payee.name == 'ООО "Региональный оператор"'


def test_incoming_payments_needs_own_account_and_received_date():
    day = date(2025, 2, 4)
    third = "40702810000000009999"
    docs = [
        _doc(1, "10", OTHER, OWN, received=day),
        _doc(2, "20", OTHER, OWN),  # no ДатаПоступило
        _doc(3, "30", OTHER, third, received=day),  # not ours
        _doc(4, "40", third, OWN, received=day),
    ]
    data = write_statement(docs, accounts=[OWN, third], date_from=day, date_to=day)
    st = read_statement(data)
    assert [d.number for d in incoming_payments(st)] == ["1", "3"]  # 4 is internal
    assert [d.number for d in incoming_payments(st, include_internal=True)] == ["1", "3", "4"]
    assert [d.number for d in incoming_payments(st, [OWN])] == ["1", "4"]


def test_idempotency_keys_are_stable_and_distinct():
    first = read_statement(sample())
    second = read_statement(sample("DOS", "cp866"))
    assert first.records[0].key == second.records[0].key
    assert first.fingerprint != second.fingerprint
    other = read_statement(sample(text=SAMPLE.replace("Номер=517", "Номер=518")))
    assert other.records[0].key != first.records[0].key


def test_duplicate_document_in_one_file_is_a_warning():
    day = date(2025, 2, 4)
    doc = _doc(1, "10", OTHER, OWN, received=day)
    st = read_statement(write_statement([doc, doc], accounts=OWN, date_from=day, date_to=day))
    assert st.ok
    assert [w.code for w in st.warnings] == ["duplicate_document"]
    assert len({d.key for d in st.records}) == 1


def test_writer_refuses_unencodable_text():
    day = date(2025, 2, 4)
    doc = _doc(1, "10", OTHER, OWN, received=day, purpose="оплата ✓")
    with pytest.raises(FormatError) as exc:
        write_statement([doc], accounts=OWN, date_from=day, date_to=day)
    assert exc.value.code == "formats.onec.unencodable"


def test_missing_encoding_declaration_is_an_error_but_the_file_is_read():
    text = SAMPLE.replace("Кодировка={enc}\n", "")
    st = read_statement(text.replace("\n", "\r\n").encode("cp866"))
    assert st.encoding == "cp866"
    assert [(e.line, e.code, e.field) for e in st.errors] == [(1, "missing_field", "Кодировка")]
    assert st.records[0].payer.name == 'ООО "Ромашка"'
