"""Collection-agency handoff (incasso): the dossier, its exports, the outcome.

A handoff gives the open overdue invoices of one debtor of one company to a
collection agency. While it is open, the invoices are out of internal dunning
(``account.move.debiteur_handoff_id``). The dossier holds what the agency needs
and nothing more; it is produced once, at the handoff, as XML (validated
against ``data/handoff_dossier.xsd``), CSV and a PDF summary, and every export
(e-mail, download) is logged.
"""

import csv
import hashlib
import io
import re
import secrets
import zipfile
from datetime import timedelta
from decimal import Decimal

from lxml import etree
from stdnum import iban as stdnum_iban
from stdnum.be import vat as be_vat

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.http import Stream
from odoo.tools import SQL, file_path, format_date

from .debiteur_legal import _money, _quantize

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
SENT_COMM_STATES = ("sent", "printed")
UNIQUE_OPEN_INDEX = "debiteur_handoff_invoice_open_move_uniq"
XMLNS = "urn:debiteur-dunning:handoff-dossier:1"
XSD_PATH = "debiteur_dunning/data/handoff_dossier.xsd"
CSV_COLUMNS = (
    "record_type",
    "handoff",
    "debtor",
    "reference",
    "date",
    "due_date",
    "currency",
    "amount",
    "amount_open",
    "interest",
    "costs",
    "channel",
    "sha256",
    "status",
    "note",
    "interest_invoiced",
    "costs_invoiced",
)
_KVK = re.compile(r"^\d{8}$")
DOWNLOAD_LINK_MINUTES = 10  # a download link works once, within this time
# Columns that hold amounts: written as plain numbers (a negative amount keeps its
# minus sign, so that the agency's spreadsheet still reads a number).
CSV_NUMERIC_COLUMNS = frozenset(
    (
        "amount",
        "amount_open",
        "interest",
        "costs",
        "interest_invoiced",
        "costs_invoiced",
    )
)
_CSV_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
# A cell starting with one of these is read as a formula by spreadsheets (OWASP
# "CSV injection"): a debtor edits its own address through the portal.
_CSV_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _amount(value):
    return "%.2f" % (value or 0.0)


def csv_cell(value, numeric=False):
    """One CSV cell, safe to open in a spreadsheet.

    Text that starts like a formula gets a leading single quote (OWASP), so that
    ``=HYPERLINK(...)`` in a debtor's name or address stays text. An amount column
    (``numeric``) keeps a plain number as it is, negative ones included; anything
    else in it is neutralised like text.
    """
    text = "" if value is None or value is False else str(value)
    if numeric and _CSV_NUMBER.match(text):
        return text
    if text.startswith(_CSV_FORMULA_START):
        return "'" + text
    return text


def _sub(parent, tag, text=None, **attrs):
    node = etree.SubElement(parent, "{%s}%s" % (XMLNS, tag), **attrs)
    if text is not None:
        node.text = str(text)
    return node


def _opt(parent, tag, text, **attrs):
    if text:
        return _sub(parent, tag, text, **attrs)
    return None


