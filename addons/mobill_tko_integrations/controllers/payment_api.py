"""HTTP API for banks and payment agents (docs/payment_api.md).

Every call carries ``Authorization: Bearer <token>`` of a :class:`tko.payment.agent` (never a
token in the query string); the agent sees only its own imports and the personal accounts of
its own company. The caller is checked in ``ir.http._pre_dispatch`` (:func:`authenticate`),
before Odoo parses a form or multipart body: the rate limit of its address, its token, its
address against the agent's list, the rate limit of its token. Answers are JSON; errors are
``{"error": {"code", "message"}}`` with the HTTP status of the docs (line problems of a
rejected file in ``errors``).
"""

import base64
import functools
import ipaddress
import logging
from datetime import date
from decimal import Decimal

import psycopg2
from odoo import _, fields, http, models
from odoo.addons.mobill_tko_base.tools import core_error_message
from odoo.exceptions import UserError
from odoo.http import request
from odoo.tools import config

from mobill_tko_core.formats import FormatError, agent_json

from ..tools import rate_limit

_logger = logging.getLogger(__name__)

PREFIX = "/api/tko/v1"
FILE_FORMATS = ("registry", "onec")
MAX_BODY = 50 * 1024 * 1024
#: ``calls/seconds`` settings (ir.config_parameter) of the rate limits, with their defaults
RATE_LIMITS = {
    "ip": ("mobill_tko_integrations.api_rate_limit_ip", (600, 60)),
    "token": ("mobill_tko_integrations.api_rate_limit_token", (120, 60)),
    "debt": ("mobill_tko_integrations.api_rate_limit_debt", (60, 60)),
}
#: addresses or networks of the reverse proxies whose X-Forwarded-For is believed
TRUSTED_PROXIES = "mobill_tko_integrations.api_trusted_proxies"
QUERY_SECRETS = ("token", "access_token", "api_key", "key")


def _money(value):
    return f"{Decimal(str(value or 0)).quantize(Decimal('0.01'))}"


def _answer(data, status=200):
    return request.make_json_response(data, status=status)


def _error(status, code, message, **extra):
    return _answer({"error": {"code": code, "message": message}, **extra}, status=status)


def _form_encoded():
    """A raw body sent as an HTML form (curl's default) is parsed away before we see it."""
    return request.httprequest.mimetype == "application/x-www-form-urlencoded"


def _wrong_type(expected):
    return _error(
        415,
        "bad_content_type",
        _(
            "Send the body as is, with the header Content-Type: %(expected)s "
            "(not as an HTML form).",
            expected=expected,
        ),
    )


def _touch(agent):
    """Note the agent's last call on a cursor of its own, at most once a minute and never
    waiting: the call itself must not hold the agent's row locked (parallel calls of one agent
    would queue behind each other)."""
    with request.env.registry.cursor() as cr:
        cr.execute(
            """UPDATE tko_payment_agent SET last_call = now() AT TIME ZONE 'UTC'
                WHERE id IN (SELECT id FROM tko_payment_agent
                              WHERE id = %s
                                AND (last_call IS NULL
                                     OR last_call < now() AT TIME ZONE 'UTC' - interval '1 minute')
                                FOR UPDATE SKIP LOCKED)""",
            [agent.id],
        )


def _networks(text):
    networks = []
    for part in (text or "").replace(";", ",").replace(" ", ",").split(","):
        try:
            networks.append(ipaddress.ip_network(part.strip(), strict=False))
        except ValueError:
            continue
    return networks


def _in_networks(address, networks):
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return False
    return any(ip in net for net in networks)


