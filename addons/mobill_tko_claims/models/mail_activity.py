from odoo import models


class MailActivity(models.Model):
    _inherit = "mail.activity"

    def _action_done(self, feedback=False, attachment_ids=None):
        """A phone-call task of a notice done: the notice is done, with the call's feedback."""
        notices = {}
        for activity in self.filtered(lambda a: a.res_model == "tko.notice"):
            notices.setdefault(activity.res_id, activity)
        result = super()._action_done(feedback=feedback, attachment_ids=attachment_ids)
        if notices:
            self.env["tko.notice"].browse(list(notices)).exists()._activity_call_done(feedback)
        return result
