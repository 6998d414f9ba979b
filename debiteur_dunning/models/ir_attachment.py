"""Collection dossier files: evidence nobody reads or rewrites around the log.

A file of a dossier (``debiteur_dossier``) is created by the server when a
debtor is handed off. No client reads it through ``ir.attachment`` (``read``,
``search``, ``/web/content``, an access token), nor changes or deletes it: it
leaves only through the handoff's download buttons, which log the export and
hand out a one-time link, or by e-mail to the agency, also logged.
"""

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL


class IrAttachment(models.Model):
    _inherit = "ir.attachment"

    debiteur_dossier = fields.Boolean(
        string="Collection Dossier File",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="A file of a collection dossier: downloaded only through the "
        "handoff, which logs every export.",
    )

    def _debiteur_refuse(self, raise_error=True):
        error = AccessError(
            self.env._(
                "Collection dossier files are downloaded only from their handoff, "
                "which logs every export."
            )
        )
        if raise_error:
            raise error
        return error

    def _debiteur_dossier_files(self):
        """The dossier files among ``self`` (read in SQL: no access check)."""
        if not self.ids:
            return self.browse()
        self.flush_model(["debiteur_dossier"])
        self.env.cr.execute(
            SQL(
                "SELECT id FROM ir_attachment WHERE id IN %s AND debiteur_dossier",
                tuple(self.ids),
            )
        )
        return self.browse(row[0] for row in self.env.cr.fetchall())

    def _check_access(self, operation):
        result = super()._check_access(operation)
        if result or self.env.su:
            return result
        forbidden = self._debiteur_dossier_files()
        if forbidden:
            return forbidden, lambda: self._debiteur_refuse(raise_error=False)
        return None

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        if not self.env.su:
            domain = [("debiteur_dossier", "=", False), *domain]
        return super()._search(domain, offset=offset, limit=limit, order=order)

    def check(self, mode, values=None):
        if not self.env.su and (
            (values and "debiteur_dossier" in values) or self._debiteur_dossier_files()
        ):
            self._debiteur_refuse()
        return super().check(mode, values=values)

    def validate_access(self, access_token):
        # An access token (a large e-mail turns its files into links) or a
        # public flag opens no dossier file either.
        if not self.env.su and self._debiteur_dossier_files():
            self._debiteur_refuse()
        return super().validate_access(access_token)

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and any(vals.get("debiteur_dossier") for vals in vals_list):
            self._debiteur_refuse()
        return super().create(vals_list)
