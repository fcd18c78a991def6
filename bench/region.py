"""Benchmark and fixture: a large region built directly in PostgreSQL with COPY.

``make bench BENCH=region SCALE=1000000`` creates a throw-away database, installs
``mobill_tko_base`` into it with Odoo (no demo data), then streams the region of
:mod:`mobill_tko_core.demo.region` — SCALE personal accounts, SCALE/20 contracts, their
consumers, address plan, objects, characteristics, contract lines, payment conditions and bank
accounts — into the real tables with ``COPY``, in chunks of bounded size:

* the generator yields records; the main thread formats them into per-table text buffers; when
  the buffers hold ``chunk_rows`` rows they go, in dependency order, to a worker thread that
  COPYs them on its own while the next chunk is generated (PostgreSQL runs on the second core);
* ids are the generator's local ids plus the table's maximum id before the load, and the id
  sequences are moved past them afterwards; ``parent_path``, ``full_name``, effective zones,
  management companies, ``company_id`` and the create/write columns are written as the ORM
  writes them; the ``ir.sequence`` of account and contract numbers continue after the loaded ones;
* plain (non-unique) indexes and the foreign keys of the loaded tables are dropped before the
  load; afterwards the indexes are built again and the foreign keys added back and validated
  (one set-based check per key instead of a trigger per row); unique constraints stay and are
  checked row by row; then ANALYZE.

Other benchmarks reuse it::

    from bench.region import build_region, drop_database
    metrics = build_region("mobill_bench_charges", 100_000)
    ...
    drop_database("mobill_bench_charges")

Printed metrics: ``<metric>: <value> <unit>``. The database is dropped at the end unless
``KEEP=1`` is set (``make bench BENCH=region SCALE=1000 KEEP=1``) or ``bench/run.py --keep``.
"""

from __future__ import annotations

import gc
import os
import queue
import resource
import shutil
import subprocess
import sys
import threading
import time
from datetime import date, datetime
from pathlib import Path

import psycopg2
from psycopg2 import sql

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT / "scripts") not in sys.path:
    sys.path.insert(0, str(ROOT / "scripts"))
if str(ROOT / "src") not in sys.path:
    sys.path.append(str(ROOT / "src"))

import common  # noqa: E402  (scripts/common.py: the Odoo command line of this project)

from mobill_tko_core.demo import region as dr  # noqa: E402

DEFAULT_SCALE = 100_000
DEFAULT_DB = "mobill_bench_region"
CONTRACTS_PER_ACCOUNTS = 20  # contracts = accounts / 20
CHUNK_ROWS = 100_000  # rows formatted before a COPY round (all tables together)
QUEUED_CHUNKS = 2  # chunks waiting for the COPY worker: memory stays bounded
SUPERUSER_ID = 1

