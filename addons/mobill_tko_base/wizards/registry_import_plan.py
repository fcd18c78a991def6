"""Import and export of consumers with their objects, personal accounts and characteristics.

The file layout, its readers, writers and the checks that need no database live in
:mod:`mobill_tko_core.registry_io` (documented in ``docs/registry_layout.md``). Here:

* :class:`RegistryImportPlan` resolves a valid file against the database (addresses of the
  company, norm categories, container types, existing consumers, objects and accounts), adds
  the checks that need the database and computes every change without writing anything;
  :meth:`RegistryImportPlan.apply` then writes them.
* ``tko.registry.import.wizard``: «Check» shows the report of bad rows (or what an import would
  change) without writing; «Import» checks again and writes everything in one transaction, or
  nothing at all when one row is bad.
* ``tko.registry.export.wizard``: writes the same layout for all or the selected accounts of
  the current company; an exported file imports back unchanged.
"""

import base64
import contextlib
from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal

import psycopg2
from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import float_compare
from odoo.tools.translate import _lt, code_translations

from mobill_tko_core import registry_io as rio
from mobill_tko_core import requisites as req
from mobill_tko_core.errors import RequisiteError
from mobill_tko_core.formats import FormatError

from ..tools import check_rights, core_error_message

# Translations of the core's codes (the core's parameters fill them).
CORE_MESSAGES = {
    "required": _lt("“%(column)s” is required."),
    "consumer_kind_unknown": _lt(
        "“%(value)s” is not a known consumer kind; use one of: %(allowed)s."
    ),
    "object_kind_unknown": _lt("“%(value)s” is not a known object kind; use one of: %(allowed)s."),
    "calc_method_unknown": _lt(
        "“%(value)s” is not a known calculation method; use one of: %(allowed)s."
    ),
    "inn_required": _lt("INN is required for a consumer of kind %(kind)s."),
    "not_for_kind": _lt("“%(column)s” is not filled for a consumer of kind %(kind)s."),
    "email_format": _lt("“%(value)s” is not an e-mail address."),
    "address_empty": _lt("Give the address of the object or its ГАР GUID."),
    "address_guid_format": _lt(
        "“%(value)s” is not a GUID (32 hexadecimal digits in 5 groups, e.g. "
        "0c5b2444-70a0-4932-980c-b4dc0d3f02b5)."
    ),
    "incomplete": _lt("“%(column)s” is required when “%(other)s” is given."),
    "account_dates_order": _lt("The account closes (%(close)s) before it opens (%(open)s)."),
    "date_format": _lt("“%(value)s” is not a date in the form DD.MM.YYYY."),
    "number_format": _lt("“%(value)s” is not a number."),
    "number_negative": _lt("“%(value)s” is negative."),
    "number_not_integer": _lt("“%(value)s” is not a whole number."),
    "number_precision": _lt("“%(value)s” has more than %(places)s digits after the decimal comma."),
    "number_not_positive": _lt("“%(value)s” must be greater than zero."),
    "schedule_format": _lt(
        "Pick-up schedule “%(value)s” is not understood: write «ежедневно», weekdays such as "
        "«пн,ср,пт», «каждые 3 дн. с 01.02.2025» or «даты 05.01.2025,19.01.2025»."
    ),
    "account_number_duplicate": _lt(
        "Personal account %(value)s is already on line %(other_line)s."
    ),
    "account_duplicate": _lt(
        "Line %(other_line)s already opens an account of this consumer for this object on this "
        "date."
    ),
    "object_conflict": _lt("The same object is of another kind on line %(other_line)s."),
    "characteristic_conflict": _lt(
        "The same object has another value or date of “%(column)s” on line %(other_line)s."
    ),
    "consumer_conflict": _lt(
        "The same consumer has “%(value)s” in “%(column)s” on line %(other_line)s."
    ),
    "missing_column": _lt("The file has no column “%(column)s”."),
    "duplicate_column": _lt("Column “%(column)s” appears twice."),
    "unknown_column": _lt("Column “%(column)s” is not part of the layout and is ignored."),
    "row_too_long": _lt("The row has %(cells)s cells but the header only %(columns)s."),
    "no_rows": _lt("The file has a header but no rows."),
    "registry_io.empty": _lt("The file is empty."),
    "registry_io.bad_xlsx": _lt("The file cannot be read as an XLSX workbook."),
    "registry_io.bad_csv": _lt("The file cannot be read as CSV: %(reason)s."),
    "registry_io.bad_encoding": _lt(
        "The file is neither UTF-8 nor windows-1251 text; save it as CSV (UTF-8) or XLSX."
    ),
    "registry_io.unknown_encoding": _lt("Unknown text encoding: %(encoding)s."),
    "registry_io.not_encodable": _lt(
        "Line %(line)s has the character “%(char)s” that %(encoding)s cannot hold; export in "
        "UTF-8 instead."
    ),
}


