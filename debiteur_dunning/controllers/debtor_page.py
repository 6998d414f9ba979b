"""The debtor's page: /d/<token>, opened from the link in every reminder.

No login: the long random token of ``debiteur.debtor.link`` is the key. Every
route checks it first (a wrong or expired token is a plain 404, and an address
that keeps failing is throttled), then works as superuser on that one
debtor's records of that one company: an id in a form or URL is only ever
looked up among them. Forms carry Odoo's CSRF token (checked by Odoo for the
HTTP posts, here for the JSON transaction route). Amounts are computed on the
server from the selection; what the browser sends is checked, never used.

The actions call the same methods as the back office: the claim figures
(``res.partner._debiteur_claim_figures``), the dispute and the promise of
``debiteur.case``, the arrangement wizard's ``_create_arrangement``, and
Odoo's payment flow (``payment.transaction`` with ``invoice_ids``, which
``account_payment`` reconciles once the transaction is done).
"""

import logging
import threading
import time
from collections import defaultdict, deque
from datetime import timedelta

from werkzeug.exceptions import BadRequest, NotFound, TooManyRequests

from odoo import Command, fields, http
from odoo.exceptions import UserError, ValidationError
from odoo.http import request
from odoo.tools import is_html_empty

from odoo.addons.account_payment.controllers.portal import PortalAccount
from odoo.addons.payment import utils as payment_utils

_logger = logging.getLogger(__name__)

PAGE_LANGS = ("nl_NL", "nl_BE", "fr_FR", "fr_BE", "en_US", "en_GB")
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
OPEN_STATES = ("not_paid", "partial")
# What the page reads of the reminders besides what the claim reads.
PAGE_COMM_FIELDS = ["attachment_id", "payment_reference", "debtor_page_first_opened"]
DONE_MESSAGES = ("paid", "dispute", "promise", "arrangement")
ERROR_MESSAGES = ("dispute", "promise", "arrangement")


class TokenThrottle:
    """Failed token checks per client address, in this process's memory: after
    ``limit`` failures within ``window`` seconds the address gets 429 until
    the oldest failure leaves the window. Enough to make guessing pointless
    (a token has 256 random bits); nothing is stored in the database."""

    def __init__(self, limit=10, window=600, max_addresses=10000):
        self.limit = limit
        self.window = window
        self.max_addresses = max_addresses
        self.failures = defaultdict(deque)
        self.lock = threading.Lock()

    def _prune(self, address, now):
        entries = self.failures[address]
        while entries and entries[0] <= now - self.window:
            entries.popleft()
        if not entries:
            del self.failures[address]
        return entries

    def blocked(self, address):
        with self.lock:
            return len(self._prune(address, time.monotonic())) >= self.limit

    def fail(self, address):
        with self.lock:
            now = time.monotonic()
            if len(self.failures) >= self.max_addresses:
                # Many addresses failing at once: forget those past the window.
                for known in list(self.failures):
                    self._prune(known, now)
            self.failures[address].append(now)

    def reset(self):
        with self.lock:
            self.failures.clear()


THROTTLE = TokenThrottle()


