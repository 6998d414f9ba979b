from odoo import api, fields, models
from odoo.exceptions import ValidationError


class DebiteurLevel(models.Model):
    _name = "debiteur.level"
    _description = "Dunning Level"
    _order = "policy_id, sequence, delay_days, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10, required=True)
    policy_id = fields.Many2one(
        "debiteur.policy", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(
        related="policy_id.company_id", store=True, index=True, precompute=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    delay_days = fields.Integer(
        string="Days After Due Date",
        required=True,
        help="The level is reached this many days after the invoice's due date.",
    )
    channel = fields.Selection(
        [
            ("email", "E-mail"),
            ("letter", "Letter"),
            ("email_letter", "E-mail and letter"),
            ("phone", "Phone call"),
        ],
        required=True,
        default="email",
    )
    mail_template_id = fields.Many2one(
        "mail.template",
        string="E-mail Template",
        domain=[("model", "=", "debiteur.communication")],
        default=lambda self: self.env.ref(
            "debiteur_dunning.mail_template_dunning", raise_if_not_found=False
        ),
    )
    letter_intro = fields.Html(
        string="Opening Text",
        translate=True,
        sanitize_attributes=False,
        help="Printed above the list of invoices in the letter and the e-mail.",
    )
    letter_closing = fields.Html(
        string="Closing Text",
        translate=True,
        sanitize_attributes=False,
        help="Printed below the list of invoices in the letter and the e-mail.",
    )
    fee_amount = fields.Monetary(
        string="Fee", currency_field="currency_id", help="Fixed fee for this level."
    )
    charge_interest = fields.Boolean()
    charge_costs = fields.Boolean()
    is_legal_notice = fields.Boolean(
        string="Formal Notice (14-day Letter)",
        help="This level is the formal notice that must precede collection costs.",
    )
    handoff_ready = fields.Boolean(
        string="Ready for Collection Agency",
        help="A debtor reaching this level becomes a collection-agency candidate.",
    )
    color = fields.Integer()

    _sql_constraints = [
        (
            "sequence_policy_unique",
            "UNIQUE(policy_id, sequence)",
            "Two levels of one policy cannot have the same sequence.",
        ),
        (
            "delay_positive",
            "CHECK(delay_days >= 0)",
            "The number of days after the due date cannot be negative.",
        ),
        (
            "fee_positive",
            "CHECK(fee_amount >= 0)",
            "The fee cannot be negative.",
        ),
    ]

    def write(self, vals):
        result = super().write(vals)
        if not vals.keys().isdisjoint(("handoff_ready", "is_legal_notice")):
            # The stages of the follow-up cases follow these flags.
            Sync = self.env["debiteur.case.sync"].sudo()
            for company in self.company_id:
                Sync._sync_company(company)
        return result

    @api.constrains("mail_template_id")
    def _check_mail_template_model(self):
        for level in self:
            template = level.mail_template_id.sudo()
            if template and template.model != "debiteur.communication":
                raise ValidationError(
                    self.env._(
                        "Level %(level)s: the e-mail template %(template)s is not "
                        "one for reminders (model Dunning Communication).",
                        level=level.display_name,
                        template=template.display_name,
                    )
                )

    @api.constrains("sequence", "delay_days", "policy_id")
    def _check_delay_order(self):
        for policy in self.policy_id:
            levels = policy._sorted_levels()
            delays = levels.mapped("delay_days")
            if delays != sorted(delays) or len(set(delays)) != len(delays):
                raise ValidationError(
                    self.env._(
                        "The levels of policy %(policy)s must come later and later: "
                        "each level needs more days after the due date than the "
                        "one before it.",
                        policy=policy.display_name,
                    )
                )
