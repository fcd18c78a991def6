from datetime import timedelta

from odoo import _, fields, models

from mobill_tko_core.formats import LineError, agent_json


class TkoPaymentImport(models.Model):
    """Imports that came through the HTTP API (JSON payments of an agent, or files it posted)
    or from an SFTP folder keep the agent or the folder that delivered them."""

    _inherit = "tko.payment.import"

    file_format = fields.Selection(
        selection_add=[("agent_json", "Payments of an agent (JSON)")],
        ondelete={"agent_json": "cascade"},
    )
    agent_id = fields.Many2one(
        "tko.payment.agent",
        "Payment agent",
        readonly=True,
        index=True,
        check_company=True,
        ondelete="restrict",
        help="The bank or payment agent that posted this import through the HTTP API.",
    )
    sftp_source_id = fields.Many2one(
        "tko.payment.sftp.source",
        "SFTP folder",
        readonly=True,
        index=True,
        check_company=True,
        ondelete="set null",
        help="The SFTP folder this file was fetched from.",
    )

    def _parse_agent_json(self, data):
        """Payments an agent posted as JSON (:mod:`mobill_tko_core.formats.agent_json`)."""
        self.ensure_one()
        if not self.agent_id:
            return (
                [
                    LineError(
                        0,
                        None,
                        "agent_json.no_agent",
                        _("JSON payments can only come from a payment agent through the API."),
                        {"translated": True},
                    )
                ],
                [],
                [],
            )
        # a day of slack: the agent's clock may be in a time zone ahead of ours
        latest = fields.Date.context_today(self) + timedelta(days=1)
        result = agent_json.read_payments(data, self.agent_id.code, today=latest)
        self.bank = self.agent_id.name
        self.registry_number = result.registry_number
        payments = []
        for p in result.records:
            payments.append(
                {
                    # the agent names the contract: it is taken as it is, never guessed
                    "contract_number": p.contract or "",
                    "line": p.line,
                    "key": p.key,
                    "amount": p.amount,
                    "date_paid": p.paid_date,
                    "date_booked": fields.Date.context_today(self),
                    "account_number": p.account,
                    "purpose": p.purpose,
                    "payer": p.payer,
                    "payer_inn": "",
                    "reference": p.payment_id,
                    "period": p.period,
                    "bank": self.agent_id.name,
                    "registry_number": result.registry_number,
                }
            )
        return list(result.errors), list(result.warnings), payments
