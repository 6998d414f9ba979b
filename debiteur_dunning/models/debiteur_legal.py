"""The bridge between the ORM and the pure legal rules of ``legal/``.

``legal/`` knows the law and nothing of Odoo; this model reads what the law
needs from the database (invoices, policies, rate tables, reminders sent) in a
fixed number of queries, calls the pure functions, and turns their errors into
messages a user can act on. Amounts go in and out as ``Decimal``.
"""

import re
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from stdnum import iban as stdnum_iban
from stdnum.eu import vat as eu_vat

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..legal import (
    allocate_payment,
    collection_costs,
    costs_vat_surcharge,
    interest_on_balances,
    legal_notice_deadline,
    prescription_date,
    receipt_date,
)

ONE_DAY = timedelta(days=1)
# Reminders that interrupt prescription: written (not a phone call) and gone.
WRITTEN_STATES = ("sent", "printed")
# A contractual rate is one rate for all time.
CONTRACTUAL_FROM = date(1900, 1, 1)
ADDRESS_FIELDS = ("street", "zip", "city")
_VAT_SEPARATORS = re.compile(r"[\s.\-/]+")


def _quantize(value, currency):
    """``value`` rounded half up to the decimal places of ``currency``."""
    return Decimal(value).quantize(
        Decimal(1).scaleb(-currency.decimal_places), rounding=ROUND_HALF_UP
    )


def _money(value, currency):
    """An Odoo float amount (or a Decimal) as a Decimal in ``currency``."""
    if not isinstance(value, Decimal):
        value = Decimal(str(value or 0.0))
    return _quantize(value, currency)


