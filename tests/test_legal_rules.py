"""Tests of the legal rules added for LEGAL.md's corrections: calendars, receipt,
collection costs decision, interest on changing balances, Belgian prescription,
stale rate tables.

Pure: the package is loaded by file path (as in ``test_legal.py``), so this file
runs under plain pytest (``python3 -m pytest -p no:odoo tests/test_legal_rules.py``)
and under pytest-odoo, without a database.
"""

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from .pure import load_pure

legal = load_pure("legal", "debiteur_legal")
D = Decimal
FAST = settings(max_examples=150, deadline=None)

NL_BUSINESS = [
    (date(2022, 7, 1), D("8")),
    (date(2023, 1, 1), D("10.5")),
    (date(2023, 7, 1), D("12")),
    (date(2024, 1, 1), D("12.5")),
    (date(2024, 7, 1), D("12.25")),
    (date(2025, 1, 1), D("11.15")),
    (date(2025, 7, 1), D("10.15")),
    (date(2026, 1, 1), D("10.15")),
]

DATES = st.dates(min_value=date(2023, 1, 1), max_value=date(2030, 12, 31))
MONEY = st.decimals(
    min_value=D("0.00"), max_value=D("2000000"), places=2, allow_nan=False
)


def test_new_public_names_are_exported():
    for name in (
        "is_working_day",
        "next_working_day",
        "post_receipt_date",
        "receipt_date",
        "collection_costs",
        "costs_vat_surcharge",
        "interest_on_balances",
        "stale_rate_kinds",
        "BE_BUSINESS_COMPENSATION",
        "BE_CONSUMER_REMINDER_FEE",
        "NL_B2B_MINIMUM_PER_INVOICE",
    ):
        assert name in legal.__all__
        assert hasattr(legal, name)
    assert legal.BE_BUSINESS_COMPENSATION == D("40.00")
    assert legal.BE_CONSUMER_REMINDER_FEE == D("7.50")
    assert legal.NL_B2B_MINIMUM_PER_INVOICE == D("40.00")


# --- calendar --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "country", "working"),
    [
        (date(2026, 3, 2), "NL", True),  # Monday
        (date(2026, 3, 7), "NL", False),  # Saturday
        (date(2026, 3, 8), "NL", False),  # Sunday
        (date(2026, 1, 1), "NL", False),  # New Year
        (date(2026, 4, 3), "NL", False),  # Good Friday: safe side
        (date(2026, 4, 6), "NL", False),  # Easter Monday
        (date(2026, 4, 27), "NL", False),  # King's Day
        (date(2026, 5, 5), "NL", False),  # 5 May, also outside lustrum years
        (date(2027, 5, 5), "NL", False),
        (date(2026, 5, 14), "NL", False),  # Ascension
        (date(2026, 5, 25), "NL", False),  # Whit Monday
        (date(2026, 12, 25), "NL", False),
        (date(2026, 12, 28), "NL", True),
        (date(2026, 7, 21), "BE", False),  # Belgian National Day
        (date(2026, 7, 21), "NL", True),
        (date(2026, 11, 11), "be", False),  # Armistice
        (date(2026, 4, 3), "BE", True),  # Good Friday is no BE holiday
        (date(2026, 5, 1), "BE", False),
    ],
)
def test_is_working_day(day, country, working):
    assert legal.is_working_day(day, country) is working


def test_next_working_day():
    assert legal.next_working_day(date(2026, 3, 2), "NL") == date(2026, 3, 2)
    assert legal.next_working_day(date(2026, 3, 7), "NL") == date(2026, 3, 9)
    # Christmas Friday 25, Saturday, Sunday -> Monday 28 December 2026
    assert legal.next_working_day(date(2026, 12, 25), "NL") == date(2026, 12, 28)
    # Easter: Good Friday to Easter Monday -> Tuesday 7 April 2026
    assert legal.next_working_day(date(2026, 4, 3), "NL") == date(2026, 4, 7)
    assert legal.next_working_day(date(2026, 4, 3), "BE") == date(2026, 4, 3)
    # An explicit collection replaces the calendar
    assert legal.next_working_day(date(2026, 4, 6), "NL", holidays=()) == date(
        2026, 4, 6
    )


