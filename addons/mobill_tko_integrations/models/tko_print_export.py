import json
import logging
from decimal import Decimal

from odoo import _, api, fields, models
from odoo.addons.mobill_tko_base.tools import core_error_message, trusted
from odoo.addons.mobill_tko_base.tools.access import ACCOUNTANT, check_action, check_rights
from odoo.exceptions import UserError
from odoo.tools import SQL, format_amount

from mobill_tko_core.errors import CoreError
from mobill_tko_core.formats import print_centre
from mobill_tko_core.receipts import flat, from_json

_logger = logging.getLogger(__name__)

STATES = [
    ("draft", "Draft"),
    ("queued", "Queued"),
    ("running", "Running"),
    ("done", "Done"),
    ("failed", "Failed"),
]
# written by the export's actions and its job only (trusted()), never by a client
ENGINE_FIELDS = (
    "state",
    "total_count",
    "done_count",
    "receipt_count",
    "skipped_count",
    "total_to_pay",
    "manifest_count",
    "manifest_total",
    "data_attachment_id",
    "manifest_attachment_id",
    "delivered_to",
    "date_started",
    "date_finished",
    "job_uuid",
    "note",
)
JOB_CHANNEL = "root.tko_billing"


def _dec(value):
    if value is None:
        return Decimal(0)
    return value if isinstance(value, Decimal) else Decimal(str(value))


