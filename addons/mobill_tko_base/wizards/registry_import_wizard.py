"""«Check» shows the report of bad rows (or what an import would change) without writing;
«Import» checks again and writes everything in one transaction, or nothing at all when one row
is bad."""

import base64

import psycopg2
from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from mobill_tko_core import registry_io as rio
from mobill_tko_core.formats import FormatError

from ..tools import core_error_message
from .registry_import_plan import RegistryImportPlan


class TkoRegistryImportWizard(models.TransientModel):
    """Check a registry file and import it: all of it, or nothing."""

    _name = "tko.registry.import.wizard"
    _description = "Import consumers, objects and personal accounts"

    file = fields.Binary(attachment=False, help="CSV (;) or XLSX in the layout of the registry.")
    filename = fields.Char()
    encoding = fields.Selection(
        [("auto", "Recognise"), ("utf-8-sig", "UTF-8"), ("cp1251", "Windows-1251")],
        "CSV encoding",
        default="auto",
        required=True,
    )
    state = fields.Selection(
        [
            ("draft", "New"),
            ("checked", "Checked, no errors"),
            ("failed", "Errors found"),
            ("done", "Imported"),
        ],
        default="draft",
        required=True,
    )
    summary = fields.Text(readonly=True)
    error_ids = fields.One2many("tko.registry.import.error", "wizard_id", "Bad rows", readonly=True)
    error_count = fields.Integer(compute="_compute_error_count")

    @api.depends("error_ids")
    def _compute_error_count(self):
        for wizard in self:
            wizard.error_count = len(wizard.error_ids)

    def action_check(self):
        """Show the report of bad rows, or what an import would change; writes nothing."""
        self.ensure_one()
        self._run(commit=False)
        return self._reopen()

    def action_import(self):
        """Check again, then write everything in one transaction, or nothing at all."""
        self.ensure_one()
        self._run(commit=True)
        return self._reopen()

    def _reopen(self):
        return {
            "type": "ir.actions.act_window",
            "name": _("Import consumers"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    def _parse(self):
        """``(records, errors, warnings)`` of the uploaded file, core checks only."""
        if not self.file:
            raise UserError(_("Choose the file to import first."))
        data = base64.b64decode(self.file)
        encoding = None if self.encoding == "auto" else self.encoding
        try:
            parsed = rio.parse(data, self.filename, encoding)
        except FormatError as error:
            return [], [rio.RowError(0, "", error.code, error.message, error.params)], []
        return parsed.records, parsed.errors, parsed.warnings

    def _run(self, commit):
        self.error_ids.unlink()
        records, errors, warnings = self._parse()
        bad = {e.line for e in errors}
        # the database checks run on the rows the file checks passed: one report of everything
        plan = RegistryImportPlan(self.env, [r for r in records if r.line not in bad])
        if not any(e.line <= 1 for e in errors):
            errors = rio.sort_errors(errors + plan.prepare().errors)
        if not errors and commit:
            try:
                with self.env.cr.savepoint():
                    plan.apply()
            except (UserError, ValidationError, psycopg2.IntegrityError) as exc:
                message = exc.args[0] if exc.args else exc
                errors = [
                    rio.RowError(
                        plan.current_line,
                        "",
                        "save_failed",
                        _(
                            "The row could not be saved, nothing was imported: %(reason)s",
                            reason=str(message),
                        ),
                        {"translated": True},
                    )
                ]
        if errors:
            self._write_errors(errors)
            bad_rows = len({e.line for e in errors if e.line > 1})
            if bad_rows:
                summary = _(
                    "%(rows)s of %(total)s rows have errors (%(count)s problems). Nothing "
                    "was imported: correct the file and check it again.",
                    rows=bad_rows,
                    total=len(records),
                    count=len(errors),
                )
            else:
                summary = _(
                    "The file cannot be read in the layout of the registry. Nothing was "
                    "imported: see the problems below."
                )
            self.write({"state": "failed", "summary": summary})
            return False
        summary = plan.summary()
        if warnings:
            summary += "\n" + _(
                "Columns not in the layout, ignored: %(columns)s.",
                columns=", ".join(w.column for w in warnings),
            )
        self.write({"state": "done" if commit else "checked", "summary": summary})
        return True

    def _write_errors(self, errors):
        self.env["tko.registry.import.error"].create(
            [
                {
                    "wizard_id": self.id,
                    "line": error.line,
                    "column": error.column,
                    "code": error.code,
                    "message": core_error_message(error, self.env),
                }
                for error in rio.sort_errors(errors)
            ]
        )