def registry_error_message(error, env) -> str:
    """The message of a core :class:`~mobill_tko_core.registry_io.RowError` in env's language."""
    template = CORE_MESSAGES.get(error.code)
    if template is not None:
        source = template._source
        lang = env.lang
        if lang and lang != "en_US":
            translations = code_translations.get_python_translations("mobill_tko_base", lang)
            source = translations.get(source, source)
        try:
            return source % dict(error.params)
        except (KeyError, TypeError, ValueError):
            return error.message
    # requisite codes (inn_checksum, snils_length…) are translated by the shared table
    message = core_error_message(error, env)
    return error.message if message == str(error) else message


def _decimal(value) -> Decimal:
    """An Odoo float as the exact decimal the file holds (4 places at most)."""
    return Decimal(repr(round(value or 0.0, 4))).normalize()


def _same_number(a, b) -> bool:
    return float_compare(float(a or 0), float(b or 0), precision_digits=4) == 0


def schedule_of(characteristic):
    """The core :class:`Schedule` of a container characteristic (None: no schedule)."""
    kind = characteristic.schedule_kind
    if not kind:
        return None
    weekdays = tuple(
        sorted(
            {
                int(p)
                for p in (characteristic.schedule_weekdays or "").replace(";", ",").split(",")
                if p.strip().isdigit()
            }
        )
    )
    dates = []
    for part in (characteristic.schedule_dates or "").replace(";", ",").split(","):
        part = part.strip()
        if part:
            try:
                dates.append(date.fromisoformat(part))
            except ValueError:
                continue
    if kind == "weekdays":
        return rio.Schedule(kind, weekdays=weekdays)
    if kind == "every_n_days":
        return rio.Schedule(
            kind,
            interval=characteristic.schedule_interval or 0,
            start=characteristic.schedule_start or None,
        )
    if kind == "dates":
        return rio.Schedule(kind, dates=tuple(sorted(set(dates))))
    return rio.Schedule(kind)


def schedule_vals(schedule) -> dict:
    """The characteristic's schedule fields for a core :class:`Schedule` (or None)."""
    if schedule is None:
        return {
            "schedule_kind": False,
            "schedule_weekdays": False,
            "schedule_interval": 0,
            "schedule_start": False,
            "schedule_dates": False,
        }
    return {
        "schedule_kind": schedule.kind,
        "schedule_weekdays": ",".join(str(d) for d in schedule.weekdays) or False,
        "schedule_interval": schedule.interval or 0,
        "schedule_start": schedule.start or False,
        "schedule_dates": ",".join(d.isoformat() for d in schedule.dates) or False,
    }


