"""The caller's rights in the public methods of claims work.

Every logged-in user (a portal user too) can call a public model method over RPC with any ids
and arguments. Buttons check here, before they read or write anything: the records must be
readable (or writable) by the caller under access rights and record rules, and actions are kept
to the MoBill groups they belong to. Superuser code (crons, module installation) passes.
"""

from odoo.exceptions import AccessError
from odoo.tools.translate import _

READER = "mobill_tko_base.group_tko_readonly"
OPERATOR = "mobill_tko_base.group_tko_operator"
LAWYER = "mobill_tko_base.group_tko_lawyer"
ADMIN = "mobill_tko_base.group_tko_admin"


def check_records(records, operation="read"):
    """Refuse unless the current user may ``operation`` every one of ``records``."""
    records.check_access_rights(operation)
    records.check_access_rule(operation)
    return records


def check_group(env, *xmlids):
    """Refuse unless the current user is in one of the groups ``xmlids``."""
    if env.su or any(env.user.has_group(xmlid) for xmlid in xmlids):
        return
    names = ", ".join(env.ref(xmlid).sudo().full_name for xmlid in xmlids)
    raise AccessError(_("Only the users of the group %(groups)s may do this.", groups=names))


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