class DebtorPage(PortalAccount):
    # ------------------------------------------------------------------
    # The token
    # ------------------------------------------------------------------
    def _debtor_link(self, token):
        """The valid link of ``token`` (sudo); 404 otherwise, 429 when this
        address failed too often. Sets the page's language; the debtor's
        live case is at ``request.debiteur_case``."""
        address = request.httprequest.remote_addr or "?"
        if THROTTLE.blocked(address):
            raise TooManyRequests()
        link, case = request.env["debiteur.debtor.link"].sudo()._find(token)
        if not link:
            THROTTLE.fail(address)
            raise NotFound()
        lang = link.partner_id.lang
        installed = {code for code, _name in request.env["res.lang"].get_installed()}
        if lang not in PAGE_LANGS or lang not in installed:
            lang = "en_US"
        # The page renders in the link's company when the public user may
        # see it (else in the public user's): Odoo then need not read the
        # public user to know its company. Its day is the link's.
        allowed = request.env.user._get_company_ids()
        request.update_context(
            lang=lang,
            tz=link.env.context["tz"],
            allowed_company_ids=[
                link.company_id.id if link.company_id.id in allowed else allowed[0]
            ],
        )
        link = link.with_context(lang=lang)
        request.debiteur_case = case.with_env(link.env)
        return link

    @staticmethod
    def _open_invoices(link, ids=None):
        """The debtor's open customer invoices in the link's company (sudo),
        due first; only among ``ids`` when given."""
        domain = [
            ("company_id", "=", link.company_id.id),
            ("commercial_partner_id", "=", link.partner_id.id),
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
            ("payment_state", "in", OPEN_STATES),
            ("amount_residual", ">", 0),
        ]
        if ids is not None:
            domain.append(("id", "in", list(ids)))
        return link.env["account.move"].search_fetch(
            domain,
            [
                "invoice_date",
                "payment_reference",
                "debiteur_blocked",
                "debiteur_arrangement_id",
                *link.env["res.partner"]._debiteur_claim_move_fields(),
            ],
            order="invoice_date_due, id",
        )

    @staticmethod
    def _case(link):
        """The debtor's open case (empty once closed)."""
        case = request.debiteur_case
        return case.filtered(lambda c: not c.is_closed)

    @staticmethod
    def _is_belgian(company):
        """Whether the company is Belgian (its registry number is labelled
        so), known without reading its country: base.be's id is cached."""
        be_id = company.env["ir.model.data"]._xmlid_to_res_id("base.be")
        return company.partner_id.country_id.id == be_id

    @staticmethod
    def _ids(values):
        """Integers out of form values; anything else is dropped."""
        result = []
        for value in values:
            try:
                result.append(int(value))
            except (TypeError, ValueError):
                continue
        return result

    # ------------------------------------------------------------------
    # The page
    # ------------------------------------------------------------------
    @http.route(
        "/d/<string:token>",
        type="http",
        auth="public",
        methods=["GET"],
        website=False,
        sitemap=False,
    )
    def debtor_page(self, token, r=None, done=None, error=None, **kwargs):
        link = self._debtor_link(token)
        values = self._page_values(link)
        # The reminder whose link was opened: one of this debtor's, else the
        # latest (an id of anything else is ignored).
        reminders = values["reminders"]
        opened = reminders.filtered(lambda c: c.id in self._ids([r])) or reminders[:1]
        link._record_opening(opened)
        values["done"] = done if done in DONE_MESSAGES else False
        values["error"] = error if error in ERROR_MESSAGES else False
        return request.render("debiteur_dunning.debtor_page", values)

    def _page_values(self, link):
        """Everything the page shows, in a fixed number of queries: one per
        kind of record, each read once with all that the page and the claim
        take of it (docs/debtor-page.md, Queries)."""
        env = link.env
        company = link.company_id
        partner = link.partner_id
        currency = company.currency_id
        today = fields.Date.context_today(link)
        invoices = self._open_invoices(link)
        credit_entries = (
            env["debiteur.engine"]._open_credits(company, partner).get(partner.id, [])
        )
        # The currencies in one query (formats, roundings, the claim's rates).
        (currency | invoices.currency_id).mapped("symbol")
        # The debtor's reminders: the page lists those sent, the claim reads
        # them all (one query for both).
        facts = env["debiteur.claim"]._facts(
            company, invoices, partner, comm_fields=PAGE_COMM_FIELDS
        )
        reminders = facts.comms.filtered(
            lambda c: c.partner_id == partner and c.state in ("sent", "printed")
        )
        figures = link._claim_figures(invoices, credit_entries, facts)
        credit_lines = env["account.move.line"].browse(
            [entry.move_line_id for entry in credit_entries]
        )
        credits = [
            {
                "name": line.move_name,
                "date": entry.date,
                "amount": entry.amount_residual_company,
            }
            for entry, line in zip(credit_entries, credit_lines, strict=True)
        ]
        arrangements = env["debiteur.arrangement"].search_fetch(
            [
                ("partner_id", "=", partner.id),
                ("company_id", "=", company.id),
                ("state", "in", ("draft", "active")),
            ],
            ["name", "state", "currency_id", "payment_reference"],
            order="id desc",
        )
        instalments = defaultdict(list)
        if arrangements:
            for line in env["debiteur.arrangement.line"].search_fetch(
                [("arrangement_id", "in", arrangements.ids)],
                ["arrangement_id", "date", "amount", "amount_paid"],
            ):
                instalments[line.arrangement_id.id].append(line)
        case = self._case(link)
        interest, costs = figures["interest"], figures["costs"]
        open_amount = currency.round(
            sum(m.amount_residual for m in invoices if m.currency_id == currency)
        )
        credit_total = currency.round(sum(c["amount"] for c in credits))
        payable = invoices.filtered(
            lambda m: (
                m.currency_id == currency
                and not m.debiteur_blocked
                and not m.debiteur_arrangement_id
            )
        )
        providers = payable and env["payment.provider"]._debiteur_pays_online(
            company.id
        )
        bank = env["res.partner.bank"].search_fetch(
            [("partner_id", "=", company.partner_id.id)], ["acc_number"], limit=1
        )
        max_instalments = company.debiteur_page_max_instalments
        return {
            "link": link,
            "token": link.sudo().token,
            "company": company,
            "creditor_be": self._is_belgian(company),
            "partner": partner,
            "currency": currency,
            "today": today,
            "invoices": invoices,
            "overdue_ids": {m.id for m in invoices if m.invoice_date_due < today},
            "payable": payable,
            "credits": credits,
            "interest": interest,
            "costs": costs,
            "open_amount": open_amount,
            "credit_total": credit_total,
            "total": currency.round(open_amount + credit_total + interest + costs),
            "payment_reference": reminders[:1].payment_reference
            or invoices[:1].payment_reference
            or False,
            "iban": bank.acc_number or False,
            "reminders": reminders,
            "arrangements": arrangements,
            "instalments": instalments,
            "case": case,
            "can_pay": bool(providers and payable),
            "can_promise": bool(case and invoices and not case.promise_date),
            "promise_max": today + timedelta(days=company.debiteur_page_promise_days),
            "can_arrange": bool(max_instalments >= 2 and payable and not arrangements),
            "instalment_range": range(2, max_instalments + 1),
            "format_amount": lambda amount: currency.format(amount),
        }

    # ------------------------------------------------------------------
    # Documents: invoices, reminders, the agreement letter
    # ------------------------------------------------------------------
    @http.route(
        "/d/<string:token>/invoice/<int:move_id>",
        type="http",
        auth="public",
        methods=["GET"],
        website=False,
        sitemap=False,
    )
    def debtor_invoice_pdf(self, token, move_id, **kwargs):
        link = self._debtor_link(token)
        move = link.env["account.move"].search(
            [
                ("id", "=", move_id),
                ("company_id", "=", link.company_id.id),
                ("commercial_partner_id", "=", link.partner_id.id),
                ("move_type", "in", ("out_invoice", "out_refund")),
                ("state", "=", "posted"),
            ],
            limit=1,
        )
        if not move:
            raise NotFound()
        pdf, _type = (
            link.env["ir.actions.report"]
            .with_context(lang=move.partner_id.lang or link.env.lang)
            ._render_qweb_pdf("account.account_invoices", move.ids)
        )
        return self._pdf_response(pdf, f"{move.name}.pdf")

    @http.route(
        "/d/<string:token>/reminder/<int:comm_id>",
        type="http",
        auth="public",
        methods=["GET"],
        website=False,
        sitemap=False,
    )
    def debtor_reminder_pdf(self, token, comm_id, **kwargs):
        link = self._debtor_link(token)
        comm = link.env["debiteur.communication"].search(
            [
                ("id", "=", comm_id),
                ("partner_id", "=", link.partner_id.id),
                ("company_id", "=", link.company_id.id),
                ("state", "in", ("sent", "printed")),
                ("attachment_id", "!=", False),
            ],
            limit=1,
        )
        if not comm:
            raise NotFound()
        return self._pdf_response(comm.attachment_id.raw, comm.attachment_id.name)

    @http.route(
        "/d/<string:token>/arrangement/<int:arrangement_id>",
        type="http",
        auth="public",
        methods=["GET"],
        website=False,
        sitemap=False,
    )
    def debtor_arrangement_pdf(self, token, arrangement_id, **kwargs):
        link = self._debtor_link(token)
        arrangement = link.env["debiteur.arrangement"].search(
            [
                ("id", "=", arrangement_id),
                ("partner_id", "=", link.partner_id.id),
                ("company_id", "=", link.company_id.id),
                ("state", "in", ("draft", "active", "completed")),
            ],
            limit=1,
        )
        if not arrangement:
            raise NotFound()
        pdf, _type = link.env["ir.actions.report"]._render_qweb_pdf(
            "debiteur_dunning.action_report_debiteur_arrangement", arrangement.ids
        )
        return self._pdf_response(pdf, f"{arrangement.name}.pdf".replace("/", "-"))

    @staticmethod
    def _pdf_response(content, filename):
        return request.make_response(
            content,
            headers=[
                ("Content-Type", "application/pdf"),
                ("Content-Length", len(content)),
                ("Content-Disposition", http.content_disposition(filename)),
                ("X-Robots-Tag", "noindex"),
            ],
        )

    # ------------------------------------------------------------------
    # Pay: the selection, then Odoo's payment form and transaction
    # ------------------------------------------------------------------
    def _selection(self, link, ids):
        """The selected invoices the debtor may pay online: its own, open, in
        the company currency, not disputed nor under an active arrangement.
        Anything else in the selection refuses the whole of it."""
        ids = set(self._ids(ids))
        if not ids:
            raise BadRequest()
        moves = self._open_invoices(link, ids)
        currency = link.company_id.currency_id
        moves = moves.filtered(
            lambda m: (
                m.currency_id == currency
                and not m.debiteur_blocked
                and not m.debiteur_arrangement_id
            )
        )
        if set(moves.ids) != ids:
            raise NotFound()
        return moves

    @staticmethod
    def _amount(moves):
        currency = moves.company_id.currency_id
        return currency.round(sum(moves.mapped("amount_residual")))

    @http.route(
        "/d/<string:token>/pay",
        type="http",
        auth="public",
        methods=["POST"],
        website=False,
        sitemap=False,
    )
    def debtor_pay(self, token, **post):
        link = self._debtor_link(token)
        moves = self._selection(link, request.httprequest.form.getlist("invoice_ids"))
        company = link.company_id
        currency = company.currency_id
        amount = self._amount(moves)
        partner = link.partner_id
        selection = "-".join(str(i) for i in moves.ids)
        values = self._get_common_page_view_values(
            invoices_data={
                "partner": partner,
                "company": company,
                "total_amount": amount,
                "currency": currency,
                "amount_residual": amount,
                "landing_route": f"/d/{token}?done=paid",
                "transaction_route": f"/d/{token}/transaction/{selection}",
            },
        )
        values.update(
            {
                "link": link,
                "company": company,
                "creditor_be": self._is_belgian(company),
                "partner": partner,
                "invoices": moves,
                "amount": amount,
                "currency": currency,
                "token": token,
                "access_token": payment_utils.generate_access_token(
                    partner.id, amount, currency.id
                ),
                "reference_prefix": None,
                "is_html_empty": is_html_empty,
                "format_amount": lambda value: currency.format(value),
            }
        )
        return request.render("debiteur_dunning.debtor_page_pay", values)

    @http.route(
        "/d/<string:token>/transaction/<string:selection>",
        type="json",
        auth="public",
        website=False,
    )
    def debtor_transaction(self, token, selection, access_token=None, **kwargs):
        """The transaction of the selected invoices, as ``payment.form``
        asks it: the amount is the server's, the access token must match it."""
        if not request.validate_csrf(kwargs.pop("csrf_token", None)):
            raise BadRequest("Session expired (invalid CSRF token)")
        link = self._debtor_link(token)
        moves = self._selection(link, selection.split("-"))
        currency = link.company_id.currency_id
        amount = self._amount(moves)
        sent = kwargs.pop("amount", None)
        partner = link.partner_id
        if (
            sent is None
            or currency.compare_amounts(float(sent), amount) != 0
            or not payment_utils.check_access_token(
                access_token, partner.id, amount, currency.id
            )
        ):
            raise ValidationError(
                request.env._("The amount to pay has changed: reload the page.")
            )
        provider = (
            link.env["payment.provider"]
            .browse(self._ids([kwargs.get("provider_id")]))
            .exists()
        )
        if (
            kwargs.get("flow") not in ("redirect", "direct")
            or kwargs.get("is_validation")
            or not provider
            or provider.company_id != link.company_id
            or provider.state == "disabled"
        ):
            raise ValidationError(
                request.env._("This payment method is not available.")
            )
        kwargs.pop("landing_route", None)
        kwargs.pop("partner_id", None)
        kwargs.pop("currency_id", None)
        kwargs["tokenization_requested"] = False
        self._validate_transaction_kwargs(kwargs)
        tx_sudo = self._create_transaction(
            amount=amount,
            currency_id=currency.id,
            partner_id=partner.id,
            landing_route=f"/d/{token}?done=paid",
            custom_create_values={"invoice_ids": [Command.set(moves.ids)]},
            **kwargs,
        )
        return tx_sudo._get_processing_values()

    # ------------------------------------------------------------------
    # Dispute, promise, arrangement
    # ------------------------------------------------------------------
    def _back(self, token, done=None, error=None):
        query = f"?done={done}" if done else f"?error={error}"
        return request.redirect(f"/d/{token}{query}", local=True)

    @http.route(
        "/d/<string:token>/dispute",
        type="http",
        auth="public",
        methods=["POST"],
        website=False,
        sitemap=False,
    )
    def debtor_dispute(self, token, move_id=None, reason=None, attachment=None, **kw):
        link = self._debtor_link(token)
        moves = self._open_invoices(link, self._ids([move_id]))
        reason = (reason or "").strip()[:500]
        case = self._case(link)
        if not moves or not reason or not case:
            return self._back(token, error="dispute")
        content = attachment.read(MAX_ATTACHMENT_BYTES + 1) if attachment else b""
        if len(content) > MAX_ATTACHMENT_BYTES:
            return self._back(token, error="dispute")
        # The staff read the case: its chatter is in the company's language.
        note = case._debiteur_chatter()
        _ = note.env._
        case._mark_disputed(
            _("%(reason)s (by the debtor, on the debtor's page)", reason=reason),
            moves,
        )
        if content:
            note.message_post(
                body=_(
                    "The debtor's document on the dispute of %(invoice)s.",
                    invoice=moves.name,
                ),
                attachments=[(attachment.filename or "attachment", content)],
                subtype_xmlid="mail.mt_note",
            )
        note.activity_schedule(
            "mail.mail_activity_data_todo",
            summary=_("Disputed by the debtor: %(invoice)s", invoice=moves.name),
            note=reason,
            user_id=(
                case.user_id
                or case.company_id.debiteur_user_id
                or case.env.ref("base.user_admin")
            ).id,
        )
        return self._back(token, done="dispute")

    @http.route(
        "/d/<string:token>/promise",
        type="http",
        auth="public",
        methods=["POST"],
        website=False,
        sitemap=False,
    )
    def debtor_promise(self, token, date=None, **kw):
        link = self._debtor_link(token)
        case = self._case(link)
        today = fields.Date.context_today(link)
        try:
            day = fields.Date.to_date(date)
        except ValueError:
            day = None
        latest = today + timedelta(days=link.company_id.debiteur_page_promise_days)
        if not case or not day or not today <= day <= latest:
            return self._back(token, error="promise")
        amount = self._amount(self._open_invoices(link)) if case else 0.0
        try:
            case._record_promise(day, amount)
        except UserError:
            return self._back(token, error="promise")
        return self._back(token, done="promise")

    @http.route(
        "/d/<string:token>/arrangement",
        type="http",
        auth="public",
        methods=["POST"],
        website=False,
        sitemap=False,
    )
    def debtor_arrangement(self, token, instalments=None, **kw):
        link = self._debtor_link(token)
        company = link.company_id
        env = link.env
        count = (self._ids([instalments]) or [0])[0]
        moves = self._open_invoices(link).filtered(
            lambda m: (
                m.currency_id == company.currency_id
                and not m.debiteur_blocked
                and not m.debiteur_arrangement_id
            )
        )
        pending = env["debiteur.arrangement"].search_count(
            [
                ("partner_id", "=", link.partner_id.id),
                ("company_id", "=", company.id),
                ("state", "in", ("draft", "active")),
            ]
        )
        if (
            pending
            or not moves
            or not 2 <= count <= company.debiteur_page_max_instalments
        ):
            return self._back(token, error="arrangement")
        case = self._case(link)
        wizard = env["debiteur.arrangement.wizard"].create(
            {
                "company_id": company.id,
                "move_ids": [Command.set(moves.ids)],
                "partner_id": link.partner_id.id,
                "split_mode": "count",
                "instalment_count": count,
                "frequency": "monthly",
                "fee_amount": 0.0,
                "user_id": (case.user_id or company.debiteur_user_id).id,
            }
        )
        accept = (
            company.debiteur_page_auto_accept
            and count <= company.debiteur_page_auto_max_instalments
            and company.currency_id.compare_amounts(
                wizard.amount_total, company.debiteur_page_auto_max_amount
            )
            <= 0
        )
        try:
            arrangement = wizard._create_arrangement(confirm=accept)
        except (UserError, ValidationError):
            _logger.info("Debtor's page: arrangement refused", exc_info=True)
            return self._back(token, error="arrangement")
        note = arrangement._debiteur_chatter()
        note.message_post(
            body=note.env._("Proposed by the debtor on the debtor's page.")
            if not accept
            else note.env._(
                "Proposed by the debtor on the debtor's page and agreed at once."
            ),
        )
        if not accept:
            note.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=note.env._("Payment arrangement proposed by the debtor"),
                user_id=(arrangement.user_id or env.ref("base.user_admin")).id,
            )
        return self._back(token, done="arrangement")
