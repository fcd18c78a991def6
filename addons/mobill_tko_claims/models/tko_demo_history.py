"""A billing history for the demo region: months of charges and payments, then claims work.

Run by ``scripts/demo_history.py`` (``make run``) after the region of ``mobill_tko_base`` is
loaded. Everything goes through the engines a user's buttons start: each month a period is
opened, charged by a charge run, posted to accounting and closed (the last one stays open);
the payments planned by :mod:`mobill_tko_core.demo.history` are posted as the payment screen
posts them (allocation to the oldest debt, contract payments in accounting), the payments of
individuals go to accounting as the daily posting sends them; a mass penalty run calculates
and books the penalties on today, the debtors' registry is refreshed, notice rules send
notices to the big debtors and claims are prepared. Then the cases of the other menus, each
through its screen's action: before the months are charged, two contracts switch to the
measured volume and the collector's acts are entered; after the payments, temporary absences
and late certificates of temporary residents are registered and their recalculations booked in
the open period, advance invoices are issued for the last months and consumers' appeals are
registered and answered. Loading twice creates nothing: the first period carries the xml id
``mobill_tko_claims.demo_history_first_period``.
"""

import base64
import logging
import random
import time
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from odoo import Command, api, fields, models
from odoo.tools import SQL, mute_logger