# Tables in dependency order: a chunk is copied table by table in this order.
TABLES = {
    "res_partner": (
        "id, name, complete_name, commercial_partner_id, commercial_company_name, type, active, "
        "is_company, partner_share, lang, color, message_bounce, email, email_normalized, phone, "
        "mobile, phone_sanitized, company_id, country_id, vat, kpp, ogrn, snils, street, city, "
        "zip, legal_address, director_name, birthdate, passport_series, passport_number, "
        "passport_issued_by, passport_date, tko_kind, is_tko_consumer, is_management_company, "
        "management_kind, create_uid, write_uid, create_date, write_date"
    ),
    "tko_address": (
        "id, parent_id, parent_path, name, type_name, level, full_name, postal_code, "
        "tariff_zone_id, zone_id, house_kind, premises_kind, management_company_id, company_id, "
        "is_actual, active, create_uid, write_uid, create_date, write_date"
    ),
    "tko_object": (
        "id, name, kind, address_id, partner_id, company_id, zone_id, management_company_id, "
        "active, create_uid, write_uid, create_date, write_date"
    ),
    "tko_object_characteristic": (
        "id, object_id, company_id, kind, value, norm_category_id, container_type_id, "
        "container_volume, container_count, container_site_id, schedule_kind, schedule_weekdays, "
        "date_from, date_to, create_uid, write_uid, create_date, write_date"
    ),
    "tko_account": (
        "id, name, partner_id, object_id, address_id, zone_id, management_company_id, "
        "company_id, date_open, date_close, calc_method, state, create_uid, write_uid, "
        "create_date, write_date"
    ),
    "tko_contract": (
        "id, name, partner_id, company_id, state, date_signed, date_start, date_end, create_uid, "
        "write_uid, create_date, write_date"
    ),
    "tko_contract_line": (
        "id, contract_id, company_id, object_id, scheme, norm_category_id, limit_volume, "
        "date_from, date_to, create_uid, write_uid, create_date, write_date"
    ),
    "tko_contract_condition": (
        "id, contract_id, company_id, due_day, advance, advance_share, advance_due_day, "
        "date_from, date_to, create_uid, write_uid, create_date, write_date"
    ),
    "res_partner_bank": (
        "id, partner_id, bank_id, acc_number, sanitized_acc_number, sequence, company_id, "
        "active, allow_out_payment, create_uid, write_uid, create_date, write_date"
    ),
}
RECORD_TABLES = {
    dr.Partner: "res_partner",
    dr.Address: "tko_address",
    dr.ConsumerObject: "tko_object",
    dr.Characteristic: "tko_object_characteristic",
    dr.Account: "tko_account",
    dr.Contract: "tko_contract",
    dr.ContractLine: "tko_contract_line",
    dr.ContractCondition: "tko_contract_condition",
    dr.BankAccount: "res_partner_bank",
}

NULL = "\\N"
_ESCAPE = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


# =========================================================================== database


def _connect(dbname: str):
    return psycopg2.connect(dbname=dbname)


def database_exists(dbname: str) -> bool:
    with _connect("postgres") as conn, conn.cursor() as cr:
        cr.execute("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,))
        return bool(cr.fetchone())


def drop_database(dbname: str) -> None:
    """Drop the database and its filestore (nothing happens when it does not exist)."""
    conn = _connect("postgres")
    conn.autocommit = True
    try:
        with conn.cursor() as cr:
            cr.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname))
            )
    finally:
        conn.close()
    shutil.rmtree(ROOT / "var" / "data" / "filestore" / dbname, ignore_errors=True)


def install_database(dbname: str, modules: str = "mobill_tko_base") -> float:
    """Create ``dbname`` from scratch with ``modules`` installed (no demo data); seconds."""
    drop_database(dbname)
    log = ROOT / "var" / f"bench-{dbname}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    command = common.odoo_command(
        "-d",
        dbname,
        "-i",
        modules,
        "--without-demo=all",
        "--stop-after-init",
        "--no-http",
        "--log-level=warn",
        f"--logfile={log}",
    )
    started = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, env=common.env(), check=False)
    if result.returncode:
        tail = log.read_text(errors="replace").splitlines()[-30:] if log.exists() else []
        raise RuntimeError(
            f"installing {modules} into {dbname} failed (exit {result.returncode}):\n"
            + "\n".join(tail)
        )
    return time.perf_counter() - started


# =========================================================================== COPY worker


class _CopyWorker(threading.Thread):
    """COPYs queued chunks on its own connection while the main thread generates the next."""

    def __init__(self, conn):
        super().__init__(name="copy-worker", daemon=True)
        self.conn = conn
        self.queue: queue.Queue = queue.Queue(maxsize=QUEUED_CHUNKS)
        self.error: BaseException | None = None
        self.seconds = 0.0

    def run(self):
        with self.conn.cursor() as cr:
            while True:
                chunk = self.queue.get()
                if chunk is None:
                    return
                if self.error:
                    continue  # drain the queue after a failure
                try:
                    started = time.perf_counter()
                    for table, data in chunk:
                        copy = f"COPY {table} ({TABLES[table]}) FROM STDIN"
                        cr.copy_expert(copy, _BytesReader(data), size=1 << 20)
                    self.seconds += time.perf_counter() - started
                except BaseException as error:  # reported to the main thread
                    self.error = error

    def put(self, chunk):
        if self.error:
            raise self.error
        self.queue.put(chunk)

    def finish(self):
        self.queue.put(None)
        self.join()
        if self.error:
            raise self.error


