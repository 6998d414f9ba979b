"""The debtor's page link: one secret token per debtor and company.

Every reminder (e-mail button, letter URL and QR code) carries the link of its
debtor; the page it opens always shows the live claim. A token is long and
random (``secrets.token_urlsafe(32)``), valid until ``date_expiry`` (pushed
back each time a reminder carries it) and never once the claim is closed
(no open case left, after the day it closed). An expired link gets a new
token when the next reminder carries it: an old e-mail never reopens.

The records are written by the server only (the page runs as superuser after
checking the token); clients read them.
"""

import secrets
from datetime import timedelta

from odoo import api, fields, models

URL_PREFIX = "/d/"


class DebiteurDebtorLink(models.Model):
    _name = "debiteur.debtor.link"
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
    token = fields.Char(
        required=True,
        readonly=True,
        copy=False,
        groups="debiteur_dunning.group_debiteur_manager",
    )
    date_expiry = fields.Date(string="Valid Until", required=True, readonly=True)
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

    def _path(self):
        self.ensure_one()
        return URL_PREFIX + self.sudo().token

    def _url(self):
        self.ensure_one()
        return self.company_id.get_base_url() + self._path()

    @api.model
    def _find(self, token):
        """The valid link of ``token`` (sudo), or an empty recordset: unknown,
        expired, or its claim closed before today."""
        if not token or len(token) < 32 or len(token) > 64:
            return self.sudo().browse()
        link = self.sudo().search([("token", "=", token)], limit=1)
        if not link or link.date_expiry < fields.Date.context_today(self):
            return self.sudo().browse()
        if link._claim_closed():
            return self.sudo().browse()
        return link

    def _claim_closed(self):
        """No open case for the debtor, and none closed today (the debtor who
        has just paid everything still sees the confirmation)."""
        self.ensure_one()
        today = fields.Date.context_today(self)
        case = (
            self.env["debiteur.case"]
            .sudo()
            .search(
                [
                    ("partner_id", "=", self.partner_id.id),
                    ("company_id", "=", self.company_id.id),
                    "|",
                    ("is_closed", "=", False),
                    ("closed_date", ">=", today),
                ],
                limit=1,
            )
        )
        return not case

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
