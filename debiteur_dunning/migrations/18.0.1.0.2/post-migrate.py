"""The company setting "VAT on collection costs" is gone.

It added the sale VAT of the collection costs product on the costs invoice:
output tax, which collection costs never carry (they are damages, not a
supply). What it stood for, a creditor that cannot deduct the VAT its
collection service charged (art. 2 lid 3 BIK), is now the policy's VAT
surcharge: 21 % added to the costs as damages, stated in the letter, no tax
line. The companies that had the setting on get it on their policies.
"""

from odoo.tools import SQL


def migrate(cr, version):
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
