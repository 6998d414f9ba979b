"""Customer invoices under dunning: levels, blocks, the claim, cases,
arrangements, handoffs and VAT relief."""

from collections import defaultdict
from decimal import Decimal

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from . import account_move_sequence as bulk
from .debiteur_handoff import OPEN_STATES
from .debiteur_legal import _money, _quantize
from .debiteur_proof_mixin import GROUP_USER, require_group
from .debiteur_vat_relief import FOLLOWED_STATES

BLOCK_FIELDS = ("debiteur_blocked", "debiteur_block_reason", "debiteur_block_until")

USER_GROUP = "debiteur_dunning.group_debiteur_user"


class AccountMove(models.Model):
    _inherit = "account.move"

    # ----------------------------------------------------------------------
    # Dunning
    # ----------------------------------------------------------------------

    debiteur_communication_line_ids = fields.One2many(
        "debiteur.communication.line",
        "move_id",
        string="Dunning History",
        readonly=True,
    )
    debiteur_level_id = fields.Many2one(
        "debiteur.level",
        string="Dunning Level",
        compute="_compute_debiteur_level",
        store=True,
        index=True,
        copy=False,
        groups="base.group_user",
        help="The highest level of the reminders this invoice got.",
    )
    debiteur_last_date = fields.Date(
        string="Last Reminder",
        compute="_compute_debiteur_level",
        store=True,
        copy=False,
        groups="base.group_user",
    )
    debiteur_blocked = fields.Boolean(
        string="Dunning Blocked",
        copy=False,
        tracking=True,
        index=True,
        groups="base.group_user",
        help="Disputed or on hold: no reminders for this invoice.",
    )
    debiteur_block_reason = fields.Char(
        string="Block Reason", copy=False, tracking=True, groups="base.group_user"
    )
    debiteur_block_until = fields.Date(
        string="Blocked Until",
        copy=False,
        tracking=True,
        groups="base.group_user",
        help="Reminders resume on this date. Leave empty to block until unblocked.",
    )
    debiteur_communication_count = fields.Integer(
        compute="_compute_debiteur_communication_count"
    )

    @api.depends(
        "debiteur_communication_line_ids.state",
        "debiteur_communication_line_ids.escalated",
        "debiteur_communication_line_ids.level_id",
        "debiteur_communication_line_ids.communication_id.sent_date",
    )
    def _compute_debiteur_level(self):
        reached = ("queued", "sent", "printed", "failed")
        # The communications of all the invoices at once, not per invoice.
        self.debiteur_communication_line_ids.communication_id.fetch(
            ["state", "sent_date"]
        )
        for move in self:
            lines = move.debiteur_communication_line_ids.filtered(
                lambda line: line.escalated and line.state in reached
            )
            top = lines.sorted(
                lambda line: (line.level_id.sequence, line.level_id.delay_days)
            )[-1:]
            move.debiteur_level_id = top.level_id
            sent_dates = [
                d
                for d in lines.communication_id.filtered(
                    lambda c: c.state in ("sent", "printed")
                ).mapped("sent_date")
                if d
            ]
            move.debiteur_last_date = max(sent_dates) if sent_dates else False

    def _compute_debiteur_communication_count(self):
        counts = dict(
            self.env["debiteur.communication.line"]._read_group(
                [("move_id", "in", self.ids), ("state", "!=", "cancelled")],
                ["move_id"],
                ["communication_id:count_distinct"],
            )
        )
        for move in self:
            move.debiteur_communication_count = counts.get(move, 0)

    @api.model_create_multi
    def create(self, vals_list):
        if any(vals.get(fname) for vals in vals_list for fname in BLOCK_FIELDS):
            self._debiteur_check_block_rights()
        return super().create(vals_list)

    def write(self, vals):
        if (
            vals.keys() == {"checked"}
            and bulk.bulk_state(self)
            and all(move.checked == vals["checked"] for move in self)
        ):
            # _post's flag on the entries of ``bulk_posting``, already set at
            # creation: a write that would change nothing (the write date is
            # the transaction's, as at creation).
            return True
        if any(fname in vals for fname in BLOCK_FIELDS):
            self._debiteur_check_block_rights()
        result = super().write(vals)
        if not vals.keys().isdisjoint(("debiteur_blocked", "debiteur_block_until")):
            # A blocked invoice makes its debtor no collection candidate.
            self._debiteur_case_sync()
        return result

    def _debiteur_check_block_rights(self):
        if self.env.su or self.env.user.has_group(GROUP_USER):
            return
        raise AccessError(
            self.env._("Only dunning users can block or unblock dunning of invoices.")
        )

    def action_debiteur_block(self):
        """Open the dialog that blocks dunning for these invoices with a reason."""
        require_group(self.env, GROUP_USER)
        invoices = self.filtered(lambda m: m.move_type == "out_invoice")
        if not invoices:
            raise UserError(self.env._("Only customer invoices can be blocked."))
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Block Dunning"),
            "res_model": "debiteur.block.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_move_ids": invoices.ids},
        }

    def _debiteur_block(self, reason, until=False):
        if not reason or not reason.strip():
            raise UserError(self.env._("Give a reason for blocking dunning."))
        self.write(
            {
                "debiteur_blocked": True,
                "debiteur_block_reason": reason.strip(),
                "debiteur_block_until": until or False,
            }
        )

    def action_debiteur_unblock(self):
        require_group(self.env, GROUP_USER)
        self.filtered("debiteur_blocked").write(
            {
                "debiteur_blocked": False,
                "debiteur_block_reason": False,
                "debiteur_block_until": False,
            }
        )
        return True

    def action_debiteur_view_communications(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "debiteur_dunning.action_debiteur_communication"
        )
        action["domain"] = [("line_ids.move_id", "=", self.id)]
        return action

    @api.model
    def _debiteur_not_paused_domain(self, date):
        """The domain of the invoices whose dunning is NOT paused on ``date``.

        The engine asks this instead of knowing the features that pause
        dunning: a block (until its end date, if any; a disputed invoice is
        blocked), an active payment arrangement, an open collection-agency
        handoff. A feature that pauses dunning adds its condition here.
        """
        return [
            ("debiteur_arrangement_id", "=", False),
            ("debiteur_handoff_id", "=", False),
            "|",
            ("debiteur_blocked", "=", False),
            ("debiteur_block_until", "<=", date),
        ]

    # ----------------------------------------------------------------------
    # VAT relief
    # ----------------------------------------------------------------------

    debiteur_vat_relief_ids = fields.One2many(
        "debiteur.vat.relief",
        "move_id",
        string="VAT Reliefs",
        readonly=True,
        groups="debiteur_dunning.group_debiteur_user",
    )
    debiteur_vat_relief_origin_id = fields.Many2one(
        "debiteur.vat.relief",
        string="VAT Relief of Entry",
        index="btree_not_null",
        readonly=True,
        copy=False,
        help="The VAT relief this journal entry books.",
    )
    debiteur_vat_relief_state = fields.Selection(
        [
            ("eligible", "Eligible"),
            ("relieved", "VAT Reclaimed"),
            ("recharged", "Paid, VAT Due Again"),
            ("written_off", "Written Off"),
        ],
        string="VAT Relief",
        compute="_compute_debiteur_vat_relief",
        compute_sudo=True,
    )
    debiteur_vat_relief_date = fields.Date(
        string="VAT Reclaimable From",
        compute="_compute_debiteur_vat_relief",
        compute_sudo=True,
        help="From this date the VAT of the unpaid part may be reclaimed without "
        "proof (empty: only on a confirmation with evidence).",
    )

    @api.depends(
        "invoice_date_due",
        "company_id.debiteur_vat_relief_mode",
        "debiteur_vat_relief_ids.state",
        "debiteur_vat_relief_ids.eligible_date",
    )
    def _compute_debiteur_vat_relief(self):
        for move in self:
            relief = move.debiteur_vat_relief_ids.filtered(
                lambda r: r.state != "cancelled"
            )[:1]
            move.debiteur_vat_relief_state = relief.state if relief else False
            move.debiteur_vat_relief_date = (
                relief.eligible_date
                if relief
                else move.move_type == "out_invoice"
                and move.company_id._debiteur_vat_relief_eligible_date(
                    move.invoice_date_due
                )
            )

    def action_debiteur_vat_relief(self):
        """Open the dialog that reclaims the VAT of these unpaid invoices."""
        self.env["debiteur.vat.relief"]._debiteur_check_invoices(self)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Reclaim VAT"),
            "res_model": "debiteur.vat.relief.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_move_ids": self.ids},
        }

    def action_debiteur_view_vat_relief(self):
        self.ensure_one()
        reliefs = self.debiteur_vat_relief_ids
        action = {
            "type": "ir.actions.act_window",
            "name": self.env._("VAT Relief"),
            "res_model": "debiteur.vat.relief",
            "view_mode": "list,form",
            "domain": [("move_id", "=", self.id)],
            "context": {"create": False},
        }
        active = reliefs.filtered(lambda r: r.state != "cancelled")[:1]
        if active:
            action.update(view_mode="form", res_id=active.id)
        return action

    def _debiteur_vat_relief_followed(self):
        """The reliefs of these invoices that follow their payments."""
        invoices = self.filtered(lambda m: m.move_type == "out_invoice")
        if not invoices:
            return self.env["debiteur.vat.relief"]
        # Payments are registered by accountants without access to the reliefs:
        # following them is bookkeeping of the module, not a user action.
        return (
            self.env["debiteur.vat.relief"]
            .sudo()
            .search([("move_id", "in", invoices.ids), ("state", "in", FOLLOWED_STATES)])
        )

    # ----------------------------------------------------------------------
    # Payment arrangements
    # ----------------------------------------------------------------------

    debiteur_arrangement_invoice_ids = fields.One2many(
        "debiteur.arrangement.invoice",
        "move_id",
        string="Arrangements",
        readonly=True,
        copy=False,
    )
    debiteur_arrangement_id = fields.Many2one(
        "debiteur.arrangement",
        string="Payment Arrangement",
        compute="_compute_debiteur_arrangement_id",
        store=True,
        index=True,
        copy=False,
        help="The active payment arrangement: while it runs, no reminders.",
    )

    @api.depends("debiteur_arrangement_invoice_ids.state")
    def _compute_debiteur_arrangement_id(self):
        for move in self:
            active = move.debiteur_arrangement_invoice_ids.filtered(
                lambda row: row.state == "active"
            )
            move.debiteur_arrangement_id = active.arrangement_id[:1]

    def action_debiteur_arrangement(self):
        """Open "Make a Payment Arrangement" on the selected invoices."""
        invoices = self.filtered(
            lambda m: m.move_type == "out_invoice" and m.state == "posted"
        )
        if not invoices:
            raise UserError(
                self.env._("Select posted customer invoices of one debtor.")
            )
        return self.env["debiteur.arrangement.wizard"]._action_open(invoices)

    # ----------------------------------------------------------------------
    # The claim: interest, costs, charges
    # The claim of each customer invoice: interest due, total, prescription date.
    #
    # Shown as of today, or as of any date put in the context as ``debiteur_as_of``
    # (``invoices.with_context(debiteur_as_of="2026-09-01")``). Never stored: they
    # depend on the day.
    #
    # Also the one answer to "which collection costs and interest of this claim were
    # already charged" (:meth:`AccountMove._debiteur_charges`): the engine's
    # proposal and letter, the costs invoice of a reminder, the arrangement wizard,
    # the debtor's claim figures and the collection dossier all deduct it.
    # ----------------------------------------------------------------------

    debiteur_interest_due = fields.Monetary(
        string="Interest Due",
        compute="_compute_debiteur_claim",
        currency_field="currency_id",
        groups=USER_GROUP,
        help="Interest on the open amount from the day after the due date up to "
        "today (or the chosen date), under the debtor's dunning policy.",
    )
    debiteur_claim_total = fields.Monetary(
        string="Total Claim",
        compute="_compute_debiteur_claim",
        currency_field="currency_id",
        groups=USER_GROUP,
        help="Open amount plus interest due.",
    )
    debiteur_prescription_date = fields.Date(
        string="Prescription Date",
        compute="_compute_debiteur_claim",
        groups=USER_GROUP,
        help="Last day to enforce the claim: 5 years after the due date (2 for a "
        "consumer sale), restarted by every written reminder sent.",
    )
    debiteur_cost_communication_ids = fields.One2many(
        "debiteur.communication",
        "cost_move_id",
        string="Costs of Reminder",
        readonly=True,
        groups=USER_GROUP,
    )
    debiteur_claims_arrangement_ids = fields.One2many(
        "debiteur.arrangement",
        "claims_move_id",
        string="Charges of Arrangement",
        readonly=True,
        groups=USER_GROUP,
    )
    debiteur_is_cost_invoice = fields.Boolean(
        string="Costs Invoice",
        compute="_compute_debiteur_is_cost_invoice",
        store=True,
        index=True,
        help="This invoice charges the collection costs and interest of a "
        "reminder, or the interest, costs and fee of a payment arrangement: no "
        "further costs or interest are computed on it, and it is no principal.",
    )

    @api.depends("debiteur_cost_communication_ids", "debiteur_claims_arrangement_ids")
    def _compute_debiteur_is_cost_invoice(self):
        for move in self:
            sudo_move = move.sudo()
            move.debiteur_is_cost_invoice = bool(
                sudo_move.debiteur_cost_communication_ids
                or sudo_move.debiteur_claims_arrangement_ids
            )

    @api.model
    def _debiteur_as_of(self):
        """The date the claims are computed for: the context's, or today."""
        as_of = self.env.context.get("debiteur_as_of")
        return fields.Date.to_date(as_of) if as_of else fields.Date.context_today(self)

    @api.depends(
        "move_type",
        "state",
        "amount_residual",
        "invoice_date_due",
        "commercial_partner_id",
        "debiteur_communication_line_ids.state",
        "debiteur_communication_line_ids.communication_id.sent_date",
    )
    @api.depends_context("debiteur_as_of", "company")
    def _compute_debiteur_claim(self):
        as_of = self._debiteur_as_of()
        invoices = self.filtered(
            lambda m: m.move_type == "out_invoice" and m.state == "posted"
        )._origin
        claims = self._debiteur_claims(invoices, as_of)
        for move in self:
            claim = claims.get(move._origin.id)
            is_open = move.currency_id.compare_amounts(move.amount_residual, 0.0) > 0
            if not claim or not is_open:
                move.debiteur_interest_due = 0.0
                move.debiteur_claim_total = 0.0
                move.debiteur_prescription_date = False
                continue
            # No interest on a costs invoice: ``_invoice_claims`` gives it none.
            interest = claim["interest"]
            move.debiteur_interest_due = float(interest)
            move.debiteur_claim_total = move.currency_id.round(
                move.amount_residual + float(interest)
            )
            move.debiteur_prescription_date = claim["prescription_date"]

    @api.model
    def _debiteur_claims(self, invoices, as_of, policy_by_partner=None):
        """The claim of each invoice (``debiteur.claim._invoice_claims``):
        one call for all of them, that does not fail a whole screen."""
        claims = self.env["debiteur.claim"]._invoice_claims(
            invoices, as_of, policy_by_partner
        )
        claims.pop("__error__", None)
        missing = invoices.filtered(lambda m: m.id not in claims)
        if missing:
            # No interest without rates, but a prescription date all the same.
            claims.update(
                self.env["debiteur.legal"]._invoice_claims(missing, as_of, {})
            )
        return claims

    @api.model
    def _debiteur_charges(
        self, company, moves, exclude_communications=None, communications=None
    ):
        """What of the claims on ``moves`` was already charged, per debtor.

        The one place that answers it: collection costs are claimed once per
        claim (WIK, art. 6:96 BW; the Belgian compensation and damages alike)
        and interest already invoiced is not claimed again.

        ``moves``: the invoices of the claims (of ``company``: only its
        reminders and arrangements are searched), the principal
        invoices and the costs invoices (``debiteur_is_cost_invoice``) listed
        with them. Counted, for each debtor:

        - every costs invoice that charges costs or interest of the claim, while
          it stands (posted, neither cancelled nor reversed): the costs invoice
          of a reminder that listed one of the principal invoices, the charges
          invoice of a payment arrangement that covered one, and any costs
          invoice in ``moves``. Its costs are untaxed and include an
          arrangement fee.
        - what was waived on a reminder of the claim (``waived_costs_amount``,
          ``waived_interest_amount``), its costs invoice reversed by the waiver
          or never made: a waiver is a choice, not a reset, so the statutory
          costs it gave up do not become claimable again. A costs invoice
          cancelled or credited without a waiver is a correction: it counts
          no more.

        ``exclude_communications``: reminders left out (the one being invoiced).
        ``communications``: the reminders that charged or waived something of
        these claims, when the caller has read them (``debiteur.claim``'s
        facts), instead of searching them here.

        Returns ``{commercial partner id: {"costs", "interest" (Decimals, company
        currency: everything charged, waived included), "waived_costs",
        "waived_interest" (the waived part of them), "moves" (the standing
        costs invoices), "by_move" ({move id: {"interest", "costs", "origins"}}
        in the move's currency)}}``; a debtor with nothing charged is left
        out (see :meth:`_debiteur_no_charges`). Two searches (one with
        ``communications``), whatever the number of debtors.
        """
        if not moves:
            return {}
        currency = company.currency_id
        cost_moves = moves.filtered("debiteur_is_cost_invoice")
        principal_moves = moves - cost_moves
        comm_fields = [
            "partner_id",
            "name",
            "cost_move_id",
            "invoiced_costs_amount",
            "invoiced_interest_amount",
            "costs_waived",
            "interest_waived",
            "waived_costs_amount",
            "waived_interest_amount",
        ]
        if communications is None:
            excluded = exclude_communications.ids if exclude_communications else []
            comms = self.env["debiteur.communication"].search_fetch(
                [
                    ("company_id", "=", company.id),
                    ("id", "not in", excluded),
                    "|",
                    "|",
                    ("cost_move_id", "!=", False),
                    ("costs_waived", "=", True),
                    ("interest_waived", "=", True),
                    "|",
                    ("invoice_line_ids.move_id", "in", principal_moves.ids),
                    ("cost_move_id", "in", cost_moves.ids),
                ],
                comm_fields,
                order="id",
            )
        else:
            comms = communications
            comms.fetch(comm_fields)
        arrangements = self.env["debiteur.arrangement"].search_fetch(
            [
                ("company_id", "=", company.id),
                ("claims_move_id", "!=", False),
                "|",
                ("invoice_ids.move_id", "in", principal_moves.ids),
                ("claims_move_id", "in", cost_moves.ids),
            ],
            [
                "partner_id",
                "name",
                "claims_move_id",
                "claims_mode",
                "interest_amount",
                "costs_amount",
                "fee_amount",
            ],
            order="id",
        )
        (comms.cost_move_id | arrangements.claims_move_id).fetch(
            [
                "state",
                "payment_state",
                "currency_id",
                "amount_total",
                "amount_total_signed",
            ]
        )
        result = defaultdict(self._debiteur_no_charges)

        def standing(move):
            return move.state == "posted" and move.payment_state != "reversed"

        def add(debtor, move, interest, costs, origin):
            charges = result[debtor.commercial_partner_id.id]
            charges["moves"] |= move
            entry = charges["by_move"].setdefault(
                move.id, {"interest": 0.0, "costs": 0.0, "origins": []}
            )
            entry["interest"] += interest
            entry["costs"] += costs
            entry["origins"].append(origin)

        for comm in comms:
            move = comm.cost_move_id
            invoiced_costs = invoiced_interest = 0.0
            if move and standing(move):
                invoiced_costs = comm.invoiced_costs_amount
                invoiced_interest = comm.invoiced_interest_amount
                add(comm.partner_id, move, invoiced_interest, invoiced_costs, comm.name)
            # What was waived beyond what a standing invoice still holds.
            charges = result[comm.partner_id.commercial_partner_id.id]
            if comm.costs_waived:
                waived = max(comm.waived_costs_amount - invoiced_costs, 0.0)
                charges["waived_costs"] += _money(waived, currency)
            if comm.interest_waived:
                waived = max(comm.waived_interest_amount - invoiced_interest, 0.0)
                charges["waived_interest"] += _money(waived, currency)
        for arrangement in arrangements:
            move = arrangement.claims_move_id
            if not standing(move):
                continue
            included = arrangement.claims_mode == "include"
            add(
                arrangement.partner_id,
                move,
                arrangement.interest_amount if included else 0.0,
                (arrangement.costs_amount if included else 0.0)
                + arrangement.fee_amount,
                arrangement.name,
            )
        for charges in result.values():
            interest = charges["waived_interest"]
            costs = charges["waived_costs"]
            for move in charges["moves"]:
                entry = charges["by_move"][move.id]
                rate = (
                    Decimal(str(move.amount_total_signed))
                    / Decimal(str(move.amount_total))
                    if move.amount_total
                    else Decimal(1)
                )
                interest += _quantize(
                    _money(entry["interest"], move.currency_id) * rate, currency
                )
                costs += _quantize(
                    _money(entry["costs"], move.currency_id) * rate, currency
                )
            charges["interest"] = interest
            charges["costs"] = costs
        return {
            debtor: charges
            for debtor, charges in result.items()
            if charges["costs"] > 0 or charges["interest"] > 0 or charges["moves"]
        }

    @api.model
    def _debiteur_no_charges(self):
        """The value of :meth:`_debiteur_charges` for a debtor with nothing
        charged."""
        return {
            "costs": Decimal(0),
            "interest": Decimal(0),
            "waived_costs": Decimal(0),
            "waived_interest": Decimal(0),
            "moves": self.env["account.move"],
            "by_move": {},
        }

    # ----------------------------------------------------------------------
    # Cases and cockpit figures
    # ----------------------------------------------------------------------

    debiteur_days_overdue = fields.Integer(
        string="Days Overdue", compute="_compute_debiteur_days_overdue"
    )

    @api.depends("invoice_date_due", "payment_state")
    def _compute_debiteur_days_overdue(self):
        today = fields.Date.context_today(self)
        for move in self:
            due = move.invoice_date_due
            open_ = move.payment_state in ("not_paid", "partial")
            move.debiteur_days_overdue = (
                max((today - due).days, 0) if due and open_ else 0
            )

    # ----------------------------------------------------------------------
    # Posting a batch of entries (``account_move_sequence.bulk_posting``)
    # ----------------------------------------------------------------------
    @api.depends(
        "posted_before", "state", "journal_id", "date", "move_type", "origin_payment_id"
    )
    def _compute_name(self):
        # Odoo numbers the entries of one call in date order, but the ORM
        # calls it 1,000 entries at a time: numbers are taken from one another
        # within a call only.
        state = bulk.current_state(self.env)
        if state:
            state["last"] = {}
        return super()._compute_name()

    def _set_next_sequence(self):
        state = bulk.bulk_state(self)
        if state is None:
            return super()._set_next_sequence()
        state["current"] = self.id
        try:
            result = super()._set_next_sequence()
        finally:
            state["current"] = None
        state["last"][bulk.sequence_key(self)] = self.name
        return result

    def _get_last_sequence(self, relaxed=False, with_prefix=None):
        state = bulk.current_state(self.env)
        if (
            state
            and not relaxed
            and with_prefix is None
            and state["current"] == self.id
        ):
            last = state["last"].get(bulk.sequence_key(self))
            if last:
                return last
        return super()._get_last_sequence(relaxed=relaxed, with_prefix=with_prefix)

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        posted._debiteur_case_sync()
        return posted

    def button_draft(self):
        result = super().button_draft()
        self._debiteur_case_sync()
        return result

    def button_cancel(self):
        result = super().button_cancel()
        self._debiteur_case_sync()
        return result

    def _debiteur_case_sync(self):
        """Keep the debtors' cases exact when their invoices change.

        A case is bookkeeping that follows from the accounting: whoever may post
        or reconcile an invoice updates the case, hence ``sudo``.
        """
        moves = self.filtered(lambda m: m.is_sale_document(include_receipts=True))
        Sync = self.env["debiteur.case.sync"].sudo()
        for company in moves.company_id:
            company_moves = moves.filtered(lambda m, c=company: m.company_id == c)
            Sync._sync_partners(company_moves.commercial_partner_id, company)

    # ----------------------------------------------------------------------
    # Collection-agency handoff
    # ----------------------------------------------------------------------

    debiteur_handoff_invoice_ids = fields.One2many(
        "debiteur.handoff.invoice",
        "move_id",
        string="Collection Handoffs",
        readonly=True,
        copy=False,
        groups="debiteur_dunning.group_debiteur_manager",
    )
    debiteur_handoff_id = fields.Many2one(
        "debiteur.handoff",
        string="Collection Handoff",
        compute="_compute_debiteur_handoff_id",
        store=True,
        compute_sudo=True,
        index="btree_not_null",
        copy=False,
        help="The open collection-agency handoff: while it runs, no reminders.",
    )
    debiteur_at_agency = fields.Boolean(
        string="At Collection Agency",
        compute="_compute_debiteur_handoff_id",
        store=True,
        compute_sudo=True,
        copy=False,
    )

    @api.depends("debiteur_handoff_invoice_ids.state")
    def _compute_debiteur_handoff_id(self):
        for move in self:
            rows = move.debiteur_handoff_invoice_ids.filtered(
                lambda row: row.state in OPEN_STATES
            )
            move.debiteur_handoff_id = rows.handoff_id[:1]
            move.debiteur_at_agency = bool(rows)

    def action_debiteur_handoff(self):
        """Open the handoff wizard on the selected invoices."""
        return self.env["debiteur.handoff.wizard"]._action_open(moves=self)
