from odoo import models


class IrModuleModule(models.Model):
    _inherit = "ir.module.module"

    def _load_module_terms(
        self, modules, langs, overwrite=False, imported_module=False
    ):
        res = super()._load_module_terms(
            modules, langs, overwrite=overwrite, imported_module=imported_module
        )
        if "debiteur_dunning" in modules:
            # The ready-made policies are created by code, not XML data: give
            # them the newly loaded language too.
            self.env["res.company"].sudo().search([])._debiteur_translate_default_texts(
                langs
            )
        return res
