from odoo import api, models

from mobill_tko_core import requisites as req
from mobill_tko_core.errors import RequisiteError

from ..tools import raise_user_error


class ResPartnerBank(models.Model):
    _inherit = "res.partner.bank"

    @api.constrains("acc_number", "bank_id")
    def _check_tko_account_key(self):
        """A Russian settlement account must carry the control key of its bank's BIK."""
        for rec in self:
            bik = rec.bank_id.bic
            digits = (rec.acc_number or "").replace(" ", "")
            if not bik or rec.bank_id.country.code not in (False, "RU") or not digits.isdigit():
                continue
            try:
                req.validate_bank_account(digits, req.validate_bik(bik))
            except RequisiteError as error:
                raise_user_error(self.env, error)
