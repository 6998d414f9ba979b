from odoo import models


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    def _debiteur_chatter(self):
        """``self`` in the language the addon writes its chatter in.

        Notes, messages and activity summaries the addon writes on a record
        are read by the company's staff, whoever clicked: they are written in
        the language of the record's company (its partner's), not in that of
        the user who acted (nor of OdooBot, for the scheduler). Without a
        company language, or with one no longer active, the user's stays.

        Build the text with the returned records' ``env._`` (and their
        formatting: amounts, dates, selection labels), and post through them;
        write nothing else through them (the context's language would be the
        one written to translatable fields). ``self`` is one record, or
        records of one company.
        """
        company = self.env["res.company"]
        if "company_id" in self._fields:
            company = self[:1].company_id
        lang = (company or self.env.company).sudo().partner_id.lang
        if (
            not lang
            or lang == self.env.context.get("lang")
            or not self.env["res.lang"]._get_data(code=lang)
        ):
            return self
        return self.with_context(lang=lang)
