"""The credit manager's case: one open case per debtor and company.

A case's stage is derived from facts (invoices, reminders, arrangements,
handoffs, payments) by ``debiteur.case.sync``; the only stage moves a person
makes are real decisions: putting a case in dispute and taking it out again.
"""

import logging
from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL
from odoo.tools.misc import format_date, formatLang

from .. import analysis

_logger = logging.getLogger(__name__)

OPEN_PAYMENT_STATES = ("not_paid", "partial")
OPEN_CASE_INDEX = "debiteur_case_open_uniq"


class DebiteurCase(models.Model):
    _name = "debiteur.case"
    _description = "Debtor Case"
    _inherit = ["mail.thread", "mail.activity.mixin", "debiteur.compose.mixin"]
    _order = "priority desc, amount_overdue desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Debtor",
        required=True,
        readonly=True,
        index=True,
        ondelete="restrict",
        help="The commercial partner who owes the money.",
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        readonly=True,
        index=True,
        default=lambda self: self.env.company,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    stage_id = fields.Many2one(
        "debiteur.case.stage",
        required=True,
        index=True,
        tracking=True,
        copy=False,
        ondelete="restrict",
        group_expand="_read_group_stage_ids",
        default=lambda self: self._default_stage(),
    )
    stage_code = fields.Selection(related="stage_id.code", string="Stage Code")
    is_closed = fields.Boolean(
        compute="_compute_is_closed",
        store=True,
        precompute=True,
        index=True,
        string="Closed",
    )
    closed_date = fields.Date(readonly=True, copy=False)
    user_id = fields.Many2one(
        "res.users",
        string="Credit Controller",
        compute="_compute_user_id",
        store=True,
        readonly=False,
        index=True,
        tracking=True,
        domain="[('share', '=', False)]",
    )
    priority = fields.Selection(
        [("0", "Normal"), ("1", "High")], default="0", index=True
    )
    note = fields.Html(string="Notes")
    # Facts, kept by _sync (stored: the kanban groups, sorts and filters on them).
    amount_overdue = fields.Monetary(
        string="Overdue",
        currency_field="currency_id",
        readonly=True,
        help="Open amount of the invoices past their due date, company currency.",
    )
    amount_due = fields.Monetary(
        string="Total Due",
        currency_field="currency_id",
        readonly=True,
        help="Balance of the debtor's receivable account: open invoices minus "
        "open credit notes and unallocated payments, company currency.",
    )
    oldest_due_date = fields.Date(
        readonly=True, help="Due date of the oldest overdue invoice."
    )
    overdue_by_currency = fields.Char(
        string="Overdue per Currency",
        compute="_compute_overdue_by_currency",
        help="Open amount of the overdue invoices in each invoice currency.",
    )
    days_overdue = fields.Integer(
        compute="_compute_days_overdue",
        help="Days past the due date of the oldest overdue invoice, today.",
    )
    highest_level_id = fields.Many2one(
        "debiteur.level",
        readonly=True,
        index=True,
        help="The highest reminder level reached by the overdue invoices.",
    )
    highest_level_color = fields.Integer(related="highest_level_id.color")
    next_action_date = fields.Date(
        readonly=True,
        index=True,
        help="The promised payment date, or the first day the next reminder "
        "level can be sent.",
    )
    has_arrangement = fields.Boolean(
        string="Active Arrangement", readonly=True, copy=False
    )
    has_handoff = fields.Boolean(string="Handed Off", readonly=True, copy=False)
    handoff_candidate = fields.Boolean(
        string="Collection Candidate",
        readonly=True,
        copy=False,
        index=True,
        help="Has overdue invoices at a level ready for a collection agency that "
        "are not with an agency, not under an active arrangement and not blocked.",
    )
    disputed = fields.Boolean(readonly=True, copy=False, tracking=True)
    dispute_reason = fields.Char(copy=False, tracking=True)
    disputed_move_ids = fields.Many2many(
        "account.move",
        "debiteur_case_disputed_move_rel",
        "case_id",
        "move_id",
        string="Disputed Invoices",
        readonly=True,
        check_company=True,
        copy=False,
    )
    promise_date = fields.Date(
        string="Promised Date", readonly=True, copy=False, tracking=True
    )
    promise_amount = fields.Monetary(
        string="Promised Amount",
        currency_field="currency_id",
        readonly=True,
        copy=False,
        tracking=True,
    )
    promise_start_date = fields.Date(
        string="Promised On",
        readonly=True,
        copy=False,
        help="Payments from this day on count for the promise.",
    )
    promise_broken = fields.Boolean(
        readonly=True, copy=False, index=True, tracking=True
    )
    # Views of the debtor's file (not stored).
    invoice_ids = fields.Many2many(
        "account.move", compute="_compute_invoice_ids", string="Open Invoices"
    )
    invoice_count = fields.Integer(compute="_compute_invoice_ids")
    communication_ids = fields.Many2many(
        "debiteur.communication",
        compute="_compute_communication_ids",
        string="Reminders",
    )
    communication_count = fields.Integer(compute="_compute_communication_ids")
    debtor_page_seen = fields.Char(
        string="Debtor's Page Seen",
        compute="_compute_debtor_page_seen",
        help="When the debtor last opened the page linked from the reminders.",
    )
    dso = fields.Float(
        string="DSO (days)",
        compute="_compute_analysis",
        digits=(16, 1),
        help="Days sales outstanding: open receivables / credit sales of the "
        "last 365 days x 365.",
    )
    avg_days_late = fields.Float(
        string="Average Days Late",
        compute="_compute_analysis",
        digits=(16, 1),
        help="Invoices paid in the last 12 months: payment date minus due date, "
        "weighted by amount.",
    )
    days_late_trend = fields.Float(
        string="Trend (days)",
        compute="_compute_analysis",
        digits=(16, 1),
        help="Average days late of the last 6 months minus that of the 6 months "
        "before: above zero, the debtor pays later than before.",
    )
    company_dso = fields.Float(
        related="company_id.debiteur_dso",
        string="Company DSO (days)",
        help="The DSO of the whole company, to compare the debtor's with.",
    )
    has_days_late_trend = fields.Boolean(
        string="Has a Trend",
        compute="_compute_analysis",
        help="Both half-years have a paid invoice: without one, no trend shows.",
    )

    def init(self):
        # One open case per debtor and company, whatever runs at the same time.
        self.env.cr.execute(
            SQL(
                """
                CREATE UNIQUE INDEX IF NOT EXISTS %s
                    ON debiteur_case (partner_id, company_id)
                 WHERE is_closed IS NOT TRUE
                """,
                SQL.identifier(OPEN_CASE_INDEX),
            )
        )

    # ------------------------------------------------------------------
    # Defaults and computes
    # ------------------------------------------------------------------
    def _default_stage(self):
        return self.env["debiteur.case.stage"].search(
            [("code", "=", "to_remind")], limit=1
        )

    @api.model
    def _read_group_stage_ids(self, stages, domain):
        return stages.search([])

    @api.depends("partner_id.name")
    def _compute_name(self):
        for case in self:
            case.name = case.partner_id.name

    @api.depends("stage_id.code")
    def _compute_is_closed(self):
        for case in self:
            case.is_closed = case.stage_id.code == "closed"

    @api.depends("partner_id", "company_id")
    def _compute_user_id(self):
        for case in self:
            case.user_id = (
                case.partner_id.debiteur_user_id or case.company_id.debiteur_user_id
            )

    @api.depends("oldest_due_date", "is_closed")
    def _compute_days_overdue(self):
        today = fields.Date.context_today(self)
        for case in self:
            due = case.oldest_due_date
            case.days_overdue = (today - due).days if due and not case.is_closed else 0

    def _compute_overdue_by_currency(self):
        """One query for all the cards shown, whatever their number."""
        today = fields.Date.context_today(self)
        groups = self.env["account.move"]._read_group(
            [
                ("company_id", "in", self.company_id.ids),
                ("commercial_partner_id", "in", self.partner_id.ids),
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("payment_state", "in", OPEN_PAYMENT_STATES),
                ("amount_residual", ">", 0),
                ("invoice_date_due", "<", today),
            ],
            ["commercial_partner_id", "company_id", "currency_id"],
            ["amount_residual:sum"],
        )
        by_key = defaultdict(list)
        for partner, company, currency, amount in groups:
            by_key[(partner.id, company.id)].append((currency, amount))
        for case in self:
            amounts = by_key.get((case.partner_id.id, case.company_id.id), [])
            if case.is_closed or all(c == case.currency_id for c, _a in amounts):
                case.overdue_by_currency = False
                continue
            case.overdue_by_currency = " + ".join(
                formatLang(self.env, amount, currency_obj=currency)
                for currency, amount in sorted(amounts, key=lambda a: a[0].name)
            )

    def _compute_invoice_ids(self):
        moves = self.env["account.move"].search(
            [
                ("company_id", "in", self.company_id.ids),
                ("commercial_partner_id", "in", self.partner_id.ids),
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("payment_state", "in", OPEN_PAYMENT_STATES),
            ],
            order="invoice_date_due, id",
        )
        by_key = defaultdict(list)
        for move in moves:
            by_key[(move.commercial_partner_id.id, move.company_id.id)].append(move.id)
        for case in self:
            ids = by_key.get((case.partner_id.id, case.company_id.id), [])
            case.invoice_ids = [fields.Command.set(ids)]
            case.invoice_count = len(ids)

    def _compute_communication_ids(self):
        comms = self.env["debiteur.communication"].search(
            [
                ("company_id", "in", self.company_id.ids),
                ("partner_id", "in", self.partner_id.ids),
            ]
        )
        by_key = defaultdict(list)
        for comm in comms:
            by_key[(comm.partner_id.id, comm.company_id.id)].append(comm.id)
        for case in self:
            ids = by_key.get((case.partner_id.id, case.company_id.id), [])
            case.communication_ids = [fields.Command.set(ids)]
            case.communication_count = len(ids)

    @api.depends_context("company")
    def _compute_debtor_page_seen(self):
        links = (
            self.env["debiteur.debtor.link"]
            .sudo()
            .search_fetch(
                [
                    ("partner_id", "in", self.partner_id.ids),
                    ("company_id", "in", self.company_id.ids),
                    ("last_opened", "!=", False),
                ],
                ["partner_id", "company_id", "last_opened"],
            )
        )
        seen = {(k.partner_id.id, k.company_id.id): k.last_opened for k in links}
        for case in self:
            when = seen.get((case.partner_id.id, case.company_id.id))
            case.debtor_page_seen = when and self.env._(
                "Seen on %(date)s",
                date=case._format_date(fields.Datetime.context_timestamp(case, when)),
            )

    def _compute_analysis(self):
        """The debtor's payment behaviour (``debiteur.payment.behaviour``)."""
        Behaviour = self.env["debiteur.payment.behaviour"]
        figures = {
            company.id: Behaviour._figures(
                company,
                self.filtered(lambda c, co=company: c.company_id == co).partner_id,
            )
            for company in self.company_id
        }
        for case in self:
            case.update(figures[case.company_id.id][case.partner_id.id])

    # ------------------------------------------------------------------
    # Stage derivation
    # ------------------------------------------------------------------
    @api.model
    def _stage_code(self, owed, arrangement, handoff, disputed, level, ready=False):
        """The stage the facts give, in order of precedence.

        1. Closed: nothing overdue any more.
        2. Arrangement: an active payment arrangement covers overdue invoices;
           the debtor keeps to an agreement, so it is not a collection
           candidate (handing off anyway needs a confirmation with a reason).
        3. Collection agency: overdue invoices are with an agency.
        4. Disputed: the credit manager put the case in dispute; a disputed
           debtor is not handed off before the dispute is settled.
        5. Ready for Collection Agency (``ready``): overdue invoices reached a
           level marked ready for collection and are not handed off, not
           under an active arrangement and not blocked (see
           ``res.partner._debiteur_handoff_candidate_domain``). It comes before
           Formal notice: the formal notice is usually that level.
        6. Formal notice, 7. Reminded, 8. To remind: the highest level reached.
        """
        if not owed:
            return "closed"
        if arrangement:
            return "arrangement"
        if handoff:
            return "collection"
        if disputed:
            return "disputed"
        if ready:
            return "ready_collection"
        if level and level.is_legal_notice:
            return "formal_notice"
        if level:
            return "reminded"
        return "to_remind"

    def _fact_code(self, disputed):
        self.ensure_one()
        return self._stage_code(
            self.currency_id.compare_amounts(self.amount_overdue, 0.0) > 0,
            self.has_arrangement,
            self.has_handoff,
            disputed,
            self.highest_level_id,
            self.handoff_candidate,
        )

    # ------------------------------------------------------------------
    # Manual stage moves (the kanban)
    # ------------------------------------------------------------------
    def write(self, vals):
        # The sync flag (the facts move the case) is the server's own: a client
        # passing it in its context gets the rules of a manual move.
        if "stage_id" not in vals or (
            self.env.su and self.env.context.get("debiteur_case_sync")
        ):
            return super().write(vals)
        target = self.env["debiteur.case.stage"].browse(vals["stage_id"])
        for case in self:
            case_vals, resolve = case._manual_stage_vals(target, vals)
            super(DebiteurCase, case).write(case_vals)
            if resolve:
                case._resolve_dispute()
        return True

    def _manual_stage_vals(self, target, vals):
        """The values of a stage move made by a person; refuse what the facts
        decide. Returns (values, whether the dispute is resolved)."""
        self.ensure_one()
        if target == self.stage_id:
            return vals, False
        code = target.code
        owed = self.currency_id.compare_amounts(self.amount_overdue, 0.0) > 0
        if code == "disputed":
            reason = (vals.get("dispute_reason") or self.dispute_reason or "").strip()
            if not reason:
                raise UserError(
                    self.env._(
                        "Give a reason for the dispute of %(debtor)s: open the case "
                        "and use Mark Disputed.",
                        debtor=self.partner_id.display_name,
                    )
                )
            return dict(vals, disputed=True, dispute_reason=reason), False
        if code == "closed" and owed:
            raise UserError(
                self.env._(
                    "%(debtor)s still owes %(amount)s overdue: the case closes by "
                    "itself once everything is paid or credited.",
                    debtor=self.partner_id.display_name,
                    amount=self._format_amount(self.amount_overdue),
                )
            )
        if self.disputed:
            # Taking a case out of dispute is a decision; where it goes is not.
            new_code = self._fact_code(disputed=False)
            stage = self.env["debiteur.case.stage"]._by_code()[new_code]
            return dict(vals, stage_id=stage.id), True
        if code != self._fact_code(disputed=False):
            raise UserError(
                self.env._(
                    "A case cannot be moved to %(stage)s by hand: the stage follows "
                    "from what happened (reminders sent, formal notices, "
                    "arrangements, handoffs, payments). Put the case in dispute "
                    "or take it out of dispute instead.",
                    stage=target.name,
                )
            )
        return vals, False

    def _format_amount(self, amount):
        return formatLang(self.env, amount, currency_obj=self.currency_id)

    def _format_date(self, date):
        """A date as the reader writes it (the language of the environment), not ISO."""
        return format_date(self.env, date)

    # ------------------------------------------------------------------
    # Actions of the debtor's file
    # ------------------------------------------------------------------
    def action_send_reminder(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Send Reminders"),
            "res_model": "debiteur.dunning.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_partner_ids": self.partner_id.ids,
                "default_company_id": self.company_id.id,
            },
        }

    def action_make_arrangement(self):
        """Start a payment arrangement for this debtor's open invoices."""
        self.ensure_one()
        return (
            self.env["debiteur.arrangement"]
            .with_company(self.company_id)
            ._action_open_for_partners(self.partner_id)
        )

    def action_hand_off(self):
        """Hand this debtor over to a collection agency (managers): the wizard
        of the collection candidates list, in the case's company."""
        self.ensure_one()
        action = self.env["debiteur.handoff.wizard"]._action_open(
            partners=self.partner_id
        )
        action["context"]["default_company_id"] = self.company_id.id
        return action

    def action_log_call(self, note=None):
        """Record a phone call with the debtor as a done activity."""
        for case in self:
            chatter = case._debiteur_chatter()
            activity = chatter.activity_schedule(
                "mail.mail_activity_data_call",
                summary=chatter.env._(
                    "Call with %(debtor)s", debtor=case.partner_id.display_name
                ),
                user_id=self.env.user.id,
            )
            activity.action_feedback(
                feedback=note
                or chatter.env._("Called the debtor about the overdue invoices.")
            )
        return True

    def action_record_promise(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Promise to Pay"),
            "res_model": "debiteur.case.promise.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_case_id": self.id,
                "default_amount": self.amount_overdue,
            },
        }

    def _record_promise(self, date, amount):
        self.ensure_one()
        today = fields.Date.context_today(self)
        date = fields.Date.to_date(date)
        if not date or date < today:
            raise UserError(
                self.env._(
                    "A promise to pay needs a date from today on (%(today)s).",
                    today=self._format_date(today),
                )
            )
        if self.currency_id.compare_amounts(amount or 0.0, 0.0) <= 0:
            raise UserError(self.env._("The promised amount must be above zero."))
        self.with_context(debiteur_case_sync=True).write(
            {
                "promise_date": date,
                "promise_amount": self.currency_id.round(amount),
                "promise_start_date": today,
                "promise_broken": False,
                "next_action_date": date,
            }
        )
        note = self._debiteur_chatter()
        note.message_post(
            body=note.env._(
                "Promise to pay %(amount)s by %(date)s.",
                amount=note._format_amount(amount),
                date=note._format_date(date),
            )
        )

    def action_mark_disputed(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Mark Disputed"),
            "res_model": "debiteur.case.dispute.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_case_id": self.id},
        }

    def _mark_disputed(self, reason, moves=None):
        """Put the case in dispute; dunning pauses for ``moves`` only."""
        self.ensure_one()
        reason = (reason or "").strip()
        if not reason:
            raise UserError(self.env._("Give a reason for the dispute."))
        moves = moves or self.env["account.move"]
        if moves:
            moves._debiteur_block(reason)
        self.with_context(debiteur_case_sync=True).write(
            {
                "disputed": True,
                "dispute_reason": reason,
                "disputed_move_ids": [fields.Command.link(m.id) for m in moves],
            }
        )
        note = self._debiteur_chatter()
        note.message_post(
            body=note.env._(
                "Disputed: %(reason)s (invoices: %(invoices)s).",
                reason=reason,
                invoices=", ".join(moves.mapped("name")) or "-",
            )
        )
        self.env["debiteur.case.sync"].sudo()._sync_partners(
            self.partner_id, self.company_id
        )

    def action_resolve_dispute(self):
        for case in self.filtered("disputed"):
            case._resolve_dispute()
        return True

    def _resolve_dispute(self):
        self.ensure_one()
        self.disputed_move_ids.action_debiteur_unblock()
        self.with_context(debiteur_case_sync=True).write(
            {
                "disputed": False,
                "dispute_reason": False,
                "disputed_move_ids": [fields.Command.clear()],
            }
        )
        note = self._debiteur_chatter()
        note.message_post(body=note.env._("Dispute resolved: dunning resumes."))
        self.env["debiteur.case.sync"].sudo()._sync_partners(
            self.partner_id, self.company_id
        )

    def action_view_invoices(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type"
        )
        action["domain"] = [("id", "in", self.invoice_ids.ids)]
        action["context"] = {"create": False}
        return action

    def action_view_communications(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "debiteur_dunning.action_debiteur_communication"
        )
        action["domain"] = [
            ("partner_id", "=", self.partner_id.id),
            ("company_id", "=", self.company_id.id),
        ]
        return action

    def action_print_statement(self):
        return self.env.ref(
            "debiteur_dunning.action_report_debiteur_statement"
        ).report_action(self)

    def action_send_statement(self):
        return self._debiteur_compose_action(
            "debiteur_dunning.mail_template_debiteur_statement"
        )

    # ------------------------------------------------------------------
    # Scheduler
    # ------------------------------------------------------------------
    @api.model
    def _cron_check_promises(self, today=None):
        """Promises whose date has passed: kept (paid enough since the promise,
        by its date) or broken (an activity for the owner, dunning resumes)."""
        today = today or fields.Date.context_today(self)
        cases = self.search(
            [
                ("promise_date", "<", today),
                ("promise_broken", "=", False),
                ("promise_amount", ">", 0),
            ]
        )
        if not cases:
            return cases
        paid = cases._paid_since_promise()
        kept = cases.filtered(
            lambda c: (
                c.currency_id.compare_amounts(paid.get(c.id, 0.0), c.promise_amount)
                >= 0
            )
        )
        broken = cases - kept
        for case in kept:
            note = case._debiteur_chatter()
            note.message_post(
                body=note.env._(
                    "Promise to pay kept: %(amount)s received by %(date)s.",
                    amount=note._format_amount(paid.get(case.id, 0.0)),
                    date=note._format_date(case.promise_date),
                )
            )
        kept.with_context(debiteur_case_sync=True).write(
            {
                "promise_date": False,
                "promise_amount": 0.0,
                "promise_start_date": False,
            }
        )
        broken.with_context(debiteur_case_sync=True).write(
            {"promise_broken": True, "next_action_date": today}
        )
        for case in broken:
            note = case._debiteur_chatter()
            body = note.env._(
                "Promise to pay broken: %(promised)s promised by %(date)s, "
                "%(paid)s received. Dunning resumes.",
                promised=note._format_amount(case.promise_amount),
                date=note._format_date(case.promise_date),
                paid=note._format_amount(paid.get(case.id, 0.0)),
            )
            note.message_post(body=body)
            note.activity_schedule(
                "mail.mail_activity_data_todo",
                date_deadline=today,
                summary=note.env._("Promise to pay broken"),
                note=body,
                user_id=(
                    case.user_id or case.company_id.debiteur_user_id or self.env.user
                ).id,
            )
        return broken

    def _paid_since_promise(self):
        """{case id: amount received on the debtor's invoices between the
        promise and its date}, company currency, in one query."""
        self.env["account.partial.reconcile"].flush_model()
        self.env["account.move.line"].flush_model()
        self.env["account.move"].flush_model(["move_type"])
        self.flush_recordset()
        self.env.cr.execute(
            SQL(
                """
                SELECT c.id, SUM(apr.amount)
                  FROM debiteur_case c
                  JOIN account_move_line dl
                    ON dl.partner_id = c.partner_id AND dl.company_id = c.company_id
                  JOIN account_move dm
                    ON dm.id = dl.move_id AND dm.move_type = 'out_invoice'
                  JOIN account_partial_reconcile apr ON apr.debit_move_id = dl.id
                  JOIN account_move_line cl ON cl.id = apr.credit_move_id
                  JOIN account_move cm ON cm.id = cl.move_id AND cm.move_type = 'entry'
                 WHERE c.id = ANY(%s)
                   AND apr.max_date >= c.promise_start_date
                   AND apr.max_date <= c.promise_date
                 GROUP BY c.id
                """,
                self.ids,
            )
        )
        return dict(self.env.cr.fetchall())

    # ------------------------------------------------------------------
    # Statement of account
    # ------------------------------------------------------------------
    def _statement_data(self, today=None):
        """What the statement of account lists: open items, payments of the
        last 90 days, balance, aging. Company currency."""
        self.ensure_one()
        today = today or fields.Date.context_today(self)
        Line = self.env["account.move.line"]
        receivable = [
            ("company_id", "=", self.company_id.id),
            ("partner_id", "=", self.partner_id.id),
            ("account_id.account_type", "=", "asset_receivable"),
            ("parent_state", "=", "posted"),
        ]
        open_items = Line.search(
            [*receivable, ("reconciled", "=", False)],
            order="date_maturity, date, id",
        )
        # Payments only: the entries of a payment or a bank statement line,
        # not exchange differences or write-offs.
        payments = Line.search(
            [
                *receivable,
                ("move_id.move_type", "=", "entry"),
                "|",
                ("move_id.origin_payment_id", "!=", False),
                ("move_id.statement_line_id", "!=", False),
                ("credit", ">", 0),
                ("date", ">", today - timedelta(days=90)),
                ("date", "<=", today),
            ],
            order="date desc, id desc",
        )
        aging = dict.fromkeys(analysis.AGING_BUCKETS, 0.0)
        for line in open_items:
            aging[analysis.aging_bucket(line.date_maturity or line.date, today)] += (
                line.amount_residual
            )
        return {
            "today": today,
            "open_items": open_items,
            "payments": payments,
            "balance": sum(open_items.mapped("amount_residual")),
            "aging": aging,
        }

    # ------------------------------------------------------------------
    # Display only: the kanban as a work queue and the form (issue #18).
    # Not stored; nothing here changes what a case is.
    # ------------------------------------------------------------------
    next_action_late = fields.Boolean(
        compute="_compute_queue_display",
        help="The next action date has passed.",
    )
    term_end_date = fields.Date(
        string="Term Ends",
        compute="_compute_queue_display",
        help="The last day of the payment term stated in the formal notice.",
    )
    effective_policy_id = fields.Many2one(
        "debiteur.policy",
        string="Policy",
        compute="_compute_queue_display",
        help="The debtor's own policy, or the company's default for its kind of "
        "debtor.",
    )
    at_last_level = fields.Boolean(compute="_compute_queue_display")
    has_behaviour_data = fields.Boolean(compute="_compute_behaviour_display")
    has_dso_data = fields.Boolean(compute="_compute_behaviour_display")

    @api.depends("next_action_date", "partner_id", "company_id", "highest_level_id")
    @api.depends_context("company")
    def _compute_queue_display(self):
        today = fields.Date.context_today(self)
        Engine = self.env["debiteur.engine"]
        terms = {}
        policies = {}
        for company in self.company_id:
            cases = self.filtered(lambda c, co=company: c.company_id == co)
            groups = self.env["debiteur.communication"]._read_group(
                [
                    ("company_id", "=", company.id),
                    ("partner_id", "in", cases.partner_id.ids),
                    ("state", "in", ("queued", "sent", "printed")),
                    ("legal_deadline", "!=", False),
                    ("level_id.is_legal_notice", "=", True),
                ],
                ["partner_id"],
                ["legal_deadline:max"],
            )
            terms.update({(partner.id, company.id): day for partner, day in groups})
            for partner_id, policy in (
                Engine.with_company(company)
                ._policy_by_partner(company, cases.partner_id)
                .items()
            ):
                policies[(partner_id, company.id)] = policy
        for case in self:
            key = (case.partner_id.id, case.company_id.id)
            policy = policies.get(key) or self.env["debiteur.policy"]
            case.next_action_late = bool(
                case.next_action_date and case.next_action_date < today
            )
            case.term_end_date = terms.get(key, False)
            case.effective_policy_id = policy
            last = policy._sorted_levels()[-1:] if policy else policy
            case.at_last_level = bool(
                last and case.highest_level_id and case.highest_level_id == last
            )

    @api.depends("partner_id", "company_id")
    @api.depends_context("company")
    def _compute_behaviour_display(self):
        """Whether the payment-behaviour figures rest on data ("—" if not)."""
        for company in self.company_id:
            cases = self.filtered(lambda c, co=company: c.company_id == co)
            with_data = self.env["debiteur.payment.behaviour"]._days_late(
                company, cases.partner_id
            )
            for case in cases:
                case.has_behaviour_data = case.partner_id.id in with_data
                case.has_dso_data = bool(case.dso)
        (self - self.filtered("company_id")).update(
            {"has_behaviour_data": False, "has_dso_data": False}
        )

    @api.model
    def web_read_group(self, *args, **kwargs):
        """Empty stages come folded: the board shows the columns that hold
        work and still fits a 1,440-pixel screen."""
        result = super().web_read_group(*args, **kwargs)
        for group in result.get("groups", []):
            if "stage_id" in group and not group.get("stage_id_count", 1):
                group["__fold"] = True
        return result
