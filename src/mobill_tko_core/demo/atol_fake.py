"""A local fake of the АТОЛ Онлайн v5 API, for tests and the demo (stdlib only).

Endpoints (under ``/possystem/v5``): ``POST getToken``, ``POST {group}/sell``,
``POST {group}/sell_refund``, ``GET {group}/report/{uuid}``. It checks the login and password,
the ``Token`` header and the body (:func:`~mobill_tko_core.fiscal.atol.validate_body`), and
answers ATOL-style errors ``{"error": {"code", "text", "type"}}``. A new document is ``wait``;
its report says ``wait`` ``done_after`` times and then ``done`` (0: done at the first report).
With ``service.callback_url`` in the body (and ``callbacks`` on), the fake processes the document
after ``callback_delay`` seconds and POSTs the final document there.

``hold_callbacks`` keeps the callbacks until :meth:`AtolFake.release_callbacks` (a test posts
them when its own transaction is idle). Faults on demand: :meth:`AtolFake.fail_next` (HTTP 500
for the next N calls),
``reject_login`` (wrong password whatever is sent), ``fail_receipts`` (documents end ``fail``),
:meth:`AtolFake.expire_tokens`. ``requests`` and ``callbacks`` record what happened.

Run for the demo::

    python3 -m mobill_tko_core.demo.atol_fake --port 18080

(login ``demo``, password ``demo``, group ``demo-group``; it listens on 127.0.0.1 only).
"""

from __future__ import annotations

import argparse
import json
import threading
import urllib.request
import uuid as uuidlib
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from mobill_tko_core.fiscal.atol import TIMESTAMP_FORMAT, validate_body

PREFIX = "/possystem/v5"
#: The service answers in Moscow time (UTC+3, no summer time).
MSK = timezone(timedelta(hours=3))


def _now() -> str:
    return datetime.now(MSK).strftime(TIMESTAMP_FORMAT)


def _error(code: int, text: str, kind: str = "system") -> dict:
    return {"error_id": str(uuidlib.uuid4()), "code": code, "text": text, "type": kind}


