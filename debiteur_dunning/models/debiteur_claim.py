"""The debtor's claim, assembled in one place.

A letter, a costs invoice, the debtor's claim fields, a payment arrangement
and a collection-agency dossier all state the same claim: the open principal,
the interest on it, the collection costs, what of those was already charged.
``debiteur.claim._claims`` is the one method that computes it; every one of
them calls it, and their differences are its parameters:

- ``as_of``: the day of the claim (the letter date, today, the handoff date);
- ``announce``: a letter sent before the legal term has ended states the
  costs that will be due once it has (the day after the term), not those of
  today;
- ``levels``, ``deadlines``, ``credits``: what the caller already knows (the
  level of the letter, the term it states, the credits it lists); left out,
  they are derived the same way for everyone (the highest level reached, the
  latest term of the reminders sent, the debtor's open credits);
- ``costs_by_level``: whether the level decides that costs are charged (a
  letter, the debtor's figures) or the law alone (the agency's dossier).

The rules it applies, once:

- interest per invoice from the day after its due date (``debiteur.legal``),
  never on a costs invoice, converted at the invoice's own rate;
- collection costs on the principal open when they fell due: on the last day
  of the legal term when there is one (a later part-payment goes to the costs
  first, art. 6:44 BW, and does not lower them), less the open credits
  (credit notes, payments on account) the debtor had by then;
- a Belgian consumer's first reminder is free only until its waiting period
  has passed;
- costs and interest already invoiced or waived are not claimed again
  (``account.move._debiteur_charges``).

The facts these rules rest on (the reminders, what they listed, the payments)
are read once for all of them (``debiteur_claim_facts.ClaimFacts``), the
policies and the levels in one query each: a claim costs the same number of
queries whatever it holds. The law itself stays in ``legal/`` (through
``debiteur.legal``).
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from odoo import api, fields, models
from odoo.exceptions import UserError

from .debiteur_claim_facts import (
    LEVEL_FIELDS,
    MOVE_FIELDS,
    POLICY_FIELDS,
    ClaimFacts,
)
from .debiteur_legal import WRITTEN_STATES, _money, _quantize
from .debiteur_policy import level_order

ONE_DAY = timedelta(days=1)


@dataclass
class DebtorClaim:
    """One debtor's claim on one day, in the company currency (Decimals)."""

    partner_id: int
    as_of: date
    policy: object = None  # debiteur.policy, or None
    level: object = None  # debiteur.level (possibly empty)
    deadline: date | None = None  # last day of the legal term
    costs_as_of: date | None = None  # the day the costs are computed for
    costs_basis_date: date | None = None  # the principal open on that day
    principal: Decimal = Decimal(0)  # open principal (costs invoices left out)
    credits: Decimal = Decimal(0)  # open credits counted (zero or negative)
    costs_basis: Decimal = Decimal(0)
    invoices: dict = field(default_factory=dict)  # move id -> InvoiceClaim dict
    interest_gross: Decimal = Decimal(0)
    interest_charged: Decimal = Decimal(0)
    interest: Decimal = Decimal(0)  # left to claim
    costs_gross: Decimal = Decimal(0)
    costs_charged: Decimal = Decimal(0)
    costs: Decimal = Decimal(0)  # left to claim
    costs_note: str = ""
    costs_due: bool = False  # due on ``as_of`` (not only announced)
    charges: dict | None = None  # account.move._debiteur_charges entry
    error: str = ""  # why no interest could be computed


