"""Payments first: incoming bank statement lines matched to open invoices
before anyone is reminded.

The rules live in ``bank_matching.py`` (pure); this model gathers the data
set-based, keeps the proposals (evidence: only the addon's code paths write
them), reconciles exact unique matches when the company allows it, and holds
the reminder of a debtor with a payment to check.
"""

import logging
from collections import defaultdict
from decimal import Decimal

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, float_repr, format_date, formatLang

from .. import bank_matching
from .debiteur_proof_mixin import GROUP_MANAGER, require_group

_logger = logging.getLogger(__name__)

RULES = [
    (bank_matching.RULE_REFERENCE, "Structured reference"),
    (bank_matching.RULE_NUMBER, "Invoice number"),
    (bank_matching.RULE_IBAN, "Bank account and amount"),
    (bank_matching.RULE_SUBSET, "Sum of invoices"),
]
OPEN_STATES = ("to_check",)


class DebiteurPaymentMatch(models.Model):
    _name = "debiteur.payment.match"
    _inherit = ["debiteur.proof.mixin"]
    _description = "Payment to Match"
    _order = "date desc, id desc"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True
    )
    statement_line_id = fields.Many2one(
        "account.bank.statement.line",
        string="Bank Statement Line",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    date = fields.Date(readonly=True, help="The date of the payment.")
    label = fields.Char(readonly=True, help="The label of the payment.")
    currency_id = fields.Many2one("res.currency", required=True, readonly=True)
    amount = fields.Monetary(readonly=True, help="The amount received.")
    invoice_amount = fields.Monetary(
        string="Open Amount",
        readonly=True,
        help="The open amount of the proposed invoices.",
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Debtor",
        readonly=True,
        index=True,
        help="Empty when the candidates belong to several debtors.",
    )
    invoice_ids = fields.Many2many(
        "account.move",
        "debiteur_payment_match_move_rel",
        "match_id",
        "move_id",
        string="Proposed Invoices",
        readonly=True,
        check_company=True,
    )
    rule = fields.Selection(RULES, required=True, readonly=True)
    exact = fields.Boolean(
        readonly=True, help="The amount received equals the open amount."
    )
    ambiguous = fields.Boolean(
        readonly=True,
        help="The rule found several answers (two invoices of the same amount, "
        "two debtors on one bank account, several combinations): never "
        "reconciled automatically.",
    )
    state = fields.Selection(
        [
            ("to_check", "To check"),
            ("accepted", "Accepted"),
            ("reconciled", "Reconciled automatically"),
            ("rejected", "Rejected"),
            ("settled", "Settled elsewhere"),
        ],
        required=True,
        default="to_check",
        readonly=True,
        index=True,
    )
    decided_by_id = fields.Many2one("res.users", readonly=True)
    decided_on = fields.Datetime(readonly=True)
    run_id = fields.Many2one(
        "debiteur.run",
        readonly=True,
        help="The dunning run whose scan reconciled this payment.",
    )

    @api.depends("statement_line_id", "amount", "currency_id")
    def _compute_display_name(self):
        for match in self:
            match.display_name = "%s %s" % (
                match.statement_line_id.move_id.name or "",
                formatLang(self.env, match.amount, currency_obj=match.currency_id),
            )

    # ------------------------------------------------------------------
    # Buttons
    # ------------------------------------------------------------------
    def action_accept(self):
        """Reconcile the payment with the proposed invoices (one click)."""
        require_group(self.env, GROUP_MANAGER)
        for match in self:
            if match.state != "to_check":
                raise UserError(self.env._("Only a payment to check can be accepted."))
        self.sudo()._reconcile(state="accepted")
        return True

    def action_reject(self):
        """The proposal is wrong: it is kept, rejected, and not proposed again."""
        require_group(self.env, GROUP_MANAGER)
        for match in self:
            if match.state != "to_check":
                raise UserError(self.env._("Only a payment to check can be rejected."))
        self.sudo().write(
            {
                "state": "rejected",
                "decided_by_id": self.env.uid,
                "decided_on": fields.Datetime.now(),
            }
        )
        return True

    def action_open_statement_line(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "res_id": self.statement_line_id.move_id.id,
            "view_mode": "form",
        }

    # ------------------------------------------------------------------
    # The scan
    # ------------------------------------------------------------------
    @api.model
    def _debiteur_scan(self, company, date=None, run=None):
        """Match the company's unreconciled incoming statement lines dated up
        to ``date`` to its open invoices, and keep the proposals up to date.

        Set-based: a fixed handful of queries whatever the number of lines and
        invoices (reconciling an exact match, when the company allows it, is
        the only work done per line). Returns the proposals created or changed.
        """
        company.ensure_one()
        date = fields.Date.to_date(date) or fields.Date.context_today(self)
        Match = self.sudo().with_company(company)
        unreconciled, line_currency = self._scan_statement_lines(company)
        # Lines of later days wait for a run of their day (a simulated run
        # looks at the bank as it stood), but they are still unreconciled.
        lines = [line for line in unreconciled if line.date <= date]
        invoices = self._scan_open_invoices(company)
        open_ids = {inv.id for inv in invoices}
        existing = Match.search(
            [
                ("company_id", "=", company.id),
                ("state", "in", ("to_check", "rejected")),
            ]
        )
        existing.fetch(["statement_line_id", "state", "invoice_ids", "rule"])
        # Proposals overtaken by events: the line or an invoice got reconciled
        # by someone else.
        line_ids = {line.id for line in unreconciled}
        settled = existing.filtered(
            lambda m: (
                m.state == "to_check"
                and (
                    m.statement_line_id.id not in line_ids
                    or not set(m.invoice_ids.ids) <= open_ids
                )
            )
        )
        if settled:
            settled.write({"state": "settled", "decided_on": fields.Datetime.now()})
        current = {
            m.statement_line_id.id: m
            for m in existing - settled
            if m.state == "to_check"
        }
        rejected = defaultdict(set)
        for m in existing.filtered(lambda m: m.state == "rejected"):
            rejected[m.statement_line_id.id].add(frozenset(m.invoice_ids.ids))
        if not lines:
            return Match.browse()

        ibans = self._scan_partner_ibans(company, lines)
        matches = bank_matching.Matcher(invoices, ibans).match(lines)
        by_line = {line.id: line for line in lines}
        vals_list = []
        changed = Match.browse()
        for found in matches:
            invoice_set = frozenset(found.invoice_ids)
            if invoice_set in rejected.get(found.line_id, ()):
                continue
            vals = self._match_vals(company, found, by_line[found.line_id])
            vals["currency_id"] = line_currency[found.line_id]
            proposal = current.get(found.line_id)
            if proposal is None:
                vals_list.append(vals)
            elif (
                set(proposal.invoice_ids.ids) != invoice_set
                or proposal.rule != found.rule
            ):
                proposal.write(vals)
                changed |= proposal
        created = Match.create(vals_list) if vals_list else Match.browse()
        proposals = created | changed
        if company.debiteur_auto_match:
            automatic = (
                proposals | Match.browse(m.id for m in current.values())
            ).filtered(lambda m: m.state == "to_check" and m.exact and not m.ambiguous)
            automatic._reconcile(state="reconciled", run=run)
        return proposals

    @api.model
    def _match_vals(self, company, found, line):
        partner_ids = found.partner_ids
        return {
            "company_id": company.id,
            "statement_line_id": found.line_id,
            "date": line.date,
            "label": line.label or False,
            "amount": float(found.amount),
            "invoice_amount": float(found.invoice_amount),
            "partner_id": partner_ids[0] if len(partner_ids) == 1 else False,
            "invoice_ids": [fields.Command.set(list(found.invoice_ids))],
            "rule": found.rule,
            "exact": found.exact,
            "ambiguous": found.ambiguous,
        }

    @api.model
    def _scan_statement_lines(self, company):
        """The unreconciled incoming statement lines of ``company``: one query.
        Returns (StatementLine list, {line id: currency id})."""
        StLine = self.env["account.bank.statement.line"]
        StLine.flush_model()
        self.env["account.move"].flush_model(["state", "date"])
        self.env["res.partner"].flush_model(["commercial_partner_id"])
        self.env["res.partner.bank"].flush_model(["sanitized_acc_number"])
        rows = self.env.execute_query(
            SQL(
                """
                SELECT st.id, m.date, st.amount, st.amount_currency,
                       st.foreign_currency_id, st.currency_id, cur.decimal_places,
                       st.payment_ref, p.commercial_partner_id,
                       COALESCE(bank.sanitized_acc_number, st.account_number)
                  FROM account_bank_statement_line st
                  JOIN account_move m ON m.id = st.move_id
             LEFT JOIN res_partner p ON p.id = st.partner_id
             LEFT JOIN res_partner_bank bank ON bank.id = m.partner_bank_id
             LEFT JOIN res_currency cur
                    ON cur.id = COALESCE(st.foreign_currency_id, st.currency_id)
                 WHERE st.company_id = %(company)s
                   AND m.state = 'posted'
                   AND NOT COALESCE(st.is_reconciled, FALSE)
                   AND st.amount > 0
              ORDER BY m.date, st.id
                """,
                company=company.id,
            )
        )
        lines = []
        currencies = {}
        for (
            line_id,
            line_date,
            amount,
            amount_currency,
            foreign_currency,
            currency,
            digits,
            label,
            partner,
            iban,
        ) in rows:
            currency = foreign_currency or currency
            if foreign_currency:
                amount = amount_currency
            currencies[line_id] = currency
            lines.append(
                bank_matching.StatementLine(
                    id=line_id,
                    date=line_date,
                    amount=_decimal(amount, digits),
                    currency=currency,
                    label=label or "",
                    partner_id=partner,
                    iban=iban,
                )
            )
        return lines, currencies

    @api.model
    def _scan_open_invoices(self, company):
        """The company's open customer invoices as OpenInvoice, with the
        references of their reminders: two queries."""
        Move = self.env["account.move"].with_company(company)
        query = Move._search(
            [
                ("company_id", "=", company.id),
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
                ("amount_residual", ">", 0),
            ],
            order="invoice_date_due, id",
        )
        columns = [
            Move._field_to_sql(query.table, fname, query)
            for fname in (
                "id",
                "commercial_partner_id",
                "name",
                "payment_reference",
                "amount_residual",
                "currency_id",
            )
        ]
        rows = self.env.execute_query(query.select(*columns))
        if not rows:
            return []
        digits = dict(
            self.env.execute_query(
                SQL(
                    "SELECT id, decimal_places FROM res_currency WHERE id = ANY(%s)",
                    list({row[5] for row in rows}),
                )
            )
        )
        references = defaultdict(list)
        self.env["debiteur.communication"].flush_model(["payment_reference", "state"])
        self.env["debiteur.communication.line"].flush_model(["move_id"])
        for move_id, reference in self.env.execute_query(
            SQL(
                """
                SELECT DISTINCT line.move_id, comm.payment_reference
                  FROM debiteur_communication_line line
                  JOIN debiteur_communication comm ON comm.id = line.communication_id
                 WHERE comm.company_id = %s
                   AND comm.state != 'cancelled'
                   AND comm.payment_reference IS NOT NULL
                   AND line.move_id = ANY(%s)
                """,
                company.id,
                [row[0] for row in rows],
            )
        ):
            references[move_id].append(reference)
        return [
            bank_matching.OpenInvoice(
                id=move_id,
                partner_id=partner,
                residual=_decimal(residual, digits[currency]),
                currency=currency,
                number=name or "",
                payment_reference=reference or "",
                references=tuple(references.get(move_id, ())),
            )
            for move_id, partner, name, reference, residual, currency in rows
        ]

    @api.model
    def _scan_partner_ibans(self, company, lines):
        """(IBAN, commercial partner) pairs of the bank accounts named by
        ``lines``: one query."""
        ibans = list(
            {
                bank_matching.normalize_iban(line.iban)
                for line in lines
                if line.iban and line.partner_id is None
            }
            - {None}
        )
        if not ibans:
            return []
        return self.env.execute_query(
            SQL(
                """
                SELECT bank.sanitized_acc_number, p.commercial_partner_id
                  FROM res_partner_bank bank
                  JOIN res_partner p ON p.id = bank.partner_id
                 WHERE bank.sanitized_acc_number = ANY(%s)
                   AND bank.active
                   AND (bank.company_id IS NULL OR bank.company_id = %s)
                   AND p.commercial_partner_id != %s
                """,
                ibans,
                company.id,
                company.partner_id.id,
            )
        )

    # ------------------------------------------------------------------
    # Reconciling
    # ------------------------------------------------------------------
    def _reconcile(self, state, run=None):
        """Reconcile each proposal's statement line with its invoices'
        receivable lines, in the oldest-due-first order, and record it on the
        proposal, the invoices' chatter and ``run``.

        Odoo 18 Community has no reconciliation widget: the statement line's
        suspense line is replaced by one counterpart per receivable line (on
        the receivable account, for the debtor), each then reconciled with its
        invoice; what the invoices do not take stays in suspense.
        """
        now = fields.Datetime.now()
        for match in self:
            st_line = match.statement_line_id
            invoices = match.invoice_ids
            if st_line.is_reconciled or any(
                inv.payment_state not in ("not_paid", "partial") for inv in invoices
            ):
                match.write({"state": "settled", "decided_on": now})
                continue
            match._reconcile_statement_line()
            match.write(
                {
                    "state": state,
                    "decided_by_id": self.env.uid if state == "accepted" else False,
                    "decided_on": now,
                    "run_id": run.id if run else False,
                }
            )
            notes = invoices._debiteur_chatter()
            env = notes.env
            amount = formatLang(env, match.amount, currency_obj=match.currency_id)
            if state == "accepted":
                body = env._(
                    "Payment of %(amount)s received on %(date)s (%(line)s) matched "
                    "by %(user)s.",
                    amount=amount,
                    date=format_date(env, match.date),
                    line=st_line.move_id.name,
                    user=self.env.user.name,
                )
            else:
                rules = dict(self._fields["rule"]._description_selection(env))
                body = env._(
                    "Payment of %(amount)s received on %(date)s (%(line)s) matched "
                    "automatically (%(rule)s).",
                    amount=amount,
                    date=format_date(env, match.date),
                    line=st_line.move_id.name,
                    rule=rules[match.rule],
                )
            for invoice in notes:
                invoice._message_log(body=Markup("<p>%s</p>") % body)
            if run:
                run._log("%s: %s" % (", ".join(invoices.mapped("name")), body))

    def _reconcile_statement_line(self):
        self.ensure_one()
        st_line = self.statement_line_id
        invoices = self.invoice_ids.sorted(lambda m: (m.invoice_date_due, m.id))
        partners = invoices.commercial_partner_id
        currency = st_line.foreign_currency_id or st_line.currency_id
        if invoices.currency_id != currency:
            raise UserError(
                self.env._(
                    "The payment is in %(currency)s, the invoices are not: match it "
                    "by hand.",
                    currency=currency.name,
                )
            )
        if len(partners) == 1 and st_line.partner_id.commercial_partner_id != partners:
            st_line.partner_id = partners
        liquidity, suspense, other = st_line._seek_for_lines()
        if len(suspense) != 1 or other:
            raise UserError(
                self.env._(
                    "The statement line %(line)s is already partly matched: match it "
                    "by hand.",
                    line=st_line.move_id.name,
                )
            )
        remaining = -suspense.amount_currency
        counterpart_vals = []
        receivables = []
        total_balance = total_currency = 0.0
        for invoice in invoices:
            for line in invoice.line_ids.filtered(
                lambda aml: (
                    aml.account_id.account_type == "asset_receivable"
                    and not aml.reconciled
                )
            ).sorted(lambda aml: (aml.date_maturity or aml.date, aml.id)):
                if currency.compare_amounts(remaining, 0.0) <= 0:
                    break
                part = min(line.amount_residual_currency, remaining)
                amounts = st_line._prepare_counterpart_amounts_using_st_line_rate(
                    currency, None, part
                )
                remaining = currency.round(remaining - part)
                total_balance += amounts["balance"]
                total_currency += amounts["amount_currency"]
                receivables.append(line)
                counterpart_vals.append(
                    {
                        "name": st_line.payment_ref or invoice.name,
                        "account_id": line.account_id.id,
                        "partner_id": line.partner_id.id,
                        "currency_id": currency.id,
                        "amount_currency": -amounts["amount_currency"],
                        "balance": -amounts["balance"],
                    }
                )
        if not counterpart_vals:
            return
        # A posted entry's line cannot be deleted: the suspense line becomes the
        # first counterpart, and what the invoices do not take goes back to
        # suspense on a new line.
        commands = [fields.Command.update(suspense.id, counterpart_vals[0])]
        commands += [fields.Command.create(vals) for vals in counterpart_vals[1:]]
        if not currency.is_zero(remaining):
            commands.append(
                fields.Command.create(
                    {
                        "name": suspense.name,
                        "account_id": suspense.account_id.id,
                        "partner_id": suspense.partner_id.id,
                        "currency_id": suspense.currency_id.id,
                        "amount_currency": suspense.amount_currency + total_currency,
                        "balance": suspense.balance + total_balance,
                    }
                )
            )
        st_line.move_id.with_context(skip_readonly_check=True).write(
            {"line_ids": commands}
        )
        _liquidity, _suspense, counterparts = st_line._seek_for_lines()
        counterparts = counterparts.sorted("id")  # the suspense line's id first
        for counterpart, receivable in zip(counterparts, receivables, strict=True):
            (counterpart | receivable).reconcile()

    # ------------------------------------------------------------------
    # Holding reminders
    # ------------------------------------------------------------------
    @api.model
    def _debiteur_hold_reasons(self, partners, company, date=None):
        """``{partner id: warning}`` for the debtors among ``partners`` with a
        payment still to check: their reminder waits. One query."""
        self.flush_model()
        rows = self.env.execute_query(
            SQL(
                """
                SELECT match.id, match.amount, match.currency_id, match.date,
                       ARRAY_AGG(DISTINCT partner.id)
                  FROM debiteur_payment_match match
             LEFT JOIN debiteur_payment_match_move_rel rel ON rel.match_id = match.id
             LEFT JOIN account_move move ON move.id = rel.move_id
                  JOIN res_partner partner
                    ON partner.id IN (match.partner_id, move.commercial_partner_id)
                 WHERE match.company_id = %s
                   AND match.state = 'to_check'
                   AND partner.id = ANY(%s)
              GROUP BY match.id
              ORDER BY match.date, match.id
                """,
                company.id,
                list(getattr(partners, "ids", partners)),
            )
        )
        if not rows:
            return {}
        currencies = self.env["res.currency"].browse({row[2] for row in rows})
        reasons = defaultdict(list)
        for _id, amount, currency_id, day, partner_ids in rows:
            warning = self.env._(
                "Payment of %(amount)s received on %(date)s not yet matched: "
                "check before sending.",
                amount=formatLang(
                    self.env, amount, currency_obj=currencies.browse(currency_id)
                ),
                date=format_date(self.env, day, date_format="d MMMM"),
            )
            for partner_id in partner_ids:
                reasons[partner_id].append(warning)
        return {pid: "\n".join(warnings) for pid, warnings in reasons.items()}


def _decimal(value, digits):
    """A float amount as an exact Decimal of the currency's precision."""
    return Decimal(float_repr(value or 0.0, digits if digits is not None else 2))
