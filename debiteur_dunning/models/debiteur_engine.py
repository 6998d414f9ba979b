"""The dunning engine: what is due, the proposal, and applying it.

Set-based on purpose: proposing for 10,000 overdue invoices costs the same
handful of queries as proposing for ten. See DESIGN.md, "The engine".
"""

import io
import logging
import threading
import time
from collections import defaultdict, namedtuple
from dataclasses import dataclass, field

import lxml.html
import psycopg2.errors
from PyPDF2.errors import PdfReadError

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, config, float_compare, split_every
from odoo.tools.pdf import PdfFileReader, PdfFileWriter

from ..legal import legal_notice_deadline
from .ir_actions_report import KEEP_FONT_CLASS

_logger = logging.getLogger(__name__)

# First key of the PostgreSQL advisory lock taken while a run applies (the second
# key is the company id). Any fixed 32-bit number would do; this is "dunn".
ADVISORY_LOCK_KEY = 0x64756E6E
LETTER_BATCH_SIZE = 25
CRON_BATCH_SIZE = 50
PRINT_FILE_LETTERS = 200  # letters per print file
CRON_TIME_BUDGET = 240  # seconds of work per scheduler call before it yields
# How letters are batched, learnt once per process: "documents" (several
# documents per wkhtmltopdf call, Odoo's patched Qt), "one_document" (unpatched
# Qt: the batch as one document, split afterwards) or "single" (one per call).
_letter_batching = {"mode": "documents"}
# What another run doing the same work at the same time makes a write fail
# with: a level it reached first, a lock it holds, a payment it committed.
COLLISIONS = (
    psycopg2.errors.UniqueViolation,
    psycopg2.errors.SerializationFailure,
    psycopg2.errors.LockNotAvailable,
)
# The font of the markers that split a batch rendered as one document, as the
# PDF names it: DejaVu Sans Mono, a system font the letters do not use. Where
# it is missing the split fails safely and letters go one per call.
MARKER_FONT = "DejaVuSansMono"


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
            ("debiteur_arrangement_id", "=", False),
            ("debiteur_handoff_id", "=", False),
            "|",
            ("debiteur_blocked", "=", False),
            ("debiteur_block_until", "<=", date),
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
            proposal.legal_deadline = self._legal_deadline(
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
        stale = self._stale_tables(date, proposals, Level, Policy, partners)
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
        ) and self._be_creditor_unidentified(company)
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
                problem = self._legal_notice_problem(company, proposal, policy, partner)
                if problem:
                    proposal.skip_reason = problem
                    proposal.warnings.append(problem)

    def _stale_tables(self, date, proposals, Level, Policy, partners):
        """``{rate table kind: warning}`` for the stale statutory rate tables,
        when a letter of ``proposals`` states statutory interest (one query
        then, none otherwise)."""
        if not any(
            Level.browse(p.level_id).charge_interest
            and Policy.browse(p.policy_id).interest_mode == "statutory"
            for p in proposals
        ):
            return {}
        return {
            kind: self.env._(
                "The newest rate of %(table)s starts on %(date)s, more than six "
                "months ago: check whether a newer rate was published (Interest "
                "Rates) before sending interest.",
                table=label,
                date=newest,
            )
            for kind, label, newest in self.env["debiteur.interest.rate"]._stale_kinds(
                date
            )
        }

    def _be_creditor_unidentified(self, company):
        """Why a Belgian reminder cannot be sent for ``company``, or False.

        Every Belgian reminder states the creditor's enterprise number
        (KBO/BCE, Book XIX Code of Economic Law, art. XIX.2): the company
        registry, or the digits of a Belgian VAT number, which is the same
        number."""
        if company.company_registry or (company.vat or "").upper().startswith("BE"):
            return False
        return self.env._(
            "The reminder cannot be sent: a Belgian reminder must state the "
            "creditor's enterprise number (KBO/BCE). Fill in the company's "
            "registry number."
        )

    def _legal_notice_problem(self, company, proposal, policy, partner):
        """Why a formal notice would not stand, or False (LEGAL.md, NL consumers).

        The 14-day letter must state the term, the date it ends, the exact
        costs, and who the creditor is; without them, no costs can be claimed.
        """
        _ = self.env._
        missing = []
        if not proposal.legal_deadline:
            missing.append(_("the end date of the payment term"))
        consumer = self.env["debiteur.legal"]._is_consumer(partner, policy)
        if (
            consumer
            and policy.jurisdiction == "nl"
            and policy.costs_mode == "statutory"
            and not proposal.costs_amount
            # Costs already invoiced (after an earlier 14-day letter) or waived
            # are not charged again: nothing new to state.
            and not proposal.costs_charged
        ):
            missing.append(_("the amount of the collection costs"))
        if not company.name or not (company.street and company.city):
            missing.append(_("the creditor's name and address"))
        if not (company.company_registry or company.vat):
            missing.append(_("the creditor's Chamber of Commerce or VAT number"))
        if not missing:
            return False
        return _(
            "The formal notice cannot be sent: it lacks %(missing)s.",
            missing=", ".join(missing),
        )

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
            self._send_communications(created, fresh=True)
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
        names = Comm.with_company(run.company_id)._next_names(len(proposals))
        vals_list = self._communication_vals_list(run, proposals)
        for vals, name in zip(vals_list, names, strict=True):
            vals["name"] = name
            vals["payment_reference"] = Comm._payment_reference_for(
                run.company_id, name
            )
        lines_per_comm = [vals.pop("line_ids") for vals in vals_list]
        comms = self._insert_records("debiteur.communication", vals_list)
        self._insert_records(
            "debiteur.communication.line",
            [
                dict(
                    line_vals,
                    communication_id=comm.id,
                    company_id=vals["company_id"],
                    partner_id=vals["partner_id"],
                    state=vals.get("state", "draft"),
                )
                for comm, vals, commands in zip(
                    comms, vals_list, lines_per_comm, strict=True
                )
                for _command, _id, line_vals in commands
            ],
        )
        # An invoice's level and last reminder date count delivered (queued,
        # sent, ...) reminders only: new draft lines leave them as they are,
        # so there is nothing to recompute (it would read every earlier
        # reminder of thousands of invoices). Sending them recomputes.
        Move = self.env["account.move"]
        moves = Move.browse(
            {line["move_id"] for cmds in lines_per_comm for _c, _i, line in cmds}
        )
        for fname in ("debiteur_level_id", "debiteur_last_date"):
            self.env.remove_to_compute(Move._fields[fname], moves)
        self.env.flush_all()
        return comms

    @api.model
    def _insert_records(self, model_name, vals_list):
        """Create records of ``model_name`` from ``vals_list`` in one INSERT.

        The engine's hot path, where ``create()`` spent most of confirm's time
        preparing each record alone (its defaults, the rounding of each amount
        through its currency, related fields): thousands of reminder lines
        took seconds. Here the defaults are read once, every column goes as
        one array, and the ORM's own bookkeeping of a create follows for the
        whole set: access rights and record rules, company consistency,
        constraints, and ``modified(create=True)`` so that what depends on the
        new records (the invoices' levels) is recomputed.

        ``vals_list`` holds plain column values (ids, not commands); a field
        missing from a dict gets its default. Stored computed fields that are
        not given are computed by the ORM afterwards.
        """
        Model = self.env[model_name]
        if not vals_list:
            return Model
        Model.check_access("create")
        # Nothing pending may be lost when the caches are reset below.
        self.env.flush_all()
        stored = {
            name: fld
            for name, fld in Model._fields.items()
            if fld.store and fld.column_type and name != "id"
        }
        given = set().union(*vals_list)
        unknown = given - set(stored)
        if unknown:
            raise ValueError(f"{model_name}: not stored columns {sorted(unknown)}")
        now = self.env.cr.now()
        common = {
            name: value
            for name, value in Model.default_get(
                [n for n, f in stored.items() if not f.compute]
            ).items()
            if name in stored
        }
        common.update(
            create_uid=self.env.uid,
            write_uid=self.env.uid,
            create_date=now,
            write_date=now,
        )
        self.env.cr.execute(
            SQL(
                "SELECT nextval(%s) FROM generate_series(1, %s)",
                f"{Model._table}_id_seq",
                len(vals_list),
            )
        )
        ids = [row[0] for row in self.env.cr.fetchall()]
        columns = [SQL.identifier("id")]
        arrays = [SQL("%s::int4[]", ids)]
        for name, fld in stored.items():
            if name in given:
                default = common.get(name)
                values = [vals.get(name, default) for vals in vals_list]
            elif name in common:
                values = [common[name]] * len(vals_list)
            else:
                continue
            if fld.type != "boolean":
                values = [None if value is False else value for value in values]
            columns.append(SQL.identifier(name))
            arrays.append(SQL("%s::%s[]", values, SQL(fld.column_type[1])))
        self.env.cr.execute(
            SQL(
                "INSERT INTO %s (%s) SELECT * FROM unnest(%s)",
                SQL.identifier(Model._table),
                SQL(", ").join(columns),
                SQL(", ").join(arrays),
            )
        )
        records = Model.browse(ids)
        # Caches of one2many fields listing these records are stale now.
        self.env.invalidate_all(flush=False)
        records.modified(list(stored), create=True)
        for name, fld in stored.items():
            if fld.compute and name not in given:
                self.env.add_to_compute(fld, records)
        records.check_access("create")
        records._check_company()
        records._validate_fields(list(stored))
        return records

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
        line_cmds = []
        for inv in proposal.invoices:
            line_cmds.append(
                fields.Command.create(
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
                )
            )
        for credit in proposal.credits:
            line_cmds.append(
                fields.Command.create(
                    {
                        "line_type": "credit",
                        "move_id": credit.move_id,
                        "move_line_id": credit.move_line_id,
                        "date_due": credit.date,
                        "currency_id": credit.currency_id,
                        "amount_residual": credit.amount_residual,
                        "amount_residual_company": credit.amount_residual_company,
                    }
                )
            )
        return {
            # The channel may have been changed in the preview: recompute.
            "legal_deadline": self._legal_deadline(
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
            "line_ids": line_cmds,
        }

    @api.model
    def _legal_deadline(self, sent, level, policy, channel, partner=None):
        """Last day of the payment term a letter states (LEGAL.md).

        Formal notices have one; so has a Belgian consumer's first reminder
        (the 14-day waiting period). A letter counts as post; e-mail and
        letter together take the later (postal) term. Belgian public holidays
        are not known here, so the Belgian term counts weekends only (see
        ``legal.deadlines``).
        """
        if channel == "phone":
            return False
        be_first = (
            policy.jurisdiction == "be"
            and partner is not None
            and self.env["debiteur.legal"]._is_consumer(partner, policy)
            and level == policy._sorted_levels()[:1]
        )
        if not level.is_legal_notice and not be_first:
            return False
        country = "BE" if policy.jurisdiction == "be" else "NL"
        return legal_notice_deadline(
            sent, "email" if channel == "email" else "post", country
        )

    # ------------------------------------------------------------------
    # Sending
    # ------------------------------------------------------------------
    @api.model
    def _refresh_claims(self, comms, today):
        """Bring reminders prepared on another day up to ``today``, the day
        they leave: what is still due, the claim, the legal term.

        Invoices paid in the meantime are taken out of the reminder (their
        level does not move); a reminder with nothing left is cancelled, with
        a line in its run's log. The open amounts, the interest and costs
        (``debiteur.claim``, as a letter states them) and the last day of the
        legal term are computed again for ``today``. Returns the cancelled
        reminders.
        """
        _ = self.env._
        # Evidence: written by the engine (the action that sends checked the
        # user's group).
        comms = comms.sudo().filtered(lambda c: c.state in ("draft", "failed"))
        cancelled = self.env["debiteur.communication"].sudo()
        if not comms:
            return cancelled
        lines = comms.invoice_line_ids
        lines.move_id.fetch(
            [
                "state",
                "payment_state",
                "currency_id",
                "amount_residual",
                "amount_residual_signed",
            ]
        )

        def still_due(move):
            return (
                move.state == "posted"
                and move.payment_state in ("not_paid", "partial")
                and move.currency_id.compare_amounts(move.amount_residual, 0.0) > 0
            )

        paid = lines.filtered(lambda line: not still_due(line.move_id))
        for comm in comms:
            gone = paid & comm.invoice_line_ids
            if gone and gone == comm.invoice_line_ids:
                comm.write(
                    {
                        "state": "cancelled",
                        "cancel_reason": _("Paid before the reminder was sent."),
                        "cancel_user_id": self.env.user.id,
                    }
                )
                message = _(
                    "%(reminder)s to %(partner)s: cancelled, its invoices were "
                    "paid before it was sent.",
                    reminder=comm.name,
                    partner=comm.partner_id.display_name,
                )
                comm.run_id._log(message)
                comm.message_post(body=message)
                cancelled |= comm
            elif gone:
                comm.run_id._log(
                    _(
                        "%(reminder)s to %(partner)s: %(invoices)s paid before it "
                        "was sent, left out.",
                        reminder=comm.name,
                        partner=comm.partner_id.display_name,
                        invoices=", ".join(gone.move_id.mapped("display_name")),
                    )
                )
        paid.unlink()
        comms -= cancelled
        for line in comms.invoice_line_ids:
            move = line.move_id
            line.write(
                {
                    "amount_residual": move.amount_residual,
                    "amount_residual_company": move.amount_residual_signed,
                    "days_overdue": (today - line.date_due).days
                    if line.date_due
                    else line.days_overdue,
                }
            )
        for company in comms.company_id:
            self._refresh_company_claims(
                comms.filtered(lambda c, co=company: c.company_id == co), today
            )
        return cancelled

    @api.model
    def _refresh_company_claims(self, comms, today):
        """The claims of ``comms`` (one company) as they leave ``today``: one
        ``debiteur.claim`` call for all of them (a debtor has one reminder per
        run; reminders of one debtor from several runs go in rounds)."""
        rounds = []
        for comm in comms:
            pid = comm.partner_id.id
            for round_comms in rounds:
                if pid not in round_comms:
                    round_comms[pid] = comm
                    break
            else:
                rounds.append({pid: comm})
        for by_partner in rounds:
            self._refresh_round(by_partner, today)

    def _refresh_round(self, by_partner, today):
        """``_refresh_company_claims`` for ``{debtor id: reminder}``."""
        comms = self.env["debiteur.communication"].union(*by_partner.values())
        company = comms.company_id
        currency = company.currency_id
        deadlines = {
            pid: self._legal_deadline(
                today, comm.level_id, comm.policy_id, comm.channel, comm.partner_id
            )
            for pid, comm in by_partner.items()
        }
        with_interest = {
            pid
            for pid, comm in by_partner.items()
            if comm.level_id.charge_interest and comm.policy_id.interest_mode != "none"
        }
        claims = self.env["debiteur.claim"]._claims(
            company,
            {pid: comm.invoice_line_ids.move_id for pid, comm in by_partner.items()},
            today,
            policies={pid: comm.policy_id for pid, comm in by_partner.items()},
            levels={pid: comm.level_id for pid, comm in by_partner.items()},
            deadlines=deadlines,
            announce=True,
            lang=True,
            interest_for=with_interest,
        )
        for pid, comm in by_partner.items():
            claim = claims[pid]
            overdue = currency.round(
                sum(comm.invoice_line_ids.mapped("amount_residual_company"))
            )
            values = {
                "date": today,
                "legal_deadline": deadlines[pid],
                "amount_overdue": overdue,
                "amount_due": currency.round(overdue + comm.amount_credit),
            }
            if pid in with_interest and not claim.error:
                values["interest_amount"] = float(claim.interest)
                for line in comm.invoice_line_ids:
                    entry = claim.invoices.get(line.move_id.id)
                    line.interest_amount = float(entry["interest"]) if entry else 0.0
            if comm.level_id.charge_costs:
                values.update(
                    costs_amount=float(claim.costs),
                    costs_due=claim.costs_due,
                    costs_note=claim.costs_note or False,
                )
            comm.write(values)

    @api.model
    def _send_communications(self, comms, merge_letters=True, fresh=False):
        """Render the letters, queue the e-mails, collect the letters to print
        (unless ``merge_letters`` is False: the scheduler merges its run's
        letters once, after its last batch).

        The claim is that of the day a reminder leaves: one prepared on
        another day (a draft confirmed later, a back-dated run, a retry) is
        checked and computed again first (:meth:`_refresh_claims`). ``fresh``:
        the reminders were proposed and checked today, in this transaction.
        """
        today = fields.Date.context_today(self)
        stale = comms if not fresh else comms.filtered(lambda c: c.date != today)
        if stale:
            comms -= self._refresh_claims(stale, today).with_env(comms.env)
        if not comms:
            return
        with_letter = comms.filtered(lambda c: c.channel != "phone")
        self._render_letters(with_letter)
        emails = comms.filtered(lambda c: c.channel in ("email", "email_letter"))
        self._ensure_portal_tokens(emails)
        self._queue_mails(emails)
        printed = comms.filtered(lambda c: c.channel == "letter")
        printed.sudo().write(
            {"state": "printed", "sent_date": fields.Date.context_today(self)}
        )
        for comm in comms.filtered(lambda c: c.channel == "phone"):
            self._schedule_call(comm)
        if merge_letters:
            self._merge_letters_for_print(comms.run_id)
        # The debtors' cases follow what was sent (a case is bookkeeping derived
        # from the facts, whoever sends).
        Case = self.env["debiteur.case"].sudo()
        for company in comms.company_id:
            Case._sync(
                comms.filtered(lambda c, co=company: c.company_id == co).partner_id,
                company,
            )

    def _render_letters(self, comms):
        """Render the letters in batches: one wkhtmltopdf call per batch.

        A wkhtmltopdf built with Odoo's patched Qt renders a batch as several
        documents and Odoo splits the PDF on its outline. An unpatched build
        (Debian's) refuses more than one document per call: the batch is then
        rendered as one document, one letter per page break, and split on each
        letter's marker. Should that split fail, the letters go one per call.
        """
        todo = list(comms.ids)
        while todo:
            mode = _letter_batching["mode"]
            size = LETTER_BATCH_SIZE if mode != "single" else 1
            batch = comms.browse(todo[:size])
            del todo[:size]
            if mode == "one_document" and len(batch) > 1 and self._renders_pdf():
                if not self._render_letters_one_document(batch):
                    # This batch only (unless the markers cannot be found at
                    # all, which sets the mode to "single" for good).
                    for comm in batch:
                        self._render_letters_documents(comm)
                continue
            try:
                self._render_letters_documents(batch)
            except (PdfReadError, UserError) as exc:
                if len(batch) == 1:
                    raise
                _logger.warning(
                    "Rendering %s letters as separate documents in one wkhtmltopdf "
                    "call failed (%s): wkhtmltopdf is not built with Odoo's patched "
                    "Qt; rendering each batch as one document from now on.",
                    len(batch),
                    exc,
                )
                _letter_batching["mode"] = "one_document"
                self._render_letters(batch)

    def _renders_pdf(self):
        """False in Odoo's test mode, where reports come out as HTML unless a
        test asks for real rendering (as ``_pre_render_qweb_pdf`` decides)."""
        testing = config["test_enable"] or config["test_file"]
        return not testing or self.env.context.get("force_report_rendering")

    def _render_letters_documents(self, batch):
        Report = self.env["ir.actions.report"]
        report_ref = "debiteur_dunning.action_report_debiteur_letter"
        result, kind = Report._pre_render_qweb_pdf(report_ref, res_ids=batch.ids)
        if kind == "pdf":
            for comm in batch:
                stream = result[comm.id]["stream"]
                comm._attach_letter(stream.getvalue(), "application/pdf")
                stream.close()
        else:
            # Test mode without report rendering: keep the HTML as the proof.
            for comm in batch:
                html, _kind = Report._render_qweb_html(report_ref, comm.ids)
                comm._attach_letter(html, "text/html")

    def _render_letters_one_document(self, batch):
        """Render ``batch`` in one wkhtmltopdf call as a single document and
        attach each letter's pages to it. Returns False (nothing attached)
        when the PDF cannot be split unambiguously."""
        Report = self.env["ir.actions.report"].with_context(debug=False)
        report_ref = "debiteur_dunning.action_report_debiteur_letter"
        report = Report._get_report(report_ref)
        html = Report._render_qweb_html(
            report_ref, batch.ids, data={"report_type": "pdf", "debug": False}
        )[0]
        bodies, html_ids, header, footer, paperformat_args = report._prepare_html(
            html, report_model=report.model
        )
        if html_ids != batch.ids:
            return False
        markers = [self._letter_marker(comm) for comm in batch]
        pdf = Report._run_wkhtmltopdf(
            [self._join_letter_bodies(bodies, markers)],
            report_ref=report_ref,
            header=header,
            footer=footer,
            specific_paperformat_args=paperformat_args,
        )
        letters = self._split_letters(pdf, len(batch))
        if letters is None:
            if self._has_marker(pdf):
                # A letter of this batch is at fault (say, a template that
                # uses the markers' font): the other batches still split.
                _logger.warning(
                    "Could not split %s letters rendered as one document on "
                    "their markers; rendering this batch one letter per call.",
                    len(batch),
                )
            else:
                _logger.warning(
                    "The PDF of %s letters rendered as one document has no "
                    "marker (is the font %s missing?); rendering letters one "
                    "per call from now on.",
                    len(batch),
                    MARKER_FONT,
                )
                _letter_batching["mode"] = "single"
            return False
        for comm, content in zip(batch, letters, strict=True):
            comm._attach_letter(content, "application/pdf")
        return True

    @api.model
    def _letter_marker(self, comm):
        return f"DEBITEURLETTER{comm.id}END"

    @api.model
    def _join_letter_bodies(self, bodies, markers):
        """One HTML document holding every body, each from a new page and
        starting with its marker.

        The marker is set in a system font (wkhtmltopdf draws web fonts as
        outlines, which leave no text to find), white, 1 px and of no
        height: the letter looks the same, and its first page carries text
        the split can find.
        """
        parser = lxml.html.HTMLParser(encoding="utf-8")
        root = target = None
        for body, marker in zip(bodies, markers, strict=True):
            document = lxml.html.fromstring(body, parser=parser)
            content = document.find("body")
            mark = lxml.html.fragment_fromstring(
                f'<div class="{KEEP_FONT_CLASS}" '
                "style=\"font-family: 'DejaVu Sans Mono', monospace; "
                "font-size: 1px; color: #ffffff; height: 0; line-height: 0; "
                'overflow: visible;"></div>'
            )
            mark.text = marker
            content.insert(0, mark)
            if root is None:
                root, target = document, content
                continue
            target.append(
                lxml.html.fragment_fromstring(
                    '<div style="page-break-before: always;"></div>'
                )
            )
            for child in list(content):
                target.append(child)
        return lxml.html.tostring(root, encoding="unicode")

    @api.model
    def _split_letters(self, pdf, count):
        """Split ``pdf`` into ``count`` letters, each starting on a page that
        uses the markers' font (MARKER_FONT).

        Only a marker uses that font, and every letter's first page has one:
        so when exactly ``count`` pages use it, the first of them page one,
        they are the letters' first pages, in order. Anything else (a letter
        that itself uses the font, a build that draws it as outlines) returns
        None. The font is looked up in the page resources, not in the text:
        extracting the text of pages whose letters are drawn as outlines
        takes seconds per page.
        """
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        pages = reader.pages
        starts = [
            number for number, page in enumerate(pages) if self._uses_marker_font(page)
        ]
        if len(starts) != count or not starts or starts[0] != 0:
            return None
        ends = starts[1:] + [len(pages)]
        letters = []
        for start, end in zip(starts, ends, strict=True):
            writer = PdfFileWriter()
            for number in range(start, end):
                writer.add_page(pages[number])
            stream = io.BytesIO()
            writer.write(stream)
            letters.append(stream.getvalue())
        return letters

    @api.model
    def _has_marker(self, pdf):
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        return any(self._uses_marker_font(page) for page in reader.pages)

    @api.model
    def _uses_marker_font(self, page):
        fonts = page.get("/Resources", {}).get("/Font", {})
        for font in fonts.values():
            name = str(font.get_object().get("/BaseFont", ""))
            # Embedded subsets are named "/ABCDEF+DejaVuSansMono".
            if name.lstrip("/").split("+")[-1] == MARKER_FONT:
                return True
        return False

    def _ensure_portal_tokens(self, comms):
        """Give the listed invoices their portal token in one statement.

        The e-mail links every invoice to the portal; creating the tokens one
        by one through ``account.move.write`` costs five queries per invoice.
        """
        moves = comms.invoice_line_ids.move_id
        if not moves:
            return
        self.env["account.move"].flush_model(["access_token"])
        self.env.cr.execute(
            SQL(
                """
                UPDATE account_move
                   SET access_token = gen_random_uuid()::text
                 WHERE id = ANY(%s) AND access_token IS NULL
                """,
                moves.ids,
            )
        )
        moves.invalidate_recordset(["access_token"])

    def _queue_mails(self, comms):
        """Queue one e-mail per communication, its letter attached.

        One ``send_mail_batch`` per mail template: the template's body is
        compiled once and rendered for all its communications (per language),
        instead of being compiled again for every e-mail.
        """
        default = self.env.ref("debiteur_dunning.mail_template_dunning")
        by_template = defaultdict(lambda: self.env["debiteur.communication"])
        for comm in comms:
            by_template[comm.level_id.mail_template_id or default] |= comm
        for template, group in by_template.items():
            mails = template.send_mail_batch(
                group.ids,
                force_send=False,
                email_values={"auto_delete": False},
                email_layout_xmlid="mail.mail_notification_light",
            )
            for comm, mail in zip(group, mails, strict=True):
                mail.write(
                    {
                        "recipient_ids": [fields.Command.set(comm.recipient_id.ids)],
                        "attachment_ids": [fields.Command.set(comm.attachment_id.ids)],
                    }
                )
                comm.sudo().mail_id = mail
            group.sudo().write({"state": "queued"})

    def _schedule_call(self, comm):
        user = (
            comm.partner_id.debiteur_user_id
            or comm.company_id.debiteur_user_id
            or self.env.user
        )
        comm.activity_schedule(
            "mail.mail_activity_data_call",
            date_deadline=comm.date,
            summary=self.env._(
                "Call %(partner)s about overdue invoices (%(level)s)",
                partner=comm.partner_id.display_name,
                level=comm.level_id.name,
            ),
            user_id=user.id,
        )
        comm.sudo().write({"state": "sent", "sent_date": comm.date})

    def _merge_letters_for_print(self, runs):
        """The run's letters that go by post, sorted by debtor, merged into
        print files of at most PRINT_FILE_LETTERS letters, replacing the run's
        previous ones (a run whose letters are sent in several steps still
        prints them all). One file at a time is held in memory: a scheduler
        run of thousands of letters would otherwise hold them all at once."""
        Attachment = self.env["ir.attachment"]
        Report = self.env["ir.actions.report"]
        for run in runs:
            letters = run.communication_ids.filtered(
                lambda c: (
                    c.channel in ("letter", "email_letter")
                    and c.state != "cancelled"
                    and c.attachment_id.mimetype == "application/pdf"
                )
            ).sorted(lambda c: (c.partner_id.name or "", c.id))
            previous = run.letter_attachment_ids | run.letter_attachment_id
            chunks = list(split_every(PRINT_FILE_LETTERS, letters.ids, letters.browse))
            files = Attachment
            for number, chunk in enumerate(chunks, start=1):
                streams = [io.BytesIO(c.attachment_id.raw) for c in chunk]
                merged = Report._merge_pdfs(streams).getvalue()
                for stream in streams:
                    stream.close()
                if len(chunks) == 1:
                    name = self.env._("Letters to print %(date)s.pdf", date=run.date)
                else:
                    name = self.env._(
                        "Letters to print %(date)s (%(part)s of %(parts)s).pdf",
                        date=run.date,
                        part=number,
                        parts=len(chunks),
                    )
                files |= Attachment.create(
                    {
                        "name": name,
                        "raw": merged,
                        "mimetype": "application/pdf",
                        "res_model": run._name,
                        "res_id": run.id,
                    }
                )
                del merged
                # Let the letters' and the file's contents go.
                chunk.attachment_id.invalidate_recordset(["raw", "datas"])
                files.invalidate_recordset(["raw", "datas"])
            run.sudo().write(
                {
                    "letter_attachment_ids": [fields.Command.set(files.ids)],
                    "letter_attachment_id": files[:1].id,
                }
            )
            previous.unlink()

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

    @api.model
    def _cron_process(self):
        """The daily scheduler: every company, in committed batches of debtors.

        A company that fails is rolled back to its last committed batch, its run
        records the error, and the scheduler goes on with the next company.
        """
        auto_commit = not getattr(threading.current_thread(), "testing", False)
        started = time.monotonic()
        today = fields.Date.context_today(self)
        companies = self.env["debiteur.policy"].search([]).company_id
        total_done = total_remaining = 0
        for company in companies:
            try:
                done, remaining = self._cron_company_safe(
                    company.with_company(company), today, auto_commit, started
                )
            except Exception as exc:  # noqa: BLE001 logged and recorded on the run
                _logger.exception(
                    "Dunning scheduler: company %s failed; going on with the next",
                    company.id,
                )
                self._cron_record_error(company, today, exc, auto_commit)
                continue
            total_done += done
            total_remaining += remaining
            if remaining:
                break
        if not total_remaining:
            self.env["debiteur.case"].sudo()._cron_check_promises(today)
        self.env["ir.cron"]._notify_progress(done=total_done, remaining=total_remaining)
        return total_remaining

    def _cron_company_safe(self, company, today, auto_commit, started):
        """``_cron_company``, undone up to its last commit when it fails."""
        if auto_commit:
            try:
                return self._cron_company(company, today, auto_commit, started)
            except Exception:
                self.env.cr.rollback()
                raise
            finally:
                self.env.invalidate_all()
        try:
            with self.env.cr.savepoint():
                return self._cron_company(company, today, auto_commit, started)
        finally:
            self.env.invalidate_all()

    def _cron_run_of(self, company, today):
        # Evidence: the run is written by the engine only.
        Run = self.env["debiteur.run"].with_company(company).sudo()
        return Run.search(
            [
                ("company_id", "=", company.id),
                ("date", "=", today),
                ("trigger", "=", "cron"),
            ],
            limit=1,
        ) or Run.create({"date": today, "company_id": company.id, "trigger": "cron"})

    def _cron_record_error(self, company, today, exc, auto_commit, batch=None):
        """Record on the company's run of the day that the scheduler failed
        (for a whole company, or only for ``batch``, the debtors' ids)."""
        run = self._cron_run_of(company, today)
        error = "%s: %s" % (type(exc).__name__, exc)
        if batch is None:
            message = self.env._(
                "Scheduler failed for this company: %(error)s", error=error
            )
            run.state = "failed"
        else:
            message = self.env._(
                "Batch of %(count)s debtor(s) skipped after an error: %(error)s "
                "(debtor ids: %(ids)s).",
                count=len(batch),
                error=error,
                ids=", ".join(str(i) for i in batch),
            )
        run.error_count += 1
        run._log(message)
        if auto_commit:
            self.env.cr.commit()  # pylint: disable=invalid-commit
        return run

    def _cron_company(self, company, today, auto_commit, started):
        self = self.with_company(company)
        run = self._cron_run_of(company, today)
        # The debtors to look at: those with an overdue invoice, less those
        # this run has written to already (a call that resumes a run).
        debtors = self._candidate_partner_ids(today, company, run)
        done = 0
        for batch in split_every(CRON_BATCH_SIZE, debtors):
            if not self._lock_company(company, raise_if_busy=False):
                run._log(self.env._("Another run is busy; the scheduler will retry."))
                return done, len(debtors) - done
            # Each batch is its own transaction and proposes for its own
            # debtors: payments committed since the run started are respected,
            # and the whole company's proposals are never held at once. A batch
            # that fails is rolled back alone, recorded on the run and skipped.
            try:
                with self.env.cr.savepoint():
                    self._cron_batch(run, company, today, batch)
            except Exception as exc:  # noqa: BLE001 logged and recorded on the run
                _logger.exception(
                    "Dunning scheduler: run %s, a batch of %s debtors failed",
                    run.id,
                    len(batch),
                )
                self.env.invalidate_all()
                self._cron_record_error(company, today, exc, False, batch=batch)
            done += len(batch)
            self.env["ir.cron"]._notify_progress(
                done=done, remaining=len(debtors) - done
            )
            if auto_commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit
            # Start each batch with an empty cache: the letters rendered so far
            # (their PDFs) would otherwise stay in memory for the whole run.
            self.env.invalidate_all()
            if done < len(debtors) and time.monotonic() - started > CRON_TIME_BUDGET:
                return done, len(debtors) - done
        self._merge_letters_for_print(run)
        run.state = "review" if run.draft_count else "done"
        run._log(self.env._("Scheduler: %(count)s debtor(s) handled.", count=done))
        # Cases for invoices that became overdue overnight.
        self.env["debiteur.case"].sudo()._sync_company(company, today)
        if auto_commit:
            self.env.cr.commit()  # pylint: disable=invalid-commit
        return done, 0

    def _cron_batch(self, run, company, today, batch):
        proposals = [
            p
            for p in self._compute_proposals(today, company, partner_ids=batch)
            if p.selectable
        ]
        comms = self._apply(run, proposals, send=False)
        to_send = comms.filtered(lambda c: c.policy_id.auto_send)
        self._send_communications(to_send, merge_letters=False, fresh=True)
