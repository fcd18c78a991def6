"""The payment order that carries a registry's money: recognising it in a statement and
matching it to its registry (formats.md: bank registries are paid by one aggregated order)."""

from datetime import date
from decimal import Decimal

from mobill_tko_core.formats.onec_bank import BankDocument, BankParty
from mobill_tko_core.formats.registry import is_registry_order, order_match_state


def _doc(purpose="Оплата по договору 15", inn="7707083893"):
    return BankDocument(
        kind="Платежное поручение",
        number="555",
        date=date(2025, 5, 11),
        amount=Decimal("1000.00"),
        payer=BankParty(name="ПАО Сбербанк", inn=inn, account="30233810000000000001"),
        payee=BankParty(name="Регоператор", inn="7702000002", account="40702810900000000001"),
        purpose=purpose,
    )


def test_order_recognised_by_bank_inn():
    assert is_registry_order(_doc(), bank_inns=["7707083893"])
    assert not is_registry_order(_doc(), bank_inns=["7700000000"])


def test_order_recognised_by_purpose_case_insensitive():
    doc = _doc(purpose="Перечисление средств по РЕЕСТРУ №555 от 11.05.2025", inn="7700000000")
    assert is_registry_order(doc, purpose_pattern="реестр")
    assert not is_registry_order(_doc(inn="7700000000"), purpose_pattern="реестр")


def test_ordinary_payment_is_not_an_order():
    assert not is_registry_order(_doc(inn="7701000001"), bank_inns=[" "], purpose_pattern=None)


def test_match_states():
    day = date(2025, 5, 11)
    amount = Decimal("1000.00")
    assert order_match_state("555", day, amount, " 555 ", day, amount) == "matched"
    assert order_match_state("555", day, amount, "555", day, Decimal("999.99")) == "mismatch"
    assert order_match_state("555", day, amount, "556", day, amount) is None
    assert order_match_state("555", day, amount, "555", date(2025, 5, 12), amount) is None
    assert order_match_state("", day, amount, "555", day, amount) is None
    # no date or amount in the trailer: the number decides
    assert order_match_state("555", None, None, "555", day, amount) == "matched"
