"""Shared set-up for the debiteur_dunning test suite (pytest-odoo)."""

from datetime import date, timedelta

from freezegun import freeze_time

from odoo import Command, fields
from odoo.tests import Form, new_test_user

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

TODAY = date(2026, 6, 1)


class DebiteurCommon(AccountTestInvoicingCommon):
    """A company with the default Dutch policies and a few debtors."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(
            context=dict(cls.env.context, tracking_disable=True, lang="en_US")
        )
        cls.company = cls.env.company
        cls.env.user.groups_id += cls.env.ref("debiteur_dunning.group_debiteur_manager")
        cls.policy = cls.company.debiteur_policy_business_id
        cls.consumer_policy = cls.company.debiteur_policy_consumer_id
        (cls.policy | cls.consumer_policy).write(
            {"auto_send": True, "min_amount": 0.0, "min_days_between": 7}
        )
        cls.levels = cls.policy._sorted_levels()
        cls.level1, cls.level2, cls.level3, cls.level4 = cls.levels
        # Plain e-mail at every level unless a test says otherwise.
        cls.levels.write({"channel": "email"})
        cls.company.partner_id.write(
            {
                "bank_ids": [Command.create({"acc_number": "NL91ABNA0417164300"})],
                "email": "billing@company.example",
                "street": "Keizersgracht 1",
                "zip": "1015 CJ",
                "city": "Amsterdam",
            }
        )
        cls.company.company_registry = "12345678"
        cls.debtor = cls.env["res.partner"].create(
            {
                "name": "Bakkerij De Vries BV",
                "is_company": True,
                "email": "finance@devries.example",
                "lang": "en_US",
                "vat": "NL123456782B01",
            }
        )
        cls.other_debtor = cls.env["res.partner"].create(
            {
                "name": "Garage Jansen BV",
                "is_company": True,
                "email": "admin@jansen.example",
                "lang": "en_US",
            }
        )

    # ------------------------------------------------------------------
    @classmethod
    def setup_role_users(cls, prefix):
        """A billing user without dunning rights, a Dunning user and a Dunning
        manager of ``cls.company``, with logins starting with ``prefix``."""
        company = {"company_id": cls.company.id, "company_ids": cls.company.ids}
        roles = {
            "billing_user": "account.group_account_invoice",
            "dunning_user": "debiteur_dunning.group_debiteur_user",
            "dunning_manager": "debiteur_dunning.group_debiteur_manager",
        }
        for attribute, group in roles.items():
            user = new_test_user(
                cls.env,
                login=f"{prefix}_{attribute}",
                groups=f"base.group_user,{group}",
                **company,
            )
            setattr(cls, attribute, user)

    @classmethod
    def create_invoice(
        cls,
        partner,
        amount,
        due,
        currency=None,
        post=True,
        move_type="out_invoice",
        company=None,
    ):
        """A customer invoice of ``amount`` (no tax) due on ``due``."""
        company = company or cls.company
        move = (
            cls.env["account.move"]
            .with_company(company)
            .create(
                {
                    "move_type": move_type,
                    "partner_id": partner.id,
                    "invoice_date": due - timedelta(days=14),
                    "invoice_date_due": due,
                    "invoice_payment_term_id": False,
                    "currency_id": (currency or company.currency_id).id,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": "Goods",
                                "quantity": 1,
                                "price_unit": amount,
                                "tax_ids": [],
                            }
                        )
                    ],
                }
            )
        )
        if post:
            move.action_post()
        return move

    @classmethod
    def pay(cls, invoice, amount, pay_date=None):
        """Register a payment of ``amount`` on ``invoice``."""
        wizard = (
            cls.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create(
                {
                    "amount": amount,
                    "payment_date": pay_date or invoice.invoice_date_due,
                }
            )
        )
        return wizard._create_payments()

    def preview(self, run_date, partners=None, company=None):
        wizard = Form(
            self.env["debiteur.dunning.wizard"].with_company(company or self.company)
        )
        wizard.date = run_date
        if company:
            wizard.company_id = company
        if partners:
            for partner in partners:
                wizard.partner_ids.add(partner)
        record = wizard.save()
        record.action_preview()
        return record

    def run_dunning(self, run_date, partners=None, company=None, deliver=True):
        """On ``run_date``: preview, confirm everything selectable, and let the
        mail queue deliver (unless ``deliver`` is False). Return the run."""
        with freeze_time(run_date):
            wizard = self.preview(run_date, partners=partners, company=company)
            if not wizard.line_ids.filtered("selected"):
                return self.env["debiteur.run"]
            action = wizard.action_confirm()
            if deliver:
                self.process_mail_queue()
        return self.env["debiteur.run"].browse(action["res_id"])

    def process_mail_queue(self):
        """What Odoo's mail queue cron does (in test mode nothing leaves)."""
        self.env["mail.mail"].sudo().process_email_queue()
        self.env.invalidate_all()

    def comms(self, partner=None):
        domain = [("company_id", "=", self.company.id)]
        if partner:
            domain.append(("partner_id", "=", partner.id))
        return self.env["debiteur.communication"].search(domain, order="id")

    @staticmethod
    def d(days):
        """TODAY shifted by ``days``."""
        return TODAY + timedelta(days=days)

    @staticmethod
    def to_date(value):
        return fields.Date.to_date(value)
