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
applies to the entries given to it.
"""

import contextlib

from odoo import api, models

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


class AccountMove(models.Model):
    _inherit = "account.move"

    def _debiteur_bulk_state(self):
        """The state of ``bulk_posting`` when every record of ``self`` is one
        of its entries, else None."""
        state = self.env.cr.cache.get(STATE_KEY)
        if state and self.ids and state["ids"].issuperset(self.ids):
            return state
        return None

    def _debiteur_sequence_key(self):
        """What the where clause of ``_get_last_sequence_domain`` depends on,
        but for the date's period: the journal, the date, the type (refund
        sequences) and the payment kind (payment sequences)."""
        return (
            self.journal_id.id,
            self.date,
            self.move_type,
            bool(self.origin_payment_id or self.env.context.get("is_payment")),
        )

    @api.depends(
        "posted_before", "state", "journal_id", "date", "move_type", "origin_payment_id"
    )
    def _compute_name(self):
        # Odoo numbers the entries of one call in date order, but the ORM
        # calls it 1,000 entries at a time: numbers are taken from one another
        # within a call only.
        state = self.env.cr.cache.get(STATE_KEY)
        if state:
            state["last"] = {}
        return super()._compute_name()

    def _set_next_sequence(self):
        state = self._debiteur_bulk_state()
        if state is None:
            return super()._set_next_sequence()
        state["current"] = self.id
        try:
            result = super()._set_next_sequence()
        finally:
            state["current"] = None
        state["last"][self._debiteur_sequence_key()] = self.name
        return result

    def _get_last_sequence(self, relaxed=False, with_prefix=None):
        state = self.env.cr.cache.get(STATE_KEY)
        if (
            state
            and not relaxed
            and with_prefix is None
            and state["current"] is not None
            and state["current"] == self.id
        ):
            last = state["last"].get(self._debiteur_sequence_key())
            if last:
                return last
        return super()._get_last_sequence(relaxed=relaxed, with_prefix=with_prefix)

    def write(self, vals):
        if (
            vals.keys() == {"checked"}
            and self._debiteur_bulk_state()
            and all(move.checked == vals["checked"] for move in self)
        ):
            # _post's flag, already set at creation: a write that would change
            # nothing (the write date is the transaction's, as at creation).
            return True
        return super().write(vals)
