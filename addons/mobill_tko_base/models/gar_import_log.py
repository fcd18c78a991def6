"""The log of a ГАР import (*Registry ▸ ГАР imports*): options, state, progress and result;
its :meth:`TkoGarImportLog._run_import` is the background job that runs the engine
(``tools/gar_importer.py``). The operator starts it from ``wizards/gar_import_wizard.py``."""

import contextlib
import logging
import os
import tempfile
import time
import zipfile
import zlib
from pathlib import Path

from odoo import _, api, fields, models
from odoo.addons.queue_job.exception import FailedJobError, RetryableJobError
from odoo.exceptions import UserError
from odoo.tools import SQL

from mobill_tko_core.errors import GarError

from ..tools import core_message, trusted
from ..tools.gar_importer import GarImporter
from .protected_fields_mixin import ALL_FIELDS

_logger = logging.getLogger(__name__)

#: Key of the advisory lock that serialises imports of one company.
LOCK_KEY = 74270
#: Seconds between two progress reports of a background job.
PROGRESS_EVERY = 3.0

HIERARCHIES = [
    ("adm", "Administrative (postal addresses)"),
    ("mun", "Municipal (municipal units, ОКТМО)"),
]
STATES = [
    ("queued", "Waiting"),
    ("running", "Running"),
    ("done", "Done"),
    ("failed", "Failed"),
]


