"""Collection costs and interest already charged: claimed once.

- ``account.move.debiteur_is_cost_invoice`` is stored; since the charges
  invoice of a payment arrangement counts as a costs invoice too, the flag of
  the invoices made before is recomputed (Odoo does not recompute a stored
  field whose dependencies changed on upgrade).
- ``debiteur.communication.waived_costs_amount`` / ``waived_interest_amount``
  are new: for reminders waived before, what was given up is what was
  invoiced or else what the reminder stated. A waiver is no reset: those
  costs are not claimed again.
"""

from odoo import SUPERUSER_ID, api
from odoo.tools import SQL


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    Move = env["account.move"]
    moves = (
        env["debiteur.arrangement"].search([("claims_move_id", "!=", False)])
    ).claims_move_id | (
        env["debiteur.communication"].search([("cost_move_id", "!=", False)])
    ).cost_move_id
    env.add_to_compute(Move._fields["debiteur_is_cost_invoice"], moves)
    Move.flush_model(["debiteur_is_cost_invoice"])

    cr.execute(
        SQL(
            """
            UPDATE debiteur_communication
               SET waived_costs_amount = CASE
                       WHEN COALESCE(invoiced_costs_amount, 0) > 0
                       THEN invoiced_costs_amount
                       ELSE COALESCE(costs_amount, 0)
                   END
             WHERE costs_waived AND waived_costs_amount IS NULL
            """
        )
    )
    cr.execute(
        SQL(
            """
            UPDATE debiteur_communication
               SET waived_interest_amount = CASE
                       WHEN COALESCE(invoiced_interest_amount, 0) > 0
                       THEN invoiced_interest_amount
                       ELSE COALESCE(interest_amount, 0)
                   END
             WHERE interest_waived AND waived_interest_amount IS NULL
            """
        )
    )
