"""The rights check of a public method (a button, an action): every signed-in user can call it
over RPC with any record ids, so it checks the caller's rights on the records first."""

from odoo import _
from odoo.exceptions import AccessError


def check_access(records, operation="write", group=None):
    """Raise AccessError unless the caller may ``operation`` (read, write, create, unlink)
    every record of ``records`` (access rights and record rules), and belongs to ``group``
    (an XML id) when given. Superuser code passes."""
    if records.env.su:
        return records
    if group and not records.env.user.has_group(group):
        raise AccessError(
            _("You are not allowed to do this on %(model)s.", model=records._description)
        )
    records.check_access_rights(operation)
    records.check_access_rule(operation)
    return records
