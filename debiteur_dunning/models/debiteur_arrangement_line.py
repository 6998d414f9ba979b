from odoo import api, fields, models
from odoo.tools import format_date, formatLang

LINE_STATES = [
    ("open", "Open"),
    ("partial", "Partly paid"),
    ("paid", "Paid"),
    ("late", "Late"),
]


class DebiteurArrangementLine(models.Model):
    """One instalment of a payment arrangement.

    What is paid is never entered here: the arrangement's paid amount (from the
    covered invoices) is allocated to the instalments in date order.
    """

    _name = "debiteur.arrangement.line"
    _description = "Payment Arrangement Instalment"
    _order = "arrangement_id, date, sequence, id"

    arrangement_id = fields.Many2one(
        "debiteur.arrangement", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(
        related="arrangement_id.company_id", store=True, index=True
    )
    currency_id = fields.Many2one(related="arrangement_id.currency_id")
    sequence = fields.Integer(default=10)
    is_down_payment = fields.Boolean(readonly=True)
    date = fields.Date(string="Due Date", required=True, readonly=True)
    amount = fields.Monetary(required=True, readonly=True)
    amount_paid = fields.Monetary(
        string="Paid", compute="_compute_amount_paid", store=True
    )
    amount_open = fields.Monetary(
        string="Open", compute="_compute_amount_paid", store=True
    )
    is_late = fields.Boolean(
        readonly=True,
        copy=False,
        help="Set by the scheduler once the grace period after the due date "
        "has passed without full payment.",
    )
    reminder_sent = fields.Boolean(readonly=True, copy=False)
    state = fields.Selection(
        LINE_STATES,
        string="Status",
        compute="_compute_state",
        store=True,
        index=True,
    )

    _sql_constraints = [
        (
            "amount_positive",
            "CHECK(amount > 0)",
            "Every instalment must be a positive amount.",
        ),
    ]

    @api.depends("date", "amount", "currency_id")
    @api.depends_context("lang")
    def _compute_display_name(self):
        """The instalment as the accountant reads it: its date and amount."""
        for line in self:
            if not line.date:
                line.display_name = False
                continue
            line.display_name = "%s \N{EN DASH} %s" % (
                format_date(self.env, line.date),
                formatLang(self.env, line.amount, currency_obj=line.currency_id),
            )

    @api.depends(
        "amount",
        "date",
        "sequence",
        "arrangement_id.amount_paid",
        "arrangement_id.line_ids.amount",
    )
    def _compute_amount_paid(self):
        """Allocate the arrangement's paid amount to its instalments by date."""
        result = {}
        for arrangement in self.arrangement_id:
            currency = arrangement.currency_id
            left = arrangement.amount_paid
            for line in arrangement.line_ids.sorted(
                lambda li: (li.date, li.sequence, li.id or 0)
            ):
                paid = currency.round(min(max(left, 0.0), line.amount))
                left = currency.round(left - paid)
                result[line.id] = paid
        for line in self:
            paid = result.get(line.id, 0.0)
            line.amount_paid = paid
            line.amount_open = line.currency_id.round(line.amount - paid)

    @api.depends("amount_paid", "amount", "is_late")
    def _compute_state(self):
        for line in self:
            currency = line.currency_id
            if currency.compare_amounts(line.amount_paid, line.amount) >= 0:
                line.state = "paid"
            elif line.is_late:
                line.state = "late"
            elif currency.compare_amounts(line.amount_paid, 0.0) > 0:
                line.state = "partial"
            else:
                line.state = "open"

    @api.model_create_multi
    def create(self, vals_list):
        self.env["debiteur.arrangement"].browse(
            {vals.get("arrangement_id") for vals in vals_list} - {None, False}
        )._check_draft_for_client()
        return super().create(vals_list)

    def write(self, vals):
        self.arrangement_id._check_draft_for_client()
        return super().write(vals)

    def _send_reminders(self):
        """The friendly reminder a few days before each instalment."""
        if not self:
            return
        template = self.env.ref(
            "debiteur_dunning.mail_template_arrangement_reminder",
            raise_if_not_found=False,
        )
        if template:
            for line in self:
                line.arrangement_id.message_post_with_source(
                    template, subtype_xmlid="mail.mt_comment"
                )
        self.sudo().write({"reminder_sent": True})
