"""Collection-agency handoff (incasso): the dossier, its exports, the outcome.

A handoff gives the open overdue invoices of one debtor of one company to a
collection agency. While it is open, the invoices are out of internal dunning
(``account.move.debiteur_handoff_id``). The dossier holds what the agency needs
and nothing more; it is produced once, at the handoff, as XML (validated
against ``data/handoff_dossier.xsd``), CSV and a PDF summary, and every export
(e-mail, download) is logged.

The handoff's files: this one (the handoff, its rules, actions and payments),
``debiteur_handoff_dossier.py`` (gathering and storing the dossier, written by
the pure functions of ``dossier/``, its exports, and handing off in the
background),
``debiteur_handoff_invoice.py`` (its invoices) and
``debiteur_handoff_export.py`` (the export log).
"""

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

# States in which the invoices are with the agency (no internal dunning).
OPEN_STATES = ("draft", "sent", "in_progress", "arrangement")
STATES = [
    ("draft", "Draft"),
    ("sent", "Handed Off"),
    ("in_progress", "In Progress"),
    ("arrangement", "Arrangement"),
    ("collected", "Collected"),
    ("partial", "Partly Collected"),
    ("uncollectible", "Uncollectible"),
    ("recalled", "Recalled"),
]
# Outcomes the agency reports back (the status update dialog).
STATUS_UPDATES = ("in_progress", "arrangement", "collected", "partial", "uncollectible")
# Outcomes after which what is still open stays blocked (not back to dunning).
FINAL_UNPAID_STATES = ("partial", "uncollectible")
# Fields no client writes: who handed off and the background queue.
SERVER_FIELDS = frozenset({"user_id", "queued", "queued_send_email"})


