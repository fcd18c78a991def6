"""The callback of АТОЛ Онлайн v5: the service POSTs the processed document (JSON) to
``service.callback_url`` of the receipt, ``/mobill_tko/atol/callback/<receipt id>/<secret>``.

The secret is the receipt's own. It is checked first, in constant time, before a byte of the
body is read: in the header ``X-Callback-Token`` (or ``Authorization: Bearer <secret>``) with
``/mobill_tko/atol/callback/<receipt id>``, or as the last part of the path (the service cannot
send headers of ours). A secret in the query string is refused: query strings end up in the
logs of every proxy. The body must then name the ``uuid`` (and ``external_id``) the service gave
that receipt, or the call changes nothing (404).
"""

import json
import logging

from odoo import http
from odoo.http import request

_logger = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024
ROUTE = "/mobill_tko/atol/callback"


def _header_token():
    headers = request.httprequest.headers
    token = headers.get("X-Callback-Token", "").strip()
    if not token:
        scheme, _sep, value = headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer":
            token = value.strip()
    return token


class AtolCallback(http.Controller):
    @http.route(
        [f"{ROUTE}/<int:receipt_id>", f"{ROUTE}/<int:receipt_id>/<string:token>"],
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def atol_callback(self, receipt_id, token=None, **_kwargs):
        address = request.httprequest.remote_addr
        if "token" in request.httprequest.args:
            _logger.warning("АТОЛ callback from %s refused: token in the query string", address)
            return request.make_json_response({"result": "token in the query string"}, status=400)
        Receipt = request.env["tko.fiscal.receipt"].sudo()
        receipt = Receipt._tko_callback_receipt(receipt_id, token or _header_token())
        if not receipt:
            _logger.warning("АТОЛ callback from %s refused: unknown receipt or token", address)
            return request.make_json_response({"result": "unknown receipt"}, status=404)
        # only now, for a caller that knows the receipt's secret, is the body read
        length = request.httprequest.content_length
        if length is not None and length > MAX_BODY:
            return request.make_json_response({"result": "too large"}, status=413)
        raw = request.httprequest.get_data(cache=False)
        if len(raw) > MAX_BODY:
            return request.make_json_response({"result": "too large"}, status=413)
        try:
            payload = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return request.make_json_response({"result": "not JSON"}, status=400)
        status, message = receipt._tko_callback(payload)
        if status != 200:
            _logger.warning("АТОЛ callback from %s refused: %s", address, message)
        return request.make_json_response({"result": message}, status=status)