@pytest.mark.parametrize(
    ("posted", "country", "expected"),
    [
        (date(2026, 3, 2), "NL", date(2026, 3, 4)),  # Mon -> Tue, Wed
        (date(2026, 3, 6), "NL", date(2026, 3, 10)),  # Fri -> Sat, Tue
        (date(2026, 3, 7), "NL", date(2026, 3, 11)),  # Sat -> Tue, Wed
        (date(2026, 3, 8), "NL", date(2026, 3, 11)),  # Sun -> Tue, Wed
        # Christmas 2025 (Thu, Fri): Sat 27, Tue 30
        (date(2025, 12, 24), "NL", date(2025, 12, 30)),
        # King's Day Monday 27 April 2026 (no delivery on Monday anyway)
        (date(2026, 4, 25), "NL", date(2026, 4, 29)),
        # BE: the third working day (Easter Monday 6 April 2026 skipped)
        (date(2026, 4, 2), "BE", date(2026, 4, 8)),
        (date(2026, 3, 2), "BE", date(2026, 3, 5)),
    ],
)
def test_post_receipt_date(posted, country, expected):
    assert legal.post_receipt_date(posted, country) == expected


@pytest.mark.parametrize(
    ("sent", "channel", "country", "expected"),
    [
        (date(2026, 3, 2), "email", "NL", date(2026, 3, 2)),
        (date(2026, 3, 2), "post", "NL", date(2026, 3, 4)),
        (date(2026, 3, 2), "email_letter", "NL", date(2026, 3, 4)),
        (date(2026, 3, 2), "post", "BE", date(2026, 3, 5)),
        (date(2026, 3, 7), "email", "BE", date(2026, 3, 7)),
    ],
)
def test_receipt_date(sent, channel, country, expected):
    assert legal.receipt_date(sent, channel, country) == expected


def test_calendar_refuses_bad_input():
    with pytest.raises(ValueError, match="unknown country"):
        legal.is_working_day(date(2026, 3, 2), "DE")
    with pytest.raises(ValueError, match="unknown channel"):
        legal.receipt_date(date(2026, 3, 2), "fax", "NL")
    with pytest.raises(TypeError):
        legal.post_receipt_date("2026-03-02", "NL")


# --- deadlines -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "channel", "country", "expected"),
    [
        # LEGAL.md
        (date(2026, 3, 2), "email", "NL", date(2026, 3, 16)),
        (date(2026, 3, 2), "post", "NL", date(2026, 3, 18)),
        (date(2026, 3, 8), "email", "NL", date(2026, 3, 23)),
        (date(2026, 4, 10), "email", "NL", date(2026, 4, 24)),
        # NL: the last day on King's Day (Monday 27 April 2026) -> Tuesday 28
        (date(2026, 4, 13), "email", "NL", date(2026, 4, 28)),
        # NL: the last day on 5 May 2026 (Tuesday) -> Wednesday 6
        (date(2026, 4, 21), "email", "NL", date(2026, 5, 6)),
        # BE: e-mail Mon 2 March: starts Tue 3, last Mon 16 March
        (date(2026, 3, 2), "email", "BE", date(2026, 3, 16)),
        # BE: post Thu 2 April 2026: Fri 3, (Easter Monday) Tue 7, Wed 8;
        # 8 + 13 = Tue 21 April
        (date(2026, 4, 2), "post", "BE", date(2026, 4, 21)),
        # BE: the last day on 21 July 2026 (National Day, Tuesday) -> 22 July
        (date(2026, 7, 7), "email", "BE", date(2026, 7, 22)),
    ],
)
def test_deadline_examples(sent, channel, country, expected):
    assert legal.legal_notice_deadline(sent, channel, country) == expected


@FAST
@given(DATES, st.sampled_from(["email", "post"]), st.sampled_from(["NL", "BE"]))
def test_deadline_is_a_working_day_at_least_fourteen_days_after_receipt(
    sent, channel, country
):
    last = legal.legal_notice_deadline(sent, channel, country)
    assert legal.is_working_day(last, country)
    receipt = legal.receipt_date(sent, channel, country)
    assert last >= receipt + timedelta(days=13)
    if country == "NL":
        assert last >= receipt + timedelta(days=14)
    # a later send date never gives an earlier deadline
    assert legal.legal_notice_deadline(sent + timedelta(days=1), channel, country) >= (
        last
    )


# --- collection costs ------------------------------------------------------------


def costs(**overrides):
    args = {
        "jurisdiction": "nl",
        "consumer": False,
        "costs_mode": "statutory",
        "principal": D("1234.56"),
        "invoice_count": 1,
        "fee": D("0"),
        "deadline_passed": True,
        "first_reminder": False,
    }
    args.update(overrides)
    return legal.collection_costs(**args)