class RegistryImportPlan:
    """Everything an import of valid records would change, computed without writing.

    ``errors`` are the problems only the database shows (a row with one is not planned
    further); ``apply()`` writes the plan and may be called only when there is none.
    """

    def __init__(self, env, records):
        self.env = env
        self.company = env.company
        self.records = list(records)
        self.errors = []
        self.stats = Counter()
        self.address_of = {}  # line → tko.address id
        self.category_of = {}  # norm category code → id
        self.container_type_of = {}  # volume → tko.container.type id
        self.consumers = []  # dicts: partner, vals
        self.consumer_of = {}  # line → consumer plan
        self.objects = []  # dicts: object, vals, consumer, characteristics
        self.object_of = {}  # line → object plan
        self.accounts = []  # dicts: account, vals, consumer, object, line
        self.current_line = 0

    # ------------------------------------------------------------------ helpers
    def error(self, rec, key, code, message):
        """A problem found here: ``message`` is already translated."""
        column = rio.header_of(key) if key else ""
        self.errors.append(rio.RowError(rec.line, column, code, message, {"translated": True}))

    def _bad_lines(self):
        return {e.line for e in self.errors}

    def _good(self):
        bad = self._bad_lines()
        return [r for r in self.records if r.line not in bad]

    # ------------------------------------------------------------------ planning
    def prepare(self):
        """Resolve and plan every row; rows with a problem are reported and left out."""
        self._resolve_addresses()
        self._resolve_categories()
        self._resolve_container_types()
        good = self._good()
        groups, errors = rio.consumer_groups(good, key=self._address_key)
        self.errors += errors
        objects, errors = rio.object_groups(good, key=self._address_key)
        self.errors += errors
        bad = self._bad_lines()
        for group in groups:
            if not any(r.line in bad for r in group):
                self._plan_consumer(group)
        bad = self._bad_lines()
        for group in objects:
            if not any(r.line in bad for r in group.records):
                self._plan_object(group)
        bad = self._bad_lines()
        for rec in self.records:
            if rec.has_account and rec.line not in bad and rec.line in self.object_of:
                self._plan_account(rec)
        self.errors = rio.sort_errors(self.errors)
        return self

    def _address_key(self, rec):
        return ("address", self.address_of.get(rec.line))

    def _resolve_addresses(self):
        Address = self.env["tko.address"]
        company_domain = [("company_id", "=", self.company.id)]
        guids = {r.address_guid for r in self.records if r.address_guid}
        by_guid = defaultdict(lambda: Address)
        if guids:
            found = Address.search(
                [*company_domain, ("gar_guid", "in", sorted(guids | {g.upper() for g in guids}))]
            )
            for address in found:
                by_guid[(address.gar_guid or "").lower()] |= address
        texts = {r.address for r in self.records if r.address}
        by_text = defaultdict(lambda: Address)
        if texts:
            for address in Address.search([*company_domain, ("full_name", "in", sorted(texts))]):
                by_text[rio.normalize_key(address.full_name)] |= address
        for text in texts:
            key = rio.normalize_key(text)
            if key in by_text:
                continue
            domain = list(company_domain)
            for word in text.replace(",", " ").split():
                domain.append(("full_name", "ilike", word))
            for address in Address.search(domain, limit=50):
                if rio.normalize_key(address.full_name) == key:
                    by_text[key] |= address
        for rec in self.records:
            address = None
            if rec.address_guid:
                candidates = self._prefer_actual(by_guid[rec.address_guid])
                if not candidates:
                    self.error(
                        rec,
                        "address_guid",
                        "address_not_found",
                        _(
                            "No address with ГАР GUID %(guid)s in the address plan of "
                            "%(company)s.",
                            guid=rec.address_guid,
                            company=self.company.name,
                        ),
                    )
                    continue
                if len(candidates) > 1:
                    self.error(
                        rec,
                        "address_guid",
                        "address_ambiguous",
                        _(
                            "%(count)s addresses of the address plan have ГАР GUID %(guid)s.",
                            count=len(candidates),
                            guid=rec.address_guid,
                        ),
                    )
                    continue
                address = candidates
                if rec.address and rio.normalize_key(address.full_name) != rio.normalize_key(
                    rec.address
                ):
                    self.error(
                        rec,
                        "address",
                        "address_mismatch",
                        _(
                            "The ГАР GUID is the address “%(found)s”, not “%(given)s”.",
                            found=address.full_name,
                            given=rec.address,
                        ),
                    )
                    continue
            else:
                candidates = self._prefer_actual(by_text[rio.normalize_key(rec.address)])
                if not candidates:
                    self.error(
                        rec,
                        "address",
                        "address_not_found",
                        _(
                            "The address “%(address)s” is not in the address plan of %(company)s; "
                            "write it as the plan shows it (full address) or give its ГАР GUID.",
                            address=rec.address,
                            company=self.company.name,
                        ),
                    )
                    continue
                if len(candidates) > 1:
                    self.error(
                        rec,
                        "address",
                        "address_ambiguous",
                        _(
                            "%(count)s addresses of the address plan are “%(address)s”; give "
                            "the ГАР GUID to choose one.",
                            count=len(candidates),
                            address=rec.address,
                        ),
                    )
                    continue
                address = candidates
            self.address_of[rec.line] = address.id

    @staticmethod
    def _prefer_actual(addresses):
        actual = addresses.filtered("is_actual")
        return actual or addresses

    def _resolve_categories(self):
        codes = {r.units_category for r in self.records if r.units_category}
        if not codes:
            return
        found = self.env["tko.norm.category"].search(
            [("code", "in", sorted(codes)), ("company_id", "in", [False, self.company.id])]
        )
        for category in found.sorted(lambda c: (not c.company_id, c.id), reverse=True):
            # the company's own category wins over a shared one with the same code
            self.category_of[category.code] = category.id
        for rec in self.records:
            if rec.units_category and rec.units_category not in self.category_of:
                self.error(
                    rec,
                    "units_category",
                    "norm_category_unknown",
                    _(
                        "There is no norm category with code “%(code)s” (see Configuration › "
                        "Norm categories).",
                        code=rec.units_category,
                    ),
                )

    def _resolve_container_types(self):
        volumes = {r.container_volume for r in self.records if r.container_volume is not None}
        if not volumes:
            return
        types = self.env["tko.container.type"].search([], order="id")
        for volume in volumes:
            match = types.filtered(lambda t, v=volume: _same_number(t.volume, v))
            if match:
                self.container_type_of[volume] = match[0].id
        for rec in self.records:
            if rec.container_volume is not None and rec.container_volume not in (
                self.container_type_of
            ):
                self.error(
                    rec,
                    "container_volume",
                    "container_type_unknown",
                    _(
                        "There is no container type of %(volume)s m³ (see Configuration › "
                        "Container types).",
                        volume=rio.format_decimal(rec.container_volume),
                    ),
                )

    # ------------------------------------------------------------------ consumers
    def _consumer_values(self, group):
        values = {}
        for name in rio.CONSUMER_FIELDS:
            values[name] = next((getattr(r, name) for r in group if getattr(r, name)), "")
        return values

    def _find_partner(self, group, values):
        Partner = self.env["res.partner"]
        base = [("parent_id", "=", False), ("company_id", "in", [False, self.company.id])]
        found = Partner
        for rec in group:
            if rec.inn:
                domain = [*base, ("vat", "=", rec.inn)]
                if rec.kpp:
                    # a branch has its own KPP; a partner kept without KPP is the same one
                    found |= Partner.search([*domain, ("kpp", "=", rec.kpp)]) or Partner.search(
                        [*domain, ("kpp", "in", [False, ""])]
                    )
                else:
                    found |= Partner.search(domain)
            if rec.snils:
                found |= Partner.search(
                    [*base, ("snils", "in", [rec.snils, req.format_snils(rec.snils)])]
                )
        if not any(r.inn or r.snils for r in group):
            name = rio.normalize_key(values["consumer_name"])
            candidates = Partner.search(
                [*base, ("is_tko_consumer", "=", True), ("name", "ilike", values["consumer_name"])]
            ).filtered(
                lambda p: rio.normalize_key(p.name) == name
                and p.tko_kind == values["consumer_kind"]
            )
            postal = rio.normalize_key(values["postal_address"])
            if postal:
                found = candidates.filtered(lambda p: rio.normalize_key(p.postal_address) == postal)
            else:
                addresses = {self.address_of[r.line] for r in group}
                found = candidates.filtered(
                    lambda p: addresses
                    & set((p.tko_object_ids.address_id | p.tko_account_ids.address_id).ids)
                )
        if len(found) > 1:
            found = found.filtered("is_tko_consumer") or found
        return found

    def _plan_consumer(self, group):
        values = self._consumer_values(group)
        partner = self._find_partner(group, values)
        if len(partner) > 1:
            self.error(
                group[0],
                "consumer_name",
                "consumer_ambiguous",
                _(
                    "Several consumers match this row (%(names)s); correct the duplicates in the "
                    "registry first.",
                    names=", ".join(partner.mapped("display_name")[:5]),
                ),
            )
            return
        vals = {
            "name": values["consumer_name"],
            "tko_kind": values["consumer_kind"],
            "vat": values["inn"],
            "kpp": values["kpp"],
            "ogrn": values["ogrn"],
            "snils": req.format_snils(values["snils"]) if values["snils"] else "",
            "phone": values["phone"],
            "email": values["email"],
            "legal_address": values["legal_address"],
            "postal_address": values["postal_address"],
        }
        if partner:
            changes = {}
            for name, value in vals.items():
                current = partner[name] or ""
                if name == "snils" and current:
                    with contextlib.suppress(RequisiteError):
                        current = req.format_snils(current)
                if value and rio.normalize_text(current) != value:
                    changes[name] = value
            if not partner.is_tko_consumer:
                changes["is_tko_consumer"] = True
            if "tko_kind" in changes:
                changes["is_company"] = values["consumer_kind"] == "legal"
            vals = changes
            self.stats["consumers_updated" if vals else "consumers_unchanged"] += 1
        else:
            vals = {k: v for k, v in vals.items() if v}
            vals.update(is_tko_consumer=True, is_company=values["consumer_kind"] == "legal")
            self.stats["consumers_created"] += 1
        plan = {"partner": partner, "vals": vals, "line": group[0].line}
        self.consumers.append(plan)
        for rec in group:
            self.consumer_of[rec.line] = plan

    # ------------------------------------------------------------------ objects
    def _plan_object(self, group):
        first = group.first
        address_id = self.address_of[first.line]
        name_key = rio.normalize_key(first.object_name)
        existing = (
            self.env["tko.object"]
            .search([("company_id", "=", self.company.id), ("address_id", "=", address_id)])
            .filtered(lambda o: rio.normalize_key(o.name) == name_key)
        )
        if len(existing) > 1:
            self.error(
                first,
                "object_name",
                "object_ambiguous",
                _(
                    "The address has %(count)s objects named “%(name)s”; merge them in the "
                    "registry first.",
                    count=len(existing),
                    name=first.object_name,
                ),
            )
            return
        consumer = self.consumer_of[group.last.line]
        if existing:
            vals = {}
            if first.object_kind != existing.kind:
                vals["kind"] = first.object_kind
            if not existing.partner_id:
                vals["partner_id"] = consumer
            self.stats["objects_updated" if vals else "objects_unchanged"] += 1
        else:
            vals = {
                "name": first.object_name,
                "kind": first.object_kind,
                "address_id": address_id,
                "partner_id": consumer,
                "company_id": self.company.id,
            }
            self.stats["objects_created"] += 1
        plan = {"object": existing, "vals": vals, "characteristics": [], "line": first.line}
        self._plan_characteristics(group, existing, plan)
        self.objects.append(plan)
        for rec in group.records:
            self.object_of[rec.line] = plan

    def _latest_versions(self, obj):
        """``{(kind, category id, container type id): latest version}`` of an object."""
        latest = {}
        if not obj:
            return latest
        versions = self.env["tko.object.characteristic"].search(
            [("object_id", "=", obj.id), ("container_site_id", "=", False)],
            order="date_from desc, id desc",
        )
        for version in versions:
            key = (version.kind, version.norm_category_id.id, version.container_type_id.id)
            latest.setdefault(key, version)
        return latest

    def _plan_characteristics(self, group, obj, plan):
        """A new dated version for each value that differs from the latest one; none else."""
        latest = self._latest_versions(obj)
        wanted = []  # (line, value column, date column, chain key, vals, same(version))
        for kind, (value, since, line) in group.characteristics.items():
            wanted.append(
                (
                    line,
                    kind,
                    f"{kind}_from",
                    (kind, False, False),
                    {"kind": kind, "value": float(value), "date_from": since},
                    lambda v, value=value: _same_number(v.value, value),
                )
            )
        for code, (value, since, line) in group.units.items():
            category_id = self.category_of[code]
            wanted.append(
                (
                    line,
                    "units_value",
                    "units_from",
                    ("units", category_id, False),
                    {
                        "kind": "units",
                        "norm_category_id": category_id,
                        "value": float(value),
                        "date_from": since,
                    },
                    lambda v, value=value: _same_number(v.value, value),
                )
            )
        for volume, (count, schedule, since, line) in group.containers.items():
            type_id = self.container_type_of[volume]
            wanted.append(
                (
                    line,
                    "container_count",
                    "containers_from",
                    ("containers", False, type_id),
                    {
                        "kind": "containers",
                        "container_type_id": type_id,
                        "container_count": count,
                        "date_from": since,
                        **schedule_vals(schedule),
                    },
                    lambda v, count=count, schedule=schedule: (
                        v.container_count == count and schedule_of(v) == schedule
                    ),
                )
            )
        for line, value_key, date_key, chain, vals, same in wanted:
            version = latest.get(chain)
            if version is not None and same(version):
                self.stats["characteristics_unchanged"] += 1
                continue
            if version is not None and vals["date_from"] <= version.date_from:
                rec = next(r for r in group.records if r.line == line)
                self.error(
                    rec,
                    date_key,
                    "characteristic_date_too_early",
                    _(
                        "“%(column)s” differs from the value in force since %(since)s: a new "
                        "value needs a later “valid from” date (history is never overwritten).",
                        column=rio.header_of(value_key),
                        since=rio.format_date(version.date_from),
                    ),
                )
                continue
            plan["characteristics"].append(vals)
            self.stats["characteristics_created"] += 1

    # ------------------------------------------------------------------ accounts
    def _plan_account(self, rec):
        Account = self.env["tko.account"]
        consumer = self.consumer_of[rec.line]
        obj_plan = self.object_of[rec.line]
        partner, obj = consumer["partner"], obj_plan["object"]
        account = Account
        if rec.account_number:
            account = Account.search(
                [("company_id", "=", self.company.id), ("name", "=", rec.account_number)]
            )
            if account and account.partner_id != partner:
                self.error(
                    rec,
                    "account_number",
                    "account_other_consumer",
                    _(
                        "Personal account %(number)s belongs to %(partner)s, not to this "
                        "consumer.",
                        number=rec.account_number,
                        partner=account.partner_id.display_name,
                    ),
                )
                return
            if account and account.object_id != obj:
                self.error(
                    rec,
                    "account_number",
                    "account_other_object",
                    _(
                        "Personal account %(number)s is for the object “%(object)s”, not for "
                        "this one.",
                        number=rec.account_number,
                        object=account.object_id.display_name,
                    ),
                )
                return
        elif partner and obj:
            candidates = Account.search(
                [
                    ("company_id", "=", self.company.id),
                    ("partner_id", "=", partner.id),
                    ("object_id", "=", obj.id),
                ]
            )
            account = candidates.filtered(lambda a: a.date_open == rec.account_date_open)[:1]
            if not account and len(candidates) == 1 and candidates.state == "open":
                account = candidates
        if account:
            vals = {}
            if account.date_open != rec.account_date_open:
                vals["date_open"] = rec.account_date_open
            if rec.account_date_close and account.date_close != rec.account_date_close:
                vals["date_close"] = rec.account_date_close
            if rec.calc_method and account.calc_method != rec.calc_method:
                vals["calc_method"] = rec.calc_method
            self.stats["accounts_updated" if vals else "accounts_unchanged"] += 1
        else:
            vals = {
                "date_open": rec.account_date_open,
                "company_id": self.company.id,
            }
            if rec.account_number:
                vals["name"] = rec.account_number
            if rec.account_date_close:
                vals["date_close"] = rec.account_date_close
            if rec.calc_method:
                vals["calc_method"] = rec.calc_method
            self.stats["accounts_created"] += 1
        self.accounts.append(
            {
                "account": account,
                "vals": vals,
                "consumer": consumer,
                "object": obj_plan,
                "line": rec.line,
            }
        )

    # ------------------------------------------------------------------ writing
    def apply(self):
        """Write the plan. Constraint errors propagate with ``current_line`` set."""
        assert not self.errors, "a plan with errors is never applied"
        Partner = self.env["res.partner"]
        for plan in self.consumers:
            self.current_line = plan["line"]
            if plan["partner"]:
                if plan["vals"]:
                    plan["partner"].write(plan["vals"])
            else:
                plan["partner"] = Partner.create(plan["vals"])
        self.env.flush_all()
        Object = self.env["tko.object"]
        Characteristic = self.env["tko.object.characteristic"]
        for plan in self.objects:
            self.current_line = plan["line"]
            vals = dict(plan["vals"])
            if "partner_id" in vals:
                vals["partner_id"] = vals["partner_id"]["partner"].id
            if plan["object"]:
                if vals:
                    plan["object"].write(vals)
            else:
                plan["object"] = Object.create(vals)
            for char_vals in plan["characteristics"]:
                Characteristic.create({**char_vals, "object_id": plan["object"].id})
        self.env.flush_all()
        Account = self.env["tko.account"]
        for plan in self.accounts:
            self.current_line = plan["line"]
            if plan["account"]:
                if plan["vals"]:
                    plan["account"].write(plan["vals"])
            else:
                vals = {
                    **plan["vals"],
                    "partner_id": plan["consumer"]["partner"].id,
                    "object_id": plan["object"]["object"].id,
                }
                plan["account"] = Account.create(vals)
        self.env.flush_all()
        self.current_line = 0

    def summary(self):
        stats = self.stats
        return _(
            "Rows: %(rows)s.\n"
            "Consumers: %(c_new)s new, %(c_upd)s updated, %(c_same)s unchanged.\n"
            "Objects: %(o_new)s new, %(o_upd)s updated, %(o_same)s unchanged.\n"
            "Personal accounts: %(a_new)s new, %(a_upd)s updated, %(a_same)s unchanged.\n"
            "Characteristics: %(ch_new)s new dated values, %(ch_same)s unchanged.",
            rows=len(self.records),
            c_new=stats["consumers_created"],
            c_upd=stats["consumers_updated"],
            c_same=stats["consumers_unchanged"],
            o_new=stats["objects_created"],
            o_upd=stats["objects_updated"],
            o_same=stats["objects_unchanged"],
            a_new=stats["accounts_created"],
            a_upd=stats["accounts_updated"],
            a_same=stats["accounts_unchanged"],
            ch_new=stats["characteristics_created"],
            ch_same=stats["characteristics_unchanged"],
        )


class TkoRegistryImportError(models.TransientModel):
    _name = "tko.registry.import.error"
    _description = "Bad row of a registry import"
    _order = "line, id"

    wizard_id = fields.Many2one("tko.registry.import.wizard", required=True, ondelete="cascade")
    line = fields.Integer("Row", help="Row of the spreadsheet; the header is row 1, 0 the file.")
    column = fields.Char()
    code = fields.Char()
    message = fields.Char("Reason")


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
                    "message": error.message
                    if error.params.get("translated")
                    else registry_error_message(error, self.env),
                }
                for error in rio.sort_errors(errors)
            ]
        )


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
            raise UserError(registry_error_message(error, self.env)) from error
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
                        values[kind] = _decimal(version.value)
                        values[f"{kind}_from"] = version.date_from
            if i < len(units):
                version = units[i]
                values.update(
                    units_category=version.norm_category_id.code,
                    units_value=_decimal(version.value),
                    units_from=version.date_from,
                )
            if i < len(containers):
                version = containers[i]
                values.update(
                    container_volume=_decimal(version.container_type_id.volume),
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
