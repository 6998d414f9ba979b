"""A large agency export runs in the background: the wizard queues the
handoffs, a scheduled job hands them off batch by batch as the user who asked,
commits each batch and reports its progress; a handoff that fails leaves the
queue with the reason in its chatter and an activity for that user."""

from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.debiteur_dunning.models import debiteur_handoff_dossier

from .common import TODAY
from .test_handoff_batch import HandoffBatchCommon

CRON = "debiteur_dunning.ir_cron_debiteur_handoff"


@tagged("post_install", "-at_install", "debiteur")
class TestHandoffQueue(HandoffBatchCommon):
    def queue(self, partners, user):
        """The wizard on ``partners`` as ``user``, with batches of two."""
        env = self.env(user=user)
        with (
            freeze_time(TODAY),
            patch.object(debiteur_handoff_dossier, "HANDOFF_BATCH_SIZE", 2),
        ):
            wizard = env["debiteur.handoff.wizard"].create(
                {
                    "partner_ids": [(6, 0, partners.ids)],
                    "agency_id": self.agency.id,
                    "date": TODAY,
                    "send_email": True,
                }
            )
            return wizard.action_confirm()

    def run_job(self, progress):
        """One run of the scheduled job, as the job's own user."""
        cron = self.env.ref(CRON)
        Handoff = self.env(user=cron.user_id)["debiteur.handoff"]
        with (
            freeze_time(TODAY),
            patch.object(debiteur_handoff_dossier, "HANDOFF_BATCH_SIZE", 2),
        ):
            return Handoff.with_context(
                ir_cron_progress_id=progress.id
            )._cron_hand_off_queued()

    def progress(self):
        return self.env["ir.cron.progress"].create(
            {"cron_id": self.env.ref(CRON).id, "remaining": 0, "done": 0}
        )

    def test_large_export_is_queued_then_handed_off_in_batches(self):
        partners = self.debtors[:5]
        triggers = self.env["ir.cron.trigger"].search_count(
            [("cron_id", "=", self.env.ref(CRON).id)]
        )
        action = self.queue(partners, self.dunning_manager)
        self.assertEqual(action["tag"], "display_notification")
        self.assertIn("5 dossiers", action["params"]["message"])
        handoffs = self.env["debiteur.handoff"].search(
            action["params"]["next"]["domain"]
        )
        self.assertEqual(handoffs.partner_id, partners)
        self.assertEqual(set(handoffs.mapped("state")), {"draft"})
        self.assertTrue(all(handoffs.mapped("queued")))
        self.assertEqual(handoffs.user_id, self.dunning_manager)
        self.assertFalse(handoffs.xml_attachment_id)
        self.assertEqual(
            self.env["ir.cron.trigger"].search_count(
                [("cron_id", "=", self.env.ref(CRON).id)]
            ),
            triggers + 1,
        )

        progress = self.progress()
        remaining = self.run_job(progress)
        self.assertEqual((remaining, progress.done, progress.remaining), (3, 2, 3))
        first = handoffs.filtered(lambda h: h.state == "sent")
        self.assertEqual(first, handoffs.sorted("id")[:2])
        self.assertFalse(any(first.mapped("queued")))
        self.assertTrue(all(first.mapped("xml_attachment_id")))
        while remaining:
            progress = self.progress()
            remaining = self.run_job(progress)
        self.assertEqual((progress.done, progress.remaining), (1, 0))
        self.assertEqual(set(handoffs.mapped("state")), {"sent"})
        self.assertFalse(any(handoffs.mapped("queued")))
        # As the user who asked, not as the job's user.
        self.assertEqual(handoffs.user_id, self.dunning_manager)
        self.assertEqual(handoffs.export_ids.user_id, self.dunning_manager)
        notes = self.env["mail.message"].search(
            [
                ("model", "=", "debiteur.handoff"),
                ("res_id", "in", handoffs.ids),
                ("body", "ilike", "Handed off to"),
            ]
        )
        self.assertEqual(len(notes), 5)
        self.assertEqual(notes.author_id, self.dunning_manager.partner_id)
        mails = (
            self.env["mail.mail"]
            .sudo()
            .search(
                [("model", "=", "debiteur.handoff"), ("res_id", "in", handoffs.ids)]
            )
        )
        self.assertEqual(len(mails), 5)
        for handoff in handoffs:
            mail = mails.filtered(lambda m, h=handoff: m.res_id == h.id)
            self.assertEqual(mail.attachment_ids, handoff._email_attachments())
        # Nothing left: the job has nothing to do.
        self.assertEqual(self.run_job(self.progress()), 0)

    def test_a_small_export_is_handed_off_at_once(self):
        action = self.queue(self.debtors[:2], self.dunning_manager)
        handoffs = self.env["debiteur.handoff"].search(action["domain"])
        self.assertEqual(len(handoffs), 2)
        self.assertEqual(set(handoffs.mapped("state")), {"sent"})
        self.assertFalse(any(handoffs.mapped("queued")))

    @mute_logger("odoo.addons.debiteur_dunning.models.debiteur_handoff_dossier")
    def test_a_failing_handoff_leaves_the_queue_with_the_reason(self):
        partners = self.debtors[:3]
        action = self.queue(partners, self.dunning_manager)
        handoffs = self.env["debiteur.handoff"].search(
            action["params"]["next"]["domain"]
        )
        # Before the job runs, one debtor turns out to be a consumer and the
        # agency loses its registration: that handoff is refused.
        consumer = partners[1]
        consumer.is_company = False
        self.agency.debiteur_agency_registration = False
        remaining = 1
        while remaining:
            remaining = self.run_job(self.progress())
        refused = handoffs.filtered(lambda h: h.partner_id == consumer)
        self.assertEqual(refused.state, "draft")
        self.assertFalse(refused.queued)
        self.assertFalse(refused.xml_attachment_id)
        self.assertIn("Register incassodienstverlening", refused.message_ids[0].body)
        activity = refused.activity_ids
        self.assertEqual(activity.user_id, self.dunning_manager)
        self.assertEqual(activity.summary, "Handoff not sent")
        self.assertEqual(set((handoffs - refused).mapped("state")), {"sent"})

    def test_rights_are_checked_again_when_the_job_runs(self):
        action = self.queue(self.debtors[:3], self.dunning_manager)
        handoffs = self.env["debiteur.handoff"].search(
            action["params"]["next"]["domain"]
        )
        self.dunning_manager.groups_id -= self.env.ref(
            "debiteur_dunning.group_debiteur_manager"
        )
        with mute_logger(
            "odoo.addons.debiteur_dunning.models.debiteur_handoff_dossier"
        ):
            remaining = 1
            while remaining:
                remaining = self.run_job(self.progress())
        self.assertEqual(set(handoffs.mapped("state")), {"draft"})
        self.assertFalse(any(handoffs.mapped("queued")))
        self.assertFalse(handoffs.xml_attachment_id)
        self.assertEqual(len(handoffs.activity_ids), 3)

    def test_queue_refused_to_a_dunning_user(self):
        handoff = self.env["debiteur.handoff"]._create_handoffs(
            self.debtors[:1].invoice_ids.filtered(lambda m: m.state == "posted"),
            self.agency,
            TODAY,
        )
        with self.assertRaises(AccessError):
            handoff.with_user(self.dunning_user)._queue_hand_off()
        self.assertFalse(handoff.queued)

    def test_queue_and_author_fields_refused_to_clients(self):
        handoff = self.env["debiteur.handoff"]._create_handoffs(
            self.debtors[:1].invoice_ids.filtered(lambda m: m.state == "posted"),
            self.agency,
            TODAY,
        )
        as_manager = handoff.with_user(self.dunning_manager)
        for vals in (
            {"queued": True},
            {"queued_send_email": True},
            {"user_id": self.env.user.id},
        ):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                as_manager.write(vals)
        self.assertFalse(handoff.queued or handoff.user_id)
        # The add-on's own path writes them.
        as_manager._queue_hand_off()
        self.assertTrue(handoff.queued)
        self.assertEqual(handoff.user_id, self.dunning_manager)
