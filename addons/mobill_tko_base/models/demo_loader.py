"""Load the demo region of :mod:`mobill_tko_core.demo.region` through the ORM.

Called by ``demo/tko_demo.xml`` when the module is installed with demo data. Records are created
in batches, one ``create`` per model and level (addresses level by level, characteristics
version by version so that a new version closes the previous one as it does for a user).
Loading twice creates nothing: the region's root address carries the xml id
``mobill_tko_base.demo_address_region`` and its presence means the region is loaded.
"""

import logging
from collections import defaultdict

from odoo import api, models
from odoo.tools import float_compare

from mobill_tko_core.demo import region as demo_region

_logger = logging.getLogger(__name__)

MODULE = "mobill_tko_base"
MARKER = "demo_address_region"
PARAMETER = "mobill_tko_base.demo_region"
ADDRESS_LEVELS = ("region", "district", "locality", "street", "house", "premises")
PARTNER_FIELDS = (
    "name",
    "is_company",
    "is_tko_consumer",
    "is_management_company",
    "management_kind",
    "vat",
    "kpp",
    "ogrn",
    "snils",
    "phone",
    "mobile",
    "email",
    "street",
    "city",
    "zip",
    "legal_address",
    "director_name",
    "birthdate",
    "passport_series",
    "passport_number",
    "passport_issued_by",
    "passport_date",
)


def _value(value):
    return False if value is None else value


