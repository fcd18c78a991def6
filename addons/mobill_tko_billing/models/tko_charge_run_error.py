from odoo import fields, models
from odoo.addons.mobill_tko_base.tools import core_error_message, register_core_messages
from odoo.tools.translate import _lt

#: the charge calculation's codes (``mobill_tko_core.charges`` and ``billing``), shown to the
#: accountant in the errors of a charge run and on a charge
CHARGE_TEMPLATES = {
    "billing.no_tariff": _lt(
        "No tariff is in force on %(date)s for the tariff zone of the object (check the zone of "
        "the settlement and the tariffs)."
    ),
    "billing.no_norm": _lt("No norm of accumulation (%(category)s) is in force on %(date)s."),
    "billing.not_whole": _lt("The number of %(field)s must be a whole number."),
    "billing.no_measurement": _lt("No measured volume or mass is entered for %(period)s."),
    "billing.no_schedule": _lt("A container of the object has no pick-up schedule."),
    "billing.unknown_scheme": _lt("Unknown calculation scheme %(scheme)s."),
    "billing.bad_recalc_mode": _lt("Unknown recalculation mode of the charge settings."),
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
    "charge.bad_absence": _lt("A temporary absence is wrong: check its dates and persons."),
    "charge.bad_consumer": _lt("Unknown kind of consumer %(consumer)s."),
    "charge.bad_date": _lt("The input %(field)s of the charge is not a date."),
    "charge.bad_input": _lt("An input of the charge is not in the expected form."),
    "charge.bad_number": _lt("The input %(field)s of the charge is not a valid number."),
    "charge.bad_period": _lt("The period of the charge is not a month."),
    "charge.bad_service_dates": _lt("The service begins after it ends."),
    "charge.bad_setting": _lt("A charge setting of the company is wrong."),
    "charge.bad_unit": _lt("The unit of the tariff must be cubic metres or tonnes."),
    "charge.bad_vat_mode": _lt("Unknown VAT mode %(vat_mode)s of the tariff."),
    "charge.missing_input": _lt("The input %(field)s of the charge is missing."),
    "charge.negative": _lt("The input %(field)s of the charge cannot be negative."),
    "charge.no_vat_rate": _lt("No VAT rate is in force on %(date)s."),
    "charge.recalc_kind_mismatch": _lt(
        "A recalculation compares charges of another kind of consumer or VAT mode."
    ),
    "charge.recalc_period_mismatch": _lt("A recalculation compares charges of another month."),
    "charge.service_outside_period": _lt("The service dates do not overlap the month %(period)s."),
    "charge.unknown_method": _lt("Unknown calculation method %(method)s."),
    "charge.unknown_setting": _lt("Unknown charge settings: %(settings)s."),
}

register_core_messages(CHARGE_TEMPLATES)


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
        """The message of a core error in the user's language (the one translation path)."""
        return core_error_message(error, self.env)
