import json
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from mobill_tko_core.demo.atol_fake import AtolFake
from mobill_tko_core.fiscal import atol
from mobill_tko_core.fiscal.atol import (
    AtolClient,
    FiscalError,
    ReceiptData,
    build_receipt,
    classify_http,
    normalise_phone,
    parse_report,
    retry_delay,
    vat_type_for,
)


def data(**kw):
    values = {
        "external_id": "tko-1-sell",
        "amount": Decimal("1250.50"),
        "timestamp": datetime(2025, 2, 4, 10, 15, 42),
        "company_inn": "4000000001",
        "company_email": "kassa@ro.example.ru",
        "sno": "osn",
        "payment_address": "https://ro.example.ru",
        "item_name": "Обращение с ТКО, л/с 1000123",
        "vat_type": "vat20",
        "client_email": "ivanov@example.ru",
    }
    values.update(kw)
    return ReceiptData(**values)


@pytest.fixture
def fake():
    with AtolFake(login="u", password="p", group="g1") as service:
        yield service


def client_for(fake, **kw):
    return AtolClient(fake.url, "u", "p", "g1", timeout=5, **kw)


# ------------------------------------------------------------------ body
def test_body_matches_the_composed_example():
    body = build_receipt(data(callback_url="https://billing.example.ru/cb"))
    assert body["external_id"] == "tko-1-sell"
    assert body["timestamp"] == "04.02.2025 10:15:42"
    assert body["service"] == {"callback_url": "https://billing.example.ru/cb"}
    receipt = body["receipt"]
    assert receipt["client"] == {"email": "ivanov@example.ru"}
    assert receipt["company"]["inn"] == "4000000001"
    item = receipt["items"][0]
    assert item["price"] == item["sum"] == receipt["total"] == 1250.5
    assert item["measure"] == 0 and item["payment_object"] == 4 and item["quantity"] == 1
    assert item["vat"] == {"type": "vat20"}
    assert receipt["payments"] == [{"type": 1, "sum": 1250.5}]
    assert atol.validate_body(body) == []
    assert json.dumps(body, ensure_ascii=False)


def test_body_phone_when_no_email_and_money_rounded():
    body = build_receipt(data(client_email="", client_phone="8 (912) 345-67-89", amount="100.005"))
    assert body["receipt"]["client"] == {"phone": "+79123456789"}
    assert body["receipt"]["total"] == 100.01  # half up to the kopeck
    assert "service" not in body
    whole = build_receipt(data(amount=Decimal("300.00")))
    assert whole["receipt"]["total"] == 300 and isinstance(whole["receipt"]["total"], int)


def test_body_lists_every_problem():
    with pytest.raises(FiscalError) as err:
        build_receipt(
            data(amount=Decimal("0"), company_inn="123", sno="bad", item_name="", vat_type="vat99")
        )
    assert err.value.kind == "validation" and not err.value.retryable
    assert err.value.params["problems"] == [
        "amount_not_positive",
        "company_inn",
        "sno",
        "item_name_empty",
        "vat_type",
    ]
    assert "amount must be positive" in str(err.value)


def test_body_needs_a_contact():
    with pytest.raises(FiscalError, match="neither an e-mail nor a phone"):
        build_receipt(data(client_email=""))
    with pytest.raises(FiscalError, match="not a Russian mobile"):
        build_receipt(data(client_email="", client_phone="12345"))


def test_phone_and_vat_helpers():
    assert normalise_phone("+7 912 345 67 89") == "+79123456789"
    assert normalise_phone("9123456789") == "+79123456789"
    assert normalise_phone("123") == ""
    assert vat_type_for("none") == "none"
    assert vat_type_for("rate", Decimal("20")) == "vat20"
    assert vat_type_for("rate", Decimal("22.00")) == "vat22"
    assert vat_type_for("calculated", 22) == "vat122"
    assert vat_type_for("calculated", 20) == "vat120"
    with pytest.raises(FiscalError, match="No VAT rate"):
        vat_type_for("rate", None)
    with pytest.raises(FiscalError, match="has no receipt VAT type"):
        vat_type_for("rate", Decimal("18.5"))


