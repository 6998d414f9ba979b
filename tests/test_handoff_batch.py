"""The agency export in batches: a flat query count per debtor, and the same
dossiers whether debtors are handed off together or one by one."""

from freezegun import freeze_time

from odoo.tests import tagged

from .common import TODAY
from .test_handoff import HandoffCommon

# Queries of a handoff wizard run, whatever the number of debtors, and per
# debtor (at most 5 are allowed; one is left: the links of its letters to the
# handoff; each e-mail is created with its files). Measured with warm caches,
# e-mails queued, tracking off as in every test.
FIXED_QUERIES = 90
PER_DEBTOR = 1


class HandoffBatchCommon(HandoffCommon):
    """Seven debtors, each with two invoices reminded at a level ready for
    collection (shared with test_handoff_queue)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.debtors = cls.env["res.partner"].create(
            [
                {
                    "name": f"Debtor {n} BV",
                    "is_company": True,
                    "email": f"debtor{n}@example.com",
                    "lang": "en_US",
                    "street": f"Kerkstraat {n}",
                    "zip": "1234 AB",
                    "city": "Utrecht",
                    "country_id": cls.env.ref("base.nl").id,
                }
                for n in range(7)
            ]
        )
        for n, debtor in enumerate(cls.debtors):
            cls.create_invoice(debtor, 100.0 + n, cls.d(-60))
            cls.create_invoice(debtor, 200.0 + n, cls.d(-55))
        run_date = cls.d(-50)
        with freeze_time(run_date):
            wizard = cls.env["debiteur.dunning.wizard"].create(
                {"date": run_date, "partner_ids": [(6, 0, cls.debtors.ids)]}
            )
            wizard.action_preview()
            wizard.action_confirm()
            cls.env["mail.mail"].sudo().process_email_queue()
        cls.env.invalidate_all()


@tagged("post_install", "-at_install", "debiteur")
class TestHandoffBatch(HandoffBatchCommon):
    def export(self, partners):
        with freeze_time(TODAY):
            wizard = self.env["debiteur.handoff.wizard"].create(
                {
                    "partner_ids": [(6, 0, partners.ids)],
                    "agency_id": self.agency.id,
                    "date": TODAY,
                    "send_email": True,
                }
            )
            action = wizard.action_confirm()
        return self.env["debiteur.handoff"].search(action.get("domain") or [])

    def queries(self, partners):
        """The queries of one export of ``partners``, rolled back."""
        self.env.flush_all()
        self.env.invalidate_all()
        start = self.env.cr.sql_log_count
        savepoint = self.env.cr.savepoint()
        try:
            handoffs = self.export(partners)
            self.env.flush_all()
            count = self.env.cr.sql_log_count - start
            self.assertEqual(len(handoffs), len(partners))
            self.assertEqual(set(handoffs.mapped("state")), {"sent"})
        finally:
            savepoint.close(rollback=True)
        self.env.invalidate_all()
        return count

    def test_query_count_flat_per_debtor(self):
        self.queries(self.debtors[:1])  # warm-up: templates, report, caches
        small, large = self.debtors[1:3], self.debtors[1:7]
        few, many = self.queries(small), self.queries(large)
        per_debtor = (many - few) / (len(large) - len(small))
        self.assertLessEqual(per_debtor, PER_DEBTOR, f"{few} / {many} queries")
        for partners in (small, large):
            self.env.invalidate_all()
            savepoint = self.env.cr.savepoint()
            try:
                with self.assertQueryCount(FIXED_QUERIES + PER_DEBTOR * len(partners)):
                    self.export(partners)
                    self.env.flush_all()
            finally:
                savepoint.close(rollback=True)
                self.env.invalidate_all()

    def snapshot(self, handoff):
        """What a dossier holds, the handoff's own reference left out (a
        sequence number, not rolled back)."""

        def clean(value):
            """Without the reference and the record's id (in the HTML of a
            report rendered in test mode)."""
            if isinstance(value, bytes):
                value = value.decode()
            value = (value or "").replace(handoff.name, "REF")
            value = value.replace(handoff.name.replace("/", "-"), "REF")
            return value.replace(
                f'data-oe-model="debiteur.handoff" data-oe-id="{handoff.id}"',
                'data-oe-model="debiteur.handoff" data-oe-id="ID"',
            )

        handoff = handoff.sudo()
        mail = (
            self.env["mail.mail"]
            .sudo()
            .search([("model", "=", "debiteur.handoff"), ("res_id", "=", handoff.id)])
        )
        log = handoff.export_ids
        return {
            "partner": handoff.partner_id.id,
            "state": handoff.state,
            "amounts": [
                handoff.amount_handed,
                handoff.interest_amount,
                handoff.costs_amount,
                handoff.interest_invoiced_amount,
                handoff.costs_invoiced_amount,
            ],
            "warning": handoff.data_warning,
            "files": [
                (clean(att.name), att.mimetype, clean(att.raw))
                for att in handoff._dossier_attachments()
            ],
            "sha256_lines": len((handoff.dossier_sha256 or "").splitlines()),
            "mail": [
                (clean(m.subject), clean(m.body_html), m.email_to, m.recipient_ids.ids)
                for m in mail
            ],
            "mail_files": sorted(clean(a.name) for a in mail.attachment_ids),
            "log": [
                (x.channel, x.export_format, x.recipient, len(x.attachment_ids))
                for x in log
            ],
            "messages": sorted(
                clean(str(m.body)) for m in handoff.message_ids if m.body
            ),
        }

    def run_and_snapshot(self, groups):
        """Export each group of debtors in turn; the snapshots by debtor."""
        savepoint = self.env.cr.savepoint()
        try:
            snapshots = {}
            for partners in groups:
                for handoff in self.export(partners):
                    snapshots[handoff.partner_id.id] = self.snapshot(handoff)
        finally:
            savepoint.close(rollback=True)
        self.env.invalidate_all()
        return snapshots

    def test_batch_equals_one_by_one(self):
        debtors = self.debtors[:4] | self.debtor
        together = self.run_and_snapshot([debtors])
        one_by_one = self.run_and_snapshot([partner for partner in debtors])
        self.assertEqual(set(together), set(debtors.ids))
        for partner in debtors:
            self.assertTrue(together[partner.id]["files"], partner.name)
            self.assertEqual(together[partner.id], one_by_one[partner.id], partner.name)
