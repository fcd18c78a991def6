import datetime as dt
import logging
from decimal import Decimal

from odoo import _, api, fields, models
from odoo.addons.mobill_tko_base.tools import core_error_message, raise_user_error
from odoo.exceptions import ValidationError

from mobill_tko_core import rates as core_rates
from mobill_tko_core.formats import cbr_dailyinfo as cbr

_logger = logging.getLogger(__name__)

RATE_KINDS = [("key", "Key rate"), ("refinancing", "Refinancing rate")]


def to_decimal_rate(value) -> Decimal:
    """A rate stored as numeric(8, 4) and read as a float, back to its exact decimal."""
    return Decimal(str(round(value or 0.0, 4))).normalize()


class TkoRate(models.Model):
    """A step of the Bank of Russia key rate or refinancing rate: in force from ``date_from``
    until the next step. Shared by all companies when ``company_id`` is empty."""

    _name = "tko.rate"
    _description = "Bank of Russia rate"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "kind, date_from desc"
    _rec_name = "date_from"

    kind = fields.Selection(RATE_KINDS, required=True, default="key", index=True, tracking=True)
    date_from = fields.Date("In force from", required=True, index=True, tracking=True)
    rate = fields.Float("Rate, %", digits=(8, 4), required=True, tracking=True)
    source = fields.Selection(
        [
            ("seed", "Seed file"),
            ("cbr", "Bank of Russia web service"),
            ("manual", "Entered by hand"),
        ],
        required=True,
        default="manual",
        tracking=True,
    )
    note = fields.Char()
    company_id = fields.Many2one(
        "res.company", index=True, help="Empty: the rate is shared by every company."
    )
    active = fields.Boolean(default=True)

    @api.constrains("kind", "date_from", "company_id", "active", "rate")
    def _check_unique_step(self):
        for rec in self:
            if rec.rate < 0 or rec.rate > 100:
                raise ValidationError(_("A rate must be between 0 % and 100 %."))
            same = self.search_count(
                [
                    ("id", "!=", rec.id),
                    ("kind", "=", rec.kind),
                    ("date_from", "=", rec.date_from),
                    ("company_id", "=", rec.company_id.id),
                ]
            )
            if same:
                raise ValidationError(
                    _(
                        "The %(kind)s already has a step from %(date)s.",
                        kind=dict(RATE_KINDS)[rec.kind],
                        date=rec.date_from,
                    )
                )

    @api.depends("kind", "date_from", "rate")
    def _compute_display_name(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        for rec in self:
            rec.display_name = f"{kinds.get(rec.kind, '')} {rec.date_from or ''}: {rec.rate:g} %"

    # ------------------------------------------------------------------ seeding
    @api.model
    def _seed_packaged_rates(self):
        """Add the packaged histories (mobill_tko_core/data/*.csv) as shared steps; a step that
        exists (any source) is kept as it is."""
        existing = {
            (r.kind, r.date_from)
            for r in self.with_context(active_test=False).search([("company_id", "=", False)])
        }
        values = []
        for kind in ("key", "refinancing"):
            for day, rate in core_rates.load_packaged_rates(kind).rows():
                if (kind, day) not in existing:
                    values.append(
                        {"kind": kind, "date_from": day, "rate": float(rate), "source": "seed"}
                    )
        return self.create(values) if values else self.browse()

    # ------------------------------------------------------------------ for the core
    @api.model
    def _rate_rows(self, kind, company=None):
        """``[(date_from, Decimal)]`` of a kind; a company's own step wins over a shared one."""
        company = company or self.env.company
        self.flush_model()
        self.env.cr.execute(
            """
            SELECT DISTINCT ON (date_from) date_from, rate
              FROM tko_rate
             WHERE kind = %s AND active AND (company_id IS NULL OR company_id = %s)
             ORDER BY date_from, company_id NULLS LAST
            """,
            (kind, company.id),
        )
        return [(day, to_decimal_rate(rate)) for day, rate in self.env.cr.fetchall()]

    @api.model
    def _penalty_rate_table(self, company=None):
        """The rate of ЖК РФ ст. 155 ч. 14: refinancing rate to 31.12.2015, key rate after."""
        key = self._rate_rows("key", company)
        refinancing = self._rate_rows("refinancing", company)
        if not key:
            raise ValidationError(_("The key rate history is empty: add its steps first."))
        try:
            key_table = core_rates.RateTable(key, name="key")
            if not refinancing:
                return key_table
            return core_rates.penalty_rate_table(
                core_rates.RateTable(refinancing, name="refinancing"), key_table
            )
        except core_rates.RateError as error:
            raise_user_error(self.env, error)

    # ------------------------------------------------------------------ refresh
    @api.model
    def _cron_refresh_from_cbr(self):
        """Scheduled action: refresh the key rate of every company's settings source."""
        for company in self.env["res.company"].search([]):
            self.with_company(company)._refresh_from_cbr(company)

    @api.model
    def _refresh_from_cbr(self, company=None):
        """Ask DailyInfo.KeyRateXML for the key rates since the last known step and store the
        changes. On failure nothing is written: the status on the settings says what happened,
        the log has it and the MoBill administrators get an activity."""
        company = company or self.env.company
        today = fields.Date.context_today(self)
        rows = self._rate_rows("key", company)
        last_day = rows[-1][0] if rows else today - dt.timedelta(days=365)
        date_from = min(last_day, today) - dt.timedelta(days=7)
        previous = None
        for day, rate in rows:
            if day < date_from:
                previous = rate
        try:
            daily = cbr.fetch_key_rates(
                date_from,
                today,
                wsdl=company.tko_rate_wsdl_url or cbr.DEFAULT_WSDL,
                timeout=company.tko_rate_timeout or 30,
            )
        except cbr.CbrError as error:
            self._refresh_failed(company, core_error_message(error, self.env))
            return False
        known = dict(rows)
        added = updated = 0
        conflicts = []
        for day, rate in cbr.rate_changes(daily, previous):
            if day in known and known[day] == rate:
                continue
            step = self.search(
                [
                    ("kind", "=", "key"),
                    ("date_from", "=", day),
                    ("company_id", "in", (False, company.id)),
                ],
                order="company_id",
                limit=1,
            )
            if step and step.source == "manual":
                conflicts.append(f"{day}: {step.rate:g} % (by hand) / {rate} % (Bank of Russia)")
                continue
            if step:
                step.write({"rate": float(rate), "source": "cbr"})
                updated += 1
            else:
                self.create({"kind": "key", "date_from": day, "rate": float(rate), "source": "cbr"})
                added += 1
        message = _(
            "Key rate checked up to %(date)s: %(added)s new steps, %(updated)s corrected.",
            date=daily[-1][0],
            added=added,
            updated=updated,
        )
        if conflicts:
            message += " " + _(
                "Kept steps entered by hand that differ from the Bank of Russia: %(list)s",
                list="; ".join(conflicts),
            )
        company.sudo().write(
            {
                "tko_rate_refresh_state": "warning" if conflicts else "ok",
                "tko_rate_refresh_date": fields.Datetime.now(),
                "tko_rate_refresh_message": message,
                "tko_rate_last_success": fields.Datetime.now(),
            }
        )
        _logger.info("Bank of Russia key rate refresh for %s: %s", company.name, message)
        return True

    @api.model
    def _refresh_failed(self, company, error):
        _logger.error("Bank of Russia key rate refresh failed for %s: %s", company.name, error)
        message = _("The key rate could not be refreshed: %(error)s", error=error)
        company.sudo().write(
            {
                "tko_rate_refresh_state": "error",
                "tko_rate_refresh_date": fields.Datetime.now(),
                "tko_rate_refresh_message": message,
            }
        )
        anchor = self.sudo().search(
            [("kind", "=", "key"), ("company_id", "in", (False, company.id))],
            order="date_from desc",
            limit=1,
        )
        if not anchor:
            return
        anchor.message_post(body=message)
        admins = (
            self.env.ref("mobill_tko_base.group_tko_admin")
            .sudo()
            .users.filtered(lambda u: company in u.company_ids and not u.share and u.active)
        )
        todo = self.env.ref("mail.mail_activity_data_todo")
        summary = _("Bank of Russia rates not refreshed")
        for user in admins:
            if anchor.activity_ids.filtered(
                lambda a, u=user: a.user_id == u and a.summary == summary
            ):
                continue
            anchor.activity_schedule(
                activity_type_id=todo.id, summary=summary, note=message, user_id=user.id
            )
