"""The callback of АТОЛ Онлайн v5: the service POSTs the processed document (JSON) to
``service.callback_url`` of the receipt, ``/mobill_tko/atol/callback?token=<secret>``.

The secret token is the receipt's own; the body must name the ``uuid`` (and ``external_id``)
the service gave that receipt, or the call changes nothing (404).
"""

import json
import logging

from odoo import http
from odoo.http import request

_logger = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024


class AtolCallback(http.Controller):
    @http.route(
        "/mobill_tko/atol/callback",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def atol_callback(self, token=None, **_kwargs):
        raw = request.httprequest.get_data(cache=False)
        if len(raw) > MAX_BODY:
            return request.make_json_response({"result": "too large"}, status=413)
        try:
            payload = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return request.make_json_response({"result": "not JSON"}, status=400)
        status, message = request.env["tko.fiscal.receipt"].sudo()._tko_callback(token, payload)
        if status != 200:
            _logger.warning(
                "АТОЛ callback from %s refused: %s", request.httprequest.remote_addr, message
            )
        return request.make_json_response({"result": message}, status=status)
