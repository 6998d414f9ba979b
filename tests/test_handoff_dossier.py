"""Collection dossier of a debtor with payment arrangements and disputes."""

import csv
import io

from freezegun import freeze_time
from lxml import etree

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from odoo.addons.debiteur_dunning.models.debiteur_handoff import XMLNS

from .common import TODAY
from .test_handoff import HandoffCommon

NS = {"d": XMLNS}
REPORT = "debiteur_dunning.action_report_debiteur_handoff"


@tagged("post_install", "-at_install", "debiteur")
class TestHandoffDossier(HandoffCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                "debiteur_arrangement_reminder_days": 3,
                "debiteur_arrangement_grace_days": 3,
                "debiteur_arrangement_break_days": 14,
            }
        )

    # ------------------------------------------------------------------
    def arrange(self, moves, on, first_date, count=3):
        """An arrangement agreed on ``on`` through the wizard."""
        with freeze_time(on):
            wizard = self.env["debiteur.arrangement.wizard"].create(
                {
                    "move_ids": [Command.set(moves.ids)],
                    "instalment_count": count,
                    "frequency": "monthly",
                    "first_date": first_date,
                }
            )
            return wizard._create_arrangement()

    def cron_arrangements(self, day):
        with freeze_time(day):
            self.env["debiteur.arrangement"]._cron_process_arrangements(day)
        self.env.invalidate_all()

    def csv_rows(self, handoff, record_type):
        rows = csv.DictReader(
            io.StringIO(handoff.csv_attachment_id.raw.decode()), delimiter=";"
        )
        return [row for row in rows if row["record_type"] == record_type]

    def pdf_html(self, handoff, lang="en_US"):
        """The HTML the PDF summary is printed from, in ``lang``."""
        return (
            self.env["ir.actions.report"]
            .with_context(lang=lang)
            ._render_qweb_html(REPORT, handoff.ids)[0]
            .decode()
        )

    def assert_valid(self, handoff):
        root = self.xml_of(handoff)
        schema = handoff._dossier_schema()
        self.assertTrue(schema.validate(root), schema.error_log)
        return root

    def broken_arrangement(self):
        """Agreed after the first reminder, first instalment paid, the second
        paid in part: broken 14 days after the second instalment's date."""
        arrangement = self.arrange(
            self.inv1 | self.inv2, on=self.d(-48), first_date=self.d(-45)
        )
        self.assertEqual(arrangement.state, "active")
        self.assertEqual(arrangement.amount_total, 1500.0)
        second = arrangement.line_ids.sorted("date")[1]
        self.assertEqual(second.date, self.d(-15))
        self.pay(self.inv1, 500.0, self.d(-45))
        self.pay(self.inv1, 100.0, self.d(-14))
        self.cron_arrangements(self.d(-2))
        self.assertEqual(arrangement.state, "active")
        self.cron_arrangements(self.d(-1))
        self.assertEqual(arrangement.state, "broken")
        self.assertEqual(arrangement.amount_paid, 600.0)
        self.assertFalse((self.inv1 | self.inv2).debiteur_arrangement_id)
        return arrangement

    # ------------------------------------------------------------------
    def test_broken_arrangement_in_xml_csv_and_pdf(self):
        arrangement = self.broken_arrangement()
        # Broken: back in dunning, no confirmation needed to hand off.
        handoff = self.hand_off()
        self.assertFalse(handoff.override_reason)
        self.assertEqual(handoff.move_ids, self.inv1 | self.inv2)
        self.assertAlmostEqual(handoff.amount_handed, 900.0)

        root = self.assert_valid(handoff)
        nodes = root.xpath("//d:arrangements/d:arrangement", namespaces=NS)
        self.assertEqual(len(nodes), 1)
        values = {
            etree.QName(child).localname: child.text
            for child in nodes[0].iterchildren()
        }
        self.assertEqual(
            values,
            {
                "reference": arrangement.name,
                "startDate": self.d(-48).isoformat(),
                "state": "broken",
                "amountTotal": "1500.00",
                "amountPaid": "600.00",
            },
        )
        self.assertEqual(
            root.xpath("string(//d:claim/d:principal)", namespaces=NS), "900.00"
        )

        [row] = self.csv_rows(handoff, "arrangement")
        self.assertEqual(row["reference"], arrangement.name)
        self.assertEqual(row["date"], self.d(-48).isoformat())
        self.assertEqual(row["status"], "broken")
        self.assertEqual(row["amount"], "1500.00")
        self.assertEqual(row["amount_open"], "900.00")
        self.assertEqual(row["debtor"], self.debtor.name)

        self.assertTrue(handoff.pdf_attachment_id.raw)
        html = self.pdf_html(handoff)
        self.assertIn("Payment arrangements", html)
        self.assertIn(arrangement.name, html)
        self.assertIn("Broken", html)
        self.assertIn("1,500.00", html)
        self.assertIn("600.00", html)

    def test_broken_arrangement_outcome_in_dutch_pdf(self):
        self.env["res.lang"]._activate_lang("nl_NL")
        self.env["ir.module.module"]._load_module_terms(
            ["debiteur_dunning"], ["nl_NL"], overwrite=True
        )
        self.agency.lang = "nl_NL"
        arrangement = self.broken_arrangement()
        handoff = self.hand_off()
        html = self.pdf_html(handoff, lang="nl_NL")
        self.assertIn("Betalingsregelingen", html)
        self.assertIn(arrangement.name, html)
        self.assertIn("<td>Niet nagekomen</td>", html)
        self.assertNotIn("<td>Broken</td>", html)

    def test_active_arrangement_needs_confirmation_and_is_in_the_dossier(self):
        arrangement = self.arrange(self.inv2, on=self.d(-48), first_date=self.d(10))
        self.pay(self.inv2, 100.0, self.d(-30))
        self.assertEqual(arrangement.state, "active")
        # The wizard asks for the confirmation...
        with freeze_time(TODAY):
            form = Form(self.env["debiteur.handoff.wizard"])
            form.partner_ids.add(self.debtor)
            form.agency_id = self.agency
            self.assertTrue(form.needs_confirmation)
            self.assertIn("active payment arrangement", form.warning)
            with self.assertRaisesRegex(AssertionError, "reason is a required field"):
                form.save()
        # ... the server refuses without one, whatever the invoices handed off ...
        with self.assertRaisesRegex(UserError, "reason"):
            self.env["debiteur.handoff"]._create_handoff(self.inv1, self.agency, TODAY)
        with self.assertRaisesRegex(UserError, "reason"):
            self.hand_off(reason="   ")
        self.assertFalse(
            self.env["debiteur.handoff"].search([("partner_id", "=", self.debtor.id)])
        )
        # ... and hands off with a reason.
        handoff = self.hand_off(reason="Debtor announced he will stop paying")
        self.assertEqual(handoff.state, "sent")
        self.assertEqual(
            handoff.override_reason, "Debtor announced he will stop paying"
        )
        root = self.assert_valid(handoff)
        self.assertEqual(
            root.xpath("//d:arrangement/d:reference/text()", namespaces=NS),
            [arrangement.name],
        )
        self.assertEqual(
            root.xpath("//d:arrangement/d:state/text()", namespaces=NS), ["active"]
        )
        self.assertEqual(
            root.xpath("//d:arrangement/d:amountPaid/text()", namespaces=NS),
            ["100.00"],
        )
        [row] = self.csv_rows(handoff, "arrangement")
        self.assertEqual(
            (row["reference"], row["status"]), (arrangement.name, "active")
        )
        self.assertEqual(row["amount_open"], "400.00")
        html = self.pdf_html(handoff)
        self.assertIn(arrangement.name, html)
        self.assertIn("Active", html)

    def test_arrangement_of_other_invoices_not_in_the_dossier(self):
        other = self.create_invoice(self.debtor, 250.0, self.d(-20))
        arrangement = self.arrange(other, on=self.d(-10), first_date=self.d(5))
        # Only the first two invoices go to the agency (confirmed: the debtor
        # has an active arrangement).
        with freeze_time(TODAY):
            handoff = self.env["debiteur.handoff"]._create_handoff(
                self.inv1 | self.inv2, self.agency, TODAY, "Arrangement for the rest"
            )
            handoff.action_hand_off()
        root = self.assert_valid(handoff)
        self.assertFalse(root.xpath("//d:arrangement", namespaces=NS))
        self.assertFalse(self.csv_rows(handoff, "arrangement"))
        self.assertNotIn(arrangement.name, self.pdf_html(handoff))
        self.assertNotIn(other.name.encode(), handoff.xml_attachment_id.raw)

    def test_disputed_invoice_is_a_dispute(self):
        case = self.env["debiteur.case"].search(
            [("partner_id", "=", self.debtor.id), ("is_closed", "=", False)]
        )
        with freeze_time(TODAY):
            case._mark_disputed("Goods damaged on delivery", self.inv2)
        self.assertEqual(case.stage_id.code, "disputed")
        with self.assertRaisesRegex(UserError, "reason"):
            self.hand_off()
        handoff = self.hand_off(reason="Damage report rejected by the carrier")
        self.assertEqual(handoff.move_ids, self.inv1 | self.inv2)

        root = self.assert_valid(handoff)
        disputes = root.xpath("//d:disputes/d:dispute", namespaces=NS)
        self.assertEqual(len(disputes), 1)
        self.assertEqual(
            disputes[0].xpath("string(d:invoiceNumber)", namespaces=NS), self.inv2.name
        )
        self.assertEqual(
            disputes[0].xpath("string(d:reason)", namespaces=NS),
            "Goods damaged on delivery",
        )
        flags = {
            node.xpath("string(d:number)", namespaces=NS): node.xpath(
                "string(d:disputed)", namespaces=NS
            )
            for node in root.xpath("//d:invoice", namespaces=NS)
        }
        self.assertEqual(flags, {self.inv1.name: "false", self.inv2.name: "true"})

        [row] = self.csv_rows(handoff, "dispute")
        self.assertEqual(row["reference"], self.inv2.name)
        self.assertEqual(row["status"], "disputed")
        self.assertEqual(row["note"], "Goods damaged on delivery")
        invoices = {
            row["reference"]: row["status"] for row in self.csv_rows(handoff, "invoice")
        }
        self.assertEqual(invoices, {self.inv1.name: "", self.inv2.name: "disputed"})

        html = self.pdf_html(handoff)
        self.assertIn("Disputes", html)
        self.assertIn("Goods damaged on delivery", html)
        self.assertIn("(disputed)", html)