def test_retry_schedule():
    assert retry_delay(0) == 0
    assert retry_delay(1) == 60
    assert [retry_delay(n) for n in range(1, 5)] == [60, 300, 900, 1800]
    assert retry_delay(len(atol.RETRY_SCHEDULE)) == atol.RETRY_SCHEDULE[-1]
    assert retry_delay(len(atol.RETRY_SCHEDULE) + 1) is None
    delays = [retry_delay(n) for n in range(1, atol.MAX_ATTEMPTS)]
    assert delays == sorted(delays)


def test_classification():
    assert classify_http(500, {}).retryable
    assert classify_http(503, None).kind == "server"
    assert classify_http(429, {}).retryable
    token = classify_http(401, {"error": {"code": 11, "text": "x"}})
    assert token.kind == "token" and token.retryable
    valid = classify_http(400, {"error": {"code": 32, "text": "Ошибка валидации"}})
    assert valid.kind == "validation" and not valid.retryable and "Ошибка валидации" in str(valid)
    auth = classify_http(401, {"error": {"code": 12}}, on_token=True)
    assert auth.kind == "auth"
    assert classify_http(404, {}).kind == "rejected"
    assert classify_http(400, {"error": {"code": 34}}).kind == "queue"


def test_parse_report_done_and_fail():
    done = parse_report(
        {
            "uuid": "u1",
            "status": "done",
            "external_id": "e1",
            "error": None,
            "payload": {
                "total": 1250.5,
                "fn_number": "9999078900004312",
                "shift_number": 23,
                "receipt_datetime": "04.02.2025 10:16:00",
                "fiscal_receipt_number": 7,
                "fiscal_document_number": 1007,
                "fiscal_document_attribute": 3000000007,
                "ecr_registration_number": "0000000001002292",
                "ofd_inn": "7704211201",
            },
        }
    )
    assert done.done and done.fiscal_receipt_number == "7" and done.shift_number == "23"
    assert done.receipt_datetime == datetime(2025, 2, 4, 10, 16)
    assert done.total == Decimal("1250.50") and done.fiscal_document_attribute == "3000000007"
    fail = parse_report({"uuid": "u2", "status": "fail", "error": {"code": 7, "text": "ККТ"}})
    assert fail.status == "fail" and fail.error_code == 7 and fail.error_text == "ККТ"
    with pytest.raises(FiscalError):
        parse_report({"status": "strange"})


# ------------------------------------------------------------------ client against the fake
def test_sell_then_report_wait_then_done(fake):
    client = client_for(fake)
    sent = client.sell(build_receipt(data()))
    assert sent.status == "wait" and sent.uuid and sent.external_id == "tko-1-sell"
    first = client.report(sent.uuid)
    assert first.status == "wait"
    second = client.report(sent.uuid)
    assert second.done and second.fiscal_document_number and second.fn_number
    assert second.external_id == "tko-1-sell"
    # one token for all three calls, sent in the Token header
    assert len(fake.calls("getToken")) == 1
    assert all(r["token"] for r in fake.requests if r["kind"] != "getToken")


def test_token_cached_until_expiry_and_refreshed_when_refused(fake):
    now = [1000.0]
    cache = {}
    client = client_for(fake, token_ttl=100, token_cache=cache, clock=lambda: now[0])
    client.get_token()
    client.get_token()
    assert len(fake.calls("getToken")) == 1
    # another client sharing the cache does not ask again
    client_for(fake, token_ttl=100, token_cache=cache, clock=lambda: now[0]).get_token()
    assert len(fake.calls("getToken")) == 1
    now[0] += 101
    client.get_token()
    assert len(fake.calls("getToken")) == 2
    fake.expire_tokens()
    client.sell(build_receipt(data()))
    assert len(fake.calls("getToken")) == 3
    assert len(fake.calls("sell")) == 2  # refused once, sent again with the new token


def test_sending_twice_makes_one_document(fake):
    client = client_for(fake)
    body = build_receipt(data())
    first = client.sell(body)
    second = client.sell(body)
    assert first.uuid == second.uuid
    assert len(fake.documents) == 1


def test_refund(fake):
    client = client_for(fake)
    result = client.sell_refund(build_receipt(data(external_id="tko-1-refund")))
    assert fake.documents[result.uuid]["kind"] == "sell_refund"


