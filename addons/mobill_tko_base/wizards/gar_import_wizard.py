"""Import of a ГАР (ФИАС) extract of one region into the address plan (``tko.address``).

The operator opens *MoBill-TKO ▸ Registry ▸ Import ГАР extract*, uploads the region's zip (or
names a folder / zip on the server for a big region), chooses the hierarchy and starts the
import. Small uploads run at once; big extracts run as a queue_job job and report their progress
and result in a ``tko.gar.import.log`` (*Registry ▸ ГАР imports*, ``models/gar_import_log.py``);
the engine is ``tools/gar_importer.py``.
"""

import contextlib
import os
import tempfile
import zipfile
import zlib

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import config

from mobill_tko_core import gar
from mobill_tko_core.errors import GarError

from ..models.gar_import_log import HIERARCHIES
from ..tools import trusted

#: Uploads up to this size (MB) are imported at once; bigger ones run as a background job.
#: Overridden by the system parameter ``mobill_tko_base.gar_import_sync_limit_mb``.
SYNC_LIMIT_MB = 20
#: System parameter: the server folder where big extracts may be placed for import.
SERVER_DIR_PARAM = "mobill_tko_base.gar_import_dir"


class TkoGarImportWizard(models.TransientModel):
    """Import a ГАР extract: upload the region's zip, or name a folder / zip on the server."""

    _name = "tko.gar.import.wizard"
    _description = "Import a ГАР extract"

    source = fields.Selection(
        [("upload", "Upload a zip archive"), ("server", "Folder or archive on the server")],
        required=True,
        default="upload",
    )
    file = fields.Binary("Archive", attachment=True)
    file_name = fields.Char()
    server_path = fields.Char(
        help="Path on the server of the region's extract: a folder or a zip archive.",
    )
    server_dir = fields.Char("Import folder", compute="_compute_server_dir")
    hierarchy = fields.Selection(
        HIERARCHIES,
        required=True,
        default="adm",
        help="Administrative: addresses as written on receipts and by ГИС ЖКХ (region, "
        "district, settlement, street). Municipal: through municipal units (городской округ, "
        "муниципальный район, поселение).",
    )
    only_actual = fields.Boolean(
        "Only actual records",
        default=True,
        help="Import only the current versions. Otherwise objects that are no longer actual "
        "(e.g. demolished houses) are imported too, archived.",
    )
    region_code = fields.Char(
        help="Two digits, e.g. 40. Needed only when the archive holds several regions."
    )
    sync_limit_mb = fields.Integer(compute="_compute_server_dir")

    @api.model
    def _server_dir(self):
        value = self.env["ir.config_parameter"].sudo().get_param(SERVER_DIR_PARAM)
        return value or os.path.join(config["data_dir"], "gar_import")

    @api.model
    def _sync_limit_mb(self):
        value = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("mobill_tko_base.gar_import_sync_limit_mb", SYNC_LIMIT_MB)
        )
        try:
            return int(value)
        except (TypeError, ValueError):
            return SYNC_LIMIT_MB

    def _compute_server_dir(self):
        for wizard in self:
            wizard.server_dir = self._server_dir()
            wizard.sync_limit_mb = self._sync_limit_mb()

    def _check_server_path(self):
        """A server path must lie in the import folder (any path for system administrators)."""
        path = (self.server_path or "").strip()
        if not path:
            raise UserError(_("Enter the path of the extract on the server."))
        if self.env.user.has_group("base.group_system"):
            return path
        folder = os.path.realpath(self._server_dir())
        real = os.path.realpath(path)
        if os.path.commonpath([folder, real]) != folder:
            raise UserError(
                _(
                    "Extracts on the server are imported from the folder %(folder)s only. "
                    "Ask your administrator to place the extract there.",
                    folder=folder,
                )
            )
        return real

    def _uploaded_attachment(self):
        return (
            self.env["ir.attachment"]
            .sudo()
            .search(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "=", self.id),
                    ("res_field", "=", "file"),
                ],
                limit=1,
            )
        )

    def action_import(self):
        """Validate the extract, create the log and import (at once, or as a job)."""
        self.ensure_one()
        Address = self.env["tko.address"]
        try:
            Address.check_access_rights("create")
            Address.check_access_rights("write")
        except AccessError as error:
            raise UserError(
                _("You are not allowed to change the address plan, so you cannot import ГАР.")
            ) from error
        region = (self.region_code or "").strip() or False
        if region and not (len(region) == 2 and region.isdigit()):
            raise UserError(
                _("The region code has two digits, e.g. 40 (got “%(code)s”).", code=region)
            )
        values = {
            "source": self.source,
            "hierarchy": self.hierarchy,
            "only_actual": self.only_actual,
            "region_code": region,
            "company_id": self.env.company.id,
        }
        if self.source == "server":
            path = self._check_server_path()
            values.update(name=os.path.basename(path.rstrip("/")) or path, server_path=path)
            self._validate(path, values["name"], region)
            log = trusted(self.env["tko.gar.import.log"]).create(values)
            log._enqueue()
            return self._open_log(log)
        attachment = self._uploaded_attachment()
        if not attachment:  # (self.file is not read: it would load the archive in memory)
            raise UserError(_("Choose the zip archive of the region's ГАР extract."))
        name = self.file_name or attachment.name or "gar.zip"
        with self._attachment_path(attachment) as path:
            self._validate(path, name, region)
        values["name"] = name
        log = trusted(self.env["tko.gar.import.log"]).create(values)
        attachment.write(
            {"res_model": log._name, "res_id": log.id, "res_field": False, "name": name}
        )
        log.attachment_id = attachment  # (log is trusted: created above)
        if attachment.file_size <= self._sync_limit_mb() * 1024 * 1024:
            log._run_import()
        else:
            log._enqueue()
        return self._open_log(log)

    @contextlib.contextmanager
    def _attachment_path(self, attachment):
        if attachment.store_fname:
            full_path = attachment._full_path(attachment.store_fname)
            if os.path.isfile(full_path):
                yield full_path
                return
        with tempfile.NamedTemporaryFile(prefix="gar_", suffix=".zip") as tmp:
            tmp.write(attachment.raw or b"")
            tmp.flush()
            yield tmp.name

    def _validate(self, path, name, region):
        try:
            gar.validate_extract(path, self.hierarchy, region or None)
        except (GarError, zipfile.BadZipFile, zlib.error, EOFError, OSError) as error:
            raise UserError(
                self.env["tko.gar.import.log"]._gar_error_message(error, name)
            ) from error

    def _open_log(self, log):
        return {
            "type": "ir.actions.act_window",
            "name": _("ГАР import"),
            "res_model": log._name,
            "res_id": log.id,
            "view_mode": "form",
            "target": "current",
        }