class TkoGarImportLog(models.Model):
    """One import of a ГАР extract: options, state, progress and the result summary.

    The background job is :meth:`_run_import` on the log record.
    """

    _name = "tko.gar.import.log"
    _description = "ГАР import"
    _inherit = ["tko.protected.fields.mixin"]
    _tko_protected_fields = ALL_FIELDS
    _order = "date desc, id desc"

    name = fields.Char("Extract", required=True, readonly=True)
    date = fields.Datetime("Started", required=True, readonly=True, default=fields.Datetime.now)
    date_done = fields.Datetime("Finished", readonly=True)
    user_id = fields.Many2one(
        "res.users", "User", required=True, readonly=True, default=lambda self: self.env.user
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        readonly=True,
        index=True,
        default=lambda self: self.env.company,
    )
    source = fields.Selection(
        [("upload", "Uploaded archive"), ("server", "Folder or archive on the server")],
        required=True,
        readonly=True,
        default="upload",
    )
    server_path = fields.Char(readonly=True)
    attachment_id = fields.Many2one("ir.attachment", "Archive", readonly=True, ondelete="set null")
    hierarchy = fields.Selection(HIERARCHIES, required=True, readonly=True, default="adm")
    only_actual = fields.Boolean("Only actual records", readonly=True, default=True)
    region_code = fields.Char("Region code", readonly=True)
    region_name = fields.Char("Region", readonly=True)
    extract_date = fields.Date(readonly=True)
    state = fields.Selection(STATES, required=True, readonly=True, default="queued", index=True)
    progress = fields.Char(readonly=True)
    job_uuid = fields.Char("Job", readonly=True, copy=False)
    count_read = fields.Integer("Records read", readonly=True)
    count_created = fields.Integer("Created", readonly=True)
    count_updated = fields.Integer("Updated", readonly=True)
    count_unchanged = fields.Integer("Unchanged", readonly=True)
    count_deactivated = fields.Integer(
        "Archived", readonly=True, help="Elements no longer in ГАР: archived, not actual."
    )
    count_skipped = fields.Integer(
        "Skipped",
        readonly=True,
        help="Versions that are not actual (with “Only actual records”) and objects that are "
        "not in the chosen hierarchy.",
    )
    count_errors = fields.Integer(
        "Errors", readonly=True, help="Objects whose parent is not in the extract: not imported."
    )
    duration = fields.Float("Duration, s", readonly=True, digits=(16, 2))
    report = fields.Text(readonly=True)

    @api.model
    def _gar_error_message(self, error, source_name=None):
        """A clear, translatable message for an error met while reading an extract."""
        if isinstance(error, GarError):
            # the uploaded file's own name, not the server's temporary path
            params = {"path": source_name or error.params.get("path", "")}
            for key in ("record", "line", "column"):
                params[key] = "?"
            params.update({k: v for k, v in error.params.items() if k != "path" or not source_name})
            message = core_message(self.env, error.code, params)
            return message or _("The ГАР extract cannot be read: %(error)s", error=str(error))
        if isinstance(error, zipfile.BadZipFile | zlib.error | EOFError):
            return _(
                "The archive %(name)s is damaged (%(error)s). Nothing has been imported; download "
                "or upload it again.",
                name=source_name or "",
                error=str(error),
            )
        if isinstance(error, OSError):
            return _(
                "The ГАР extract %(name)s cannot be read: %(error)s",
                name=source_name or "",
                error=error.strerror or str(error),
            )
        return str(error)

    # ------------------------------------------------------------------ running

    def _enqueue(self):
        """Start the import as a queue_job job."""
        self.ensure_one()
        job = self.with_delay(
            description=_("ГАР import: %(name)s", name=self.name),
            max_retries=3,
        )._run_import()
        if job is not None and hasattr(job, "uuid"):
            trusted(self).job_uuid = job.uuid

    def _run_import(self):
        """The import itself (a queue_job job, or called at once for small uploads).

        Synchronously, an unreadable extract raises a UserError and nothing is written. As a
        job, the failure is recorded in the log (through a separate cursor, since the job's own
        transaction is rolled back) and the job fails without retrying.
        """
        self.ensure_one()
        # a real background job (queue_job__no_delay runs the job at once, in this transaction)
        context = self.env.context
        as_job = bool(context.get("job_uuid")) and not context.get("queue_job__no_delay")
        log = self.with_company(self.company_id)
        cr = log.env.cr
        cr.execute(SQL("SELECT pg_try_advisory_xact_lock(%s, %s)", LOCK_KEY, self.company_id.id))
        if not cr.fetchone()[0]:
            message = _("Another ГАР import of this company is running; try again later.")
            if as_job:
                raise RetryableJobError(message, seconds=120, ignore_retry=True)
            raise UserError(message)
        started = time.monotonic()
        if as_job:
            log._write_apart(
                {"state": "running", "progress": _("Reading the extract…"), "date_done": False}
            )
        try:
            with log._extract_path() as path, cr.savepoint():
                importer = GarImporter(
                    log.env,
                    self.company_id,
                    hierarchy=self.hierarchy,
                    only_actual=self.only_actual,
                    region_code=self.region_code,
                )
                if as_job:
                    importer.progress = log._progress_reporter()
                stats = importer.run(path)
        except (GarError, zipfile.BadZipFile, zlib.error, EOFError, OSError, UserError) as error:
            if isinstance(error, UserError):
                message = str(error.args[0]) if error.args else str(error)
            else:
                message = log._gar_error_message(error, self.name)
            _logger.info("ГАР import %s failed: %s", self.id, message)
            if as_job:
                log._write_apart(
                    {
                        "state": "failed",
                        "progress": False,
                        "report": message,
                        "date_done": fields.Datetime.now(),
                        "duration": time.monotonic() - started,
                    }
                )
                raise FailedJobError(message) from error
            raise UserError(message) from error
        except Exception as error:
            if as_job:
                log._write_apart(
                    {
                        "state": "failed",
                        "progress": False,
                        "report": _("The import stopped on an error: %(error)s", error=error),
                        "date_done": fields.Datetime.now(),
                    }
                )
            raise
        duration = time.monotonic() - started
        values = self._result_values(stats, duration)
        attachment = self.attachment_id  # the archive is not needed any more
        if as_job:
            # The progress reports have updated the log row in other transactions, so this
            # (REPEATABLE READ) transaction must not write it: the result is recorded once the
            # job's transaction has committed, i.e. only if the import itself is kept.
            values["attachment_id"] = False
            cr.postcommit.add(lambda: log._write_apart(values, unlink=attachment.id))
        else:
            trusted(self).write(values)
            attachment.sudo().unlink()
        _logger.info(
            "ГАР import %s done in %.1f s: %s created, %s updated, %s archived",
            self.id,
            duration,
            stats["created"],
            stats["updated"],
            stats["deactivated"],
        )
        return values["report"]

    def _result_values(self, stats, duration):
        return {
            "state": "done",
            "progress": False,
            "date_done": fields.Datetime.now(),
            "duration": duration,
            "region_name": stats["region_name"],
            "extract_date": stats["extract_date"],
            "count_read": stats["read"],
            "count_created": stats["created"],
            "count_updated": stats["updated"],
            "count_unchanged": stats["unchanged"],
            "count_deactivated": stats["deactivated"],
            "count_skipped": stats["not_actual"] + stats["not_in_hierarchy"],
            "count_errors": stats["errors"],
            "report": self._report_text(stats, duration),
        }

    def _report_text(self, stats, duration):
        level_labels = dict(
            self.env["tko.address"]._fields["level"]._description_selection(self.env)
        )
        hierarchy = dict(self._fields["hierarchy"]._description_selection(self.env))[self.hierarchy]
        lines = [
            _("Region: %(region)s", region=stats["region_name"]),
            _(
                "Extract of %(date)s, hierarchy: %(hierarchy)s, only actual records: %(actual)s",
                date=stats["extract_date"] or "?",
                hierarchy=hierarchy,
                actual=_("yes") if self.only_actual else _("no"),
            ),
            _("Files: %(files)s", files=", ".join(stats["files"])),
            _(
                "Read %(read)s records: %(objects)s address objects, %(houses)s houses, "
                "%(apartments)s premises, %(links)s hierarchy links.",
                read=stats["read"],
                objects=stats["read_objects"],
                houses=stats["read_houses"],
                apartments=stats["read_apartments"],
                links=stats["read_links"],
            ),
            _(
                "Created %(created)s, updated %(updated)s, unchanged %(unchanged)s, archived "
                "(no longer in ГАР) %(deactivated)s.",
                created=stats["created"],
                updated=stats["updated"],
                unchanged=stats["unchanged"],
                deactivated=stats["deactivated"],
            ),
            _(
                "Skipped: %(not_actual)s versions that are not actual, %(outside)s objects not "
                "in the chosen hierarchy.",
                not_actual=stats["not_actual"],
                outside=stats["not_in_hierarchy"],
            ),
        ]
        if stats["rooms_ignored"]:
            lines.append(
                _("Rooms of communal flats (AS_ROOMS) are not imported into the address plan.")
            )
        if stats["errors"]:
            lines.append(
                _(
                    "Not imported, their parent is not in the extract: %(count)s objects, e.g.:",
                    count=stats["errors"],
                )
            )
            for objectid, level, type_name, name, parent in stats["error_examples"]:
                lines.append(
                    _(
                        "  OBJECTID %(objectid)s (level %(level)s) %(name)s, parent %(parent)s",
                        objectid=objectid,
                        level=level,
                        name=" ".join(part for part in (type_name, name) if part),
                        parent=parent,
                    )
                )
        lines.append(_("The address plan of the region now holds (active / all):"))
        for code, label in level_labels.items():
            active, total = stats["levels"].get(code, (0, 0))
            if total:
                lines.append(f"  {label}: {active} / {total}")
        lines.append(_("Duration: %(seconds)s s", seconds=round(duration, 1)))
        return "\n".join(lines)

    @contextlib.contextmanager
    def _extract_path(self):
        """The extract as a path: the server folder/archive, or the uploaded archive."""
        if self.source == "server":
            yield Path(self.server_path or "")
            return
        attachment = self.attachment_id.sudo()
        if not attachment:
            raise UserError(_("The uploaded archive of this import is no longer available."))
        if attachment.store_fname:
            full_path = attachment._full_path(attachment.store_fname)
            if os.path.isfile(full_path):
                yield Path(full_path)
                return
        with tempfile.NamedTemporaryFile(prefix="gar_", suffix=".zip") as tmp:
            tmp.write(attachment.raw or b"")
            tmp.flush()
            yield Path(tmp.name)

    def _write_apart(self, values, unlink=None):
        """Write the log in a separate, immediately committed transaction (job progress and
        result); ``unlink`` is the id of an attachment to delete with it."""
        try:
            with self.env.registry.cursor() as cr:
                cr.execute(SQL("SET LOCAL lock_timeout = '5s'"))
                env = api.Environment(cr, self.env.uid, self.env.context)
                trusted(env[self._name].browse(self.id)).exists().write(dict(values))
                if unlink:
                    env["ir.attachment"].sudo().browse(unlink).exists().unlink()
        except Exception:  # progress is best effort: never fail the import because of it
            _logger.warning(
                "Could not record the progress of ГАР import %s", self.id, exc_info=True
            )

    def _progress_reporter(self):
        last = [0.0]

        def report(text):
            now = time.monotonic()
            if now - last[0] >= PROGRESS_EVERY:
                last[0] = now
                self._write_apart({"progress": text})

        return report

    # ------------------------------------------------------------------ UI

    def action_open_addresses(self):
        """The address plan of the imported region."""
        self.ensure_one()
        self.check_access_rule("read")
        self.env["tko.address"].check_access_rights("read")
        action = self.env["ir.actions.act_window"]._for_xml_id("mobill_tko_base.tko_address_action")
        action["context"] = {"search_default_settlements": 1, "active_test": True}
        return action

    def action_open_job(self):
        self.ensure_one()
        self.check_access_rule("read")
        job = self.env["queue.job"].search([("uuid", "=", self.job_uuid)], limit=1)
        if not job:
            raise UserError(_("The background job of this import is no longer kept."))
        return {
            "type": "ir.actions.act_window",
            "res_model": "queue.job",
            "res_id": job.id,
            "view_mode": "form",
        }
