"""Writes that only the server's own code may make (state changes, engine-only fields).

Every logged-in user can call any public model method over RPC and pass any JSON context, so
a context *flag* such as ``tko_billing_engine=True`` proves nothing. The marker here is a Python
object that no JSON value can equal: only code running in this server can put it into a
context, so ``is_trusted()`` tells an action's own write from a client's.

    records = trusted(records)      # inside an action, after its own checks
    records.write({"state": "closed"})

    def write(self, vals):          # in the model
        check_protected_write(self, vals, PROTECTED_FIELDS)
"""

from odoo.exceptions import AccessError
from odoo.tools.translate import _

_TRUSTED = object()
_KEY = "tko_trusted"


def trusted(records):
    """``records`` with the server-side marker in their context."""
    return records.with_context(**{_KEY: _TRUSTED})


def is_trusted(env_or_records) -> bool:
    """True when the current call was marked by ``trusted()`` in this process."""
    env = getattr(env_or_records, "env", env_or_records)
    return env.context.get(_KEY) is _TRUSTED


def check_protected_write(records, vals, protected_fields):
    """Refuse a client's write of fields that only actions (``trusted()``) may write.

    Superuser code (module installation loading data files, crons, ``sudo()``) is trusted
    too: no client can switch to it, and code that does must not pass a client's values on.
    """
    if records.env.su or is_trusted(records):
        return
    touched = sorted(set(vals) & set(protected_fields))
    if touched:
        labels = ", ".join(
            records._fields[name].get_description(records.env)["string"] for name in touched
        )
        raise AccessError(
            _(
                "%(fields)s of %(model)s are set by the system's actions only (buttons on the "
                "form); they cannot be written directly.",
                fields=labels,
                model=records.env["ir.model"].sudo()._get(records._name).name,
            )
        )