class AtolFake:
    """The fake service. ``start()`` binds a free port (or ``port``) on 127.0.0.1."""

    def __init__(
        self,
        *,
        login: str = "demo",
        password: str = "demo",
        group: str = "demo-group",
        host: str = "127.0.0.1",
        port: int = 0,
        done_after: int = 1,
        callbacks: bool = True,
        callback_delay: float = 0.0,
    ):
        self.login = login
        self.password = password
        self.group = group
        self.host = host
        self.port = port
        self.done_after = done_after
        self.callbacks_enabled = callbacks
        self.callback_delay = callback_delay
        self.reject_login = False
        self.fail_receipts = False
        self.hold_callbacks = False
        self._held: list[dict] = []
        self._fail_next = 0
        self.tokens: set[str] = set()
        self.documents: dict[str, dict] = {}
        self.by_external_id: dict[str, str] = {}
        self.requests: list[dict] = []
        self.callbacks: list[dict] = []
        self.callback_done = threading.Event()
        self._lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._counter = 0

    # ------------------------------------------------------------------ control
    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}{PREFIX}"

    def start(self) -> AtolFake:
        fake = self

        class Handler(_Handler):
            service = fake

        self._server = ThreadingHTTPServer((self.host, self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> AtolFake:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def fail_next(self, count: int) -> None:
        """Answer HTTP 500 to the next ``count`` calls, whatever they are."""
        with self._lock:
            self._fail_next = count

    def expire_tokens(self) -> None:
        with self._lock:
            self.tokens.clear()

    def calls(self, kind: str) -> list[dict]:
        """Recorded calls of one kind: ``getToken``, ``sell``, ``sell_refund``, ``report``."""
        return [r for r in self.requests if r["kind"] == kind]

    def release_callbacks(self) -> None:
        """Post the callbacks held back while ``hold_callbacks`` was on."""
        with self._lock:
            held, self._held = self._held, []
        for doc in held:
            self._callback_later(doc)

    def documents_for(self, external_id: str) -> list[dict]:
        """The documents registered under one ``external_id`` (never more than one)."""
        with self._lock:
            return [d for d in self.documents.values() if d["body"]["external_id"] == external_id]

    # ------------------------------------------------------------------ processing
    def _finish(self, doc: dict) -> None:
        """Make a ``wait`` document ``done`` (or ``fail`` when told)."""
        if doc["status"] != "wait":
            return
        if self.fail_receipts:
            doc["status"] = "fail"
            doc["error"] = _error(7, "Ошибка ККТ: чек не может быть зарегистрирован", "driver")
            return
        self._counter += 1
        total = doc["body"]["receipt"].get("total")
        doc["status"] = "done"
        doc["payload"] = {
            "total": total,
            "fns_site": "www.nalog.gov.ru",
            "fn_number": "9999078900004312",
            "shift_number": 23,
            "receipt_datetime": _now(),
            "fiscal_receipt_number": self._counter,
            "fiscal_document_number": 1000 + self._counter,
            "ecr_registration_number": "0000000001002292",
            "fiscal_document_attribute": 3000000000 + self._counter,
            "ofd_inn": "7704211201",
            "ofd_receipt_url": "",
        }

    def _document(self, doc: dict) -> dict:
        return {
            "uuid": doc["uuid"],
            "error": doc.get("error"),
            "status": doc["status"],
            "payload": doc.get("payload"),
            "timestamp": _now(),
            "group_code": self.group,
            "daemon_code": "fake-daemon",
            "device_code": "FAKE-0001",
            "external_id": doc["body"].get("external_id"),
            "callback_url": (doc["body"].get("service") or {}).get("callback_url", ""),
        }

    def _callback_later(self, doc: dict) -> None:
        def run():
            with self._lock:
                self._finish(doc)
                payload = self._document(doc)
            url = payload["callback_url"]
            entry = {"url": url, "payload": payload, "status": None, "error": ""}
            try:
                request = urllib.request.Request(
                    url,
                    data=json.dumps(payload, ensure_ascii=False).encode(),
                    method="POST",
                    headers={"Content-Type": "application/json"},
                )
                with urllib.request.urlopen(request, timeout=30) as response:
                    entry["status"] = response.status
            except Exception as error:
                entry["error"] = str(error)
                entry["status"] = getattr(error, "code", None)
            with self._lock:
                self.callbacks.append(entry)
            self.callback_done.set()

        timer = threading.Timer(self.callback_delay, run)
        timer.daemon = True
        timer.start()

    def handle(self, method: str, path: str, headers: dict, raw: bytes) -> tuple[int, dict]:
        """One call: ``(http_status, answer)``."""
        path = urlsplit(path).path
        if not path.startswith(PREFIX + "/"):
            return 404, {"error": _error(10, "Unknown URL"), "timestamp": _now()}
        parts = path[len(PREFIX) + 1 :].strip("/").split("/")
        kind = (
            "getToken"
            if parts == ["getToken"]
            else parts[1]
            if len(parts) >= 2 and parts[1] in ("sell", "sell_refund", "report")
            else "unknown"
        )
        try:
            body = json.loads(raw.decode("utf-8")) if raw else None
            bad_json = False
        except (UnicodeDecodeError, ValueError):
            body, bad_json = None, True
        with self._lock:
            self.requests.append(
                {
                    "kind": kind,
                    "method": method,
                    "path": path,
                    "token": headers.get("Token", ""),
                    "body": body,
                }
            )
            if self._fail_next > 0:
                self._fail_next -= 1
                return 500, {"error": _error(1, "Internal error (fake)"), "timestamp": _now()}
            if kind == "getToken" and method == "POST":
                return self._get_token(body, bad_json)
            if kind == "unknown" or parts[0] != self.group:
                return 404, {"error": _error(10, "Unknown URL or group"), "timestamp": _now()}
            token = headers.get("Token", "")
            if not token or token not in self.tokens:
                return 401, {
                    "error": _error(11, "Переданный токен не активен"),
                    "timestamp": _now(),
                }
            if kind == "report" and method == "GET" and len(parts) == 3:
                return self._report(parts[2])
            if kind in ("sell", "sell_refund") and method == "POST" and len(parts) == 2:
                return self._sell(kind, body, bad_json)
            return 404, {"error": _error(10, "Unknown URL"), "timestamp": _now()}

    def _get_token(self, body, bad_json) -> tuple[int, dict]:
        if bad_json or not isinstance(body, dict):
            return 400, {"error": _error(32, "Ошибка валидации JSON"), "timestamp": _now()}
        if self.reject_login or (body.get("login"), body.get("pass")) != (
            self.login,
            self.password,
        ):
            return 401, {
                "error": _error(12, "Неверный логин или пароль"),
                "token": "",
                "timestamp": _now(),
            }
        token = uuidlib.uuid4().hex
        self.tokens.add(token)
        return 200, {"error": None, "token": token, "timestamp": _now()}

    def _sell(self, kind, body, bad_json) -> tuple[int, dict]:
        problems = ["the body is not JSON"] if bad_json else validate_body(body)
        if problems:
            return 400, {
                "error": _error(32, "Ошибка валидации JSON: " + "; ".join(problems)),
                "status": "fail",
                "timestamp": _now(),
            }
        external_id = body["external_id"]
        known = self.by_external_id.get(external_id)
        if known:
            doc = self.documents[known]
            return 200, {
                "uuid": known,
                "status": doc["status"],
                "error": _error(33, f"В системе существует чек с external_id: {external_id}"),
                "timestamp": _now(),
            }
        uuid = str(uuidlib.uuid4())
        doc = {"uuid": uuid, "kind": kind, "body": body, "status": "wait", "reports": 0}
        self.documents[uuid] = doc
        self.by_external_id[external_id] = uuid
        if self.callbacks_enabled and (body.get("service") or {}).get("callback_url"):
            if self.hold_callbacks:
                self._held.append(doc)
            else:
                self._callback_later(doc)
        return 200, {"uuid": uuid, "status": "wait", "error": None, "timestamp": _now()}

    def _report(self, uuid) -> tuple[int, dict]:
        doc = self.documents.get(uuid)
        if not doc:
            return 404, {
                "error": _error(35, f"Документ {uuid} не найден"),
                "status": "fail",
                "timestamp": _now(),
            }
        if doc["status"] == "wait":
            doc["reports"] += 1
            if doc["reports"] > self.done_after:
                self._finish(doc)
        return 200, self._document(doc)


class _Handler(BaseHTTPRequestHandler):
    service: AtolFake
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        pass

    def _serve(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        status, answer = self.service.handle(method, self.path, dict(self.headers), raw)
        data = json.dumps(answer, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self._serve("GET")

    def do_POST(self):
        self._serve("POST")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="A local fake of the АТОЛ Онлайн v5 API.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=18080)
    parser.add_argument("--login", default="demo")
    parser.add_argument("--password", default="demo")
    parser.add_argument("--group", default="demo-group")
    parser.add_argument(
        "--done-after",
        type=int,
        default=0,
        help="reports answering 'wait' before 'done' (0: done at the first report)",
    )
    parser.add_argument("--callback-delay", type=float, default=2.0)
    args = parser.parse_args(argv)
    fake = AtolFake(
        login=args.login,
        password=args.password,
        group=args.group,
        host=args.host,
        port=args.port,
        done_after=args.done_after,
        callback_delay=args.callback_delay,
    ).start()
    print(f"АТОЛ Онлайн fake on {fake.url} (login {fake.login!r}, group {fake.group!r})")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        fake.stop()


if __name__ == "__main__":
    main()
