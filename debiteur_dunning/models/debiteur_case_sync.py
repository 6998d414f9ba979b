"""Keeping the follow-up cases in line with the accounting.

A case's figures and stage follow from the facts (overdue invoices, reminder
levels, arrangements, handoffs, payments). This service computes them for any
number of debtors of one company in a fixed number of queries, opens the case
of a debtor that becomes overdue and closes the one of a debtor that owes
nothing overdue any more. Whatever changes the facts calls it, as ``sudo``: a
case is bookkeeping derived from the accounting.
"""

import logging
from datetime import timedelta

import psycopg2.errors

from odoo import SUPERUSER_ID, api, fields, models
from odoo.modules.registry import Registry

from .debiteur_case import OPEN_CASE_INDEX, OPEN_PAYMENT_STATES

_logger = logging.getLogger(__name__)


class DebiteurCaseSync(models.AbstractModel):
    _name = "debiteur.case.sync"
    _description = "Debtor Case Synchronisation"

    @api.model
    def _sync_partners(self, partners, company, today=None):
        """Bring the cases of ``partners`` in ``company`` in line with the facts.

        Set-based: a fixed number of queries for any number of debtors, plus one
        write per case whose figures changed. Opens a case for a debtor that is
        overdue and has none, closes the open case of a debtor that owes nothing
        overdue any more. Returns the open and just-closed cases.
        """
        partners = partners.commercial_partner_id
        if not partners or not company:
            return self.env["debiteur.case"]
        self = self.with_context(debiteur_case_sync=True, mail_create_nolog=True)
        Case = self.env["debiteur.case"]
        today = today or fields.Date.context_today(self)
        Move = self.env["account.move"]
        currency = company.currency_id
        base = [
            ("company_id", "=", company.id),
            ("commercial_partner_id", "in", partners.ids),
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
            ("payment_state", "in", OPEN_PAYMENT_STATES),
            ("amount_residual", ">", 0),
            ("invoice_date_due", "<", today),
        ]
        overdue = {
            partner.id: (amount, oldest, level_ids, last_date)
            for partner, amount, oldest, level_ids, last_date in Move._read_group(
                base,
                ["commercial_partner_id"],
                [
                    "amount_residual_signed:sum",
                    "invoice_date_due:min",
                    "debiteur_level_id:array_agg",
                    "debiteur_last_date:max",
                ],
            )
        }
        balance = dict(
            (partner.id, amount)
            for partner, amount in self.env["account.move.line"]._read_group(
                [
                    ("company_id", "=", company.id),
                    ("partner_id", "in", partners.ids),
                    ("account_id.account_type", "=", "asset_receivable"),
                    ("parent_state", "=", "posted"),
                    ("reconciled", "=", False),
                ],
                ["partner_id"],
                ["amount_residual:sum"],
            )
        )
        arrangement = self._partners_with(base, "debiteur_arrangement_id")
        handoff = self._partners_with(base, "debiteur_handoff_id")
        ready = self._handoff_candidates(partners, company, today)
        levels = self.env["debiteur.level"].browse(
            {lid for _a, _o, lids, _l in overdue.values() for lid in lids if lid}
        )
        levels.fetch(["sequence", "delay_days", "is_legal_notice", "policy_id"])
        policies = self.env["debiteur.engine"]._policy_by_partner(
            company, self.env["res.partner"].browse(list(overdue))
        )
        stages = self.env["debiteur.case.stage"]._by_code()
        cases = Case.search(
            [
                ("company_id", "=", company.id),
                ("partner_id", "in", partners.ids),
                ("is_closed", "=", False),
            ]
        )
        case_by_partner = {case.partner_id.id: case for case in cases}
        to_create = []
        for partner in partners:
            case = case_by_partner.get(partner.id)
            amount, oldest, level_ids, last_date = overdue.get(
                partner.id, (0.0, False, [], False)
            )
            owed = currency.compare_amounts(amount, 0.0) > 0
            if not owed and not case:
                continue
            level = levels.browse(set(level_ids) - {None}).sorted(
                lambda lvl: (lvl.sequence, lvl.delay_days)
            )[-1:]
            code = Case._stage_code(
                owed,
                partner.id in arrangement,
                partner.id in handoff,
                bool(case and case.disputed),
                level,
                partner.id in ready,
            )
            vals = {
                "stage_id": stages[code].id,
                "amount_overdue": currency.round(amount) if owed else 0.0,
                "amount_due": currency.round(balance.get(partner.id, 0.0)),
                "oldest_due_date": oldest if owed else False,
                "highest_level_id": level.id,
                "has_arrangement": partner.id in arrangement,
                "has_handoff": partner.id in handoff,
                "handoff_candidate": partner.id in ready,
                "next_action_date": self._next_action_date(
                    case,
                    code,
                    oldest,
                    level,
                    last_date,
                    policies.get(partner.id),
                ),
            }
            if code == "closed":
                vals["closed_date"] = today
            if case:
                changed = self._changed_vals(case, vals)
                if changed:
                    case.write(changed)
            else:
                vals.update(partner_id=partner.id, company_id=company.id)
                to_create.append(vals)
        return cases | self._create_open_cases(to_create)

    def _create_open_cases(self, vals_list):
        """Create the open cases of ``vals_list``, tolerating a concurrent insert.

        Two postings for a new debtor at once both find no open case and both
        create one; the second waits for the first on the open-case unique index
        and then fails. That debtor's case exists then (the other transaction
        committed it), only not in this transaction's snapshot: it is skipped
        here and synced again, with every posting, right after this commit.
        """
        Case = self.env["debiteur.case"]
        if not vals_list:
            return Case
        try:
            with self.env.cr.savepoint():
                return Case.create(vals_list)
        except psycopg2.errors.UniqueViolation as exc:
            if exc.diag.constraint_name != OPEN_CASE_INDEX:
                raise
        created = Case
        for vals in vals_list:
            try:
                with self.env.cr.savepoint():
                    created |= Case.create([vals])
            except psycopg2.errors.UniqueViolation as exc:
                if exc.diag.constraint_name != OPEN_CASE_INDEX:
                    raise
                _logger.info(
                    "Open case of partner %s in company %s created concurrently; "
                    "synced again after commit",
                    vals["partner_id"],
                    vals["company_id"],
                )
                self._sync_after_commit(vals["partner_id"], vals["company_id"])
        return created

    def _sync_after_commit(self, partner_id, company_id):
        """Sync one debtor's case in a new transaction once this one commits:
        its snapshot then sees the case the concurrent transaction created."""
        dbname = self.env.cr.dbname

        @self.env.cr.postcommit.add
        def resync():
            with Registry(dbname).cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                env["debiteur.case.sync"]._sync_partners(
                    env["res.partner"].browse(partner_id),
                    env["res.company"].browse(company_id),
                )

        return resync

    @api.model
    def _partners_with(self, base, fname):
        """Debtors having overdue invoices under an open arrangement or handoff.

        The invoice fields ``debiteur_arrangement_id`` and ``debiteur_handoff_id``
        are set exactly while their arrangement or handoff is open, so this
        needs no read of those (restricted) records.
        """
        if fname not in self.env["account.move"]._fields:
            return set()
        return {
            partner.id
            for (partner,) in self.env["account.move"]._read_group(
                [*base, (fname, "!=", False)],
                ["commercial_partner_id"],
            )
        }

    @api.model
    def _handoff_candidates(self, partners, company, today):
        """Ids of the debtors among ``partners`` that are collection-agency
        candidates in ``company`` on ``today`` (one query)."""
        domain = self.env["res.partner"]._debiteur_handoff_candidate_domain(
            company, today
        )
        return {
            partner.id
            for (partner,) in self.env["account.move"]._read_group(
                [*domain, ("commercial_partner_id", "in", partners.ids)],
                ["commercial_partner_id"],
            )
        }

    @api.model
    def _next_action_date(self, case, code, oldest, level, last_date, policy):
        if case and case.promise_date and not case.promise_broken:
            return case.promise_date
        dunning = ("to_remind", "reminded", "formal_notice", "ready_collection")
        if code not in dunning or not policy:
            return False
        sorted_levels = policy._sorted_levels()
        if level:
            later = sorted_levels.filtered(
                lambda lvl: (
                    (lvl.sequence, lvl.delay_days) > (level.sequence, level.delay_days)
                )
            )
        else:
            later = sorted_levels
        if not later:
            return False
        result = oldest + timedelta(days=later[0].delay_days)
        if last_date:
            result = max(result, last_date + timedelta(days=policy.min_days_between))
        return result

    @api.model
    def _changed_vals(self, case, vals):
        """The values of ``vals`` that differ from what ``case`` holds."""
        case.ensure_one()
        changed = {}
        for fname, value in vals.items():
            current = case[fname]
            if isinstance(current, models.BaseModel):
                current = current.id or False
            if case._fields[fname].type == "monetary":
                if case.currency_id.compare_amounts(current, value):
                    changed[fname] = value
            elif (current or False) != (value or False):
                changed[fname] = value
        return changed

    @api.model
    def _sync_company(self, company, today=None):
        """Sync every debtor of ``company`` with open invoices or an open case
        (the daily scheduler: overdue amounts grow with the date)."""
        partners = {
            partner.id
            for (partner,) in self.env["account.move"]._read_group(
                [
                    ("company_id", "=", company.id),
                    ("move_type", "=", "out_invoice"),
                    ("state", "=", "posted"),
                    ("payment_state", "in", OPEN_PAYMENT_STATES),
                ],
                ["commercial_partner_id"],
            )
        }
        partners |= {
            partner.id
            for (partner,) in self.env["debiteur.case"]._read_group(
                [("company_id", "=", company.id), ("is_closed", "=", False)],
                ["partner_id"],
            )
        }
        return self._sync_partners(
            self.env["res.partner"].browse(partners), company, today
        )
