"""What a claim rests on besides its invoices, read once for all its rules.

``debiteur.claim`` (the claim assembler) applies many rules to the same
facts: the reminders that listed the invoices (their legal terms, the costs
they stated, when they were received), the costs invoices and waivers, the
payments reconciled with the invoices. :class:`ClaimFacts` reads each kind
of fact in one query, the first time a rule asks for it, whatever the number
of debtors, invoices and rules; each rule then picks its part in Python.
The ``*_FIELDS`` lists say what the claim reads of each kind of record, so
that a caller that reads those records anyway (the debtor's page) reads them
once.
"""

from functools import cached_property

from odoo import fields
from odoo.osv import expression

from .debiteur_legal import WRITTEN_STATES, _money

# Reminders whose term counts: they left (or are leaving) the company.
DELIVERED_STATES = ("queued", "sent", "printed")
# What the claim reads of the invoices, the policies, the levels and the
# reminders: each in one query, however many rules use them.
MOVE_FIELDS = [
    "name",
    "company_id",
    "commercial_partner_id",
    "currency_id",
    "state",
    "payment_state",
    "amount_total",
    "amount_total_signed",
    "amount_residual",
    "amount_residual_signed",
    "invoice_date_due",
    "debiteur_level_id",
    "debiteur_is_cost_invoice",
]
POLICY_FIELDS = [
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
    "costs_vat_surcharge",
    "consumer_sale",
    "prescription_kind",
    "be_express_clause",
    "be_recurring_contract_fee",
]
LEVEL_FIELDS = [
    "name",
    "policy_id",
    "sequence",
    "delay_days",
    "charge_costs",
    "charge_interest",
    "fee_amount",
]
COMM_FIELDS = [
    "name",
    "partner_id",
    "state",
    "channel",
    "date",
    "sent_date",
    "level_id",
    "legal_deadline",
    "costs_amount",
    "cost_move_id",
    "invoiced_costs_amount",
    "invoiced_interest_amount",
    "costs_waived",
    "interest_waived",
    "waived_costs_amount",
    "waived_interest_amount",
]


class ClaimFacts:
    """What the claims on some invoices rest on besides the invoices: the
    reminders that listed them or charged or waived something on them, and
    the payments reconciled with them. Each kind is read once, when a rule
    first asks for it (one query for the reminders, one for what they
    listed, one for the payments), and every rule picks its part in Python:
    a claim costs the same number of queries whatever it holds."""

    def __init__(self, env, company, moves, partners=None, comm_fields=()):
        self.env = env
        self.company = company
        self.moves = moves
        # Their reminders are read too, all of them.
        self.partners = partners if partners is not None else env["res.partner"]
        self.comm_fields = list(comm_fields)

    @cached_property
    def comms(self):
        """The reminders (of the debtors, or that listed one of the invoices,
        or that made one of them) that left, made a costs invoice or waived
        something, newest first."""
        moves = self.moves
        scope = [("line_ids.move_id", "in", moves.ids)]
        if self.partners:
            scope = expression.OR([scope, [("partner_id", "in", self.partners.ids)]])
        cost_moves = moves.filtered("debiteur_is_cost_invoice")
        if cost_moves:
            scope = expression.OR([scope, [("cost_move_id", "in", cost_moves.ids)]])
        company = self.company or moves.company_id
        return self.env["debiteur.communication"].search_fetch(
            expression.AND(
                [
                    [("company_id", "in", company.ids)],
                    scope,
                    [
                        "|",
                        "|",
                        "|",
                        ("state", "in", DELIVERED_STATES),
                        ("cost_move_id", "!=", False),
                        ("costs_waived", "=", True),
                        ("interest_waived", "=", True),
                    ],
                ]
            ),
            COMM_FIELDS + self.comm_fields,
            order="date desc, id desc",
        )

    @cached_property
    def listed(self):
        """``{reminder id: {move id: line type}}``: which of the invoices
        each reminder listed."""
        result = {}
        if not self.comms or not self.moves:
            return result
        lines = self.env["debiteur.communication.line"].search_fetch(
            [
                ("communication_id", "in", self.comms.ids),
                ("move_id", "in", self.moves.ids),
            ],
            ["communication_id", "move_id", "line_type"],
            order="id",
        )
        for line in lines:
            result.setdefault(line.communication_id.id, {})[line.move_id.id] = (
                line.line_type
            )
        return result

    @cached_property
    def payments(self):
        """``{move id: [(date, Decimal in the move's currency, Decimal in
        the company's)]}``: what was reconciled with each invoice, by day.
        An invoice still wholly open (``not_paid``) has none: no query for
        those."""
        result = {}
        moves = self.moves.filtered(lambda m: m.payment_state != "not_paid")
        if not moves:
            return result
        groups = self.env["account.partial.reconcile"]._read_group(
            [("debit_move_id.move_id", "in", moves.ids)],
            ["debiteur_debit_move_id", "max_date:day"],
            ["debit_amount_currency:sum", "amount:sum"],
        )
        for move, day, amount_currency, amount in groups:
            result.setdefault(move.id, []).append(
                (
                    fields.Date.to_date(day),
                    _money(amount_currency, move.currency_id),
                    _money(amount, move.company_id.currency_id),
                )
            )
        return result

    def listing(self, moves, states=DELIVERED_STATES, line_type=None):
        """The reminders in ``states`` (any state: None) that listed one of
        ``moves`` (as an invoice when ``line_type`` is ``"invoice"``), newest
        first."""
        ids = set(moves.ids)
        listed = self.listed
        return self.comms.filtered(
            lambda c: (
                (states is None or c.state in states)
                and any(
                    move_id in ids and (line_type is None or kind == line_type)
                    for move_id, kind in listed.get(c.id, {}).items()
                )
            )
        )

    def charging(self, moves, exclude=None):
        """The reminders that charged or waived something of the claim on
        ``moves`` (``account.move._debiteur_charges``): with a costs invoice
        or a waiver, that listed one of its principal invoices or made one
        of its costs invoices; by id."""
        cost_ids = set(moves.filtered("debiteur_is_cost_invoice").ids)
        principal = moves.filtered(lambda m: not m.debiteur_is_cost_invoice)
        listing = self.listing(principal, None, "invoice")
        excluded = set(exclude.ids) if exclude else set()
        return self.comms.filtered(
            lambda c: (
                c.id not in excluded
                and (c.cost_move_id or c.costs_waived or c.interest_waived)
                and (c in listing or c.cost_move_id.id in cost_ids)
            )
        ).sorted("id")

    def reminder_dates(self, moves):
        """``{move id: [date]}``: the days the debtor received the written
        reminders that listed each of ``moves`` (``debiteur.legal.
        _reminder_receipts``)."""
        written = self.comms.filtered(
            lambda c: c.state in WRITTEN_STATES and c.channel != "phone" and c.sent_date
        )
        by_move = {}
        for comm in written:
            for move_id in self.listed.get(comm.id, ()):
                by_move.setdefault(move_id, []).append(comm.id)
        Comm = self.env["debiteur.communication"]
        Legal = self.env["debiteur.legal"]
        return {
            move.id: Legal._reminder_receipts(Comm.browse(by_move[move.id]))
            for move in moves
            if move.id in by_move
        }

    def history(self, moves):
        """What was reconciled with each of ``moves``, as ``debiteur.legal.
        _invoice_claims`` takes it: ``{move id: {"paid": [(date, Decimal)],
        "credited": []}}``."""
        payments = self.payments
        return {
            move.id: {
                "paid": [(day, amount) for day, amount, _c in payments[move.id]],
                "credited": [],
            }
            for move in moves
            if move.id in payments
        }