class _BytesReader:
    """A read-only file over bytes, without copying them (what copy_expert reads from)."""

    __slots__ = ("data", "pos")

    def __init__(self, data: bytes):
        self.data = memoryview(data)
        self.pos = 0

    def read(self, size: int = -1) -> bytes:
        end = len(self.data) if size is None or size < 0 else self.pos + size
        piece = self.data[self.pos : end]
        self.pos += len(piece)
        return bytes(piece)

    def readline(self, size: int = -1) -> bytes:  # not used by COPY FROM, for completeness
        return self.read(size)


# =========================================================================== formatting


class _Formatter:
    """Turns generator records into COPY text lines with database ids."""

    def __init__(self, offsets: dict, ref: dict):
        self.off = offsets
        company_id, country_id = ref["company_id"], ref["country_id"]
        categories, container_types = ref["categories"], ref["container_types"]
        self.bank_ids = {bic: str(i) for bic, i in ref["bank_ids"].items()}
        zone_ids = ref["zone_ids"]
        self.company = str(company_id)
        self.country = str(country_id)
        self.categories = {code: str(i) for code, i in categories.items()}
        self.container_types = container_types
        self.zones = {local: str(db) for local, db in zone_ids.items()}
        stamp = datetime.now().replace(microsecond=0).isoformat(sep=" ")
        self.tail = f"{SUPERUSER_ID}\t{SUPERUSER_ID}\t{stamp}\t{stamp}\n"
        self.today = date.today()
        self.format = {
            dr.Partner: self.partner,
            dr.Address: self.address,
            dr.ConsumerObject: self.object,
            dr.Characteristic: self.characteristic,
            dr.Account: self.account,
            dr.Contract: self.contract,
            dr.ContractLine: self.line,
            dr.ContractCondition: self.condition,
            dr.BankAccount: self.bank_account,
        }

    @staticmethod
    def _text(value) -> str:
        return NULL if value is None else value.translate(_ESCAPE)

    @staticmethod
    def _date(value) -> str:
        return NULL if value is None else value.isoformat()

    def _ref(self, table: str, value) -> str:
        return NULL if value is None else str(value + self.off[table])

    def _zone(self, value) -> str:
        return NULL if value is None else self.zones[value]

    def partner(self, p: dr.Partner) -> str:
        t, dt = self._text, self._date
        pid = str(p.id + self.off["res_partner"])
        name = t(p.name)
        email = t(p.email)
        phone = p.mobile or p.phone
        company = self.company if (p.is_tko_consumer or p.is_management_company) else NULL
        bool_ = "tf"
        return (
            f"{pid}\t{name}\t{name}\t{pid}\t{name if p.is_company else NULL}\tcontact\tt\t"
            f"{bool_[not p.is_company]}\tt\ten_US\t0\t0\t{email}\t"
            f"{NULL if p.email is None else t(p.email.lower())}\t{t(p.phone)}\t{t(p.mobile)}\t"
            f"{t(phone)}\t{company}\t{self.country}\t{t(p.vat)}\t{t(p.kpp)}\t{t(p.ogrn)}\t"
            f"{t(p.snils)}\t{t(p.street)}\t{t(p.city)}\t{t(p.zip)}\t{t(p.legal_address)}\t"
            f"{t(p.director_name)}\t{dt(p.birthdate)}\t{t(p.passport_series)}\t"
            f"{t(p.passport_number)}\t{t(p.passport_issued_by)}\t{dt(p.passport_date)}\t"
            f"{p.kind}\t{bool_[not p.is_tko_consumer]}\t{bool_[not p.is_management_company]}\t"
            f"{t(p.management_kind)}\t{self.tail}"
        )

    def address(self, a: dr.Address) -> str:
        off = self.off["tko_address"]
        path = "".join(f"{i + off}/" for i in a.ancestors)
        t = self._text
        return (
            f"{a.id + off}\t{self._ref('tko_address', a.parent_id)}\t{path}{a.id + off}/\t"
            f"{t(a.name)}\t{t(a.type_name)}\t{a.level}\t{t(a.full_name)}\t{t(a.postal_code)}\t"
            f"{self._zone(a.tariff_zone_id)}\t{self._zone(a.zone_id)}\t{t(a.house_kind)}\t"
            f"{t(a.premises_kind)}\t{self._ref('res_partner', a.management_company_id)}\t"
            f"{self.company}\tt\tt\t{self.tail}"
        )

    def object(self, o: dr.ConsumerObject) -> str:
        return (
            f"{o.id + self.off['tko_object']}\t{self._text(o.name)}\t{o.kind}\t"
            f"{o.address_id + self.off['tko_address']}\t{self._ref('res_partner', o.partner_id)}\t"
            f"{self.company}\t{self._zone(o.zone_id)}\t"
            f"{self._ref('res_partner', o.management_company_id)}\tt\t{self.tail}"
        )

    def characteristic(self, c: dr.Characteristic) -> str:
        if c.kind == "containers":
            containers = (
                f"{self.container_types[c.container_volume]}\t{c.container_volume}\t"
                f"{c.container_count}\t{c.container_site_id + self.off['tko_object']}\t"
                f"{c.schedule_kind}\t{c.schedule_weekdays}"
            )
        else:
            containers = f"{NULL}\t{NULL}\t{NULL}\t{NULL}\t{NULL}\t{NULL}"
        return (
            f"{c.id + self.off['tko_object_characteristic']}\t"
            f"{c.object_id + self.off['tko_object']}\t{self.company}\t{c.kind}\t"
            f"{NULL if c.value is None else c.value}\t"
            f"{self.categories[c.norm_category] if c.norm_category else NULL}\t{containers}\t"
            f"{c.date_from.isoformat()}\t{self._date(c.date_to)}\t{self.tail}"
        )

    def account(self, a: dr.Account) -> str:
        closed = a.date_close is not None and a.date_close <= self.today
        return (
            f"{a.id + self.off['tko_account']}\t{a.number}\t"
            f"{a.partner_id + self.off['res_partner']}\t{a.object_id + self.off['tko_object']}\t"
            f"{a.address_id + self.off['tko_address']}\t{self._zone(a.zone_id)}\t"
            f"{self._ref('res_partner', a.management_company_id)}\t{self.company}\t"
            f"{a.date_open.isoformat()}\t{self._date(a.date_close)}\t{a.calc_method}\t"
            f"{'closed' if closed else 'open'}\t{self.tail}"
        )

    def contract(self, c: dr.Contract) -> str:
        return (
            f"{c.id + self.off['tko_contract']}\t{self._text(c.number)}\t"
            f"{c.partner_id + self.off['res_partner']}\t{self.company}\t{c.state}\t"
            f"{self._date(c.date_signed)}\t{c.date_start.isoformat()}\t{self._date(c.date_end)}\t"
            f"{self.tail}"
        )

    def line(self, line: dr.ContractLine) -> str:
        return (
            f"{line.id + self.off['tko_contract_line']}\t"
            f"{line.contract_id + self.off['tko_contract']}\t{self.company}\t"
            f"{line.object_id + self.off['tko_object']}\t{line.scheme}\t"
            f"{self.categories[line.norm_category] if line.norm_category else NULL}\t"
            f"{NULL if line.limit_volume is None else line.limit_volume}\t"
            f"{line.date_from.isoformat()}\t{self._date(line.date_to)}\t{self.tail}"
        )

    def condition(self, c: dr.ContractCondition) -> str:
        return (
            f"{c.id + self.off['tko_contract_condition']}\t"
            f"{c.contract_id + self.off['tko_contract']}\t{self.company}\t{c.due_day}\t"
            f"{'t' if c.advance else 'f'}\t{NULL if c.advance_share is None else c.advance_share}\t"
            f"{c.advance_due_day}\t{c.date_from.isoformat()}\t{self._date(c.date_to)}\t"
            f"{self.tail}"
        )

    def bank_account(self, b: dr.BankAccount) -> str:
        return (
            f"{b.id + self.off['res_partner_bank']}\t{b.partner_id + self.off['res_partner']}\t"
            f"{self.bank_ids[b.bank_bic]}\t{b.acc_number}\t{b.acc_number}\t10\t{self.company}\t"
            f"t\tf\t{self.tail}"
        )


