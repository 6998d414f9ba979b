"""French for Belgian debtors; the creditor's registry number by country."""

import re

from freezegun import freeze_time
from lxml import html as lxml_html

from odoo import Command
from odoo.tests import tagged

from .common import TODAY, DebiteurCommon

LETTER = "debiteur_dunning.action_report_debiteur_letter"
STATEMENT = "debiteur_dunning.action_report_debiteur_statement"
ARRANGEMENT = "debiteur_dunning.action_report_debiteur_arrangement"


def read_text(html):
    """What a reader sees: the text of ``html`` without tags, so without the
    random tokens of links and the base64 of images (a three-letter word such as
    "BCE" or "KvK" can turn up in those by chance), and without URLs."""
    text = lxml_html.fromstring(html).text_content()
    return re.sub(r"https?://\S+", " ", text)


class BelgianCommon(DebiteurCommon):
    """A Belgian creditor, French and Dutch (Belgium) loaded the way Settings >
    Languages does it, and the consumer policy under Belgian law."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for lang in ("fr_BE", "nl_BE"):
            cls.env["res.lang"]._activate_lang(lang)
        cls.env["ir.module.module"]._load_module_terms(
            ["debiteur_dunning"], ["fr_BE", "nl_BE"], overwrite=True
        )
        cls.company.write(
            {
                "country_id": cls.env.ref("base.be").id,
                "company_registry": "0477.472.701",
                "vat": "BE0477472701",
            }
        )
        # Damages only under an express clause of the contract (Book XIX).
        cls.consumer_policy.write({"jurisdiction": "be", "be_express_clause": True})
        cls.francophone = cls.env["res.partner"].create(
            {
                "name": "Marie Dubois",
                "email": "marie@dubois.example",
                "lang": "fr_BE",
                "street": "Rue Neuve 1",
                "zip": "1000",
                "city": "Bruxelles",
            }
        )
        cls.flemish = cls.env["res.partner"].create(
            {
                "name": "Jan Peeters",
                "email": "jan@peeters.example",
                "lang": "nl_BE",
                "street": "Meir 1",
                "zip": "2000",
                "city": "Antwerpen",
            }
        )

    def remind(self, partner, amount=1234.56, run_date=TODAY):
        """The first reminder of ``partner`` for one overdue invoice."""
        self.create_invoice(partner, amount, self.d(-10))
        comm = self.run_dunning(run_date, partners=partner).communication_ids
        self.assertEqual(comm.partner_id, partner)
        self.assertEqual(comm.policy_id, self.consumer_policy)
        return comm

    def render(self, report, records):
        html, _kind = self.env["ir.actions.report"]._render_qweb_html(
            report, records.ids
        )
        return html.decode()


@tagged("post_install", "-at_install", "debiteur")
class TestFrenchReminder(BelgianCommon):
    def test_email_in_french(self):
        comm = self.remind(self.francophone)
        self.assertEqual(comm.lang, "fr_BE")
        mail = comm.mail_id
        self.assertTrue(mail.subject.startswith("Rappel de paiement - "), mail.subject)
        body = mail.body_html
        for french in (
            "Bonjour",
            "Facture",
            "Montant impayé",
            "Solde dû",
            "Veuillez virer le solde",
            "en mentionnant la communication structurée",
            comm.payment_reference,
            "Sauf erreur de notre part",
            "Vous disposez d'un délai de 14 jours calendrier",
            "La lettre est jointe au présent e-mail",
            "Salutations distinguées",
            "Numéro d'entreprise (BCE)",
            "0477.472.701",
        ):
            self.assertIn(french, body)
        for english in ("Dear", "Open amount", "Kind regards", "Chamber of Commerce"):
            self.assertNotIn(english, body)

    def test_letter_in_french(self):
        comm = self.remind(self.francophone)
        self.assertTrue(comm.legal_deadline)
        text = self.render(LETTER, comm)
        for french in (
            "Rappel de paiement",
            "Notre référence",
            "Date d'échéance",
            "Jours de retard",
            "Montant impayé",
            "Solde dû",
            "en mentionnant la communication structurée",
            "Vous disposez d'un délai de 14 jours calendrier pour payer le solde",
            "Si vous avez déjà effectué le paiement",
            "Créancier",
            "Numéro d'entreprise (BCE)",
            "0477.472.701",
            "- TVA",
            "Salutations distinguées",
        ):
            self.assertIn(french, text)
        for other in (
            "Payment reminder",
            "Open amount",
            "Chamber of Commerce",
            "Enterprise number",
            "KvK",
            "waiting period",
        ):
            self.assertNotIn(other, read_text(text))

    def test_french_formal_notice_states_damages_without_dutch_law(self):
        partner = self.francophone
        self.create_invoice(partner, 1234.56, self.d(-49))
        for step in range(6):
            self.run_dunning(self.d(21 * step), partners=partner)
        notice = self.comms(partner)[-1]
        self.assertEqual(notice.level_id.sequence, 40)
        text = self.render(LETTER, notice)
        self.assertIn("Mise en demeure (délai de 14 jours)", text)
        self.assertIn("Par la présente, nous vous mettons en demeure", text)
        self.assertIn("Numéro d'entreprise (BCE)", text)
        # A Belgian consumer owes damages (Book XIX), not collection costs.
        self.assertFalse(notice.costs_due)
        self.assertEqual(notice.costs_amount, 101.73)
        self.assertRegex(
            text, r"dommages et intérêts de <strong>[^<]*<span[^>]*>101,73</span>"
        )
        self.assertNotIn("frais de recouvrement de", text)
        self.assertNotIn("Code civil néerlandais", text)
        self.assertNotIn("6:44", text)
        mail = notice.mail_id
        self.assertTrue(mail.subject.startswith("Mise en demeure"))
        self.assertIn("dommages et intérêts de", mail.body_html)
        self.assertNotIn("Code civil néerlandais", mail.body_html)

    def test_french_in_france_too(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(
            ["debiteur_dunning"], ["fr_FR"], overwrite=True
        )
        self.francophone.lang = "fr_FR"
        comm = self.remind(self.francophone)
        self.assertIn("Rappel de paiement", self.render(LETTER, comm))
        self.assertTrue(comm.mail_id.subject.startswith("Rappel de paiement"))

    def test_default_policy_texts_in_french(self):
        policy = self.consumer_policy.with_context(lang="fr_BE")
        self.assertEqual(policy.name, "Consommateurs néerlandais")
        self.assertEqual(
            policy._sorted_levels().mapped("name"),
            [
                "Rappel de paiement",
                "Deuxième rappel",
                "Sommation",
                "Mise en demeure (délai de 14 jours)",
            ],
        )


@tagged("post_install", "-at_install", "debiteur")
class TestDutchSpeakingBelgian(BelgianCommon):
    def test_letter_and_email_in_dutch_with_kbo(self):
        comm = self.remind(self.flemish)
        self.assertEqual(comm.lang, "nl_BE")
        text = self.render(LETTER, comm)
        for dutch in (
            "Betalingsherinnering",
            "Openstaand bedrag",
            "onder vermelding van de gestructureerde mededeling",
            "Ondernemingsnummer (KBO)",
            "0477.472.701",
        ):
            self.assertIn(dutch, text)
        for other in ("KvK", "Chamber of Commerce", "BCE", "Rappel de paiement"):
            self.assertNotIn(other, read_text(text))
        mail = comm.mail_id
        self.assertTrue(mail.subject.startswith("Betalingsherinnering"))
        self.assertIn("Geachte", mail.body_html)
        self.assertIn("Ondernemingsnummer (KBO)", mail.body_html)
        self.assertNotIn("KvK", read_text(mail.body_html))

    def test_damages_announced_in_dutch(self):
        partner = self.flemish
        self.create_invoice(partner, 1234.56, self.d(-49))
        for step in range(6):
            self.run_dunning(self.d(21 * step), partners=partner)
        notice = self.comms(partner)[-1]
        self.assertEqual(notice.level_id.sequence, 40)
        self.assertFalse(notice.costs_due)
        self.assertEqual(notice.costs_amount, 101.73)
        text = self.render(LETTER, notice)
        self.assertRegex(
            text,
            r"vorderen wij een schadevergoeding van <strong>[^<]*<span[^>]*>101,73<",
        )
        self.assertNotIn("incassokosten verschuldigd", text)
        self.assertNotIn("6:44", text)
        body = notice.mail_id.body_html
        self.assertIn("vorderen wij een schadevergoeding van", body)
        self.assertNotIn("incassokosten verschuldigd", body)

    def test_enterprise_number_from_the_vat_number(self):
        # No registry number filled in: a Belgian VAT number is the enterprise
        # number with the country prefix.
        self.company.company_registry = False
        comm = self.remind(self.flemish)
        text = self.render(LETTER, comm)
        self.assertIn("Ondernemingsnummer (KBO)", text)
        self.assertRegex(text, r'o_debiteur_company_registry">0477472701<')


@tagged("post_install", "-at_install", "debiteur")
class TestFrenchDocuments(BelgianCommon):
    def test_statement_in_french(self):
        invoice = self.create_invoice(self.francophone, 300.0, self.d(-40))
        Case = self.env["debiteur.case"]
        with freeze_time(TODAY):
            self.env["debiteur.case.sync"]._sync_partners(
                self.francophone, self.company
            )
            case = Case.search([("partner_id", "=", self.francophone.id)])
            text = self.render(STATEMENT, case)
        self.assertIn("Relevé de compte", text)
        self.assertIn("Postes ouverts", text)
        self.assertIn(invoice.name, text)
        self.assertIn("Numéro d'entreprise (BCE)", text)
        self.assertNotIn("Statement of account", text)

    def test_arrangement_agreement_in_french(self):
        invoice = self.create_invoice(self.francophone, 300.0, self.d(-10))
        with freeze_time(TODAY):
            wizard = self.env["debiteur.arrangement.wizard"].create(
                {
                    "move_ids": [Command.set(invoice.ids)],
                    "instalment_count": 3,
                    "frequency": "monthly",
                    "first_date": self.d(30),
                }
            )
            arrangement = wizard._create_arrangement()
        text = self.render(ARRANGEMENT, arrangement)
        for french in (
            "Plan de paiement",
            "Échéancier",
            "conviennent que les factures ci-dessous",
            "devient caduc de plein droit",
            "Numéro d'entreprise (BCE)",
        ):
            self.assertIn(french, text)
        self.assertNotIn("Schedule", text)


@tagged("post_install", "-at_install", "debiteur")
class TestDutchCreditorRegistry(DebiteurCommon):
    """A Dutch company keeps its Chamber of Commerce number (KvK)."""

    def test_kvk_label(self):
        self.env["res.lang"]._activate_lang("nl_NL")
        self.env["ir.module.module"]._load_module_terms(
            ["debiteur_dunning"], ["nl_NL"], overwrite=True
        )
        self.company.country_id = self.env.ref("base.nl")
        dutch = self.env["res.partner"].create(
            {"name": "Slagerij Bakker", "email": "b@bakker.example", "lang": "nl_NL"}
        )
        self.create_invoice(dutch, 400.0, self.d(-10))
        self.create_invoice(self.debtor, 500.0, self.d(-10))
        run = self.run_dunning(TODAY)
        for comm in run.communication_ids:
            html, _kind = self.env["ir.actions.report"]._render_qweb_html(
                LETTER, comm.ids
            )
            text = html.decode()
            self.assertIn("12345678", text)
            self.assertNotIn("KBO", read_text(text))
            self.assertNotIn("Enterprise number", text)
            label = "KvK-nummer" if comm.partner_id == dutch else "Chamber of Commerce"
            self.assertIn(label, text)
            self.assertIn(
                "betalingskenmerk"
                if comm.partner_id == dutch
                else "stating payment reference",
                text,
            )
