"""Interest rate tables (shipped Belgian rates, stale tables, the daily to-do,
the 18.0.1.0.2 migration) and the legal settings of a dunning policy."""

from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.modules.migration import load_script
from odoo.tests import Form, TransactionCase, new_test_user, tagged
from odoo.tools import SQL

MIGRATION = "debiteur_dunning/migrations/18.0.1.0.2/pre-migrate.py"
NEW_XMLIDS = (
    "interest_rate_be_commercial_2023_07_01",
    "interest_rate_be_commercial_2024_01_01",
    "interest_rate_be_commercial_2024_07_01",
    "interest_rate_be_commercial_2025_01_01",
    "interest_rate_be_legal_2024_01_01",
    "interest_rate_be_legal_2025_01_01",
)


@tagged("post_install", "-at_install", "debiteur")
class TestPolicyLegalSettings(TransactionCase):
    def test_defaults(self):
        policy = self.env["debiteur.policy"].create({"name": "Defaults"})
        self.assertFalse(policy.consumer_sale)
        self.assertEqual(policy.prescription_kind, "default")
        self.assertFalse(policy.be_express_clause)
        self.assertFalse(policy.be_recurring_contract_fee)
        self.assertFalse(policy.costs_vat_surcharge)

    def test_form_shows_the_settings_of_the_jurisdiction(self):
        with Form(self.env["debiteur.policy"]) as form:
            form.name = "Belgian consumers"
            form.jurisdiction = "be"
            form.prescription_kind = "periodic"
            form.be_express_clause = True
            form.be_recurring_contract_fee = True
            self.assertTrue(form._get_modifier("consumer_sale", "invisible"))
            self.assertTrue(form._get_modifier("costs_vat_surcharge", "invisible"))
            form.jurisdiction = "nl"
            form.costs_mode = "statutory"
            self.assertFalse(form._get_modifier("costs_vat_surcharge", "invisible"))
            self.assertTrue(form._get_modifier("be_express_clause", "invisible"))
            form.consumer_sale = True
            form.costs_vat_surcharge = True
        policy = form.record
        self.assertEqual(policy.prescription_kind, "periodic")
        self.assertTrue(policy.be_express_clause and policy.be_recurring_contract_fee)
        self.assertTrue(policy.consumer_sale and policy.costs_vat_surcharge)


