from odoo import _, api, models
from odoo.exceptions import AccessError

#: Models whose mail gateway books money: only the gateway itself may route mail to them.
GUARDED_MODELS = ("tko.payment.import",)


class MailThread(models.AbstractModel):
    """``mail.thread.message_process`` is public: any signed-in user could hand it an e-mail
    over RPC, and the routes run as superuser. Mail for the payment mailbox is routed only when
    the mail gateway itself calls (the fetchmail schedule runs as superuser; the ``mailgate``
    script signs in as a settings administrator)."""

    _inherit = "mail.thread"

    @api.model
    def _message_route_process(self, message, message_dict, routes):
        guarded = [route for route in routes or () if route[0] in GUARDED_MODELS]
        if guarded and not (
            self.env.is_superuser() or self.env.user.has_group("base.group_system")
        ):
            raise AccessError(_("Only the mail gateway may deliver e-mail to the payment mailbox."))
        return super()._message_route_process(message, message_dict, routes)
