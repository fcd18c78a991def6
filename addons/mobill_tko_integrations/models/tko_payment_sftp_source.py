import base64
import fnmatch
import logging
import posixpath
import stat
import threading
from datetime import timedelta

import paramiko
from odoo import _, api, fields, models
from odoo.addons.mobill_tko_base.tools.access import ACCOUNTANT, check_action, check_rights
from odoo.exceptions import UserError, ValidationError

from mobill_tko_core.formats import fingerprint

_logger = logging.getLogger(__name__)

INTERVALS = {"minutes": "minutes", "hours": "hours", "days": "days"}


class TkoPaymentSftpSource(models.Model):
    """An SFTP folder where a bank or agent leaves payment registries or 1C statements: fetched
    on a schedule (or by the «Fetch now» button), each file imported with the same checks as a
    file uploaded by hand, then moved to the folder of processed or of rejected files."""

    _name = "tko.payment.sftp.source"
    _description = "SFTP folder of payment files"
    _inherit = ["mail.thread", "tko.sftp.mixin"]
    _order = "name"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    host = fields.Char(required=True)
    username = fields.Char(required=True)
    remote_folder = fields.Char(
        required=True, default="/", tracking=True, help="Folder on the server with new files."
    )
    file_mask = fields.Char(
        required=True,
        default="*",
        tracking=True,
        help="Which files to take, like *.txt or *.txt,*.zip (several masks by commas).",
    )
    done_folder = fields.Char(
        "Move processed files to",
        required=True,
        default="processed",
        help="Relative to the remote folder, or an absolute path. Created when missing.",
    )
    rejected_folder = fields.Char(
        "Move rejected files to",
        required=True,
        default="rejected",
        help="Relative to the remote folder, or an absolute path. Created when missing.",
    )
    file_format = fields.Selection(
        [("registry", "Bank registry"), ("onec", "1C bank statement"), ("auto", "Recognise")],
        "Format",
        required=True,
        default="registry",
        help="«Recognise»: 1C statements by their first line, anything else as a registry.",
    )
    profile_id = fields.Many2one(
        "tko.registry.profile",
        "Registry profile",
        check_company=True,
        default=lambda self: self.env.ref(
            "mobill_tko_integrations.registry_profile_sberbank", raise_if_not_found=False
        ),
    )
    channel = fields.Selection(
        [("bank", "Bank transfer"), ("agent", "Payment agent"), ("post", "Post office")],
        required=True,
        default="bank",
    )
    interval_number = fields.Integer("Fetch every", required=True, default=1)
    interval_type = fields.Selection(
        [("minutes", "Minutes"), ("hours", "Hours"), ("days", "Days")],
        required=True,
        default="hours",
    )
    next_run = fields.Datetime(
        "Next fetch", default=fields.Datetime.now, copy=False, help="Set by the schedule."
    )
    last_run = fields.Datetime("Last fetch", readonly=True, copy=False)
    last_result = fields.Char(readonly=True, copy=False)
    last_ok = fields.Boolean(readonly=True, copy=False)
    max_file_size = fields.Integer(
        "Largest file, MB",
        required=True,
        default=50,
        help="A larger file is not downloaded: it is moved to the folder of rejected files and "
        "the reason is written in the folder's history.",
    )
    import_ids = fields.One2many("tko.payment.import", "sftp_source_id", "Imports")
    import_count = fields.Integer(compute="_compute_import_count")

    @api.depends("import_ids")
    def _compute_import_count(self):
        data = self.env["tko.payment.import"]._read_group(
            [("sftp_source_id", "in", self.ids)], ["sftp_source_id"], ["__count"]
        )
        counts = {source.id: count for source, count in data}
        for rec in self:
            rec.import_count = counts.get(rec.id, 0)

    @api.constrains("interval_number", "file_format", "profile_id", "max_file_size")
    def _check_settings(self):
        for rec in self:
            if rec.interval_number < 1:
                raise ValidationError(_("Fetch at least every 1 minute, hour or day."))
            if rec.max_file_size < 1:
                raise ValidationError(_("The largest file must be at least 1 MB."))
            if rec.file_format == "registry" and not rec.profile_id:
                raise ValidationError(_("Choose the registry profile of the files."))

    @staticmethod
    def _move(sftp, path, folder):
        """Move ``path`` into ``folder``, not over a file of the same name."""
        name = posixpath.basename(path)
        target = posixpath.join(folder, name)
        try:
            sftp.stat(target)
            taken = True
        except OSError:
            taken = False
        if taken:
            stamp = fields.Datetime.now().strftime("%Y%m%d-%H%M%S")
            target = posixpath.join(folder, f"{stamp}-{name}")
        sftp.rename(path, target)
        return target

    def _wanted(self, name):
        masks = [m.strip() for m in (self.file_mask or "*").split(",") if m.strip()]
        return any(fnmatch.fnmatch(name, m) for m in masks or ["*"])

    # ------------------------------------------------------------------ actions
    def action_test_connection(self):
        self.ensure_one()
        check_action(self, ACCOUNTANT, "read")
        with self._connect() as sftp:
            folder = self._remote(self.remote_folder or "/")
            try:
                names = [a.filename for a in sftp.listdir_attr(folder) if self._is_file(a)]
            except OSError as exc:
                raise UserError(
                    _(
                        "The folder %(folder)s cannot be read: %(reason)s.",
                        folder=folder,
                        reason=exc,
                    )
                ) from exc
        waiting = [n for n in names if self._wanted(n)]
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Connection works"),
                "message": _(
                    "The server key matches. %(count)s file(s) wait in %(folder)s.",
                    count=len(waiting),
                    folder=folder,
                ),
                "type": "success",
            },
        }

    def action_fetch_now(self):
        """Fetch in the background, exactly as the schedule does: each file's import is saved
        before the file is moved on the server, so a failure half-way never leaves a file
        moved away with its payments rolled back."""
        check_action(self, ACCOUNTANT, "read")
        for rec in self:
            rec.with_delay(
                description=_("Fetch the SFTP folder %(name)s", name=rec.name)
            )._job_fetch()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Fetching in the background"),
                "message": _(
                    "The files are being fetched; the result appears in the folder's history "
                    "and the imports in a moment."
                ),
                "sticky": False,
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def _job_fetch(self):
        self.ensure_one()
        # a test runs inside one transaction that must not be committed
        counts = self._fetch(commit=not getattr(threading.current_thread(), "testing", False))
        return _(
            "%(found)s file(s): %(done)s imported, %(rejected)s rejected, %(queued)s in the "
            "background, %(known)s imported before.",
            **counts,
        )

    def action_view_imports(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Files of %(name)s", name=check_rights(self, "read").name),
            "res_model": "tko.payment.import",
            "view_mode": "tree,form",
            "domain": [("sftp_source_id", "=", self.id)],
        }

    @staticmethod
    def _is_file(attr):
        return attr.st_mode is None or stat.S_ISREG(attr.st_mode)

    # ------------------------------------------------------------------ fetching
    def _fetch(self, commit=False):
        """Fetch and import every waiting file; returns the counts. ``commit`` (the schedule)
        saves each import before its file is moved, so a crash never loses a file: a file
        seen again is recognised by its fingerprint and only moved away."""
        self.ensure_one()
        Import = self.env["tko.payment.import"]
        counts = {"found": 0, "done": 0, "rejected": 0, "queued": 0, "known": 0}
        lines = []
        folder = self._remote(self.remote_folder or "/")
        try:
            with self._connect() as sftp:
                try:
                    entries = sorted(sftp.listdir_attr(folder), key=lambda a: a.filename)
                except OSError as exc:
                    raise UserError(
                        _(
                            "The folder %(folder)s cannot be read: %(reason)s.",
                            folder=folder,
                            reason=exc,
                        )
                    ) from exc
                entries = [a for a in entries if self._is_file(a) and self._wanted(a.filename)]
                if entries:
                    done_dir = self._remote(self.done_folder)
                    rejected_dir = self._remote(self.rejected_folder)
                    self._ensure_folder(sftp, done_dir)
                    self._ensure_folder(sftp, rejected_dir)
                for attr in entries:
                    path = posixpath.join(folder, attr.filename)
                    counts["found"] += 1
                    data = self._read_limited(sftp, path, attr)
                    if data is None:
                        counts["rejected"] += 1
                        target = self._move(sftp, path, rejected_dir)
                        lines.append(self._too_large_line(attr.filename, target))
                        continue
                    outcome, rec = self._import_file(Import, path, attr.filename, data)
                    counts[outcome] += 1
                    if commit:
                        self.env.cr.commit()  # pylint: disable=invalid-commit
                    target = self._move(
                        sftp, path, rejected_dir if outcome == "rejected" else done_dir
                    )
                    lines.append(self._log_line(outcome, attr.filename, rec, target))
        except UserError as exc:
            self._run_failed(str(exc))
            raise
        except (OSError, EOFError, paramiko.SSHException) as exc:
            where = f"{self.host}:{self.port}"
            reason = _(
                "The connection to %(where)s broke: %(reason)s. The files not moved yet are "
                "fetched again next time; those imported already are not booked twice.",
                where=where,
                reason=exc,
            )
            self._run_failed(reason)
            raise UserError(reason) from exc
        self._run_done(counts, lines)
        return counts

    def _max_bytes(self):
        return (self.max_file_size or 50) * 1024 * 1024

    def _read_limited(self, sftp, path, attr):
        """The bytes of the file, or None when it is larger than the limit: known from the
        listing without downloading it, and never read past the limit (a file that grows
        after the listing)."""
        limit = self._max_bytes()
        if attr.st_size is not None and attr.st_size > limit:
            return None
        with sftp.open(path, "rb") as handle:
            data = handle.read(limit + 1)
        return None if len(data) > limit else data

    def _too_large_line(self, name, target):
        _logger.warning(
            "SFTP %s: %s is larger than %s MB, refused", self.name, name, self.max_file_size
        )
        return _(
            "%(file)s: refused, larger than %(limit)s MB (the limit of this folder); not "
            "downloaded, nothing booked; moved to %(target)s",
            file=name,
            limit=self.max_file_size,
            target=target,
        )

    def _import_file(self, Import, path, name, data):
        """``(outcome, import)``: outcome done | rejected | queued | known."""
        known = Import.search(
            [
                ("company_id", "=", self.company_id.id),
                ("fingerprint", "=", fingerprint(data)),
                ("state", "=", "done"),
            ],
            limit=1,
        )
        if known:
            return "known", known
        file_format = self.file_format
        if file_format == "auto":
            file_format = Import._guess_format(data)
        rec = Import.create(
            {
                "name": name,
                "file": base64.b64encode(data),
                "file_name": name,
                "file_format": file_format,
                "profile_id": self.profile_id.id,
                "channel": self.channel,
                "company_id": self.company_id.id,
                "source": "sftp",
                "source_ref": f"sftp://{self.username}@{self.host}:{self.port}{path}",
                "sftp_source_id": self.id,
            }
        )
        try:
            with self.env.cr.savepoint():
                rec._tko_process()
        except UserError as exc:
            rec.message_post(body=_("Not imported: %(reason)s", reason=exc))
            rec.state = "rejected"
        if rec.state == "done":
            return "done", rec
        if rec.state == "queued":
            return "queued", rec
        return "rejected", rec

    def _log_line(self, outcome, name, rec, target):
        texts = {
            "done": _("%(file)s: imported, %(booked)s payment(s) booked (%(import)s)"),
            "rejected": _("%(file)s: rejected, %(errors)s problem(s), nothing booked (%(import)s)"),
            "queued": _("%(file)s: large, importing in the background (%(import)s)"),
            "known": _("%(file)s: imported before (%(import)s), nothing booked again"),
        }
        text = texts[outcome] % {
            "file": name,
            "booked": rec.booked_count,
            "errors": rec.error_count,
            "import": rec.display_name,
        }
        return _("%(text)s; moved to %(target)s", text=text, target=target)

    def _run_done(self, counts, lines):
        summary = _(
            "%(found)s file(s): %(done)s imported, %(rejected)s rejected, %(queued)s in the "
            "background, %(known)s imported before.",
            **counts,
        )
        # staff who may fetch need not be allowed to edit the source: its run state is sudo
        self.sudo().write(
            {
                "last_run": fields.Datetime.now(),
                "last_result": summary,
                "last_ok": True,
            }
        )
        if counts["found"]:
            body = summary + "".join(f"\n• {line}" for line in lines)
            self.sudo().message_post(body=body, message_type="notification")
            for line in lines:
                _logger.info("SFTP %s: %s", self.name, line)

    def _run_failed(self, reason):
        self.sudo().write(
            {
                "last_run": fields.Datetime.now(),
                "last_result": reason[:250],
                "last_ok": False,
            }
        )
        self.sudo().message_post(
            body=_("Fetching failed: %(reason)s", reason=reason), message_type="notification"
        )

    # ------------------------------------------------------------------ schedule
    def _schedule_next(self):
        now = fields.Datetime.now()
        for rec in self:
            step = timedelta(**{INTERVALS[rec.interval_type]: rec.interval_number})
            rec.next_run = now + step

    @api.model
    def _cron_fetch(self):
        """The schedule: every active source whose next fetch is due, one after another; one
        failing source is logged in its chatter and does not stop the others."""
        due = self.search(
            ["|", ("next_run", "=", False), ("next_run", "<=", fields.Datetime.now())]
        )
        for rec in due:
            rec._schedule_next()
            try:
                rec._fetch(commit=True)
            except UserError as exc:
                _logger.warning("SFTP source %s: %s", rec.name, exc)
            # the failure message and the next run are kept even when the source failed
            self.env.cr.commit()  # pylint: disable=invalid-commit
        return True