def client_address():
    """The caller's address: the socket's, unless proxy headers are trusted by configuration.

    With ``api_trusted_proxies`` set and the socket being one of those proxies, the right-most
    address of ``X-Forwarded-For`` that is no trusted proxy; with Odoo's ``proxy_mode`` on, the
    address Odoo took from the proxy headers; otherwise the socket's address (a header any
    client can send is never believed)."""
    httprequest = request.httprequest
    original = (httprequest.environ.get("werkzeug.proxy_fix.orig") or {}).get("REMOTE_ADDR")
    socket_address = original or httprequest.remote_addr
    proxies = _networks(request.env["ir.config_parameter"].sudo().get_param(TRUSTED_PROXIES, ""))
    if proxies:
        if not _in_networks(socket_address, proxies):
            return socket_address
        forwarded = httprequest.headers.get("X-Forwarded-For", "")
        hops = [a.strip() for a in forwarded.split(",") if a.strip()]
        for address in reversed(hops):
            if not _in_networks(address, proxies):
                return address
        return socket_address
    if config.get("proxy_mode"):
        return httprequest.remote_addr
    return socket_address


def _too_many(wait):
    response = _error(
        429,
        "too_many_requests",
        _("Too many calls: try again in %(seconds)s s.", seconds=wait),
    )
    response.headers["Retry-After"] = str(wait)
    return response


def _limited(kind, bucket):
    """Seconds to wait when the call of ``bucket`` goes over the ``kind`` limit, else None."""
    key, default = RATE_LIMITS[kind]
    setting = request.env["ir.config_parameter"].sudo().get_param(key)
    calls, seconds = rate_limit.parse_limit(setting, default) if setting else default
    with request.env.registry.cursor() as cr:
        return rate_limit.hit(cr, f"{kind}:{bucket}", calls, seconds)


def authenticate(kind="call"):
    """The agent of this request, or the response that refuses it: the rate limit of the
    address (429), a secret in the query string (400), the bearer token (401), the address
    against the agent's list (403), the rate limits of the token (429). Nothing of the body is
    read here."""
    address = client_address()
    wait = _limited("ip", address)
    if wait:
        _logger.warning("Payment API: %s over the rate limit of its address", address)
        return _too_many(wait)
    if any(name in request.httprequest.args for name in QUERY_SECRETS):
        return _error(
            400,
            "token_in_query",
            _("Send the token in the header Authorization: Bearer …, never in the address."),
        )
    header = request.httprequest.headers.get("Authorization", "")
    scheme, _sep, token = header.partition(" ")
    agent = request.env["tko.payment.agent"]
    if scheme.lower() == "bearer":
        agent = agent._tko_authenticate(token.strip())
    if not agent:
        return _error(401, "bad_token", _("The API token is missing, wrong or revoked."))
    if not agent._ip_allowed(address):
        _logger.warning("Payment API: agent %s called from %s, refused", agent.code, address)
        return _error(
            403,
            "ip_not_allowed",
            _("Calls from the address %(address)s are not allowed.", address=address),
        )
    wait = _limited("token", agent.id)
    if not wait and kind == "debt":
        wait = _limited("debt", agent.id)
    if wait:
        _logger.warning("Payment API: agent %s over its rate limit", agent.code)
        return _too_many(wait)
    company = agent.company_id
    context = {"allowed_company_ids": company.ids}
    if agent.partner_id.lang:
        context["lang"] = agent.partner_id.lang
    agent = agent.with_company(company).with_context(**context)
    _touch(agent)
    return agent


def _authenticated(func):
    """Run the call with the agent ``ir.http._pre_dispatch`` authenticated for the route
    (:func:`authenticate`, routes marked ``tko_api``); refused when there is none."""

    @functools.wraps(func)
    def wrapper(self, *args, **kwargs):
        agent = getattr(request, "tko_payment_agent", None)
        if not isinstance(agent, models.BaseModel) or not agent:
            return _error(401, "bad_token", _("The API token is missing, wrong or revoked."))
        if agent.env.lang:
            # answers, stored messages and errors in the agent's language
            request.update_context(lang=agent.env.lang)
        return func(self, agent, *args, **kwargs)

    return wrapper


