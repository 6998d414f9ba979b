"""The collection dossier of a handoff: gathered from the records, written by
the pure functions of ``dossier/`` (XML checked against its XSD, CSV), stored
as the handoff's evidence with the PDF summary and the reminders sent."""

import hashlib
from decimal import Decimal

from stdnum import iban as stdnum_iban

from odoo import Command, api, models
from odoo.exceptions import UserError
from odoo.tools import format_date

from .. import dossier
from .debiteur_legal import _money, _quantize

SENT_COMM_STATES = ("sent", "printed")


class DebiteurHandoff(models.Model):
    _inherit = "debiteur.handoff"

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
                "attachment_id": comm.attachment_id.id,
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
            sent = letters.browse(
                [
                    comm["attachment_id"]
                    for comm in data["communications"]
                    if comm["attachment_id"]
                ]
            )
            for letter in sent:
                letters |= (
                    letter.sudo()
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
