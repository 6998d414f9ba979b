"""Dossier downloads: the only way out for a collection dossier file.

The handoff's download buttons log the export and hand out a one-time link to
this route; ``ir.attachment`` itself refuses the dossier files to every client
(see ``models/ir_attachment.py``).
"""

from odoo import http
from odoo.http import request


class DebiteurDossierController(http.Controller):
    @http.route(
        "/debiteur_dunning/dossier/<int:export_id>",
        type="http",
        auth="user",
        methods=["GET"],
    )
    def download_dossier(self, export_id, token=None, **kwargs):
        # sudo: the log row and its files are the server's; the token, bound to
        # the user who asked and used once, is the permission.
        log = request.env["debiteur.handoff.export"].sudo().browse(export_id).exists()
        files = log._consume_download(token) if log else None
        if not files:
            raise request.not_found()
        stream = files._to_http_stream() if len(files) == 1 else log._zip_stream(files)
        return stream.get_response(as_attachment=True)
