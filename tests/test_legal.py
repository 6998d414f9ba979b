"""Tests of the pure legal rules in ``debiteur_dunning/legal``.

The package is loaded by file path, never through ``odoo.addons``: importing the
addon would run its ``__init__`` (models, so Odoo). That way the same file runs
under plain pytest (``python3 -m pytest -p no:odoo tests/test_legal.py``) and
under pytest-odoo.
"""

import ast
import calendar
import math
import re
import sys
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import iso11649

from .pure import load_pure

LEGAL_DIR = Path(__file__).resolve().parent.parent / "debiteur_dunning" / "legal"


legal = load_pure("legal", "debiteur_legal")
allocate_payment = legal.allocate_payment
be_commercial_rate = legal.be_commercial_rate
be_consumer_damages = legal.be_consumer_damages
be_structured_communication = legal.be_structured_communication
legal_notice_deadline = legal.legal_notice_deadline
prescription_date = legal.prescription_date
rf_reference = legal.rf_reference
statutory_interest = legal.statutory_interest
wik_collection_costs = legal.wik_collection_costs

D = Decimal
FAST = settings(max_examples=200, deadline=None)

# The rate tables of LEGAL.md (date_from, % per year).
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
NL_CONSUMER = [
    (date(2022, 7, 1), D("2")),
    (date(2023, 1, 1), D("4")),
    (date(2023, 7, 1), D("6")),
    (date(2024, 1, 1), D("7")),
    (date(2024, 7, 1), D("7")),
    (date(2025, 1, 1), D("6")),
    (date(2025, 7, 1), D("6")),
    (date(2026, 1, 1), D("6")),
]
TEN_PERCENT = [(date(2020, 1, 1), D("10"))]

# Notice dates used below: Friday 7 March 2025.
FRIDAY = date(2025, 3, 7)


# --- the package stays pure ------------------------------------------------------


def test_legal_package_imports_no_odoo():
    files = sorted(LEGAL_DIR.glob("*.py"))
    assert {f.name for f in files} >= {
        "__init__.py",
        "costs.py",
        "interest.py",
        "deadlines.py",
        "references.py",
        "prescription.py",
        "allocation.py",
    }
    allowed = set(sys.stdlib_module_names) | {"stdnum", "holidays"}
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                modules = [node.module]
            else:
                continue
            for module in modules:
                top = module.split(".")[0]
                assert top != "odoo", f"{path.name} imports {module}"
                assert top in allowed, f"{path.name} imports non-stdlib {module}"


def test_public_names_are_exported():
    assert set(legal.__all__) >= {
        "allocate_payment",
        "be_commercial_rate",
        "be_consumer_damages",
        "be_structured_communication",
        "legal_notice_deadline",
        "prescription_date",
        "rf_reference",
        "statutory_interest",
        "wik_collection_costs",
    }
    assert all(hasattr(legal, name) for name in legal.__all__)
    assert all(
        callable(getattr(legal, name)) for name in legal.__all__ if name.islower()
    )


# --- collection costs ------------------------------------------------------------


@pytest.mark.parametrize(
    ("principal", "expected"),
    [
        # LEGAL.md worked examples
        ("1234.56", "185.18"),
        ("7500.00", "750.00"),
        ("200.00", "40.00"),
        ("1000000", "6775.00"),
        # bracket edges
        ("266.67", "40.00"),
        ("300.00", "45.00"),
        ("2500.00", "375.00"),
        ("5000.00", "625.00"),
        ("10000.00", "875.00"),
        ("200000.00", "2775.00"),
        ("5000000.00", "6775.00"),
        # 375 + 10 % of 0.05 = 375.005: half up, not to even
        ("2500.05", "375.01"),
        ("0", "0.00"),
    ],
)
def test_wik_collection_costs(principal, expected):
    result = wik_collection_costs(D(principal))
    assert result == D(expected)
    assert result.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("balance", "expected"),
    [
        # LEGAL.md worked examples
        ("1234.56", "101.73"),
        ("7500.00", "415.00"),
        ("100.00", "20.00"),
        # bracket edges
        ("150.00", "20.00"),
        ("150.01", "30.00"),
        ("150.05", "30.01"),  # 30.005 rounds half up
        ("500.00", "65.00"),
        ("500.01", "65.00"),
        ("39200.00", "2000.00"),
        ("1000000000", "2000.00"),
        ("0", "0.00"),
    ],
)
def test_be_consumer_damages(balance, expected):
    assert be_consumer_damages(D(balance)) == D(expected)


