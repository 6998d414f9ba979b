"""Payment arrangements (betalingsregelingen).

An arrangement covers a set of open customer invoices of one debtor and splits
what is owed into instalments. While it is active its invoices get no
reminders. Payments are never booked on the arrangement itself: whatever lowers
the residual of the covered invoices (register payment, bank reconciliation,
credit note) counts as paid and is allocated to the instalments by due date.
"""

import psycopg2.errors

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import format_date

from .debiteur_proof_mixin import GROUP_USER, require_group

FREQUENCIES = [
    ("weekly", "Weekly"),
    ("biweekly", "Every two weeks"),
    ("monthly", "Monthly"),
]
STATES = [
    ("draft", "Draft"),
    ("active", "Active"),
    ("completed", "Completed"),
    ("broken", "Broken"),
    ("cancelled", "Cancelled"),
    ("replaced", "Replaced"),
    ("handed_off", "Handed Off to Agency"),
]
CLOSED_STATES = ("completed", "broken", "cancelled", "replaced", "handed_off")
UNIQUE_ACTIVE_INDEX = "debiteur_arrangement_invoice_active_move_uniq"
# The life cycle: the only state changes there are.
TRANSITIONS = {
    "draft": {"active", "cancelled"},
    "active": {"completed", "broken", "cancelled", "replaced", "handed_off"},
    "broken": {"replaced"},
}
# Written by the arrangement's own actions only (through sudo, after their
# group check): a client writing them directly is refused.
SERVER_FIELDS = frozenset(
    {"state", "close_reason", "date_closed", "handoff_id", "replaced_by_id"}
)


