#!/usr/bin/env python3
"""Times the dunning wizard's review as the web client opens it.

    python3 tests/bench/bench_preview.py --db dd_bench_24k [--repeat 3] [--shapes]

What a user waits for between clicking *Preview* and seeing the review, per
company of the dataset, each step in a transaction that is rolled back:

(a) ``action_preview``: the engine's proposal for every debtor and one
    transient line per debtor;
(b) the review's first screen: the list's ``web_search_read`` (80 lines, the
    columns of the list view) and its totals (``web_read_group`` for the
    sums), as the web client asks for them;
(c) the confirmation dialog: ``web_read`` of the wizard's summary (count,
    letters, total, the button's sentence);
(d) opening one debtor: ``web_read`` of its line with the letter and the
    e-mail rendered as they will be sent (in a savepoint, rolled back).

The target (issue #18): (a) + (b) ≤ 2 s for a preview of 1,000 debtors.
"""

import argparse
import sys

import benchlib
from benchlib import Measurer

LIST_SPEC = {
    "selected": {},
    "selectable": {},
    "has_warning": {},
    "currency_id": {"fields": {}},
    "partner_id": {"fields": {"display_name": {}}},
    "recipient_id": {"fields": {"display_name": {}}},
    "policy_id": {"fields": {"display_name": {}}},
    "level_id": {"fields": {"display_name": {}}},
    "invoice_count": {},
    "amount_overdue": {},
    "amount_credit": {},
    "amount": {},
    "interest_amount": {},
    "costs_amount": {},
    "total_claim": {},
    "channel": {},
    "warning": {},
}
SUMS = [
    "amount_overdue:sum",
    "amount_credit:sum",
    "amount:sum",
    "interest_amount:sum",
    "costs_amount:sum",
    "total_claim:sum",
]
CONFIRM_SPEC = {
    "date": {},
    "line_count": {},
    "selected_count": {},
    "letter_count": {},
    "total_amount": {},
    "summary_text": {},
    "confirm_label": {},
    "is_simulation": {},
    "simulation_banner": {},
}
DEBTOR_SPEC = {
    "partner_id": {"fields": {"display_name": {}}},
    "level_id": {"fields": {"display_name": {}}},
    "details": {},
    "letter_preview": {},
    "mail_subject": {},
    "mail_preview": {},
    "total_claim": {},
}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--shapes", action="store_true", help="top query shapes")
    parser.add_argument(
        "--update",
        action="store_true",
        help="first update the module in the database (after code changes)",
    )
    return parser.parse_args()


def open_review(env, today):
    """(a) + (b): Preview, then the list's first page and its sums."""
    wizard = env["debiteur.dunning.wizard"].create({"date": today})
    action = wizard.action_preview()
    Line = env["debiteur.dunning.wizard.line"].with_context(**action["context"])
    domain = action["domain"] + [("selectable", "=", True)]
    page = Line.web_search_read(
        domain,
        LIST_SPEC,
        limit=80,
        order="selectable desc, amount desc, id",
        count_limit=10001,
    )
    Line.web_read_group(domain, SUMS, [], lazy=True)
    return wizard, page["length"]


def main():
    args = parse_args()
    benchlib.check_db_name(args.db)
    if args.update:
        benchlib.update_module(args.db)
    benchlib.setup_odoo(args.db)
    from odoo import fields

    measurer = Measurer(args.db, shapes=args.shapes)
    companies = measurer.transaction(
        lambda env: [
            (c.id, c.name)
            for c in env["debiteur.policy"].search([]).company_id.sorted("id")
        ]
    )
    failed = False
    for company_id, name in companies:
        today = measurer.transaction(lambda env: fields.Date.context_today(env.user))
        print(f"{name}:", flush=True)
        counter, debtors = measurer.measure(
            "(a)+(b) preview and the review's first screen",
            lambda env, today=today: open_review(env, today)[1],
            repeat=args.repeat,
            company=company_id,
        )
        print(f"      {debtors} debtors in the review", flush=True)
        if debtors >= 1000 and counter.seconds > 2.0:
            failed = True

        def confirm(env, today=today):
            wizard, _count = open_review(env, today)
            env.invalidate_all()
            with benchlib.QueryCounter() as inner, benchlib.timer() as elapsed:
                wizard.web_read(CONFIRM_SPEC)
            print(
                f"  (c) the confirmation dialog: {elapsed():.2f} s, "
                f"{inner.count} queries",
                flush=True,
            )

        measurer.transaction(confirm, company=company_id)

        def debtor(env, today=today):
            wizard, _count = open_review(env, today)
            line = wizard.line_ids.filtered(
                lambda line: line.selectable and line.channel != "phone"
            )[:1]
            if not line:
                return
            env.invalidate_all()
            with benchlib.QueryCounter() as inner, benchlib.timer() as elapsed:
                line.web_read(DEBTOR_SPEC)
            print(
                f"  (d) opening one debtor (letter and e-mail): {elapsed():.2f} s, "
                f"{inner.count} queries",
                flush=True,
            )

        measurer.transaction(debtor, company=company_id)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
