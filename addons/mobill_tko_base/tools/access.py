"""The caller's rights in public methods: one home for every MoBill add-on.

Every logged-in user, portal users included, can call a public model method over RPC
(``/web/dataset/call_kw``, XML-RPC, JSON-RPC) with any ids and arguments. A button or action
that reads with SQL, writes through ``trusted()`` or runs under ``sudo()`` checks here first:
the caller may read (or change) the records under access rights and record rules, and belongs
to the MoBill group the action is for. Superuser code (crons, installation) passes.
"""

from odoo.exceptions import AccessError
from odoo.tools.translate import _

READER = "mobill_tko_base.group_tko_readonly"
OPERATOR = "mobill_tko_base.group_tko_operator"
ACCOUNTANT = "mobill_tko_base.group_tko_accountant"
LAWYER = "mobill_tko_base.group_tko_lawyer"
ADMIN = "mobill_tko_base.group_tko_admin"


def check_rights(records, operation="read"):
    """Refuse unless the caller may ``operation`` every one of ``records`` (access rights and
    record rules: a portal user or a user of another company is refused). Returns them."""
    records.check_access_rights(operation)
    records.check_access_rule(operation)
    return records


def check_group(env, *xmlids):
    """Refuse unless the caller is in one of the groups ``xmlids``."""
    if env.su or any(env.user.has_group(xmlid) for xmlid in xmlids):
        return
    names = ", ".join(f"«{env.ref(xmlid).sudo().full_name}»" for xmlid in xmlids)
    raise AccessError(_("Only the users of the group %(groups)s may do this.", groups=names))


def check_action(records, group=ACCOUNTANT, operation="write"):
    """Refuse an action unless the caller may ``operation`` the records and is in ``group``."""
    check_rights(records, operation)
    check_group(records.env, group)
    return records


def check_companies(records):
    """Refuse records of a company the caller has not selected (raw SQL reads by id)."""
    if records.env.su:
        return records
    allowed = set(records.env.companies.ids)
    foreign = records.filtered(lambda r: r.company_id and r.company_id.id not in allowed)
    if foreign:
        raise AccessError(
            _("%(model)s of another company cannot be used here.", model=records._description)
        )
    return records
