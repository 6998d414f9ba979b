"""VAT relief in bulk: the entries of a batch are those of the one-by-one
path and of the code before the bulk creation (issue #19), and the queries
per invoice stay flat."""

import json
import os
from datetime import date

from freezegun import freeze_time

from odoo.tests import tagged

from .test_vat_relief import VatReliefCommon

TODAY = date(2025, 9, 1)  # before the eligible date: proven uncollectible
# Queries of a VAT-relief wizard run, whatever the number of invoices, and per
# invoice: 16.4 before issue #19, then 4 (Odoo's posting of each entry: its
# number, the last one and the reference entry, their write; the balance check
# of its checked flag), none since the entries of a batch are numbered from one
# another (models/account_move_sequence.py). Tracking is off here.
FIXED_QUERIES = 80
PER_INVOICE = 0
# The entries of the invoices below as the code before issue #19 booked them
# (dumped with DEBITEUR_DUMP_ENTRIES=1 on that code).
EXPECTED = os.path.join(os.path.dirname(__file__), "data", "vat_relief_entries.json")


@tagged("post_install", "-at_install", "debiteur")
class TestVatReliefBatch(VatReliefCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        shapes = [
            [(1000.0, cls.tax_21)],
            [(1000.0, cls.tax_21), (500.0, cls.tax_9)],
            [(333.33, cls.tax_9)],
            [(120.0, cls.tax_21), (80.0, cls.tax_21), (45.5, cls.tax_9)],
        ]
        cls.invoices = cls.env["account.move"]
        for n in range(8):
            cls.invoices |= cls.vat_invoice(shapes[n % len(shapes)])
        # Two of them partly paid: only the unpaid part is relieved.
        cls.pay(cls.invoices[1], 700.0, date(2025, 6, 1))
        cls.pay(cls.invoices[6], 100.0, date(2025, 6, 1))
        cls.proof = cls.evidence(cls)

    def relieve(self, invoices):
        with freeze_time(TODAY):
            wizard = self.env["debiteur.vat.relief.wizard"].create(
                {
                    "move_ids": [(6, 0, invoices.ids)],
                    "date": TODAY,
                    "reason": "The debtor is bankrupt.",
                    "attachment_ids": [(6, 0, self.proof.ids)],
                }
            )
            wizard.action_confirm()
        return self.Relief.search([("move_id", "in", invoices.ids)])

    def entries(self, reliefs):
        """The relief entries by invoice: what the VAT return and the ledger
        see (dates, journal, accounts, amounts, taxes, tags)."""
        out = {}
        for relief in reliefs:
            move = relief.relief_move_id
            out[relief.move_id.name] = {
                "state": relief.state,
                "move_state": move.state,
                "date": str(move.date),
                "journal": move.journal_id.code,
                "ref": move.ref,
                "partner": move.partner_id.name,
                "currency": move.currency_id.name,
                "lines": sorted(
                    [
                        line.name,
                        line.account_id.code,
                        line.balance,
                        line.amount_currency,
                        line.currency_id.name,
                        line.display_type,
                        line.tax_line_id.name or "",
                        line.tax_repartition_line_id.repartition_type or "",
                        line.tax_base_amount,
                        sorted(line.tax_tag_ids.mapped("name")),
                        line.tax_tag_invert,
                    ]
                    for line in move.line_ids
                ),
                "relief_lines": sorted(
                    [
                        line.tax_id.name,
                        line.base_amount,
                        line.vat_amount,
                        line.base_current,
                        line.vat_current,
                    ]
                    for line in relief.line_ids
                ),
            }
        return out

    def relieve_groups(self, groups):
        """Relieve each group of invoices in turn; the entries, rolled back."""
        savepoint = self.env.cr.savepoint()
        try:
            entries = {}
            for invoices in groups:
                entries.update(self.entries(self.relieve(invoices)))
        finally:
            savepoint.close(rollback=True)
        self.env.invalidate_all()
        return entries

    def test_entries_as_before_and_as_one_by_one(self):
        together = self.relieve_groups([self.invoices])
        self.assertEqual(len(together), len(self.invoices))
        if os.environ.get("DEBITEUR_DUMP_ENTRIES"):
            os.makedirs(os.path.dirname(EXPECTED), exist_ok=True)
            with open(EXPECTED, "w") as out:
                json.dump(together, out, indent=1, sort_keys=True)
        with open(EXPECTED) as expected:
            self.assertEqual(json.loads(json.dumps(together)), json.load(expected))
        one_by_one = self.relieve_groups([invoice for invoice in self.invoices])
        self.assertEqual(together, one_by_one)

    def queries(self, invoices):
        self.env.flush_all()
        self.env.invalidate_all()
        start = self.env.cr.sql_log_count
        savepoint = self.env.cr.savepoint()
        try:
            reliefs = self.relieve(invoices)
            self.env.flush_all()
            count = self.env.cr.sql_log_count - start
            self.assertEqual(set(reliefs.mapped("state")), {"relieved"})
        finally:
            savepoint.close(rollback=True)
        self.env.invalidate_all()
        return count

    def test_query_count_flat_per_invoice(self):
        self.queries(self.invoices[:1])  # warm-up
        small, large = self.invoices[1:3], self.invoices[1:8]
        few, many = self.queries(small), self.queries(large)
        per_invoice = (many - few) / (len(large) - len(small))
        self.assertLessEqual(per_invoice, PER_INVOICE, f"{few} / {many} queries")
        for invoices in (small, large):
            self.env.invalidate_all()
            savepoint = self.env.cr.savepoint()
            try:
                with self.assertQueryCount(FIXED_QUERIES + PER_INVOICE * len(invoices)):
                    self.relieve(invoices)
                    self.env.flush_all()
            finally:
                savepoint.close(rollback=True)
                self.env.invalidate_all()
