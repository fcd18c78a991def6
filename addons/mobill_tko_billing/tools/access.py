"""Checks of the caller's rights for the public methods of billing.

Every logged-in user, portal users included, can call a public model method over RPC with any
ids. A method that reads with SQL, writes through ``trusted()`` or runs under ``sudo()`` must
first check that the caller may read (or change) the records it was called on.
"""

from odoo.exceptions import AccessError
from odoo.tools.translate import _

ACCOUNTANT = "mobill_tko_base.group_tko_accountant"
ADMIN = "mobill_tko_base.group_tko_admin"


def check_rights(records, operation="read"):
    """Refuse unless the caller may ``operation`` every one of ``records`` (access rights and
    record rules: a portal user or a user of another company is refused)."""
    records.check_access_rights(operation)
    records.check_access_rule(operation)


def check_action(records, group=ACCOUNTANT, operation="write"):
    """Refuse an action unless the caller is in ``group`` and may ``operation`` the records."""
    check_rights(records, operation)
    env = records.env
    if env.su or env.user.has_group(group):
        return
    raise AccessError(
        _(
            "Only the group «%(group)s» may do this on %(model)s.",
            group=env.ref(group).sudo().full_name,
            model=records._description,
        )
    )
