"""The entries of a VAT-relief batch are posted in bulk (issue #19): numbered
from one another (``models/account_move_sequence.py``), their fiscal position
found once per partner, their ``checked`` flag set at creation. Their names,
dates, flags and fiscal positions are those of Odoo's own posting, entry by
entry, whatever the journals, dates and periods of the batch, its lock dates
and its partners."""

import contextlib
from datetime import date
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from odoo.addons.base.tests.common import DISABLED_MAIL_CONTEXT
from odoo.addons.debiteur_dunning.models import debiteur_vat_relief_entry

from .test_vat_relief import VatReliefCommon

TODAY = date(2027, 2, 1)


def odoo_vals(self, vals_list):
    """In place of ``_complete_vals``: the values as given, Odoo computes."""
    return vals_list


def odoo_posting(moves):
    """In place of ``bulk_posting``: Odoo's own numbering, one entry at a time
    with its queries."""
    return contextlib.nullcontext()


@tagged("post_install", "-at_install", "debiteur")
class TestVatReliefNumbering(VatReliefCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Entry = cls.env["debiteur.vat.relief.entry"]
        cls.misc = cls.company_data["default_journal_misc"]  # MISC/2026/03/0001
        # A second journal numbered by year, from a number of its own.
        cls.yearly = cls.env["account.journal"].create(
            {"name": "VAT corrections", "code": "VATC", "type": "general"}
        )
        cls.debit = cls.company_data["default_account_revenue"]
        cls.credit = cls.clearing
        with freeze_time(TODAY):
            first = cls.env["account.move"].create(
                [
                    cls.vals(cls.misc, date(2026, 3, 1), "existing", 10.0),
                    cls.vals(cls.yearly, date(2026, 2, 1), "existing", 10.0),
                ]
            )
            first[1].name = "VATC/2026/0041"
            first.action_post()
        cls.existing = first

    @classmethod
    def vals(cls, journal, day, ref, amount):
        return {
            "move_type": "entry",
            "journal_id": journal.id,
            "date": day,
            "ref": ref,
            "line_ids": [
                Command.create(
                    {"name": ref, "account_id": cls.debit.id, "balance": amount}
                ),
                Command.create(
                    {"name": ref, "account_id": cls.credit.id, "balance": -amount}
                ),
            ],
        }

    def batch(self):
        """Two journals, a month and a year each side of the periods of their
        last numbers, interleaved, the same dates and refs more than once."""
        misc, yearly = self.misc, self.yearly
        specs = [
            (misc, date(2026, 3, 20), "b"),
            (yearly, date(2026, 5, 1), "a"),
            (misc, date(2026, 3, 10), "a"),  # before the lock date below
            (yearly, date(2027, 1, 5), "c"),  # a new year: a new number
            (misc, date(2026, 4, 2), "a"),  # a new month: a new number
            (yearly, date(2026, 2, 15), "b"),
            (misc, date(2026, 3, 20), "a"),
            (yearly, date(2027, 1, 5), "a"),
            (misc, date(2026, 4, 2), "c"),
            (misc, date(2026, 3, 10), "b"),
            (yearly, date(2026, 5, 1), "a"),
            (misc, date(2026, 3, 20), "b"),
        ]
        return [
            self.vals(journal, day, f"{ref} {n}", 100.0 + n)
            for n, (journal, day, ref) in enumerate(specs)
        ]

    def post(self, vals_list, numbering=None, one_by_one=False, batches=1):
        """Post ``vals_list`` (rolled back), in ``batches`` batches or one
        entry at a time: name, date, checked flag and state of each entry, in
        the order of ``vals_list``, and the queries it took."""
        self.env.flush_all()
        self.env.invalidate_all()
        start = self.env.cr.sql_log_count
        savepoint = self.env.cr.savepoint()
        try:
            with freeze_time(TODAY), contextlib.ExitStack() as stack:
                if numbering:
                    stack.enter_context(
                        patch.object(
                            debiteur_vat_relief_entry, "bulk_posting", numbering
                        )
                    )
                size = 1 if one_by_one else -(-len(vals_list) // batches)
                moves = self.env["account.move"]
                for start_at in range(0, len(vals_list), size):
                    moves |= self.Entry._create_and_post(
                        vals_list[start_at : start_at + size]
                    )
                self.env.flush_all()
            count = self.env.cr.sql_log_count - start
            result = [(m.name, str(m.date), m.checked, m.state) for m in moves]
        finally:
            savepoint.close(rollback=True)
            # Odoo's cache of the numbers of the transaction is no longer true.
            self.env.cr.precommit.data.pop("sequence.mixin", None)
            self.env.invalidate_all()
        return result, count

    def test_names_as_odoo_numbers_them(self):
        self.company.fiscalyear_lock_date = date(2026, 3, 15)
        vals_list = self.batch()
        self.post(vals_list)  # warm-up
        ours, our_queries = self.post(vals_list)
        odoo, odoo_queries = self.post(vals_list, numbering=odoo_posting)
        self.assertEqual(ours, odoo)
        # Posted one at a time, in the order in which a batch numbers them
        # (date, ref, creation): the same names again.
        order = sorted(
            range(len(vals_list)), key=lambda n: (odoo[n][1], vals_list[n]["ref"], n)
        )
        alone, _count = self.post([vals_list[n] for n in order], one_by_one=True)
        self.assertEqual([ours[n] for n in order], alone)
        # What the batch is about: numbers that continue the journals' own,
        # a new number per new month (MISC) and year (VATC), the locked
        # entries moved to the end of the first open month.
        names = {name for name, *_rest in ours}
        self.assertEqual(len(names), len(vals_list))
        self.assertEqual(
            sorted(names),
            sorted(
                [f"MISC/2026/03/{n:04d}" for n in range(2, 7)]
                + ["MISC/2026/04/0001", "MISC/2026/04/0002"]
                + [f"VATC/2026/{n:04d}" for n in range(42, 45)]
                + ["VATC/2027/0001", "VATC/2027/0002"]
            ),
        )
        self.assertEqual(ours[2][1], "2026-03-31")
        self.assertTrue(all(checked for _n, _d, checked, _s in ours))
        self.assertEqual({state for *_rest, state in ours}, {"posted"})
        # A query less per entry (the balance check of its checked flag) and
        # two more per entry numbered from the one before it (6 of 12).
        self.assertLessEqual(our_queries, odoo_queries - 12 - 2 * 6)

    def test_names_when_the_orm_numbers_in_chunks(self):
        """The ORM computes names 1,000 entries at a time (here 5): each
        chunk sorted by date again."""
        self.company.fiscalyear_lock_date = date(2026, 3, 15)
        vals_list = self.batch()
        with patch("odoo.fields.PREFETCH_MAX", 5):
            self.post(vals_list)  # warm-up
            ours, our_queries = self.post(vals_list)
            odoo, odoo_queries = self.post(vals_list, numbering=odoo_posting)
        self.assertEqual(ours, odoo)
        self.assertLess(our_queries, odoo_queries)

    def test_batches_in_one_transaction(self):
        """A batch after another one in the same transaction continues from
        its numbers, as Odoo does: nothing of the first batch is kept."""
        vals_list = self.batch()
        ours, _count = self.post(vals_list, batches=3)
        odoo, _count = self.post(vals_list, numbering=odoo_posting, batches=3)
        self.assertEqual(ours, odoo)
        self.assertEqual(len({name for name, *_rest in ours}), len(vals_list))

    def test_fiscal_positions_as_odoo_computes_them(self):
        """Odoo computes an entry's fiscal position from its partner and the
        partner's delivery contact; the batch finds it once per partner."""
        ref = self.env.ref
        chart = self.env["account.chart.template"].with_company(self.company)
        reverse_charge = chart.ref("fiscal_position_template_transferred")
        nl, be, us = ref("base.nl"), ref("base.be"), ref("base.us")
        partners = self.env["res.partner"].create(
            [
                {"name": "NL private", "country_id": nl.id},
                {"name": "BE private", "country_id": be.id},
                {"name": "US customer", "country_id": us.id},
                {"name": "No country"},
                {
                    "name": "Reverse charge",
                    "country_id": nl.id,
                    "property_account_position_id": reverse_charge.id,
                },
                {
                    "name": "NL, delivered in the US",
                    "country_id": nl.id,
                    "is_company": True,
                    "child_ids": [
                        Command.create(
                            {"name": "Depot", "type": "delivery", "country_id": us.id}
                        )
                    ],
                },
            ]
        )
        vals_list = [
            dict(
                self.vals(self.misc, date(2026, 3, 20), partner.name, 10.0),
                partner_id=partner.id,
                company_id=self.company.id,
            )
            for partner in partners
            for _twice in range(2)
        ]

        def positions(moves):
            return [(m.partner_id.name, m.fiscal_position_id.name) for m in moves]

        savepoint = self.env.cr.savepoint()
        try:
            with freeze_time(TODAY):
                ours = positions(self.Entry._create_and_post(vals_list))
                odoo = positions(
                    self.env["account.move"]
                    .with_context(skip_invoice_sync=True)
                    .create(vals_list)
                )
        finally:
            savepoint.close(rollback=True)
            self.env.cr.precommit.data.pop("sequence.mixin", None)
            self.env.invalidate_all()
        self.assertEqual(ours, odoo)
        by_partner = dict(ours)
        self.assertEqual(
            by_partner["NL, delivered in the US"], by_partner["US customer"]
        )
        self.assertEqual(by_partner["Reverse charge"], reverse_charge.name)
        self.assertFalse(by_partner["No country"])
        self.assertGreaterEqual(len(set(by_partner.values())), 4, by_partner)

    def test_chatter_as_odoo_writes_it(self):
        """With tracking on and the commit's tracking messages written, the
        entries, reliefs and invoices have the same messages as with Odoo's
        own posting."""
        env = self.env(
            context={
                key: value
                for key, value in self.env.context.items()
                if key not in DISABLED_MAIL_CONTEXT
            }
        )
        invoices = self.env["account.move"]
        for price in (1000.0, 250.0, 80.0):
            invoices |= self.vat_invoice([(price, self.tax_21)])
        proof = self.evidence()

        def chatter(bulk):
            savepoint = env.cr.savepoint()
            try:
                with freeze_time(date(2025, 9, 1)), contextlib.ExitStack() as stack:
                    if not bulk:
                        stack.enter_context(
                            patch.object(
                                debiteur_vat_relief_entry, "bulk_posting", odoo_posting
                            )
                        )
                        stack.enter_context(
                            patch.object(type(self.Entry), "_complete_vals", odoo_vals)
                        )
                    # Two invoices marked eligible earlier (a transaction
                    # committed before): their reliefs' changes are tracked.
                    env["debiteur.vat.relief"].create(
                        [
                            {
                                "move_id": invoice.id,
                                "date": date(2026, 3, 15),
                                "eligible_date": date(2026, 3, 15),
                            }
                            for invoice in invoices[:2]
                        ]
                    )._debiteur_prepare_lines()
                    env.flush_all()
                    env.cr.precommit.run()
                    env["debiteur.vat.relief.wizard"].create(
                        {
                            "move_ids": [Command.set(invoices.ids)],
                            "date": date(2025, 9, 1),
                            "reason": "The debtor is bankrupt.",
                            "attachment_ids": [Command.set(proof.ids)],
                        }
                    ).action_confirm()
                    env.cr.precommit.run()  # the commit's tracking messages
                reliefs = env["debiteur.vat.relief"].search(
                    [("move_id", "in", invoices.ids)]
                )
                messages = (
                    reliefs.message_ids
                    | reliefs.relief_move_id.message_ids
                    | invoices.message_ids
                )
                return sorted(
                    (
                        message.model,
                        message.record_name or "",
                        message.message_type,
                        message.subtype_id.name or "",
                        message.author_id.name or "",
                        str(message.body),
                        sorted(
                            (
                                value.field_id.name,
                                str(
                                    [
                                        {k: v for k, v in shown.items() if k != "id"}
                                        for shown in value._tracking_value_format()
                                    ]
                                ),
                            )
                            for value in message.tracking_value_ids
                        ),
                    )
                    for message in messages
                )
            finally:
                savepoint.close(rollback=True)
                env.cr.precommit.data.pop("sequence.mixin", None)
                env.invalidate_all()

        ours = chatter(bulk=True)
        self.assertEqual(ours, chatter(bulk=False))
        tracked = [message for message in ours if message[-1]]
        # The reliefs marked earlier: their state, date, reason... changes.
        self.assertEqual(len(tracked), 2, ours)
