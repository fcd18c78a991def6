from odoo import _, fields, models
from odoo.exceptions import UserError


class AccountMove(models.Model):
    """Invoices of legal entities and aggregated entries of individuals, linked to billing."""

    _inherit = "account.move"

    tko_period_id = fields.Many2one(
        "tko.billing.period", "Billing period", index=True, readonly=True, copy=False
    )
    tko_contract_id = fields.Many2one("tko.contract", "ТКО contract", readonly=True, copy=False)
    tko_zone_id = fields.Many2one("tko.tariff.zone", "Tariff zone", readonly=True, copy=False)
    tko_consumer = fields.Selection(
        [("individual", "Individuals"), ("legal", "Legal entities")],
        "ТКО consumers",
        readonly=True,
        copy=False,
    )
    tko_charge_ids = fields.One2many("tko.charge", "move_id", "Charge lines")

    def _tko_check_period_open(self):
        closed = self.filtered(lambda m: m.tko_period_id.state == "closed")
        if closed:
            raise UserError(
                _(
                    "%(moves)s belong to the closed billing period %(period)s: they cannot be "
                    "reset or cancelled.",
                    moves=", ".join(closed.mapped("name")),
                    period=", ".join(closed.tko_period_id.mapped("name")),
                )
            )

    def button_draft(self):
        self._tko_check_period_open()
        return super().button_draft()

    def button_cancel(self):
        self._tko_check_period_open()
        return super().button_cancel()
