"""Demo data helpers, called from the demo XML files only.

The demo debtors and invoices are plain XML records. What XML cannot express
lives here: giving the main company a Dutch chart of accounts (when ``l10n_nl``
is installed), registering payments, a reminder history made by running the
real engine on past dates, arrangements, a handoff and follow-up cases.

As in Odoo's own ``account/demo/``, these are methods of
``account.chart.template`` (prefixed ``_debiteur_demo_``), called through
``<function model="account.chart.template" .../>``: no model of its own is
registered in a production database for them.
"""

import logging
from datetime import datetime, time, timedelta

from odoo import api, fields, models

_logger = logging.getLogger(__name__)

# Past runs of the demo history, in days before today. Spaced further apart
# than the policies' minimum days between reminders, so every run can escalate.
HISTORY_DAYS = (56, 42, 28, 14)
DEMO_IBAN = "NL20INGB0001234567"
USD_RATE = 1.08  # US dollars per euro
DEMO_LANGS = ("nl_NL", "en_US")
JOINT_IBAN = "NL44RABO0123456789"


class AccountChartTemplate(models.AbstractModel):
    _inherit = "account.chart.template"

    # ------------------------------------------------------------------
    # The company: Dutch chart, currencies, policies
    # ------------------------------------------------------------------
    @api.model
    def _debiteur_demo_setup_company(self):
        """Make the main company a Dutch company that can post invoices."""
        company = self.env.ref("base.main_company")
        # The demo debtors speak Dutch or English. A database created with
        # --load-language=nl_NL has Dutch instead of English, not beside it.
        for code in DEMO_LANGS:
            self.env["res.lang"]._activate_lang(code)
        # Odoo loads a module's translations after its demo data: load them
        # now, so the letters of the demo history are in each debtor's language.
        self.env.ref("base.module_debiteur_dunning")._update_translations()
        self._debiteur_demo_dutch_chart(company)
        company.partner_id.write(
            {
                "street": "Keizersgracht 100",
                "zip": "1015 AA",
                "city": "Amsterdam",
                "country_id": self.env.ref("base.nl").id,
                "email": "debiteuren@yourcompany.example.com",
                "phone": "+31 20 123 4567",
            }
        )
        if company.country_id.code == "NL" and company.currency_id.name == "EUR":
            company.write({"vat": "NL859560119B01", "company_registry": "12345678"})
        if not company.partner_id.bank_ids:
            self.env["res.partner.bank"].create(
                {"acc_number": DEMO_IBAN, "partner_id": company.partner_id.id}
            )
        self._debiteur_demo_currencies(company)
        company._debiteur_ensure_default_policies()
        company.debiteur_user_id = self.env.ref("base.user_admin")
        # Review mode: the scheduler prepares, the accountant confirms.
        company.debiteur_policy_business_id.auto_send = False
        company.debiteur_policy_consumer_id.min_amount = 25.0
        self._debiteur_demo_be_policy(company)

    def _debiteur_demo_dutch_chart(self, company):
        """Replace the generic demo chart by the Dutch one if l10n_nl is there.

        Odoo's demo install gives the main company the generic chart (in US
        dollars). Only when ``l10n_nl`` was installed beforehand can the Dutch
        chart be loaded here; otherwise the demo runs on the chart it finds.
        """
        if company.chart_template == "nl":
            return
        template = self._get_chart_template_mapping().get("nl")
        if not template or not template.get("installed"):
            _logger.info(
                "Dunning demo: l10n_nl is not installed, keeping chart %s of %s.",
                company.chart_template,
                company.name,
            )
            return
        account_demo = self.env.ref("base.module_account").demo
        if company._existing_accounting() and not account_demo:
            # Real bookkeeping: never replace its chart.
            return
        company.partner_id.country_id = self.env.ref("base.nl")
        # try_loading() without its warning about the registry still loading:
        # l10n_nl is installed already, so its template is complete.
        self._load("nl", company, install_demo=False)

    def _debiteur_demo_be_policy(self, company):
        """A policy for Belgian businesses: the business one, Belgian law.

        Copied from the default business policy so its levels keep their
        translations; registered as ``debiteur_policy_be_demo`` for the XML.
        """
        xmlid = "debiteur_dunning.debiteur_policy_be_demo"
        if self.env.ref(xmlid, raise_if_not_found=False):
            return
        source = company.debiteur_policy_business_id
        policy = source.copy(
            {
                "name": "Belgian business debtors",
                "sequence": source.sequence + 10,
                "jurisdiction": "be",
                "costs_mode": "fixed",
            }
        )
        for level in source._sorted_levels():
            # Belgian B2B law: a flat EUR 40 compensation with the formal notice.
            level.copy(
                {
                    "policy_id": policy.id,
                    "fee_amount": 40.0 if level.is_legal_notice else 0.0,
                    "charge_costs": level.is_legal_notice,
                }
            )
        if "nl_NL" in dict(self.env["res.lang"].get_installed()):
            policy.update_field_translations(
                "name", {"nl_NL": "Belgische zakelijke debiteuren"}
            )
        self.env["ir.model.data"]._update_xmlids(
            [{"xml_id": xmlid, "record": policy, "noupdate": True}]
        )

    def _debiteur_demo_currencies(self, company):
        """Activate the US dollar with a rate for the debtor invoiced in USD."""
        usd = self.env.ref("base.USD")
        if company.currency_id == usd:
            return
        usd.active = True
        since = fields.Date.context_today(self) - timedelta(days=365)
        Rate = self.env["res.currency.rate"]
        for currency, rate in ((company.currency_id, 1.0), (usd, USD_RATE)):
            if not Rate.search_count(
                [
                    ("currency_id", "=", currency.id),
                    ("company_id", "=", company.id),
                    ("name", "=", since),
                ]
            ):
                Rate.create(
                    {
                        "currency_id": currency.id,
                        "company_id": company.id,
                        "name": since,
                        "rate": rate,
                    }
                )

    # ------------------------------------------------------------------
    # Payments
    # ------------------------------------------------------------------
    @api.model
    def _debiteur_demo_payment(self, move_id, days_ago, amount=None):
        """Register a payment on a demo invoice, ``days_ago`` days before today.

        Without ``amount`` the invoice is paid in full.
        """
        move = self.env["account.move"].browse(move_id)
        vals = {
            "payment_date": fields.Date.context_today(self) - timedelta(days=days_ago)
        }
        if amount is not None:
            vals["amount"] = amount
        wizard = (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=move.ids)
            .create(vals)
        )
        return wizard._create_payments()

    # ------------------------------------------------------------------
    # Reminder history
    # ------------------------------------------------------------------
    @api.model
    def _debiteur_demo_history(self, failing_partner_id=None):
        """Reminders sent on past dates, by the real engine.

        The engine runs on each past date, so the invoices reach their levels
        exactly as they would have in production. The demo database has no
        mail server: the e-mails are marked sent (those of
        ``failing_partner_id`` in the last run as failed) through the same
        feedback the mail queue gives.
        """
        company = self.env.ref("base.main_company")
        engine = self.env["debiteur.engine"].with_company(company)
        admin = self.env.ref("base.user_admin")
        today = fields.Date.context_today(self)
        runs = self.env["debiteur.run"]
        for days in HISTORY_DAYS:
            run = engine._run(today - timedelta(days=days), company, "manual")
            failing = failing_partner_id if days == HISTORY_DAYS[-1] else None
            self._debiteur_demo_deliver_run(run, failing)
            runs |= run
        runs.user_id = admin
        return runs

    def _debiteur_demo_deliver_run(self, run, failing_partner_id=None):
        """Give the mails of a past run the result the mail queue would give."""
        sent_at = datetime.combine(run.date, time(7, 0))
        for comm in run.communication_ids.filtered("mail_id"):
            mail = comm.mail_id.sudo()
            if comm.partner_id.id == failing_partner_id:
                mail.write(
                    {
                        "date": sent_at,
                        "state": "exception",
                        "failure_type": "mail_email_invalid",
                        # What a mail server answers for an unknown mailbox.
                        "failure_reason": "550 5.1.1 <%s>: Recipient address "
                        "rejected: User unknown in virtual mailbox table"
                        % comm.recipient_id.email,
                    }
                )
            else:
                mail.write({"date": sent_at, "state": "sent"})
            comm._on_mail_result(mail)
        # The letters left on the run date, not on the day the demo was installed.
        run.communication_ids.filtered(lambda c: c.state in ("sent", "printed")).write(
            {"sent_date": run.date}
        )

    @api.model
    def _debiteur_demo_review_run(self, partner_ids):
        """This morning's scheduler run, prepared and waiting for review.

        What the scheduler does for a policy in review mode (see
        ``debiteur.run._cron_company``), limited to a few debtors so the
        others still show up in the dunning wizard's preview.
        """
        company = self.env.ref("base.main_company")
        engine = self.env["debiteur.engine"].with_company(company)
        today = fields.Date.context_today(self)
        run = self.env["debiteur.run"].create(
            {"date": today, "company_id": company.id, "trigger": "cron"}
        )
        proposals = [
            p
            for p in engine._compute_proposals(today, company, partner_ids=partner_ids)
            if p.selectable
        ]
        run.debtor_count = len(proposals)
        engine._apply(run, proposals, send=False)
        run.state = "review" if run.draft_count else "done"
        run._log(
            self.env._("Scheduler: %(count)s debtor(s) handled.", count=len(proposals))
        )
        return run

    # ------------------------------------------------------------------
    # VAT relief: an invoice unpaid for more than a year
    # ------------------------------------------------------------------
    @api.model
    def _debiteur_demo_vat_relief(self, partner_id, product_id):
        """Set up VAT relief and leave one invoice eligible for it.

        The invoice was due 400 days ago and is still unpaid, so its VAT may be
        reclaimed (NL: one year after the due date); the scheduler lists it in
        "VAT to Reclaim" for the manager to confirm.
        """
        company = self.env.company
        Account = self.env["account.account"].with_company(company)
        # The Dutch chart's own accounts where it is installed: 1531 "BTW
        # oninbare vorderingen" and 4550 "Afschrijving dubieuze debiteuren".
        Chart = self.env["account.chart.template"].with_company(company)
        clearing = (
            Chart.ref("1531", raise_if_not_found=False)
            or Account.search(
                [("code", "=", "1899"), ("company_ids", "in", company.ids)], limit=1
            )
            or Account.create(
                {
                    "code": "1899",
                    "name": "Te vorderen btw oninbare vorderingen",
                    "account_type": "liability_current",
                }
            )
        )
        expense = (
            Chart.ref("4550", raise_if_not_found=False)
            or Account.search(
                [("code", "=", "4599"), ("company_ids", "in", company.ids)], limit=1
            )
            or Account.create(
                {
                    "code": "4599",
                    "name": "Afschrijving oninbare debiteuren",
                    "account_type": "expense",
                }
            )
        )
        journal = self.env["account.journal"].search(
            [("type", "=", "general"), ("company_id", "=", company.id)], limit=1
        )
        company.write(
            {
                "debiteur_vat_relief_journal_id": journal.id,
                "debiteur_vat_relief_account_id": clearing.id,
                "debiteur_vat_relief_expense_account_id": expense.id,
            }
        )
        today = fields.Date.context_today(self)
        tax = company.account_sale_tax_id
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner_id,
                "invoice_date": today - timedelta(days=430),
                "invoice_date_due": today - timedelta(days=400),
                "invoice_payment_term_id": False,
                "invoice_line_ids": [
                    fields.Command.create(
                        {
                            "product_id": product_id,
                            "quantity": 4,
                            "price_unit": 250.0,
                            "tax_ids": [fields.Command.set(tax.ids)],
                        }
                    )
                ],
            }
        )
        invoice.action_post()
        self.env["debiteur.vat.relief"]._cron_mark_eligible(today)
        return invoice

    # ------------------------------------------------------------------
    # Collection agency: one debtor handed off
    # ------------------------------------------------------------------
    @api.model
    def _debiteur_demo_handoff(self, partner_id, agency_id):
        """Hand the debtor that reached the formal notice over to the agency,
        through the same wizard a manager uses (the dossier is built)."""
        wizard = self.env["debiteur.handoff.wizard"].create(
            {
                "partner_ids": [fields.Command.set([partner_id])],
                "agency_id": agency_id,
                "send_email": False,
            }
        )
        wizard.action_confirm()

    # ------------------------------------------------------------------
    # Payment arrangements
    # ------------------------------------------------------------------
    @api.model
    def _debiteur_demo_arrangements(self, active_ids, broken_ids, completed_ids):
        """One active, one broken and one completed arrangement on past dates."""
        Wizard = self.env["debiteur.arrangement.wizard"]
        Move = self.env["account.move"]
        today = fields.Date.context_today(self)
        result = self.env["debiteur.arrangement"]
        specs = (
            (active_ids, 20, "active"),
            (broken_ids, 70, "broken"),
            (completed_ids, 90, "completed"),
        )
        for move_ids, days_ago, target in specs:
            moves = Move.browse(move_ids)
            start = today - timedelta(days=days_ago)
            wizard = Wizard.with_context(debiteur_today=start).create(
                {
                    "move_ids": [fields.Command.set(moves.ids)],
                    "instalment_count": 3,
                    "frequency": "monthly" if target != "broken" else "biweekly",
                    "first_date": start + timedelta(days=7),
                    "claims_mode": "waive",
                    "waive_reason": "Demo: the debtor pays in instalments.",
                }
            )
            arrangement = wizard.with_context(
                debiteur_today=start
            )._create_arrangement()
            arrangement.date_start = start
            lines = arrangement.line_ids.sorted("date")
            if target == "active":
                self._debiteur_demo_pay(moves, sum(lines[:1].mapped("amount")))
            elif target == "completed":
                self._debiteur_demo_pay(moves, arrangement.amount_total)
            result |= arrangement
        result._cron_process_arrangements(today)
        return result

    def _debiteur_demo_pay(self, moves, amount):
        """Register ``amount`` on ``moves`` (oldest first), as the debtor paid."""
        for move in moves.sorted("invoice_date_due"):
            if amount <= 0:
                break
            part = min(amount, move.amount_residual)
            self.env["account.payment.register"].with_context(
                active_model="account.move", active_ids=move.ids
            ).create({"amount": part})._create_payments()
            amount -= part

    # ------------------------------------------------------------------
    # Follow-up cases
    # ------------------------------------------------------------------
    @api.model
    def _debiteur_demo_cases(self):
        """Give the follow-up kanban of the demo company something in most
        columns: a dispute, a promise, a broken promise, a closed case."""
        company = self.env.ref("base.main_company")
        self.env.invalidate_all()  # open invoices as they are now, not as cached
        Case = self.env["debiteur.case"].with_company(company)
        today = fields.Date.context_today(self)
        cases = Case.search(
            [("company_id", "=", company.id), ("is_closed", "=", False)],
            order="amount_overdue desc, id",
        )
        cases.write({"user_id": self.env.ref("base.user_admin").id})
        if len(cases) < 4:
            return
        disputed, promised, broken, paid = cases[:4]
        disputed.priority = "1"
        disputed._mark_disputed(
            self.env._("Disputes the hours invoiced"), disputed.invoice_ids[:1]
        )
        promised._record_promise(
            today + timedelta(days=7),
            promised.currency_id.round(promised.amount_overdue / 2),
        )
        broken.with_context(debiteur_case_sync=True).write(
            {
                "promise_start_date": today - timedelta(days=20),
                "promise_date": today - timedelta(days=3),
                "promise_amount": broken.amount_overdue,
            }
        )
        Case._cron_check_promises(today)
        for move in paid.invoice_ids:
            self._debiteur_demo_payment(move.id, 1)

    # ------------------------------------------------------------------
    # Payments first
    # Demo of Payments first: three incoming bank statement lines not matched
    # yet, so that a newcomer sees the feature in the first preview.
    #
    # - an exact payment of one invoice, by its number (waits in Payments to Match:
    #   automatic reconciliation is off by default);
    # - an ambiguous one: a joint bank account of two consumers, with the amount of
    #   one of their invoices;
    # - a partial one: half of what a reminder claimed, with the reminder's payment
    #   reference.
    #
    # As in Odoo's own ``account/demo/``, a method of ``account.chart.template``
    # called from the demo XML: no model of its own in a production database.
    # ------------------------------------------------------------------

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