@pytest.mark.parametrize(
    ("overrides", "amount", "code"),
    [
        ({"principal": D("0")}, "0.00", "nothing_open"),
        ({"costs_mode": "none"}, "0.00", "policy_none"),
        # fixed fees
        (
            {"costs_mode": "fixed", "consumer": True, "fee": 15},
            "0.00",
            "nl_consumer_no_fees",
        ),
        ({"costs_mode": "fixed", "fee": 15}, "15.00", "fixed_fee"),
        ({"costs_mode": "fixed", "fee": 0}, "0.00", "no_fee"),
        (
            {"costs_mode": "fixed", "jurisdiction": "be", "fee": 12},
            "12.00",
            "fixed_fee",
        ),
        (
            {"costs_mode": "fixed", "jurisdiction": "other", "fee": 12},
            "12.00",
            "fixed_fee",
        ),
        (
            {
                "costs_mode": "fixed",
                "jurisdiction": "be",
                "consumer": True,
                "fee": 5,
                "first_reminder": True,
            },
            "0.00",
            "be_consumer_first_free",
        ),
        # BE consumer: no fee per reminder (XIX.4 WER) ...
        (
            {"costs_mode": "fixed", "jurisdiction": "be", "consumer": True, "fee": 5},
            "0.00",
            "be_consumer_no_fees",
        ),
        (
            {
                "costs_mode": "fixed",
                "jurisdiction": "be",
                "consumer": True,
                "fee": 5,
                "recurring_contract_fee": True,
                "reminders_this_year": 2,
            },
            "0.00",
            "be_consumer_no_fees",
        ),
        (
            {
                "costs_mode": "fixed",
                "jurisdiction": "be",
                "consumer": True,
                "fee": 5,
                "recurring_contract_fee": False,
                "reminders_this_year": 5,
            },
            "0.00",
            "be_consumer_no_fees",
        ),
        # ... except beyond three reminders a year under a recurring contract
        (
            {
                "costs_mode": "fixed",
                "jurisdiction": "be",
                "consumer": True,
                "fee": 5,
                "recurring_contract_fee": True,
                "reminders_this_year": 3,
            },
            "5.00",
            "be_consumer_recurring_fee",
        ),
        (
            {
                "costs_mode": "fixed",
                "jurisdiction": "be",
                "consumer": True,
                "fee": 20,
                "recurring_contract_fee": True,
                "reminders_this_year": 4,
            },
            "7.50",
            "be_consumer_fee_capped",
        ),
        (
            {
                "costs_mode": "fixed",
                "jurisdiction": "be",
                "consumer": True,
                "fee": 0,
                "recurring_contract_fee": True,
                "reminders_this_year": 4,
            },
            "0.00",
            "no_fee",
        ),
        # NL statutory
        (
            {"consumer": True, "deadline_passed": False},
            "0.00",
            "nl_consumer_before_term",
        ),
        ({"consumer": True}, "185.18", "nl_wik_consumer"),
        ({"consumer": True, "invoice_count": 9}, "185.18", "nl_wik_consumer"),
        ({}, "185.18", "nl_wik_business"),
        ({"principal": D("200")}, "40.00", "nl_wik_business"),
        # CJEU C-585/20: 40.00 per invoice when that is more than the scale
        (
            {"principal": D("200"), "invoice_count": 3},
            "120.00",
            "nl_business_minimum_per_invoice",
        ),
        ({"invoice_count": 4}, "185.18", "nl_wik_business"),
        ({"invoice_count": 5}, "200.00", "nl_business_minimum_per_invoice"),
        ({"invoice_count": 0}, "185.18", "nl_wik_business"),
        # BE statutory
        (
            {"jurisdiction": "be", "consumer": True, "first_reminder": True},
            "0.00",
            "be_consumer_first_free_damages",
        ),
        (
            {"jurisdiction": "be", "consumer": True, "express_clause": False},
            "0.00",
            "be_consumer_no_clause",
        ),
        (
            {"jurisdiction": "be", "consumer": True, "deadline_passed": False},
            "0.00",
            "be_consumer_before_term",
        ),
        ({"jurisdiction": "be", "consumer": True}, "101.73", "be_consumer_damages"),
        (
            {"jurisdiction": "BE", "invoice_count": 3},
            "120.00",
            "be_business_compensation",
        ),
        (
            {"jurisdiction": "be", "invoice_count": 0},
            "40.00",
            "be_business_compensation",
        ),
        ({"jurisdiction": "other"}, "0.00", "other_jurisdiction"),
    ],
)
def test_collection_costs_decision_table(overrides, amount, code):
    result, reason, params = costs(**overrides)
    assert (result, reason) == (D(amount), code)
    assert isinstance(params, dict)
    assert result == result.quantize(D("0.01"))


