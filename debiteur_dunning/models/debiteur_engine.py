"""The dunning engine: what is due, the proposal, and applying it.

Set-based on purpose: proposing for 10,000 overdue invoices costs the same
handful of queries as proposing for ten. See DESIGN.md, "The engine".

Sending is ``debiteur.dispatch``'s job, the daily scheduler ``debiteur.run``'s.
No later feature is named here: hooks answer (``account.move``'s
``_debiteur_not_paused_domain``, ``res.partner._debiteur_hold_reasons``).
"""

import logging
from collections import defaultdict, namedtuple
from dataclasses import dataclass, field

import psycopg2.errors

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, float_compare

_logger = logging.getLogger(__name__)

# First key of the PostgreSQL advisory lock taken while a run applies (the second
# key is the company id). Any fixed 32-bit number would do; this is "dunn".
ADVISORY_LOCK_KEY = 0x64756E6E
# What another run doing the same work at the same time makes a write fail
# with: a level it reached first, a lock it holds, a payment it committed.
COLLISIONS = (
    psycopg2.errors.UniqueViolation,
    psycopg2.errors.SerializationFailure,
    psycopg2.errors.LockNotAvailable,
)

# What the proposal reads of a candidate invoice, in this order.
MOVE_ROW_FIELDS = (
    "id",
    "commercial_partner_id",
    "currency_id",
    "amount_total",
    "amount_residual",
    "amount_residual_signed",
    "invoice_date_due",
    "debiteur_level_id",
    "debiteur_is_cost_invoice",
)
# A candidate invoice as plain data: ids for the many2ones.
MoveRow = namedtuple("MoveRow", MOVE_ROW_FIELDS)


@dataclass
class InvoiceProposal:
    move_id: int
    level_id: int | None  # the invoice's level in the reminder (new or current)
    escalated: bool
    previous_level_id: int | None
    days_overdue: int
    date_due: object
    currency_id: int
    amount_total: float
    amount_residual: float
    amount_residual_company: float
    interest: float = 0.0  # in the invoice currency
    is_cost_invoice: bool = False  # an invoice of costs and interest itself


@dataclass
class CreditProposal:
    move_id: int
    move_line_id: int
    date: object
    currency_id: int
    amount_residual: float
    amount_residual_company: float


@dataclass
class DebtorProposal:
    """What one debtor would get in a run."""

    partner_id: int
    recipient_id: int
    policy_id: int
    level_id: int
    channel: str
    invoices: list = field(default_factory=list)
    credits: list = field(default_factory=list)
    amount_overdue: float = 0.0
    amount_credit: float = 0.0
    amount_due: float = 0.0
    legal_deadline: object = None
    interest_amount: float = 0.0  # company currency
    costs_amount: float = 0.0  # company currency
    costs_due: bool = False  # due at the letter date, or announced for later
    costs_note: str = ""
    costs_charged: float = 0.0  # already invoiced or waived (claimed once)
    warnings: list = field(default_factory=list)
    skip_reason: str | None = None  # set: shown in the preview, not sent

    @property
    def selectable(self):
        return not self.skip_reason


