import logging
import re

import requests
from odoo import _, api, fields, models
from odoo.addons.mobill_tko_base.tools.access import ADMIN, check_group, check_rights

_logger = logging.getLogger(__name__)

DEFAULT_URLS = {
    "smsru": "https://sms.ru/sms/send",
    "smsc": "https://smsc.ru/sys/send.php",
}


def normalize_phone(phone):
    """A Russian mobile number as 11 digits starting with 7, or ``False``."""
    digits = re.sub(r"\D", "", phone or "")
    if len(digits) == 11 and digits[0] == "8":
        digits = "7" + digits[1:]
    elif len(digits) == 10:
        digits = "7" + digits
    return digits if len(digits) == 11 and digits[0] == "7" else False


class TkoSmsProvider(models.Model):
    """An HTTP SMS gateway profile (SMS.ru or SMSC): URL, credentials, sender, timeout."""

    _name = "tko.sms.provider"
    _description = "SMS gateway"
    _inherit = ["mail.thread"]
    _order = "sequence, id"

    name = fields.Char(required=True, tracking=True)
    sequence = fields.Integer(default=10)
    kind = fields.Selection(
        [("smsru", "SMS.ru"), ("smsc", "SMSC.ru")], required=True, default="smsru", tracking=True
    )
    url = fields.Char(
        "Send URL",
        required=True,
        tracking=True,
        default=DEFAULT_URLS["smsru"],
        help="SMS.ru: https://sms.ru/sms/send; SMSC: https://smsc.ru/sys/send.php",
    )
    login = fields.Char(tracking=True, help="SMSC login (not used by SMS.ru).")
    api_key = fields.Char(
        "API key / password",
        groups="mobill_tko_base.group_tko_admin",
        help="SMS.ru api_id, or the SMSC password (psw) or API key (apikey) without a login.",
    )
    sender = fields.Char(tracking=True, help="Sender name registered with the gateway.")
    timeout = fields.Integer("Timeout, s", default=10, required=True)
    test_mode = fields.Boolean(
        tracking=True, help="SMS.ru test=1: the gateway checks the request but sends nothing."
    )
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company, index=True)

    @api.onchange("kind")
    def _onchange_kind(self):
        if self.kind and (not self.url or self.url in DEFAULT_URLS.values()):
            self.url = DEFAULT_URLS[self.kind]

    def _send_sms(self, phone, text):
        """Send one SMS. Returns ``(ok, external_id, message)``; never raises on gateway errors."""
        self.ensure_one()
        if not phone:
            return False, False, _("The consumer has no mobile phone number.")
        number = normalize_phone(phone)
        if not number:
            return False, False, _("Not a mobile phone number: %(phone)s", phone=phone or "")
        provider = self.sudo()
        try:
            if provider.kind == "smsc":
                return provider._send_smsc(number, text)
            return provider._send_smsru(number, text)
        except requests.RequestException as error:
            _logger.warning("SMS gateway %s failed: %s", provider.name, error)
            return False, False, _("Gateway unreachable: %(error)s", error=str(error))
        except ValueError as error:
            return False, False, _("Unreadable gateway answer: %(error)s", error=str(error))

    def _send_smsru(self, number, text):
        params = {"api_id": self.api_key or "", "to": number, "msg": text, "json": 1}
        if self.sender:
            params["from"] = self.sender
        if self.test_mode:
            params["test"] = 1
        response = requests.post(self.url, data=params, timeout=self.timeout)
        response.raise_for_status()
        data = response.json()
        if data.get("status") != "OK":
            return (
                False,
                False,
                _(
                    "SMS.ru refused: %(code)s %(text)s",
                    code=data.get("status_code", ""),
                    text=data.get("status_text", ""),
                ),
            )
        item = (data.get("sms") or {}).get(number) or {}
        if item.get("status") != "OK" or int(item.get("status_code", 0)) != 100:
            return (
                False,
                False,
                _(
                    "SMS.ru refused the message: %(code)s %(text)s",
                    code=item.get("status_code", ""),
                    text=item.get("status_text", ""),
                ),
            )
        return True, item.get("sms_id") or False, _("Accepted by SMS.ru")

    def _send_smsc(self, number, text):
        params = {"phones": number, "mes": text, "charset": "utf-8", "fmt": 3}
        if self.login:
            params.update(login=self.login, psw=self.api_key or "")
        else:
            params["apikey"] = self.api_key or ""
        if self.sender:
            params["sender"] = self.sender
        response = requests.post(self.url, data=params, timeout=self.timeout)
        response.raise_for_status()
        data = response.json()
        if "error" in data:
            return (
                False,
                False,
                _(
                    "SMSC refused: %(code)s %(text)s",
                    code=data.get("error_code", ""),
                    text=data.get("error", ""),
                ),
            )
        return True, str(data.get("id", "")) or False, _("Accepted by SMSC")

    def action_test_sms(self):
        """Send a test message to the current user's mobile phone."""
        self.ensure_one()
        check_group(self.env, ADMIN)
        check_rights(self)
        phone = self.env.user.partner_id.mobile or self.env.user.partner_id.phone
        ok, _ext, message = self._send_sms(phone, _("MoBill-TKO: test message"))
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("SMS gateway"),
                "message": message,
                "type": "success" if ok else "danger",
            },
        }