class DebiteurArrangement(models.Model):
    _name = "debiteur.arrangement"
    _description = "Payment Arrangement"
    _inherit = ["mail.thread", "mail.activity.mixin", "debiteur.compose.mixin"]
    _order = "date_start desc, id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Reference", required=True, readonly=True, copy=False, default="/"
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        readonly=True,
        index=True,
        default=lambda self: self.env.company,
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Debtor",
        required=True,
        readonly=True,
        index=True,
        check_company=True,
    )
    currency_id = fields.Many2one("res.currency", required=True, readonly=True)
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        default=lambda self: self.env.user,
        tracking=True,
    )
    state = fields.Selection(
        STATES,
        string="Status",
        required=True,
        default="draft",
        readonly=True,
        index=True,
        tracking=True,
        copy=False,
    )
    date_start = fields.Date(
        string="Agreed On",
        required=True,
        readonly=True,
        default=fields.Date.context_today,
        help="Payments on the invoices from this day on count for the arrangement.",
    )
    first_date = fields.Date(string="First Instalment", readonly=True)
    frequency = fields.Selection(FREQUENCIES, readonly=True)
    invoice_ids = fields.One2many(
        "debiteur.arrangement.invoice", "arrangement_id", readonly=True
    )
    move_ids = fields.Many2many(
        "account.move", string="Invoices", compute="_compute_move_ids"
    )
    line_ids = fields.One2many(
        "debiteur.arrangement.line",
        "arrangement_id",
        string="Instalments",
        readonly=True,
    )
    amount_total = fields.Monetary(
        string="Total", compute="_compute_amount_total", store=True
    )
    amount_paid = fields.Monetary(
        string="Paid",
        compute="_compute_amount_paid",
        store=True,
        help="What the covered invoices' open amounts went down since the start: "
        "payments, bank reconciliations and credit notes.",
    )
    amount_due = fields.Monetary(
        string="Still Due", compute="_compute_amount_paid", store=True
    )
    down_payment = fields.Monetary(readonly=True)
    claims_mode = fields.Selection(
        [
            ("include", "Included in the arrangement"),
            ("waive", "Waived on completion"),
        ],
        string="Interest and Costs",
        default="waive",
        required=True,
        readonly=True,
    )
    interest_amount = fields.Monetary(string="Accrued Interest", readonly=True)
    costs_amount = fields.Monetary(string="Collection Costs", readonly=True)
    fee_amount = fields.Monetary(string="Arrangement Fee", readonly=True)
    waive_reason = fields.Text(readonly=True)
    claims_move_id = fields.Many2one(
        "account.move",
        string="Interest, Costs and Fee Invoice",
        readonly=True,
        copy=False,
        check_company=True,
    )
    payment_reference = fields.Char(readonly=True, copy=False)
    close_reason = fields.Text(readonly=True, copy=False, tracking=True)
    date_closed = fields.Date(readonly=True, copy=False)
    replaces_id = fields.Many2one(
        "debiteur.arrangement", readonly=True, copy=False, check_company=True
    )
    replaced_by_id = fields.Many2one(
        "debiteur.arrangement", readonly=True, copy=False, check_company=True
    )
    handoff_id = fields.Many2one(
        "debiteur.handoff",
        string="Ended by Handoff",
        readonly=True,
        copy=False,
        index="btree_not_null",
        groups="debiteur_dunning.group_debiteur_manager",
        help="The collection-agency handoff that ended this arrangement.",
    )
    late_count = fields.Integer(compute="_compute_late_count")
    next_line_id = fields.Many2one(
        "debiteur.arrangement.line",
        string="Next Instalment",
        compute="_compute_next_line_id",
    )

    _sql_constraints = [
        (
            "down_payment_positive",
            "CHECK(down_payment >= 0)",
            "The down payment cannot be negative.",
        ),
    ]

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    @api.depends("invoice_ids.move_id")
    def _compute_move_ids(self):
        for arrangement in self:
            arrangement.move_ids = arrangement.invoice_ids.move_id

    @api.depends("line_ids.amount")
    def _compute_amount_total(self):
        for arrangement in self:
            arrangement.amount_total = arrangement.currency_id.round(
                sum(arrangement.line_ids.mapped("amount"))
            )

    @api.depends(
        "amount_total",
        "invoice_ids.amount_residual_start",
        "invoice_ids.move_id.amount_residual",
    )
    def _compute_amount_paid(self):
        for arrangement in self:
            currency = arrangement.currency_id
            start = sum(arrangement.invoice_ids.mapped("amount_residual_start"))
            now = sum(arrangement.invoice_ids.move_id.mapped("amount_residual"))
            paid = max(currency.round(start - now), 0.0) if currency else 0.0
            arrangement.amount_paid = paid
            arrangement.amount_due = max(
                currency.round(arrangement.amount_total - paid) if currency else 0.0,
                0.0,
            )

    @api.depends("line_ids.state", "line_ids.date")
    def _compute_next_line_id(self):
        for arrangement in self:
            arrangement.next_line_id = arrangement.line_ids.filtered(
                lambda line: line.state != "paid"
            ).sorted("date")[:1]

    @api.depends("line_ids.state")
    def _compute_late_count(self):
        for arrangement in self:
            arrangement.late_count = len(
                arrangement.line_ids.filtered(lambda line: line.state == "late")
            )

    # ------------------------------------------------------------------
    # ORM
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        Comm = self.env["debiteur.communication"]
        for vals in vals_list:
            if not self.env.su and (
                vals.get("state", "draft") != "draft"
                or set(vals) & (SERVER_FIELDS - {"state"})
            ):
                raise AccessError(
                    self.env._(
                        "An arrangement starts as a draft: confirm it with the "
                        "arrangement wizard."
                    )
                )
            if vals.get("name", "/") == "/":
                company = self.env["res.company"].browse(
                    vals.get("company_id") or self.env.company.id
                )
                vals["name"] = self.env["ir.sequence"].with_company(
                    company
                ).next_by_code("debiteur.arrangement") or self.env._("New")
                vals["payment_reference"] = Comm._payment_reference_for(
                    company, vals["name"]
                )
        return super().create(vals_list)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_drafts_or_cancelled(self):
        if any(a.state not in ("draft", "cancelled") for a in self):
            raise UserError(
                self.env._(
                    "Only draft or cancelled arrangements can be deleted; cancel "
                    "an arrangement first, its history stays."
                )
            )

    @api.constrains("line_ids", "state")
    def _check_instalments(self):
        for arrangement in self:
            if arrangement.state == "active" and not arrangement.line_ids:
                raise ValidationError(
                    self.env._(
                        "Arrangement %(name)s needs at least one instalment.",
                        name=arrangement.name,
                    )
                )

    # ------------------------------------------------------------------
    # Rules
    # ------------------------------------------------------------------
    @api.model
    def _check_moves(self, moves, ignore=None):
        """Raise a clear error unless ``moves`` may go into one arrangement.

        ``ignore``: an arrangement whose invoices may be taken over (the one a
        renegotiation replaces).
        """
        _ = self.env._
        if not moves:
            raise ValidationError(_("Select at least one open invoice."))
        wrong = moves.filtered(
            lambda m: m.move_type != "out_invoice" or m.state != "posted"
        )
        if wrong:
            raise ValidationError(
                _(
                    "Only posted customer invoices can go into an arrangement: "
                    "%(moves)s.",
                    moves=", ".join(wrong.mapped("display_name")),
                )
            )
        if len(moves.company_id) > 1:
            raise ValidationError(
                _("An arrangement covers the invoices of one company only.")
            )
        if len(moves.commercial_partner_id) > 1:
            raise ValidationError(
                _(
                    "An arrangement covers the invoices of one debtor only, not "
                    "%(debtors)s.",
                    debtors=", ".join(moves.commercial_partner_id.mapped("name")),
                )
            )
        if len(moves.currency_id) > 1:
            raise ValidationError(
                _("An arrangement covers invoices in one currency only.")
            )
        paid = moves.filtered(
            lambda m: m.currency_id.compare_amounts(m.amount_residual, 0.0) <= 0
        )
        if paid:
            raise ValidationError(
                _(
                    "These invoices have nothing left to pay: %(moves)s.",
                    moves=", ".join(paid.mapped("display_name")),
                )
            )
        taken = self.env["debiteur.arrangement.invoice"].search(
            [
                ("move_id", "in", moves.ids),
                ("state", "=", "active"),
                ("arrangement_id", "not in", (ignore or self).ids),
            ]
        )
        if taken:
            raise ValidationError(
                _(
                    "%(moves)s already in active arrangement %(arrangements)s.",
                    moves=", ".join(taken.move_id.mapped("display_name")),
                    arrangements=", ".join(taken.arrangement_id.mapped("name")),
                )
            )

    @api.model
    def _today(self):
        """Today, or the day the demo data pretends it is."""
        return fields.Date.to_date(
            self.env.context.get("debiteur_today")
        ) or fields.Date.context_today(self)

    @api.model
    def _is_nl_consumer(self, partner, company):
        policy = (
            self.env["debiteur.engine"]
            ._policy_by_partner(company, partner.commercial_partner_id)
            .get(partner.commercial_partner_id.id)
        )
        jurisdiction = policy.jurisdiction if policy else "nl"
        consumer = self.env["debiteur.legal"]._is_consumer(partner, policy)
        return consumer and jurisdiction == "nl"

    # ------------------------------------------------------------------
    # Life cycle
    # ------------------------------------------------------------------
    def write(self, vals):
        if not self.env.su and set(vals) & SERVER_FIELDS:
            raise AccessError(
                self.env._(
                    "The status of an arrangement changes through its buttons "
                    "(confirm, cancel with a reason) and the scheduler only."
                )
            )
        if "state" in vals:
            self._check_transition(vals["state"])
        res = super().write(vals)
        if "state" in vals:
            self._sync_cases()
        return res

    def _check_draft_for_client(self):
        """Invoices and instalments of an agreed arrangement are part of the
        agreement: a client changes them on drafts only (renegotiate)."""
        if self.env.su:
            return
        if any(arrangement.state != "draft" for arrangement in self):
            raise AccessError(
                self.env._(
                    "The invoices and instalments of an agreed arrangement cannot "
                    "be changed: renegotiate it instead."
                )
            )

    def _check_transition(self, state):
        labels = dict(self._fields["state"]._description_selection(self.env))
        for arrangement in self:
            if arrangement.state == state:
                continue
            if state not in TRANSITIONS.get(arrangement.state, ()):
                raise ValidationError(
                    self.env._(
                        "Arrangement %(name)s cannot go from %(old)s to %(new)s.",
                        name=arrangement.name,
                        old=labels.get(arrangement.state),
                        new=labels.get(state),
                    )
                )

    def _sync_cases(self):
        """The debtors' follow-up cases move with the arrangement's state."""
        Sync = self.env["debiteur.case.sync"].sudo()
        for company in self.company_id:
            Sync._sync_partners(
                self.filtered(lambda a, c=company: a.company_id == c).partner_id,
                company,
            )

    def action_confirm(self):
        """Activate: the covered invoices leave dunning.

        The partial unique index on the covered invoices makes PostgreSQL refuse
        a second active arrangement for an invoice, also when two users confirm
        at the same moment; that refusal is turned into a readable error.
        """
        require_group(self.env, GROUP_USER)
        for arrangement in self:
            if arrangement.state != "draft":
                raise UserError(
                    self.env._(
                        "Arrangement %(name)s is not a draft.", name=arrangement.name
                    )
                )
            self._check_moves(arrangement.invoice_ids.move_id, ignore=arrangement)
        try:
            with self.env.cr.savepoint():
                self.sudo().write({"state": "active"})
                self.env.flush_all()
        except psycopg2.errors.UniqueViolation as exc:
            if UNIQUE_ACTIVE_INDEX not in str(exc):
                raise
            raise ValidationError(
                self.env._(
                    "Another arrangement for one of these invoices was confirmed "
                    "at the same moment. Reload and check the debtor's "
                    "arrangements."
                )
            ) from None
        for arrangement in self:
            note = arrangement._debiteur_chatter()
            note.message_post(
                body=note.env._(
                    "Arrangement agreed: %(count)s instalment(s), %(total)s in total.",
                    count=len(arrangement.line_ids),
                    total=note.currency_id.format(arrangement.amount_total),
                )
            )
        return True

    def _close(self, state, reason=False):
        self.sudo().write(
            {
                "state": state,
                "close_reason": reason or False,
                "date_closed": fields.Date.context_today(self),
            }
        )

    def action_cancel(self, reason=None):
        """Cancel with a reason (managers only); the invoices go back to dunning."""
        if not self.env.user.has_group("debiteur_dunning.group_debiteur_manager"):
            raise AccessError(
                self.env._("Only a dunning manager can cancel an arrangement.")
            )
        if not reason or not reason.strip():
            raise UserError(self.env._("Give a reason for cancelling."))
        for arrangement in self:
            if arrangement.state not in ("draft", "active"):
                raise UserError(
                    self.env._(
                        "Arrangement %(name)s is already closed.",
                        name=arrangement.name,
                    )
                )
        self._close("cancelled", reason.strip())
        for arrangement in self:
            note = arrangement._debiteur_chatter()
            note.message_post(
                body=note.env._(
                    "Arrangement cancelled: %(reason)s", reason=reason.strip()
                )
            )
        return True

    def action_open_cancel_wizard(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Cancel Arrangement"),
            "res_model": "debiteur.arrangement.cancel.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_arrangement_id": self.id},
        }

    def action_renegotiate(self):
        """Open the arrangement wizard on the open invoices of this one."""
        self.ensure_one()
        if self.state not in ("active", "broken"):
            raise UserError(
                self.env._("Only an active or broken arrangement can be renegotiated.")
            )
        moves = self.invoice_ids.move_id.filtered(
            lambda m: m.currency_id.compare_amounts(m.amount_residual, 0.0) > 0
        )
        return self.env["debiteur.arrangement.wizard"]._action_open(
            moves, replaced=self
        )

    def _complete_paid(self):
        """Complete the active arrangements that are fully paid."""
        done = self.filtered(
            lambda a: (
                a.state == "active"
                and a.currency_id.compare_amounts(a.amount_paid, a.amount_total) >= 0
            )
        )
        if not done:
            return done
        done._close("completed")
        for arrangement in done:
            note = arrangement._debiteur_chatter()
            note.message_post(
                body=note.env._("Everything paid: the arrangement is completed.")
            )
            if arrangement.claims_mode == "waive" and (
                arrangement.interest_amount or arrangement.costs_amount
            ):
                arrangement._log_waiver()
        return done

    def _log_waiver(self):
        self.ensure_one()
        note = self._debiteur_chatter()
        _ = note.env._
        currency = note.currency_id
        reason = self.waive_reason or _("Payment arrangement completed.")
        body = _(
            "Waived on completion: interest %(interest)s and collection costs "
            "%(costs)s. Reason: %(reason)s",
            interest=currency.format(self.interest_amount),
            costs=currency.format(self.costs_amount),
            reason=reason,
        )
        note.message_post(body=body)
        for move in note.invoice_ids.move_id:
            move.message_post(body=body)

    def _break(self):
        """Broken: back into dunning, tell the owner, optionally the debtor."""
        if not self:
            return
        self._close("broken", self.env._("An instalment was not paid in time."))
        notice = self.env.ref(
            "debiteur_dunning.mail_template_arrangement_broken",
            raise_if_not_found=False,
        )
        for arrangement in self:
            late = arrangement.line_ids.filtered(lambda line: line.state != "paid")[:1]
            note = arrangement._debiteur_chatter()
            note.message_post(
                body=note.env._(
                    "Arrangement broken: the instalment of %(date)s (%(amount)s) "
                    "was not paid. Its invoices are back in dunning.",
                    date=format_date(note.env, late.date),
                    amount=note.currency_id.format(late.amount_open),
                )
            )
            owner = arrangement.company_id.debiteur_user_id or arrangement.user_id
            note.activity_schedule(
                "mail.mail_activity_data_todo",
                date_deadline=fields.Date.context_today(self),
                summary=note.env._(
                    "Arrangement %(name)s of %(partner)s is broken",
                    name=arrangement.name,
                    partner=arrangement.partner_id.display_name,
                ),
                user_id=(owner or self.env.user).id,
            )
            if notice and arrangement.company_id.debiteur_arrangement_broken_notice:
                arrangement.message_post_with_source(
                    notice, subtype_xmlid="mail.mt_comment"
                )

    def _end_by_handoff(self, handoff):
        """The debtor is handed off to a collection agency (``handoff``): the
        active arrangements among these end for good, state ``handed_off``.

        The agency collects from now on: no more instalment reminders, and the
        scheduler neither completes nor breaks them. Their invoices that are not
        handed off go back to dunning. A recall of the handoff does not
        reactivate them (:meth:`_handoff_recalled`).
        """
        _ = self.env._
        ended = self.filtered(lambda a: a.state == "active")
        if not ended:
            return ended
        agency = handoff.agency_id.display_name
        if handoff.override_reason:
            reason = _(
                "Handed off to %(agency)s (%(handoff)s). Reason: %(reason)s",
                agency=agency,
                handoff=handoff.name,
                reason=handoff.override_reason,
            )
        else:
            reason = _(
                "Handed off to %(agency)s (%(handoff)s).",
                agency=agency,
                handoff=handoff.name,
            )
        ended._close("handed_off", reason)
        ended.sudo().write({"handoff_id": handoff.id})
        handed = handoff.invoice_ids.move_id
        for arrangement in ended:
            note = arrangement._debiteur_chatter()
            _ = note.env._
            body = _(
                "Arrangement ended: the debtor was handed off to %(agency)s "
                "(%(handoff)s). No more instalment reminders.",
                agency=agency,
                handoff=handoff.name,
            )
            back = (arrangement.invoice_ids.move_id - handed).filtered(
                lambda m: m.currency_id.compare_amounts(m.amount_residual, 0.0) > 0
            )
            if back:
                body = "%s %s" % (
                    body,
                    _(
                        "Not handed off, back in dunning: %(moves)s.",
                        moves=", ".join(back.mapped("display_name")),
                    ),
                )
            note.message_post(body=body)
        return ended

    def _handoff_recalled(self, handoff):
        """``handoff``, which ended these arrangements, is recalled.

        They stay ended: an arrangement is an agreement with the debtor, and
        a recall does not restore it silently. Their open invoices are back in
        dunning with the recall; the owner gets a to-do to decide whether to
        agree a new arrangement.
        """
        today = fields.Date.context_today(self)
        for arrangement in self.filtered(lambda a: a.state == "handed_off"):
            note = arrangement._debiteur_chatter()
            _ = note.env._
            note.message_post(
                body=_(
                    "Handoff %(handoff)s recalled. This arrangement stays ended: "
                    "its open invoices are back in dunning. Make a new "
                    "arrangement if the debtor wants to pay in instalments again.",
                    handoff=handoff.name,
                )
            )
            owner = arrangement.company_id.debiteur_user_id or arrangement.user_id
            note.activity_schedule(
                "mail.mail_activity_data_todo",
                date_deadline=today,
                summary=_(
                    "Handoff of %(partner)s recalled: arrangement %(name)s stays ended",
                    partner=arrangement.partner_id.display_name,
                    name=arrangement.name,
                ),
                user_id=(owner or self.env.user).id,
            )

    # ------------------------------------------------------------------
    # Scheduler
    # ------------------------------------------------------------------
    @api.model
    def _cron_process_arrangements(self, today=None):
        """Daily: complete paid arrangements, remind, mark late, break.

        Set-based: a fixed number of queries for the search, whatever the
        number of arrangements; mails go through the mail queue.
        """
        today = fields.Date.to_date(today) or fields.Date.context_today(self)
        active = self.search([("state", "=", "active")])
        active._complete_paid()
        active = active.filtered(lambda a: a.state == "active")
        if not active:
            return True
        lines = self.env["debiteur.arrangement.line"].search_fetch(
            [("arrangement_id", "in", active.ids), ("state", "!=", "paid")],
            ["arrangement_id", "company_id", "date", "is_late", "reminder_sent"],
        )
        to_remind = lines.browse()
        late = lines.browse()
        broken = self.browse()
        for line in lines:
            company = line.company_id
            days_past = (today - line.date).days
            remind_days = company.debiteur_arrangement_reminder_days
            if remind_days and not line.reminder_sent and 0 < -days_past <= remind_days:
                to_remind |= line
            if days_past > company.debiteur_arrangement_grace_days and not line.is_late:
                late |= line
            if days_past >= company.debiteur_arrangement_break_days:
                broken |= line.arrangement_id
        late.sudo().write({"is_late": True})
        to_remind._send_reminders()
        broken._break()
        return True

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_print_agreement(self):
        return self.env.ref(
            "debiteur_dunning.action_report_debiteur_arrangement"
        ).report_action(self)

    def action_send_agreement(self):
        return self._debiteur_compose_action(
            "debiteur_dunning.mail_template_arrangement_agreement"
        )

    def action_view_invoices(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type"
        )
        action["domain"] = [("id", "in", self.invoice_ids.move_id.ids)]
        action["context"] = {"create": False}
        return action

    @api.model
    def _action_open_for_partners(self, partners):
        """The arrangement wizard on the open invoices of one debtor."""
        partner = partners.commercial_partner_id
        if len(partner) != 1:
            raise UserError(self.env._("Select one debtor."))
        return self.env["debiteur.arrangement.wizard"]._action_open(
            self.env["debiteur.arrangement.wizard"]._open_invoices(
                partner, self.env.company
            ),
            partner=partner,
        )
