from decimal import Decimal

from markupsafe import Markup, escape
from odoo import _, api, fields, models
from odoo.addons.mobill_tko_base.tools import core_error_message, is_trusted
from odoo.addons.mobill_tko_base.tools.access import check_rights
from odoo.exceptions import UserError

from mobill_tko_core import explain
from mobill_tko_core.billing import stored_inputs
from mobill_tko_core.charges import ChargeSettings, compute_charge
from mobill_tko_core.errors import CoreError

from ..tools.explain import format_number
from ..tools.fields import Many2oneNoForeignKey

KINDS = [
    ("charge", "Charge"),
    ("absence", "Temporary absence"),
    ("recalc", "Recalculation"),
]
METHODS = [
    ("residents", "By residents"),
    ("area", "By total area"),
    ("owners", "By owners"),
    ("norm_units", "By norm per calculation unit"),
    ("containers", "By containers"),
    ("fixed_volume", "By fixed agreed volume"),
    ("measured_volume", "By measured volume"),
    ("measured_mass", "By measured mass"),
]
CONSUMERS = [("individual", "Individual"), ("legal", "Legal entity or entrepreneur")]
VAT_MODES = [
    ("included", "VAT included"),
    ("excluded", "VAT on top"),
    ("not_subject", "Not subject to VAT"),
]

#: columns written by the mass writer (COPY), in this order
COPY_COLUMNS = (
    "company_id",
    "period_id",
    "date",
    "kind",
    "state",
    "consumer",
    "account_id",
    "contract_id",
    "contract_line_id",
    "object_id",
    "partner_id",
    "zone_id",
    "method",
    "unit",
    "service_start",
    "service_end",
    "days_in_service",
    "days_in_month",
    "residents",
    "owners",
    "area",
    "units",
    "norm",
    "tariff",
    "vat_mode",
    "vat_rate",
    "quantity",
    "amount_net",
    "amount_vat",
    "amount_total",
    "tariff_ref",
    "norm_ref",
    "characteristic_ref",
    "version_refs",
    "inputs",
    "run_id",
    "corrected_period_id",
    "recalculation_id",
    "note",
)