class TkoPrintExport(models.Model):
    """One export of one period's issued receipts to one print centre.

    The receipts of the centre's tariff zones (state issued, the period, the company) are
    read with SQL in chunks by id, each snapshot turned into the print row by the core
    (``from_json`` + ``flat``); the data file is laid out by the centre's profile
    (:func:`mobill_tko_core.formats.print_centre.iter_data_file`, route order) and described
    by the manifest (counts, totals, sha256). Both are stored on the export to download and,
    for an SFTP print centre, put into its folder of the period. The same receipts give the
    same bytes: exporting a period again replaces the files on the server with equal ones.
    """

    _name = "tko.print.export"
    _description = "Receipt export to a print centre"
    _inherit = ["mail.thread", "tko.protected.fields.mixin"]
    _tko_protected_fields = ENGINE_FIELDS
    _order = "id desc"
    _check_company_auto = True

    centre_id = fields.Many2one(
        "tko.print.centre",
        "Print centre",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
        tracking=True,
    )
    period_id = fields.Many2one(
        "tko.billing.period",
        "Period",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
        tracking=True,
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    delivery = fields.Selection(related="centre_id.delivery")
    chunk_size = fields.Integer("Receipts per chunk", default=20000)
    state = fields.Selection(STATES, default="draft", required=True, readonly=True, tracking=True)
    total_count = fields.Integer("To export", readonly=True)
    done_count = fields.Integer("Read", readonly=True)
    progress = fields.Float(compute="_compute_progress")
    receipt_count = fields.Integer("Receipts in the file", readonly=True)
    skipped_count = fields.Integer(
        "Left out", readonly=True, help="Receipts not printed (e-mail receipts)."
    )
    total_to_pay = fields.Monetary("Total to pay", readonly=True)
    manifest_count = fields.Integer("Receipts in the manifest", readonly=True)
    manifest_total = fields.Monetary("Total in the manifest", readonly=True)
    totals_agree = fields.Boolean(
        "Manifest agrees",
        compute="_compute_totals_agree",
        help="The manifest's count and total equal the receipts' count and sum to pay.",
    )
    data_attachment_id = fields.Many2one("ir.attachment", "Data file", readonly=True, copy=False)
    data_file = fields.Binary(related="data_attachment_id.datas", string="Data file download")
    data_file_name = fields.Char(related="data_attachment_id.name", string="Data file name")
    manifest_attachment_id = fields.Many2one("ir.attachment", "Manifest", readonly=True, copy=False)
    manifest_file = fields.Binary(
        related="manifest_attachment_id.datas", string="Manifest download"
    )
    manifest_file_name = fields.Char(related="manifest_attachment_id.name", string="Manifest name")
    delivered_to = fields.Text("Delivered to", readonly=True)
    date_started = fields.Datetime("Started", readonly=True)
    date_finished = fields.Datetime("Finished", readonly=True)
    job_uuid = fields.Char(readonly=True, copy=False)
    note = fields.Text("Failure", readonly=True)

    @api.depends("centre_id", "period_id")
    def _compute_display_name(self):
        for rec in self:
            rec.display_name = _(
                "Receipts %(period)s to %(centre)s",
                period=rec.period_id.name or "",
                centre=rec.centre_id.name or "",
            )

    @api.depends("total_count", "done_count", "state")
    def _compute_progress(self):
        for rec in self:
            if rec.state == "done":
                rec.progress = 100.0
            elif rec.total_count:
                rec.progress = min(100.0, 100.0 * rec.done_count / rec.total_count)
            else:
                rec.progress = 0.0

    @api.depends("state", "receipt_count", "total_to_pay", "manifest_count", "manifest_total")
    def _compute_totals_agree(self):
        for rec in self:
            rec.totals_agree = (
                rec.state == "done"
                and rec.receipt_count == rec.manifest_count
                and rec.currency_id.compare_amounts(rec.total_to_pay, rec.manifest_total) == 0
            )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("centre_id") and not vals.get("company_id"):
                centre = self.env["tko.print.centre"].browse(vals["centre_id"])
                vals["company_id"] = centre.company_id.id
        return super().create(vals_list)

    # ------------------------------------------------------------------ which receipts
    def _period_code(self):
        return self.period_id.date_start.strftime("%Y-%m")

    def _tko_print_skip(self, receipt_ids):
        """The ids of ``receipt_ids`` not to print (e-mail receipts later); none now."""
        return set()

    def _receipt_ids(self):
        """Ids of the issued receipts to print: the period, the company, the centre's zones."""
        self.ensure_one()
        self.env["tko.receipt"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT id FROM tko_receipt
                 WHERE state = 'issued' AND company_id = %s AND period_id = %s
                   AND zone_id = ANY(%s)
                 ORDER BY id
                """,
                self.company_id.id,
                self.period_id.id,
                list(self.centre_id.zone_ids.ids),
            )
        )
        ids = [row[0] for row in self.env.cr.fetchall()]
        skip = self._tko_print_skip(ids)
        return [i for i in ids if i not in skip], len(skip)

    # ------------------------------------------------------------------ start
    def _check_start(self):
        self.ensure_one()
        if self.state not in ("draft", "failed"):
            raise UserError(_("Only a draft or failed export can be started."))
        if not self.centre_id.zone_ids:
            raise UserError(
                _("Choose the tariff zones of %(centre)s first.", centre=self.centre_id.name)
            )
        self.centre_id._print_profile()
        ids, skipped = self._receipt_ids()
        if not ids:
            raise UserError(
                _(
                    "No issued receipts of %(period)s in the zones of %(centre)s.",
                    period=self.period_id.name,
                    centre=self.centre_id.name,
                )
            )
        trusted(self).write(
            {
                "state": "queued",
                "total_count": len(ids),
                "done_count": 0,
                "skipped_count": skipped,
                "date_started": fields.Datetime.now(),
                "date_finished": False,
                "note": False,
            }
        )
        self.flush_recordset()

    def action_start(self):
        """Queue the export as a background job."""
        check_action(self, ACCOUNTANT)
        for rec in trusted(self):
            rec._check_start()
            job = rec.with_delay(
                channel=JOB_CHANNEL,
                description=_("Receipts %(period)s to a print centre", period=rec.period_id.name),
            )._job_run()
            rec.job_uuid = getattr(job, "uuid", False)
            rec.message_post(body=_("Queued: %(count)s receipts.", count=rec.total_count))
        return True

    def action_run_now(self):
        """Export at once in this transaction (tests, small exports)."""
        check_action(self, ACCOUNTANT)
        for rec in trusted(self):
            rec._check_start()
            rec.state = "running"
            rec._export(commit=False)
        return True

    def action_refresh(self):
        check_rights(self)
        self.invalidate_recordset()
        return True

    # ------------------------------------------------------------------ execution
    def _job_run(self):
        """Queue job: the export; progress and failure written on cursors of their own."""
        self.ensure_one()
        with self.env.registry.cursor() as cr:
            export = trusted(self.with_env(self.env(cr=cr)))
            if export.state not in ("queued", "running"):
                return _("Nothing to do: the export is no longer queued.")
            export.state = "running"
        try:
            trusted(self)._export(commit=True)
        except Exception as error:
            _logger.exception("print export %s failed", self.id)
            message = (
                core_error_message(error, self.env) if isinstance(error, CoreError) else str(error)
            )
            with self.env.registry.cursor() as cr:
                export = trusted(self.with_env(self.env(cr=cr)))
                export.write(
                    {"state": "failed", "note": message, "date_finished": fields.Datetime.now()}
                )
                export.message_post(body=_("The export failed: %(error)s", error=message))
            return False
        return True

    def _progress(self, done, commit):
        if commit:
            with self.env.registry.cursor() as cr:
                trusted(self.with_env(self.env(cr=cr))).done_count = done
        else:
            self.done_count = done

    def _rows(self, ids, commit):
        """The print rows of the receipts ``ids``, read in chunks by id; (rows, Σ to pay)."""
        limit = max(1, self.chunk_size or 20000)
        rows, total = [], Decimal(0)
        for start in range(0, len(ids), limit):
            chunk = ids[start : start + limit]
            self.env.cr.execute(
                SQL(
                    "SELECT snapshot, total_to_pay FROM tko_receipt WHERE id = ANY(%s) ORDER BY id",
                    chunk,
                )
            )
            for snapshot, amount in self.env.cr.fetchall():
                # «м³» in an encoding without superscripts: the core's writer writes «м3»
                rows.append(flat(from_json(snapshot)))
                total += _dec(amount)
            self._progress(start + len(chunk), commit)
        return rows, total

    def _files(self, rows):
        """[(name, bytes, receipts, total)] of the data file and the manifest(s)."""
        centre = self.centre_id
        profile = centre._print_profile()
        period = self._period_code()
        try:
            data = b"".join(
                print_centre.iter_data_file(rows, profile, centre_code=centre.code, period=period)
            )
            name = print_centre.file_name(profile, centre.code, period, 1)
            parts = [(name, data, len(rows), print_centre.total_to_pay(rows))]
            manifests = print_centre.manifest_files(profile, centre.code, period, parts)
        except CoreError as error:
            details = [core_error_message(e, self.env) for e in error.params.get("errors", [])]
            raise UserError(
                "\n".join([core_error_message(error, self.env), *details[:20]])
            ) from error
        return parts, manifests

    def _export(self, commit):
        self.ensure_one()
        ids, skipped = self._receipt_ids()
        rows, total = self._rows(ids, commit)
        parts, manifests = self._files(rows)
        manifest = json.loads(manifests[0][1])
        if Decimal(manifest["totals"]["total"]) != total or manifest["totals"]["receipts"] != len(
            ids
        ):
            raise UserError(_("The manifest does not agree with the receipts."))
        Attachment = self.env["ir.attachment"]
        old = self.data_attachment_id | self.manifest_attachment_id
        data_name, data, _count, _amount = parts[0]
        data_attachment = Attachment.create(
            {
                "name": data_name,
                "raw": data,
                "res_model": self._name,
                "res_id": self.id,
                "mimetype": "application/xml"
                if self.centre_id.file_format == "xml"
                else "text/csv",
            }
        )
        manifest_attachment = Attachment.create(
            {
                "name": manifests[0][0],
                "raw": manifests[0][1],
                "res_model": self._name,
                "res_id": self.id,
                "mimetype": "application/json",
            }
        )
        old.unlink()
        files = [(data_name, data), *manifests]
        delivered = []
        if self.centre_id.delivery == "sftp":
            delivered = self.centre_id._deliver(self._period_code(), files)
        self.write(
            {
                "state": "done",
                "total_count": len(ids),
                "done_count": len(ids),
                "receipt_count": len(rows),
                "skipped_count": skipped,
                "total_to_pay": float(total),
                "manifest_count": manifest["totals"]["receipts"],
                "manifest_total": float(Decimal(manifest["totals"]["total"])),
                "data_attachment_id": data_attachment.id,
                "manifest_attachment_id": manifest_attachment.id,
                "delivered_to": "\n".join(delivered) or False,
                "date_finished": fields.Datetime.now(),
                "note": False,
            }
        )
        if delivered:
            where = _(
                "delivered to the SFTP folder of %(centre)s: %(paths)s",
                centre=self.centre_id.name,
                paths=", ".join(delivered),
            )
        else:
            where = _("stored here to download for %(centre)s", centre=self.centre_id.name)
        amount = format_amount(self.env, float(total), self.currency_id)
        self.message_post(
            body=_(
                "Exported %(count)s receipts, %(total)s to pay; files %(files)s %(where)s.",
                count=len(rows),
                total=amount,
                files=", ".join(name for name, _data in files),
                where=where,
            ),
            attachment_ids=(data_attachment | manifest_attachment).ids,
        )
