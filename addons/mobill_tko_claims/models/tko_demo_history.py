"""A billing history for the demo region: months of charges and payments, then claims work.

Run by ``scripts/demo_history.py`` (``make run``) after the region of ``mobill_tko_base`` is
loaded. Everything goes through the engines a user's buttons start: each month a period is
opened, charged by a charge run, posted to accounting and closed (the last one stays open);
the payments planned by :mod:`mobill_tko_core.demo_history` are posted as the payment screen
posts them (allocation to the oldest debt, contract payments in accounting), the payments of
individuals go to accounting as the daily posting sends them; a mass penalty run calculates
and books the penalties on today, the debtors' registry is refreshed, notice rules send
notices to the big debtors and claims are prepared. Loading twice creates nothing: the first
period carries the xml id ``mobill_tko_claims.demo_history_first_period``.
"""

import logging
import time
from collections import defaultdict
from decimal import Decimal

from odoo import Command, api, fields, models
from odoo.tools import SQL, mute_logger

from mobill_tko_core import demo_history

_logger = logging.getLogger(__name__)

MODULE = "mobill_tko_claims"
MARKER = "demo_history_first_period"
PARAMETER = "mobill_tko_claims.demo_history"
QUIET = {
    "tracking_disable": True,
    "mail_create_nolog": True,
    "mail_create_nosubscribe": True,
    "mail_notrack": True,
}
# Demo documents are the operator's texts: Russian, like the claim templates of data/.
PURPOSE = "Оплата услуги по обращению с ТКО, {target}{period}"
NOTICE_SUBJECT = "Задолженность за услугу по обращению с ТКО"
NOTICE_BODY = (
    "Уважаемый потребитель {{ object.partner_id.name }}! По {{ object.account_id and "
    "'лицевому счёту № ' + object.account_id.name or 'договору № ' + object.contract_id.name }} "
    "задолженность за услугу по обращению с ТКО на {{ format_date(object.debt_date) }} "
    "составляет {{ format_amount(object.debt_amount, object.currency_id) }}. Просим оплатить "
    "её в течение 10 дней; после этого начисляются пени и долг взыскивается в суде. "
    "{{ object.company_id.name }}, {{ object.company_id.phone or '' }}"
)
RULES = (
    # name, channel, consumers, debt above, days overdue above
    ("Письмо должнику: долг более 1 000 ₽ дольше 60 дней", "letter", "person", 1000, 60),
    ("Звонок юридическому лицу: долг более 10 000 ₽ дольше 30 дней", "call", "business", 10000, 30),
)
# Legal entities are charged and paid over the same months as individuals: their invoices and
# accounting payments are created and posted in batches by the billing module. A smaller number
# here shortens the first `make run` on a slow machine.
CONTRACT_MONTHS = 24


