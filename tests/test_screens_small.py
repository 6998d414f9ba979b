"""The accountant's and the manager's daily screens: names, labels, figures."""

from datetime import date

from odoo.tests import tagged

from .test_arrangement import ArrangementCommon


@tagged("post_install", "-at_install", "debiteur")
class TestInstalmentName(ArrangementCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.inv1 = cls.create_invoice(cls.debtor, 1200.0, cls.d(-40))

    def test_instalment_reads_as_date_and_amount(self):
        arrangement = self.arrange(self.inv1, first_date=date(2026, 7, 1))
        first = arrangement.line_ids[0]
        self.assertEqual(arrangement.next_line_id, first)
        symbol = self.eur.symbol
        self.assertEqual(
            first.display_name, f"07/01/2026 \N{EN DASH} {symbol}\xa0400.00"
        )
        dutch = first.with_context(lang="nl_NL")
        self.assertEqual(
            dutch.display_name, f"01-07-2026 \N{EN DASH} {symbol}\xa0400,00"
        )
