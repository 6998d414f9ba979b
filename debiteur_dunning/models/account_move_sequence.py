"""Posting a batch of journal entries without queries per entry (issue #19).

Odoo numbers the entries it posts one at a time: for each entry it looks up
the reference entry of the journal (one search) and the last number of the
period (one query), and writes the entry's ``checked`` flag alone (a write,
with its balance check). ``bulk_posting(moves)`` takes these out for the
entries of one batch (the VAT-relief entries of ``debiteur.vat.relief.entry``),
with the same results:

- Numbers. Within the batch, an entry whose journal, date, type and payment
  kind are those of an entry of the batch numbered just before it gets, as its
  "last number", the number that entry just received: Odoo's own query would
  return it. Odoo names the entries of a batch sorted by date (``_compute_name``,
  which the ORM calls for up to 1,000 entries at a time: numbers are taken from
  one another within one call), so the last entry numbered with the same journal
  and date is the last of the journal's period: the highest number of the period
  with that prefix, on the entry with the highest id. The first entry of each
  journal and date (in each call) still asks the database. Odoo increments
  from it as before (``_locked_increment``, its lock and its cache of the
  transaction).
- ``checked``. ``_post`` writes it entry by entry when the journal checks
  its entries on posting (a write and its balance check each). The batch's
  entries are created with it (``debiteur.vat.relief.entry._complete_vals``),
  so that write would change nothing and is left out.

The state lives on the cursor for the duration of ``bulk_posting`` and only
applies to the entries given to it. The ``account.move`` overrides that use it
are in ``account_move.py`` (one file per inherited model).
"""

import contextlib

STATE_KEY = "debiteur_bulk_posting"


@contextlib.contextmanager
def bulk_posting(moves):
    """Post ``moves`` (draft entries) inside this block with their numbers
    taken from one another (see the module's docstring)."""
    cache = moves.env.cr.cache
    previous = cache.get(STATE_KEY)
    cache[STATE_KEY] = {"ids": frozenset(moves.ids), "last": {}, "current": None}
    try:
        yield
    finally:
        if previous is None:
            cache.pop(STATE_KEY, None)
        else:
            cache[STATE_KEY] = previous


def bulk_state(moves):
    """The state of ``bulk_posting`` when every record of ``moves`` is one of
    its entries, else None."""
    state = moves.env.cr.cache.get(STATE_KEY)
    if state and moves.ids and state["ids"].issuperset(moves.ids):
        return state
    return None


def current_state(env):
    """The state of ``bulk_posting`` under way on ``env``'s cursor, or None."""
    return env.cr.cache.get(STATE_KEY)


def sequence_key(move):
    """What the where clause of ``_get_last_sequence_domain`` depends on, but
    for the date's period: the journal, the date, the type (refund sequences)
    and the payment kind (payment sequences)."""
    return (
        move.journal_id.id,
        move.date,
        move.move_type,
        bool(move.origin_payment_id or move.env.context.get("is_payment")),
    )