@tagged("post_install", "-at_install", "debiteur")
class TestInterestRates(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Rate = cls.env["debiteur.interest.rate"]
        cls.activity_type = cls.env.ref(
            "debiteur_dunning.mail_activity_type_stale_rates"
        )
        cls.managers = cls.env.ref("debiteur_dunning.group_debiteur_manager")

    def newest(self, kind):
        return self.Rate.search([("kind", "=", kind)], order="date_from desc", limit=1)

    def activities(self, companies=None):
        companies = companies or self.env["res.company"].search([])
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", "res.partner"),
                ("res_id", "in", companies.partner_id.ids),
                ("activity_type_id", "=", self.activity_type.id),
            ]
        )

    # -- the shipped table ---------------------------------------------------
    def test_belgian_rates_are_complete(self):
        self.assertEqual(
            [
                (day.isoformat(), rate)
                for day, rate in self.Rate._rates_for("be_commercial")
            ],
            [
                ("2023-01-01", 10.5),
                ("2023-07-01", 12.0),
                ("2024-01-01", 12.5),
                ("2024-07-01", 12.5),
                ("2025-01-01", 11.5),
                ("2025-07-01", 10.5),
                ("2026-01-01", 10.5),
            ],
        )
        legal = dict(self.Rate._rates_for("be_legal"))
        self.assertEqual(legal[date(2023, 1, 1)], 5.25)
        self.assertEqual(legal[date(2024, 1, 1)], 5.75)
        self.assertEqual(legal[date(2025, 1, 1)], 4.5)
        for name in NEW_XMLIDS:
            self.assertIn("verify", self.env.ref(f"debiteur_dunning.{name}").note)

    # -- stale tables --------------------------------------------------------
    def test_stale_kinds(self):
        # The shipped tables end on 2026-01-01.
        with self.assertQueryCount(1):
            self.assertEqual(self.Rate._stale_kinds(date(2026, 7, 1)), [])
        stale = self.Rate._stale_kinds(date(2026, 7, 2))
        self.assertEqual(
            [kind for kind, _label, _day in stale],
            ["be_commercial", "nl_commercial", "nl_consumer"],
        )
        self.assertEqual({day for _kind, _label, day in stale}, {date(2026, 1, 1)})
        self.assertIn(
            "6:119a", dict((k, label) for k, label, _d in stale)["nl_commercial"]
        )
        # The yearly Belgian legal rate gets twelve months.
        self.assertIn(
            "be_legal",
            [kind for kind, *_rest in self.Rate._stale_kinds(date(2027, 1, 2))],
        )
        # A new rate makes its table current again; archived rates do not count.
        new = self.Rate.create(
            {"kind": "nl_commercial", "date_from": date(2026, 7, 1), "rate": 10.0}
        )
        kinds = [kind for kind, *_rest in self.Rate._stale_kinds(date(2026, 7, 2))]
        self.assertNotIn("nl_commercial", kinds)
        new.active = False
        kinds = [kind for kind, *_rest in self.Rate._stale_kinds(date(2026, 7, 2))]
        self.assertIn("nl_commercial", kinds)

    @freeze_time("2026-07-02")
    def test_stale_flag_search_and_settings_warning(self):
        newest = self.newest("nl_commercial")
        older = self.env.ref("debiteur_dunning.interest_rate_nl_commercial_2025_07_01")
        self.assertTrue(newest.is_stale)
        self.assertFalse(older.is_stale)
        stale = self.Rate.search([("is_stale", "=", True)])
        self.assertEqual(
            sorted(stale.mapped("kind")),
            ["be_commercial", "nl_commercial", "nl_consumer"],
        )
        self.assertIn(older, self.Rate.search([("is_stale", "=", False)]))
        self.assertNotIn(newest, self.Rate.search([("is_stale", "!=", True)]))
        warning = (
            self.env["res.config.settings"].create({}).debiteur_stale_rates_warning
        )
        self.assertIn("NL commercial interest (6:119a BW)", warning)
        self.assertIn("Interest Rates", warning)

    @freeze_time("2026-06-15")
    def test_no_warning_while_current(self):
        self.assertFalse(self.Rate.search([("is_stale", "=", True)]))
        self.assertFalse(
            self.env["res.config.settings"].create({}).debiteur_stale_rates_warning
        )

    def test_stale_message_in_dutch(self):
        if not self.env["res.lang"]._lang_get("nl_NL"):
            self.skipTest("Dutch is not loaded")
        message = self.Rate.with_context(lang="nl_NL")._stale_message(date(2026, 7, 2))
        self.assertIn("Voor deze rentetabellen ontbreekt", message)
        self.assertIn("nieuwste vanaf", message)
        self.assertFalse(self.Rate._stale_message(date(2026, 7, 1)))

    # -- the daily to-do -------------------------------------------------------
    def test_cron_creates_one_activity_per_company_without_duplicates(self):
        company = self.env.company
        other = self.env["res.company"].create({"name": "Dunning BE BV"})
        other_manager = new_test_user(
            self.env,
            login="stale_rates_manager",
            groups="base.group_user,debiteur_dunning.group_debiteur_manager",
            company_id=other.id,
            company_ids=[Command.set(other.ids)],
        )
        with freeze_time("2026-06-15"):
            self.Rate._cron_stale_rates_activity()
        self.assertFalse(self.activities(company | other))

        with freeze_time("2026-07-02"):
            self.Rate._cron_stale_rates_activity()
            self.Rate._cron_stale_rates_activity()  # the next day: nothing new
        activities = self.activities(company | other)
        self.assertEqual(len(activities), 2)
        on_other = activities.filtered(lambda a: a.res_id == other.partner_id.id)
        self.assertEqual(on_other.user_id, other_manager)
        on_company = activities - on_other
        self.assertTrue(
            on_company.user_id.has_group("debiteur_dunning.group_debiteur_manager")
        )
        self.assertIn(company, on_company.user_id.company_ids)
        self.assertIn("NL commercial interest", str(on_company.note))
        self.assertEqual(on_company.summary, self.activity_type.summary)

        # Done: a new one only when the table is still stale.
        on_other.action_done()
        with freeze_time("2026-07-03"):
            self.Rate._cron_stale_rates_activity()
        self.assertEqual(len(self.activities(other)), 1)
        self.assertEqual(len(self.activities(company)), 1)

    def test_cron_prefers_the_credit_controller_when_a_manager(self):
        company = self.env.company
        controller = new_test_user(
            self.env,
            login="stale_rates_controller",
            groups="base.group_user,debiteur_dunning.group_debiteur_manager",
            company_id=company.id,
            company_ids=[Command.set(company.ids)],
        )
        company.debiteur_user_id = controller
        with freeze_time("2026-07-02"):
            self.Rate._cron_stale_rates_activity()
        self.assertEqual(self.activities(company).user_id, controller)

    # -- migration 18.0.1.0.2 ----------------------------------------------------
    def test_migration_completes_the_rates_and_keeps_the_users_rows(self):
        cr = self.env.cr
        records = self.Rate.browse(
            [self.env.ref(f"debiteur_dunning.{name}").id for name in NEW_XMLIDS]
        )
        old_2023 = self.env.ref(
            "debiteur_dunning.interest_rate_be_commercial_2023_01_01"
        )
        self.env.flush_all()
        # The database as 18.0.1.0.1 left it: no new rows, the old note, and a
        # row the user entered by hand on one of the new dates.
        cr.execute(
            SQL(
                "DELETE FROM ir_model_data WHERE module = 'debiteur_dunning' "
                "AND name IN %s",
                NEW_XMLIDS,
            )
        )
        cr.execute(
            SQL("DELETE FROM debiteur_interest_rate WHERE id IN %s", tuple(records.ids))
        )
        old_note = (
            "known point; the periods until the next rate are not filled in yet: "
            "verify against the official notices"
        )
        cr.execute(
            SQL(
                "UPDATE debiteur_interest_rate SET note = %s WHERE id = %s",
                old_note,
                old_2023.id,
            )
        )
        self.env.invalidate_all()
        self.env.registry.clear_cache()
        own = self.Rate.create(
            {
                "kind": "be_commercial",
                "date_from": date(2024, 1, 1),
                "rate": 12.25,
                "note": "entered by hand",
                "active": False,
            }
        )
        self.env.flush_all()

        script = load_script(MIGRATION, "debiteur_dunning_pre_migrate_18_0_1_0_2")
        script.migrate(cr, "18.0.1.0.1")
        self.env.invalidate_all()
        self.env.registry.clear_cache()

        for name in NEW_XMLIDS:
            self.assertTrue(
                self.env.ref(f"debiteur_dunning.{name}", raise_if_not_found=False)
            )
        self.assertEqual(
            self.env.ref("debiteur_dunning.interest_rate_be_commercial_2024_01_01"), own
        )
        self.assertEqual(
            (own.rate, own.note, own.active), (12.25, "entered by hand", False)
        )
        self.assertEqual(
            self.env.ref(
                "debiteur_dunning.interest_rate_be_commercial_2025_01_01"
            ).rate,
            11.5,
        )
        self.assertEqual(
            self.env.ref("debiteur_dunning.interest_rate_be_legal_2024_01_01").rate,
            5.75,
        )
        self.assertEqual(
            old_2023.note, "known point; verify against the official notice"
        )
        # A note the user changed is left alone, and a second run adds nothing.
        old_2023.note = "checked"
        self.env.flush_all()
        count = self.Rate.with_context(active_test=False).search_count([])
        self.assertEqual(script.complete_rates(cr), [])
        self.env.invalidate_all()
        self.assertEqual(old_2023.note, "checked")
        self.assertEqual(
            self.Rate.with_context(active_test=False).search_count([]), count
        )
