from odoo import models


class DebiteurComposeMixin(models.AbstractModel):
    """Open Odoo's e-mail composer on a record with one of our templates."""

    _name = "debiteur.compose.mixin"
    _description = "Dunning E-mail Composer"

    def _debiteur_compose_action(self, template_xmlid):
        self.ensure_one()
        template = self.env.ref(template_xmlid)
        return {
            "type": "ir.actions.act_window",
            "res_model": "mail.compose.message",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_model": self._name,
                "default_res_ids": self.ids,
                "default_template_id": template.id,
                "default_composition_mode": "comment",
                "force_email": True,
            },
        }
