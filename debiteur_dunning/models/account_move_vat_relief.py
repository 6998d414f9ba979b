# pylint: disable=consider-merging-classes-inherited
from odoo import api, fields, models

from .debiteur_vat_relief import FOLLOWED_STATES


class AccountMove(models.Model):
    _inherit = "account.move"

    debiteur_vat_relief_ids = fields.One2many(
        "debiteur.vat.relief",
        "move_id",
        string="VAT Reliefs",
        readonly=True,
        groups="debiteur_dunning.group_debiteur_user",
    )
    debiteur_vat_relief_origin_id = fields.Many2one(
        "debiteur.vat.relief",
        string="VAT Relief of Entry",
        index="btree_not_null",
        readonly=True,
        copy=False,
        help="The VAT relief this journal entry books.",
    )
    debiteur_vat_relief_state = fields.Selection(
        [
            ("eligible", "Eligible"),
            ("relieved", "VAT Reclaimed"),
            ("recharged", "Paid, VAT Due Again"),
            ("written_off", "Written Off"),
        ],
        string="VAT Relief",
        compute="_compute_debiteur_vat_relief",
        compute_sudo=True,
    )
    debiteur_vat_relief_date = fields.Date(
        string="VAT Reclaimable From",
        compute="_compute_debiteur_vat_relief",
        compute_sudo=True,
        help="From this date the VAT of the unpaid part may be reclaimed without "
        "proof (empty: only on a confirmation with evidence).",
    )

    @api.depends(
        "invoice_date_due",
        "company_id.debiteur_vat_relief_mode",
        "debiteur_vat_relief_ids.state",
        "debiteur_vat_relief_ids.eligible_date",
    )
    def _compute_debiteur_vat_relief(self):
        for move in self:
            relief = move.debiteur_vat_relief_ids.filtered(
                lambda r: r.state != "cancelled"
            )[:1]
            move.debiteur_vat_relief_state = relief.state if relief else False
            move.debiteur_vat_relief_date = (
                relief.eligible_date
                if relief
                else move.move_type == "out_invoice"
                and move.company_id._debiteur_vat_relief_eligible_date(
                    move.invoice_date_due
                )
            )

    def action_debiteur_vat_relief(self):
        """Open the dialog that reclaims the VAT of these unpaid invoices."""
        self.env["debiteur.vat.relief"]._debiteur_check_invoices(self)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Reclaim VAT"),
            "res_model": "debiteur.vat.relief.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_move_ids": self.ids},
        }

    def action_debiteur_view_vat_relief(self):
        self.ensure_one()
        reliefs = self.debiteur_vat_relief_ids
        action = {
            "type": "ir.actions.act_window",
            "name": self.env._("VAT Relief"),
            "res_model": "debiteur.vat.relief",
            "view_mode": "list,form",
            "domain": [("move_id", "=", self.id)],
            "context": {"create": False},
        }
        active = reliefs.filtered(lambda r: r.state != "cancelled")[:1]
        if active:
            action.update(view_mode="form", res_id=active.id)
        return action

    def _debiteur_vat_relief_followed(self):
        """The reliefs of these invoices that follow their payments."""
        invoices = self.filtered(lambda m: m.move_type == "out_invoice")
        if not invoices:
            return self.env["debiteur.vat.relief"]
        # Payments are registered by accountants without access to the reliefs:
        # following them is bookkeeping of the module, not a user action.
        return (
            self.env["debiteur.vat.relief"]
            .sudo()
            .search([("move_id", "in", invoices.ids), ("state", "in", FOLLOWED_STATES)])
        )
