from datetime import timedelta

from odoo import Command, api, models

from .account_move_sequence import bulk_posting


class DebiteurVatReliefEntry(models.AbstractModel):
    """The journal entries of VAT relief (``debiteur.vat.relief``): their values
    prepared set-based for many reliefs, then created in bulk, one
    ``create(vals_list)`` and one ``_post()`` for all of them.

    What is read per relief in a loop (lock dates, the credit-note repartition
    line and the base tags of a tax) is read once per company or tax and kept
    in a ``cache`` dict for the batch.
    """

    _name = "debiteur.vat.relief.entry"
    _description = "VAT Relief Journal Entries"

    # ------------------------------------------------------------------
    # Dates
    @api.model
    def _booking_date(self, relief, wanted, cache=None):
        """``wanted``, or the first day after the lock date when it falls in a
        locked (VAT) period: the first return still open."""
        cache = {} if cache is None else cache
        company = relief.company_id
        locks = cache.setdefault("lock", {})
        if company not in locks:
            locks[company] = company._debiteur_vat_lock_date()
        lock = locks[company]
        if lock and wanted <= lock:
            return lock + timedelta(days=1)
        return wanted

    # ------------------------------------------------------------------
    # Values
    @api.model
    def _line_defaults(self, company, cache):
        """What every line of ``company``'s entries gets: no analytic
        distribution when the company has no distribution model (what Odoo
        would compute line by line, one query per line, at posting)."""
        defaults = cache.setdefault("line_defaults", {})
        if company not in defaults:
            models_count = (
                self.env["account.analytic.distribution.model"]
                .sudo()
                .search_count([("company_id", "in", [company.id, False])], limit=1)
            )
            defaults[company] = {} if models_count else {"analytic_distribution": False}
        return defaults[company]

    @api.model
    def _refund_repartition(self, rline, cache):
        """``rline._refund_repartition_line()``, once per invoice repartition
        line and tax."""
        reps = cache.setdefault("refund_rep", {})
        key = (rline.invoice_tax_line_id.tax_repartition_line_id.id, rline.tax_id.id)
        if key not in reps:
            reps[key] = rline._refund_repartition_line()
        return reps[key]

    @api.model
    def _base_tags(self, tax, cache):
        """The base tags of a credit note of ``tax``, once per tax."""
        tags = cache.setdefault("base_tags", {})
        if tax not in tags:
            tags[tax] = tax.get_tax_tags(True, "base")
        return tags[tax]

    @api.model
    def _entry_vals(self, relief, deltas, date, ref, cache=None):
        """Values of one entry of ``relief`` moving the VAT of ``deltas``.

        ``deltas``: list of (relief line, base, base in currency, vat, vat in
        currency); positive amounts reclaim VAT (negative turnover correction),
        negative ones re-charge it. Per tax: the output-tax account is debited
        with the tax tags of a credit note of the original tax (rubriek 1a/1b
        with a minus sign), the clearing account takes the counterpart; the base
        is reported by a pair of lines on the clearing account, one carrying
        the base tags of that credit note. None when nothing moves.
        """
        cache = {} if cache is None else cache
        company = relief.company_id
        clearing = company.debiteur_vat_relief_account_id
        currency = relief.currency_id
        partner = relief.partner_id
        defaults = self._line_defaults(company, cache)
        lines = []

        def line(name, account, balance, amount_currency, **extra):
            return Command.create(
                {
                    **defaults,
                    "name": name,
                    "account_id": account.id,
                    "partner_id": partner.id,
                    "currency_id": currency.id,
                    "balance": balance,
                    "amount_currency": amount_currency,
                    **extra,
                }
            )

        for rline, base, base_c, vat, vat_c in deltas:
            tax = rline.tax_id
            refund_rep = self._refund_repartition(rline, cache)
            label = self.env._(
                "VAT relief %(invoice)s, %(tax)s",
                invoice=relief.move_id.name,
                tax=tax.name,
            )
            if not (company.currency_id.is_zero(vat) and currency.is_zero(vat_c)):
                lines += [
                    line(
                        label,
                        rline.account_id,
                        vat,
                        vat_c,
                        display_type="tax",
                        tax_repartition_line_id=refund_rep.id,
                        tax_tag_ids=[Command.set(refund_rep.tag_ids.ids)],
                        tax_base_amount=base,
                    ),
                    line(label, clearing, -vat, -vat_c),
                ]
            if not (company.currency_id.is_zero(base) and currency.is_zero(base_c)):
                lines += [
                    line(
                        label,
                        clearing,
                        base,
                        base_c,
                        tax_tag_ids=[Command.set(self._base_tags(tax, cache).ids)],
                    ),
                    line(label, clearing, -base, -base_c),
                ]
        if not lines:
            return None
        return {
            "move_type": "entry",
            "journal_id": company.debiteur_vat_relief_journal_id.id,
            "company_id": company.id,
            "date": date,
            "ref": ref,
            "partner_id": partner.id,
            "currency_id": currency.id,
            "debiteur_vat_relief_origin_id": relief.id,
            "line_ids": lines,
        }

    @api.model
    def _reversal_vals(self, relief, move, date, cache=None):
        """Values of the entry reversing ``move`` (same lines, same tags,
        opposite amounts), dated ``date`` or the first open day after it."""
        cache = {} if cache is None else cache
        defaults = self._line_defaults(move.company_id, cache)
        return {
            "move_type": "entry",
            "journal_id": move.journal_id.id,
            "company_id": move.company_id.id,
            "date": self._booking_date(relief, date, cache),
            "ref": self.env._("Reversal of: %(ref)s", ref=move.name),
            "partner_id": move.partner_id.id,
            "currency_id": move.currency_id.id,
            "reversed_entry_id": move.id,
            "debiteur_vat_relief_origin_id": relief.id,
            "line_ids": [
                Command.create(
                    {
                        **defaults,
                        "name": line.name,
                        "account_id": line.account_id.id,
                        "partner_id": line.partner_id.id,
                        "currency_id": line.currency_id.id,
                        "balance": -line.balance,
                        "amount_currency": -line.amount_currency,
                        "display_type": line.display_type,
                        "tax_repartition_line_id": line.tax_repartition_line_id.id,
                        "tax_tag_ids": [Command.set(line.tax_tag_ids.ids)],
                        "tax_base_amount": -line.tax_base_amount,
                    }
                )
                for line in move.line_ids
            ],
        }

    @api.model
    def _write_off_vals(self, relief, open_lines, date, cache=None):
        """Values of the write-off of ``relief``'s invoice: its open receivable
        ``open_lines`` against the clearing account (the VAT still reclaimed)
        and the bad-debt expense account."""
        invoice = relief.move_id
        company = relief.company_id
        res_bal = sum(open_lines.mapped("amount_residual"))
        res_cur = sum(open_lines.mapped("amount_residual_currency"))
        vat_bal = sum(relief.line_ids.mapped("vat_current"))
        vat_cur = sum(relief.line_ids.mapped("vat_current_currency"))
        label = self.env._("Write-off %(invoice)s", invoice=invoice.name)
        cache = {} if cache is None else cache
        common = {
            **self._line_defaults(company, cache),
            "name": label,
            "partner_id": relief.partner_id.id,
            "currency_id": relief.currency_id.id,
        }
        return {
            "move_type": "entry",
            "journal_id": company.debiteur_vat_relief_journal_id.id,
            "company_id": company.id,
            "date": self._booking_date(relief, date, cache),
            "ref": label,
            "partner_id": relief.partner_id.id,
            "currency_id": relief.currency_id.id,
            "debiteur_vat_relief_origin_id": relief.id,
            "line_ids": [
                Command.create(
                    {
                        **common,
                        "account_id": open_lines[:1].account_id.id,
                        "balance": -res_bal,
                        "amount_currency": -res_cur,
                    }
                ),
                Command.create(
                    {
                        **common,
                        "account_id": company.debiteur_vat_relief_account_id.id,
                        "balance": vat_bal,
                        "amount_currency": vat_cur,
                    }
                ),
                Command.create(
                    {
                        **common,
                        "account_id": company.debiteur_vat_relief_expense_account_id.id,
                        "balance": res_bal - vat_bal,
                        "amount_currency": res_cur - vat_cur,
                    }
                ),
            ],
        }

    # ------------------------------------------------------------------
    # Creation
    @api.model
    def _create_and_post(self, vals_list):
        """The entries of ``vals_list`` (None values skipped): one ``create``,
        one ``_post`` for all."""
        vals_list = [vals for vals in vals_list if vals]
        if not vals_list:
            return self.env["account.move"]
        # The lines carry their own tax data, as Odoo's cash-basis entries do:
        # no tax recomputation.
        moves = (
            self.env["account.move"]
            .with_context(skip_invoice_sync=True, skip_invoice_line_sync=True)
            .create(self._complete_vals(vals_list))
        )
        self._subscribe_partners(moves)
        # Numbered from one another, without Odoo's queries per entry.
        with bulk_posting(moves):
            moves._post(soft=False)
        return moves

    @api.model
    def _complete_vals(self, vals_list):
        """``vals_list`` with what Odoo would set entry by entry, set for the
        batch:

        - the fiscal position that ``account.move`` computes for an entry
          (``_compute_fiscal_position_id``: an entry has no delivery address,
          so the partner's delivery contact decides), found once per company
          and partner instead of once per entry (a search and a read of the
          partner each);
        - ``checked`` when the journal checks its entries on posting, which
          ``_post`` writes entry by entry (see ``account_move_sequence``).
        """
        Partner = self.env["res.partner"]
        partners = {
            partner.id: partner
            for partner in Partner.browse(
                {vals["partner_id"] for vals in vals_list if vals.get("partner_id")}
            )
        }
        journals = self.env["account.journal"].browse(
            {vals["journal_id"] for vals in vals_list}
        )
        autocheck = {journal.id for journal in journals if journal.autocheck_on_post}
        company_of = {journal.id: journal.company_id.id for journal in journals}
        positions = {}
        completed = []
        for vals in vals_list:
            extra = {}
            if "fiscal_position_id" not in vals:
                key = (
                    vals.get("company_id") or company_of[vals["journal_id"]],
                    vals.get("partner_id") or False,
                )
                if key not in positions:
                    partner = partners.get(key[1], Partner)
                    delivery_id = partner.address_get(["delivery"])["delivery"]
                    # Most often the partner: read with the others.
                    delivery = partners.get(delivery_id) or Partner.browse(delivery_id)
                    positions[key] = (
                        self.env["account.fiscal.position"]
                        .with_company(key[0])
                        ._get_fiscal_position(partner, delivery=delivery)
                        .id
                    )
                extra["fiscal_position_id"] = positions[key]
            if "checked" not in vals and vals["journal_id"] in autocheck:
                extra["checked"] = True
            completed.append({**vals, **extra} if extra else vals)
        return completed

    @api.model
    def _subscribe_partners(self, moves):
        """Make each entry's partner a follower of it, as ``_post`` does one
        entry at a time (five queries each), for all entries at once."""
        Followers = self.env["mail.followers"].sudo()
        following = {
            (follower.res_id, follower.partner_id.id)
            for follower in Followers.search(
                [
                    ("res_model", "=", moves._name),
                    ("res_id", "in", moves.ids),
                    ("partner_id", "in", moves.partner_id.ids),
                ]
            )
        }
        vals_list = []
        for move in moves:
            partner = move.partner_id.sudo()
            if not partner.active or (move.id, partner.id) in following:
                continue
            new, _updates = Followers._add_default_followers(
                moves._name,
                move.ids,
                partner.ids,
                customer_ids=partner.ids if partner.partner_share else [],
                check_existing=False,
            )
            vals_list += [
                dict(values, res_id=res_id)
                for res_id, values_of in new.items()
                for values in values_of
            ]
        Followers.with_context(default_partner_id=False).create(vals_list)
