"""The reminders' e-mails queued in batch are Odoo's own, made faster.

``debiteur.dispatch._queue_mails`` queues one ``send_mail_batch`` per mail
template with each body compiled once (``debiteur_compile_once``, see
``models/ir_qweb.py``). Here the same reminders also go through Odoo's stock
``send_mail_batch`` (no flag: the body compiled again for every e-mail), and
every field of both e-mails is compared: debtors in French, Dutch (Belgium)
and English, two templates, an invoice-address contact, letters attached.
"""

from unittest.mock import patch

from freezegun import freeze_time
from lxml import etree

from odoo import Command
from odoo.tests import tagged

from odoo.addons.base.models.ir_qweb import IrQWeb

from .common import TODAY
from .test_french import BelgianCommon

COMPARED = (
    "subject",
    "body_html",
    "body",
    "email_from",
    "reply_to",
    "email_to",
    "email_cc",
    "model",
    "res_id",
    "record_name",
    "author_id",
    "auto_delete",
    "message_type",
    "subtype_id",
    "is_notification",
    "mail_server_id",
    "scheduled_date",
    "state",
    "partner_ids",
    "recipient_ids",
    "attachment_ids",
)


@tagged("post_install", "-at_install", "debiteur")
class TestMailBatch(BelgianCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        default = cls.env.ref("debiteur_dunning.mail_template_dunning")
        # The companies' first level has a template of its own (the consumers,
        # in French, Dutch and English, keep the default one, translated).
        cls.business_template = default.copy()
        cls.business_template.write(
            {
                "subject": "{{ object.name }}: {{ object.partner_id.name }}",
                "body_html": str(default.body_html).replace(
                    "<p>Dear ", "<p>To <t t-out='object.partner_id.ref or \"\"'/> "
                ),
            }
        )
        assert "<p>To " in cls.business_template.body_html
        cls.policy._sorted_levels()[:1].mail_template_id = cls.business_template
        cls.env["res.partner"].create(
            {
                "name": "Accounts payable",
                "parent_id": cls.debtor.id,
                "type": "invoice",
                "email": "ap@devries.example",
            }
        )
        cls.consumer = cls.env["res.partner"].create(
            {"name": "Piet Klaassen", "email": "piet@klaassen.example", "lang": "en_US"}
        )

    def stock_mails(self, comms, templates):
        """Queue ``comms``' e-mails again with Odoo's stock
        ``send_mail_batch``, as ``_queue_mails`` calls it, and compare."""
        default = self.env.ref("debiteur_dunning.mail_template_dunning")
        for template in templates:
            group = comms.filtered(
                lambda c, t=template: (c.level_id.mail_template_id or default) == t
            )
            stock = template.send_mail_batch(
                group.ids,
                force_send=False,
                email_values={"auto_delete": False},
                email_layout_xmlid="mail.mail_notification_light",
            )
            for comm, mail in zip(group, stock, strict=True):
                mail.write(
                    {
                        "recipient_ids": [Command.set(comm.recipient_id.ids)],
                        "attachment_ids": [Command.set(comm.attachment_id.ids)],
                    }
                )
                queued = comm.mail_id
                self.assertNotEqual(mail, queued)
                for name in COMPARED:
                    self.assertEqual(queued[name], mail[name], f"{comm.lang}: {name}")
                self.assertIn(f"?r={comm.id}", queued.body_html)

    def test_queued_mails_are_odoos(self):
        debtors = (
            self.francophone,
            self.flemish,
            self.consumer,
            self.debtor,
            self.other_debtor,
        )
        for number, partner in enumerate(debtors):
            self.create_invoice(partner, 300.0 + 100 * number, self.d(-10))
            self.create_invoice(partner, 50.0 + number, self.d(-20))
        run = self.run_dunning(TODAY, deliver=False)
        comms = run.communication_ids.sorted("id")
        self.assertEqual(comms.partner_id, self.env["res.partner"].union(*debtors))
        self.assertEqual(
            set(comms.mapped("lang")), {"fr_BE", "nl_BE", "en_US"}, "three languages"
        )
        templates = {
            comm.level_id.mail_template_id
            or self.env.ref("debiteur_dunning.mail_template_dunning")
            for comm in comms
        }
        self.assertEqual(len(templates), 2)
        self.assertTrue(all(comms.mapped("mail_id")))
        self.assertTrue(all(comms.mapped("attachment_id")))

        # The same reminders through Odoo's stock send_mail_batch, on the
        # same day (the debtor's page links are renewed for it).
        with freeze_time(TODAY):
            self.stock_mails(comms, templates)
        french = comms.filtered(lambda c: c.lang == "fr_BE").mail_id
        self.assertIn("Bonjour", french.body_html)
        dutch = comms.filtered(lambda c: c.lang == "nl_BE").mail_id
        self.assertIn("Geachte", dutch.body_html)
        consumer = comms.filtered(lambda c: c.partner_id == self.consumer).mail_id
        self.assertIn("<p>Dear ", consumer.body_html)
        business = comms.filtered(lambda c: c.partner_id == self.other_debtor)
        self.assertIn("<p>To ", business.mail_id.body_html)
        contact = comms.filtered(lambda c: c.partner_id == self.debtor)
        self.assertEqual(contact.mail_id.recipient_ids.email, "ap@devries.example")

    def test_body_compiled_once_per_template_and_language(self):
        """Twelve reminders, one template, one language: the body is
        compiled at most once (Odoo's stock rendering compiles it twelve
        times)."""
        partners = self.env["res.partner"].create(
            [
                {"name": f"Debtor {n}", "email": f"d{n}@example.com", "lang": "en_US"}
                for n in range(12)
            ]
        )
        for partner in partners:
            self.create_invoice(partner, 100.0, self.d(-10))
        compiled = []
        generate = IrQWeb._generate_code

        def counting(qweb, template):
            # Not mail's check for unsafe expressions (once per template
            # and language, both ways), which stops at the first directive.
            check = qweb.env.context.get("raise_on_forbidden_code_for_model")
            if isinstance(template, etree._Element) and not check:
                compiled.append(template)
            return generate(qweb, template)

        with patch.object(IrQWeb, "_generate_code", counting):
            run = self.run_dunning(TODAY, partners=partners, deliver=False)
        self.assertEqual(len(run.communication_ids.mail_id), 12)
        # The body; the subject and sender are inline templates, not QWeb.
        self.assertLessEqual(len(compiled), 1)
        compiled.clear()
        comms = run.communication_ids
        with patch.object(IrQWeb, "_generate_code", counting):
            self.env.ref("debiteur_dunning.mail_template_dunning").send_mail_batch(
                comms.ids, force_send=False
            )
        self.assertEqual(len(compiled), 12, "the stock rendering, for comparison")
