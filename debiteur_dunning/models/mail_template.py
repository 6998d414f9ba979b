from odoo import models

# Context key: {(template id, record id): attachment ids} added to the e-mails
# that template renders for those records (see ``_generate_template``).
MAIL_ATTACHMENTS = "debiteur_mail_attachments"


class MailTemplate(models.Model):
    _inherit = "mail.template"

    def _generate_template(self, res_ids, render_fields, find_or_create_partners=False):
        """Odoo's values, with the attachments the context gives per record: a
        batch of e-mails each with files of its own (a handoff's dossier) is
        created with its attachments in ``send_mail_batch``'s one ``create``,
        instead of one write per e-mail afterwards."""
        results = super()._generate_template(
            res_ids, render_fields, find_or_create_partners=find_or_create_partners
        )
        extra = self.env.context.get(MAIL_ATTACHMENTS)
        if extra and len(self) == 1 and "attachment_ids" in render_fields:
            for res_id, values in results.items():
                ids = extra.get((self.id, res_id))
                if ids:
                    values["attachment_ids"] = [
                        *(values.get("attachment_ids") or []),
                        *ids,
                    ]
        return results
