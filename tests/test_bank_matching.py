"""Tests of the pure bank matcher ``debiteur_dunning/bank_matching.py``.

The module is loaded by file path, never through ``odoo.addons`` (as in
``test_legal.py``): the same file runs under plain pytest
(``python3 -m pytest -p no:odoo tests/test_bank_matching.py``) and under
pytest-odoo, with no database.
"""

import ast
import importlib
import sys
import types
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

PATH = Path(__file__).resolve().parent.parent / "debiteur_dunning" / "bank_matching.py"


def _load():
    """bank_matching.py as a submodule of a bare package over the addon's
    folder (the addon's own ``__init__`` imports Odoo), so that its import of
    ``legal/`` resolves without Odoo."""
    package = "debiteur_pure"
    if package not in sys.modules:
        module = types.ModuleType(package)
        module.__path__ = [str(PATH.parent)]
        sys.modules[package] = module
    return importlib.import_module(f"{package}.bank_matching")


bm = _load()
D = Decimal
EUR, USD = "EUR", "USD"
DAY = date(2026, 12, 3)


def line(amount, label="", partner=None, iban=None, currency=EUR, id=1):
    return bm.StatementLine(
        id=id,
        date=DAY,
        amount=D(amount),
        currency=currency,
        label=label,
        partner_id=partner,
        iban=iban,
    )


def inv(id, partner, residual, number="", ref="", refs=(), currency=EUR):
    return bm.OpenInvoice(
        id=id,
        partner_id=partner,
        residual=D(residual),
        currency=currency,
        number=number or f"INV/2026/{id:05d}",
        payment_reference=ref or number or f"INV/2026/{id:05d}",
        references=tuple(refs),
    )


def one(lines, invoices, ibans=()):
    matches = bm.match_lines(
        lines if isinstance(lines, list) else [lines], invoices, ibans
    )
    assert len(matches) <= 1
    return matches[0] if matches else None


def test_module_imports_no_odoo():
    tree = ast.parse(PATH.read_text(), filename=str(PATH))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level:
            names = [node.module]
        else:
            continue
        for name in names:
            assert name.split(".")[0] != "odoo", name


def test_normalize():
    assert bm.normalize("+++090/9337/55493+++") == "090933755493"
    assert bm.normalize("rf18 5390 0754 7034") == "RF18539007547034"
    assert bm.is_structured("090933755493")
    assert bm.is_structured("RF18539007547034")
    assert not bm.is_structured("090933755494")  # wrong check digits
    assert not bm.is_structured("RF19539007547034")


# ----------------------------------------------------------------------
# Rule (a): structured references
# ----------------------------------------------------------------------
def test_reference_of_a_reminder_matches_its_open_invoices():
    invoices = [
        inv(1, 10, "1000.00", refs=["RF18539007547034"]),
        inv(2, 10, "210.00", refs=["RF18539007547034"]),
        inv(3, 10, "1210.00"),  # same amount, no reference: not a candidate
    ]
    match = one(line("1210.00", "Betaling rf18 5390 0754 7034 dank u"), invoices)
    assert match.rule == bm.RULE_REFERENCE
    assert match.invoice_ids == (1, 2)
    assert match.partner_ids == (10,)
    assert match.exact and not match.ambiguous and match.automatic


def test_belgian_structured_communication_in_any_notation():
    invoices = [inv(1, 10, "50.00", refs=["+++090/9337/55493+++"])]
    for label in ("+++090/9337/55493+++", "090 9337 55493", "***090/9337/55493***"):
        match = one(line("50.00", label), invoices)
        assert match.rule == bm.RULE_REFERENCE and match.automatic, label


def test_reference_with_another_amount_is_a_partial_payment_to_check():
    invoices = [inv(1, 10, "1000.00", refs=["RF18539007547034"])]
    match = one(line("400.00", "RF18539007547034"), invoices)
    assert match.rule == bm.RULE_REFERENCE
    assert match.invoice_ids == (1,)
    assert not match.exact and not match.automatic
    assert match.invoice_amount == D("1000.00")


def test_invoice_payment_reference_structured():
    invoices = [inv(1, 10, "75.00", ref="+++090/9337/55493+++")]
    match = one(line("75.00", "090/9337/55493"), invoices)
    assert match.rule == bm.RULE_REFERENCE and match.automatic