class TkoDemoHistory(models.AbstractModel):
    _name = "tko.demo.history"
    _description = "Demo billing history loader"

    @api.model
    def _load_demo_history(
        self, months=24, accounts=None, contracts=None, seed=demo_history.DEFAULT_SEED
    ):
        """Charge ``months`` months ending with the previous one (from the first month that
        has tariffs; legal entities in the last :data:`CONTRACT_MONTHS` only), pay them as
        the demo payers do, calculate penalties, send notices and prepare claims, in the main
        company. ``accounts``/``contracts``: only the first that
        many of them (tests); all by default.

        Returns a summary dict, or ``None`` when the history is there already or the company
        has billing periods of its own. Private: it runs as superuser; only server scripts and
        tests call it, never a client over RPC.
        """
        if self.env.ref(f"{MODULE}.{MARKER}", raise_if_not_found=False):
            _logger.info("The demo history is already loaded: nothing to do.")
            return None
        company = self.env.ref("base.main_company")
        Period = self.env["tko.billing.period"].sudo()
        if Period.search_count([("company_id", "=", company.id)], limit=1):
            _logger.warning("The company has billing periods already: no demo history added.")
            return None
        lang = company.partner_id.lang or self.env.lang or "en_US"
        loader = self.with_context(lang=lang, **QUIET)
        started = time.monotonic()
        summary = loader._load(company, months, accounts, contracts, seed)
        summary["seconds"] = round(time.monotonic() - started, 1)
        self.env["ir.config_parameter"].sudo().set_param(
            PARAMETER,
            " ".join(f"{key}={value}" for key, value in summary.items()),
        )
        _logger.info("Demo history loaded: %s", summary)
        return summary

    # ------------------------------------------------------------------ steps
    def _as(self, xmlid, company):
        """This loader acting as a demo user (author of the records and their messages), with
        the rights of the system."""
        user = self.env.ref(xmlid, raise_if_not_found=False) or self.env.ref("base.user_admin")
        return self.with_user(user).sudo().with_company(company)

    def _load(self, company, months, accounts, contracts, seed):
        today = fields.Date.context_today(self)
        billing = self._as("mobill_tko_base.user_demo_accountant", company)
        claims_dept = self._as("mobill_tko_base.user_demo_lawyer", company)
        account_ids = billing._targets("tko.account", company, accounts)
        contract_ids = billing._targets("tko.contract", company, contracts)
        limited = accounts is not None or contracts is not None
        clock = time.monotonic()
        periods = billing._charge_months(company, today, months, account_ids, contract_ids, limited)
        clock = self._log_step(clock, "%s months charged and posted", len(periods))
        charges = billing._charges_by_month(periods, account_ids, contract_ids)
        plan = demo_history.plan_history(
            charges, today, legal={key for key in charges if key[0] == "tko.contract"}, seed=seed
        )
        payments = billing._pay(company, plan, periods)
        clock = self._log_step(clock, "%s payments posted", len(payments))
        penalty_run = claims_dept._penalties(company, today, account_ids, contract_ids)
        # the penalties booked in the open period go to accounting like its charges
        periods[-1].with_env(billing.env).action_post()
        clock = self._log_step(clock, "penalties of %s debtors", penalty_run.penalized_count)
        self.env["tko.debtor"]._refresh()
        notices = claims_dept._notices(company)
        claims = claims_dept._claims(company, today)
        self.env["tko.debtor"]._refresh()
        self._log_step(clock, "%s notices, %s claims", len(notices), len(claims))
        self.env.cr.execute(
            SQL(
                "SELECT count(*), count(DISTINCT COALESCE(account_id, -contract_id))"
                " FROM tko_charge WHERE period_id = ANY(%s)",
                periods.ids,
            )
        )
        lines, charged = self.env.cr.fetchone()
        return {
            "months": len(periods),
            "first": periods[0].name,
            "last": periods[-1].name,
            "charged": charged,
            "charge_lines": lines,
            "payments": len(payments),
            "debtors": self.env["tko.debtor"].search_count([("company_id", "=", company.id)]),
            "penalties": penalty_run.penalized_count,
            "penalty_total": round(penalty_run.total_amount, 2),
            "notices": len(notices),
            "claims": len(claims),
        }

    @api.model
    def _log_step(self, since, message, *args):
        now = time.monotonic()
        _logger.info("Demo history: %s in %.1f s", message % args, now - since)
        return now

    def _targets(self, model, company, limit):
        """Ids of the accounts or contracts to bill: the first ``limit`` ones (all: None)."""
        domain = [("company_id", "=", company.id)]
        if model == "tko.contract":
            domain.append(("state", "!=", "draft"))
        return self.env[model].search(domain, order="id", limit=limit).ids

    def _first_month(self, company, today, months):
        """``months`` months back from the previous month, not before the first tariff."""
        last = demo_history.add_months(today, -1)
        first = demo_history.add_months(last, 1 - months)
        tariff = self.env["tko.tariff"].search(
            [("company_id", "in", (company.id, False))], order="date_from", limit=1
        )
        if tariff and tariff.date_from.replace(day=1) > first:
            first = demo_history.add_months(tariff.date_from, 0)
        return first, last

    def _charge_months(self, company, today, months, account_ids, contract_ids, limited):
        """Open, charge, post and close each month; the last one stays open (posted).
        Individuals are charged every month, legal entities in the last
        :data:`CONTRACT_MONTHS` months. ``limited``: only ``account_ids`` and
        ``contract_ids``, else everything."""
        first, last = self._first_month(company, today, months)
        legal_from = max(first, demo_history.add_months(last, 1 - CONTRACT_MONTHS))
        Period = self.env["tko.billing.period"]
        periods = Period
        month = first
        while month <= last:
            period = Period.create({"date_start": month, "company_id": company.id})
            runs = self._runs(period, month >= legal_from, account_ids, contract_ids, limited)
            for run in runs:
                run.action_run_now()
            period.action_post()
            if month < last:
                period.action_close()
            periods |= period
            month = demo_history.add_months(month, 1)
        self.env["ir.model.data"]._update_xmlids(
            [{"xml_id": f"{MODULE}.{MARKER}", "record": periods[:1], "noupdate": True}]
        )
        return periods.sorted("date_start")

    def _runs(self, period, legal, account_ids, contract_ids, limited):
        """The charge runs of a month: individuals, and legal entities when ``legal``."""
        if not limited:
            kind = "all" if legal else "individual"
            return self.env["tko.charge.run"].create(
                {"period_id": period.id, "scope": "all", "consumer_kind": kind}
            )
        vals_list = []
        if account_ids:
            vals_list.append(
                {
                    "period_id": period.id,
                    "scope": "accounts",
                    "account_ids": [Command.set(account_ids)],
                }
            )
        if legal and contract_ids:
            vals_list.append(
                {
                    "period_id": period.id,
                    "scope": "contracts",
                    "contract_ids": [Command.set(contract_ids)],
                }
            )
        return self.env["tko.charge.run"].create(vals_list)

    def _charges_by_month(self, periods, account_ids, contract_ids):
        """``{(model, id): {month: Decimal}}`` of the charges of ``periods`` (no penalties)."""
        self.env["tko.charge"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT c.account_id, c.contract_id, p.date_start, sum(c.amount_total)::text
                  FROM tko_charge c JOIN tko_billing_period p ON p.id = c.period_id
                 WHERE c.period_id = ANY(%s) AND c.kind <> 'penalty'
                   AND (c.account_id = ANY(%s) OR c.contract_id = ANY(%s))
                 GROUP BY 1, 2, 3
                """,
                periods.ids,
                account_ids,
                contract_ids,
            )
        )
        charges = defaultdict(dict)
        for account_id, contract_id, month, amount in self.env.cr.fetchall():
            key = ("tko.account", account_id) if account_id else ("tko.contract", contract_id)
            charges[key][month] = Decimal(amount)
        return dict(charges)

    def _pay(self, company, plan, periods):
        """Create and post the planned payments as the payment screen does; the payments of
        individuals then go to accounting as the daily posting sends them."""
        period_ids = {p.date_start: p.id for p in periods}
        accounts = self.env["tko.account"].browse(
            {key[1] for key in plan.profiles if key[0] == "tko.account"}
        )
        contracts = self.env["tko.contract"].browse(
            {key[1] for key in plan.profiles if key[0] == "tko.contract"}
        )
        numbers = {("tko.account", a.id): (a.name, a.partner_id.id) for a in accounts}
        numbers.update({("tko.contract", c.id): (c.name, c.partner_id.id) for c in contracts})
        vals_list = []
        for index, payment in enumerate(plan.payments, start=1):
            model, rid = payment.payer
            number, partner_id = numbers[payment.payer]
            target = ("л/с " if model == "tko.account" else "договор ") + number
            period = f", за {payment.period:%m.%Y}" if payment.period else ""
            vals_list.append(
                {
                    "account_id": rid if model == "tko.account" else False,
                    "contract_id": rid if model == "tko.contract" else False,
                    "partner_id": partner_id,
                    "company_id": company.id,
                    "amount": float(payment.amount),
                    "date_paid": payment.date_paid,
                    "date_booked": payment.date_booked,
                    "channel": payment.channel,
                    "target_period_id": period_ids.get(payment.period, False),
                    "reference": str(index),
                    "purpose": PURPOSE.format(target=target, period=period),
                }
            )
        payments = self.env["tko.payment"].create(vals_list)
        payments.action_post()
        self.env["tko.payment.posting"]._post_individuals(company, fields.Date.context_today(self))
        return payments

    def _penalties(self, company, today, account_ids, contract_ids):
        """A mass penalty run on today (breakdown kept, booked in the open period), run here
        and now instead of in background jobs."""
        run = self.env["tko.penalty.run"].create(
            {
                "company_id": company.id,
                "calc_date": today,
                "target": "both",
                "account_domain": repr([("id", "in", account_ids)]),
                "contract_domain": repr([("id", "in", contract_ids)]),
                "book_charges": True,
                "store_breakdown": True,
            }
        )
        with mute_logger("odoo.addons.queue_job.utils"):
            run.with_context(queue_job__no_delay=True).action_start()
        return run

    def _notices(self, company):
        """Notice rules of the claims department, applied once: letters to individuals, call
        tasks for the operator about legal entities."""
        operator = self.env.ref("mobill_tko_base.user_demo_operator", raise_if_not_found=False)
        rules = self.env["tko.notice.rule"].create(
            [
                {
                    "name": name,
                    "channel": channel,
                    "kind": "notice",
                    "consumer_kinds": consumers,
                    "min_debt": min_debt,
                    "min_days": min_days,
                    "subject": NOTICE_SUBJECT,
                    "body": NOTICE_BODY,
                    "call_user_id": operator.id if operator and channel == "call" else False,
                    "company_id": company.id,
                }
                for name, channel, consumers, min_debt, min_days in RULES
            ]
        )
        return rules._apply()

    def _claims(self, company, today):
        """Claims on the biggest overdue debts, legal entities first, on today's debt: a
        pre-trial claim sent, a claim prepared, and an application for a court order (a
        statement of claim for a legal entity) prepared."""
        Debtor = self.env["tko.debtor"]
        base = [("company_id", "=", company.id), ("overdue_debt", ">", 0)]
        targets = Debtor.search(
            [*base, ("contract_id", "!=", False), ("overdue_days", ">", 30)],
            order="overdue_debt desc",
            limit=2,
        )
        targets |= Debtor.search(
            [*base, ("account_id", "!=", False), ("overdue_days", ">", 90)],
            order="overdue_debt desc",
            limit=3 - len(targets),
        )
        Claim = self.env["tko.claim"]
        claims = Claim
        for index, debtor in enumerate(targets):
            kind = "claim"
            if index == 2:
                kind = "court_order" if debtor.consumer_kind == "person" else "lawsuit"
            claim = Claim.create(
                {
                    "kind": kind,
                    "partner_id": debtor.partner_id.id,
                    "account_id": debtor.account_id.id,
                    "contract_id": debtor.contract_id.id,
                    "company_id": company.id,
                    "calc_date": today,
                    "date_prepared": today,
                }
            )
            claim.action_compute()
            if index == 0:
                claim._set_stage("sent", today)
            claims |= claim
        return claims
