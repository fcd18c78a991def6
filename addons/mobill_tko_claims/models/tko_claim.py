import datetime as dt

from odoo import _, api, fields, models
from odoo.addons.mobill_tko_base.tools import check_protected_write, trusted
from odoo.addons.mobill_tko_base.tools.access import LAWYER, READER, check_group, check_rights
from odoo.exceptions import UserError
from odoo.tools.misc import format_amount, format_date

try:
    from num2words import num2words
except ImportError:  # an optional dependency of Odoo: no sum in words without it
    num2words = None

CLAIM_KINDS = [
    ("claim", "Claim (pre-trial)"),
    ("court_order", "Application for a court order"),
    ("lawsuit", "Statement of claim"),
]
STAGES = [
    ("prepared", "Prepared"),
    ("sent", "Sent"),
    ("delivered", "Delivered"),
    ("answered", "Answered"),
    ("filed", "Filed with the court"),
    ("decision", "Court decision"),
    ("enforcement", "Enforcement"),
    ("closed", "Closed"),
]
STAGE_ORDER = [code for code, _label in STAGES]
# stages a kind goes through with "Next stage" (action_set_stage still sets any stage)
KIND_STAGES = {
    "claim": ["prepared", "sent", "delivered", "answered", "closed"],
    "court_order": ["prepared", "sent", "filed", "decision", "enforcement", "closed"],
    "lawsuit": ["prepared", "sent", "filed", "decision", "enforcement", "closed"],
}
# set by the actions (stage buttons, the calculation), never written directly by a client
PROTECTED_FIELDS = ("stage", "stage_date", "period_from", "period_to")


