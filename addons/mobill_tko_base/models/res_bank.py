from odoo import api, fields, models

from mobill_tko_core import requisites as req
from mobill_tko_core.errors import RequisiteError

from ..tools import raise_user_error


class ResBank(models.Model):
    _inherit = "res.bank"

    corr_account = fields.Char("Correspondent account", size=20)

    @api.constrains("bic", "corr_account")
    def _check_tko_bank(self):
        for rec in self.filtered(lambda b: b.country.code in (False, "RU") and b.bic):
            try:
                bik = req.validate_bik(rec.bic)
                if rec.corr_account:
                    req.validate_correspondent_account(rec.corr_account, bik)
            except RequisiteError as error:
                raise_user_error(self.env, error)
