"""Export consumers in the layout of the import: an exported file imports back unchanged."""

import base64
from collections import defaultdict
from datetime import date

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from mobill_tko_core import registry_io as rio
from mobill_tko_core import requisites as req
from mobill_tko_core.errors import RequisiteError
from mobill_tko_core.formats import FormatError

from ..tools import check_rights, core_error_message
from .registry_import_plan import decimal_of, schedule_of


class TkoRegistryExportWizard(models.TransientModel):
    """Write consumers, objects, accounts and characteristics in the layout of the import."""

    _name = "tko.registry.export.wizard"
    _description = "Export consumers, objects and personal accounts"

    scope = fields.Selection(
        [("all", "All consumers of the company"), ("selected", "The selected records")],
        default="all",
        required=True,
    )
    account_ids = fields.Many2many("tko.account", string="Personal accounts")
    partner_ids = fields.Many2many("res.partner", string="Consumers")
    file_format = fields.Selection(
        [("xlsx", "Excel (XLSX)"), ("csv", "CSV (;)")], "Format", default="xlsx", required=True
    )
    encoding = fields.Selection(
        [("utf-8-sig", "UTF-8"), ("cp1251", "Windows-1251")],
        "CSV encoding",
        default="utf-8-sig",
        required=True,
    )
    state = fields.Selection([("draft", "New"), ("done", "Ready")], default="draft", required=True)
    data = fields.Binary("File", attachment=False, readonly=True)
    filename = fields.Char(readonly=True)
    row_count = fields.Integer("Rows", readonly=True)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        model = self.env.context.get("active_model")
        ids = self.env.context.get("active_ids") or []
        if ids and model == "tko.account":
            values.update(scope="selected", account_ids=[(6, 0, ids)])
        elif ids and model == "res.partner":
            values.update(scope="selected", partner_ids=[(6, 0, ids)])
        return values

    def action_export(self):
        self.ensure_one()
        # what the caller named must be his to read (the export reads his company only)
        check_rights(self.account_ids)
        check_rights(self.partner_ids)
        records = self._registry_records()
        try:
            if self.file_format == "xlsx":
                content, ext = rio.write_xlsx(records), "xlsx"
            else:
                content, ext = rio.write_csv(records, self.encoding), "csv"
        except FormatError as error:
            raise UserError(core_error_message(error, self.env)) from error
        self.write(
            {
                "state": "done",
                "data": base64.b64encode(content),
                "filename": f"consumers_{fields.Date.context_today(self)}.{ext}",
                "row_count": len(records),
            }
        )
        return {
            "type": "ir.actions.act_window",
            "name": _("Export consumers"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    def _scope_records(self):
        """``(objects, accounts)`` to export, of the current company only."""
        company = self.env.company
        Object, Account = self.env["tko.object"], self.env["tko.account"]
        on_company = [("company_id", "=", company.id)]
        if self.scope == "selected" and not (self.account_ids or self.partner_ids):
            raise UserError(
                _(
                    "Nothing is selected: choose personal accounts in their list and use "
                    "Action › Export consumers, or export all consumers."
                )
            )
        if self.scope == "selected" and self.account_ids:
            accounts = self.account_ids.filtered(lambda a: a.company_id == company)
            return accounts.object_id, accounts
        if self.scope == "selected" and self.partner_ids:
            partners = self.partner_ids.ids
            accounts = Account.search([*on_company, ("partner_id", "in", partners)])
            objects = Object.search([*on_company, ("partner_id", "in", partners)])
            return objects | accounts.object_id, accounts
        accounts = Account.search(on_company)
        objects = Object.search([*on_company, ("partner_id", "!=", False)])
        return objects | accounts.object_id, accounts

    def _registry_records(self):
        objects, accounts = self._scope_records()
        by_object = defaultdict(lambda: self.env["tko.account"])
        for account in accounts:
            by_object[account.object_id.id] |= account
        ordered = objects.sorted(
            lambda o: (o.address_id.full_name or "", rio.normalize_key(o.name), o.id)
        )
        # 152-ФЗ: SNILS only for group_tko_personal_data, and its export is logged
        personal = self.env["res.partner"]._may_read_personal_data()
        records = []
        for obj in ordered:
            records += self._object_records(obj, by_object[obj.id], personal)
        if personal:
            partners = (objects.partner_id | accounts.partner_id).filtered("snils")
            self.env["tko.personal.data.access.log"]._log_read(
                partners, ["snils"], channel="export"
            )
        return records

    @staticmethod
    def _consumer_cells(partner, personal=True):
        kind = partner.tko_kind or ("legal" if partner.is_company else "person")
        snils = (partner.snils or "") if personal else ""
        if snils:
            try:
                snils = req.validate_snils(snils)
            except RequisiteError:
                snils = rio.normalize_text(snils)
        return {
            "consumer_kind": kind,
            "consumer_name": rio.normalize_text(partner.name),
            "inn": rio.normalize_text(partner.vat),
            "kpp": rio.normalize_text(partner.kpp),
            "ogrn": rio.normalize_text(partner.ogrn),
            "snils": snils,
            "phone": rio.normalize_text(partner.phone),
            "email": rio.normalize_text(partner.email),
            "legal_address": rio.normalize_text(partner.legal_address),
            "postal_address": rio.normalize_text(partner.postal_address),
        }

    def _object_records(self, obj, accounts, personal=True):
        owner = obj.partner_id
        accounts = accounts.sorted(
            lambda a: (a.partner_id == owner, a.date_open or date.min, a.name)
        )
        partners = [a.partner_id for a in accounts]
        if owner and (not partners or partners[-1] != owner):
            partners.append(owner)
        if not partners:
            return []
        scalars, units, containers = self._latest_characteristics(obj)
        count = max(len(partners), len(units), len(containers))
        last = partners[-1]
        records = []
        for i in range(count):
            partner = partners[i] if i < len(partners) else last
            values = {
                **self._consumer_cells(partner, personal),
                "address": obj.address_id.full_name or "",
                "address_guid": (obj.address_id.gar_guid or "").lower(),
                "object_kind": obj.kind,
                "object_name": rio.normalize_text(obj.name),
            }
            if i < len(accounts):
                account = accounts[i]
                values.update(
                    account_number=account.name,
                    account_date_open=account.date_open,
                    account_date_close=account.date_close or None,
                    calc_method=account.calc_method or "",
                )
            if i == 0:
                for kind in rio.CHARACTERISTICS:
                    if kind in scalars:
                        version = scalars[kind]
                        values[kind] = decimal_of(version.value)
                        values[f"{kind}_from"] = version.date_from
            if i < len(units):
                version = units[i]
                values.update(
                    units_category=version.norm_category_id.code,
                    units_value=decimal_of(version.value),
                    units_from=version.date_from,
                )
            if i < len(containers):
                version = containers[i]
                values.update(
                    container_volume=decimal_of(version.container_type_id.volume),
                    container_count=version.container_count,
                    container_schedule=schedule_of(version),
                    containers_from=version.date_from,
                )
            records.append(rio.RegistryRecord(**values))
        return records

    @staticmethod
    def _latest_characteristics(obj):
        """The latest version of each chain, when it is still open (the file's current values)."""
        latest = {}
        for version in obj.characteristic_ids.sorted(lambda v: (v.date_from, v.id), reverse=True):
            if version.container_site_id:
                continue
            key = (version.kind, version.norm_category_id.id, version.container_type_id.id)
            latest.setdefault(key, version)
        current = [v for v in latest.values() if not v.date_to]
        scalars = {}
        for version in current:
            if version.kind in rio.CHARACTERISTICS and version.kind not in scalars:
                scalars[version.kind] = version
        units = sorted(
            (v for v in current if v.kind == "units" and v.norm_category_id),
            key=lambda v: v.norm_category_id.code,
        )
        containers = sorted(
            (v for v in current if v.kind == "containers" and v.container_type_id),
            key=lambda v: (v.container_type_id.volume, v.container_type_id.id),
        )
        return scalars, units, containers
