from odoo import api, fields, models
from odoo.addons.mobill_tko_base.tools import trusted

METHODS = [
    ("post", "Ordinary post"),
    ("registered", "Registered post with notice of delivery"),
    ("courier", "Courier"),
    ("hand", "By hand"),
    ("email", "E-mail"),
    ("edo", "Electronic document exchange"),
    ("portal", "Consumer's cabinet"),
]
RESULTS = [
    ("sent", "Sent"),
    ("delivered", "Delivered"),
    ("refused", "Refused"),
    ("returned", "Returned (not collected)"),
    ("lost", "Lost"),
]


class TkoLetterDelivery(models.Model):
    """One attempt to deliver a letter (or to receive one): method, date, who delivered, who
    received, tracking number and result."""

    _name = "tko.letter.delivery"
    _description = "Letter delivery"
    _order = "date desc, id desc"
    _check_company_auto = True

    letter_id = fields.Many2one(
        "tko.letter", required=True, index=True, ondelete="cascade", check_company=True
    )
    company_id = fields.Many2one(related="letter_id.company_id", store=True, index=True)
    method = fields.Selection(METHODS, required=True, default="registered")
    date = fields.Date(required=True, default=fields.Date.context_today)
    delivered_by = fields.Char("Delivered by", help="Courier, post office, employee.")
    received_by = fields.Char("Received by", help="Name and position of the person who signed.")
    tracking_number = fields.Char("Tracking number (ШПИ)")
    result = fields.Selection(RESULTS, required=True, default="sent")
    note = fields.Char()

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        records._update_letters()
        return records

    def write(self, vals):
        result = super().write(vals)
        if {"result", "date"} & set(vals):
            self._update_letters()
        return result

    def _update_letters(self):
        """The letter's state follows its latest delivery; the claim's stage too. The caller
        may change the letters (the delivery is theirs); the state is the system's."""
        letters = self.letter_id
        letters.check_access_rights("write")
        letters.check_access_rule("write")
        for letter in trusted(letters):
            last = letter.delivery_ids.sorted(lambda d: (d.date, d.id))[-1:]
            if not last or letter.state == "closed":
                continue
            state = {
                "sent": "sent",
                "delivered": "delivered",
                "refused": "delivered",
                "returned": "returned",
                "lost": "sent",
            }[last.result]
            letter.state = state
            # whoever registers the delivery (an operator too) moves the claim it carries
            claim = letter.claim_id.sudo()
            if claim and letter.direction == "out":
                if last.result == "sent" and claim.stage == "prepared":
                    claim._set_stage("sent", last.date)
                elif last.result in ("delivered", "refused", "returned") and claim.stage in (
                    "prepared",
                    "sent",
                ):
                    # a refused or uncollected letter counts as delivered (ГК РФ ст. 165.1)
                    if claim.stage == "prepared":
                        claim._set_stage("sent", last.date)
                    if claim.kind == "claim":
                        claim._set_stage("delivered", last.date)