# =========================================================================== the load


def _reference_data(cr, region: dr.Region) -> dict:
    """Operator, banks, zones, tariffs and norms (a few rows: plain INSERTs)."""
    op = region.operator
    cr.execute("SELECT id FROM res_country WHERE code = 'RU'")
    country_id = cr.fetchone()[0]
    cr.execute("UPDATE res_currency SET active = true WHERE name = 'RUB' RETURNING id")
    rub_id = cr.fetchone()[0]
    cr.execute("SELECT id, partner_id FROM res_company ORDER BY id LIMIT 1")
    company_id, company_partner_id = cr.fetchone()
    cr.execute(
        "UPDATE res_company SET name = %s, currency_id = %s, email = %s, phone = %s WHERE id = %s",
        (op.name, rub_id, op.email, op.phone, company_id),
    )
    cr.execute(
        """
        UPDATE res_partner SET name = %s, complete_name = %s, commercial_company_name = %s,
               vat = %s, kpp = %s, ogrn = %s, company_registry = %s, street = %s, city = %s,
               zip = %s, country_id = %s, phone = %s, email = %s, website = %s,
               director_name = %s, legal_address = %s, is_company = true
         WHERE id = %s
        """,
        (
            op.name,
            op.name,
            op.name,
            op.inn,
            op.kpp,
            op.ogrn,
            op.ogrn,
            op.street,
            op.city,
            op.zip,
            country_id,
            op.phone,
            op.email,
            op.website,
            op.director_name,
            op.legal_address,
            company_partner_id,
        ),
    )
    audit = (SUPERUSER_ID, SUPERUSER_ID)
    bank_ids = {}
    for bank in region.banks:
        cr.execute(
            """
            INSERT INTO res_bank (name, bic, corr_account, city, country, active, create_uid,
                                  write_uid, create_date, write_date)
            VALUES (%s, %s, %s, %s, %s, true, %s, %s, now() at time zone 'UTC',
                    now() at time zone 'UTC')
            RETURNING id
            """,
            (bank.name, bank.bic, bank.corr_account, bank.city, country_id, *audit),
        )
        bank_ids[bank.bic] = cr.fetchone()[0]
    cr.execute(
        """
        INSERT INTO res_partner_bank (partner_id, bank_id, acc_number, sanitized_acc_number,
                                      sequence, company_id, active, allow_out_payment,
                                      create_uid, write_uid, create_date, write_date)
        VALUES (%s, %s, %s, %s, 10, %s, true, false, %s, %s, now() at time zone 'UTC',
                now() at time zone 'UTC')
        """,
        (
            company_partner_id,
            bank_ids[op.bank_bic],
            op.bank_account,
            op.bank_account,
            company_id,
            *audit,
        ),
    )
    zone_ids = {}
    for zone in region.zones:
        cr.execute(
            """
            INSERT INTO tko_tariff_zone (name, code, company_id, active, create_uid, write_uid,
                                         create_date, write_date)
            VALUES (%s, %s, %s, true, %s, %s, now() at time zone 'UTC', now() at time zone 'UTC')
            RETURNING id
            """,
            (zone.name, zone.code, company_id, *audit),
        )
        zone_ids[zone.id] = cr.fetchone()[0]
    cr.execute("SELECT code, id FROM tko_norm_category WHERE company_id IS NULL")
    categories = dict(cr.fetchall())
    cr.execute("SELECT volume, id FROM tko_container_type WHERE active")
    container_types = {}
    for volume, type_id in cr.fetchall():
        container_types.setdefault(float(volume), type_id)
    for t in region.tariffs:
        cr.execute(
            """
            INSERT INTO tko_tariff (name, zone_id, consumer_group, uom, price, vat_mode,
                                    date_from, date_to, company_id, create_uid, write_uid,
                                    create_date, write_date)
            VALUES (%s, %s, %s, 'm3', %s, %s, %s, %s, %s, %s, %s, now() at time zone 'UTC',
                    now() at time zone 'UTC')
            """,
            (
                t.name,
                zone_ids[t.zone_id],
                t.consumer_group,
                t.price,
                t.vat_mode,
                t.date_from,
                t.date_to,
                company_id,
                *audit,
            ),
        )
    for n in region.norms:
        cr.execute(
            """
            INSERT INTO tko_norm (category_id, zone_id, value, uom, date_from, date_to, document,
                                  company_id, create_uid, write_uid, create_date, write_date)
            VALUES (%s, %s, %s, 'm3', %s, %s, %s, %s, %s, %s, now() at time zone 'UTC',
                    now() at time zone 'UTC')
            """,
            (
                categories[n.category],
                zone_ids[n.zone_id],
                n.value,
                n.date_from,
                n.date_to,
                n.document,
                company_id,
                *audit,
            ),
        )
    return {
        "company_id": company_id,
        "country_id": country_id,
        "bank_ids": bank_ids,
        "zone_ids": zone_ids,
        "categories": categories,
        "container_types": container_types,
    }


