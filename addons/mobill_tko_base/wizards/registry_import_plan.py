"""What an import of consumers would change, computed against the database without writing.

The file layout, its readers, writers and the checks that need no database live in
:mod:`mobill_tko_core.registry_io` (documented in ``docs/registry_layout.md``).
:class:`RegistryImportPlan` resolves a valid file against the database (addresses of the
company, norm categories, container types, existing consumers, objects and accounts), adds the
checks that need the database and computes every change without writing anything;
:meth:`RegistryImportPlan.apply` then writes them. ``tko.registry.import.wizard`` uses it.
"""

import contextlib
from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal

from odoo import _
from odoo.tools import float_compare

from mobill_tko_core import registry_io as rio
from mobill_tko_core import requisites as req
from mobill_tko_core.errors import RequisiteError


def decimal_of(value) -> Decimal:
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
