"""Demo of Payments first: three incoming bank statement lines not matched
yet, so that a newcomer sees the feature in the first preview.

- an exact payment of one invoice, by its number (waits in Payments to Match:
  automatic reconciliation is off by default);
- an ambiguous one: a joint bank account of two consumers, with the amount of
  one of their invoices;
- a partial one: half of what a reminder claimed, with the reminder's payment
  reference.

As in Odoo's own ``account/demo/``, a method of ``account.chart.template``
called from the demo XML: no model of its own in a production database.
"""

from datetime import timedelta

from odoo import api, fields, models

JOINT_IBAN = "NL44RABO0123456789"


class AccountChartTemplate(models.AbstractModel):
    _inherit = "account.chart.template"

    @api.model
    def _debiteur_demo_payments_to_match(self):
        company = self.env.ref("base.main_company")
        journal = self.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", company.id)], limit=1
        )
        if not journal:
            return
        Move = self.env["account.move"].with_company(company)
        open_invoices = Move.search(
            [
                ("company_id", "=", company.id),
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("payment_state", "=", "not_paid"),
                ("currency_id", "=", company.currency_id.id),
            ],
            order="invoice_date_due, id",
        )
        used = self.env["res.partner"]
        today = fields.Date.context_today(self)
        vals_list = []
        # Partial: half of the claim of the latest reminder still open.
        reminder = self.env["debiteur.communication"].search(
            [
                ("company_id", "=", company.id),
                ("state", "in", ("sent", "printed", "queued")),
                ("payment_reference", "!=", False),
                ("invoice_line_ids.move_id", "in", open_invoices.ids),
            ],
            order="id desc",
            limit=1,
        )
        if reminder:
            invoices = reminder.invoice_line_ids.move_id & open_invoices
            used |= reminder.partner_id
            vals_list.append(
                {
                    "amount": company.currency_id.round(
                        sum(invoices.mapped("amount_residual")) / 2
                    ),
                    "payment_ref": "Deelbetaling %s" % reminder.payment_reference,
                    "partner_name": reminder.partner_id.name,
                }
            )
        # Ambiguous: two consumers on one joint account.
        couple = self.env.ref(
            "debiteur_dunning.res_partner_devries_demo", raise_if_not_found=False
        ) | self.env.ref(
            "debiteur_dunning.res_partner_dejong_demo", raise_if_not_found=False
        )
        couple -= used
        mine = open_invoices.filtered(lambda m: m.commercial_partner_id in couple)
        if len(couple) == 2 and mine:
            self.env["res.partner.bank"].create(
                [
                    {"acc_number": JOINT_IBAN, "partner_id": partner.id}
                    for partner in couple
                ]
            )
            used |= couple
            vals_list.append(
                {
                    "amount": mine[0].amount_residual,
                    "payment_ref": "Overboeking",
                    "account_number": JOINT_IBAN,
                    "partner_name": "P. de Vries en E. de Jong",
                }
            )
        # Exact: one invoice paid in full, by its number.
        exact = open_invoices.filtered(
            lambda m: m.commercial_partner_id not in used and m.invoice_date_due < today
        )[:1]
        if exact:
            vals_list.append(
                {
                    "amount": exact.amount_residual,
                    "payment_ref": "Betaling factuur %s" % exact.name,
                    "partner_name": exact.commercial_partner_id.name,
                }
            )
        self.env["account.bank.statement.line"].create(
            [
                dict(vals, journal_id=journal.id, date=today - timedelta(days=2))
                for vals in vals_list
            ]
        )
        self.env["debiteur.payment.match"]._debiteur_scan(company, today)
