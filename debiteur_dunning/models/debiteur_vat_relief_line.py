from odoo import api, fields, models


class DebiteurVatReliefLine(models.Model):
    """The VAT of one tax of the invoice: reclaimed, and still reclaimed."""

    _name = "debiteur.vat.relief.line"
    _check_company_auto = True
    _description = "VAT Relief per Tax"
    _order = "relief_id, id"

    relief_id = fields.Many2one(
        "debiteur.vat.relief", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="relief_id.company_id", store=True)
    move_id = fields.Many2one(related="relief_id.move_id", string="Invoice")
    partner_id = fields.Many2one(related="relief_id.partner_id")
    period = fields.Char(related="relief_id.period", store=True, string="VAT Period")
    state = fields.Selection(related="relief_id.state", store=True)
    currency_id = fields.Many2one(related="relief_id.currency_id")
    company_currency_id = fields.Many2one(
        related="relief_id.company_currency_id", string="Company Currency"
    )
    invoice_tax_line_id = fields.Many2one(
        "account.move.line", required=True, readonly=True, check_company=True
    )
    tax_id = fields.Many2one(
        "account.tax", required=True, readonly=True, check_company=True
    )
    account_id = fields.Many2one(
        related="invoice_tax_line_id.account_id", string="Output Tax Account"
    )
    invoice_base = fields.Monetary(currency_field="company_currency_id")
    invoice_base_currency = fields.Monetary(currency_field="currency_id")
    invoice_vat = fields.Monetary(currency_field="company_currency_id")
    invoice_vat_currency = fields.Monetary(currency_field="currency_id")
    base_amount = fields.Monetary(
        string="Unpaid Base", currency_field="company_currency_id"
    )
    base_amount_currency = fields.Monetary(currency_field="currency_id")
    vat_amount = fields.Monetary(
        string="VAT Reclaimed", currency_field="company_currency_id"
    )
    vat_amount_currency = fields.Monetary(
        string="VAT Reclaimed (Invoice Currency)", currency_field="currency_id"
    )
    base_current = fields.Monetary(currency_field="company_currency_id")
    base_current_currency = fields.Monetary(currency_field="currency_id")
    vat_current = fields.Monetary(
        string="VAT Still Reclaimed", currency_field="company_currency_id"
    )
    vat_current_currency = fields.Monetary(currency_field="currency_id")
    vat_recharged = fields.Monetary(
        string="VAT Due Again",
        currency_field="company_currency_id",
        compute="_compute_vat_recharged",
        store=True,
    )

    @api.depends("vat_amount", "vat_current", "state")
    def _compute_vat_recharged(self):
        for line in self:
            line.vat_recharged = (
                line.vat_amount - line.vat_current
                if line.state in ("relieved", "recharged", "written_off")
                else 0.0
            )

    def _refund_repartition_line(self):
        """The credit-note repartition line of the tax that matches the
        invoice's tax line (same position among the tax repartition lines)."""
        self.ensure_one()
        rep = self.invoice_tax_line_id.tax_repartition_line_id
        tax = self.tax_id
        invoice_reps = tax.invoice_repartition_line_ids.filtered(
            lambda r: r.repartition_type == "tax"
        ).sorted("sequence")
        refund_reps = tax.refund_repartition_line_ids.filtered(
            lambda r: r.repartition_type == "tax"
        ).sorted("sequence")
        index = list(invoice_reps).index(rep) if rep in invoice_reps else 0
        return refund_reps[index] if index < len(refund_reps) else refund_reps[:1]
