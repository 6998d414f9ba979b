from odoo import api, fields, models
from odoo.exceptions import ValidationError


class DebiteurCommunicationLine(models.Model):
    """One invoice (or one credit) listed in a reminder."""

    _name = "debiteur.communication.line"
    _inherit = ["debiteur.proof.mixin"]
    _description = "Dunning Communication Line"
    _order = "communication_id, line_type desc, date_due, id"
    _check_company_auto = True

    communication_id = fields.Many2one(
        "debiteur.communication", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(
        related="communication_id.company_id", store=True, index=True
    )
    partner_id = fields.Many2one(related="communication_id.partner_id", store=True)
    state = fields.Selection(
        related="communication_id.state", store=True, index=True, string="Status"
    )
    line_type = fields.Selection(
        [("invoice", "Invoice"), ("credit", "Credit")],
        required=True,
        default="invoice",
    )
    move_id = fields.Many2one(
        "account.move",
        string="Document",
        required=True,
        index=True,
        check_company=True,
    )
    move_line_id = fields.Many2one(
        "account.move.line",
        string="Journal Item",
        help="The open credit line.",
        check_company=True,
    )
    level_id = fields.Many2one(
        "debiteur.level",
        help="The invoice's level in this reminder.",
        index=True,
        check_company=True,
    )
    escalated = fields.Boolean(
        help="Set when this reminder moved the invoice up to this level.",
    )
    date_due = fields.Date(string="Due Date")
    days_overdue = fields.Integer()
    currency_id = fields.Many2one("res.currency", required=True)
    amount_total = fields.Monetary(string="Original Amount")
    amount_residual = fields.Monetary(
        string="Open Amount", help="Open amount in the document's currency."
    )
    company_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Company Currency"
    )
    amount_residual_company = fields.Monetary(
        string="Open Amount (Company Currency)", currency_field="company_currency_id"
    )
    interest_amount = fields.Monetary(string="Interest")
    costs_amount = fields.Monetary(string="Costs")

    @api.constrains("move_id", "company_id")
    def _check_move_company(self):
        for line in self:
            if line.move_id.company_id != line.company_id:
                raise ValidationError(
                    self.env._(
                        "Reminder %(reminder)s cannot list %(document)s: it belongs "
                        "to another company.",
                        reminder=line.communication_id.name,
                        document=line.move_id.display_name,
                    )
                )

    def init(self):
        # The idempotence guarantee: one invoice reaches one level once,
        # whatever runs at the same time (wizard, scheduler, retries).
        self.env.cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS debiteur_communication_line_level_uniq
                ON debiteur_communication_line (move_id, level_id)
             WHERE escalated AND state != 'cancelled'
            """
        )

    @api.model
    def _vals_of(self, comms, vals_list, lines_per_comm):
        """The create values of the lines of ``comms``, made from the engine's
        values (``debiteur.engine._communication_vals_list``): each reminder's
        ``vals`` and its ``lines``, the line taking its reminder's company,
        debtor and state."""
        return [
            dict(
                line_vals,
                communication_id=comm.id,
                company_id=vals["company_id"],
                partner_id=vals["partner_id"],
                state=vals.get("state", "draft"),
            )
            for comm, vals, lines in zip(comms, vals_list, lines_per_comm, strict=True)
            for line_vals in lines
        ]
