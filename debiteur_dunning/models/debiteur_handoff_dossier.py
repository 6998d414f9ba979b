"""The collection dossier of a handoff: gathered from the records, written by
the pure functions of ``dossier/`` (XML checked against its XSD, CSV), stored
as the handoff's evidence with the PDF summary and the reminders sent; and its
exports (e-mail to the agency, downloads), each logged; and handing off in
the background, batch by batch, when a user hands off more than a batch."""

import hashlib
import logging
import secrets
import threading
from decimal import Decimal

from PyPDF2.errors import PdfReadError
from stdnum import iban as stdnum_iban

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import config, format_date, frozendict, split_every

from .. import dossier, report_pdf
from .debiteur_legal import _money, _quantize
from .mail_template import MAIL_ATTACHMENTS

_logger = logging.getLogger(__name__)

SENT_COMM_STATES = ("sent", "printed")
DOSSIER_REPORT = "debiteur_dunning.action_report_debiteur_handoff"
# Dossier summaries per wkhtmltopdf call, as many as letters.
PDF_BATCH_SIZE = report_pdf.LETTER_BATCH_SIZE
# Handoffs per committed batch of the background job; a wizard handing off
# more debtors than this queues them for that job.
HANDOFF_BATCH_SIZE = 100


def _renders_pdf(env):
    """False in Odoo's test mode, where reports come out as HTML unless a test
    asks for real rendering (as ``_pre_render_qweb_pdf`` decides)."""
    testing = config["test_enable"] or config["test_file"]
    return not testing or env.context.get("force_report_rendering")


