"""The engine that imports a ГАР (ФИАС) extract of one region into the address plan
(``tko.address``); the wizard is ``wizards/gar_import_wizard.py``, the log and background job
``models/gar_import_log.py``, the reading of the files :mod:`mobill_tko_core.gar`.

How the engine works (:class:`GarImporter`), so that a region of millions of records is imported
in bounded memory and in a few set-based statements:

1. **Stage.** The tables are streamed with :mod:`mobill_tko_core.gar` (``iterparse``, one record
   at a time) and bulk-loaded in chunks of :data:`CHUNK_SIZE` rows with ``COPY`` into two
   temporary tables (``tko_gar_stage_object``: address objects, houses and apartments;
   ``tko_gar_stage_link``: the links of the chosen hierarchy); no dict or list of the region is
   kept in Python, the hierarchy is resolved by PostgreSQL. The staging pass is also the
   validation: a damaged file raises a ``GarError`` before anything has been written to the
   address plan (and the whole import runs in a savepoint).
2. **Resolve.** One version is picked per object (the current one, else the latest) and one
   link per object; a recursive CTE walks the links down from the region (level 1, no parent)
   into ``tko_gar_tree`` (with the values of the rows that already exist): objects that are not
   reachable from the region are not imported (they are counted and reported).
3. **Write.** ``INSERT … ON CONFLICT (gar_object_id, company_id) DO UPDATE`` by depth, parents
   before children, :data:`CHUNK_SIZE` rows per statement. A row's parent is final when the
   row is written, so ``parent_id``, ``parent_path`` (the ``_parent_store`` column,
   ``'id1/id2/…/'`` as the ORM writes it), ``full_name`` and ``zone_id`` are computed in the
   same statement (new rows take their id from the table's sequence), with the same rules as
   the model's computes. Unchanged rows are not written. Records entered by hand (no ГАР object
   id) never match the key and are never written by this step.
4. **Tree.** A recursive CTE over the region recomputes the same three columns for the rows
   the import did not write (entered by hand, or no longer in ГАР) below a renamed or moved
   element, and writes only those that differ (the address of a hand-entered house follows
   its street, as the ORM would do; its own data is untouched).
5. **Deactivate.** ГАР elements of the region that the extract no longer holds (or no longer
   holds as current) get ``active = False, is_actual = False``; they are never deleted.
6. The ORM cache is invalidated; stored fields of other models that depend on pre-existing
   addresses whose parent or zone changed (e.g. the tariff zone of an object) are recomputed by
   the ORM, 1,000 addresses at a time.

Memory: Python holds one chunk of rows at a time and a few counters; the region itself only
lives in PostgreSQL's temporary tables (dropped at the end of the transaction).

Rooms of communal flats (``AS_ROOMS``, ГАР level 12) are not imported: the address plan keeps
premises directly under houses (a premises cannot be placed under a premises).
"""

import io

from odoo import _
from odoo.exceptions import UserError
from odoo.tools import SQL

from mobill_tko_core import gar

from ..models.address import GAR_LEVELS, TYPE_AFTER_NAME

#: Rows per ``COPY`` (staging) and per ``INSERT … ON CONFLICT`` statement.
CHUNK_SIZE = 5000
#: ГАР APARTTYPE codes of dwellings (квартира, комната); other premises are non-residential.
DWELLING_TYPES = {2, 4}
#: Shown for a house or premises without a number.
NO_NUMBER = "б/н"

