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


def test_order_needs_the_bank_and_its_purpose():
    by_registry = "Перечисление средств по РЕЕСТРУ №555 от 11.05.2025"
    assert is_registry_order(_doc(purpose=by_registry), ["7707083893"], "реестр")
    # the bank paying its own contract is a payment
    assert not is_registry_order(_doc(), ["7707083893"], "реестр")
    # a consumer's payment that mentions a registry is a payment
    assert not is_registry_order(
        _doc(purpose=by_registry, inn="7701000001"), ["7707083893"], "реестр"
    )


def test_ordinary_payment_is_not_an_order():
    assert not is_registry_order(_doc(inn="7701000001"), bank_inns=[" "], purpose_pattern=None)
    assert not is_registry_order(_doc(inn=""), bank_inns=[""], purpose_pattern=None)


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


def test_damaged_encrypted_and_huge_zips_are_rejected(monkeypatch):
    import io
    import zipfile

    import pytest

    from mobill_tko_core.formats import FormatError
    from mobill_tko_core.formats import registry as reg

    def archive(content: bytes, flag_bits=0) -> bytes:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("r.txt", content)
        data = bytearray(buf.getvalue())
        if flag_bits:  # mark the member encrypted in both headers
            data[6] |= flag_bits
            central = data.find(b"PK\x01\x02")
            data[central + 8] |= flag_bits
        return bytes(data)

    assert reg._unzip(archive(b"line")) == b"line"
    with pytest.raises(FormatError) as err:
        reg._unzip(archive(b"line", flag_bits=1))
    assert err.value.code == "formats.registry.zip_encrypted"
    damaged = bytearray(archive(b"x" * 1000))
    damaged[40:60] = b"\0" * 20
    with pytest.raises(FormatError):
        reg._unzip(bytes(damaged))
    monkeypatch.setattr(reg, "MAX_UNZIPPED_BYTES", 100)
    with pytest.raises(FormatError) as err:
        reg._unzip(archive(b"y" * 1000))
    assert err.value.code == "formats.registry.zip_too_large"