def test_wrong_password_is_auth_error(fake):
    client = AtolClient(fake.url, "u", "wrong", "g1", timeout=5)
    with pytest.raises(FiscalError) as err:
        client.sell(build_receipt(data()))
    assert err.value.kind == "auth" and err.value.retryable
    assert "login or password" in str(err.value)
    assert not fake.calls("sell")


def test_http_500_is_retryable_then_works(fake):
    client = client_for(fake)
    fake.fail_next(2)
    for _ in range(2):
        with pytest.raises(FiscalError) as err:
            client.sell(build_receipt(data()))
        assert err.value.retryable and err.value.http_status == 500
    assert client.sell(build_receipt(data())).uuid


def test_bad_body_is_final(fake):
    client = client_for(fake)
    body = build_receipt(data())
    body["receipt"]["items"][0]["payment_object"] = "service"  # the v4 way
    body["receipt"]["total"] = 1
    with pytest.raises(FiscalError) as err:
        client.sell(body)
    assert err.value.kind == "validation" and not err.value.retryable
    assert "payment_object must be an integer" in str(err.value)
    assert "total is not the sum" in str(err.value)
    assert not fake.documents


def test_receipt_failure_reported(fake):
    fake.fail_receipts = True
    fake.done_after = 0
    client = client_for(fake)
    sent = client.sell(build_receipt(data()))
    result = client.report(sent.uuid)
    assert result.status == "fail" and "чек не может быть зарегистрирован" in result.error_text


def test_unknown_uuid_and_group(fake):
    client = client_for(fake)
    with pytest.raises(FiscalError):
        client.report("no-such-uuid")
    other = AtolClient(fake.url, "u", "p", "other-group", timeout=5)
    with pytest.raises(FiscalError) as err:
        other.sell(build_receipt(data()))
    assert not err.value.retryable


def test_network_failure_is_retryable():
    with AtolFake() as gone:
        url = gone.url
    client = AtolClient(url, "demo", "demo", "demo-group", timeout=2)
    with pytest.raises(FiscalError) as err:
        client.check_connection()
    assert err.value.kind == "network" and err.value.retryable


def test_timeout_is_retryable():
    def slow(method, url, headers, body, timeout):
        raise TimeoutError("no answer")

    client = AtolClient("http://x/possystem/v5", "a", "b", "c", transport=slow)
    with pytest.raises(FiscalError) as err:
        client.get_token()
    assert err.value.kind == "network"


def test_incomplete_settings():
    with pytest.raises(FiscalError, match="settings are incomplete"):
        AtolClient("", "a", "b", "c")


def test_callback_posted():
    received = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers["Content-Length"])
            received.append(json.loads(self.rfile.read(length)))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with AtolFake(login="u", password="p", group="g1") as fake:
            url = f"http://127.0.0.1:{server.server_address[1]}/cb?token=abc"
            sent = client_for(fake).sell(build_receipt(data(callback_url=url)))
            assert fake.callback_done.wait(10)
            assert fake.callbacks[0]["status"] == 200
        assert received[0]["uuid"] == sent.uuid and received[0]["status"] == "done"
        result = parse_report(received[0])
        assert result.done and result.fiscal_receipt_number
    finally:
        server.shutdown()
        server.server_close()


def test_fake_runs_as_a_program():
    with AtolFake() as probe:  # find a free port
        port = probe.port
    proc = subprocess.Popen(
        [sys.executable, "-m", "mobill_tko_core.demo.atol_fake", "--port", str(port)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert "demo-group" in proc.stdout.readline()
        client = AtolClient(f"http://127.0.0.1:{port}/possystem/v5", "demo", "demo", "demo-group")
        sent = client.sell(build_receipt(data()))
        deadline = time.time() + 5
        result = client.report(sent.uuid)
        while not result.done and time.time() < deadline:
            result = client.report(sent.uuid)
        assert result.done
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/nothing", timeout=5) as r:
            pytest.fail(f"unexpected answer {r.status}")
    except urllib.error.HTTPError as error:
        assert error.code == 404
    finally:
        proc.terminate()
        proc.wait(10)
