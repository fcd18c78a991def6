import json
import posixpath

from odoo import _, api, fields, models
from odoo.addons.mobill_tko_base.tools import core_error_message
from odoo.addons.mobill_tko_base.tools.access import ACCOUNTANT, check_action
from odoo.exceptions import UserError, ValidationError

from mobill_tko_core.errors import CoreError
from mobill_tko_core.formats import print_centre


class TkoPrintCentre(models.Model):
    """A print centre (типография) that prints and delivers the monthly receipts of the
    accounts of its tariff zones: the layout of the data file it reads
    (:class:`mobill_tko_core.formats.print_centre.PrintProfile`) and how its files reach it
    (its SFTP folder, or downloaded by staff)."""

    _name = "tko.print.centre"
    _description = "Print centre"
    _inherit = ["mail.thread", "tko.sftp.mixin"]
    _order = "name"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    code = fields.Char(
        required=True,
        tracking=True,
        help="Short Latin code of the print centre, written in the names of its files.",
    )
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    zone_ids = fields.Many2many(
        "tko.tariff.zone",
        string="Tariff zones",
        check_company=True,
        help="The receipts of the accounts of these zones go to this print centre.",
    )
    delivery = fields.Selection(
        [("sftp", "To its SFTP folder"), ("download", "Downloaded by staff")],
        required=True,
        default="download",
        tracking=True,
    )
    file_format = fields.Selection(
        [("csv", "CSV"), ("xml", "XML")], "Format", required=True, default="csv"
    )
    encoding = fields.Selection(
        [("cp1251", "Windows-1251"), ("utf-8", "UTF-8")], required=True, default="cp1251"
    )
    separator = fields.Char(required=True, default=";", size=1)
    decimal_mark = fields.Selection([(",", "Comma"), (".", "Point")], required=True, default=",")
    period_format = fields.Selection(
        [("MM.YYYY", "MM.YYYY"), ("MMYYYY", "MMYYYY"), ("MMYY", "MMYY")],
        required=True,
        default="MM.YYYY",
    )
    line_ending = fields.Selection(
        [("CRLF", "Windows (CRLF)"), ("LF", "Unix (LF)")], required=True, default="CRLF"
    )
    header = fields.Boolean("Header row", default=True)
    pack_size = fields.Integer(
        "Receipts per PDF pack",
        required=True,
        default=500,
        help="The PDF receipts are cut into packs of at most this many, in delivery route "
        "order; a house is never split between packs unless it alone is larger.",
    )
    columns = fields.Text(
        help="The columns of the data file as JSON pairs [header, field], in order; empty: "
        "every field of the receipt under its own name.",
    )

    _sql_constraints = [
        (
            "code_company_uniq",
            "unique(code, company_id)",
            "Two print centres of a company cannot have the same code.",
        )
    ]

    # ------------------------------------------------------------------ the profile
    def _profile_values(self):
        self.ensure_one()
        values = {
            "name": self.code or "",
            "file_format": self.file_format,
            "encoding": self.encoding,
            "separator": self.separator or "",
            "decimal_mark": self.decimal_mark,
            "period_format": self.period_format,
            "line_ending": self.line_ending,
            "header": self.header,
            "pack_size": self.pack_size,
        }
        if (self.columns or "").strip():
            try:
                values["columns"] = [tuple(pair) for pair in json.loads(self.columns)]
            except (ValueError, TypeError) as exc:
                raise ValidationError(
                    _(
                        "The columns of %(name)s are not JSON pairs [header, field]: %(error)s",
                        name=self.name,
                        error=exc,
                    )
                ) from exc
        return values

    def _print_profile(self):
        """The core's profile of the data file; a wrong setting is a clear error."""
        try:
            return print_centre.PrintProfile.from_dict(self._profile_values())
        except CoreError as error:
            raise ValidationError(core_error_message(error, self.env)) from error

    @api.constrains(
        "code",
        "file_format",
        "encoding",
        "separator",
        "decimal_mark",
        "period_format",
        "line_ending",
        "pack_size",
        "columns",
        "delivery",
        "host",
        "username",
    )
    def _check_profile(self):
        for rec in self:
            rec._print_profile()
            if rec.delivery == "sftp" and not (rec.host and rec.username):
                raise ValidationError(
                    _("Give the server and the user of the SFTP folder of %(name)s.", name=rec.name)
                )

    # ------------------------------------------------------------------ delivery
    def _deliver(self, folder, files):
        """Put ``files`` (``[(name, bytes)]``) into ``folder`` under the remote folder.

        Each file is written under a temporary name and then renamed over the final one, so
        the print centre never reads a half-written file and delivering the same period again
        replaces its files with the same bytes. Returns the remote paths.
        """
        self.ensure_one()
        check_action(self, ACCOUNTANT, "read")
        if self.delivery != "sftp":
            raise UserError(_("%(name)s takes its files by download, not by SFTP.", name=self.name))
        target = self._remote(folder)
        paths = []
        with self._connect() as sftp:
            current = "/" if target.startswith("/") else ""
            for part in [p for p in target.split("/") if p]:
                current = posixpath.join(current, part) if current else part
                self._ensure_folder(sftp, current)
            for name, data in files:
                path = posixpath.join(target, name)
                temporary = f"{path}.part"
                with sftp.open(temporary, "wb") as handle:
                    handle.write(data)
                sftp.posix_rename(temporary, path)
                paths.append(path)
        return paths

    def action_test_connection(self):
        """Connect, check the key and that the folder can be written to."""
        self.ensure_one()
        check_action(self, ACCOUNTANT, "read")
        paths = self._deliver(".", [(".mobill-test", b"")])
        with self._connect() as sftp:
            sftp.remove(paths[0])
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Connection works"),
                "message": _(
                    "The server key matches and the folder %(folder)s can be written to.",
                    folder=self._remote(self.remote_folder or "/"),
                ),
                "type": "success",
            },
        }
