"""The demo history's exchange with banks and the cash register (on top of the claims loader).

After the months of charges and payments of ``mobill_tko_claims``, this week's exchange of the
operator goes through the engines a clerk's buttons start, so that the menus of the payments
department show real cases:

- two Sberbank registries of individuals' payments (files written by the core's registry
  writer, imported by the registry import): the second arrived first with a typo in an amount
  and was rejected, nothing booked; the bank sent it again, corrected, and it was imported;
- the payments of yesterday a payment agent posted to the HTTP API (JSON);
- a 1C bank statement (the core's 1C writer): payments of legal entities naming their
  contracts and Sberbank's payment orders carrying the registries' money, checked against
  them, and one order whose registry has not come yet;
- payments at the operator's cash desk today with their 54-ФЗ receipts, sent to a local fake of
  АТОЛ Онлайн started here (the demo's own fake starts only when the demo is served): issued,
  and one refused by the cash register;
- the Sberbank Online debt registry, exported on the 1st of the month and today.

The payers are punctual ones of the history who have not paid the open month yet (they pay it
now); when there are not enough of them, punctual payers pay the next month in advance. The
history's own payments are never doubled and no stopped, late or partial payer is touched.
"""

import base64
import logging
import time as clock_time
from contextlib import contextmanager
from datetime import datetime, time, timedelta
from decimal import Decimal

from odoo import fields, models

from mobill_tko_core import requisites
from mobill_tko_core.demo import history as demo_history
from mobill_tko_core.demo.atol_fake import AtolFake
from mobill_tko_core.formats import agent_json, onec_bank, registry

_logger = logging.getLogger(__name__)

SBER_INN = "7707083893"
SBER_ACCOUNT = "30233810000000000001"  # the bank's account for transfers to payees
PAYER_ACCOUNT = "40702810500000000777"  # a legal entity without a bank account of its own
# the registry of demo_files.py's «4_registry_for_mail.txt»: its order comes first
WAITING_ORDER = ("1002", 4, Decimal("99.90"))
REGISTRY_NUMBERS = ("3101", "3102")
PURPOSE = "Оплата услуги по обращению с ТКО, л/с {number}{period}"
LEGAL_PURPOSE = "Оплата за услугу по обращению с ТКО по договору № {number}{period}, в т.ч. НДС"
ORDER_PURPOSE = "Перечисление денежных средств по реестру платежей № {number} от {day:%d.%m.%Y}"
CASH_PURPOSE = "Оплата наличными в кассе регионального оператора, л/с {number}{period}"
# a payment nobody can recognise: a company that is no consumer, no contract or account named
UNKNOWN_PAYER = ("ООО «Вектор-Строй»", "9809", "40702810700000000118")
UNKNOWN_PURPOSE = "Оплата по счёту № 118 от {day:%d.%m.%Y} за услуги, без НДС"
UNKNOWN_AMOUNT = Decimal("12400.00")


