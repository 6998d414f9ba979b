"""Collection dossier of a debtor with payment arrangements and disputes."""

import csv
import io

from freezegun import freeze_time
from lxml import etree

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from odoo.addons.debiteur_dunning.dossier import XMLNS, schema

from .common import TODAY
from .test_handoff import HandoffCommon

NS = {"d": XMLNS}
REPORT = "debiteur_dunning.action_report_debiteur_handoff"


class DossierCommon(HandoffCommon):
    """Arrangement days set, helpers to read the dossier."""

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
    def arrange(self, moves, on, first_date, count=3, **values):
        """An arrangement agreed on ``on`` through the wizard."""
        with freeze_time(on):
            wizard = self.env["debiteur.arrangement.wizard"].create(
                {
                    "move_ids": [Command.set(moves.ids)],
                    "instalment_count": count,
                    "frequency": "monthly",
                    "first_date": first_date,
                    **values,
                }
            )
            return wizard._create_arrangement()

    def cron_arrangements(self, day):
        with freeze_time(day):
            self.env["debiteur.arrangement"]._cron_process_arrangements(day)
        self.env.invalidate_all()

    def stage(self, partner=None):
        case = self.env["debiteur.case"].search(
            [
                ("partner_id", "=", (partner or self.debtor).id),
                ("company_id", "=", self.company.id),
                ("is_closed", "=", False),
            ]
        )
        case.invalidate_recordset()
        return case.stage_id.code

    def instalment_reminders(self, arrangement):
        return arrangement.message_ids.filtered(
            lambda m: "next instalment" in (m.subject or "")
        )

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
        xml_schema = schema()
        self.assertTrue(xml_schema.validate(root), xml_schema.error_log)
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


@tagged("post_install", "-at_install", "debiteur")
class TestHandoffDossier(DossierCommon):
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
        # The confirmed handoff ended the arrangement: the dossier shows how.
        self.assertEqual(arrangement.state, "handed_off")
        self.assertEqual(
            root.xpath("//d:arrangement/d:state/text()", namespaces=NS),
            ["handed_off"],
        )
        self.assertEqual(
            root.xpath("//d:arrangement/d:amountPaid/text()", namespaces=NS),
            ["100.00"],
        )
        [row] = self.csv_rows(handoff, "arrangement")
        self.assertEqual(
            (row["reference"], row["status"]), (arrangement.name, "handed_off")
        )
        self.assertEqual(row["amount_open"], "400.00")
        html = self.pdf_html(handoff)
        self.assertIn(arrangement.name, html)
        self.assertIn("<td>Handed Off to Agency</td>", html)

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
        # An arrangement of invoices not handed off goes on.
        self.assertEqual(arrangement.state, "active")
        self.assertEqual(other.debiteur_arrangement_id, arrangement)
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


