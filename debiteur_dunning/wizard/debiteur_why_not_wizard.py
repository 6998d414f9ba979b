"""Why does a debtor get no reminder? The reasons, read from the debtor.

The preview lists the debtors that get a reminder; one that is absent is
blocked, under an arrangement, with the agency, below the minimum, reminded
too recently, waiting for a payment to be matched... This dialog says which,
for a date, from the same rules the engine applies.
"""

from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import format_date

from ..models.debiteur_proof_mixin import GROUP_USER, require_group


class DebiteurWhyNot(models.TransientModel):
    _name = "debiteur.why.not"
    _description = "Why No Reminder"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner", string="Debtor", domain="[('is_company', '=', True)]"
    )
    date = fields.Date(required=True, default=fields.Date.context_today)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    reasons = fields.Html(compute="_compute_reasons", sanitize=False)

    @api.depends("partner_id", "date", "company_id")
    def _compute_reasons(self):
        for wizard in self:
            reasons = wizard._reasons() if wizard.partner_id and wizard.date else []
            wizard.reasons = (
                Markup("<ul class='o_debiteur_why_not'>%s</ul>")
                % Markup("").join(Markup("<li>%s</li>") % r for r in reasons)
                if reasons
                else False
            )

    def _reasons(self):
        """The reasons, in words, why the debtor gets no reminder on the
        date (or the reminder it gets)."""
        self.ensure_one()
        require_group(self.env, GROUP_USER)
        _ = self.env._
        company, date = self.company_id, self.date
        partner = self.partner_id.commercial_partner_id.with_company(company)
        Engine = self.env["debiteur.engine"].with_company(company)
        Move = self.env["account.move"].with_company(company)
        fmt = lambda day: format_date(self.env, day)  # noqa: E731
        reasons = []
        if partner.debiteur_excluded:
            reasons.append(
                _(
                    "Excluded from dunning: %(reason)s",
                    reason=partner.debiteur_exclusion_reason or "—",
                )
            )
        open_moves = Move.search(
            [
                ("company_id", "=", company.id),
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
                ("amount_residual", ">", 0),
                ("commercial_partner_id", "=", partner.id),
            ],
            order="invoice_date_due, id",
        )
        overdue = open_moves.filtered(lambda m: m.invoice_date_due < date)
        if not open_moves:
            reasons.append(_("No open invoices."))
        elif not overdue:
            reasons.append(
                _(
                    "No invoice is overdue yet: the first falls due on %(date)s.",
                    date=fmt(open_moves[0].invoice_date_due),
                )
            )
        reasons += self._invoice_reasons(overdue)
        candidates = Move.search(
            Engine._candidate_domain(date, company, [partner.id])
        ).filtered(lambda m: not partner.debiteur_excluded)
        policy = Engine._policy_by_partner(company, partner).get(partner.id)
        if overdue and not policy:
            reasons.append(_("No dunning policy applies to this debtor."))
        credits = Engine._open_credits(company, partner).get(partner.id, [])
        if credits:
            reasons.append(
                _(
                    "Payments or credit notes of %(amount)s are not matched to "
                    "invoices yet: they are deducted from the balance.",
                    amount=company.currency_id.format(
                        -sum(c.amount_residual_company for c in credits)
                    ),
                )
            )
        hold = getattr(partner, "_debiteur_hold_reasons", None)
        if hold:
            reasons.extend(hold(date, company) or [])
        if not candidates or not policy:
            return reasons
        return reasons + self._engine_reasons(candidates, policy, bool(reasons))

    def _invoice_reasons(self, overdue):
        """Overdue invoices held back: blocked, under an arrangement, with
        the agency."""
        _ = self.env._
        date = self.date
        fmt = lambda day: format_date(self.env, day)  # noqa: E731
        reasons = []
        for move in overdue:
            if move.debiteur_blocked and (
                not move.debiteur_block_until or move.debiteur_block_until > date
            ):
                reasons.append(
                    _(
                        "%(invoice)s is blocked: %(reason)s",
                        invoice=move.name,
                        reason=move.debiteur_block_reason or "—",
                    )
                    + (
                        " " + _("(until %(date)s)", date=fmt(move.debiteur_block_until))
                        if move.debiteur_block_until
                        else ""
                    )
                )
            if move.debiteur_arrangement_id:
                reasons.append(
                    _(
                        "%(invoice)s is under the payment arrangement %(arrangement)s.",
                        invoice=move.name,
                        arrangement=move.debiteur_arrangement_id.display_name,
                    )
                )
            if move.debiteur_handoff_id:
                reasons.append(
                    _(
                        "%(invoice)s is with the collection agency (%(handoff)s).",
                        invoice=move.name,
                        handoff=move.debiteur_handoff_id.display_name,
                    )
                )
        return reasons

    def _engine_reasons(self, candidates, policy, explained):
        """What the engine decides for the invoices it may remind: a reminder
        waiting, a formal notice's term running, too soon, below the minimum,
        or the reminder that is due."""
        _ = self.env._
        company, date = self.company_id, self.date
        partner = self.partner_id.commercial_partner_id.with_company(company)
        Engine = self.env["debiteur.engine"].with_company(company)
        fmt = lambda day: format_date(self.env, day)  # noqa: E731
        reasons = []
        for move in candidates.browse(sorted(Engine._pending_moves(candidates))):
            reasons.append(
                _(
                    "The last reminder of %(invoice)s still waits to be confirmed "
                    "or delivered.",
                    invoice=move.name,
                )
            )
        for move in candidates.browse(
            sorted(Engine._moves_in_legal_term(candidates, date))
        ):
            reasons.append(
                _(
                    "The term of the formal notice of %(invoice)s has not ended.",
                    invoice=move.name,
                )
            )
        last = Engine._last_reminder_dates(company, partner).get(partner.id)
        if (
            last
            and policy.min_days_between
            and (date - last).days < policy.min_days_between
        ):
            reasons.append(
                _(
                    "Too soon: the last reminder left on %(last)s and %(days)s days "
                    "must pass between two reminders.",
                    last=fmt(last),
                    days=policy.min_days_between,
                )
            )
        proposal = next(
            (
                p
                for p in Engine._compute_proposals(
                    date, company, partner_ids=[partner.id]
                )
                if p.partner_id == partner.id
            ),
            None,
        )
        if proposal is None:
            if not reasons and not explained:
                reasons.append(
                    _(
                        "No invoice has reached its next level on %(date)s.",
                        date=fmt(date),
                    )
                )
        elif proposal.skip_reason:
            reasons.append(proposal.skip_reason)
        else:
            reasons.append(
                _(
                    "A reminder is due: %(level)s.",
                    level=self.env["debiteur.level"].browse(proposal.level_id).name,
                )
            )
        return reasons
