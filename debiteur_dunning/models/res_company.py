from odoo import api, fields, models
from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)

# The ready-made Dutch policies. Texts are written in English and translated by
# i18n/nl.po; every installed language gets its own translation of the names
# and letter texts when the policies are created.
DEFAULT_POLICIES = [
    {
        "key": "business",
        "name": _lt("Dutch business debtors"),
        "debtor_type": "business",
    },
    {
        "key": "consumer",
        "name": _lt("Dutch consumers"),
        "debtor_type": "consumer",
    },
]

DEFAULT_LEVELS = [
    {
        "sequence": 10,
        "name": _lt("Payment reminder"),
        "delay_days": 7,
        "channel": "email",
        "intro": _lt(
            "<p>Our records show that the invoices below are past their due date. "
            "Perhaps this has slipped your attention. We kindly ask you to pay the "
            "open balance within 7 days.</p>"
        ),
        "closing": _lt(
            "<p>If you have already paid, please disregard this reminder. If you "
            "have a question about an invoice, please contact us.</p>"
        ),
    },
    {
        "sequence": 20,
        "name": _lt("Second reminder"),
        "delay_days": 21,
        "channel": "email",
        "intro": _lt(
            "<p>Despite our earlier reminder we have not yet received payment of the "
            "invoices below. We ask you to pay the open balance within 7 days.</p>"
        ),
        "closing": _lt(
            "<p>If you cannot pay the full amount at once, please contact us so we "
            "can agree on a payment arrangement.</p>"
        ),
    },
    {
        "sequence": 30,
        "name": _lt("Demand for payment"),
        "delay_days": 35,
        "channel": "email_letter",
        "intro": _lt(
            "<p>The invoices below remain unpaid after two reminders. We demand that "
            "you pay the open balance within 7 days.</p>"
        ),
        "closing": _lt(
            "<p>If we have not received payment by then, we will send you a formal "
            "notice, after which collection costs and interest will be charged.</p>"
        ),
    },
    {
        "sequence": 40,
        "name": _lt("Formal notice (14-day letter)"),
        "delay_days": 49,
        "channel": "email_letter",
        "is_legal_notice": True,
        "handoff_ready": True,
        "charge_costs": True,
        "charge_interest": True,
        "intro": _lt(
            "<p>You are in default of payment of the invoices below. We give you a "
            "last opportunity to pay the open balance within the term stated in "
            "this letter.</p>"
        ),
        "closing": _lt(
            "<p>If the balance has not been paid within that term, we will hand the "
            "claim over to a collection agency without further notice. The "
            "extrajudicial collection costs and the statutory interest will then be "
            "charged to you.</p>"
        ),
    },
]


LEVEL_TEXT_FIELDS = (
    ("name", "name"),
    ("letter_intro", "intro"),
    ("letter_closing", "closing"),
)


class ResCompany(models.Model):
    _inherit = "res.company"

    debiteur_policy_business_id = fields.Many2one(
        "debiteur.policy",
        string="Default Policy for Businesses",
        domain="[('company_id', '=', id)]",
    )
    debiteur_policy_consumer_id = fields.Many2one(
        "debiteur.policy",
        string="Default Policy for Consumers",
        domain="[('company_id', '=', id)]",
    )
    debiteur_user_id = fields.Many2one(
        "res.users",
        string="Default Credit Controller",
        help="Owner of dunning follow-ups (phone calls, cases) unless the debtor "
        "has its own.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        companies._debiteur_ensure_default_policies()
        return companies

    def _debiteur_ensure_default_policies(self):
        """Create the ready-made policies for companies that have none yet."""
        Policy = self.env["debiteur.policy"].sudo().with_context(active_test=False)
        for company in self:
            if Policy.search_count([("company_id", "=", company.id)], limit=1):
                continue
            for spec in DEFAULT_POLICIES:
                levels = [
                    fields.Command.create(
                        {
                            "sequence": lvl["sequence"],
                            "name": lvl["name"]._source,
                            "delay_days": lvl["delay_days"],
                            "channel": lvl["channel"],
                            "is_legal_notice": lvl.get("is_legal_notice", False),
                            "handoff_ready": lvl.get("handoff_ready", False),
                            "charge_costs": lvl.get("charge_costs", False),
                            "charge_interest": lvl.get("charge_interest", False),
                            "letter_intro": lvl["intro"]._source,
                            "letter_closing": lvl["closing"]._source,
                        }
                    )
                    for lvl in DEFAULT_LEVELS
                ]
                policy = Policy.with_context(lang="en_US").create(
                    {
                        "name": spec["name"]._source,
                        "company_id": company.id,
                        "jurisdiction": "nl",
                        "debtor_type": spec["debtor_type"],
                        "min_days_between": 7,
                        "interest_mode": "statutory",
                        "costs_mode": "statutory",
                        "level_ids": levels,
                    }
                )
                company.sudo()[f"debiteur_policy_{spec['key']}_id"] = policy
        installed = [code for code, _name in self.env["res.lang"].get_installed()]
        self._debiteur_translate_default_texts(installed)

    def _debiteur_translate_default_texts(self, langs):
        """Translate the ready-made policy texts into ``langs``.

        Only texts still equal to the shipped English text are touched, so what
        a user rewrote is never overwritten. Called at creation and whenever a
        language is loaded for this module.
        """
        langs = [lang for lang in langs if lang != "en_US"]
        if not langs:
            return
        policies = (
            self.env["debiteur.policy"]
            .sudo()
            .with_context(active_test=False, lang="en_US")
            .search([("company_id", "in", self.ids)])
        )
        policy_texts = {spec["name"]._source: spec["name"] for spec in DEFAULT_POLICIES}
        level_texts = {}
        for lvl in DEFAULT_LEVELS:
            for fname, key in LEVEL_TEXT_FIELDS:
                level_texts[(fname, lvl[key]._source)] = lvl[key]
        for lang in langs:
            env = self.env(context=dict(self.env.context, lang=lang))
            for policy in policies:
                if policy.name in policy_texts:
                    policy.update_field_translations(
                        "name", {lang: env._(policy_texts[policy.name])}
                    )
            for level in policies.level_ids:
                for fname, _key in LEVEL_TEXT_FIELDS:
                    source = level[fname] or ""
                    lazy = level_texts.get((fname, source))
                    if lazy:
                        level.update_field_translations(
                            fname,
                            {
                                lang: self._debiteur_translation(
                                    level._fields[fname], source, env._(lazy)
                                )
                            },
                        )

    @staticmethod
    def _debiteur_translation(field, source, translated):
        """The value ``update_field_translations`` expects for ``field``.

        Plain translated fields take the whole text; html fields are translated
        term by term (paragraph by paragraph), so map each source term to its
        translation.
        """
        if not callable(field.translate):
            return translated
        source_terms = field.get_trans_terms(source)
        translated_terms = field.get_trans_terms(translated)
        if len(source_terms) != len(translated_terms):
            return {}
        return dict(zip(source_terms, translated_terms, strict=True))