class DebiteurClaim(models.AbstractModel):
    _name = "debiteur.claim"
    _description = "Dunning Claim Assembler"

    @api.model
    def _claims(
        self,
        company,
        moves_by_partner,
        as_of,
        *,
        policies=None,
        levels=None,
        deadlines=None,
        credits=None,
        announce=False,
        costs_by_level=True,
        charges=None,
        exclude_communications=None,
        interest_for=None,
        lang=None,
        facts=None,
    ):
        """The claim of each debtor on ``as_of``: ``{partner id: DebtorClaim}``.

        ``moves_by_partner``: ``{commercial partner id: account.move}``, the
        invoices of the claim (principal invoices and costs invoices). The
        keyword arguments are described in the module docstring; ``policies``
        (``{partner id: debiteur.policy}``) defaults to the engine's choice,
        ``credits`` (``{partner id: [(date, Decimal)]}``, amounts zero or
        negative, company currency) to the debtor's open credits, ``charges``
        to ``account.move._debiteur_charges`` (without
        ``exclude_communications``). ``interest_for``: the debtors (ids) whose
        interest is computed, all of them by default (a letter at a level that
        charges none needs none). ``lang``: the language of the notes (True:
        each debtor's own). ``facts``: the :class:`ClaimFacts` of these
        invoices (or more) when the caller has them.

        A fixed number of queries, whatever the number of debtors.
        """
        as_of = fields.Date.to_date(as_of)
        moves_by_partner = {pid: m for pid, m in moves_by_partner.items() if m}
        result = {}
        if levels is not None and interest_for is not None and costs_by_level:
            result = self._quiet_debtors(moves_by_partner, as_of, levels, interest_for)
        if not moves_by_partner:
            return result
        Move = self.env["account.move"]
        Legal = self.env["debiteur.legal"]
        if lang and lang is not True:
            Legal = Legal.with_context(lang=lang)
        currency = company.currency_id
        zero = _quantize(0, currency)
        partners = (
            self.env["res.partner"]
            .browse(list(moves_by_partner))
            .with_company(company)
            .with_context(active_test=False)
        )
        all_moves = Move.union(*moves_by_partner.values())
        all_moves.fetch(MOVE_FIELDS)
        if facts is None:
            facts = ClaimFacts(self.env, company, all_moves)
        rates = self._rates(all_moves.currency_id, company, as_of)
        if policies is None:
            policies = self._policies(company, partners)
        else:
            self.env["debiteur.policy"].union(*filter(None, policies.values())).fetch(
                POLICY_FIELDS
            )
        ordered = self._ordered_levels(policies, facts, levels)
        principal_moves = all_moves.filtered(
            lambda m: (
                not m.debiteur_is_cost_invoice
                and (interest_for is None or m.commercial_partner_id.id in interest_for)
            )
        )
        if credits is None:
            credits = self._open_credits(company, partners)
        starts, silent = self._be_consumer_interest(
            company, partners, moves_by_partner, policies, deadlines, facts
        )
        if silent:
            principal_moves = principal_moves.filtered(
                lambda m: m.commercial_partner_id.id not in silent
            )
        invoice_claims = self._invoice_claims(
            principal_moves,
            as_of,
            policies,
            credited=self._credited(moves_by_partner, credits, rates),
            starts=starts,
            facts=facts,
        )
        if charges is None:
            charges = Move._debiteur_charges(
                company,
                all_moves,
                exclude_communications=exclude_communications,
                communications=facts.charging(all_moves, exclude_communications),
            )
        if levels is None:
            levels = self._highest_levels(moves_by_partner, policies, ordered)
        if deadlines is None:
            deadlines = self._latest_deadlines(company, moves_by_partner, facts=facts)
        # The costs are due on the principal open the day before they fell
        # due: the last day of the legal term, or the day before the first
        # letter that claimed them.
        costs_since = self._costs_fell_due(company, moves_by_partner, facts=facts)
        basis_dates = {}
        for partner in partners:
            deadline = deadlines.get(partner.id)
            since = costs_since.get(partner.id)
            if deadline and deadline < as_of:
                since = min(since or deadline + ONE_DAY, deadline + ONE_DAY)
            if since and since <= as_of:
                basis_dates[partner.id] = since - ONE_DAY
        recurring = [
            pid
            for pid, policy in policies.items()
            if policy and policy.be_recurring_contract_fee and pid in moves_by_partner
        ]
        reminder_counts = self._reminder_counts(company, recurring, as_of, facts)
        paid_after = self._paid_after(
            Move.union(*(moves_by_partner[pid] for pid in basis_dates)),
            basis_dates,
            facts,
        )

        for partner in partners:
            moves = moves_by_partner[partner.id]
            policy = policies.get(partner.id)
            level = levels.get(partner.id) or self.env["debiteur.level"]
            claim = DebtorClaim(
                partner_id=partner.id,
                as_of=as_of,
                policy=policy,
                level=level,
                deadline=deadlines.get(partner.id) or None,
                charges=charges.get(partner.id),
            )
            self._add_interest(
                claim,
                moves,
                rates,
                invoice_claims,
                interest_for is None or partner.id in interest_for,
                Legal,
                currency,
            )
            # Costs: on the principal open when they fell due.
            claim.costs_as_of = as_of
            if announce and claim.deadline and as_of <= claim.deadline:
                # The letter states what will be due once the term has passed.
                claim.costs_as_of = claim.deadline + ONE_DAY
            basis_date = basis_dates.get(partner.id, as_of)
            claim.costs_basis_date = basis_date
            claim.credits = sum(
                (
                    _money(amount, currency)
                    for day, amount in credits.get(partner.id, ())
                    if not day or day <= basis_date
                ),
                zero,
            )
            claim.costs_basis = max(
                claim.principal
                + claim.credits
                + sum(
                    (paid_after.get(m.id, zero) for m in moves),
                    zero,
                ),
                zero,
            )
            self._add_costs(
                claim,
                partner,
                moves,
                costs_by_level,
                # A letter explains its costs in the debtor's language.
                Legal.with_context(lang=partner.lang or "en_US")
                if lang is True
                else Legal,
                currency,
                reminder_counts.get(partner.id, 0),
                ordered.get(policy.id) if policy else None,
            )
            result[partner.id] = claim
        return result

    @api.model
    def _facts(self, company, moves, partners=None, comm_fields=()):
        """The :class:`ClaimFacts` of ``moves`` (all the reminders of
        ``partners`` too), for a caller that makes several claims on them
        or reads the reminders itself (``comm_fields``: what else it reads
        of them)."""
        return ClaimFacts(self.env, company, moves, partners, comm_fields)

    @api.model
    def _quiet_debtors(self, moves_by_partner, as_of, levels, interest_for):
        """Take out of ``moves_by_partner`` the debtors whose letter states
        neither interest nor costs: nothing to compute (and no query to make)
        for them; their empty claims."""
        result = {}
        for pid in list(moves_by_partner):
            level = levels.get(pid)
            if pid not in interest_for and not (level and level.charge_costs):
                del moves_by_partner[pid]
                result[pid] = DebtorClaim(partner_id=pid, as_of=as_of)
        return result

    @api.model
    def _add_interest(
        self, claim, moves, rates, invoice_claims, with_interest, Legal, currency
    ):
        """The open principal and the interest on it, per principal invoice in
        its currency and the company's, less what was already charged."""
        zero = _quantize(0, currency)
        interest = zero
        for move in moves:
            if move.debiteur_is_cost_invoice:
                continue
            # Costs are due on the principal, never on costs or interest.
            # A claim in another currency is worth its value on the day of the
            # claim (art. 6:121 BW): the WIK is a euro amount on that value.
            claim.principal += max(
                self._in_company_currency(move.amount_residual, move, rates), zero
            )
            if not with_interest:
                continue
            entry = invoice_claims.get(move.id)
            if entry is None:
                claim.error = invoice_claims.get("__error__", "")
                continue
            company_interest = self._in_company_currency(entry["interest"], move, rates)
            claim.invoices[move.id] = dict(entry, interest_company=company_interest)
            interest += company_interest
        claim.interest_gross = _quantize(interest, currency)
        claim.interest = Legal._interest_less_charged(
            claim.interest_gross, claim.charges, currency
        )
        claim.interest_charged = claim.charges["interest"] if claim.charges else zero

    @api.model
    def _rates(self, currencies, company, day):
        """``{currency id: Decimal}``: what one unit of each currency is
        worth in the company currency on ``day`` (one rate per currency)."""
        return {
            currency.id: Decimal(
                str(
                    currency._get_conversion_rate(
                        currency, company.currency_id, company, day
                    )
                )
            )
            for currency in currencies
        }

    @api.model
    def _in_company_currency(self, amount, move, rates):
        """``amount`` in ``move``'s currency, in the company's on the day of
        the claim (``rates``), as a Decimal rounded to its cents."""
        company_currency = move.company_id.currency_id
        if move.currency_id == company_currency:
            return _money(amount, company_currency)
        return _quantize(
            _money(amount, move.currency_id) * rates[move.currency_id.id],
            company_currency,
        )

    # ------------------------------------------------------------------
    # The facts, when the caller does not give them
    # ------------------------------------------------------------------
    @api.model
    def _invoice_claims(
        self, invoices, as_of, policies, credited=None, starts=None, facts=None
    ):
        """``debiteur.legal._invoice_claims`` on what was really open each
        day (the payments reconciled with each invoice, and ``credited``:
        ``{move id: [(date, Decimal)]}``, the open credits set against it),
        that does not fail a whole screen: when a rate table does not reach
        back far enough, the debtors are taken one by one; the invoices of
        those that fail get no entry, and ``"__error__"`` holds the reason.
        ``facts``: the :class:`ClaimFacts` of these invoices (or more)."""
        if not invoices:
            return {}
        Legal = self.env["debiteur.legal"]
        invoices.fetch(MOVE_FIELDS)
        if facts is None:
            facts = ClaimFacts(self.env, None, invoices)
        history = facts.history(invoices)
        for move_id, entries in (credited or {}).items():
            history.setdefault(move_id, {"paid": [], "credited": []})
            history[move_id]["credited"].extend(entries)
        reminders = facts.reminder_dates(invoices)
        try:
            return Legal._invoice_claims(
                invoices,
                as_of,
                policies,
                history=history,
                starts=starts,
                reminders=reminders,
            )
        except UserError:
            # A rate table does not reach back far enough for some debtor:
            # take them one by one, so that the others keep their interest.
            return self._invoice_claims_by_debtor(
                invoices, as_of, policies, history, starts, reminders
            )

    @api.model
    def _invoice_claims_by_debtor(
        self, invoices, as_of, policies, history, starts, reminders=None
    ):
        Legal = self.env["debiteur.legal"]
        claims = {}
        for partner in invoices.commercial_partner_id:
            debtor_moves = invoices.filtered(
                lambda m, p=partner: m.commercial_partner_id == p
            )
            try:
                claims.update(
                    Legal._invoice_claims(
                        debtor_moves,
                        as_of,
                        policies,
                        history=history,
                        starts=starts,
                        reminders=reminders,
                    )
                )
            except UserError as exc:
                # No interest is stated rather than a wrong amount.
                claims["__error__"] = exc.args[0]
        return claims

    @api.model
    def _be_consumer_interest(
        self, company, partners, moves_by_partner, policies, deadlines, facts=None
    ):
        """Belgian consumers (Book XIX WER): interest only under an express
        clause of the contract, and not for the first reminder or its waiting
        period. Returns ``(starts, silent)``: the first interest day of each
        invoice (the day after the first waiting period), and the debtors that
        owe no interest (no clause, or no waiting period ended yet)."""
        Legal = self.env["debiteur.legal"]
        be_consumers = [
            partner
            for partner in partners
            if (policy := policies.get(partner.id))
            and policy.jurisdiction == "be"
            and Legal._is_consumer(partner, policy)
        ]
        starts, silent = {}, set()
        if not be_consumers:
            return starts, silent
        firsts = self._latest_deadlines(
            company,
            {p.id: moves_by_partner[p.id] for p in be_consumers},
            pick=min,
            facts=facts,
        )
        for partner in be_consumers:
            first = firsts.get(partner.id) or (deadlines or {}).get(partner.id)
            if not policies[partner.id].be_express_clause or not first:
                silent.add(partner.id)
                continue
            for move in moves_by_partner[partner.id]:
                starts[move.id] = first + ONE_DAY
        return starts, silent

    @api.model
    def _credited(self, moves_by_partner, credits, rates):
        """The debtors' open credits set against their oldest invoices first:
        ``{move id: [(date, Decimal in the invoice currency)]}``."""
        result = {}
        for pid, moves in moves_by_partner.items():
            entries = sorted(
                (
                    (day, -_money(amount, moves.company_id.currency_id))
                    for day, amount in credits.get(pid, ())
                    if amount
                ),
                key=lambda entry: entry[0] or date.min,
            )
            if not entries:
                continue
            principal = moves.filtered(lambda m: not m.debiteur_is_cost_invoice).sorted(
                lambda m: (m.invoice_date_due, m.id)
            )
            room = {
                m.id: self._in_company_currency(m.amount_residual, m, rates)
                for m in principal
            }
            for day, amount in entries:
                for move in principal:
                    if amount <= 0:
                        break
                    part = min(amount, room[move.id])
                    if part <= 0:
                        continue
                    room[move.id] -= part
                    amount -= part
                    rate = rates[move.currency_id.id]
                    in_currency = _quantize(part / rate, move.currency_id)
                    result.setdefault(move.id, []).append(
                        (day or move.invoice_date_due, in_currency)
                    )
        return result

    @api.model
    def _policies(self, company, partners):
        """The engine's policy of each debtor (``{partner id:
        debiteur.policy}``), with what the claim reads of them in one
        query."""
        company = company.with_env(self.env)
        partners = partners.with_env(self.env)
        (
            company.debiteur_policy_business_id
            | company.debiteur_policy_consumer_id
            | partners.debiteur_policy_id
        ).fetch(POLICY_FIELDS)
        return self.env["debiteur.engine"]._policy_by_partner(company, partners)

    @api.model
    def _ordered_levels(self, policies, facts, levels=None):
        """``{policy id: its levels in order}`` (``debiteur.policy.
        _sorted_levels``), read in one query with the levels of the
        reminders, of the invoices and of ``levels``."""
        Level = self.env["debiteur.level"]
        policy_records = self.env["debiteur.policy"].union(
            *filter(None, policies.values())
        )
        wanted = (
            facts.comms.level_id
            | facts.moves.debiteur_level_id
            | Level.union(*filter(None, (levels or {}).values()))
        )
        found = Level.search_fetch(
            [
                "|",
                ("policy_id", "in", policy_records.ids),
                ("id", "in", wanted.ids),
            ],
            LEVEL_FIELDS,
        )
        return {
            policy.id: found.filtered(lambda lvl, p=policy: lvl.policy_id == p).sorted(
                level_order
            )
            for policy in policy_records
        }

    @api.model
    def _highest_level(self, levels, policy, ordered=None):
        """The highest of ``levels`` in ``policy``'s order (empty if none);
        ``ordered``: the policy's levels in order, when known."""
        if not policy:
            return self.env["debiteur.level"]
        if ordered is None:
            ordered = policy._sorted_levels()
        reached = levels & ordered
        if not reached:
            return self.env["debiteur.level"]
        position = {level.id: index for index, level in enumerate(ordered)}
        return max(reached, key=lambda lvl: position[lvl.id])

    @api.model
    def _highest_levels(self, moves_by_partner, policies, ordered=None):
        ordered = ordered or {}
        return {
            pid: self._highest_level(
                moves.filtered(
                    lambda m: not m.debiteur_is_cost_invoice
                ).debiteur_level_id,
                policies.get(pid),
                ordered.get(policies[pid].id) if policies.get(pid) else None,
            )
            for pid, moves in moves_by_partner.items()
        }

    @api.model
    def _latest_deadlines(self, company, moves_by_partner, pick=max, facts=None):
        """The last day of the latest legal term stated by a reminder that
        left and listed one of the debtor's invoices: ``{partner id: date}``.
        The latest, never an earlier one: costs wait until every term stated
        to the debtor has passed."""
        moves = self.env["account.move"].union(*moves_by_partner.values())
        if facts is None:
            facts = ClaimFacts(self.env, company, moves)
        result = {}
        for comm in facts.listing(moves):
            if not comm.legal_deadline:
                continue
            pid = comm.partner_id.commercial_partner_id.id
            result[pid] = pick(
                result.get(pid, comm.legal_deadline), comm.legal_deadline
            )
        return result

    @api.model
    def _costs_fell_due(self, company, moves_by_partner, facts=None):
        """The first day collection costs were due to each debtor on these
        invoices: ``{partner id: date}``. A reminder that left (queued, sent,
        printed) at a level that charges costs and stated some made them due
        the day after its legal term, or on its own date when it had none."""
        moves = self.env["account.move"].union(*moves_by_partner.values())
        if facts is None:
            facts = ClaimFacts(self.env, company, moves)
        result = {}
        for comm in facts.listing(moves):
            if comm.costs_amount <= 0 or not comm.level_id.charge_costs:
                continue
            pid = comm.partner_id.commercial_partner_id.id
            day = (
                comm.legal_deadline + ONE_DAY
                if comm.legal_deadline
                else comm.sent_date or comm.date
            )
            result[pid] = min(result.get(pid, day), day)
        return result

    @api.model
    def _open_credits(self, company, partners):
        """The debtors' open credits as ``{partner id: [(date, Decimal)]}``."""
        return {
            pid: [(c.date, c.amount_residual_company) for c in found]
            for pid, found in self.env["debiteur.engine"]
            ._open_credits(company, partners)
            .items()
        }

    @api.model
    def _reminder_counts(self, company, partner_ids, as_of, facts=None):
        """The written reminders each debtor had in the year before
        ``as_of``: ``{partner id: count}`` (from ``facts`` when they were read
        with these debtors, else one query)."""
        if not partner_ids:
            return {}
        year_before = as_of - timedelta(days=365)
        if facts is None or not set(partner_ids) <= set(facts.partners.ids):
            groups = self.env["debiteur.communication"]._read_group(
                [
                    ("company_id", "=", company.id),
                    ("partner_id", "in", list(partner_ids)),
                    ("state", "in", WRITTEN_STATES),
                    ("channel", "!=", "phone"),
                    ("sent_date", ">", year_before),
                    ("sent_date", "<", as_of),
                ],
                ["partner_id"],
                ["__count"],
            )
            return {partner.id: count for partner, count in groups}
        result = {}
        for comm in facts.comms:
            if (
                comm.partner_id.id in partner_ids
                and comm.state in WRITTEN_STATES
                and comm.channel != "phone"
                and comm.sent_date
                and year_before < comm.sent_date < as_of
            ):
                result[comm.partner_id.id] = result.get(comm.partner_id.id, 0) + 1
        return result

    @api.model
    def _paid_after(self, moves, basis_dates, facts):
        """What was paid (reconciled) on each of ``moves`` after the basis
        date of its debtor, in the company currency: ``{move id: Decimal}``.
        Such a payment went to the costs first (art. 6:44 BW): it does not
        lower them."""
        result = {}
        for move in moves:
            basis_date = basis_dates.get(move.commercial_partner_id.id)
            for day, _amount, amount_company in facts.payments.get(move.id, ()):
                if basis_date and day > basis_date:
                    result[move.id] = result.get(move.id, Decimal(0)) + amount_company
        return result

    # ------------------------------------------------------------------
    # The costs
    # ------------------------------------------------------------------
    @api.model
    def _add_costs(
        self,
        claim,
        partner,
        moves,
        costs_by_level,
        Legal,
        currency,
        reminders_this_year=0,
        ordered=None,
    ):
        zero = _quantize(0, currency)
        claim.costs = claim.costs_gross = claim.costs_charged = zero
        policy, level = claim.policy, claim.level
        if not policy or (costs_by_level and not level.charge_costs):
            return
        if ordered is None:
            ordered = policy._sorted_levels()
        level_index = list(ordered).index(level) if level in ordered else 0
        deadline_passed = bool(claim.deadline) and claim.costs_as_of > claim.deadline
        if deadline_passed:
            # A Belgian consumer's first reminder is free only until its
            # waiting period has passed.
            level_index = max(level_index, 1)
        amount, note = Legal._debtor_costs(
            partner,
            policy,
            claim.costs_basis,
            level,
            claim.costs_as_of,
            legal_deadline=claim.deadline,
            invoice_count=len(moves.filtered(lambda m: not m.debiteur_is_cost_invoice)),
            level_index=level_index,
            reminders_this_year=reminders_this_year,
        )
        claim.costs_gross = _money(amount, currency)
        claim.costs, claim.costs_note = Legal._costs_less_charged(
            amount, note, claim.charges, currency
        )
        claim.costs_charged = claim.charges["costs"] if claim.charges else zero
        claim.costs_due = claim.costs_as_of == claim.as_of and claim.costs > 0