_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_value(value):
    """A value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    return str(value)  # int, date


class GarImporter:
    """Imports one regional extract into the address plan of one company (see module doc).

    ``progress`` is called with a short text from time to time (a background job stores it in
    its log). :meth:`run` returns a dict of counts and texts for the log.
    """

    def __init__(self, env, company, hierarchy="adm", only_actual=True, region_code=None):
        if hierarchy not in ("adm", "mun"):
            raise ValueError(f"hierarchy must be 'adm' or 'mun', not {hierarchy!r}")
        self.env = env
        self.cr = env.cr
        self.company_id = company.id
        self.hierarchy = hierarchy
        self.only_actual = only_actual
        self.region_code = region_code or None
        self.progress = None
        self.stats = {
            "read": 0,
            "read_objects": 0,
            "read_houses": 0,
            "read_apartments": 0,
            "read_links": 0,
            "not_actual": 0,
            "created": 0,
            "updated": 0,
            "unchanged": 0,
            "deactivated": 0,
            "not_in_hierarchy": 0,
            "errors": 0,
            "error_examples": [],
            "files": [],
            "extract_date": False,
            "region_name": "",
            "levels": {},
            "rooms_ignored": False,
        }

    # ------------------------------------------------------------------ entry point

    def run(self, path):
        """Import the extract at ``path`` (a zip archive or a folder). Raises GarError."""
        files = gar.validate_extract(path, self.hierarchy, self.region_code)
        read = ("addr_obj", "houses", "apartments", f"{self.hierarchy}_hierarchy")
        self.stats["files"] = [files[key].name for key in read if key in files]
        self.stats["rooms_ignored"] = "rooms" in files
        self.stats["extract_date"] = files["addr_obj"].extract_date or False
        self.env.flush_all()
        self.cr.execute(SQL("SELECT COALESCE(max(id), 0) FROM tko_address"))
        self.max_id_before = self.cr.fetchone()[0]
        self._create_staging()
        self._stage(files)
        self._resolve()
        self._report(_("Writing the address plan…"))
        self._upsert()
        roots = self._root_ids()
        self._update_tree(roots)
        self.stats["deactivated"] = self._deactivate(roots)
        self._count_levels(roots)
        self.env.invalidate_all()
        self._recompute_dependents()
        self._drop_staging()
        return self.stats

    def _report(self, text):
        if self.progress:
            self.progress(text)

    # ------------------------------------------------------------------ 1. staging

    def _drop_staging(self):
        self.cr.execute(
            SQL(
                "DROP TABLE IF EXISTS tko_gar_stage_object, tko_gar_stage_link, tko_gar_obj, "
                "tko_gar_link, tko_gar_tree, tko_gar_moved"
            )
        )

    def _create_staging(self):
        self._drop_staging()
        self.cr.execute(
            SQL(
                """
                CREATE TEMP TABLE tko_gar_stage_object (
                    seq bigint NOT NULL,
                    objectid bigint NOT NULL,
                    guid varchar,
                    name varchar NOT NULL,
                    type_name varchar,
                    gar_level integer,
                    level varchar,
                    kind char(1) NOT NULL,
                    dwelling boolean NOT NULL DEFAULT false,
                    isactual boolean NOT NULL,
                    isactive boolean NOT NULL,
                    enddate date
                ) ON COMMIT DROP;
                CREATE TEMP TABLE tko_gar_stage_link (
                    seq bigint NOT NULL,
                    objectid bigint NOT NULL,
                    parentobjid bigint,
                    isactive boolean NOT NULL,
                    enddate date
                ) ON COMMIT DROP;
                """
            )
        )

    def _stage(self, files):
        """Stream the tables into the staging tables, CHUNK_SIZE rows per statement."""
        readers = [
            ("addr_obj", gar.iter_addr_objects, self._object_row, "read_objects"),
            ("houses", gar.iter_houses, self._house_row, "read_houses"),
            ("apartments", gar.iter_apartments, self._apartment_row, "read_apartments"),
        ]
        seq = 0
        for table, reader, convert, counter in readers:
            if table not in files:
                continue
            extract_file = files[table]
            rows = []
            for record in reader(extract_file):
                seq += 1
                self.stats["read"] += 1
                self.stats[counter] += 1
                if self.only_actual and not record.is_current:
                    self.stats["not_actual"] += 1
                    continue
                rows.append((seq, *convert(record)))
                if len(rows) >= CHUNK_SIZE:
                    self._insert_objects(rows)
                    rows = []
                    self._staging_progress(extract_file.name)
            self._insert_objects(rows)
        links = []
        extract_file = files[f"{self.hierarchy}_hierarchy"]
        for link in gar.iter_hierarchy(extract_file):
            seq += 1
            self.stats["read"] += 1
            self.stats["read_links"] += 1
            if self.only_actual and not link.is_current:
                self.stats["not_actual"] += 1
                continue
            links.append((seq, link.objectid, link.parentobjid, link.isactive, link.enddate))
            if len(links) >= CHUNK_SIZE:
                self._insert_links(links)
                links = []
                self._staging_progress(extract_file.name)
        self._insert_links(links)

    def _staging_progress(self, file_name):
        self._report(
            _("Reading %(file)s: %(count)s records read", file=file_name, count=self.stats["read"])
        )

    def _insert_objects(self, rows):
        self._copy(
            "COPY tko_gar_stage_object (seq, objectid, guid, name, type_name, gar_level, level, "
            "kind, dwelling, isactual, isactive, enddate) FROM STDIN",
            rows,
        )

    def _insert_links(self, rows):
        self._copy(
            "COPY tko_gar_stage_link (seq, objectid, parentobjid, isactive, enddate) FROM STDIN",
            rows,
        )

    def _copy(self, statement, rows):
        """Bulk-load one chunk of rows with COPY (text format)."""
        if not rows:
            return
        buffer = io.StringIO()
        for row in rows:
            buffer.write("\t".join(map(_copy_value, row)))
            buffer.write("\n")
        buffer.seek(0)
        self.cr._obj.copy_expert(statement, buffer)

    @staticmethod
    def _split(display, short):
        """("д. 5 к. 2", "д.") → ("5 к. 2", "д."): the number and its type, as entered by hand."""
        if short and display.startswith(short + " "):
            return display[len(short) + 1 :], short
        return display or NO_NUMBER, None

    @staticmethod
    def _object_row(obj):
        return (
            obj.objectid,
            obj.objectguid,
            obj.name or NO_NUMBER,
            obj.typename or None,
            obj.level,
            GAR_LEVELS.get(obj.level) if obj.level <= 8 else None,
            "a",
            False,
            obj.isactual,
            obj.isactive,
            obj.enddate,
        )

    @classmethod
    def _house_row(cls, house):
        short = gar.HOUSE_TYPE_SHORT.get(house.housetype) if house.housenum else None
        name, type_name = cls._split(gar.house_display_name(house), short)
        return (
            house.objectid,
            house.objectguid,
            name,
            type_name,
            10,
            GAR_LEVELS[10],
            "h",
            False,
            house.isactual,
            house.isactive,
            house.enddate,
        )

    @classmethod
    def _apartment_row(cls, apartment):
        short = gar.APARTMENT_TYPE_SHORT.get(apartment.aparttype)
        name, type_name = cls._split(gar.apartment_display_name(apartment), short)
        return (
            apartment.objectid,
            apartment.objectguid,
            name,
            type_name,
            11,
            GAR_LEVELS[11],
            "p",
            apartment.aparttype in DWELLING_TYPES or apartment.aparttype is None,
            apartment.isactual,
            apartment.isactive,
            apartment.enddate,
        )

    # ------------------------------------------------------------------ 2. resolve

    def _resolve(self):
        """One version and one link per object, then the tree reachable from the region."""
        self._report(_("Resolving the hierarchy…"))
        cr = self.cr
        cr.execute(
            SQL(
                """
                CREATE TEMP TABLE tko_gar_obj ON COMMIT DROP AS
                SELECT DISTINCT ON (objectid) *, (isactual AND isactive) AS is_current
                  FROM tko_gar_stage_object
                 ORDER BY objectid, (isactual AND isactive) DESC, isactual DESC,
                          enddate DESC NULLS FIRST, seq DESC;
                CREATE UNIQUE INDEX ON tko_gar_obj (objectid);
                CREATE TEMP TABLE tko_gar_link ON COMMIT DROP AS
                SELECT DISTINCT ON (objectid) *
                  FROM tko_gar_stage_link
                 ORDER BY objectid, isactive DESC, enddate DESC NULLS FIRST, seq DESC;
                CREATE UNIQUE INDEX ON tko_gar_link (objectid);
                CREATE INDEX ON tko_gar_link (parentobjid);
                DROP TABLE tko_gar_stage_object, tko_gar_stage_link;
                ANALYZE tko_gar_obj;
                ANALYZE tko_gar_link;
                """
            )
        )
        # Walk down from the region; the depth bound protects against cycles in bad data.
        cr.execute(
            SQL(
                """
                CREATE TEMP TABLE tko_gar_tree ON COMMIT DROP AS
                WITH RECURSIVE tree AS (
                    SELECT o.objectid, NULL::bigint AS parent_objid, 0 AS depth,
                           (o.is_current AND l.isactive) AS is_current
                      FROM tko_gar_obj o
                      JOIN tko_gar_link l ON l.objectid = o.objectid
                     WHERE l.parentobjid IS NULL AND o.gar_level = 1 AND o.level IS NOT NULL
                    UNION ALL
                    SELECT o.objectid, t.objectid, t.depth + 1, (o.is_current AND l.isactive)
                      FROM tree t
                      JOIN tko_gar_link l ON l.parentobjid = t.objectid
                      JOIN tko_gar_obj o ON o.objectid = l.objectid
                     WHERE o.level IS NOT NULL AND t.depth < 30
                ), picked AS (
                    SELECT DISTINCT ON (t.objectid)
                           t.objectid, t.parent_objid, t.depth, t.is_current, o.guid, o.name,
                           o.type_name, o.gar_level, o.level, o.kind, o.dwelling
                      FROM tree t
                      JOIN tko_gar_obj o ON o.objectid = t.objectid
                     ORDER BY t.objectid, t.depth
                ), with_flats AS (
                    SELECT DISTINCT parent_objid AS objectid
                      FROM picked
                     WHERE kind = 'p' AND dwelling AND is_current
                )
                SELECT p.*,
                       (CASE WHEN p.kind = 'h' AND f.objectid IS NOT NULL THEN 'mkd' END)::varchar
                           AS house_kind,
                       (CASE WHEN p.kind = 'p' AND p.dwelling THEN 'apartment'
                             WHEN p.kind = 'p' THEN 'non_residential' END)::varchar
                           AS premises_kind,
                       (row_number() OVER (PARTITION BY p.depth ORDER BY p.objectid) - 1)
                           / %(chunk)s AS chunk,
                       e.id AS old_id, e.name AS old_name, e.type_name AS old_type_name,
                       e.level AS old_level, e.parent_id AS old_parent_id,
                       e.parent_path AS old_parent_path, e.gar_guid AS old_guid,
                       e.gar_level AS old_gar_level, e.is_actual AS old_is_actual,
                       e.active AS old_active, e.house_kind AS old_house_kind,
                       e.premises_kind AS old_premises_kind, e.zone_id AS old_zone_id,
                       e.tariff_zone_id AS old_tariff_zone_id
                  FROM picked p
                  LEFT JOIN with_flats f ON f.objectid = p.objectid
                  LEFT JOIN tko_address e
                         ON e.gar_object_id = p.objectid AND e.company_id = %(company)s;
                CREATE UNIQUE INDEX ON tko_gar_tree (objectid);
                CREATE INDEX ON tko_gar_tree (depth, chunk);
                ANALYZE tko_gar_tree;
                """,
                chunk=CHUNK_SIZE,
                company=self.company_id,
            )
        )
        cr.execute(
            SQL(
                """
                SELECT count(*) FILTER (WHERE l.objectid IS NULL),
                       count(*) FILTER (WHERE l.objectid IS NOT NULL AND t.objectid IS NULL)
                  FROM tko_gar_obj o
                  LEFT JOIN tko_gar_link l ON l.objectid = o.objectid
                  LEFT JOIN tko_gar_tree t ON t.objectid = o.objectid
                """
            )
        )
        self.stats["not_in_hierarchy"], self.stats["errors"] = cr.fetchone()
        if self.stats["errors"]:
            cr.execute(
                SQL(
                    """
                    SELECT o.objectid, o.gar_level, o.type_name, o.name, l.parentobjid
                      FROM tko_gar_obj o
                      JOIN tko_gar_link l ON l.objectid = o.objectid
                     WHERE NOT EXISTS (SELECT 1 FROM tko_gar_tree t
                                        WHERE t.objectid = o.objectid)
                     ORDER BY o.gar_level, o.objectid
                     LIMIT 20
                    """
                )
            )
            self.stats["error_examples"] = cr.fetchall()
        cr.execute(SQL("SELECT count(*) FROM tko_gar_tree WHERE depth = 0"))
        if not cr.fetchone()[0]:
            raise UserError(
                _(
                    "The ГАР extract has no region: no address object of level 1 (субъект РФ) "
                    "heads the %(hierarchy)s hierarchy. Nothing has been imported.",
                    hierarchy=self.hierarchy,
                )
            )

    # ------------------------------------------------------------------ 3. write

    def _upsert(self):
        """INSERT … ON CONFLICT by depth (parents first), CHUNK_SIZE rows per statement.

        A row's parent has been written by an earlier statement, so ``parent_id``,
        ``parent_path``, ``full_name`` and ``zone_id`` are computed from it right away.
        """
        cr = self.cr
        cr.execute(
            SQL(
                """
                CREATE TEMP TABLE tko_gar_moved (id integer PRIMARY KEY) ON COMMIT DROP;
                SELECT depth, chunk, count(*) FROM tko_gar_tree
                 GROUP BY depth, chunk ORDER BY depth, chunk
                """
            )
        )
        chunks = cr.fetchall()  # one row per CHUNK_SIZE elements
        total = sum(row[2] for row in chunks)
        done = 0
        for depth, chunk, count in chunks:
            cr.execute(self._upsert_query(depth, chunk))
            created, updated = cr.fetchone()
            self.stats["created"] += created
            self.stats["updated"] += updated
            self.stats["unchanged"] += count - created - updated
            done += count
            self._report(
                _(
                    "Writing the address plan: %(done)s of %(total)s elements",
                    done=done,
                    total=total,
                )
            )

    def _upsert_query(self, depth, chunk):
        # ``x``: the chunk (with the values its existing rows had before the import, ``old_*``)
        # and the parent (``p``, already final); an existing row keeps its id, a new one takes
        # the next id of the table's sequence.
        # Pre-existing rows whose path or zone change are noted in tko_gar_moved.
        return SQL(
            """
            WITH x AS MATERIALIZED (
                SELECT t.*, COALESCE(t.old_id, nextval('tko_address_id_seq')) AS id,
                       p.id AS parent_id,
                       p.parent_path AS parent_parent_path,
                       p.full_name AS parent_full_name,
                       COALESCE(t.old_tariff_zone_id, p.zone_id) AS zone_id,
                       t.old_id IS NOT NULL AND (
                           (t.old_name, t.old_type_name, t.old_level, t.old_parent_id,
                            t.old_guid, t.old_gar_level, t.old_is_actual, t.old_active)
                           IS DISTINCT FROM
                           (t.name, t.type_name, t.level, p.id, t.guid, t.gar_level,
                            t.is_current, t.is_current)
                           OR (t.old_house_kind IS NULL AND t.house_kind IS NOT NULL)
                           OR (t.old_premises_kind IS NULL AND t.premises_kind IS NOT NULL)
                       ) AS changed
                  FROM tko_gar_tree t
                  LEFT JOIN tko_address p
                         ON p.gar_object_id = t.parent_objid AND p.company_id = %(company)s
                 WHERE t.depth = %(depth)s AND t.chunk = %(chunk)s
            ), y AS (
                SELECT x.*,
                       COALESCE(x.parent_parent_path, '') || x.id || '/' AS parent_path,
                       CASE WHEN x.level = ANY(%(after)s)
                            THEN concat_ws(' ', NULLIF(x.name, ''), NULLIF(x.type_name, ''))
                            ELSE concat_ws(' ', NULLIF(x.type_name, ''), NULLIF(x.name, ''))
                       END AS own_name
                  FROM x
            ), upserted AS (
                INSERT INTO tko_address AS a (
                    id, name, type_name, level, parent_id, parent_path, full_name, zone_id,
                    gar_object_id, gar_guid, gar_level, is_actual, active, house_kind,
                    premises_kind, company_id, create_uid, create_date, write_uid, write_date)
                SELECT y.id, y.name, y.type_name, y.level, y.parent_id, y.parent_path,
                       CASE WHEN y.parent_id IS NULL THEN y.own_name
                            ELSE y.parent_full_name || ', ' || y.own_name END,
                       y.zone_id, y.objectid, y.guid, y.gar_level, y.is_current, y.is_current,
                       y.house_kind, y.premises_kind, %(company)s,
                       %(uid)s, now() at time zone 'UTC', %(uid)s, now() at time zone 'UTC'
                  FROM y
                 ORDER BY y.objectid
                ON CONFLICT (gar_object_id, company_id) WHERE gar_object_id <> 0 DO UPDATE SET
                    name = EXCLUDED.name,
                    type_name = EXCLUDED.type_name,
                    level = EXCLUDED.level,
                    parent_id = EXCLUDED.parent_id,
                    parent_path = EXCLUDED.parent_path,
                    full_name = EXCLUDED.full_name,
                    zone_id = EXCLUDED.zone_id,
                    gar_guid = EXCLUDED.gar_guid,
                    gar_level = EXCLUDED.gar_level,
                    is_actual = EXCLUDED.is_actual,
                    active = EXCLUDED.active,
                    house_kind = COALESCE(a.house_kind, EXCLUDED.house_kind),
                    premises_kind = COALESCE(a.premises_kind, EXCLUDED.premises_kind),
                    write_uid = EXCLUDED.write_uid,
                    write_date = EXCLUDED.write_date
                WHERE (a.name, a.type_name, a.level, a.parent_id, a.parent_path, a.full_name,
                       a.zone_id, a.gar_guid, a.gar_level, a.is_actual, a.active)
                      IS DISTINCT FROM
                      (EXCLUDED.name, EXCLUDED.type_name, EXCLUDED.level, EXCLUDED.parent_id,
                       EXCLUDED.parent_path, EXCLUDED.full_name, EXCLUDED.zone_id,
                       EXCLUDED.gar_guid, EXCLUDED.gar_level, EXCLUDED.is_actual,
                       EXCLUDED.active)
                   OR (a.house_kind IS NULL AND EXCLUDED.house_kind IS NOT NULL)
                   OR (a.premises_kind IS NULL AND EXCLUDED.premises_kind IS NOT NULL)
                RETURNING a.id, (xmax = 0) AS created
            ), moved AS (
                INSERT INTO tko_gar_moved (id)
                SELECT y.old_id FROM y
                 WHERE y.old_id IS NOT NULL
                   AND (y.old_parent_path IS DISTINCT FROM y.parent_path
                        OR y.old_zone_id IS DISTINCT FROM y.zone_id)
                ON CONFLICT DO NOTHING
            )
            SELECT count(*) FILTER (WHERE u.created),
                   count(*) FILTER (WHERE NOT u.created AND x.changed)
              FROM upserted u
              JOIN x ON x.id = u.id
            """,
            company=self.company_id,
            uid=self.env.uid,
            depth=depth,
            chunk=chunk,
            after=sorted(TYPE_AFTER_NAME),
        )

    def _root_ids(self):
        self.cr.execute(
            SQL(
                """
                SELECT a.id, a.full_name FROM tko_address a
                  JOIN tko_gar_tree t ON t.objectid = a.gar_object_id AND t.depth = 0
                 WHERE a.company_id = %s
                 ORDER BY a.id
                """,
                self.company_id,
            )
        )
        rows = self.cr.fetchall()
        return [row[0] for row in rows]

    # ------------------------------------------------------------------ 4. tree columns

    def _update_tree(self, roots):
        """parent_path, full_name and zone_id of the rest of the region's subtree.

        The elements of the extract have them from :meth:`_upsert`; this fixes the elements
        below them that the import did not write (entered by hand, or no longer in ГАР) when an
        ancestor was renamed or moved. Same rules as the model's computes; only rows that differ
        are written, and those whose path or zone changed are noted in tko_gar_moved.
        """
        self._report(_("Computing full addresses…"))
        self.cr.execute(
            SQL(
                """
                WITH RECURSIVE tree AS (
                    SELECT a.id, a.parent_path::varchar AS path, a.full_name::varchar AS full_name,
                           a.zone_id
                      FROM tko_address a
                     WHERE a.id = ANY(%(roots)s)
                    UNION ALL
                    SELECT c.id, (t.path || c.id || '/')::varchar,
                           (t.full_name || ', ' || CASE
                                WHEN c.level = ANY(%(after)s)
                                THEN concat_ws(' ', NULLIF(c.name, ''), NULLIF(c.type_name, ''))
                                ELSE concat_ws(' ', NULLIF(c.type_name, ''), NULLIF(c.name, ''))
                            END)::varchar,
                           COALESCE(c.tariff_zone_id, t.zone_id)
                      FROM tree t
                      JOIN tko_address c ON c.parent_id = t.id
                     WHERE length(t.path) < 1000
                ), changed AS (
                    UPDATE tko_address a
                       SET parent_path = tree.path,
                           full_name = tree.full_name,
                           zone_id = tree.zone_id
                      FROM tree
                      JOIN tko_address old ON old.id = tree.id
                     WHERE a.id = tree.id
                       AND (a.parent_path, a.full_name, a.zone_id)
                           IS DISTINCT FROM (tree.path, tree.full_name, tree.zone_id)
                    RETURNING a.id,
                              old.parent_path IS DISTINCT FROM tree.path
                              OR old.zone_id IS DISTINCT FROM tree.zone_id AS moved
                )
                INSERT INTO tko_gar_moved (id)
                SELECT id FROM changed WHERE moved AND id <= %(max_id)s
                ON CONFLICT DO NOTHING
                """,
                roots=roots,
                after=sorted(TYPE_AFTER_NAME),
                max_id=self.max_id_before,
            )
        )

    # ------------------------------------------------------------------ 5. deactivate

    def _deactivate(self, roots):
        """ГАР elements of the region that the extract no longer holds."""
        self._report(_("Archiving the elements that are no longer in ГАР…"))
        prefixes = [f"{root}/%" for root in roots]
        self.cr.execute(
            SQL(
                """
                UPDATE tko_address a
                   SET active = false, is_actual = false,
                       write_uid = %(uid)s, write_date = now() at time zone 'UTC'
                 WHERE a.company_id = %(company)s
                   AND a.gar_object_id IS NOT NULL AND a.gar_object_id <> 0
                   AND a.parent_path LIKE ANY(%(prefixes)s)
                   AND (a.active OR a.is_actual)
                   AND NOT EXISTS (SELECT 1 FROM tko_gar_tree t
                                    WHERE t.objectid = a.gar_object_id)
                """,
                uid=self.env.uid,
                company=self.company_id,
                prefixes=prefixes,
            )
        )
        return self.cr.rowcount

    def _count_levels(self, roots):
        self.cr.execute(
            SQL(
                """
                SELECT a.level, count(*) FILTER (WHERE a.active), count(*)
                  FROM tko_address a
                 WHERE a.company_id = %(company)s AND a.parent_path LIKE ANY(%(prefixes)s)
                 GROUP BY a.level
                """,
                company=self.company_id,
                prefixes=[f"{root}/%" for root in roots],
            )
        )
        self.stats["levels"] = {
            level: (active, total) for level, active, total in self.cr.fetchall()
        }
        self.cr.execute(
            SQL(
                "SELECT string_agg(full_name, '; ' ORDER BY id) FROM tko_address "
                "WHERE id = ANY(%s)",
                roots,
            )
        )
        self.stats["region_name"] = self.cr.fetchone()[0] or ""

    # ------------------------------------------------------------------ 6. ORM

    def _recompute_dependents(self):
        """Let the ORM recompute the fields of other models (e.g. the tariff zone and the
        management company of objects) that depend on pre-existing addresses that moved or
        changed zone (read from tko_gar_moved 1000 at a time). The addresses' own computed
        fields were written by SQL and are taken off the ORM's to-do list."""
        Address = self.env["tko.address"]
        last_id = 0
        while True:
            self.cr.execute(
                SQL(
                    "SELECT id FROM tko_gar_moved WHERE id > %s ORDER BY id LIMIT 1000",
                    last_id,
                )
            )
            ids = [row[0] for row in self.cr.fetchall()]
            if not ids:
                break
            last_id = ids[-1]
            Address.browse(ids).modified(["parent_id", "zone_id"])
            for field in Address._fields.values():
                if field.store and field.compute:
                    self.env.remove_to_compute(field, self.env.records_to_compute(field))
            self.env.flush_all()
