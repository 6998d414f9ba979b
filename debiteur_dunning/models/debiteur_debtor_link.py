"""The debtor's page link: one secret token per debtor and company.

Every reminder (e-mail button, letter URL and QR code) carries the link of its
debtor; the page it opens always shows the live claim. A token is long and
random (``secrets.token_urlsafe(32)``), valid until ``date_expiry`` (pushed
back each time a reminder carries it) and never once the claim is closed
(no open case left, after the day it closed). An expired link gets a new
token when the next reminder carries it: an old e-mail never reopens.

The records are written by the server only (the page runs as superuser after
checking the token; ``debiteur.proof.mixin`` refuses every client create,
write and delete); clients read them, without the token. A credit manager may
revoke a link (``action_revoke``): it expires at once, the page answers 404,
and the next reminder carries a new token.
"""

import secrets
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import frozendict

from .debiteur_proof_mixin import GROUP_MANAGER, require_group

URL_PREFIX = "/d/"
# What the page shows of the debtor and of the company's partner (the
# company's address), and what the claim reads of the debtor: one query.
PARTNER_FIELDS = [
    "name",
    "lang",
    "tz",
    "type",
    "commercial_partner_id",
    "street",
    "street2",
    "zip",
    "city",
    "state_id",
    "country_id",
    "email",
    "phone",
    "vat",
    "company_registry",
    "debiteur_policy_id",
    "debiteur_debtor_type",
]


