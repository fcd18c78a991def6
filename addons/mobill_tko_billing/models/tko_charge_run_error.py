from odoo import fields, models
from odoo.tools.translate import _lt

#: translated messages of the core's error codes (the English core message is the fallback)
MESSAGES = {
    "billing.no_tariff": _lt(
        "No tariff is in force on %(date)s for the tariff zone of the object (check the zone of "
        "the settlement and the tariffs)."
    ),
    "billing.no_norm": _lt("No norm of accumulation (%(category)s) is in force on %(date)s."),
    "billing.not_whole": _lt("The number of %(field)s must be a whole number."),
    "billing.no_measurement": _lt("No measured volume or mass is entered for %(period)s."),
    "billing.no_schedule": _lt("A container of the object has no pick-up schedule."),
    "billing.unknown_scheme": _lt("Unknown calculation scheme %(scheme)s."),
    "charge.absence_persons": _lt(
        "A temporary absence names more persons than are resident in the month."
    ),
    "charge.absence_not_applicable": _lt(
        "A temporary absence is recalculated only for a charge by residents."
    ),
    "charge.vat_mode_individual": _lt(
        "The population tariff must include VAT or be not subject to VAT, not “VAT on top”."
    ),
    "charge.bad_schedule": _lt("A pick-up schedule of a container is wrong."),
}


class TkoChargeRunError(models.Model):
    """An account or a contract a charge run could not charge, with the reason."""

    _name = "tko.charge.run.error"
    _description = "Error of a charge run"
    _check_company_auto = True
    _order = "id"
    _log_access = False

    run_id = fields.Many2one(
        "tko.charge.run", required=True, ondelete="cascade", index=True, check_company=True
    )
    company_id = fields.Many2one("res.company", required=True)
    account_id = fields.Many2one(
        "tko.account", "Personal account", ondelete="cascade", check_company=True
    )
    contract_id = fields.Many2one("tko.contract", ondelete="cascade", check_company=True)
    code = fields.Char()
    message = fields.Text()

    def _message(self, error):
        template = MESSAGES.get(getattr(error, "code", ""))
        if template is None:
            return str(error)
        params = {
            "date": "",
            "category": "",
            "field": "",
            "period": "",
            "scheme": "",
            **{k: str(v) for k, v in getattr(error, "params", {}).items()},
        }
        try:
            return str(template) % params
        except (KeyError, TypeError, ValueError):
            return str(error)
