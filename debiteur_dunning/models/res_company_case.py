# pylint: disable=consider-merging-classes-inherited
from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    debiteur_dso = fields.Float(
        string="DSO (days)",
        compute="_compute_debiteur_dso",
        digits=(16, 1),
        help="Days sales outstanding: open receivables / credit sales of the last "
        "365 days x 365.",
    )

    def _compute_debiteur_dso(self):
        Case = self.env["debiteur.case"]
        for company in self:
            company.debiteur_dso = Case._debiteur_dso(company)[False]