class DebiteurHandoff(models.Model):
    _name = "debiteur.handoff"
    _description = "Collection Agency Handoff"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"
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
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_id = fields.Many2one(
        "res.partner",
        string="Debtor",
        required=True,
        readonly=True,
        index=True,
        check_company=True,
    )
    agency_id = fields.Many2one(
        "res.partner",
        string="Collection Agency",
        required=True,
        readonly=True,
        index=True,
        check_company=True,
        domain=[("debiteur_agency_type", "!=", False)],
    )
    user_id = fields.Many2one(
        "res.users", string="Handed Off By", readonly=True, copy=False
    )
    date = fields.Date(
        string="Handoff Date",
        required=True,
        readonly=True,
        default=fields.Date.context_today,
        help="Interest and costs in the dossier are calculated on this date.",
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
    invoice_ids = fields.One2many(
        "debiteur.handoff.invoice", "handoff_id", string="Invoice Rows", readonly=True
    )
    move_ids = fields.Many2many(
        "account.move", string="Invoices", compute="_compute_move_ids"
    )
    amount_handed = fields.Monetary(
        string="Open at Handoff",
        currency_field="currency_id",
        readonly=True,
        help="Open principal of the invoices handed off, company currency. "
        "Invoices of collection costs and interest are no principal: they "
        "count under the amounts already invoiced.",
    )
    interest_amount = fields.Monetary(
        string="Interest",
        currency_field="currency_id",
        readonly=True,
        help="Interest on the principal up to the handoff date that has not "
        "been invoiced yet.",
    )
    costs_amount = fields.Monetary(
        string="Collection Costs",
        currency_field="currency_id",
        readonly=True,
        help="Collection costs the law allows on the principal, less the costs "
        "already invoiced: collection costs are claimed once.",
    )
    interest_invoiced_amount = fields.Monetary(
        string="Interest Already Invoiced",
        currency_field="currency_id",
        readonly=True,
        help="Open interest on the costs invoices handed off (of a reminder or "
        "of a payment arrangement).",
    )
    costs_invoiced_amount = fields.Monetary(
        string="Costs Already Invoiced",
        currency_field="currency_id",
        readonly=True,
        help="Open collection costs and fees on the costs invoices handed off "
        "(of a reminder or of a payment arrangement).",
    )
    amount_claim = fields.Monetary(
        string="Total Claim",
        currency_field="currency_id",
        compute="_compute_amount_claim",
    )
    amount_open = fields.Monetary(
        string="Open Now", currency_field="currency_id", compute="_compute_amount_open"
    )
    amount_collected = fields.Monetary(
        string="Collected", currency_field="currency_id", readonly=True, copy=False
    )
    commission_amount = fields.Monetary(
        string="Commission", currency_field="currency_id", readonly=True, copy=False
    )
    payment_ids = fields.Many2many(
        "account.payment",
        string="Payments",
        readonly=True,
        copy=False,
        check_company=True,
    )
    commission_move_ids = fields.Many2many(
        "account.move",
        "debiteur_handoff_commission_move_rel",
        string="Commission Entries",
        readonly=True,
        copy=False,
        check_company=True,
    )
    override_reason = fields.Text(
        string="Confirmation Reason",
        readonly=True,
        help="Why the debtor was handed off despite an active arrangement or a "
        "disputed invoice.",
    )
    data_warning = fields.Text(string="Data Warnings", readonly=True)
    status_note = fields.Text(string="Agency Report", readonly=True)
    xml_attachment_id = fields.Many2one(
        "ir.attachment", string="Dossier (XML)", readonly=True, copy=False
    )
    csv_attachment_id = fields.Many2one(
        "ir.attachment", string="Dossier (CSV)", readonly=True, copy=False
    )
    pdf_attachment_id = fields.Many2one(
        "ir.attachment", string="Dossier (PDF)", readonly=True, copy=False
    )
    letter_attachment_ids = fields.Many2many(
        "ir.attachment",
        "debiteur_handoff_letter_attachment_rel",
        string="Reminders Sent (PDF)",
        readonly=True,
        copy=False,
    )
    closed_date = fields.Date(
        readonly=True,
        copy=False,
        index=True,
        help="When the handoff reached a final state: the retention period of "
        "its dossier runs from here.",
    )
    dossier_sha256 = fields.Text(
        string="Dossier SHA-256",
        readonly=True,
        copy=False,
        help="Fingerprints of the dossier files as produced (one line per file): "
        "kept when the files are deleted after the retention period.",
    )
    dossier_purged_date = fields.Date(
        string="Dossier Deleted On",
        readonly=True,
        copy=False,
        help="The dossier files were deleted after the company's retention "
        "period; their SHA-256 and this record are kept.",
    )
    letter_file_names = fields.Text(
        string="Reminders Sent", compute="_compute_letter_file_names"
    )
    export_ids = fields.One2many(
        "debiteur.handoff.export", "handoff_id", string="Export Log", readonly=True
    )
    agency_has_email = fields.Boolean(compute="_compute_agency_has_email")

    # ------------------------------------------------------------------
    @api.depends("invoice_ids.move_id")
    def _compute_move_ids(self):
        for handoff in self:
            handoff.move_ids = handoff.invoice_ids.move_id

    @api.depends(
        "amount_handed",
        "interest_amount",
        "costs_amount",
        "interest_invoiced_amount",
        "costs_invoiced_amount",
    )
    def _compute_amount_claim(self):
        for handoff in self:
            handoff.amount_claim = handoff.currency_id.round(
                handoff.amount_handed
                + handoff.interest_amount
                + handoff.costs_amount
                + handoff.interest_invoiced_amount
                + handoff.costs_invoiced_amount
            )

    @api.depends("invoice_ids.move_id.amount_residual_signed")
    def _compute_amount_open(self):
        for handoff in self:
            handoff.amount_open = sum(
                handoff.invoice_ids.move_id.mapped("amount_residual_signed")
            )

    @api.depends("letter_attachment_ids")
    def _compute_letter_file_names(self):
        for handoff in self:
            # sudo: the names only; the files stay behind the logged download.
            handoff.letter_file_names = (
                "\n".join(handoff.sudo().letter_attachment_ids.mapped("name")) or False
            )

    @api.depends("agency_id.email")
    def _compute_agency_has_email(self):
        for handoff in self:
            handoff.agency_has_email = bool(handoff.agency_id.email)

    @api.model_create_multi
    def create(self, vals_list):
        self._check_manager()
        records = super().create(vals_list)
        unnamed = records.filtered(lambda r: r.name == "/")
        # next_by_code's look-up once per company, then the numbers of all.
        if unnamed:
            self.env["ir.sequence"].browse().check_access("read")
        for company in unnamed.company_id:
            sequence = self.env["ir.sequence"].search(
                [
                    ("code", "=", "debiteur.handoff"),
                    ("company_id", "in", [company.id, False]),
                ],
                order="company_id",
                limit=1,
            )
            todo = unnamed.filtered(lambda r, c=company: r.company_id == c)
            names = self._next_names(sequence.with_company(company), todo)
            for record, name in zip(todo, names, strict=True):
                record.name = name
        return records

    @api.model
    def _next_names(self, sequence, records):
        """The next numbers of ``sequence`` (``ir.sequence``), one for each of
        ``records`` (by their ``date``), as ``next_by_code`` gives them one by
        one; "/" without a sequence. A standard sequence without date ranges
        gives them all in one query (its PostgreSQL sequence is
        ``ir_sequence_<id>``, as ``ir.sequence._next_do`` reads it)."""
        if not sequence:
            return ["/"] * len(records)
        if sequence.implementation == "standard" and not sequence.use_date_range:
            self.env.cr.execute(
                SQL(
                    "SELECT nextval(%s) FROM generate_series(1, %s)",
                    "ir_sequence_%03d" % sequence.id,
                    len(records),
                )
            )
            numbers = sorted(row[0] for row in self.env.cr.fetchall())
            return [sequence.get_next_char(number) for number in numbers]
        return [sequence._next(sequence_date=record.date) for record in records]

    def write(self, vals):
        server_only = SERVER_FIELDS.intersection(vals)
        if server_only and not self.env.su:
            # Who handed off, and the background queue acting in their name:
            # written by the add-on's own code paths only.
            raise AccessError(
                self.env._(
                    "%(fields)s of a handoff are set by the add-on only.",
                    fields=", ".join(
                        self._fields[name].get_description(self.env)["string"]
                        for name in sorted(server_only)
                    ),
                )
            )
        if "state" in vals and "closed_date" not in vals:
            final = vals["state"] not in OPEN_STATES
            vals = dict(
                vals,
                closed_date=fields.Date.context_today(self) if final else False,
            )
        res = super().write(vals)
        if "state" in vals:
            self._sync_cases()
        return res

    def _sync_cases(self):
        """The debtors' follow-up cases move with the handoff (Collection agency)."""
        self.env.flush_all()
        Sync = self.env["debiteur.case.sync"].sudo()
        for company in self.company_id:
            Sync._sync_partners(
                self.filtered(lambda h, c=company: h.company_id == c).partner_id,
                company,
            )

    @api.ondelete(at_uninstall=False)
    def _unlink_only_drafts(self):
        if any(handoff.state != "draft" for handoff in self):
            raise UserError(
                self.env._("Only a draft handoff can be deleted; recall it instead.")
            )
        if self.sudo().export_ids:
            raise UserError(
                self.env._("A handoff whose dossier was exported cannot be deleted.")
            )

    def _check_manager(self):
        if not self.env.su and not self.env.user.has_group(
            "debiteur_dunning.group_debiteur_manager"
        ):
            raise AccessError(
                self.env._("Only a dunning manager can hand debtors off to an agency.")
            )

    # ------------------------------------------------------------------
    # Rules
    # ------------------------------------------------------------------
    @api.model
    def _check_moves(self, moves, date):
        """Only overdue, open, posted customer invoices of one debtor and company,
        none of them already with an agency."""
        if not moves:
            raise UserError(self.env._("Select the invoices to hand off."))
        wrong = moves.filtered(
            lambda m: (
                m.move_type != "out_invoice"
                or m.state != "posted"
                or m.currency_id.compare_amounts(m.amount_residual, 0.0) <= 0
                or not m.invoice_date_due
                or m.invoice_date_due >= date
            )
        )
        if wrong:
            raise UserError(
                self.env._(
                    "Only overdue, unpaid, posted customer invoices can be handed "
                    "off: %(moves)s.",
                    moves=", ".join(wrong.mapped("display_name")),
                )
            )
        if len(moves.company_id) > 1 or len(moves.commercial_partner_id) > 1:
            raise UserError(
                self.env._(
                    "A handoff covers the invoices of one debtor of one company."
                )
            )
        taken = moves.filtered("debiteur_handoff_id")
        if taken:
            raise UserError(
                self.env._(
                    "Already with a collection agency: %(moves)s.",
                    moves=", ".join(taken.mapped("display_name")),
                )
            )

    @api.model
    def _check_agency(self, agency, partner, company):
        if not agency.debiteur_agency_type:
            raise UserError(
                self.env._(
                    "%(agency)s is not marked as a collection agency.",
                    agency=agency.display_name,
                )
            )
        if agency.company_id and agency.company_id != company:
            raise UserError(
                self.env._(
                    "Agency %(agency)s belongs to another company.",
                    agency=agency.display_name,
                )
            )
        consumer = self.env["debiteur.legal"]._is_consumer(partner)
        if consumer and not agency.debiteur_agency_registration:
            raise UserError(
                self.env._(
                    "%(debtor)s is a consumer and %(agency)s has no number in the "
                    "Register incassodienstverlening: only a registered agency may "
                    "collect from consumers (Wet kwaliteit "
                    "incassodienstverlening). Add the registration number to the "
                    "agency or choose another agency.",
                    debtor=partner.display_name,
                    agency=agency.display_name,
                )
            )

    @api.model
    def _confirmation_reasons(self, moves):
        """Why handing these invoices off needs an explicit confirmation."""
        reasons = []
        arrangements = self.env["debiteur.arrangement"].search(
            [
                ("company_id", "in", moves.company_id.ids),
                ("partner_id", "in", moves.commercial_partner_id.ids),
                ("state", "=", "active"),
            ]
        )
        for partner in arrangements.partner_id:
            active = arrangements.filtered(lambda a, p=partner: a.partner_id == p)
            ending = active.filtered(lambda a: a.invoice_ids.move_id & moves)
            if ending:
                reasons.append(
                    self.env._(
                        "%(debtor)s has an active payment arrangement: the "
                        "handoff ends %(arrangements)s for good (no more "
                        "instalments; a recall does not restore it).",
                        debtor=partner.display_name,
                        arrangements=", ".join(ending.mapped("name")),
                    )
                )
            if active - ending:
                reasons.append(
                    self.env._(
                        "%(debtor)s has an active payment arrangement.",
                        debtor=partner.display_name,
                    )
                )
        disputed = moves.filtered("debiteur_blocked")
        if disputed:
            reasons.append(
                self.env._(
                    "Disputed invoices: %(moves)s.",
                    moves=", ".join(disputed.mapped("display_name")),
                )
            )
        return reasons

    @api.model
    def _create_handoff(self, moves, agency, date, reason=False):
        """Create the draft handoff of ``moves`` (one debtor) to ``agency``."""
        self._check_moves(moves, fields.Date.to_date(date))
        return self._create_handoffs(moves, agency, date, reason)

    @api.model
    def _create_handoffs(self, moves, agency, date, reason=False):
        """Create the draft handoffs of ``moves`` to ``agency``: one per debtor
        (commercial partner), all at once."""
        self._check_manager()
        date = fields.Date.to_date(date)
        by_partner = {}
        for move in moves:
            partner = move.commercial_partner_id
            by_partner[partner] = by_partner.get(partner, moves.browse()) | move
        for partner, partner_moves in by_partner.items():
            self._check_moves(partner_moves, date)
            self._check_agency(agency, partner, partner_moves.company_id)
        reason = (reason or "").strip()
        if not reason:
            for partner in self._confirmation_partners(moves):
                raise UserError(
                    self.env._(
                        "%(debtor)s has an active arrangement or a disputed "
                        "invoice: confirm the handoff with a reason.",
                        debtor=partner.display_name,
                    )
                )
        return self.with_company(moves.company_id[:1]).create(
            [
                {
                    "company_id": partner_moves.company_id.id,
                    "partner_id": partner.id,
                    "agency_id": agency.id,
                    "date": date,
                    "override_reason": reason or False,
                    "invoice_ids": [
                        Command.create(
                            {
                                "move_id": move.id,
                                "amount_total": move.amount_total,
                                "amount_residual_start": move.amount_residual,
                            }
                        )
                        for move in partner_moves
                    ],
                }
                for partner, partner_moves in by_partner.items()
            ]
        )

    @api.model
    def _confirmation_partners(self, moves):
        """The debtors of ``moves`` whose handoff needs an explicit
        confirmation (``_confirmation_reasons``), in the order of ``moves``."""
        arrangements = self.env["debiteur.arrangement"].search(
            [
                ("company_id", "in", moves.company_id.ids),
                ("partner_id", "in", moves.commercial_partner_id.ids),
                ("state", "=", "active"),
            ]
        )
        flagged = (
            arrangements.partner_id
            | moves.filtered("debiteur_blocked").commercial_partner_id
        )
        return moves.commercial_partner_id & flagged

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_hand_off(self, send_email=None):
        """Produce the dossier and hand off; e-mail it when the agency has an
        address (``send_email`` False: download only). Set-based: a fixed
        number of queries per batch of handoffs, and a few per handoff."""
        self._check_manager()
        for handoff in self:
            if handoff.state != "draft":
                raise UserError(
                    self.env._(
                        "Handoff %(name)s is already handed off.", name=handoff.name
                    )
                )
            moves = handoff.invoice_ids.move_id
            handoff._check_agency(
                handoff.agency_id, handoff.partner_id, moves.company_id
            )
        # The arrangements end before the dossier is made, so that it shows
        # their outcome; a dossier refused by its schema undoes both.
        with self.env.cr.savepoint():
            self._end_arrangements()
            self._generate_dossier()
        # sudo: who handed off is the server's to write (the manager checked).
        self.sudo().write(
            {"state": "sent", "user_id": self.env.user.id, "queued": False}
        )
        self._message_log_batch(
            {
                handoff.id: handoff._debiteur_chatter().env._(
                    "Handed off to %(agency)s: %(count)s invoice(s).",
                    agency=handoff.agency_id.display_name,
                    count=len(handoff.invoice_ids),
                )
                for handoff in self
            }
        )
        if send_email is not False:
            self.filtered(lambda h: h.agency_id.email).action_send_email()
        return True

    def _end_arrangements(self):
        """End the active payment arrangements that cover invoices of these
        handoffs (confirmed with a reason when the handoff was made)."""
        rows = self.env["debiteur.arrangement.invoice"].search(
            [
                ("move_id", "in", self.invoice_ids.move_id.ids),
                ("state", "=", "active"),
            ]
        )
        for handoff in self:
            moves = handoff.invoice_ids.move_id
            handoff_rows = rows.filtered(lambda r, m=moves: r.move_id in m)
            if handoff_rows:
                handoff_rows.arrangement_id._end_by_handoff(handoff)

    def _set_status(self, state, note=False):
        self._check_manager()
        if state not in STATUS_UPDATES:
            raise UserError(self.env._("Unknown status."))
        for handoff in self:
            if handoff.state not in OPEN_STATES or handoff.state == "draft":
                raise UserError(
                    self.env._(
                        "Handoff %(name)s is not with the agency.", name=handoff.name
                    )
                )
        self.write({"state": state, "status_note": note or False})
        if state in FINAL_UNPAID_STATES:
            for handoff in self:
                still_open = handoff.invoice_ids.move_id.filtered(
                    lambda m: not m.currency_id.is_zero(m.amount_residual)
                )
                if still_open:
                    still_open._debiteur_block(
                        self.env._(
                            "Reported %(state)s by collection agency %(agency)s "
                            "(%(name)s).",
                            state=dict(STATES)[state].lower(),
                            agency=handoff.agency_id.display_name,
                            name=handoff.name,
                        )
                    )
        for handoff in self:
            chatter = handoff._debiteur_chatter()
            labels = dict(self._fields["state"]._description_selection(chatter.env))
            chatter.message_post(
                body=chatter.env._(
                    "Agency report: %(state)s. %(note)s",
                    state=labels[state],
                    note=note or "",
                )
            )
        if state == "uncollectible":
            return self._action_vat_relief()
        return True

    def action_recall(self):
        """Take the invoices back: dunning resumes where it stopped."""
        self._check_manager()
        for handoff in self:
            if handoff.state not in OPEN_STATES:
                raise UserError(
                    self.env._(
                        "Handoff %(name)s is closed and cannot be recalled.",
                        name=handoff.name,
                    )
                )
        self.write({"state": "recalled"})
        ended = self.env["debiteur.arrangement"].search(
            [("handoff_id", "in", self.ids), ("state", "=", "handed_off")]
        )
        for handoff in self:
            arrangements = ended.filtered(lambda a, h=handoff: a.handoff_id == h)
            note = handoff._debiteur_chatter()
            body = note.env._("Recalled from the agency: dunning resumes.")
            if arrangements:
                body = "%s %s" % (
                    body,
                    note.env._(
                        "The payment arrangement ended by the handoff stays "
                        "ended: %(arrangements)s.",
                        arrangements=", ".join(arrangements.mapped("name")),
                    ),
                )
                arrangements._handoff_recalled(handoff)
            note.message_post(body=body)
        return True

    def action_uncollectible(self):
        return self._set_status("uncollectible")

    def _action_vat_relief(self):
        """Offer the VAT-relief confirmation (and from there the write-off)."""
        moves = self.invoice_ids.move_id.filtered(
            lambda m: not m.currency_id.is_zero(m.amount_residual)
        )
        if not moves or "debiteur.vat.relief.wizard" not in self.env:
            return True
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Reclaim VAT"),
            "res_model": "debiteur.vat.relief.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_move_ids": moves.ids,
                "default_reason": self.env._(
                    "Reported uncollectible by collection agency %(agency)s "
                    "(%(names)s).",
                    agency=", ".join(self.agency_id.mapped("display_name")),
                    names=", ".join(self.mapped("name")),
                ),
            },
        }

    def action_open_status_wizard(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Agency Report"),
            "res_model": "debiteur.handoff.status.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_handoff_id": self.id},
        }

    def action_open_payment_wizard(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Book Collected Payment"),
            "res_model": "debiteur.handoff.payment.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_handoff_id": self.id},
        }

    def action_view_invoices(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type"
        )
        action["domain"] = [("id", "in", self.invoice_ids.move_id.ids)]
        action["context"] = {"create": False}
        return action

    # ------------------------------------------------------------------
    # Payments
    # ------------------------------------------------------------------
    def _commission_default(self, amount):
        self.ensure_one()
        agency = self.agency_id
        commission = amount * (agency.debiteur_agency_commission or 0.0) / 100.0
        if not self.commission_move_ids and agency.debiteur_agency_fixed_fee:
            commission += agency.debiteur_agency_fixed_fee
        return self.currency_id.round(commission)

    def _book_payment(self, amount, date, journal, via_agency, commission=0.0):
        """Register ``amount`` (gross) on the invoices; book the agency's
        commission as an expense against its payable, never off the receivable."""
        self.ensure_one()
        self._check_manager()
        currency = self.currency_id
        if self.state not in OPEN_STATES or self.state == "draft":
            raise UserError(
                self.env._("Handoff %(name)s is not with the agency.", name=self.name)
            )
        if currency.compare_amounts(amount, 0.0) <= 0:
            raise UserError(self.env._("The amount collected must be positive."))
        moves = self.invoice_ids.move_id.filtered(
            lambda m: not m.currency_id.is_zero(m.amount_residual)
        ).sorted(lambda m: (m.invoice_date_due, m.id))
        if not moves:
            raise UserError(self.env._("The invoices of this handoff are paid."))
        if currency.compare_amounts(amount, sum(moves.mapped("amount_residual"))) > 0:
            raise UserError(
                self.env._("The amount collected is more than what is open.")
            )
        if len(moves.currency_id) > 1 or moves.currency_id != currency:
            raise UserError(
                self.env._(
                    "Book payments in a foreign currency with the standard "
                    "payment dialog."
                )
            )
        commission = currency.round(commission or 0.0) if via_agency else 0.0
        if currency.compare_amounts(commission, 0.0) < 0 or (
            currency.compare_amounts(commission, amount) > 0
        ):
            raise UserError(
                self.env._("The commission must lie between zero and the amount.")
            )
        company = self.company_id
        commission_move = self.env["account.move"]
        if not currency.is_zero(commission):
            if not (
                company.debiteur_handoff_commission_account_id
                and company.debiteur_handoff_commission_journal_id
            ):
                raise UserError(
                    self.env._(
                        "Set the commission expense account and journal in the "
                        "dunning settings first."
                    )
                )
        register = (
            self.env["account.payment.register"]
            .with_company(company)
            .with_context(active_model="account.move", active_ids=moves.ids)
            .create(
                {
                    "amount": amount,
                    "payment_date": date,
                    "journal_id": journal.id,
                    "group_payment": True,
                    "payment_difference_handling": "open",
                    "communication": self.name,
                }
            )
        )
        payments = register._create_payments()
        if not currency.is_zero(commission):
            agency = self.agency_id.with_company(company)
            payable = agency.property_account_payable_id
            label = self.env._(
                "Collection commission %(agency)s on %(name)s",
                agency=agency.display_name,
                name=self.name,
            )
            commission_move = (
                self.env["account.move"]
                .with_company(company)
                .create(
                    {
                        "move_type": "entry",
                        "date": date,
                        "journal_id": company.debiteur_handoff_commission_journal_id.id,
                        "ref": label,
                        "line_ids": [
                            Command.create(
                                {
                                    "name": label,
                                    "account_id": (
                                        company.debiteur_handoff_commission_account_id.id
                                    ),
                                    "partner_id": agency.id,
                                    "debit": commission,
                                }
                            ),
                            Command.create(
                                {
                                    "name": label,
                                    "account_id": payable.id,
                                    "partner_id": agency.id,
                                    "credit": commission,
                                }
                            ),
                        ],
                    }
                )
            )
            commission_move.action_post()
        vals = {
            "amount_collected": self.amount_collected + amount,
            "commission_amount": self.commission_amount + commission,
            "payment_ids": [Command.link(p.id) for p in payments],
        }
        if commission_move:
            vals["commission_move_ids"] = [Command.link(commission_move.id)]
        self.write(vals)
        note = self._debiteur_chatter()
        _ = note.env._
        note.message_post(
            body=_(
                "Payment booked: %(amount)s collected (%(channel)s), commission "
                "%(commission)s.",
                amount=currency.with_env(note.env).format(amount),
                channel=_("through the agency")
                if via_agency
                else _("received directly"),
                commission=currency.with_env(note.env).format(commission),
            )
        )
        self.invalidate_recordset()
        if all(m.currency_id.is_zero(m.amount_residual) for m in moves):
            self.write({"state": "collected"})
        return payments, commission_move
