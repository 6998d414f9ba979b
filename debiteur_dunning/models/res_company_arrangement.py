# pylint: disable=consider-merging-classes-inherited
from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    debiteur_arrangement_reminder_days = fields.Integer(
        string="Instalment Reminder (days before)",
        default=3,
        help="Send the debtor a friendly reminder this many days before each "
        "instalment. 0: no reminders.",
    )
    debiteur_arrangement_grace_days = fields.Integer(
        string="Instalment Grace Period (days)",
        default=3,
        help="An instalment not fully paid this many days after its date is late.",
    )
    debiteur_arrangement_break_days = fields.Integer(
        string="Arrangement Broken After (days)",
        default=14,
        help="An instalment still unpaid this many days after its date breaks "
        "the arrangement: its invoices go back into dunning.",
    )
    debiteur_arrangement_broken_notice = fields.Boolean(
        string="Notify Debtor of Broken Arrangement",
        default=True,
    )
    debiteur_arrangement_fee_product_id = fields.Many2one(
        "product.product",
        string="Arrangement Fee Product",
        help="Optional fee for an arrangement with a business debtor. Never "
        "charged to Dutch consumers (art. 6:96 BW).",
    )
