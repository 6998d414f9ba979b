"""Make a Payment Arrangement (Betalingsregeling treffen)."""

from dateutil.relativedelta import relativedelta
from markupsafe import Markup, escape

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..models.debiteur_arrangement import FREQUENCIES

REACHED_STATES = ("sent", "printed", "queued")


class DebiteurArrangementWizard(models.TransientModel):
    _name = "debiteur.arrangement.wizard"
    _description = "Make a Payment Arrangement"

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Debtor",
        compute="_compute_partner_id",
        store=True,
        readonly=False,
    )
    move_ids = fields.Many2many(
        "account.move",
        "debiteur_arrangement_wizard_move_rel",
        "wizard_id",
        "move_id",
        string="Invoices",
        domain="[('move_type', '=', 'out_invoice'), ('state', '=', 'posted'), "
        "('company_id', '=', company_id), "
        "('commercial_partner_id', '=', partner_id), "
        "('payment_state', 'in', ('not_paid', 'partial')), "
        "('debiteur_arrangement_id', '=', False)]",
    )
    currency_id = fields.Many2one(
        "res.currency", compute="_compute_currency_id", store=True
    )
    amount_owed = fields.Monetary(
        string="Open Invoices", compute="_compute_amounts", store=True
    )
    interest_amount = fields.Monetary(
        string="Accrued Interest",
        compute="_compute_claims",
        store=True,
        readonly=False,
    )
    costs_amount = fields.Monetary(
        string="Collection Costs",
        compute="_compute_claims",
        store=True,
        readonly=False,
        help="The collection costs claimed in the last letter.",
    )
    claims_mode = fields.Selection(
        [
            ("include", "Included in the arrangement"),
            ("waive", "Waived on completion"),
        ],
        string="Interest and Costs",
        default="waive",
        required=True,
    )
    waive_reason = fields.Text(
        help="Logged on the arrangement and its invoices when they are waived."
    )
    is_nl_consumer = fields.Boolean(compute="_compute_partner_info")
    fee_amount = fields.Monetary(
        string="Arrangement Fee",
        compute="_compute_fee_amount",
        store=True,
        readonly=False,
        help="Business debtors only (never Dutch consumers): the price of the "
        "company's arrangement fee product.",
    )
    down_payment = fields.Monetary()
    split_mode = fields.Selection(
        [("count", "Number of instalments"), ("amount", "Instalment amount")],
        string="Split By",
        default="count",
        required=True,
    )
    instalment_count = fields.Integer(string="Number of Instalments", default=3)
    instalment_amount = fields.Monetary()
    frequency = fields.Selection(FREQUENCIES, default="monthly", required=True)
    first_date = fields.Date(
        string="First Instalment",
        required=True,
        default=lambda self: (
            self.env["debiteur.arrangement"]._today() + relativedelta(months=1)
        ),
    )
    user_id = fields.Many2one(
        "res.users", string="Responsible", default=lambda self: self.env.user
    )
    replaced_arrangement_id = fields.Many2one(
        "debiteur.arrangement", string="Renegotiates", readonly=True
    )
    amount_total = fields.Monetary(
        string="Total in Instalments", compute="_compute_amounts", store=True
    )
    schedule_html = fields.Html(
        string="Schedule", compute="_compute_schedule_html", sanitize=False
    )

    # ------------------------------------------------------------------
    @api.depends("move_ids")
    def _compute_partner_id(self):
        for wizard in self:
            if wizard.move_ids:
                wizard.partner_id = wizard.move_ids.commercial_partner_id[:1]

    @api.depends("move_ids")
    def _compute_currency_id(self):
        for wizard in self:
            wizard.currency_id = (
                wizard.move_ids.currency_id[:1] or wizard.company_id.currency_id
            )

    @api.depends("partner_id", "company_id")
    def _compute_partner_info(self):
        Arrangement = self.env["debiteur.arrangement"]
        for wizard in self:
            consumer = bool(wizard.partner_id) and Arrangement._is_nl_consumer(
                wizard.partner_id, wizard.company_id
            )
            wizard.is_nl_consumer = consumer

    @api.depends("partner_id", "company_id")
    def _compute_fee_amount(self):
        for wizard in self:
            product = wizard.company_id.debiteur_arrangement_fee_product_id
            wizard.fee_amount = (
                0.0 if wizard.is_nl_consumer or not product else product.lst_price
            )

    @api.depends("move_ids")
    def _compute_claims(self):
        for wizard in self:
            interest, costs = wizard._accrued_claims()
            wizard.interest_amount = interest
            wizard.costs_amount = costs

    @api.depends(
        "move_ids",
        "claims_mode",
        "interest_amount",
        "costs_amount",
        "fee_amount",
    )
    def _compute_amounts(self):
        for wizard in self:
            currency = wizard.currency_id or wizard.company_id.currency_id
            owed = currency.round(sum(wizard.move_ids.mapped("amount_residual")))
            wizard.amount_owed = owed
            wizard.amount_total = currency.round(owed + wizard._extras_total())

    @api.depends(
        "amount_total",
        "down_payment",
        "split_mode",
        "instalment_count",
        "instalment_amount",
        "frequency",
        "first_date",
    )
    def _compute_schedule_html(self):
        for wizard in self:
            try:
                schedule = wizard._schedule()
            except (UserError, ValidationError) as exc:
                wizard.schedule_html = Markup(
                    '<div class="alert alert-warning" role="alert">%s</div>'
                ) % escape(exc.args[0])
                continue
            wizard.schedule_html = wizard._schedule_table(schedule)

    # ------------------------------------------------------------------
    def _accrued_claims(self):
        """Interest accrued on the invoices today and the collection costs
        the law allows today, at most those stated in the last letter, in
        the invoices' currency; less what was
        already invoiced or waived (``account.move._debiteur_charges``: costs
        invoices of reminders, charges of earlier arrangements), which is
        not charged again."""
        self.ensure_one()
        moves = self.move_ids._origin
        if not moves or len(moves.currency_id) > 1 or len(moves.company_id) > 1:
            return 0.0, 0.0
        currency = moves.currency_id
        company = moves.company_id
        partner = moves.commercial_partner_id[:1]
        today = self.env["debiteur.arrangement"]._today()
        # The debtor's claim today (debiteur.claim): no interest on a costs
        # invoice among them, nothing charged twice.
        claim = (
            self.env["debiteur.claim"]
            ._claims(company, {partner.id: moves}, today)
            .get(partner.id)
        )
        if not claim:
            return 0.0, 0.0
        interest = company.currency_id._convert(
            float(claim.interest), currency, company, today
        )
        lines = self.env["debiteur.communication.line"].search(
            [("move_id", "in", moves.ids), ("state", "in", REACHED_STATES)]
        )
        comms = lines.communication_id.filtered("costs_amount").sorted(
            lambda c: (c.date, c.id)
        )
        costs = 0.0
        if comms:
            # What the law allows today (after the term the last letter
            # announced them for), less what was charged since (its own costs
            # invoice, say), and never more than that letter stated.
            costs = min(comms[-1].costs_amount, float(claim.costs))
            costs = company.currency_id._convert(costs, currency, company, today)
        return interest, currency.round(costs)

    def _fee_taxes(self):
        product = self.company_id.debiteur_arrangement_fee_product_id
        return product.taxes_id.filtered(lambda t: t.company_id == self.company_id)

    def _fee_total(self):
        """The fee as the debtor pays it (taxes included)."""
        if not self.fee_amount:
            return 0.0
        currency = self.currency_id or self.company_id.currency_id
        taxes = self._fee_taxes()
        if not taxes:
            return currency.round(self.fee_amount)
        return taxes.compute_all(self.fee_amount, currency)["total_included"]

    def _extras_total(self):
        extras = self._fee_total()
        if self.claims_mode == "include":
            extras += self.interest_amount + self.costs_amount
        return extras

    def _schedule(self):
        self.ensure_one()
        currency = self.currency_id or self.company_id.currency_id
        return self.env["debiteur.arrangement.schedule"]._instalments(
            currency,
            self.amount_total,
            self.first_date,
            self.frequency,
            count=self.instalment_count if self.split_mode == "count" else 0,
            amount=self.instalment_amount if self.split_mode == "amount" else 0.0,
            down_payment=self.down_payment,
        )

    def _schedule_table(self, schedule):
        _ = self.env._
        currency = self.currency_id
        lang = self.env["res.lang"]._get_data(code=self.env.lang or "en_US")
        rows = Markup("").join(
            Markup("<tr><td>%s</td><td>%s</td><td class='text-end'>%s</td></tr>")
            % (
                _("Down payment") if vals["is_down_payment"] else str(number),
                vals["date"].strftime(lang.date_format),
                currency.format(vals["amount"]),
            )
            for number, vals in enumerate(
                schedule, start=0 if schedule[0]["is_down_payment"] else 1
            )
        )
        return Markup(
            "<table class='table table-sm'><thead><tr><th>%s</th><th>%s</th>"
            "<th class='text-end'>%s</th></tr></thead><tbody>%s</tbody>"
            "<tfoot><tr><th colspan='2'>%s</th><th class='text-end'>%s</th></tr>"
            "</tfoot></table>"
        ) % (
            _("Instalment"),
            _("Due date"),
            _("Amount"),
            rows,
            _("Total"),
            currency.format(sum(v["amount"] for v in schedule)),
        )

    # ------------------------------------------------------------------
    @api.model
    def _open_invoices(self, partner, company):
        return self.env["account.move"].search(
            [
                ("company_id", "=", company.id),
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("commercial_partner_id", "=", partner.commercial_partner_id.id),
                ("payment_state", "in", ("not_paid", "partial")),
                ("amount_residual", ">", 0),
                ("debiteur_arrangement_id", "=", False),
            ],
            order="invoice_date_due, id",
        )

    @api.model
    def _action_open(self, moves, partner=None, replaced=None):
        context = {
            "default_move_ids": [Command.set(moves.ids)],
            "default_company_id": (moves.company_id[:1] or self.env.company).id,
        }
        if partner or moves:
            context["default_partner_id"] = (
                partner or moves.commercial_partner_id[:1]
            ).id
        if replaced:
            context["default_replaced_arrangement_id"] = replaced.id
            context["default_company_id"] = replaced.company_id.id
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Make a Payment Arrangement"),
            "res_model": self._name,
            "view_mode": "form",
            "target": "new",
            "context": context,
        }

    def _check(self):
        Arrangement = self.env["debiteur.arrangement"]
        Arrangement._check_moves(self.move_ids, ignore=self.replaced_arrangement_id)
        if self.move_ids.company_id != self.company_id:
            raise ValidationError(self.env._("The invoices belong to another company."))
        if self.currency_id.compare_amounts(self.fee_amount, 0.0) < 0:
            raise ValidationError(self.env._("The fee cannot be negative."))
        if self.fee_amount and Arrangement._is_nl_consumer(
            self.move_ids.commercial_partner_id, self.company_id
        ):
            raise ValidationError(
                self.env._(
                    "No fee may be charged to a Dutch consumer for a payment "
                    "arrangement (art. 6:96 BW)."
                )
            )
        if self.fee_amount and not (
            self.company_id.debiteur_arrangement_fee_product_id
        ):
            raise ValidationError(
                self.env._("Set the arrangement fee product in the settings first.")
            )

    def _claims_invoice(self):
        """A posted invoice for what the arrangement adds to the invoices."""
        _ = self.env._
        lines = []
        if self.claims_mode == "include":
            if self.interest_amount:
                lines.append(
                    {"name": _("Accrued interest"), "price_unit": self.interest_amount}
                )
            if self.costs_amount:
                lines.append(
                    {"name": _("Collection costs"), "price_unit": self.costs_amount}
                )
        if self.fee_amount:
            product = self.company_id.debiteur_arrangement_fee_product_id
            lines.append(
                {
                    "product_id": product.id,
                    "name": _("Payment arrangement fee"),
                    "price_unit": self.fee_amount,
                    "tax_ids": [Command.set(self._fee_taxes().ids)],
                }
            )
        if not lines:
            return self.env["account.move"]
        for vals in lines:
            vals.setdefault("tax_ids", [Command.clear()])
            vals["quantity"] = 1
        today = self.env["debiteur.arrangement"]._today()
        move = (
            self.env["account.move"]
            .with_company(self.company_id)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": self.partner_id.id,
                    "currency_id": self.currency_id.id,
                    "invoice_date": today,
                    "invoice_date_due": today,
                    "invoice_line_ids": [Command.create(vals) for vals in lines],
                }
            )
        )
        move.action_post()
        return move

    def _create_arrangement(self, confirm=True):
        """The arrangement of this wizard, agreed at once (``confirm``) or left
        a draft for a manager to agree (a debtor's proposal)."""
        self.ensure_one()
        self._check()
        schedule = self._schedule()
        old = self.replaced_arrangement_id
        if old:
            if old.state not in ("active", "broken"):
                raise UserError(
                    self.env._("Only an active or broken arrangement can be replaced.")
                )
            old._close("replaced", self.env._("Renegotiated."))
        claims_move = self._claims_invoice()
        moves = self.move_ids | claims_move
        arrangement = self.env["debiteur.arrangement"].create(
            {
                "company_id": self.company_id.id,
                "partner_id": self.partner_id.commercial_partner_id.id,
                "currency_id": self.currency_id.id,
                "user_id": self.user_id.id,
                "date_start": self.env["debiteur.arrangement"]._today(),
                "first_date": self.first_date,
                "frequency": self.frequency,
                "down_payment": self.down_payment,
                "claims_mode": self.claims_mode,
                "interest_amount": self.interest_amount,
                "costs_amount": self.costs_amount,
                "fee_amount": self.fee_amount,
                "waive_reason": self.waive_reason,
                "claims_move_id": claims_move.id,
                "replaces_id": old.id,
                "invoice_ids": [
                    Command.create(
                        {"move_id": m.id, "amount_residual_start": m.amount_residual}
                    )
                    for m in moves
                ],
                "line_ids": [
                    Command.create(dict(vals, sequence=index))
                    for index, vals in enumerate(schedule)
                ],
            }
        )
        if confirm:
            arrangement.action_confirm()
        if old:
            old.sudo().replaced_by_id = arrangement
            note = old._debiteur_chatter()
            note.message_post(
                body=note.env._(
                    "Renegotiated: replaced by arrangement %(name)s.",
                    name=arrangement.name,
                )
            )
        return arrangement

    def action_confirm(self):
        arrangement = self._create_arrangement()
        return {
            "type": "ir.actions.act_window",
            "res_model": "debiteur.arrangement",
            "res_id": arrangement.id,
            "view_mode": "form",
            "target": "current",
        }


class DebiteurArrangementCancelWizard(models.TransientModel):
    _name = "debiteur.arrangement.cancel.wizard"
    _description = "Cancel a Payment Arrangement"

    arrangement_id = fields.Many2one("debiteur.arrangement", required=True)
    reason = fields.Text(required=True)

    def action_confirm(self):
        self.ensure_one()
        self.arrangement_id.action_cancel(self.reason)
        return {"type": "ir.actions.act_window_close"}