class TkoCharge(models.Model):
    """One line of the charge ledger: a month's charge of an account or a contract object.

    Every line keeps the inputs it was computed from (method, quantity, residents or units,
    norm, tariff, days, VAT, the versions of the characteristic, tariff and norm used), so
    the amount can be recomputed and explained at any time. Lines are written in bulk by the
    charge runs (COPY), never one by one; the lines of a closed period are locked (also in
    the database, by a trigger).
    """

    _name = "tko.charge"
    _description = "Charge line"
    _check_company_auto = True
    _order = "period_id desc, id"
    _log_access = False

    company_id = Many2oneNoForeignKey("res.company", required=True, readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    period_id = Many2oneNoForeignKey(
        "tko.billing.period",
        "Period",
        required=True,
        readonly=True,
        help="The period the line is booked in (a period with lines cannot be deleted).",
        check_company=True,
    )
    date = fields.Date(
        readonly=True, help="Accounting date of the line: the last day of its period."
    )
    kind = fields.Selection(KINDS, required=True, readonly=True, default="charge")
    state = fields.Selection(
        [("draft", "Calculated"), ("posted", "In accounting")],
        required=True,
        readonly=True,
        default="draft",
    )
    consumer = fields.Selection(CONSUMERS, "Consumer kind", required=True, readonly=True)
    account_id = fields.Many2one(
        "tko.account", "Personal account", readonly=True, ondelete="restrict", check_company=True
    )
    contract_id = fields.Many2one(
        "tko.contract", readonly=True, ondelete="restrict", check_company=True
    )
    contract_line_id = fields.Many2one(
        "tko.contract.line",
        "Contract object",
        readonly=True,
        ondelete="set null",
        check_company=True,
    )
    object_id = Many2oneNoForeignKey("tko.object", "Object", readonly=True, check_company=True)
    partner_id = Many2oneNoForeignKey("res.partner", "Consumer", readonly=True)
    zone_id = Many2oneNoForeignKey(
        "tko.tariff.zone", "Tariff zone", readonly=True, check_company=True
    )
    method = fields.Selection(METHODS, readonly=True)
    unit = fields.Selection([("m3", "m³"), ("t", "t")], readonly=True)
    service_start = fields.Date("Service from", readonly=True)
    service_end = fields.Date("Service to", readonly=True)
    days_in_service = fields.Integer("Days of service", readonly=True)
    days_in_month = fields.Integer("Days in month", readonly=True)
    residents = fields.Integer(readonly=True)
    owners = fields.Integer(readonly=True)
    area = fields.Float("Area, m²", digits=(16, 4), readonly=True)
    units = fields.Float("Calculation units", digits=(16, 4), readonly=True)
    norm = fields.Float("Norm per unit per year", digits=(16, 6), readonly=True)
    tariff = fields.Float(digits=(16, 2), readonly=True)
    vat_mode = fields.Selection(VAT_MODES, "VAT", readonly=True)
    vat_rate = fields.Float("VAT rate, %", digits=(5, 2), readonly=True)
    quantity = fields.Float("Volume or mass", digits=(18, 6), readonly=True)
    amount_net = fields.Monetary("Net", readonly=True)
    amount_vat = fields.Monetary("VAT amount", readonly=True)
    amount_total = fields.Monetary("Amount", readonly=True)
    tariff_ref = fields.Integer("Tariff version ID", readonly=True)
    norm_ref = fields.Integer("Norm version ID", readonly=True)
    characteristic_ref = fields.Integer("Characteristic version ID", readonly=True)
    tariff_id = fields.Many2one("tko.tariff", "Tariff version", compute="_compute_versions")
    norm_id = fields.Many2one("tko.norm", "Norm version", compute="_compute_versions")
    characteristic_ids = fields.Many2many(
        "tko.object.characteristic",
        string="Characteristic versions",
        compute="_compute_versions",
    )
    version_refs = fields.Char(
        "Versions used", readonly=True, help="kind:id of every registry version used."
    )
    inputs = fields.Json(readonly=True, help="The core inputs when they are not plain columns.")
    run_id = Many2oneNoForeignKey("tko.charge.run", "Charge run", readonly=True, check_company=True)
    corrected_period_id = fields.Many2one(
        "tko.billing.period",
        "Corrected period",
        readonly=True,
        ondelete="restrict",
        help="For a recalculation: the closed period it corrects.",
        check_company=True,
    )
    recalculation_id = fields.Many2one(
        "tko.recalculation", "Recalculation", readonly=True, ondelete="restrict", check_company=True
    )
    note = fields.Char("Basis", readonly=True)
    move_id = fields.Many2one(
        "account.move", "Accounting entry", readonly=True, copy=False, check_company=True
    )
    explanation_html = fields.Html("Explanation", compute="_compute_explanation", sanitize=False)

    def init(self):
        cr = self.env.cr
        cr.execute(
            """
            CREATE INDEX IF NOT EXISTS tko_charge_account_period_idx
                ON tko_charge (account_id, period_id) WHERE account_id IS NOT NULL;
            CREATE INDEX IF NOT EXISTS tko_charge_contract_period_idx
                ON tko_charge (contract_id, period_id) WHERE contract_id IS NOT NULL;
            CREATE INDEX IF NOT EXISTS tko_charge_move_idx
                ON tko_charge (move_id) WHERE move_id IS NOT NULL;
            CREATE INDEX IF NOT EXISTS tko_charge_corrected_idx
                ON tko_charge (corrected_period_id) WHERE corrected_period_id IS NOT NULL;
            CREATE INDEX IF NOT EXISTS tko_charge_recalculation_idx
                ON tko_charge (recalculation_id) WHERE recalculation_id IS NOT NULL;
            CREATE INDEX IF NOT EXISTS tko_charge_period_run_idx
                ON tko_charge (period_id, run_id);
            CREATE INDEX IF NOT EXISTS tko_charge_posted_idx
                ON tko_charge (period_id, account_id) WHERE state = 'posted';

            -- A closed period is locked in the database too: no statement may insert, change or
            -- delete its lines, nor move a line into it or out of it (statement-level triggers:
            -- one check per statement, COPY included; an UPDATE checks the old and the new rows).
            CREATE OR REPLACE FUNCTION tko_charge_locked_old_rows() RETURNS trigger AS $$
            BEGIN
                IF EXISTS (SELECT 1 FROM tko_charge_old c
                             JOIN tko_billing_period p ON p.id = c.period_id
                            WHERE p.state = 'closed') THEN
                    RAISE EXCEPTION 'tko_charge: the period is closed, its charges are locked'
                        USING ERRCODE = 'check_violation';
                END IF;
                RETURN NULL;
            END $$ LANGUAGE plpgsql;
            CREATE OR REPLACE FUNCTION tko_charge_locked_new_rows() RETURNS trigger AS $$
            BEGIN
                IF EXISTS (SELECT 1 FROM tko_charge_new c
                             JOIN tko_billing_period p ON p.id = c.period_id
                            WHERE p.state = 'closed') THEN
                    RAISE EXCEPTION 'tko_charge: the period is closed, its charges are locked'
                        USING ERRCODE = 'check_violation';
                END IF;
                RETURN NULL;
            END $$ LANGUAGE plpgsql;
            DROP TRIGGER IF EXISTS tko_charge_lock_insert ON tko_charge;
            CREATE TRIGGER tko_charge_lock_insert AFTER INSERT ON tko_charge
                REFERENCING NEW TABLE AS tko_charge_new
                FOR EACH STATEMENT EXECUTE FUNCTION tko_charge_locked_new_rows();
            DROP TRIGGER IF EXISTS tko_charge_lock_update ON tko_charge;
            CREATE TRIGGER tko_charge_lock_update AFTER UPDATE ON tko_charge
                REFERENCING OLD TABLE AS tko_charge_old
                FOR EACH STATEMENT EXECUTE FUNCTION tko_charge_locked_old_rows();
            DROP TRIGGER IF EXISTS tko_charge_lock_update_new ON tko_charge;
            CREATE TRIGGER tko_charge_lock_update_new AFTER UPDATE ON tko_charge
                REFERENCING NEW TABLE AS tko_charge_new
                FOR EACH STATEMENT EXECUTE FUNCTION tko_charge_locked_new_rows();
            DROP TRIGGER IF EXISTS tko_charge_lock_delete ON tko_charge;
            CREATE TRIGGER tko_charge_lock_delete AFTER DELETE ON tko_charge
                REFERENCING OLD TABLE AS tko_charge_old
                FOR EACH STATEMENT EXECUTE FUNCTION tko_charge_locked_old_rows();
            DROP FUNCTION IF EXISTS tko_charge_locked_rows();
            """
        )

    @api.depends("period_id", "account_id", "contract_id", "kind")
    @api.depends_context("lang")
    def _compute_display_name(self):
        for rec in self:
            values = {
                "who": rec.account_id.name or rec.contract_id.name or "",
                "period": rec.period_id.name or "",
            }
            if rec.kind == "recalc":
                rec.display_name = _("Recalculation %(who)s for %(period)s", **values)
            elif rec.kind == "absence":
                rec.display_name = _("Absence recalculation %(who)s for %(period)s", **values)
            else:
                rec.display_name = _("Charge %(who)s for %(period)s", **values)

    def _compute_versions(self):
        Char = self.env["tko.object.characteristic"]
        for rec in self:
            rec.tariff_id = self.env["tko.tariff"].browse(rec.tariff_ref or [])
            rec.norm_id = self.env["tko.norm"].browse(rec.norm_ref or [])
            ids = []
            for part in (rec.version_refs or "").split(";"):
                kind, _sep, values = part.partition(":")
                if kind in ("tariff", "norm", "measurements") or not values:
                    continue
                ids += [int(v) for v in values.split(",") if v.isdigit()]
            rec.characteristic_ids = Char.browse(ids).exists()

    # ------------------------------------------------------------------ lock
    def _check_unlocked(self):
        closed = self.period_id.filtered(lambda p: p.state == "closed")
        if closed:
            raise UserError(
                _(
                    "Period %(name)s is closed: its charges are locked. Book a correction as a "
                    "recalculation in the open period.",
                    name=", ".join(closed.mapped("name")),
                )
            )

    def _is_engine(self):
        """The ledger is written by the server's own code only: charge runs and recalculations
        (``trusted()``) or superuser code; a client's context cannot claim to be the engine."""
        return self.env.su or is_trusted(self)

    @api.model_create_multi
    def create(self, vals_list):
        if not self._is_engine():
            raise UserError(_("Charge lines are written by charge runs and recalculations only."))
        records = super().create(vals_list)
        records._check_unlocked()
        return records

    def write(self, vals):
        self._check_unlocked()
        if not self._is_engine():
            raise UserError(_("Charge lines cannot be edited: recalculate them instead."))
        if vals.get("period_id"):
            # the old rows were checked above; a line cannot move into a closed period either
            self.env["tko.billing.period"].browse(vals["period_id"])._check_open()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_locked(self):
        self._check_unlocked()
        if not self._is_engine():
            raise UserError(
                _("Charge lines cannot be deleted: re-run the period or book a recalculation.")
            )

    # ------------------------------------------------------------------ explanation
    def _core_inputs(self):
        """The core input dict this line was computed from (rebuilt from its columns)."""
        self.ensure_one()
        return stored_inputs(
            self.period_id.date_start.strftime("%Y-%m"),
            self.method,
            self.residents,
            self.owners,
            format_number(self.norm, 6),
            format_number(self.tariff, 2),
            self.vat_mode,
            format_number(self.vat_rate, 2),
            self.inputs,
        )

    def _recompute(self):
        """The core result of the line's own inputs (``None`` for recalculation lines)."""
        self.ensure_one()
        if self.kind != "charge":
            return None
        return compute_charge(self._core_inputs(), ChargeSettings())

    @api.depends_context("lang")
    def _compute_explanation(self):
        for rec in self:
            rec.explanation_html = rec._explanation_html()

    def _explanation_html(self):
        self.ensure_one()
        if not self.id:
            return False
        parts = self._explanation_steps()
        return Markup("<ol>%s</ol>") % Markup("").join(
            Markup("<li>%s</li>") % escape(p) for p in parts
        )

    def _explanation_notes(self):
        """The explanation of the line as core notes (code and parameters)."""
        self.ensure_one()
        notes = []
        if self.kind == "recalc":
            data = self.inputs or {}
            notes.append(
                {
                    "code": "line.recalc",
                    "params": {
                        "period": self.corrected_period_id.name,
                        "booked": self.period_id.name,
                        "basis": self.note or self.recalculation_id.display_name or "",
                    },
                }
            )
            notes.append(
                {
                    "code": "line.recalc.summary",
                    "params": {
                        "period": self.corrected_period_id.name,
                        "old": data.get("old_total"),
                        "before": data.get("booked_before"),
                        "new": data.get("new_total"),
                        "diff": self._money(self.amount_total),
                        "mode": "exact" if data.get("mode") == "exact" else "document",
                    },
                }
            )
            for code, key in (("line.recalc.before", "old"), ("line.recalc.now", "new")):
                for inputs in data.get(key) or []:
                    try:
                        result = compute_charge(inputs, ChargeSettings())
                    except CoreError:
                        continue
                    notes.append({"code": code, "params": {}, "notes": result.explanation})
        elif self.kind == "absence":
            data = self.inputs or {}
            for row in data.get("absences", []):
                notes.append(
                    {
                        "code": "line.absence.row",
                        "params": {
                            "persons": row.get("persons"),
                            "departure": row.get("departure"),
                            "arrival": row.get("arrival"),
                            "full_days": row.get("full_days"),
                            "in_month": row.get("full_days_in_month"),
                            "min_full_days": ChargeSettings().absence_min_full_days,
                        },
                    }
                )
            notes.append(
                {"code": "line.absence", "params": {"amount": self._money(self.amount_total)}}
            )
        else:
            result = self._recompute()
            notes += result.explanation
            notes += [a.explanation for a in result.adjustments]
            if result.amount != self._main_amount():
                notes.append(
                    {
                        "code": "line.mismatch",
                        "params": {"now": result.amount, "stored": self._main_amount()},
                    }
                )
        return notes

    @staticmethod
    def _money(value):
        """A Monetary value read from the ORM (a float) as exact roubles and kopecks."""
        return Decimal(str(value or 0)).quantize(Decimal("0.01"))

    def _main_amount(self):
        """The line's amount as the core rounds it (net for VAT on top, else the total)."""
        return self._money(self.amount_net if self.vat_mode == "excluded" else self.amount_total)

    def _explanation_steps(self):
        """The steps of the explanation as text in the user's language (the core writes them:
        numbers, dates and units as the language writes them)."""
        self.ensure_one()
        lang = self.env.lang or "en_US"
        currency = self.currency_id.symbol or None
        try:
            notes = self._explanation_notes()
        except CoreError as error:
            return [core_error_message(error, self.env)]
        steps = []
        for item in notes:
            text = explain.render(item, lang, currency)
            if item.get("notes"):
                inner = " ".join(explain.render(n, lang, currency) for n in item["notes"])
                text = explain.render({"code": item["code"], "params": {"text": inner}}, lang)
            steps.append(text)
        return steps

    def action_open_explanation(self):
        self.ensure_one()
        check_rights(self)
        return {
            "type": "ir.actions.act_window",
            "name": _("Explanation"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [(self.env.ref("mobill_tko_billing.tko_charge_view_form").id, "form")],
            "target": "new",
        }
