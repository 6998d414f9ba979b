# pylint: disable=consider-merging-classes-inherited
from odoo import api, fields, models

from .debiteur_handoff import OPEN_STATES


class AccountMove(models.Model):
    _inherit = "account.move"

    debiteur_handoff_invoice_ids = fields.One2many(
        "debiteur.handoff.invoice",
        "move_id",
        string="Collection Handoffs",
        readonly=True,
        copy=False,
        groups="debiteur_dunning.group_debiteur_manager",
    )
    debiteur_handoff_id = fields.Many2one(
        "debiteur.handoff",
        string="Collection Handoff",
        compute="_compute_debiteur_handoff_id",
        store=True,
        compute_sudo=True,
        index="btree_not_null",
        copy=False,
        help="The open collection-agency handoff: while it runs, no reminders.",
    )
    debiteur_at_agency = fields.Boolean(
        string="At Collection Agency",
        compute="_compute_debiteur_handoff_id",
        store=True,
        compute_sudo=True,
        copy=False,
    )

    @api.depends("debiteur_handoff_invoice_ids.state")
    def _compute_debiteur_handoff_id(self):
        for move in self:
            rows = move.debiteur_handoff_invoice_ids.filtered(
                lambda row: row.state in OPEN_STATES
            )
            move.debiteur_handoff_id = rows.handoff_id[:1]
            move.debiteur_at_agency = bool(rows)

    def action_debiteur_handoff(self):
        """Open the handoff wizard on the selected invoices."""
        return self.env["debiteur.handoff.wizard"]._action_open(moves=self)
