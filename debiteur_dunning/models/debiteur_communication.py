import base64
import hashlib
import logging
import re
from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, format_date

from ..legal import be_structured_communication, epc_qr_payload, rf_reference
from ..qr_image import qr_png
from .debiteur_proof_mixin import GROUP_MANAGER, GROUP_USER, require_group

SENT_STATES = ("queued", "sent", "printed")
# States in which a line's level counts as reached by the invoice.
REACHED_STATES = ("queued", "sent", "printed", "failed")

_logger = logging.getLogger(__name__)


class DebiteurCommunication(models.Model):
    """One reminder to one debtor: what was sent, when, how, with its proof."""

    _name = "debiteur.communication"
    _description = "Dunning Communication"
    _inherit = ["debiteur.proof.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Reference", required=True, readonly=True, copy=False, default="/"
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        readonly=True,
        default=lambda self: self.env.company,
    )
    company_currency_id = fields.Many2one(related="company_id.currency_id")
    partner_id = fields.Many2one(
        "res.partner",
        string="Debtor",
        required=True,
        index=True,
        readonly=True,
        help="The commercial partner who owes the money.",
    )
    recipient_id = fields.Many2one(
        "res.partner",
        string="Addressee",
        required=True,
        readonly=True,
        help="The debtor's invoice address the reminder is sent to.",
    )
    lang = fields.Char(compute="_compute_lang")
    run_id = fields.Many2one(
        "debiteur.run", index=True, readonly=True, check_company=True
    )
    policy_id = fields.Many2one("debiteur.policy", readonly=True, check_company=True)
    level_id = fields.Many2one(
        "debiteur.level",
        required=True,
        readonly=True,
        index=True,
        check_company=True,
    )
    channel = fields.Selection(
        [
            ("email", "E-mail"),
            ("letter", "Letter"),
            ("email_letter", "E-mail and letter"),
            ("phone", "Phone call"),
        ],
        required=True,
        readonly=True,
    )
    state = fields.Selection(
        [
            ("draft", "To review"),
            ("queued", "In mail queue"),
            ("sent", "Sent"),
            ("printed", "Printed"),
            ("failed", "Failed"),
            ("cancelled", "Cancelled"),
        ],
        required=True,
        default="draft",
        readonly=True,
        index=True,
        tracking=True,
    )
    date = fields.Date(
        required=True, readonly=True, index=True, help="The date of the letter."
    )
    sent_date = fields.Date(
        readonly=True, copy=False, help="When the reminder really left."
    )
    reference_date = fields.Date(
        compute="_compute_reference_date",
        store=True,
        precompute=True,
        index=True,
        help="Send date, or the letter date while the e-mail waits in the queue.",
    )
    line_ids = fields.One2many(
        "debiteur.communication.line", "communication_id", readonly=True
    )
    invoice_line_ids = fields.One2many(
        "debiteur.communication.line",
        "communication_id",
        domain=[("line_type", "=", "invoice")],
        readonly=True,
    )
    credit_line_ids = fields.One2many(
        "debiteur.communication.line",
        "communication_id",
        domain=[("line_type", "=", "credit")],
        readonly=True,
    )
    amount_overdue = fields.Monetary(
        currency_field="company_currency_id",
        readonly=True,
        help="Open invoices, company currency.",
    )
    amount_credit = fields.Monetary(
        currency_field="company_currency_id",
        readonly=True,
        help="Open credits, company currency.",
    )
    amount_due = fields.Monetary(
        string="Balance Due",
        currency_field="company_currency_id",
        readonly=True,
        help="Open invoices minus open credits, company currency.",
    )
    interest_amount = fields.Monetary(
        string="Interest",
        currency_field="company_currency_id",
        readonly=True,
        help="Interest on the listed invoices up to the letter date.",
    )
    costs_amount = fields.Monetary(
        string="Collection Costs",
        currency_field="company_currency_id",
        readonly=True,
        help="The collection costs stated in the letter.",
    )
    costs_due = fields.Boolean(
        readonly=True,
        help="Set when the costs are due at the letter date; otherwise the letter "
        "announces them for when the payment term has passed.",
    )
    costs_note = fields.Text(string="Costs Explanation", readonly=True)
    total_claim = fields.Monetary(
        compute="_compute_total_claim",
        currency_field="company_currency_id",
        help="Balance due plus interest plus the collection costs due now.",
    )
    payment_reference = fields.Char(readonly=True, copy=False)
    warning = fields.Text(readonly=True)
    legal_deadline = fields.Date(
        readonly=True, help="Last day of the term stated in the formal notice."
    )
    mail_id = fields.Many2one(
        "mail.mail", string="E-mail", readonly=True, ondelete="set null"
    )
    failure_reason = fields.Text(readonly=True, copy=False)
    attachment_id = fields.Many2one(
        "ir.attachment", string="Letter (PDF)", readonly=True, copy=False
    )
    letter_sha256 = fields.Char(
        string="Letter SHA-256",
        readonly=True,
        copy=False,
        help="Fingerprint of the letter as sent: proof of its content.",
    )
    letter_purged_date = fields.Date(
        string="Letter Deleted On",
        readonly=True,
        copy=False,
        help="The letter was deleted after the company's retention period; its "
        "SHA-256 and this record are kept.",
    )
    cancel_reason = fields.Text(readonly=True, copy=False)
    cancel_user_id = fields.Many2one("res.users", readonly=True, copy=False)
    # The debtor's page (debiteur.debtor.link): opened from this reminder.
    debtor_page_first_opened = fields.Datetime(
        string="Page First Opened", readonly=True, copy=False
    )
    debtor_page_last_opened = fields.Datetime(
        string="Page Last Opened", readonly=True, copy=False
    )

    @api.depends("partner_id.lang", "recipient_id.lang")
    def _compute_lang(self):
        for comm in self:
            comm.lang = (
                comm.recipient_id.lang
                or comm.partner_id.lang
                or self.env.lang
                or "en_US"
            )

    @api.depends("amount_due", "interest_amount", "costs_amount", "costs_due")
    def _compute_total_claim(self):
        for comm in self:
            comm.total_claim = (
                comm.amount_due
                + comm.interest_amount
                + (comm.costs_amount if comm.costs_due else 0.0)
            )

    @api.depends("date", "sent_date")
    def _compute_reference_date(self):
        for comm in self:
            comm.reference_date = comm.sent_date or comm.date

    @api.model_create_multi
    def create(self, vals_list):
        self._debiteur_prepare_vals(vals_list)
        return super().create(vals_list)

    @api.model
    def _debiteur_prepare_vals(self, vals_list):
        """The number of each new reminder (the company's sequence, drawn for
        all of a company's reminders at once) and the payment reference made
        from it; for ``create()`` and ``_debiteur_insert`` alike."""
        Company = self.env["res.company"]
        unnamed = defaultdict(list)
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                unnamed[vals.get("company_id") or self.env.company.id].append(vals)
        for company_id, todo in unnamed.items():
            names = self.with_company(Company.browse(company_id))._next_names(len(todo))
            for vals, name in zip(todo, names, strict=True):
                vals["name"] = name
        for vals in vals_list:
            if not vals.get("payment_reference") and vals["name"] != "/":
                vals["payment_reference"] = self._payment_reference_for(
                    Company.browse(vals.get("company_id") or self.env.company.id),
                    vals["name"],
                )

    @api.model
    def _next_names(self, count):
        """``count`` numbers of the communication sequence of the current
        company, as ``next_by_code`` would draw them one by one.

        A plain (PostgreSQL) sequence without date ranges, the shipped
        configuration, draws them all in one statement; any other
        configuration (no gap, date ranges) is left to ``ir.sequence``.
        """
        Sequence = self.env["ir.sequence"]
        sequence = Sequence.search(
            [
                ("code", "=", "debiteur.communication"),
                ("company_id", "in", [self.env.company.id, False]),
            ],
            order="company_id",
            limit=1,
        )
        if not count or not sequence:
            return [
                Sequence.next_by_code("debiteur.communication") or "/"
                for _i in range(count)
            ]
        if sequence.implementation != "standard" or sequence.use_date_range:
            return [sequence._next() for _i in range(count)]
        self.env.cr.execute(
            SQL(
                "SELECT nextval(%s) FROM generate_series(1, %s)",
                f"ir_sequence_{sequence.id:03d}",
                count,
            )
        )
        # The prefix and suffix interpolated once, not once per number.
        prefix, suffix = sequence._get_prefix_suffix()
        return [
            f"{prefix}{number:0{sequence.padding}d}{suffix}"
            for (number,) in self.env.cr.fetchall()
        ]

    @api.model
    def _payment_reference_for(self, company, name):
        """The reference the debtor pays with: a Belgian structured
        communication (+++123/4567/89012+++) for a Belgian creditor, an ISO 11649
        creditor reference (RF..) otherwise. Both carry check digits, so the
        bank refuses a mistyped one.
        """
        if company.country_id.code == "BE":
            digits = re.sub(r"\D", "", name)[-10:]
            return be_structured_communication(digits or "0")
        return rf_reference(re.sub(r"[^0-9A-Za-z]", "", name))

    # ------------------------------------------------------------------
    # Display helpers used by the letter and the e-mail
    # ------------------------------------------------------------------
    def _currency_totals(self):
        """Open invoices, credits and balance per currency, for the letter."""
        self.ensure_one()
        totals = defaultdict(lambda: {"overdue": 0.0, "credit": 0.0})
        for line in self.line_ids:
            key = "overdue" if line.line_type == "invoice" else "credit"
            totals[line.currency_id][key] += line.amount_residual
        result = []
        for currency, amounts in totals.items():
            result.append(
                {
                    "currency": currency,
                    "overdue": currency.round(amounts["overdue"]),
                    "credit": currency.round(amounts["credit"]),
                    "balance": currency.round(amounts["overdue"] + amounts["credit"]),
                }
            )
        return sorted(result, key=lambda r: r["currency"].name)

    def _claim_statement(self):
        """The claim as the letter states it, in the currency owed.

        A claim in one foreign currency is stated in that currency: interest
        and collection costs (computed in the company currency, the WIK being
        a euro amount) converted at the rate of the letter's date, and the
        equivalent in the company currency with that rate. Otherwise the
        company currency. Returns ``{"currency", "balance", "interest",
        "costs", "total", "equivalent", "rate", "date"}`` (``equivalent`` and
        ``rate`` False in the company currency).
        """
        self.ensure_one()
        company_currency = self.company_currency_id
        day = self.date
        interest = self.interest_amount
        costs = self.costs_amount if self.costs_due else 0.0
        totals = self._currency_totals()
        currency = totals[0]["currency"] if len(totals) == 1 else company_currency
        if currency == company_currency:
            return {
                "currency": company_currency,
                "balance": self.amount_due,
                "interest": interest,
                "costs": costs,
                "total": self.total_claim,
                "equivalent": False,
                "rate": False,
                "date": day,
            }
        # What one unit of the company currency is worth in the currency owed.
        rate = currency._get_conversion_rate(
            company_currency, currency, self.company_id, day
        )
        balance = totals[0]["balance"]
        interest = currency.round(interest * rate)
        costs = currency.round(costs * rate)
        total = currency.round(balance + interest + costs)
        return {
            "currency": currency,
            "balance": balance,
            "interest": interest,
            "costs": costs,
            "total": total,
            "equivalent": company_currency.round(total / rate),
            "rate": 1 / rate,
            "date": day,
        }

    def _company_iban(self):
        self.ensure_one()
        bank = self.company_id.partner_id.bank_ids[:1]
        return bank.acc_number or ""

    def _portal_urls(self):
        """Portal links of the invoices, where the debtor can see and pay them."""
        self.ensure_one()
        urls = {}
        for line in self.invoice_line_ids:
            move = line.move_id.sudo()
            urls[move.id] = move.get_base_url() + move.get_portal_url()
        return urls

    # ------------------------------------------------------------------
    # Proof: the letter as PDF with its fingerprint
    # ------------------------------------------------------------------
    def _letter_filename(self):
        self.ensure_one()
        return "%s - %s.pdf" % (
            self.name.replace("/", "-"),
            self.partner_id.name or "",
        )

    def _attach_letter(self, content, mimetype):
        """Store one rendered letter on the communication with its SHA-256."""
        self.ensure_one()
        name = self._letter_filename()
        if mimetype != "application/pdf":
            name = name[:-4] + ".html"
        attachment = self.env["ir.attachment"].create(
            {
                "name": name,
                "raw": content,
                "mimetype": mimetype,
                "res_model": self._name,
                "res_id": self.id,
            }
        )
        self.sudo().write(
            {
                "attachment_id": attachment.id,
                "letter_sha256": hashlib.sha256(content).hexdigest(),
            }
        )
        return attachment

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_send(self):
        """Confirm and send reminders prepared for review."""
        require_group(self.env, GROUP_USER)
        drafts = self.filtered(lambda c: c.state == "draft")
        if not drafts:
            raise UserError(self.env._("Only reminders to review can be sent."))
        self.env["debiteur.dispatch"]._send_communications(drafts)
        return True

    def action_retry(self):
        require_group(self.env, GROUP_USER)
        failed = self.filtered(lambda c: c.state == "failed")
        if not failed:
            raise UserError(self.env._("Only failed reminders can be sent again."))
        with_mail = failed.filtered("mail_id")
        with_mail.mail_id.sudo().mark_outgoing()
        with_mail.sudo().write({"state": "queued", "failure_reason": False})
        without_mail = failed - with_mail
        if without_mail:
            self.env["debiteur.dispatch"]._send_communications(without_mail)
        for comm in failed:
            note = comm._debiteur_chatter()
            note.message_post(body=note.env._("Sending tried again."))
        return True

    def action_cancel(self):
        """Cancel reminders that have not left yet; the invoices go back a level."""
        require_group(self.env, GROUP_USER)
        sent = self.filtered(lambda c: c.state in ("sent", "printed"))
        if sent and not self.env.user.has_group(GROUP_MANAGER):
            raise UserError(
                self.env._(
                    "Reminder %(name)s has already been sent: only a dunning manager "
                    "can cancel it, with a reason.",
                    name=sent[0].name,
                )
            )
        if sent and not self.env.context.get("debiteur_cancel_reason"):
            return {
                "type": "ir.actions.act_window",
                "res_model": "debiteur.communication.cancel.wizard",
                "view_mode": "form",
                "target": "new",
                "context": {"default_communication_ids": self.ids},
            }
        return self._do_cancel(self.env.context.get("debiteur_cancel_reason"))

    def _do_cancel(self, reason=False):
        to_cancel = self.filtered(lambda c: c.state != "cancelled")
        if not to_cancel:
            return True
        self._check_no_later_reminder(to_cancel)
        # Reminders are readable by dunning users; their outgoing mails only by
        # administrators: cancelling the reminder cancels its unsent mail.
        to_cancel.mail_id.sudo().filtered(
            lambda m: m.state in ("outgoing", "exception")
        ).cancel()
        to_cancel.sudo().write(
            {
                "state": "cancelled",
                "cancel_reason": reason or False,
                "cancel_user_id": self.env.user.id,
            }
        )
        for comm in to_cancel:
            note = comm._debiteur_chatter()
            note.message_post(
                body=note.env._("Reminder cancelled. Reason: %(reason)s", reason=reason)
                if reason
                else note.env._("Reminder cancelled.")
            )
        return True

    def _check_no_later_reminder(self, comms):
        later = self.env["debiteur.communication.line"].search(
            [
                ("move_id", "in", comms.line_ids.move_id.ids),
                ("escalated", "=", True),
                ("state", "!=", "cancelled"),
                ("communication_id", "not in", comms.ids),
                ("communication_id", ">", min(comms.ids)),
            ],
            limit=1,
        )
        if later:
            raise UserError(
                self.env._(
                    "Invoice %(invoice)s already got a later reminder "
                    "(%(later)s): cancel that one first.",
                    invoice=later.move_id.display_name,
                    later=later.communication_id.name,
                )
            )

    def action_open_letter(self):
        self.ensure_one()
        if not self.attachment_id:
            raise UserError(self.env._("This reminder has no letter."))
        return {
            "type": "ir.actions.act_url",
            "url": "/web/content/%s?download=true" % self.attachment_id.id,
            "target": "self",
        }

    # ------------------------------------------------------------------
    # Mail queue feedback
    # ------------------------------------------------------------------
    def _deadline_if_sent_on(self, day):
        """The last day of this reminder's legal term had it left on ``day``
        (False when it has none)."""
        self.ensure_one()
        if not self.legal_deadline:
            return False
        return self.env["debiteur.legal"]._legal_deadline(
            day, self.level_id, self.policy_id, self.channel, self.partner_id
        )

    def _on_mail_result(self, mails):
        """Follow the mail queue: sent mails make reminders sent, failures failed."""
        today = fields.Date.context_today(self)
        delivered = self.browse()
        for comm in self:
            mail = mails.filtered(lambda m, comm=comm: m == comm.mail_id)
            if not mail or comm.state not in ("queued", "failed"):
                continue
            if mail.state == "sent":
                values = {"state": "sent", "sent_date": today, "failure_reason": False}
                real_deadline = comm._deadline_if_sent_on(today)
                if real_deadline and real_deadline > comm.legal_deadline:
                    # The term runs from the day the notice really left.
                    values["legal_deadline"] = real_deadline
                    note = comm._debiteur_chatter()
                    note.message_post(
                        body=note.env._(
                            "Delivered on %(date)s: the legal term runs until "
                            "%(deadline)s (the letter states %(stated)s). Costs, "
                            "the next level and the collection agency wait for "
                            "that day.",
                            date=format_date(note.env, today),
                            deadline=format_date(note.env, real_deadline),
                            stated=format_date(note.env, comm.legal_deadline),
                        )
                    )
                comm.write(values)
                delivered |= comm
            elif mail.state == "exception":
                comm.write({"state": "failed", "failure_reason": mail.failure_reason})
                note = comm._debiteur_chatter()
                note.message_post(
                    body=note.env._(
                        "The e-mail could not be sent: %(reason)s",
                        reason=mail.failure_reason or "",
                    )
                )
        # The cases count from the day a reminder was sent: bring them up to
        # date now that it has been (the run synced them while still queued).
        Sync = self.env["debiteur.case.sync"].sudo()
        for company in delivered.company_id:
            Sync._sync_partners(
                delivered.filtered(lambda c, co=company: c.company_id == co).partner_id,
                company,
            )

    # ------------------------------------------------------------------
    # The debtor's page: the link, its QR code and the EPC QR code
    # ------------------------------------------------------------------
    def _debtor_page_url(self):
        """The debtor's page link this reminder carries (created or renewed:
        see ``debiteur.debtor.link``), with this reminder's number so that the
        opening is recorded on it. Used by the e-mail and the letter."""
        self.ensure_one()
        link = self.env["debiteur.debtor.link"]._of_reminder(self)
        return f"{link._url()}?r={self.id}"

    def _debtor_page_opened(self, when):
        for comm in self.sudo():
            vals = {"debtor_page_last_opened": when}
            if not comm.debtor_page_first_opened:
                vals["debtor_page_first_opened"] = when
            comm.write(vals)

    @api.model
    def _qr_data_uri(self, value, size=240):
        """A QR code of ``value`` as a PNG ``data:`` URI: letters render
        without the HTTP server, so nothing may be fetched at render time.
        The code Odoo's ``barcode("QR", value, width=size, height=size,
        barLevel="M")`` draws, made some five times faster (``qr_image``)."""
        png = qr_png(value, size=size, level="M")
        return "data:image/png;base64," + base64.b64encode(png).decode()

    def _epc_qr_payload(self):
        """The EPC QR code's text (SEPA credit transfer) of what this reminder
        asks: the company's IBAN, the total claim in euro and the payment
        reference; False when it cannot be made (no IBAN, not euro)."""
        self.ensure_one()
        statement = self._claim_statement()
        iban = self._company_iban()
        if not iban or statement["currency"].name != "EUR":
            return False
        amount = statement["total"] if statement["total"] > 0 else None
        try:
            return epc_qr_payload(
                self.company_id.name,
                iban,
                amount,
                self.payment_reference or "",
                bic=self.company_id.partner_id.bank_ids[:1].bank_id.bic or "",
                text=self.name,
            )
        except ValueError as exc:
            _logger.info("No EPC QR code on %s: %s", self.name, exc)
            return False

    def _debtor_page_letter_values(self):
        """What the letter's debtor's-page block shows: the short URL, a QR
        code of it and the EPC QR code (``data:`` URIs)."""
        self.ensure_one()
        url = self._debtor_page_url()
        epc = self._epc_qr_payload()
        return {
            "url": url,
            "short_url": url.split("://", 1)[-1].split("?", 1)[0],
            "url_qr": self._qr_data_uri(url),
            "epc_qr": epc and self._qr_data_uri(epc),
        }
