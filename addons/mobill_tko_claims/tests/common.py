"""Shared fixture: an operator of its own with a billing history (periods 03.2024–12.2024,
12.2024 open), accounts and a contract with charges and payments, in its own company so that the
demo data of the other modules never interferes."""

import datetime as dt
import threading
from contextlib import contextmanager
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, HTTPServer

from odoo import Command, fields
from odoo.addons.mobill_tko_base.tools import trusted
from odoo.tests import TransactionCase

from mobill_tko_core import penalties as core_penalties

FIRST = dt.date(2024, 3, 1)
MONTHS = 10  # 03.2024 … 12.2024, the last one stays open


def month(offset):
    y, m = divmod(FIRST.month - 1 + offset, 12)
    return dt.date(FIRST.year + y, m + 1, 1)


class _QuietServer(HTTPServer):
    def handle_error(self, request, client_address):
        """A client that gave up (timeout tests) is expected: no traceback on stderr."""


@contextmanager
def local_server(handler_class):
    """An http.server on 127.0.0.1 (random port) in a thread; yields its base URL."""
    server = _QuietServer(("127.0.0.1", 0), handler_class)
    server.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


class QuietHandler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, code, body, content_type="application/json"):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class ClaimsCase(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env["res.company"].create({"name": "ТКО-Тест"})
        cls.env.user.company_ids |= cls.company
        cls.env = cls.env(
            context=dict(
                cls.env.context, allowed_company_ids=[cls.company.id], tracking_disable=True
            )
        )
        cls.env.user.company_id = cls.company
        cls.company.write(
            {
                "tko_penalty_payment_day_included": True,
                "tko_penalty_rate_basis_individual": "payment",
                "tko_penalty_rate_basis_legal": "calculation",
                "tko_due_day": 10,
                "tko_due_months_after": 1,
                "email": "claims@tko-test.example",
            }
        )
        cls.zone = cls.env["tko.tariff.zone"].create({"name": "Зона Т", "code": "ZT"})
        Address = cls.env["tko.address"]
        cls.region = Address.create({"name": "Тестовая", "type_name": "обл.", "level": "region"})
        cls.district = Address.create(
            {
                "name": "Приречный",
                "type_name": "р-н",
                "level": "district",
                "parent_id": cls.region.id,
            }
        )
        cls.town = Address.create(
            {
                "name": "Заречье",
                "type_name": "с.",
                "level": "locality",
                "parent_id": cls.district.id,
                "tariff_zone_id": cls.zone.id,
            }
        )
        cls.street = Address.create(
            {"name": "Садовая", "type_name": "ул.", "level": "street", "parent_id": cls.town.id}
        )
        Partner = cls.env["res.partner"]
        Object = cls.env["tko.object"]
        Account = cls.env["tko.account"]
        cls.accounts = {}
        cls.partners = {}
        for i, key in enumerate(("e3", "unpaid", "paid", "partial")):
            house = Address.create(
                {
                    "name": str(i + 1),
                    "type_name": "д.",
                    "level": "house",
                    "parent_id": cls.street.id,
                    "house_kind": "private",
                }
            )
            partner = Partner.create(
                {
                    "name": f"Должник {key}",
                    "is_tko_consumer": True,
                    "tko_kind": "person",
                    "email": f"{key}@example.com",
                    "mobile": f"+7 912 000-00-0{i}",
                }
            )
            obj = Object.create(
                {
                    "name": f"д. {i + 1}",
                    "kind": "house",
                    "address_id": house.id,
                    "partner_id": partner.id,
                }
            )
            cls.partners[key] = partner
            cls.accounts[key] = Account.create(
                {"partner_id": partner.id, "object_id": obj.id, "date_open": FIRST}
            )
        cls.legal = Partner.create(
            {
                "name": "ООО Ромашка",
                "is_tko_consumer": True,
                "tko_kind": "legal",
                "email": "romashka@example.com",
            }
        )
        cls.contract = cls.env["tko.contract"].create(
            {"partner_id": cls.legal.id, "date_start": FIRST}
        )
        # the ledger: one period after the other (charges go into an open period only)
        Period = cls.env["tko.billing.period"]
        Charge = trusted(cls.env["tko.charge"])
        cls.periods = {}
        cls.charges = {}  # (key, period) -> amount
        for offset in range(MONTHS):
            start = month(offset)
            period = Period.create({"date_start": start, "company_id": cls.company.id})
            cls.periods[start] = period
            rows = []
            amounts = {"unpaid": "500.00", "paid": "400.00", "partial": "300.00"}
            if start == dt.date(2024, 3, 1):
                amounts["e3"] = "1000.00"
            for key, amount in amounts.items():
                account = cls.accounts[key]
                rows.append(cls._charge_values(period, amount, account=account))
                cls.charges[(key, start)] = Decimal(amount)
            rows.append(cls._charge_values(period, "10000.00", contract=cls.contract))
            cls.charges[("contract", start)] = Decimal("10000.00")
            Charge.create(rows)
            if offset < MONTHS - 1:
                period.write({"state": "closed"})
        cls.open_period = cls.periods[month(MONTHS - 1)]
        # payments: E3 on 20.08.2024 for 03.2024; "paid" every month on the 5th of the next
        # month; "partial" half of each month on the due date
        cls.payments = {key: [] for key in ("e3", "unpaid", "paid", "partial", "contract")}
        cls._pay("e3", dt.date(2024, 8, 20), "1000.00", dt.date(2024, 3, 1))
        for offset in range(MONTHS - 1):
            start = month(offset)
            nxt = month(offset + 1)
            cls._pay("paid", nxt.replace(day=5), "400.00", start)
            cls._pay("partial", nxt.replace(day=10), "150.00", start)
        cls._pay("contract", dt.date(2024, 6, 1), "15000.00", None)
        cls.env["tko.debtor"]._refresh()

    @classmethod
    def _charge_values(cls, period, amount, account=None, contract=None):
        return {
            "company_id": cls.company.id,
            "period_id": period.id,
            "date": period.date_end,
            "kind": "charge",
            "consumer": "individual" if account else "legal",
            "account_id": account.id if account else False,
            "contract_id": contract.id if contract else False,
            "partner_id": (account or contract).partner_id.id,
            "object_id": account.object_id.id if account else False,
            "zone_id": account.zone_id.id if account else False,
            "method": "residents" if account else "fixed_volume",
            "vat_mode": "included" if account else "not_subject",
            "amount_total": float(amount),
            "amount_net": float(amount),
            "amount_vat": 0.0,
        }

    @classmethod
    def _pay(cls, key, date_paid, amount, period_start):
        target = cls.contract if key == "contract" else cls.accounts[key]
        field = "contract_id" if key == "contract" else "account_id"
        payment = cls.env["tko.payment"].create(
            {
                field: target.id,
                "amount": float(amount),
                "date_paid": date_paid,
                "date_booked": date_paid,
                "target_period_id": cls.periods[period_start].id if period_start else False,
                "company_id": cls.company.id,
            }
        )
        payment.action_post()
        cls.payments[key].append((date_paid, Decimal(amount), period_start))
        return payment

    def setUp(self):
        super().setUp()
        # payments a test adds stay in that test (the class's list is the fixture's)
        self.payments = {key: list(rows) for key, rows in type(self).payments.items()}

    def today(self):
        """Today for the user (Odoo's defaults), which may differ from the server's UTC day."""
        return fields.Date.context_today(self.env["tko.claim"])

    def pay(self, key, date_paid, amount, period_start):
        """A payment made by a test: in the ledger and in this test's expectations."""
        payment = type(self)._pay(key, date_paid, amount, period_start)
        type(self).payments[key].pop()
        self.payments[key].append((date_paid, Decimal(amount), period_start))
        return payment

    # ------------------------------------------------------------------ expectations
    def expected_total(self, key, calc_date):
        """The core's own answer on the same history, built here without the ledger."""
        consumer = "legal" if key == "contract" else "individual"
        rules = self.company._tko_penalty_rules(consumer)
        debts = [
            (start, amount, core_penalties.due_date_for(start))
            for (k, start), amount in sorted(self.charges.items())
            if k == key and start <= calc_date
        ]
        payments = [p for p in self.payments[key] if p[0] <= calc_date]
        return core_penalties.compute_penalties(debts, payments, calc_date, rules).total

    def make_user(self, login, groups):
        return self.env["res.users"].create(
            {
                "name": login,
                "login": login,
                "email": f"{login}@example.com",
                "company_id": self.company.id,
                "company_ids": [Command.set(self.company.ids)],
                "groups_id": [Command.set([self.env.ref(g).id for g in groups])],
            }
        )


class DemoHistoryCase(TransactionCase):
    """The demo history loaded once for the class on the demo region of mobill_tko_base:
    ``months`` months, the first ``accounts`` accounts and ``contracts`` contracts."""

    months = 5
    accounts = 60
    contracts = 10

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.ref("base.main_company")
        cls.today = fields.Date.context_today(cls.env["tko.account"])
        # the demo region of mobill_tko_base is the ground the history is built on
        cls.env.ref("mobill_tko_base.demo_account_1")
        cls.summary = cls.env["tko.demo.history"]._load_demo_history(
            months=cls.months, accounts=cls.accounts, contracts=cls.contracts
        )

    def of_company(self, model, domain=()):
        return self.env[model].search([("company_id", "=", self.company.id), *domain])