def _drop_plain_indexes(cr) -> list[str]:
    """Drop the indexes of the loaded tables that back no constraint; their definitions."""
    cr.execute(
        """
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
          FROM pg_index i
         WHERE i.indrelid = ANY(%s::regclass[])
           AND NOT i.indisprimary
           AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
        """,
        (list(TABLES),),
    )
    rows = cr.fetchall()
    for name, _definition in rows:
        cr.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
    return [definition for _name, definition in rows]


def _drop_foreign_keys(cr) -> list[tuple[str, str, str]]:
    """Drop the foreign keys of the loaded tables; ``(table, name, definition)`` of each.

    Checked row by row they would cost one trigger query per key and row (five per row on
    average); :func:`_restore_foreign_keys` checks them again, set-based, after the load.
    """
    cr.execute(
        """
        SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
          FROM pg_constraint
         WHERE contype = 'f' AND conrelid = ANY(%s::regclass[])
         ORDER BY conrelid::regclass::text, conname
        """,
        (list(TABLES),),
    )
    keys = cr.fetchall()
    for table, name, _definition in keys:
        cr.execute(
            sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(
                sql.Identifier(table), sql.Identifier(name)
            )
        )
    return keys


def _in_parallel(dbname: str, jobs: list[list[str]], workers: int = 2) -> None:
    """Run the statements of each job (a list) on ``workers`` connections (two cores here)."""
    pending = queue.Queue()
    for job in jobs:
        pending.put(job)
    errors = []

    def work():
        conn = _connect(dbname)
        conn.autocommit = True
        try:
            with conn.cursor() as cr:
                cr.execute("SET maintenance_work_mem = '512MB'")
                while not errors:
                    try:
                        job = pending.get_nowait()
                    except queue.Empty:
                        return
                    for statement in job:
                        cr.execute(statement)
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            conn.close()

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


