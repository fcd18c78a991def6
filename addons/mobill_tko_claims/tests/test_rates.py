import datetime as dt
from decimal import Decimal

from odoo.tests import TransactionCase, tagged

from mobill_tko_core import rates as core_rates
from mobill_tko_core.formats import cbr_dailyinfo as cbr

from .common import QuietHandler, local_server

WSDL = """<?xml version="1.0" encoding="utf-8"?>
<wsdl:definitions xmlns:s="http://www.w3.org/2001/XMLSchema"
    xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:tns="http://web.cbr.ru/"
    xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" targetNamespace="http://web.cbr.ru/">
  <wsdl:types>
    <s:schema elementFormDefault="qualified" targetNamespace="http://web.cbr.ru/">
      <s:element name="KeyRateXML"><s:complexType><s:sequence>
        <s:element minOccurs="1" maxOccurs="1" name="fromDate" type="s:dateTime"/>
        <s:element minOccurs="1" maxOccurs="1" name="ToDate" type="s:dateTime"/>
      </s:sequence></s:complexType></s:element>
      <s:element name="KeyRateXMLResponse"><s:complexType><s:sequence>
        <s:element minOccurs="0" maxOccurs="1" name="KeyRateXMLResult">
          <s:complexType mixed="true"><s:sequence><s:any/></s:sequence></s:complexType>
        </s:element>
      </s:sequence></s:complexType></s:element>
    </s:schema>
  </wsdl:types>
  <wsdl:message name="KeyRateXMLSoapIn"><wsdl:part name="parameters" element="tns:KeyRateXML"/></wsdl:message>
  <wsdl:message name="KeyRateXMLSoapOut"><wsdl:part name="parameters" element="tns:KeyRateXMLResponse"/></wsdl:message>
  <wsdl:portType name="DailyInfoSoap"><wsdl:operation name="KeyRateXML">
    <wsdl:input message="tns:KeyRateXMLSoapIn"/><wsdl:output message="tns:KeyRateXMLSoapOut"/>
  </wsdl:operation></wsdl:portType>
  <wsdl:binding name="DailyInfoSoap" type="tns:DailyInfoSoap">
    <soap:binding transport="http://schemas.xmlsoap.org/soap/http"/>
    <wsdl:operation name="KeyRateXML">
      <soap:operation soapAction="http://web.cbr.ru/KeyRateXML" style="document"/>
      <wsdl:input><soap:body use="literal"/></wsdl:input>
      <wsdl:output><soap:body use="literal"/></wsdl:output>
    </wsdl:operation>
  </wsdl:binding>
  <wsdl:service name="DailyInfo"><wsdl:port name="DailyInfoSoap" binding="tns:DailyInfoSoap">
    <soap:address location="{base}/DailyInfoWebServ/DailyInfo.asmx"/>
  </wsdl:port></wsdl:service>
</wsdl:definitions>"""

ENVELOPE = (
    '<?xml version="1.0" encoding="utf-8"?><soap:Envelope '
    'xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
    '<KeyRateXMLResponse xmlns="http://web.cbr.ru/"><KeyRateXMLResult><KeyRate xmlns="">{rows}'
    "</KeyRate></KeyRateXMLResult></KeyRateXMLResponse></soap:Body></soap:Envelope>"
)


def kr(day, rate):
    return f"<KR><DT>{day}T00:00:00+03:00</DT><Rate>{rate}</Rate></KR>"


class FakeCbr(QuietHandler):
    """DailyInfo: GET → the WSDL, POST → the answer set on the server (or an error)."""

    def do_GET(self):
        base = f"http://127.0.0.1:{self.server.server_port}"
        self.reply(200, WSDL.replace("{base}", base), "text/xml; charset=utf-8")

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        self.server.requests.append(body)
        status, answer = self.server.answer
        self.reply(status, answer, "text/xml; charset=utf-8")


