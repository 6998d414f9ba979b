from odoo import models


class MailMail(models.Model):
    _inherit = "mail.mail"

    def _postprocess_sent_message(
        self, success_pids, failure_reason=False, failure_type=None
    ):
        # Runs before the parent, which may delete auto-deleted mails.
        comms = (
            self.env["debiteur.communication"]
            .sudo()
            .search([("mail_id", "in", self.ids)])
        )
        if comms:
            comms._on_mail_result(self)
        return super()._postprocess_sent_message(
            success_pids, failure_reason=failure_reason, failure_type=failure_type
        )
