"""Collection dossier files leave only through the logged download or e-mail;
the export log is the server's, append-only."""

import io
import zipfile
from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged

from .common import TODAY
from .test_handoff import HandoffCommon


@tagged("post_install", "-at_install", "debiteur")
class TestDossierEvidence(HandoffCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.handoff = cls.hand_off(cls, user=cls.dunning_manager).with_env(cls.env)
        cls.files = cls.handoff._dossier_attachments().sudo()

    def test_dossier_files_are_flagged(self):
        self.assertEqual(len(self.files), 3 + len(self.handoff.letter_attachment_ids))
        self.assertTrue(all(self.files.mapped("debiteur_dossier")))
        self.assertTrue(self.handoff.letter_file_names)

    def test_dossier_files_refused_to_clients(self):
        Attachment = self.env["ir.attachment"].with_user(self.dunning_manager)
        xml = self.handoff.xml_attachment_id.with_user(self.dunning_manager)
        with self.assertRaises(AccessError):
            xml.read(["name"])
        with self.assertRaises(AccessError):
            xml.read(["datas"])
        with self.assertRaises(AccessError):
            xml.check_access("read")
        self.assertFalse(
            Attachment.search(
                [
                    ("res_model", "=", "debiteur.handoff"),
                    ("res_id", "=", self.handoff.id),
                ]
            )
        )
        self.assertFalse(Attachment.search_count([("id", "in", self.files.ids)]))
        self.assertFalse(Attachment._filter_attachment_access(self.files.ids))
        with self.assertRaises(AccessError):
            xml.validate_access(False)
        with self.assertRaises(AccessError):
            xml.write({"name": "rewritten.xml"})
        with self.assertRaises(AccessError):
            xml.write({"debiteur_dossier": False})
        with self.assertRaises(AccessError):
            xml.unlink()
        with self.assertRaises(AccessError):
            Attachment.create(
                {"name": "fake.xml", "raw": b"<x/>", "debiteur_dossier": True}
            )
        # A token (what a large e-mail makes) opens nothing either.
        token = self.handoff.sudo().xml_attachment_id.generate_access_token()[0]
        with self.assertRaises(AccessError):
            xml.validate_access(token)
        # The handoff's form still shows which files it holds.
        values = self.handoff.with_user(self.dunning_manager).web_read(
            {
                "xml_attachment_id": {"fields": {"display_name": {}}},
                "letter_file_names": {},
            }
        )[0]
        self.assertEqual(
            values["xml_attachment_id"]["display_name"], self.files[:1].name
        )
        # The files are intact.
        self.assertTrue(self.files[:1].raw.startswith(b"<?xml"))
        self.assertEqual(self.handoff.xml_attachment_id.name, xml.sudo().name)

    def test_other_attachments_unaffected(self):
        note = (
            self.env["ir.attachment"]
            .with_user(self.dunning_manager)
            .create(
                {
                    "name": "note.txt",
                    "raw": b"call back",
                    "res_model": "debiteur.handoff",
                    "res_id": self.handoff.id,
                }
            )
        )
        self.assertEqual(note.read(["name"])[0]["name"], "note.txt")

    def test_download_logs_then_serves_once(self):
        manager = self.dunning_manager
        before = self.handoff.export_ids
        with freeze_time(TODAY):
            action = self.handoff.with_user(manager).action_download_csv()
        log = self.handoff.export_ids - before
        self.assertEqual(len(log), 1)
        self.assertEqual(log.user_id, manager)
        self.assertEqual(log.channel, "download")
        self.assertEqual(log.export_format, "csv")
        self.assertEqual(log.attachment_ids, self.handoff.csv_attachment_id)
        self.assertEqual(log.date, fields.Datetime.to_datetime(TODAY))
        self.assertIn(f"/debiteur_dunning/dossier/{log.id}?token=", action["url"])
        token = action["url"].split("token=", 1)[1]
        as_manager = log.with_user(manager).sudo()
        with freeze_time(TODAY):
            self.assertFalse(as_manager._consume_download("wrong"))
            # Another user with the link gets nothing.
            self.assertFalse(
                log.with_user(self.dunning_user).sudo()._consume_download(token)
            )
            files = as_manager._consume_download(token)
            self.assertEqual(files, self.handoff.csv_attachment_id)
            # Once.
            self.assertFalse(as_manager._consume_download(token))

    def test_download_link_expires(self):
        with freeze_time(TODAY):
            action = self.handoff.with_user(self.dunning_manager).action_download_pdf()
        log = self.handoff.export_ids.sorted("id")[-1]
        token = action["url"].split("token=", 1)[1]
        with freeze_time(fields.Datetime.to_datetime(TODAY) + timedelta(hours=1)):
            self.assertFalse(
                log.with_user(self.dunning_manager).sudo()._consume_download(token)
            )

    def test_letters_download_as_zip(self):
        if not self.handoff.letter_attachment_ids:
            self.skipTest("no letter in this dossier")
        action = self.handoff.with_user(self.dunning_manager).action_download_letters()
        log = self.handoff.export_ids.sorted("id")[-1]
        self.assertEqual(log.export_format, "zip")
        token = action["url"].split("token=", 1)[1]
        files = log.with_user(self.dunning_manager).sudo()._consume_download(token)
        self.assertEqual(files, self.handoff.letter_attachment_ids)
        stream = log._zip_stream(files)
        self.assertEqual(stream.mimetype, "application/zip")
        with zipfile.ZipFile(io.BytesIO(stream.data)) as archive:
            self.assertEqual(len(archive.namelist()), len(files))

    def test_log_rows_are_the_servers(self):
        manager = self.dunning_manager
        Log = self.env["debiteur.handoff.export"].with_user(manager)
        log = self.handoff.export_ids[:1]
        self.assertTrue(log)
        with self.assertRaises(AccessError):
            Log.create(
                {
                    "handoff_id": self.handoff.id,
                    "channel": "download",
                    "user_id": self.dunning_user.id,
                    "date": "2020-01-01 00:00:00",
                }
            )
        with self.assertRaises(UserError):
            log.with_user(manager).write({"date": "2020-01-01 00:00:00"})
        with self.assertRaises(AccessError):
            log.with_user(manager).unlink()
        # Not even the superuser deletes the log, nor the handoff it belongs to.
        with self.assertRaisesRegex(UserError, "cannot be deleted"):
            log.sudo().unlink()
        self.assertTrue(log.exists())
        with self.assertRaises(AccessError):
            log.with_user(manager).read(["download_token"])

    def test_handoff_with_a_log_is_not_deletable(self):
        draft = self.env["debiteur.handoff"]._create_handoff(
            self.other_inv, self.agency, TODAY
        )
        draft.unlink()  # a draft without a log goes
        with self.assertRaises(UserError):
            self.handoff.unlink()
        self.handoff.sudo().state = "draft"
        with self.assertRaisesRegex(UserError, "dossier was exported"):
            self.handoff.unlink()


@tagged("post_install", "-at_install", "debiteur")
class TestDossierDownloadHttp(HandoffCommon, HttpCase):
    """The routes: /web/content refuses a dossier file, the logged link serves it
    once."""

    def test_web_content_refused_logged_link_served(self):
        handoff = self.hand_off(user=self.dunning_manager).with_env(self.env)
        xml = handoff.xml_attachment_id
        self.authenticate(self.dunning_manager.login, self.dunning_manager.login)
        response = self.url_open(f"/web/content/{xml.id}?download=true")
        self.assertNotEqual(response.status_code, 200)
        self.assertNotIn(b"<?xml", response.content)
        logs = len(handoff.export_ids)
        action = handoff.with_user(self.dunning_manager).action_download_xml()
        self.assertEqual(len(handoff.export_ids), logs + 1)
        response = self.url_open(action["url"])
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content, xml.sudo().raw)
        self.assertIn("attachment", response.headers.get("Content-Disposition", ""))
        response = self.url_open(action["url"])
        self.assertEqual(response.status_code, 404)