def test_costs_accept_int_and_float_safely():
    assert wik_collection_costs(1234.56) == D("185.18")
    assert wik_collection_costs(7500) == D("750.00")
    assert be_consumer_damages(1234.56) == D("101.73")
    # 0.1 + 0.2 is 0.30000000000000004 as a float: converted through its repr
    assert wik_collection_costs(2500 + 0.1 + 0.2) == D("375.03")


cent_amounts = st.decimals(
    min_value=D("0.01"), max_value=D("2000000"), places=2, allow_nan=False
)


@FAST
@given(cent_amounts, cent_amounts)
def test_wik_is_bounded_and_monotonic(a, b):
    low, high = sorted((a, b))
    assert D("40.00") <= wik_collection_costs(low) <= wik_collection_costs(high)
    assert wik_collection_costs(high) <= D("6775.00")


@FAST
@given(cent_amounts, cent_amounts)
def test_be_damages_are_bounded_and_monotonic(a, b):
    low, high = sorted((a, b))
    assert D("20.00") <= be_consumer_damages(low) <= be_consumer_damages(high)
    assert be_consumer_damages(high) <= D("2000.00")


# --- interest --------------------------------------------------------------------


def _cents(value):
    """Half-up rounding of an exact fraction, written independently of the package."""
    return D(math.floor(value * 100 + Fraction(1, 2))) / 100


def _oracle_interest(principal, start, end, rates, compound=True):
    """Day-by-day reference: each day earns base x rate / days of its year."""
    base = Fraction(principal)
    interest_this_year = Fraction(0)
    capitalised = D(0)
    years = 1
    day = start
    while day <= end:
        if compound:
            try:
                anniversary = date(start.year + years, start.month, start.day)
            except ValueError:  # a year from 29 February ends on 28 February
                anniversary = date(start.year + years, 3, 1)
            if day == anniversary:
                year_interest = _cents(interest_this_year)
                capitalised += year_interest
                base += Fraction(year_interest)
                interest_this_year = Fraction(0)
                years += 1
        rate = [Fraction(r) for since, r in rates if since <= day][-1]
        interest_this_year += (
            base * rate / 100 / (366 if calendar.isleap(day.year) else 365)
        )
        day += timedelta(days=1)
    return capitalised + _cents(interest_this_year)


def test_interest_worked_example():
    # LEGAL.md: 10,000.00 business claim due 2022-12-31, 2023-01-01 .. 2024-02-04
    args = (D("10000.00"), date(2023, 1, 1), date(2024, 2, 4), NL_BUSINESS)
    assert statutory_interest(*args) == D("1258.61")
    assert statutory_interest(*args, compound=False) == D("1245.15")


def test_interest_consumer_table_differs_from_business():
    # 2023: 181 d x 4 % + 184 d x 6 % = 500.82, capitalised on 2024-01-01;
    # 2024: 35 d x 7 % / 366 on 10,500.82 = 70.29
    args = (D("10000.00"), date(2023, 1, 1), date(2024, 2, 4))
    consumer = statutory_interest(*args, NL_CONSUMER)
    assert consumer == D("571.11")
    assert consumer != statutory_interest(*args, NL_BUSINESS)


def test_interest_rate_change_inside_period():
    # 30 days at 10.5 % (June) then 31 days at 12 % (July), /365
    result = statutory_interest(
        D("10000.00"), date(2023, 6, 1), date(2023, 7, 31), NL_BUSINESS
    )
    assert result == D("188.22")  # 10,000 x (10.5 x 30 + 12 x 31) / 36,500


def test_interest_leap_day_counts_with_366():
    million = D("1000000.00")
    leap_day = date(2024, 2, 29)
    assert statutory_interest(million, leap_day, leap_day, TEN_PERCENT) == D("273.22")
    common_day = date(2023, 2, 28)
    assert statutory_interest(million, common_day, common_day, TEN_PERCENT) == D(
        "273.97"
    )
    # 31 December 2023 (/365) + 1 January 2024 (/366), rounded once
    new_year = statutory_interest(
        million, date(2023, 12, 31), date(2024, 1, 1), TEN_PERCENT
    )
    assert new_year == D("547.20")


