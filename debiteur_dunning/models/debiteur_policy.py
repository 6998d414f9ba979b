from odoo import api, fields, models
from odoo.exceptions import ValidationError


def level_order(level):
    """The order of a policy's levels (``_sorted_levels``)."""
    return (level.sequence, level.delay_days, level.id)


class DebiteurPolicy(models.Model):
    _name = "debiteur.policy"
    _description = "Dunning Policy"
    _order = "company_id, sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    level_ids = fields.One2many("debiteur.level", "policy_id", string="Levels")
    jurisdiction = fields.Selection(
        [("nl", "Netherlands"), ("be", "Belgium"), ("other", "Other")],
        required=True,
        default="nl",
    )
    debtor_type = fields.Selection(
        [("business", "Business"), ("consumer", "Consumer")],
        string="Intended for",
        required=True,
        default="business",
        help="The kind of debtor this policy is written for. Used to pick "
        "the company's default policy and the legal texts of the letters.",
    )
    min_amount = fields.Monetary(
        string="Minimum Amount",
        currency_field="currency_id",
        help="No reminder is sent while the debtor's overdue balance "
        "(company currency) is below this amount.",
    )
    min_days_between = fields.Integer(
        string="Minimum Days Between Reminders",
        default=7,
        help="A debtor gets at most one reminder in this many days.",
    )
    auto_send = fields.Boolean(
        string="Send Automatically",
        help="When set, the daily scheduler sends the reminders itself. "
        "Otherwise it only prepares them and the accountant confirms them.",
    )
    interest_mode = fields.Selection(
        [
            ("none", "No interest"),
            ("statutory", "Statutory interest"),
            ("contractual", "Contractual interest"),
        ],
        required=True,
        default="none",
    )
    interest_rate = fields.Float(
        string="Contractual Rate (%)",
        digits=(6, 3),
        help="Yearly rate for contractual interest.",
    )
    costs_mode = fields.Selection(
        [
            ("none", "No collection costs"),
            ("statutory", "Statutory collection costs"),
            ("fixed", "Fixed fee per level"),
        ],
        required=True,
        default="none",
    )
    # Legal settings of the contracts this policy is used for (LEGAL.md). The
    # claim (debiteur.legal) reads them; they are not derived from the
    # debtor type because they depend on what was sold and agreed.
    consumer_sale = fields.Boolean(
        string="Sale of goods to consumers",
        help="The invoices are the price of goods sold to consumers: under "
        "Dutch law such claims prescribe after two years (art. 7:28 BW) "
        "instead of five. Services to consumers stay at five years.",
    )
    prescription_kind = fields.Selection(
        [
            ("default", "Ordinary contractual claims (10 years)"),
            ("periodic", "Periodic payments (5 years)"),
            ("consumer_supply", "Goods supplied to consumers by a trader (1 year)"),
        ],
        string="Prescription (Belgium)",
        required=True,
        default="default",
        help="Belgian law: ordinary contractual claims prescribe after ten "
        "years (art. 2262bis old Civil Code), periodic payments such as rent "
        "after five (art. 2277), claims of traders for goods supplied to "
        "consumers after one (art. 2272). Verify against the code in force.",
    )
    be_express_clause = fields.Boolean(
        string="Express damages clause",
        help="The contract has an express damages and interest clause. "
        "Belgian consumers owe damages on a late payment only under such a "
        "clause, never for the first reminder (Book XIX Code of Economic "
        "Law).",
    )
    be_recurring_contract_fee = fields.Boolean(
        string="Reminder fee under a recurring contract",
        help="Belgian consumers: the contract has recurring payments, so a "
        "reminder beyond the third in a year may cost 7.50 (plus postage). "
        "Without it, consumers pay no fee per reminder at all.",
    )
    costs_vat_surcharge = fields.Boolean(
        string="VAT surcharge on collection costs",
        help="Collection service charged VAT we cannot deduct (art. 2 lid 3 "
        "BIK): 21 % is added on top of the collection costs and stated in "
        "the letter. It is damages, not booked as output VAT.",
    )
    partner_count = fields.Integer(compute="_compute_partner_count")

    _sql_constraints = [
        (
            "min_days_between_positive",
            "CHECK(min_days_between >= 0)",
            "The minimum number of days between reminders cannot be negative.",
        ),
        (
            "min_amount_positive",
            "CHECK(min_amount >= 0)",
            "The minimum amount cannot be negative.",
        ),
    ]

    def _compute_partner_count(self):
        counts = dict(
            self.env["res.partner"]._read_group(
                [("debiteur_policy_id", "in", self.ids)],
                ["debiteur_policy_id"],
                ["__count"],
            )
        )
        for policy in self:
            policy.partner_count = counts.get(policy, 0)

    @api.constrains("interest_mode", "interest_rate")
    def _check_interest_rate(self):
        for policy in self:
            if policy.interest_mode == "contractual" and policy.interest_rate <= 0:
                raise ValidationError(
                    self.env._(
                        "Policy %(policy)s charges contractual interest: "
                        "enter a rate above zero.",
                        policy=policy.display_name,
                    )
                )

    def _sorted_levels(self):
        self.ensure_one()
        return self.level_ids.sorted(level_order)