from mobill_tko_core.demo import history as demo_history

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
# Cases of the first-day menus (step "cases"): what clerks registered during the history.
#: contracts switched to the measured volume (acts of the collector), and from how many months
#: before the open period (the open one included: 4 = the last four months)
MEASURED_CONTRACTS = 2
MEASURED_MONTHS = 4
MEASUREMENT_NOTE = "Акт об объёме вывезенных ТКО № {number} от {date:%d.%m.%Y}"
#: confirmed absences: (months before the open period, departure day, arrival day, persons,
#: where they stayed)
ABSENCES = (
    (3, 3, 20, 1, "санаторий «Сосновый бор», Тверская обл., Конаковский р-н, п. Озерки"),
    (2, 8, 27, 1, "г. Сочи, ул. Морская, д. 12, кв. 4"),
    (1, 1, 16, 2, "г. Санкт-Петербург, ул. Садовая, д. 40, кв. 17"),
)
ABSENCE_DOCUMENT = "Справка о регистрации по месту пребывания"
ABSENCE_CERTIFICATE = (
    "<html><head><meta charset='utf-8'/></head><body style='font-family: DejaVu Serif, serif;"
    " font-size: 14pt; margin: 2cm;'><h3 style='text-align: center;'>СПРАВКА № {number}</h3>"
    "<p>Настоящая справка подтверждает, что {who} в период с {departure:%d.%m.%Y} по "
    "{arrival:%d.%m.%Y} {stayed} по месту пребывания по адресу: {place}.</p>"
    "<p>Справка выдана для представления региональному оператору по обращению с ТКО.</p>"
    "<p style='margin-top: 2cm;'>Дата выдачи {issued:%d.%m.%Y}. Подпись, печать.</p>"
    "</body></html>"
)
ABSENCE_NOTE = (
    "Заявление о перерасчёте в связи с временным отсутствием; приложена справка о временной "
    "регистрации по месту пребывания."
)
DRAFT_ABSENCE_NOTE = "Заявление принято, справка о пребывании ожидается от потребителя."
#: temporary residents registered late, from a past date: (months before the open period, first
#: day, months long, persons)
TEMPORARY_RESIDENTS = ((4, 1, 2, 1), (2, 15, 2, 2))
#: months (the open one and those before it) with advance invoices issued
ADVANCE_MONTHS = 2
#: consumers' appeals: (kind, days before today, consumer, subject, text, answer); the answer:
#: (days after the appeal, subject, text, delivery method) or None (not answered yet)
ANSWER_DAYS = 10  # working days to answer an appeal (ПП РФ № 354, п. 31 «к»)
APPEALS = (
    (
        "request",
        48,
        "person",
        "Расчёт начислений за год",
        "Прошу предоставить подробный расчёт начислений за услугу по обращению с ТКО по моему "
        "лицевому счёту за последние 12 месяцев с указанием норматива и тарифа.",
        (
            6,
            "Ответ на запрос о расчёте начислений",
            "Направляем расшифровку начислений по лицевому счёту за последние 12 месяцев. "
            "Начисления произведены по количеству проживающих, нормативу накопления и "
            "единому тарифу регионального оператора, утверждённым на соответствующие периоды.",
            "registered",
        ),
    ),
    (
        "complaint",
        35,
        "person",
        "Несогласие с начислением",
        "Не согласна с начислением за услугу: в квартире фактически проживает один человек, "
        "второй проживающий выехал. Прошу сделать перерасчёт.",
        (
            9,
            "Ответ на обращение о перерасчёте",
            "Начисление произведено по количеству постоянно и временно проживающих по данным "
            "реестра. Для перерасчёта представьте справку о снятии с регистрационного учёта "
            "или документы о временном отсутствии (ПП РФ № 354, п. 148(44)).",
            "email",
        ),
    ),
    (
        "request",
        27,
        "business",
        "Изменение количества контейнеров",
        "Просим заключить дополнительное соглашение к договору: с 1-го числа следующего "
        "месяца количество контейнеров объёмом 1,1 м³ на площадке уменьшается до двух.",
        (
            8,
            "Ответ о дополнительном соглашении",
            "Проект дополнительного соглашения к договору направлен для подписания. Изменение "
            "количества контейнеров вступает в силу с даты, указанной в соглашении.",
            "edo",
        ),
    ),
    (
        "complaint",
        24,
        "person",
        "Несвоевременный вывоз отходов",
        "Контейнерная площадка у дома не вывозится уже неделю, отходы лежат рядом с "
        "контейнерами. Прошу принять меры и сделать перерасчёт за период невывоза.",
        None,
    ),
    (
        "request",
        2,
        "business",
        "Акт сверки взаимных расчётов",
        "Просим направить акт сверки взаимных расчётов по договору за текущий год.",
        None,
    ),
)
#: answers to a letter kind, as the operator's clerk writes them
TRACKING_PREFIX = "60000"  # the post office's tracking numbers (ШПИ) of the demo operator
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
        operator = self._as("mobill_tko_base.user_demo_operator", company)
        clock = time.monotonic()
        # the registry as the history found it: contracts charged by the collector's acts
        measurements = operator._measured_contracts(company, today, contract_ids, seed)
        periods = billing._charge_months(company, today, months, account_ids, contract_ids, limited)
        clock = self._log_step(clock, "%s months charged and posted", len(periods))
        charges = billing._charges_by_month(periods, account_ids, contract_ids)
        plan = demo_history.plan_history(
            charges, today, legal={key for key in charges if key[0] == "tko.contract"}, seed=seed
        )
        payments = billing._pay(company, plan, periods)
        clock = self._log_step(clock, "%s payments posted", len(payments))
        cases = self._cases(company, today, periods, account_ids)
        cases["measurements"] = len(measurements)
        clock = self._log_step(clock, "cases: %s", cases)
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
            **cases,
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

    # ------------------------------------------------------------------ cases
    def _cases(self, company, today, periods, account_ids):
        """What the clerks registered during the history, each through its own screen's
        action: temporary absences and late certificates of residents (recalculations booked
        in the open period), advance invoices, consumers' appeals and their answers. Returns
        their counts for the summary. Their changes are tracked in their chatter, as a user's
        would be, under the demo user who made them."""
        tracked = self.with_context(tracking_disable=False, mail_notrack=False)
        operator = tracked._as("mobill_tko_base.user_demo_operator", company)
        billing = tracked._as("mobill_tko_base.user_demo_accountant", company)
        claims_dept = tracked._as("mobill_tko_base.user_demo_lawyer", company)
        absences = operator._absences(company, today, periods, account_ids)
        self._end_request()
        absences.filtered(lambda a: a.date_application < today - timedelta(days=3)).with_env(
            billing.env
        ).action_confirm()
        self._end_request()
        recalcs = absences.recalculation_id
        late = operator._temporary_residents(company, periods, account_ids)
        self._end_request()
        # the last certificate came yesterday: its recalculation waits for the accountant
        recalcs |= late
        (recalcs - late[-1:]).filtered(lambda r: r.state == "draft").with_env(
            billing.env
        ).action_book()
        advances = billing._advance_invoices(periods)
        letters = claims_dept._appeals(company, today, account_ids)
        self._end_request()
        return {
            "absences": len(absences),
            "recalculations": len(recalcs),
            "advance_invoices": len(advances),
            "letters": len(letters),
        }

    def _end_request(self):
        """The end of a user's request: what its commit writes, the tracking of the chatter,
        is written now. Each step of a case is a request of its own, as in the web client: a
        record's changes are tracked from the request after the one that created it."""
        self.env.cr.precommit.run()

    def _measured_contracts(self, company, today, contract_ids, seed):
        """:data:`MEASURED_CONTRACTS` contracts by containers switched to the measured volume
        :data:`MEASURED_MONTHS` months before the open period, as the operator changes a
        contract's object (the containers line ends, a measured one starts), and the
        collector's acts of those months entered: twice a month, on the 15th and the last day.
        """
        Line = self.env["tko.contract.line"]
        start = demo_history.add_months(today, -MEASURED_MONTHS)
        lines = Line.search(
            [
                ("contract_id", "in", contract_ids),
                ("scheme", "=", "containers"),
                ("date_from", "<", start),
                ("date_to", "=", False),
            ],
            order="contract_id",
        )
        single = [
            line
            for line in lines
            if Line.search_count([("contract_id", "=", line.contract_id.id)]) == 1
        ]
        Measurement = self.env["tko.measurement"]
        measurements = Measurement
        for line in single[:MEASURED_CONTRACTS]:
            line.write({"date_to": start - timedelta(days=1)})
            Line.create(
                {
                    "contract_id": line.contract_id.id,
                    "object_id": line.object_id.id,
                    "scheme": "measured_volume",
                    "date_from": start,
                }
            )
            base = self._container_volume(line.object_id, start)
            rng = random.Random(f"{seed}-measured-{line.contract_id.id}")
            vals_list = []
            month = start
            while month < today.replace(day=1):
                for day in (
                    month.replace(day=15),
                    demo_history.add_months(month, 1) - timedelta(1),
                ):
                    number = f"{line.contract_id.id:03d}-{day:%m%d}"
                    vals_list.append(
                        {
                            "object_id": line.object_id.id,
                            "contract_id": line.contract_id.id,
                            "date": day,
                            "kind": "volume",
                            "value": round(base * rng.uniform(5.5, 8.5), 2),
                            "note": MEASUREMENT_NOTE.format(number=number, date=day),
                        }
                    )
                month = demo_history.add_months(month, 1)
            measurements |= Measurement.create(vals_list)
        return measurements

    def _container_volume(self, obj, day):
        """The containers' volume of ``obj`` on ``day``, m³ (1,1 m³ when it has none)."""
        Characteristic = self.env["tko.object.characteristic"]
        versions = Characteristic.search(
            [
                ("object_id", "=", obj.id),
                ("kind", "=", "containers"),
                *Characteristic._dated_domain(day),
            ]
        )
        volume = sum(v.container_count * v.container_volume for v in versions)
        return volume or 1.1

    def _residents_accounts(self, account_ids, period, count, exclude=()):
        """Accounts charged by residents in ``period`` on one line with two or more persons."""
        self.env["tko.charge"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT account_id FROM tko_charge
                 WHERE period_id = %s AND kind = 'charge' AND account_id = ANY(%s)
                   AND NOT account_id = ANY(%s)
                 GROUP BY account_id
                HAVING count(*) = 1 AND min(method) = 'residents' AND min(residents) >= 2
                 ORDER BY account_id LIMIT %s
                """,
                period.id,
                account_ids,
                list(exclude),
                count,
            )
        )
        return self.env["tko.account"].browse([row[0] for row in self.env.cr.fetchall()])

    def _absences(self, company, today, periods, account_ids):
        """Applications for temporary absence (ПП РФ № 354, п. 148(44)) registered by the
        operator: :data:`ABSENCES` in closed months, filed a few days after the return, and
        one just received (left as a draft)."""
        Absence = self.env["tko.absence"]
        absences = Absence
        taken = []
        for back, departure, arrival, persons, place in ABSENCES:
            if back >= len(periods):
                continue
            period = periods[-1 - back]
            account = self._residents_accounts(account_ids, period, 1, taken)
            if not account:
                continue
            taken.append(account.id)
            vals = {
                "account_id": account.id,
                "departure": period.date_start.replace(day=departure),
                "arrival": period.date_start.replace(day=arrival),
                "persons": persons,
                "note": ABSENCE_NOTE,
            }
            vals["date_application"] = min(vals["arrival"] + timedelta(days=5), today)
            document = self._absence_certificate(account, vals, place)
            absences |= Absence.create({**vals, "document_id": document.id})
        account = self._residents_accounts(account_ids, periods[-1], 1, taken)
        if account:
            absences |= Absence.create(
                {
                    "account_id": account.id,
                    "departure": today - timedelta(days=24),
                    "arrival": today - timedelta(days=3),
                    "date_application": today - timedelta(days=1),
                    "note": DRAFT_ABSENCE_NOTE,
                }
            )
        return absences

    def _absence_certificate(self, account, vals, place):
        """The certificate of stay the consumer brought with the application (a PDF page)."""
        issued = vals["arrival"] + timedelta(days=2)
        number = f"{account.id % 900 + 100}/{issued:%y}"
        text = ABSENCE_CERTIFICATE.format(
            number=number,
            who=account.partner_id.name
            + ("" if vals["persons"] == 1 else f" и члены семьи (всего {vals['persons']} чел.)"),
            stayed="был(а) зарегистрирован(а)" if vals["persons"] == 1 else "были зарегистрированы",
            place=place,
            issued=issued,
            departure=vals["departure"],
            arrival=vals["arrival"],
        )
        pdf = self.env["ir.actions.report"]._run_wkhtmltopdf([text])
        return self.env["tko.document"].create(
            {
                "name": ABSENCE_DOCUMENT,
                "doc_type": "absence",
                "number": number,
                "date": issued,
                "account_id": account.id,
                "partner_id": account.partner_id.id,
                "object_id": account.object_id.id,
                "file": base64.b64encode(pdf),
                "file_name": f"{ABSENCE_DOCUMENT} {number.replace('/', '-')}.pdf",
            }
        )

    def _temporary_residents(self, company, periods, account_ids):
        """Temporary residents of past months whose certificates came late: a dated version
        added on the object's characteristics as the object's form adds it; each one starts a
        recalculation of the closed months (left to the accountant to book)."""
        Characteristic = self.env["tko.object.characteristic"]
        Recalc = self.env["tko.recalculation"]
        recalcs = Recalc
        taken = self.env["tko.absence"].search([("company_id", "=", company.id)]).account_id.ids
        for back, day, length, persons in TEMPORARY_RESIDENTS:
            if back >= len(periods):
                continue
            period = periods[-1 - back]
            for account in self._residents_accounts(account_ids, period, 5, taken):
                taken.append(account.id)
                if Characteristic.search_count(
                    [("object_id", "=", account.object_id.id), ("kind", "=", "residents_temporary")]
                ):
                    continue
                version = Characteristic.create(
                    {
                        "object_id": account.object_id.id,
                        "kind": "residents_temporary",
                        "value": persons,
                        "date_from": period.date_start.replace(day=day),
                        "date_to": demo_history.add_months(period.date_start, length)
                        - timedelta(days=1),
                    }
                )
                recalcs |= Recalc.search([("basis_ref", "=", f"{version._name},{version.id}")])
                break
        return recalcs

    def _advance_invoices(self, periods):
        """The advance invoices of the last :data:`ADVANCE_MONTHS` months, as the period's
        button creates them, dated the first day of the billed month and issued."""
        Advance = self.env["tko.advance.invoice"]
        invoices = Advance
        for period in periods[-ADVANCE_MONTHS:]:
            created = Advance._create_for_period(period)
            created.write({"date": period.date_start})
            self._end_request()
            created.action_issue()
            invoices |= created
        return invoices

    def _appeals(self, company, today, account_ids):
        """Consumers' appeals (:data:`APPEALS`) registered by the claims department with their
        answer deadline; the answered ones with the outgoing answer sent and the appeal
        closed, the others waiting (one of them overdue)."""
        Letter = self.env["tko.letter"]
        accounts = self.env["tko.account"].browse(account_ids[5 : 5 + len(APPEALS)])
        contracts = self.env["tko.contract"].search(
            [("company_id", "=", company.id), ("state", "=", "active")], order="id", limit=3
        )
        letters = Letter
        for index, (kind, days, consumer, subject, text, answer) in enumerate(APPEALS):
            if consumer == "person":
                target = accounts[index % len(accounts)] if accounts else None
            else:
                target = contracts[index % len(contracts)] if contracts else None
            if not target:
                continue
            received = today - timedelta(days=days)
            vals = {
                "direction": "in",
                "kind": kind,
                "date": received,
                "partner_id": target.partner_id.id,
                "account_id": target.id if consumer == "person" else False,
                "contract_id": target.id if consumer != "person" else False,
                "subject": subject,
                "body": f"<p>{text}</p>",
                "answer_deadline": _working_days_after(received, ANSWER_DAYS),
            }
            if consumer != "person":
                vals.update(
                    their_number=f"{100 + index * 7}/{received:%y}",
                    their_date=received - timedelta(days=1),
                )
            appeal = Letter.create(vals)
            self._end_request()
            appeal.action_register()
            letters |= appeal
            if answer:
                letters |= self._answer(appeal, *answer)
        return letters

    def _answer(self, appeal, days, subject, text, method):
        """The outgoing answer to ``appeal`` (its "Answer" button), registered and sent; the
        appeal is closed."""
        sent = appeal.date + timedelta(days=days)
        answer = self.env["tko.letter"].create(
            {
                "direction": "out",
                "kind": "answer",
                "reply_to_id": appeal.id,
                "date": sent,
                "partner_id": appeal.partner_id.id,
                "account_id": appeal.account_id.id,
                "contract_id": appeal.contract_id.id,
                "subject": subject,
                "body": f"<p>{text}</p>",
            }
        )
        self._end_request()
        answer.action_register()
        self.env["tko.letter.delivery"].create(
            {
                "letter_id": answer.id,
                "method": method,
                "date": sent,
                "result": "sent" if method == "registered" else "delivered",
                "tracking_number": (
                    f"{TRACKING_PREFIX}{sent:%y%m%d}{answer.id % 1000:03d}"
                    if method == "registered"
                    else False
                ),
            }
        )
        appeal.action_close()
        return answer


def _working_days_after(day, count):
    """The ``count``-th working day (Monday to Friday) after ``day``."""
    while count:
        day += timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day