def test_interest_capitalises_on_anniversary_of_start():
    # Start 15 March: the first year runs to 14 March 2024 (292 d /365 + 74 d /366)
    start = date(2023, 3, 15)
    before = statutory_interest(D("10000.00"), start, date(2024, 3, 14), TEN_PERCENT)
    assert before == D("1002.19")
    assert before == statutory_interest(
        D("10000.00"), start, date(2024, 3, 14), TEN_PERCENT, compound=False
    )
    # From 15 March 2024 the base is 11,002.19: 6 days x 10 % / 366 = 18.04
    end = date(2024, 3, 20)
    assert statutory_interest(D("10000.00"), start, end, TEN_PERCENT) == D("1020.23")
    assert statutory_interest(
        D("10000.00"), start, end, TEN_PERCENT, compound=False
    ) == D("1018.58")


def test_interest_year_from_leap_day_ends_on_28_february():
    start = date(2024, 2, 29)
    principal = D("10000.00")

    def both(end):
        return (
            statutory_interest(principal, start, end, TEN_PERCENT),
            statutory_interest(principal, start, end, TEN_PERCENT, compound=False),
        )

    compound, simple = both(date(2025, 2, 28))
    assert compound == simple  # 366 days, not yet capitalised
    compound, simple = both(date(2025, 3, 1))
    assert compound > simple  # 1 March 2025 earns on the capitalised base


def test_interest_over_three_years():
    # 2022-07-01 .. 2025-06-30, business table, capitalised on each 1 July:
    # year 1: 184 d x 8 % + 181 d x 10.5 % (/365)              =   923.97
    # year 2: on 10,923.97, 184 d x 12 % /365 + 182 d x 12.5 % /366 = 1,339.84
    # year 3: on 12,263.81, 184 d x 12.25 % /366 + 181 d x 11.15 % /365 = 1,433.35
    args = (D("10000.00"), date(2022, 7, 1), date(2025, 6, 30), NL_BUSINESS)
    assert statutory_interest(*args) == D("3697.16")
    assert statutory_interest(*args) == _oracle_interest(*args)
    assert statutory_interest(*args, compound=False) == _oracle_interest(
        *args, compound=False
    )
    assert statutory_interest(*args, compound=False) < D("3697.16")


def test_interest_one_day_and_zero_cases():
    day = date(2023, 3, 1)
    # one day: 10,000 x 10.5 % / 365 = 2.876...
    assert statutory_interest(D("10000"), day, day, NL_BUSINESS) == D("2.88")
    assert statutory_interest(D("0"), day, date(2025, 1, 1), NL_BUSINESS) == D("0.00")
    zero_rate = [(date(2020, 1, 1), D("0"))]
    assert statutory_interest(D("10000"), day, date(2025, 1, 1), zero_rate) == D("0.00")


def test_interest_accepts_floats_and_ints():
    rates = [(since, float(rate)) for since, rate in NL_BUSINESS]
    result = statutory_interest(10000.0, date(2023, 1, 1), date(2024, 2, 4), rates)
    assert result == D("1258.61")
    assert statutory_interest(10000, date(2023, 1, 1), date(2024, 2, 4), NL_BUSINESS)


interest_starts = st.dates(min_value=date(2022, 7, 1), max_value=date(2026, 6, 30))
interest_days = st.integers(min_value=0, max_value=1200)
principals = st.decimals(
    min_value=D("0.01"), max_value=D("1000000"), places=2, allow_nan=False
)
rate_tables = st.sampled_from([NL_BUSINESS, NL_CONSUMER, TEN_PERCENT])


@FAST
@given(principals, interest_starts, interest_days, rate_tables, st.booleans())
def test_interest_matches_day_by_day_reference(principal, start, days, rates, compound):
    end = start + timedelta(days=days)
    assert statutory_interest(principal, start, end, rates, compound) == (
        _oracle_interest(principal, start, end, rates, compound)
    )


@FAST
@given(principals, interest_starts, interest_days, interest_days, st.booleans())
def test_interest_is_monotonic_in_days(principal, start, days_a, days_b, compound):
    short, long = sorted((days_a, days_b))
    a = statutory_interest(
        principal, start, start + timedelta(days=short), NL_BUSINESS, compound
    )
    b = statutory_interest(
        principal, start, start + timedelta(days=long), NL_BUSINESS, compound
    )
    assert D("0.00") <= a <= b