def test_collection_costs_params():
    assert costs(principal=D("200"), invoice_count=3)[2] == {
        "each": D("40.00"),
        "count": 3,
    }
    assert costs()[2] == {"principal": D("1234.56"), "minimum": D("40.00")}
    assert costs(jurisdiction="be", consumer=True)[2] == {"balance": D("1234.56")}
    assert costs(costs_mode="fixed", fee=D("12.345"))[:2] == (D("12.35"), "fixed_fee")


def test_collection_costs_refuses_bad_input():
    with pytest.raises(ValueError, match="costs_mode"):
        costs(costs_mode="percent")
    with pytest.raises(ValueError, match="principal"):
        costs(principal=D("-1"))
    with pytest.raises(ValueError, match="invoice_count"):
        costs(invoice_count=-1)
    with pytest.raises(TypeError):
        costs(invoice_count=1.5)
    with pytest.raises(TypeError):
        costs(jurisdiction=None)


STATUTORY_CASES = st.fixed_dictionaries(
    {
        "jurisdiction": st.sampled_from(["nl", "be", "other"]),
        "consumer": st.booleans(),
        "costs_mode": st.sampled_from(["none", "fixed", "statutory"]),
        "invoice_count": st.integers(min_value=0, max_value=200),
        "fee": st.decimals(min_value=0, max_value=500, places=2),
        "deadline_passed": st.booleans(),
        "first_reminder": st.booleans(),
        "express_clause": st.booleans(),
        "recurring_contract_fee": st.booleans(),
        "reminders_this_year": st.integers(min_value=0, max_value=10),
    }
)


@FAST
@given(STATUTORY_CASES, MONEY, MONEY)
def test_collection_costs_properties(case, principal_a, principal_b):
    low, high = sorted((principal_a, principal_b))
    amount_low, _code, _params = legal.collection_costs(principal=low, **case)
    amount_high, code, _params = legal.collection_costs(principal=high, **case)
    assert amount_low >= 0
    # monotone in the principal (nothing open owes nothing)
    assert amount_low <= amount_high
    count = max(case["invoice_count"], 1)
    if case["costs_mode"] == "statutory":
        if case["jurisdiction"] == "nl":
            assert amount_high <= max(D("6775.00"), 40 * count)
        if case["jurisdiction"] == "be" and case["consumer"]:
            assert amount_high <= D("2000.00")
    if case["jurisdiction"] == "be" and case["consumer"]:
        if case["costs_mode"] == "fixed":
            assert amount_high <= D("7.50")
        if case["first_reminder"]:
            assert amount_high == 0
    if case["jurisdiction"] == "nl" and case["consumer"]:
        if case["costs_mode"] == "fixed" or not case["deadline_passed"]:
            assert amount_high == 0
    assert isinstance(code, str) and code


@pytest.mark.parametrize(
    ("costs_amount", "rate", "expected"),
    [
        (D("185.18"), 21, D("38.89")),
        (D("40.00"), 21, D("8.40")),
        (D("6775.00"), D("21"), D("1422.75")),
        (D("0"), 21, D("0.00")),
        (D("100.00"), 9, D("9.00")),
        (185.18, 21, D("38.89")),
    ],
)
def test_costs_vat_surcharge(costs_amount, rate, expected):
    assert legal.costs_vat_surcharge(costs_amount, rate) == expected


def test_costs_vat_surcharge_default_rate_and_errors():
    assert legal.costs_vat_surcharge(D("100")) == D("21.00")
    with pytest.raises(ValueError):
        legal.costs_vat_surcharge(D("-1"))


# --- interest on changing balances ----------------------------------------------


