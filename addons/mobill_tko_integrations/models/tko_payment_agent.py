import hashlib
import ipaddress
import secrets

from odoo import _, api, fields, models
from odoo.addons.mobill_tko_base.tools.access import ADMIN, check_action, check_rights
from odoo.exceptions import UserError, ValidationError

from ..tools import rate_limit

TOKEN_PREFIX = "tko_"


def hash_token(token):
    """sha256 (hex) of an API token: only this is stored."""
    return hashlib.sha256((token or "").encode("utf-8")).hexdigest()


class TkoPaymentAgent(models.Model):
    """A bank or payment agent allowed to post payments and registries through the HTTP API
    (docs/payment_api.md) and to check what a personal account owes."""

    _name = "tko.payment.agent"
    _description = "Payment agent (HTTP API)"
    _inherit = ["mail.thread"]
    _order = "name"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    code = fields.Char(
        required=True,
        tracking=True,
        help="Short Latin code of the agent (like qiwi or post). It is part of the key that "
        "recognises a payment posted twice, so it cannot change once the agent has posted.",
    )
    partner_id = fields.Many2one(
        "res.partner", "Organisation", tracking=True, help="The bank or agent as a contact."
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda self: self.env.company,
        index=True,
        tracking=True,
        help="The agent sees and pays only the personal accounts of this company.",
    )
    channel = fields.Selection(
        [("agent", "Payment agent"), ("bank", "Bank transfer"), ("post", "Post office")],
        "Channel of its payments",
        required=True,
        default="agent",
        tracking=True,
    )
    profile_id = fields.Many2one(
        "tko.registry.profile",
        "Registry profile",
        tracking=True,
        check_company=True,
        help="Layout of the registry files this agent posts.",
    )
    active = fields.Boolean(default=True, tracking=True)
    token_hash = fields.Char(readonly=True, copy=False, index=True, groups="base.group_system")
    token_hint = fields.Char(
        "Token starts with",
        readonly=True,
        copy=False,
        help="The first characters of the current token, to tell which one the agent uses. "
        "The token itself is shown only once, when it is made.",
    )
    token_date = fields.Datetime("Token made on", readonly=True, copy=False)
    allowed_ips = fields.Char(
        "Allowed IP addresses",
        tracking=True,
        help="Addresses or networks the agent calls from, separated by commas "
        "(like 203.0.113.5, 198.51.100.0/24). Empty: see «Refuse every address when the list "
        "is empty».",
    )
    deny_without_ips = fields.Boolean(
        "Refuse every address when the list is empty",
        default=True,
        tracking=True,
        help="On (the default of a new agent): with no allowed address listed, every call is "
        "refused. Off: with an empty list the agent may call from any address.",
    )
    last_call = fields.Datetime("Last call", readonly=True, copy=False)
    import_ids = fields.One2many("tko.payment.import", "agent_id", "Imports")
    import_count = fields.Integer(compute="_compute_counts")
    booked_count = fields.Integer("Payments booked", compute="_compute_counts")
    note = fields.Text()

    _sql_constraints = [
        ("code_company_uniq", "unique(code, company_id)", "The agent code must be unique."),
    ]

    @api.depends("import_ids")
    def _compute_counts(self):
        data = self.env["tko.payment.import"]._read_group(
            [("agent_id", "in", self.ids)], ["agent_id"], ["__count", "booked_count:sum"]
        )
        counts = {agent.id: (count, booked) for agent, count, booked in data}
        for rec in self:
            rec.import_count, rec.booked_count = counts.get(rec.id, (0, 0))

    @api.constrains("code")
    def _check_code(self):
        for rec in self:
            if not rec.code or not rec.code.replace("_", "").replace("-", "").isalnum():
                raise ValidationError(
                    _("The agent code may have only Latin letters, digits, «-» and «_».")
                )

    @api.constrains("allowed_ips")
    def _check_allowed_ips(self):
        for rec in self:
            try:
                rec._ip_networks()
            except ValueError as exc:
                raise ValidationError(
                    _("«%(value)s» is not an IP address or network.", value=exc.args[0])
                ) from exc

    def write(self, vals):
        if "code" in vals and any(rec.code != vals["code"] and rec.import_ids for rec in self):
            raise UserError(
                _(
                    "The code of an agent that has posted payments cannot change: it tells "
                    "a payment posted twice. Make a new agent instead."
                )
            )
        return super().write(vals)

    def _ip_networks(self):
        self.ensure_one()
        networks = []
        for part in (self.allowed_ips or "").replace(";", ",").replace(" ", ",").split(","):
            if not part.strip():
                continue
            try:
                networks.append(ipaddress.ip_network(part.strip(), strict=False))
            except ValueError as exc:
                raise ValueError(part.strip()) from exc
        return networks

    def init(self):
        # the rate limit counters of the payment API, shared by the worker processes
        self.env.cr.execute(rate_limit.TABLE_SQL)

    def _ip_allowed(self, address):
        """True when ``address`` is in the allowed list; with an empty list, unless the agent
        refuses every address then (:attr:`deny_without_ips`)."""
        self.ensure_one()
        networks = self._ip_networks()
        if not networks:
            return not self.deny_without_ips
        try:
            ip = ipaddress.ip_address(address or "")
        except ValueError:
            return False
        return any(ip in net for net in networks)

    @api.model
    def _tko_authenticate(self, token):
        """The active agent whose token this is (sudo), or an empty recordset."""
        if not token or not token.startswith(TOKEN_PREFIX):
            return self.browse()
        return (
            self.sudo()
            .with_context(active_test=True)
            .search([("token_hash", "=", hash_token(token))], limit=1)
        )

    def _tko_new_token(self):
        """Make a new random token, store only its hash, return it (to show once)."""
        self.ensure_one()
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        self.sudo().write(
            {
                "token_hash": hash_token(token),
                "token_hint": token[:10],
                "token_date": fields.Datetime.now(),
            }
        )
        self.message_post(
            body=_("A new API token was made; the previous one no longer works."),
            message_type="notification",
        )
        return token

    def action_new_token(self):
        """Make a new token and show it once, in a notification that stays until closed."""
        self.ensure_one()
        check_action(self, ADMIN)
        token = self._tko_new_token()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("API token of %(name)s: copy it now", name=self.name),
                "message": _(
                    "%(token)s — it is shown only this once; give it to the agent by a safe "
                    "way. If it is lost, make a new one.",
                    token=token,
                ),
                "sticky": True,
                "type": "warning",
            },
        }

    def action_revoke_token(self):
        check_action(self, ADMIN)
        self.sudo().write({"token_hash": False, "token_hint": False, "token_date": False})
        for rec in self:
            rec.message_post(
                body=_("The API token was revoked: the agent can no longer call the API."),
                message_type="notification",
            )
        return True

    def action_view_imports(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Imports of %(name)s", name=check_rights(self, "read").name),
            "res_model": "tko.payment.import",
            "view_mode": "tree,form",
            "domain": [("agent_id", "=", self.id)],
        }
