from decimal import ROUND_HALF_UP, Decimal

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.osv import expression
from odoo.tools import SQL

from .debiteur_proof_mixin import GROUP_MANAGER, require_group

# States in which the relief still follows the payments of its invoice.
FOLLOWED_STATES = ("eligible", "relieved", "recharged")


def _share(amount, numerator, denominator, currency):
    """``amount × numerator / denominator`` rounded half-up to ``currency``."""
    if not denominator:
        return 0.0
    exact = (
        Decimal(repr(amount)) * Decimal(repr(numerator)) / Decimal(repr(denominator))
    )
    cents = Decimal(1).scaleb(-currency.decimal_places)
    return float(exact.quantize(cents, rounding=ROUND_HALF_UP))


class DebiteurVatRelief(models.Model):
    """VAT reclaimed on one uncollectible customer invoice (NL: btw-teruggaaf
    oninbare vorderingen). The relief entry moves the VAT on the unpaid part from
    the output-tax account to a clearing account, with the tax tags of a negative
    turnover correction; the receivable stays untouched. Later payments re-charge
    the proportional VAT; a write-off clears the receivable."""

    _name = "debiteur.vat.relief"
    _description = "VAT Relief on an Uncollectible Invoice"
    _inherit = ["mail.thread"]
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    move_id = fields.Many2one(
        "account.move",
        string="Invoice",
        required=True,
        index=True,
        readonly=True,
        ondelete="restrict",
        check_company=True,
        domain="[('move_type', '=', 'out_invoice'), ('state', '=', 'posted')]",
    )
    company_id = fields.Many2one(
        related="move_id.company_id", store=True, index=True, precompute=True
    )
    partner_id = fields.Many2one(
        related="move_id.commercial_partner_id", store=True, string="Debtor"
    )
    currency_id = fields.Many2one(related="move_id.currency_id", store=True)
    company_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Company Currency"
    )
    invoice_date_due = fields.Date(related="move_id.invoice_date_due")
    state = fields.Selection(
        [
            ("eligible", "Eligible"),
            ("relieved", "VAT Reclaimed"),
            ("recharged", "Paid, VAT Due Again"),
            ("written_off", "Written Off"),
            ("cancelled", "Cancelled"),
        ],
        required=True,
        default="eligible",
        readonly=True,
        index=True,
        tracking=True,
        copy=False,
    )
    eligible_date = fields.Date(
        readonly=True,
        index=True,
        help="From this date the VAT may be reclaimed without proof (empty: only "
        "on a manual confirmation with evidence).",
    )
    date = fields.Date(
        string="Relief Date",
        required=True,
        index=True,
        tracking=True,
        help="Accounting date of the relief entry: its VAT return period.",
    )
    period = fields.Char(
        string="VAT Period", compute="_compute_period", store=True, index=True
    )
    proven = fields.Boolean(
        string="Proven Uncollectible",
        readonly=True,
        tracking=True,
        help="Confirmed uncollectible by the manager (bankruptcy, agency report), "
        "with a reason and evidence.",
    )
    reason = fields.Text(readonly=True, tracking=True)
    attachment_ids = fields.Many2many("ir.attachment", string="Evidence")
    line_ids = fields.One2many(
        "debiteur.vat.relief.line", "relief_id", string="VAT per Tax", readonly=True
    )
    amount_total = fields.Monetary(
        related="move_id.amount_total", string="Invoice Total"
    )
    amount_residual = fields.Monetary(
        related="move_id.amount_residual", string="Unpaid Now"
    )
    amount_unpaid = fields.Monetary(
        string="Unpaid Part",
        readonly=True,
        help="Unpaid part of the invoice when the VAT was reclaimed.",
    )
    vat_amount = fields.Monetary(
        string="VAT Relief",
        currency_field="company_currency_id",
        help="The VAT of the unpaid part: still to reclaim while eligible, "
        "reclaimed once the relief is booked.",
        compute="_compute_vat_amounts",
        store=True,
    )
    vat_current = fields.Monetary(
        string="VAT Still Reclaimed",
        currency_field="company_currency_id",
        compute="_compute_vat_amounts",
        store=True,
    )
    vat_recharged = fields.Monetary(
        string="VAT Due Again",
        currency_field="company_currency_id",
        compute="_compute_vat_amounts",
        store=True,
        help="VAT re-charged after later payments.",
    )
    entry_ids = fields.One2many(
        "account.move",
        "debiteur_vat_relief_origin_id",
        string="Journal Entries",
        readonly=True,
    )
    entry_count = fields.Integer(compute="_compute_entry_count")
    relief_move_id = fields.Many2one(
        "account.move",
        string="Relief Entry",
        readonly=True,
        copy=False,
        check_company=True,
    )
    writeoff_move_id = fields.Many2one(
        "account.move",
        string="Write-off Entry",
        readonly=True,
        copy=False,
        check_company=True,
    )

    def init(self):
        # One relief per invoice: a cancelled relief does not count, so the VAT
        # of an invoice can be reclaimed again after a cancellation.
        self.env.cr.execute(
            SQL(
                "CREATE UNIQUE INDEX IF NOT EXISTS %s ON %s (move_id) "
                "WHERE state != 'cancelled'",
                SQL.identifier("debiteur_vat_relief_move_unique"),
                SQL.identifier(self._table),
            )
        )

    # ------------------------------------------------------------------
    # Computes
    @api.depends("move_id.name")
    def _compute_name(self):
        for relief in self:
            relief.name = self.env._(
                "VAT relief %(invoice)s", invoice=relief.move_id.name or ""
            )

    @api.depends("date")
    def _compute_period(self):
        for relief in self:
            day = relief.date
            relief.period = f"{day.year}-Q{(day.month - 1) // 3 + 1}" if day else False

    @api.depends("state", "line_ids.vat_amount", "line_ids.vat_current")
    def _compute_vat_amounts(self):
        for relief in self:
            claimed = sum(relief.line_ids.mapped("vat_amount"))
            current = sum(relief.line_ids.mapped("vat_current"))
            relief.vat_amount = claimed
            relief.vat_current = current
            relief.vat_recharged = (
                relief.company_currency_id.round(claimed - current)
                if relief.state in ("relieved", "recharged", "written_off")
                else 0.0
            )

    def _compute_entry_count(self):
        counts = dict(
            self.env["account.move"]._read_group(
                [("debiteur_vat_relief_origin_id", "in", self.ids)],
                ["debiteur_vat_relief_origin_id"],
                ["__count"],
            )
        )
        for relief in self:
            relief.entry_count = counts.get(relief, 0)

    @api.constrains("state", "date", "eligible_date", "proven", "reason")
    def _check_date(self):
        for relief in self.filtered(lambda r: r.state == "relieved"):
            early = not relief.eligible_date or relief.date < relief.eligible_date
            if early and not (relief.proven and (relief.reason or "").strip()):
                raise ValidationError(
                    self.env._(
                        "The VAT of %(invoice)s may only be reclaimed from "
                        "%(date)s, or earlier when you confirm it uncollectible "
                        "with a reason and evidence.",
                        invoice=relief.move_id.name,
                        date=relief.eligible_date or self.env._("(manual only)"),
                    )
                )

    @api.constrains("proven", "reason", "attachment_ids")
    def _check_proven_evidence(self):
        for relief in self.filtered("proven"):
            if not ((relief.reason or "").strip() and relief.attachment_ids):
                raise ValidationError(
                    self.env._(
                        "%(invoice)s can only be marked proven uncollectible with "
                        "a reason and the evidence attached.",
                        invoice=relief.move_id.name,
                    )
                )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_booked(self):
        if any(relief.entry_ids for relief in self):
            raise UserError(
                self.env._(
                    "A VAT relief with journal entries cannot be deleted: cancel it."
                )
            )

    # ------------------------------------------------------------------
    # Checks
    def _debiteur_check_config(self):
        for company in self.company_id:
            missing = company._debiteur_vat_relief_missing_config()
            if missing:
                raise UserError(
                    self.env._(
                        "VAT relief is not configured for %(company)s. Set the "
                        "%(settings)s in Accounting > Configuration > Settings, "
                        "section Dunning.",
                        company=company.name,
                        settings=", ".join(missing),
                    )
                )

    @api.model
    def _debiteur_check_invoices(self, invoices):
        """Refuse, with a clear message, what cannot get VAT relief."""
        for invoice in invoices:
            if invoice.move_type != "out_invoice":
                raise UserError(
                    self.env._(
                        "%(move)s is not a customer invoice: VAT relief only "
                        "applies to customer invoices.",
                        move=invoice.display_name,
                    )
                )
            if invoice.state != "posted" or invoice.payment_state == "reversed":
                raise UserError(
                    self.env._(
                        "%(move)s is cancelled, reversed or not posted: its VAT "
                        "cannot be reclaimed.",
                        move=invoice.display_name,
                    )
                )
            if invoice.payment_state in ("paid", "in_payment") or (
                invoice.currency_id.is_zero(invoice.amount_residual)
            ):
                raise UserError(
                    self.env._(
                        "%(move)s is paid: there is no VAT to reclaim.",
                        move=invoice.display_name,
                    )
                )
            if not self._debiteur_tax_lines(invoice):
                cash_basis = invoice.line_ids.tax_line_id.filtered(
                    lambda t: t.tax_exigibility == "on_payment"
                )
                if cash_basis:
                    raise UserError(
                        self.env._(
                            "%(move)s only has cash-basis taxes (%(taxes)s): "
                            "their VAT is only due on payment and was never "
                            "declared, so there is nothing to reclaim.",
                            move=invoice.display_name,
                            taxes=", ".join(cash_basis.mapped("name")),
                        )
                    )
                raise UserError(
                    self.env._(
                        "%(move)s has no VAT to reclaim.", move=invoice.display_name
                    )
                )

    @api.model
    def _debiteur_tax_lines(self, invoice):
        """The invoice's tax lines whose VAT can be reclaimed: sale taxes due on
        the invoice (cash-basis taxes were never declared while unpaid)."""
        return invoice.line_ids.filtered(
            lambda line: (
                line.display_type == "tax"
                and line.tax_line_id.type_tax_use == "sale"
                and line.tax_line_id.tax_exigibility != "on_payment"
                and not line.company_currency_id.is_zero(line.balance)
            )
        )

    # ------------------------------------------------------------------
    # Relief lines: the VAT per tax of the unpaid part
    def _debiteur_prepare_lines(self):
        """Create the per-tax lines of eligible reliefs from the unpaid part of
        their invoice now (replacing earlier lines)."""
        reliefs = self.filtered(lambda r: r.state == "eligible")
        reliefs.line_ids.unlink()
        # The taxes of every invoice line, read at once.
        reliefs.move_id.line_ids.tax_ids.flatten_taxes_hierarchy()
        vals_list = []
        for relief in reliefs:
            invoice = relief.move_id
            currency = invoice.currency_id
            company_currency = invoice.company_currency_id
            total, residual = invoice.amount_total, invoice.amount_residual
            base_lines = invoice.line_ids.filtered(
                lambda line: line.display_type == "product"
            )
            based = set()
            for tax_line in self._debiteur_tax_lines(invoice):
                tax = tax_line.tax_line_id
                if tax in based:
                    base_bal = base_cur = 0.0
                else:
                    based.add(tax)
                    taxed = base_lines.filtered(
                        lambda line, tax=tax: (
                            tax in line.tax_ids.flatten_taxes_hierarchy()
                        )
                    )
                    base_bal = -sum(taxed.mapped("balance"))
                    base_cur = -sum(taxed.mapped("amount_currency"))
                vat_bal, vat_cur = -tax_line.balance, -tax_line.amount_currency
                base = _share(base_bal, residual, total, company_currency)
                base_c = _share(base_cur, residual, total, currency)
                vat = _share(vat_bal, residual, total, company_currency)
                vat_c = _share(vat_cur, residual, total, currency)
                vals_list.append(
                    {
                        "relief_id": relief.id,
                        "invoice_tax_line_id": tax_line.id,
                        "tax_id": tax.id,
                        "invoice_base": base_bal,
                        "invoice_base_currency": base_cur,
                        "invoice_vat": vat_bal,
                        "invoice_vat_currency": vat_cur,
                        "base_amount": base,
                        "base_amount_currency": base_c,
                        "vat_amount": vat,
                        "vat_amount_currency": vat_c,
                        "base_current": 0.0,
                        "base_current_currency": 0.0,
                        "vat_current": 0.0,
                        "vat_current_currency": 0.0,
                    }
                )
            relief.amount_unpaid = residual
        self.env["debiteur.vat.relief.line"].create(vals_list)

    # ------------------------------------------------------------------
    # Actions (the journal entries: debiteur.vat.relief.entry)
    def action_confirm(self):
        """Reclaim the VAT on the unpaid part: one entry per invoice."""
        require_group(self.env, GROUP_MANAGER)
        reliefs = self.filtered(lambda r: r.state == "eligible")
        if not reliefs:
            raise UserError(self.env._("Select eligible VAT reliefs to confirm."))
        reliefs._debiteur_check_config()
        self._debiteur_check_invoices(reliefs.move_id)
        for relief in reliefs:
            early = not relief.eligible_date or relief.date < relief.eligible_date
            if early and not relief.proven:
                raise UserError(
                    self.env._(
                        "The VAT of %(invoice)s may only be reclaimed from "
                        "%(date)s. To reclaim it earlier, confirm the invoice "
                        "uncollectible with a reason and evidence (button "
                        "'Reclaim VAT' on the invoice).",
                        invoice=relief.move_id.name,
                        date=relief.eligible_date or self.env._("(manual only)"),
                    )
                )
        reliefs._debiteur_prepare_lines()
        Entry = self.env["debiteur.vat.relief.entry"]
        cache = {}
        vals_list = []
        for relief in reliefs:
            booking_date = Entry._booking_date(relief, relief.date, cache)
            if booking_date != relief.date:  # a locked period: moved
                relief.date = booking_date
            deltas = [
                (
                    rline,
                    rline.base_amount,
                    rline.base_amount_currency,
                    rline.vat_amount,
                    rline.vat_amount_currency,
                )
                for rline in relief.line_ids
            ]
            vals_list.append(
                Entry._entry_vals(
                    relief,
                    deltas,
                    relief.date,
                    self.env._("VAT relief %(invoice)s", invoice=relief.move_id.name),
                    cache,
                )
            )
        moves = Entry._create_and_post(vals_list)
        by_relief = {move.debiteur_vat_relief_origin_id: move for move in moves}
        for relief in reliefs:
            relief.write({"state": "relieved", "relief_move_id": by_relief[relief].id})
        for rline in reliefs.line_ids:
            rline.write(
                {
                    "base_current": rline.base_amount,
                    "base_current_currency": rline.base_amount_currency,
                    "vat_current": rline.vat_amount,
                    "vat_current_currency": rline.vat_amount_currency,
                }
            )
        return True

    def action_cancel(self):
        """Cancel: reverse every entry of the relief, dated today."""
        require_group(self.env, GROUP_MANAGER)
        if any(relief.state == "written_off" for relief in self):
            raise UserError(
                self.env._(
                    "A written-off invoice keeps its VAT relief: reverse the "
                    "write-off entry first."
                )
            )
        today = fields.Date.context_today(self)
        to_reverse = self.entry_ids.filtered(
            lambda m: (
                m.state == "posted"
                and not m.reversed_entry_id
                and not m.reversal_move_ids
            )
        )
        Entry = self.env["debiteur.vat.relief.entry"]
        cache = {}
        Entry._create_and_post(
            [
                Entry._reversal_vals(
                    move.debiteur_vat_relief_origin_id, move, today, cache
                )
                for move in to_reverse
            ]
        )
        self.line_ids.write(
            {
                "base_current": 0.0,
                "base_current_currency": 0.0,
                "vat_current": 0.0,
                "vat_current_currency": 0.0,
            }
        )
        self.write({"state": "cancelled"})
        return True

    def action_write_off(self):
        """Write the invoice off: the receivable against the clearing account
        (the VAT still reclaimed) and the bad-debt expense account."""
        require_group(self.env, GROUP_MANAGER)
        reliefs = self.filtered(lambda r: r.state == "relieved")
        if not reliefs:
            raise UserError(
                self.env._(
                    "Only an invoice whose VAT was reclaimed can be written off."
                )
            )
        for company in reliefs.company_id:
            if not company.debiteur_vat_relief_expense_account_id:
                raise UserError(
                    self.env._(
                        "Set the Bad Debt Expense Account of %(company)s in "
                        "Accounting > Configuration > Settings, section Dunning, "
                        "before writing invoices off.",
                        company=company.name,
                    )
                )
        reliefs._debiteur_check_config()
        today = fields.Date.context_today(self)
        Entry = self.env["debiteur.vat.relief.entry"]
        cache = {}
        vals_list = []
        receivables = {}
        for relief in reliefs:
            open_lines = relief.move_id.line_ids.filtered(
                lambda line: (
                    line.account_id.account_type == "asset_receivable"
                    and not line.reconciled
                )
            )
            receivables[relief] = open_lines
            vals_list.append(Entry._write_off_vals(relief, open_lines, today, cache))
        # Written off first: the reconciliation below is no payment to re-charge.
        reliefs.write({"state": "written_off"})
        moves = Entry._create_and_post(vals_list)
        for move in moves:
            relief = move.debiteur_vat_relief_origin_id
            relief.writeoff_move_id = move
            (
                receivables[relief]
                + move.line_ids.filtered(
                    lambda line: line.account_id.account_type == "asset_receivable"
                )
            ).reconcile()
        return True

    def action_view_entries(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("VAT Relief Entries"),
            "res_model": "account.move",
            "view_mode": "list,form",
            "domain": [("debiteur_vat_relief_origin_id", "=", self.id)],
            "context": {"create": False},
        }

    def action_view_invoice(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "view_mode": "form",
            "res_id": self.move_id.id,
        }

    # ------------------------------------------------------------------
    # Payments after the relief
    def _debiteur_sync_payments(self, dates=None):
        """Follow the invoices' payments: eligible reliefs get the new unpaid
        part (or are cancelled when paid), reclaimed VAT is re-charged in
        proportion to what was paid, dated ``dates[relief]`` (default today);
        an undone payment reclaims it again."""
        dates = dates or {}
        today = fields.Date.context_today(self)
        eligible = self.filtered(lambda r: r.state == "eligible")
        paid = eligible.filtered(
            lambda r: r.move_id.currency_id.is_zero(r.move_id.amount_residual)
        )
        paid.write({"state": "cancelled"})
        (eligible - paid)._debiteur_prepare_lines()

        booked = self.filtered(lambda r: r.state in ("relieved", "recharged"))
        Entry = self.env["debiteur.vat.relief.entry"]
        cache = {}
        vals_list, updates = [], []
        for relief in booked:
            invoice = relief.move_id
            total, residual = invoice.amount_total, invoice.amount_residual
            company_currency, currency = relief.company_currency_id, relief.currency_id
            deltas = []
            for rline in relief.line_ids:
                target = {
                    "base_current": min(
                        rline.base_amount,
                        _share(rline.invoice_base, residual, total, company_currency),
                    ),
                    "base_current_currency": min(
                        rline.base_amount_currency,
                        _share(rline.invoice_base_currency, residual, total, currency),
                    ),
                    "vat_current": min(
                        rline.vat_amount,
                        _share(rline.invoice_vat, residual, total, company_currency),
                    ),
                    "vat_current_currency": min(
                        rline.vat_amount_currency,
                        _share(rline.invoice_vat_currency, residual, total, currency),
                    ),
                }
                delta = [
                    company_currency.round(target["base_current"] - rline.base_current),
                    currency.round(
                        target["base_current_currency"] - rline.base_current_currency
                    ),
                    company_currency.round(target["vat_current"] - rline.vat_current),
                    currency.round(
                        target["vat_current_currency"] - rline.vat_current_currency
                    ),
                ]
                if any(delta):
                    deltas.append((rline, *delta))
                    updates.append((rline, target))
            if not deltas:
                continue
            date = Entry._booking_date(
                relief, max(dates.get(relief) or today, relief.date), cache
            )
            vals_list.append(
                Entry._entry_vals(
                    relief,
                    deltas,
                    date,
                    self.env._(
                        "VAT due again after payment %(invoice)s",
                        invoice=invoice.name,
                    ),
                    cache,
                )
            )
        Entry._create_and_post(vals_list)
        for rline, target in updates:
            rline.write(target)
        for relief in booked:
            state = (
                "recharged"
                if relief.company_currency_id.is_zero(relief.vat_current)
                else "relieved"
            )
            if relief.state != state:
                relief.state = state

    # ------------------------------------------------------------------
    # Scheduler
    @api.model
    def _cron_mark_eligible(self, today=None):
        """Mark the unpaid customer invoices whose VAT may be reclaimed from
        ``today`` (default: today) as eligible, for the manager to confirm."""
        today = today or fields.Date.context_today(self)
        companies = self.env["res.company"].search(
            [("debiteur_vat_relief_mode", "!=", "manual")]
        )
        domains = [
            [
                ("company_id", "=", company.id),
                (
                    "invoice_date_due",
                    "<=",
                    company._debiteur_vat_relief_due_cutoff(today),
                ),
            ]
            for company in companies
        ]
        if not domains:
            return self.browse()
        invoices = self.env["account.move"].search(
            expression.AND(
                [
                    [
                        ("move_type", "=", "out_invoice"),
                        ("state", "=", "posted"),
                        ("payment_state", "in", ("not_paid", "partial")),
                        ("line_ids.tax_line_id.type_tax_use", "=", "sale"),
                    ],
                    expression.OR(domains),
                ]
            )
        )
        taken = {
            move.id
            for [move] in self.with_context(active_test=False)._read_group(
                [("move_id", "in", invoices.ids), ("state", "!=", "cancelled")],
                ["move_id"],
            )
        }
        vals_list = []
        for invoice in invoices:
            if invoice.id in taken or not self._debiteur_tax_lines(invoice):
                continue
            eligible_date = invoice.company_id._debiteur_vat_relief_eligible_date(
                invoice.invoice_date_due
            )
            if eligible_date and eligible_date <= today:
                vals_list.append(
                    {
                        "move_id": invoice.id,
                        "eligible_date": eligible_date,
                        "date": eligible_date,
                    }
                )
        reliefs = self.create(vals_list)
        reliefs._debiteur_prepare_lines()
        return reliefs

    @api.model
    def _debiteur_create_manual(self, invoices, date, reason, attachments):
        """Reliefs for ``invoices`` confirmed uncollectible by the manager on
        ``date`` (reason and evidence are needed before the eligible date)."""
        require_group(self.env, GROUP_MANAGER)
        self._debiteur_check_invoices(invoices)
        existing = self.search(
            [("move_id", "in", invoices.ids), ("state", "!=", "cancelled")]
        )
        booked = existing.filtered(lambda r: r.state != "eligible")
        if booked:
            raise UserError(
                self.env._(
                    "The VAT of %(invoices)s is already reclaimed.",
                    invoices=", ".join(booked.move_id.mapped("name")),
                )
            )
        reason = (reason or "").strip()
        vals_list = []
        for invoice in invoices - existing.move_id:
            vals_list.append(
                {
                    "move_id": invoice.id,
                    "eligible_date": (
                        invoice.company_id._debiteur_vat_relief_eligible_date(
                            invoice.invoice_date_due
                        )
                    ),
                    "date": date,
                }
            )
        reliefs = existing | self.create(vals_list)
        reliefs.date = date
        early = reliefs.filtered(
            lambda r: not r.eligible_date or r.date < r.eligible_date
        )
        if early and not (reason and attachments):
            raise UserError(
                self.env._(
                    "Before its eligible date, the VAT of %(invoices)s can only "
                    "be reclaimed when you confirm the invoice uncollectible: give "
                    "the reason (bankruptcy, agency report, ...) and attach the "
                    "evidence.",
                    invoices=", ".join(early.move_id.mapped("name")),
                )
            )
        if reason or attachments:
            reliefs.write(
                {
                    "proven": bool(early),
                    "reason": reason or False,
                    "attachment_ids": [Command.set(attachments.ids)],
                }
            )
            attachments.write({"res_model": self._name, "res_id": reliefs[:1].id})
        return reliefs
