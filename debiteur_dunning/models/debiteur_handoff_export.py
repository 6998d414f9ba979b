import io
import zipfile
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.http import Stream
from odoo.tools import SQL

DOWNLOAD_LINK_MINUTES = 10  # a download link works once, within this time


class DebiteurHandoffExport(models.Model):
    """One export of a dossier: who, when, what, to whom.

    Append-only evidence: rows are created by the server (``_log_export``, as
    sudo after the manager check), never changed by a client, never deleted.
    """

    _name = "debiteur.handoff.export"
    _description = "Collection Dossier Export"
    _order = "create_date desc, id desc"

    handoff_id = fields.Many2one(
        "debiteur.handoff",
        required=True,
        ondelete="restrict",
        index=True,
        readonly=True,
    )
    company_id = fields.Many2one(
        related="handoff_id.company_id", store=True, index=True
    )
    user_id = fields.Many2one(
        "res.users", string="Exported By", required=True, readonly=True
    )
    date = fields.Datetime(string="Exported On", required=True, readonly=True)
    channel = fields.Selection(
        [("email", "E-mail"), ("download", "Download")], required=True, readonly=True
    )
    export_format = fields.Char(string="Format", readonly=True)
    recipient = fields.Char(readonly=True)
    attachment_ids = fields.Many2many("ir.attachment", string="Files", readonly=True)
    sha256 = fields.Char(string="SHA-256", readonly=True)
    # The one-time link of a download: the server's, never shown to a client.
    download_token = fields.Char(readonly=True, copy=False, groups="base.group_system")

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise AccessError(
                self.env._("The export log is written by the server only.")
            )
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            raise UserError(self.env._("The export log cannot be changed."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("The export log cannot be deleted."))

    def _consume_download(self, token, max_age=DOWNLOAD_LINK_MINUTES):
        """The file(s) of this download (sudo), once, for the user who asked,
        within ``max_age`` minutes; an empty recordset otherwise."""
        self.ensure_one()
        nothing = self.env["ir.attachment"]
        if (
            not token
            or self.channel != "download"
            or self.user_id != self.env.user
            or self.date < fields.Datetime.now() - timedelta(minutes=max_age)
        ):
            return nothing
        # One statement, so that two requests with one link serve one file.
        self.env.cr.execute(
            SQL(
                "UPDATE debiteur_handoff_export SET download_token = NULL "
                "WHERE id = %s AND download_token = %s RETURNING id",
                self.id,
                token,
            )
        )
        if not self.env.cr.fetchone():
            return nothing
        self.invalidate_recordset(["download_token"])
        return self.sudo().attachment_ids

    def _zip_stream(self, files):
        """Several files of one download as one ZIP: an ``odoo.http.Stream``."""
        self.ensure_one()
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for att in files.sudo():
                archive.writestr("%s-%s" % (att.id, att.name), att.raw or b"")
        data = out.getvalue()
        return Stream(
            type="data",
            data=data,
            mimetype="application/zip",
            download_name="%s.zip" % self.handoff_id.name.replace("/", "-"),
            size=len(data),
        )
