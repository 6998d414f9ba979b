"""Evidence nobody can rewrite: dossiers made before.

- The files of the collection dossiers made before (XML, CSV, PDF, the copies
  of the letters) are flagged ``debiteur_dossier``: from now on they leave only
  through the logged download or e-mail.
- Handoffs already in a final state get ``closed_date`` (their last change):
  the retention period of their dossier runs from there.
"""

from odoo.tools import SQL


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        SQL(
            """
            UPDATE ir_attachment SET debiteur_dossier = TRUE
             WHERE debiteur_dossier IS NOT TRUE
               AND id IN (
                   SELECT xml_attachment_id FROM debiteur_handoff
                   UNION SELECT csv_attachment_id FROM debiteur_handoff
                   UNION SELECT pdf_attachment_id FROM debiteur_handoff
                   UNION SELECT ir_attachment_id
                           FROM debiteur_handoff_letter_attachment_rel)
            """
        )
    )
    cr.execute(
        SQL(
            """
            UPDATE debiteur_handoff SET closed_date = write_date::date
             WHERE closed_date IS NULL
               AND state NOT IN ('draft', 'sent', 'in_progress', 'arrangement')
            """
        )
    )
