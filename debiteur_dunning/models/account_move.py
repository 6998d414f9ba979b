from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from .debiteur_proof_mixin import GROUP_USER, require_group

# Block fields: internal, written by the Dunning users' block and unblock.
BLOCK_FIELDS = ("debiteur_blocked", "debiteur_block_reason", "debiteur_block_until")


class AccountMove(models.Model):
    _inherit = "account.move"

    debiteur_communication_line_ids = fields.One2many(
        "debiteur.communication.line",
        "move_id",
        string="Dunning History",
        readonly=True,
    )
    debiteur_level_id = fields.Many2one(
        "debiteur.level",
        string="Dunning Level",
        compute="_compute_debiteur_level",
        store=True,
        index=True,
        copy=False,
        groups="base.group_user",
        help="The highest level of the reminders this invoice got.",
    )
    debiteur_last_date = fields.Date(
        string="Last Reminder",
        compute="_compute_debiteur_level",
        store=True,
        copy=False,
        groups="base.group_user",
    )
    debiteur_blocked = fields.Boolean(
        string="Dunning Blocked",
        copy=False,
        tracking=True,
        index=True,
        groups="base.group_user",
        help="Disputed or on hold: no reminders for this invoice.",
    )
    debiteur_block_reason = fields.Char(
        string="Block Reason", copy=False, tracking=True, groups="base.group_user"
    )
    debiteur_block_until = fields.Date(
        string="Blocked Until",
        copy=False,
        tracking=True,
        groups="base.group_user",
        help="Reminders resume on this date. Leave empty to block until unblocked.",
    )
    debiteur_communication_count = fields.Integer(
        compute="_compute_debiteur_communication_count"
    )

    @api.depends(
        "debiteur_communication_line_ids.state",
        "debiteur_communication_line_ids.escalated",
        "debiteur_communication_line_ids.level_id",
        "debiteur_communication_line_ids.communication_id.sent_date",
    )
    def _compute_debiteur_level(self):
        reached = ("queued", "sent", "printed", "failed")
        # The communications of all the invoices at once, not per invoice.
        self.debiteur_communication_line_ids.communication_id.fetch(
            ["state", "sent_date"]
        )
        for move in self:
            lines = move.debiteur_communication_line_ids.filtered(
                lambda line: line.escalated and line.state in reached
            )
            top = lines.sorted(
                lambda line: (line.level_id.sequence, line.level_id.delay_days)
            )[-1:]
            move.debiteur_level_id = top.level_id
            sent_dates = [
                d
                for d in lines.communication_id.filtered(
                    lambda c: c.state in ("sent", "printed")
                ).mapped("sent_date")
                if d
            ]
            move.debiteur_last_date = max(sent_dates) if sent_dates else False

    def _compute_debiteur_communication_count(self):
        counts = dict(
            self.env["debiteur.communication.line"]._read_group(
                [("move_id", "in", self.ids), ("state", "!=", "cancelled")],
                ["move_id"],
                ["communication_id:count_distinct"],
            )
        )
        for move in self:
            move.debiteur_communication_count = counts.get(move, 0)

    @api.model_create_multi
    def create(self, vals_list):
        if any(vals.get(fname) for vals in vals_list for fname in BLOCK_FIELDS):
            self._debiteur_check_block_rights()
        return super().create(vals_list)

    def write(self, vals):
        if any(fname in vals for fname in BLOCK_FIELDS):
            self._debiteur_check_block_rights()
        return super().write(vals)

    def _debiteur_check_block_rights(self):
        if self.env.su or self.env.user.has_group(GROUP_USER):
            return
        raise AccessError(
            self.env._("Only dunning users can block or unblock dunning of invoices.")
        )

    def action_debiteur_block(self):
        """Open the dialog that blocks dunning for these invoices with a reason."""
        require_group(self.env, GROUP_USER)
        invoices = self.filtered(lambda m: m.move_type == "out_invoice")
        if not invoices:
            raise UserError(self.env._("Only customer invoices can be blocked."))
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Block Dunning"),
            "res_model": "debiteur.block.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_move_ids": invoices.ids},
        }

    def _debiteur_block(self, reason, until=False):
        if not reason or not reason.strip():
            raise UserError(self.env._("Give a reason for blocking dunning."))
        self.write(
            {
                "debiteur_blocked": True,
                "debiteur_block_reason": reason.strip(),
                "debiteur_block_until": until or False,
            }
        )

    def action_debiteur_unblock(self):
        require_group(self.env, GROUP_USER)
        self.filtered("debiteur_blocked").write(
            {
                "debiteur_blocked": False,
                "debiteur_block_reason": False,
                "debiteur_block_until": False,
            }
        )
        return True

    def action_debiteur_view_communications(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "debiteur_dunning.action_debiteur_communication"
        )
        action["domain"] = [("line_ids.move_id", "=", self.id)]
        return action