def test_references_of_two_debtors_are_ambiguous():
    invoices = [
        inv(1, 10, "100.00", refs=["RF18539007547034"]),
        inv(2, 20, "100.00", refs=["+++090/9337/55493+++"]),
    ]
    match = one(line("200.00", "RF18539007547034 090933755493"), invoices)
    assert match.rule == bm.RULE_REFERENCE
    assert match.partner_ids == (10, 20)
    assert match.exact and match.ambiguous and not match.automatic


def test_reference_of_another_debtor_than_the_bank_names_is_ambiguous():
    invoices = [inv(1, 10, "100.00", refs=["RF18539007547034"])]
    match = one(line("100.00", "RF18539007547034", partner=20), invoices)
    assert match.ambiguous and not match.automatic


def test_reference_in_another_currency_is_not_exact():
    invoices = [inv(1, 10, "100.00", refs=["RF18539007547034"], currency=USD)]
    match = one(line("100.00", "RF18539007547034"), invoices)
    assert not match.exact


def test_reference_with_wrong_check_digits_is_not_a_reference():
    invoices = [inv(1, 10, "100.00", refs=["RF18539007547034"])]
    assert one(line("100.00", "RF19539007547034"), invoices) is None


# ----------------------------------------------------------------------
# Rule (b): invoice number or payment reference
# ----------------------------------------------------------------------
def test_invoice_number_in_the_label():
    invoices = [inv(1, 10, "121.00", number="INV/2026/00012"), inv(2, 10, "121.00")]
    match = one(line("121.00", "factuur inv 2026 00012"), invoices)
    assert match.rule == bm.RULE_NUMBER
    assert match.invoice_ids == (1,)
    assert match.automatic


def test_invoice_number_only_at_word_boundaries():
    invoices = [inv(1, 10, "121.00", number="INV/2026/0001")]
    assert one(line("121.00", "INV/2026/00012"), invoices) is None


def test_free_payment_reference_in_the_label():
    invoices = [inv(1, 10, "80.00", number="INV/2026/00001", ref="ORDER 4711")]
    match = one(line("80.00", "Your order4711 thanks"), invoices)
    assert match.rule == bm.RULE_NUMBER and match.invoice_ids == (1,)


def test_two_numbers_pay_two_invoices():
    invoices = [
        inv(1, 10, "100.00", number="INV/2026/00001"),
        inv(2, 10, "50.00", number="INV/2026/00002"),
    ]
    match = one(line("150.00", "INV/2026/00001 INV/2026/00002"), invoices)
    assert match.invoice_ids == (1, 2) and match.automatic


def test_short_numbers_are_not_looked_for():
    invoices = [inv(1, 10, "5.00", number="A1")]
    assert one(line("5.00", "A1"), invoices) is None


def test_reference_rule_goes_before_number_rule():
    invoices = [
        inv(1, 10, "100.00", number="INV/2026/00001", refs=["RF18539007547034"]),
        inv(2, 10, "100.00", number="INV/2026/00002"),
    ]
    match = one(line("100.00", "INV/2026/00002 RF18539007547034"), invoices)
    assert match.rule == bm.RULE_REFERENCE and match.invoice_ids == (1,)


# ----------------------------------------------------------------------
# Rule (c): partner (or its IBAN) and the exact amount
# ----------------------------------------------------------------------
IBAN = "NL91ABNA0417164300"


def test_iban_and_exact_amount():
    invoices = [inv(1, 10, "99.95"), inv(2, 10, "10.00"), inv(3, 20, "99.95")]
    match = one(
        line("99.95", "thanks", iban="nl91 abna 0417 1643 00"), invoices, {IBAN: {10}}
    )
    assert match.rule == bm.RULE_IBAN
    assert match.invoice_ids == (1,) and match.automatic


def test_partner_of_the_line_and_exact_amount():
    invoices = [inv(1, 10, "99.95"), inv(3, 20, "99.95")]
    match = one(line("99.95", partner=20), invoices)
    assert match.rule == bm.RULE_IBAN and match.invoice_ids == (3,) and match.automatic


def test_two_invoices_of_the_same_amount_are_ambiguous():
    invoices = [inv(1, 10, "99.95"), inv(2, 10, "99.95")]
    match = one(line("99.95", iban=IBAN), invoices, [(IBAN, 10)])
    assert match.rule == bm.RULE_IBAN
    assert match.invoice_ids == (1, 2)
    assert match.ambiguous and not match.automatic