class PaymentApi(http.Controller):
    # ------------------------------------------------------------------ helpers
    def _report(self, rec, agent):
        """What the agent may know of one of its imports."""
        rec = rec.sudo()
        problems = {"error": [], "warning": []}
        for e in rec.error_ids:
            item = {"line": e.line, "field": e.field_name or None, "code": e.code}
            if e.code == "file_already_imported":
                # the earlier import may be another agent's: its name is not shown
                original = rec.duplicate_of_id
                item["message"] = _("This file has been imported already.")
                if original.agent_id == agent:
                    item["import_id"] = original.id
            else:
                item["message"] = e.message
            problems[e.severity].append(item)
        return {
            "id": rec.id,
            "name": rec.name,
            "format": rec.file_format,
            "file_name": rec.file_name or None,
            "state": rec.state,
            "received": fields.Datetime.to_string(rec.create_date),
            # the SHA-256 of the file, without the agent's namespace of the stored value
            "fingerprint": (rec.fingerprint or "").rpartition(":")[2] or None,
            "registry_number": rec.registry_number or None,
            "lines": rec.line_count,
            "amount_total": _money(rec.amount_total),
            "booked": rec.booked_count,
            "booked_amount": _money(rec.booked_amount),
            "already_booked": rec.skipped_count,
            "unallocated": rec.unallocated_count,
            "errors": problems["error"],
            "warnings": problems["warning"],
            "status_url": f"{PREFIX}/imports/{rec.id}",
        }

    def _process(self, agent, vals):
        """Create the import, check and book it (all or nothing), answer with its report."""
        Import = request.env["tko.payment.import"].sudo().with_company(agent.company_id)
        vals.update(
            {
                "company_id": agent.company_id.id,
                "channel": agent.channel,
                "source": "api",
                "source_ref": f"{agent.code} ({client_address()})",
                "agent_id": agent.id,
            }
        )
        rec = Import.create(vals)
        try:
            with request.env.cr.savepoint():
                rec._tko_process()
        except UserError as exc:
            rec.message_post(body=_("Not imported: %(reason)s", reason=exc))
            rec.state = "rejected"
            report = self._report(rec, agent)
            return _error(400, "not_imported", str(exc), **{"import": report})
        except psycopg2.IntegrityError:
            # the same file or payment booked at this very moment by a parallel call
            rec.state = "rejected"
            return _error(
                409,
                "already_imported",
                _("The same file or payment is being imported by another call; try again."),
                **{"import": self._report(rec, agent)},
            )
        report = self._report(rec, agent)
        if rec.state == "queued":
            return _answer(report, status=202)
        if rec.state == "done":
            return _answer(report, status=201)
        if rec.duplicate_of_id:
            return _error(
                409,
                "already_imported",
                _("This file has been imported already; nothing was booked."),
                **{"import": report},
            )
        return _error(
            400,
            "rejected",
            _("The import has %(count)s problem(s); nothing was booked.", count=rec.error_count),
            **{"import": report},
        )

    def _file_from_request(self):
        """``(name, bytes)`` of a multipart ``file`` field or of a raw body."""
        req = request.httprequest
        upload = req.files.get("file")
        if upload is not None:
            return upload.filename or "", upload.read(MAX_BODY + 1)
        name = req.args.get("file_name") or req.headers.get("X-File-Name") or ""
        return name, req.get_data(cache=False)

    # ------------------------------------------------------------------ endpoints
    @http.route(
        f"{PREFIX}/ping", type="http", auth="public", methods=["GET"], csrf=False, tko_api="call"
    )
    @_authenticated
    def ping(self, agent, **kw):
        return _answer({"agent": agent.code, "name": agent.name, "company": agent.company_id.name})

    @http.route(
        f"{PREFIX}/imports",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        tko_api="call",
    )
    @_authenticated
    def post_file(self, agent, **kw):
        """A registry or 1C statement file: multipart field ``file`` or the raw body."""
        if _form_encoded():
            return _wrong_type("application/octet-stream")
        name, data = self._file_from_request()
        if not data:
            return _error(400, "no_file", _("The request carries no file."))
        if len(data) > MAX_BODY:
            return _error(413, "too_large", _("The file is larger than 50 MB."))
        Import = request.env["tko.payment.import"].sudo()
        file_format = request.httprequest.args.get("format") or Import._guess_format(data)
        if file_format not in FILE_FORMATS:
            return _error(
                400,
                "bad_format",
                _("Unknown format %(format)s: use registry or onec.", format=file_format),
            )
        profile = agent.profile_id
        code = request.httprequest.args.get("profile")
        if code:
            profile = (
                request.env["tko.registry.profile"]
                .sudo()
                .search(
                    [
                        ("code", "=", code),
                        ("company_id", "in", [agent.company_id.id, False]),
                    ],
                    limit=1,
                )
            )
            if not profile:
                return _error(
                    400, "bad_profile", _("Unknown registry profile %(code)s.", code=code)
                )
        if file_format == "registry" and not profile:
            return _error(
                400,
                "bad_profile",
                _("Name the registry profile (profile=…): the agent has no default one."),
            )
        return self._process(
            agent,
            {
                "name": name or _("File of %(agent)s", agent=agent.name),
                "file": base64.b64encode(data),
                "file_name": name or False,
                "file_format": file_format,
                "profile_id": profile.id or False,
            },
        )

    @http.route(
        f"{PREFIX}/payments",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        tko_api="call",
    )
    @_authenticated
    def post_payments(self, agent, **kw):
        """A JSON list of payments (mobill_tko_core.formats.agent_json)."""
        if _form_encoded():
            return _wrong_type("application/json")
        data = request.httprequest.get_data(cache=False)
        if not data:
            return _error(400, "no_body", _("The request has no body."))
        if len(data) > MAX_BODY:
            return _error(413, "too_large", _("The body is larger than 50 MB."))
        try:
            number = agent_json.read_payments(data, agent.code).registry_number
        except FormatError as exc:
            return _error(400, exc.code, core_error_message(exc, request.env))
        return self._process(
            agent,
            {
                "name": number or _("Payments of %(agent)s", agent=agent.name),
                "file": base64.b64encode(data),
                "file_name": f"{agent.code}-{number or 'payments'}.json",
                "file_format": "agent_json",
                "profile_id": False,
            },
        )

    @http.route(
        f"{PREFIX}/imports/<int:import_id>",
        type="http",
        auth="public",
        methods=["GET"],
        csrf=False,
        tko_api="call",
    )
    @_authenticated
    def get_import(self, agent, import_id, **kw):
        rec = (
            request.env["tko.payment.import"]
            .sudo()
            .search(
                [
                    ("id", "=", import_id),
                    ("agent_id", "=", agent.id),
                    ("company_id", "=", agent.company_id.id),
                ]
            )
        )
        if not rec:
            return _error(404, "not_found", _("No such import of yours."))
        return _answer(self._report(rec, agent))

    @http.route(
        f"{PREFIX}/accounts/<string:number>/debt",
        type="http",
        auth="public",
        methods=["GET"],
        csrf=False,
        tko_api="debt",
    )
    @_authenticated
    def get_debt(self, agent, number, **kw):
        """What a personal account owes on a day (today by default)."""
        on_date = fields.Date.context_today(agent)
        if request.httprequest.args.get("date"):
            try:
                on_date = date.fromisoformat(request.httprequest.args["date"])
            except ValueError:
                return _error(400, "bad_date", _("The date must be written 2025-02-04."))
        account = (
            request.env["tko.account"]
            .sudo()
            .search([("name", "=", number.strip()), ("company_id", "=", agent.company_id.id)])
        )
        if len(account) != 1:
            return _error(404, "not_found", _("No personal account %(number)s.", number=number))
        Payment = request.env["tko.payment"].sudo()
        due = Payment._tko_balance("account_id", account.ids, on_date).get(account.id, 0.0)
        periods = Payment._tko_balance_by_period("account_id", account.ids, on_date)
        answer = agent_json.DebtAnswer(
            account=account.name,
            due=Decimal(str(due)),
            on_date=on_date,
            payer=account.partner_id.name or "",
            address=account.address_id.display_name or "",
            periods=[
                {"period": p["date_start"], "due": Decimal(str(p["due"]))}
                for p in periods.get(account.id, [])
            ],
        )
        data = agent_json.debt_answer(answer)
        data["state"] = account.state
        return _answer(data)