def _rebuild_indexes(dbname: str, definitions: list[str]) -> None:
    """Build the dropped indexes again, the slow (trigram) ones first."""
    definitions = sorted(definitions, key=lambda d: "gin" not in d)
    _in_parallel(dbname, [[definition] for definition in definitions])


def _restore_foreign_keys(conn, dbname: str, keys: list[tuple[str, str, str]]) -> None:
    """Add the keys back NOT VALID (instant), then VALIDATE them: one set-based check each.

    Validation locks the table lightly (SHARE UPDATE EXCLUSIVE), so two tables are validated at
    once; the keys of one table one after the other.
    """
    with conn.cursor() as cr:
        for table, name, definition in keys:
            cr.execute(
                sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} {} NOT VALID").format(
                    sql.Identifier(table), sql.Identifier(name), sql.SQL(definition)
                )
            )
    conn.commit()
    by_table = {}
    for table, name, _definition in keys:
        statement = sql.SQL("ALTER TABLE {} VALIDATE CONSTRAINT {}").format(
            sql.Identifier(table), sql.Identifier(name)
        )
        by_table.setdefault(table, []).append(statement.as_string(conn))
    jobs = sorted(by_table.values(), key=len, reverse=True)
    _in_parallel(dbname, jobs)


def _advance_sequences(cr, region: dr.Region) -> None:
    for table in TABLES:
        cr.execute(
            sql.SQL(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'),"
                " GREATEST(1, (SELECT max(id) FROM {})))"
            ).format(sql.Identifier(table)),
            (table,),
        )
    # numbers of new accounts and contracts continue after the loaded ones
    for code, used in (("tko.account", region.accounts), ("tko.contract", region.contracts)):
        cr.execute(
            "SELECT id, implementation FROM ir_sequence WHERE code = %s AND company_id IS NULL",
            (code,),
        )
        row = cr.fetchone()
        if not row:
            continue
        seq_id, implementation = row
        cr.execute("UPDATE ir_sequence SET number_next = %s WHERE id = %s", (used + 1, seq_id))
        if implementation == "standard":
            cr.execute(
                sql.SQL("ALTER SEQUENCE {} RESTART WITH {}").format(
                    sql.Identifier(f"ir_sequence_{seq_id:03d}"), sql.Literal(used + 1)
                )
            )


