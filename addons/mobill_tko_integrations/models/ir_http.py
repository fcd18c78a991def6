import werkzeug.exceptions
from odoo import models
from odoo.http import request

from ..controllers import payment_api


class IrHttp(models.AbstractModel):
    """The payment API checks its caller before Odoo reads the request's body: a form or
    multipart body is parsed only when the dispatcher runs, after ``_pre_dispatch``."""

    _inherit = "ir.http"

    @classmethod
    def _pre_dispatch(cls, rule, args):
        super()._pre_dispatch(rule, args)
        kind = rule.endpoint.routing.get("tko_api")
        if not kind:
            return
        agent = payment_api.authenticate(kind)
        if not isinstance(agent, models.BaseModel):
            werkzeug.exceptions.abort(agent)
        request.tko_payment_agent = agent
