"""Compiling a mail template's body once for all its e-mails.

Odoo renders a mail template's body (``mail.render.mixin``'s
``_render_template_qweb``) by parsing its source and compiling it into Python
again for every record: a compiled template is cached only for a view (a
template with an id), never for a body held in a field. For the reminders'
body that compilation was about three quarters of the time of queueing an
e-mail. With ``debiteur_compile_once`` in the context (``debiteur.dispatch``
sets it when it queues the reminders' e-mails), a body is compiled once and
the compiled code kept in Odoo's cache of compiled templates, keyed on the
body's source and on what the compilation depends on (the cache keys of
``ir.qweb``: language, restricted mode, ...): the same source gives the same
code, so the e-mails are those of the uncached rendering.
"""

from lxml import etree

from odoo import models


class IrQweb(models.AbstractModel):
    _inherit = "ir.qweb"

    def _compile(self, template):
        if not (
            isinstance(template, etree._Element)
            and self.env.context.get("debiteur_compile_once")
        ):
            return super()._compile(template)
        key = (
            "debiteur_dunning.compile_once",
            etree.tostring(template),
            tuple(self.env.context.get(k) for k in self._get_template_cache_keys()),
        )
        compile_template = super()._compile
        return self._get_cached_values(key, lambda: compile_template(template))
