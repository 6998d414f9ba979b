# pylint: disable=consider-merging-classes-inherited
from odoo import api, fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    debiteur_case_ids = fields.One2many(
        "debiteur.case", "partner_id", string="Debtor Cases", readonly=True
    )
    debiteur_case_count = fields.Integer(
        string="Debtor Case Count", compute="_compute_debiteur_case_count"
    )
    debiteur_dso = fields.Float(
        string="DSO (days)",
        compute="_compute_debiteur_behaviour",
        groups="base.group_user",
        digits=(16, 1),
        help="Days sales outstanding: open receivables / credit sales of the last "
        "365 days x 365.",
    )
    debiteur_avg_days_late = fields.Float(
        string="Average Days Late",
        compute="_compute_debiteur_behaviour",
        groups="base.group_user",
        digits=(16, 1),
        help="Invoices paid in the last 12 months: payment date minus due date, "
        "weighted by amount.",
    )
    debiteur_days_late_trend = fields.Float(
        string="Payment Trend (days)",
        compute="_compute_debiteur_behaviour",
        groups="base.group_user",
        digits=(16, 1),
        help="Average days late of the last 6 months minus that of the 6 months "
        "before: above zero, the debtor pays later than before.",
    )
    debiteur_has_days_late_trend = fields.Boolean(
        string="Has a Trend",
        compute="_compute_debiteur_behaviour",
        groups="base.group_user",
        help="Both half-years have a paid invoice: without one, no trend shows.",
    )

    @api.depends_context("company")
    def _compute_debiteur_behaviour(self):
        company = self.env.company
        Case = self.env["debiteur.case"]
        commercial = self.commercial_partner_id
        dso = Case._debiteur_dso(company, commercial)
        behaviour = Case._debiteur_payment_behaviour(company, commercial)
        for partner in self:
            key = partner.commercial_partner_id.id
            avg, recent, previous = behaviour.get(key, (0.0, None, None))
            trend = Case._days_late_trend(recent, previous)
            partner.debiteur_dso = dso.get(key, 0.0)
            partner.debiteur_avg_days_late = Case._round_days(avg)
            partner.debiteur_days_late_trend = trend
            partner.debiteur_has_days_late_trend = trend is not False

    def _compute_debiteur_case_count(self):
        counts = dict(
            self.env["debiteur.case"]._read_group(
                [("partner_id", "in", self.commercial_partner_id.ids)],
                ["partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            partner.debiteur_case_count = counts.get(partner.commercial_partner_id, 0)

    def action_debiteur_view_cases(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "debiteur_dunning.action_debiteur_case"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {}
        return action