class TkoDemoLoader(models.AbstractModel):
    _name = "tko.demo.loader"
    _description = "Demo region loader"

    @api.model
    def _load_demo_region(
        self,
        accounts=demo_region.DEMO_ACCOUNTS,
        contracts=demo_region.DEMO_CONTRACTS,
        seed=demo_region.DEFAULT_SEED,
    ):
        """Create the demo region (operator, zones, tariffs, norms, address plan, consumers…).

        Returns ``True`` when the region was created, ``False`` when it was already there.
        Private: it runs as superuser and renames the company, so only the demo data
        (``demo/tko_demo.xml``) and server scripts call it, never a client over RPC.
        """
        if self.env.ref(f"{MODULE}.{MARKER}", raise_if_not_found=False):
            _logger.info("The demo region is already loaded: nothing to do.")
            return False
        loader = self.sudo().with_context(
            tracking_disable=True,
            mail_create_nolog=True,
            mail_create_nosubscribe=True,
            mail_notrack=True,
            lang="en_US",
        )
        region = demo_region.generate(accounts=accounts, contracts=contracts, seed=seed)
        loader._load(region)
        self.env["ir.config_parameter"].sudo().set_param(
            PARAMETER, f"seed={seed} accounts={accounts} contracts={contracts}"
        )
        _logger.info("Demo region loaded: %s personal accounts, %s contracts.", accounts, contracts)
        return True

    # ------------------------------------------------------------------ steps
    def _load(self, region):
        env = self.env
        company = env.ref("base.main_company")
        russia = env.ref("base.ru")
        xmlids = {}
        self._load_operator(region, company, russia)
        banks = self._load_banks(region, russia)
        zones = env["tko.tariff.zone"].create(
            [{"name": z.name, "code": z.code, "company_id": company.id} for z in region.zones]
        )
        zone_ids = {z.id: rec.id for z, rec in zip(region.zones, zones, strict=True)}
        for zone, rec in zip(region.zones, zones, strict=True):
            xmlids[f"demo_zone_{zone.code}"] = rec
        categories = {c.code: c.id for c in env["tko.norm.category"].search([])}
        env["tko.tariff"].create(
            [
                {
                    "name": t.name,
                    "zone_id": zone_ids[t.zone_id],
                    "consumer_group": t.consumer_group,
                    "uom": "m3",
                    "price": t.price,
                    "vat_mode": t.vat_mode,
                    "date_from": t.date_from,
                    "date_to": _value(t.date_to),
                    "company_id": company.id,
                }
                for t in region.tariffs
            ]
        )
        env["tko.norm"].create(
            [
                {
                    "category_id": categories[n.category],
                    "zone_id": zone_ids[n.zone_id],
                    "value": n.value,
                    "uom": "m3",
                    "date_from": n.date_from,
                    "date_to": _value(n.date_to),
                    "document": n.document,
                    "company_id": company.id,
                }
                for n in region.norms
            ]
        )

        # the registry: small enough to hold in memory, grouped by type
        records = defaultdict(list)
        for record in region.records():
            records[type(record)].append(record)

        partner_ids = self._load_partners(records[demo_region.Partner], russia, company)
        address_ids = self._load_addresses(
            records[demo_region.Address], zone_ids, partner_ids, company
        )
        object_ids = self._load_objects(
            records[demo_region.ConsumerObject], address_ids, partner_ids, company
        )
        self._load_characteristics(records[demo_region.Characteristic], object_ids, categories)
        accounts = env["tko.account"].create(
            [
                {
                    "partner_id": partner_ids[a.partner_id],
                    "object_id": object_ids[a.object_id],
                    "date_open": a.date_open,
                    "date_close": _value(a.date_close),
                    "calc_method": a.calc_method,
                    "company_id": company.id,
                }
                for a in records[demo_region.Account]
            ]
        )
        contract_ids = self._load_contracts(records, partner_ids, object_ids, categories, company)
        env["res.partner.bank"].create(
            [
                {
                    "partner_id": partner_ids[b.partner_id],
                    "acc_number": b.acc_number,
                    "bank_id": banks[b.bank_bic],
                }
                for b in records[demo_region.BankAccount]
            ]
        )

        # xml ids of a few key records, for tests and other modules' demo data
        addresses = records[demo_region.Address]
        xmlids[MARKER] = env["tko.address"].browse(address_ids[addresses[0].id])
        capital = next(a for a in addresses if a.level == "locality")
        xmlids["demo_address_capital"] = env["tko.address"].browse(address_ids[capital.id])
        first_company = region.management_companies[0]
        xmlids["demo_management_company"] = env["res.partner"].browse(partner_ids[first_company.id])
        if accounts:
            xmlids["demo_account_1"] = accounts[0]
            xmlids["demo_person_1"] = accounts[0].partner_id
        for line in records[demo_region.ContractLine]:
            name = f"demo_contract_{line.scheme}"
            if name not in xmlids:
                xmlids[name] = env["tko.contract"].browse(contract_ids[line.contract_id])
        env["ir.model.data"]._update_xmlids(
            [
                {"xml_id": f"{MODULE}.{name}", "record": record, "noupdate": True}
                for name, record in xmlids.items()
            ]
        )

    def _load_operator(self, region, company, russia):
        op = region.operator
        rub = self.env.ref("base.RUB")
        if not rub.active:
            rub.active = True
        company.write(
            {
                "name": op.name,
                "vat": op.inn,
                "company_registry": op.ogrn,
                "street": op.street,
                "city": op.city,
                "zip": op.zip,
                "country_id": russia.id,
                "phone": op.phone,
                "email": op.email,
                "website": op.website,
                "currency_id": rub.id,
            }
        )
        company.partner_id.write(
            {
                "kpp": op.kpp,
                "ogrn": op.ogrn,
                "director_name": op.director_name,
                "legal_address": op.legal_address,
                "is_company": True,
            }
        )

    def _load_banks(self, region, russia):
        Bank = self.env["res.bank"]
        existing = {
            b.bic: b.id for b in Bank.search([("bic", "in", [b.bic for b in region.banks])])
        }
        missing = [b for b in region.banks if b.bic not in existing]
        created = Bank.create(
            [
                {
                    "name": b.name,
                    "bic": b.bic,
                    "corr_account": b.corr_account,
                    "city": b.city,
                    "country": russia.id,
                }
                for b in missing
            ]
        )
        existing.update({b.bic: rec.id for b, rec in zip(missing, created, strict=True)})
        op = region.operator
        self.env["res.partner.bank"].create(
            {
                "partner_id": self.env.ref("base.main_company").partner_id.id,
                "acc_number": op.bank_account,
                "bank_id": existing[op.bank_bic],
            }
        )
        return existing

    def _load_partners(self, partners, russia, company):
        vals_list = []
        for p in partners:
            vals = {name: _value(getattr(p, name)) for name in PARTNER_FIELDS}
            vals.update(tko_kind=p.kind, country_id=russia.id, company_id=company.id)
            vals_list.append(vals)
        created = self.env["res.partner"].create(vals_list)
        return {p.id: rec.id for p, rec in zip(partners, created, strict=True)}

    def _load_addresses(self, addresses, zone_ids, partner_ids, company):
        ids = {}
        by_level = defaultdict(list)
        for address in addresses:
            by_level[address.level].append(address)
        for level in ADDRESS_LEVELS:
            batch = by_level.get(level, [])
            created = self.env["tko.address"].create(
                [
                    {
                        "name": a.name,
                        "type_name": a.type_name,
                        "level": a.level,
                        "parent_id": ids[a.parent_id] if a.parent_id else False,
                        "postal_code": _value(a.postal_code),
                        "tariff_zone_id": zone_ids[a.tariff_zone_id] if a.tariff_zone_id else False,
                        "house_kind": _value(a.house_kind),
                        "premises_kind": _value(a.premises_kind),
                        "management_company_id": (
                            partner_ids[a.management_company_id]
                            if a.management_company_id
                            else False
                        ),
                        "company_id": company.id,
                    }
                    for a in batch
                ]
            )
            ids.update({a.id: rec.id for a, rec in zip(batch, created, strict=True)})
        return ids

    def _load_objects(self, objects, address_ids, partner_ids, company):
        created = self.env["tko.object"].create(
            [
                {
                    "name": o.name,
                    "kind": o.kind,
                    "address_id": address_ids[o.address_id],
                    "partner_id": partner_ids[o.partner_id] if o.partner_id else False,
                    "company_id": company.id,
                }
                for o in objects
            ]
        )
        return {o.id: rec.id for o, rec in zip(objects, created, strict=True)}

    def _load_characteristics(self, characteristics, object_ids, categories):
        """Version by version: creating version n+1 closes version n, as for a user."""
        types = self.env["tko.container.type"].search([])
        # entered by the demo operator (the versions' «Entered by»), not by OdooBot
        operator = self.env.ref(f"{MODULE}.user_demo_operator", raise_if_not_found=False)
        Characteristic = self.env["tko.object.characteristic"]
        if operator:
            Characteristic = Characteristic.with_user(operator).sudo()
        waves = defaultdict(list)
        for char in characteristics:
            waves[char.version].append(char)
        for version in sorted(waves):
            vals_list = []
            for c in waves[version]:
                vals = {
                    "object_id": object_ids[c.object_id],
                    "kind": c.kind,
                    "date_from": c.date_from,
                    # a version followed by the next one is closed by the model itself
                    "date_to": False if c.closed_by_next else _value(c.date_to),
                }
                if c.value is not None:
                    vals["value"] = c.value
                if c.norm_category:
                    vals["norm_category_id"] = categories[c.norm_category]
                if c.kind == "containers":
                    container_type = types.filtered(
                        lambda t, volume=c.container_volume: float_compare(
                            t.volume, volume, precision_digits=3
                        )
                        == 0
                    )[:1]
                    vals.update(
                        container_type_id=container_type.id,
                        container_volume=c.container_volume,
                        container_count=c.container_count,
                        container_site_id=object_ids[c.container_site_id],
                        schedule_kind=c.schedule_kind,
                        schedule_weekdays=c.schedule_weekdays,
                    )
                vals_list.append(vals)
            Characteristic.create(vals_list)

    def _load_contracts(self, records, partner_ids, object_ids, categories, company):
        contracts = records[demo_region.Contract]
        created = self.env["tko.contract"].create(
            [
                {
                    "name": c.number,
                    "partner_id": partner_ids[c.partner_id],
                    "date_signed": _value(c.date_signed),
                    "date_start": c.date_start,
                    "date_end": _value(c.date_end),
                    "state": c.state,
                    "company_id": company.id,
                }
                for c in contracts
            ]
        )
        ids = {c.id: rec.id for c, rec in zip(contracts, created, strict=True)}
        self.env["tko.contract.line"].create(
            [
                {
                    "contract_id": ids[line.contract_id],
                    "object_id": object_ids[line.object_id],
                    "scheme": line.scheme,
                    "norm_category_id": (
                        categories[line.norm_category] if line.norm_category else False
                    ),
                    "limit_volume": line.limit_volume or 0.0,
                    "date_from": line.date_from,
                    "date_to": _value(line.date_to),
                }
                for line in records[demo_region.ContractLine]
            ]
        )
        self.env["tko.contract.condition"].create(
            [
                {
                    "contract_id": ids[c.contract_id],
                    "date_from": c.date_from,
                    "date_to": _value(c.date_to),
                    "due_day": c.due_day,
                    "advance": c.advance,
                    "advance_share": c.advance_share or 0.0,
                    "advance_due_day": c.advance_due_day,
                }
                for c in records[demo_region.ContractCondition]
            ]
        )
        # the numbers above came from the generator: new contracts continue after them
        sequence = self.env["ir.sequence"].search([("code", "=", "tko.contract")], limit=1)
        if sequence and sequence.number_next_actual <= len(contracts):
            sequence.number_next_actual = len(contracts) + 1
        return ids