def test_interest_on_balances_worked_example():
    # 2,500.00 from 2024-01-01 (NL business), paid down to 1,500.00 from
    # 2024-07-01. By hand: 2,500 x 12.5 % x 182/366 = 155.3962 and
    # 1,500 x 12.25 % x 184/366 = 92.3770; 2024: 247.7732 -> 247.77.
    balances = [(date(2024, 1, 1), D("2500.00")), (date(2024, 7, 1), D("1500.00"))]
    by_hand = (
        Fraction(2500) * Fraction("0.125") * 182 / 366
        + Fraction(1500) * Fraction("0.1225") * 184 / 366
    )
    assert round(float(by_hand), 4) == 247.7732
    assert legal.interest_on_balances(balances, date(2024, 12, 31), NL_BUSINESS) == (
        D("247.77")
    )
    # One day later the year is capitalised: 247.77 stays in the base next to
    # the 1,500.00 principal. 2025-01-01 to 03-31: 90 days at 11.15 % /365
    # on 1,747.77 = 48.0515 -> 48.05; total 295.82.
    assert legal.interest_on_balances(balances, date(2025, 3, 31), NL_BUSINESS) == (
        D("295.82")
    )
    assert legal.interest_on_balances(
        balances, date(2025, 3, 31), NL_BUSINESS, compound=False
    ) == D("289.01")  # 247.7732 + 1,500 x 11.15 % x 90/365 (41.2397)


def test_interest_on_balances_single_balance_is_statutory_interest():
    # LEGAL.md's worked example through the new function.
    assert legal.interest_on_balances(
        [(date(2023, 1, 1), D("10000.00"))], date(2024, 2, 4), NL_BUSINESS
    ) == D("1258.61")
    assert legal.interest_on_balances(
        [(date(2023, 1, 1), D("10000.00"))], date(2024, 2, 4), NL_BUSINESS, False
    ) == D("1245.15")


def test_interest_on_balances_payment_keeps_capitalised_interest():
    # Principal fully paid after the first year: the capitalised interest
    # keeps earning interest; the paid principal does not.
    rates = [(date(2020, 1, 1), D("10"))]
    balances = [(date(2021, 1, 1), D("1000.00")), (date(2022, 1, 1), D("0"))]
    first_year = legal.statutory_interest(
        D("1000.00"), date(2021, 1, 1), date(2021, 12, 31), rates
    )
    assert first_year == D("100.00")
    # 2022: 100.00 x 10 % = 10.00 on the capitalised interest alone
    assert legal.interest_on_balances(balances, date(2022, 12, 31), rates) == D(
        "110.00"
    )
    assert legal.interest_on_balances(
        balances, date(2022, 12, 31), rates, compound=False
    ) == D("100.00")


def test_interest_on_balances_refuses_bad_input():
    rates = [(date(2020, 1, 1), D("10"))]
    with pytest.raises(ValueError, match="non-empty"):
        legal.interest_on_balances([], date(2022, 1, 1), rates)
    with pytest.raises(ValueError, match="ascending"):
        legal.interest_on_balances(
            [(date(2021, 2, 1), 10), (date(2021, 1, 1), 5)], date(2022, 1, 1), rates
        )
    with pytest.raises(ValueError, match="negative"):
        legal.interest_on_balances([(date(2021, 1, 1), -5)], date(2022, 1, 1), rates)
    with pytest.raises(ValueError, match="before start"):
        legal.interest_on_balances([(date(2021, 1, 1), 5)], date(2020, 12, 31), rates)
    with pytest.raises(ValueError, match="before the first rate"):
        legal.interest_on_balances([(date(2019, 1, 1), 5)], date(2020, 12, 31), rates)
    with pytest.raises(ValueError, match="pair"):
        legal.interest_on_balances([date(2021, 1, 1)], date(2022, 1, 1), rates)


PRINCIPAL = st.decimals(min_value=0, max_value=1000000, places=2)
START = st.dates(min_value=date(2022, 7, 1), max_value=date(2027, 12, 31))


@FAST
@given(PRINCIPAL, START, st.integers(min_value=0, max_value=1500), st.booleans())
def test_statutory_interest_equals_a_single_balance(principal, start, days, compound):
    end = start + timedelta(days=days)
    assert legal.statutory_interest(
        principal, start, end, NL_BUSINESS, compound
    ) == legal.interest_on_balances([(start, principal)], end, NL_BUSINESS, compound)


BALANCES = st.lists(
    st.tuples(st.integers(min_value=1, max_value=400), PRINCIPAL),
    min_size=0,
    max_size=5,
)


def _balances(start, first, steps):
    result = [(start, first)]
    day = start
    for gap, amount in steps:
        day += timedelta(days=gap)
        result.append((day, amount))
    return result