@FAST
@given(
    principals,
    interest_starts,
    interest_days,
    st.decimals(min_value=0, max_value=5, places=2),
)
def test_interest_is_monotonic_in_rate(principal, start, days, extra):
    end = start + timedelta(days=days)
    higher = [(since, rate + extra) for since, rate in NL_BUSINESS]
    assert statutory_interest(principal, start, end, NL_BUSINESS) <= (
        statutory_interest(principal, start, end, higher)
    )


@FAST
@given(principals, interest_starts, interest_days)
def test_capitalisation_never_lowers_interest(principal, start, days):
    end = start + timedelta(days=days)
    simple = statutory_interest(principal, start, end, NL_BUSINESS, compound=False)
    # Each rounded capitalisation year may lose half a cent, and the simple sum
    # may gain half a cent in its single rounding; there are at most
    # days // 365 + 1 capitalisation years.
    tolerance = D("0.005") * (days // 365 + 2)
    assert statutory_interest(principal, start, end, NL_BUSINESS) >= simple - tolerance


# --- BE commercial rate ----------------------------------------------------------


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        ("2.15", "10.50"),  # LEGAL.md: ECB 2.15 -> 10.5 %
        ("4.50", "12.50"),  # already on a half percent: unchanged
        ("4", "12.00"),
        ("2.5", "10.50"),
        ("3.01", "11.50"),
        ("0", "8.00"),
        ("-0.25", "8.00"),
    ],
)
def test_be_commercial_rate(reference, expected):
    assert be_commercial_rate(D(reference)) == D(expected)


# --- deadlines -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "channel", "country", "expected"),
    [
        # NL: receipt + 14, moved off a weekend or holiday (Algemene termijnenwet).
        # E-mail received the same day: 21 March 2025 is a Friday.
        (FRIDAY, "email", "NL", date(2025, 3, 21)),
        # Post: delivery days Sat 8, (no Sun, Mon) Tue 11 -> 25 March
        (FRIDAY, "post", "NL", date(2025, 3, 25)),
        # BE, sent on a Friday: the weekend is skipped; the last day, Sunday
        # 23 March, moves to Monday 24 (art. 1.7 BW)
        (FRIDAY, "email", "BE", date(2025, 3, 24)),  # starts Mon 10 March
        (FRIDAY, "post", "BE", date(2025, 3, 25)),  # starts Wed 12 March
        # BE, sent on a Wednesday: post starts Mon 10 (Thu, Fri, Mon); the
        # last day Sunday 23 March moves to Monday 24
        (date(2025, 3, 5), "email", "BE", date(2025, 3, 19)),
        (date(2025, 3, 5), "post", "BE", date(2025, 3, 24)),
        # BE, sent on a Saturday
        (date(2025, 3, 8), "email", "BE", date(2025, 3, 24)),
        # case and whitespace are forgiven
        (FRIDAY, " Email", "nl", date(2025, 3, 21)),
        # e-mail together with a letter counts as post
        (FRIDAY, "email_letter", "NL", date(2025, 3, 25)),
        (FRIDAY, "both", "BE", date(2025, 3, 25)),
        # LEGAL.md's worked examples
        (date(2026, 3, 2), "email", "NL", date(2026, 3, 16)),
        (date(2026, 3, 2), "post", "NL", date(2026, 3, 18)),
        (date(2026, 3, 8), "email", "NL", date(2026, 3, 23)),
        (date(2026, 4, 10), "email", "NL", date(2026, 4, 24)),
    ],
)
def test_legal_notice_deadline(sent, channel, country, expected):
    assert legal_notice_deadline(sent, channel, country) == expected


def test_be_deadline_uses_the_holiday_calendar_unless_holidays_are_given():
    # Sent Thursday 17 April 2025 by post; Easter Monday is 21 April.
    sent = date(2025, 4, 17)
    assert legal_notice_deadline(sent, "post", "BE") == date(2025, 5, 6)
    easter_monday = {date(2025, 4, 21)}
    assert legal_notice_deadline(sent, "post", "BE", holidays=easter_monday) == date(
        2025, 5, 6
    )
    # An explicit collection replaces the calendar: no holidays, weekends only.
    assert legal_notice_deadline(sent, "post", "BE", holidays=()) == date(2025, 5, 5)


