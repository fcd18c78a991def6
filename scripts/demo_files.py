"""Sample payment files for the demo database, written to ``var/demo-files/`` by ``make run``.

Run inside ``odoo shell`` (``env`` is given). The files name real demo personal accounts and
contracts, so that a new user can import them and see the payments land:

- ``1_sberbank_registry_cp1251.txt``: a Sberbank registry (windows-1251, trailer with the
  total and the payment order 1001); one line names an account that does not exist;
- ``2_sberbank_registry_malformed.txt``: the same registry with a bad amount and a bad date
  (rejected line by line, nothing booked);
- ``3_bank_statement_1c.txt``: a 1CClientBankExchange statement (windows-1251): payments of
  legal entities naming their contracts, one payment with no details (it waits for manual
  allocation) and Sberbank's payment order 1001 that carries the registry's money;
- ``4_registry_for_mail.txt``: a second registry (order 1002) to send to the mailbox with
  ``python3 scripts/mailgate.py var/demo-files/4_registry_for_mail.txt``.
"""

# ruff: noqa: F821  (env is given by odoo shell)
from datetime import date, time
from decimal import Decimal
from pathlib import Path

from mobill_tko_core.formats import onec_bank, registry

OUT = Path("var/demo-files")
OUT.mkdir(parents=True, exist_ok=True)
today = date.today()
day = today.replace(day=1)
company = env.company
own = company.partner_id.bank_ids[:1].acc_number or "40702810976000012345"
accounts = env["tko.account"].search([("company_id", "in", [company.id, False])], limit=24)
contracts = env["tko.contract"].search(
    [("company_id", "in", [company.id, False]), ("state", "=", "active")], limit=3
)


def _registry_lines(rows, order):
    return [
        registry.RegistryPayment(
            account=number,
            amount=Decimal(amount),
            payer=payer,
            address="",
            period=None,
            paid_date=day,
            paid_time=time(10, index, 0),
            operation_id=f"{order}{index:04d}",
            commission=Decimal("0.00"),
            transfer_amount=Decimal(amount),
            branch="8611",
            cashier="1",
        )
        for index, (number, amount, payer) in enumerate(rows)
    ]


rows = [
    (acc.name, f"{150 + 25 * i}.{i:02d}", acc.partner_id.name or "")
    for i, acc in enumerate(accounts[:20])
]
rows.append(("99999999999", "310.00", "Неизвестный плательщик"))
first = _registry_lines(rows, "1001")
data = registry.write_registry(first, order_number="1001", order_date=day)
(OUT / "1_sberbank_registry_cp1251.txt").write_bytes(data)
total = sum((p.amount for p in first), Decimal(0))

lines = data.decode("cp1251").split("\r\n")
lines[0] = lines[0].replace("150.00", "15O.00", 1)  # a letter O in the amount
lines[2] = lines[2].replace(day.strftime("%d-%m-%Y"), "31-02-" + str(day.year))
(OUT / "2_sberbank_registry_malformed.txt").write_bytes("\r\n".join(lines).encode("cp1251"))

second = _registry_lines([(acc.name, "99.90", "") for acc in accounts[20:24]], "1002")
(OUT / "4_registry_for_mail.txt").write_bytes(
    registry.write_registry(second, order_number="1002", order_date=day)
)


def _doc(number, amount, payer, inn, purpose, account="40702810500000000777"):
    return onec_bank.BankDocument(
        kind="Платежное поручение",
        number=number,
        date=day,
        amount=Decimal(amount),
        payer=onec_bank.BankParty(name=payer, inn=inn, account=account),
        payee=onec_bank.BankParty(name=company.name, inn=company.vat or "", account=own),
        purpose=purpose,
        received=day,
        payment_type="01",
    )


docs = [
    _doc(
        str(500 + i),
        f"{4000 + 1000 * i}.00",
        c.partner_id.name,
        c.partner_id.vat or "",
        f"Оплата за услугу по обращению с ТКО по договору № {c.name}. В т.ч. НДС",
    )
    for i, c in enumerate(contracts)
]
docs.append(_doc("510", "1250.00", 'ООО "Неизвестно"', "7700000019", "Оплата по счёту"))
docs.append(
    _doc(
        "1001",
        f"{total:.2f}",
        "ПАО Сбербанк",
        "7707083893",
        f"Перечисление денежных средств по реестру платежей № 1001 от {day:%d.%m.%Y}",
        account="30233810000000000001",
    )
)
(OUT / "3_bank_statement_1c.txt").write_bytes(
    onec_bank.write_statement(docs, accounts=own, date_from=day, date_to=today)
)
print(f"demo payment files: {OUT.resolve()}")