class TkoClaim(models.Model):
    """A claim, an application for a court order or a statement of claim against a debtor, with
    the debt and the penalty (and its breakdown) on its calculation date, tracked by stages."""

    _name = "tko.claim"
    _description = "Claim or lawsuit"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_prepared desc, id desc"
    _check_company_auto = True

    name = fields.Char(
        "Number", required=True, copy=False, readonly=True, index=True, default=lambda s: _("New")
    )
    kind = fields.Selection(CLAIM_KINDS, required=True, default="claim", tracking=True, index=True)
    template_id = fields.Many2one(
        "tko.claim.template",
        domain="[('kind', '=', kind)]",
        tracking=True,
        check_company=True,
    )
    partner_id = fields.Many2one(
        "res.partner", "Debtor", required=True, index=True, tracking=True, check_company=True
    )
    account_id = fields.Many2one(
        "tko.account", "Personal account", index=True, tracking=True, check_company=True
    )
    contract_id = fields.Many2one("tko.contract", index=True, tracking=True, check_company=True)
    parent_id = fields.Many2one(
        "tko.claim",
        "Preceded by",
        index=True,
        tracking=True,
        check_company=True,
        help="The claim this lawsuit or application follows.",
    )
    child_ids = fields.One2many("tko.claim", "parent_id", "Followed by")
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    user_id = fields.Many2one(
        "res.users", "Responsible", default=lambda self: self.env.user, tracking=True
    )
    calc_date = fields.Date(
        "Debt and penalty on", required=True, default=fields.Date.context_today, tracking=True
    )
    period_from = fields.Date("Debt from period", readonly=True)
    period_to = fields.Date("Debt to period", readonly=True)
    period_text = fields.Char("Months", compute="_compute_period_text")
    debt_amount = fields.Monetary("Debt", currency_field="currency_id", tracking=True)
    penalty_amount = fields.Monetary("Penalty", currency_field="currency_id", tracking=True)
    fee_amount = fields.Monetary("State fee", currency_field="currency_id", tracking=True)
    total_amount = fields.Monetary(
        "Total claimed", currency_field="currency_id", compute="_compute_total", store=True
    )
    debt_line_ids = fields.One2many("tko.penalty.debt", "claim_id", "Debt by period")
    penalty_line_ids = fields.One2many("tko.penalty.line", "claim_id", "Penalty breakdown")
    body = fields.Html("Text")
    # stages
    stage = fields.Selection(
        STAGES,
        default="prepared",
        required=True,
        readonly=True,
        index=True,
        tracking=True,
        copy=False,
    )
    stage_date = fields.Date("In this stage since", readonly=True, copy=False)
    deadline = fields.Date(compute="_compute_deadline", store=True, index=True, tracking=True)
    is_overdue = fields.Boolean(compute="_compute_is_overdue", search="_search_is_overdue")
    date_prepared = fields.Date("Prepared on", default=fields.Date.context_today, copy=False)
    date_sent = fields.Date("Sent on", copy=False, tracking=True)
    date_delivered = fields.Date("Delivered on", copy=False, tracking=True)
    date_answered = fields.Date("Answered on", copy=False, tracking=True)
    date_filed = fields.Date("Filed on", copy=False, tracking=True)
    date_decision = fields.Date("Decision on", copy=False, tracking=True)
    date_enforcement = fields.Date("Enforcement from", copy=False, tracking=True)
    date_closed = fields.Date("Closed on", copy=False, tracking=True)
    answer_deadline = fields.Date(
        "Answer due", compute="_compute_answer_deadline", store=True, readonly=False
    )
    # court
    court = fields.Char(tracking=True)
    case_number = fields.Char("Case number", tracking=True)
    decision_amount = fields.Monetary("Awarded", currency_field="currency_id", tracking=True)
    writ_number = fields.Char("Writ / court order number", tracking=True)
    result = fields.Selection(
        [
            ("paid", "Paid in full"),
            ("partial", "Paid in part"),
            ("agreement", "Payment schedule agreed"),
            ("won", "Won in court"),
            ("lost", "Lost in court"),
            ("withdrawn", "Withdrawn"),
            ("uncollectable", "Uncollectable"),
        ],
        tracking=True,
    )
    letter_ids = fields.One2many("tko.letter", "claim_id", "Correspondence")
    letter_count = fields.Integer(compute="_compute_letter_count")
    district_id = fields.Many2one("tko.address", compute="_compute_district", store=True)
    collected_amount = fields.Monetary(
        "Paid since",
        currency_field="currency_id",
        compute="_compute_collected",
        help="Payments of the debtor's account or contract since the claim was sent (or "
        "prepared).",
    )
    note = fields.Text()

    _sql_constraints = [
        (
            "target_check",
            "CHECK(account_id IS NOT NULL OR contract_id IS NOT NULL)",
            "A claim is made on a personal account or a contract.",
        ),
    ]

    # ------------------------------------------------------------------ computes
    @api.depends("debt_amount", "penalty_amount", "fee_amount")
    def _compute_total(self):
        for rec in self:
            rec.total_amount = rec.debt_amount + rec.penalty_amount + rec.fee_amount

    @api.depends("period_from", "period_to")
    def _compute_period_text(self):
        for rec in self:
            months = (f"{d:%m.%Y}" for d in (rec.period_from, rec.period_to) if d)
            rec.period_text = " – ".join(dict.fromkeys(months))

    @api.depends("stage", "stage_date", "kind", "company_id")
    def _compute_deadline(self):
        deadlines = self.env["tko.claim.deadline"].sudo().search([])
        table = {}
        for line in deadlines.sorted(lambda d: bool(d.company_id)):
            table[(line.kind, line.stage, line.company_id.id or False)] = line.days
        for rec in self:
            days = table.get((rec.kind, rec.stage, rec.company_id.id))
            if days is None:
                days = table.get((rec.kind, rec.stage, False), 0)
            if rec.stage == "delivered" and rec.template_id.answer_days:
                days = rec.template_id.answer_days
            start = rec.stage_date or rec.date_prepared
            rec.deadline = start + dt.timedelta(days=days) if days and start else False

    @api.depends("date_delivered", "date_sent", "template_id")
    def _compute_answer_deadline(self):
        for rec in self:
            start = rec.date_delivered or rec.date_sent
            days = rec.template_id.answer_days
            rec.answer_deadline = start + dt.timedelta(days=days) if start and days else False

    def _compute_is_overdue(self):
        today = fields.Date.context_today(self)
        for rec in self:
            rec.is_overdue = bool(rec.deadline and rec.deadline < today and rec.stage != "closed")

    def _search_is_overdue(self, operator, value):
        today = fields.Date.context_today(self)
        domain = [("deadline", "<", today), ("stage", "!=", "closed")]
        positive = (operator == "=" and value) or (operator == "!=" and not value)
        return domain if positive else ["!", "&", *domain]

    def _compute_letter_count(self):
        for rec in self:
            rec.letter_count = len(rec.letter_ids)

    @api.depends("account_id.address_id", "contract_id")
    def _compute_district(self):
        for rec in self:
            rec.district_id = self.env["tko.debtor"]._district_of(rec.account_id, rec.contract_id)

    def _compute_collected(self):
        payments = self.env["tko.debtor"]._payments_since(
            [
                (
                    rec.id,
                    rec.account_id.id,
                    rec.contract_id.id,
                    rec.date_sent or rec.date_prepared or rec.calc_date,
                    rec.company_id.id,
                )
                for rec in self
            ]
        )
        for rec in self:
            rec.collected_amount = payments.get(rec.id, 0.0)

    # ------------------------------------------------------------------ create / write
    @api.model_create_multi
    def create(self, vals_list):
        today = fields.Date.context_today(self)
        for vals in vals_list:
            # a new claim starts prepared (the form sends the default stage)
            given = {k: v for k, v in vals.items() if not (k == "stage" and v == "prepared")}
            check_protected_write(self, given, PROTECTED_FIELDS)
            if not vals.get("name") or vals["name"] == _("New"):
                vals["name"] = self.env["ir.sequence"].next_by_code(
                    f"tko.claim.{vals.get('kind') or 'claim'}"
                ) or _("New")
            vals.setdefault("stage_date", today)
            if not vals.get("partner_id"):
                if vals.get("account_id"):
                    vals["partner_id"] = (
                        self.env["tko.account"].browse(vals["account_id"]).partner_id.id
                    )
                elif vals.get("contract_id"):
                    vals["partner_id"] = (
                        self.env["tko.contract"].browse(vals["contract_id"]).partner_id.id
                    )
            if not vals.get("template_id"):
                template = self.env["tko.claim.template"].search(
                    [("kind", "=", vals.get("kind") or "claim")], limit=1
                )
                vals["template_id"] = template.id
        return super().create(vals_list)

    def write(self, vals):
        check_protected_write(self, vals, PROTECTED_FIELDS)
        if "stage" in vals:
            today = fields.Date.context_today(self)
            for rec in self:
                if rec.stage == vals["stage"]:
                    continue
                own = dict(vals)
                own["stage_date"] = today
                date_field = f"date_{vals['stage']}"
                if not rec[date_field] and date_field not in vals:
                    own[date_field] = today
                super(TkoClaim, rec).write(own)
            others = {k: v for k, v in vals.items() if k != "stage"}
            return super().write(others) if others else True
        return super().write(vals)

    # ------------------------------------------------------------------ calculation
    def action_compute(self):
        """Debt by period and the penalty with its breakdown on the claim's date, then the text."""
        check_group(self.env, LAWYER)
        check_rights(self, "write")
        penalty_model = self.env["tko.penalty"]
        for rec in trusted(self):
            if rec.stage != "prepared":
                raise UserError(
                    _(
                        "Claim %(name)s has left the “Prepared” stage: its amounts are fixed.",
                        name=rec.name,
                    )
                )
            target = rec.account_id or rec.contract_id
            result = self._check_overdue(target, rec.calc_date)[target.id]
            rec.debt_line_ids.unlink()
            rec.penalty_line_ids.unlink()
            debt_values, line_values = penalty_model._result_line_values(result)
            # a claim is made for what is overdue: the months not yet due stay out of it
            debt_values = [d for d in debt_values if d["due_date"] < rec.calc_date]
            for values in debt_values + line_values:
                values.update(claim_id=rec.id, company_id=rec.company_id.id)
            trusted(self.env["tko.penalty.debt"]).create(debt_values)
            trusted(self.env["tko.penalty.line"]).create(line_values)
            unpaid = [d for d in debt_values if d["unpaid"]]
            rec.write(
                {
                    "debt_amount": sum(d["unpaid"] for d in debt_values),
                    "penalty_amount": float(result.total),
                    "period_from": unpaid[0]["period"] if unpaid else False,
                    "period_to": unpaid[-1]["period"] if unpaid else False,
                }
            )
            rec._render_body()
        return True

    @api.model
    def _check_overdue(self, targets, calc_date):
        """``{id: PenaltyResult}`` of ``targets`` (accounts or contracts) on ``calc_date``;
        refuses when one of them has nothing overdue: no unpaid month past its due date and no
        penalty. The due dates are the penalty's own (``tko.penalty`` reads them with the
        ledger), a month is overdue from the day after its due date."""
        results = self.env["tko.penalty"]._compute_detailed(targets, calc_date)
        refused = []
        for target in targets:
            result = results[target.id]
            unpaid = [d for d in result.debts if d["unpaid"] > 0]
            if result.total or any(d["due_date"] < calc_date for d in unpaid):
                continue
            if unpaid:
                refused.append(
                    _(
                        "%(target)s: %(amount)s for %(month)s is due on %(due)s, not overdue yet",
                        target=target.display_name,
                        amount=format_amount(
                            self.env, float(unpaid[0]["unpaid"]), target.company_id.currency_id
                        ),
                        month=unpaid[0]["period"][5:7] + "." + unpaid[0]["period"][:4],
                        due=format_date(self.env, unpaid[0]["due_date"]),
                    )
                )
            else:
                refused.append(_("%(target)s: no debt", target=target.display_name))
        if refused:
            raise UserError(
                _(
                    "A claim is made for an overdue debt only. Nothing is overdue on %(date)s:"
                    "\n%(lines)s",
                    date=format_date(self.env, calc_date),
                    lines="\n".join(refused),
                )
            )
        return results

    def _amount_in_words(self, amount):
        """``amount`` in words for a Russian letter («Сто рублей, ноль копеек»); empty in another
        language or currency, or without num2words."""
        self.ensure_one()
        lang = self.env.context.get("lang") or self.env.lang or ""
        if not lang.startswith("ru") or self.currency_id.name != "RUB" or not num2words:
            return ""
        text = num2words(round(float(amount), 2), lang="ru", to="currency", currency="RUB")
        return text[:1].upper() + text[1:]

    def _render_body(self):
        for rec in self.filtered("template_id"):
            body = self.env["mail.render.mixin"]._render_template(
                rec.template_id.body or "", "tko.claim", rec.ids, engine="qweb"
            )[rec.id]
            rec.body = body

    # ------------------------------------------------------------------ stages
    def _check_stage_access(self):
        check_group(self.env, LAWYER)
        check_rights(self, "write")

    def action_next_stage(self):
        self._check_stage_access()
        for rec in trusted(self):
            path = KIND_STAGES[rec.kind]
            if rec.stage == "closed":
                raise UserError(_("Claim %(name)s is closed.", name=rec.name))
            later = [s for s in path if STAGE_ORDER.index(s) > STAGE_ORDER.index(rec.stage)]
            rec.stage = later[0] if later else "closed"
        return True

    def action_set_stage(self, stage, date=None):
        """Move to ``stage`` on ``date`` (default today): the lawyer's action."""
        self._check_stage_access()
        if date:
            date = fields.Date.to_date(date)
        return self._set_stage(stage, date)

    def _set_stage(self, stage, date=None):
        """Move to ``stage`` on ``date`` (default today), rights checked by the caller."""
        if stage not in STAGE_ORDER:
            raise UserError(_("Unknown stage %(stage)s.", stage=stage))
        values = {"stage": stage}
        if date:
            values[f"date_{stage}"] = date
        records = trusted(self)
        records.write(values)
        if date:
            records.write({"stage_date": date})
        return True

    def action_close(self):
        return self.action_set_stage("closed")

    def _check_read_access(self):
        check_group(self.env, READER)
        return check_rights(self)

    def action_make_lawsuit(self):
        """A court application following this claim, on today's debt."""
        self.ensure_one()
        check_group(self.env, LAWYER)
        check_rights(self)
        kind = "court_order" if self.partner_id.tko_kind == "person" else "lawsuit"
        child = self.create(
            {
                "kind": self.env.context.get("lawsuit_kind") or kind,
                "partner_id": self.partner_id.id,
                "account_id": self.account_id.id,
                "contract_id": self.contract_id.id,
                "parent_id": self.id,
                "user_id": self.user_id.id,
            }
        )
        child.action_compute()
        return {
            "type": "ir.actions.act_window",
            "res_model": "tko.claim",
            "res_id": child.id,
            "view_mode": "form",
        }

    def action_print(self):
        self._check_read_access()
        return self.env.ref("mobill_tko_claims.action_report_tko_claim").report_action(self)

    def action_new_letter(self):
        self.ensure_one()
        self._check_read_access()
        return {
            "type": "ir.actions.act_window",
            "res_model": "tko.letter",
            "view_mode": "form",
            "context": {
                "default_claim_id": self.id,
                "default_partner_id": self.partner_id.id,
                "default_account_id": self.account_id.id,
                "default_contract_id": self.contract_id.id,
                "default_direction": "out",
                "default_kind": "claim",
                "default_subject": self.display_name,
            },
        }

    def action_view_letters(self):
        self.ensure_one()
        self._check_read_access()
        return {
            "type": "ir.actions.act_window",
            "name": _("Correspondence"),
            "res_model": "tko.letter",
            "view_mode": "tree,form",
            "domain": [("claim_id", "=", self.id)],
            "context": {"default_claim_id": self.id, "default_partner_id": self.partner_id.id},
        }

    @api.model
    def _cron_check_deadlines(self):
        """An activity for the responsible person of each claim whose stage is overdue."""
        todo = self.env.ref("mail.mail_activity_data_todo")
        stages = dict(self._fields["stage"]._description_selection(self.env))
        for rec in self.search([("is_overdue", "=", True)]):
            summary = _("Stage “%(stage)s” overdue", stage=stages[rec.stage])
            if rec.activity_ids.filtered(lambda a, s=summary: a.summary == s):
                continue
            rec.activity_schedule(
                activity_type_id=todo.id,
                summary=summary,
                note=_(
                    "%(name)s has been in the stage “%(stage)s” since %(since)s; the deadline "
                    "was %(deadline)s.",
                    name=rec.name,
                    stage=stages[rec.stage],
                    since=rec.stage_date,
                    deadline=rec.deadline,
                ),
                user_id=(rec.user_id or self.env.user).id,
            )