class DebiteurDebtorLink(models.Model):
    _name = "debiteur.debtor.link"
    _inherit = ["debiteur.proof.mixin"]
    _description = "Debtor's Page Link"
    _order = "id desc"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner",
        string="Debtor",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, ondelete="cascade"
    )
    # The key to the debtor's page: read by the server only (as superuser).
    token = fields.Char(
        required=True, readonly=True, copy=False, groups="base.group_system"
    )
    date_expiry = fields.Date(string="Valid Until", required=True, readonly=True)
    state = fields.Selection(
        [("valid", "Valid"), ("expired", "Expired")],
        string="Status",
        compute="_compute_state",
        search="_search_state",
        help="Valid until its date (the page also needs an open claim); an "
        "expired link gets a new token when the next reminder carries it.",
    )
    first_opened = fields.Datetime(readonly=True, copy=False)
    last_opened = fields.Datetime(readonly=True, copy=False)
    open_count = fields.Integer(string="Openings", readonly=True, copy=False)

    _sql_constraints = [
        (
            "debtor_company_unique",
            "UNIQUE(partner_id, company_id)",
            "One debtor's page link per debtor and company.",
        ),
        ("token_unique", "UNIQUE(token)", "Debtor's page tokens are unique."),
    ]

    @api.depends("date_expiry")
    def _compute_state(self):
        today = fields.Date.context_today(self)
        for link in self:
            link.state = "valid" if link.date_expiry >= today else "expired"

    def _search_state(self, operator, value):
        if operator not in ("=", "!=", "in", "not in"):
            raise ValueError(f"Unsupported operator {operator!r} on state")
        states = {value} if isinstance(value, str) else set(value or ())
        if operator in ("!=", "not in"):
            states = {"valid", "expired"} - states
        today = fields.Date.context_today(self)
        if states == {"valid"}:
            return [("date_expiry", ">=", today)]
        if states == {"expired"}:
            return [("date_expiry", "<", today)]
        return [] if states else [("id", "=", False)]

    def action_revoke(self):
        """Revoke these links (credit managers): they expire at once (valid
        until yesterday), so that the page answers 404 from now on; the next
        reminder of the debtor carries a new token."""
        require_group(self.env, GROUP_MANAGER)
        # Only links the manager may read (their companies).
        self.check_access("read")
        yesterday = fields.Date.context_today(self) - timedelta(days=1)
        self.sudo().filtered(lambda link: link.date_expiry > yesterday).write(
            {"date_expiry": yesterday}
        )
        return True

    @api.model
    def _new_token(self):
        return secrets.token_urlsafe(32)

    @api.model
    def _valid_until(self, company, today=None):
        today = today or fields.Date.context_today(self)
        return today + timedelta(days=max(company.debiteur_page_link_days, 1))

    @api.model
    def _for_partners(self, partners, company):
        """The links of ``partners`` (commercial partners) in ``company``,
        created or renewed for a reminder that carries them: valid for the
        company's period from today on, with a new token when the old one had
        expired. ``{partner id: link}`` (sudo), a fixed number of queries."""
        Link = self.sudo()
        partners = partners.commercial_partner_id
        today = fields.Date.context_today(self)
        until = self._valid_until(company, today)
        links = Link.search(
            [("partner_id", "in", partners.ids), ("company_id", "=", company.id)]
        )
        by_partner = {link.partner_id.id: link for link in links}
        expired = links.filtered(lambda link: link.date_expiry < today)
        for link in expired:
            # A new secret: the links of older reminders stay dead.
            link.write({"token": self._new_token(), "date_expiry": until})
        (links - expired).filtered(lambda link: link.date_expiry < until).write(
            {"date_expiry": until}
        )
        missing = [p for p in partners if p.id not in by_partner]
        if missing:
            created = Link.create(
                [
                    {
                        "partner_id": partner.id,
                        "company_id": company.id,
                        "token": self._new_token(),
                        "date_expiry": until,
                    }
                    for partner in missing
                ]
            )
            by_partner.update((link.partner_id.id, link) for link in created)
        return by_partner

    @api.model
    def _prepare_links(self, comms):
        """The links of the debtors of ``comms``, made or renewed in one go
        (:meth:`_for_partners` per company), as the context value
        ``debiteur_debtor_links`` that :meth:`_of_reminder` reads:
        ``{(partner id, company id): link id}``."""
        prepared = {}
        for company in comms.company_id:
            partners = comms.filtered(lambda c, co=company: c.company_id == co)
            links = self._for_partners(partners.partner_id, company)
            prepared.update(((pid, company.id), link.id) for pid, link in links.items())
        return frozendict(prepared)

    @api.model
    def _of_reminder(self, comm):
        """The link ``comm`` carries (sudo): the one the dispatch prepared for
        its batch (context ``debiteur_debtor_links``), else made or renewed now."""
        partner = comm.partner_id.commercial_partner_id
        prepared = self.env.context.get("debiteur_debtor_links") or {}
        link_id = prepared.get((partner.id, comm.company_id.id))
        if link_id:
            return self.sudo().browse(link_id).with_prefetch(prepared.values())
        return self._for_partners(partner, comm.company_id)[partner.id]

    def _path(self):
        self.ensure_one()
        return URL_PREFIX + self.sudo().token

    def _url(self):
        self.ensure_one()
        return self.company_id.get_base_url() + self._path()

    @api.model
    def _find(self, token):
        """``(link, case)`` of ``token`` (sudo): the valid link and its
        debtor's open case (or the case closed today); empty records when the
        token is unknown, expired, or its claim was closed before today.

        The link comes in its company, with the day of its company's time
        zone (``tz``: its partner's, else UTC), its debtor and its company's
        partner read (one query each, with what the page shows of them)."""
        Link = self.sudo()
        empty = Link.browse(), self.env["debiteur.case"].sudo()
        if not token or not 32 <= len(token) <= 64:
            return empty
        link = Link.search_fetch(
            [("token", "=", token)],
            [
                "partner_id",
                "company_id",
                "token",
                "date_expiry",
                "first_opened",
                "last_opened",
                "open_count",
            ],
            limit=1,
        )
        if not link:
            return empty
        company = link.company_id
        link = link.with_company(company)
        (link.partner_id | company.partner_id.with_env(link.env)).fetch(PARTNER_FIELDS)
        link = link.with_context(tz=company.partner_id.tz or "UTC")
        today = fields.Date.context_today(link)
        if link.date_expiry < today:
            return empty
        case = link._live_case(today)
        if not case:
            return empty
        return link, case

    def _live_case(self, today=None):
        """The debtor's open case, else the one closed today (the debtor who
        has just paid everything still sees the confirmation); none means
        the claim is closed."""
        self.ensure_one()
        today = today or fields.Date.context_today(self)
        return (
            self.env["debiteur.case"]
            .sudo()
            .search_fetch(
                [
                    ("partner_id", "=", self.partner_id.id),
                    ("company_id", "=", self.company_id.id),
                    "|",
                    ("is_closed", "=", False),
                    ("closed_date", ">=", today),
                ],
                [
                    "is_closed",
                    "closed_date",
                    "user_id",
                    "promise_date",
                    "disputed",
                    "company_id",
                    "partner_id",
                ],
                order="is_closed, id desc",
                limit=1,
            )
        )

    def _claim_figures(self, moves, credits, facts=None):
        """The claim's interest and costs today (``res.partner.
        _debiteur_claim_figures``, the one assembler's figures) on the open
        invoices ``moves`` and the open credits ``credits`` (``debiteur.engine.
        _open_credits`` entries) the page has read, and the claim's ``facts``
        when it has them (``debiteur.claim._facts``). Returns ``{"interest":
        float, "costs": float}``."""
        self.ensure_one()
        figures = (
            self.env["res.partner"]
            .sudo()
            ._debiteur_claim_figures(
                self.company_id,
                self.partner_id,
                fields.Date.context_today(self),
                moves=moves,
                credits={
                    self.partner_id.id: [
                        (c.date, c.amount_residual_company) for c in credits
                    ]
                },
                facts=facts,
            )
            .get(self.partner_id.id, {})
        )
        return {
            "interest": float(figures.get("interest", 0)),
            "costs": float(figures.get("costs", 0)),
        }

    def _record_opening(self, communication=None):
        """The page was opened (from ``communication``'s link, else from the
        latest reminder's): first and last opening on both."""
        self.ensure_one()
        now = fields.Datetime.now()
        vals = {"last_opened": now, "open_count": self.open_count + 1}
        if not self.first_opened:
            vals["first_opened"] = now
        self.sudo().write(vals)
        if communication:
            communication.sudo()._debtor_page_opened(now)