@tagged("post_install", "-at_install", "debiteur")
class TestHandoffCharges(DossierCommon):
    """Interest and costs already invoiced (the charges invoice of a payment
    arrangement, the costs invoice of a reminder) are no principal in the
    dossier: no interest or collection costs on them, claimed once."""

    def claim_of(self, root):
        [claim] = root.xpath("//d:claim", namespaces=NS)
        return {etree.QName(c).localname: c.text for c in claim.iterchildren()}

    def cost_invoice_nodes(self, root):
        return [
            {etree.QName(c).localname: c.text for c in node.iterchildren()}
            for node in root.xpath("//d:costInvoices/d:costInvoice", namespaces=NS)
        ]

    def invoice_interest(self, root):
        return {
            node.xpath("string(d:number)", namespaces=NS): node.xpath(
                "string(d:interest)", namespaces=NS
            )
            for node in root.xpath("//d:invoices/d:invoice", namespaces=NS)
        }

    def broken_arrangement_with_charges(self, interest=10.0, costs=225.0):
        """1500.00 of invoices in an arrangement that includes ``interest`` and
        ``costs`` (invoiced on the arrangement's charges invoice); the first
        instalment is never paid: broken 14 days after its date."""
        arrangement = self.arrange(
            self.inv1 | self.inv2,
            on=self.d(-48),
            first_date=self.d(-45),
            claims_mode="include",
            interest_amount=interest,
            costs_amount=costs,
        )
        charges = arrangement.claims_move_id
        self.assertEqual(charges.amount_total, interest + costs)
        self.assertEqual(arrangement.amount_total, 1500.0 + interest + costs)
        # A charges invoice is a costs invoice: no principal.
        self.assertTrue(charges.debiteur_is_cost_invoice)
        self.assertFalse((self.inv1 | self.inv2).mapped("debiteur_is_cost_invoice")[0])
        self.cron_arrangements(self.d(-31))
        self.assertEqual(arrangement.state, "broken")
        return arrangement, charges

    # ------------------------------------------------------------------
    def test_broken_arrangement_charges_are_not_claimed_twice(self):
        """The colleague's example: the dossier said principal 1735.00 and
        collection costs 260.25 on top of the 225.00 already invoiced."""
        arrangement, charges = self.broken_arrangement_with_charges()
        handoff = self.hand_off()
        self.assertEqual(handoff.move_ids, self.inv1 | self.inv2 | charges)
        # Interest (10.15 % commercial, 2026) on the principal only: 1000.00
        # for 60 days 16.68, 500.00 for 58 days 8.06; 10.00 of it invoiced.
        # WIK on 1500.00 is 225.00, all of it invoiced already.
        self.assertEqual(handoff.amount_handed, 1500.0)
        self.assertEqual(handoff.interest_amount, 14.74)
        self.assertEqual(handoff.interest_invoiced_amount, 10.0)
        self.assertEqual(handoff.costs_amount, 0.0)
        self.assertEqual(handoff.costs_invoiced_amount, 225.0)
        self.assertEqual(handoff.amount_claim, 1749.74)

        root = self.assert_valid(handoff)
        self.assertEqual(
            self.claim_of(root),
            {
                "currency": self.company.currency_id.name,
                "principal": "1500.00",
                "interest": "14.74",
                "interestInvoiced": "10.00",
                "costs": "0.00",
                "costsInvoiced": "225.00",
                "total": "1749.74",
            },
        )
        self.assertEqual(
            self.invoice_interest(root),
            {self.inv1.name: "16.68", self.inv2.name: "8.06"},
        )
        self.assertEqual(
            self.cost_invoice_nodes(root),
            [
                {
                    "number": charges.name,
                    "invoiceDate": self.d(-48).isoformat(),
                    "dueDate": self.d(-48).isoformat(),
                    "currency": self.company.currency_id.name,
                    "amountTotal": "235.00",
                    "amountOpen": "235.00",
                    "interest": "10.00",
                    "costs": "225.00",
                    "origin": arrangement.name,
                }
            ],
        )
        names = {etree.QName(node).localname for node in root.iter()}
        self.assertTrue({"costInvoices", "costInvoice", "origin"} <= names)
        # The arrangement still shows what it covered: 1735.00 in instalments.
        self.assertEqual(
            root.xpath("string(//d:arrangement/d:amountTotal)", namespaces=NS),
            "1735.00",
        )
        self.assertNotIn(b"260.25", handoff.xml_attachment_id.raw)

        [claim] = self.csv_rows(handoff, "claim")
        self.assertEqual(
            {
                key: claim[key]
                for key in (
                    "amount",
                    "amount_open",
                    "interest",
                    "costs",
                    "interest_invoiced",
                    "costs_invoiced",
                )
            },
            {
                "amount": "1749.74",
                "amount_open": "1500.00",
                "interest": "14.74",
                "costs": "0.00",
                "interest_invoiced": "10.00",
                "costs_invoiced": "225.00",
            },
        )
        self.assertEqual(
            [row["reference"] for row in self.csv_rows(handoff, "invoice")],
            [self.inv1.name, self.inv2.name],
        )
        [row] = self.csv_rows(handoff, "cost_invoice")
        self.assertEqual(
            (
                row["reference"],
                row["amount"],
                row["amount_open"],
                row["interest"],
                row["costs"],
                row["note"],
            ),
            (charges.name, "235.00", "235.00", "10.00", "225.00", arrangement.name),
        )

        html = self.pdf_html(handoff)
        self.assertIn("Costs and interest already invoiced", html)
        self.assertIn(charges.name, html)
        self.assertIn("Interest already invoiced", html)
        self.assertIn("Collection costs already invoiced", html)
        self.assertIn("1,749.74", html)
        self.assertIn(
            "of which %s already invoiced" % self.company.currency_id.format(225.0),
            html,
        )
        self.assertNotIn("260.25", html)

    def test_partly_paid_charges_count_towards_the_statutory_costs(self):
        """40.00 costs and 10.00 interest invoiced with the arrangement, 20.00
        of it paid: the payment went to the costs first (art. 6:44 BW); the
        WIK on the principal (225.00) is claimed once, less the 40.00
        invoiced."""
        arrangement, charges = self.broken_arrangement_with_charges(costs=40.0)
        self.pay(charges, 20.0, self.d(-40))
        handoff = self.hand_off()
        self.assertEqual(handoff.move_ids, self.inv1 | self.inv2 | charges)
        root = self.assert_valid(handoff)
        self.assertEqual(
            self.claim_of(root),
            {
                "currency": self.company.currency_id.name,
                "principal": "1500.00",
                "interest": "14.74",
                "interestInvoiced": "10.00",
                "costs": "185.00",
                "costsInvoiced": "20.00",
                "total": "1729.74",
            },
        )
        [node] = self.cost_invoice_nodes(root)
        self.assertEqual(
            (node["amountTotal"], node["amountOpen"], node["costs"], node["interest"]),
            ("50.00", "30.00", "20.00", "10.00"),
        )
        self.assertEqual(handoff.costs_amount, 185.0)
        self.assertEqual(handoff.costs_invoiced_amount, 20.0)
        self.assertEqual(handoff.amount_claim, 1729.74)
        self.assertEqual(handoff.amount_open, 1530.0)
        note = handoff._dossier_data()["claim"]["costs_note"]
        money = self.company.currency_id.format
        self.assertIn(
            "Amount: %s, of which %s already invoiced: %s left to claim "
            "(collection costs are claimed once)."
            % (money(225.0), money(40.0), money(185.0)),
            note,
        )

    def test_charges_kept_back_are_still_deducted(self):
        """Only the original invoices go to the agency: the charges invoice
        stays with us, so the agency claims neither its costs nor its
        interest again."""
        arrangement, charges = self.broken_arrangement_with_charges()
        with freeze_time(TODAY):
            handoff = self.env["debiteur.handoff"]._create_handoff(
                self.inv1 | self.inv2, self.agency, TODAY
            )
            handoff.action_hand_off()
        root = self.assert_valid(handoff)
        self.assertEqual(
            self.claim_of(root),
            {
                "currency": self.company.currency_id.name,
                "principal": "1500.00",
                "interest": "14.74",
                "interestInvoiced": "0.00",
                "costs": "0.00",
                "costsInvoiced": "0.00",
                "total": "1514.74",
            },
        )
        self.assertFalse(self.cost_invoice_nodes(root))
        self.assertIn(charges.name, handoff.data_warning)
        self.assertIn("not handed off", handoff.data_warning)
        self.assertFalse(charges.debiteur_handoff_id)

    def test_costs_invoice_of_a_formal_notice(self):
        """The costs invoice of a reminder is no principal either: the
        interest it invoiced is deducted, its costs count towards the WIK."""
        for day in (-39, -25, -11):
            self.run_dunning(self.d(day))
        notice = self.comms(self.debtor)[-1]
        self.assertTrue(notice.level_id.is_legal_notice)
        self.assertEqual(notice.legal_deadline, self.d(3))
        with freeze_time(self.d(4)):
            notice.action_invoice_costs()
        costs_move = notice.cost_move_id
        # WIK on 1500.00; interest up to 5 June: 17.80 + 8.62.
        self.assertEqual(notice.invoiced_costs_amount, 225.0)
        self.assertEqual(notice.invoiced_interest_amount, 26.42)
        self.assertEqual(costs_move.invoice_date_due, self.d(18))
        handoff_date = self.d(19)
        with freeze_time(handoff_date):
            wizard = self.env["debiteur.handoff.wizard"].create(
                {
                    "partner_ids": [Command.set(self.debtor.ids)],
                    "agency_id": self.agency.id,
                    "date": handoff_date,
                }
            )
            self.assertEqual(wizard.move_ids, self.inv1 | self.inv2 | costs_move)
            handoff = self.env["debiteur.handoff"].browse(
                wizard.action_confirm()["res_id"]
            )
        root = self.assert_valid(handoff)
        # Interest up to 20 June: 21.97 + 10.71 = 32.68, 26.42 of it invoiced.
        self.assertEqual(
            self.invoice_interest(root),
            {self.inv1.name: "21.97", self.inv2.name: "10.71"},
        )
        self.assertEqual(
            self.claim_of(root),
            {
                "currency": self.company.currency_id.name,
                "principal": "1500.00",
                "interest": "6.26",
                "interestInvoiced": "26.42",
                "costs": "0.00",
                "costsInvoiced": "225.00",
                "total": "1757.68",
            },
        )
        [node] = self.cost_invoice_nodes(root)
        self.assertEqual(
            (node["number"], node["amountOpen"], node["costs"], node["interest"]),
            (costs_move.name, "251.42", "225.00", "26.42"),
        )
        self.assertEqual(node["origin"], notice.name)

    def test_waived_costs_are_not_claimed_by_the_agency(self):
        """The costs invoice of the formal notice (225.00 WIK, 26.42 interest)
        is reversed because both were waived: a waiver is no reset, the
        agency claims neither again, only the interest since."""
        for day in (-39, -25, -11):
            self.run_dunning(self.d(day))
        notice = self.comms(self.debtor)[-1]
        with freeze_time(self.d(4)):
            notice.action_invoice_costs()
        costs_move = notice.cost_move_id
        with freeze_time(self.d(5)):
            notice._debiteur_waive(True, True, "Goodwill")
        self.assertEqual(costs_move.payment_state, "reversed")
        self.assertEqual(
            (notice.waived_costs_amount, notice.waived_interest_amount),
            (225.0, 26.42),
        )
        handoff_date = self.d(19)
        with freeze_time(handoff_date):
            wizard = self.env["debiteur.handoff.wizard"].create(
                {
                    "partner_ids": [Command.set(self.debtor.ids)],
                    "agency_id": self.agency.id,
                    "date": handoff_date,
                }
            )
            self.assertEqual(wizard.move_ids, self.inv1 | self.inv2)
            handoff = self.env["debiteur.handoff"].browse(
                wizard.action_confirm()["res_id"]
            )
        root = self.assert_valid(handoff)
        # Interest up to 20 June: 21.97 + 10.71 = 32.68, 26.42 of it waived.
        self.assertEqual(
            self.claim_of(root),
            {
                "currency": self.company.currency_id.name,
                "principal": "1500.00",
                "interest": "6.26",
                "interestInvoiced": "0.00",
                "costs": "0.00",
                "costsInvoiced": "0.00",
                "total": "1506.26",
            },
        )
        self.assertFalse(self.cost_invoice_nodes(root))
        note = handoff._dossier_data()["claim"]["costs_note"]
        self.assertIn(
            "of which %s already invoiced or waived"
            % self.company.currency_id.format(225.0),
            note,
        )

    def test_charges_in_dutch_pdf(self):
        self.env["res.lang"]._activate_lang("nl_NL")
        self.env["ir.module.module"]._load_module_terms(
            ["debiteur_dunning"], ["nl_NL"], overwrite=True
        )
        self.agency.lang = "nl_NL"
        _arrangement, charges = self.broken_arrangement_with_charges()
        handoff = self.hand_off()
        html = self.pdf_html(handoff, lang="nl_NL")
        self.assertIn("Al gefactureerde kosten en rente", html)
        self.assertIn(charges.name, html)
        self.assertIn("<td>Al gefactureerde rente</td>", html)
        self.assertIn("<td>Al gefactureerde incassokosten</td>", html)
        self.assertIn("min de al gefactureerde rente", html)
        self.assertIn("al gefactureerd: nog", html)
        self.assertNotIn("already invoiced", html)


