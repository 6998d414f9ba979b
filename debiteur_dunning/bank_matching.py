"""Match incoming bank statement lines to open invoices: pure functions over
plain data (no Odoo import, enforced by a test), so that the rules can be
tested and measured without a database.

The rules, in order; the first that finds a candidate decides:

- ``reference``: an RF creditor reference (ISO 11649) or a Belgian structured
  communication (+++123/4567/89012+++) of a reminder or an invoice in the
  label. A reminder's reference stands for its invoices that are still open.
- ``number``: an invoice's number or (free) payment reference in the label.
- ``iban``: the counterparty's partner (by the statement line's partner, or
  else the owners of its IBAN) has exactly one open invoice of the line's
  amount.
- ``subset``: that partner has open invoices (at most ``SUBSET_MAX_INVOICES``)
  of which exactly one combination of two or more sums to the line's amount.

Labels and references are compared normalised: letters upper-cased, and
everything but letters and digits removed (spaces, ``+++``, ``/``, dashes). A
reference is found only where it starts and ends at a word boundary of the
label, so ``INV/2025/0001`` is not found in ``INV/2025/00012``.

A match is *exact* when the amounts agree to the cent (Decimal arithmetic) and
*ambiguous* when the rule found several answers: two invoices of the line's
amount, two partners on one IBAN, several combinations, references of several
debtors. Only an exact match that is not ambiguous may be reconciled without a
person looking at it (``Match.automatic``). A line without any candidate gets
no match.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from itertools import combinations

from .legal.references import is_structured_reference as is_structured

RULE_REFERENCE = "reference"
RULE_NUMBER = "number"
RULE_IBAN = "iban"
RULE_SUBSET = "subset"
RULES = (RULE_REFERENCE, RULE_NUMBER, RULE_IBAN, RULE_SUBSET)

SUBSET_MAX_INVOICES = 12  # open invoices of one partner the subset rule looks at
NUMBER_MIN_LENGTH = 4  # shorter invoice numbers are not looked for in labels

_WORDS = re.compile(r"[0-9A-Za-z]+")
_NOT_ALNUM = re.compile(r"[^0-9A-Za-z]+")


@dataclass(frozen=True)
class StatementLine:
    id: int
    date: object
    amount: Decimal  # incoming: positive, in ``currency``
    currency: object  # any hashable: an id, a code
    label: str = ""
    partner_id: int | None = None  # the commercial partner, if known
    iban: str | None = None  # of the counterparty


@dataclass(frozen=True)
class OpenInvoice:
    id: int
    partner_id: int  # the commercial partner
    residual: Decimal  # open amount, positive, in ``currency``
    currency: object
    number: str = ""
    payment_reference: str = ""
    # RF references and structured communications the debtor may pay with:
    # the invoice's own and those of the reminders that claimed it.
    references: tuple = ()


@dataclass(frozen=True)
class Match:
    line_id: int
    rule: str
    invoice_ids: tuple  # candidate invoices (all of them when ambiguous)
    partner_ids: tuple  # their partners
    amount: Decimal  # the line's amount
    invoice_amount: Decimal  # open amount of the candidates (same currency)
    exact: bool  # the amounts agree to the cent
    ambiguous: bool  # several answers: never reconciled without a person

    @property
    def automatic(self):
        """Exact and unique: may be reconciled without review."""
        return self.exact and not self.ambiguous


def normalize(text):
    """Upper-case letters and digits only: ``+++090/9337/55493+++`` gives
    ``090933755493``, ``RF18 5390 0754 7034`` gives ``RF18539007547034``."""
    return _NOT_ALNUM.sub("", text or "").upper()


def normalize_iban(iban):
    return normalize(iban) or None


def label_keys(label, max_length):
    """Every run of consecutive words of ``label``, normalised and joined,
    of at most ``max_length`` characters: the strings a reference found in
    the label can be."""
    words = [word.upper() for word in _WORDS.findall(label or "")]
    keys = set()
    for start in range(len(words)):
        key = ""
        for word in words[start:]:
            key += word
            if len(key) > max_length:
                break
            keys.add(key)
    return keys


class Matcher:
    """The open invoices of one company, indexed once; ``match`` then answers
    for any number of statement lines.

    ``partner_ibans``: ``{iban: {partner_id, ...}}`` or pairs
    ``(iban, partner_id)``, the debtors' bank accounts.
    """

    def __init__(self, invoices, partner_ibans=()):
        self.invoices = {inv.id: inv for inv in invoices}
        self.structured = defaultdict(set)  # normalised reference -> invoice ids
        self.numbers = defaultdict(set)  # normalised number/reference -> ids
        self.by_partner = defaultdict(list)
        for inv in self.invoices.values():
            self.by_partner[inv.partner_id].append(inv)
            for reference in (inv.payment_reference, *inv.references):
                key = normalize(reference)
                if key and is_structured(key):
                    self.structured[key].add(inv.id)
            for text in (inv.number, inv.payment_reference):
                key = normalize(text)
                if (
                    len(key) >= NUMBER_MIN_LENGTH
                    and any(c.isdigit() for c in key)
                    and key not in self.structured
                ):
                    self.numbers[key].add(inv.id)
        self.max_key = max(map(len, [*self.structured, *self.numbers]), default=0)
        if isinstance(partner_ibans, dict):
            partner_ibans = (
                (iban, pid) for iban, pids in partner_ibans.items() for pid in pids
            )
        self.iban_partners = defaultdict(set)
        for iban, partner_id in partner_ibans:
            key = normalize_iban(iban)
            if key:
                self.iban_partners[key].add(partner_id)
        self._halves = {}  # (partner_id, currency) -> subset sums, see _subsets

    def match(self, lines):
        """The matches of ``lines`` (StatementLine), in their order; lines
        without a candidate are left out."""
        matches = []
        for line in lines:
            found = self.match_line(line)
            if found:
                matches.append(found)
        return matches

    def match_line(self, line):
        if line.amount <= 0:
            return None
        keys = label_keys(line.label, self.max_key) if self.max_key else set()
        for rule, index in (
            (RULE_REFERENCE, self.structured),
            (RULE_NUMBER, self.numbers),
        ):
            ids = set()
            for key in keys & index.keys():
                ids |= index[key]
            if ids:
                return self._by_reference(line, rule, ids)
        partners = self._line_partners(line)
        if not partners:
            return None
        return self._by_amount(line, partners)

    # ------------------------------------------------------------------
    def _result(self, line, rule, invoices, exact, ambiguous):
        invoices = sorted(invoices, key=lambda inv: inv.id)
        return Match(
            line_id=line.id,
            rule=rule,
            invoice_ids=tuple(inv.id for inv in invoices),
            partner_ids=tuple(sorted({inv.partner_id for inv in invoices})),
            amount=line.amount,
            invoice_amount=sum(
                (inv.residual for inv in invoices if inv.currency == line.currency),
                Decimal(0),
            ),
            exact=exact,
            ambiguous=ambiguous,
        )

    def _by_reference(self, line, rule, ids):
        invoices = [self.invoices[i] for i in ids]
        partners = {inv.partner_id for inv in invoices}
        # References of several debtors, or of another debtor than the one
        # the bank names: a person decides.
        ambiguous = len(partners) > 1 or (
            line.partner_id is not None and partners != {line.partner_id}
        )
        exact = (
            all(inv.currency == line.currency for inv in invoices)
            and sum((inv.residual for inv in invoices), Decimal(0)) == line.amount
        )
        return self._result(line, rule, invoices, exact, ambiguous)

    def _line_partners(self, line):
        if line.partner_id is not None:
            return {line.partner_id}
        return self.iban_partners.get(normalize_iban(line.iban), set())

    def _by_amount(self, line, partners):
        same = [
            inv
            for pid in sorted(partners)
            for inv in self.by_partner.get(pid, ())
            if inv.currency == line.currency and inv.residual == line.amount
        ]
        if same:
            ambiguous = len(same) > 1 or len(partners) > 1
            return self._result(line, RULE_IBAN, same, True, ambiguous)
        subsets = []
        for pid in sorted(partners):
            subsets.extend(self._subsets(pid, line.currency, line.amount, 2))
        if not subsets:
            return None
        invoices = {inv.id: inv for subset in subsets for inv in subset}.values()
        ambiguous = len(subsets) > 1 or len(partners) > 1
        return self._result(line, RULE_SUBSET, invoices, True, ambiguous)

    def _subsets(self, partner_id, currency, amount, limit):
        """Up to ``limit`` combinations of two or more of the partner's open
        invoices in ``currency`` that sum exactly to ``amount``.

        Meet in the middle: the sums of each half of the (at most
        SUBSET_MAX_INVOICES) invoices are computed once per partner, so a
        line costs 2**(n/2) lookups, not 2**n additions. A partner with more
        open invoices is not searched: too many combinations to call one of
        them unique.
        """
        key = (partner_id, currency)
        if key not in self._halves:
            invoices = [
                inv
                for inv in self.by_partner.get(partner_id, ())
                if inv.currency == currency
            ]
            if not 2 <= len(invoices) <= SUBSET_MAX_INVOICES:
                self._halves[key] = None
            else:
                middle = len(invoices) // 2
                self._halves[key] = (
                    _subset_sums(invoices[:middle]),
                    _subset_sums(invoices[middle:]),
                )
        halves = self._halves[key]
        if halves is None:
            return []
        left, right = halves
        found = []
        for total, left_subsets in left.items():
            right_subsets = right.get(amount - total)
            if not right_subsets:
                continue
            for first in left_subsets:
                for second in right_subsets:
                    if len(first) + len(second) >= 2:
                        found.append(first + second)
                        if len(found) >= limit:
                            return found
        return found


def _subset_sums(invoices):
    """``{sum: [subset, ...]}`` over every subset of ``invoices`` (the empty
    one included)."""
    sums = defaultdict(list)
    for size in range(len(invoices) + 1):
        for subset in combinations(invoices, size):
            sums[sum((inv.residual for inv in subset), Decimal(0))].append(subset)
    return sums


def match_lines(lines, invoices, partner_ibans=()):
    """Match ``lines`` against ``invoices`` in one call (see ``Matcher``)."""
    return Matcher(invoices, partner_ibans).match(lines)
