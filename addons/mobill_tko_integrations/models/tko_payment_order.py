from decimal import Decimal

from odoo import _, api, fields, models
from odoo.addons.mobill_tko_base.tools import trusted
from odoo.addons.mobill_tko_base.tools.access import ACCOUNTANT, check_action
from odoo.exceptions import UserError

# An order is what the bank statement says and what its check against the registry found:
# the import and the actions write it (trusted()), never a client.
ENGINE_FIELDS = (
    "import_id",
    "import_line",
    "company_id",
    "number",
    "date",
    "date_received",
    "amount",
    "payer_name",
    "payer_inn",
    "purpose",
    "key",
    "registry_import_id",
    "registry_amount",
    "payment_id",
    "state",
)


class TkoPaymentOrder(models.Model):
    """A bank's aggregated payment order found in a 1C statement: it carries the money of a
    payment registry, whose lines are the consumers' payments. It is not booked as a payment
    (that would count the money twice); it is matched to its registry instead, so that the
    registry's total can be checked against the money the bank really transferred."""

    _name = "tko.payment.order"
    _description = "Registry payment order"
    _inherit = ["tko.protected.fields.mixin"]
    _tko_protected_fields = ENGINE_FIELDS
    _order = "date desc, id desc"
    _rec_name = "number"
    _check_company_auto = True

    import_id = fields.Many2one(
        "tko.payment.import",
        "Bank statement",
        required=True,
        ondelete="cascade",
        index=True,
        check_company=True,
    )
    import_line = fields.Integer("Line in the statement", readonly=True)
    company_id = fields.Many2one("res.company", required=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    number = fields.Char("Order number", required=True, index=True)
    date = fields.Date("Order date", required=True)
    date_received = fields.Date("Received on")
    amount = fields.Monetary(required=True)
    payer_name = fields.Char("Payer")
    payer_inn = fields.Char("Payer INN")
    purpose = fields.Text("Purpose of payment")
    key = fields.Char("Idempotency key", required=True, readonly=True)
    registry_import_id = fields.Many2one(
        "tko.payment.import",
        "Registry",
        index=True,
        check_company=True,
        help="The registry whose money it carries.",
    )
    registry_amount = fields.Monetary(
        "Registry expects", help="The sum to transfer named in the registry's trailer."
    )
    difference = fields.Monetary(compute="_compute_difference", store=True)
    payment_id = fields.Many2one(
        "tko.payment",
        "Payment",
        readonly=True,
        check_company=True,
        help="Booked as a payment by hand.",
    )
    state = fields.Selection(
        [
            ("unmatched", "Registry not received"),
            ("matched", "Matched"),
            ("mismatch", "Amount differs"),
            ("booked", "Booked as a payment"),
        ],
        default="unmatched",
        required=True,
        index=True,
    )

    _sql_constraints = [
        (
            "key_company_uniq",
            "unique(company_id, key)",
            "This payment order has been read from a statement already.",
        )
    ]

    @api.depends("amount", "registry_amount", "registry_import_id")
    def _compute_difference(self):
        for rec in self:
            rec.difference = (
                rec.amount - rec.registry_amount if rec.registry_import_id else rec.amount
            )

    def _match_registries(self, registries=None):
        """Link each unmatched order to the registry import (done) whose trailer names it."""
        Import = self.env["tko.payment.import"]
        for rec in self.filtered(lambda o: o.state == "unmatched"):
            candidates = registries
            if candidates is None:
                candidates = Import.search(
                    [
                        ("company_id", "=", rec.company_id.id),
                        ("file_format", "=", "registry"),
                        ("state", "=", "done"),
                        ("registry_number", "=", rec.number.strip()),
                        ("order_id", "=", False),
                    ]
                )
            for registry in candidates:
                state = registry._order_state(rec)
                if state:
                    trusted(rec).write(
                        {
                            "registry_import_id": registry.id,
                            "registry_amount": registry._order_expected(),
                            "state": state,
                        }
                    )
                    trusted(registry).order_id = rec
                    break
        return True

    def action_book_as_payment(self):
        """The document was taken for a registry transfer but is a payment of its own (no
        registry will come): book it as a payment, matched like any statement payment or left
        in the queue of unallocated payments."""
        check_action(self, ACCOUNTANT, "write")
        created = self.env["tko.payment"]
        for rec in self:
            if rec.state != "unmatched":
                raise UserError(
                    _(
                        "Only an order whose registry has not been received can be booked as a "
                        "payment; order %(number)s is «%(state)s».",
                        number=rec.number,
                        state=dict(rec._fields["state"]._description_selection(self.env))[
                            rec.state
                        ],
                    )
                )
            statement = rec.import_id
            payment = {
                "line": rec.import_line,
                "key": rec.key,
                "amount": Decimal(str(rec.amount)),
                "date_paid": rec.date,
                "date_booked": rec.date_received or rec.date,
                "account_number": "",
                "purpose": rec.purpose or "",
                "payer": rec.payer_name or "",
                "payer_inn": rec.payer_inn or "",
                "reference": rec.number,
                "period": None,
                "bank": statement.bank or "",
                "registry_number": rec.number,
            }
            account, contract = statement._match([payment]).get(rec.key, (False, False))
            vals = dict(
                statement._payment_vals(payment, {}),
                account_id=account,
                contract_id=contract,
            )
            new = self.env["tko.payment"].create(vals)
            if account or contract:
                new.action_post()
            trusted(rec).write({"state": "booked", "payment_id": new.id})
            new._message_log(
                body=_(
                    "Booked by %(user)s from the statement's payment order %(number)s, first "
                    "taken for a registry transfer.",
                    user=self.env.user.name,
                    number=rec.number,
                )
            )
            created |= new
        return created.get_formview_action() if len(created) == 1 else True