@FAST
@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)))
def test_deadline_shape(sent):
    # Without holidays: NL e-mail is receipt + 14 moved off a weekend.
    no_holidays = ()
    nl_email = legal_notice_deadline(sent, "email", "NL", holidays=no_holidays)
    assert nl_email.weekday() < 5
    assert 0 <= (nl_email - (sent + timedelta(days=14))).days <= 2
    for channel, working_days in (("email", 1), ("post", 3)):
        last = legal_notice_deadline(sent, channel, "BE", holidays=no_holidays)
        assert last.weekday() < 5
        # the start is the n-th working day after sending; last >= start + 13
        start = sent
        count = working_days
        while count:
            start += timedelta(days=1)
            count -= start.weekday() < 5
        assert 0 <= (last - (start + timedelta(days=13))).days <= 2
    # The calendar only ever makes a term longer, never shorter.
    for country in ("NL", "BE"):
        for channel in ("email", "post"):
            assert legal_notice_deadline(sent, channel, country) >= (
                legal_notice_deadline(sent, channel, country, holidays=no_holidays)
            )


# --- references ------------------------------------------------------------------


def test_rf_reference_known_value():
    # The ISO 11649 example: RF18 5390 0754 7034
    assert rf_reference("539007547034") == "RF18539007547034"
    assert rf_reference("5390 0754-7034") == "RF18539007547034"


def test_rf_reference_with_letters():
    reference = rf_reference("inv-2025 00042")
    assert reference.endswith("INV202500042")
    assert iso11649.is_valid(reference)
    assert rf_reference("A" * 21).endswith("A" * 21)


@FAST
@given(
    st.text(
        alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
        min_size=1,
        max_size=21,
    ),
    st.sampled_from(["", " ", "-", " - "]),
)
def test_rf_references_always_validate(base, separator):
    spaced = separator.join(base)
    reference = rf_reference(spaced)
    assert iso11649.validate(reference) == reference
    assert reference == f"RF{reference[2:4]}{base.upper()}"


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        (909337554, "+++090/9337/55493+++"),
        ("0108068171", "+++010/8068/17183+++"),
        (97, "+++000/0000/09797+++"),  # 97 mod 97 = 0: check digits 97
        (9999999999, "+++999/9999/99948+++"),  # 97 x 103,092,783 + 48
    ],
)
def test_be_structured_communication(number, expected):
    assert be_structured_communication(number) == expected


@FAST
@given(st.integers(min_value=0, max_value=10**10 - 1))
def test_be_structured_communication_check_digits(number):
    text = be_structured_communication(number)
    match = re.fullmatch(r"\+\+\+(\d{3})/(\d{4})/(\d{5})\+\+\+", text)
    assert match
    digits = "".join(match.groups())
    assert int(digits[:10]) == number
    assert int(digits[10:]) == (number % 97 or 97)


# --- prescription ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("reference", "consumer_sale", "expected"),
    [
        (date(2020, 3, 15), False, date(2025, 3, 15)),
        (date(2020, 3, 15), True, date(2022, 3, 15)),
        (date(2023, 12, 31), False, date(2028, 12, 31)),
        # term starts 1 March 2023; five years later 1 March 2028 -> 29 Feb
        (date(2023, 2, 28), False, date(2028, 2, 29)),
        # due on a leap day: the term starts 1 March
        (date(2024, 2, 29), False, date(2029, 2, 28)),
        (date(2024, 2, 29), True, date(2026, 2, 28)),
        # term starts on a leap day and ends on 28 February
        (date(2024, 2, 28), False, date(2029, 2, 28)),
    ],
)
def test_prescription_date(reference, consumer_sale, expected):
    assert prescription_date(reference, consumer_sale=consumer_sale) == expected


def test_written_reminder_restarts_prescription():
    due = date(2020, 3, 15)
    reminder = date(2024, 11, 1)  # interrupts (3:317 BW): a new term from 2 Nov
    assert prescription_date(reminder) == date(2029, 11, 1)
    assert prescription_date(reminder) > prescription_date(due)


