"""Upgrade to 18.0.1.0.2.

Evidence nobody can rewrite: dossiers made before.

- The files of the collection dossiers made before (XML, CSV, PDF, the copies
  of the letters) are flagged ``debiteur_dossier``: from now on they leave only
  through the logged download or e-mail.
- Handoffs already in a final state get ``closed_date`` (their last change):
  the retention period of their dossier runs from there.

No output VAT on collection costs: the company setting "VAT on collection
costs" is gone.

- It added the sale VAT of the collection costs product on the costs invoice:
  output tax, which collection costs never carry (they are damages, not a
  supply). What it stood for, a creditor that cannot deduct the VAT its
  collection service charged (art. 2 lid 3 BIK), is now the policy's VAT
  surcharge: 21 % added to the costs as damages, stated in the letter, no tax
  line. The companies that had the setting on get it on their policies.
"""

from odoo.tools import SQL


def migrate(cr, version):
    if not version:
        return
    _flag_dossier_files(cr)
    _costs_vat_to_policy_surcharge(cr)


def _flag_dossier_files(cr):
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


def _costs_vat_to_policy_surcharge(cr):
    cr.execute(
        SQL(
            "SELECT 1 FROM information_schema.columns"
            " WHERE table_name = 'res_company' AND column_name = 'debiteur_costs_vat'"
        )
    )
    if not cr.fetchone():
        return
    cr.execute(
        SQL(
            "UPDATE debiteur_policy SET costs_vat_surcharge = TRUE"
            " WHERE company_id IN"
            " (SELECT id FROM res_company WHERE debiteur_costs_vat)"
        )
    )