@FAST
@given(
    START,
    PRINCIPAL,
    BALANCES,
    st.integers(min_value=0, max_value=1500),
    st.integers(min_value=0, max_value=500),
    st.booleans(),
)
def test_interest_on_balances_is_monotone_in_end(
    start, first, steps, days, extra, compound
):
    balances = _balances(start, first, steps)
    end = start + timedelta(days=days)
    interest = legal.interest_on_balances(balances, end, NL_BUSINESS, compound)
    later = legal.interest_on_balances(
        balances, end + timedelta(days=extra), NL_BUSINESS, compound
    )
    assert D(0) <= interest <= later


@FAST
@given(START, PRINCIPAL, BALANCES, st.integers(min_value=0, max_value=1500))
def test_interest_on_balances_is_bounded_by_the_highest_balance(
    start, first, steps, days
):
    balances = _balances(start, first, steps)
    end = start + timedelta(days=days)
    highest = max(amount for _day, amount in balances)
    lowest = min(amount for _day, amount in balances)
    for compound in (True, False):
        interest = legal.interest_on_balances(balances, end, NL_BUSINESS, compound)
        assert interest <= legal.statutory_interest(
            highest, start, end, NL_BUSINESS, compound
        )
        assert interest >= legal.statutory_interest(
            lowest, start, end, NL_BUSINESS, compound
        ) - D("0.01") * (1 + days // 365)


# --- prescription ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("reference", "kwargs", "expected"),
    [
        (date(2020, 3, 15), {}, date(2025, 3, 15)),
        (date(2020, 3, 15), {"consumer_sale": True}, date(2022, 3, 15)),
        (date(2020, 3, 15), {"country": "NL", "kind": "periodic"}, date(2025, 3, 15)),
        (date(2020, 3, 15), {"country": "BE"}, date(2030, 3, 15)),
        (date(2020, 3, 15), {"country": "be", "kind": "default"}, date(2030, 3, 15)),
        (date(2020, 3, 15), {"country": "BE", "kind": "periodic"}, date(2025, 3, 15)),
        (
            date(2020, 3, 15),
            {"country": "BE", "kind": "consumer_supply"},
            date(2021, 3, 15),
        ),
        # BE ignores consumer_sale: the kind decides
        (
            date(2020, 3, 15),
            {"country": "BE", "consumer_sale": True},
            date(2030, 3, 15),
        ),
        (
            date(2024, 2, 29),
            {"country": "BE", "kind": "consumer_supply"},
            date(2025, 2, 28),
        ),
    ],
)
def test_prescription_date_by_country_and_kind(reference, kwargs, expected):
    assert legal.prescription_date(reference, **kwargs) == expected


def test_prescription_date_refuses_unknown_country_or_kind():
    with pytest.raises(ValueError, match="country"):
        legal.prescription_date(date(2020, 1, 1), country="DE")
    with pytest.raises(ValueError, match="kind"):
        legal.prescription_date(date(2020, 1, 1), country="BE", kind="rent")


# --- stale rate tables -----------------------------------------------------------


def test_stale_rate_kinds():
    newest = {
        "nl_commercial": date(2026, 1, 1),
        "nl_consumer": date(2026, 1, 2),
        "be_legal": date(2025, 1, 1),
        "be_commercial": None,
    }
    assert legal.stale_rate_kinds(newest, date(2026, 7, 1)) == [
        "be_commercial",
        "be_legal",
    ]
    assert legal.stale_rate_kinds(newest, date(2026, 7, 2)) == [
        "be_commercial",
        "be_legal",
        "nl_commercial",
    ]
    assert legal.stale_rate_kinds(newest, date(2026, 7, 3), months=12) == [
        "be_commercial",
        "be_legal",
    ]
    # a yearly rate may be given twelve months
    assert (
        legal.stale_rate_kinds(
            {"be_legal": date(2026, 1, 1)},
            date(2026, 12, 31),
            months_by_kind={"be_legal": 12},
        )
        == []
    )
    assert legal.stale_rate_kinds({}, date(2026, 7, 2)) == []
    # month ends: 31 August + 6 months = end of February
    assert legal.stale_rate_kinds({"x": date(2025, 8, 31)}, date(2026, 2, 28)) == []
    assert legal.stale_rate_kinds({"x": date(2025, 8, 31)}, date(2026, 3, 1)) == ["x"]


@FAST
@given(DATES, DATES)
def test_stale_rate_kinds_is_monotone_in_today(newest, today):
    stale = legal.stale_rate_kinds({"k": newest}, today)
    if stale:
        assert legal.stale_rate_kinds({"k": newest}, today + timedelta(days=1)) == ["k"]
        assert today > newest + timedelta(days=180)
    if today <= newest + timedelta(days=181):
        assert stale == []