class DebiteurHandoff(models.Model):
    _inherit = "debiteur.handoff"

    queued = fields.Boolean(
        string="Being Produced",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="Handed off in the background, batch by batch: the dossier is "
        "produced and sent by a scheduled job, as the user who asked for it.",
    )
    queued_send_email = fields.Boolean(
        string="E-mail When Produced", readonly=True, copy=False
    )

    def _dossier_data(self):
        """Everything the dossier holds, as plain Python values (one handoff)."""
        self.ensure_one()
        return self._dossier_data_batch()[self.id]

    def _dossier_data_batch(self):
        """``{handoff id: dossier data}`` (``_dossier_data``) for many handoffs,
        read set-based: a fixed number of queries, whatever their number."""
        Move = self.env["account.move"]
        moves = self.invoice_ids.move_id
        # Read before the loop: what was charged and the claim of every debtor
        # (per company and handoff date), the reminders sent, the arrangements.
        charges, claims = {}, {}
        for handoffs in self._dossier_groups():
            company, date = handoffs[:1].company_id, handoffs[:1].date
            by_partner = {
                handoff.partner_id.commercial_partner_id.id: handoff._dossier_moves()
                for handoff in handoffs
            }
            charged = Move._debiteur_charges(company, handoffs.invoice_ids.move_id)
            charged = {
                pid: charged.get(pid, Move._debiteur_no_charges()) for pid in by_partner
            }
            claimed = self.env["debiteur.claim"]._claims(
                company, by_partner, date, costs_by_level=False, charges=charged
            )
            for handoff in handoffs:
                pid = handoff.partner_id.commercial_partner_id.id
                charges[handoff.id] = charged[pid]
                claims[handoff.id] = claimed.get(pid) if by_partner[pid] else None
        comm_lines = self.env["debiteur.communication.line"].search(
            [
                ("move_id", "in", moves.ids),
                ("communication_id.company_id", "in", self.company_id.ids),
                ("communication_id.partner_id", "in", self.partner_id.ids),
                ("communication_id.state", "in", SENT_COMM_STATES),
            ]
        )
        arrangement_rows = self.env["debiteur.arrangement.invoice"].search(
            [("move_id", "in", moves.ids), ("company_id", "in", self.company_id.ids)]
        )
        # Fill the cache for all handoffs at once: each handoff's records
        # below are read from it.
        comms = comm_lines.communication_id
        comms.fetch(["name", "sent_date", "date", "channel", "letter_sha256"])
        comms.level_id.fetch(["name", "is_legal_notice"])
        comms.attachment_id.fetch(["name"])
        arrangement_rows.arrangement_id.fetch(
            ["name", "date_start", "state", "amount_total", "amount_paid"]
        )
        comm_lines_of, arrangement_rows_of = {}, {}
        for line in comm_lines:
            comm = line.communication_id
            key = (line.move_id.id, comm.company_id.id, comm.partner_id.id)
            comm_lines_of[key] = comm_lines_of.get(key, comm_lines.browse()) | line
        for row in arrangement_rows:
            key = (row.move_id.id, row.company_id.id)
            arrangement_rows_of[key] = (
                arrangement_rows_of.get(key, arrangement_rows.browse()) | row
            )
        labels = {
            "channel": dict(
                self.env["debiteur.communication"]
                ._fields["channel"]
                ._description_selection(self.env)
            ),
            "arrangement_state": dict(
                self.env["debiteur.arrangement"]
                ._fields["state"]
                ._description_selection(self.env)
            ),
        }
        result = {}
        for handoff in self:
            company_id, partner_id = handoff.company_id.id, handoff.partner_id.id
            handoff_moves = handoff.invoice_ids.move_id
            lines, rows = comm_lines.browse(), arrangement_rows.browse()
            for move in handoff_moves:
                lines |= comm_lines_of.get((move.id, company_id, partner_id), lines)
                rows |= arrangement_rows_of.get((move.id, company_id), rows)
            result[handoff.id] = handoff._dossier_data_one(
                charges[handoff.id], claims[handoff.id], lines, rows, labels
            )
        return result

    def _dossier_moves(self):
        """The invoices of this handoff, by due date."""
        self.ensure_one()
        return self.invoice_ids.move_id.sorted(lambda m: (m.invoice_date_due, m.id))

    def _dossier_groups(self):
        """The handoffs in groups of one company and handoff date, a debtor
        at most once in each: one claim computation per group."""
        groups = []
        for handoff in self:
            for index, group in enumerate(groups):
                first = group[:1]
                if (
                    first.company_id == handoff.company_id
                    and first.date == handoff.date
                    and handoff.partner_id not in group.partner_id
                ):
                    groups[index] = group | handoff
                    break
            else:
                groups.append(handoff)
        return groups

    def _dossier_data_one(self, charges, claim, comm_lines, arrangement_rows, labels):
        """The dossier data of this handoff from what ``_dossier_data_batch``
        read: what was ``charges``d, its ``claim`` (None without invoices or
        policy), the reminders sent and the arrangement rows of its invoices.
        ``charges``: the debtor's entry of ``account.move._debiteur_charges``
        (costs invoices of the reminders that listed its invoices, charges
        invoices of the arrangements that covered them, the costs invoices
        handed off, and what was waived); ``claim``: ``debiteur.claim`` on the
        handoff date, the collection costs the law allows, whatever the levels
        charged (the agency claims them), less what was charged."""
        self.ensure_one()
        _ = self.env._
        legal = self.env["debiteur.legal"]
        company = self.company_id
        partner = self.partner_id
        moves = self._dossier_moves()
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
            registry_valid = dossier.registry_is_valid(
                partner.company_registry, country
            )
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

        comms = comm_lines.communication_id.sorted(
            lambda c: (c.sent_date or c.date, c.id)
        )
        channel_labels = labels["channel"]
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
                "attachment_id": comm.attachment_id.id,
            }
            for comm in comms
        ]

        state_labels = labels["arrangement_state"]
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

    @api.model
    def _dossier_split_cost_invoice(self, move, row, charge):
        """What is open on costs invoice ``move`` at the handoff (``row``),
        split into collection costs and interest.

        Payments on it went to the costs first, then to the interest (art.
        6:44 BW). ``charge``: the interest it invoiced (from the debtor's
        ``charges``, see ``_dossier_data_one``); the rest of its total (costs,
        fee, VAT on them) is costs. Returns
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

    def _dossier_xml(self, data=None):
        """The dossier as XML, refused when it does not match the shipped XSD."""
        self.ensure_one()
        try:
            return dossier.write_xml(data or self._dossier_data())
        except dossier.DossierSchemaError as error:
            raise UserError(
                self.env._(
                    "The dossier does not match its XML schema and is not "
                    "exported: %(errors)s",
                    errors=str(error),
                )
            ) from error

    def _dossier_csv(self, data=None):
        self.ensure_one()
        return dossier.write_csv(data or self._dossier_data())

    def _dossier_pdf(self):
        """The PDF summary in the agency's language: ``(content, mimetype)``."""
        self.ensure_one()
        return self._dossier_pdfs()[self.id]

    def _dossier_pdfs(self, data_by_lang=None):
        """``{handoff id: (content, mimetype)}``: the PDF summaries, each in its
        agency's language, rendered in batches as the letters are: several
        dossiers per wkhtmltopdf call (see ``debiteur.dispatch._render_letters``).

        ``data_by_lang``: ``{lang: _dossier_data_batch()}`` already gathered
        in that language (gathered here where missing).
        """
        data_by_lang = dict(data_by_lang or {})
        result = {}
        for (_company, lang), handoffs in self._dossier_pdf_groups().items():
            if lang not in data_by_lang:
                data_by_lang[lang] = handoffs.with_context(
                    lang=lang
                )._dossier_data_batch()
            report = self.env["ir.actions.report"].with_context(lang=lang)
            # The report looked up once, not once per call.
            ref = report._get_report(DOSSIER_REPORT)
            for batch in split_every(PDF_BATCH_SIZE, handoffs.ids, self.browse):
                data = {hid: data_by_lang[lang][hid] for hid in batch.ids}
                result.update(batch._dossier_pdf_batch(report, ref, data))
        return result

    def _dossier_pdf_groups(self):
        """The handoffs by company and agency language (one header and footer
        per wkhtmltopdf call)."""
        groups = {}
        for handoff in self:
            key = (handoff.company_id.id, handoff.agency_id.lang or "en_US")
            groups[key] = groups.get(key, self.browse()) | handoff
        return groups

    def _dossier_pdf_batch(self, report, ref, data):
        """The PDF summaries of this batch (``report``: ``ir.actions.report`` in
        the agency's language, ``ref`` the dossier's report; ``data``: the
        dossier data by handoff id)."""
        mode = report_pdf.letter_batching["mode"]
        if len(self) > 1 and _renders_pdf(self.env) and mode == "documents":
            try:
                result, kind = report._pre_render_qweb_pdf(
                    ref, res_ids=self.ids, data={"dossier_data": data}
                )
            except (PdfReadError, UserError) as exc:
                _logger.warning(
                    "Rendering %s dossiers as separate documents in one "
                    "wkhtmltopdf call failed (%s): rendering each batch as one "
                    "document from now on.",
                    len(self),
                    exc,
                )
                report_pdf.letter_batching["mode"] = "one_document"
                return self._dossier_pdf_batch(report, ref, data)
            if kind == "pdf":
                pdfs = {}
                for handoff in self:
                    stream = result[handoff.id]["stream"]
                    pdfs[handoff.id] = (stream.getvalue(), "application/pdf")
                    stream.close()
                return pdfs
        if len(self) > 1 and _renders_pdf(self.env) and mode == "one_document":
            pdfs = self._dossier_pdf_one_document(report, ref, data)
            if pdfs is not None:
                return pdfs
        # One per call: test mode (HTML), a single dossier, or a batch that
        # could not be split.
        pdfs = {}
        for handoff in self:
            content, kind = report._render_qweb_pdf(
                ref,
                handoff.ids,
                data={"dossier_data": {handoff.id: data[handoff.id]}},
            )
            pdfs[handoff.id] = (
                content,
                "application/pdf" if kind == "pdf" else "text/html",
            )
        return pdfs

    def _dossier_pdf_one_document(self, report, ref, data):
        """This batch as one document in one wkhtmltopdf call, split on the
        letters' markers (an unpatched wkhtmltopdf); None when the split
        fails (the caller renders one per call)."""
        report = report.with_context(debug=False)
        html = report._render_qweb_html(
            ref,
            self.ids,
            data={"report_type": "pdf", "debug": False, "dossier_data": data},
        )[0]
        bodies, html_ids, header, footer, paperformat_args = ref._prepare_html(
            html, report_model=ref.model
        )
        if html_ids != self.ids:
            return None
        markers = [report_pdf.letter_marker(handoff.id) for handoff in self]
        pdf = report._run_wkhtmltopdf(
            [report_pdf.join_letter_bodies(bodies, markers)],
            report_ref=ref,
            header=header,
            footer=footer,
            specific_paperformat_args=paperformat_args,
        )
        parts = report_pdf.split_letters(pdf, len(self))
        if parts is None:
            _logger.warning(
                "Could not split %s dossiers rendered as one document on their "
                "markers; rendering them one per call.",
                len(self),
            )
            return None
        return {
            handoff.id: (content, "application/pdf")
            for handoff, content in zip(self, parts, strict=True)
        }

    def _attach_vals(self, name, content, mimetype):
        """The values of dossier file ``name`` of this handoff."""
        self.ensure_one()
        return {
            "name": name,
            "raw": content,
            "mimetype": mimetype,
            "res_model": self._name,
            "res_id": self.id,
            "debiteur_dossier": True,
        }

    def _generate_dossier(self):
        """Build, validate and attach XML, CSV, PDF and the reminders sent.

        For all handoffs at once: the data gathered set-based, the PDF
        summaries rendered in batches, the files created in one go."""
        if not self:
            return
        lang = self.env.lang or "en_US"
        data_by_id = self._dossier_data_batch()
        pdfs = self._dossier_pdfs({lang: data_by_id})
        Attachment = self.env["ir.attachment"].sudo()
        letter_ids = [
            comm["attachment_id"]
            for data in data_by_id.values()
            for comm in data["communications"]
            if comm["attachment_id"]
        ]
        files, letters_of = [], {}
        for handoff in self:
            data = data_by_id[handoff.id]
            stem = "%s - %s" % (handoff.name.replace("/", "-"), handoff.partner_id.name)
            pdf, pdf_mime = pdfs[handoff.id]
            pdf_name = stem + (".pdf" if pdf_mime == "application/pdf" else ".html")
            files += [
                handoff._attach_vals(
                    stem + ".xml", handoff._dossier_xml(data), "application/xml"
                ),
                handoff._attach_vals(
                    stem + ".csv", handoff._dossier_csv(data), "text/csv"
                ),
                handoff._attach_vals(pdf_name, pdf, pdf_mime),
            ]
            # The reminders sent, copied as the handoff's evidence.
            sent = Attachment.browse(
                [
                    comm["attachment_id"]
                    for comm in data["communications"]
                    if comm["attachment_id"]
                ]
            ).with_prefetch(letter_ids)
            letters_of[handoff.id] = len(sent)
            files += sent.copy_data(
                {
                    "res_model": handoff._name,
                    "res_id": handoff.id,
                    "debiteur_dossier": True,
                }
            )
        # sudo: a dossier file is the server's evidence, created here only and
        # refused to every client by ir.attachment (see models/ir_attachment.py).
        created = iter(Attachment.create(files).sudo(False))
        for handoff in self:
            data = data_by_id[handoff.id]
            xml, csv_file, pdf = next(created), next(created), next(created)
            letters = self.env["ir.attachment"]
            for _letter in range(letters_of[handoff.id]):
                letters |= next(created)
            handoff.write(
                {
                    "xml_attachment_id": xml.id,
                    "csv_attachment_id": csv_file.id,
                    "pdf_attachment_id": pdf.id,
                    "letter_attachment_ids": [Command.set(letters.ids)],
                    "data_warning": "\n".join(data["warnings"]) or False,
                    "amount_handed": data["claim"]["principal"],
                    "interest_amount": data["claim"]["interest"],
                    "costs_amount": data["claim"]["costs"],
                    "interest_invoiced_amount": data["claim"]["interest_invoiced"],
                    "costs_invoiced_amount": data["claim"]["costs_invoiced"],
                    "dossier_sha256": handoff._dossier_fingerprint(
                        xml | csv_file | pdf | letters
                    ),
                }
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
    # Exports: e-mail to the agency, downloads, the export log
    # ------------------------------------------------------------------
    def action_send_email(self):
        """E-mail the dossiers to their agencies: the mails of all handoffs
        rendered in one batch (``mail.template.send_mail_batch``)."""
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
        if not self:
            return True
        attachments = {handoff: handoff._email_attachments() for handoff in self}
        # Each e-mail created with its own files (one create for the batch).
        template.with_context(
            **{
                MAIL_ATTACHMENTS: frozendict(
                    {
                        (template.id, handoff.id): tuple(attachments[handoff].ids)
                        for handoff in self
                    }
                )
            }
        ).send_mail_batch(self.ids)
        self._log_exports(
            "email",
            attachments,
            {handoff: handoff.agency_id.email for handoff in self},
        )
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
        return self._log_exports(
            channel, {self: attachments}, {self: recipient}, fmt=fmt
        )

    def _log_exports(self, channel, attachments, recipients, fmt=False):
        """The export log rows of these handoffs, all at once: ``attachments``
        and ``recipients`` by handoff."""
        self._check_manager()
        now = fields.Datetime.now()
        vals_list = []
        for handoff in self:
            files = attachments[handoff].sudo()
            extensions = {(att.name or "").rsplit(".", 1)[-1].lower() for att in files}
            vals_list.append(
                {
                    "handoff_id": handoff.id,
                    "user_id": self.env.user.id,
                    "date": now,
                    "channel": channel,
                    "export_format": fmt or ",".join(sorted(extensions)),
                    "recipient": recipients.get(handoff) or False,
                    "attachment_ids": [Command.set(files.ids)],
                    "sha256": ",".join(
                        hashlib.sha256(att.raw or b"").hexdigest() for att in files
                    ),
                    "download_token": secrets.token_urlsafe(32)
                    if channel == "download"
                    else False,
                }
            )
        logs = self.env["debiteur.handoff.export"].sudo().create(vals_list).sudo(False)
        channel_field = logs._fields["channel"]
        bodies = {}
        for handoff in self:
            env = handoff._debiteur_chatter().env
            bodies[handoff.id] = env._(
                "Dossier exported (%(channel)s, %(files)s) by %(user)s.",
                channel=dict(channel_field._description_selection(env))[channel],
                files=", ".join(attachments[handoff].sudo().mapped("name")),
                user=self.env.user.name,
            )
        self._message_log_batch(bodies)
        return logs

    # ------------------------------------------------------------------
    # Handing off in the background
    # ------------------------------------------------------------------
    def _hand_off_or_queue(self, send_email=None):
        """Hand these drafts off now, or, more than a batch of them, in the
        background (``_queue_hand_off``) rather than in one long request.
        True when queued."""
        if len(self) > HANDOFF_BATCH_SIZE:
            self._queue_hand_off(send_email=send_email)
            return True
        self.action_hand_off(send_email=send_email)
        return False

    def _queue_hand_off(self, send_email=None):
        """Hand these draft handoffs off in the background: a scheduled job
        (``_cron_hand_off_queued``) produces and sends the dossiers batch by
        batch, each batch committed and reported as the job's progress, as
        the user asking now (their rights checked again then)."""
        self._check_manager()
        if any(handoff.state != "draft" for handoff in self):
            raise UserError(self.env._("Only draft handoffs can be handed off."))
        # sudo: the queue fields are the server's; the manager was checked.
        self.sudo().write(
            {
                "queued": True,
                "queued_send_email": send_email is not False,
                "user_id": self.env.user.id,
            }
        )
        self.env.ref("debiteur_dunning.ir_cron_debiteur_handoff").sudo()._trigger()
        return True

    @api.model
    def _cron_hand_off_queued(self):
        """Scheduled job: hand off the next batch of queued handoffs, as the
        user who queued them; commit it (run by ``ir.cron``: with its progress
        in the context) and report the progress (the job runs again at once
        while some remain). A batch that fails is handed off one by one; a
        handoff that fails leaves the queue with a note in its chatter and an
        activity for that user."""
        auto_commit = bool(self.env.context.get("ir_cron_progress_id")) and not (
            getattr(threading.current_thread(), "testing", False)
        )
        queued = self.sudo().search(
            [("queued", "=", True), ("state", "=", "draft")], order="id"
        )
        batch = queued[:HANDOFF_BATCH_SIZE]
        groups = batch.grouped(lambda h: (h.user_id, h.company_id, h.queued_send_email))
        for (user, company, send_email), handoffs in groups.items():
            self._hand_off_queued_group(user, company, send_email, handoffs)
        if auto_commit:
            self.env.cr.commit()  # pylint: disable=invalid-commit
            # The batch's PDFs need not stay in memory.
            self.env.invalidate_all()
        self.env["ir.cron"]._notify_progress(
            done=len(batch), remaining=len(queued) - len(batch)
        )
        return len(queued) - len(batch)

    @api.model
    def _hand_off_queued_group(self, user, company, send_email, handoffs):
        """Hand off ``handoffs`` as ``user``; on failure, one by one."""
        as_user = handoffs.with_user(user).with_company(company)
        if user.lang:
            as_user = as_user.with_context(lang=user.lang)
        try:
            with self.env.cr.savepoint():
                as_user.action_hand_off(send_email=send_email)
            return
        except Exception as exc:  # noqa: BLE001 each handoff is tried alone below
            # (the savepoint's rollback also empties the cache)
            _logger.info(
                "Queued handoffs %s failed together (%s); handing them off one by one",
                handoffs.ids,
                exc,
            )
        for handoff in as_user:
            try:
                with self.env.cr.savepoint():
                    handoff.action_hand_off(send_email=send_email)
            except Exception as exc:  # noqa: BLE001 recorded on the handoff
                _logger.warning("Queued handoff %s failed: %s", handoff.id, exc)
                handoff.sudo()._queue_failed(user, exc)

    def _queue_failed(self, user, exc):
        """Take this handoff out of the queue: why in its chatter, and an
        activity for ``user``, who asked for it."""
        self.ensure_one()
        self.write({"queued": False})
        chatter = self._debiteur_chatter()
        body = chatter.env._(
            "The dossier could not be produced in the background: %(error)s",
            error=str(exc),
        )
        self.message_post(body=body)
        if user.active:
            self.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=user.id,
                summary=chatter.env._("Handoff not sent"),
                note=body,
            )