def _document(parent, tag, inv):
    """The dossier elements an invoice and a costs invoice share, in XSD order."""
    node = _sub(parent, tag)
    _sub(node, "number", inv["number"])
    _sub(node, "invoiceDate", inv["invoice_date"].isoformat())
    _sub(node, "dueDate", inv["due_date"].isoformat())
    _sub(node, "currency", inv["currency"])
    _sub(node, "amountTotal", _amount(inv["amount_total"]))
    _sub(node, "amountOpen", _amount(inv["amount_open"]))
    _sub(node, "interest", _amount(inv["interest"]))
    return node


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
        for record in records.filtered(lambda r: r.name == "/"):
            record.name = (
                self.env["ir.sequence"]
                .with_company(record.company_id)
                .next_by_code("debiteur.handoff", sequence_date=record.date)
                or "/"
            )
        return records

    def write(self, vals):
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
        Case = self.env["debiteur.case"].sudo()
        for company in self.company_id:
            Case._sync(
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
        self._check_manager()
        date = fields.Date.to_date(date)
        self._check_moves(moves, date)
        partner = moves.commercial_partner_id
        company = moves.company_id
        self._check_agency(agency, partner, company)
        if self._confirmation_reasons(moves) and not (reason or "").strip():
            raise UserError(
                self.env._(
                    "%(debtor)s has an active arrangement or a disputed invoice: "
                    "confirm the handoff with a reason.",
                    debtor=partner.display_name,
                )
            )
        return self.with_company(company).create(
            {
                "company_id": company.id,
                "partner_id": partner.id,
                "agency_id": agency.id,
                "date": date,
                "override_reason": (reason or "").strip() or False,
                "invoice_ids": [
                    Command.create(
                        {
                            "move_id": move.id,
                            "amount_total": move.amount_total,
                            "amount_residual_start": move.amount_residual,
                        }
                    )
                    for move in moves
                ],
            }
        )

    # ------------------------------------------------------------------
    # The dossier
    # ------------------------------------------------------------------
    def _registry_is_valid(self, number, country_code):
        number = re.sub(r"[\s.\-]", "", number or "")
        if country_code == "NL":
            return bool(_KVK.match(number))
        if country_code == "BE":
            return be_vat.is_valid(number)
        return True

    def _dossier_data(self):
        """Everything the dossier holds, as plain Python values (one handoff)."""
        self.ensure_one()
        _ = self.env._
        legal = self.env["debiteur.legal"]
        company = self.company_id
        partner = self.partner_id
        moves = self.invoice_ids.move_id.sorted(lambda m: (m.invoice_date_due, m.id))
        rows = {row.move_id.id: row for row in self.invoice_ids}
        country = partner.country_id.code or ""
        warnings = []

        vat_valid = None
        if partner.vat:
            vat_valid = legal._vat_is_valid(partner.vat, country)
            if not vat_valid:
                warnings.append(_("VAT number %(vat)s is not valid.", vat=partner.vat))
        registry_valid = None
        if partner.company_registry:
            registry_valid = self._registry_is_valid(partner.company_registry, country)
            if not registry_valid:
                warnings.append(
                    _(
                        "Company registry number %(number)s is not valid.",
                        number=partner.company_registry,
                    )
                )
        ibans = []
        for bank in partner.bank_ids:
            valid = stdnum_iban.is_valid(bank.acc_number or "")
            ibans.append({"number": bank.acc_number, "valid": valid})
            if not valid:
                warnings.append(
                    _(
                        "Bank account %(account)s is not a valid IBAN.",
                        account=bank.acc_number,
                    )
                )

        # A costs invoice (collection costs and interest of a reminder, or the
        # charges of a payment arrangement) is no principal: no interest and
        # no collection costs on it, and what it charges is claimed once.
        principal_moves = moves.filtered(lambda m: not m.debiteur_is_cost_invoice)
        cost_moves = moves - principal_moves
        charges = self._dossier_charges(principal_moves, cost_moves)
        claim = self._dossier_claim(principal_moves | cost_moves, charges)
        invoices = []
        for move in principal_moves:
            interest = (
                claim.invoices.get(move.id, {}).get("interest", Decimal(0))
                if claim
                else Decimal(0)
            )
            row = rows[move.id]
            invoices.append(
                {
                    "number": move.name,
                    "invoice_date": move.invoice_date,
                    "due_date": move.invoice_date_due,
                    "currency": move.currency_id.name,
                    "amount_total": row.amount_total,
                    "amount_open": row.amount_residual_start,
                    "interest": float(interest),
                    "disputed": bool(move.debiteur_blocked),
                }
            )

        cost_invoices = []
        interest_invoiced = costs_invoiced = _quantize(0, company.currency_id)
        for move in cost_moves:
            row = rows[move.id]
            split = self._dossier_split_cost_invoice(
                move, row, charges["by_move"].get(move.id, {})
            )
            cost_invoices.append(
                {
                    "number": move.name,
                    "invoice_date": move.invoice_date,
                    "due_date": move.invoice_date_due,
                    "currency": move.currency_id.name,
                    "amount_total": row.amount_total,
                    "amount_open": row.amount_residual_start,
                    "interest": split["interest"],
                    "costs": split["costs"],
                    "origin": ", ".join(
                        charges["by_move"].get(move.id, {}).get("origins", [])
                    ),
                }
            )
            interest_invoiced += split["interest_company"]
            costs_invoiced += split["costs_company"]
        for move in charges["moves"] - cost_moves:
            if move.currency_id.compare_amounts(move.amount_residual, 0.0) > 0:
                warnings.append(
                    _(
                        "Costs invoice %(invoice)s is not handed off: what it "
                        "charges is deducted from the interest and collection "
                        "costs the agency claims.",
                        invoice=move.display_name,
                    )
                )

        zero = _quantize(0, company.currency_id)
        costs = float(claim.costs) if claim else 0.0
        costs_note = claim.costs_note if claim else ""
        interest_gross = claim.interest_gross if claim else zero
        interest_new = claim.interest if claim else zero
        interest_note = ""
        if charges["interest"] > 0:
            interest_note = _(
                "Interest on the invoices up to %(date)s: %(gross)s, less the "
                "interest already invoiced: %(invoiced)s. Interest is not "
                "charged on invoiced interest and costs.",
                date=format_date(self.env, self.date),
                gross=company.currency_id.format(float(interest_gross)),
                invoiced=company.currency_id.format(float(charges["interest"])),
            )

        comm_lines = self.env["debiteur.communication.line"].search(
            [
                ("move_id", "in", moves.ids),
                ("communication_id.company_id", "=", company.id),
                ("communication_id.partner_id", "=", partner.id),
                ("communication_id.state", "in", SENT_COMM_STATES),
            ]
        )
        comms = comm_lines.communication_id.sorted(
            lambda c: (c.sent_date or c.date, c.id)
        )
        channel_labels = dict(
            self.env["debiteur.communication"]
            ._fields["channel"]
            ._description_selection(self.env)
        )
        communications = [
            {
                "reference": comm.name,
                "date": comm.sent_date or comm.date,
                "channel": comm.channel,
                "channel_label": channel_labels.get(comm.channel, comm.channel),
                "level": comm.level_id.name,
                "formal_notice": bool(comm.level_id.is_legal_notice),
                "sha256": comm.letter_sha256 or "",
                "file_name": comm.attachment_id.name or "",
                "attachment": comm.attachment_id,
            }
            for comm in comms
        ]

        arrangement_rows = self.env["debiteur.arrangement.invoice"].search(
            [("move_id", "in", moves.ids), ("company_id", "=", company.id)]
        )
        state_labels = dict(
            self.env["debiteur.arrangement"]
            ._fields["state"]
            ._description_selection(self.env)
        )
        arrangements = [
            {
                "reference": arrangement.name,
                "start_date": arrangement.date_start,
                "state": arrangement.state,
                "state_label": state_labels.get(arrangement.state, arrangement.state),
                "amount_total": arrangement.amount_total,
                "amount_paid": arrangement.amount_paid,
            }
            for arrangement in arrangement_rows.arrangement_id.sorted("id")
        ]
        disputes = [
            {
                "invoice": move.name,
                "reason": move.debiteur_block_reason or "",
                "until": move.debiteur_block_until,
            }
            for move in moves.filtered("debiteur_blocked")
        ]
        principal = company.currency_id.round(
            sum(
                row.amount_residual_signed_start
                for row in self.invoice_ids
                if row.move_id in principal_moves
            )
        )
        interest = float(interest_new)
        interest_invoiced = float(interest_invoiced)
        costs_invoiced = float(costs_invoiced)
        return {
            "reference": self.name,
            "date": self.date,
            "creditor": {
                "name": company.name,
                "vat": company.vat or "",
                "registry": company.company_registry or "",
            },
            "agency": {
                "name": self.agency_id.name,
                "type": self.agency_id.debiteur_agency_type,
                "registration": self.agency_id.debiteur_agency_registration or "",
            },
            "debtor": {
                "name": partner.name,
                "type": partner.debiteur_debtor_type or "business",
                "street": partner.street or "",
                "street2": partner.street2 or "",
                "zip": partner.zip or "",
                "city": partner.city or "",
                "country": country,
                "email": partner.email or "",
                "phone": partner.phone or partner.mobile or "",
                "lang": partner.lang or "",
                "vat": partner.vat or "",
                "vat_valid": vat_valid,
                "registry": partner.company_registry or "",
                "registry_valid": registry_valid,
                "ibans": ibans,
            },
            "invoices": invoices,
            "cost_invoices": cost_invoices,
            "claim": {
                "currency": company.currency_id.name,
                "principal": principal,
                "interest": interest,
                "interest_invoiced": interest_invoiced,
                "costs": costs,
                "costs_invoiced": costs_invoiced,
                "costs_note": costs_note,
                "interest_note": interest_note,
                "total": company.currency_id.round(
                    principal + interest + interest_invoiced + costs + costs_invoiced
                ),
            },
            "communications": communications,
            "arrangements": arrangements,
            "disputes": disputes,
            "warnings": warnings,
        }

    def _dossier_claim(self, moves, charges):
        """The debtor's claim on the handoff date (``debiteur.claim``): the
        collection costs the law allows, whatever the levels charged (the
        agency claims them), less what ``charges`` (``_dossier_charges``) says
        was already invoiced or waived; None without a policy."""
        self.ensure_one()
        if not moves:
            return None
        partner_id = self.partner_id.commercial_partner_id.id
        return (
            self.env["debiteur.claim"]
            ._claims(
                self.company_id,
                {partner_id: moves},
                self.date,
                costs_by_level=False,
                charges={partner_id: charges},
            )
            .get(partner_id)
        )

    def _dossier_charges(self, principal_moves, cost_moves):
        """Interest and costs already charged on these invoices: the debtor's
        entry of ``account.move._debiteur_charges`` (costs invoices of the
        reminders that listed ``principal_moves``, charges invoices of the
        arrangements that covered them, the costs invoices ``cost_moves``
        handed off, and what was waived)."""
        self.ensure_one()
        Move = self.env["account.move"]
        charges = Move._debiteur_charges(self.company_id, principal_moves | cost_moves)
        return charges.get(
            self.partner_id.commercial_partner_id.id, Move._debiteur_no_charges()
        )

    @api.model
    def _dossier_split_cost_invoice(self, move, row, charge):
        """What is open on costs invoice ``move`` at the handoff (``row``),
        split into collection costs and interest.

        Payments on it went to the costs first, then to the interest (art.
        6:44 BW). ``charge``: the interest it invoiced (``_dossier_charges``);
        the rest of its total (costs, fee, VAT on them) is costs. Returns
        ``interest`` and ``costs`` (floats, the move's currency) and
        ``interest_company`` and ``costs_company`` (Decimals, the company's).
        """
        currency = move.currency_id
        company_currency = move.company_id.currency_id
        total = row.amount_total
        open_amount = row.amount_residual_start
        interest_part = min(max(charge.get("interest", 0.0), 0.0), total)
        costs_part = currency.round(total - interest_part)
        paid = max(currency.round(total - open_amount), 0.0)
        costs_open = max(currency.round(costs_part - paid), 0.0)
        costs_open = min(costs_open, open_amount)
        interest_open = currency.round(open_amount - costs_open)
        open_company = row.amount_residual_signed_start
        rate = open_company / open_amount if open_amount else 1.0
        costs_company = company_currency.round(costs_open * rate)
        return {
            "interest": interest_open,
            "costs": costs_open,
            "interest_company": _money(
                company_currency.round(open_company - costs_company), company_currency
            ),
            "costs_company": _money(costs_company, company_currency),
        }

    def _dossier_xml_tree(self, data=None):
        """The dossier as an lxml tree (not validated)."""
        self.ensure_one()
        data = data or self._dossier_data()
        E = etree.Element

        sub, opt = _sub, _opt

        root = E("{%s}dossier" % XMLNS, nsmap={None: XMLNS}, version="1")
        sub(root, "reference", data["reference"])
        sub(root, "handoffDate", data["date"].isoformat())
        creditor = sub(root, "creditor")
        sub(creditor, "name", data["creditor"]["name"])
        opt(creditor, "vat", data["creditor"]["vat"])
        opt(creditor, "companyRegistry", data["creditor"]["registry"])
        agency = sub(root, "agency")
        sub(agency, "name", data["agency"]["name"])
        sub(agency, "agencyType", data["agency"]["type"])
        opt(agency, "registrationNumber", data["agency"]["registration"])

        debtor_data = data["debtor"]
        debtor = sub(root, "debtor")
        sub(debtor, "name", debtor_data["name"])
        sub(debtor, "debtorType", debtor_data["type"])
        address = sub(debtor, "address")
        for tag, key in (
            ("street", "street"),
            ("street2", "street2"),
            ("zip", "zip"),
            ("city", "city"),
            ("country", "country"),
        ):
            opt(address, tag, debtor_data[key])
        opt(debtor, "email", debtor_data["email"])
        opt(debtor, "phone", debtor_data["phone"])
        opt(debtor, "lang", debtor_data["lang"])
        if debtor_data["vat"]:
            sub(
                debtor,
                "vat",
                debtor_data["vat"],
                valid="true" if debtor_data["vat_valid"] else "false",
            )
        if debtor_data["registry"]:
            sub(
                debtor,
                "companyRegistry",
                debtor_data["registry"],
                valid="true" if debtor_data["registry_valid"] else "false",
            )
        for iban in debtor_data["ibans"]:
            sub(
                debtor,
                "iban",
                iban["number"],
                valid="true" if iban["valid"] else "false",
            )

        invoices = sub(root, "invoices")
        for inv in data["invoices"]:
            node = _document(invoices, "invoice", inv)
            sub(node, "disputed", "true" if inv["disputed"] else "false")

        cost_invoices = sub(root, "costInvoices")
        for inv in data["cost_invoices"]:
            node = _document(cost_invoices, "costInvoice", inv)
            sub(node, "costs", _amount(inv["costs"]))
            opt(node, "origin", inv["origin"])

        claim = sub(root, "claim")
        sub(claim, "currency", data["claim"]["currency"])
        for tag, key in (
            ("principal", "principal"),
            ("interest", "interest"),
            ("interestInvoiced", "interest_invoiced"),
            ("costs", "costs"),
            ("costsInvoiced", "costs_invoiced"),
            ("total", "total"),
        ):
            sub(claim, tag, _amount(data["claim"][key]))

        comms = sub(root, "communications")
        for comm in data["communications"]:
            node = sub(comms, "communication")
            sub(node, "reference", comm["reference"])
            sub(node, "date", comm["date"].isoformat())
            sub(node, "channel", comm["channel"])
            sub(node, "level", comm["level"])
            sub(node, "formalNotice", "true" if comm["formal_notice"] else "false")
            opt(node, "sha256", comm["sha256"])
            opt(node, "fileName", comm["file_name"])

        arrangements = sub(root, "arrangements")
        for arr in data["arrangements"]:
            node = sub(arrangements, "arrangement")
            sub(node, "reference", arr["reference"])
            sub(node, "startDate", arr["start_date"].isoformat())
            sub(node, "state", arr["state"])
            sub(node, "amountTotal", _amount(arr["amount_total"]))
            sub(node, "amountPaid", _amount(arr["amount_paid"]))

        disputes = sub(root, "disputes")
        for dispute in data["disputes"]:
            node = sub(disputes, "dispute")
            sub(node, "invoiceNumber", dispute["invoice"])
            sub(node, "reason", dispute["reason"] or "-")
            if dispute["until"]:
                sub(node, "blockedUntil", dispute["until"].isoformat())
        return root

    @api.model
    def _dossier_schema(self):
        with open(file_path(XSD_PATH), "rb") as xsd:
            return etree.XMLSchema(etree.parse(xsd))

    @api.model
    def _validate_dossier(self, tree):
        """Refuse a dossier that does not match the shipped XSD."""
        schema = self._dossier_schema()
        if not schema.validate(tree):
            errors = "; ".join(
                "line %s: %s" % (error.line, error.message)
                for error in list(schema.error_log)[:5]
            )
            raise UserError(
                self.env._(
                    "The dossier does not match its XML schema and is not "
                    "exported: %(errors)s",
                    errors=errors,
                )
            )
        return True

    def _dossier_xml(self, data=None):
        tree = self._dossier_xml_tree(data)
        self._validate_dossier(tree)
        return etree.tostring(
            tree, pretty_print=True, xml_declaration=True, encoding="UTF-8"
        )

    def _dossier_csv(self, data=None):
        self.ensure_one()
        data = data or self._dossier_data()
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
        writer.writerow(CSV_COLUMNS)
        # Every cell goes through csv_cell: text is neutralised, amounts stay numbers.
        debtor = data["debtor"]
        base = {"handoff": data["reference"], "debtor": debtor["name"]}

        def row(**values):
            merged = dict(base, **values)
            writer.writerow(
                [
                    csv_cell(merged.get(col, ""), numeric=col in CSV_NUMERIC_COLUMNS)
                    for col in CSV_COLUMNS
                ]
            )

        row(
            record_type="debtor",
            reference=debtor["registry"],
            status=debtor["type"],
            note=" | ".join(
                v
                for v in (
                    debtor["vat"],
                    debtor["street"],
                    debtor["zip"],
                    debtor["city"],
                    debtor["country"],
                    debtor["email"],
                    debtor["phone"],
                    *[iban["number"] for iban in debtor["ibans"]],
                )
                if v
            ),
        )
        for inv in data["invoices"]:
            row(
                record_type="invoice",
                reference=inv["number"],
                date=inv["invoice_date"].isoformat(),
                due_date=inv["due_date"].isoformat(),
                currency=inv["currency"],
                amount=_amount(inv["amount_total"]),
                amount_open=_amount(inv["amount_open"]),
                interest=_amount(inv["interest"]),
                status="disputed" if inv["disputed"] else "",
            )
        for inv in data["cost_invoices"]:
            row(
                record_type="cost_invoice",
                reference=inv["number"],
                date=inv["invoice_date"].isoformat(),
                due_date=inv["due_date"].isoformat(),
                currency=inv["currency"],
                amount=_amount(inv["amount_total"]),
                amount_open=_amount(inv["amount_open"]),
                interest=_amount(inv["interest"]),
                costs=_amount(inv["costs"]),
                note=inv["origin"],
            )
        claim = data["claim"]
        row(
            record_type="claim",
            date=data["date"].isoformat(),
            currency=claim["currency"],
            amount=_amount(claim["total"]),
            amount_open=_amount(claim["principal"]),
            interest=_amount(claim["interest"]),
            costs=_amount(claim["costs"]),
            interest_invoiced=_amount(claim["interest_invoiced"]),
            costs_invoiced=_amount(claim["costs_invoiced"]),
        )
        for comm in data["communications"]:
            row(
                record_type="communication",
                reference=comm["reference"],
                date=comm["date"].isoformat(),
                channel=comm["channel"],
                sha256=comm["sha256"],
                status="formal_notice" if comm["formal_notice"] else "reminder",
                note=comm["file_name"],
            )
        for arr in data["arrangements"]:
            row(
                record_type="arrangement",
                reference=arr["reference"],
                date=arr["start_date"].isoformat(),
                amount=_amount(arr["amount_total"]),
                amount_open=_amount(arr["amount_total"] - arr["amount_paid"]),
                status=arr["state"],
            )
        for dispute in data["disputes"]:
            row(
                record_type="dispute",
                reference=dispute["invoice"],
                due_date=dispute["until"].isoformat() if dispute["until"] else "",
                status="disputed",
                note=dispute["reason"],
            )
        return out.getvalue().encode("utf-8")

    def _dossier_pdf(self):
        """The PDF summary in the agency's language: ``(content, mimetype)``."""
        self.ensure_one()
        content, kind = (
            self.env["ir.actions.report"]
            .with_context(lang=self.agency_id.lang or "en_US")
            ._render_qweb_pdf(
                "debiteur_dunning.action_report_debiteur_handoff", self.ids
            )
        )
        return content, "application/pdf" if kind == "pdf" else "text/html"

    def _attach(self, name, content, mimetype):
        # sudo: a dossier file is the server's evidence, created here only and
        # refused to every client by ir.attachment (see models/ir_attachment.py).
        return (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": name,
                    "raw": content,
                    "mimetype": mimetype,
                    "res_model": self._name,
                    "res_id": self.id,
                    "debiteur_dossier": True,
                }
            )
            .sudo(False)
        )

    def _generate_dossier(self):
        """Build, validate and attach XML, CSV, PDF and the reminders sent."""
        for handoff in self:
            data = handoff._dossier_data()
            xml = handoff._dossier_xml(data)
            csv_content = handoff._dossier_csv(data)
            pdf, pdf_mime = handoff._dossier_pdf()
            stem = "%s - %s" % (handoff.name.replace("/", "-"), handoff.partner_id.name)
            pdf_name = stem + (".pdf" if pdf_mime == "application/pdf" else ".html")
            letters = self.env["ir.attachment"]
            for comm in data["communications"]:
                if comm["attachment"]:
                    letters |= (
                        comm["attachment"]
                        .sudo()
                        .copy(
                            {
                                "res_model": handoff._name,
                                "res_id": handoff.id,
                                "debiteur_dossier": True,
                            }
                        )
                        .sudo(False)
                    )
            handoff.write(
                {
                    "xml_attachment_id": handoff._attach(
                        stem + ".xml", xml, "application/xml"
                    ).id,
                    "csv_attachment_id": handoff._attach(
                        stem + ".csv", csv_content, "text/csv"
                    ).id,
                    "pdf_attachment_id": handoff._attach(pdf_name, pdf, pdf_mime).id,
                    "letter_attachment_ids": [Command.set(letters.ids)],
                    "data_warning": "\n".join(data["warnings"]) or False,
                    "amount_handed": data["claim"]["principal"],
                    "interest_amount": data["claim"]["interest"],
                    "costs_amount": data["claim"]["costs"],
                    "interest_invoiced_amount": data["claim"]["interest_invoiced"],
                    "costs_invoiced_amount": data["claim"]["costs_invoiced"],
                }
            )
            handoff.dossier_sha256 = handoff._dossier_fingerprint(
                handoff._dossier_attachments()
            )

    def _dossier_fingerprint(self, files):
        return "\n".join(
            "%s  %s" % (hashlib.sha256(att.raw or b"").hexdigest(), att.name)
            for att in files.sudo()
        )

    def _dossier_attachments(self):
        self.ensure_one()
        return (
            self.xml_attachment_id
            | self.csv_attachment_id
            | self.pdf_attachment_id
            | self.letter_attachment_ids
        )

    def _email_attachments(self):
        """What the agency receives by e-mail: the dossier in its preferred format
        (XML or CSV; PDF only: neither), the PDF summary, and the letters sent.
        The other format stays downloadable: data minimisation."""
        self.ensure_one()
        preferred = self.agency_id.debiteur_agency_export_format or "xml"
        data = {"xml": self.xml_attachment_id, "csv": self.csv_attachment_id}
        return (
            data.get(preferred, self.env["ir.attachment"])
            | self.pdf_attachment_id
            | self.letter_attachment_ids
        )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_hand_off(self, send_email=None):
        """Produce the dossier and hand off; e-mail it when the agency has an
        address (``send_email`` False: download only)."""
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
            for handoff in self:
                handoff._end_arrangements()
            self._generate_dossier()
        self.write({"state": "sent", "user_id": self.env.user.id})
        for handoff in self:
            handoff.message_post(
                body=self.env._(
                    "Handed off to %(agency)s: %(count)s invoice(s).",
                    agency=handoff.agency_id.display_name,
                    count=len(handoff.invoice_ids),
                )
            )
            if send_email is not False and handoff.agency_id.email:
                handoff.action_send_email()
        return True

    def _end_arrangements(self):
        """End the active payment arrangements that cover invoices of this
        handoff (confirmed with a reason when the handoff was made)."""
        self.ensure_one()
        rows = self.env["debiteur.arrangement.invoice"].search(
            [
                ("move_id", "in", self.invoice_ids.move_id.ids),
                ("state", "=", "active"),
            ]
        )
        return rows.arrangement_id._end_by_handoff(self)

    def action_send_email(self):
        self._check_manager()
        template = self.env.ref("debiteur_dunning.mail_template_debiteur_handoff")
        for handoff in self:
            if handoff.state == "draft":
                raise UserError(self.env._("Hand off before sending the dossier."))
            if not handoff.agency_id.email:
                raise UserError(
                    self.env._(
                        "Agency %(agency)s has no e-mail address: download the "
                        "dossier instead.",
                        agency=handoff.agency_id.display_name,
                    )
                )
            attachments = handoff._email_attachments()
            template.send_mail(
                handoff.id, email_values={"attachment_ids": attachments.ids}
            )
            handoff._log_export("email", attachments, handoff.agency_id.email)
        return True

    def _action_download(self, attachments, fmt):
        """Log the download, then hand out a one-time link to the file (the
        dossier files are refused to any other read)."""
        self.ensure_one()
        self._check_manager()
        if not attachments:
            raise UserError(self.env._("The dossier has not been produced yet."))
        log = self._log_export("download", attachments, fmt=fmt)
        return {
            "type": "ir.actions.act_url",
            "url": "/debiteur_dunning/dossier/%s?token=%s"
            % (log.id, log.sudo().download_token),
            "target": "self",
        }

    def action_download_xml(self):
        return self._action_download(self.xml_attachment_id, "xml")

    def action_download_csv(self):
        return self._action_download(self.csv_attachment_id, "csv")

    def action_download_pdf(self):
        return self._action_download(self.pdf_attachment_id, "pdf")

    def action_download_letters(self):
        return self._action_download(self.letter_attachment_ids, "zip")

    def _log_export(self, channel, attachments, recipient=False, fmt=False):
        """The export log row: written by the server only (sudo, after the
        manager check of the caller), who and when set here, not by a client."""
        self.ensure_one()
        self._check_manager()
        files = attachments.sudo()
        fmt = fmt or ",".join(
            sorted({(att.name or "").rsplit(".", 1)[-1].lower() for att in files})
        )
        log = (
            self.env["debiteur.handoff.export"]
            .sudo()
            .create(
                {
                    "handoff_id": self.id,
                    "user_id": self.env.user.id,
                    "date": fields.Datetime.now(),
                    "channel": channel,
                    "export_format": fmt,
                    "recipient": recipient or False,
                    "attachment_ids": [Command.set(files.ids)],
                    "sha256": ",".join(
                        hashlib.sha256(att.raw or b"").hexdigest() for att in files
                    ),
                    "download_token": secrets.token_urlsafe(32)
                    if channel == "download"
                    else False,
                }
            )
            .sudo(False)
        )
        self.message_post(
            body=self.env._(
                "Dossier exported (%(channel)s, %(files)s) by %(user)s.",
                channel=dict(log._fields["channel"]._description_selection(self.env))[
                    channel
                ],
                files=", ".join(files.mapped("name")),
                user=self.env.user.name,
            )
        )
        return log

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
            handoff.message_post(
                body=self.env._(
                    "Agency report: %(state)s. %(note)s",
                    state=dict(self._fields["state"]._description_selection(self.env))[
                        state
                    ],
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
            body = self.env._("Recalled from the agency: dunning resumes.")
            if arrangements:
                body = "%s %s" % (
                    body,
                    self.env._(
                        "The payment arrangement ended by the handoff stays "
                        "ended: %(arrangements)s.",
                        arrangements=", ".join(arrangements.mapped("name")),
                    ),
                )
                arrangements._handoff_recalled(handoff)
            handoff.message_post(body=body)
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
        self.message_post(
            body=self.env._(
                "Payment booked: %(amount)s collected (%(channel)s), commission "
                "%(commission)s.",
                amount=currency.format(amount),
                channel=self.env._("through the agency")
                if via_agency
                else self.env._("received directly"),
                commission=currency.format(commission),
            )
        )
        self.invalidate_recordset()
        if all(m.currency_id.is_zero(m.amount_residual) for m in moves):
            self.write({"state": "collected"})
        return payments, commission_move


class DebiteurHandoffInvoice(models.Model):
    """An invoice in a handoff. The stored copy of the handoff's state carries
    the partial unique index: an invoice is in at most one open handoff."""

    _name = "debiteur.handoff.invoice"
    _description = "Invoice in a Collection Handoff"
    _order = "handoff_id, id"
    _check_company_auto = True

    handoff_id = fields.Many2one(
        "debiteur.handoff", required=True, ondelete="cascade", index=True
    )
    move_id = fields.Many2one(
        "account.move",
        string="Invoice",
        required=True,
        ondelete="restrict",
        index=True,
        check_company=True,
    )
    company_id = fields.Many2one(
        related="handoff_id.company_id", store=True, index=True
    )
    state = fields.Selection(related="handoff_id.state", store=True, index=True)
    currency_id = fields.Many2one(related="move_id.currency_id")
    company_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Company Currency"
    )
    amount_total = fields.Monetary(string="Original Amount", readonly=True)
    amount_residual_start = fields.Monetary(string="Open at Handoff", readonly=True)
    amount_residual_signed_start = fields.Monetary(
        string="Open at Handoff (Company Currency)",
        currency_field="company_currency_id",
        compute="_compute_amount_signed_start",
        store=True,
        precompute=True,
    )
    amount_residual = fields.Monetary(
        related="move_id.amount_residual", string="Open Now"
    )
    invoice_date = fields.Date(related="move_id.invoice_date")
    invoice_date_due = fields.Date(related="move_id.invoice_date_due")
    debiteur_blocked = fields.Boolean(related="move_id.debiteur_blocked")

    @api.depends("move_id", "amount_residual_start")
    def _compute_amount_signed_start(self):
        for row in self:
            move = row.move_id
            rate = (
                move.amount_residual_signed / move.amount_residual
                if move.amount_residual
                else 1.0
            )
            row.amount_residual_signed_start = row.amount_residual_start * rate

    def init(self):
        self.env.cr.execute(
            SQL(
                "CREATE UNIQUE INDEX IF NOT EXISTS %s ON %s (move_id) "
                "WHERE state IN %s",
                SQL.identifier(UNIQUE_OPEN_INDEX),
                SQL.identifier(self._table),
                OPEN_STATES,
            )
        )


class DebiteurHandoffExport(models.Model):
    """One export of a dossier: who, when, what, to whom.

    Append-only evidence: rows are created by the server (``_log_export``, as
    sudo after the manager check), never changed by a client, never deleted.
    """

    _name = "debiteur.handoff.export"
    _description = "Collection Dossier Export"
    _order = "create_date desc, id desc"

    handoff_id = fields.Many2one(
        "debiteur.handoff",
        required=True,
        ondelete="restrict",
        index=True,
        readonly=True,
    )
    company_id = fields.Many2one(
        related="handoff_id.company_id", store=True, index=True
    )
    user_id = fields.Many2one(
        "res.users", string="Exported By", required=True, readonly=True
    )
    date = fields.Datetime(string="Exported On", required=True, readonly=True)
    channel = fields.Selection(
        [("email", "E-mail"), ("download", "Download")], required=True, readonly=True
    )
    export_format = fields.Char(string="Format", readonly=True)
    recipient = fields.Char(readonly=True)
    attachment_ids = fields.Many2many("ir.attachment", string="Files", readonly=True)
    sha256 = fields.Char(string="SHA-256", readonly=True)
    # The one-time link of a download: the server's, never shown to a client.
    download_token = fields.Char(readonly=True, copy=False, groups="base.group_system")

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise AccessError(
                self.env._("The export log is written by the server only.")
            )
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            raise UserError(self.env._("The export log cannot be changed."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("The export log cannot be deleted."))

    def _consume_download(self, token, max_age=DOWNLOAD_LINK_MINUTES):
        """The file(s) of this download (sudo), once, for the user who asked,
        within ``max_age`` minutes; an empty recordset otherwise."""
        self.ensure_one()
        nothing = self.env["ir.attachment"]
        if (
            not token
            or self.channel != "download"
            or self.user_id != self.env.user
            or self.date < fields.Datetime.now() - timedelta(minutes=max_age)
        ):
            return nothing
        # One statement, so that two requests with one link serve one file.
        self.env.cr.execute(
            SQL(
                "UPDATE debiteur_handoff_export SET download_token = NULL "
                "WHERE id = %s AND download_token = %s RETURNING id",
                self.id,
                token,
            )
        )
        if not self.env.cr.fetchone():
            return nothing
        self.invalidate_recordset(["download_token"])
        return self.sudo().attachment_ids

    def _zip_stream(self, files):
        """Several files of one download as one ZIP: an ``odoo.http.Stream``."""
        self.ensure_one()
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for att in files.sudo():
                archive.writestr("%s-%s" % (att.id, att.name), att.raw or b"")
        data = out.getvalue()
        return Stream(
            type="data",
            data=data,
            mimetype="application/zip",
            download_name="%s.zip" % self.handoff_id.name.replace("/", "-"),
            size=len(data),
        )