class TkoDemoHistory(models.AbstractModel):
    _inherit = "tko.demo.history"

    def _load(self, company, months, accounts, contracts, seed):
        summary = super()._load(company, months, accounts, contracts, seed)
        clock = clock_time.monotonic()
        today = fields.Date.context_today(self)
        desk = self._as("mobill_tko_base.user_demo_accountant", company)
        payers = desk._exchange_payers(company, today, accounts, contracts, seed)
        bank = payers["bank"]
        size = self._registry_size(len(bank))
        imports = desk._exchange_registries(company, today, bank[: 2 * size])
        imports |= desk._exchange_agent(company, today, payers["agent"])
        imports |= desk._exchange_statement(company, today, payers["legal"], imports)
        # at the cash desk: the post office's payers, or bank payers not in the registries
        cash = desk._exchange_cash_desk(company, today, payers["cash"] + bank[2 * size :])
        exports = desk._exchange_debt_registry(company, today)
        # the individuals' new payments go to accounting as the daily posting sends them
        self.env["tko.payment.posting"]._post_individuals(company, today)
        self.env["tko.debtor"]._refresh()
        self._log_step(clock, "%s payment files, %s cash payments", len(imports), len(cash))
        booked = imports.filtered(lambda i: i.state == "done")
        receipts = cash.fiscal_receipt_ids
        summary.update(
            {
                "payments": summary["payments"] + len(booked.payment_ids) + len(cash),
                "debtors": self.env["tko.debtor"].search_count([("company_id", "=", company.id)]),
                "payment_imports": len(imports),
                "imports_rejected": len(imports - booked),
                "imported_payments": len(booked.payment_ids),
                "unallocated": len(booked.payment_ids.filtered("is_unallocated")),
                "registry_orders": len(imports.statement_order_ids),
                "receipts_issued": len(receipts.filtered(lambda r: r.state == "done")),
                "receipts_failed": len(receipts.filtered(lambda r: r.state == "failed")),
                "debt_exports": len(exports),
            }
        )
        return summary

    # ------------------------------------------------------------------ who pays
    def _exchange_payers(self, company, today, accounts, contracts, seed):
        """``{"bank"|"agent"|"cash"|"legal": [...]}`` of ``(record, amount, period)``:
        punctual payers of the history and what they pay now (``period``: the open month,
        or None for an advance), by the channel they usually use (cash: the post office's
        payers, who come to the cash desk this time)."""
        periods = self.env["tko.billing.period"].search(
            [("company_id", "=", company.id)], order="date_start"
        )
        if not periods:
            return {"bank": [], "agent": [], "cash": [], "legal": []}
        account_ids = self._targets("tko.account", company, accounts)
        contract_ids = self._targets("tko.contract", company, contracts)
        charges = self._charges_by_month(periods, account_ids, contract_ids)
        legal = {key for key in charges if key[0] == "tko.contract"}
        plan = demo_history.plan_history(charges, today, legal=legal, seed=seed)
        last = periods[-1]
        paid_last = {p.payer for p in plan.payments if p.period == last.date_start}
        groups = {"bank": [], "agent": [], "cash": [], "legal": []}
        for key in sorted(charges, key=repr):
            profile = plan.profiles[key]
            amount = charges[key].get(last.date_start, Decimal(0))
            if profile.kind != demo_history.PUNCTUAL or amount <= 0:
                continue
            group = (
                "legal"
                if key in legal
                else {"bank": "bank", "agent": "agent", "post": "cash"}.get(profile.channel)
            )
            if group:
                period = last if key not in paid_last else None
                groups[group].append((self.env[key[0]].browse(key[1]), amount, period))
        for group in groups.values():
            # those who owe the open month first, then those who pay in advance
            group.sort(key=lambda row: not row[2])
        return groups

    @staticmethod
    def _period_text(period):
        return f", за {period.date_start:%m.%Y}" if period else ", аванс"

    # ------------------------------------------------------------------ bank registries
    @staticmethod
    def _registry_size(count):
        """Payments in each of the two registries, out of ``count`` bank payers: a third of
        them (at most 15 a registry, the rest pays at the cash desk); none below two payers."""
        return 0 if count < 2 else max(1, min(15, count // 3))

    def _exchange_registries(self, company, today, rows):
        """Two Sberbank registries of this week: the first imported; the second rejected for
        a typo in an amount, then imported as the bank sent it again."""
        profile = self.env.ref(
            "mobill_tko_integrations.registry_profile_sberbank", raise_if_not_found=False
        )
        Import = self.env["tko.payment.import"]
        size = len(rows) // 2  # a half each
        if not profile or not size:
            return Import
        layout = profile._to_profile()
        imports = Import
        for index, number in enumerate(REGISTRY_NUMBERS):
            chunk = rows[index * size : (index + 1) * size]
            order_day = today - timedelta(days=3 - 2 * index)
            lines = [
                registry.RegistryPayment(
                    account=account.name,
                    amount=amount,
                    payer=account.partner_id.name or "",
                    address=account.object_id.address_id.full_name or "",
                    period=period.date_start if period else None,
                    paid_date=order_day - timedelta(days=1 + line % 2),
                    paid_time=time(9 + line % 9, (7 * line) % 60),
                    operation_id=f"{number}{line:05d}",
                    commission=Decimal("0.00"),
                    transfer_amount=amount,
                    branch="8611",
                    cashier=str(1 + line % 3),
                )
                for line, (account, amount, period) in enumerate(chunk, start=1)
            ]
            data = registry.write_registry(lines, layout, order_number=number, order_date=order_day)
            name = f"sberbank_{number}_{order_day:%d%m%Y}.txt"
            if index:
                imports |= self._import_file(company, name, self._typo(data, layout), profile)
                name = name.replace(".txt", "_v2.txt")
            imports |= self._import_file(company, name, data, profile)
        return imports

    @staticmethod
    def _typo(data, layout):
        """The registry with the letter O typed for a zero in one amount (the first amount
        with a zero; else the first amount gets an O in front)."""
        lines = data.decode(layout.encoding).split(layout.line_ending)
        index = layout.columns["amount"]
        trailer = layout.trailer_prefix
        rows = [
            n for n, line in enumerate(lines) if line and not (trailer and line.startswith(trailer))
        ]
        number = next((n for n in rows if "0" in lines[n].split(layout.separator)[index]), rows[0])
        cells = lines[number].split(layout.separator)
        amount = cells[index]
        cells[index] = amount.replace("0", "O", 1) if "0" in amount else "O" + amount
        lines[number] = layout.separator.join(cells)
        return layout.line_ending.join(lines).encode(layout.encoding)

    def _import_file(self, company, name, data, profile=None, file_format="registry"):
        """An import as the payment imports screen makes it, then «Import»."""
        record = self.env["tko.payment.import"].create(
            {
                "file": base64.b64encode(data),
                "file_name": name,
                "file_format": file_format,
                "profile_id": profile.id if profile else False,
                "company_id": company.id,
                "channel": "bank",
            }
        )
        record.action_import()
        return record

    # ------------------------------------------------------------------ payment agent
    def _exchange_agent(self, company, today, rows):
        """The demo payment agent's payments of yesterday, posted as JSON to the HTTP API: an
        administrator made its token (the agent keeps it; make a new one to try the API), the
        import is made and processed as the API's controller does (the HTTP layer itself does
        not run while the demo is built)."""
        agent = self.env.ref("mobill_tko_integrations.demo_payment_agent", raise_if_not_found=False)
        Import = self.env["tko.payment.import"]
        if not rows or not agent or not agent.active or agent.company_id != company:
            return Import
        admin = self._as("base.user_admin", company)
        agent.with_env(admin.env)._tko_new_token()
        day = today - timedelta(days=1)
        number = f"PA-{day:%Y%m%d}"
        items = [
            {
                "id": f"{number}-{index:04d}",
                "account": account.name,
                "amount": amount,
                "paid_at": day,
                **({"period": period.date_start.strftime("%m.%Y")} if period else {}),
                "payer": account.partner_id.name or "",
                "purpose": PURPOSE.format(number=account.name, period=self._period_text(period)),
            }
            for index, (account, amount, period) in enumerate(rows[:10], start=1)
        ]
        record = Import.create(
            {
                "name": number,
                "file": base64.b64encode(agent_json.write_payments(items, number)),
                "file_name": f"{agent.code}-{number}.json",
                "file_format": "agent_json",
                "profile_id": False,
                "company_id": company.id,
                "channel": agent.channel,
                "source": "api",
                "source_ref": f"{agent.code} (127.0.0.1)",
                "agent_id": agent.id,
            }
        )
        record._tko_process()
        agent.last_call = fields.Datetime.now()
        return record

    # ------------------------------------------------------------------ 1C statement
    def _exchange_statement(self, company, today, rows, registries):
        """Today's 1C statement of the operator's settlement account: legal entities' payments
        naming their contracts, Sberbank's orders of the registries imported this week, and
        the order of a registry still to come (demo_files.py's registry for the mailbox)."""
        own = company.partner_id.bank_ids[:1]
        Import = self.env["tko.payment.import"]
        if not own:
            return Import
        payee = onec_bank.BankParty(
            name=company.name,
            inn=company.vat or "",
            account=own.acc_number,
            bank_name=own.bank_id.name or "",
            bik=own.bank_id.bic or "",
        )
        docs = []
        for index, (contract, amount, period) in enumerate(rows[:5]):
            partner = contract.partner_id
            day = today - timedelta(days=1 + index % 3)
            docs.append(
                self._bank_doc(
                    str(310 + 7 * index),
                    day,
                    amount,
                    onec_bank.BankParty(
                        name=partner.name,
                        inn=partner.vat or "",
                        account=partner.bank_ids[:1].acc_number or PAYER_ACCOUNT,
                    ),
                    payee,
                    LEGAL_PURPOSE.format(
                        number=contract.name,
                        period=f" за {period.date_start:%m.%Y}" if period else " (аванс)",
                    ),
                )
            )
        bank = onec_bank.BankParty(name="ПАО Сбербанк", inn=SBER_INN, account=SBER_ACCOUNT)
        for rec in registries.filtered(lambda r: r.state == "done" and r.file_format == "registry"):
            amount = Decimal(str(rec.order_expected or rec.amount_total))
            purpose = ORDER_PURPOSE.format(number=rec.registry_number, day=rec.order_date)
            docs.append(
                self._bank_doc(rec.registry_number, rec.order_date, amount, bank, payee, purpose)
            )
        # a payment that names nothing the register knows: it waits for the accountant in
        # «Неразнесённые платежи»
        name, inn_prefix, account = UNKNOWN_PAYER
        day = today - timedelta(days=1)
        docs.append(
            self._bank_doc(
                "118",
                day,
                UNKNOWN_AMOUNT,
                onec_bank.BankParty(
                    name=name, inn=requisites.make_inn(inn_prefix + "01234"), account=account
                ),
                payee,
                UNKNOWN_PURPOSE.format(day=day - timedelta(days=5)),
            )
        )
        number, count, each = WAITING_ORDER
        first = today.replace(day=1)
        purpose = ORDER_PURPOSE.format(number=number, day=first)
        docs.append(self._bank_doc(number, first, each * count, bank, payee, purpose))
        data = onec_bank.write_statement(
            docs,
            accounts=own.acc_number,
            date_from=min(doc.date for doc in docs),
            date_to=today,
            sender="СберБизнес",
            created=datetime.combine(today, time(8, 30)),
        )
        return self._import_file(company, f"kl_to_1c_{today:%d%m%Y}.txt", data, None, "onec")

    @staticmethod
    def _bank_doc(number, day, amount, payer, payee, purpose):
        return onec_bank.BankDocument(
            kind="Платежное поручение",
            number=number,
            date=day,
            amount=amount,
            payer=payer,
            payee=payee,
            purpose=purpose,
            received=day,
            payment_type="01",
            priority="5",
        )

    # ------------------------------------------------------------------ cash desk
    def _exchange_cash_desk(self, company, today, rows):
        """Payments taken at the cash desk today, posted; posting sends their receipts to the
        cash register; the cash register refuses one of them."""
        Payment = self.env["tko.payment"]
        register = self.env.ref(
            "mobill_tko_integrations.demo_fiscal_register", raise_if_not_found=False
        )
        rows = rows[:5]
        if not rows or not register or not register.active or not register._fiscalises("cash"):
            return Payment
        payments = Payment.create(
            [
                {
                    "account_id": account.id,
                    "partner_id": account.partner_id.id,
                    "company_id": company.id,
                    "amount": float(amount),
                    "date_paid": today,
                    "date_booked": today,
                    "channel": "cash",
                    "target_period_id": period.id if period else False,
                    "reference": f"ПКО-{today:%m%d}-{index:02d}",
                    "purpose": CASH_PURPOSE.format(
                        number=account.name, period=self._period_text(period)
                    ),
                }
                for index, (account, amount, period) in enumerate(rows, start=1)
            ]
        )
        with self._cash_register(register) as fake:
            payments.with_context(queue_job__no_delay=True).action_post()
            receipts = payments.fiscal_receipt_ids
            # the cash register's answers, as the scheduled check asks for them
            receipts[1:]._poll()
            fake.fail_receipts = True
            receipts[:1]._poll()
        return payments

    @contextmanager
    def _cash_register(self, register):
        """The local fake of АТОЛ Онлайн (the demo's settings) on a free port, the register
        pointed at it while the receipts are sent."""
        fake = AtolFake(
            login=register.login,
            password=register.password,
            group=register.group_code,
            done_after=0,
            callbacks=False,
        ).start()
        url = register.api_url
        register.api_url = fake.url
        try:
            yield fake
        finally:
            register.api_url = url
            fake.stop()

    # ------------------------------------------------------------------ debt registry
    def _exchange_debt_registry(self, company, today):
        """The Sberbank Online debt registry, exported on the 1st of the month and today
        («Export now» of the profile)."""
        profile = self.env.ref(
            "mobill_tko_integrations.debt_registry_profile_sberbank", raise_if_not_found=False
        )
        exports = self.env["tko.debt.registry.export"]
        if not profile or profile.company_id != company:
            return exports
        for day in sorted({today.replace(day=1), today}):
            export = profile._new_export(day)
            export.action_export()
            exports |= export
        return exports
