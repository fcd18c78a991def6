from odoo import _, api, fields, models
from odoo.addons.mobill_tko_base.tools import trusted
from odoo.addons.mobill_tko_base.tools.access import check_action
from odoo.exceptions import UserError, ValidationError

from mobill_tko_core.charges import ChargeSettings, absence_full_days

from ..tools.explain import user_date

#: fields only the absence's actions write
PROTECTED_FIELDS = ("state", "recalculation_id")


class TkoAbsence(models.Model):
    """A consumer's application for a recalculation for temporary absence (ПП 354 п. 148(44)).

    More than 5 full days in a row, the days of departure and arrival not counted. Confirmed
    absences enter the charges of the open period; for closed periods confirming books a
    recalculation in the open period.
    """

    _name = "tko.absence"
    _description = "Temporary absence"
    _check_company_auto = True
    _inherit = ["mail.thread", "tko.protected.fields.mixin"]
    _tko_protected_fields = PROTECTED_FIELDS
    _order = "departure desc"

    account_id = fields.Many2one(
        "tko.account",
        "Personal account",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
    )
    partner_id = fields.Many2one(related="account_id.partner_id", store=True)
    company_id = fields.Many2one(related="account_id.company_id", store=True, index=True)
    departure = fields.Date(required=True, tracking=True)
    arrival = fields.Date(required=True, tracking=True)
    persons = fields.Integer(default=1, required=True, tracking=True)
    full_days = fields.Integer(compute="_compute_full_days", store=True)
    counted = fields.Boolean(
        "Recalculated", compute="_compute_full_days", store=True, help="More than 5 full days."
    )
    document_id = fields.Many2one(
        "tko.document", "Supporting document", tracking=True, check_company=True
    )
    date_application = fields.Date(
        "Application filed on", default=fields.Date.context_today, tracking=True
    )
    state = fields.Selection(
        [("draft", "Draft"), ("confirmed", "Confirmed"), ("cancelled", "Cancelled")],
        default="draft",
        required=True,
        tracking=True,
    )
    recalculation_id = fields.Many2one(
        "tko.recalculation", readonly=True, copy=False, check_company=True
    )
    note = fields.Text()

    @api.depends("account_id.name", "departure", "arrival")
    @api.depends_context("lang")
    def _compute_display_name(self):
        for rec in self:
            rec.display_name = _(
                "Absence %(account)s, %(dep)s–%(arr)s",
                account=rec.account_id.name or "",
                dep=user_date(self.env, rec.departure),
                arr=user_date(self.env, rec.arrival),
            )

    @api.depends("departure", "arrival")
    def _compute_full_days(self):
        minimum = ChargeSettings().absence_min_full_days
        for rec in self:
            if rec.departure and rec.arrival and rec.arrival > rec.departure:
                rec.full_days = absence_full_days(rec.departure, rec.arrival)
            else:
                rec.full_days = 0
            rec.counted = rec.full_days > minimum

    @api.constrains("departure", "arrival", "persons")
    def _check_dates(self):
        for rec in self:
            if rec.arrival <= rec.departure:
                raise ValidationError(_("The arrival must be after the departure."))
            if rec.persons < 1:
                raise ValidationError(_("At least one person must be absent."))

    def action_confirm(self):
        check_action(self)
        for rec in trusted(self):
            if rec.state != "draft":
                raise UserError(_("Only a draft absence can be confirmed."))
            rec.state = "confirmed"
            rec._book_past()
        return True

    def action_cancel(self):
        check_action(self)
        for rec in trusted(self):
            was_confirmed = rec.state == "confirmed"
            rec.state = "cancelled"
            if was_confirmed:
                rec._book_past()
        return True

    def action_draft(self):
        check_action(self)
        trusted(self.filtered(lambda r: r.state == "cancelled")).write({"state": "draft"})
        return True

    def _book_past(self):
        """Recalculate the closed periods the absence touches (booked in the open period)."""
        self.ensure_one()
        recalc = self.env["tko.recalculation"].with_context(tko_no_recalc=False)
        last_closed = recalc._last_closed_end(self.company_id)
        if not last_closed or self.departure > last_closed:
            self.message_post(
                body=_("The absence falls in the open period: it enters its next charge run.")
            )
            return
        rec = recalc.create(
            {
                "company_id": self.company_id.id,
                "basis_type": "absence",
                "basis_ref": f"tko.absence,{self.id}",
                "document_id": self.document_id.id,
                "reason": _(
                    "temporary absence %(dep)s–%(arr)s, %(persons)s person(s)",
                    dep=user_date(self.env, self.departure),
                    arr=user_date(self.env, self.arrival),
                    persons=self.persons,
                ),
                "date_from": self.departure,
                "date_to": self.arrival,
                "scope": "accounts",
                "account_ids": [fields.Command.set(self.account_id.ids)],
            }
        )
        self.recalculation_id = rec
        rec._action_book()
