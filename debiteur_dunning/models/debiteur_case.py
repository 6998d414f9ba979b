"""The credit manager's case: one open case per debtor and company.

A case's stage is derived from facts (invoices, reminders, arrangements,
handoffs, payments) by ``_sync``; the only stage moves a person makes are real
decisions: putting a case in dispute and taking it out again.
"""

import logging
from collections import defaultdict
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

import psycopg2.errors
from dateutil.relativedelta import relativedelta

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import UserError
from odoo.modules.registry import Registry
from odoo.tools import SQL
from odoo.tools.misc import format_date, formatLang

_logger = logging.getLogger(__name__)

OPEN_PAYMENT_STATES = ("not_paid", "partial")
OPEN_CASE_INDEX = "debiteur_case_open_uniq"
DSO_DAYS = 365


def _round_days(value):
    """A number of days to one decimal, half up (10.25 -> 10.3): Python's
    round() on a float rounds half to even and trips on binary fractions."""
    if value is None:
        return None
    return float(Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


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
    def _compute_analysis(self):
        today = fields.Date.context_today(self)
        dso = {}
        behaviour = {}
        for company in self.company_id:
            partners = self.filtered(
                lambda c, co=company: c.company_id == co
            ).partner_id
            dso[company.id] = self._debiteur_dso(company, partners, today)
            behaviour[company.id] = self._debiteur_payment_behaviour(
                company, partners, today
            )
        for case in self:
            company_id, partner_id = case.company_id.id, case.partner_id.id
            case.dso = dso.get(company_id, {}).get(partner_id, 0.0)
            avg, recent, previous = behaviour.get(company_id, {}).get(
                partner_id, (0.0, None, None)
            )
            trend = self._days_late_trend(recent, previous)
            case.avg_days_late = _round_days(avg)
            case.days_late_trend = trend
            case.has_days_late_trend = trend is not False

    @staticmethod
    def _days_late_trend(recent, previous):
        """Last 6 months' average days late minus the 6 months before: the exact
        averages subtracted, rounded once. False (no trend, not 0.0) when either
        half-year has no paid invoice."""
        if recent is None or previous is None:
            return False
        return _round_days(Decimal(str(recent)) - Decimal(str(previous)))

    @staticmethod
    def _round_days(value):
        return _round_days(value)

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

    @api.model
    def _sync(self, partners, company, today=None):
        """Bring the cases of ``partners`` in ``company`` in line with the facts.

        Set-based: a fixed number of queries for any number of debtors, plus one
        write per case whose figures changed. Opens a case for a debtor that is
        overdue and has none, closes the open case of a debtor that owes nothing
        overdue any more. Returns the open and just-closed cases.
        """
        partners = partners.commercial_partner_id
        if not partners or not company:
            return self.browse()
        self = self.with_context(debiteur_case_sync=True, mail_create_nolog=True)
        today = today or fields.Date.context_today(self)
        Move = self.env["account.move"]
        currency = company.currency_id
        base = [
            ("company_id", "=", company.id),
            ("commercial_partner_id", "in", partners.ids),
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
            ("payment_state", "in", OPEN_PAYMENT_STATES),
            ("amount_residual", ">", 0),
            ("invoice_date_due", "<", today),
        ]
        overdue = {
            partner.id: (amount, oldest, level_ids, last_date)
            for partner, amount, oldest, level_ids, last_date in Move._read_group(
                base,
                ["commercial_partner_id"],
                [
                    "amount_residual_signed:sum",
                    "invoice_date_due:min",
                    "debiteur_level_id:array_agg",
                    "debiteur_last_date:max",
                ],
            )
        }
        balance = dict(
            (partner.id, amount)
            for partner, amount in self.env["account.move.line"]._read_group(
                [
                    ("company_id", "=", company.id),
                    ("partner_id", "in", partners.ids),
                    ("account_id.account_type", "=", "asset_receivable"),
                    ("parent_state", "=", "posted"),
                    ("reconciled", "=", False),
                ],
                ["partner_id"],
                ["amount_residual:sum"],
            )
        )
        arrangement = self._partners_with(base, "debiteur_arrangement_id")
        handoff = self._partners_with(base, "debiteur_handoff_id")
        ready = self._handoff_candidates(partners, company, today)
        levels = self.env["debiteur.level"].browse(
            {lid for _a, _o, lids, _l in overdue.values() for lid in lids if lid}
        )
        levels.fetch(["sequence", "delay_days", "is_legal_notice", "policy_id"])
        policies = self.env["debiteur.engine"]._policy_by_partner(
            company, self.env["res.partner"].browse(list(overdue))
        )
        stages = self.env["debiteur.case.stage"]._by_code()
        cases = self.search(
            [
                ("company_id", "=", company.id),
                ("partner_id", "in", partners.ids),
                ("is_closed", "=", False),
            ]
        )
        case_by_partner = {case.partner_id.id: case for case in cases}
        to_create = []
        for partner in partners:
            case = case_by_partner.get(partner.id)
            amount, oldest, level_ids, last_date = overdue.get(
                partner.id, (0.0, False, [], False)
            )
            owed = currency.compare_amounts(amount, 0.0) > 0
            if not owed and not case:
                continue
            level = levels.browse(set(level_ids) - {None}).sorted(
                lambda lvl: (lvl.sequence, lvl.delay_days)
            )[-1:]
            code = self._stage_code(
                owed,
                partner.id in arrangement,
                partner.id in handoff,
                bool(case and case.disputed),
                level,
                partner.id in ready,
            )
            vals = {
                "stage_id": stages[code].id,
                "amount_overdue": currency.round(amount) if owed else 0.0,
                "amount_due": currency.round(balance.get(partner.id, 0.0)),
                "oldest_due_date": oldest if owed else False,
                "highest_level_id": level.id,
                "has_arrangement": partner.id in arrangement,
                "has_handoff": partner.id in handoff,
                "handoff_candidate": partner.id in ready,
                "next_action_date": self._next_action_date(
                    case,
                    code,
                    oldest,
                    level,
                    last_date,
                    policies.get(partner.id),
                ),
            }
            if code == "closed":
                vals["closed_date"] = today
            if case:
                changed = case._changed_vals(vals)
                if changed:
                    case.write(changed)
            else:
                vals.update(partner_id=partner.id, company_id=company.id)
                to_create.append(vals)
        return cases | self._create_open_cases(to_create)

    def _create_open_cases(self, vals_list):
        """Create the open cases of ``vals_list``, tolerating a concurrent insert.

        Two postings for a new debtor at once both find no open case and both
        create one; the second waits for the first on the open-case unique index
        and then fails. That debtor's case exists then (the other transaction
        committed it), only not in this transaction's snapshot: it is skipped
        here and synced again, with every posting, right after this commit.
        """
        if not vals_list:
            return self.browse()
        try:
            with self.env.cr.savepoint():
                return self.create(vals_list)
        except psycopg2.errors.UniqueViolation as exc:
            if exc.diag.constraint_name != OPEN_CASE_INDEX:
                raise
        created = self.browse()
        for vals in vals_list:
            try:
                with self.env.cr.savepoint():
                    created |= self.create([vals])
            except psycopg2.errors.UniqueViolation as exc:
                if exc.diag.constraint_name != OPEN_CASE_INDEX:
                    raise
                _logger.info(
                    "Open case of partner %s in company %s created concurrently; "
                    "synced again after commit",
                    vals["partner_id"],
                    vals["company_id"],
                )
                self._sync_after_commit(vals["partner_id"], vals["company_id"])
        return created

    def _sync_after_commit(self, partner_id, company_id):
        """Sync one debtor's case in a new transaction once this one commits:
        its snapshot then sees the case the concurrent transaction created."""
        dbname = self.env.cr.dbname

        @self.env.cr.postcommit.add
        def resync():
            with Registry(dbname).cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                env["debiteur.case"]._sync(
                    env["res.partner"].browse(partner_id),
                    env["res.company"].browse(company_id),
                )

        return resync

    @api.model
    def _partners_with(self, base, fname):
        """Debtors having overdue invoices under an open arrangement or handoff.

        The invoice fields ``debiteur_arrangement_id`` and ``debiteur_handoff_id``
        are set exactly while their arrangement or handoff is open, so this
        needs no read of those (restricted) records.
        """
        if fname not in self.env["account.move"]._fields:
            return set()
        return {
            partner.id
            for (partner,) in self.env["account.move"]._read_group(
                [*base, (fname, "!=", False)],
                ["commercial_partner_id"],
            )
        }

    @api.model
    def _handoff_candidates(self, partners, company, today):
        """Ids of the debtors among ``partners`` that are collection-agency
        candidates in ``company`` on ``today`` (one query)."""
        domain = self.env["res.partner"]._debiteur_handoff_candidate_domain(
            company, today
        )
        return {
            partner.id
            for (partner,) in self.env["account.move"]._read_group(
                [*domain, ("commercial_partner_id", "in", partners.ids)],
                ["commercial_partner_id"],
            )
        }

    @api.model
    def _next_action_date(self, case, code, oldest, level, last_date, policy):
        if case and case.promise_date and not case.promise_broken:
            return case.promise_date
        dunning = ("to_remind", "reminded", "formal_notice", "ready_collection")
        if code not in dunning or not policy:
            return False
        sorted_levels = policy._sorted_levels()
        if level:
            later = sorted_levels.filtered(
                lambda lvl: (
                    (lvl.sequence, lvl.delay_days) > (level.sequence, level.delay_days)
                )
            )
        else:
            later = sorted_levels
        if not later:
            return False
        result = oldest + timedelta(days=later[0].delay_days)
        if last_date:
            result = max(result, last_date + timedelta(days=policy.min_days_between))
        return result

    def _changed_vals(self, vals):
        self.ensure_one()
        changed = {}
        for fname, value in vals.items():
            current = self[fname]
            if isinstance(current, models.BaseModel):
                current = current.id or False
            if self._fields[fname].type == "monetary":
                if self.currency_id.compare_amounts(current, value):
                    changed[fname] = value
            elif (current or False) != (value or False):
                changed[fname] = value
        return changed

    @api.model
    def _sync_company(self, company, today=None):
        """Sync every debtor of ``company`` with open invoices or an open case
        (the daily scheduler: overdue amounts grow with the date)."""
        partners = {
            partner.id
            for (partner,) in self.env["account.move"]._read_group(
                [
                    ("company_id", "=", company.id),
                    ("move_type", "=", "out_invoice"),
                    ("state", "=", "posted"),
                    ("payment_state", "in", OPEN_PAYMENT_STATES),
                ],
                ["commercial_partner_id"],
            )
        }
        partners |= {
            partner.id
            for (partner,) in self._read_group(
                [("company_id", "=", company.id), ("is_closed", "=", False)],
                ["partner_id"],
            )
        }
        return self._sync(self.env["res.partner"].browse(partners), company, today)

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
        """A date as the reader writes it (the user's language), not ISO."""
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
            activity = case.activity_schedule(
                "mail.mail_activity_data_call",
                summary=self.env._(
                    "Call with %(debtor)s", debtor=case.partner_id.display_name
                ),
                user_id=self.env.user.id,
            )
            activity.action_feedback(
                feedback=note
                or self.env._("Called the debtor about the overdue invoices.")
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
        self.message_post(
            body=self.env._(
                "Promise to pay %(amount)s by %(date)s.",
                amount=self._format_amount(amount),
                date=self._format_date(date),
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
        self.message_post(
            body=self.env._(
                "Disputed: %(reason)s (invoices: %(invoices)s).",
                reason=reason,
                invoices=", ".join(moves.mapped("name")) or "-",
            )
        )
        self.sudo()._sync(self.partner_id, self.company_id)

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
        self.message_post(body=self.env._("Dispute resolved: dunning resumes."))
        self.sudo()._sync(self.partner_id, self.company_id)

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
            case.message_post(
                body=self.env._(
                    "Promise to pay kept: %(amount)s received by %(date)s.",
                    amount=case._format_amount(paid.get(case.id, 0.0)),
                    date=case._format_date(case.promise_date),
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
            body = self.env._(
                "Promise to pay broken: %(promised)s promised by %(date)s, "
                "%(paid)s received. Dunning resumes.",
                promised=case._format_amount(case.promise_amount),
                date=case._format_date(case.promise_date),
                paid=case._format_amount(paid.get(case.id, 0.0)),
            )
            case.message_post(body=body)
            case.activity_schedule(
                "mail.mail_activity_data_todo",
                date_deadline=today,
                summary=self.env._("Promise to pay broken"),
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
    # Analysis
    # ------------------------------------------------------------------
    @api.model
    def _debiteur_dso(self, company, partners=None, today=None):
        """DSO = open receivables / credit sales of the last 365 days x 365.

        Per debtor ({partner id: days}) when ``partners`` is given, else for the
        whole company ({False: days}). A debtor without sales in the period has 0.
        """
        today = today or fields.Date.context_today(self)
        groupby_line = ["partner_id"] if partners is not None else []
        groupby_move = ["commercial_partner_id"] if partners is not None else []
        line_domain = [
            ("company_id", "=", company.id),
            ("account_id.account_type", "=", "asset_receivable"),
            ("parent_state", "=", "posted"),
            ("reconciled", "=", False),
        ]
        move_domain = [
            ("company_id", "=", company.id),
            ("move_type", "in", ("out_invoice", "out_refund")),
            ("state", "=", "posted"),
            ("invoice_date", ">", today - timedelta(days=DSO_DAYS)),
            ("invoice_date", "<=", today),
        ]
        if partners is not None:
            partners = partners.commercial_partner_id
            line_domain.append(("partner_id", "in", partners.ids))
            move_domain.append(("commercial_partner_id", "in", partners.ids))
        open_rows = self.env["account.move.line"]._read_group(
            line_domain, groupby_line, ["amount_residual:sum"]
        )
        sales_rows = self.env["account.move"]._read_group(
            move_domain, groupby_move, ["amount_total_signed:sum"]
        )
        if partners is None:
            receivable = open_rows[0][0] if open_rows else 0.0
            sales = sales_rows[0][0] if sales_rows else 0.0
            return {False: self._dso_formula(receivable, sales, company)}
        receivables = {partner.id: amount for partner, amount in open_rows}
        sales = {partner.id: amount for partner, amount in sales_rows}
        return {
            partner.id: self._dso_formula(
                receivables.get(partner.id, 0.0), sales.get(partner.id, 0.0), company
            )
            for partner in partners
        }

    @api.model
    def _dso_formula(self, receivable, sales, company):
        if company.currency_id.compare_amounts(sales or 0.0, 0.0) <= 0:
            return 0.0
        return _round_days((receivable or 0.0) / sales * DSO_DAYS)

    @api.model
    def _debiteur_payment_behaviour(self, company, partners, today=None):
        """{partner id: (average days late over 12 months, average of the last
        6 months or None, average of the 6 months before or None)}, exact
        (Decimal, not rounded): the callers round what they show, once.

        Days late of a paid invoice = date of its last payment - due date
        (negative when paid early), weighted by the invoice amount. The windows
        are calendar months back from ``today``.
        """
        today = today or fields.Date.context_today(self)
        partners = partners.commercial_partner_id
        if not partners:
            return {}
        for model in ("account.move", "account.move.line", "account.partial.reconcile"):
            self.env[model].flush_model()
        year_ago = today - relativedelta(months=12)
        half_year_ago = today - relativedelta(months=6)
        self.env.cr.execute(
            SQL(
                """
                WITH paid AS (
                    SELECT m.commercial_partner_id AS partner_id,
                           ABS(m.amount_total_signed) AS weight,
                           MAX(apr.max_date) AS paid_on,
                           MAX(apr.max_date) - m.invoice_date_due AS days_late
                      FROM account_move m
                      JOIN account_move_line l
                        ON l.move_id = m.id AND l.display_type = 'payment_term'
                      JOIN account_partial_reconcile apr
                        ON apr.debit_move_id = l.id
                     WHERE m.company_id = %(company)s
                       AND m.move_type = 'out_invoice'
                       AND m.state = 'posted'
                       AND m.payment_state IN ('paid', 'in_payment')
                       AND m.commercial_partner_id = ANY(%(partners)s)
                     GROUP BY m.id
                )
                SELECT partner_id,
                       SUM(days_late * weight) / NULLIF(SUM(weight), 0),
                       SUM(days_late * weight) FILTER (WHERE paid_on > %(half)s)
                         / NULLIF(SUM(weight) FILTER (WHERE paid_on > %(half)s), 0),
                       SUM(days_late * weight) FILTER (WHERE paid_on <= %(half)s)
                         / NULLIF(SUM(weight) FILTER (WHERE paid_on <= %(half)s), 0)
                  FROM paid
                 WHERE paid_on > %(year)s AND paid_on <= %(today)s
                 GROUP BY partner_id
                """,
                company=company.id,
                partners=partners.ids,
                half=half_year_ago,
                year=year_ago,
                today=today,
            )
        )
        return {
            partner_id: (Decimal(avg or 0), recent, previous)
            for partner_id, avg, recent, previous in self.env.cr.fetchall()
        }

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
        aging = dict.fromkeys(("not_due", "1_30", "31_60", "61_90", "90_plus"), 0.0)
        for line in open_items:
            aging[aging_bucket(line.date_maturity or line.date, today)] += (
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
            with_data = self._debiteur_payment_behaviour(company, cases.partner_id)
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


def aging_bucket(due, today):
    """The aging bucket of an item due on ``due`` (same rule as the SQL view)."""
    days = (today - due).days if due else 0
    if days <= 0:
        return "not_due"
    if days <= 30:
        return "1_30"
    if days <= 60:
        return "31_60"
    if days <= 90:
        return "61_90"
    return "90_plus"