@tagged("post_install", "-at_install")
class TestRates(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.Rate = cls.env["tko.rate"]
        cls.last = cls.Rate._rate_rows("key")[-1]

    def test_seeded_from_the_packaged_histories(self):
        for kind in ("key", "refinancing"):
            packaged = core_rates.load_packaged_rates(kind).rows()
            self.assertEqual(self.Rate._rate_rows(kind), packaged, kind)
        table = self.Rate._penalty_rate_table()
        self.assertEqual(table.rate_on(dt.date(2024, 8, 20)), Decimal("18"))
        self.assertEqual(table.rate_on(dt.date(2012, 10, 1)), Decimal("8.25"), "refinancing")
        # seeding again adds nothing
        self.assertFalse(self.Rate._seed_packaged_rates())

    def test_company_step_wins_over_shared_step(self):
        day = self.last[0]
        self.Rate.create(
            {"kind": "key", "date_from": day, "rate": 1.5, "company_id": self.company.id}
        )
        self.assertEqual(self.Rate._rate_rows("key")[-1], (day, Decimal("1.5")))
        other = self.env["res.company"].create({"name": "Другой оператор"})
        self.assertEqual(self.Rate._rate_rows("key", other)[-1], self.last)

    def test_rate_changes_keeps_only_changes(self):
        d = dt.date
        daily = [
            (d(2026, 1, 5), Decimal("16")),
            (d(2026, 1, 6), Decimal("16")),
            (d(2026, 1, 7), Decimal("15.5")),
            (d(2026, 1, 8), Decimal("15.5")),
        ]
        self.assertEqual(cbr.rate_changes(daily, Decimal("16")), [(d(2026, 1, 7), Decimal("15.5"))])
        self.assertEqual(len(cbr.rate_changes(daily, None)), 2)

    def _refresh(self, status, answer):
        with local_server(FakeCbr) as (base, server):
            server.answer = (status, answer)
            self.company.tko_rate_wsdl_url = f"{base}/DailyInfoWebServ/DailyInfo.asmx?WSDL"
            self.company.tko_rate_timeout = 5
            ok = self.Rate._refresh_from_cbr(self.company)
        return ok, server.requests

    def test_refresh_adds_the_new_steps_from_the_service(self):
        last_day, last_rate = self.last
        new_day = last_day + dt.timedelta(days=40)
        rows = "".join(
            [kr(last_day + dt.timedelta(days=i), last_rate) for i in range(3)]
            + [kr(new_day, "13.25"), kr(new_day + dt.timedelta(days=1), "13.25")]
        )
        ok, requests = self._refresh(200, ENVELOPE.format(rows=rows))
        self.assertTrue(ok)
        self.assertIn("KeyRateXML", requests[0])
        self.assertIn("fromDate", requests[0])
        self.assertEqual(self.company.tko_rate_refresh_state, "ok")
        self.assertTrue(self.company.tko_rate_last_success)
        added = self.Rate.search([("source", "=", "cbr")])
        self.assertEqual([(r.date_from, r.rate) for r in added], [(new_day, 13.25)])
        self.assertEqual(self.Rate._rate_rows("key")[-1], (new_day, Decimal("13.25")))
        # the same answer again changes nothing
        ok, _requests = self._refresh(200, ENVELOPE.format(rows=rows))
        self.assertEqual(self.Rate.search_count([("source", "=", "cbr")]), 1)

    def test_refresh_failure_is_reported_and_invents_nothing(self):
        before = self.Rate.search_count([])
        fault = (
            '<?xml version="1.0"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/'
            'envelope/"><soap:Body><soap:Fault><faultcode>soap:Server</faultcode>'
            "<faultstring>Сервис недоступен</faultstring></soap:Fault></soap:Body></soap:Envelope>"
        )
        with self.assertLogs("odoo.addons.mobill_tko_claims.models.tko_rate", "ERROR"):
            ok, _requests = self._refresh(500, fault)
        self.assertFalse(ok)
        self.assertEqual(self.Rate.search_count([]), before, "no rate is written on failure")
        self.assertEqual(self.company.tko_rate_refresh_state, "error")
        self.assertIn("Сервис недоступен", self.company.tko_rate_refresh_message)
        anchor = self.Rate.search([("kind", "=", "key")], order="date_from desc", limit=1)
        admins = anchor.activity_ids.mapped("user_id")
        self.assertIn(self.env.ref("base.user_admin"), admins)
        # a second failure does not pile up activities
        with self.assertLogs("odoo.addons.mobill_tko_claims.models.tko_rate", "ERROR"):
            self._refresh(500, fault)
        self.assertEqual(len(anchor.activity_ids.mapped("user_id")), len(anchor.activity_ids))

    def test_refresh_unreachable_service(self):
        self.company.tko_rate_wsdl_url = "http://127.0.0.1:9/DailyInfo.asmx?WSDL"
        self.company.tko_rate_timeout = 2
        self.env["res.lang"]._activate_lang("ru_RU")
        with self.assertLogs("odoo.addons.mobill_tko_claims.models.tko_rate", "ERROR"):
            rates = self.Rate.with_context(lang="ru_RU")
            self.assertFalse(rates._refresh_from_cbr(self.company))
        self.assertEqual(self.company.tko_rate_refresh_state, "error")
        # the core's code, rendered in the user's language, with the transport's cause
        message = self.company.tko_rate_refresh_message
        self.assertIn("Сервис Банка России не ответил", message)
        self.assertIn("ConnectionError", message)

    def test_refresh_keeps_a_step_entered_by_hand(self):
        last_day, _rate = self.last
        new_day = last_day + dt.timedelta(days=30)
        self.Rate.create({"kind": "key", "date_from": new_day, "rate": 12.0, "source": "manual"})
        ok, _requests = self._refresh(200, ENVELOPE.format(rows=kr(new_day, "13.00")))
        self.assertTrue(ok)
        self.assertEqual(self.company.tko_rate_refresh_state, "warning")
        step = self.Rate.search([("date_from", "=", new_day), ("kind", "=", "key")])
        self.assertEqual(step.rate, 12.0)