def build_region(
    dbname: str,
    accounts: int,
    contracts: int | None = None,
    seed: int = dr.DEFAULT_SEED,
    install: bool = True,
    modules: str = "mobill_tko_base",
    chunk_rows: int = CHUNK_ROWS,
    log=None,
) -> dict:
    """Create ``dbname`` with ``modules`` installed and a region of ``accounts`` accounts.

    ``contracts`` defaults to ``accounts // 20``; ``modules`` is a comma-separated list for
    ``odoo -i`` (e.g. ``"mobill_tko_billing"`` for a charges benchmark). With ``install=False``
    the database must exist with the modules installed and without a region. Returns the
    metrics (seconds, rows, sizes); progress goes to ``log`` (stderr by default).
    """
    log = log or (lambda message: print(message, file=sys.stderr, flush=True))
    contracts = accounts // CONTRACTS_PER_ACCOUNTS if contracts is None else contracts
    metrics = {"accounts": accounts, "contracts": contracts}
    if install:
        log(f"[region] installing {modules} into a new database {dbname} …")
        metrics["install_seconds"] = install_database(dbname, modules)
    started = time.perf_counter()
    region = dr.generate(accounts=accounts, contracts=contracts, seed=seed)
    conn = _connect(dbname)
    try:
        with conn.cursor() as cr:
            cr.execute("SET synchronous_commit = off")
            ref = _reference_data(cr, region)
            offsets = {}
            for table in TABLES:
                cr.execute(
                    sql.SQL("SELECT COALESCE(max(id), 0) FROM {}").format(sql.Identifier(table))
                )
                offsets[table] = cr.fetchone()[0]
            index_definitions = _drop_plain_indexes(cr)
            foreign_keys = _drop_foreign_keys(cr)
        conn.commit()

        # ---- stream: generate and format here, COPY in the worker thread
        formatter = _Formatter(offsets, ref)
        dispatch = {cls: (formatter.format[cls], RECORD_TABLES[cls]) for cls in RECORD_TABLES}
        buffers = {table: [] for table in TABLES}
        counts = dict.fromkeys(TABLES, 0)
        worker = _CopyWorker(conn)
        worker.start()
        pending = 0
        waited = 0.0
        log(f"[region] streaming {accounts} accounts and {contracts} contracts with COPY …")
        gc_was_enabled = gc.isenabled()
        gc.disable()  # the records form no cycles: reference counting frees them
        for record in region.records():
            fmt, table = dispatch[type(record)]
            buffers[table].append(fmt(record))
            pending += 1
            if pending >= chunk_rows:
                chunk = [
                    (table, "".join(lines).encode()) for table, lines in buffers.items() if lines
                ]
                for table, lines in buffers.items():
                    counts[table] += len(lines)
                    lines.clear()
                pending = 0
                wait = time.perf_counter()
                worker.put(chunk)
                waited += time.perf_counter() - wait
        chunk = [(table, "".join(lines).encode()) for table, lines in buffers.items() if lines]
        for table, lines in buffers.items():
            counts[table] += len(lines)
        buffers.clear()
        worker.put(chunk)
        if gc_was_enabled:
            gc.enable()
        streamed = time.perf_counter()
        worker.finish()
        metrics["stream_seconds"] = time.perf_counter() - started
        metrics["python_seconds"] = streamed - started - waited
        metrics["copy_seconds"] = worker.seconds
        with conn.cursor() as cr:
            _advance_sequences(cr, region)
        conn.commit()

        # ---- indexes and statistics
        log(f"[region] building {len(index_definitions)} indexes again …")
        step = time.perf_counter()
        _rebuild_indexes(dbname, index_definitions)
        metrics["index_seconds"] = time.perf_counter() - step
        log(f"[region] checking {len(foreign_keys)} foreign keys …")
        step = time.perf_counter()
        _restore_foreign_keys(conn, dbname, foreign_keys)
        metrics["foreign_key_seconds"] = time.perf_counter() - step
        step = time.perf_counter()
        conn.autocommit = True
        with conn.cursor() as cr:
            cr.execute("ANALYZE")
            metrics["analyze_seconds"] = time.perf_counter() - step
            cr.execute("SELECT pg_database_size(current_database())")
            size = cr.fetchone()[0]
    finally:
        conn.close()
    rows = sum(counts.values())
    metrics["generate_seconds"] = time.perf_counter() - started
    metrics["rows"] = rows
    metrics.update({f"rows_{table}": count for table, count in counts.items()})
    metrics["rows_per_second"] = rows / metrics["generate_seconds"]
    metrics["peak_memory_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    metrics["database_size_mb"] = size / 1024 / 1024
    return metrics


# =========================================================================== benchmark

UNITS = {
    "accounts": "records",
    "contracts": "records",
    "rows": "rows",
    "rows_per_second": "rows/s",
    "peak_memory_mb": "MB",
    "database_size_mb": "MB",
}


def print_metrics(metrics: dict) -> None:
    for name, value in metrics.items():
        unit = UNITS.get(name) or ("s" if name.endswith("_seconds") else "rows")
        if isinstance(value, float):
            text = f"{value:.0f}" if name == "rows_per_second" else f"{value:.1f}"
        else:
            text = str(value)
        print(f"{name}: {text} {unit}", flush=True)


def keep_database() -> bool:
    return os.environ.get("KEEP", "").strip().lower() in ("1", "true", "yes")


def main(scale: int | None = None) -> dict:
    """Build a region of ``scale`` accounts (and scale/20 contracts), print the metrics."""
    scale = DEFAULT_SCALE if scale is None else int(scale)
    dbname = os.environ.get("BENCH_DB", DEFAULT_DB)
    try:
        metrics = build_region(dbname, scale)
        print_metrics(metrics)
    finally:
        if keep_database():
            print(f"[region] database kept: {dbname} (drop it with: dropdb {dbname})", flush=True)
        else:
            drop_database(dbname)
    return metrics


if __name__ == "__main__":
    main(int(float(sys.argv[1])) if len(sys.argv) > 1 else None)