# --- payment allocation ----------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("30.00", ("30.00", "0", "0", "0")),
        ("50.00", ("40.00", "10.00", "0", "0")),
        ("100.00", ("40.00", "25.00", "35.00", "0")),
        ("565.00", ("40.00", "25.00", "500.00", "0")),
        ("700.00", ("40.00", "25.00", "500.00", "135.00")),
        ("0", ("0", "0", "0", "0")),
    ],
)
def test_allocate_payment_costs_then_interest_then_principal(amount, expected):
    result = allocate_payment(D(amount), D("40.00"), D("25.00"), D("500.00"))
    assert result == tuple(D(value) for value in expected)


def test_allocate_payment_accepts_floats():
    assert allocate_payment(100.1, 40, 0.2, 500) == (
        D("40"),
        D("0.2"),
        D("59.9"),
        D("0"),
    )


@FAST
@given(cent_amounts, cent_amounts, cent_amounts, cent_amounts)
def test_allocate_payment_properties(amount, costs, interest, principal):
    to_costs, to_interest, to_principal, excess = allocate_payment(
        amount, costs, interest, principal
    )
    assert to_costs + to_interest + to_principal + excess == amount
    assert min(to_costs, to_interest, to_principal, excess) >= 0
    if to_interest:
        assert to_costs == costs
    if to_principal:
        assert to_interest == interest
    if excess:
        assert to_principal == principal


# --- bad input -------------------------------------------------------------------


def _interest(**changes):
    args = {
        "principal": D("100"),
        "start": date(2023, 1, 1),
        "end": date(2023, 12, 31),
        "rates": NL_BUSINESS,
    }
    args.update(changes)
    return lambda: statutory_interest(**args)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: wik_collection_costs(D("-0.01")), "must not be negative"),
        (lambda: be_consumer_damages(D("-1")), "must not be negative"),
        (lambda: wik_collection_costs(D("NaN")), "finite"),
        (lambda: wik_collection_costs(float("inf")), "finite"),
        (_interest(principal=D("-1")), "must not be negative"),
        (_interest(end=date(2022, 12, 31)), "must not be before start"),
        (_interest(start=date(2022, 6, 30)), "before the first rate"),
        (_interest(rates=[]), "must not be empty"),
        (_interest(rates=list(reversed(NL_BUSINESS))), "ascending"),
        (_interest(rates=[(date(2020, 1, 1), 8), (date(2020, 1, 1), 9)]), "ascending"),
        (_interest(rates=[(date(2020, 1, 1), D("-1"))]), "must not be negative"),
        (_interest(rates=[date(2020, 1, 1)]), "pair"),
        (lambda: legal_notice_deadline(FRIDAY, "fax", "NL"), "unknown channel"),
        (lambda: legal_notice_deadline(FRIDAY, "letter", "BE"), "unknown channel"),
        (lambda: legal_notice_deadline(FRIDAY, "email", "DE"), "unknown country"),
        (lambda: rf_reference(""), "non-empty"),
        (lambda: rf_reference(" - "), "non-empty"),
        (lambda: rf_reference("A" * 22), "at most 21"),
        (lambda: rf_reference("INV/2025/00001"), "letters A-Z and digits"),
        (lambda: rf_reference("FACTUUR-É1"), "letters A-Z and digits"),
        (lambda: be_structured_communication(-1), "from 0 to"),
        (lambda: be_structured_communication(10**10), "from 0 to"),
        (lambda: be_structured_communication("12a"), "1 to 10 digits"),
        (lambda: be_structured_communication("12345678901"), "1 to 10 digits"),
        (lambda: allocate_payment(D("10"), D("-1"), D("0"), D("0")), "costs"),
        (lambda: allocate_payment(D("-10"), D("1"), D("0"), D("0")), "amount"),
    ],
)
def test_bad_values_raise_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize(
    "call",
    [
        lambda: wik_collection_costs("100"),
        lambda: wik_collection_costs(True),
        lambda: be_consumer_damages(None),
        _interest(start=datetime(2023, 1, 1, 12, 0)),
        _interest(end="2023-12-31"),
        lambda: legal_notice_deadline(datetime(2025, 3, 7, 9, 0), "email", "NL"),
        lambda: legal_notice_deadline(FRIDAY, None, "NL"),
        lambda: rf_reference(12345),
        lambda: be_structured_communication(True),
        lambda: prescription_date("2020-03-15"),
    ],
)
def test_wrong_types_raise_type_error(call):
    with pytest.raises(TypeError):
        call()
