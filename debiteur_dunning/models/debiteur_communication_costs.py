"""Collection costs and interest of a reminder: invoicing, waiving, allocation.

At a level that charges costs or interest, the accountant has them invoiced
once the legal term of the reminder has passed: one customer invoice per
reminder, with the amounts the law allows on the invoice date (never more than
the reminder stated). Waiving is logged with its reason and reverses an unpaid
costs invoice. The letter shows how the debtor's payments are allocated:
costs, then interest, then principal (art. 6:44 BW).
"""

from datetime import timedelta
from decimal import Decimal

from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_date

from .debiteur_legal import _money, _quantize

INVOICEABLE_STATES = ("queued", "sent", "printed")
COSTS_INVOICE_TERM = timedelta(days=14)
USER_GROUP = "debiteur_dunning.group_debiteur_user"


class DebiteurCommunication(models.Model):
    _inherit = "debiteur.communication"

    cost_move_id = fields.Many2one(
        "account.move",
        string="Costs Invoice",
        readonly=True,
        copy=False,
        index="btree_not_null",
        check_company=True,
        help="The customer invoice of the collection costs and interest of this "
        "reminder.",
    )
    cost_move_active = fields.Boolean(
        string="Costs Invoiced",
        compute="_compute_cost_move_active",
        help="Set while the costs invoice stands: neither cancelled nor reversed.",
    )
    invoiced_costs_amount = fields.Monetary(
        string="Invoiced Collection Costs",
        currency_field="company_currency_id",
        readonly=True,
        copy=False,
    )
    invoiced_interest_amount = fields.Monetary(
        string="Invoiced Interest",
        currency_field="company_currency_id",
        readonly=True,
        copy=False,
    )
    costs_waived = fields.Boolean(
        string="Collection Costs Waived", readonly=True, copy=False, tracking=True
    )
    interest_waived = fields.Boolean(readonly=True, copy=False, tracking=True)
    waived_costs_amount = fields.Monetary(
        string="Waived Collection Costs",
        currency_field="company_currency_id",
        readonly=True,
        copy=False,
        help="The collection costs given up when they were waived: those "
        "invoiced, or else those the reminder stated. They count as claimed: "
        "collection costs are claimed once, and a waiver does not make them "
        "due again.",
    )
    waived_interest_amount = fields.Monetary(
        string="Waived Interest",
        currency_field="company_currency_id",
        readonly=True,
        copy=False,
        help="The interest given up when it was waived: that invoiced, or else "
        "that the reminder stated. Interest accruing after it can still be "
        "claimed.",
    )
    waive_reason = fields.Text(string="Waiver Reason", readonly=True, copy=False)
    level_charge_costs = fields.Boolean(related="level_id.charge_costs")
    level_charge_interest = fields.Boolean(related="level_id.charge_interest")

    @api.depends("cost_move_id.state", "cost_move_id.payment_state")
    def _compute_cost_move_active(self):
        for comm in self:
            comm.cost_move_active = bool(comm._debiteur_active_cost_move())

    def _debiteur_active_cost_move(self):
        """The costs invoice of this reminder, unless cancelled or reversed."""
        self.ensure_one()
        return self.cost_move_id.filtered(
            lambda m: m.state != "cancel" and m.payment_state != "reversed"
        )

    # ------------------------------------------------------------------
    # Invoicing costs and interest
    # ------------------------------------------------------------------
    def action_invoice_costs(self):
        """Invoice the collection costs and interest: one invoice per reminder.

        All or nothing: when one reminder of the selection cannot be invoiced,
        nothing is, and the message names it.
        """
        self._debiteur_check_user()
        today = fields.Date.context_today(self)
        plans = [(comm, comm._debiteur_cost_plan(today)) for comm in self]
        moves = self.env["account.move"]
        for comm, plan in plans:
            moves |= comm._debiteur_create_cost_invoice(plan, today)
        if len(moves) == 1:
            return {
                "type": "ir.actions.act_window",
                "res_model": "account.move",
                "res_id": moves.id,
                "view_mode": "form",
                "views": [(False, "form")],
            }
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Costs Invoices"),
            "res_model": "account.move",
            "domain": [("id", "in", moves.ids)],
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
        }

    def _debiteur_check_user(self):
        if not self.env.user.has_group(USER_GROUP):
            raise AccessError(
                self.env._("Only dunning users can invoice or waive collection costs.")
            )

    def _debiteur_cost_plan(self, today):
        """What the costs invoice of this reminder holds on ``today``.

        Returns ``{"costs": Decimal, "interest": Decimal, "costs_note": str,
        "moves": account.move}`` in the company currency, or raises UserError
        with the reason the reminder cannot be invoiced.
        """
        self.ensure_one()
        _ = self.env._
        level = self.level_id
        if self.state not in INVOICEABLE_STATES:
            raise UserError(
                _(
                    "Reminder %(name)s has not been sent: only sent reminders can be "
                    "invoiced.",
                    name=self.name,
                )
            )
        if not (level.charge_costs or level.charge_interest):
            raise UserError(
                _(
                    "Level %(level)s of reminder %(name)s charges neither collection "
                    "costs nor interest.",
                    level=level.display_name,
                    name=self.name,
                )
            )
        existing = self._debiteur_active_cost_move()
        if existing:
            raise UserError(
                _(
                    "The costs of reminder %(name)s have already been invoiced: "
                    "%(invoice)s.",
                    name=self.name,
                    invoice=existing.display_name,
                )
            )
        if self.legal_deadline and self.state == "queued":
            raise UserError(
                _(
                    "Reminder %(name)s is still waiting in the mail queue: its "
                    "legal term runs from the day it is delivered. Costs and "
                    "interest can be invoiced once that term has passed.",
                    name=self.name,
                )
            )
        if self.legal_deadline and today <= self.legal_deadline:
            raise UserError(
                _(
                    "Reminder %(name)s cannot be invoiced yet: the 14-day term ends "
                    "on %(date)s. Costs and interest can be invoiced from the next "
                    "day.",
                    name=self.name,
                    date=format_date(self.env, self.legal_deadline),
                )
            )
        policy = self.policy_id
        charge_costs = level.charge_costs and not self.costs_waived
        charge_interest = (
            level.charge_interest
            and not self.interest_waived
            and policy.interest_mode != "none"
        )
        waived = (level.charge_costs and self.costs_waived) or (
            level.charge_interest and self.interest_waived
        )
        currency = self.company_id.currency_id
        zero = _quantize(0, currency)
        # No costs or interest on costs: a costs invoice the reminder lists is
        # left out of the basis.
        moves = self.invoice_line_ids.move_id.filtered(
            lambda m: (
                m.state == "posted"
                and not m.debiteur_is_cost_invoice
                and m.currency_id.compare_amounts(m.amount_residual, 0.0) > 0
            )
        )
        costs = interest = zero
        note = ""
        if policy and moves and (charge_costs or charge_interest):
            partner_id = self.partner_id.commercial_partner_id.id
            claim = self.env["debiteur.claim"]._claims(
                self.company_id,
                {partner_id: moves},
                today,
                policies={partner_id: policy},
                levels={partner_id: level},
                deadlines={partner_id: self.legal_deadline},
                charges={partner_id: self._debiteur_charged_before()},
                lang=self._debiteur_lang(),
            )[partner_id]
            if charge_costs:
                # The reminder told the debtor what the costs would be: never
                # more. (It stated them less what was charged before it.)
                costs = min(claim.costs, _money(self.costs_amount, currency))
                note = claim.costs_note
            if charge_interest:
                interest = claim.interest
        if costs <= 0 and interest <= 0:
            if waived:
                raise UserError(
                    _(
                        "The collection costs or interest of reminder %(name)s have "
                        "been waived: there is nothing left to invoice.",
                        name=self.name,
                    )
                )
            raise UserError(
                _(
                    "Reminder %(name)s: there are no collection costs or interest to "
                    "invoice today.",
                    name=self.name,
                )
            )
        return {
            "costs": costs,
            "interest": interest,
            "costs_note": note,
            "moves": moves,
        }

    def _debiteur_costs_since(self):
        """The first day the collection costs of this reminder's claim were
        due (``debiteur.claim._costs_fell_due``, this reminder included), or
        None."""
        self.ensure_one()
        partner_id = self.partner_id.commercial_partner_id.id
        since = (
            self.env["debiteur.claim"]
            ._costs_fell_due(
                self.company_id, {partner_id: self.invoice_line_ids.move_id}
            )
            .get(partner_id)
        )
        if self.costs_due:
            own = self.date
        elif self.costs_amount and self.legal_deadline:
            own = self.legal_deadline + timedelta(days=1)
        else:
            own = None
        days = [day for day in (since, own) if day]
        return min(days) if days else None

    def _debiteur_charged_before(self):
        """Costs and interest of this reminder's claim already charged by
        others: the debtor's entry of ``account.move._debiteur_charges`` for
        the invoices the reminder lists, this reminder left out (None when
        nothing was)."""
        self.ensure_one()
        charges = self.env["account.move"]._debiteur_charges(
            self.company_id,
            self.invoice_line_ids.move_id,
            exclude_communications=self,
        )
        return charges.get(self.partner_id.commercial_partner_id.id)

    def _debiteur_lang(self):
        self.ensure_one()
        return self.partner_id.lang or self.lang or "en_US"

    def _debiteur_create_cost_invoice(self, plan, today):
        """Create and post the costs invoice of ``plan``; link and log it."""
        self.ensure_one()
        company = self.company_id
        partner = self.partner_id
        costs_product, interest_product = company._debiteur_cost_products()
        if not costs_product or not interest_product:
            raise UserError(
                self.env._(
                    "Choose the products for collection costs and interest in the "
                    "Accounting settings (Dunning) first."
                )
            )
        lang = self._debiteur_lang()
        fiscal_position = (
            self.env["account.fiscal.position"]
            .with_company(company)
            ._get_fiscal_position(partner)
        )
        lines = []
        if plan["costs"] > 0:
            taxes = self._debiteur_costs_taxes(costs_product, fiscal_position)
            lines.append(
                fields.Command.create(
                    {
                        "product_id": costs_product.id,
                        "name": costs_product.with_context(lang=lang).name,
                        "quantity": 1.0,
                        "price_unit": self._debiteur_price_unit(plan["costs"], taxes),
                        "tax_ids": [fields.Command.set(taxes.ids)],
                    }
                )
            )
        if plan["interest"] > 0:
            lines.append(
                fields.Command.create(
                    {
                        "product_id": interest_product.id,
                        "name": self._debiteur_interest_label(today, lang),
                        "quantity": 1.0,
                        "price_unit": float(plan["interest"]),
                        # Interest is compensation, not a supply: never VAT.
                        "tax_ids": [fields.Command.clear()],
                    }
                )
            )
        move = (
            self.env["account.move"]
            .with_company(company)
            .create(
                {
                    "move_type": "out_invoice",
                    "company_id": company.id,
                    "partner_id": partner.id,
                    "currency_id": company.currency_id.id,
                    "invoice_date": today,
                    "invoice_date_due": today + COSTS_INVOICE_TERM,
                    "invoice_payment_term_id": False,
                    "fiscal_position_id": fiscal_position.id,
                    "ref": self.name,
                    "invoice_origin": self.name,
                    "narration": self._debiteur_cost_narration(plan, today, lang),
                    "invoice_line_ids": lines,
                }
            )
        )
        move.action_post()
        self.sudo().write(  # evidence: after _debiteur_check_user
            {
                "cost_move_id": move.id,
                "invoiced_costs_amount": float(plan["costs"]),
                "invoiced_interest_amount": float(plan["interest"]),
            }
        )
        note = self._debiteur_chatter()
        currency = company.currency_id.with_env(note.env)
        note.message_post(
            body=escape(
                note.env._(
                    "Collection costs %(costs)s and interest %(interest)s invoiced: "
                    "%(invoice)s."
                )
            )
            % {
                "costs": currency.format(float(plan["costs"])),
                "interest": currency.format(float(plan["interest"])),
                "invoice": move._get_html_link(),
            }
        )
        move_note = move._debiteur_chatter()
        move_note.message_post(
            body=escape(
                move_note.env._(
                    "Collection costs and interest of reminder %(reminder)s."
                )
            )
            % {"reminder": self._get_html_link()}
        )
        return move

    def _debiteur_costs_taxes(self, product, fiscal_position):
        """No VAT on collection costs: they are damages, not a supply. The
        VAT a creditor could not deduct on its collection service is a
        surcharge in the costs themselves (the policy's ``costs_vat_surcharge``,
        art. 2 lid 3 BIK), never output tax."""
        return self.env["account.tax"]

    def _debiteur_price_unit(self, amount, taxes):
        """The unit price that leaves ``amount`` untaxed: VAT comes on top."""
        included = taxes.filtered("price_include")
        if not included:
            return float(amount)
        currency = self.company_id.currency_id
        return included.compute_all(
            float(amount), currency=currency, handle_price_include=False
        )["total_included"]

    def _debiteur_interest_label(self, today, lang):
        env = self.with_context(lang=lang).env
        date = format_date(env, today, lang_code=lang)
        if self.policy_id.interest_mode == "contractual":
            return env._("Contractual interest up to %(date)s", date=date)
        if self.env["debiteur.legal"]._is_consumer(self.partner_id, self.policy_id):
            return env._("Statutory interest up to %(date)s", date=date)
        return env._("Statutory commercial interest up to %(date)s", date=date)

    def _debiteur_cost_narration(self, plan, today, lang):
        """The legal basis of the costs invoice, in the debtor's language."""
        env = self.with_context(lang=lang).env
        _ = env._
        policy = self.policy_id
        consumer = self.env["debiteur.legal"]._is_consumer(self.partner_id, policy)
        paragraphs = [
            _(
                "Collection costs and interest of reminder %(reminder)s of %(date)s "
                "concerning invoice(s) %(invoices)s.",
                reminder=self.name,
                date=format_date(env, self.date, lang_code=lang),
                invoices=", ".join(plan["moves"].mapped("name")),
            )
        ]
        if plan["costs"] > 0:
            if policy.costs_mode == "fixed":
                basis = _("Reminder fee as agreed.")
            elif policy.jurisdiction == "nl":
                basis = _(
                    "Extrajudicial collection costs under art. 6:96 Dutch Civil Code "
                    "and the Decree on compensation for extrajudicial collection "
                    "costs (WIK)."
                )
            elif policy.jurisdiction == "be" and consumer:
                basis = _(
                    "Damages within the legal maximum of Book XIX of the Code of "
                    "Economic Law."
                )
            elif policy.jurisdiction == "be":
                basis = _(
                    "Fixed compensation for recovery costs under the law of "
                    "2 August 2002 on late payment in commercial transactions."
                )
            else:
                basis = _("Collection costs as agreed.")
            paragraphs.append(" ".join(p for p in (basis, plan["costs_note"]) if p))
        if plan["interest"] > 0:
            paragraphs.append(self._debiteur_interest_basis(env, consumer))
        if policy.jurisdiction == "nl":
            paragraphs.append(
                _(
                    "Payments are applied first to the costs, then to the interest "
                    "and then to the principal (art. 6:44 Dutch Civil Code)."
                )
            )
        return Markup("").join(Markup("<p>%s</p>") % p for p in paragraphs)

    def _debiteur_interest_basis(self, env, consumer):
        _ = env._
        policy = self.policy_id
        if policy.interest_mode == "contractual":
            return _(
                "Contractual interest at %(rate)s%% per year.",
                rate=policy.interest_rate,
            )
        if policy.jurisdiction == "nl":
            if consumer:
                return _("Statutory interest under art. 6:119 Dutch Civil Code.")
            return _(
                "Statutory commercial interest under art. 6:119a Dutch Civil Code."
            )
        if policy.jurisdiction == "be" and not consumer:
            return _(
                "Interest under the law of 2 August 2002 on late payment in "
                "commercial transactions."
            )
        return _("Interest at the legal rate.")

    # ------------------------------------------------------------------
    # Waiving
    # ------------------------------------------------------------------
    def action_waive_costs(self):
        """Open the dialog that waives costs and/or interest with a reason."""
        self._debiteur_check_user()
        if not self.filtered(lambda c: c.state != "cancelled"):
            raise UserError(self.env._("Cancelled reminders have nothing to waive."))
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Waive Costs and Interest"),
            "res_model": "debiteur.waive.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_communication_ids": self.ids},
        }

    def _debiteur_waive(self, waive_costs, waive_interest, reason):
        """Waive costs and/or interest of these reminders, logged with ``reason``.

        An unpaid costs invoice holding what is waived is reversed by a credit
        note; one with payments is left for the accountant to credit.
        """
        self._debiteur_check_user()
        _ = self.env._
        reason = (reason or "").strip()
        if not reason:
            raise UserError(_("Give a reason for waiving."))
        if not (waive_costs or waive_interest):
            raise UserError(
                _("Choose what to waive: collection costs, interest or both.")
            )
        today = fields.Date.context_today(self)
        for comm in self.filtered(lambda c: c.state != "cancelled"):
            vals = {
                "waive_reason": "\n".join(
                    r for r in (comm.waive_reason, reason) if r and r.strip()
                )
            }
            move = comm._debiteur_active_cost_move()
            # What is given up counts as claimed (a waiver is no reset): the
            # amounts invoiced, or else those the reminder stated.
            if waive_costs and not comm.costs_waived:
                vals["costs_waived"] = True
                vals["waived_costs_amount"] = (
                    comm.invoiced_costs_amount if move else comm.costs_amount
                )
            if waive_interest and not comm.interest_waived:
                vals["interest_waived"] = True
                vals["waived_interest_amount"] = (
                    comm.invoiced_interest_amount if move else comm.interest_amount
                )
            comm.sudo().write(vals)  # evidence: after _debiteur_check_user
            note = comm._debiteur_chatter()
            if waive_costs and waive_interest:
                message = note.env._("Collection costs and interest waived: %(reason)s")
            elif waive_costs:
                message = note.env._("Collection costs waived: %(reason)s")
            else:
                message = note.env._("Interest waived: %(reason)s")
            note.message_post(body=escape(message) % {"reason": reason})
            holds_waived = (waive_costs and comm.invoiced_costs_amount) or (
                waive_interest and comm.invoiced_interest_amount
            )
            if move and holds_waived:
                comm._debiteur_undo_cost_invoice(move, reason, today)
        return True

    def _debiteur_undo_cost_invoice(self, move, reason, today):
        note = self._debiteur_chatter()
        _ = note.env._
        if move.state == "draft":
            move.button_cancel()
            note.message_post(
                body=escape(_("Draft costs invoice %(invoice)s cancelled."))
                % {"invoice": move._get_html_link()}
            )
            return
        if move.payment_state != "not_paid":
            note.message_post(
                body=escape(
                    _(
                        "Costs invoice %(invoice)s has payments and was not reversed: "
                        "credit what was waived yourself."
                    )
                )
                % {"invoice": move._get_html_link()}
            )
            return
        credit_note = move._reverse_moves(
            [
                {
                    "ref": self.env._("Waived: %(reason)s", reason=reason),
                    "date": today,
                    "invoice_date": today,
                }
            ],
            cancel=True,
        )
        note.message_post(
            body=escape(
                _("Costs invoice %(invoice)s reversed by credit note %(credit)s.")
            )
            % {
                "invoice": move._get_html_link(),
                "credit": credit_note._get_html_link(),
            }
        )

    # ------------------------------------------------------------------
    # Payment allocation statement (letter)
    # ------------------------------------------------------------------
    def _payment_allocation(self):
        """How the debtor's payments are allocated, for the letter (art. 6:44 BW).

        A payment made once the collection costs were due (the day after the
        legal term, or the date of the first letter that claimed them) goes
        first to those costs, then to the interest, then to the principal. A
        payment made before went to the principal: the letter's interest and
        costs were computed on what was left (``debiteur.claim``), so it is
        not allocated to them again. Payments on the listed invoices up to the
        letter date count, and payments received on account that the letter
        lists as credits. Returns ``{}`` when there is nothing to show (no
        interest or costs due, or no payments); otherwise floats in the
        company currency: ``paid``, ``costs``, ``interest``, ``principal``
        (what was claimed before the payments), ``to_costs``, ``to_interest``,
        ``to_principal``, ``excess``, ``due_costs``, ``due_interest``,
        ``due_principal``, ``due_total``, and ``currency``.
        """
        self.ensure_one()
        currency = self.company_id.currency_id
        costs = _money(self.costs_amount if self.costs_due else 0.0, currency)
        interest = _money(self.interest_amount, currency)
        if costs <= 0 and interest <= 0:
            return {}
        since = self._debiteur_costs_since()
        zero = _quantize(0, currency)
        early = late = zero
        exchange_journal = self.company_id.currency_exchange_journal_id
        receivables = self.invoice_line_ids.move_id.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable"
        )
        for partial in receivables.matched_credit_ids:
            payment_move = partial.credit_move_id.move_id
            if (
                partial.max_date <= self.date
                and payment_move.move_type == "entry"
                and payment_move.journal_id != exchange_journal
            ):
                amount = _money(partial.amount, currency)
                if since and partial.max_date >= since:
                    late += amount
                else:
                    early += amount
        for line in self.credit_line_ids:
            if line.move_id.move_type == "entry":
                amount = -_money(line.amount_residual_company, currency)
                if since and line.date_due and line.date_due >= since:
                    late += amount
                else:
                    early += amount
        paid = early + late
        if paid <= 0:
            return {}
        principal = _money(self.amount_due, currency) + paid
        parts = self.env["debiteur.legal"]._allocate_payments(
            late, costs, interest, max(principal - early, zero)
        )
        parts["principal"] += early
        result = {
            "currency": currency,
            "paid": paid,
            "costs": costs,
            "interest": interest,
            "principal": principal,
            "to_costs": parts["costs"],
            "to_interest": parts["interest"],
            "to_principal": parts["principal"],
            "excess": parts["excess"],
            "due_costs": costs - parts["costs"],
            "due_interest": interest - parts["interest"],
            "due_principal": principal - parts["principal"],
        }
        result["due_total"] = (
            result["due_costs"] + result["due_interest"] + result["due_principal"]
        )
        return {
            key: float(value) if isinstance(value, Decimal) else value
            for key, value in result.items()
        }