class DebiteurLegal(models.AbstractModel):
    _name = "debiteur.legal"
    _description = "Dunning Legal Rules"

    # ------------------------------------------------------------------
    # Who the debtor is, which table applies
    # ------------------------------------------------------------------
    @api.model
    def _is_consumer(self, partner, policy=None):
        """True when the debtor is a consumer (its own type; the policy's if unset)."""
        debtor_type = partner.commercial_partner_id.debiteur_debtor_type
        if not debtor_type and policy:
            debtor_type = policy.debtor_type
        return debtor_type == "consumer"

    @api.model
    def _interest_kind(self, policy, partner):
        """The statutory rate table (``debiteur.interest.rate`` kind) for a debtor.

        NL: ``nl_consumer`` (6:119 BW) or ``nl_commercial`` (6:119a BW); BE:
        ``be_legal`` (consumers) or ``be_commercial`` (law of 2 August 2002);
        ``False`` for another jurisdiction, which knows only contractual
        interest.
        """
        consumer = self._is_consumer(partner, policy)
        if policy.jurisdiction == "nl":
            return "nl_consumer" if consumer else "nl_commercial"
        if policy.jurisdiction == "be":
            return "be_legal" if consumer else "be_commercial"
        return False

    # ------------------------------------------------------------------
    # Interest and prescription per invoice
    # ------------------------------------------------------------------
    @api.model
    def _invoice_claims(
        self,
        invoices,
        as_of,
        policy_by_partner=None,
        history=None,
        starts=None,
        reminders=None,
    ):
        """Interest, costs basis and prescription of each invoice on ``as_of``.

        Returns ``{invoice id: {"interest": Decimal, "costs_basis": Decimal,
        "prescription_date": date, "interest_start": date}}``:

        - ``interest``: from ``interest_start`` (the day after the due date) to
          ``as_of``, both included, on the open residual, in the invoice
          currency and rounded to its decimals; by the policy's
          ``interest_mode``: ``none`` 0, ``statutory`` the table of
          :meth:`_interest_kind` (0 outside NL and BE), ``contractual`` the
          policy's rate. Dutch interest capitalises yearly (art. 6:119 lid 2
          BW); Belgian interest does not (no anatocism without a court claim
          or an agreement). 0 when ``as_of`` is not after the due date.
        - ``costs_basis``: the open principal in the company currency.

        A costs invoice (``debiteur_is_cost_invoice``: the collection costs and
        interest of a reminder, the charges of a payment arrangement) is no
        principal: no interest on it (no interest on costs or on interest) and
        a ``costs_basis`` of 0; it keeps its prescription date.
        - ``prescription_date``: last day to enforce the claim under the
          policy's law (:meth:`_prescription`): NL 5 years after the due date,
          2 for a consumer sale, restarted by every written reminder received
          before it ran out; BE by the policy's kind of claim.

        ``policy_by_partner`` maps commercial partner id to policy; by default
        the engine's choice (the partner's policy or the company default).
        ``history``: ``{invoice id: {"paid": [(date, Decimal)], "credited":
        [(date, Decimal)]}}`` in the invoice currency: what was reconciled
        with it on each day, and the open credits set against it from their
        day; interest then runs on what was really open each day. ``starts``:
        ``{invoice id: date}``, a first interest day later than the day after
        the due date (a Belgian consumer: after the first reminder's waiting
        period). ``reminders``: ``{invoice id: [date]}``, the days the written
        reminders that listed each invoice were received, when the caller has
        read them (:meth:`_reminder_receipts`); read here otherwise.

        Invoices without a policy get no interest. The number of queries does
        not depend on the number of invoices. Raises UserError when a rate
        table is empty or does not reach back to an interest start.
        """
        as_of = fields.Date.to_date(as_of)
        if not invoices:
            return {}
        invoices.fetch(
            [
                "name",
                "company_id",
                "commercial_partner_id",
                "currency_id",
                "invoice_date_due",
                "amount_residual",
                "amount_residual_signed",
                "debiteur_is_cost_invoice",
            ]
        )
        partners = invoices.commercial_partner_id
        partners.fetch(["debiteur_debtor_type"])
        (invoices.currency_id | invoices.company_id.currency_id).fetch(
            ["decimal_places"]
        )
        if policy_by_partner is None:
            by_company = self._policies_of(invoices)
        else:
            by_company = {
                (move.company_id.id, move.commercial_partner_id.id): policy
                for move in invoices
                if (policy := policy_by_partner.get(move.commercial_partner_id.id))
            }
        policies = self.env["debiteur.policy"].union(*by_company.values())
        policies.fetch(
            [
                "jurisdiction",
                "debtor_type",
                "interest_mode",
                "interest_rate",
                "consumer_sale",
                "prescription_kind",
            ]
        )
        if reminders is None:
            reminders = self._written_reminder_dates(invoices)

        tables = {}
        result = {}
        for move in invoices:
            partner = move.commercial_partner_id
            policy = by_company.get((move.company_id.id, partner.id))
            due = move.invoice_date_due
            start = due + ONE_DAY
            if starts and starts.get(move.id):
                start = max(start, starts[move.id])
            currency = move.currency_id
            residual = max(_money(move.amount_residual, currency), Decimal(0))
            interest = _quantize(0, currency)
            principal = not move.debiteur_is_cost_invoice
            if policy and principal and residual and as_of >= start:
                rates = self._interest_table(policy, partner, tables)
                if rates:
                    interest = self._interest(
                        move,
                        self._balances(
                            residual, start, as_of, (history or {}).get(move.id)
                        ),
                        as_of,
                        rates,
                        policy,
                    )
            company_currency = move.company_id.currency_id
            zero = _quantize(0, company_currency)
            result[move.id] = {
                "interest": interest,
                "costs_basis": max(
                    _money(move.amount_residual_signed, company_currency), zero
                )
                if principal
                else zero,
                "prescription_date": self._prescription(
                    due, reminders.get(move.id, ()), policy
                ),
                "interest_start": start,
            }
        return result

    @api.model
    def _policies_of(self, invoices):
        """The engine's policy per (company id, commercial partner id)."""
        engine = self.env["debiteur.engine"]
        result = {}
        for company in invoices.company_id:
            partners = (
                invoices.filtered(lambda m, c=company: m.company_id == c)
                .commercial_partner_id.with_company(company)
                .with_context(active_test=False)
            )
            partners.fetch(["debiteur_policy_id", "debiteur_debtor_type"])
            for partner_id, policy in engine._policy_by_partner(
                company, partners
            ).items():
                result[company.id, partner_id] = policy
        return result

    @api.model
    def _interest_table(self, policy, partner, tables):
        """The rate table for ``policy`` and ``partner``, memoised in ``tables``."""
        if policy.interest_mode == "statutory":
            key = self._interest_kind(policy, partner)
            if not key:
                return None
            if key not in tables:
                tables[key] = self.env["debiteur.interest.rate"]._rates_for(key)
        elif policy.interest_mode == "contractual":
            key = ("contractual", policy.interest_rate)
            if key not in tables:
                tables[key] = [(CONTRACTUAL_FROM, Decimal(str(policy.interest_rate)))]
        else:
            return None
        return tables[key]

    @api.model
    def _balances(self, residual, start, as_of, history):
        """What was open on the invoice each day from ``start`` to ``as_of``:
        ``[(date, Decimal)]`` from each day it changed (see
        :meth:`_invoice_claims`, ``history``). An amount reconciled on a day
        is no longer open that day; a credit counts from its day on."""
        paid = [(day, amount) for day, amount in (history or {}).get("paid", ())]
        credited = [
            (max(day, start), amount)
            for day, amount in (history or {}).get("credited", ())
        ]

        def open_on(day):
            amount = residual + sum(a for d, a in paid if d > day)
            amount -= sum(a for d, a in credited if d <= day)
            return max(amount, Decimal(0))

        days = sorted(
            {start}
            | {d for d, _a in paid if start < d <= as_of}
            | {d for d, _a in credited if start < d <= as_of}
        )
        balances = []
        for day in days:
            amount = open_on(day)
            if not balances or balances[-1][1] != amount:
                balances.append((day, amount))
        return balances

    @api.model
    def _interest(self, move, balances, as_of, rates, policy):
        start = balances[0][0]
        try:
            amount = interest_on_balances(
                balances, as_of, rates, compound=policy.jurisdiction == "nl"
            )
        except ValueError:
            raise UserError(
                self.env._(
                    "Invoice %(invoice)s earns interest from %(start)s, but the "
                    "interest rates of policy %(policy)s only start on %(first)s. "
                    "Add the older rates under Accounting > Configuration > "
                    "Interest Rates.",
                    invoice=move.name,
                    start=start,
                    policy=policy.display_name,
                    first=rates[0][0],
                )
            ) from None
        return _quantize(amount, move.currency_id)

    @api.model
    def _written_reminder_dates(self, invoices):
        """Send dates of the written reminders that listed each invoice."""
        groups = self.env["debiteur.communication.line"]._read_group(
            [
                ("move_id", "in", invoices.ids),
                ("state", "in", WRITTEN_STATES),
                ("communication_id.channel", "!=", "phone"),
                ("communication_id.sent_date", "!=", False),
            ],
            ["move_id"],
            ["communication_id:recordset"],
        )
        comms = self.env["debiteur.communication"].union(*(c for _m, c in groups))
        comms.fetch(["sent_date", "channel"])
        return {move.id: self._reminder_receipts(found) for move, found in groups}

    @api.model
    def _reminder_receipts(self, comms):
        """The days the debtor received the written reminders ``comms``
        (sent, not phone calls), sorted: a written reminder interrupts
        prescription once the debtor receives it (art. 3:317 and 3:37 lid 3
        BW): e-mail the day it is sent, post the second delivery day after."""
        return sorted(
            {
                receipt_date(
                    comm.sent_date,
                    "email" if comm.channel == "email" else "post",
                    "NL",
                )
                for comm in comms
            }
        )

    @api.model
    def _prescription(self, due, reminder_dates, policy):
        """Prescription date under the policy's law.

        NL: five years, two for the sale of goods to a consumer (the policy's
        ``consumer_sale``, not the debtor type); each written reminder
        received before the term runs out starts a new one. BE: the term of
        the policy's ``prescription_kind``; a reminder does not interrupt it.
        """
        if policy and policy.jurisdiction == "be":
            return prescription_date(
                due, country="BE", kind=policy.prescription_kind or "default"
            )
        consumer_sale = bool(policy and policy.consumer_sale)
        reference = due
        for received in reminder_dates:
            if reference < received <= prescription_date(reference, consumer_sale):
                reference = received
        return prescription_date(reference, consumer_sale)

    # ------------------------------------------------------------------
    # Collection costs
    # ------------------------------------------------------------------
    @api.model
    def _debtor_costs(
        self,
        partner,
        policy,
        principal,
        level,
        as_of,
        legal_deadline=None,
        invoice_count=1,
        level_index=0,
        reminders_this_year=0,
    ):
        """Collection costs the law allows on ``as_of``, with a short explanation.

        ``principal`` is the debtor's open principal (company currency, Decimal
        or float); ``level`` the level of the reminder (its ``fee_amount`` in
        ``fixed`` mode); ``legal_deadline`` the last day of the term the law
        requires before costs (NL consumer: the 14-day letter; BE consumer: the
        waiting period after the first reminder), costs being due from the
        day after; ``invoice_count`` the number of open invoices (40.00 each
        for a business: BE compensation, NL minimum); ``level_index`` the
        0-based position of the level in the policy (BE consumer: the first
        reminder, index 0, is free); ``reminders_this_year`` the reminders the
        debtor had in the twelve months before (BE consumer, recurring
        contract).

        The decision is ``legal.collection_costs``; the policy adds what the
        contract says (express clause, recurring contract) and the VAT
        surcharge of art. 2 lid 3 BIK. Returns ``(Decimal amount in the
        company currency, str explanation)``. Whether this level charges
        costs at all (``level.charge_costs``) is the caller's decision. The
        statutory amounts are euros: the company currency is assumed to be EUR.
        """
        currency = policy.company_id.currency_id
        as_of = fields.Date.to_date(as_of)
        legal_deadline = fields.Date.to_date(legal_deadline)
        amount, code, params = collection_costs(
            jurisdiction=policy.jurisdiction or "other",
            consumer=self._is_consumer(partner, policy),
            costs_mode=policy.costs_mode or "none",
            principal=max(_money(principal, currency), Decimal(0)),
            invoice_count=max(int(invoice_count or 0), 1),
            fee=_money(level.fee_amount if level else 0.0, currency),
            deadline_passed=bool(legal_deadline) and as_of > legal_deadline,
            first_reminder=level_index < 1,
            express_clause=policy.be_express_clause,
            recurring_contract_fee=policy.be_recurring_contract_fee,
            reminders_this_year=int(reminders_this_year or 0),
        )
        amount = _quantize(amount, currency)
        note = self._costs_message(code, params, currency, legal_deadline)
        if amount > 0 and policy.costs_vat_surcharge and policy.costs_mode != "none":
            surcharge = _quantize(costs_vat_surcharge(amount), currency)
            amount += surcharge
            note = " ".join(
                (
                    note,
                    self.env._(
                        "Including %(surcharge)s as damages for the VAT our "
                        "collection service charged us and we cannot deduct "
                        "(21 %%, art. 2 lid 3 BIK); no VAT is charged to you.",
                        surcharge=currency.format(float(surcharge)),
                    ),
                )
            )
        return amount, note

    @api.model
    def _costs_message(self, code, params, currency, legal_deadline):
        """The sentence that explains a ``legal.collection_costs`` decision."""
        _ = self.env._
        values = {
            key: currency.format(float(value)) if isinstance(value, Decimal) else value
            for key, value in params.items()
        }
        messages = {
            "nothing_open": lambda: _("Nothing is open: no collection costs."),
            "policy_none": lambda: _("The policy charges no collection costs."),
            "nl_consumer_no_fees": lambda: _(
                "No fee: Dutch law allows no other fees to consumers than the "
                "statutory collection costs."
            ),
            "be_consumer_first_free": lambda: _(
                "The first reminder to a consumer is free."
            ),
            "be_consumer_no_fees": lambda: _(
                "No fee: Belgian law allows no fee per reminder to a consumer, "
                "except beyond three reminders a year under a recurring contract."
            ),
            "be_consumer_fee_capped": lambda: _(
                "Reminder fee, capped at %(cap)s for a consumer.", **values
            ),
            "be_consumer_recurring_fee": lambda: _(
                "Reminder fee of %(amount)s: more than three reminders this year "
                "under a recurring contract.",
                **values,
            ),
            "no_fee": lambda: _("This level charges no fee."),
            "fixed_fee": lambda: _("Fixed fee of this level: %(amount)s.", **values),
            "nl_consumer_before_term": lambda: _(
                "No costs before the 14-day term has passed."
            ),
            "nl_wik_consumer": lambda: _(
                "Statutory collection costs (WIK) on %(principal)s, the "
                "14-day term having ended on %(deadline)s.",
                principal=values["principal"],
                deadline=legal_deadline,
            ),
            "nl_wik_business": lambda: _(
                "Statutory collection costs (WIK) on %(principal)s, at least "
                "%(minimum)s.",
                **values,
            ),
            "nl_business_minimum_per_invoice": lambda: _(
                "At least %(each)s per invoice for %(count)s invoices (art. 6:96 "
                "lid 4 BW): more than the WIK scale on the total.",
                **values,
            ),
            "be_consumer_first_free_damages": lambda: _(
                "The first reminder to a consumer is free: no damages."
            ),
            "be_consumer_no_clause": lambda: _(
                "No damages: the contract has no express damages and interest clause."
            ),
            "be_consumer_before_term": lambda: _(
                "No damages before the 14-day waiting period after the "
                "first reminder has passed."
            ),
            "be_consumer_damages": lambda: _(
                "Damages at the legal maximum for a balance of %(balance)s "
                "(Book XIX Code of Economic Law).",
                **values,
            ),
            "be_business_compensation": lambda: _(
                "Fixed compensation of %(each)s per invoice for %(count)s "
                "invoice(s) (law of 2 August 2002).",
                **values,
            ),
            "other_jurisdiction": lambda: _(
                "No statutory collection costs outside the Netherlands and Belgium."
            ),
        }
        return messages[code]()

    @api.model
    def _costs_less_charged(self, amount, note, charges, currency):
        """Collection costs are claimed once per claim.

        ``amount`` (Decimal, company currency ``currency``) is what the law
        allows on the claim, ``note`` its explanation; ``charges`` the debtor's
        entry of ``account.move._debiteur_charges`` (or None). Returns the
        costs left to claim (never below zero) and the note completed with
        the deduction.
        """
        amount = _money(amount, currency)
        charged = charges["costs"] if charges else Decimal(0)
        if charged <= 0 or amount <= 0:
            return amount, note
        left = max(amount - charged, _quantize(0, currency))
        values = {
            "statutory": currency.format(float(amount)),
            "invoiced": currency.format(float(charged)),
            "left": currency.format(float(left)),
        }
        if charges["waived_costs"] > 0:
            deduction = self.env._(
                "Amount: %(statutory)s, of which %(invoiced)s already invoiced "
                "or waived: %(left)s left to claim (collection costs are "
                "claimed once; a waiver does not make them due again).",
                **values,
            )
        else:
            deduction = self.env._(
                "Amount: %(statutory)s, of which %(invoiced)s already invoiced: "
                "%(left)s left to claim (collection costs are claimed once).",
                **values,
            )
        return left, " ".join(part for part in (note, deduction) if part)

    @api.model
    def _interest_less_charged(self, amount, charges, currency):
        """Interest ``amount`` (company currency) less the interest already
        invoiced or waived (``charges``, see :meth:`_costs_less_charged`),
        never below zero, as a Decimal."""
        amount = _money(amount, currency)
        charged = charges["interest"] if charges else Decimal(0)
        return max(amount - charged, _quantize(0, currency))

    # ------------------------------------------------------------------
    # Payments
    # ------------------------------------------------------------------
    @api.model
    def _allocate_payments(self, amount, costs, interest, principal):
        """Split a payment over costs, then interest, then principal (6:44 BW).

        Takes Decimals or Odoo floats; returns ``{"costs", "interest",
        "principal", "excess"}`` as Decimals that add up to ``amount``.
        """
        values = [
            value if isinstance(value, Decimal) else Decimal(str(value or 0.0))
            for value in (amount, costs, interest, principal)
        ]
        parts = allocate_payment(*values)
        return dict(
            zip(("costs", "interest", "principal", "excess"), parts, strict=True)
        )

    # ------------------------------------------------------------------
    # Debtor master data
    # ------------------------------------------------------------------
    @api.model
    def _check_debtor_data(self, partners):
        """Problems with the debtors' data: ``{partner id: [warning, ...]}``.

        VAT number (EU format and check digits, offline: python-stdnum, only
        when a number is set and it is an EU one), the IBAN of each bank
        account, and the street, zip and city a letter needs. Every partner
        gets a key, with an empty list when all is well.
        """
        _ = self.env._
        partners.fetch(["vat", "street", "zip", "city", "country_id", "bank_ids"])
        partners.country_id.fetch(["code"])
        partners.bank_ids.fetch(["acc_number"])
        labels = self.env["res.partner"].fields_get(list(ADDRESS_FIELDS), ["string"])
        result = {}
        for partner in partners:
            warnings = []
            if partner.vat and not self._vat_is_valid(
                partner.vat, partner.country_id.code
            ):
                warnings.append(_("VAT number %(vat)s is not valid.", vat=partner.vat))
            for bank in partner.bank_ids:
                if not stdnum_iban.is_valid(bank.acc_number or ""):
                    warnings.append(
                        _(
                            "Bank account %(account)s is not a valid IBAN.",
                            account=bank.acc_number,
                        )
                    )
            missing = [labels[f]["string"] for f in ADDRESS_FIELDS if not partner[f]]
            if missing:
                warnings.append(
                    _(
                        "The address is incomplete for a letter: %(missing)s missing.",
                        missing=", ".join(missing),
                    )
                )
            result[partner.id] = warnings
        return result

    @api.model
    def _vat_is_valid(self, vat, country_code):
        """EU VAT check (True for numbers that are not EU VAT numbers)."""
        number = _VAT_SEPARATORS.sub("", vat).upper()
        prefix = number[:2]
        if prefix.isalpha():
            member = "gr" if prefix == "EL" else prefix.lower()
            if member not in eu_vat.MEMBER_STATES:
                return True
        else:
            member = (country_code or "").lower()
            if member not in eu_vat.MEMBER_STATES:
                return True
            number = ("EL" if member == "gr" else member.upper()) + number
        return eu_vat.is_valid(number)

    # ------------------------------------------------------------------
    # What a letter must state, and whether it may leave
    # ------------------------------------------------------------------
    def _stale_tables(self, date, proposals, Level, Policy, partners):
        """``{rate table kind: warning}`` for the stale statutory rate tables,
        when a letter of ``proposals`` states statutory interest (one query
        then, none otherwise)."""
        if not any(
            Level.browse(p.level_id).charge_interest
            and Policy.browse(p.policy_id).interest_mode == "statutory"
            for p in proposals
        ):
            return {}
        return {
            kind: self.env._(
                "The newest rate of %(table)s starts on %(date)s, more than six "
                "months ago: check whether a newer rate was published (Interest "
                "Rates) before sending interest.",
                table=label,
                date=newest,
            )
            for kind, label, newest in self.env["debiteur.interest.rate"]._stale_kinds(
                date
            )
        }

    def _be_creditor_unidentified(self, company):
        """Why a Belgian reminder cannot be sent for ``company``, or False.

        Every Belgian reminder states the creditor's enterprise number
        (KBO/BCE, Book XIX Code of Economic Law, art. XIX.2): the company
        registry, or the digits of a Belgian VAT number, which is the same
        number."""
        if company.company_registry or (company.vat or "").upper().startswith("BE"):
            return False
        return self.env._(
            "The reminder cannot be sent: a Belgian reminder must state the "
            "creditor's enterprise number (KBO/BCE). Fill in the company's "
            "registry number."
        )

    def _legal_notice_problem(self, company, proposal, policy, partner):
        """Why a formal notice would not stand, or False (LEGAL.md, NL consumers).

        The 14-day letter must state the term, the date it ends, the exact
        costs, and who the creditor is; without them, no costs can be claimed.
        """
        _ = self.env._
        missing = []
        if not proposal.legal_deadline:
            missing.append(_("the end date of the payment term"))
        consumer = self._is_consumer(partner, policy)
        if (
            consumer
            and policy.jurisdiction == "nl"
            and policy.costs_mode == "statutory"
            and not proposal.costs_amount
            # Costs already invoiced (after an earlier 14-day letter) or waived
            # are not charged again: nothing new to state.
            and not proposal.costs_charged
        ):
            missing.append(_("the amount of the collection costs"))
        if not company.name or not (company.street and company.city):
            missing.append(_("the creditor's name and address"))
        if not (company.company_registry or company.vat):
            missing.append(_("the creditor's Chamber of Commerce or VAT number"))
        if not missing:
            return False
        return _(
            "The formal notice cannot be sent: it lacks %(missing)s.",
            missing=", ".join(missing),
        )

    @api.model
    def _legal_deadline(self, sent, level, policy, channel, partner=None):
        """Last day of the payment term a letter states (LEGAL.md).

        Formal notices have one; so has a Belgian consumer's first reminder
        (the 14-day waiting period). A letter counts as post; e-mail and
        letter together take the later (postal) term. Belgian public holidays
        are not known here, so the Belgian term counts weekends only (see
        ``legal.deadlines``).
        """
        if channel == "phone":
            return False
        be_first = (
            policy.jurisdiction == "be"
            and partner is not None
            and self._is_consumer(partner, policy)
            and level == policy._sorted_levels()[:1]
        )
        if not level.is_legal_notice and not be_first:
            return False
        country = "BE" if policy.jurisdiction == "be" else "NL"
        return legal_notice_deadline(
            sent, "email" if channel == "email" else "post", country
        )