class DebiteurEngine(models.AbstractModel):
    _name = "debiteur.engine"
    _description = "Dunning Engine"

    # ------------------------------------------------------------------
    # What is due
    # ------------------------------------------------------------------
    @api.model
    def _candidate_domain(self, date, company, partner_ids=None):
        domain = [
            ("company_id", "=", company.id),
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
            ("payment_state", "in", ("not_paid", "partial")),
            ("amount_residual", ">", 0),
            ("invoice_date_due", "<", date),
            ("commercial_partner_id.debiteur_excluded", "=", False),
            *self.env["account.move"]._debiteur_not_paused_domain(date),
        ]
        if partner_ids:
            domain.append(("commercial_partner_id", "in", list(partner_ids)))
        return domain

    @api.model
    def _candidate_partner_ids(self, date, company, run=None):
        """The debtors (commercial partners) of ``company`` with an invoice
        that may be due on ``date``, by id; less those ``run`` has written to."""
        Move = self.env["account.move"].with_company(company)
        groups = Move._read_group(
            self._candidate_domain(date, company), ["commercial_partner_id"]
        )
        partner_ids = {partner.id for (partner,) in groups}
        if run:
            self.env["debiteur.communication"].flush_model(["run_id", "partner_id"])
            self.env.cr.execute(
                SQL(
                    "SELECT DISTINCT partner_id FROM debiteur_communication"
                    " WHERE run_id = %s",
                    run.id,
                )
            )
            partner_ids.difference_update(row[0] for row in self.env.cr.fetchall())
        return sorted(partner_ids)

    @api.model
    def _compute_proposals(self, date, company, policies=None, partner_ids=None):
        """Return the list of DebtorProposal for ``company`` on ``date``.

        Writes nothing. The number of queries does not depend on the number of
        invoices or debtors.
        """
        date = fields.Date.to_date(date)
        company.ensure_one()
        rows = self._candidate_moves(date, company, partner_ids)
        if not rows:
            return []
        moves = self.env["account.move"].browse([row.id for row in rows])
        partners = (
            self.env["res.partner"]
            .browse(dict.fromkeys(row.commercial_partner_id for row in rows))
            .with_company(company)
            .with_context(active_test=False)
        )
        partners.fetch(
            [
                "debiteur_policy_id",
                "debiteur_debtor_type",
                "email",
                "email_normalized",
                "name",
                "lang",
                "active",
            ]
        )
        policy_by_partner = self._policy_by_partner(company, partners)
        if policies is not None:
            allowed = set(policies.ids)
            policy_by_partner = {
                pid: pol for pid, pol in policy_by_partner.items() if pol.id in allowed
            }
        all_policies = self.env["debiteur.policy"].union(*policy_by_partner.values())
        all_policies.level_ids.fetch(
            [
                "sequence",
                "delay_days",
                "channel",
                "name",
                "is_legal_notice",
                "charge_interest",
                "charge_costs",
                "fee_amount",
            ]
        )
        levels_by_policy = {p.id: p._sorted_levels() for p in all_policies}
        recipients = self._invoice_addresses(partners)
        blacklisted = self._blacklisted_partner_ids(
            partners.union(*recipients.values())
        )
        last_dates = self._last_reminder_dates(company, partners)
        pending = self._pending_moves(moves)
        waiting = self._moves_in_legal_term(moves, date)
        credits_by_partner = self._open_credits(company, partners)

        by_partner = defaultdict(list)
        for row in rows:
            by_partner[row.commercial_partner_id].append(row)

        proposals = []
        for partner in partners:
            policy = policy_by_partner.get(partner.id)
            if not policy:
                continue
            levels = levels_by_policy[policy.id]
            if not levels:
                continue
            proposal = self._propose_debtor(
                date,
                company,
                partner,
                policy,
                levels,
                by_partner[partner.id],
                credits_by_partner.get(partner.id, []),
                recipients.get(partner.id, partner),
                last_dates.get(partner.id),
                pending,
                waiting,
                blacklisted,
            )
            if proposal:
                proposals.append(proposal)
        # Debtors a feature holds back (res.partner._debiteur_hold_reasons):
        # shown with the reason, not selectable, not sent.
        held = partners._debiteur_hold_reasons(date, company) if proposals else {}
        for proposal in proposals:
            if held.get(proposal.partner_id) and not proposal.skip_reason:
                proposal.skip_reason = held[proposal.partner_id]
                proposal.warnings.append(proposal.skip_reason)
        self._add_legal_amounts(date, company, proposals, levels_by_policy)
        return proposals

    @api.model
    def _candidate_moves(self, date, company, partner_ids=None):
        """The candidate invoices as plain rows (MoveRow), by due date: one
        query, and none of the ORM's per-field cost on ten thousand invoices
        that are only read."""
        Move = self.env["account.move"].with_company(company)
        query = Move._search(
            self._candidate_domain(date, company, partner_ids),
            order="invoice_date_due, id",
        )
        columns = [
            Move._field_to_sql(query.table, fname, query) for fname in MOVE_ROW_FIELDS
        ]
        return [MoveRow(*row) for row in self.env.execute_query(query.select(*columns))]

    def _propose_debtor(
        self,
        date,
        company,
        partner,
        policy,
        levels,
        moves,
        credits,
        recipient,
        last_date,
        pending,
        waiting,
        blacklisted=frozenset(),
    ):
        level_index = {lvl.id: i for i, lvl in enumerate(levels)}
        delays = [lvl.delay_days for lvl in levels]
        invoices = []
        best = -1
        for move in moves:
            if move.id in pending:
                # The previous reminder for this invoice is still waiting to be
                # reviewed or delivered: escalating now would skip it.
                return None
            days = (date - move.invoice_date_due).days
            current = level_index.get(move.debiteur_level_id, -1)
            reached = -1
            for i, delay in enumerate(delays):
                if days >= delay:
                    reached = i
            target = min(current + 1, reached) if reached > current else None
            if move.id in waiting:
                # The term of the formal notice runs: nothing further until it ends.
                target = None
            new_index = target if target is not None else current
            invoices.append(
                InvoiceProposal(
                    move_id=move.id,
                    level_id=levels[new_index].id if new_index >= 0 else None,
                    escalated=target is not None,
                    previous_level_id=move.debiteur_level_id or None,
                    days_overdue=days,
                    date_due=move.invoice_date_due,
                    currency_id=move.currency_id,
                    amount_total=move.amount_total,
                    amount_residual=move.amount_residual,
                    amount_residual_company=move.amount_residual_signed,
                    is_cost_invoice=bool(move.debiteur_is_cost_invoice),
                )
            )
            if target is not None:
                best = max(best, target)
        if best < 0:
            return None
        if last_date and policy.min_days_between:
            if (date - last_date).days < policy.min_days_between:
                return None
        level = levels[best]
        currency = company.currency_id
        overdue = currency.round(sum(i.amount_residual_company for i in invoices))
        credit = currency.round(sum(c.amount_residual_company for c in credits))
        proposal = DebtorProposal(
            partner_id=partner.id,
            recipient_id=recipient.id,
            policy_id=policy.id,
            level_id=level.id,
            channel=level.channel,
            invoices=invoices,
            credits=credits,
            amount_overdue=overdue,
            amount_credit=credit,
            amount_due=currency.round(overdue + credit),
        )
        _ = self.env._
        if level.channel in ("email", "email_letter") and not recipient.email:
            proposal.channel = "letter"
            proposal.warnings.append(_("No e-mail address: the reminder goes by post."))
        elif level.channel in ("email", "email_letter") and recipient.id in blacklisted:
            proposal.channel = "letter"
            proposal.warnings.append(
                _(
                    "The e-mail address %(email)s is on the blacklist: the reminder "
                    "goes by post.",
                    email=recipient.email,
                )
            )
        if not partner.active:
            proposal.warnings.append(
                _(
                    "The debtor is archived; its invoices are still open, so the "
                    "reminder goes to its address."
                )
            )
        if currency.compare_amounts(proposal.amount_due, 0.0) <= 0:
            proposal.skip_reason = _("Credit balance: the credits cover the invoices.")
        elif currency.compare_amounts(proposal.amount_due, policy.min_amount) < 0:
            proposal.skip_reason = _(
                "Below the minimum amount of %(amount)s.",
                amount=company.currency_id.format(policy.min_amount),
            )
        if proposal.skip_reason:
            proposal.warnings.append(proposal.skip_reason)
        return proposal

    def _add_legal_amounts(self, date, company, proposals, levels_by_policy):
        """Interest, collection costs and the legal term of each proposal.

        Set-based: one claims computation for all invoices concerned and one
        data check for the debtors of formal notices, whatever their number.
        A formal notice the law would not accept is refused with the reason.
        """
        if not proposals:
            return
        Legal = self.env["debiteur.legal"]
        Level = self.env["debiteur.level"]
        Policy = self.env["debiteur.policy"]
        # Every debtor read in one query (their commercial entities in one
        # more), not one each.
        partners = self.env["res.partner"].browse({p.partner_id for p in proposals})
        for proposal in proposals:
            proposal.legal_deadline = Legal._legal_deadline(
                date,
                Level.browse(proposal.level_id),
                Policy.browse(proposal.policy_id),
                proposal.channel,
                partners.browse(proposal.partner_id).with_prefetch(partners._ids),
            )
        # The claim of every debtor in one call (debiteur.claim): interest
        # per invoice, the costs the letter states (due now, or due after the
        # term), less what was already charged: claimed once.
        Move = self.env["account.move"]
        claims = self.env["debiteur.claim"]._claims(
            company,
            {
                p.partner_id: Move.browse([i.move_id for i in p.invoices])
                for p in proposals
            },
            date,
            policies={p.partner_id: Policy.browse(p.policy_id) for p in proposals},
            levels={p.partner_id: Level.browse(p.level_id) for p in proposals},
            deadlines={p.partner_id: p.legal_deadline for p in proposals},
            credits={
                p.partner_id: [(c.date, c.amount_residual_company) for c in p.credits]
                for p in proposals
            },
            announce=True,
            lang=True,
            interest_for={
                p.partner_id
                for p in proposals
                if Level.browse(p.level_id).charge_interest
                and Policy.browse(p.policy_id).interest_mode != "none"
            },
        )
        stale = Legal._stale_tables(date, proposals, Level, Policy, partners)
        for proposal in proposals:
            claim = claims[proposal.partner_id]
            level = Level.browse(proposal.level_id)
            policy = Policy.browse(proposal.policy_id)
            if level.charge_interest and policy.interest_mode != "none":
                kind = policy.interest_mode == "statutory" and Legal._interest_kind(
                    policy, partners.browse(proposal.partner_id)
                )
                if kind in stale:
                    proposal.warnings.append(stale[kind])
                if claim.error:
                    proposal.warnings.append(claim.error)
                else:
                    for inv in proposal.invoices:
                        entry = claim.invoices.get(inv.move_id)
                        if entry:
                            inv.interest = float(entry["interest"])
                    proposal.interest_amount = float(claim.interest)
            if level.charge_costs:
                proposal.costs_charged = float(claim.costs_charged)
                proposal.costs_amount = float(claim.costs)
                proposal.costs_due = claim.costs_due
                proposal.costs_note = claim.costs_note
        notices = [p for p in proposals if Level.browse(p.level_id).is_legal_notice]
        data_warnings = Legal._check_debtor_data(
            partners.browse({p.partner_id for p in notices})
        )
        be_unidentified = any(
            Policy.browse(p.policy_id).jurisdiction == "be" for p in proposals
        ) and Legal._be_creditor_unidentified(company)
        for proposal in proposals:
            level = Level.browse(proposal.level_id)
            policy = Policy.browse(proposal.policy_id)
            partner = partners.browse(proposal.partner_id).with_prefetch(partners._ids)
            proposal.warnings.extend(data_warnings.get(proposal.partner_id, []))
            if (
                policy.jurisdiction == "be"
                and be_unidentified
                and not proposal.skip_reason
            ):
                proposal.skip_reason = be_unidentified
                proposal.warnings.append(be_unidentified)
            if level.is_legal_notice and not proposal.skip_reason:
                problem = Legal._legal_notice_problem(
                    company, proposal, policy, partner
                )
                if problem:
                    proposal.skip_reason = problem
                    proposal.warnings.append(problem)

    def _policy_by_partner(self, company, partners):
        # Read with this engine's rights (the caller may pass records of a user
        # who may not read policies, e.g. a payment registered by a cashier).
        company, partners = company.with_env(self.env), partners.with_env(self.env)
        business = company.debiteur_policy_business_id
        consumer = company.debiteur_policy_consumer_id
        (business | consumer | partners.debiteur_policy_id).fetch(
            [
                "active",
                "company_id",
                "min_amount",
                "min_days_between",
                "auto_send",
                "jurisdiction",
                "debtor_type",
                "interest_mode",
                "interest_rate",
                "costs_mode",
            ]
        )
        result = {}
        for partner in partners:
            policy = partner.debiteur_policy_id
            if not policy:
                policy = (
                    consumer if partner.debiteur_debtor_type == "consumer" else business
                )
            if policy and policy.active and policy.company_id == company:
                result[partner.id] = policy
        return result

    def _invoice_addresses(self, partners):
        """The invoice-address contact of each debtor (one query)."""
        contacts = self.env["res.partner"].search_fetch(
            [
                ("commercial_partner_id", "in", partners.ids),
                ("type", "=", "invoice"),
                ("id", "not in", partners.ids),
            ],
            ["commercial_partner_id", "email", "email_normalized"],
            order="id",
        )
        result = {}
        for contact in contacts:
            result.setdefault(contact.commercial_partner_id.id, contact)
        return result

    def _blacklisted_partner_ids(self, partners):
        """Ids of ``partners`` whose e-mail address is blacklisted (one query)."""
        emails = {p.email_normalized for p in partners if p.email_normalized}
        if not emails:
            return set()
        blacklist = (
            self.env["mail.blacklist"]
            .sudo()
            .search_fetch([("email", "in", list(emails))], ["email"])
        )
        blocked = set(blacklist.mapped("email"))
        return {p.id for p in partners if p.email_normalized in blocked}

    def _last_reminder_dates(self, company, partners):
        groups = self.env["debiteur.communication"]._read_group(
            [
                ("company_id", "=", company.id),
                ("partner_id", "in", partners.ids),
                ("state", "in", ("queued", "sent", "printed")),
            ],
            ["partner_id"],
            ["reference_date:max"],
        )
        return {partner.id: last for partner, last in groups}

    def _pending_moves(self, moves):
        """Invoices whose last reminder waits for review or delivery."""
        lines = self.env["debiteur.communication.line"].search_fetch(
            [
                ("move_id", "in", moves.ids),
                ("escalated", "=", True),
                ("state", "in", ("draft", "queued", "failed")),
            ],
            ["move_id"],
        )
        return set(lines.move_id.ids)

    def _moves_in_legal_term(self, moves, date):
        """Invoices whose formal notice's payment term has not ended on ``date``."""
        lines = self.env["debiteur.communication.line"].search_fetch(
            [
                ("move_id", "in", moves.ids),
                ("escalated", "=", True),
                ("state", "in", ("queued", "sent", "printed")),
                ("communication_id.legal_deadline", ">=", date),
            ],
            ["move_id"],
        )
        return set(lines.move_id.ids)

    def _open_credits(self, company, partners):
        """Unreconciled credits (credit notes, payments) per debtor."""
        lines = self.env["account.move.line"].search_fetch(
            [
                ("company_id", "=", company.id),
                ("partner_id", "in", partners.ids),
                ("account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"),
                ("reconciled", "=", False),
                ("amount_residual", "<", 0),
            ],
            [
                "partner_id",
                "move_id",
                "move_name",
                "date",
                "currency_id",
                "amount_residual",
                "amount_residual_currency",
            ],
            order="date, id",
        )
        result = defaultdict(list)
        for line in lines:
            result[line.partner_id.id].append(
                CreditProposal(
                    move_id=line.move_id.id,
                    move_line_id=line.id,
                    date=line.date,
                    currency_id=line.currency_id.id,
                    amount_residual=line.amount_residual_currency,
                    amount_residual_company=line.amount_residual,
                )
            )
        return result

    # ------------------------------------------------------------------
    # Applying: communications, levels, sending
    # ------------------------------------------------------------------
    @api.model
    def _lock_company(self, company, raise_if_busy=True):
        """Serialise runs of one company (wizard and scheduler alike)."""
        self.env.cr.execute(
            SQL(
                "SELECT pg_try_advisory_xact_lock(%s, %s)",
                ADVISORY_LOCK_KEY,
                company.id,
            )
        )
        locked = self.env.cr.fetchone()[0]
        if not locked and raise_if_busy:
            raise UserError(
                self.env._(
                    "A dunning run for %(company)s is in progress. Wait until it has "
                    "finished, then try again: nothing has been sent twice.",
                    company=company.name,
                )
            )
        return locked

    @api.model
    def _apply(self, run, proposals, channel_overrides=None, send=True):
        """Create the communications of ``proposals`` in ``run``.

        All-or-nothing per debtor: a debtor whose invoices changed meanwhile, or
        that another run already handled, is skipped and logged; the others go on.
        Returns the created communications.

        Set-based: one statement locks and checks every invoice of the batch,
        one draws the communication numbers, one inserts the communications and
        one their lines, whatever the number of debtors. Only when that batch
        collides with another run (a lock it cannot take, a level another run
        reached first) does it fall back to one savepoint per debtor, so that
        the colliding debtors are skipped alone.
        """
        channel_overrides = channel_overrides or {}
        selectable = [p for p in proposals if p.selectable]
        for proposal in selectable:
            if proposal.partner_id in channel_overrides:
                proposal.channel = channel_overrides[proposal.partner_id]
        created = self._apply_batch(run, selectable)
        if created is None:
            created = self.env["debiteur.communication"]
            for proposal in selectable:
                created |= self._apply_debtor(run, proposal)
        if send and created:
            self.env["debiteur.dispatch"]._send_communications(created, fresh=True)
        return created

    def _apply_batch(self, run, proposals):
        """All ``proposals`` in a handful of statements, in one savepoint.

        Returns the communications, or None when the batch collided with
        another run and was rolled back (the caller then goes debtor by debtor).
        """
        Comm = self.env["debiteur.communication"]
        if not proposals:
            return Comm
        try:
            with self.env.cr.savepoint():
                still_due = self._still_due_partners(proposals)
                todo = []
                for proposal in proposals:
                    if proposal.partner_id in still_due:
                        todo.append(proposal)
                    else:
                        self._log_changed(run, proposal)
                return self._create_communications(run, todo)
        except COLLISIONS as exc:
            _logger.info(
                "Dunning run %s: batch of %s debtors collided with another run "
                "(%s); applying debtor by debtor.",
                run.id,
                len(proposals),
                type(exc).__name__,
            )
            return None

    def _apply_debtor(self, run, proposal):
        Comm = self.env["debiteur.communication"]
        try:
            with self.env.cr.savepoint():
                if not self._still_due_partners([proposal]):
                    self._log_changed(run, proposal)
                    return Comm
                return self._create_communications(run, [proposal])
        except COLLISIONS as exc:
            run._log(
                self.env._(
                    "%(partner)s: skipped, another run handled these invoices "
                    "(%(error)s).",
                    partner=self._partner_name(proposal.partner_id),
                    error=type(exc).__name__,
                )
            )
            return Comm

    def _log_changed(self, run, proposal):
        run._log(
            self.env._(
                "%(partner)s: invoices changed during the run, skipped.",
                partner=self._partner_name(proposal.partner_id),
            )
        )

    def _create_communications(self, run, proposals):
        """Insert the communications of ``proposals`` (one INSERT for them all,
        one for all their lines) and write them to the database at once, so
        that the unique index on the levels answers inside the caller's
        savepoint, not at commit."""
        Comm = self.env["debiteur.communication"]
        if not proposals:
            return Comm
        vals_list = self._communication_vals_list(run, proposals)
        lines_per_comm = [vals.pop("lines") for vals in vals_list]
        comms = Comm.with_company(run.company_id)._debiteur_insert(vals_list)
        Line = self.env["debiteur.communication.line"]
        Line._debiteur_insert(Line._vals_of(comms, vals_list, lines_per_comm))
        # An invoice's level and last reminder date count delivered (queued,
        # sent, ...) reminders only: new draft lines leave them as they are,
        # so there is nothing to recompute (it would read every earlier
        # reminder of thousands of invoices). Sending them recomputes.
        Move = self.env["account.move"]
        moves = Move.browse({line["move_id"] for ls in lines_per_comm for line in ls})
        for fname in ("debiteur_level_id", "debiteur_last_date"):
            self.env.remove_to_compute(Move._fields[fname], moves)
        self.env.flush_all()
        return comms

    def _partner_name(self, partner_id):
        return self.env["res.partner"].browse(partner_id).display_name

    def _still_due_partners(self, proposals):
        """Lock the proposed invoices and return the debtors whose open amounts
        are still those of their proposal (no payment, partial or full, in
        between): one statement for all debtors.

        Under REPEATABLE READ, a payment committed after this transaction began
        makes the lock fail with a serialization error (handled by the caller);
        an invoice locked by another transaction makes it fail at once (NOWAIT).
        """
        expected = {
            inv.move_id: (proposal.partner_id, inv.amount_residual)
            for proposal in proposals
            for inv in proposal.invoices
        }
        self.env["account.move"].flush_model(["amount_residual", "payment_state"])
        self.env.cr.execute(
            SQL(
                """
                SELECT id, amount_residual, payment_state
                  FROM account_move
                 WHERE id = ANY(%s)
                 ORDER BY id
                   FOR NO KEY UPDATE NOWAIT
                """,
                list(expected),
            )
        )
        rows = {
            move_id: (residual, state)
            for move_id, residual, state in self.env.cr.fetchall()
        }
        changed = set()
        for move_id, (partner_id, proposed) in expected.items():
            residual, state = rows.get(move_id, (None, None))
            if state not in ("not_paid", "partial") or float_compare(
                residual, proposed, precision_digits=6
            ):
                changed.add(partner_id)
        return {p.partner_id for p in proposals} - changed

    def _communication_vals_list(self, run, proposals):
        """The create values of the communications of ``proposals``; the
        debtors, levels and policies are read once for all of them."""
        partners = self.env["res.partner"].browse({p.partner_id for p in proposals})
        levels = self.env["debiteur.level"].browse({p.level_id for p in proposals})
        policies = self.env["debiteur.policy"].browse({p.policy_id for p in proposals})
        return [
            self._communication_vals(
                run,
                proposal,
                partners.browse(proposal.partner_id).with_prefetch(partners._ids),
                levels.browse(proposal.level_id).with_prefetch(levels._ids),
                policies.browse(proposal.policy_id).with_prefetch(policies._ids),
            )
            for proposal in proposals
        ]

    def _communication_vals(self, run, proposal, partner, level, policy):
        """The values of one communication; ``lines``: those of its lines."""
        lines = [
            {
                "line_type": "invoice",
                "move_id": inv.move_id,
                "level_id": inv.level_id,
                "escalated": inv.escalated,
                "date_due": inv.date_due,
                "days_overdue": inv.days_overdue,
                "currency_id": inv.currency_id,
                "amount_total": inv.amount_total,
                "amount_residual": inv.amount_residual,
                "amount_residual_company": inv.amount_residual_company,
                "interest_amount": inv.interest,
            }
            for inv in proposal.invoices
        ]
        lines += [
            {
                "line_type": "credit",
                "move_id": credit.move_id,
                "move_line_id": credit.move_line_id,
                "date_due": credit.date,
                "currency_id": credit.currency_id,
                "amount_residual": credit.amount_residual,
                "amount_residual_company": credit.amount_residual_company,
            }
            for credit in proposal.credits
        ]
        return {
            # The channel may have been changed in the preview: recompute.
            "legal_deadline": self.env["debiteur.legal"]._legal_deadline(
                run.date, level, policy, proposal.channel, partner
            ),
            "interest_amount": proposal.interest_amount,
            "costs_amount": proposal.costs_amount,
            "costs_due": proposal.costs_due,
            "costs_note": proposal.costs_note or False,
            "company_id": run.company_id.id,
            "run_id": run.id,
            "partner_id": proposal.partner_id,
            "recipient_id": proposal.recipient_id,
            "policy_id": proposal.policy_id,
            "level_id": proposal.level_id,
            "channel": proposal.channel,
            "date": run.date,
            "reference_date": run.date,  # the letter date until it is sent
            "amount_overdue": proposal.amount_overdue,
            "amount_credit": proposal.amount_credit,
            "amount_due": proposal.amount_due,
            "warning": "\n".join(proposal.warnings) or False,
            "lines": lines,
        }

    # ------------------------------------------------------------------
    # Entry points
    # ------------------------------------------------------------------
    @api.model
    def _run(
        self,
        date,
        company,
        trigger,
        partner_ids=None,
        policies=None,
        channel_overrides=None,
    ):
        """Propose and apply in one go (wizard confirm, manual send)."""
        if not self.env.su and company not in self.env.user.company_ids:
            raise AccessError(
                self.env._(
                    "You have no access to company %(company)s.",
                    company=company.sudo().name,
                )
            )
        self = self.with_company(company)
        self._lock_company(company)
        # Runs are evidence: written by the engine only (its callers check
        # the user's group).
        run = (
            self.env["debiteur.run"]
            .sudo()
            .create({"date": date, "company_id": company.id, "trigger": trigger})
        )
        proposals = self._compute_proposals(
            date, company, policies=policies, partner_ids=partner_ids
        )
        run.debtor_count = len(proposals)
        run.skipped_count = len([p for p in proposals if not p.selectable])
        self._apply(run, proposals, channel_overrides=channel_overrides)
        run.state = "done"
        run._log(
            self.env._(
                "%(count)s reminder(s) created.", count=len(run.communication_ids)
            )
        )
        return run