def test_two_partners_on_one_iban_are_ambiguous():
    invoices = [inv(1, 10, "99.95"), inv(2, 20, "5.00")]
    match = one(line("99.95", iban=IBAN), invoices, {IBAN: {10, 20}})
    assert match.ambiguous and not match.automatic
    assert match.invoice_ids == (1,)


def test_unknown_iban_and_no_partner_gives_nothing():
    invoices = [inv(1, 10, "99.95")]
    assert one(line("99.95", iban="BE68539007547034"), invoices, {IBAN: {10}}) is None
    assert one(line("99.95"), invoices) is None


def test_amount_in_another_currency_does_not_match():
    invoices = [inv(1, 10, "99.95", currency=USD)]
    assert one(line("99.95", partner=10), invoices) is None


# ----------------------------------------------------------------------
# Rule (d): one partner's invoices summing to the line
# ----------------------------------------------------------------------
def test_subset_of_a_partners_invoices():
    invoices = [
        inv(1, 10, "100.10"),
        inv(2, 10, "200.20"),
        inv(3, 10, "0.07"),
        inv(4, 10, "50.00"),
    ]
    match = one(line("300.37", partner=10), invoices)
    assert match.rule == bm.RULE_SUBSET
    assert match.invoice_ids == (1, 2, 3)
    assert match.exact and match.automatic


def test_several_subsets_are_ambiguous():
    invoices = [inv(1, 10, "10.00"), inv(2, 10, "20.00"), inv(3, 10, "30.00")]
    match = one(line("30.00", partner=10), invoices)
    # 30 is one invoice: the IBAN rule answers first, alone.
    assert match.rule == bm.RULE_IBAN and match.automatic
    invoices.append(inv(4, 10, "40.00"))
    match = one(line("70.00", partner=10), invoices)  # 30+40 and 10+20+40
    assert match.rule == bm.RULE_SUBSET
    assert match.ambiguous and not match.automatic


def test_subset_search_is_bounded():
    many = [inv(i, 10, "1.00") for i in range(1, bm.SUBSET_MAX_INVOICES + 2)]
    many.append(inv(99, 10, "1000.00"))
    assert one(line("1001.00", partner=10), many) is None
    few = [inv(1, 10, "1.00"), inv(99, 10, "1000.00")]
    assert one(line("1001.00", partner=10), few).automatic


def test_no_subset_gives_nothing():
    invoices = [inv(1, 10, "10.00"), inv(2, 10, "20.00")]
    assert one(line("25.00", partner=10), invoices) is None


def test_cents_are_exact():
    invoices = [inv(1, 10, "0.10"), inv(2, 10, "0.20")]
    assert one(
        line("0.30", partner=10), invoices
    ).automatic  # 0.1 + 0.2 in floats is not 0.3


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.integers(min_value=1, max_value=10**6), min_size=2, max_size=8),
    st.data(),
)
def test_subset_found_is_a_true_subset(cents, data):
    invoices = [inv(i + 1, 10, D(c) / 100) for i, c in enumerate(cents)]
    chosen = data.draw(st.lists(st.sampled_from(invoices), min_size=2, unique=True))
    total = sum((i.residual for i in chosen), D(0))
    match = one(line(total, partner=10), invoices)
    assert match is not None and match.exact
    by_id = {i.id: i for i in invoices}
    if match.automatic:
        assert sum((by_id[i].residual for i in match.invoice_ids), D(0)) == total


# ----------------------------------------------------------------------
# Refusals and the batch
# ----------------------------------------------------------------------
def test_outgoing_or_zero_lines_are_left_alone():
    invoices = [inv(1, 10, "10.00")]
    assert one(line("-10.00", partner=10), invoices) is None
    assert one(line("0", partner=10), invoices) is None


def test_lines_without_candidate_get_no_result():
    invoices = [inv(1, 10, "10.00", number="INV/2026/00001")]
    lines = [
        line("10.00", "INV/2026/00001", id=1),
        line("77.00", "rent", id=2),
        line("10.00", partner=10, id=3),
    ]
    matches = bm.match_lines(lines, invoices)
    assert [m.line_id for m in matches] == [1, 3]


@pytest.mark.parametrize("rule", bm.RULES)
def test_rules_are_named(rule):
    assert rule in {"reference", "number", "iban", "subset"}