@tagged("post_install", "-at_install", "debiteur")
class TestHandoffEndsArrangement(DossierCommon):
    """A confirmed handoff ends the debtor's active arrangement for good."""

    REASON = "Debtor announced he will stop paying"

    def active_arrangement(self):
        """inv2 in an arrangement, 100.00 paid, first instalment in 10 days."""
        arrangement = self.arrange(self.inv2, on=self.d(-48), first_date=self.d(10))
        self.pay(self.inv2, 100.0, self.d(-30))
        self.assertEqual(arrangement.state, "active")
        self.assertEqual(self.stage(), "arrangement")
        return arrangement

    def test_handoff_ends_the_arrangement(self):
        arrangement = self.active_arrangement()
        # Another debtor's arrangement, to show what the scheduler would do.
        control = self.arrange(self.other_inv, on=TODAY, first_date=self.d(10))
        # The confirmation says what the handoff does to the arrangement.
        [warning] = self.env["debiteur.handoff"]._confirmation_reasons(
            self.inv1 | self.inv2
        )
        self.assertIn("the handoff ends %s for good" % arrangement.name, warning)
        # One line per debtor when the wizard holds several.
        reasons = self.env["debiteur.handoff"]._confirmation_reasons(
            self.inv1 | self.inv2 | self.other_inv
        )
        self.assertEqual(len(reasons), 2)
        self.assertIn(control.name, reasons[1] + reasons[0])
        handoff = self.hand_off(reason=self.REASON)
        self.assertEqual(handoff.move_ids, self.inv1 | self.inv2)

        self.assertEqual(arrangement.state, "handed_off")
        self.assertEqual(arrangement.date_closed, TODAY)
        self.assertEqual(arrangement.handoff_id, handoff)
        self.assertEqual(
            arrangement.close_reason,
            "Handed off to Incasso Noord BV (%s). Reason: %s"
            % (handoff.name, self.REASON),
        )
        self.assertIn("Arrangement ended", arrangement.message_ids[0].body)
        self.assertFalse(self.inv2.debiteur_arrangement_id)
        self.assertEqual(self.inv2.debiteur_handoff_id, handoff)
        self.assertEqual(self.stage(), "collection")
        # History stays: it cannot be deleted.
        with self.assertRaises(UserError):
            arrangement.unlink()

        # No reminders before the instalment, no break after it; the other
        # debtor's arrangement gets both.
        self.cron_arrangements(self.d(8))
        self.assertTrue(control.line_ids[0].reminder_sent)
        self.assertEqual(len(self.instalment_reminders(control)), 1)
        self.assertFalse(arrangement.line_ids.filtered("reminder_sent"))
        self.assertFalse(self.instalment_reminders(arrangement))
        self.cron_arrangements(self.d(30))
        self.assertEqual(control.state, "broken")
        self.assertEqual(arrangement.state, "handed_off")
        self.assertFalse(arrangement.activity_ids)
        self.assertEqual(self.stage(), "collection")

    def test_arrangement_partly_handed_off_ends_whole(self):
        """An invoice of the arrangement that is not due yet cannot go to the
        agency: the arrangement ends all the same, that invoice goes back to
        dunning."""
        not_due = self.create_invoice(self.debtor, 200.0, self.d(10))
        arrangement = self.arrange(
            self.inv2 | not_due, on=self.d(-5), first_date=self.d(10)
        )
        handoff = self.hand_off(reason=self.REASON)
        self.assertNotIn(not_due, handoff.move_ids)
        self.assertEqual(arrangement.state, "handed_off")
        self.assertFalse(not_due.debiteur_arrangement_id)
        self.assertFalse(not_due.debiteur_handoff_id)
        self.assertIn(
            "Not handed off, back in dunning: %s" % not_due.name,
            arrangement.message_ids[0].body,
        )

    def test_recall_does_not_reactivate_the_arrangement(self):
        arrangement = self.active_arrangement()
        handoff = self.hand_off(reason=self.REASON)
        with freeze_time(TODAY):
            handoff.action_recall()
        self.assertEqual(handoff.state, "recalled")
        self.assertEqual(arrangement.state, "handed_off")
        self.assertEqual(arrangement.handoff_id, handoff)
        self.assertIn("stays ended", handoff.message_ids[0].body)
        self.assertIn(arrangement.name, handoff.message_ids[0].body)
        self.assertIn("stays ended", arrangement.message_ids[0].body)
        # The owner decides whether to agree a new arrangement.
        self.assertEqual(len(arrangement.activity_ids), 1)
        self.assertIn("recalled", arrangement.activity_ids.summary)
        self.assertEqual(
            arrangement.activity_ids.user_id,
            self.company.debiteur_user_id or arrangement.user_id,
        )
        # Dunning resumes; the case follows the facts, not the old arrangement.
        self.assertFalse(self.inv2.debiteur_arrangement_id)
        self.assertFalse(self.inv2.debiteur_handoff_id)
        self.assertIn(self.debtor, self.proposed_partners())
        self.assertEqual(self.stage(), "ready_collection")
        self.cron_arrangements(self.d(8))
        self.assertFalse(self.instalment_reminders(arrangement))
        # A new arrangement can be made for the open invoice.
        new = self.arrange(self.inv2, on=TODAY, first_date=self.d(10))
        self.assertEqual(new.state, "active")
        self.assertEqual(self.stage(), "arrangement")

    def test_handed_off_outcome_in_dutch(self):
        self.env["res.lang"]._activate_lang("nl_NL")
        self.env["ir.module.module"]._load_module_terms(
            ["debiteur_dunning"], ["nl_NL"], overwrite=True
        )
        self.agency.lang = "nl_NL"
        arrangement = self.active_arrangement()
        handoff = self.hand_off(reason=self.REASON)
        html = self.pdf_html(handoff, lang="nl_NL")
        self.assertIn(arrangement.name, html)
        self.assertIn("<td>Overgedragen aan incassobureau</td>", html)
        labels = dict(
            arrangement.with_context(lang="nl_NL")
            ._fields["state"]
            ._description_selection(arrangement.with_context(lang="nl_NL").env)
        )
        self.assertEqual(labels["handed_off"], "Overgedragen aan incassobureau")
